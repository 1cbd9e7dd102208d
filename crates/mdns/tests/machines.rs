//! The resolver's queries and the responder's answers, message by message (RFC 6762 §5-§10):
//! what goes out for each kind of query, and what is accepted or refused.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_mdns::{
    Class, LocalName, Message, PublishError, Question, Record, RecordData, RecordType,
    ResolveError, Resolver, ResolverConfig, ResolverEvent, Responder, ResponderConfig,
};
use rtcpeer_types::{Protocol, Receive, Rng, Transmit};

const S: Duration = Duration::from_secs(1);
const GROUP: &str = "224.0.0.251:5353";

#[allow(clippy::disallowed_methods)]
fn t0() -> Instant {
    Instant::now()
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn name() -> LocalName {
    "5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0.local"
        .parse()
        .unwrap()
}

fn rx(source: &str, destination: &str, m: &Message) -> Receive {
    Receive {
        protocol: Protocol::Udp,
        source: sa(source),
        destination: sa(destination),
        contents: Bytes::from(m.encode().unwrap()),
    }
}

fn drain(r: &mut Responder) -> Vec<(Transmit, Message)> {
    std::iter::from_fn(|| r.poll_transmit())
        .map(|t| {
            let m = Message::decode(&t.contents).unwrap();
            (t, m)
        })
        .collect()
}

fn responder(announce: bool) -> Responder {
    let config = ResponderConfig::new(sa("192.168.1.2:5353")).with_announce(announce);
    Responder::new(config, Rng::from_seed(5))
}

fn question(qtype: RecordType, qu: bool) -> Question {
    let mut q = Question::new(name().name().clone(), qtype);
    q.unicast_response = qu;
    q
}

fn addrs_of(m: &[Record]) -> Vec<IpAddr> {
    m.iter()
        .filter_map(|r| match r.data {
            RecordData::A(a) => Some(IpAddr::V4(a)),
            RecordData::Aaaa(a) => Some(IpAddr::V6(a)),
            RecordData::Other { .. } => None,
        })
        .collect()
}

#[test]
fn announces_twice_one_second_apart() {
    let t = t0();
    let mut r = responder(true);
    r.publish(t, name(), ip("192.168.1.2")).unwrap();
    let first = drain(&mut r);
    assert_eq!(first.len(), 1);
    let (tx, m) = &first[0];
    assert_eq!(tx.source, sa("192.168.1.2:5353"));
    assert_eq!(tx.destination, sa(GROUP));
    assert_eq!(m.header.id, 0);
    assert!(m.is_response() && m.header.flags.is_authoritative());
    assert!(m.questions.is_empty());
    assert_eq!(m.answers.len(), 1);
    assert!(m.answers[0].cache_flush);
    assert_eq!(m.answers[0].ttl, 120);
    assert_eq!(r.poll_timeout(), Some(t + S));
    r.handle_timeout(t + S / 2);
    assert!(drain(&mut r).is_empty());
    r.handle_timeout(t + S);
    assert_eq!(drain(&mut r).len(), 1);
    assert_eq!(r.poll_timeout(), None);
    assert_eq!(r.stats().announcements_sent, 2);
}

#[test]
fn answers_multicast_queries_by_multicast_once_a_second() {
    let t = t0();
    let mut r = responder(false);
    r.publish(t, name(), ip("192.168.1.2")).unwrap();
    assert!(drain(&mut r).is_empty(), "no announcement when turned off");
    let q = Message::query(0, vec![question(RecordType::A, false)]);
    r.handle_receive(t, &rx("192.168.1.9:5353", GROUP, &q));
    let out = drain(&mut r);
    assert_eq!(out.len(), 1);
    let (tx, m) = &out[0];
    assert_eq!(tx.destination, sa(GROUP));
    assert_eq!(m.header.id, 0);
    assert!(m.questions.is_empty());
    assert_eq!(addrs_of(&m.answers), [ip("192.168.1.2")]);
    // No AAAA: an NSEC in the additional section says so (RFC 6762 §6.2).
    assert_eq!(m.additionals.len(), 1);
    assert_eq!(m.additionals[0].rtype(), RecordType::NSEC);
    // Half a second later: rate-limited. A second later: answered again.
    r.handle_receive(t + S / 2, &rx("192.168.1.9:5353", GROUP, &q));
    assert!(drain(&mut r).is_empty());
    assert_eq!(r.stats().rate_limited, 1);
    r.handle_receive(t + S, &rx("192.168.1.9:5353", GROUP, &q));
    assert_eq!(drain(&mut r).len(), 1);
}

#[test]
fn answers_qu_questions_and_direct_queries_by_unicast() {
    let t = t0();
    let mut r = responder(true);
    r.publish(t, name(), ip("192.168.1.2")).unwrap();
    drain(&mut r);
    // Just announced, but a QU question is answered anyway, by unicast with the query's ID.
    let q = Message::query(77, vec![question(RecordType::A, true)]);
    r.handle_receive(t, &rx("192.168.1.9:5353", GROUP, &q));
    let out = drain(&mut r);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0.destination, sa("192.168.1.9:5353"));
    assert_eq!(out[0].0.source, sa("192.168.1.2:5353"));
    assert_eq!(out[0].1.header.id, 77);
    assert!(out[0].1.questions.is_empty());
    assert!(out[0].1.answers[0].cache_flush);
    // A QM query sent straight to our address (RFC 6762 §5.5) is also answered by unicast,
    // from the address it came to.
    let q = Message::query(0, vec![question(RecordType::A, false)]);
    r.handle_receive(t, &rx("192.168.1.9:5353", "192.168.1.2:5353", &q));
    let out = drain(&mut r);
    assert_eq!(out[0].0.destination, sa("192.168.1.9:5353"));
    assert_eq!(out[0].0.source, sa("192.168.1.2:5353"));
}

#[test]
fn answers_one_shot_queries_like_a_unicast_dns_server() {
    let t = t0();
    let mut r = responder(false);
    r.publish(t, name(), ip("192.168.1.2")).unwrap();
    r.publish(t, name(), ip("fe80::2")).unwrap();
    let q = Message::query(0xBEEF, vec![question(RecordType::AAAA, false)]);
    r.handle_receive(t, &rx("192.168.1.9:50000", GROUP, &q));
    let out = drain(&mut r);
    assert_eq!(out.len(), 1);
    let (tx, m) = &out[0];
    assert_eq!(tx.destination, sa("192.168.1.9:50000"));
    assert_eq!(m.header.id, 0xBEEF);
    assert_eq!(m.questions, q.questions);
    assert_eq!(addrs_of(&m.answers), [ip("fe80::2")]);
    assert_eq!(addrs_of(&m.additionals), [ip("192.168.1.2")]);
    for r in m.answers.iter().chain(&m.additionals) {
        assert!(!r.cache_flush);
        assert_eq!(r.ttl, 10);
    }
}

#[test]
fn missing_type_gets_an_nsec_answer_and_any_gets_everything() {
    let t = t0();
    let mut r = responder(false);
    r.publish(t, name(), ip("192.168.1.2")).unwrap();
    let q = Message::query(0, vec![question(RecordType::AAAA, true)]);
    r.handle_receive(t, &rx("192.168.1.9:5353", GROUP, &q));
    let (_, m) = drain(&mut r).remove(0);
    assert_eq!(m.answers.len(), 1);
    let nsec = &m.answers[0];
    assert_eq!(nsec.rtype(), RecordType::NSEC);
    // Next domain name = the name itself, uncompressed; bitmap window 0 with only A (type 1).
    let mut expected = name().name().as_wire().to_vec();
    expected.extend_from_slice(&[0, 0, 1, 0x40]);
    assert_eq!(
        nsec.data,
        RecordData::Other {
            rtype: RecordType::NSEC,
            data: Bytes::from(expected)
        }
    );
    assert_eq!(addrs_of(&m.additionals), [ip("192.168.1.2")]);
    // ANY on an IPv4-only name: the A record, and the NSEC in the additional section.
    let q = Message::query(0, vec![question(RecordType::ANY, true)]);
    r.handle_receive(t, &rx("192.168.1.9:5353", GROUP, &q));
    let (_, m) = drain(&mut r).remove(0);
    assert_eq!(addrs_of(&m.answers), [ip("192.168.1.2")]);
    assert_eq!(m.additionals.len(), 1);
    assert_eq!(m.additionals[0].data, nsec.data);

    r.publish(t, name(), ip("fd00::2")).unwrap();
    let q = Message::query(0, vec![question(RecordType::ANY, true)]);
    r.handle_receive(t, &rx("192.168.1.9:5353", GROUP, &q));
    let (_, m) = drain(&mut r).remove(0);
    assert_eq!(addrs_of(&m.answers), [ip("192.168.1.2"), ip("fd00::2")]);
    assert!(m.additionals.is_empty());
}

#[test]
fn known_answers_are_suppressed() {
    let t = t0();
    let mut r = responder(false);
    r.publish(t, name(), ip("192.168.1.2")).unwrap();
    let known = |ttl| Record {
        name: name().name().clone(),
        class: Class::IN,
        cache_flush: false,
        ttl,
        data: RecordData::A("192.168.1.2".parse().unwrap()),
    };
    let mut q = Message::query(0, vec![question(RecordType::A, false)]);
    q.answers.push(known(60));
    r.handle_receive(t, &rx("192.168.1.9:5353", GROUP, &q));
    assert!(drain(&mut r).is_empty());
    assert_eq!(r.stats().known_answers_suppressed, 1);
    // Less than half the TTL left: answered.
    q.answers[0] = known(59);
    r.handle_receive(t, &rx("192.168.1.9:5353", GROUP, &q));
    assert_eq!(drain(&mut r).len(), 1);
}

#[test]
fn ignores_other_names_classes_types_responses_and_garbage() {
    let t = t0();
    let mut r = responder(false);
    r.publish(t, name(), ip("192.168.1.2")).unwrap();
    let other: LocalName = "someone-else.local".parse().unwrap();
    let mut chaos = question(RecordType::A, false);
    chaos.qclass = Class(3);
    let queries = [
        Message::query(0, vec![Question::new(other.name().clone(), RecordType::A)]),
        Message::query(0, vec![chaos]),
        Message::query(0, vec![question(RecordType::TXT, false)]),
        Message::response(0, Vec::new()),
    ];
    for q in &queries {
        r.handle_receive(t, &rx("192.168.1.9:5353", GROUP, q));
    }
    r.handle_receive(
        t,
        &Receive {
            protocol: Protocol::Udp,
            source: sa("192.168.1.9:5353"),
            destination: sa(GROUP),
            contents: Bytes::from_static(
                b"\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c",
            ),
        },
    );
    assert!(drain(&mut r).is_empty());
    let s = r.stats();
    assert_eq!((s.received, s.malformed, s.ignored), (5, 1, 1));
    assert_eq!(s.queries_matched, 0);
    // Case does not matter.
    let upper = Name::parse(&name().to_string().to_uppercase()).unwrap();
    let q = Message::query(0, vec![Question::new(upper, RecordType::A)]);
    r.handle_receive(t, &rx("192.168.1.9:5353", GROUP, &q));
    assert_eq!(drain(&mut r).len(), 1);
}

use rtcpeer_mdns::Name;

#[test]
fn publishing_rules() {
    let t = t0();
    let mut config = ResponderConfig::new(sa("192.168.1.2:5353"));
    config.max_names = 2;
    let mut r = Responder::new(config, Rng::from_seed(9));
    let a = r.publish_address(t, ip("192.168.1.2")).unwrap();
    assert!(a.is_uuid_v4());
    assert_eq!(
        r.publish_address(t, ip("192.168.1.2")).unwrap(),
        a,
        "one name per address"
    );
    let b = r.publish_address(t, ip("192.168.1.3")).unwrap();
    assert_ne!(a, b);
    assert_eq!(
        r.publish_address(t, ip("192.168.1.4")),
        Err(PublishError::TooManyNames(2))
    );
    assert_eq!(
        r.publish(t, a.clone(), ip("0.0.0.0")),
        Err(PublishError::NotUnicast)
    );
    assert_eq!(
        r.publish(t, a.clone(), ip("224.0.0.1")),
        Err(PublishError::NotUnicast)
    );
    assert_eq!(r.addrs(&a), [ip("192.168.1.2")]);
    assert_eq!(r.name_for(ip("192.168.1.3")), Some(&b));
    drain(&mut r);
    // Unpublishing after announcements sends a goodbye with TTL 0.
    assert!(r.unpublish(&a));
    assert!(!r.unpublish(&a));
    let out = drain(&mut r);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1.answers[0].ttl, 0);
    assert!(r.addrs(&a).is_empty());
    // A name never multicast goes silently.
    let mut quiet = responder(false);
    quiet.publish(t, name(), ip("192.168.1.2")).unwrap();
    assert!(quiet.unpublish(&name()));
    assert!(drain(&mut quiet).is_empty());
}

// ---- resolver ------------------------------------------------------------------------------

fn resolver(source: &str) -> Resolver {
    Resolver::new(ResolverConfig::new(sa(source)), Rng::from_seed(3))
}

fn answer(records: Vec<Record>) -> Message {
    Message::response(0, records)
}

fn a_record(n: &Name, addr: &str, ttl: u32) -> Record {
    let data = match ip(addr) {
        IpAddr::V4(a) => RecordData::A(a),
        IpAddr::V6(a) => RecordData::Aaaa(a),
    };
    Record {
        name: n.clone(),
        class: Class::IN,
        cache_flush: true,
        ttl,
        data,
    }
}

#[test]
fn queries_ask_for_a_and_aaaa_with_qu_first_then_qm() {
    let t = t0();
    let mut r = resolver("192.168.1.9:5353");
    let id = r.query(t, &name()).unwrap();
    let first = r.poll_transmit().unwrap();
    assert!(r.poll_transmit().is_none());
    assert_eq!(first.source, sa("192.168.1.9:5353"));
    assert_eq!(first.destination, sa(GROUP));
    let m = Message::decode(&first.contents).unwrap();
    assert_eq!(m.header.id, 0, "port 5353 queries carry ID 0");
    assert!(!m.is_response());
    let types: Vec<RecordType> = m.questions.iter().map(|q| q.qtype).collect();
    assert_eq!(types, [RecordType::A, RecordType::AAAA]);
    assert!(
        m.questions
            .iter()
            .all(|q| q.unicast_response && q.qclass == Class::IN)
    );
    assert_eq!(r.poll_timeout(), Some(t + S));
    r.handle_timeout(t + S);
    let second = Message::decode(&r.poll_transmit().unwrap().contents).unwrap();
    assert!(second.questions.iter().all(|q| !q.unicast_response));
    assert_eq!(r.poll_timeout(), Some(t + 3 * S));
    // Same name while running: same lookup.
    assert_eq!(r.query(t + S, &name()).unwrap(), id);
    assert_eq!(r.pending(), 1);
    // One-shot queries from another port carry a non-zero random ID.
    let mut one_shot = resolver("192.168.1.9:40000");
    one_shot.query(t, &name()).unwrap();
    let m = Message::decode(&one_shot.poll_transmit().unwrap().contents).unwrap();
    assert_ne!(m.header.id, 0);
}

#[test]
fn accepts_answers_in_any_section_and_case_and_ignores_others() {
    let t = t0();
    let mut r = resolver("192.168.1.9:5353");
    let id = r.query(t, &name()).unwrap();
    r.poll_transmit();
    // Answers for another name, and an answer from a port that is not 5353: no effect.
    let other: LocalName = "other.local".parse().unwrap();
    let msg = answer(vec![a_record(other.name(), "10.0.0.9", 120)]);
    r.handle_receive(t, &rx("192.168.1.2:5353", "192.168.1.9:5353", &msg));
    let msg = answer(vec![a_record(name().name(), "10.6.6.6", 120)]);
    r.handle_receive(t, &rx("192.168.1.2:5354", "192.168.1.9:5353", &msg));
    // A goodbye (TTL 0) for the name does not answer the lookup.
    let msg = answer(vec![a_record(name().name(), "10.7.7.7", 0)]);
    r.handle_receive(t, &rx("192.168.1.2:5353", GROUP, &msg));
    assert!(r.poll_event().is_none());
    assert_eq!(r.stats().ignored, 1);
    // The AAAA record in the additional section, under an upper-case name.
    let upper = Name::parse(&name().to_string().to_uppercase()).unwrap();
    let mut msg = answer(Vec::new());
    msg.additionals.push(a_record(&upper, "fe80::2", 120));
    r.handle_receive(t, &rx("192.168.1.2:5353", GROUP, &msg));
    assert_eq!(
        r.poll_event(),
        Some(ResolverEvent::Resolved {
            id,
            name: name(),
            addrs: vec![ip("fe80::2")]
        })
    );
    assert_eq!(r.pending(), 0);
    assert_eq!(r.poll_timeout(), None);
    // A later A record joins the cached AAAA one.
    let msg = answer(vec![a_record(name().name(), "192.168.1.2", 120)]);
    r.handle_receive(t, &rx("192.168.1.2:5353", GROUP, &msg));
    assert_eq!(r.lookup(t, &name()), [ip("192.168.1.2"), ip("fe80::2")]);
}

#[test]
fn cancel_limits_and_missing_source() {
    let t = t0();
    let mut config = ResolverConfig::new(sa("192.168.1.9:5353"));
    config.max_lookups = 1;
    let mut r = Resolver::new(config.clone(), Rng::from_seed(1));
    let id = r.query(t, &name()).unwrap();
    assert_eq!(
        r.query(t, &"other.local".parse().unwrap()),
        Err(ResolveError::TooManyLookups(1))
    );
    assert!(r.cancel(id));
    assert!(!r.cancel(id));
    r.handle_timeout(t + 10 * S);
    assert!(r.poll_event().is_none(), "no event for a cancelled lookup");
    assert!(r.query(t, &"other.local".parse().unwrap()).is_ok());
    config.sources.clear();
    let mut r = Resolver::new(config, Rng::from_seed(1));
    assert_eq!(r.query(t, &name()), Err(ResolveError::NoSource));
}

#[test]
fn queries_go_out_on_every_source() {
    let t = t0();
    let config = ResolverConfig::new(sa("192.168.1.9:5353")).with_source(sa("[fe80::9%2]:5353"));
    let mut r = Resolver::new(config, Rng::from_seed(1));
    r.query(t, &name()).unwrap();
    let dests: Vec<SocketAddr> = std::iter::from_fn(|| r.poll_transmit())
        .map(|t| t.destination)
        .collect();
    assert_eq!(dests, [sa(GROUP), sa("[ff02::fb%2]:5353")]);
    assert_eq!(r.stats().queries_sent, 2);
}
