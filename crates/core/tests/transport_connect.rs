//! Two transport stacks (ICE + DTLS + SCTP data channels) connect through the simulated network
//! and exchange data channel messages both ways: on public addresses, and behind
//! port-restricted NATs with a STUN server under 10 % loss and a 100 ms round trip. Every
//! reliable message must arrive once, intact and in order, on negotiated and DCEP-opened
//! channels alike. Also measures the setup time in round trips.

mod transport_support;

use std::time::Duration;

use rtcpeer_core::transport::TransportEvent;
use rtcpeer_core::{
    RtcDataChannelState, RtcDtlsTransportState, RtcIceConnectionState, RtcPeerConnectionState,
    RtcSctpTransportState,
};
use rtcpeer_netsim::{HostId, LinkConditions, Loss, NatConfig, Network, Zone};
use rtcpeer_sctp::datachannel::{ChannelMessage, DataChannelInit};
use transport_support::*;

/// The id both sides agree on for the negotiated channel.
const NEGOTIATED: u16 = 100;

/// The channels of a scenario: the negotiated one, and one DCEP channel opened by each side.
struct Channels {
    negotiated: u16,
    from_a: u16,
    from_b: u16,
}

fn create_channels(net: &mut Network, a: HostId, b: HostId) -> Channels {
    for h in [a, b] {
        let id = stack_mut(net, h)
            .create_data_channel(DataChannelInit {
                label: "negotiated".into(),
                negotiated_id: Some(NEGOTIATED),
                ..DataChannelInit::default()
            })
            .unwrap();
        assert_eq!(id, NEGOTIATED);
    }
    let from_a = stack_mut(net, a)
        .create_data_channel(DataChannelInit {
            label: "from-a".into(),
            protocol: "chat".into(),
            ..DataChannelInit::default()
        })
        .unwrap();
    let from_b = stack_mut(net, b)
        .create_data_channel(DataChannelInit {
            label: "from-b".into(),
            ..DataChannelInit::default()
        })
        .unwrap();
    // RFC 8832 §6: the DTLS server (a) picks odd ids, the client (b) even ones.
    assert_eq!(from_a % 2, 1);
    assert_eq!(from_b % 2, 0);
    assert_eq!(
        stack(net, a).data_channel_state(from_a),
        Some(RtcDataChannelState::Connecting)
    );
    Channels {
        negotiated: NEGOTIATED,
        from_a,
        from_b,
    }
}

/// What one side sends on one channel: text, binary, empty text, empty binary, a 256 KiB
/// message, and numbered messages that show the order.
fn script(side: u8, id: u16) -> Vec<ChannelMessage> {
    let tag = side.wrapping_mul(17).wrapping_add(id as u8);
    let mut m = vec![
        ChannelMessage::Text(format!("hello from {side} on {id}")),
        ChannelMessage::Binary(pattern(1000, tag)),
        ChannelMessage::Text(String::new()),
        ChannelMessage::Binary(bytes::Bytes::new()),
        ChannelMessage::Binary(pattern(256 * 1024, tag.wrapping_add(1))),
        ChannelMessage::Text("ünïcødé ✓".into()),
    ];
    for i in 0..20 {
        m.push(ChannelMessage::Text(format!("{side}:{id}:#{i}")));
    }
    m.push(ChannelMessage::Binary(pattern(5000, tag.wrapping_add(2))));
    m
}

fn send_script(net: &mut Network, h: HostId, side: u8, id: u16) {
    for msg in script(side, id) {
        let s = stack_mut(net, h);
        match msg {
            ChannelMessage::Text(t) => s.send_text(id, &t).unwrap(),
            ChannelMessage::Binary(b) => s.send_binary(id, b).unwrap(),
        }
    }
}

/// Opens the channels, sends every script both ways, and checks what arrived.
fn exchange(net: &mut Network, relay: &mut Relay, a: HostId, b: HostId, within: Duration) {
    let ch = create_channels(net, a, b);
    run_until(net, relay, a, b, within, |n| {
        [ch.negotiated, ch.from_a, ch.from_b]
            .iter()
            .all(|&id| open_on_both(n, a, b, id))
            // Data may flow on a valid pair before ICE settles its nomination (a lost
            // USE-CANDIDATE response): `connected` can come after the channels open.
            && [a, b]
                .iter()
                .all(|&h| stack(n, h).connection_state() == RtcPeerConnectionState::Connected)
    });
    for (h, side) in [(a, 0u8), (b, 1u8)] {
        let s = stack(net, h);
        assert_eq!(s.connection_state(), RtcPeerConnectionState::Connected);
        assert!(matches!(
            s.ice_connection_state(),
            RtcIceConnectionState::Connected | RtcIceConnectionState::Completed
        ));
        assert_eq!(s.dtls_state(), RtcDtlsTransportState::Connected);
        assert_eq!(s.sctp_state(), Some(RtcSctpTransportState::Connected));
        assert_eq!(s.max_message_size(), Some(256 * 1024));
        for id in [ch.negotiated, ch.from_a, ch.from_b] {
            assert_eq!(s.data_channel_state(id), Some(RtcDataChannelState::Open));
        }
        for id in [ch.negotiated, ch.from_a, ch.from_b] {
            send_script(net, h, side, id);
        }
    }
    let want = script(0, 0).len();
    let all_in = |n: &Network| {
        [ch.negotiated, ch.from_a, ch.from_b].iter().all(|&id| {
            peer(n, b).received(id).len() >= want && peer(n, a).received(id).len() >= want
        })
    };
    run_until(net, relay, a, b, within, all_in);
    // A little longer: nothing more may arrive (no duplicates).
    net.run_for(Duration::from_secs(2)).unwrap();
    for id in [ch.negotiated, ch.from_a, ch.from_b] {
        assert_eq!(
            peer(net, b).received(id),
            &script(0, id)[..],
            "a -> b on {id}"
        );
        assert_eq!(
            peer(net, a).received(id),
            &script(1, id)[..],
            "b -> a on {id}"
        );
    }
    // The DCEP channels were announced to the other side with their label.
    let incoming = |h: HostId| -> Vec<(u16, String, String)> {
        peer(net, h)
            .log
            .iter()
            .filter_map(|e| match e {
                TransportEvent::DataChannelIncoming { id, info } => {
                    Some((*id, info.label.clone(), info.protocol.clone()))
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        incoming(b),
        vec![(ch.from_a, "from-a".to_owned(), "chat".to_owned())]
    );
    assert_eq!(
        incoming(a),
        vec![(ch.from_b, "from-b".to_owned(), String::new())]
    );
    for h in [a, b] {
        // Under loss every pair may fail while candidates are still arriving: the W3C state is
        // then `disconnected` for a while (RFC 8863 PAC timer), never `failed`, and it ends
        // `connected`.
        let states = peer(net, h).connection_states();
        assert_eq!(
            states.first(),
            Some(&RtcPeerConnectionState::Connecting),
            "{states:?}"
        );
        assert_eq!(
            states.last(),
            Some(&RtcPeerConnectionState::Connected),
            "{states:?}"
        );
        assert!(
            !states.contains(&RtcPeerConnectionState::Failed),
            "{states:?}"
        );
        assert!(
            !peer(net, h)
                .log
                .iter()
                .any(|e| matches!(e, TransportEvent::Error(_)))
        );
    }
}

#[test]
fn public_peers_exchange_messages_both_ways() {
    let (mut net, _g) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000");
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000");
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(25))).unwrap();
    }
    negotiate(&mut net, a, b, &Exchange::default());
    let mut relay = Relay::default();
    exchange(&mut net, &mut relay, a, b, Duration::from_secs(30));
    // The offerer served DTLS, the answerer was its client.
    let dtls_a = stack(&net, a).dtls().unwrap();
    assert_eq!(dtls_a.role(), rtcpeer_dtls::DtlsRole::Server);
    assert_eq!(
        stack(&net, b).dtls().unwrap().role(),
        rtcpeer_dtls::DtlsRole::Client
    );
}

#[test]
fn natted_peers_under_loss_exchange_messages_both_ways() {
    let (mut net, _g) = network();
    let a = add_natted_peer(
        &mut net,
        "a",
        NatConfig::port_restricted_cone(ip("203.0.113.1")),
        "10.0.0.2:5000",
    );
    let b = add_natted_peer(
        &mut net,
        "b",
        NatConfig::port_restricted_cone(ip("203.0.113.2")),
        "10.1.0.2:6000",
    );
    // 100 ms round trip; 10 % of the datagrams lost each way (all on a's link).
    net.set_link(
        a,
        LinkConditions::with_delay(ms(25))
            .jitter(ms(2))
            .loss(Loss::Random(0.10)),
    )
    .unwrap();
    net.set_link(b, LinkConditions::with_delay(ms(25)).jitter(ms(2)))
        .unwrap();
    negotiate(&mut net, a, b, &Exchange::default());
    let mut relay = Relay::default();
    exchange(&mut net, &mut relay, a, b, Duration::from_secs(120));
    // They met through the NATs: the selected pair is server-reflexive (or peer-reflexive).
    let (local, _) = stack(&net, a).ice().selected_pair(1).unwrap();
    assert_ne!(local.candidate_type, rtcpeer_ice::CandidateType::Host);
    let lost = net.stats();

    assert!(lost.lost > 0, "{lost:?}");
}

#[test]
fn setup_time_in_round_trips() {
    let (mut net, _g) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000");
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000");
    // 50 ms one way, 100 ms round trip.
    net.set_link(a, LinkConditions::with_delay(ms(50))).unwrap();
    let rtt = ms(100);
    let start = net.now();
    negotiate(&mut net, a, b, &Exchange::default());
    let ch = create_channels(&mut net, a, b);
    let mut relay = Relay::default();
    run_until(&mut net, &mut relay, a, b, Duration::from_secs(30), |n| {
        open_on_both(n, a, b, ch.from_a) && open_on_both(n, a, b, ch.from_b)
    });
    let opened = [ch.from_a, ch.from_b]
        .iter()
        .flat_map(|id| [peer(&net, a).opened[id], peer(&net, b).opened[id]])
        .max()
        .unwrap();
    let elapsed = opened - start;
    let rtts = elapsed.as_secs_f64() / rtt.as_secs_f64();
    eprintln!(
        "setup: data channels open on both sides after {elapsed:?} = {rtts:.2} RTTs \
         (50 ms one-way delay, DTLS {:?})",
        stack(&net, a).dtls().unwrap().protocol_version()
    );
    for (name, h) in [
        ("a (controlling, DTLS server)", a),
        ("b (controlled, DTLS client)", b),
    ] {
        eprintln!("  {name}: {}", milestones(&net, h, start));
    }
    // ICE (1 RTT + nomination), DTLS (2 RTTs), SCTP (2 RTTs), DCEP (0.5 RTT).
    assert!(rtts <= 8.0, "{rtts} RTTs");
}

/// When `h`'s transports reached their milestones, from `start`.
fn milestones(net: &Network, h: HostId, start: std::time::Instant) -> String {
    use rtcpeer_core::RtcIceTransportState as I;
    let p = peer(net, h);
    let first = |f: &dyn Fn(&TransportEvent) -> bool| {
        p.log
            .iter()
            .zip(&p.log_times)
            .find(|(e, _)| f(e))
            .map(|(_, t)| format!("{:?}", *t - start))
            .unwrap_or_else(|| "-".into())
    };
    format!(
        "ICE connected {}, DTLS connected {}, SCTP connected {}, first channel open {}",
        first(&|e| matches!(
            e,
            TransportEvent::IceTransportStateChange(I::Connected | I::Completed)
        )),
        first(&|e| matches!(e, TransportEvent::DtlsConnected { .. })),
        first(&|e| { *e == TransportEvent::SctpStateChange(RtcSctpTransportState::Connected) }),
        first(&|e| matches!(e, TransportEvent::DataChannelOpen { .. })),
    )
}
