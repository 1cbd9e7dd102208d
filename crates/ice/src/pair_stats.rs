//! Read-only statistics of an [`IceAgent`] for the W3C webrtc-stats dictionaries: the
//! counters of each candidate pair (`RTCIceCandidatePairStats`: data packets and bytes, the
//! connectivity check requests and responses of RFC 8445 §7.2.2 / §7.3, consent requests of
//! RFC 7675, round-trip times measured on check and consent transactions), the agent's data
//! totals (`RTCTransportStats`: packets, bytes, selected pair changes), and the STUN or TURN
//! server a local candidate came from (`RTCIceCandidateStats.url`, `relayProtocol`).
//!
//! The counters are bumped by one-line hooks where the agent sends data
//! ([`IceAgent::send_component`]), accepts data (`handle_data`), sends checks and consent
//! requests, answers checks, takes responses, and changes its selected pair. Data counters
//! count application data only (DTLS, SRTP): STUN traffic is counted in the request and
//! response counters, never in the packet and byte counters (webrtc-stats: "not including
//! ... ICE connectivity checks").
//!
//! Round-trip times follow Karn's rule: only a transaction answered before any retransmission
//! gives a sample, since a response to a retransmitted request cannot be matched to one
//! transmission.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcpeer_types::{Protocol, Receive};

use crate::agent::IceAgent;
use crate::candidate::{Candidate, CandidateType, compute_foundation};
use crate::config::TurnServer;
use crate::pair::PairState;
use crate::transaction::{Transaction, TxKind};

/// The counters of one candidate pair (webrtc-stats `RTCIceCandidatePairStats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairCounters {
    /// Application data datagrams sent on the pair (`packetsSent`).
    pub packets_sent: u64,
    /// Their bytes (`bytesSent`).
    pub bytes_sent: u64,
    /// Application data datagrams received on the pair (`packetsReceived`).
    pub packets_received: u64,
    /// Their bytes (`bytesReceived`).
    pub bytes_received: u64,
    /// When the last application data datagram was sent (`lastPacketSentTimestamp`).
    pub last_packet_sent: Option<Instant>,
    /// When the last application data datagram arrived (`lastPacketReceivedTimestamp`).
    pub last_packet_received: Option<Instant>,
    /// Connectivity checks sent, retransmissions not counted (`requestsSent`).
    pub requests_sent: u64,
    /// Checks (connectivity or consent: they cannot be told apart) received and answered with
    /// a success response (`requestsReceived`).
    pub requests_received: u64,
    /// Success responses sent to those checks (`responsesSent`).
    pub responses_sent: u64,
    /// Authenticated responses received to checks and consent requests (`responsesReceived`).
    pub responses_received: u64,
    /// Consent freshness requests sent (RFC 7675, `consentRequestsSent`).
    pub consent_requests_sent: u64,
    /// The sum of the round-trip time samples (`totalRoundTripTime`).
    pub total_round_trip_time: Duration,
    /// How many samples [`total_round_trip_time`](Self::total_round_trip_time) sums.
    pub round_trip_time_samples: u64,
    /// The latest sample (`currentRoundTripTime`).
    pub current_round_trip_time: Option<Duration>,
}

impl PairCounters {
    /// One application data datagram of `len` bytes sent at `now`.
    pub(crate) fn on_data_sent(&mut self, now: Instant, len: usize) {
        self.packets_sent += 1;
        self.bytes_sent += len as u64;
        self.last_packet_sent = Some(now);
    }

    /// One application data datagram of `len` bytes received at `now`.
    pub(crate) fn on_data_received(&mut self, now: Instant, len: usize) {
        self.packets_received += 1;
        self.bytes_received += len as u64;
        self.last_packet_received = Some(now);
    }

    /// A check received and answered with a success response.
    pub(crate) fn on_request_answered(&mut self) {
        self.requests_received += 1;
        self.responses_sent += 1;
    }

    fn on_response(&mut self, rtt: Option<Duration>) {
        self.responses_received += 1;
        if let Some(rtt) = rtt {
            self.total_round_trip_time += rtt;
            self.round_trip_time_samples += 1;
            self.current_round_trip_time = Some(rtt);
        }
    }
}

/// The data totals of an agent over all its pairs and generations (webrtc-stats
/// `RTCTransportStats`), read with [`IceAgent::traffic`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrafficCounters {
    /// Application data datagrams sent (`packetsSent`).
    pub packets_sent: u64,
    /// Their bytes (`bytesSent`).
    pub bytes_sent: u64,
    /// Application data datagrams accepted (`packetsReceived`).
    pub packets_received: u64,
    /// Their bytes (`bytesReceived`).
    pub bytes_received: u64,
    /// How often component 1's selected pair changed, a change to or from none included
    /// (`selectedCandidatePairChanges`).
    pub selected_pair_changes: u64,
}

impl TrafficCounters {
    pub(crate) fn on_data_sent(&mut self, len: usize) {
        self.packets_sent += 1;
        self.bytes_sent += len as u64;
    }

    /// The selected pair of `component` changed.
    pub(crate) fn on_selected_pair_change(&mut self, component: u16) {
        if component == 1 {
            self.selected_pair_changes += 1;
        }
    }
}

/// One candidate pair as the statistics see it, from [`IceAgent::candidate_pairs`].
#[derive(Debug, Clone, Copy)]
pub struct CandidatePairInfo<'a> {
    /// The local candidate.
    pub local: &'a Candidate,
    /// The address the agent sends from for the local candidate (its base).
    pub local_base: SocketAddr,
    /// The remote candidate.
    pub remote: &'a Candidate,
    /// The component.
    pub component: u16,
    /// The pair state (RFC 8445 §6.1.2.6).
    pub state: PairState,
    /// Whether the pair is in the valid list.
    pub valid: bool,
    /// Whether the pair is nominated (RFC 8445 §8.1.1).
    pub nominated: bool,
    /// Whether it is its component's selected pair.
    pub selected: bool,
    /// Its counters.
    pub counters: &'a PairCounters,
}

/// The server a local candidate was obtained from, from [`IceAgent::candidate_server`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CandidateServer<'a> {
    /// The STUN server of a server-reflexive candidate.
    Stun(SocketAddr),
    /// The TURN server of a relayed candidate the agent allocated.
    Turn(&'a TurnServer),
}

impl Transaction {
    /// When the request was first sent, if it was sent only once (Karn's rule: a retransmitted
    /// request gives no round-trip sample). A transaction's deadline after its first
    /// transmission is that time plus the first RTO (or the final wait when no retransmission
    /// is allowed), and the RTO only changes when it retransmits.
    pub(crate) fn single_transmission_time(&self) -> Option<Instant> {
        if self.transmits != 1 {
            return None;
        }
        let wait = if self.max_transmits > 1 {
            self.rto
        } else {
            self.final_wait
        };
        self.deadline.checked_sub(wait)
    }
}

impl IceAgent {
    /// Every candidate pair the agent holds (checklist and valid list), with its counters.
    /// Pairs go when an ICE restart clears the checklist (RFC 8445 §9).
    pub fn candidate_pairs(&self) -> impl Iterator<Item = CandidatePairInfo<'_>> + '_ {
        self.pairs.iter().enumerate().filter_map(|(i, p)| {
            let local = self.local.get(p.local)?;
            let remote = self.remote.get(p.remote)?;
            Some(CandidatePairInfo {
                local: &local.cand,
                local_base: local.base,
                remote,
                component: p.component,
                state: p.state,
                valid: p.valid,
                nominated: p.nominated,
                selected: self.selected_index(p.component) == Some(i),
                counters: &p.stats,
            })
        })
    }

    /// The data totals of the agent.
    pub fn traffic(&self) -> &TrafficCounters {
        &self.traffic
    }

    /// The server a local candidate came from: the STUN server of a server-reflexive candidate
    /// (recognised by its foundation, RFC 8445 §5.1.1.3, which hashes the server's address),
    /// the TURN server of a relayed candidate the agent allocated; `None` for other
    /// candidates, for relayed candidates of an external TURN glue, and for candidates of
    /// another agent.
    pub fn candidate_server(&self, candidate: &Candidate) -> Option<CandidateServer<'_>> {
        match candidate.candidate_type {
            CandidateType::ServerReflexive => {
                let base = candidate.related_address?.ip();
                self.config
                    .stun_servers
                    .iter()
                    .find(|s| {
                        compute_foundation(
                            CandidateType::ServerReflexive,
                            base,
                            Some(s.ip()),
                            Protocol::Udp,
                        ) == candidate.foundation
                    })
                    .map(|s| CandidateServer::Stun(*s))
            }
            CandidateType::Relayed => self
                .relays
                .iter()
                .find(|r| {
                    r.relayed == Some(candidate.address) && r.component == candidate.component
                })
                .and_then(|r| self.config.turn_servers.get(r.server))
                .map(CandidateServer::Turn),
            CandidateType::Host | CandidateType::PeerReflexive => None,
        }
    }

    /// Counts application data accepted from `rx`'s 5-tuple: on the selected pair if it is
    /// that one, else on the first valid pair with it, else on the first pair with it.
    pub(crate) fn count_data_received(&mut self, now: Instant, rx: &Receive) {
        self.traffic.packets_received += 1;
        self.traffic.bytes_received += rx.contents.len() as u64;
        let (local, remote) = (rx.destination, rx.source);
        let selected = self
            .selected
            .into_iter()
            .flatten()
            .find(|&p| self.pair_matches(p, local, remote));
        let pair = selected.or_else(|| {
            let matching = |valid: bool| {
                (0..self.pairs.len()).find(|&i| {
                    self.pairs.get(i).is_some_and(|p| p.valid || !valid)
                        && self.pair_matches(i, local, remote)
                })
            };
            matching(true).or_else(|| matching(false))
        });
        if let Some(p) = pair.and_then(|p| self.pairs.get_mut(p)) {
            p.stats.on_data_received(now, rx.contents.len());
        }
    }

    /// Counts an authenticated response to a check or consent request taken off `tx`, with a
    /// round-trip sample if the request was sent once.
    pub(crate) fn count_response(&mut self, now: Instant, tx: &Transaction) {
        let (TxKind::Check { pair, .. } | TxKind::Consent { pair }) = tx.kind else {
            return;
        };
        let rtt = tx
            .single_transmission_time()
            .map(|sent| now.saturating_duration_since(sent));
        if let Some(p) = self.pairs.get_mut(pair) {
            p.stats.on_response(rtt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use rtcpeer_stun::TransactionId;

    fn base() -> Instant {
        #[allow(clippy::disallowed_methods)]
        Instant::now()
    }

    fn tx(now: Instant, max_transmits: u32) -> Transaction {
        Transaction::new(
            TransactionId::new([7; 12]),
            TxKind::Consent { pair: 0 },
            "10.0.0.1:1".parse().unwrap(),
            "10.0.0.2:2".parse().unwrap(),
            Bytes::new(),
            now,
            Duration::from_millis(250),
            Duration::from_secs(3),
            max_transmits,
            Duration::from_millis(900),
        )
    }

    #[test]
    fn single_transmission_time_is_the_first_send_and_karn_drops_retransmitted() {
        let t0 = base();
        let mut t = tx(t0, 4);
        assert_eq!(t.single_transmission_time(), Some(t0));
        let at = t.deadline;
        t.on_deadline(at);
        assert_eq!(t.single_transmission_time(), None);
        // No retransmission allowed: the deadline is the final wait.
        assert_eq!(tx(t0, 1).single_transmission_time(), Some(t0));
    }

    #[test]
    fn pair_counters_sum_samples_and_keep_the_latest() {
        let t0 = base();
        let mut c = PairCounters::default();
        c.on_data_sent(t0, 100);
        c.on_data_sent(t0 + Duration::from_millis(5), 20);
        c.on_data_received(t0 + Duration::from_millis(7), 30);
        c.on_request_answered();
        c.on_response(Some(Duration::from_millis(40)));
        c.on_response(None);
        c.on_response(Some(Duration::from_millis(10)));
        assert_eq!((c.packets_sent, c.bytes_sent), (2, 120));
        assert_eq!((c.packets_received, c.bytes_received), (1, 30));
        assert_eq!(c.last_packet_sent, Some(t0 + Duration::from_millis(5)));
        assert_eq!(c.last_packet_received, Some(t0 + Duration::from_millis(7)));
        assert_eq!((c.requests_received, c.responses_sent), (1, 1));
        assert_eq!(c.responses_received, 3);
        assert_eq!(c.round_trip_time_samples, 2);
        assert_eq!(c.total_round_trip_time, Duration::from_millis(50));
        assert_eq!(c.current_round_trip_time, Some(Duration::from_millis(10)));
    }

    #[test]
    fn only_component_one_changes_count() {
        let mut t = TrafficCounters::default();
        t.on_selected_pair_change(1);
        t.on_selected_pair_change(2);
        t.on_selected_pair_change(1);
        assert_eq!(t.selected_pair_changes, 2);
    }
}
