//! Offer/answer between two sans-IO PeerConnections (RFC 9429 §5.2, §5.3, §5.9–§5.11;
//! webrtc-pc §4.4.1.5): data only, audio+video+data, renegotiation, stopping and recycling.

mod common;

use common::*;
use rtcpeer_core::*;
use rtcpeer_sdp::{Direction, MediaKind, SessionDescription};

#[test]
fn data_only_offer_answer() {
    let (mut a, mut b) = (pc(1), pc(2));
    let dc = a
        .create_data_channel("chat", RtcDataChannelInit::default())
        .unwrap();
    assert_eq!(events(&mut a), [PeerConnectionEvent::NegotiationNeeded]);
    let (offer, answer) = negotiate(&mut a, &mut b);
    let o = SessionDescription::parse(&offer).unwrap();
    assert_eq!(o.media.len(), 1);
    let m = &o.media[0];
    assert_eq!(m.kind, MediaKind::Application);
    assert_eq!(m.protocol(), "UDP/DTLS/SCTP");
    assert_eq!(m.formats(), ["webrtc-datachannel"]);
    assert_eq!(m.sctp_port(), Some(5000));
    assert_eq!(m.max_message_size(), Some(262144));
    assert_eq!(m.setup(), Some(rtcpeer_sdp::Setup::ActPass));
    assert_eq!(o.bundle_groups().next().unwrap().mids, ["0"]);
    assert!(offer.contains("a=msid-semantic: WMS\r\n"));
    assert!(offer.contains("a=extmap-allow-mixed\r\n"));
    assert!(offer.contains("a=ice-options:trickle\r\n"));
    let ans = SessionDescription::parse(&answer).unwrap();
    assert_eq!(ans.media[0].setup(), Some(rtcpeer_sdp::Setup::Active));
    assert_eq!(a.signaling_state(), RtcSignalingState::Stable);
    assert_eq!(b.signaling_state(), RtcSignalingState::Stable);
    // Answerer is active → DTLS client; offerer server; ids by role (RFC 8832 §6).
    assert_eq!(b.dtls_role(), Some(rtcpeer_dtls::DtlsRole::Client));
    assert_eq!(a.dtls_role(), Some(rtcpeer_dtls::DtlsRole::Server));
    assert_eq!(a.data_channel(dc).unwrap().id(), Some(1));
    assert_eq!(a.ice_role(), RtcIceRole::Controlling);
    assert_eq!(b.ice_role(), RtcIceRole::Controlled);
    assert_eq!(a.can_trickle_ice_candidates(), Some(true));
    // Transport seam: remote parameters with fingerprint and sctp.
    let rt = &a.remote_transport_parameters()[0];
    assert_eq!(rt.sctp.as_ref().unwrap().port, 5000);
    assert_eq!(rt.fingerprints[0], b.certificate().fingerprint().clone());
    assert!(rt.trickle());
    let cmds = commands(&mut a);
    assert!(cmds.iter().any(|c| matches!(
        c,
        TransportCommand::StartDtls {
            role: rtcpeer_dtls::DtlsRole::Server
        }
    )));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, TransportCommand::StartSctp { .. }))
    );
    assert!(!a.negotiation_needed());
    // Nothing further to negotiate.
    let ev = events(&mut a);
    assert!(
        !ev.contains(&PeerConnectionEvent::NegotiationNeeded),
        "{ev:?}"
    );
}

#[test]
fn audio_video_data_offer_answer_with_track_events() {
    let (mut a, mut b) = (pc(3), pc(4));
    let stream = MediaStream::new("stream-a");
    a.add_track(
        track("mic", TrackKind::Audio),
        std::slice::from_ref(&stream),
    )
    .unwrap();
    a.add_track(
        track("cam", TrackKind::Video),
        std::slice::from_ref(&stream),
    )
    .unwrap();
    a.create_data_channel("d", RtcDataChannelInit::default())
        .unwrap();
    let (offer, answer) = negotiate(&mut a, &mut b);
    let o = SessionDescription::parse(&offer).unwrap();
    let kinds: Vec<_> = o.media.iter().map(|m| m.kind.clone()).collect();
    assert_eq!(
        kinds,
        [MediaKind::Audio, MediaKind::Video, MediaKind::Application]
    );
    assert_eq!(o.bundle_groups().next().unwrap().mids, ["0", "1", "2"]);
    // Balanced: the first section of each type has a port; no section repeats a type here.
    assert!(o.media.iter().all(|m| m.port == 9));
    assert_eq!(o.media[0].rtpmap(111).unwrap().encoding_name, "opus");
    assert!(o.media[1].rtpmaps().any(|r| r.encoding_name == "VP8"));
    assert!(o.media[1].rtpmaps().any(|r| r.encoding_name == "H264"));
    assert!(o.media[1].rtpmaps().any(|r| r.encoding_name == "AV1"));
    assert!(o.media[0].has_rtcp_mux() && o.media[0].has_rtcp_rsize());
    let msid = o.media[0].msids().next().unwrap();
    assert_eq!(msid.stream_id, "stream-a");
    assert_eq!(msid.track_id.as_deref(), Some("mic"));

    let ans = SessionDescription::parse(&answer).unwrap();
    assert_eq!(ans.media.len(), 3);
    assert_eq!(ans.media[0].direction(), Some(Direction::RecvOnly));
    assert_eq!(ans.media[0].payload_types().next(), Some(111));
    assert_eq!(ans.bundle_groups().next().unwrap().mids, ["0", "1", "2"]);
    // b got two track events with the stream, transceivers recvonly with mids.
    let ev = events(&mut b);
    let tracks: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            PeerConnectionEvent::Track(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(tracks.len(), 2);
    assert_eq!(tracks[0].streams, vec![stream.clone()]);
    let t0 = b.transceiver(tracks[0].transceiver).unwrap();
    assert_eq!(t0.mid(), Some("0"));
    assert_eq!(t0.receiver().id(), tracks[0].receiver);
    assert_eq!(&tracks[0].track, t0.receiver().track());
    assert_eq!(t0.direction(), RtcRtpTransceiverDirection::Recvonly);
    assert_eq!(
        t0.current_direction(),
        Some(RtcRtpTransceiverDirection::Recvonly)
    );
    let ta = a.get_transceivers().next().unwrap();
    assert_eq!(
        ta.current_direction(),
        Some(RtcRtpTransceiverDirection::Sendonly)
    );
    assert_eq!(ta.sender().send_codecs()[0].name, "opus");
}

#[test]
fn renegotiation_adds_a_channel_and_a_transceiver() {
    let (mut a, mut b) = (pc(5), pc(6));
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    negotiate(&mut a, &mut b);
    events(&mut a);
    events(&mut b);
    let v1 = SessionDescription::parse(a.local_description().unwrap().sdp())
        .unwrap()
        .origin
        .session_version;
    a.create_data_channel("late", RtcDataChannelInit::default())
        .unwrap();
    a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .unwrap();
    assert_eq!(events(&mut a), [PeerConnectionEvent::NegotiationNeeded]);
    let (offer, _) = negotiate(&mut a, &mut b);
    let o = SessionDescription::parse(&offer).unwrap();
    assert_eq!(o.origin.session_version, v1 + 1);
    let mids: Vec<_> = o
        .media
        .iter()
        .map(|m| m.mid().unwrap().to_owned())
        .collect();
    assert_eq!(mids, ["0", "1", "2"]);
    assert_eq!(o.media[1].kind, MediaKind::Video);
    assert_eq!(o.media[2].kind, MediaKind::Application);
    assert_eq!(b.get_transceivers().count(), 2);
    assert!(!events(&mut a).contains(&PeerConnectionEvent::NegotiationNeeded));
}

#[test]
fn stopped_transceiver_is_rejected_removed_and_its_mline_recycled() {
    let (mut a, mut b) = (pc(7), pc(8));
    let t = a
        .add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .unwrap();
    negotiate(&mut a, &mut b);
    events(&mut a);
    a.stop_transceiver(t).unwrap();
    assert_eq!(
        a.transceiver(t).unwrap().direction(),
        RtcRtpTransceiverDirection::Stopped
    );
    assert_eq!(events(&mut a), [PeerConnectionEvent::NegotiationNeeded]);
    let (offer, answer) = negotiate(&mut a, &mut b);
    let o = SessionDescription::parse(&offer).unwrap();
    assert_eq!(o.media[0].port, 0);
    assert_eq!(o.bundle_groups().next().unwrap().mids, ["1"]);
    assert_eq!(SessionDescription::parse(&answer).unwrap().media[0].port, 0);
    // Stopped and rejected: removed from both sides after the answer.
    assert!(a.transceiver(t).is_none());
    assert_eq!(a.get_transceivers().count(), 1);
    assert_eq!(b.get_transceivers().count(), 1);
    // A new transceiver recycles m-line 0 with a new mid (RFC 9429 §5.2.2).
    a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .unwrap();
    let (offer, _) = negotiate(&mut a, &mut b);
    let o = SessionDescription::parse(&offer).unwrap();
    assert_eq!(o.media.len(), 2);
    assert_eq!(o.media[0].kind, MediaKind::Video);
    assert_eq!(o.media[0].mid(), Some("2"));
    assert_eq!(o.media[0].port, 9);
}
