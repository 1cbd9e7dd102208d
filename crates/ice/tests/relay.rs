//! Relayed candidates through the agent's own TURN clients, under netsim with the simulated
//! TURN server: symmetric NATs on both sides connect only through TURN (without it they fail,
//! see `connectivity.rs`), the `relay` transport policy uses nothing but relays even between
//! public hosts, TURN over TCP, numbered datagrams both ways through the relay, a wrong TURN
//! password reported as an `icecandidateerror` (401) while host candidates still connect,
//! 10% loss toward the TURN server, and refreshes over 20 minutes.

mod support;

use std::time::Duration;

use rtcpeer_ice::{
    CandidateType, IceConnectionState, IceEvent, IceGatheringState, IceTransportPolicy,
    TurnTransport,
};
use rtcpeer_netsim::{HostId, LinkConditions, Loss, NatConfig, Network, Zone};
use rtcpeer_types::Protocol;
use support::*;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Two peers behind symmetric NATs, both with the TURN server over `transport`.
fn symmetric_pair(net: &mut Network, transport: TurnTransport) -> (HostId, HostId) {
    let a = add_natted_peer(
        net,
        "a",
        NatConfig::symmetric(ip("203.0.113.1")),
        "10.0.0.2:5000",
        turn_config(transport.clone(), TURN_PASS),
    );
    let b = add_natted_peer(
        net,
        "b",
        NatConfig::symmetric(ip("203.0.113.2")),
        "10.1.0.2:6000",
        turn_config(transport, TURN_PASS),
    );
    (a, b)
}

/// The types of the selected pair's (local, remote) candidates.
fn selected_types(net: &Network, h: HostId) -> (CandidateType, CandidateType) {
    let (l, r) = agent(net, h).selected_pair(1).expect("a selected pair");
    (l.candidate_type, r.candidate_type)
}

/// Whether the selected pair's local candidate sends through a relay: a relayed candidate, or
/// a peer-reflexive one whose base is a relayed address.
fn sends_through_relay(net: &Network, h: HostId) -> bool {
    let (base, _) = agent(net, h).selected_path(1).unwrap();
    agent(net, h).relayed_addresses().contains(&base)
}

/// Sends numbered datagrams both ways for `for_` and checks that every one arrived.
fn numbered_both_ways(net: &mut Network, a: HostId, b: HostId, for_: Duration) {
    let now = net.now();
    peer_mut(net, a).start_sending(now, ms(20));
    peer_mut(net, b).start_sending(now, ms(20));
    net.run_for(for_).unwrap();
    peer_mut(net, a).stop_sending();
    peer_mut(net, b).stop_sending();
    net.run_for(secs(1)).unwrap();
    for (from, to) in [(a, b), (b, a)] {
        let sent = peer(net, from).sent;
        assert!(sent >= 40, "only {sent} sent");
        assert_eq!(peer(net, from).send_failures, 0);
        let mut got = peer(net, to).received_numbers();
        got.sort_unstable();
        assert_eq!(
            got,
            (0..sent).collect::<Vec<_>>(),
            "every datagram arrives once"
        );
    }
}

#[test]
fn symmetric_to_symmetric_connects_through_turn() {
    let (mut net, _g) = network();
    let turn = add_turn_server(&mut net);
    let (a, b) = symmetric_pair(&mut net, TurnTransport::Udp);
    connect(&mut net, a, b, secs(30));
    // At least one side sends through its relay; the other reaches that relay from its own
    // relay or through its NAT (a peer-reflexive candidate).
    assert!(
        sends_through_relay(&net, a) || sends_through_relay(&net, b),
        "{:?} {:?}",
        selected_types(&net, a),
        selected_types(&net, b)
    );
    for h in [a, b] {
        let relays: Vec<_> = peer(&net, h)
            .candidates
            .iter()
            .filter(|c| c.candidate_type == CandidateType::Relayed)
            .collect();
        assert_eq!(relays.len(), 1);
        assert_eq!(relays[0].address.ip(), sa(TURN).ip());
        // raddr is the mapped address the TURN server saw: the NAT's.
        let raddr = relays[0].related_address.unwrap();
        assert!(raddr.ip() == ip("203.0.113.1") || raddr.ip() == ip("203.0.113.2"));
        assert_eq!(relays[0].priority >> 24, 0, "relay type preference 0");
    }
    numbered_both_ways(&mut net, a, b, secs(2));
    let s = turn_server(&net, turn).stats();
    assert!(
        s.relayed_to_peers > 80 && s.relayed_to_clients > 80,
        "{s:?}"
    );
    assert!(s.permissions >= 1, "{s:?}");
    assert_eq!(
        s.dropped, 0,
        "no Send indication before its permission: {s:?}"
    );
    // The selected relayed pair got a channel: data went as ChannelData.
    assert!(s.channel_binds >= 1, "{s:?}");
    let channel_data: u64 = [a, b]
        .iter()
        .flat_map(|&h| agent(&net, h).relay_stats())
        .map(|(_, _, st)| st.channel_data_sent)
        .sum();
    assert!(channel_data > 40, "{channel_data}");
}

#[test]
fn relay_policy_uses_only_relays_between_public_hosts() {
    let (mut net, _g) = network();
    let turn = add_turn_server(&mut net);
    let mut config = turn_config(TurnTransport::Udp, TURN_PASS);
    config.transport_policy = IceTransportPolicy::Relay;
    let a = add_peer(
        &mut net,
        "a",
        Zone::Internet,
        "192.0.2.10:5000",
        config.clone(),
    );
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config);
    connect(&mut net, a, b, secs(30));
    for h in [a, b] {
        assert!(sends_through_relay(&net, h));
        assert_eq!(selected_types(&net, h).0, CandidateType::Relayed);
        assert!(
            peer(&net, h)
                .candidates
                .iter()
                .all(|c| c.candidate_type == CandidateType::Relayed),
            "{:?}",
            peer(&net, h).candidates
        );
        assert!(
            agent(&net, h)
                .local_candidates()
                .all(|c| c.candidate_type == CandidateType::Relayed)
        );
    }
    numbered_both_ways(&mut net, a, b, secs(1));
    // No host or server-reflexive path was ever used: everything either host received came
    // from the TURN server, and nothing went to the STUN server.
    for h in [a, b] {
        assert!(
            peer(&net, h).sources.iter().all(|&s| s == sa(TURN)),
            "{:?}",
            peer(&net, h).sources
        );
        assert_eq!(agent(&net, h).counters().unknown_source_data, 0);
    }
    let s = turn_server(&net, turn).stats();
    assert!(s.relayed_to_clients > 80, "{s:?}");
    // No check left a relayed candidate before its permission was installed: the server
    // dropped no Send indication.
    assert_eq!(s.dropped, 0, "{s:?}");
}

#[test]
fn turn_over_tcp_connects_symmetric_nats() {
    let (mut net, _g) = network();
    let turn = add_turn_server(&mut net);
    let (a, b) = symmetric_pair(&mut net, TurnTransport::Tcp);
    connect(&mut net, a, b, secs(30));
    assert!(sends_through_relay(&net, a) || sends_through_relay(&net, b));
    for h in [a, b] {
        let stats = agent(&net, h).relay_stats();
        assert_eq!(stats.len(), 1);
        assert_eq!(stats[0].1, Protocol::Tcp);
        assert!(stats[0].0.is_some(), "allocated");
    }
    numbered_both_ways(&mut net, a, b, secs(1));
    assert!(turn_server(&net, turn).stats().relayed_to_clients > 40);
}

#[test]
fn wrong_turn_password_reports_401_and_host_still_connects() {
    let (mut net, _g) = network();
    let turn = add_turn_server(&mut net);
    let a = add_peer(
        &mut net,
        "a",
        Zone::Internet,
        "192.0.2.10:5000",
        turn_config(TurnTransport::Udp, "not-the-password"),
    );
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config());
    connect(&mut net, a, b, secs(30));
    assert_eq!(selected_types(&net, a).0, CandidateType::Host);
    net.run_until(
        |n| agent(n, a).gathering_state() == IceGatheringState::Complete,
        secs(10),
    )
    .expect("gathering completes after the failed allocation");
    let errors: Vec<_> = peer(&net, a)
        .log
        .iter()
        .filter(|e| matches!(e, IceEvent::CandidateError { .. }))
        .cloned()
        .collect();
    assert_eq!(
        errors,
        [IceEvent::CandidateError {
            address: Some(ip("192.0.2.10")),
            port: Some(5000),
            url: format!("turn:{TURN}?transport=udp"),
            error_code: 401,
            error_text: "Unauthorized".to_owned(),
        }]
    );
    assert!(
        !peer(&net, a)
            .candidates
            .iter()
            .any(|c| c.candidate_type == CandidateType::Relayed)
    );
    assert!(turn_server(&net, turn).stats().unauthenticated >= 2);
    assert!(peer(&net, a).end_of_candidates);
}

#[test]
fn unreachable_turn_server_reports_701() {
    let (mut net, _g) = network();
    // No TURN host: the allocation times out after the RFC 8489 schedule (39.5 s).
    let mut config = turn_config(TurnTransport::Udp, TURN_PASS);
    config.transport_policy = IceTransportPolicy::Relay;
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000", config);
    let now = net.now();
    agent_mut(&mut net, a).gather(now);
    net.run_until(
        |n| agent(n, a).gathering_state() == IceGatheringState::Complete,
        secs(60),
    )
    .unwrap();
    let error = peer(&net, a)
        .log
        .iter()
        .find_map(|e| match e {
            IceEvent::CandidateError {
                address,
                error_code,
                url,
                ..
            } => Some((*address, *error_code, url.clone())),
            _ => None,
        })
        .expect("a candidate error");
    // The relay policy exposes no host address, so none is reported.
    assert_eq!(error, (None, 701, format!("turn:{TURN}?transport=udp")));
    assert!(peer(&net, a).candidates.is_empty());
}

#[test]
fn ten_percent_loss_toward_turn_still_connects() {
    let (mut net, _g) = network();
    let turn = add_turn_server(&mut net);
    net.set_link(
        turn,
        LinkConditions::with_delay(ms(20)).loss(Loss::Random(0.10)),
    )
    .unwrap();
    let (a, b) = symmetric_pair(&mut net, TurnTransport::Udp);
    connect(&mut net, a, b, secs(60));
    assert!(sends_through_relay(&net, a) || sends_through_relay(&net, b));
    let now = net.now();
    peer_mut(&mut net, a).start_sending(now, ms(20));
    net.run_for(secs(2)).unwrap();
    // Each datagram crosses the lossy link twice (in and out of the server): ~81% arrive.
    let got = peer(&net, b).received.len() as f64;
    let sent = f64::from(peer(&net, a).sent);
    assert!(got > sent * 0.6, "{got} of {sent}");
    // A lost CreatePermission held the checks back instead of letting the server drop them.
    let s = turn_server(&net, turn).stats();
    assert_eq!(s.dropped, 0, "{s:?}");
}

#[test]
fn relayed_connection_survives_refreshes_for_20_minutes() {
    let (mut net, _g) = network();
    let turn = add_turn_server(&mut net);
    let (a, b) = symmetric_pair(&mut net, TurnTransport::Udp);
    connect(&mut net, a, b, secs(30));
    // Allocations (600 s), permissions (300 s) and channels (600 s) all need refreshing.
    net.run_for(secs(20 * 60)).unwrap();
    for h in [a, b] {
        assert!(
            agent(&net, h).connection_state().is_connected(),
            "{:?}",
            peer(&net, h).states()
        );
        assert!(
            !peer(&net, h)
                .states()
                .contains(&IceConnectionState::Disconnected)
        );
    }
    assert!(turn_server(&net, turn).stats().refreshes >= 4);
    numbered_both_ways(&mut net, a, b, secs(1));
}

#[test]
fn ice_restart_reuses_the_allocation_and_loses_no_data() {
    let (mut net, _g) = network();
    let turn = add_turn_server(&mut net);
    let mut config = turn_config(TurnTransport::Udp, TURN_PASS);
    config.transport_policy = IceTransportPolicy::Relay;
    let a = add_peer(
        &mut net,
        "a",
        Zone::Internet,
        "192.0.2.10:5000",
        config.clone(),
    );
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config);
    let mut relay = connect(&mut net, a, b, secs(30));
    let relayed_before = agent(&net, a).relayed_addresses();
    let now = net.now();
    peer_mut(&mut net, a).start_sending(now, ms(20));
    peer_mut(&mut net, b).start_sending(now, ms(20));
    net.run_for(secs(1)).unwrap();

    // A restarts, B follows; both keep sending on the old relayed pair meanwhile.
    let now = net.now();
    agent_mut(&mut net, a).restart(now);
    peer_mut(&mut net, a).end_of_candidates = false;
    relay.a_eoc = false;
    let ca = agent(&net, a).local_credentials().clone();
    net.run_for(ms(30)).unwrap();
    agent_mut(&mut net, b)
        .set_remote_credentials(&ca.ufrag, &ca.pwd)
        .unwrap();
    let now = net.now();
    agent_mut(&mut net, b).restart(now);
    peer_mut(&mut net, b).end_of_candidates = false;
    relay.b_eoc = false;
    let cb = agent(&net, b).local_credentials().clone();
    net.run_for(ms(30)).unwrap();
    agent_mut(&mut net, a)
        .set_remote_credentials(&cb.ufrag, &cb.pwd)
        .unwrap();
    net.run_until(
        |n| {
            relay.pump(n, a, b);
            [a, b].iter().all(|&h| {
                agent(n, h)
                    .selected_pair(1)
                    .is_some_and(|(l, _)| l.generation == Some(1))
            })
        },
        secs(10),
    )
    .unwrap();
    net.run_for(secs(1)).unwrap();
    for h in [a, b] {
        peer_mut(&mut net, h).stop_sending();
    }
    net.run_for(secs(1)).unwrap();

    // The same allocation serves the new generation: no second Allocate.
    assert_eq!(agent(&net, a).relayed_addresses(), relayed_before);
    assert_eq!(turn_server(&net, turn).stats().allocations, 2);
    let (local, _) = agent(&net, a).selected_pair(1).unwrap();
    assert_eq!(local.candidate_type, CandidateType::Relayed);
    assert_eq!(local.ufrag.as_deref(), Some(ca.ufrag.as_str()));
    for (from, to) in [(a, b), (b, a)] {
        assert_eq!(peer(&net, from).send_failures, 0);
        let sent = peer(&net, from).sent;
        assert!(sent > 100);
        let mut got = peer(&net, to).received_numbers();
        got.sort_unstable();
        assert_eq!(got, (0..sent).collect::<Vec<_>>());
    }
}
