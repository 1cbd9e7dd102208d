//! The RTP media API of the sans-IO PeerConnection (webrtc-pc §5.2–§5.4):
//! `getCapabilities`, `setCodecPreferences` (proved by the m= line payload order of the next
//! offer and answer), `replaceTrack`, and `getParameters`/`setParameters` with the spec's
//! errors in the spec's order.

mod common;

use common::*;
use rtcpeer_core::jsep::codecs::codecs_of;
use rtcpeer_core::pc::{
    codec_dictionary_match, rtp_receiver_capabilities, rtp_sender_capabilities,
};
use rtcpeer_core::*;
use rtcpeer_sdp::SessionDescription;

fn cap(kind: TrackKind, mime: &str, fmtp_has: &str) -> RtcRtpCodec {
    rtp_sender_capabilities(kind)
        .codecs
        .into_iter()
        .find(|c| {
            c.mime_type.eq_ignore_ascii_case(mime)
                && c.sdp_fmtp_line.as_deref().unwrap_or("").contains(fmtp_has)
        })
        .unwrap_or_else(|| panic!("no capability {mime} {fmtp_has}"))
}

/// The codecs of the m= section at `index`, in m= line (preference) order, as
/// `(name, fmtp)`.
fn m_line_codecs(sdp: &str, index: usize) -> Vec<(String, Option<String>)> {
    let parsed = SessionDescription::parse(sdp).unwrap();
    let m = &parsed.media[index];
    let codecs = codecs_of(m);
    m.formats()
        .iter()
        .map(|f| {
            let pt: u8 = f.parse().unwrap();
            let c = codecs.iter().find(|c| c.payload_type == pt).unwrap();
            (c.name.clone(), c.fmtp.clone())
        })
        .collect()
}

fn names(codecs: &[(String, Option<String>)]) -> Vec<&str> {
    codecs.iter().map(|(n, _)| n.as_str()).collect()
}

fn kind_of(e: &RtcError) -> RtcErrorKind {
    e.kind()
}

#[test]
fn capabilities_list_each_codec_once() {
    let audio = rtp_sender_capabilities(TrackKind::Audio);
    let opus = cap(TrackKind::Audio, "audio/opus", "");
    assert_eq!(opus.clock_rate, 48000);
    assert_eq!(opus.channels, Some(2));
    assert!(audio.codecs.iter().any(|c| c.mime_type == "audio/PCMU"));
    assert!(
        audio
            .codecs
            .iter()
            .all(|c| c.mime_type.starts_with("audio/"))
    );
    let video = rtp_receiver_capabilities(TrackKind::Video);
    let rtx: Vec<_> = video
        .codecs
        .iter()
        .filter(|c| c.mime_type == "video/rtx")
        .collect();
    assert_eq!(rtx.len(), 1, "RTX is listed once");
    assert_eq!(rtx[0].sdp_fmtp_line, None);
    assert_eq!(
        video
            .codecs
            .iter()
            .filter(|c| c.mime_type == "video/VP9")
            .count(),
        2,
        "VP9 profiles 0 and 2"
    );
    assert!(
        video
            .header_extensions
            .iter()
            .any(|e| e.uri == "urn:ietf:params:rtp-hdrext:sdes:mid")
    );
    assert!(
        !audio
            .header_extensions
            .iter()
            .any(|e| e.uri == "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"),
        "rid is video only"
    );
}

#[test]
fn codec_dictionary_match_rules() {
    let opus = cap(TrackKind::Audio, "audio/opus", "");
    let mut upper = opus.clone();
    upper.mime_type = "AUDIO/OPUS".into();
    assert!(codec_dictionary_match(&opus, &upper, false));
    let mut reordered = opus.clone();
    reordered.sdp_fmtp_line = Some("useinbandfec=1; minptime=10".into());
    assert!(codec_dictionary_match(&opus, &reordered, false));
    let mut other = opus.clone();
    other.sdp_fmtp_line = Some("minptime=20;useinbandfec=1".into());
    assert!(!codec_dictionary_match(&opus, &other, false));
    let mut none = opus.clone();
    none.sdp_fmtp_line = None;
    assert!(!codec_dictionary_match(&opus, &none, false));
    let mut mono = opus.clone();
    mono.channels = Some(1);
    assert!(!codec_dictionary_match(&opus, &mono, false));
    let h264 = cap(TrackKind::Video, "video/H264", "profile-level-id=42e01f");
    let mut level = h264.clone();
    level.sdp_fmtp_line = h264
        .sdp_fmtp_line
        .as_ref()
        .map(|f| f.replace("42e01f", "42e034"));
    assert!(!codec_dictionary_match(&h264, &level, false));
    assert!(codec_dictionary_match(&h264, &level, true));
}

#[test]
fn set_codec_preferences_validates_against_capabilities() {
    let mut a = pc(1);
    let audio = a
        .add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    let opus = cap(TrackKind::Audio, "audio/opus", "");
    let unknown = RtcRtpCodec {
        mime_type: "audio/foo".into(),
        clock_rate: 8000,
        channels: None,
        sdp_fmtp_line: None,
    };
    let e = a
        .set_codec_preferences(audio, &[opus.clone(), unknown])
        .unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidModificationError);
    // A video codec on an audio transceiver.
    let vp8 = cap(TrackKind::Video, "video/VP8", "");
    let e = a.set_codec_preferences(audio, &[vp8]).unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidModificationError);
    // A capability with a modified member.
    let mut changed = opus.clone();
    changed.clock_rate = 16000;
    let e = a.set_codec_preferences(audio, &[changed]).unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidModificationError);
    // Only RED.
    let red = cap(TrackKind::Audio, "audio/red", "");
    let e = a
        .set_codec_preferences(audio, std::slice::from_ref(&red))
        .unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidModificationError);
    assert!(a.transceiver(audio).unwrap().codec_preferences().is_empty());
    // Case-insensitive mimeType, duplicates removed keeping the first.
    let mut upper = opus.clone();
    upper.mime_type = "audio/OPUS".into();
    let pcmu = cap(TrackKind::Audio, "audio/PCMU", "");
    a.set_codec_preferences(audio, &[upper.clone(), pcmu.clone(), opus.clone()])
        .unwrap();
    assert_eq!(
        a.transceiver(audio).unwrap().codec_preferences(),
        [upper, pcmu]
    );
    // Not a negotiation change.
    let _ = events(&mut a);
    a.set_codec_preferences(audio, &[]).unwrap();
    assert!(a.transceiver(audio).unwrap().codec_preferences().is_empty());
    // Video: RTX alone is refused.
    let video = a
        .add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .unwrap();
    let rtx = cap(TrackKind::Video, "video/rtx", "");
    let e = a.set_codec_preferences(video, &[rtx]).unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidModificationError);
}

#[test]
fn preferences_order_the_offer() {
    let mut a = pc(1);
    let video = a
        .add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .unwrap();
    let default = a.create_offer(RtcOfferOptions::default()).unwrap();
    assert_eq!(names(&m_line_codecs(&default.sdp, 0))[0], "VP8");
    let vp9_2 = cap(TrackKind::Video, "video/VP9", "profile-id=2");
    let vp8 = cap(TrackKind::Video, "video/VP8", "");
    let rtx = cap(TrackKind::Video, "video/rtx", "");
    a.set_codec_preferences(video, &[vp9_2.clone(), rtx.clone(), vp8.clone()])
        .unwrap();
    let offer = a.create_offer(RtcOfferOptions::default()).unwrap();
    let codecs = m_line_codecs(&offer.sdp, 0);
    assert_eq!(names(&codecs), ["VP9", "rtx", "VP8", "rtx"]);
    assert_eq!(codecs[0].1.as_deref(), Some("profile-id=2"));
    let parsed = SessionDescription::parse(&offer.sdp).unwrap();
    let pts = parsed.media[0].formats().to_vec();
    assert_eq!(codecs[1].1, Some(format!("apt={}", pts[0])));
    assert_eq!(codecs[3].1, Some(format!("apt={}", pts[2])));
    assert!(!offer.sdp.contains("H264"));
    // Without an RTX entry, no RTX is offered.
    a.set_codec_preferences(video, &[vp8, vp9_2]).unwrap();
    let offer = a.create_offer(RtcOfferOptions::default()).unwrap();
    assert_eq!(names(&m_line_codecs(&offer.sdp, 0)), ["VP8", "VP9"]);
    // Reset: the defaults again.
    a.set_codec_preferences(video, &[]).unwrap();
    let offer = a.create_offer(RtcOfferOptions::default()).unwrap();
    assert_eq!(m_line_codecs(&offer.sdp, 0), m_line_codecs(&default.sdp, 0));
}

#[test]
fn preferences_order_the_answer_and_what_the_offerer_sends() {
    let (mut a, mut b) = (pc(1), pc(2));
    a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .unwrap();
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    let offer = a.create_offer(RtcOfferOptions::default()).unwrap();
    a.set_local_description(Some(offer.clone().into())).unwrap();
    b.set_remote_description(offer).unwrap();
    let ids: Vec<TransceiverId> = b.get_transceivers().map(|t| t.id()).collect();
    let h264 = cap(
        TrackKind::Video,
        "video/H264",
        "packetization-mode=1;profile-level-id=42e01f",
    );
    let vp8 = cap(TrackKind::Video, "video/VP8", "");
    b.set_codec_preferences(ids[0], &[h264, vp8]).unwrap();
    let pcmu = cap(TrackKind::Audio, "audio/PCMU", "");
    let opus = cap(TrackKind::Audio, "audio/opus", "");
    b.set_codec_preferences(ids[1], &[pcmu, opus]).unwrap();
    let answer = b.create_answer().unwrap();
    let video = m_line_codecs(&answer.sdp, 0);
    assert_eq!(names(&video), ["H264", "VP8"]);
    assert!(video[0].1.as_deref().unwrap().contains("42e01f"));
    assert_eq!(names(&m_line_codecs(&answer.sdp, 1)), ["PCMU", "opus"]);
    b.set_local_description(Some(answer.clone().into()))
        .unwrap();
    a.set_remote_description(answer).unwrap();
    // The offerer sends with the answerer's first choice.
    let senders: Vec<&RtcRtpSender> = a.get_senders().collect();
    assert_eq!(senders[0].send_codecs()[0].name, "H264");
    assert_eq!(senders[1].send_codecs()[0].name, "PCMU");
}

#[test]
fn answer_rejects_a_section_without_a_preferred_codec() {
    let (mut a, mut b) = (pc(1), pc(2));
    let ta = a
        .add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .unwrap();
    a.set_codec_preferences(ta, &[cap(TrackKind::Video, "video/VP8", "")])
        .unwrap();
    let offer = a.create_offer(RtcOfferOptions::default()).unwrap();
    a.set_local_description(Some(offer.clone().into())).unwrap();
    b.set_remote_description(offer).unwrap();
    let tb = b.get_transceivers().next().unwrap().id();
    b.set_codec_preferences(tb, &[cap(TrackKind::Video, "video/AV1", "")])
        .unwrap();
    let answer = b.create_answer().unwrap();
    let parsed = SessionDescription::parse(&answer.sdp).unwrap();
    assert_eq!(parsed.media[0].port(), 0, "no common preferred codec");
}

#[test]
fn replace_track_errors_and_no_negotiation() {
    let (mut a, mut b) = (pc(1), pc(2));
    let sender = a.add_track(track("mic", TrackKind::Audio), &[]).unwrap();
    let vsender = a.add_track(track("cam", TrackKind::Video), &[]).unwrap();
    negotiate(&mut a, &mut b);
    let _ = events(&mut a);
    assert!(!a.negotiation_needed());
    let e = a
        .replace_track(sender, Some(track("cam2", TrackKind::Video)))
        .unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::TypeError);
    a.replace_track(sender, Some(track("mic2", TrackKind::Audio)))
        .unwrap();
    let s = a.get_senders().find(|s| s.id() == sender).unwrap();
    assert_eq!(s.track().unwrap().id, "mic2");
    assert!(!a.negotiation_needed());
    assert!(
        !events(&mut a).contains(&PeerConnectionEvent::NegotiationNeeded),
        "replaceTrack does not fire negotiationneeded"
    );
    a.replace_track(sender, None).unwrap();
    assert!(
        a.get_senders()
            .find(|s| s.id() == sender)
            .unwrap()
            .track()
            .is_none()
    );
    assert!(!a.negotiation_needed());
    // A stopped transceiver.
    let vt = a
        .get_transceivers()
        .find(|t| t.sender().id() == vsender)
        .unwrap()
        .id();
    a.stop_transceiver(vt).unwrap();
    let e = a
        .replace_track(vsender, Some(track("cam3", TrackKind::Video)))
        .unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidStateError);
    // Closed: the kind check still comes first.
    a.close();
    let e = a
        .replace_track(sender, Some(track("mic3", TrackKind::Audio)))
        .unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidStateError);
    let e = a
        .replace_track(sender, Some(track("cam4", TrackKind::Video)))
        .unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::TypeError);
}

/// A negotiated connection with an audio and a video sender.
fn negotiated() -> (PeerConnection, SenderId, SenderId) {
    let (mut a, mut b) = (pc(1), pc(2));
    let audio = a.add_track(track("mic", TrackKind::Audio), &[]).unwrap();
    let video = a.add_track(track("cam", TrackKind::Video), &[]).unwrap();
    negotiate(&mut a, &mut b);
    let _ = events(&mut a);
    (a, audio, video)
}

#[test]
fn get_parameters_reports_the_negotiated_state() {
    let (mut a, audio, video) = negotiated();
    let p = a.get_parameters(video).unwrap();
    assert!(!p.transaction_id.is_empty());
    assert_eq!(p.encodings.len(), 1);
    assert!(p.encodings[0].active);
    assert_eq!(p.encodings[0].priority, RtcPriorityType::Low);
    let s = a.get_senders().find(|s| s.id() == video).unwrap();
    assert_eq!(p.codecs, s.send_codecs());
    assert_eq!(p.codecs[0].name, "VP8");
    assert!(
        p.header_extensions
            .iter()
            .any(|e| e.uri == "urn:ietf:params:rtp-hdrext:sdes:mid" && e.id > 0)
    );
    assert!(p.rtcp.cname.as_deref().is_some_and(|c| !c.is_empty()));
    assert_eq!(p.rtcp.reduced_size, Some(true));
    let again = a.get_parameters(video).unwrap();
    assert_ne!(again.transaction_id, p.transaction_id);
    let pa = a.get_parameters(audio).unwrap();
    assert_eq!(pa.codecs[0].name, "opus");
    assert_eq!(pa.rtcp.cname, p.rtcp.cname, "one CNAME per connection");
    // The receiver's side.
    let receiver = a
        .get_transceivers()
        .find(|t| t.sender().id() == audio)
        .unwrap()
        .receiver()
        .clone();
    let rp = a.get_receiver_parameters(receiver.id()).unwrap();
    assert_eq!(rp.codecs, receiver.receive_codecs());
    assert!(!rp.header_extensions.is_empty());
}

#[test]
fn set_parameters_applies_mutable_members() {
    let (mut a, audio, video) = negotiated();
    let e = a
        .set_parameters(video, a.clone_parameters_for_test(video))
        .unwrap_err();
    assert_eq!(
        kind_of(&e),
        RtcErrorKind::InvalidStateError,
        "no getParameters"
    );
    let mut p = a.get_parameters(video).unwrap();
    p.encodings[0].active = false;
    p.encodings[0].max_bitrate = Some(300_000);
    p.encodings[0].max_framerate = Some(15.0);
    p.encodings[0].scale_resolution_down_by = Some(2.0);
    p.encodings[0].priority = RtcPriorityType::High;
    p.encodings[0].network_priority = Some(RtcPriorityType::Medium);
    a.set_parameters(video, p.clone()).unwrap();
    let s = a.get_senders().find(|s| s.id() == video).unwrap();
    assert_eq!(s.send_encodings(), p.encodings);
    assert!(!a.negotiation_needed());
    assert!(events(&mut a).is_empty(), "no negotiationneeded");
    // The transaction is consumed.
    let e = a.set_parameters(video, p).unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidStateError);
    // Video without scaleResolutionDownBy gets 1.0.
    let mut p = a.get_parameters(video).unwrap();
    p.encodings[0].scale_resolution_down_by = None;
    a.set_parameters(video, p).unwrap();
    let s = a.get_senders().find(|s| s.id() == video).unwrap();
    assert_eq!(s.send_encodings()[0].scale_resolution_down_by, Some(1.0));
    // Audio drops the video-only members (before the RangeError checks).
    let mut p = a.get_parameters(audio).unwrap();
    p.encodings[0].scale_resolution_down_by = Some(0.5);
    p.encodings[0].max_framerate = Some(-1.0);
    p.encodings[0].max_bitrate = Some(64_000);
    a.set_parameters(audio, p).unwrap();
    let s = a.get_senders().find(|s| s.id() == audio).unwrap();
    assert_eq!(s.send_encodings()[0].scale_resolution_down_by, None);
    assert_eq!(s.send_encodings()[0].max_framerate, None);
    assert_eq!(s.send_encodings()[0].max_bitrate, Some(64_000));
    // A codec among the negotiated ones.
    let mut p = a.get_parameters(video).unwrap();
    p.encodings[0].codec = Some(RtcRtpCodec::from_rtp_codec(TrackKind::Video, &p.codecs[0]));
    a.set_parameters(video, p).unwrap();
}

#[test]
fn set_parameters_errors() {
    let (mut a, _audio, video) = negotiated();
    let check =
        |a: &mut PeerConnection, change: &dyn Fn(&mut RtcRtpSendParameters), want: RtcErrorKind| {
            let mut p = a.get_parameters(video).unwrap();
            change(&mut p);
            let e = a.set_parameters(video, p).unwrap_err();
            assert_eq!(kind_of(&e), want, "{e}");
        };
    use RtcErrorKind::{InvalidModificationError as Imm, RangeError};
    check(&mut a, &|p| p.transaction_id.push('x'), Imm);
    check(&mut a, &|p| p.encodings.push(p.encodings[0].clone()), Imm);
    check(&mut a, &|p| p.encodings.clear(), Imm);
    check(&mut a, &|p| p.encodings[0].rid = Some("r".into()), Imm);
    check(&mut a, &|p| p.codecs.reverse(), Imm);
    check(&mut a, &|p| p.codecs[0].payload_type ^= 1, Imm);
    check(&mut a, &|p| p.header_extensions.pop().map_or((), drop), Imm);
    check(&mut a, &|p| p.rtcp.cname = Some("other".into()), Imm);
    check(&mut a, &|p| p.rtcp.reduced_size = Some(false), Imm);
    let not_negotiated = RtcRtpCodec {
        mime_type: "video/XYZ".into(),
        clock_rate: 90000,
        channels: None,
        sdp_fmtp_line: None,
    };
    check(
        &mut a,
        &|p| p.encodings[0].codec = Some(not_negotiated.clone()),
        Imm,
    );
    check(
        &mut a,
        &|p| p.encodings[0].scale_resolution_down_by = Some(0.5),
        RangeError,
    );
    check(
        &mut a,
        &|p| p.encodings[0].max_framerate = Some(-1.0),
        RangeError,
    );
    // InvalidModificationError is checked before RangeError.
    check(
        &mut a,
        &|p| {
            p.encodings[0].max_framerate = Some(-1.0);
            p.transaction_id.clear();
        },
        Imm,
    );
    // maxFramerate 0 is allowed.
    let mut p = a.get_parameters(video).unwrap();
    p.encodings[0].max_framerate = Some(0.0);
    a.set_parameters(video, p).unwrap();
    // Parameters older than the last getParameters.
    let old = a.get_parameters(video).unwrap();
    let _new = a.get_parameters(video).unwrap();
    let e = a.set_parameters(video, old).unwrap_err();
    assert_eq!(kind_of(&e), Imm);
    // A stopping transceiver, then a closed connection.
    let p = a.get_parameters(video).unwrap();
    let t = a
        .get_transceivers()
        .find(|t| t.sender().id() == video)
        .unwrap()
        .id();
    a.stop_transceiver(t).unwrap();
    let e = a.set_parameters(video, p).unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidStateError);
    let (mut c, audio, _) = negotiated();
    let p = c.get_parameters(audio).unwrap();
    c.close();
    let e = c.set_parameters(audio, p).unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidStateError);
}

#[test]
fn set_parameters_keeps_simulcast_rids_and_order() {
    let mut a = pc(1);
    let enc = |rid: &str| RtcRtpEncodingParameters {
        rid: Some(rid.into()),
        active: true,
        ..Default::default()
    };
    let t = a
        .add_transceiver(
            TrackKind::Video,
            RtcRtpTransceiverInit {
                send_encodings: vec![enc("q"), enc("h"), enc("f")],
                ..Default::default()
            },
        )
        .unwrap();
    let sender = a.transceiver(t).unwrap().sender().id();
    let mut p = a.get_parameters(sender).unwrap();
    assert_eq!(p.encodings.len(), 3);
    p.encodings.reverse();
    let e = a.set_parameters(sender, p).unwrap_err();
    assert_eq!(kind_of(&e), RtcErrorKind::InvalidModificationError);
    let mut p = a.get_parameters(sender).unwrap();
    p.encodings[0].active = false;
    a.set_parameters(sender, p).unwrap();
    let rids: Vec<_> = a
        .transceiver(t)
        .unwrap()
        .sender()
        .send_encodings()
        .iter()
        .map(|e| (e.rid.clone().unwrap(), e.active))
        .collect();
    assert_eq!(
        rids,
        [("q".into(), false), ("h".into(), true), ("f".into(), true)]
    );
}

/// A test-only way to build parameters without calling `getParameters`.
trait CloneParameters {
    fn clone_parameters_for_test(&self, sender: SenderId) -> RtcRtpSendParameters;
}

impl CloneParameters for PeerConnection {
    fn clone_parameters_for_test(&self, sender: SenderId) -> RtcRtpSendParameters {
        let s = self.get_senders().find(|s| s.id() == sender).unwrap();
        RtcRtpSendParameters {
            transaction_id: "made-up".into(),
            encodings: s.send_encodings().to_vec(),
            codecs: s.send_codecs().to_vec(),
            header_extensions: Vec::new(),
            rtcp: RtcRtcpParameters::default(),
        }
    }
}
