//! The ICE-TCP side of the agent's API without a network (RFC 6544): which remote TCP
//! candidates are kept and paired, connections the agent asks for, refused, failed or timing
//! out, checks on an accepted connection answered and triggered on it whatever the stream's
//! splits (RFC 4571 framing), garbage on a connection dropped and counted.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use proptest::prelude::*;
use rtcpeer_ice::{
    Candidate, IceAgent, IceConfig, IceEvent, PairState, TcpCommand, TcpConnectionId, TcpType,
};
use rtcpeer_stun::{Class, IntegrityKey, Message, MessageBuilder, TransactionId};
use rtcpeer_types::{Protocol, Receive, Rng, Transmit};

#[allow(clippy::disallowed_methods)]
fn t0() -> Instant {
    Instant::now()
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

const LISTENER: &str = "192.0.2.1:443";
const REMOTE_UFRAG: &str = "rmtU";
const REMOTE_PWD: &str = "remotepasswordremotepw";

/// An agent with a TCP listener (passive and active candidates), the remote credentials, and
/// gathering done.
fn agent(now: Instant, controlling: bool) -> IceAgent {
    let mut a = IceAgent::new(IceConfig::default(), Rng::from_seed(9));
    a.add_local_tcp_listener(sa(LISTENER));
    a.set_role(controlling);
    a.set_remote_credentials(REMOTE_UFRAG, REMOTE_PWD).unwrap();
    a.gather(now);
    while a.poll_event().is_some() {}
    a
}

fn commands(a: &mut IceAgent) -> Vec<TcpCommand> {
    std::iter::from_fn(|| a.poll_tcp_command()).collect()
}

fn transmits(a: &mut IceAgent) -> Vec<Transmit> {
    std::iter::from_fn(|| a.poll_transmit()).collect()
}

/// Runs the agent's timers up to `until`.
fn run(a: &mut IceAgent, mut now: Instant, until: Instant) -> Instant {
    while let Some(t) = a.poll_timeout().filter(|&t| t <= until) {
        now = t.max(now);
        a.handle_timeout(now);
    }
    until.max(now)
}

#[test]
fn remote_tcp_candidates_are_kept_by_tcptype() {
    let now = t0();
    let mut a = agent(now, true);
    for line in [
        "candidate:1 1 tcp 1518280447 192.0.2.9 9 typ host tcptype active",
        "candidate:2 1 tcp 1518214911 192.0.2.9 8443 typ host tcptype passive",
        "candidate:3 1 tcp 1518149375 192.0.2.9 7000 typ host tcptype so",
        // Without a tcptype: unusable (RFC 6544 §4.5).
        "candidate:4 1 tcp 1518149375 192.0.2.9 7001 typ host",
        // Port 0 is only for active candidates.
        "candidate:5 1 tcp 1518149375 192.0.2.9 0 typ host tcptype passive",
    ] {
        a.add_remote_candidate(Candidate::parse(line).unwrap());
    }
    assert_eq!(a.remote_candidates().len(), 3);
    assert_eq!(a.counters().ignored_candidates, 2);
    // Only our active candidate with their passive one makes a pair (RFC 6544 §6.2; pairs with
    // our passive candidate are pruned, and we have no S-O candidate).
    let pairs: Vec<_> = a
        .candidate_pairs()
        .map(|p| (p.local.tcp_type, p.remote.tcp_type))
        .collect();
    assert_eq!(pairs, [(Some(TcpType::Active), Some(TcpType::Passive))]);
}

#[test]
fn a_check_opens_a_connection_and_a_timeout_fails_it() {
    let now = t0();
    let mut a = agent(now, true);
    a.add_remote_candidate(
        Candidate::parse("candidate:2 1 tcp 1518214911 192.0.2.9 8443 typ host tcptype passive")
            .unwrap(),
    );
    let now = run(&mut a, now, now + Duration::from_millis(100));
    let c = commands(&mut a);
    let [TcpCommand::Connect { id, local, remote }] = c[..] else {
        panic!("{c:?}");
    };
    assert_eq!(local, sa("192.0.2.1:0"), "from the active candidate's IP");
    assert_eq!(remote, sa("192.0.2.9:8443"));
    assert!(
        transmits(&mut a).is_empty(),
        "the check waits for the connection"
    );
    let state = |a: &IceAgent| a.candidate_pairs().next().map(|p| p.state);
    assert_eq!(state(&a), Some(PairState::InProgress));
    // No answer within the TCP timeout: the agent closes it and the pair fails.
    let now = run(&mut a, now, now + IceConfig::default().tcp_timeout);
    assert_eq!(commands(&mut a), [TcpCommand::Close { id }]);
    assert_eq!(state(&a), Some(PairState::Failed));
    assert_eq!(a.counters().tcp_connect_failures, 1);
    // The runtime's late success is answered with another close.
    a.handle_tcp_connected(now, id, sa("192.0.2.1:50000"));
    assert_eq!(commands(&mut a), [TcpCommand::Close { id }]);
    assert!(a.tcp_connections().is_empty());
}

#[test]
fn a_refused_connection_fails_the_pair_and_an_established_one_carries_the_check() {
    let now = t0();
    let mut a = agent(now, true);
    // Two foundations, so that neither pair waits frozen for the other.
    for port in [8443, 8444] {
        a.add_remote_candidate(
            Candidate::parse(&format!(
                "candidate:{port} 1 tcp 1518214911 192.0.2.9 {port} typ host tcptype passive"
            ))
            .unwrap(),
        );
    }
    let now = run(&mut a, now, now + Duration::from_millis(200));
    let mut ids: Vec<(SocketAddr, TcpConnectionId)> = commands(&mut a)
        .into_iter()
        .filter_map(|c| match c {
            TcpCommand::Connect { id, remote, .. } => Some((remote, id)),
            _ => None,
        })
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 2);
    a.handle_tcp_connect_failed(now, ids[0].1);
    assert_eq!(a.counters().tcp_connect_failures, 1);
    let local = sa("192.0.2.1:50123");
    a.handle_tcp_connected(now, ids[1].1, local);
    let t = transmits(&mut a);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].protocol, Protocol::Tcp);
    assert_eq!(
        (t[0].source, t[0].destination),
        (local, sa("192.0.2.9:8444"))
    );
    // RFC 4571: the length, then the Binding request.
    let len = usize::from(u16::from_be_bytes([t[0].contents[0], t[0].contents[1]]));
    assert_eq!(len, t[0].contents.len() - 2);
    let m = Message::decode(&t[0].contents[2..]).unwrap();
    assert_eq!(m.class(), Class::Request);
    assert!(m.ice_controlling().is_some());
    let mut states: Vec<_> = a
        .candidate_pairs()
        .map(|p| (p.remote.address.port(), p.state))
        .collect();
    states.sort_by_key(|s| s.0);
    assert_eq!(
        states,
        [(8443, PairState::Failed), (8444, PairState::InProgress)]
    );
}

/// A check from the peer for `a`, framed.
fn framed_check(a: &IceAgent, id: u8) -> Vec<u8> {
    let key = IntegrityKey::short_term(&a.local_credentials().pwd);
    let m = MessageBuilder::binding_request(TransactionId::new([id; 12]))
        .username(&format!("{}:{REMOTE_UFRAG}", a.local_credentials().ufrag))
        .priority(1_342_177_023)
        .ice_controlling(99)
        .message_integrity(&key)
        .fingerprint()
        .build()
        .unwrap();
    let mut out = (m.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(&m);
    out
}

fn on(stream: &[u8], local: SocketAddr, remote: SocketAddr) -> Receive {
    Receive {
        protocol: Protocol::Tcp,
        source: remote,
        destination: local,
        contents: Bytes::copy_from_slice(stream),
    }
}

proptest! {
    /// However the stream is cut, each check on an accepted connection is answered once on
    /// that connection, and the passive side's triggered check goes on it too (RFC 6544 §7.2).
    #[test]
    fn checks_on_an_accepted_connection_survive_any_split(cuts in proptest::collection::vec(any::<u16>(), 0..12)) {
        let now = t0();
        let mut a = agent(now, false);
        let remote = sa("198.51.100.4:61000");
        let id = a.handle_tcp_accepted(now, sa(LISTENER), remote).unwrap();
        let mut stream = framed_check(&a, 1);
        stream.extend_from_slice(&framed_check(&a, 2));
        let mut points: Vec<usize> = cuts.iter().map(|&c| usize::from(c) % (stream.len() + 1)).collect();
        points.extend([0, stream.len()]);
        points.sort_unstable();
        for w in points.windows(2) {
            a.handle_receive(now, on(&stream[w[0]..w[1]], sa(LISTENER), remote));
        }
        let t = transmits(&mut a);
        prop_assert!(t.iter().all(|t| t.protocol == Protocol::Tcp
            && (t.source, t.destination) == (sa(LISTENER), remote)));
        let messages: Vec<Message> = t.iter().map(|t| Message::decode(&t.contents[2..]).unwrap()).collect();
        let answered: Vec<TransactionId> = messages
            .iter()
            .filter(|m| m.class() == Class::SuccessResponse)
            .map(|m| m.transaction_id())
            .collect();
        prop_assert_eq!(answered, vec![TransactionId::new([1; 12]), TransactionId::new([2; 12])]);
        prop_assert_eq!(messages[0].xor_mapped_address(), Some(remote));
        // The triggered check follows at the next Ta tick, on the same connection.
        let _ = run(&mut a, now, now + Duration::from_millis(100));
        let t = transmits(&mut a);
        prop_assert_eq!(t.len(), 1);
        prop_assert_eq!((t[0].source, t[0].destination), (sa(LISTENER), remote));
        let m = Message::decode(&t[0].contents[2..]).unwrap();
        prop_assert_eq!(m.class(), Class::Request);
        // The peer became a peer-reflexive active candidate (the opposite of our passive one).
        let prflx = a.remote_candidates().iter().find(|c| c.address == remote).unwrap();
        prop_assert_eq!(prflx.tcp_type, Some(TcpType::Active));
        prop_assert_eq!(prflx.transport, Protocol::Tcp);
        prop_assert_eq!(a.tcp_connections(), vec![(id, sa(LISTENER), remote)]);
    }

    /// Garbage on a connection never panics: it is counted, and the connection stays usable.
    #[test]
    fn garbage_on_a_connection_is_dropped(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..8)) {
        let now = t0();
        let mut a = agent(now, false);
        let remote = sa("198.51.100.4:61000");
        a.handle_tcp_accepted(now, sa(LISTENER), remote).unwrap();
        for c in &chunks {
            a.handle_receive(now, on(c, sa(LISTENER), remote));
        }
        while a.poll_event().is_some() {}
        let _ = transmits(&mut a);
        // A different 5-tuple is nobody's connection.
        a.handle_receive(now, on(&[0, 1, 23], sa(LISTENER), sa("198.51.100.4:61001")));
        prop_assert!(a.counters().unknown_destination >= 1);
    }
}

#[test]
fn accepted_connections_need_a_passive_candidate_and_room() {
    let now = t0();
    let config = IceConfig {
        max_tcp_connections: 2,
        ..IceConfig::default()
    };
    let mut a = IceAgent::new(config, Rng::from_seed(3));
    a.add_local_tcp_listener(sa(LISTENER));
    a.gather(now);
    let remote = |p: u16| SocketAddr::from(([198, 51, 100, 4], p));
    assert!(
        a.handle_tcp_accepted(now, sa("192.0.2.1:444"), remote(1))
            .is_none()
    );
    let first = a.handle_tcp_accepted(now, sa(LISTENER), remote(1)).unwrap();
    assert!(
        a.handle_tcp_accepted(now, sa(LISTENER), remote(1))
            .is_none(),
        "same 5-tuple"
    );
    let second = a.handle_tcp_accepted(now, sa(LISTENER), remote(2)).unwrap();
    assert_ne!(first, second);
    assert!(
        a.handle_tcp_accepted(now, sa(LISTENER), remote(3))
            .is_none(),
        "full"
    );
    assert_eq!(a.counters().tcp_connections_refused, 3);
    a.handle_tcp_closed(now, first);
    assert!(
        a.handle_tcp_accepted(now, sa(LISTENER), remote(3))
            .is_some()
    );
    // Closing the agent closes every connection.
    a.close();
    let closed = commands(&mut a);
    assert_eq!(closed.len(), 2);
    assert!(closed.iter().all(|c| matches!(c, TcpCommand::Close { .. })));
    assert!(
        a.handle_tcp_accepted(now, sa(LISTENER), remote(4))
            .is_none()
    );
    assert!(matches!(
        std::iter::from_fn(|| a.poll_event()).last(),
        Some(IceEvent::ConnectionStateChange(_))
    ));
}

#[test]
fn ice_lite_and_relay_policy_limit_tcp_candidates() {
    let now = t0();
    let mut lite = IceAgent::new(
        IceConfig {
            ice_lite: true,
            ..IceConfig::default()
        },
        Rng::from_seed(1),
    );
    lite.add_local_tcp_listener(sa(LISTENER));
    lite.gather(now);
    let kinds: Vec<_> = lite.local_candidates().map(|c| c.tcp_type).collect();
    assert_eq!(
        kinds,
        [Some(TcpType::Passive)],
        "a lite agent never connects out"
    );
    let mut relay_only = IceAgent::new(
        IceConfig {
            transport_policy: rtcpeer_ice::IceTransportPolicy::Relay,
            ..IceConfig::default()
        },
        Rng::from_seed(1),
    );
    relay_only.add_local_tcp_listener(sa(LISTENER));
    relay_only.gather(now);
    assert_eq!(relay_only.local_candidates().count(), 0);
}
