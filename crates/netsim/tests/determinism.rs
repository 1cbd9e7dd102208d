//! Determinism: the same seed replays the same run event for event; another seed does not; the
//! seed helpers behave.

mod support;

use std::time::Duration;

use rtcpeer_netsim::{
    Echo, LinkConditions, Loss, NatConfig, Network, Probe, SeedGuard, TraceEvent, Zone, parse_seed,
};
use support::*;

/// A busy, impaired scenario: three tickers (two behind NATs), an echo server, jitter, bursty
/// loss, duplication and reordering. Returns its trace.
fn scenario(seed: u64) -> (Vec<TraceEvent>, rtcpeer_netsim::NetStats) {
    let mut net = Network::new(seed);
    net.record_trace(true);
    let nat1 = net
        .add_nat(
            "nat1",
            Zone::Internet,
            NatConfig::symmetric(ip("203.0.113.1")),
        )
        .unwrap();
    let nat2 = net
        .add_nat(
            "nat2",
            Zone::Internet,
            NatConfig::restricted_cone(ip("203.0.113.2")),
        )
        .unwrap();
    net.add_host("echo", Zone::Internet, &[ip("192.0.2.10")], Echo::new())
        .unwrap();
    let start = net.now();
    let cond = LinkConditions::with_delay(ms(20))
        .jitter(ms(10))
        .loss(Loss::bursty(0.1, 3.0))
        .duplicate(0.05)
        .reorder(0.05, ms(15));
    for (i, (zone, addr)) in [
        (Zone::Nat(nat1), "10.0.0.2"),
        (Zone::Nat(nat2), "10.0.0.2"),
        (Zone::Internet, "198.51.100.7"),
    ]
    .into_iter()
    .enumerate()
    {
        let t = Ticker::new(
            sa(&format!("{addr}:{}", 4000 + i)),
            sa("192.0.2.10:3478"),
            start + ms(i as u64),
            ms(7),
            300,
        );
        let h = net
            .add_host(&format!("t{i}"), zone, &[ip(addr)], t)
            .unwrap();
        net.set_link(h, cond.clone()).unwrap();
    }
    net.run_until_idle(Duration::from_secs(60)).unwrap();
    (net.take_trace(), net.stats())
}

#[test]
fn same_seed_same_trace() {
    let seed = rtcpeer_netsim::seed();
    let (a, sa_) = scenario(seed);
    let (b, sb) = scenario(seed);
    assert!(a.len() > 1000, "a busy trace ({} events)", a.len());
    assert_eq!(a, b);
    assert_eq!(sa_, sb);
    assert!(sa_.lost > 0 && sa_.duplicated > 0);
}

#[test]
fn different_seeds_different_traces() {
    let (a, _) = scenario(1);
    let (b, _) = scenario(2);
    assert_ne!(a, b);
}

#[test]
fn same_seed_same_trace_from_any_start_instant() {
    // The origin instant does not matter, only the seed.
    let run = |seed: u64, offset: Duration| {
        let start = Network::new(seed).now() + offset;
        let mut net = Network::with_start(seed, start);
        net.record_trace(true);
        let a = net
            .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
            .unwrap();
        net.add_host("b", Zone::Internet, &[ip("192.0.2.2")], Echo::new())
            .unwrap();
        net.set_link(
            a,
            LinkConditions::with_delay(ms(10))
                .jitter(ms(9))
                .loss(Loss::Random(0.2)),
        )
        .unwrap();
        for i in 0..200u32 {
            let at = start + ms(u64::from(i));
            probe_mut(&mut net, a).send_at(
                at,
                rtcpeer_netsim::probe::udp(
                    sa("192.0.2.1:1"),
                    sa("192.0.2.2:2"),
                    i.to_be_bytes().to_vec(),
                ),
            );
        }
        net.run_until_idle(Duration::from_secs(10)).unwrap();
        net.take_trace()
    };
    assert_eq!(run(99, Duration::ZERO), run(99, Duration::from_secs(12345)));
}

#[test]
fn forked_generators_follow_the_seed() {
    let mut a = Network::new(5);
    let mut b = Network::new(5);
    assert_eq!(a.fork_rng().u64(), b.fork_rng().u64());
    assert_ne!(
        Network::new(6).fork_rng().u64(),
        Network::new(5).fork_rng().u64()
    );
}

#[test]
fn seed_helpers() {
    assert_eq!(parse_seed("0x10"), Some(16));
    // NETSIM_SEED is read by seed(); when set, it is used as given.
    if let Ok(s) = std::env::var(rtcpeer_netsim::SEED_ENV) {
        assert_eq!(Some(rtcpeer_netsim::seed()), parse_seed(&s));
    }
    let g = SeedGuard::new(7);
    assert_eq!(g.seed(), 7);
    assert_eq!(Network::new(g.seed()).seed(), 7);
}

#[test]
fn a_panicking_test_still_drops_the_network_cleanly() {
    // The network's Drop prints the seed while panicking; it must not panic itself.
    let result = std::panic::catch_unwind(|| {
        let mut net = Network::new(31337);
        net.record_trace(true);
        let a = net
            .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
            .unwrap();
        probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.9:1"), "lost");
        net.run_for(ms(1)).unwrap();
        let _guard = SeedGuard::new(net.seed());
        panic!("test failure");
    });
    assert!(result.is_err());
}
