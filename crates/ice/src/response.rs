//! Responses to our requests (RFC 8445 §7.2.5): matching by transaction id, authentication
//! (MESSAGE-INTEGRITY with the remote password, FINGERPRINT), the symmetric-address check
//! (§7.2.5.2.1), role conflicts signalled by 487 (§7.2.5.1), peer-reflexive local candidates and
//! valid pairs (§7.2.5.3.1, §7.2.5.3.2), unfreezing (§7.2.5.3.3); then nomination by the
//! controlling agent (regular nomination, §8.1.1) and the selection of the pair to use
//! (§8.1.2), which also ends ordinary checking for the checklist.

use std::net::SocketAddr;
use std::time::Instant;

use rtcpeer_stun::{Class, ErrorCode, Message};
use rtcpeer_types::{Pii, Protocol, Receive};

use crate::agent::{ChecklistState, IceAgent};
use crate::candidate::{Candidate, CandidateType, compute_foundation};
use crate::event::IceEvent;
use crate::pair::{Pair, PairState};
use crate::state::IceRole;
use crate::transaction::{Transaction, TxKind};

impl IceAgent {
    /// A Binding success or error response.
    pub(crate) fn handle_response(&mut self, now: Instant, rx: &Receive, msg: &Message<'_>) {
        let id = msg.transaction_id();
        let Some(ti) = self.transactions.iter().position(|t| t.id == id) else {
            self.counters.unknown_transaction += 1;
            return;
        };
        let Some(tx) = self.transactions.get(ti) else {
            return;
        };
        let symmetric = rx.source == tx.destination
            && rx.destination == tx.source
            && rx.protocol == tx.protocol;
        if msg.has_fingerprint() && msg.verify_fingerprint().is_err() {
            self.counters.bad_fingerprint += 1;
            return;
        }
        match tx.kind {
            TxKind::Gather { local } => {
                if !symmetric {
                    self.counters.unexpected_address += 1;
                    return;
                }
                let server = tx.destination;
                self.transactions.swap_remove(ti);
                self.on_gather_response(local, server, Some(msg));
            }
            TxKind::Check { .. } | TxKind::Consent { .. } => {
                let authentic = self
                    .remote_key
                    .as_ref()
                    .is_some_and(|k| msg.verify_integrity(k).is_ok());
                if !authentic {
                    self.counters.bad_integrity += 1;
                    return;
                }
                let tx = self.transactions.swap_remove(ti);
                if !symmetric {
                    // §7.2.5.2.1: a non-symmetric response fails the pair.
                    self.counters.unexpected_address += 1;
                    if let TxKind::Check { pair, .. } = tx.kind
                        && let Some(p) = self.pairs.get_mut(pair)
                    {
                        p.state = PairState::Failed;
                    }
                    return;
                }
                self.count_response(now, &tx);
                match tx.kind {
                    TxKind::Check { .. } => self.on_check_response(now, &tx, msg),
                    TxKind::Consent { pair } => {
                        if msg.class() == Class::SuccessResponse
                            && let Some(p) = self.pairs.get_mut(pair)
                        {
                            p.last_response = Some(now);
                            p.last_received = Some(now);
                        }
                    }
                    TxKind::Gather { .. } => {}
                }
            }
        }
    }

    fn on_check_response(&mut self, now: Instant, tx: &Transaction, msg: &Message<'_>) {
        let TxKind::Check {
            pair: p,
            use_candidate,
            priority,
            controlling,
        } = tx.kind
        else {
            return;
        };
        if msg.class() == Class::ErrorResponse {
            let code = msg.error_code().map(|e| e.code);
            if code == Some(ErrorCode::ROLE_CONFLICT) {
                // §7.2.5.1: switch to the role opposite the one the request claimed, then check
                // the pair again.
                self.counters.role_conflicts += 1;
                let role = if controlling {
                    IceRole::Controlled
                } else {
                    IceRole::Controlling
                };
                self.switch_role(role);
                if let Some(pair) = self.pairs.get_mut(p)
                    && pair.state != PairState::Succeeded
                {
                    pair.state = PairState::Waiting;
                }
                self.trigger(p, false);
            } else if let Some(pair) = self.pairs.get_mut(p) {
                pair.state = PairState::Failed;
                pair.nominating = false;
            }
            return;
        }
        let Some(mapped) = msg.xor_mapped_address() else {
            self.counters.bad_requests += 1;
            if let Some(pair) = self.pairs.get_mut(p) {
                pair.state = PairState::Failed;
            }
            return;
        };
        let Some(pair) = self.pairs.get(p) else {
            return;
        };
        let (local, remote, component) = (pair.local, pair.remote, pair.component);
        // Over TCP the connection is the path: the mapped address names its ephemeral port (or
        // a NAT's), which no other path could use, so no peer-reflexive candidate is learnt.
        let local = if tx.protocol == Protocol::Udp {
            self.discover_local(local, mapped, priority, component)
        } else {
            local
        };
        let v = if local == self.pairs.get(p).map_or(usize::MAX, |q| q.local) {
            p
        } else {
            self.valid_pair_for(local, remote, component)
        };
        let nominate_on_success = self.pairs.get(p).is_some_and(|q| q.nominate_on_success);
        if let Some(pair) = self.pairs.get_mut(p) {
            pair.state = PairState::Succeeded;
            pair.valid_pair = Some(v);
            pair.last_response = Some(now);
            pair.last_received = Some(now);
        }
        if let Some(valid) = self.pairs.get_mut(v) {
            valid.state = PairState::Succeeded;
            valid.valid = true;
            valid.last_response = Some(now);
            valid.last_received = Some(now);
            if (use_candidate && self.role == IceRole::Controlling)
                || (nominate_on_success && self.role == IceRole::Controlled)
            {
                valid.nominated = true;
                valid.nominating = false;
            }
        }
        if use_candidate && let Some(pair) = self.pairs.get_mut(p) {
            pair.nominating = false;
        }
        self.first_valid.get_or_insert(now);
        self.unfreeze_foundation(p);
        self.update_selection(now);
    }

    /// The local candidate a mapped address names: an existing one with the same base, or a new
    /// peer-reflexive one (§7.2.5.3.1) with the PRIORITY the check carried.
    fn discover_local(
        &mut self,
        checked: usize,
        mapped: SocketAddr,
        priority: u32,
        component: u16,
    ) -> usize {
        let Some(base) = self.local.get(checked).map(|l| l.base) else {
            return checked;
        };
        if let Some(i) = self.local.iter().position(|l| {
            l.cand.address == mapped
                && l.base == base
                && l.cand.component == component
                && l.cand.transport == Protocol::Udp
        }) {
            return i;
        }
        let local_preference = self.local.get(checked).map_or(0, |l| l.local_preference);
        let foundation =
            compute_foundation(CandidateType::PeerReflexive, base.ip(), None, Protocol::Udp);
        let mut cand = Candidate::new(
            foundation,
            component,
            Protocol::Udp,
            priority,
            mapped,
            CandidateType::PeerReflexive,
        );
        cand.related_address = Some(base);
        tracing::debug!(mapped = %Pii(mapped), "peer-reflexive local candidate");
        self.push_local(cand, base, local_preference, false)
    }

    /// The valid pair (peer-reflexive local, remote): an existing pair or a new one that is
    /// only in the valid list, never checked on its own.
    fn valid_pair_for(&mut self, local: usize, remote: usize, component: u16) -> usize {
        if let Some(i) = self
            .pairs
            .iter()
            .position(|q| q.local == local && q.remote == remote)
        {
            return i;
        }
        let lp = self.local.get(local).map_or(0, |l| l.cand.priority);
        let rp = self.remote.get(remote).map_or(0, |r| r.priority);
        let mut pair = Pair::new(local, remote, component, self.pair_priority_of(lp, rp));
        pair.state = PairState::Succeeded;
        self.pairs.push(pair);
        self.pairs.len() - 1
    }

    /// §7.2.5.3.3: frozen pairs with the foundation of a pair that succeeded become waiting.
    fn unfreeze_foundation(&mut self, p: usize) {
        let Some(done) = self.pairs.get(p).cloned() else {
            return;
        };
        let mut woke = false;
        for i in 0..self.pairs.len() {
            let same = self
                .pairs
                .get(i)
                .is_some_and(|q| q.state == PairState::Frozen && self.same_foundation(q, &done));
            if same && let Some(q) = self.pairs.get_mut(i) {
                q.state = PairState::Waiting;
                woke = true;
            }
        }
        if woke {
            self.wake_checks();
        }
    }

    /// When the controlling agent nominates: after the nomination delay from the first valid
    /// pair, or earlier once no better pair can still succeed.
    pub(crate) fn nomination_deadline(&self) -> Option<Instant> {
        if self.role != IceRole::Controlling || self.config.ice_lite {
            return None;
        }
        let pending = (1..=self.config.components).any(|c| !self.component_nominating(c));
        if pending {
            self.first_valid.map(|t| t + self.config.nomination_delay)
        } else {
            None
        }
    }

    fn component_nominating(&self, component: u16) -> bool {
        self.pairs
            .iter()
            .any(|p| p.component == component && (p.nominating || (p.nominated && p.valid)))
    }

    /// Regular nomination (§8.1.1): send USE-CANDIDATE on the best valid pair of each component.
    pub(crate) fn evaluate_nomination(&mut self, now: Instant) {
        if self.role != IceRole::Controlling || !self.can_check() {
            return;
        }
        for component in 1..=self.config.components {
            if self.component_nominating(component) {
                continue;
            }
            let Some((best, best_priority)) = self
                .pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.component == component && p.valid)
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, p)| (i, p.priority))
            else {
                continue;
            };
            let better_pending = self.checklist == ChecklistState::Running
                && self.pairs.iter().any(|p| {
                    p.component == component && p.is_pending() && p.priority > best_priority
                });
            let waited = self
                .first_valid
                .is_some_and(|t| now >= t + self.config.nomination_delay);
            if better_pending && !waited {
                continue;
            }
            if let Some(p) = self.pairs.get_mut(best) {
                p.nominating = true;
            }
            tracing::debug!(component, "nominating");
            self.trigger(best, true);
            // The nominating check goes out now rather than at the next Ta tick: it is one
            // transaction per component, so it cannot flood a path, and waiting would add up
            // to Ta (50 ms) to every connection's setup (docs/ARCHITECTURE.md).
            self.next_check = Some(now);
        }
    }

    /// Selects, per component, the best nominated valid pair (§8.1.2); reports changes, ends
    /// ordinary checks once every component has one, and starts consent freshness.
    pub(crate) fn update_selection(&mut self, now: Instant) {
        let mut all = true;
        for component in 1..=self.config.components {
            let best = self
                .pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.component == component
                        && p.nominated
                        && p.valid
                        && p.state == PairState::Succeeded
                })
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, _)| i);
            let slot = usize::from(component - 1);
            if best.is_none() {
                all = false;
            }
            if self.selected.get(slot).copied().flatten() == best {
                continue;
            }
            if let Some(s) = self.selected.get_mut(slot) {
                *s = best;
            }
            self.traffic.on_selected_pair_change(component);
            let Some(b) = best else { continue };
            self.previous_paths.retain(|p| p.component != component);
            let Some(pair) = self.pairs.get(b) else {
                continue;
            };
            let (Some(l), Some(r)) = (self.local.get(pair.local), self.remote.get(pair.remote))
            else {
                continue;
            };
            tracing::debug!(component, local = %Pii(l.base), remote = %Pii(r.address), "selected pair");
            let (base, peer, udp) = (l.base, r.address, l.cand.transport == Protocol::Udp);
            let event = IceEvent::SelectedPairChanged {
                component,
                local: Box::new(l.cand.clone()),
                remote: Box::new(r.clone()),
            };
            self.emit(event);
            if udp {
                self.bind_relay_channel(now, base, peer);
            }
            if self.consent_next.is_none() && !self.config.ice_lite {
                self.consent_next = Some(now + self.consent_delay());
            }
        }
        if all && self.checklist == ChecklistState::Running {
            self.checklist = ChecklistState::Completed;
            // §8.1.2: stop retransmitting checks of pairs below the nominated ones.
            let floor = self
                .selected
                .iter()
                .flatten()
                .filter_map(|&p| self.pairs.get(p).map(|q| q.priority))
                .min()
                .unwrap_or(0);
            for tx in &mut self.transactions {
                if let TxKind::Check { pair, .. } = tx.kind
                    && self
                        .pairs
                        .get(pair)
                        .is_some_and(|q| q.priority < floor && !q.nominating)
                {
                    tx.cancel();
                }
            }
        }
        if self.checklist == ChecklistState::Completed && !self.tcp.conns.is_empty() {
            // RFC 6544: the connections of pairs that were not selected are not needed now.
            self.prune_connections(true);
        }
    }
}
