//! Remote mDNS candidates (draft-ietf-mmusic-mdns-ice-candidates §3.2): the agent's side of
//! resolving the `<uuid>.local` names browsers put in host candidates.
//!
//! The agent owns an `rtcpeer-mdns` [`Resolver`], made when the first such candidate arrives,
//! that sends one-shot queries (RFC 6762 §5.1) from the first IPv4 local socket, so answers come
//! back by unicast to that socket from port 5353. Datagrams from port 5353 to that socket that
//! are not from a known remote candidate go to the resolver; its queries leave through
//! [`IceAgent::poll_transmit`] and its deadline joins [`IceAgent::poll_timeout`]. A name that
//! resolves to exactly one address makes a remote candidate with that address (the name is
//! kept, [`IceAgent::remote_mdns_name`]); one that fails, times out or resolves to several
//! addresses (draft §3.2.1: ignored) is dropped and counted.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use rtcpeer_mdns::{
    LocalName, MDNS_PORT, QueryId, Resolver, ResolverConfig, ResolverEvent, ResolverStats,
};
use rtcpeer_types::{Pii, Receive, Rng};

use crate::agent::IceAgent;
use crate::candidate::{Candidate, CandidateParseError, RemoteCandidateInput};

/// The agent's mDNS state.
#[derive(Debug, Default)]
pub(crate) struct MdnsState {
    /// The resolver, once a source socket is known and a name was asked for.
    resolver: Option<Resolver>,
    /// Lookups in progress: the query and the candidate waiting for its address.
    lookups: Vec<(QueryId, Candidate)>,
    /// Candidates waiting for an IPv4 local socket to query from.
    pending: Vec<(Candidate, LocalName)>,
    /// Resolved addresses and the names they were signalled as.
    names: Vec<(SocketAddr, LocalName)>,
}

impl MdnsState {
    /// Forgets every lookup and waiting candidate (remote restart, close).
    pub(crate) fn clear(&mut self) {
        if let Some(r) = &mut self.resolver {
            for (id, _) in &self.lookups {
                r.cancel(*id);
            }
        }
        self.lookups.clear();
        self.pending.clear();
        self.names.clear();
    }

    /// When the resolver's timer is next due.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.resolver.as_ref().and_then(Resolver::poll_timeout)
    }

    /// An estimate of the heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        use std::mem::size_of;
        self.lookups.capacity() * size_of::<(QueryId, Candidate)>()
            + self.pending.capacity() * size_of::<(Candidate, LocalName)>()
            + self.names.capacity() * size_of::<(SocketAddr, LocalName)>()
    }
}

impl IceAgent {
    /// A remote candidate that may carry an mDNS name (from
    /// [`Candidate::parse_allowing_mdns`]). An address candidate is added as by
    /// [`add_remote_candidate`](Self::add_remote_candidate); an mDNS one is resolved first and
    /// added once its name has exactly one address. With [`IceConfig::mdns`](crate::IceConfig::mdns)
    /// off, mDNS candidates are ignored and counted.
    pub fn add_remote_candidate_input(&mut self, now: Instant, input: RemoteCandidateInput) {
        if self.closed {
            return;
        }
        self.now = Some(now);
        match input {
            RemoteCandidateInput::Address(c) => {
                self.add_remote(c);
            }
            RemoteCandidateInput::Mdns { candidate, name } => {
                if self.config.mdns {
                    self.resolve_candidate(now, candidate, name);
                } else {
                    tracing::debug!(%name, "mDNS candidate ignored: mDNS is off");
                    self.counters.ignored_candidates += 1;
                }
            }
        }
        self.update_state();
    }

    /// Parses a `candidate:` line (with [`Candidate::parse_allowing_mdns`]) and adds it with
    /// [`add_remote_candidate_input`](Self::add_remote_candidate_input).
    pub fn add_remote_candidate_str(
        &mut self,
        now: Instant,
        line: &str,
    ) -> Result<(), CandidateParseError> {
        let input = Candidate::parse_allowing_mdns(line)?;
        self.add_remote_candidate_input(now, input);
        Ok(())
    }

    /// The mDNS name a remote candidate at `address` was signalled with, if it was resolved
    /// from one.
    pub fn remote_mdns_name(&self, address: SocketAddr) -> Option<&LocalName> {
        self.mdns
            .names
            .iter()
            .find(|(a, _)| *a == address)
            .map(|(_, n)| n)
    }

    /// The counters of the mDNS resolver, once one was started.
    pub fn mdns_stats(&self) -> Option<ResolverStats> {
        self.mdns.resolver.as_ref().map(Resolver::stats)
    }

    /// The first IPv4 local socket: where one-shot queries go out from.
    fn mdns_source(&self) -> Option<SocketAddr> {
        self.interfaces
            .iter()
            .map(|&(_, a)| a)
            .find(|a| a.is_ipv4() && !a.ip().is_unspecified() && !a.ip().is_multicast())
    }

    fn resolve_candidate(&mut self, now: Instant, candidate: Candidate, name: LocalName) {
        if self.mdns.resolver.is_none() {
            let Some(source) = self.mdns_source() else {
                if self.mdns.pending.len() >= self.config.max_remote_candidates {
                    self.counters.mdns_unresolved += 1;
                } else {
                    self.mdns.pending.push((candidate, name));
                }
                return;
            };
            let rng = Rng::from_seed(self.rng.u64());
            self.mdns.resolver = Some(Resolver::new(ResolverConfig::new(source), rng));
        }
        let Some(resolver) = self.mdns.resolver.as_mut() else {
            return;
        };
        match resolver.query(now, &name) {
            Ok(id) => {
                tracing::debug!(%name, %id, "resolving mDNS candidate");
                self.mdns.lookups.push((id, candidate));
            }
            Err(e) => {
                tracing::debug!(%name, error = %e, "mDNS lookup refused");
                self.counters.mdns_unresolved += 1;
            }
        }
        self.drain_mdns();
    }

    /// A local socket was added: candidates waiting for one to query from can go.
    pub(crate) fn mdns_interface_added(&mut self) {
        if self.mdns.pending.is_empty() || self.mdns_source().is_none() {
            return;
        }
        let Some(now) = self.now else { return };
        for (candidate, name) in std::mem::take(&mut self.mdns.pending) {
            self.resolve_candidate(now, candidate, name);
        }
    }

    /// Hands a datagram to the resolver if it is an mDNS answer for it: from port 5353, to the
    /// socket it queries from, and not from a known remote candidate. Returns whether it took it.
    pub(crate) fn mdns_receive(&mut self, now: Instant, rx: &Receive) -> bool {
        if rx.source.port() != MDNS_PORT || self.remote.iter().any(|r| r.address == rx.source) {
            return false;
        }
        let Some(resolver) = self.mdns.resolver.as_mut() else {
            return false;
        };
        if !resolver.config().sources.contains(&rx.destination) {
            return false;
        }
        tracing::trace!(source = %Pii(rx.source), "mDNS datagram to the resolver");
        resolver.handle_receive(now, rx);
        self.drain_mdns();
        true
    }

    /// Runs the resolver's retransmissions and deadlines.
    pub(crate) fn mdns_timers(&mut self, now: Instant) {
        let Some(resolver) = self.mdns.resolver.as_mut() else {
            return;
        };
        if resolver.poll_timeout().is_some_and(|t| t <= now) {
            resolver.handle_timeout(now);
            self.drain_mdns();
        }
    }

    /// A datagram read from an mDNS socket: a multicast answer may resolve a name.
    pub(crate) fn mdns_resolver_receive(&mut self, now: Instant, rx: &Receive) {
        if let Some(resolver) = self.mdns.resolver.as_mut() {
            resolver.handle_receive(now, rx);
            self.drain_mdns();
        }
    }

    /// Moves the resolver's queries to the agent's output and acts on its events.
    fn drain_mdns(&mut self) {
        let Some(resolver) = self.mdns.resolver.as_mut() else {
            return;
        };
        let mut events = Vec::new();
        while let Some(t) = resolver.poll_transmit() {
            self.transmits.push_back(t);
        }
        while let Some(e) = resolver.poll_event() {
            events.push(e);
        }
        for event in events {
            match event {
                ResolverEvent::Resolved { id, name, addrs } => self.on_resolved(id, name, &addrs),
                ResolverEvent::Failed { id, name } => {
                    for _ in self.take_lookups(id) {
                        tracing::debug!(%name, "mDNS candidate dropped: no answer");
                        self.counters.mdns_unresolved += 1;
                    }
                }
                _ => {}
            }
        }
    }

    /// Removes the candidates waiting for a lookup (several candidates may share one name).
    fn take_lookups(&mut self, id: QueryId) -> Vec<Candidate> {
        let mut taken = Vec::new();
        self.mdns.lookups.retain(|(q, c)| {
            if *q == id {
                taken.push(c.clone());
                false
            } else {
                true
            }
        });
        taken
    }

    fn on_resolved(&mut self, id: QueryId, name: LocalName, addrs: &[IpAddr]) {
        for mut candidate in self.take_lookups(id) {
            let [ip] = addrs else {
                // Draft §3.2.1: a name with more than one address is ignored.
                tracing::debug!(%name, count = addrs.len(), "mDNS candidate dropped: several addresses");
                self.counters.mdns_unresolved += 1;
                continue;
            };
            candidate.address = SocketAddr::new(*ip, candidate.address.port());
            let address = candidate.address;
            if self.add_remote(candidate).is_some() {
                tracing::debug!(%name, address = %Pii(address), "mDNS candidate resolved");
                self.counters.mdns_resolved += 1;
                if !self.mdns.names.iter().any(|(a, _)| *a == address) {
                    self.mdns.names.push((address, name.clone()));
                }
            }
        }
    }
}
