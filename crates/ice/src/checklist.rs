//! The checklist (RFC 8445 §6.1.2): remote candidates, forming and pruning pairs (§6.1.2.2,
//! §6.1.2.4, §6.1.2.5), their initial and trickled states (§6.1.2.6, RFC 8838 §10), the Ta
//! pacing of ordinary and triggered checks (§6.1.4.2), sending checks (§7.2.2, §7.2.4: USERNAME,
//! PRIORITY, ICE-CONTROLLING/ICE-CONTROLLED, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT)
//! with their retransmissions (§14.3), and the transaction timers of every STUN request. A pair
//! whose local candidate is relayed waits until the TURN server confirms the permission for
//! the remote IP (RFC 8656 §9). TCP candidates pair by `tcptype` (RFC 6544 §6.2: an active
//! local candidate with a passive remote one); their checks wait for the pair's connection and
//! are sent once on it (§7.1, [`crate::tcp`]).

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rtcpeer_stun::{MessageBuilder, TransactionId};
use rtcpeer_types::Protocol;

use crate::agent::{ChecklistState, IceAgent};
use crate::candidate::{Candidate, CandidateType, TcpType, candidate_priority};
use crate::pair::{Pair, PairState, pair_priority};
use crate::state::IceRole;
use crate::transaction::{Transaction, TxKind, TxTimer};

/// Whether two addresses may be paired: same family, and loopback only with loopback.
fn compatible(a: SocketAddr, b: SocketAddr) -> bool {
    a.is_ipv4() == b.is_ipv4() && a.ip().is_loopback() == b.ip().is_loopback()
}

impl IceAgent {
    /// Adds a remote candidate and pairs it; returns its index (or `None` if ignored).
    pub(crate) fn add_remote(&mut self, c: Candidate) -> Option<usize> {
        let current_ufrag = self.remote_creds.as_ref().map(|r| r.ufrag.as_str());
        let stale = matches!((&c.ufrag, current_ufrag), (Some(u), Some(cur)) if u != cur);
        // RFC 6544 §4.5: a TCP candidate without a tcptype cannot be used.
        let usable_transport = match c.transport {
            Protocol::Udp => true,
            Protocol::Tcp => c.tcp_type.is_some(),
            Protocol::Tls => false,
        };
        if !usable_transport
            || c.component == 0
            || c.component > self.config.components
            || stale
            || (c.address.port() == 0 && c.tcp_type != Some(crate::TcpType::Active))
            || c.address.ip().is_unspecified()
        {
            self.counters.ignored_candidates += 1;
            return None;
        }
        if let Some(i) = self.remote.iter().position(|r| {
            r.address == c.address && r.component == c.component && r.transport == c.transport
        }) {
            // A signalled candidate replaces a peer-reflexive one learnt earlier (RFC 8838 §11.4
            // keeps the pair; it now has the signalled priority and type).
            if self
                .remote
                .get(i)
                .is_some_and(|r| r.candidate_type == CandidateType::PeerReflexive)
                && c.candidate_type != CandidateType::PeerReflexive
            {
                if let Some(r) = self.remote.get_mut(i) {
                    *r = c;
                }
                self.recompute_priorities();
            }
            return Some(i);
        }
        if self.remote.len() >= self.config.max_remote_candidates {
            self.counters.ignored_candidates += 1;
            return None;
        }
        let index = self.remote.len();
        let (component, address, transport) = (c.component, c.address, c.transport);
        self.remote.push(c);
        if transport == Protocol::Udp {
            self.permit_remote(component, address);
        }
        for l in 0..self.local.len() {
            self.add_pair(l, index);
        }
        Some(index)
    }

    /// Pairs a new local candidate with every remote candidate.
    pub(crate) fn pair_local(&mut self, local: usize) {
        for r in 0..self.remote.len() {
            self.add_pair(local, r);
        }
    }

    /// Forms the pair (local, remote) if RFC 8445 §6.1.2.2 allows it and it is not redundant;
    /// returns its index (an existing pair with the same 5-tuple if there is one).
    pub(crate) fn add_pair(&mut self, local: usize, remote: usize) -> Option<usize> {
        let l = self.local.get(local)?;
        let r = self.remote.get(remote)?;
        // Reflexive local candidates are replaced by their base (§6.1.2.4): only host and
        // relayed candidates are paired.
        if !matches!(
            l.cand.candidate_type,
            CandidateType::Host | CandidateType::Relayed
        ) || l.cand.component != r.component
            || l.cand.transport != r.transport
            || !compatible(l.base, r.address)
        {
            return None;
        }
        // RFC 6544 §6.2: TCP candidates pair by tcptype, and pairs whose local candidate is
        // passive are pruned (the peer connects to it; its checks make the pair, §7.2). No
        // simultaneous-open candidate is gathered.
        if l.cand.transport == Protocol::Tcp
            && !(l.cand.tcp_type == Some(TcpType::Active)
                && r.tcp_type.is_some_and(|t| TcpType::Active.pairs_with(t)))
        {
            return None;
        }
        let (base, raddr, component, transport) = (l.base, r.address, r.component, r.transport);
        let priority = self.pair_priority_of(l.cand.priority, r.priority);
        if let Some(existing) = self.pairs.iter().position(|p| {
            p.component == component
                && self
                    .local
                    .get(p.local)
                    .is_some_and(|x| x.base == base && x.cand.transport == transport)
                && self
                    .remote
                    .get(p.remote)
                    .is_some_and(|x| x.address == raddr && x.transport == transport)
                && self.local.get(p.local).is_some_and(|x| {
                    matches!(
                        x.cand.candidate_type,
                        CandidateType::Host | CandidateType::Relayed
                    )
                })
        }) {
            return Some(existing);
        }
        if self.pairs.len() >= self.config.max_pairs {
            self.counters.ignored_candidates += 1;
            return None;
        }
        let index = self.pairs.len();
        let mut pair = Pair::new(local, remote, component, priority);
        // RFC 8838 §10 / RFC 8445 §6.1.2.6: a new pair waits unless a pair of its foundation
        // is already being checked, in which case it stays frozen until that one succeeds.
        let busy = self.pairs.iter().any(|p| {
            matches!(p.state, PairState::Waiting | PairState::InProgress)
                && self.same_foundation(p, &pair)
        });
        pair.state = if busy {
            PairState::Frozen
        } else {
            PairState::Waiting
        };
        self.pairs.push(pair);
        self.wake_checks();
        Some(index)
    }

    pub(crate) fn same_foundation(&self, a: &Pair, b: &Pair) -> bool {
        let lf = |p: &Pair| self.local.get(p.local).map(|l| l.cand.foundation.as_str());
        let rf = |p: &Pair| self.remote.get(p.remote).map(|r| r.foundation.as_str());
        lf(a) == lf(b) && rf(a) == rf(b)
    }

    /// The pair priority from our role: G is the controlling agent's candidate.
    pub(crate) fn pair_priority_of(&self, local: u32, remote: u32) -> u64 {
        match self.role {
            IceRole::Controlling => pair_priority(local, remote),
            IceRole::Controlled => pair_priority(remote, local),
        }
    }

    /// Recomputes every pair priority (after a role change or a candidate update).
    pub(crate) fn recompute_priorities(&mut self) {
        for i in 0..self.pairs.len() {
            let Some(p) = self.pairs.get(i) else { continue };
            let (Some(l), Some(r)) = (self.local.get(p.local), self.remote.get(p.remote)) else {
                continue;
            };
            let priority = self.pair_priority_of(l.cand.priority, r.priority);
            if let Some(p) = self.pairs.get_mut(i) {
                p.priority = priority;
            }
        }
    }

    /// Changes role (set by the application or by a role conflict).
    pub(crate) fn switch_role(&mut self, role: IceRole) {
        if self.role == role {
            return;
        }
        self.role = role;
        for p in &mut self.pairs {
            p.nominating = false;
            p.nominate_on_success = false;
        }
        self.recompute_priorities();
        self.emit(crate::event::IceEvent::RoleChange(role));
        self.wake_checks();
    }

    /// Whether this agent may send connectivity checks now.
    pub(crate) fn can_check(&self) -> bool {
        !self.closed && !self.config.ice_lite && self.remote_key.is_some()
    }

    /// Arms the Ta timer if it is idle (something to check may have appeared).
    pub(crate) fn wake_checks(&mut self) {
        if self.next_check.is_some() || !self.can_check() {
            return;
        }
        let Some(now) = self.now else { return };
        let at = self
            .last_check
            .map_or(now, |t| (t + self.config.ta).max(now));
        self.next_check = Some(at);
    }

    /// A Ta tick (RFC 8445 §6.1.4.2): the first triggered check, else the best waiting pair,
    /// else the best frozen pair whose foundation has nothing in flight.
    pub(crate) fn on_check_timer(&mut self, now: Instant) {
        self.next_check = None;
        if !self.can_check() {
            return;
        }
        let pick = self.next_triggered().or_else(|| {
            if self.checklist != ChecklistState::Running {
                return None;
            }
            self.best_pair(PairState::Waiting).or_else(|| {
                self.pairs
                    .iter()
                    .enumerate()
                    .filter(|&(i, p)| {
                        p.state == PairState::Frozen
                            && !self.check_blocked(i)
                            && !self.pairs.iter().any(|q| {
                                matches!(q.state, PairState::Waiting | PairState::InProgress)
                                    && self.same_foundation(p, q)
                            })
                    })
                    .max_by_key(|(_, p)| p.priority)
                    .map(|(i, _)| i)
            })
        });
        if let Some(p) = pick {
            self.send_check(now, p);
            self.last_check = Some(now);
            self.next_check = Some(now + self.config.ta);
        }
    }

    fn best_pair(&self, state: PairState) -> Option<usize> {
        self.pairs
            .iter()
            .enumerate()
            .filter(|&(i, p)| p.state == state && !self.check_blocked(i))
            .max_by_key(|(_, p)| p.priority)
            .map(|(i, _)| i)
    }

    /// The first triggered pair still worth a check (pairs waiting for a TURN permission stay
    /// queued).
    fn next_triggered(&mut self) -> Option<usize> {
        let mut i = 0;
        while let Some(&p) = self.triggered.get(i) {
            let worth = self
                .pairs
                .get(p)
                .is_some_and(|pair| pair.state != PairState::Succeeded || pair.nominating);
            if !worth {
                self.triggered.remove(i);
            } else if self.check_blocked(p) {
                i += 1;
            } else {
                self.triggered.remove(i);
                return Some(p);
            }
        }
        None
    }

    /// Queues a triggered check of a pair (once).
    pub(crate) fn trigger(&mut self, p: usize, front: bool) {
        if !self.triggered.contains(&p) {
            if front {
                self.triggered.push_front(p);
            } else {
                self.triggered.push_back(p);
            }
        }
        self.wake_checks();
    }

    /// Sends a connectivity check on a pair (RFC 8445 §7.2.2, §7.2.4); a TCP pair's check goes
    /// once its connection is established (RFC 6544 §7.1).
    pub(crate) fn send_check(&mut self, now: Instant, p: usize) {
        if self.remote_key.is_none() || self.remote_creds.is_none() {
            return;
        }
        let tcp = self
            .pairs
            .get(p)
            .and_then(|q| self.local.get(q.local))
            .is_some_and(|l| l.cand.transport != Protocol::Udp);
        let tcp_path = if tcp {
            match self.tcp_check_path(now, p) {
                Some(path) => Some(path),
                None => return,
            }
        } else {
            None
        };
        let (Some(pair), Some(key), Some(remote_creds)) =
            (self.pairs.get(p), &self.remote_key, &self.remote_creds)
        else {
            return;
        };
        let (Some(local), Some(remote)) =
            (self.local.get(pair.local), self.remote.get(pair.remote))
        else {
            return;
        };
        let controlling = self.role == IceRole::Controlling;
        // RFC 5245 peers (no `ice2`) may nominate aggressively: USE-CANDIDATE on every check.
        let use_candidate = controlling && (pair.nominating || !self.config.ice2);
        // §7.2.2: PRIORITY is what a peer-reflexive candidate learnt from this check would get.
        let priority = candidate_priority(
            CandidateType::PeerReflexive.preference_on(local.cand.transport),
            local.local_preference,
            pair.component,
        );
        let (protocol, (source, destination)) = match tcp_path {
            Some(path) => (Protocol::Tcp, path),
            None => (Protocol::Udp, (local.base, remote.address)),
        };
        let username = format!("{}:{}", remote_creds.ufrag, self.local_creds.ufrag);
        let id = TransactionId::random(&mut self.rng);
        let mut builder = MessageBuilder::binding_request(id)
            .username(&username)
            .priority(priority);
        builder = if controlling {
            builder.ice_controlling(self.tie_breaker)
        } else {
            builder.ice_controlled(self.tie_breaker)
        };
        if use_candidate {
            builder = builder.use_candidate();
        }
        let Ok(bytes) = builder.message_integrity(key).fingerprint().build() else {
            return;
        };
        let bytes = Bytes::from(bytes);
        // A triggered check cancels the pair's check in flight (§7.3.1.4).
        for tx in &mut self.transactions {
            if matches!(tx.kind, TxKind::Check { pair, .. } if pair == p) {
                tx.cancel();
            }
        }
        let active = self
            .pairs
            .iter()
            .filter(|q| matches!(q.state, PairState::Waiting | PairState::InProgress))
            .count() as u32;
        let rto = self.config.check_rto.max(self.config.ta * active.max(1));
        let tx = Transaction::new(
            id,
            TxKind::Check {
                pair: p,
                use_candidate,
                priority,
                controlling,
            },
            source,
            destination,
            bytes.clone(),
            now,
            rto,
            self.config.check_max_rto.max(rto),
            self.config.check_max_transmits,
            self.config.check_max_rto.max(rto),
        );
        let tx = if protocol == Protocol::Tcp {
            tx.over_tcp(now, self.config.tcp_timeout)
        } else {
            tx
        };
        self.transactions.push(tx);
        if let Some(pair) = self.pairs.get_mut(p) {
            if pair.state != PairState::Succeeded {
                pair.state = PairState::InProgress;
            }
            pair.last_sent = Some(now);
            pair.stats.requests_sent += 1;
        }
        self.counters.checks_sent += 1;
        self.send_stun_on(protocol, source, destination, bytes);
    }

    /// Retransmits or times out every transaction whose deadline passed.
    pub(crate) fn run_transaction_timers(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.transactions.len() {
            let Some(tx) = self.transactions.get_mut(i) else {
                break;
            };
            if tx.deadline > now {
                i += 1;
                continue;
            }
            match tx.on_deadline(now) {
                TxTimer::Retransmit => {
                    let (s, d, b) = (tx.source, tx.destination, tx.bytes.clone());
                    let (kind, protocol) = (tx.kind, tx.protocol);
                    self.counters.retransmits += 1;
                    if let TxKind::Check { pair, .. } | TxKind::Consent { pair } = kind
                        && let Some(pair) = self.pairs.get_mut(pair)
                    {
                        pair.last_sent = Some(now);
                    }
                    self.send_stun_on(protocol, s, d, b);
                    i += 1;
                }
                TxTimer::TimedOut => {
                    let tx = self.transactions.swap_remove(i);
                    self.on_transaction_timeout(now, &tx);
                }
            }
        }
    }

    fn on_transaction_timeout(&mut self, now: Instant, tx: &Transaction) {
        match tx.kind {
            TxKind::Gather { local } => self.on_gather_response(local, tx.destination, None),
            TxKind::Check { pair, .. } if !tx.cancelled => {
                if let Some(p) = self.pairs.get_mut(pair) {
                    p.state = PairState::Failed;
                    p.nominating = false;
                    p.valid = false;
                    p.nominated = false;
                }
                // The valid pair it produced, if a nomination check failed on it.
                self.update_selection(now);
                if tx.protocol == Protocol::Tcp {
                    self.prune_connections(false);
                }
                self.wake_checks();
            }
            TxKind::Check { .. } | TxKind::Consent { .. } => {}
        }
    }
}
