//! Connectivity under netsim: public peers, every NAT pairing of the RFC 4787 matrix that STUN
//! can traverse (and the ones it cannot, which must fail), loss with a long RTT, and data both
//! ways over the selected pair.

mod support;

use std::time::Duration;

use rtcpeer_ice::{CandidateType, IceConnectionState, IceEvent};
use rtcpeer_netsim::{LinkConditions, Loss, NatConfig, Network, Zone};
use support::*;

fn send_and_check(net: &mut Network, from: rtcpeer_netsim::HostId, to: rtcpeer_netsim::HostId) {
    let now = net.now();
    let before = peer(net, to).received.len();
    agent_mut(net, from)
        .send(now, vec![23u8, 1, 2, 3])
        .expect("a selected pair");
    net.run_until(
        |n| peer(n, to).received.len() > before,
        Duration::from_secs(5),
    )
    .expect("data arrives");
    assert_eq!(
        peer(net, to).received.last().unwrap().as_ref(),
        [23, 1, 2, 3]
    );
}

#[test]
fn public_peers_connect_host_to_host_and_complete() {
    let (mut net, _g) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000", config());
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config());
    let mut relay = connect(&mut net, a, b, Duration::from_secs(10));
    let (l, r) = agent(&net, a).selected_pair(1).unwrap();
    assert_eq!(l.candidate_type, CandidateType::Host);
    assert_eq!(r.address, sa("192.0.2.20:6000"));
    assert_eq!(
        agent(&net, b).selected_path(1),
        Some((sa("192.0.2.20:6000"), sa("192.0.2.10:5000")))
    );
    send_and_check(&mut net, a, b);
    send_and_check(&mut net, b, a);
    // Gathering ends (the STUN server confirms the host address is public: no srflx), both
    // sides signal end-of-candidates, and the state reaches "completed".
    net.run_until(
        |n| {
            relay.pump(n, a, b);
            agent(n, a).connection_state() == IceConnectionState::Completed
                && agent(n, b).connection_state() == IceConnectionState::Completed
        },
        Duration::from_secs(5),
    )
    .unwrap();
    for h in [a, b] {
        // W3C: checking, connected, completed; or checking straight to completed when
        // gathering and end-of-candidates came before the pair was selected.
        let states = peer(&net, h).states();
        assert!(
            states
                == [
                    IceConnectionState::Checking,
                    IceConnectionState::Connected,
                    IceConnectionState::Completed
                ]
                || states == [IceConnectionState::Checking, IceConnectionState::Completed],
            "{states:?}"
        );
        assert!(
            !peer(&net, h)
                .candidates
                .iter()
                .any(|c| c.candidate_type == CandidateType::ServerReflexive),
            "redundant srflx pruned"
        );
    }
}

#[test]
fn time_to_nomination_in_rtts() {
    // 50 ms one-way on each host link: RTT 200 ms between the peers (two links each way).
    let (mut net, _g) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000", config());
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config());
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(50))).unwrap();
    }
    let start = net.elapsed();
    connect(&mut net, a, b, Duration::from_secs(10));
    let took = net.elapsed() - start;
    let rtts = took.as_secs_f64() / 0.2;
    println!("time to a nominated pair on both sides: {took:?} = {rtts:.2} RTT (RTT 200 ms)");
    // Check, response (1 RTT), nomination check and its response (2 RTT), plus Ta pacing.
    assert!(rtts <= 3.0, "{rtts} RTTs");
}

fn nat_pair(na: NatConfig, nb: NatConfig, expect: bool) {
    let (mut net, _g) = network();
    let a = add_natted_peer(&mut net, "a", na, "10.0.0.2:5000", config());
    let b = add_natted_peer(&mut net, "b", nb, "10.1.0.2:6000", config());
    agent_mut(&mut net, a).set_role(true);
    exchange_credentials(&mut net, a, b);
    gather(&mut net, &[a, b]);
    let mut relay = Relay::new();
    if expect {
        run_until_connected(&mut net, &mut relay, a, b, Duration::from_secs(20));
        send_and_check(&mut net, a, b);
        send_and_check(&mut net, b, a);
    } else {
        let r = net.run_until(
            |n| {
                relay.pump(n, a, b);
                agent(n, a).connection_state() == IceConnectionState::Failed
                    && agent(n, b).connection_state() == IceConnectionState::Failed
            },
            Duration::from_secs(120),
        );
        r.unwrap_or_else(|e| {
            panic!(
                "{e}: {:?} {:?}",
                peer(&net, a).states(),
                peer(&net, b).states()
            )
        });
        assert!(
            !peer(&net, a)
                .states()
                .contains(&IceConnectionState::Connected)
        );
    }
}

fn ext_a() -> std::net::IpAddr {
    ip("203.0.113.1")
}
fn ext_b() -> std::net::IpAddr {
    ip("203.0.113.2")
}

#[test]
fn full_cone_with_full_cone() {
    nat_pair(
        NatConfig::full_cone(ext_a()),
        NatConfig::full_cone(ext_b()),
        true,
    );
}

#[test]
fn full_cone_with_restricted_cone() {
    nat_pair(
        NatConfig::full_cone(ext_a()),
        NatConfig::restricted_cone(ext_b()),
        true,
    );
}

#[test]
fn full_cone_with_port_restricted_cone() {
    nat_pair(
        NatConfig::full_cone(ext_a()),
        NatConfig::port_restricted_cone(ext_b()),
        true,
    );
}

#[test]
fn restricted_cone_with_restricted_cone() {
    nat_pair(
        NatConfig::restricted_cone(ext_a()),
        NatConfig::restricted_cone(ext_b()),
        true,
    );
}

#[test]
fn restricted_cone_with_port_restricted_cone() {
    nat_pair(
        NatConfig::restricted_cone(ext_a()),
        NatConfig::port_restricted_cone(ext_b()),
        true,
    );
}

#[test]
fn port_restricted_with_port_restricted() {
    nat_pair(
        NatConfig::port_restricted_cone(ext_a()),
        NatConfig::port_restricted_cone(ext_b()),
        true,
    );
}

#[test]
fn symmetric_with_full_cone_via_peer_reflexive() {
    nat_pair(
        NatConfig::symmetric(ext_a()),
        NatConfig::full_cone(ext_b()),
        true,
    );
}

#[test]
fn symmetric_with_restricted_cone_via_peer_reflexive() {
    nat_pair(
        NatConfig::symmetric(ext_a()),
        NatConfig::restricted_cone(ext_b()),
        true,
    );
}

#[test]
fn symmetric_with_port_restricted_fails_without_turn() {
    nat_pair(
        NatConfig::symmetric(ext_a()),
        NatConfig::port_restricted_cone(ext_b()),
        false,
    );
}

#[test]
fn symmetric_with_symmetric_fails_without_turn() {
    nat_pair(
        NatConfig::symmetric(ext_a()),
        NatConfig::symmetric(ext_b()),
        false,
    );
}

#[test]
fn symmetric_nat_side_learns_peer_reflexive_candidates() {
    let (mut net, _g) = network();
    let a = add_natted_peer(
        &mut net,
        "a",
        NatConfig::symmetric(ext_a()),
        "10.0.0.2:5000",
        config(),
    );
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config());
    connect(&mut net, a, b, Duration::from_secs(20));
    // B sees A's check from a mapping its srflx candidate does not name: a prflx remote.
    let (_, remote) = agent(&net, b).selected_pair(1).unwrap();
    assert_eq!(remote.candidate_type, CandidateType::PeerReflexive);
    assert_eq!(remote.address.ip(), ext_a());
    // A's response names that mapping too: a prflx local candidate, never signalled.
    let (local, _) = agent(&net, a).selected_pair(1).unwrap();
    assert_eq!(local.candidate_type, CandidateType::PeerReflexive);
    assert!(
        !peer(&net, a)
            .candidates
            .iter()
            .any(|c| c.candidate_type == CandidateType::PeerReflexive)
    );
}

#[test]
fn ten_percent_loss_and_200ms_rtt_still_connects() {
    let (mut net, _g) = network();
    let a = add_natted_peer(
        &mut net,
        "a",
        NatConfig::port_restricted_cone(ext_a()),
        "10.0.0.2:5000",
        config(),
    );
    let b = add_natted_peer(
        &mut net,
        "b",
        NatConfig::restricted_cone(ext_b()),
        "10.1.0.2:6000",
        config(),
    );
    let lossy = LinkConditions::with_delay(ms(50))
        .jitter(ms(5))
        .loss(Loss::Random(0.10));
    for h in [a, b] {
        net.set_link(h, lossy.clone()).unwrap();
    }
    connect(&mut net, a, b, Duration::from_secs(60));
    let now = net.now();
    peer_mut(&mut net, a).start_sending(now, ms(20));
    net.run_for(Duration::from_secs(2)).unwrap();
    // Some datagrams are lost (10% per link), most arrive.
    let got = peer(&net, b).received.len() as f64;
    let sent = f64::from(peer(&net, a).sent);
    assert!(got > sent * 0.6, "{got} of {sent}");
}

#[test]
fn rtcp_component_two_connects_separately() {
    let (mut net, _g) = network();
    let mut cfg = config();
    cfg.components = 2;
    let a = add_peer(
        &mut net,
        "a",
        Zone::Internet,
        "192.0.2.10:5000",
        cfg.clone(),
    );
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", cfg);
    agent_mut(&mut net, a).add_local_interface_for(2, sa("192.0.2.10:5001"));
    agent_mut(&mut net, b).add_local_interface_for(2, sa("192.0.2.20:6001"));
    connect(&mut net, a, b, Duration::from_secs(10));
    assert_eq!(
        agent(&net, a).selected_path(2),
        Some((sa("192.0.2.10:5001"), sa("192.0.2.20:6001")))
    );
    let now = net.now();
    agent_mut(&mut net, b)
        .send_component(now, 2, vec![0x80, 200, 0, 1])
        .unwrap();
    net.run_for(ms(10)).unwrap();
    assert_eq!(
        peer(&net, a).received.last().unwrap().as_ref(),
        [0x80, 200, 0, 1]
    );
    let selected: Vec<u16> = peer(&net, a)
        .log
        .iter()
        .filter_map(|e| match e {
            IceEvent::SelectedPairChanged { component, .. } => Some(*component),
            _ => None,
        })
        .collect();
    assert!(selected.contains(&1) && selected.contains(&2));
}

#[test]
fn dual_stack_prefers_ipv6() {
    let (mut net, _g) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000", config());
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config());
    net.add_interface(a, Zone::Internet, &[ip("2001:db8::a")])
        .unwrap();
    net.add_interface(b, Zone::Internet, &[ip("2001:db8::b")])
        .unwrap();
    agent_mut(&mut net, a).add_local_interface(sa("[2001:db8::a]:5000"));
    agent_mut(&mut net, b).add_local_interface(sa("[2001:db8::b]:6000"));
    connect(&mut net, a, b, Duration::from_secs(10));
    // Let nomination settle on the best pair.
    net.run_for(Duration::from_secs(1)).unwrap();
    let (l, r) = agent(&net, a).selected_path(1).unwrap();
    assert!(l.is_ipv6() && r.is_ipv6(), "{l} {r}");
}
