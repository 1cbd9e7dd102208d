//! RFC 4787 NAT behaviours through a `Network`: every mapping behaviour (probed with echo servers
//! like RFC 5780 tests), every filtering behaviour (probed by two external hosts), hairpinning,
//! mapping timeouts and refresh, nested NATs, multi-homed hosts.

mod support;

use std::time::Duration;

use rtcpeer_netsim::{
    DropReason, Echo, FilteringBehavior, HostId, MappingBehavior, MappingScope, NatConfig, NatId,
    Network, Place, Probe, TraceKind, Zone,
};
use support::*;

const EXT: &str = "203.0.113.1";

/// A NAT at 203.0.113.1 with one Probe inside at 10.0.0.2, echo servers at 192.0.2.10 and
/// 192.0.2.11, and Probes outside at 192.0.2.1 (`x`) and 198.51.100.1 (`y`). Every link 5 ms.
struct World {
    net: Network,
    nat: NatId,
    inside: HostId,
    x: HostId,
    y: HostId,
}

fn world(config: NatConfig) -> World {
    let mut net = Network::new(seed_for_test());
    let nat = net.add_nat("nat", Zone::Internet, config).unwrap();
    let inside = net
        .add_host("inside", Zone::Nat(nat), &[ip("10.0.0.2")], Probe::new())
        .unwrap();
    net.add_host("echo1", Zone::Internet, &[ip("192.0.2.10")], Echo::new())
        .unwrap();
    net.add_host("echo2", Zone::Internet, &[ip("192.0.2.11")], Echo::new())
        .unwrap();
    let x = net
        .add_host("x", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    let y = net
        .add_host("y", Zone::Internet, &[ip("198.51.100.1")], Probe::new())
        .unwrap();
    for h in [inside, x, y] {
        net.set_link(h, rtcpeer_netsim::LinkConditions::with_delay(ms(5)))
            .unwrap();
    }
    World {
        net,
        nat,
        inside,
        x,
        y,
    }
}

fn seed_for_test() -> u64 {
    rtcpeer_netsim::seed()
}

/// The server-reflexive address `inside` gets from the echo server at `server`.
fn reflexive(w: &mut World, from: &str, server: &str) -> std::net::SocketAddr {
    probe_mut(&mut w.net, w.inside).take_received();
    send_and_run(&mut w.net, w.inside, from, server, "who am i", ms(100));
    let got = probe_mut(&mut w.net, w.inside).take_received();
    assert_eq!(got.len(), 1, "one answer from {server}");
    Echo::decode(&got[0].1.contents).expect("echo reply")
}

#[test]
fn mapping_behaviours() {
    // (mapping, same for another port of the same server, same for another server)
    for (mapping, same_port_change, same_ip_change) in [
        (MappingBehavior::EndpointIndependent, true, true),
        (MappingBehavior::AddressDependent, true, false),
        (MappingBehavior::AddressAndPortDependent, false, false),
    ] {
        let config = NatConfig::new(ip(EXT), mapping, FilteringBehavior::EndpointIndependent);
        let mut w = world(config);
        let a = reflexive(&mut w, "10.0.0.2:5000", "192.0.2.10:3478");
        let b = reflexive(&mut w, "10.0.0.2:5000", "192.0.2.10:3479");
        let c = reflexive(&mut w, "10.0.0.2:5000", "192.0.2.11:3478");
        assert_eq!(a.ip(), ip(EXT));
        assert_eq!(a.port(), 5000, "the first mapping preserves the port");
        assert_eq!(a == b, same_port_change, "{mapping:?}");
        assert_eq!(a == c, same_ip_change, "{mapping:?}");
        // Asking again from the same place gives the same mapping.
        assert_eq!(reflexive(&mut w, "10.0.0.2:5000", "192.0.2.10:3478"), a);
        let expected = match mapping {
            MappingBehavior::EndpointIndependent => 1,
            MappingBehavior::AddressDependent => 2,
            MappingBehavior::AddressAndPortDependent => 3,
        };
        assert_eq!(w.net.nat_mappings(w.nat).len(), expected, "{mapping:?}");
        assert_eq!(
            w.net.nat_stats(w.nat).unwrap().mappings_created,
            expected as u64
        );
    }
}

#[test]
fn classic_nat_types() {
    let cases = [
        (NatConfig::full_cone(ip(EXT)), true, true),
        (NatConfig::restricted_cone(ip(EXT)), true, false),
        (NatConfig::port_restricted_cone(ip(EXT)), false, false),
        (NatConfig::symmetric(ip(EXT)), false, false),
    ];
    for (config, from_other_port, from_other_host) in cases {
        let name = format!("{:?}/{:?}", config.mapping, config.filtering);
        let mut w = world(config);
        // inside sends to x:1000, learning its mapped address from x's view.
        send_and_run(
            &mut w.net,
            w.inside,
            "10.0.0.2:5000",
            "192.0.2.1:1000",
            "hi",
            ms(100),
        );
        let mapped = sources(&w.net, w.x)[0];
        assert_eq!(mapped.ip(), ip(EXT));
        // x answers from the port inside sent to: always allowed.
        send_and_run(
            &mut w.net,
            w.x,
            "192.0.2.1:1000",
            &mapped.to_string(),
            "a",
            ms(100),
        );
        // x from another port, y from the same port number.
        send_and_run(
            &mut w.net,
            w.x,
            "192.0.2.1:2000",
            &mapped.to_string(),
            "b",
            ms(100),
        );
        send_and_run(
            &mut w.net,
            w.y,
            "198.51.100.1:1000",
            &mapped.to_string(),
            "c",
            ms(100),
        );
        let got: Vec<String> = probe(&w.net, w.inside)
            .received()
            .iter()
            .map(|(_, r)| String::from_utf8(r.contents.to_vec()).unwrap())
            .collect();
        let mut expected = vec!["a".to_owned()];
        if from_other_port {
            expected.push("b".into());
        }
        if from_other_host {
            expected.push("c".into());
        }
        assert_eq!(got, expected, "{name}");
        for (_, r) in probe(&w.net, w.inside).received() {
            assert_eq!(r.destination, sa("10.0.0.2:5000"), "translated back");
        }
        let filtered = 3 - expected.len() as u64;
        assert_eq!(
            w.net.nat_stats(w.nat).unwrap().dropped_filtered,
            filtered,
            "{name}"
        );
        assert_eq!(w.net.stats().dropped_nat_filter, filtered, "{name}");
    }
}

#[test]
fn unsolicited_inbound_has_no_mapping() {
    let mut w = world(NatConfig::full_cone(ip(EXT)));
    w.net.record_trace(true);
    send_and_run(
        &mut w.net,
        w.x,
        "192.0.2.1:1000",
        "203.0.113.1:5000",
        "knock",
        ms(100),
    );
    assert!(probe(&w.net, w.inside).received().is_empty());
    assert_eq!(w.net.nat_stats(w.nat).unwrap().dropped_no_mapping, 1);
    assert!(w.net.trace().iter().any(|e| matches!(
        e.kind,
        TraceKind::Dropped {
            place: Place::Nat(_),
            reason: DropReason::NatNoMapping,
            ..
        }
    )));
}

#[test]
fn mapping_view_lists_contacted_endpoints() {
    let mut w = world(NatConfig::port_restricted_cone(ip(EXT)));
    send_and_run(
        &mut w.net,
        w.inside,
        "10.0.0.2:5000",
        "192.0.2.1:1000",
        "1",
        ms(50),
    );
    send_and_run(
        &mut w.net,
        w.inside,
        "10.0.0.2:5000",
        "198.51.100.1:7",
        "2",
        ms(50),
    );
    let m = w.net.nat_mappings(w.nat);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].internal, sa("10.0.0.2:5000"));
    assert_eq!(m[0].external, sa("203.0.113.1:5000"));
    assert_eq!(m[0].scope, MappingScope::Any);
    assert_eq!(m[0].contacted, [sa("192.0.2.1:1000"), sa("198.51.100.1:7")]);
    assert!(m[0].expires > w.net.now());
}

/// Two hosts behind one NAT that learn their mapped addresses from an echo server, then send
/// to each other's mapped address.
fn hairpin(config: NatConfig) -> (Network, NatId, HostId, HostId, Vec<std::net::SocketAddr>) {
    let mut net = Network::new(seed_for_test());
    let nat = net.add_nat("nat", Zone::Internet, config).unwrap();
    let a = net
        .add_host("a", Zone::Nat(nat), &[ip("10.0.0.2")], Probe::new())
        .unwrap();
    let b = net
        .add_host("b", Zone::Nat(nat), &[ip("10.0.0.3")], Probe::new())
        .unwrap();
    net.add_host("echo", Zone::Internet, &[ip("192.0.2.10")], Echo::new())
        .unwrap();
    let mut mapped = Vec::new();
    for (h, from) in [(a, "10.0.0.2:5000"), (b, "10.0.0.3:6000")] {
        send_and_run(&mut net, h, from, "192.0.2.10:3478", "?", ms(10));
        let (_, r) = probe_mut(&mut net, h).take_received().pop().unwrap();
        mapped.push(Echo::decode(&r.contents).unwrap());
    }
    // Hole punching: each sends to the other's mapped address.
    probe_mut(&mut net, a).send_udp(sa("10.0.0.2:5000"), mapped[1], "from a");
    probe_mut(&mut net, b).send_udp(sa("10.0.0.3:6000"), mapped[0], "from b");
    net.run_for(ms(10)).unwrap();
    probe_mut(&mut net, a).send_udp(sa("10.0.0.2:5000"), mapped[1], "again from a");
    net.run_for(ms(10)).unwrap();
    (net, nat, a, b, mapped)
}

#[test]
fn hairpinning_translates_both_addresses() {
    for config in [
        NatConfig::full_cone(ip(EXT)),
        NatConfig::port_restricted_cone(ip(EXT)),
    ] {
        let (net, nat, a, b, mapped) = hairpin(config);
        let got = probe(&net, b).received();
        assert!(!got.is_empty());
        for (_, r) in got {
            // RFC 4787 REQ-9: the source is the sender's external mapping.
            assert_eq!(r.source, mapped[0]);
            assert_eq!(r.destination, sa("10.0.0.3:6000"));
        }
        assert!(!probe(&net, a).received().is_empty());
        assert!(net.nat_stats(nat).unwrap().hairpinned >= 2);
    }
    // Port-restricted: b's first datagram arrives only if b already sent to a's mapping, so
    // a's first "from a" (sent before b punched) is filtered; the second arrives.
    let (net, _, _, b, _) = hairpin(NatConfig::port_restricted_cone(ip(EXT)));
    let texts: Vec<_> = probe(&net, b)
        .received()
        .iter()
        .map(|(_, r)| r.contents.clone())
        .collect();
    assert_eq!(texts, ["again from a"]);
}

#[test]
fn hairpinning_off_drops() {
    let (net, nat, a, b, mapped) = hairpin(NatConfig::full_cone(ip(EXT)).hairpinning(false));
    assert_eq!(mapped[0], sa("203.0.113.1:5000"));
    assert!(probe(&net, a).received().is_empty());
    assert!(probe(&net, b).received().is_empty());
    let s = net.nat_stats(nat).unwrap();
    assert_eq!(s.dropped_hairpin, 3);
    assert_eq!(s.hairpinned, 0);
    assert_eq!(net.stats().dropped_nat, 3);
}

#[test]
fn hosts_on_one_lan_talk_directly() {
    let mut net = Network::new(seed_for_test());
    let nat = net
        .add_nat("nat", Zone::Internet, NatConfig::symmetric(ip(EXT)))
        .unwrap();
    let a = net
        .add_host("a", Zone::Nat(nat), &[ip("10.0.0.2")], Probe::new())
        .unwrap();
    let b = net
        .add_host("b", Zone::Nat(nat), &[ip("10.0.0.3")], Probe::new())
        .unwrap();
    send_and_run(&mut net, a, "10.0.0.2:1", "10.0.0.3:2", "lan", ms(10));
    assert_eq!(sources(&net, b), [sa("10.0.0.2:1")]);
    assert_eq!(net.nat_stats(nat).unwrap().translated_outbound, 0);
    // A private address of another realm is not reachable from outside it.
    let x = net
        .add_host("x", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    send_and_run(&mut net, x, "192.0.2.1:1", "10.0.0.3:2", "no", ms(10));
    assert_eq!(probe(&net, b).received().len(), 1);
    assert_eq!(net.stats().dropped_no_route, 1);
}

#[test]
fn mappings_time_out_without_keepalives() {
    let config = NatConfig::port_restricted_cone(ip(EXT)).mapping_lifetime(Duration::from_secs(30));
    let mut w = world(config);
    send_and_run(
        &mut w.net,
        w.inside,
        "10.0.0.2:5000",
        "192.0.2.1:1000",
        "open",
        Duration::from_secs(20),
    );
    let mapped = sources(&w.net, w.x)[0];
    send_and_run(
        &mut w.net,
        w.x,
        "192.0.2.1:1000",
        &mapped.to_string(),
        "in time",
        Duration::from_secs(20),
    );
    // 40 s after the last outbound datagram: expired (inbound did not refresh).
    send_and_run(
        &mut w.net,
        w.x,
        "192.0.2.1:1000",
        &mapped.to_string(),
        "too late",
        ms(100),
    );
    let texts: Vec<_> = probe(&w.net, w.inside)
        .received()
        .iter()
        .map(|(_, r)| r.contents.clone())
        .collect();
    assert_eq!(texts, ["in time"]);
    let s = w.net.nat_stats(w.nat).unwrap();
    assert_eq!(s.dropped_no_mapping, 1);
    assert_eq!(s.mappings_expired, 1);
    assert!(w.net.nat_mappings(w.nat).is_empty());
}

#[test]
fn keepalives_keep_mappings_alive() {
    let config = NatConfig::port_restricted_cone(ip(EXT)).mapping_lifetime(Duration::from_secs(30));
    let World {
        mut net, nat, x, ..
    } = world(config);
    // A keepalive every 15 s for 2 minutes, from a second host behind the NAT.
    let first = net.now();
    let ticker = Ticker::new(
        sa("10.0.0.9:5000"),
        sa("192.0.2.1:1000"),
        first,
        Duration::from_secs(15),
        9,
    );
    let k = net
        .add_host("keepalive", Zone::Nat(nat), &[ip("10.0.0.9")], ticker)
        .unwrap();
    net.run_for(Duration::from_secs(125)).unwrap();
    assert_eq!(probe(&net, x).received().len(), 9);
    let mapped = sources(&net, x)[0];
    assert!(
        sources(&net, x).iter().all(|&s| s == mapped),
        "one mapping throughout"
    );
    probe_mut(&mut net, x).send_udp(sa("192.0.2.1:1000"), mapped, "still open");
    net.run_for(ms(100)).unwrap();
    assert_eq!(net.endpoint::<Ticker>(k).unwrap().received.len(), 1);
    assert_eq!(net.nat_stats(nat).unwrap().mappings_created, 1);
}

#[test]
fn inbound_refresh_when_enabled() {
    for (refresh, delivered) in [(false, 2), (true, 5)] {
        let config = NatConfig::full_cone(ip(EXT))
            .mapping_lifetime(Duration::from_secs(30))
            .refresh_on_inbound(refresh);
        let mut w = world(config);
        send_and_run(
            &mut w.net,
            w.inside,
            "10.0.0.2:5000",
            "192.0.2.1:1000",
            "open",
            ms(10),
        );
        // x sends every 20 s; only inbound traffic after the first datagram.
        for _ in 0..5 {
            send_and_run(
                &mut w.net,
                w.x,
                "192.0.2.1:1000",
                "203.0.113.1:5000",
                "in",
                Duration::from_secs(20),
            );
        }
        assert_eq!(
            probe(&w.net, w.inside).received().len(),
            delivered,
            "refresh {refresh}"
        );
    }
}

#[test]
fn symmetric_nat_gets_a_new_port_after_expiry() {
    let config = NatConfig::symmetric(ip(EXT))
        .mapping_lifetime(Duration::from_secs(30))
        .port_assignment(rtcpeer_netsim::PortAssignment::Sequential)
        .ports(50000..=50100);
    let mut w = world(config);
    let a = reflexive(&mut w, "10.0.0.2:5000", "192.0.2.10:3478");
    let b = reflexive(&mut w, "10.0.0.2:5000", "192.0.2.10:3479");
    w.net.run_for(Duration::from_secs(60)).unwrap();
    let c = reflexive(&mut w, "10.0.0.2:5000", "192.0.2.10:3478");
    assert_eq!([a.port(), b.port(), c.port()], [50000, 50001, 50002]);
    assert_eq!(w.net.nat_stats(w.nat).unwrap().mappings_created, 3);
}

#[test]
fn nested_nats_translate_twice() {
    let mut net = Network::new(seed_for_test());
    let cgn = net
        .add_nat(
            "cgn",
            Zone::Internet,
            NatConfig::full_cone(ip("203.0.113.1")),
        )
        .unwrap();
    let home = net
        .add_nat(
            "home",
            Zone::Nat(cgn),
            NatConfig::port_restricted_cone(ip("100.64.0.2")),
        )
        .unwrap();
    let h = net
        .add_host("h", Zone::Nat(home), &[ip("192.168.1.2")], Probe::new())
        .unwrap();
    net.add_host("echo", Zone::Internet, &[ip("192.0.2.10")], Echo::new())
        .unwrap();
    net.set_link(home, rtcpeer_netsim::LinkConditions::with_delay(ms(3)))
        .unwrap();
    net.set_link(cgn, rtcpeer_netsim::LinkConditions::with_delay(ms(7)))
        .unwrap();
    net.record_trace(true);
    send_and_run(
        &mut net,
        h,
        "192.168.1.2:4000",
        "192.0.2.10:3478",
        "?",
        ms(100),
    );
    let got = probe(&net, h).received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        Echo::decode(&got[0].1.contents),
        Some(sa("203.0.113.1:4000"))
    );
    assert_eq!(got[0].1.source, sa("192.0.2.10:3478"));
    assert_eq!(got[0].0 - net.start(), ms(20), "3 + 7 each way");
    let translations = net
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Translated { .. }))
        .count();
    assert_eq!(translations, 4);
    assert_eq!(net.nat_mappings(home)[0].external, sa("100.64.0.2:4000"));
}

#[test]
fn multihomed_host_uses_the_interface_of_its_source() {
    let mut net = Network::new(seed_for_test());
    let nat = net
        .add_nat("nat", Zone::Internet, NatConfig::symmetric(ip(EXT)))
        .unwrap();
    let h = net
        .add_host("h", Zone::Nat(nat), &[ip("10.0.0.2")], Probe::new())
        .unwrap();
    let v6 = net
        .add_interface(h, Zone::Internet, &[ip("2001:db8::2")])
        .unwrap();
    assert_eq!(net.interfaces(h).len(), 2);
    assert_eq!(net.host_addrs(h), [ip("10.0.0.2"), ip("2001:db8::2")]);
    net.add_host(
        "echo",
        Zone::Internet,
        &[ip("192.0.2.10"), ip("2001:db8::10")],
        Echo::new(),
    )
    .unwrap();
    net.set_link(v6, rtcpeer_netsim::LinkConditions::with_delay(ms(1)))
        .unwrap();
    probe_mut(&mut net, h).send_udp(sa("10.0.0.2:5000"), sa("192.0.2.10:3478"), "v4");
    probe_mut(&mut net, h).send_udp(sa("[2001:db8::2]:5000"), sa("[2001:db8::10]:3478"), "v6");
    net.run_for(ms(100)).unwrap();
    let mut seen: Vec<_> = probe(&net, h)
        .received()
        .iter()
        .map(|(_, r)| Echo::decode(&r.contents).unwrap())
        .collect();
    seen.sort();
    assert_eq!(seen[1], sa("[2001:db8::2]:5000"), "IPv6 is not translated");
    assert_eq!(seen[0].ip(), ip(EXT));
    // An IPv6 datagram into the IPv4 NAT's zone has no route out.
    let inside_v6 = net
        .add_host("v6-inside", Zone::Nat(nat), &[ip("fd00::2")], Probe::new())
        .unwrap();
    send_and_run(
        &mut net,
        inside_v6,
        "[fd00::2]:1",
        "[2001:db8::10]:3478",
        "x",
        ms(10),
    );
    assert_eq!(net.stats().dropped_no_route, 1);
}
