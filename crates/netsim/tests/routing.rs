//! Routing at the edges and topology setup: source checks, loopback, unspecified sources,
//! unknown destinations, family mismatches, and setup errors.

mod support;

use std::time::Duration;

use rtcpeer_netsim::{
    DropReason, HostId, LinkConditions, NatConfig, NatId, Network, Place, Probe, SetupError,
    TraceKind, Zone,
};
use rtcpeer_types::Protocol;
use support::*;

/// An empty port range (written so that clippy does not flag the literal).
fn empty_ports() -> std::ops::RangeInclusive<u16> {
    let (lo, hi) = (2000, 1000);
    lo..=hi
}

fn two_hosts() -> (Network, HostId, HostId) {
    let mut net = Network::new(8);
    let a = net
        .add_host(
            "a",
            Zone::Internet,
            &[ip("192.0.2.1"), ip("2001:db8::1")],
            Probe::new(),
        )
        .unwrap();
    let b = net
        .add_host(
            "b",
            Zone::Internet,
            &[ip("192.0.2.2"), ip("2001:db8::2")],
            Probe::new(),
        )
        .unwrap();
    (net, a, b)
}

#[test]
fn delivery_keeps_the_five_tuple() {
    let (mut net, a, b) = two_hosts();
    net.record_trace(true);
    send_and_run(
        &mut net,
        a,
        "192.0.2.1:1111",
        "192.0.2.2:2222",
        "hello",
        ms(1),
    );
    let got = probe(&net, b).received();
    assert_eq!(got.len(), 1);
    let r = &got[0].1;
    assert_eq!(
        (r.protocol, r.source, r.destination),
        (Protocol::Udp, sa("192.0.2.1:1111"), sa("192.0.2.2:2222"))
    );
    assert_eq!(&r.contents[..], b"hello");
    let kinds: Vec<_> = net
        .trace()
        .iter()
        .map(|e| std::mem::discriminant(&e.kind))
        .collect();
    assert_eq!(kinds.len(), 2, "sent and delivered");
    assert!(matches!(net.trace()[1].kind, TraceKind::Delivered { host, .. } if host == b));
    let s = net.host_stats(a).unwrap();
    assert_eq!((s.sent, s.received), (1, 0));
    assert_eq!(net.host_stats(b).unwrap().received, 1);
}

#[test]
fn unspecified_source_takes_the_first_address_of_its_family() {
    let (mut net, a, b) = two_hosts();
    send_and_run(&mut net, a, "0.0.0.0:7", "192.0.2.2:1", "v4", ms(1));
    send_and_run(&mut net, a, "[::]:7", "[2001:db8::2]:1", "v6", ms(1));
    assert_eq!(sources(&net, b), [sa("192.0.2.1:7"), sa("[2001:db8::1]:7")]);
}

#[test]
fn foreign_source_is_dropped() {
    let (mut net, a, b) = two_hosts();
    net.record_trace(true);
    send_and_run(&mut net, a, "192.0.2.2:1", "192.0.2.2:2", "spoof", ms(1));
    assert!(probe(&net, b).received().is_empty());
    assert_eq!(net.host_stats(a).unwrap().dropped_bad_source, 1);
    assert_eq!(net.stats().dropped_bad_source, 1);
    assert!(matches!(
        net.trace().last().unwrap().kind,
        TraceKind::Dropped { place: Place::Host(h), reason: DropReason::BadSource, .. } if h == a
    ));
}

#[test]
fn unknown_destination_and_family_mismatch_have_no_route() {
    let (mut net, a, b) = two_hosts();
    send_and_run(&mut net, a, "192.0.2.1:1", "192.0.2.99:1", "nobody", ms(1));
    send_and_run(
        &mut net,
        a,
        "192.0.2.1:1",
        "[2001:db8::2]:1",
        "mixed",
        ms(1),
    );
    send_and_run(
        &mut net,
        a,
        "192.0.2.1:1",
        "0.0.0.0:1",
        "unspecified",
        ms(1),
    );
    assert!(probe(&net, b).received().is_empty());
    assert_eq!(net.stats().dropped_no_route, 3);
}

#[test]
fn loopback_to_own_address() {
    let (mut net, a, _) = two_hosts();
    net.set_link(a, LinkConditions::with_delay(ms(50))).unwrap();
    send_and_run(&mut net, a, "192.0.2.1:1", "192.0.2.1:2", "self", ms(1));
    let got = probe(&net, a).received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, net.start(), "loopback does not cross the link");
}

#[test]
fn setup_errors() {
    let mut net = Network::new(1);
    let a = net
        .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    let used = SetupError::AddressInUse {
        addr: ip("192.0.2.1"),
        zone: Zone::Internet,
    };
    assert_eq!(
        net.add_host("b", Zone::Internet, &[ip("192.0.2.1")], Probe::new()),
        Err(used.clone())
    );
    assert_eq!(
        net.add_nat("n", Zone::Internet, NatConfig::full_cone(ip("192.0.2.1"))),
        Err(used)
    );
    assert_eq!(
        net.add_host("b", Zone::Internet, &[], Probe::new()),
        Err(SetupError::NoAddress)
    );
    assert_eq!(
        net.add_host("b", Zone::Internet, &[ip("0.0.0.0")], Probe::new()),
        Err(SetupError::NotUnicast(ip("0.0.0.0")))
    );
    assert_eq!(
        net.add_host("b", Zone::Internet, &[ip("224.0.0.1")], Probe::new()),
        Err(SetupError::NotUnicast(ip("224.0.0.1")))
    );
    assert_eq!(
        net.add_host(
            "b",
            Zone::Internet,
            &[ip("192.0.2.5"), ip("192.0.2.5")],
            Probe::new()
        ),
        Err(SetupError::AddressInUse {
            addr: ip("192.0.2.5"),
            zone: Zone::Internet
        })
    );
    let ghost = NatId::new(9);
    assert_eq!(
        net.add_host("b", Zone::Nat(ghost), &[ip("10.0.0.1")], Probe::new()),
        Err(SetupError::UnknownNat(ghost))
    );
    assert_eq!(
        net.add_nat(
            "n",
            Zone::Internet,
            NatConfig::full_cone(ip("203.0.113.1")).ports(empty_ports())
        ),
        Err(SetupError::EmptyPortRange)
    );
    let nat = net
        .add_nat("n", Zone::Internet, NatConfig::full_cone(ip("203.0.113.1")))
        .unwrap();
    // Its own external address cannot be inside; a host cannot have one address twice.
    assert!(
        net.add_host("x", Zone::Nat(nat), &[ip("203.0.113.1")], Probe::new())
            .is_err()
    );
    assert_eq!(
        net.add_interface(a, Zone::Nat(nat), &[ip("192.0.2.1")]),
        Err(SetupError::AddressInUse {
            addr: ip("192.0.2.1"),
            zone: Zone::Nat(nat)
        })
    );
    // The same private address in two realms is fine.
    let nat2 = net
        .add_nat(
            "n2",
            Zone::Internet,
            NatConfig::full_cone(ip("203.0.113.2")),
        )
        .unwrap();
    net.add_host("p", Zone::Nat(nat), &[ip("10.0.0.2")], Probe::new())
        .unwrap();
    net.add_host("q", Zone::Nat(nat2), &[ip("10.0.0.2")], Probe::new())
        .unwrap();
    let ghost_host = HostId::new(42);
    assert_eq!(
        net.add_interface(ghost_host, Zone::Internet, &[ip("192.0.2.77")]),
        Err(SetupError::UnknownHost(ghost_host))
    );
    assert_eq!(
        net.set_link(ghost_host, LinkConditions::default()),
        Err(SetupError::UnknownHost(ghost_host))
    );
    assert!(
        net.link_stats(ghost_host, rtcpeer_netsim::Direction::Up)
            .is_none()
    );
    assert!(net.endpoint::<Probe>(ghost_host).is_none());
    assert!(
        net.endpoint::<rtcpeer_netsim::Echo>(a).is_none(),
        "wrong type"
    );
    assert_eq!(net.host_name(a), Some("a"));
    assert_eq!(net.nat_name(nat), Some("n"));
    assert_eq!(net.nat_config(nat).unwrap().external, ip("203.0.113.1"));
}

#[test]
fn trace_hook_sees_every_event() {
    let (mut net, a, _) = two_hosts();
    let seen = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = seen.clone();
    net.set_trace_hook(move |e| {
        assert!(e.to_string().contains("HostId"));
        counter.set(counter.get() + 1);
    });
    for _ in 0..5 {
        probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), "x");
    }
    net.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(seen.get(), 10);
    net.clear_trace_hook();
    probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), "x");
    net.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(seen.get(), 10);
    assert!(net.trace().is_empty(), "recording was never switched on");
}
