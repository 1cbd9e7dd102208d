//! IPv6 relayed candidates under netsim: two IPv6-only agents with the relay policy allocate
//! IPv6 relays (REQUESTED-ADDRESS-FAMILY, RFC 8656 §7.1) on a dual-stack simulated TURN server
//! reached over UDP and over TCP, and exchange data through them.

mod support;

use std::time::Duration;

use rtcpeer_ice::{CandidateType, IceConfig, IceTransportPolicy, TurnServer, TurnTransport};
use rtcpeer_netsim::{
    LinkConditions, Network, TurnServer as SimTurnServer, TurnServerConfig, Zone,
};
use support::*;

const TURN6: &str = "[2001:db8:ffff::2]:3478";

fn turn_host(net: &mut Network) -> rtcpeer_netsim::HostId {
    let config = TurnServerConfig::new(sa(TURN6), ip("198.51.100.2"), "rtcpeer.test")
        .with_relay_ip(sa(TURN6).ip())
        .with_user(TURN_USER, TURN_PASS);
    let rng = net.fork_rng();
    net.add_host(
        "turn",
        Zone::Internet,
        &[ip("198.51.100.2"), sa(TURN6).ip()],
        SimTurnServer::new(config, rng),
    )
    .unwrap()
}

fn scenario(transport: TurnTransport) {
    let (mut net, _guard) = network();
    let turn = turn_host(&mut net);
    let config = IceConfig {
        turn_servers: vec![
            TurnServer::udp(sa(TURN6), TURN_USER, TURN_PASS).with_transport(transport),
        ],
        transport_policy: IceTransportPolicy::Relay,
        ..IceConfig::default()
    };
    let a = add_peer(
        &mut net,
        "a",
        Zone::Internet,
        "[2001:db8:a::1]:5000",
        config.clone(),
    );
    let b = add_peer(
        &mut net,
        "b",
        Zone::Internet,
        "[2001:db8:b::1]:6000",
        config,
    );
    for h in [a, b, turn] {
        net.set_link(h, LinkConditions::with_delay(ms(15))).unwrap();
    }
    connect(&mut net, a, b, Duration::from_secs(10));
    for h in [a, b] {
        let (local, remote) = agent(&net, h).selected_pair(1).unwrap();
        for c in [local, remote] {
            assert_eq!(c.candidate_type, CandidateType::Relayed);
            assert_eq!(
                c.address.ip(),
                sa(TURN6).ip(),
                "an IPv6 relayed address: {c}"
            );
        }
    }
    assert_eq!(turn_server(&net, turn).allocations().len(), 2);
    let now = net.now();
    for h in [a, b] {
        peer_mut(&mut net, h).start_sending(now, ms(20));
    }
    net.run_for(Duration::from_secs(2)).unwrap();
    for h in [a, b] {
        peer_mut(&mut net, h).stop_sending();
    }
    net.run_for(ms(500)).unwrap();
    for (from, to) in [(a, b), (b, a)] {
        let sent = peer(&net, from).sent;
        let mut got = peer(&net, to).received_numbers();
        got.sort_unstable();
        assert_eq!(got, (0..sent).collect::<Vec<_>>());
    }
}

#[test]
fn ipv6_relays_over_udp() {
    scenario(TurnTransport::Udp);
}

#[test]
fn ipv6_relays_over_tcp() {
    scenario(TurnTransport::Tcp);
}
