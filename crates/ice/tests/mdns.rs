//! Remote mDNS candidates under netsim (draft-ietf-mmusic-mdns-ice-candidates §3.2): peer B's host
//! candidates reach A as `<uuid>.local` names that an `rtcpeer-mdns` responder answers. Netsim has
//! no multicast, so a hub host stands for the link: A's queries to 224.0.0.251:5353 go to the
//! hub, which hands each one, with its original source in front, to the responder host; the
//! responder answers the one-shot query by unicast straight to A's socket (RFC 6762 §6.7).

mod support;

use std::time::{Duration, Instant};

use rtcpeer_ice::{Candidate, CandidateParseError, CandidateType, IceConfig, RemoteCandidateInput};
use rtcpeer_mdns::{LocalName, Responder, ResponderConfig, is_mdns_group};
use rtcpeer_netsim::{Endpoint, HostId, Network, SeedGuard, Zone};
use rtcpeer_types::{Protocol, Receive, Transmit};
use support::*;

const HUB: &str = "10.0.0.254:5353";
const RESPONDER: &str = "10.0.0.3:5353";
const A: &str = "10.0.0.1:5000";
const B: &str = "10.0.0.2:6000";

/// A host running only an mDNS responder, joined to the hub.
struct ResponderHost {
    responder: Responder,
}

impl Endpoint for ResponderHost {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        let rx = MdnsHub::unwrap(sa(HUB), rx);
        self.responder.handle_receive(now, &rx);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.responder.handle_timeout(now);
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        let t = self.responder.poll_transmit()?;
        Some(if is_mdns_group(t.destination) {
            Transmit {
                destination: sa(HUB),
                ..t
            }
        } else {
            t
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.responder.poll_timeout()
    }
}

struct Lan {
    net: Network,
    _guard: SeedGuard,
    a: HostId,
    b: HostId,
    responder: HostId,
}

/// A (configured with `a_config`) and B on one link with the hub and B's responder; 5 ms links.
fn lan(a_config: IceConfig) -> Lan {
    let (mut net, guard) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, A, a_config);
    let b = add_peer(&mut net, "b", Zone::Internet, B, IceConfig::default());
    peer_mut(&mut net, a).mdns_hub = Some(sa(HUB));
    let rng = net.fork_rng();
    let responder = net
        .add_host(
            "b-mdns",
            Zone::Internet,
            &[ip("10.0.0.3")],
            ResponderHost {
                responder: Responder::new(ResponderConfig::new(sa(RESPONDER)), rng),
            },
        )
        .unwrap();
    net.add_host(
        "hub",
        Zone::Internet,
        &[sa(HUB).ip()],
        MdnsHub::new(sa(HUB), vec![sa(RESPONDER)]),
    )
    .unwrap();
    exchange_credentials(&mut net, a, b);
    gather(&mut net, &[a, b]);
    Lan {
        net,
        _guard: guard,
        a,
        b,
        responder,
    }
}

fn responder_mut(net: &mut Network, h: HostId) -> &mut Responder {
    &mut net.endpoint_mut::<ResponderHost>(h).unwrap().responder
}

/// B's host candidates, each with its IP replaced by a `.local` name the responder publishes.
fn b_candidates_as_names(lan: &mut Lan) -> Vec<(String, LocalName)> {
    let now = lan.net.now();
    let cands = peer(&lan.net, lan.b).candidates.clone();
    assert!(!cands.is_empty(), "B gathered nothing");
    cands
        .iter()
        .filter(|c| c.candidate_type == CandidateType::Host)
        .map(|c| {
            let name = responder_mut(&mut lan.net, lan.responder)
                .publish_address(now, c.address.ip())
                .unwrap();
            let line = c
                .to_sdp_string()
                .replace(&c.address.ip().to_string(), &name.to_string());
            assert!(line.contains(".local"), "{line}");
            (line, name)
        })
        .collect()
}

/// Gives B all of A's candidates as they are.
fn give_a_to_b(lan: &mut Lan) {
    for c in peer(&lan.net, lan.a).candidates.clone() {
        agent_mut(&mut lan.net, lan.b).add_remote_candidate(c);
    }
}

fn run_connected(lan: &mut Lan, within: Duration) {
    let (a, b) = (lan.a, lan.b);
    let r = lan.net.run_until(
        |n| connected(n, a) && connected(n, b) && both_selected(n, a, b),
        within,
    );
    if let Err(e) = r {
        panic!(
            "{e}: a {:?} {:?} b {:?} {:?}",
            peer(&lan.net, a).states(),
            agent(&lan.net, a).counters(),
            peer(&lan.net, b).states(),
            agent(&lan.net, b).counters()
        );
    }
}

#[test]
fn parse_allowing_mdns_keeps_the_name() {
    let line = "candidate:1 1 udp 2122260223 1f528a2c-36d4-4ffb-9a4d-51a8ad6ab0f3.local 54321 typ host generation 0";
    assert_eq!(Candidate::parse(line), Err(CandidateParseError::HostName));
    match Candidate::parse_allowing_mdns(line).unwrap() {
        RemoteCandidateInput::Mdns { candidate, name } => {
            assert_eq!(
                name.to_string(),
                "1f528a2c-36d4-4ffb-9a4d-51a8ad6ab0f3.local"
            );
            assert_eq!(candidate.address.port(), 54321);
            assert!(candidate.address.ip().is_unspecified());
            assert_eq!(candidate.generation, Some(0));
        }
        other => panic!("{other:?}"),
    }
    // A host-name related address is dropped, as libwebrtc writes it for mDNS srflx candidates.
    let srflx = "candidate:2 1 udp 1686052607 203.0.113.9 40000 typ srflx raddr 1f528a2c-36d4-4ffb-9a4d-51a8ad6ab0f3.local rport 54321";
    assert_eq!(Candidate::parse(srflx), Err(CandidateParseError::HostName));
    match Candidate::parse_allowing_mdns(srflx).unwrap() {
        RemoteCandidateInput::Address(c) => {
            assert_eq!(c.address, sa("203.0.113.9:40000"));
            assert_eq!(c.related_address, None);
        }
        other => panic!("{other:?}"),
    }
    // Other host names are still refused.
    assert_eq!(
        Candidate::parse_allowing_mdns("candidate:1 1 udp 1 host.example.com 1 typ host"),
        Err(CandidateParseError::HostName)
    );
    assert_eq!(
        Candidate::parse_allowing_mdns("candidate:1 1 udp 1 10.0.0.1 1 typ host").unwrap(),
        RemoteCandidateInput::Address(
            Candidate::parse("candidate:1 1 udp 1 10.0.0.1 1 typ host").unwrap()
        )
    );
}

#[test]
fn connects_to_a_resolved_mdns_candidate() {
    let mut lan = lan(IceConfig::default());
    let names = b_candidates_as_names(&mut lan);
    assert_eq!(names.len(), 1);
    let now = lan.net.now();
    for (line, _) in &names {
        agent_mut(&mut lan.net, lan.a)
            .add_remote_candidate_str(now, line)
            .unwrap();
    }
    // B is not told A's candidates: it answers A's checks and learns A as peer-reflexive, so
    // the connection needs A to check B's resolved address.
    run_connected(&mut lan, Duration::from_secs(10));
    let a = agent(&lan.net, lan.a);
    assert_eq!(a.counters().mdns_resolved, 1);
    assert_eq!(a.counters().mdns_unresolved, 0);
    let stats = a.mdns_stats().expect("A started a resolver");
    assert!(stats.queries_sent >= 1 && stats.resolved == 1, "{stats:?}");
    let (_, remote) = a.selected_pair(1).unwrap();
    assert_eq!(remote.address, sa(B));
    assert_eq!(remote.candidate_type, CandidateType::Host);
    assert_eq!(a.remote_mdns_name(sa(B)), Some(&names[0].1));
    assert_eq!(a.selected_path(1), Some((sa(A), sa(B))));
    let b = agent(&lan.net, lan.b);
    assert_eq!(b.selected_path(1), Some((sa(B), sa(A))));
    assert_eq!(
        b.selected_pair(1).unwrap().1.candidate_type,
        CandidateType::PeerReflexive
    );
}

#[test]
fn unresolvable_and_ambiguous_names_are_dropped() {
    let mut lan = lan(IceConfig::default());
    let now = lan.net.now();
    let b_cand = peer(&lan.net, lan.b).candidates[0].clone();
    // A name nobody answers for, and one with two addresses (draft §3.2.1: ignored).
    let silent = LocalName::parse("0b6f3e5c-1d2a-4c3b-8e9f-aabbccddeeff.local").unwrap();
    let ambiguous = LocalName::parse("7a7a7a7a-1111-4222-8333-444455556666.local").unwrap();
    let responder = responder_mut(&mut lan.net, lan.responder);
    responder
        .publish(now, ambiguous.clone(), ip("10.0.0.2"))
        .unwrap();
    responder
        .publish(now, ambiguous.clone(), ip("10.0.0.9"))
        .unwrap();
    for (foundation, name, port) in [("71", &silent, 7001), ("72", &ambiguous, 7002)] {
        let line = format!("candidate:{foundation} 1 udp 2122260223 {name} {port} typ host");
        agent_mut(&mut lan.net, lan.a)
            .add_remote_candidate_str(now, &line)
            .unwrap();
    }
    // And B's real candidate with its IP address.
    agent_mut(&mut lan.net, lan.a).add_remote_candidate(b_cand);
    give_a_to_b(&mut lan);
    run_connected(&mut lan, Duration::from_secs(10));
    let a_id = lan.a;
    lan.net
        .run_until(
            |n| agent(n, a_id).counters().mdns_unresolved == 2,
            Duration::from_secs(10),
        )
        .unwrap_or_else(|e| panic!("{e}: {:?}", agent(&lan.net, a_id).counters()));
    let a = agent(&lan.net, lan.a);
    assert_eq!(a.counters().mdns_resolved, 0);
    assert_eq!(a.selected_path(1), Some((sa(A), sa(B))));
    assert!(
        a.remote_candidates()
            .iter()
            .all(|c| c.address.ip() != ip("10.0.0.9") && c.address.port() == 6000),
        "{:?}",
        a.remote_candidates()
    );
    assert_eq!(a.remote_mdns_name(sa(B)), None);
    // The resolver saw one timeout and one (two-address) answer; the agent used neither.
    let stats = a.mdns_stats().unwrap();
    assert_eq!((stats.failed, stats.resolved), (1, 1), "{stats:?}");
    assert!(connected(&lan.net, lan.a));
}

#[test]
fn mdns_off_drops_the_name_and_learns_peer_reflexive() {
    let config = IceConfig {
        mdns: false,
        ..IceConfig::default()
    };
    let mut lan = lan(config);
    let names = b_candidates_as_names(&mut lan);
    let now = lan.net.now();
    for (line, _) in &names {
        agent_mut(&mut lan.net, lan.a)
            .add_remote_candidate_str(now, line)
            .unwrap();
    }
    give_a_to_b(&mut lan);
    run_connected(&mut lan, Duration::from_secs(10));
    let a = agent(&lan.net, lan.a);
    assert_eq!(a.counters().ignored_candidates, 1);
    assert_eq!(a.counters().mdns_resolved, 0);
    assert!(a.mdns_stats().is_none(), "no resolver without mDNS");
    let (_, remote) = a.selected_pair(1).unwrap();
    assert_eq!(remote.address, sa(B));
    assert_eq!(remote.candidate_type, CandidateType::PeerReflexive);
    assert_eq!(a.remote_mdns_name(sa(B)), None);
}

/// Without netsim: a name given before any local socket waits for one; the query then leaves from
/// the first IPv4 socket to the group, the responder's unicast answer is taken by the resolver
/// (not counted as unknown data), and the candidate is added with the address. After `close`
/// nothing is pending.
#[test]
fn lookup_waits_for_an_ipv4_socket() {
    #[allow(clippy::disallowed_methods)]
    let t0 = Instant::now();
    let mut agent =
        rtcpeer_ice::IceAgent::new(IceConfig::default(), rtcpeer_types::Rng::from_seed(7));
    let mut responder = Responder::new(
        ResponderConfig::new(sa(RESPONDER)),
        rtcpeer_types::Rng::from_seed(8),
    );
    let name = responder.publish_address(t0, ip("10.0.0.2")).unwrap();
    while responder.poll_transmit().is_some() {}
    let line = format!("candidate:1 1 udp 2122260223 {name} 6000 typ host");
    agent.add_remote_candidate_str(t0, &line).unwrap();
    assert!(
        agent.poll_transmit().is_none(),
        "no socket to query from yet"
    );
    assert_eq!(agent.poll_timeout(), None);
    agent.add_local_interface(sa("[fd00::1]:5000"));
    assert!(agent.poll_transmit().is_none(), "IPv6 only: still waiting");
    agent.add_local_interface(sa(A));
    let query = agent.poll_transmit().expect("query sent");
    assert_eq!(query.source, sa(A));
    assert!(is_mdns_group(query.destination));
    assert!(agent.poll_timeout().is_some(), "retransmission timer");
    // The responder answers the one-shot query by unicast.
    let t1 = t0 + Duration::from_millis(5);
    responder.handle_receive(t1, &Receive::from(query));
    let answer = responder.poll_transmit().expect("answer");
    assert_eq!(answer.destination, sa(A));
    agent.handle_receive(t1, Receive::from(answer));
    assert_eq!(agent.counters().mdns_resolved, 1);
    assert_eq!(agent.counters().unknown_source_data, 0);
    assert_eq!(agent.remote_candidates().len(), 1);
    assert_eq!(agent.remote_candidates()[0].address, sa(B));
    assert_eq!(agent.remote_mdns_name(sa(B)), Some(&name));
    // A second candidate with the same name is answered from the resolver's cache at once.
    let line = format!("candidate:2 1 udp 2122260222 {name} 6001 typ host");
    agent.add_remote_candidate_str(t1, &line).unwrap();
    assert_eq!(agent.counters().mdns_resolved, 2);
    assert!(
        agent
            .remote_candidates()
            .iter()
            .any(|c| c.address == sa("10.0.0.2:6001"))
    );
    // A stray mDNS datagram to the query socket is the resolver's, counted there as malformed.
    agent.handle_receive(
        t1,
        Receive {
            protocol: Protocol::Udp,
            source: sa("10.0.0.3:5353"),
            destination: sa(A),
            contents: vec![0xff; 3].into(),
        },
    );
    assert_eq!(agent.mdns_stats().unwrap().malformed, 1);
    assert_eq!(agent.counters().unknown_source_data, 0);
    agent.close();
    assert_eq!(agent.poll_timeout(), None);
}
