//! The virtual clock: it jumps straight to the next event, runs stop where they should, and an
//! hour of simulated traffic takes no real waiting.

mod support;

use std::time::Duration;

use rtcpeer_netsim::{Echo, Endpoint, LinkConditions, Network, Probe, RunError, Zone};
use rtcpeer_types::{Receive, Transmit};
use support::*;

#[test]
fn an_hour_of_virtual_time() {
    let mut net = Network::new(rtcpeer_netsim::seed());
    let start = net.now();
    // One datagram per second for an hour to an echo server 25 ms away.
    let t = Ticker::new(
        sa("192.0.2.1:1"),
        sa("192.0.2.2:7"),
        start + Duration::from_secs(1),
        Duration::from_secs(1),
        3600,
    );
    let h = net
        .add_host("ticker", Zone::Internet, &[ip("192.0.2.1")], t)
        .unwrap();
    net.add_host("echo", Zone::Internet, &[ip("192.0.2.2")], Echo::new())
        .unwrap();
    net.set_link(h, LinkConditions::with_delay(Duration::from_micros(12_500)))
        .unwrap();
    let mut steps = 0u64;
    while net.step().unwrap() {
        steps += 1;
    }
    assert_eq!(net.elapsed(), Duration::from_secs(3600) + ms(25));
    let ticker = net.endpoint::<Ticker>(h).unwrap();
    assert_eq!(ticker.sent, 3600);
    assert_eq!(ticker.received.len(), 3600);
    for (i, (at, _)) in ticker.received.iter().enumerate() {
        assert_eq!(*at - start, Duration::from_secs(i as u64 + 1) + ms(25));
    }
    // The clock jumped from event to event: a timeout, two hops out, two back per second.
    assert!(steps <= 5 * 3600 + 1, "{steps} steps");
    assert_eq!(net.host_stats(h).unwrap().timeouts, 3600);
}

#[test]
fn run_for_ends_exactly_at_the_deadline() {
    let mut net = Network::new(1);
    net.run_for(Duration::from_secs(90)).unwrap();
    assert_eq!(net.elapsed(), Duration::from_secs(90));
    let a = net
        .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    net.add_host("b", Zone::Internet, &[ip("192.0.2.2")], Probe::new())
        .unwrap();
    net.set_link(a, LinkConditions::with_delay(ms(30))).unwrap();
    probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), "x");
    net.run_for(ms(20)).unwrap();
    assert_eq!(net.in_flight(), 1, "still on the wire at 20 ms");
    assert_eq!(net.elapsed(), Duration::from_secs(90) + ms(20));
    net.run_for(ms(20)).unwrap();
    assert_eq!(net.in_flight(), 0);
}

#[test]
fn run_until_reports_deadline_and_idle() {
    let mut net = Network::new(1);
    let a = net
        .add_host("a", Zone::Internet, &[ip("192.0.2.1")], Probe::new())
        .unwrap();
    let b = net
        .add_host("b", Zone::Internet, &[ip("192.0.2.2")], Probe::new())
        .unwrap();
    net.set_link(a, LinkConditions::with_delay(ms(100)))
        .unwrap();
    net.set_link(b, LinkConditions::with_delay(ms(100)))
        .unwrap();
    probe_mut(&mut net, a).send_udp(sa("192.0.2.1:1"), sa("192.0.2.2:1"), "x");
    let got = move |n: &mut Network| !probe(n, b).received().is_empty();
    assert_eq!(
        net.run_until(got, ms(150)),
        Err(RunError::Deadline { at: ms(150) })
    );
    assert_eq!(net.elapsed(), ms(150));
    // 100 ms up a's link, 100 ms down b's.
    net.run_until(got, net.now() + ms(100)).unwrap();
    assert_eq!(net.elapsed(), ms(200));
    // Nothing more will happen.
    let never = |_: &mut Network| false;
    assert_eq!(
        net.run_until(never, Duration::from_secs(5)),
        Err(RunError::Idle { at: ms(200) })
    );
    net.run_until_idle(Duration::from_secs(1)).unwrap();
}

#[test]
fn run_until_idle_times_out_with_periodic_timers() {
    let mut net = Network::new(1);
    let start = net.now();
    net.add_host(
        "t",
        Zone::Internet,
        &[ip("192.0.2.1")],
        Ticker::new(
            sa("192.0.2.1:1"),
            sa("192.0.2.9:1"),
            start,
            ms(10),
            u64::MAX,
        ),
    )
    .unwrap();
    assert_eq!(
        net.run_until_idle(ms(55)),
        Err(RunError::Deadline { at: ms(55) })
    );
    assert_eq!(net.stats().sent, 6);
    assert_eq!(net.stats().dropped_no_route, 6);
}

/// An endpoint that keeps asking for a timeout at the same instant, however often it fires.
struct Stuck(std::time::Instant);

impl Endpoint for Stuck {
    fn handle_receive(&mut self, _: std::time::Instant, _: Receive) {}
    fn handle_timeout(&mut self, _: std::time::Instant) {}
    fn poll_transmit(&mut self, _: std::time::Instant) -> Option<Transmit> {
        None
    }
    fn poll_timeout(&mut self) -> Option<std::time::Instant> {
        Some(self.0)
    }
}

#[test]
fn a_stuck_endpoint_is_reported_not_hung() {
    let mut net = Network::new(1);
    net.set_stall_limit(1000);
    let at = net.now();
    net.add_host("stuck", Zone::Internet, &[ip("192.0.2.1")], Stuck(at))
        .unwrap();
    match net.run_for(Duration::from_secs(1)) {
        Err(RunError::Stalled { at, steps }) => {
            assert_eq!(at, Duration::ZERO);
            assert_eq!(steps, 1000);
        }
        other => panic!("expected a stall, got {other:?}"),
    }
}

/// Sends one datagram to `peer` at start, then answers everything it gets.
struct PingPong {
    me: std::net::SocketAddr,
    peer: std::net::SocketAddr,
    out: Vec<Transmit>,
    got: u64,
}

impl PingPong {
    fn new(me: &str, peer: &str, kick: bool) -> Self {
        let (me, peer) = (sa(me), sa(peer));
        let out = if kick {
            vec![rtcpeer_netsim::probe::udp(me, peer, "ping")]
        } else {
            Vec::new()
        };
        PingPong {
            me,
            peer,
            out,
            got: 0,
        }
    }
}

impl Endpoint for PingPong {
    fn handle_receive(&mut self, _: std::time::Instant, rx: Receive) {
        self.got += 1;
        self.out
            .push(rtcpeer_netsim::probe::udp(self.me, self.peer, rx.contents));
    }
    fn handle_timeout(&mut self, _: std::time::Instant) {}
    fn poll_transmit(&mut self, _: std::time::Instant) -> Option<Transmit> {
        self.out.pop()
    }
    fn poll_timeout(&mut self) -> Option<std::time::Instant> {
        None
    }
}

#[test]
fn zero_delay_ping_pong_is_a_stall() {
    for delay in [ms(0), ms(1)] {
        let mut net = Network::new(1);
        net.set_stall_limit(10_000);
        let a = net
            .add_host(
                "a",
                Zone::Internet,
                &[ip("192.0.2.1")],
                PingPong::new("192.0.2.1:1", "192.0.2.2:1", true),
            )
            .unwrap();
        net.add_host(
            "b",
            Zone::Internet,
            &[ip("192.0.2.2")],
            PingPong::new("192.0.2.2:1", "192.0.2.1:1", false),
        )
        .unwrap();
        net.set_link(a, LinkConditions::with_delay(delay)).unwrap();
        let result = net.run_for(Duration::from_secs(1));
        if delay.is_zero() {
            assert!(
                matches!(
                    result,
                    Err(RunError::Stalled {
                        at: Duration::ZERO,
                        ..
                    })
                ),
                "{result:?}"
            );
        } else {
            assert_eq!(result, Ok(()));
            // One round trip per 2 ms: a got its 500th answer at exactly 1 s.
            assert_eq!(net.endpoint::<PingPong>(a).unwrap().got, 500);
        }
    }
}
