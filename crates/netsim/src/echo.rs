//! [`Echo`]: a server endpoint that answers every datagram with the source address it saw, the
//! way a STUN binding server reports the server-reflexive address (RFC 8489 §2), in plain text.
//!
//! It stands in for a STUN server in the network's own tests; the STUN and TURN server endpoints
//! proper live with the STUN codec.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rtcpeer_types::{Receive, Transmit};

use crate::endpoint::Endpoint;

/// Replies to each datagram, from the address it arrived at, with the sender's address as text
/// (`"192.0.2.1:5000"`, `"[2001:db8::1]:5000"`).
#[derive(Debug, Default)]
pub struct Echo {
    replies: std::collections::VecDeque<Transmit>,
    answered: u64,
}

impl Echo {
    /// A new echo server.
    pub fn new() -> Self {
        Self::default()
    }

    /// The reply payload for a datagram from `source`.
    pub fn encode(source: SocketAddr) -> Bytes {
        Bytes::from(source.to_string())
    }

    /// The address in a reply payload, or `None` if it is not one.
    pub fn decode(payload: &[u8]) -> Option<SocketAddr> {
        std::str::from_utf8(payload).ok()?.parse().ok()
    }

    /// How many datagrams it answered.
    pub fn answered(&self) -> u64 {
        self.answered
    }
}

impl Endpoint for Echo {
    fn handle_receive(&mut self, _now: Instant, rx: Receive) {
        self.answered += 1;
        self.replies.push_back(rx.reply(Self::encode(rx.source)));
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.replies.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        for s in ["192.0.2.1:5000", "[2001:db8::1]:65535"] {
            let a: SocketAddr = s.parse().unwrap();
            assert_eq!(Echo::decode(&Echo::encode(a)), Some(a));
        }
        assert_eq!(Echo::decode(b"\xff\xfe"), None);
        assert_eq!(Echo::decode(b"not an address"), None);
    }
}
