//! Consent freshness (RFC 7675) and keepalives (RFC 8445 §11) on the selected pairs: a Binding
//! request every 4–6 s (randomised around the configured interval, §5.1; on a TCP pair sent
//! once, the stream being reliable), consent lost after 30 s without an authenticated response
//! (the pair fails and no more data may be sent on it), and a Binding indication when nothing
//! was sent for Tr (15 s).

use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_stun::{MessageBuilder, TransactionId};
use rtcpeer_types::Protocol;

use crate::agent::IceAgent;
use crate::candidate::{CandidateType, candidate_priority};
use crate::pair::PairState;
use crate::state::IceRole;
use crate::transaction::{Transaction, TxKind};

impl IceAgent {
    /// The randomised interval to the next consent check: 0.8 to 1.2 times the configured one.
    pub(crate) fn consent_delay(&mut self) -> Duration {
        self.config
            .consent_interval
            .mul_f64(0.8 + 0.4 * self.rng.f64())
    }

    /// Consent checks, consent expiry and keepalives.
    pub(crate) fn consent_timers(&mut self, now: Instant) {
        let lite = self.config.ice_lite;
        if !lite && self.consent_next.is_some_and(|t| t <= now) {
            let selected = self.selected;
            for p in selected.into_iter().flatten() {
                self.send_consent(now, p);
            }
            self.consent_next = if self.selected.iter().any(Option::is_some) {
                Some(now + self.consent_delay())
            } else {
                None
            };
        }
        for slot in 0..self.selected.len() {
            let Some(p) = self.selected.get(slot).copied().flatten() else {
                continue;
            };
            let expired = !lite
                && self.pairs.get(p).is_some_and(|q| {
                    q.last_response
                        .is_some_and(|t| now >= t + self.config.consent_timeout)
                });
            if expired {
                tracing::debug!(component = slot + 1, "consent lost");
                if let Some(q) = self.pairs.get_mut(p) {
                    q.state = PairState::Failed;
                    q.valid = false;
                    q.nominated = false;
                }
                self.transactions
                    .retain(|t| !matches!(t.kind, TxKind::Consent { pair } if pair == p));
                self.consent_lost = true;
                self.update_selection(now);
                continue;
            }
            let idle = self.pairs.get(p).is_some_and(|q| {
                q.last_sent
                    .is_none_or(|t| now >= t + self.config.keepalive_interval)
            });
            if idle {
                self.send_keepalive(now, p);
            }
        }
    }

    fn send_consent(&mut self, now: Instant, p: usize) {
        let Some((protocol, source, destination)) = self.pair_path(p) else {
            return;
        };
        let (Some(pair), Some(key), Some(remote_creds)) =
            (self.pairs.get(p), &self.remote_key, &self.remote_creds)
        else {
            return;
        };
        let Some(local) = self.local.get(pair.local) else {
            return;
        };
        let priority = candidate_priority(
            CandidateType::PeerReflexive.preference_on(local.cand.transport),
            local.local_preference,
            pair.component,
        );
        let username = format!("{}:{}", remote_creds.ufrag, self.local_creds.ufrag);
        let id = TransactionId::random(&mut self.rng);
        let builder = MessageBuilder::binding_request(id)
            .username(&username)
            .priority(priority);
        let builder = match self.role {
            IceRole::Controlling => builder.ice_controlling(self.tie_breaker),
            IceRole::Controlled => builder.ice_controlled(self.tie_breaker),
        };
        let Ok(bytes) = builder.message_integrity(key).fingerprint().build() else {
            return;
        };
        let bytes = Bytes::from(bytes);
        // Retransmit within the consent interval (RFC 7675 §5.1), then let the next check take
        // over.
        let rto = self.config.stun_rto;
        let tx = Transaction::new(
            id,
            TxKind::Consent { pair: p },
            source,
            destination,
            bytes.clone(),
            now,
            rto,
            self.config.check_max_rto.max(rto),
            4,
            self.config.check_max_rto.max(rto),
        );
        let tx = if protocol == Protocol::Udp {
            tx
        } else {
            tx.over_tcp(now, self.config.consent_interval)
        };
        self.transactions.push(tx);
        if let Some(pair) = self.pairs.get_mut(p) {
            pair.last_sent = Some(now);
            pair.stats.consent_requests_sent += 1;
        }
        self.counters.consent_checks_sent += 1;
        self.send_stun_on(protocol, source, destination, bytes);
    }

    fn send_keepalive(&mut self, now: Instant, p: usize) {
        let Some(pair) = self.pairs.get_mut(p) else {
            return;
        };
        pair.last_sent = Some(now);
        let Some((protocol, source, destination)) = self.pair_path(p) else {
            return;
        };
        let id = TransactionId::random(&mut self.rng);
        if let Ok(bytes) = MessageBuilder::binding_indication(id).fingerprint().build() {
            self.counters.keepalives_sent += 1;
            self.send_stun_on(protocol, source, destination, Bytes::from(bytes));
        }
    }
}
