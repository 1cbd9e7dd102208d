//! Our own host candidates behind mDNS names (draft-ietf-mmusic-mdns-ice-candidates §3.1):
//! under netsim, B hides its addresses behind `<uuid>.local` names that its agent's responder
//! answers on B's mDNS socket, A resolves them with its resolver (one-shot queries multicast
//! through a hub host, since netsim has no multicast) and the two connect; without the network,
//! the server-reflexive related address is hidden, STUN failures reveal no address, and closing
//! says goodbye.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_ice::{CandidateType, IceAgent, IceConfig, IceEvent};
use rtcpeer_mdns::{LocalName, Message, RecordData};
use rtcpeer_netsim::{HostId, LinkConditions, Network, SeedGuard, Zone};
use rtcpeer_stun::{MessageBuilder, XorMappedAddress};
use rtcpeer_types::{Protocol, Receive, Rng};
use support::*;

const HUB: &str = "10.0.0.254:5353";
const A: &str = "10.0.0.1:5000";
const B: &str = "10.0.0.2:6000";
const B_TCP: &str = "10.0.0.2:7443";
const B_MDNS: &str = "10.0.0.2:5353";

struct Lan {
    net: Network,
    _guard: SeedGuard,
    a: HostId,
    b: HostId,
}

/// A resolves, B publishes (a UDP socket, a TCP listener and its mDNS socket), the hub carries
/// multicast to B's mDNS socket; 5 ms links.
fn lan() -> Lan {
    let (mut net, guard) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, A, IceConfig::default());
    let config = IceConfig {
        mdns_host_names: true,
        ..IceConfig::default()
    };
    let b = add_peer(&mut net, "b", Zone::Internet, B, config);
    peer_mut(&mut net, b).listen_tcp(sa(B_TCP));
    agent_mut(&mut net, b).add_mdns_socket(sa(B_MDNS));
    for h in [a, b] {
        peer_mut(&mut net, h).mdns_hub = Some(sa(HUB));
    }
    net.add_host(
        "hub",
        Zone::Internet,
        &[sa(HUB).ip()],
        MdnsHub::new(sa(HUB), vec![sa(B_MDNS)]),
    )
    .unwrap();
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(5))).unwrap();
    }
    agent_mut(&mut net, a).set_role(true);
    exchange_credentials(&mut net, a, b);
    gather(&mut net, &[a, b]);
    Lan {
        net,
        _guard: guard,
        a,
        b,
    }
}

#[test]
fn a_peer_resolves_our_published_names_and_connects() {
    let mut lan = lan();
    let (a, b) = (lan.a, lan.b);
    let lines: Vec<String> = peer(&lan.net, b)
        .candidates
        .iter()
        .map(|c| c.to_sdp_string())
        .collect();
    assert_eq!(
        lines.len(),
        3,
        "UDP host, TCP passive, TCP active: {lines:?}"
    );
    let names = agent(&lan.net, b).local_mdns_names().to_vec();
    assert_eq!(names.len(), 1, "one name for the one address");
    let (name, addr) = &names[0];
    assert!(name.is_uuid_v4());
    assert_eq!(*addr, sa(B).ip());
    for line in &lines {
        assert!(line.contains(&name.to_string()), "{line}");
        assert!(!line.contains("10.0.0.2"), "the address leaks: {line}");
    }
    let now = lan.net.now();
    for line in &lines {
        agent_mut(&mut lan.net, a)
            .add_remote_candidate_str(now, line)
            .unwrap();
    }
    for c in peer(&lan.net, a).candidates.clone() {
        agent_mut(&mut lan.net, b).add_remote_candidate(c);
    }
    let r = lan.net.run_until(
        |n| connected(n, a) && connected(n, b) && both_selected(n, a, b),
        Duration::from_secs(10),
    );
    r.unwrap_or_else(|e| {
        panic!(
            "{e}: a {:?} b {:?}",
            agent(&lan.net, a).counters(),
            agent(&lan.net, b).mdns_responder_stats()
        )
    });
    let resolver = agent(&lan.net, a);
    assert_eq!(resolver.remote_mdns_name(sa(B)), Some(name));
    assert_eq!(resolver.counters().mdns_resolved, 3);
    assert_eq!(resolver.selected_path(1).unwrap().1, sa(B));
    let stats = agent(&lan.net, b).mdns_responder_stats().unwrap();
    assert!(stats.queries_matched >= 1, "{stats:?}");
    assert!(stats.responses_sent >= 1, "{stats:?}");
    // Data flows.
    let now = lan.net.now();
    peer_mut(&mut lan.net, a).start_sending(now, ms(20));
    lan.net.run_for(Duration::from_secs(2)).unwrap();
    assert!(peer(&lan.net, b).received_numbers().len() > 20);
    let stats = agent(&lan.net, b).mdns_responder_stats().unwrap();
    assert_eq!(
        stats.announcements_sent, 2,
        "RFC 6762 §8.3: two announcements, 1 s apart"
    );
}

#[test]
fn closing_says_goodbye_for_the_names() {
    let mut lan = lan();
    let b = lan.b;
    lan.net.run_for(Duration::from_secs(3)).unwrap();
    agent_mut(&mut lan.net, b).close();
    let goodbyes = agent(&lan.net, b)
        .mdns_responder_stats()
        .unwrap()
        .goodbyes_sent;
    assert_eq!(goodbyes, 1);
}

#[allow(clippy::disallowed_methods)]
fn t0() -> Instant {
    Instant::now()
}

#[test]
fn the_server_reflexive_related_address_and_errors_reveal_nothing() {
    let stun: SocketAddr = "198.51.100.1:3478".parse().unwrap();
    let config = IceConfig {
        mdns_host_names: true,
        stun_servers: vec![stun, "198.51.100.2:3478".parse().unwrap()],
        ..IceConfig::default()
    };
    let mut agent = IceAgent::new(config, Rng::from_seed(4));
    agent.add_local_interface(sa("192.168.1.20:5000"));
    agent.add_mdns_socket(sa("0.0.0.0:5353"));
    let now = t0();
    agent.gather(now);
    let mut requests = Vec::new();
    let mut announced = 0;
    while let Some(t) = agent.poll_transmit() {
        if t.destination == stun {
            requests.push(t);
        } else if rtcpeer_mdns::is_mdns_group(t.destination) {
            announced += 1;
            assert_eq!(t.source, sa("0.0.0.0:5353"), "from the mDNS socket");
            let m = Message::decode(&t.contents).unwrap();
            assert!(
                m.answers
                    .iter()
                    .any(|r| r.data == RecordData::A("192.168.1.20".parse().unwrap()))
            );
        }
    }
    assert_eq!(announced, 1, "the first announcement goes at once");
    let request = rtcpeer_stun::Message::decode(&requests[0].contents).unwrap();
    let response = MessageBuilder::binding_success(request.transaction_id())
        .with(XorMappedAddress(sa("203.0.113.7:41000")))
        .fingerprint()
        .build()
        .unwrap();
    agent.handle_receive(
        now,
        Receive {
            protocol: Protocol::Udp,
            source: stun,
            destination: sa("192.168.1.20:5000"),
            contents: Bytes::from(response),
        },
    );
    // The other STUN server never answers.
    let mut now = now;
    while let Some(t) = agent.poll_timeout() {
        if t > now + Duration::from_secs(60) {
            break;
        }
        now = t;
        agent.handle_timeout(now);
    }
    let events: Vec<IceEvent> = std::iter::from_fn(|| agent.poll_event()).collect();
    let lines: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            IceEvent::LocalCandidate(c) => Some(c.to_sdp_string()),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines.iter().all(|l| !l.contains("192.168.1.20")),
        "{lines:?}"
    );
    let srflx = agent
        .local_candidates()
        .find(|c| c.candidate_type == CandidateType::ServerReflexive)
        .unwrap();
    assert_eq!(srflx.related_address, Some(sa("0.0.0.0:0")));
    assert!(lines[1].contains("raddr 0.0.0.0 rport 0"), "{}", lines[1]);
    let error = events
        .iter()
        .find_map(|e| match e {
            IceEvent::CandidateError { address, port, .. } => Some((*address, *port)),
            _ => None,
        })
        .unwrap();
    assert_eq!(error, (None, None), "W3C: no address when it is hidden");
    // The name answers a one-shot query sent to the group.
    let name: LocalName = agent.local_mdns_names()[0].0.clone();
    let query = rtcpeer_mdns::Message::query(
        7,
        vec![rtcpeer_mdns::Question::new(
            name.name().clone(),
            rtcpeer_mdns::RecordType::A,
        )],
    );
    agent.handle_receive(
        now,
        Receive {
            protocol: Protocol::Udp,
            source: sa("192.168.1.30:40000"),
            destination: "224.0.0.251:5353".parse().unwrap(),
            contents: Bytes::from(query.encode().unwrap()),
        },
    );
    let answer = std::iter::from_fn(|| agent.poll_transmit())
        .find(|t| t.destination == sa("192.168.1.30:40000"))
        .expect("a unicast answer to the one-shot querier");
    let m = Message::decode(&answer.contents).unwrap();
    assert_eq!(m.header.id, 7);
    assert_eq!(
        m.answers[0].data,
        RecordData::A("192.168.1.20".parse().unwrap())
    );
}
