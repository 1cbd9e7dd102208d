//! The transport stack when things go wrong or end: a wrong remote fingerprint
//! (`fingerprint-failure`, aggregate `failed`), consent loss after the link is cut
//! (`disconnected` then `failed`), `close()` (everything `closed`, no further event, the peer
//! sees the data channels and DTLS close), DTLS records that arrive before the DTLS role is
//! known (kept and replayed), and RFC 7983 routing of datagrams that are not DTLS.

mod transport_support;

use std::time::Duration;

use bytes::Bytes;
use rtcpeer_core::transport::{TransportError, TransportEvent, TransportFailure};
use rtcpeer_core::{
    RtcDataChannelState, RtcDtlsTransportState, RtcErrorDetail, RtcErrorDetailType,
    RtcIceConnectionState, RtcIceTransportState, RtcPeerConnectionState, RtcSctpTransportState,
};
use rtcpeer_dtls::{DtlsFailure, Fingerprint, HashFunction};
use rtcpeer_netsim::{HostId, LinkConditions, Loss, Network, Zone};
use rtcpeer_sctp::datachannel::DataChannelInit;
use rtcpeer_types::{Protocol, Receive};
use transport_support::*;

fn public_pair() -> (Network, rtcpeer_netsim::SeedGuard, HostId, HostId) {
    let (mut net, g) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000");
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000");
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(25))).unwrap();
    }
    (net, g, a, b)
}

fn connected(net: &Network, h: HostId) -> bool {
    stack(net, h).connection_state() == RtcPeerConnectionState::Connected
}

/// Position of the first event matching `f` in `h`'s log.
fn position(net: &Network, h: HostId, f: impl Fn(&TransportEvent) -> bool) -> Option<usize> {
    peer(net, h).log.iter().position(f)
}

fn errors(net: &Network, h: HostId) -> Vec<TransportFailure> {
    peer(net, h)
        .log
        .iter()
        .filter_map(|e| match e {
            TransportEvent::Error(f) => Some(f.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn wrong_fingerprint_fails_with_fingerprint_failure() {
    let (mut net, _g, a, b) = public_pair();
    let mut rng = net.fork_rng();
    let other = certificate(&mut rng);
    let wrong = Fingerprint::of_certificate(HashFunction::Sha256, other.der());
    negotiate(
        &mut net,
        a,
        b,
        &Exchange {
            fingerprint_of_a_at_b: Some(wrong),
        },
    );
    let mut relay = Relay::default();
    // b, the DTLS client, checks a's certificate and fails; a's handshake then times out.
    run_until(&mut net, &mut relay, a, b, Duration::from_secs(60), |n| {
        stack(n, b).connection_state() == RtcPeerConnectionState::Failed
            && stack(n, a).connection_state() == RtcPeerConnectionState::Failed
    });
    let eb = errors(&net, b);
    assert_eq!(eb.len(), 1, "{eb:?}");
    assert!(matches!(
        &eb[0],
        TransportFailure::Dtls(DtlsFailure::FingerprintMismatch { .. })
    ));
    assert_eq!(eb[0].error_detail(), RtcErrorDetailType::FingerprintFailure);
    assert_eq!(
        eb[0].to_rtc_error().error_detail(),
        Some(RtcErrorDetail::Pc(RtcErrorDetailType::FingerprintFailure))
    );
    // `error` first, then the DTLS transport's `statechange`, then `connectionstatechange`.
    let error_at = position(&net, b, |e| matches!(e, TransportEvent::Error(_))).unwrap();
    let state_at = position(&net, b, |e| {
        *e == TransportEvent::DtlsStateChange(RtcDtlsTransportState::Failed)
    })
    .unwrap();
    let pc_at = position(&net, b, |e| {
        *e == TransportEvent::PeerConnectionStateChange(RtcPeerConnectionState::Failed)
    })
    .unwrap();
    assert!(
        error_at < state_at && state_at < pc_at,
        "{:?}",
        peer(&net, b).log
    );
    assert_eq!(stack(&net, b).dtls_state(), RtcDtlsTransportState::Failed);
    // ICE itself is fine: only DTLS failed.
    assert!(stack(&net, b).ice_transport_state() != RtcIceTransportState::Failed);
    // The SCTP transport never came up and is closed.
    assert_eq!(
        stack(&net, b).sctp_state(),
        Some(RtcSctpTransportState::Closed)
    );
    let ea = errors(&net, a);
    assert_eq!(ea.len(), 1, "{ea:?}");
    assert_eq!(ea[0].error_detail(), RtcErrorDetailType::DtlsFailure);
    for h in [a, b] {
        assert!(
            !peer(&net, h)
                .log
                .iter()
                .any(|e| matches!(e, TransportEvent::DtlsConnected { .. }))
        );
    }
}

#[test]
fn consent_loss_goes_disconnected_then_failed() {
    let (mut net, _g, a, b) = public_pair();
    negotiate(&mut net, a, b, &Exchange::default());
    let mut relay = Relay::default();
    run_until(&mut net, &mut relay, a, b, Duration::from_secs(20), |n| {
        connected(n, a) && connected(n, b) && relay_done(n, a, b)
    });
    // Let the handshake's last flight be acknowledged (a DTLS 1.3 client retransmits its
    // Finished until the server's ACK arrives, and gives up on the handshake if it never does).
    net.run_for(Duration::from_secs(1)).unwrap();
    let cut = net.now();
    let dead = LinkConditions::with_delay(ms(25)).loss(Loss::Random(1.0));
    net.set_link(b, dead).unwrap();
    let mut disconnected_at = None;
    run_until(&mut net, &mut relay, a, b, Duration::from_secs(60), |n| {
        if disconnected_at.is_none()
            && stack(n, a).connection_state() == RtcPeerConnectionState::Disconnected
        {
            disconnected_at = Some(n.now());
        }
        stack(n, a).connection_state() == RtcPeerConnectionState::Failed
            && stack(n, b).connection_state() == RtcPeerConnectionState::Failed
    });
    for h in [a, b] {
        assert_eq!(
            peer(&net, h).connection_states(),
            vec![
                RtcPeerConnectionState::Connecting,
                RtcPeerConnectionState::Connected,
                RtcPeerConnectionState::Disconnected,
                RtcPeerConnectionState::Failed,
            ],
            "{:?}",
            peer(&net, h).log
        );
        assert_eq!(
            stack(&net, h).ice_connection_state(),
            RtcIceConnectionState::Failed
        );
        // DTLS itself never failed: the aggregate fails because ICE did.
        assert_eq!(
            stack(&net, h).dtls_state(),
            RtcDtlsTransportState::Connected,
            "{:?}",
            errors(&net, h)
        );
    }
    let disconnected = disconnected_at.unwrap() - cut;
    let failed = net.now() - cut;
    eprintln!("link cut: disconnected after {disconnected:?}, failed after {failed:?}");
    // RFC 7675: consent expires 30 s after the last response.
    assert!(disconnected < failed);
    assert!(failed >= Duration::from_secs(25) && failed <= Duration::from_secs(40));
}

/// Both sides' end-of-candidates were relayed (ICE can only fail for good after them).
fn relay_done(net: &Network, a: HostId, b: HostId) -> bool {
    peer(net, a).end_of_candidates && peer(net, b).end_of_candidates
}

#[test]
fn close_closes_everything_without_further_events() {
    let (mut net, _g, a, b) = public_pair();
    negotiate(&mut net, a, b, &Exchange::default());
    let id = stack_mut(&mut net, a)
        .create_data_channel(DataChannelInit {
            label: "x".into(),
            ..DataChannelInit::default()
        })
        .unwrap();
    let mut relay = Relay::default();
    run_until(&mut net, &mut relay, a, b, Duration::from_secs(20), |n| {
        open_on_both(n, a, b, id) && connected(n, a) && connected(n, b)
    });
    stack_mut(&mut net, a).send_text(id, "last words").unwrap();
    let logged = peer(&net, a).log.len();
    peer_mut(&mut net, a).close();
    {
        let s = stack(&net, a);
        assert!(s.is_closed());
        assert_eq!(s.connection_state(), RtcPeerConnectionState::Closed);
        assert_eq!(s.ice_connection_state(), RtcIceConnectionState::Closed);
        assert_eq!(s.ice_transport_state(), RtcIceTransportState::Closed);
        assert_eq!(s.dtls_state(), RtcDtlsTransportState::Closed);
        assert_eq!(s.sctp_state(), Some(RtcSctpTransportState::Closed));
        assert_eq!(s.poll_timeout(), None);
    }
    let now = net.now();
    let s = stack_mut(&mut net, a);
    assert_eq!(s.send_text(id, "more"), Err(TransportError::Closed));
    assert_eq!(
        s.create_data_channel(DataChannelInit::default()),
        Err(TransportError::Closed)
    );
    s.handle_timeout(now + ms(1));
    assert_eq!(s.poll_event(), None);
    net.run_for(Duration::from_secs(10)).unwrap();
    let pa = peer(&net, a);
    assert_eq!(
        pa.log.len(),
        logged,
        "events after close: {:?}",
        &pa.log[logged..]
    );
    assert!(pa.after_close.is_empty(), "{:?}", pa.after_close);
    assert_eq!(pa.sent_after_close, 0);
    // The peer got the SCTP ABORT and the DTLS close_notify a sent on its way out.
    let pb = peer(&net, b);
    assert!(pb.log.contains(&TransportEvent::DataChannelClosed { id }));
    assert!(pb.log.contains(&TransportEvent::SctpStateChange(
        RtcSctpTransportState::Closed
    )));
    assert!(pb.log.contains(&TransportEvent::DtlsStateChange(
        RtcDtlsTransportState::Closed
    )));
    // A user-initiated abort is no failure.
    assert!(errors(&net, b).is_empty(), "{:?}", errors(&net, b));
    assert_eq!(stack(&net, b).data_channel_state(id), None);
}

#[test]
fn dtls_records_before_the_role_is_known_are_replayed() {
    let (mut net, _g, a, b) = public_pair();
    let now = net.now();
    // b learns everything at once; a has b's ICE parameters but not yet its DTLS role (as if
    // candidates and credentials had trickled ahead of the answer).
    let pa = parameters_of(
        &net,
        a,
        rtcpeer_core::RtcIceRole::Controlled,
        rtcpeer_dtls::DtlsRole::Client,
        None,
    );
    let mut pb = parameters_of(
        &net,
        b,
        rtcpeer_core::RtcIceRole::Controlling,
        rtcpeer_dtls::DtlsRole::Server,
        None,
    );
    let answer = pb.clone();
    pb.dtls_role = None;
    pb.sctp = None;
    stack_mut(&mut net, b).set_parameters(now, pa).unwrap();
    stack_mut(&mut net, a).set_parameters(now, pb).unwrap();
    for h in [a, b] {
        stack_mut(&mut net, h).gather(now);
    }
    let mut relay = Relay::default();
    run_until(&mut net, &mut relay, a, b, Duration::from_secs(20), |n| {
        stack(n, a).counters().dtls_early_buffered > 0
    });
    assert!(stack(&net, a).dtls().is_none());
    assert_eq!(stack(&net, a).dtls_state(), RtcDtlsTransportState::New);
    // The answer arrives: a becomes the server and answers the ClientHello it kept.
    let now = net.now();
    stack_mut(&mut net, a).set_parameters(now, answer).unwrap();
    let id = stack_mut(&mut net, a)
        .create_data_channel(DataChannelInit::default())
        .unwrap();
    run_until(&mut net, &mut relay, a, b, Duration::from_secs(20), |n| {
        open_on_both(n, a, b, id)
    });
    assert_eq!(stack(&net, a).counters().dtls_early_dropped, 0);
}

#[test]
fn non_dtls_datagrams_are_counted_and_dropped() {
    let (mut net, _g, a, b) = public_pair();
    negotiate(&mut net, a, b, &Exchange::default());
    let mut relay = Relay::default();
    run_until(&mut net, &mut relay, a, b, Duration::from_secs(20), |n| {
        connected(n, a) && connected(n, b)
    });
    let (local, remote) = stack(&net, a).ice().selected_path(1).unwrap();
    let now = net.now();
    let rx = |contents: &'static [u8]| Receive {
        protocol: Protocol::Udp,
        source: remote,
        destination: local,
        contents: Bytes::from_static(contents),
    };
    let logged = peer(&net, a).log.len();
    let before = *stack(&net, a).counters();
    let s = stack_mut(&mut net, a);
    s.handle_receive(now, rx(&[0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])); // RTP, Opus
    s.handle_receive(now, rx(&[0x80, 200, 0, 6])); // RTCP SR
    s.handle_receive(now, rx(&[0x81, 201, 0, 1])); // RTCP RR
    s.handle_receive(now, rx(&[0xff, 0, 0])); // nothing WebRTC multiplexes
    s.handle_receive(now, rx(&[17, 1, 2])); // ZRTP
    s.handle_receive(now, rx(&[23, 0xfe, 0xfd, 0, 1])); // a truncated DTLS record
    s.handle_receive(now, rx(&[])); // empty
    peer_mut(&mut net, a).drain(now);
    let after = *stack(&net, a).counters();
    assert_eq!(after.rtp_dropped - before.rtp_dropped, 1);
    assert_eq!(after.rtcp_dropped - before.rtcp_dropped, 2);
    assert_eq!(after.dtls_received - before.dtls_received, 1);
    // The empty datagram is STUN to nobody: ICE drops it; the rest reach the demultiplexer.
    assert!(after.unknown_dropped - before.unknown_dropped >= 2);
    // Nothing changed state; the bad DTLS record was dropped by DTLS, not fatal.
    assert_eq!(
        peer(&net, a).log.len(),
        logged,
        "{:?}",
        &peer(&net, a).log[logged..]
    );
    assert_eq!(
        stack(&net, a).dtls().unwrap().stats().malformed_datagrams,
        1
    );
    assert!(connected(&net, a));
    assert_eq!(
        stack(&net, a).data_channel_state(0),
        None::<RtcDataChannelState>
    );
}
