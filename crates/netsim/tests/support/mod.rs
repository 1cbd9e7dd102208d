//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rtcpeer_netsim::{Endpoint, HostId, Network, Probe};
use rtcpeer_types::{Receive, Transmit};

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn probe(net: &Network, h: HostId) -> &Probe {
    net.endpoint::<Probe>(h).expect("host runs a Probe")
}

pub fn probe_mut(net: &mut Network, h: HostId) -> &mut Probe {
    net.endpoint_mut::<Probe>(h).expect("host runs a Probe")
}

/// Runs until `h` has received at least `n` datagrams (or fails the test).
pub fn run_until_received(net: &mut Network, h: HostId, n: usize, within: Duration) {
    net.run_until(move |net| probe(net, h).received().len() >= n, within)
        .unwrap_or_else(|e| {
            panic!(
                "{e}: host {h} got {} of {n}",
                probe(net, h).received().len()
            )
        });
}

/// Sends one datagram from `h` and runs `d` of virtual time.
pub fn send_and_run(
    net: &mut Network,
    h: HostId,
    from: &str,
    to: &str,
    payload: &str,
    d: Duration,
) {
    probe_mut(net, h).send_udp(sa(from), sa(to), payload.to_owned());
    net.run_for(d).unwrap();
}

/// The sources of everything `h` received.
pub fn sources(net: &Network, h: HostId) -> Vec<SocketAddr> {
    probe(net, h)
        .received()
        .iter()
        .map(|(_, r)| r.source)
        .collect()
}

/// An endpoint that sends `payload` from `source` to `destination` every `interval`, `count`
/// times, starting at `first`, and counts what it receives: the adapter shape a machine uses.
pub struct Ticker {
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub interval: Duration,
    pub next: Option<Instant>,
    pub remaining: u64,
    pub due: bool,
    pub sent: u64,
    pub received: Vec<(Instant, Receive)>,
    pub size: usize,
}

impl Ticker {
    pub fn new(
        source: SocketAddr,
        destination: SocketAddr,
        first: Instant,
        interval: Duration,
        count: u64,
    ) -> Self {
        Ticker {
            source,
            destination,
            interval,
            next: (count > 0).then_some(first),
            remaining: count,
            due: false,
            sent: 0,
            received: Vec::new(),
            size: 8,
        }
    }
}

impl Endpoint for Ticker {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        self.received.push((now, rx));
    }

    fn handle_timeout(&mut self, now: Instant) {
        if let Some(next) = self.next
            && now >= next
        {
            self.due = true;
            self.remaining -= 1;
            self.next = (self.remaining > 0).then(|| next + self.interval);
        }
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        if !std::mem::take(&mut self.due) {
            return None;
        }
        let mut payload = self.sent.to_be_bytes().to_vec();
        payload.resize(self.size.max(8), 0);
        self.sent += 1;
        Some(rtcpeer_netsim::probe::udp(
            self.source,
            self.destination,
            payload,
        ))
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.next
    }
}

/// The sequence number a [`Ticker`] put in a payload.
pub fn seq_of(payload: &[u8]) -> u64 {
    u64::from_be_bytes(payload[..8].try_into().unwrap())
}
