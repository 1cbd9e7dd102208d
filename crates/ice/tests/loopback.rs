//! Two agents with host candidates on 127.0.0.1 over real UDP sockets: they connect, and the
//! test prints the time from `gather` to a nominated pair on both sides, in milliseconds and in
//! loopback round trips (measured first with a ping-pong on the same sockets). No timing
//! assertion: speed is reported, not asserted (`cargo test --test loopback -- --nocapture`).
#![allow(clippy::disallowed_methods)] // Real sockets need the real clock.

use std::io::ErrorKind;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_ice::{IceAgent, IceConfig, IceEvent};
use rtcpeer_types::{Protocol, Receive, Rng};

struct Side {
    agent: IceAgent,
    socket: UdpSocket,
}

impl Side {
    fn new(seed: u64) -> Side {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let config = IceConfig {
            include_loopback: true,
            ..IceConfig::default()
        };
        let mut agent = IceAgent::new(config, Rng::from_seed(seed));
        agent.add_local_interface(socket.local_addr().unwrap());
        Side { agent, socket }
    }

    /// Sends, receives and runs timers once; returns whether anything happened.
    fn pump(&mut self, other: &mut IceAgent) -> bool {
        let mut any = false;
        while let Some(t) = self.agent.poll_transmit() {
            any = true;
            self.socket.send_to(&t.contents, t.destination).unwrap();
        }
        let local = self.socket.local_addr().unwrap();
        let mut buf = [0u8; 2048];
        loop {
            match self.socket.recv_from(&mut buf) {
                Ok((n, from)) => {
                    any = true;
                    let rx = Receive {
                        protocol: Protocol::Udp,
                        source: from,
                        destination: local,
                        contents: Bytes::copy_from_slice(&buf[..n]),
                    };
                    self.agent.handle_receive(Instant::now(), rx);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => panic!("recv: {e}"),
            }
        }
        let now = Instant::now();
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
            any = true;
        }
        while let Some(e) = self.agent.poll_event() {
            match e {
                IceEvent::LocalCandidate(c) => other.add_remote_candidate(*c),
                IceEvent::LocalEndOfCandidates => other.end_of_remote_candidates(),
                _ => {}
            }
        }
        any
    }
}

/// The mean loopback round trip between two sockets, over `n` ping-pongs.
fn loopback_rtt(a: &UdpSocket, b: &UdpSocket, n: u32) -> Duration {
    let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    let mut buf = [0u8; 64];
    let recv = |s: &UdpSocket, buf: &mut [u8]| loop {
        match s.recv_from(buf) {
            Ok(_) => return,
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::hint::spin_loop(),
            Err(e) => panic!("recv: {e}"),
        }
    };
    let start = Instant::now();
    for _ in 0..n {
        a.send_to(b"ping", b_addr).unwrap();
        recv(b, &mut buf);
        b.send_to(b"pong", a_addr).unwrap();
        recv(a, &mut buf);
    }
    start.elapsed() / n
}

#[test]
fn time_to_nominated_pair_on_loopback() {
    let mut a = Side::new(1);
    let mut b = Side::new(2);
    let rtt = loopback_rtt(&a.socket, &b.socket, 200);
    a.agent.set_role(true);
    let (ca, cb) = (
        a.agent.local_credentials().clone(),
        b.agent.local_credentials().clone(),
    );
    a.agent.set_remote_credentials(&cb.ufrag, &cb.pwd).unwrap();
    b.agent.set_remote_credentials(&ca.ufrag, &ca.pwd).unwrap();
    let start = Instant::now();
    a.agent.gather(start);
    b.agent.gather(start);
    let deadline = start + Duration::from_secs(10);
    while a.agent.selected_pair(1).is_none() || b.agent.selected_pair(1).is_none() {
        assert!(Instant::now() < deadline, "no nominated pair within 10 s");
        let busy = a.pump(&mut b.agent) | b.pump(&mut a.agent);
        if !busy {
            std::thread::yield_now();
        }
    }
    let took = start.elapsed();
    assert!(a.agent.connection_state().is_connected());
    assert!(b.agent.connection_state().is_connected());
    assert_eq!(
        a.agent.selected_path(1),
        Some((
            a.socket.local_addr().unwrap(),
            b.socket.local_addr().unwrap()
        ))
    );
    // RFC 8445 §6.1.4.2 paces every check, the nomination included, by Ta: on loopback the
    // first check's round trip is microseconds, so one Ta is most of the time.
    let ta = a.agent.config().ta;
    let beyond_ta = took.saturating_sub(ta);
    println!(
        "loopback: nominated pair on both sides after {:.3} ms = {:.0} RTT (loopback RTT {:.1} µs); \
         that is Ta ({} ms) + {:.3} ms ({:.0} RTT); checks sent a {} b {}",
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() / rtt.as_secs_f64(),
        rtt.as_secs_f64() * 1e6,
        ta.as_millis(),
        beyond_ta.as_secs_f64() * 1e3,
        beyond_ta.as_secs_f64() / rtt.as_secs_f64(),
        a.agent.counters().checks_sent,
        b.agent.counters().checks_sent,
    );
}
