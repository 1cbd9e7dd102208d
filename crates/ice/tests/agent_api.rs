//! The agent's API without a network: bad input is dropped and counted (never a panic),
//! credentials are validated, the relay policy and the TURN seam, the candidate pool, gathering
//! states and end-of-candidates, close.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use proptest::prelude::*;
use rtcpeer_ice::{
    Candidate, CandidateType, IceAgent, IceConfig, IceConnectionState, IceError, IceEvent,
    IceGatheringState, IceTransportPolicy, RelayCandidate, SendError,
};
use rtcpeer_stun::{IntegrityKey, Message, MessageBuilder, TransactionId};
use rtcpeer_types::{Protocol, Receive, Rng};

#[allow(clippy::disallowed_methods)]
fn t0() -> Instant {
    Instant::now()
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

const LOCAL: &str = "192.0.2.1:5000";
const REMOTE: &str = "192.0.2.2:6000";
const REMOTE_UFRAG: &str = "rmtU";
const REMOTE_PWD: &str = "remotepasswordremotepw";

/// A controlled agent with a host candidate, remote credentials and one remote candidate.
fn agent() -> IceAgent {
    let mut a = IceAgent::new(IceConfig::default(), Rng::from_seed(5));
    a.add_local_interface(sa(LOCAL));
    a.set_remote_credentials(REMOTE_UFRAG, REMOTE_PWD).unwrap();
    a.gather(t0());
    a.add_remote_candidate(Candidate::new(
        "1",
        1,
        Protocol::Udp,
        2_130_706_431,
        sa(REMOTE),
        CandidateType::Host,
    ));
    while a.poll_event().is_some() {}
    while a.poll_transmit().is_some() {}
    a
}

fn rx(from: &str, contents: Vec<u8>) -> Receive {
    Receive {
        protocol: Protocol::Udp,
        source: sa(from),
        destination: sa(LOCAL),
        contents: Bytes::from(contents),
    }
}

fn check(username: &str, key: &IntegrityKey, fingerprint: bool) -> Vec<u8> {
    let b = MessageBuilder::binding_request(TransactionId::new([4; 12]))
        .username(username)
        .priority(1_845_501_695)
        .ice_controlling(7)
        .message_integrity(key);
    let b = if fingerprint { b.fingerprint() } else { b };
    b.build().unwrap()
}

#[test]
fn a_valid_check_is_answered_with_the_mapped_address() {
    let mut a = agent();
    let ufrag = a.local_credentials().ufrag.clone();
    let key = IntegrityKey::short_term(&a.local_credentials().pwd.clone());
    let req = check(&format!("{ufrag}:{REMOTE_UFRAG}"), &key, true);
    a.handle_receive(t0(), rx(REMOTE, req));
    let t = a.poll_transmit().unwrap();
    assert_eq!((t.source, t.destination), (sa(LOCAL), sa(REMOTE)));
    let m = Message::decode(&t.contents).unwrap();
    assert_eq!(m.transaction_id(), TransactionId::new([4; 12]));
    assert_eq!(m.xor_mapped_address(), Some(sa(REMOTE)));
    assert!(m.verify_integrity(&key).is_ok());
    assert!(m.verify_fingerprint().is_ok());
    assert_eq!(a.counters().responses_sent, 1);
}

#[test]
fn bad_checks_are_dropped_and_counted() {
    let mut a = agent();
    let ufrag = a.local_credentials().ufrag.clone();
    let key = IntegrityKey::short_term(&a.local_credentials().pwd.clone());
    let wrong = IntegrityKey::short_term("not-the-password-at-all");
    let now = t0();
    // Wrong MESSAGE-INTEGRITY.
    a.handle_receive(
        now,
        rx(
            REMOTE,
            check(&format!("{ufrag}:{REMOTE_UFRAG}"), &wrong, true),
        ),
    );
    // Unknown ufrag.
    a.handle_receive(
        now,
        rx(REMOTE, check(&format!("nope:{REMOTE_UFRAG}"), &key, true)),
    );
    // No FINGERPRINT.
    a.handle_receive(
        now,
        rx(
            REMOTE,
            check(&format!("{ufrag}:{REMOTE_UFRAG}"), &key, false),
        ),
    );
    // Malformed STUN (a header announcing more than there is).
    let mut truncated = check(&format!("{ufrag}:{REMOTE_UFRAG}"), &key, true);
    truncated.truncate(30);
    a.handle_receive(now, rx(REMOTE, truncated));
    // A response nobody asked for.
    let stray = MessageBuilder::binding_success(TransactionId::new([9; 12]))
        .xor_mapped_address(sa(LOCAL))
        .fingerprint()
        .build()
        .unwrap();
    a.handle_receive(now, rx(REMOTE, stray));
    // Data from an unknown address.
    a.handle_receive(now, rx("203.0.113.99:1", vec![23, 0, 0]));
    // A TCP datagram.
    let mut tcp = rx(REMOTE, vec![23]);
    tcp.protocol = Protocol::Tcp;
    a.handle_receive(now, tcp);
    let c = *a.counters();
    assert_eq!(c.bad_integrity, 1);
    assert_eq!(c.unknown_username, 1);
    assert_eq!(c.bad_fingerprint, 1);
    assert_eq!(c.malformed_stun, 1);
    assert_eq!(c.unknown_transaction, 1);
    assert_eq!(c.unknown_source_data, 1);
    assert_eq!(c.unknown_destination, 1);
    assert_eq!(c.responses_sent, 0);
    assert!(a.poll_transmit().is_none(), "nothing answered");
    assert!(!std::iter::from_fn(|| a.poll_event()).any(|e| matches!(e, IceEvent::Data(_))));
}

#[test]
fn responses_from_the_wrong_address_fail_the_pair() {
    let mut a = agent();
    a.set_role(true);
    let now = t0();
    a.handle_timeout(now);
    let t = a.poll_transmit().expect("a check");
    let req = Message::decode(&t.contents).unwrap();
    let key = IntegrityKey::short_term(REMOTE_PWD);
    assert!(req.verify_integrity(&key).is_ok());
    assert_eq!(
        req.username(),
        Some(format!("{REMOTE_UFRAG}:{}", a.local_credentials().ufrag).as_str())
    );
    let resp = req
        .success_response()
        .xor_mapped_address(sa(LOCAL))
        .message_integrity(&key)
        .fingerprint()
        .build()
        .unwrap();
    a.handle_receive(now, rx("192.0.2.3:6000", resp));
    assert_eq!(a.counters().unexpected_address, 1);
    assert!(a.selected_path(1).is_none());
    assert_eq!(a.send(now, vec![23u8]), Err(SendError::NoUsablePair(1)));
}

#[test]
fn role_conflict_answered_with_487_by_the_bigger_tie_breaker() {
    let mut a = agent();
    a.set_role(true);
    a.set_tie_breaker(u64::MAX);
    let ufrag = a.local_credentials().ufrag.clone();
    let key = IntegrityKey::short_term(&a.local_credentials().pwd.clone());
    let req = check(&format!("{ufrag}:{REMOTE_UFRAG}"), &key, true);
    a.handle_receive(t0(), rx(REMOTE, req));
    let t = a.poll_transmit().unwrap();
    let m = Message::decode(&t.contents).unwrap();
    assert_eq!(m.error_code().map(|e| e.code), Some(487));
    assert_eq!(a.role(), rtcpeer_ice::IceRole::Controlling);
    // With the smaller tie-breaker the agent gives in and answers.
    let mut b = agent();
    b.set_role(true);
    b.set_tie_breaker(0);
    let ufrag = b.local_credentials().ufrag.clone();
    let key = IntegrityKey::short_term(&b.local_credentials().pwd.clone());
    b.handle_receive(
        t0(),
        rx(
            REMOTE,
            check(&format!("{ufrag}:{REMOTE_UFRAG}"), &key, true),
        ),
    );
    assert_eq!(b.role(), rtcpeer_ice::IceRole::Controlled);
    let m = b.poll_transmit().unwrap();
    assert!(
        Message::decode(&m.contents)
            .unwrap()
            .xor_mapped_address()
            .is_some()
    );
}

#[test]
fn credentials_are_validated() {
    let mut a = IceAgent::new(IceConfig::default(), Rng::from_seed(1));
    let c = a.local_credentials().clone();
    assert!(c.ufrag.len() >= 4 && c.pwd.len() >= 22);
    assert!(c.validate().is_ok());
    assert_eq!(
        a.set_remote_credentials("abc", REMOTE_PWD),
        Err(IceError::InvalidCredentials("ufrag"))
    );
    assert_eq!(
        a.set_remote_credentials("abcd", "short"),
        Err(IceError::InvalidCredentials("pwd"))
    );
    assert_eq!(
        a.set_local_credentials("ab:d", REMOTE_PWD),
        Err(IceError::InvalidCredentials("ufrag"))
    );
    assert!(a.set_local_credentials("Abcd", REMOTE_PWD).is_ok());
    assert_eq!(a.local_credentials().ufrag, "Abcd");
    assert!(!format!("{:?}", a.local_credentials()).contains(REMOTE_PWD));
}

#[test]
fn gathering_without_servers_completes_at_once() {
    let mut a = IceAgent::new(IceConfig::default(), Rng::from_seed(1));
    a.add_local_interface(sa("192.0.2.1:5000"));
    a.add_local_interface(sa("[2001:db8::1]:5000"));
    a.add_local_interface(sa("127.0.0.1:5000")); // loopback: skipped by default
    a.add_local_interface(sa("[fe80::1]:5000")); // link-local: skipped by default
    a.gather(t0());
    let events: Vec<_> = std::iter::from_fn(|| a.poll_event()).collect();
    let cands: Vec<&Candidate> = events
        .iter()
        .filter_map(|e| match e {
            IceEvent::LocalCandidate(c) => Some(&**c),
            _ => None,
        })
        .collect();
    assert_eq!(cands.len(), 2);
    assert!(
        cands
            .iter()
            .all(|c| c.candidate_type == CandidateType::Host)
    );
    assert!(cands[1].priority > cands[0].priority, "IPv6 preferred");
    assert_ne!(cands[0].foundation, cands[1].foundation);
    assert_eq!(
        cands[0].ufrag.as_deref(),
        Some(a.local_credentials().ufrag.as_str())
    );
    assert_eq!(
        &events[events.len() - 2..],
        [
            IceEvent::LocalEndOfCandidates,
            IceEvent::GatheringStateChange(IceGatheringState::Complete)
        ]
    );
    assert!(events.contains(&IceEvent::GatheringStateChange(
        IceGatheringState::Gathering
    )));
}

#[test]
fn srflx_gathering_retransmits_and_gives_up_after_39_5_s() {
    let config = IceConfig {
        stun_servers: vec![sa("198.51.100.1:3478")],
        ..IceConfig::default()
    };
    let mut a = IceAgent::new(config, Rng::from_seed(1));
    a.add_local_interface(sa("10.0.0.2:5000"));
    let start = t0();
    a.gather(start);
    let mut sent = Vec::new();
    let mut now = start;
    while a.gathering_state() != IceGatheringState::Complete {
        while let Some(t) = a.poll_transmit() {
            assert_eq!(t.destination, sa("198.51.100.1:3478"));
            sent.push((now - start).as_millis());
        }
        now = a.poll_timeout().expect("a timer while gathering");
        a.handle_timeout(now);
    }
    assert_eq!(sent, [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert_eq!((now - start).as_millis(), 39_500);
}

#[test]
fn relay_policy_gathers_only_relayed_candidates() {
    let config = IceConfig {
        transport_policy: IceTransportPolicy::Relay,
        stun_servers: vec![sa("198.51.100.1:3478")],
        expect_relay_candidates: true,
        ..IceConfig::default()
    };
    let mut a = IceAgent::new(config, Rng::from_seed(1));
    a.add_local_interface(sa("10.0.0.2:5000"));
    a.gather(t0());
    assert!(a.poll_transmit().is_none(), "no STUN to servers");
    assert_eq!(a.gathering_state(), IceGatheringState::Gathering);
    a.add_relay_candidate(RelayCandidate {
        component: 1,
        relayed: sa("198.51.100.7:49152"),
        mapped: sa("203.0.113.1:5000"),
        server: sa("198.51.100.7:3478"),
        server_transport: Protocol::Udp,
    });
    a.end_of_relay_candidates();
    let cands: Vec<Candidate> = std::iter::from_fn(|| a.poll_event())
        .filter_map(|e| match e {
            IceEvent::LocalCandidate(c) => Some(*c),
            _ => None,
        })
        .collect();
    assert_eq!(cands.len(), 1);
    assert_eq!(cands[0].candidate_type, CandidateType::Relayed);
    assert_eq!(cands[0].related_address, Some(sa("203.0.113.1:5000")));
    assert_eq!(cands[0].priority >> 24, 0);
    assert_eq!(a.gathering_state(), IceGatheringState::Complete);
    // Checks on the relayed candidate go out from the relayed address, for the TURN glue.
    a.set_remote_credentials(REMOTE_UFRAG, REMOTE_PWD).unwrap();
    a.add_remote_candidate(
        Candidate::parse("candidate:1 1 udp 2130706431 192.0.2.2 6000 typ host").unwrap(),
    );
    a.handle_timeout(t0());
    let t = a.poll_transmit().unwrap();
    assert_eq!(t.source, sa("198.51.100.7:49152"));
}

#[test]
fn candidate_pool_holds_candidates_until_gather() {
    let config = IceConfig {
        candidate_pool_size: 1,
        ..IceConfig::default()
    };
    let mut a = IceAgent::new(config, Rng::from_seed(1));
    a.add_local_interface(sa("192.0.2.1:5000"));
    a.pre_gather(t0());
    assert!(a.poll_event().is_none());
    assert_eq!(a.gathering_state(), IceGatheringState::New);
    assert_eq!(a.local_candidates().count(), 1);
    a.gather(t0());
    let events: Vec<_> = std::iter::from_fn(|| a.poll_event()).collect();
    assert!(matches!(events[0], IceEvent::LocalCandidate(_)));
    assert!(events.contains(&IceEvent::LocalEndOfCandidates));
}

#[test]
fn remote_candidates_that_cannot_be_used_are_ignored() {
    let mut a = agent();
    let before = a.remote_candidates().len();
    for line in [
        // RFC 6544 §4.5: a TCP candidate must say its tcptype.
        "candidate:1 1 tcp 1 192.0.2.9 9 typ host",
        "candidate:1 2 udp 1 192.0.2.9 9 typ host",
        "candidate:1 1 udp 1 192.0.2.9 9 typ host ufrag oldU",
        "candidate:1 1 udp 1 0.0.0.0 9 typ host",
    ] {
        a.add_remote_candidate(Candidate::parse(line).unwrap());
    }
    assert_eq!(a.remote_candidates().len(), before);
    assert_eq!(a.counters().ignored_candidates, 4);
}

#[test]
fn close_stops_everything() {
    let mut a = agent();
    a.close();
    assert_eq!(a.connection_state(), IceConnectionState::Closed);
    assert_eq!(
        a.poll_event(),
        Some(IceEvent::ConnectionStateChange(IceConnectionState::Closed))
    );
    assert_eq!(a.poll_timeout(), None);
    assert_eq!(a.send(t0(), vec![1u8]), Err(SendError::Closed));
    let key = IntegrityKey::short_term(&a.local_credentials().pwd.clone());
    let ufrag = a.local_credentials().ufrag.clone();
    a.handle_receive(
        t0(),
        rx(
            REMOTE,
            check(&format!("{ufrag}:{REMOTE_UFRAG}"), &key, true),
        ),
    );
    assert!(a.poll_transmit().is_none());
}

#[test]
fn poll_timeout_is_never_stuck_in_the_past() {
    // Drive a lone agent with remote candidates nobody answers until it gives up: every
    // deadline handled moves the agent on.
    let mut a = agent();
    a.set_role(true);
    a.end_of_remote_candidates();
    let mut now = t0();
    let mut steps = 0;
    while let Some(t) = a.poll_timeout() {
        assert!(steps < 10_000);
        if t > now {
            now = t;
        }
        a.handle_timeout(now);
        while a.poll_transmit().is_some() {}
        steps += 1;
    }
    assert_eq!(a.connection_state(), IceConnectionState::Failed);
    assert!(now - t0() < Duration::from_secs(60));
}

proptest! {
    #[test]
    fn arbitrary_datagrams_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        stun_header in any::<bool>(),
    ) {
        let mut a = agent();
        let mut bytes = bytes;
        if stun_header && bytes.len() >= 20 {
            // Make it look like STUN so it reaches the decoder.
            bytes[0] &= 0x3f;
            bytes[4..8].copy_from_slice(&0x2112_A442u32.to_be_bytes());
            let len = ((bytes.len() - 20) as u16) & !3;
            bytes[2..4].copy_from_slice(&len.to_be_bytes());
            bytes.truncate(20 + len as usize);
        }
        a.handle_receive(t0(), rx(REMOTE, bytes));
        let c = a.counters();
        prop_assert_eq!(c.responses_sent, 0);
    }
}

#[test]
fn agent_is_send() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<IceAgent>();
    assert_send::<IceEvent>();
}
