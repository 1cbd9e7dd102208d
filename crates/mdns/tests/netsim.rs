//! Resolver and responder talking across a simulated link (rtcpeer-netsim), with multicast
//! modelled by a hub host (see `support`): resolution by unicast, one-shot and multicast answers,
//! retransmission under loss, the lookup deadline, TTL expiry, goodbyes, malformed and foreign
//! answers, IPv6.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rtcpeer_mdns::{
    LocalName, Message, QueryId, RecordData, Resolver, ResolverConfig, ResolverEvent, Responder,
    ResponderConfig,
};
use rtcpeer_netsim::{Direction, HostId, LinkConditions, Loss, Network};
use rtcpeer_types::{Protocol, Transmit};
use support::*;

const MS: Duration = Duration::from_millis(1);
const S: Duration = Duration::from_secs(1);

struct Lan {
    net: Network,
    hub: HostId,
    /// Resolves.
    a: HostId,
    /// Publishes.
    b: HostId,
    /// A bystander that publishes other names.
    c: HostId,
    /// Sends whatever a test injects.
    d: HostId,
}

/// Four hosts and the hub on one link, 5 ms each way on every host link; A's resolver sends from
/// `resolver_port`.
fn lan_with(resolver: impl FnOnce(ResolverConfig) -> ResolverConfig, resolver_port: u16) -> Lan {
    let mut net = Network::new(rtcpeer_netsim::seed());
    let zone = rtcpeer_netsim::Zone::Internet;
    let ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].map(ip);
    let hub = net
        .add_host("hub", zone, &[ip(HUB_IP), ip(HUB_IP6)], Hub::new(&ips))
        .unwrap();
    let config = resolver(ResolverConfig::new(SocketAddr::new(ips[0], resolver_port)));
    let rng = net.fork_rng();
    let a = net
        .add_host(
            "a",
            zone,
            &[ips[0]],
            MdnsHost::resolver(Resolver::new(config, rng)),
        )
        .unwrap();
    let rng = net.fork_rng();
    let b = net
        .add_host(
            "b",
            zone,
            &[ips[1]],
            MdnsHost::responder(Responder::new(
                ResponderConfig::new(sa("10.0.0.2:5353")),
                rng,
            )),
        )
        .unwrap();
    let rng = net.fork_rng();
    let c = net
        .add_host(
            "c",
            zone,
            &[ips[2]],
            MdnsHost::responder(Responder::new(
                ResponderConfig::new(sa("10.0.0.3:5353")),
                rng,
            )),
        )
        .unwrap();
    let d = net
        .add_host("d", zone, &[ips[3]], MdnsHost::default())
        .unwrap();
    for h in [hub, a, b, c, d] {
        net.set_link(h, LinkConditions::with_delay(5 * MS)).unwrap();
    }
    Lan {
        net,
        hub,
        a,
        b,
        c,
        d,
    }
}

fn lan() -> Lan {
    lan_with(|c| c, 5353)
}

/// B publishes its address and the announcements settle.
fn publish_b(lan: &mut Lan) -> LocalName {
    let now = lan.net.now();
    let name = responder_mut(&mut lan.net, lan.b)
        .publish_address(now, ip("10.0.0.2"))
        .unwrap();
    lan.net.run_for(2 * S).unwrap();
    name
}

fn query(lan: &mut Lan, name: &LocalName) -> QueryId {
    let now = lan.net.now();
    let id = resolver_mut(&mut lan.net, lan.a).query(now, name).unwrap();
    host_mut(&mut lan.net, lan.a).collect_events(now);
    id
}

/// Runs until A has an event for `id`; returns it with the virtual time it came at.
fn wait_event(lan: &mut Lan, id: QueryId, within: Duration) -> (Instant, ResolverEvent) {
    let a = lan.a;
    let has = move |net: &mut Network| host(net, a).events.iter().any(|(_, e)| event_id(e) == id);
    lan.net
        .run_until(has, within)
        .unwrap_or_else(|e| panic!("no event for {id}: {e}"));
    host(&lan.net, lan.a)
        .events
        .iter()
        .find(|(_, e)| event_id(e) == id)
        .cloned()
        .unwrap()
}

fn event_id(e: &ResolverEvent) -> QueryId {
    match e {
        ResolverEvent::Resolved { id, .. } | ResolverEvent::Failed { id, .. } => *id,
        other => panic!("unexpected event {other:?}"),
    }
}

fn resolved_addrs(e: &ResolverEvent) -> Vec<IpAddr> {
    match e {
        ResolverEvent::Resolved { addrs, .. } => addrs.clone(),
        other => panic!("expected Resolved, got {other:?}"),
    }
}

#[test]
fn resolves_a_published_name_with_a_unicast_answer() {
    let mut lan = lan();
    let name = publish_b(&mut lan);
    // C publishes a name of its own and must stay silent.
    let now = lan.net.now();
    let c_name = responder_mut(&mut lan.net, lan.c)
        .publish_address(now, ip("10.0.0.3"))
        .unwrap();
    lan.net.run_for(2 * S).unwrap();
    let c_before = host(&lan.net, lan.c).responder.as_ref().unwrap().stats();

    let asked = lan.net.now();
    let id = query(&mut lan, &name);
    let (at, e) = wait_event(&mut lan, id, S);
    let took = at - asked;
    assert_eq!(resolved_addrs(&e), [ip("10.0.0.2")]);
    // Query A -> hub -> B (4 hops of 5 ms), unicast answer B -> A (2 hops).
    assert_eq!(took, 30 * MS);
    let answer = host(&lan.net, lan.a)
        .received
        .iter()
        .rev()
        .find(|(_, r)| r.source == sa("10.0.0.2:5353"))
        .map(|(_, r)| r.clone())
        .unwrap();
    assert_eq!(
        answer.destination,
        sa("10.0.0.1:5353"),
        "QU answer is unicast"
    );
    let stats = resolver_mut(&mut lan.net, lan.a).stats();
    assert_eq!(stats.queries_sent, 1);
    assert_eq!(stats.resolved, 1);
    assert_eq!(stats.malformed, 0);
    // C's announcements reached A, which did not cache a name nobody asked for.
    let now = lan.net.now();
    assert!(
        resolver_mut(&mut lan.net, lan.a)
            .lookup(now, &c_name)
            .is_empty()
    );
    assert!(
        host(&lan.net, lan.a)
            .received
            .iter()
            .any(|(_, r)| r.source == sa("10.0.0.3:5353"))
    );
    let c_after = host(&lan.net, lan.c).responder.as_ref().unwrap().stats();
    assert!(c_after.received > c_before.received, "C heard the query");
    assert_eq!(c_after.queries_matched, 0);
    assert_eq!(c_after.responses_sent, 0);
}

#[test]
fn one_shot_query_from_an_ephemeral_port_gets_a_legacy_answer() {
    let mut lan = lan_with(|c| c, 40_000);
    let name = publish_b(&mut lan);
    let asked = lan.net.now();
    let id = query(&mut lan, &name);
    let (_, e) = wait_event(&mut lan, id, S);
    assert_eq!(resolved_addrs(&e), [ip("10.0.0.2")]);
    let (_, answer) = host(&lan.net, lan.a)
        .received
        .iter()
        .find(|(t, _)| *t > asked)
        .cloned()
        .unwrap();
    assert_eq!(answer.source, sa("10.0.0.2:5353"));
    assert_eq!(answer.destination, sa("10.0.0.1:40000"));
    let m = Message::decode(&answer.contents).unwrap();
    assert_ne!(m.header.id, 0, "the one-shot query's random ID is repeated");
    assert_eq!(m.questions.len(), 2, "legacy answers repeat the questions");
    assert!(m.answers.iter().all(|r| r.ttl <= 10 && !r.cache_flush));
    // Legacy answers live 10 s in the cache.
    let now = lan.net.now();
    let r = resolver_mut(&mut lan.net, lan.a);
    assert_eq!(r.lookup(now + 9 * S, &name), [ip("10.0.0.2")]);
    assert!(r.lookup(now + 10 * S, &name).is_empty());
}

#[test]
fn retransmits_when_the_first_query_is_lost() {
    let mut lan = lan();
    let name = publish_b(&mut lan);
    let lossy = LinkConditions::with_delay(5 * MS).loss(Loss::Random(1.0));
    lan.net
        .set_link_direction(lan.a, Direction::Up, lossy)
        .unwrap();
    let asked = lan.net.now();
    let id = query(&mut lan, &name);
    lan.net.run_for(500 * MS).unwrap();
    lan.net
        .set_link(lan.a, LinkConditions::with_delay(5 * MS))
        .unwrap();
    let (at, e) = wait_event(&mut lan, id, 5 * S);
    let took = at - asked;
    assert_eq!(resolved_addrs(&e), [ip("10.0.0.2")]);
    // The retransmission at 1 s asks for a multicast answer: 4 hops there, 4 back via the hub.
    assert_eq!(took, S + 40 * MS);
    let stats = resolver_mut(&mut lan.net, lan.a).stats();
    assert_eq!(stats.queries_sent, 2);
    let b = host(&lan.net, lan.b).responder.as_ref().unwrap().stats();
    assert_eq!(b.responses_sent, 1);
}

#[test]
fn fails_at_the_deadline_after_three_queries() {
    let mut lan = lan();
    let name: LocalName = "0b0c3d5e-1111-4222-8333-444455556666.local"
        .parse()
        .unwrap();
    let asked = lan.net.now();
    let id = query(&mut lan, &name);
    let (at, e) = wait_event(&mut lan, id, 10 * S);
    let took = at - asked;
    assert_eq!(e, ResolverEvent::Failed { id, name });
    assert_eq!(took, 5 * S);
    assert_eq!(resolver_mut(&mut lan.net, lan.a).stats().queries_sent, 3);
    assert_eq!(resolver_mut(&mut lan.net, lan.a).poll_timeout(), None);
    // B heard them at 0, 1 and 3 s (plus 20 ms through the hub).
    let start = lan.net.start();
    let times: Vec<Duration> = host(&lan.net, lan.b)
        .received
        .iter()
        .map(|(t, _)| *t - start)
        .collect();
    assert_eq!(times, [20 * MS, S + 20 * MS, 3 * S + 20 * MS]);
    assert_eq!(
        lan.net.endpoint::<Hub>(lan.hub).unwrap().forwarded,
        3,
        "each query crossed the link once"
    );
}

#[test]
fn resolves_under_random_loss_duplication_and_jitter() {
    let mut lan = lan_with(|c| c.with_timeout(Duration::from_secs(31)), 5353);
    let mut names = Vec::new();
    for i in 0..20u8 {
        let now = lan.net.now();
        let (h, addr) = if i % 2 == 0 {
            (lan.b, ip("10.0.0.2"))
        } else {
            (lan.c, ip("10.0.0.3"))
        };
        let name = rtcpeer_mdns::random_local_name(&mut lan.net.fork_rng());
        responder_mut(&mut lan.net, h)
            .publish(now, name.clone(), addr)
            .unwrap();
        names.push((name, addr));
    }
    lan.net.run_for(3 * S).unwrap();
    let bad = LinkConditions::with_delay(5 * MS)
        .jitter(20 * MS)
        .loss(Loss::Random(0.1))
        .duplicate(0.1);
    for h in [lan.hub, lan.a, lan.b, lan.c] {
        lan.net.set_link(h, bad.clone()).unwrap();
    }
    let ids: Vec<(QueryId, &LocalName, IpAddr)> = names
        .iter()
        .map(|(n, addr)| (query(&mut lan, n), n, *addr))
        .collect();
    lan.net.run_for(40 * S).unwrap();
    let events = &host(&lan.net, lan.a).events;
    let mut resolved = 0;
    for (id, name, addr) in &ids {
        let mine: Vec<&ResolverEvent> = events
            .iter()
            .filter(|(_, e)| event_id(e) == *id)
            .map(|(_, e)| e)
            .collect();
        assert_eq!(mine.len(), 1, "exactly one event for {name}");
        if let ResolverEvent::Resolved { addrs, name: n, .. } = mine[0] {
            assert_eq!(n, *name);
            assert_eq!(addrs, &[*addr]);
            resolved += 1;
        }
    }
    let stats = resolver_mut(&mut lan.net, lan.a).stats();
    assert!(resolved >= 10, "only {resolved} of 20 resolved");
    assert!(
        stats.queries_sent > 20,
        "loss must have caused retransmissions"
    );
    assert_eq!(stats.resolved + stats.failed, 20);
}

#[test]
fn cached_addresses_expire_with_their_ttl() {
    let mut lan = lan();
    let now = lan.net.now();
    let mut config = ResponderConfig::new(sa("10.0.0.2:5353"));
    config.ttl = 3;
    let rng = lan.net.fork_rng();
    host_mut(&mut lan.net, lan.b).responder = Some(Responder::new(config, rng));
    let name = responder_mut(&mut lan.net, lan.b)
        .publish_address(now, ip("10.0.0.2"))
        .unwrap();
    lan.net.run_for(2 * S).unwrap();

    let id = query(&mut lan, &name);
    let (resolved_at, _) = wait_event(&mut lan, id, S);
    // A second query is answered from the cache, without sending.
    let again = query(&mut lan, &name);
    assert_ne!(again, id);
    let (at, e) = wait_event(&mut lan, again, S);
    assert_eq!(at, resolved_at);
    assert_eq!(resolved_addrs(&e), [ip("10.0.0.2")]);
    assert_eq!(resolver_mut(&mut lan.net, lan.a).stats().queries_sent, 1);

    let r = resolver_mut(&mut lan.net, lan.a);
    assert_eq!(r.lookup(resolved_at + 2 * S, &name), [ip("10.0.0.2")]);
    assert!(r.lookup(resolved_at + 3 * S, &name).is_empty());
    lan.net.run_for(3 * S).unwrap();
    let third = query(&mut lan, &name);
    wait_event(&mut lan, third, S);
    assert_eq!(resolver_mut(&mut lan.net, lan.a).stats().queries_sent, 2);
}

#[test]
fn goodbye_removes_the_name_after_a_second() {
    let mut lan = lan();
    let name = publish_b(&mut lan);
    let id = query(&mut lan, &name);
    wait_event(&mut lan, id, S);
    assert!(responder_mut(&mut lan.net, lan.b).unpublish(&name));
    lan.net.run_for(100 * MS).unwrap();
    let now = lan.net.now();
    let r = resolver_mut(&mut lan.net, lan.a);
    assert_eq!(r.lookup(now, &name), [ip("10.0.0.2")]);
    assert!(r.lookup(now + S, &name).is_empty());
    assert_eq!(
        host(&lan.net, lan.b)
            .responder
            .as_ref()
            .unwrap()
            .stats()
            .goodbyes_sent,
        1
    );
}

fn inject(lan: &mut Lan, from_port: u16, contents: Vec<u8>) {
    let t = Transmit {
        protocol: Protocol::Udp,
        source: SocketAddr::new(ip("10.0.0.4"), from_port),
        destination: sa("10.0.0.1:5353"),
        contents: contents.into(),
    };
    host_mut(&mut lan.net, lan.d).inject.push(t);
}

fn answer(name: &LocalName, data: RecordData) -> Message {
    Message::response(
        0,
        vec![rtcpeer_mdns::Record {
            name: name.name().clone(),
            class: rtcpeer_mdns::Class::IN,
            cache_flush: true,
            ttl: 120,
            data,
        }],
    )
}

#[test]
fn malformed_and_foreign_answers_are_counted_and_dropped() {
    let mut lan = lan();
    let name = publish_b(&mut lan);
    // Delay B's answer so the injected datagrams arrive first.
    lan.net
        .set_link(lan.b, LinkConditions::with_delay(200 * MS))
        .unwrap();
    let id = query(&mut lan, &name);
    let spoof = RecordData::A("10.9.9.9".parse().unwrap());
    let good = answer(&name, spoof.clone()).encode().unwrap();
    // Garbage, a truncated answer, an A record with a 3-byte RDATA.
    inject(&mut lan, 5353, b"\xff\xff".to_vec());
    inject(&mut lan, 5353, good[..good.len() - 2].to_vec());
    let mut short = good.clone();
    let n = short.len();
    short[n - 5] = 3;
    short.truncate(n - 1);
    inject(&mut lan, 5353, short);
    // Well-formed, but from the wrong port, with an error rcode, or a query.
    inject(&mut lan, 1234, good.clone());
    let mut rcode = answer(&name, spoof.clone());
    rcode.header.flags.0 |= 3;
    inject(&mut lan, 5353, rcode.encode().unwrap());
    let mut as_query = answer(&name, spoof);
    as_query.header.flags = rtcpeer_mdns::Flags::query();
    inject(&mut lan, 5353, as_query.encode().unwrap());

    let (_, e) = wait_event(&mut lan, id, 2 * S);
    assert_eq!(resolved_addrs(&e), [ip("10.0.0.2")]);
    let stats = resolver_mut(&mut lan.net, lan.a).stats();
    assert_eq!(stats.malformed, 3);
    assert!(stats.ignored >= 3, "{stats:?}");
    assert_eq!(stats.records_accepted, 1);
}

#[test]
fn resolves_both_families_over_ipv6() {
    let mut net = Network::new(rtcpeer_netsim::seed());
    let zone = rtcpeer_netsim::Zone::Internet;
    let a_ip = ip("fd00::1");
    let b_ip = ip("fd00::2");
    net.add_host(
        "hub",
        zone,
        &[ip(HUB_IP), ip(HUB_IP6)],
        Hub::new(&[a_ip, b_ip]),
    )
    .unwrap();
    let mut config = ResolverConfig::new(sa("[fd00::1]:5353"));
    config.unicast_response = false;
    let rng = net.fork_rng();
    let a = net
        .add_host(
            "a",
            zone,
            &[a_ip],
            MdnsHost::resolver(Resolver::new(config, rng)),
        )
        .unwrap();
    let rng = net.fork_rng();
    let b = net
        .add_host(
            "b",
            zone,
            &[b_ip],
            MdnsHost::responder(Responder::new(
                ResponderConfig::new(sa("[fd00::2]:5353")).with_announce(false),
                rng,
            )),
        )
        .unwrap();
    let now = net.now();
    let r = net
        .endpoint_mut::<MdnsHost>(b)
        .unwrap()
        .responder
        .as_mut()
        .unwrap();
    let name = r.publish_address(now, ip("192.168.7.2")).unwrap();
    r.publish(now, name.clone(), ip("fd00::2")).unwrap();
    let id = net
        .endpoint_mut::<MdnsHost>(a)
        .unwrap()
        .resolver
        .as_mut()
        .unwrap()
        .query(now, &name)
        .unwrap();
    net.run_until(|n| !host(n, a).events.is_empty(), S).unwrap();
    let (_, e) = &host(&net, a).events[0];
    assert_eq!(
        e,
        &ResolverEvent::Resolved {
            id,
            name,
            addrs: vec![ip("192.168.7.2"), ip("fd00::2")]
        }
    );
    // The multicast answer went to the IPv6 group.
    let (_, rx) = host(&net, a).received.last().unwrap();
    assert_eq!(rx.destination, sa("[ff02::fb]:5353"));
}
