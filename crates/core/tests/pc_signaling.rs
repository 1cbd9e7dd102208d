//! The signaling state machine (webrtc-pc §4.3.1, RFC 9429 §3.2): every legal transition, every
//! illegal one with its error, event order, rollback (explicit and the implicit one of perfect
//! negotiation), pranswer, InvalidModificationError, sdp-syntax-error, close semantics.

mod common;

use RtcSignalingState as S;
use common::*;
use rtcpeer_core::*;

/// A connection driven into `state`, with a peer that can answer/offer.
fn in_state(state: S) -> (PeerConnection, PeerConnection) {
    let (mut a, mut b) = (pc(10), pc(11));
    a.create_data_channel("x", RtcDataChannelInit::default())
        .unwrap();
    b.create_data_channel("y", RtcDataChannelInit::default())
        .unwrap();
    match state {
        S::Stable => {}
        S::HaveLocalOffer => {
            a.set_local_description(None).unwrap();
        }
        S::HaveRemoteOffer => {
            let o = b.create_offer(RtcOfferOptions::default()).unwrap();
            a.set_remote_description(o).unwrap();
        }
        S::HaveLocalPranswer => {
            let o = b.create_offer(RtcOfferOptions::default()).unwrap();
            a.set_remote_description(o).unwrap();
            let ans = a.create_answer().unwrap();
            a.set_local_description(Some(RtcLocalSessionDescriptionInit {
                sdp_type: Some(RtcSdpType::Pranswer),
                sdp: ans.sdp,
            }))
            .unwrap();
        }
        S::HaveRemotePranswer => {
            let o = a.create_offer(RtcOfferOptions::default()).unwrap();
            a.set_local_description(Some(o.clone().into())).unwrap();
            b.set_remote_description(o).unwrap();
            let ans = b.create_answer().unwrap();
            a.set_remote_description(RtcSessionDescriptionInit::pranswer(ans.sdp))
                .unwrap();
        }
        S::Closed => a.close(),
    }
    assert_eq!(a.signaling_state(), state);
    events(&mut a);
    (a, b)
}

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
fn rollback_is_invalid_in_stable_and_pranswer_states() {
    for state in [S::Stable, S::HaveLocalPranswer, S::HaveRemotePranswer] {
        let (mut a, _) = in_state(state);
        let e = a
            .set_local_description(Some(RtcSessionDescriptionInit::rollback().into()))
            .unwrap_err();
        assert_eq!(e.kind(), RtcErrorKind::InvalidStateError, "{state}");
        let e = a
            .set_remote_description(RtcSessionDescriptionInit::rollback())
            .unwrap_err();
        assert_eq!(e.kind(), RtcErrorKind::InvalidStateError, "{state}");
        assert_eq!(a.signaling_state(), state);
    }
}

#[test]
fn rollback_from_either_offer_state_returns_to_stable() {
    for state in [S::HaveLocalOffer, S::HaveRemoteOffer] {
        for remote in [false, true] {
            let (mut a, _) = in_state(state);
            if remote {
                a.set_remote_description(RtcSessionDescriptionInit::rollback())
                    .unwrap();
            } else {
                a.set_local_description(Some(RtcSessionDescriptionInit::rollback().into()))
                    .unwrap();
            }
            assert_eq!(a.signaling_state(), S::Stable);
            assert!(a.pending_local_description().is_none());
            assert!(a.pending_remote_description().is_none());
            assert_eq!(
                events(&mut a)[0],
                PeerConnectionEvent::SignalingStateChange(S::Stable)
            );
        }
    }
}

#[test]
fn local_offer_transitions() {
    for (state, ok) in [
        (S::Stable, true),
        (S::HaveLocalOffer, true),
        (S::HaveRemoteOffer, false),
        (S::HaveLocalPranswer, false),
        (S::HaveRemotePranswer, false),
    ] {
        let (mut a, _) = in_state(state);
        let r = a.create_offer(RtcOfferOptions::default());
        assert_eq!(r.is_ok(), ok, "createOffer in {state}");
        if let Err(e) = r {
            assert_eq!(e.kind(), RtcErrorKind::InvalidStateError);
        }
        let r = a.set_local_description(Some(RtcLocalSessionDescriptionInit {
            sdp_type: Some(RtcSdpType::Offer),
            sdp: String::new(),
        }));
        assert_eq!(r.is_ok(), ok, "sLD(offer) in {state}");
        if ok {
            assert_eq!(a.signaling_state(), S::HaveLocalOffer);
        } else {
            assert_eq!(r.unwrap_err().kind(), RtcErrorKind::InvalidStateError);
            assert_eq!(a.signaling_state(), state);
        }
    }
}

#[test]
fn local_answer_and_pranswer_transitions() {
    for ty in [RtcSdpType::Answer, RtcSdpType::Pranswer] {
        for (state, ok) in [
            (S::Stable, false),
            (S::HaveLocalOffer, false),
            (S::HaveRemoteOffer, true),
            (S::HaveLocalPranswer, true),
            (S::HaveRemotePranswer, false),
        ] {
            let (mut a, _) = in_state(state);
            let created = a.create_answer();
            assert_eq!(created.is_ok(), ok, "createAnswer in {state}");
            let r = a.set_local_description(Some(RtcLocalSessionDescriptionInit {
                sdp_type: Some(ty),
                sdp: String::new(),
            }));
            if ok {
                r.unwrap();
                let expected = if ty == RtcSdpType::Answer {
                    S::Stable
                } else {
                    S::HaveLocalPranswer
                };
                assert_eq!(a.signaling_state(), expected);
            } else {
                assert_eq!(
                    r.unwrap_err().kind(),
                    RtcErrorKind::InvalidStateError,
                    "{ty} in {state}"
                );
            }
        }
    }
}

#[test]
fn remote_answer_and_pranswer_transitions() {
    for ty in [RtcSdpType::Answer, RtcSdpType::Pranswer] {
        for (state, ok) in [
            (S::Stable, false),
            (S::HaveLocalOffer, true),
            (S::HaveRemoteOffer, false),
            (S::HaveLocalPranswer, false),
            (S::HaveRemotePranswer, true),
        ] {
            let (mut a, mut b) = in_state(state);
            // An answer that matches a's offer when it has one.
            let sdp = match a.pending_local_description() {
                Some(o) if o.sdp_type() == RtcSdpType::Offer => {
                    let mut fresh = pc(12);
                    fresh
                        .set_remote_description(RtcSessionDescriptionInit::offer(o.sdp()))
                        .unwrap();
                    fresh.create_answer().unwrap().sdp
                }
                _ => {
                    let o = b.create_offer(RtcOfferOptions::default()).unwrap();
                    let mut fresh = pc(12);
                    fresh.set_remote_description(o).unwrap();
                    fresh.create_answer().unwrap().sdp
                }
            };
            let r = a.set_remote_description(RtcSessionDescriptionInit::new(ty, sdp));
            if ok {
                r.unwrap();
                let expected = if ty == RtcSdpType::Answer {
                    S::Stable
                } else {
                    S::HaveRemotePranswer
                };
                assert_eq!(a.signaling_state(), expected);
            } else {
                assert_eq!(
                    r.unwrap_err().kind(),
                    RtcErrorKind::InvalidStateError,
                    "{ty} in {state}"
                );
                assert_eq!(a.signaling_state(), state);
            }
        }
    }
}

#[test]
fn remote_offer_transitions_with_implicit_rollback() {
    for (state, result) in [
        (S::Stable, Ok(())),
        (S::HaveRemoteOffer, Ok(())),
        (S::HaveLocalOffer, Ok(())),
        (S::HaveLocalPranswer, Err(RtcErrorKind::InvalidStateError)),
        (S::HaveRemotePranswer, Err(RtcErrorKind::InvalidStateError)),
    ] {
        let (mut a, _) = in_state(state);
        let mut c = pc(13);
        c.create_data_channel("z", RtcDataChannelInit::default())
            .unwrap();
        let o = c.create_offer(RtcOfferOptions::default()).unwrap();
        let r = a.set_remote_description(o);
        assert_eq!(r.map_err(|e| e.kind()), result, "{state}");
        if result.is_ok() {
            assert_eq!(a.signaling_state(), S::HaveRemoteOffer);
        } else {
            assert_eq!(a.signaling_state(), state);
        }
    }
}

#[test]
fn glare_perfect_negotiation_polite_peer_rolls_back() {
    let (mut polite, mut impolite) = (pc(20), pc(21));
    polite
        .add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    impolite
        .add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .unwrap();
    polite.set_local_description(None).unwrap();
    impolite.set_local_description(None).unwrap();
    events(&mut polite);
    // Collision: the polite peer applies the impolite offer; its own offer is rolled back.
    let offer = impolite.local_description().unwrap().to_json();
    polite.set_remote_description(offer).unwrap();
    assert_eq!(polite.signaling_state(), S::HaveRemoteOffer);
    let ev = events(&mut polite);
    assert_eq!(
        ev[..2],
        [
            PeerConnectionEvent::SignalingStateChange(S::Stable),
            PeerConnectionEvent::SignalingStateChange(S::HaveRemoteOffer)
        ]
    );
    // The polite side's own audio transceiver lost its pending mid; a recvonly video one exists.
    let ts: Vec<_> = polite.get_transceivers().collect();
    assert_eq!(ts.len(), 2);
    assert_eq!(ts[0].mid(), None);
    assert_eq!(ts[1].mid(), Some("0"));
    polite.set_local_description(None).unwrap();
    assert_eq!(polite.signaling_state(), S::Stable);
    let answer = polite.local_description().unwrap().to_json();
    impolite.set_remote_description(answer).unwrap();
    assert_eq!(impolite.signaling_state(), S::Stable);
    // The polite peer still needs to negotiate its audio transceiver.
    let ev = events(&mut polite);
    assert!(
        ev.contains(&PeerConnectionEvent::NegotiationNeeded),
        "{ev:?}"
    );
    negotiate(&mut polite, &mut impolite);
    assert_eq!(impolite.get_transceivers().count(), 2);
}

#[test]
fn pranswer_then_answer() {
    let (mut a, mut b) = (pc(30), pc(31));
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    let o = a.create_offer(RtcOfferOptions::default()).unwrap();
    a.set_local_description(Some(o.clone().into())).unwrap();
    b.set_remote_description(o).unwrap();
    let ans = b.create_answer().unwrap();
    b.set_local_description(Some(RtcLocalSessionDescriptionInit {
        sdp_type: Some(RtcSdpType::Pranswer),
        sdp: ans.sdp.clone(),
    }))
    .unwrap();
    assert_eq!(b.signaling_state(), S::HaveLocalPranswer);
    assert!(b.current_local_description().is_none());
    a.set_remote_description(RtcSessionDescriptionInit::pranswer(ans.sdp.clone()))
        .unwrap();
    assert_eq!(a.signaling_state(), S::HaveRemotePranswer);
    assert_eq!(
        a.pending_remote_description().unwrap().sdp_type(),
        RtcSdpType::Pranswer
    );
    // The final answer (the same text, type answer).
    b.set_local_description(None).unwrap();
    assert_eq!(b.signaling_state(), S::Stable);
    let final_answer = b.current_local_description().unwrap().to_json();
    assert_eq!(final_answer.sdp_type, RtcSdpType::Answer);
    a.set_remote_description(final_answer).unwrap();
    assert_eq!(a.signaling_state(), S::Stable);
    assert_eq!(
        a.current_remote_description().unwrap().sdp_type(),
        RtcSdpType::Answer
    );
    assert!(a.pending_remote_description().is_none());
}

#[test]
fn set_local_description_compares_with_the_last_created_sdp_exactly() {
    let mut a = pc(40);
    a.create_data_channel("x", RtcDataChannelInit::default())
        .unwrap();
    let first = a.create_offer(RtcOfferOptions::default()).unwrap();
    let second = a
        .create_offer(RtcOfferOptions {
            ice_restart: true,
            ..Default::default()
        })
        .unwrap();
    assert_ne!(first.sdp, second.sdp);
    // Only [[LastCreatedOffer]] is accepted.
    let e = a
        .set_local_description(Some(first.clone().into()))
        .unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidModificationError);
    let munged = second
        .sdp
        .replace("a=max-message-size:262144", "a=max-message-size:1");
    let e = a
        .set_local_description(Some(RtcSessionDescriptionInit::offer(munged).into()))
        .unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidModificationError);
    assert_eq!(a.signaling_state(), S::Stable);
    a.set_local_description(Some(second.into())).unwrap();
    assert_eq!(a.signaling_state(), S::HaveLocalOffer);
}

#[test]
fn state_change_event_fires_after_the_attribute_is_updated() {
    let (mut a, mut b) = (pc(50), pc(51));
    a.create_data_channel("x", RtcDataChannelInit::default())
        .unwrap();
    events(&mut a);
    let o = a.create_offer(RtcOfferOptions::default()).unwrap();
    a.set_local_description(Some(o.clone().into())).unwrap();
    // The attribute is already updated when the event is delivered.
    assert_eq!(a.signaling_state(), S::HaveLocalOffer);
    assert_eq!(
        signaling_events(&mut a),
        [PeerConnectionEvent::SignalingStateChange(S::HaveLocalOffer)]
    );
    b.set_remote_description(o).unwrap();
    let ans = b.create_answer().unwrap();
    a.set_remote_description(ans).unwrap();
    assert_eq!(
        signaling_events(&mut a),
        [PeerConnectionEvent::SignalingStateChange(S::Stable)]
    );
    // No event for a no-change: createOffer does not change the signaling state.
    a.create_offer(RtcOfferOptions::default()).unwrap();
    assert_eq!(a.poll_event(), None);
}

#[test]
fn sdp_syntax_errors_report_the_line_number() {
    let mut a = pc(60);
    let bad = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:x\r\n";
    let e = a
        .set_remote_description(RtcSessionDescriptionInit::offer(bad))
        .unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::RtcError);
    assert_eq!(e.name(), "OperationError");
    assert_eq!(
        e.error_detail().map(|d| d.as_str()),
        Some("sdp-syntax-error")
    );
    assert_eq!(e.sdp_line_number(), Some(6));
    // An empty sdp (RTCSessionDescriptionInit.sdp defaults to "") is not valid SDP either.
    let e = a
        .set_remote_description(RtcSessionDescriptionInit::offer(""))
        .unwrap_err();
    assert_eq!(
        e.error_detail().map(|d| d.as_str()),
        Some("sdp-syntax-error")
    );
    assert_eq!(a.signaling_state(), S::Stable);
    // InvalidStateError takes precedence over the syntax error.
    let e = a
        .set_remote_description(RtcSessionDescriptionInit::answer(bad))
        .unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidStateError);
}

#[test]
fn close_sets_every_state_and_silences_events() {
    let (mut a, _) = in_state(S::HaveLocalOffer);
    let t = a
        .add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    a.close();
    assert_eq!(a.signaling_state(), S::Closed);
    assert_eq!(a.ice_connection_state(), RtcIceConnectionState::Closed);
    assert_eq!(a.connection_state(), RtcPeerConnectionState::Closed);
    assert!(a.transceiver(t).unwrap().is_stopped());
    assert_eq!(a.get_senders().count(), 0);
    assert!(
        a.data_channels()
            .all(|c| c.ready_state() == RtcDataChannelState::Closed)
    );
    assert_eq!(
        a.poll_event(),
        None,
        "close fires no event and the queued check is dropped"
    );
    assert!(commands(&mut a).contains(&TransportCommand::Close));
    let closed = |e: RtcError| assert_eq!(e.kind(), RtcErrorKind::InvalidStateError);
    closed(a.create_offer(RtcOfferOptions::default()).unwrap_err());
    closed(a.create_answer().unwrap_err());
    closed(a.set_local_description(None).unwrap_err());
    closed(
        a.set_remote_description(RtcSessionDescriptionInit::rollback())
            .unwrap_err(),
    );
    closed(
        a.add_ice_candidate(RtcIceCandidateInit::default())
            .unwrap_err(),
    );
    closed(
        a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
            .unwrap_err(),
    );
    closed(a.add_track(track("t", TrackKind::Audio), &[]).unwrap_err());
    closed(
        a.create_data_channel("x", RtcDataChannelInit::default())
            .unwrap_err(),
    );
    closed(
        a.set_configuration(RtcConfiguration::default())
            .unwrap_err(),
    );
    closed(a.stop_transceiver(t).unwrap_err());
    a.restart_ice();
    a.close();
    assert_eq!(a.poll_event(), None);
    assert_eq!(a.signaling_state(), S::Closed);
}
