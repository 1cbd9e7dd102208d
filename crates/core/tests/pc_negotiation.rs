//! negotiationneeded (webrtc-pc §4.7.3), addIceCandidate (§4.4.2.2), BUNDLE and rtcp-mux
//! policies (§4.2.4, §4.2.5; RFC 9429 §5.2.1), Plan B rejection, legacy offer options, the RTP
//! media API errors (§5.1), and answers to real offers from the SDP fixtures.

mod common;

use common::*;
use rtcpeer_core::*;
use rtcpeer_sdp::{MediaKind, SessionDescription};

const NN: PeerConnectionEvent = PeerConnectionEvent::NegotiationNeeded;

/// The events, without the ICE gathering ones (`icegatheringstatechange`, `icecandidate`) a
/// connection without local interfaces fires right after `setLocalDescription`.
fn signaling_events(pc: &mut PeerConnection) -> Vec<PeerConnectionEvent> {
    events(pc)
        .into_iter()
        .filter(|e| {
            !matches!(
                e,
                PeerConnectionEvent::IceGatheringStateChange(_)
                    | PeerConnectionEvent::IceCandidate(_)
            )
        })
        .collect()
}

#[test]
fn negotiation_needed_is_coalesced_and_not_fired_outside_stable() {
    let mut a = pc(70);
    // Several changes in a row: one event.
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .unwrap();
    a.create_data_channel("a", RtcDataChannelInit::default())
        .unwrap();
    assert_eq!(signaling_events(&mut a), [NN]);
    assert!(a.negotiation_needed());
    // Already set: a further change fires nothing.
    a.create_data_channel("b", RtcDataChannelInit::default())
        .unwrap();
    a.add_track(track("t", TrackKind::Audio), &[]).unwrap();
    assert_eq!(signaling_events(&mut a), []);
    // In have-local-offer no event; back in stable the flag is updated.
    a.set_local_description(None).unwrap();
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    assert_eq!(
        signaling_events(&mut a),
        [PeerConnectionEvent::SignalingStateChange(
            RtcSignalingState::HaveLocalOffer
        )]
    );
    let mut b = pc(71);
    b.set_remote_description(a.local_description().unwrap().to_json())
        .unwrap();
    let ans = b.create_answer().unwrap();
    a.set_remote_description(ans).unwrap();
    // The answer cleared the flag; the transceiver added meanwhile needs a new round.
    assert_eq!(
        signaling_events(&mut a),
        [
            PeerConnectionEvent::SignalingStateChange(RtcSignalingState::Stable),
            NN
        ]
    );
}

#[test]
fn negotiation_needed_after_direction_change_stop_remove_track_and_restart_ice() {
    let (mut a, mut b) = (pc(72), pc(73));
    let sender = a
        .add_track(track("mic", TrackKind::Audio), &[MediaStream::new("s")])
        .unwrap();
    negotiate(&mut a, &mut b);
    events(&mut a);
    assert!(!a.negotiation_needed());
    let t = a.get_transceivers().next().unwrap().id();
    // Setting the same direction changes nothing.
    a.set_transceiver_direction(t, RtcRtpTransceiverDirection::Sendrecv)
        .unwrap();
    assert_eq!(events(&mut a), []);
    a.set_transceiver_direction(t, RtcRtpTransceiverDirection::Recvonly)
        .unwrap();
    assert_eq!(events(&mut a), [NN]);
    // Setting it back before negotiating: the check finds nothing to negotiate.
    a.set_transceiver_direction(t, RtcRtpTransceiverDirection::Sendrecv)
        .unwrap();
    assert_eq!(events(&mut a), []);
    assert!(!a.negotiation_needed());
    a.remove_track(sender).unwrap();
    assert_eq!(
        a.transceiver(t).unwrap().direction(),
        RtcRtpTransceiverDirection::Recvonly
    );
    assert_eq!(events(&mut a), [NN]);
    negotiate(&mut a, &mut b);
    events(&mut a);
    a.restart_ice();
    assert_eq!(events(&mut a), [NN]);
    let old = a.local_ice_credentials().clone();
    let (offer, _) = negotiate(&mut a, &mut b);
    assert!(!offer.contains(&old.ufrag) || !offer.contains(&old.pwd));
    assert_ne!(a.local_ice_credentials(), &old);
    assert!(!events(&mut a).contains(&NN));
    a.stop_transceiver(t).unwrap();
    assert_eq!(events(&mut a), [NN]);
}

#[test]
fn add_ice_candidate_errors_and_recording() {
    let mut a = pc(80);
    let line = "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host";
    let with = |mid: Option<&str>, idx: Option<u16>, ufrag: Option<&str>| RtcIceCandidateInit {
        candidate: line.into(),
        sdp_mid: mid.map(Into::into),
        sdp_m_line_index: idx,
        username_fragment: ufrag.map(Into::into),
    };
    // TypeError first, then InvalidStateError without a remote description.
    assert_eq!(
        a.add_ice_candidate(with(None, None, None))
            .unwrap_err()
            .kind(),
        RtcErrorKind::TypeError
    );
    assert_eq!(
        a.add_ice_candidate(with(Some("0"), None, None))
            .unwrap_err()
            .kind(),
        RtcErrorKind::InvalidStateError
    );
    assert_eq!(a.can_trickle_ice_candidates(), None);
    let offer = remote_offer(&[
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n",
    ]);
    a.set_remote_description(RtcSessionDescriptionInit::offer(offer))
        .unwrap();
    assert_eq!(a.can_trickle_ice_candidates(), Some(true));
    commands(&mut a);
    let op =
        |r: Result<(), RtcError>| assert_eq!(r.unwrap_err().kind(), RtcErrorKind::OperationError);
    op(a.add_ice_candidate(with(Some("nope"), None, None)));
    op(a.add_ice_candidate(with(None, Some(1), None)));
    op(a.add_ice_candidate(with(Some("a"), None, Some("otherufrag"))));
    op(a.add_ice_candidate(RtcIceCandidateInit {
        candidate: "candidate:garbage".into(),
        sdp_mid: Some("a".into()),
        ..Default::default()
    }));
    a.add_ice_candidate(with(None, Some(0), Some("rmtU")))
        .unwrap();
    let sdp = a.remote_description().unwrap().sdp().to_owned();
    assert!(sdp.contains(&format!("a={line}\r\n")), "{sdp}");
    assert!(matches!(
        &commands(&mut a)[..],
        [TransportCommand::AddRemoteCandidate { mid, .. }] if mid == "a"
    ));
    // End of candidates for every section: `addIceCandidate({})`.
    a.add_ice_candidate(RtcIceCandidateInit::default()).unwrap();
    assert!(
        a.remote_description()
            .unwrap()
            .sdp()
            .contains("a=end-of-candidates\r\n")
    );
    assert_eq!(
        commands(&mut a),
        [TransportCommand::EndOfRemoteCandidates { mid: None }]
    );
}

#[test]
fn max_bundle_marks_all_but_the_first_section_bundle_only() {
    for (policy, expected_ports) in [
        (RtcBundlePolicy::MaxBundle, vec![9, 0, 0, 0]),
        (RtcBundlePolicy::Balanced, vec![9, 9, 0, 9]),
        (RtcBundlePolicy::MaxCompat, vec![9, 9, 9, 9]),
    ] {
        let mut a = pc_with(
            90,
            RtcConfiguration {
                bundle_policy: policy,
                ..Default::default()
            },
        );
        a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
            .unwrap();
        a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
            .unwrap();
        a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
            .unwrap();
        a.create_data_channel("d", RtcDataChannelInit::default())
            .unwrap();
        let o = SessionDescription::parse(&a.create_offer(RtcOfferOptions::default()).unwrap().sdp)
            .unwrap();
        let ports: Vec<u16> = o.media.iter().map(|m| m.port).collect();
        assert_eq!(ports, expected_ports, "{policy}");
        assert!(o.media.iter().all(|m| (m.port == 0) == m.is_bundle_only()));
        assert_eq!(o.bundle_groups().next().unwrap().mids.len(), 4);
        // A peer answers it and both reach stable.
        let mut b = pc(91);
        a.set_local_description(None).unwrap();
        b.set_remote_description(a.local_description().unwrap().to_json())
            .unwrap();
        b.set_local_description(None).unwrap();
        a.set_remote_description(b.local_description().unwrap().to_json())
            .unwrap();
        let ans = SessionDescription::parse(b.local_description().unwrap().sdp()).unwrap();
        assert!(ans.media.iter().all(|m| m.port == 9), "{policy}");
    }
}

#[test]
fn rtcp_mux_required_and_plan_b_rejected() {
    let mut a = pc(100);
    let no_mux = remote_offer(&[
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n",
    ]);
    let e = a
        .set_remote_description(RtcSessionDescriptionInit::offer(no_mux.clone()))
        .unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidAccessError);
    assert_eq!(a.signaling_state(), RtcSignalingState::Stable);
    // "negotiate" accepts it, and the answer then omits rtcp-mux.
    let mut n = pc_with(
        101,
        RtcConfiguration {
            rtcp_mux_policy: RtcRtcpMuxPolicy::Negotiate,
            ..Default::default()
        },
    );
    n.set_remote_description(RtcSessionDescriptionInit::offer(no_mux))
        .unwrap();
    assert!(!n.create_answer().unwrap().sdp.contains("a=rtcp-mux"));

    let e = a
        .set_remote_description(RtcSessionDescriptionInit::offer(fixture(
            "planb-offer-two-video-tracks.sdp",
        )))
        .unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidAccessError);
    assert!(e.message().contains("Plan B"), "{e}");
    assert!(a.remote_description().is_none());
}

#[test]
fn legacy_offer_to_receive_options() {
    let mut a = pc(110);
    let o = a
        .create_offer(RtcOfferOptions {
            offer_to_receive_audio: Some(true),
            offer_to_receive_video: Some(true),
            ..Default::default()
        })
        .unwrap();
    let sd = SessionDescription::parse(&o.sdp).unwrap();
    let kinds: Vec<_> = sd
        .media
        .iter()
        .map(|m| (m.kind.clone(), m.direction()))
        .collect();
    assert_eq!(
        kinds,
        [
            (MediaKind::Audio, Some(rtcpeer_sdp::Direction::RecvOnly)),
            (MediaKind::Video, Some(rtcpeer_sdp::Direction::RecvOnly))
        ]
    );
    // Those transceivers did not update the negotiation-needed flag.
    assert_eq!(events(&mut a), []);
    let o = a
        .create_offer(RtcOfferOptions {
            offer_to_receive_audio: Some(false),
            ..Default::default()
        })
        .unwrap();
    let sd = SessionDescription::parse(&o.sdp).unwrap();
    assert_eq!(
        sd.media[0].direction(),
        Some(rtcpeer_sdp::Direction::Inactive)
    );
}

#[test]
fn rtp_media_api_errors() {
    let mut a = pc(120);
    let e = a
        .add_transceiver(
            TrackOrKind::Kind("data".into()),
            RtcRtpTransceiverInit::default(),
        )
        .unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::TypeError);
    let enc = |rid: Option<&str>| RtcRtpEncodingParameters {
        rid: rid.map(Into::into),
        active: true,
        ..Default::default()
    };
    for bad in [
        vec![enc(Some("a")), enc(None)],
        vec![enc(Some("a")), enc(Some("a"))],
        vec![enc(Some("bad rid!"))],
    ] {
        let e = a
            .add_transceiver(
                TrackKind::Video,
                RtcRtpTransceiverInit {
                    send_encodings: bad,
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(e.kind(), RtcErrorKind::TypeError);
    }
    let mut small = enc(Some("q"));
    small.scale_resolution_down_by = Some(0.5);
    let e = a
        .add_transceiver(
            TrackKind::Video,
            RtcRtpTransceiverInit {
                send_encodings: vec![small],
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::RangeError);
    // Simulcast: three rids → a=rid send + a=simulcast, scale 4:2:1.
    let t = a
        .add_transceiver(
            TrackKind::Video,
            RtcRtpTransceiverInit {
                send_encodings: vec![enc(Some("q")), enc(Some("h")), enc(Some("f"))],
                ..Default::default()
            },
        )
        .unwrap();
    let scales: Vec<_> = a
        .transceiver(t)
        .unwrap()
        .sender()
        .send_encodings()
        .iter()
        .map(|e| e.scale_resolution_down_by)
        .collect();
    assert_eq!(scales, [Some(4.0), Some(2.0), Some(1.0)]);
    let o = a.create_offer(RtcOfferOptions::default()).unwrap().sdp;
    assert!(
        o.contains("a=rid:q send\r\n") && o.contains("a=simulcast:send q;h;f\r\n"),
        "{o}"
    );
    let mic = track("mic", TrackKind::Audio);
    a.add_track(mic.clone(), &[]).unwrap();
    assert_eq!(
        a.add_track(mic, &[]).unwrap_err().kind(),
        RtcErrorKind::InvalidAccessError
    );
    assert_eq!(
        a.remove_track(SenderId::new(9999)).unwrap_err().kind(),
        RtcErrorKind::InvalidAccessError
    );
    // A stopping transceiver's direction cannot be set.
    a.stop_transceiver(t).unwrap();
    assert_eq!(
        a.set_transceiver_direction(t, RtcRtpTransceiverDirection::Sendonly)
            .unwrap_err()
            .kind(),
        RtcErrorKind::InvalidStateError
    );
    // addTrack reuses a transceiver that never sent.
    let r = a
        .add_transceiver(
            TrackKind::Audio,
            RtcRtpTransceiverInit {
                direction: RtcRtpTransceiverDirection::Recvonly,
                ..Default::default()
            },
        )
        .unwrap();
    let before = a.get_transceivers().count();
    a.add_track(track("mic2", TrackKind::Audio), &[]).unwrap();
    assert_eq!(a.get_transceivers().count(), before);
    assert_eq!(
        a.transceiver(r).unwrap().direction(),
        RtcRtpTransceiverDirection::Sendrecv
    );
}

/// Answers a fixture offer and checks the answer parses and agrees with it.
fn answer_fixture(name: &str) -> (SessionDescription, SessionDescription, PeerConnection) {
    let text = fixture(name);
    let mut b = pc(130);
    b.set_remote_description(RtcSessionDescriptionInit::offer(text.clone()))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let answer = b.create_answer().unwrap();
    b.set_local_description(Some(answer.clone().into()))
        .unwrap();
    let offer = SessionDescription::parse(&text).unwrap();
    let ans = SessionDescription::parse(&answer.sdp).unwrap();
    assert_eq!(ans.media.len(), offer.media.len(), "{name}");
    for (o, a) in offer.media.iter().zip(&ans.media) {
        assert_eq!(o.mid(), a.mid(), "{name}");
        assert_eq!(o.kind, a.kind, "{name}");
        // Every answered payload type was offered, with the same codec.
        for pt in a.payload_types() {
            let (Some(x), Some(y)) = (o.rtpmap(pt), a.rtpmap(pt)) else {
                continue;
            };
            assert!(
                x.encoding_name.eq_ignore_ascii_case(&y.encoding_name),
                "{name} pt {pt}"
            );
            assert_eq!(x.clock_rate, y.clock_rate);
        }
    }
    if let Some(g) = offer.bundle_groups().next() {
        let ag = ans.bundle_groups().next().expect("answer accepts BUNDLE");
        assert!(ag.mids.iter().all(|m| g.mids.contains(m)), "{name}");
    }
    assert_eq!(b.signaling_state(), RtcSignalingState::Stable);
    (offer, ans, b)
}

#[test]
fn answers_chrome_offer() {
    let (_, ans, b) = answer_fixture("chrome-offer-audio-video-data.sdp");
    assert_eq!(ans.bundle_groups().next().unwrap().mids, ["0", "1", "2"]);
    assert_eq!(ans.media[0].payload_types().next(), Some(111));
    let video: Vec<_> = ans.media[1]
        .rtpmaps()
        .map(|r| r.encoding_name.clone())
        .collect();
    assert!(
        video.contains(&"VP8".to_owned())
            && video.contains(&"H264".to_owned())
            && video.contains(&"rtx".to_owned())
    );
    // RTX apt points at an answered payload type.
    for f in ans.media[1]
        .fmtps()
        .filter(|f| f.parameters.starts_with("apt="))
    {
        let apt: u8 = f.parameters[4..].parse().unwrap();
        assert!(ans.media[1].payload_types().any(|p| p == apt));
    }
    assert_eq!(ans.media[2].sctp_port(), Some(5000));
    assert!(
        ans.media[1]
            .extmaps()
            .any(|e| e.uri == "urn:ietf:params:rtp-hdrext:sdes:mid" && e.id == 4)
    );
    assert!(b.remote_transport_parameters()[0].trickle());
    assert_eq!(b.remote_transport_parameters().len(), 1);
}

#[test]
fn answers_firefox_legacy_and_modern_data_offers() {
    let (_, ans, _) = answer_fixture("firefox-58-offer-datachannel-sctpmap.sdp");
    let m = &ans.media[0];
    assert_eq!(m.protocol(), "DTLS/SCTP");
    assert_eq!(m.formats(), ["5000"]);
    assert_eq!(m.sctpmap().unwrap().port, 5000);
    let (_, ans, b) = answer_fixture("firefox-63-offer-datachannel.sdp");
    assert_eq!(ans.media[0].protocol(), "UDP/DTLS/SCTP");
    let sctp = b.remote_transport_parameters()[0].sctp.clone().unwrap();
    assert_eq!(sctp.max_message_size, 1073741823);
}

#[test]
fn answers_safari_legacy_sctpmap_offer() {
    let (_, ans, b) = answer_fixture("safari-12-offer-audio-video-data-sctpmap.sdp");
    assert_eq!(ans.media[2].protocol(), "DTLS/SCTP");
    assert!(ans.media[2].sctpmap().is_some());
    assert_eq!(
        ans.bundle_groups().next().unwrap().mids,
        ["audio", "video", "data"]
    );
    // H.264 640c1f (Constrained High) is not answered; 42e01f is.
    let h264: Vec<_> = ans.media[1]
        .fmtps()
        .filter(|f| f.parameters.contains("profile-level-id"))
        .map(|f| f.format.clone())
        .collect();
    assert_eq!(h264, ["98"]);
    assert_eq!(
        b.remote_transport_parameters()[0]
            .sctp
            .as_ref()
            .unwrap()
            .max_message_size,
        65536
    );
}

#[test]
fn answers_aiortc_and_pion_offers() {
    answer_fixture("aiortc-offer-audio-video-data.sdp");
    let (_, _, b) = answer_fixture("pion-v2-offer-audio-video-data.sdp");
    let rt = &b.remote_transport_parameters()[0];
    assert!(!rt.candidates.is_empty());
    assert!(rt.end_of_candidates);
}
