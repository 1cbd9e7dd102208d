//! STUN client transactions (RFC 8489 §6.2.1): a request sent, retransmitted with a doubling
//! RTO up to Rc times, then timed out after Rm * RTO; or cancelled (RFC 8445 §7.3.1.4: no more
//! retransmissions, but a response is still accepted until the timeout). Over a TCP
//! connection a request is sent once and times out as a whole (RFC 8489 §6.2.2).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_stun::TransactionId;
use rtcpeer_types::Protocol;

/// What a transaction is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxKind {
    /// A Binding request to a STUN server, for a server-reflexive candidate.
    Gather {
        /// The local candidate (host) it was sent from.
        local: usize,
    },
    /// A connectivity check of a pair.
    Check {
        pair: usize,
        use_candidate: bool,
        /// The PRIORITY sent: a peer-reflexive local candidate learnt from the response gets it.
        priority: u32,
        /// Whether it was sent as the controlling agent.
        controlling: bool,
    },
    /// A consent freshness check of a pair (RFC 7675).
    Consent { pair: usize },
}

/// A request in flight.
#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub id: TransactionId,
    pub kind: TxKind,
    /// UDP, or TCP for a request on an ICE-TCP connection.
    pub protocol: Protocol,
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub bytes: Bytes,
    /// Transmissions so far.
    pub transmits: u32,
    /// Transmissions allowed.
    pub max_transmits: u32,
    /// The current RTO.
    pub rto: Duration,
    /// The cap on the RTO.
    pub max_rto: Duration,
    /// The wait after the last transmission.
    pub final_wait: Duration,
    /// The next retransmission, or the timeout after the last one.
    pub deadline: Instant,
    /// Whether the transaction was cancelled (no retransmissions; a late response still counts).
    pub cancelled: bool,
}

/// What a transaction wants at its deadline.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TxTimer {
    /// Send these bytes again.
    Retransmit,
    /// Give up.
    TimedOut,
}

impl Transaction {
    /// A transaction whose first transmission happens at `now`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: TransactionId,
        kind: TxKind,
        source: SocketAddr,
        destination: SocketAddr,
        bytes: Bytes,
        now: Instant,
        rto: Duration,
        max_rto: Duration,
        max_transmits: u32,
        final_wait: Duration,
    ) -> Self {
        let max_transmits = max_transmits.max(1);
        Transaction {
            id,
            kind,
            protocol: Protocol::Udp,
            source,
            destination,
            bytes,
            transmits: 1,
            max_transmits,
            rto,
            max_rto,
            final_wait,
            deadline: now + if max_transmits > 1 { rto } else { final_wait },
            cancelled: false,
        }
    }

    /// The same transaction on a TCP connection (sent at `now`): no retransmission, a timeout
    /// of `timeout` (RFC 8489 §6.2.2).
    pub(crate) fn over_tcp(mut self, now: Instant, timeout: Duration) -> Self {
        self.protocol = Protocol::Tcp;
        self.max_transmits = 1;
        self.final_wait = timeout;
        self.deadline = now + timeout;
        self
    }

    /// Called at or after the deadline: either the request is sent again (and the next deadline
    /// set) or the transaction is over.
    pub(crate) fn on_deadline(&mut self, now: Instant) -> TxTimer {
        if self.cancelled || self.transmits >= self.max_transmits {
            return TxTimer::TimedOut;
        }
        self.transmits += 1;
        self.rto = (self.rto * 2).min(self.max_rto);
        self.deadline = now
            + if self.transmits >= self.max_transmits {
                self.final_wait
            } else {
                self.rto
            };
        TxTimer::Retransmit
    }

    /// Stops retransmissions; a response is still accepted until the current RTO ends.
    pub(crate) fn cancel(&mut self) {
        self.cancelled = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_8489_schedule_39_5_seconds() {
        // RFC 8489 §6.2.1: with RTO 500 ms, Rc 7, Rm 16, requests go at 0, 500, 1500, 3500,
        // 7500, 15500 and 31500 ms, and the client gives up at 39500 ms.
        #[allow(clippy::disallowed_methods)]
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut tx = Transaction::new(
            TransactionId::new([0; 12]),
            TxKind::Gather { local: 0 },
            "10.0.0.1:1".parse().unwrap(),
            "10.0.0.2:2".parse().unwrap(),
            Bytes::new(),
            t0,
            ms(500),
            Duration::MAX,
            7,
            ms(500 * 16),
        );
        let mut sends = vec![0];
        loop {
            let at = tx.deadline;
            match tx.on_deadline(at) {
                TxTimer::Retransmit => sends.push((at - t0).as_millis()),
                TxTimer::TimedOut => {
                    assert_eq!((at - t0).as_millis(), 39_500);
                    break;
                }
            }
        }
        assert_eq!(sends, [0, 500, 1500, 3500, 7500, 15500, 31500]);
    }

    #[test]
    fn capped_and_cancelled() {
        #[allow(clippy::disallowed_methods)]
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut tx = Transaction::new(
            TransactionId::new([0; 12]),
            TxKind::Consent { pair: 0 },
            "10.0.0.1:1".parse().unwrap(),
            "10.0.0.2:2".parse().unwrap(),
            Bytes::new(),
            t0,
            ms(500),
            ms(1000),
            5,
            ms(1000),
        );
        let mut at = tx.deadline;
        for expected in [1000, 1000, 1000] {
            assert_eq!(tx.on_deadline(at), TxTimer::Retransmit);
            assert_eq!((tx.deadline - at).as_millis(), expected);
            at = tx.deadline;
        }
        tx.cancel();
        assert_eq!(tx.on_deadline(at), TxTimer::TimedOut);
    }

    #[test]
    fn over_tcp_is_sent_once() {
        #[allow(clippy::disallowed_methods)]
        let t0 = Instant::now();
        let mut tx = Transaction::new(
            TransactionId::new([0; 12]),
            TxKind::Consent { pair: 0 },
            "10.0.0.1:1".parse().unwrap(),
            "10.0.0.2:2".parse().unwrap(),
            Bytes::new(),
            t0,
            Duration::from_millis(500),
            Duration::from_secs(3),
            7,
            Duration::from_secs(3),
        )
        .over_tcp(t0, Duration::from_secs(8));
        assert_eq!(tx.protocol, Protocol::Tcp);
        assert_eq!(tx.deadline, t0 + Duration::from_secs(8));
        assert_eq!(tx.on_deadline(tx.deadline), TxTimer::TimedOut);
    }
}
