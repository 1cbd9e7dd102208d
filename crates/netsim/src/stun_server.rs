//! [`StunServer`]: a simulated STUN binding server (RFC 8489 §3, §6.3) built on the
//! `rtcpeer-stun` codec, so ICE agents can discover server-reflexive candidates through
//! simulated NATs (RFC 8445 §5.1.1.2).
//!
//! It answers every Binding request it receives, on whatever address and port it arrived at,
//! with a Binding success response carrying XOR-MAPPED-ADDRESS (the source as the server saw it,
//! after any NAT) and FINGERPRINT. It keeps no state between requests (RFC 8489 §6.3.4: a
//! stateless server), uses no authentication, and drops and counts anything else: non-STUN
//! datagrams, malformed messages, indications, responses and requests of other methods.

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;
use rtcpeer_stun::{Class, ErrorCode, Message, Method};
use rtcpeer_types::{Receive, Transmit};

use crate::endpoint::Endpoint;

/// A stateless STUN Binding server endpoint.
#[derive(Debug, Default)]
pub struct StunServer {
    replies: VecDeque<Transmit>,
    answered: u64,
    dropped: u64,
    silent: bool,
}

impl StunServer {
    /// A server that answers Binding requests.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many Binding requests it answered.
    pub fn answered(&self) -> u64 {
        self.answered
    }

    /// How many datagrams it dropped (not STUN, malformed, or not a request it serves).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Stops (`true`) or resumes (`false`) answering, to simulate an unreachable server: requests
    /// that arrive while silent are counted as dropped.
    pub fn set_silent(&mut self, silent: bool) {
        self.silent = silent;
    }

    /// The response to one datagram, or `None` if it is to be dropped.
    fn answer(&self, rx: &Receive) -> Option<Vec<u8>> {
        let request = Message::decode(&rx.contents).ok()?;
        if request.class() != Class::Request {
            return None;
        }
        if request.method() != Method::BINDING {
            return request
                .error_response(ErrorCode::with_default_reason(ErrorCode::BAD_REQUEST))
                .fingerprint()
                .build()
                .ok();
        }
        if request.has_fingerprint() && request.verify_fingerprint().is_err() {
            return None;
        }
        request
            .success_response()
            .xor_mapped_address(rx.source)
            .fingerprint()
            .build()
            .ok()
    }
}

impl Endpoint for StunServer {
    fn handle_receive(&mut self, _now: Instant, rx: Receive) {
        match (!self.silent).then(|| self.answer(&rx)).flatten() {
            Some(reply) => {
                self.answered += 1;
                self.replies.push_back(rx.reply(Bytes::from(reply)));
            }
            None => self.dropped += 1,
        }
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
    use rtcpeer_stun::{MessageBuilder, TransactionId};
    use rtcpeer_types::Protocol;

    fn rx(contents: Vec<u8>) -> Receive {
        Receive {
            protocol: Protocol::Udp,
            source: "203.0.113.9:40000".parse().unwrap(),
            destination: "198.51.100.1:3478".parse().unwrap(),
            contents: Bytes::from(contents),
        }
    }

    #[allow(clippy::disallowed_methods)]
    fn now() -> Instant {
        Instant::now()
    }

    #[test]
    fn answers_binding_with_the_source_it_saw() {
        let mut s = StunServer::new();
        let id = TransactionId::new([7; 12]);
        let req = MessageBuilder::binding_request(id)
            .fingerprint()
            .build()
            .unwrap();
        s.handle_receive(now(), rx(req));
        let t = s.poll_transmit(now()).unwrap();
        assert_eq!(t.destination, "203.0.113.9:40000".parse().unwrap());
        assert_eq!(t.source, "198.51.100.1:3478".parse().unwrap());
        let m = Message::decode(&t.contents).unwrap();
        assert_eq!(m.transaction_id(), id);
        assert_eq!(m.class(), Class::SuccessResponse);
        assert_eq!(m.xor_mapped_address(), Some(t.destination));
        assert!(m.verify_fingerprint().is_ok());
        assert_eq!(s.answered(), 1);
    }

    #[test]
    fn drops_garbage_and_non_requests() {
        let mut s = StunServer::new();
        s.handle_receive(now(), rx(b"hello".to_vec()));
        let ind = MessageBuilder::binding_indication(TransactionId::new([1; 12]))
            .build()
            .unwrap();
        s.handle_receive(now(), rx(ind));
        s.set_silent(true);
        let req = MessageBuilder::binding_request(TransactionId::new([2; 12]))
            .build()
            .unwrap();
        s.handle_receive(now(), rx(req));
        assert!(s.poll_transmit(now()).is_none());
        assert_eq!((s.answered(), s.dropped()), (0, 3));
    }
}
