//! The statistics an agent exposes for W3C webrtc-stats, under netsim: data counters per pair
//! and per agent count exactly the application data sent and received, STUN traffic lands in
//! the request/response counters, round-trip times match the simulated path, the selected pair
//! changes are counted, and server-reflexive candidates name their STUN server.

mod support;

use std::time::Duration;

use rtcpeer_ice::{CandidateServer, CandidateType, IceAgent, PairState};
use rtcpeer_netsim::{HostId, LinkConditions, NatConfig, Network, Zone};
use support::*;

/// Sends `n` datagrams of `len` bytes from `from` and runs until `to` has them all.
fn send_n(net: &mut Network, from: HostId, to: HostId, count: usize, len: usize) {
    let before = peer(net, to).received.len();
    for i in 0..count {
        let now = net.now();
        let mut data = vec![23u8; len];
        data[1] = i as u8;
        agent_mut(net, from)
            .send(now, data)
            .expect("a selected pair");
    }
    net.run_until(
        |n| peer(n, to).received.len() == before + count,
        Duration::from_secs(5),
    )
    .expect("the data arrives");
}

/// The counters of the agent's selected pair.
fn selected(agent: &IceAgent) -> rtcpeer_ice::CandidatePairInfo<'_> {
    agent
        .candidate_pairs()
        .find(|p| p.selected)
        .expect("a selected pair")
}

#[test]
fn data_and_check_counters_of_the_selected_pair_and_the_agent() {
    let (mut net, _g) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000", config());
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config());
    // 20 ms on each host link: 80 ms between the peers and back.
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(20))).unwrap();
    }
    connect(&mut net, a, b, Duration::from_secs(10));
    for h in [a, b] {
        let t = agent(&net, h).traffic();
        assert_eq!((t.packets_sent, t.bytes_sent), (0, 0), "no data yet");
        assert_eq!(t.selected_pair_changes, 1);
    }
    send_n(&mut net, a, b, 7, 100);
    send_n(&mut net, b, a, 3, 40);

    let (ta, tb) = (*agent(&net, a).traffic(), *agent(&net, b).traffic());
    assert_eq!((ta.packets_sent, ta.bytes_sent), (7, 700));
    assert_eq!((ta.packets_received, ta.bytes_received), (3, 120));
    assert_eq!((tb.packets_sent, tb.bytes_sent), (3, 120));
    assert_eq!((tb.packets_received, tb.bytes_received), (7, 700));

    let pa = selected(agent(&net, a));
    let pb = selected(agent(&net, b));
    assert_eq!(pa.state, PairState::Succeeded);
    assert!(pa.nominated && pa.valid && pb.nominated);
    assert_eq!(pa.local.address, pb.remote.address);
    let (ca, cb) = (pa.counters, pb.counters);
    assert_eq!((ca.packets_sent, ca.bytes_sent), (7, 700));
    assert_eq!((ca.packets_received, ca.bytes_received), (3, 120));
    assert_eq!((cb.packets_sent, cb.bytes_sent), (3, 120));
    assert_eq!((cb.packets_received, cb.bytes_received), (7, 700));
    assert!(ca.last_packet_sent.is_some() && ca.last_packet_received.is_some());
    assert!(ca.last_packet_received > ca.last_packet_sent);
    // The controlling side checked the pair and got answers; the controlled side answered.
    assert!(ca.requests_sent >= 1);
    assert!(ca.responses_received >= 1);
    assert!(cb.requests_received >= 1);
    assert_eq!(cb.requests_received, cb.responses_sent);
    // Every round trip crosses four 20 ms links.
    let rtt = ca.current_round_trip_time.expect("a round-trip sample");
    assert!((ms(80)..ms(90)).contains(&rtt), "{rtt:?}");
    assert!(ca.round_trip_time_samples >= 1);
    assert!(ca.total_round_trip_time >= rtt);

    // Consent freshness (RFC 7675) runs on the selected pair: its requests are counted apart
    // and their responses give round-trip samples too.
    let (samples, responses) = (ca.round_trip_time_samples, ca.responses_received);
    net.run_for(Duration::from_secs(12)).unwrap();
    let ca = *selected(agent(&net, a)).counters;
    assert!(ca.consent_requests_sent >= 1, "{ca:?}");
    assert!(ca.responses_received > responses);
    assert!(ca.round_trip_time_samples > samples);
    let average = ca.total_round_trip_time / ca.round_trip_time_samples as u32;
    assert!((ms(80)..ms(90)).contains(&average), "{average:?}");
    // Consent traffic is STUN: the data counters did not move.
    assert_eq!(agent(&net, a).traffic().packets_sent, 7);
    assert_eq!(ca.packets_sent, 7);
}

#[test]
fn server_reflexive_candidates_name_their_stun_server() {
    let (mut net, _g) = network();
    let a = add_natted_peer(
        &mut net,
        "a",
        NatConfig::full_cone(ip("203.0.113.1")),
        "10.0.0.2:5000",
        config(),
    );
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config());
    connect(&mut net, a, b, Duration::from_secs(20));
    let agent_a = agent(&net, a);
    let srflx: Vec<_> = agent_a
        .local_candidates()
        .filter(|c| c.candidate_type == CandidateType::ServerReflexive)
        .collect();
    assert!(!srflx.is_empty());
    for c in srflx {
        assert_eq!(
            agent_a.candidate_server(c),
            Some(CandidateServer::Stun(sa(STUN)))
        );
    }
    for c in agent_a
        .local_candidates()
        .filter(|c| c.candidate_type == CandidateType::Host)
    {
        assert_eq!(agent_a.candidate_server(c), None);
    }
    // Another agent's candidate with a foundation from no configured server names none.
    let mut other = agent_a
        .local_candidates()
        .find(|c| c.candidate_type == CandidateType::ServerReflexive)
        .unwrap()
        .clone();
    other.foundation = "1".to_owned();
    assert_eq!(agent_a.candidate_server(&other), None);
}
