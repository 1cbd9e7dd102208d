//! The 5-tuples candidate pairs run on: a UDP pair's local base and remote address, a TCP
//! pair's connection (RFC 6544 §7); matching what arrives to pairs, and sending STUN on a path
//! (a UDP datagram, wrapped by a TURN client when the base is relayed, or an RFC 4571 frame on
//! a TCP connection).

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rtcpeer_types::{Protocol, Receive, Transmit};

use crate::agent::IceAgent;

/// Where a pair's packets go: transport, local address, remote address.
pub(crate) type Path = (Protocol, SocketAddr, SocketAddr);

impl IceAgent {
    /// The path of a pair: for UDP its base and remote address, for TCP its established
    /// connection (`None` without one).
    pub(crate) fn pair_path(&self, p: usize) -> Option<Path> {
        let pair = self.pairs.get(p)?;
        let local = self.local.get(pair.local)?;
        let remote = self.remote.get(pair.remote)?;
        match local.cand.transport {
            Protocol::Udp => Some((Protocol::Udp, local.base, remote.address)),
            Protocol::Tcp | Protocol::Tls => {
                let (l, r) = self.tcp.path(pair.conn?)?;
                Some((Protocol::Tcp, l, r))
            }
        }
    }

    /// Whether a pair runs on the 5-tuple (`local`, `remote`), on whichever transport.
    pub(crate) fn pair_matches(&self, p: usize, local: SocketAddr, remote: SocketAddr) -> bool {
        self.pair_path(p)
            .is_some_and(|(_, l, r)| l == local && r == remote)
    }

    /// Whether a pair runs on this exact path.
    pub(crate) fn pair_on(
        &self,
        p: usize,
        protocol: Protocol,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> bool {
        self.pair_path(p) == Some((protocol, local, remote))
    }

    /// Records that something arrived on a pair's path; `false` if no pair has it.
    pub(crate) fn note_received(&mut self, now: Instant, rx: &Receive) -> bool {
        let (protocol, local, remote) = (rx.protocol, rx.destination, rx.source);
        // The selected pairs first: the common case in steady state.
        for p in self.selected.into_iter().flatten() {
            if self.pair_on(p, protocol, local, remote) {
                if let Some(pair) = self.pairs.get_mut(p) {
                    pair.last_received = Some(now);
                }
                return true;
            }
        }
        let mut found = false;
        for i in 0..self.pairs.len() {
            if self.pair_on(i, protocol, local, remote) {
                if let Some(pair) = self.pairs.get_mut(i) {
                    pair.last_received = Some(now);
                }
                found = true;
            }
        }
        found
    }

    /// Queues a STUN message as a UDP datagram.
    pub(crate) fn send_stun(&mut self, source: SocketAddr, destination: SocketAddr, bytes: Bytes) {
        self.send_stun_on(Protocol::Udp, source, destination, bytes);
    }

    /// Queues a STUN message on a path: a UDP datagram (through the TURN client of a relayed
    /// base), or a frame on the TCP connection with this 5-tuple (dropped if it is gone).
    pub(crate) fn send_stun_on(
        &mut self,
        protocol: Protocol,
        source: SocketAddr,
        destination: SocketAddr,
        bytes: Bytes,
    ) {
        match protocol {
            Protocol::Udp => self.queue_transmit(Transmit {
                protocol: Protocol::Udp,
                source,
                destination,
                contents: bytes,
            }),
            Protocol::Tcp | Protocol::Tls => {
                self.send_tcp(source, destination, &bytes);
            }
        }
    }
}
