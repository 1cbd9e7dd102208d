//! ICE-TCP (RFC 6544) under netsim, with simulated TCP connections whose streams arrive in
//! arbitrary pieces (so the RFC 4571 framing is exercised): two agents with only TCP candidates
//! connect, active to passive; with UDP blocked by a firewall the TCP path is selected; with
//! both, UDP is preferred and the TCP connections are closed once checking completes; an agent
//! behind a NAT reaches a public one by connecting out; a closed selected connection fails its
//! pair.

mod support;

use std::time::Duration;

use rtcpeer_ice::{CandidateType, IceConfig, IceConnectionState, TcpType};
use rtcpeer_netsim::{Firewall, HostId, LinkConditions, NatConfig, Network, Zone};
use rtcpeer_types::Protocol;
use support::*;

const A_IP: &str = "192.0.2.10";
const B_IP: &str = "203.0.113.20";

/// A peer at `ip` with a UDP socket on `udp` and a TCP listener on `tcp`, if given.
fn tcp_peer(
    net: &mut Network,
    name: &str,
    zone: Zone,
    ip_: &str,
    udp: Option<u16>,
    tcp: Option<u16>,
) -> HostId {
    let mut agent = rtcpeer_ice::IceAgent::new(IceConfig::default(), net.fork_rng());
    if let Some(port) = udp {
        agent.add_local_interface(sa(&format!("{ip_}:{port}")));
    }
    let mut peer = Peer::new(agent);
    if let Some(port) = tcp {
        peer.listen_tcp(sa(&format!("{ip_}:{port}")));
    }
    net.add_host(name, zone, &[ip(ip_)], peer).unwrap()
}

fn selected_transport(net: &Network, h: HostId) -> Protocol {
    agent(net, h).selected_pair(1).unwrap().0.transport
}

/// Sends numbered datagrams both ways for `for_` and checks every one arrived once, in order.
fn exchange(net: &mut Network, a: HostId, b: HostId, for_: Duration) {
    let now = net.now();
    for h in [a, b] {
        peer_mut(net, h).payload = 1200;
        peer_mut(net, h).start_sending(now, ms(10));
    }
    net.run_for(for_).unwrap();
    for h in [a, b] {
        peer_mut(net, h).stop_sending();
    }
    net.run_for(ms(500)).unwrap();
    for (from, to) in [(a, b), (b, a)] {
        let sent = peer(net, from).sent;
        assert!(sent > 10, "sent {sent}");
        assert_eq!(
            peer(net, to).received_numbers(),
            (0..sent).collect::<Vec<_>>(),
            "every datagram once, in order"
        );
        assert!(peer(net, to).received.iter().all(|d| d.len() == 1200));
    }
}

#[test]
fn tcp_only_agents_connect_active_to_passive() {
    let (mut net, _guard) = network();
    let a = tcp_peer(&mut net, "a", Zone::Internet, A_IP, None, Some(443));
    let b = tcp_peer(&mut net, "b", Zone::Internet, B_IP, None, Some(443));
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(15)).jitter(ms(5)))
            .unwrap();
    }
    connect(&mut net, a, b, Duration::from_secs(10));
    let types: Vec<_> = peer(&net, a)
        .candidates
        .iter()
        .map(|c| (c.transport, c.tcp_type, c.address.port()))
        .collect();
    assert_eq!(
        types,
        [
            (Protocol::Tcp, Some(TcpType::Passive), 443),
            (Protocol::Tcp, Some(TcpType::Active), 9)
        ],
        "RFC 6544 §4.5: the active candidate is signalled with port 9"
    );
    for h in [a, b] {
        assert_eq!(selected_transport(&net, h), Protocol::Tcp);
        assert_eq!(
            connection_count(&net, h),
            1,
            "unselected connections closed"
        );
    }
    let (local, remote) = agent(&net, a).selected_pair(1).unwrap();
    assert!(
        [
            (Some(TcpType::Active), Some(TcpType::Passive)),
            (Some(TcpType::Passive), Some(TcpType::Active))
        ]
        .contains(&(local.tcp_type, remote.tcp_type)),
        "{local} / {remote}"
    );
    // Both ends name the same connection.
    let (la, ra) = agent(&net, a).selected_path(1).unwrap();
    let (lb, rb) = agent(&net, b).selected_path(1).unwrap();
    assert_eq!((la, ra), (rb, lb));
    assert_eq!(net.tcp_connections(a), [(la, ra)]);
    exchange(&mut net, a, b, Duration::from_secs(2));
    for h in [a, b] {
        let c = agent(&net, h).counters();
        assert_eq!(
            c.malformed_stun + c.unknown_source_data + c.unknown_destination,
            0
        );
    }
}

fn connection_count(net: &Network, h: HostId) -> usize {
    agent(net, h).tcp_connections().len()
}

#[test]
fn udp_blocked_by_a_firewall_selects_the_tcp_path() {
    let (mut net, _guard) = network();
    let a = tcp_peer(&mut net, "a", Zone::Internet, A_IP, Some(5000), Some(443));
    let b = tcp_peer(&mut net, "b", Zone::Internet, B_IP, Some(6000), Some(443));
    net.set_firewall(a, Firewall::default().block(Protocol::Udp))
        .unwrap();
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(20))).unwrap();
    }
    connect(&mut net, a, b, Duration::from_secs(15));
    for h in [a, b] {
        assert_eq!(selected_transport(&net, h), Protocol::Tcp);
    }
    assert!(net.stats().dropped_firewall > 0);
    exchange(&mut net, a, b, Duration::from_secs(2));
    assert!(agent(&net, a).connection_state().is_connected());
}

#[test]
fn with_both_transports_udp_is_preferred() {
    let (mut net, _guard) = network();
    let a = tcp_peer(&mut net, "a", Zone::Internet, A_IP, Some(5000), Some(443));
    let b = tcp_peer(&mut net, "b", Zone::Internet, B_IP, Some(6000), Some(443));
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(10))).unwrap();
    }
    // UDP is blocked for the first 300 ms, so the TCP pair becomes valid first; the
    // controlling agent still waits for the better UDP pair and nominates it.
    net.set_firewall(a, Firewall::default().block(Protocol::Udp))
        .unwrap();
    agent_mut(&mut net, a).set_role(true);
    exchange_credentials(&mut net, a, b);
    gather(&mut net, &[a, b]);
    let mut relay = Relay::new();
    let until = net.now() + ms(300);
    let _ = net.run_until(
        |n| {
            relay.pump(n, a, b);
            false
        },
        until,
    );
    let tcp_valid = |n: &Network, h: HostId| {
        agent(n, h)
            .candidate_pairs()
            .any(|p| p.local.transport == Protocol::Tcp && p.valid)
    };
    assert!(
        tcp_valid(&net, a),
        "the TCP pair succeeded while UDP was blocked"
    );
    assert!(agent(&net, a).selected_pair(1).is_none());
    net.set_firewall(a, Firewall::default()).unwrap();
    run_until_connected(&mut net, &mut relay, a, b, Duration::from_secs(10));
    // Let the checks finish and the unused connections close.
    let done = |n: &mut Network| {
        relay.pump(n, a, b);
        n.tcp_connections(a).is_empty()
            && n.tcp_connections(b).is_empty()
            && agent(n, a).connection_state() == IceConnectionState::Completed
    };
    net.run_until(done, Duration::from_secs(10)).unwrap();
    for h in [a, b] {
        let (l, r) = agent(&net, h).selected_pair(1).unwrap();
        assert_eq!((l.transport, r.transport), (Protocol::Udp, Protocol::Udp));
        assert_eq!(l.candidate_type, CandidateType::Host);
        assert!(agent(&net, h).tcp_connections().is_empty());
    }
    exchange(&mut net, a, b, Duration::from_secs(1));
}

#[test]
fn an_agent_behind_a_nat_connects_out_to_a_public_passive_candidate() {
    let (mut net, _guard) = network();
    let nat = net
        .add_nat(
            "a-nat",
            Zone::Internet,
            NatConfig::port_restricted_cone(ip("198.51.100.77")),
        )
        .unwrap();
    let a = tcp_peer(&mut net, "a", Zone::Nat(nat), "10.0.0.2", None, Some(443));
    let b = tcp_peer(&mut net, "b", Zone::Internet, B_IP, None, Some(443));
    net.set_link(b, LinkConditions::with_delay(ms(30))).unwrap();
    net.set_tcp_connect_timeout(Duration::from_secs(2));
    // B is controlling: its active candidate cannot reach A's private passive candidate, so
    // only A's connection out works.
    agent_mut(&mut net, b).set_role(true);
    exchange_credentials(&mut net, a, b);
    gather(&mut net, &[a, b]);
    let mut relay = Relay::new();
    run_until_connected(&mut net, &mut relay, b, a, Duration::from_secs(20));
    let (local, remote) = agent(&net, b).selected_pair(1).unwrap();
    assert_eq!(local.tcp_type, Some(TcpType::Passive));
    assert_eq!(remote.candidate_type, CandidateType::PeerReflexive);
    assert_eq!(
        remote.address.ip(),
        ip("198.51.100.77"),
        "the NAT's address"
    );
    exchange(&mut net, a, b, Duration::from_secs(1));
}

#[test]
fn a_closed_selected_connection_fails_the_pair() {
    let (mut net, _guard) = network();
    let a = tcp_peer(&mut net, "a", Zone::Internet, A_IP, None, Some(443));
    let b = tcp_peer(&mut net, "b", Zone::Internet, B_IP, None, Some(443));
    connect(&mut net, a, b, Duration::from_secs(10));
    net.run_for(Duration::from_secs(1)).unwrap();
    // B's runtime loses the connection (B's agent is told, A's sees the FIN).
    let (id, _, _) = agent(&net, b).tcp_connections()[0];
    let now = net.now();
    agent_mut(&mut net, b).handle_tcp_closed(now, id);
    let (local, remote) = peer_mut(&mut net, b).connections.remove(&id).unwrap();
    peer_mut(&mut net, b)
        .net_commands
        .push_back(rtcpeer_netsim::TcpCommand::Close { local, remote });
    net.run_for(Duration::from_secs(1)).unwrap();
    for h in [a, b] {
        assert!(agent(&net, h).selected_pair(1).is_none());
        assert!(agent(&net, h).tcp_connections().is_empty());
        assert!(
            !connected(&net, h),
            "{:?}",
            agent(&net, h).connection_state()
        );
    }
}

#[test]
fn ice_restart_over_tcp_moves_to_a_new_connection_without_losing_data() {
    let (mut net, _guard) = network();
    let a = tcp_peer(&mut net, "a", Zone::Internet, A_IP, None, Some(443));
    let b = tcp_peer(&mut net, "b", Zone::Internet, B_IP, None, Some(443));
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(10))).unwrap();
    }
    let mut relay = connect(&mut net, a, b, Duration::from_secs(10));
    net.run_for(Duration::from_secs(1)).unwrap();
    let old = agent(&net, a).selected_path(1).unwrap();
    let now = net.now();
    for h in [a, b] {
        peer_mut(&mut net, h).start_sending(now, ms(20));
    }
    net.run_for(ms(300)).unwrap();
    // A restarts, B follows, each learns the other's new credentials.
    let now = net.now();
    agent_mut(&mut net, a).restart(now);
    peer_mut(&mut net, a).end_of_candidates = false;
    relay.a_eoc = false;
    let ca = agent(&net, a).local_credentials().clone();
    net.run_for(ms(20)).unwrap();
    agent_mut(&mut net, b)
        .set_remote_credentials(&ca.ufrag, &ca.pwd)
        .unwrap();
    let now = net.now();
    agent_mut(&mut net, b).restart(now);
    peer_mut(&mut net, b).end_of_candidates = false;
    relay.b_eoc = false;
    let cb = agent(&net, b).local_credentials().clone();
    net.run_for(ms(20)).unwrap();
    agent_mut(&mut net, a)
        .set_remote_credentials(&cb.ufrag, &cb.pwd)
        .unwrap();
    net.run_until(
        |n| {
            relay.pump(n, a, b);
            agent(n, a).selected_path(1).is_some_and(|p| p != old)
                && agent(n, a).connection_state() == IceConnectionState::Completed
                && agent(n, b).connection_state() == IceConnectionState::Completed
                && n.tcp_connections(a).len() == 1
        },
        Duration::from_secs(10),
    )
    .unwrap();
    net.run_for(ms(500)).unwrap();
    for h in [a, b] {
        peer_mut(&mut net, h).stop_sending();
    }
    net.run_for(ms(500)).unwrap();
    let new = agent(&net, a).selected_path(1).unwrap();
    assert_ne!(new, old, "a new connection");
    assert_eq!(net.tcp_connections(a), [new], "the old connection closed");
    for (from, to) in [(a, b), (b, a)] {
        assert_eq!(peer(&net, from).send_failures, 0);
        let sent = peer(&net, from).sent;
        let mut got = peer(&net, to).received_numbers();
        got.sort_unstable();
        assert_eq!(got, (0..sent).collect::<Vec<_>>(), "nothing lost");
    }
}
