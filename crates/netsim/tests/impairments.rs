//! Link impairments end to end through a `Network`: delay, loss (random and bursty), jitter
//! reordering, explicit reordering, duplication, MTU, bandwidth and queue, TCP reliability.

mod support;

use std::time::Duration;

use rtcpeer_netsim::{
    Direction, DropReason, HostId, LinkConditions, Loss, Network, Probe, TraceKind, Zone,
};
use rtcpeer_types::{Protocol, Transmit};
use support::*;

/// Two hosts on the Internet: a Ticker at 192.0.2.1 sending `count` datagrams every `interval`
/// to a Probe at 192.0.2.2.
fn pair(seed: u64, interval: Duration, count: u64) -> (Network, HostId, HostId) {
    let mut net = Network::new(seed);
    let first = net.now() + interval;
    let tx = net
        .add_host(
            "tx",
            Zone::Internet,
            &[ip("192.0.2.1")],
            Ticker::new(
                sa("192.0.2.1:1000"),
                sa("192.0.2.2:2000"),
                first,
                interval,
                count,
            ),
        )
        .unwrap();
    let rx = net
        .add_host("rx", Zone::Internet, &[ip("192.0.2.2")], Probe::new())
        .unwrap();
    (net, tx, rx)
}

fn received_seqs(net: &Network, rx: HostId) -> Vec<u64> {
    probe(net, rx)
        .received()
        .iter()
        .map(|(_, r)| seq_of(&r.contents))
        .collect()
}

#[test]
fn delays_add_up_along_the_path() {
    let (mut net, tx, rx) = pair(1, ms(1), 1);
    net.set_link_direction(tx, Direction::Up, LinkConditions::with_delay(ms(20)))
        .unwrap();
    net.set_link_direction(rx, Direction::Down, LinkConditions::with_delay(ms(30)))
        .unwrap();
    run_until_received(&mut net, rx, 1, Duration::from_secs(1));
    // Sent at 1 ms, 20 ms up, 30 ms down.
    assert_eq!(probe(&net, rx).received()[0].0 - net.start(), ms(51));
    assert_eq!(net.elapsed(), ms(51));
}

#[test]
fn random_loss_rate_within_tolerance() {
    let n = 10_000;
    let (mut net, tx, rx) = pair(2024, ms(1), n);
    net.set_link(
        tx,
        LinkConditions::with_delay(ms(10)).loss(Loss::Random(0.05)),
    )
    .unwrap();
    net.run_until_idle(Duration::from_secs(60)).unwrap();
    let got = probe(&net, rx).received().len() as u64;
    let up = net.link_stats(tx, Direction::Up).unwrap();
    assert_eq!(up.sent, n);
    assert_eq!(up.lost + up.delivered, n);
    assert_eq!(up.delivered, got);
    let rate = up.lost as f64 / n as f64;
    assert!((rate - 0.05).abs() < 0.01, "loss rate {rate}");
    assert_eq!(net.stats().lost, up.lost);
    assert_eq!(net.stats().sent, n);
    assert_eq!(net.stats().delivered, got);
}

#[test]
fn bursty_loss_comes_in_runs() {
    let n = 20_000;
    let (mut net, tx, rx) = pair(77, ms(1), n);
    net.set_link(tx, LinkConditions::default().loss(Loss::bursty(0.05, 8.0)))
        .unwrap();
    net.run_until_idle(Duration::from_secs(60)).unwrap();
    let seqs = received_seqs(&net, rx);
    let mut gaps = Vec::new();
    let mut expect = 0;
    for s in seqs.iter().copied().chain([n]) {
        if s > expect {
            gaps.push(s - expect);
        }
        expect = s + 1;
    }
    let lost: u64 = gaps.iter().sum();
    let mean_gap = lost as f64 / gaps.len() as f64;
    let rate = lost as f64 / n as f64;
    assert!((rate - 0.05).abs() < 0.015, "loss rate {rate}");
    assert!(mean_gap > 5.0 && mean_gap < 11.0, "mean burst {mean_gap}");
}

#[test]
fn jitter_reorders_and_no_jitter_keeps_order() {
    for (jitter, reordered) in [(ms(0), false), (ms(20), true)] {
        let (mut net, tx, rx) = pair(5, ms(1), 1000);
        net.set_link(tx, LinkConditions::with_delay(ms(30)).jitter(jitter))
            .unwrap();
        net.run_until_idle(Duration::from_secs(10)).unwrap();
        let seqs = received_seqs(&net, rx);
        assert_eq!(seqs.len(), 1000, "jitter alone loses nothing");
        assert_eq!(
            seqs.windows(2).any(|w| w[1] < w[0]),
            reordered,
            "jitter {jitter:?}"
        );
        for (at, r) in probe(&net, rx).received() {
            let sent = net.start() + ms(1) * (seq_of(&r.contents) as u32 + 1);
            let d = *at - sent;
            assert!(d >= ms(10) && d <= ms(50), "delay {d:?}");
        }
    }
}

#[test]
fn reorder_probability_holds_datagrams_back() {
    let n = 5000;
    let (mut net, tx, rx) = pair(11, ms(1), n);
    net.set_link_direction(
        tx,
        Direction::Up,
        LinkConditions::with_delay(ms(5)).reorder(0.1, ms(3)),
    )
    .unwrap();
    net.run_until_idle(Duration::from_secs(10)).unwrap();
    let seqs = received_seqs(&net, rx);
    assert_eq!(seqs.len() as u64, n);
    let late = seqs.windows(2).filter(|w| w[1] < w[0]).count();
    let reordered = net.link_stats(tx, Direction::Up).unwrap().reordered;
    assert!(
        (reordered as f64 / n as f64 - 0.1).abs() < 0.02,
        "{reordered}"
    );
    assert!(
        late > 0 && late as u64 <= reordered,
        "{late} out of order, {reordered} held"
    );
}

#[test]
fn duplication_delivers_copies() {
    let n = 5000;
    let (mut net, tx, rx) = pair(3, ms(1), n);
    net.set_link(tx, LinkConditions::with_delay(ms(5)).duplicate(0.1))
        .unwrap();
    net.record_trace(true);
    net.run_until_idle(Duration::from_secs(10)).unwrap();
    let got = probe(&net, rx).received().len() as u64;
    let dup = net.link_stats(tx, Direction::Up).unwrap().duplicated;
    assert_eq!(got, n + dup);
    assert!((dup as f64 / n as f64 - 0.1).abs() < 0.02, "{dup}");
    let mut seqs = received_seqs(&net, rx);
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len() as u64, n, "every datagram arrived at least once");
    let traced = net
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Duplicated { .. }))
        .count() as u64;
    assert_eq!(traced, dup);
    assert_eq!(net.stats().duplicated, dup);
}

#[test]
fn mtu_drops_oversized_datagrams() {
    let mut net = Network::new(1);
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
    net.set_link(a, LinkConditions::default().mtu(1280))
        .unwrap();
    net.record_trace(true);
    let p = probe_mut(&mut net, a);
    // IPv4 + UDP headers are 28 bytes, IPv6 + UDP 48.
    p.send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), vec![4u8; 1252]);
    p.send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), vec![4u8; 1253]);
    p.send_udp(
        sa("[2001:db8::1]:1"),
        sa("[2001:db8::2]:1"),
        vec![6u8; 1232],
    );
    p.send_udp(
        sa("[2001:db8::1]:1"),
        sa("[2001:db8::2]:1"),
        vec![6u8; 1233],
    );
    net.run_until_idle(Duration::from_secs(1)).unwrap();
    let lens: Vec<usize> = probe(&net, b)
        .received()
        .iter()
        .map(|(_, r)| r.contents.len())
        .collect();
    assert_eq!(lens, [1252, 1232]);
    assert_eq!(net.link_stats(a, Direction::Up).unwrap().dropped_mtu, 2);
    assert_eq!(net.stats().dropped_mtu, 2);
    let drops = net
        .trace()
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TraceKind::Dropped {
                    reason: DropReason::Mtu,
                    ..
                }
            )
        })
        .count();
    assert_eq!(drops, 2);
}

#[test]
fn datagrams_too_big_for_ip_are_dropped_at_the_sender() {
    let mut net = Network::new(1);
    let a = net
        .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    let b = net
        .add_host("b", Zone::Internet, &[ip("192.0.2.2")], Probe::new())
        .unwrap();
    probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), vec![0u8; 65_508]);
    probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), vec![0u8; 65_507]);
    net.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(probe(&net, b).received().len(), 1);
    assert_eq!(net.stats().dropped_mtu, 1);
}

#[test]
fn bandwidth_shapes_throughput() {
    // 2 Mbit/s, 200 datagrams of 1250 bytes on the wire, all sent at once: 1 s to drain.
    let mut net = Network::new(9);
    let a = net
        .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    let b = net
        .add_host("b", Zone::Internet, &[ip("192.0.2.2")], Probe::new())
        .unwrap();
    net.set_link_direction(
        a,
        Direction::Up,
        LinkConditions::with_delay(ms(10)).bandwidth(2_000_000, 1_000_000),
    )
    .unwrap();
    let n = 200u64;
    for _ in 0..n {
        probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), vec![0u8; 1222]);
    }
    net.run_until_idle(Duration::from_secs(10)).unwrap();
    let got = probe(&net, b).received();
    assert_eq!(got.len() as u64, n);
    let last = got.last().unwrap().0 - net.start();
    // N bytes / bandwidth, plus the propagation delay.
    let expected = Duration::from_secs_f64((n * 1250 * 8) as f64 / 2e6) + ms(10);
    assert_eq!(last, expected);
    // Each datagram leaves 5 ms after the previous one.
    for (i, (at, _)) in got.iter().enumerate() {
        assert_eq!(*at - net.start(), ms(5) * (i as u32 + 1) + ms(10));
    }
    let up = net.link_stats(a, Direction::Up).unwrap();
    assert_eq!(up.bytes_delivered, n * 1250);
}

#[test]
fn full_queue_tail_drops() {
    let mut net = Network::new(9);
    let a = net
        .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    let b = net
        .add_host("b", Zone::Internet, &[ip("192.0.2.2")], Probe::new())
        .unwrap();
    // A queue of 10 datagrams of 1250 bytes.
    net.set_link(a, LinkConditions::default().bandwidth(1_000_000, 12_500))
        .unwrap();
    for i in 0..30u8 {
        probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), vec![i; 1222]);
    }
    net.run_until_idle(Duration::from_secs(10)).unwrap();
    let got: Vec<u8> = probe(&net, b)
        .received()
        .iter()
        .map(|(_, r)| r.contents[0])
        .collect();
    assert_eq!(
        got,
        (0..10).collect::<Vec<u8>>(),
        "the first ten fit, the tail is dropped"
    );
    assert_eq!(net.link_stats(a, Direction::Up).unwrap().dropped_queue, 20);
    assert_eq!(net.stats().dropped_queue, 20);
}

#[test]
fn directions_are_independent() {
    let mut net = Network::new(4);
    let a = net
        .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    let b = net
        .add_host("b", Zone::Internet, &[ip("192.0.2.2")], Probe::new())
        .unwrap();
    net.set_link_direction(
        a,
        Direction::Up,
        LinkConditions::default().loss(Loss::Random(1.0)),
    )
    .unwrap();
    assert_eq!(
        net.link_conditions(a, Direction::Up).unwrap().loss,
        Loss::Random(1.0)
    );
    assert_eq!(
        net.link_conditions(a, Direction::Down).unwrap().loss,
        Loss::None
    );
    for _ in 0..10 {
        probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), "x");
        probe_mut(&mut net, b).send_udp(sa("192.0.2.2:1"), sa("192.0.2.1:1"), "y");
    }
    net.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(probe(&net, b).received().len(), 0);
    assert_eq!(probe(&net, a).received().len(), 10);
}

#[test]
fn tcp_is_reliable_and_ordered_over_a_bad_link() {
    let mut net = Network::new(6);
    let a = net
        .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    let b = net
        .add_host("b", Zone::Internet, &[ip("192.0.2.2")], Probe::new())
        .unwrap();
    net.set_link(
        a,
        LinkConditions::with_delay(ms(20))
            .jitter(ms(15))
            .loss(Loss::Random(0.3))
            .duplicate(0.3)
            .mtu(576),
    )
    .unwrap();
    for i in 0..200u32 {
        probe_mut(&mut net, a).send(Transmit {
            protocol: Protocol::Tcp,
            source: sa("192.0.2.1:40000"),
            destination: sa("192.0.2.2:443"),
            contents: i.to_be_bytes().repeat(300).into(),
        });
    }
    net.run_until_idle(Duration::from_secs(10)).unwrap();
    let got: Vec<u32> = probe(&net, b)
        .received()
        .iter()
        .map(|(_, r)| u32::from_be_bytes(r.contents[..4].try_into().unwrap()))
        .collect();
    assert_eq!(got, (0..200).collect::<Vec<u32>>());
    assert!(
        probe(&net, b)
            .received()
            .iter()
            .all(|(_, r)| r.protocol == Protocol::Tcp)
    );
}
