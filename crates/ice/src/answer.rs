//! Answering connectivity checks (RFC 8445 §7.3): FINGERPRINT, USERNAME
//! (`localufrag:remoteufrag`) and MESSAGE-INTEGRITY with our password, the 400 for a check
//! without PRIORITY or role (§7.3), role conflict resolution with the tie-breaker and 487
//! (§7.3.1.1), the success response with XOR-MAPPED-ADDRESS (§7.3.1.2), peer-reflexive remote
//! candidates (§7.3.1.3), triggered checks (§7.3.1.4) and the controlled agent's side of
//! nomination (§7.3.1.5), for full and ICE-lite agents (§2.5). Checks for the previous
//! generation's ufrag are still answered during an ICE restart. A check on an ICE-TCP
//! connection is answered, and its triggered check sent, on that connection (RFC 6544 §7.2).

use std::time::Instant;

use bytes::Bytes;
use rtcpeer_stun::{ErrorCode, IntegrityKey, Message};
use rtcpeer_types::{Pii, Protocol, Receive};

use crate::agent::IceAgent;
use crate::candidate::{Candidate, CandidateType, compute_foundation};
use crate::pair::PairState;
use crate::state::IceRole;

impl IceAgent {
    /// A Binding request: a connectivity check (or consent check) from the peer.
    pub(crate) fn handle_request(&mut self, now: Instant, rx: &Receive, msg: &Message<'_>) {
        if !msg.has_fingerprint() || msg.verify_fingerprint().is_err() {
            self.counters.bad_fingerprint += 1;
            return;
        }
        let Some((ours, _theirs)) = msg.username().and_then(|u| u.split_once(':')) else {
            self.counters.unknown_username += 1;
            return;
        };
        let (key, old_generation) = if ours == self.local_creds.ufrag {
            (self.local_key.clone(), false)
        } else if let Some((creds, key)) = &self.previous_local
            && ours == creds.ufrag
        {
            (key.clone(), true)
        } else {
            self.counters.unknown_username += 1;
            return;
        };
        if msg.verify_integrity(&key).is_err() {
            self.counters.bad_integrity += 1;
            return;
        }
        let local = match rx.protocol {
            Protocol::Udp => self.local.iter().position(|l| {
                l.base == rx.destination
                    && l.cand.transport == Protocol::Udp
                    && matches!(
                        l.cand.candidate_type,
                        CandidateType::Host | CandidateType::Relayed
                    )
            }),
            Protocol::Tcp | Protocol::Tls => self.tcp_local_candidate(rx.destination, rx.source),
        };
        let known_old = old_generation
            && self
                .previous_paths
                .iter()
                .any(|p| p.local == rx.destination && p.protocol == rx.protocol);
        if local.is_none() && !known_old {
            self.counters.unknown_destination += 1;
            return;
        }
        let role_attribute = msg.ice_controlling().is_some() || msg.ice_controlled().is_some();
        if msg.has_unknown_comprehension_required() || msg.priority().is_none() || !role_attribute {
            self.counters.bad_requests += 1;
            self.answer_error(rx, msg, &key, ErrorCode::BAD_REQUEST);
            return;
        }
        if !old_generation && !self.config.ice_lite && self.role_conflict(msg) {
            self.answer_error(rx, msg, &key, ErrorCode::ROLE_CONFLICT);
            return;
        }
        let Ok(response) = msg
            .success_response()
            .xor_mapped_address(rx.source)
            .message_integrity(&key)
            .fingerprint()
            .build()
        else {
            return;
        };
        self.counters.responses_sent += 1;
        self.send_stun_on(
            rx.protocol,
            rx.destination,
            rx.source,
            Bytes::from(response),
        );
        self.note_received(now, rx);
        let Some(local) = local.filter(|_| !old_generation) else {
            return;
        };
        self.after_check_received(now, rx, msg, local);
    }

    /// §7.3.1.1: returns `true` if the request must be answered with 487; switches role if we
    /// lose the tie-break.
    fn role_conflict(&mut self, msg: &Message<'_>) -> bool {
        match (self.role, msg.ice_controlling(), msg.ice_controlled()) {
            (IceRole::Controlling, Some(theirs), _) => {
                self.counters.role_conflicts += 1;
                if self.tie_breaker >= theirs {
                    return true;
                }
                self.switch_role(IceRole::Controlled);
                false
            }
            (IceRole::Controlled, None, Some(theirs)) => {
                self.counters.role_conflicts += 1;
                if self.tie_breaker >= theirs {
                    self.switch_role(IceRole::Controlling);
                    false
                } else {
                    true
                }
            }
            _ => false,
        }
    }

    fn answer_error(&mut self, rx: &Receive, msg: &Message<'_>, key: &IntegrityKey, code: u16) {
        if let Ok(bytes) = msg
            .error_response(ErrorCode::with_default_reason(code))
            .message_integrity(key)
            .fingerprint()
            .build()
        {
            self.send_stun_on(rx.protocol, rx.destination, rx.source, Bytes::from(bytes));
        }
    }

    /// After answering a current-generation check: learn the peer-reflexive candidate, queue
    /// the triggered check, take the nomination.
    fn after_check_received(
        &mut self,
        now: Instant,
        rx: &Receive,
        msg: &Message<'_>,
        local: usize,
    ) {
        let Some(component) = self.local.get(local).map(|l| l.cand.component) else {
            return;
        };
        let remote = match self.remote.iter().position(|r| {
            r.address == rx.source && r.component == component && r.transport == rx.protocol
        }) {
            Some(r) => Some(r),
            None if rx.protocol != Protocol::Udp => {
                let priority = msg.priority().unwrap_or(1).max(1);
                let cand = self.tcp_peer_reflexive(local, rx.source, priority);
                tracing::debug!(source = %Pii(rx.source), "peer-reflexive remote TCP candidate");
                self.add_remote(cand)
            }
            None => {
                // §7.3.1.3: a peer-reflexive remote candidate with the PRIORITY of the check.
                let foundation = compute_foundation(
                    CandidateType::PeerReflexive,
                    rx.source.ip(),
                    None,
                    Protocol::Udp,
                );
                let mut cand = Candidate::new(
                    foundation,
                    component,
                    Protocol::Udp,
                    msg.priority().unwrap_or(1).max(1),
                    rx.source,
                    CandidateType::PeerReflexive,
                );
                cand.ufrag = self.remote_creds.as_ref().map(|r| r.ufrag.clone());
                tracing::debug!(source = %Pii(rx.source), "peer-reflexive remote candidate");
                self.add_remote(cand)
            }
        };
        let Some(remote) = remote else { return };
        let p = if rx.protocol == Protocol::Udp {
            self.pairs
                .iter()
                .position(|q| q.local == local && q.remote == remote)
                .or_else(|| self.add_pair(local, remote))
        } else {
            self.tcp_pair_on(local, remote, (rx.destination, rx.source))
        };
        let Some(p) = p else {
            return;
        };
        if let Some(pair) = self.pairs.get_mut(p) {
            pair.last_received = Some(now);
            // The response counts as traffic for keepalives (RFC 8445 §11).
            pair.last_sent = Some(now);
            pair.stats.on_request_answered();
        }
        if self.config.ice_lite {
            // A lite agent never checks: a check it answered makes the pair valid (§2.5).
            if let Some(pair) = self.pairs.get_mut(p) {
                pair.state = PairState::Succeeded;
                pair.valid = true;
                pair.valid_pair = Some(p);
                pair.last_response = Some(now);
            }
        } else {
            // §7.3.1.4: triggered check.
            let state = self.pairs.get(p).map(|q| q.state);
            match state {
                Some(PairState::Succeeded) | None => {}
                Some(_) => {
                    if let Some(pair) = self.pairs.get_mut(p) {
                        pair.state = PairState::Waiting;
                    }
                    self.trigger(p, false);
                }
            }
        }
        // §7.3.1.5: nomination by the controlling peer (regular, or aggressive from RFC 5245
        // peers, which set USE-CANDIDATE on every check).
        if msg.use_candidate() && self.role == IceRole::Controlled {
            let Some(pair) = self.pairs.get(p) else {
                return;
            };
            if pair.state == PairState::Succeeded {
                let v = pair.valid_pair.unwrap_or(p);
                if let Some(valid) = self.pairs.get_mut(v) {
                    valid.nominated = true;
                }
                self.update_selection(now);
            } else if let Some(pair) = self.pairs.get_mut(p) {
                pair.nominate_on_success = true;
            }
        }
    }
}
