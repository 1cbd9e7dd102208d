//! [`Probe`]: a scriptable test endpoint that sends what it is told, when it is told, and records
//! everything it receives, including the events of the simulated TCP connections it is told to
//! open, accept and close.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rtcpeer_types::{Protocol, Receive, Transmit};

use crate::endpoint::Endpoint;
use crate::tcp::{TcpCommand, TcpEvent};

/// A test endpoint: queue datagrams to send now or at a given time, read what arrived.
#[derive(Debug, Default)]
pub struct Probe {
    now: VecDeque<Transmit>,
    scheduled: BTreeMap<(Instant, u64), Transmit>,
    seq: u64,
    received: Vec<(Instant, Receive)>,
    commands: VecDeque<TcpCommand>,
    tcp_events: Vec<(Instant, TcpEvent)>,
}

impl Probe {
    /// A probe with nothing to send.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a datagram to send at the next opportunity.
    pub fn send(&mut self, transmit: Transmit) {
        self.now.push_back(transmit);
    }

    /// Queues a UDP datagram from `source` to `destination`.
    pub fn send_udp(
        &mut self,
        source: SocketAddr,
        destination: SocketAddr,
        contents: impl Into<Bytes>,
    ) {
        self.send(udp(source, destination, contents));
    }

    /// Schedules a datagram to send at `at` (datagrams at the same instant keep their order).
    pub fn send_at(&mut self, at: Instant, transmit: Transmit) {
        self.scheduled.insert((at, self.seq), transmit);
        self.seq += 1;
    }

    /// Everything received so far, with its arrival time.
    pub fn received(&self) -> &[(Instant, Receive)] {
        &self.received
    }

    /// Takes everything received so far.
    pub fn take_received(&mut self) -> Vec<(Instant, Receive)> {
        std::mem::take(&mut self.received)
    }

    /// Queues a command for the simulated TCP.
    pub fn tcp(&mut self, command: TcpCommand) {
        self.commands.push_back(command);
    }

    /// The TCP events received so far, with their time.
    pub fn tcp_events(&self) -> &[(Instant, TcpEvent)] {
        &self.tcp_events
    }

    /// The bytes received so far on the TCP connection with this 5-tuple (as the probe sees
    /// it), concatenated.
    pub fn stream(&self, local: SocketAddr, remote: SocketAddr) -> Vec<u8> {
        self.received
            .iter()
            .filter(|(_, r)| {
                r.protocol == Protocol::Tcp && r.destination == local && r.source == remote
            })
            .flat_map(|(_, r)| r.contents.iter().copied())
            .collect()
    }

    /// Datagrams queued or scheduled but not sent yet.
    pub fn pending(&self) -> usize {
        self.now.len() + self.scheduled.len()
    }
}

/// A UDP [`Transmit`].
pub fn udp(source: SocketAddr, destination: SocketAddr, contents: impl Into<Bytes>) -> Transmit {
    Transmit {
        protocol: Protocol::Udp,
        source,
        destination,
        contents: contents.into(),
    }
}

impl Endpoint for Probe {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        self.received.push((now, rx));
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if let Some(t) = self.now.pop_front() {
            return Some(t);
        }
        let entry = self.scheduled.first_entry()?;
        if entry.key().0 <= now {
            Some(entry.remove())
        } else {
            None
        }
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.scheduled.keys().next().map(|&(at, _)| at)
    }

    fn poll_tcp_command(&mut self, _now: Instant) -> Option<TcpCommand> {
        self.commands.pop_front()
    }

    fn handle_tcp_event(&mut self, now: Instant, event: TcpEvent) {
        self.tcp_events.push((now, event));
    }
}
