//! Gathering local candidates (RFC 8445 §5.1.1): host candidates from the interfaces the runtime
//! hands in, server-reflexive candidates from STUN Binding transactions (RFC 8489 §6.2.1
//! retransmissions), relayed candidates from the owned TURN clients ([`crate::relay`]) or
//! handed in by an external TURN glue; local preferences for
//! multi-homed and dual-stack hosts (RFC 8445 §5.1.2.1, RFC 8421), redundancy elimination
//! (§5.1.3), pre-gathering for the candidate pool and the announcement of candidates and
//! end-of-candidates (RFC 8838 §4, §8.1). TCP host candidates are made in [`crate::tcp`], and
//! host addresses hidden behind mDNS names in [`crate::publish`].

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use bytes::Bytes;
use rtcpeer_stun::{Message, MessageBuilder, TransactionId};
use rtcpeer_types::{Pii, Protocol};

use crate::agent::{GatherPhase, IceAgent, LocalCandidate};
use crate::candidate::{Candidate, CandidateType, candidate_priority, compute_foundation};
use crate::config::IceTransportPolicy;
use crate::event::IceEvent;
use crate::relay::{UNREACHABLE, relay_local_preference};
use crate::state::IceGatheringState;
use crate::transaction::{Transaction, TxKind};

/// A relayed candidate allocated by an external TURN glue, handed to
/// [`IceAgent::add_relay_candidate`] (the agent's own TURN clients need none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayCandidate {
    /// The component the allocation serves.
    pub component: u16,
    /// The relayed transport address (XOR-RELAYED-ADDRESS).
    pub relayed: SocketAddr,
    /// The server-reflexive address the TURN server saw (XOR-MAPPED-ADDRESS), the `raddr`.
    pub mapped: SocketAddr,
    /// The TURN server's address.
    pub server: SocketAddr,
    /// The transport to the TURN server (UDP, TCP or TLS): it orders relayed candidates.
    pub server_transport: Protocol,
}

/// RFC 8421-style local preference: IPv6 (non link-local) above IPv4 above IPv6 link-local
/// above loopback, and within one class the earlier interface first, so that every candidate
/// of one type has its own priority.
pub(crate) fn local_preference(ip: IpAddr, index: usize) -> u16 {
    let class: u16 = if ip.is_loopback() {
        10_000
    } else {
        match ip {
            IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80 => 30_000,
            IpAddr::V6(_) => 60_000,
            IpAddr::V4(_) => 50_000,
        }
    };
    class - (index.min(999) as u16) * 10
}

impl IceAgent {
    /// A local socket for component 1 (host candidate base). Loopback, link-local (unless
    /// configured), unspecified and multicast addresses make no candidate.
    pub fn add_local_interface(&mut self, addr: SocketAddr) {
        self.add_local_interface_for(1, addr);
    }

    /// A local socket for a component (2 is RTCP when it is not multiplexed).
    pub fn add_local_interface_for(&mut self, component: u16, addr: SocketAddr) {
        if self.closed
            || component == 0
            || component > self.config.components
            || self.interfaces.contains(&(component, addr))
        {
            return;
        }
        self.interfaces.push((component, addr));
        self.mdns_interface_added();
        if self.phase != GatherPhase::New
            && let Some(now) = self.now
        {
            let index = self.interfaces.len() - 1;
            self.gather_interface(now, index);
            self.announce_candidates();
        }
    }

    /// Starts gathering (W3C: after `setLocalDescription`) and announces candidates as they
    /// come, then end-of-candidates. Candidates pre-gathered with
    /// [`pre_gather`](Self::pre_gather) are announced at once.
    pub fn gather(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.now = Some(now);
        self.announce = true;
        self.start_gathering(now);
        self.announce_candidates();
        self.check_gathering_complete();
        self.update_gathering_state();
        self.update_state();
    }

    /// Gathers without announcing (the W3C candidate pool, `iceCandidatePoolSize > 0`): the
    /// gathering state stays `new` and candidates are held until [`gather`](Self::gather).
    pub fn pre_gather(&mut self, now: Instant) {
        if self.closed || self.config.candidate_pool_size == 0 {
            return;
        }
        self.now = Some(now);
        self.start_gathering(now);
        self.check_gathering_complete();
    }

    /// A relayed candidate from an external TURN glue (ignored unless the agent is gathering).
    /// The agent's own TURN clients ([`IceConfig::turn_servers`](crate::IceConfig::turn_servers))
    /// need no glue; this seam is for a runtime that runs its allocations itself.
    pub fn add_relay_candidate(&mut self, relay: RelayCandidate) {
        if self.closed
            || self.phase == GatherPhase::New
            || relay.component == 0
            || relay.component > self.config.components
        {
            return;
        }
        let index = self.local.len();
        self.push_relay_candidate(
            relay.component,
            relay.relayed,
            relay.mapped,
            relay.server,
            relay.server_transport,
            index,
        );
        self.announce_candidates();
    }

    /// Adds a relayed local candidate (RFC 8445 §5.1.2: type preference 0; the local preference
    /// ranks the transport to the server), unless it is already known.
    pub(crate) fn push_relay_candidate(
        &mut self,
        component: u16,
        relayed: SocketAddr,
        mapped: SocketAddr,
        server: SocketAddr,
        server_transport: Protocol,
        index: usize,
    ) {
        if self
            .local
            .iter()
            .any(|l| l.cand.address == relayed && l.base == relayed)
        {
            return;
        }
        let local_preference = relay_local_preference(server_transport, index);
        // §5.1.1.3: relayed candidates reached over different transports to the server are of
        // different foundations.
        let foundation = compute_foundation(
            CandidateType::Relayed,
            mapped.ip(),
            Some(server.ip()),
            server_transport,
        );
        let mut cand = Candidate::new(
            foundation,
            component,
            Protocol::Udp,
            candidate_priority(
                CandidateType::Relayed.preference(),
                local_preference,
                component,
            ),
            relayed,
            CandidateType::Relayed,
        );
        cand.related_address = Some(mapped);
        tracing::debug!(relayed = %Pii(relayed), "relayed candidate");
        self.push_local(cand, relayed, local_preference, true);
    }

    /// The external TURN glue has handed in every relayed candidate it will (or failed to allocate).
    pub fn end_of_relay_candidates(&mut self) {
        self.relay_done = true;
        self.check_gathering_complete();
        self.update_gathering_state();
        self.update_state();
    }

    pub(crate) fn start_gathering(&mut self, now: Instant) {
        if self.phase != GatherPhase::New {
            return;
        }
        self.phase = GatherPhase::Gathering;
        for index in 0..self.interfaces.len() {
            self.gather_interface(now, index);
        }
        for index in 0..self.tcp.interfaces.len() {
            self.gather_tcp(index);
        }
    }

    /// Makes the host candidate of one interface and starts its STUN transactions and TURN
    /// allocations (only the latter under the `relay` policy).
    fn gather_interface(&mut self, now: Instant, index: usize) {
        let Some(&(component, addr)) = self.interfaces.get(index) else {
            return;
        };
        self.start_relays(now, index);
        if self.config.transport_policy == IceTransportPolicy::Relay {
            return;
        }
        let ip = addr.ip();
        let link_local = matches!(ip, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80)
            || matches!(ip, IpAddr::V4(v4) if v4.is_link_local());
        if ip.is_unspecified()
            || ip.is_multicast()
            || addr.port() == 0
            || (ip.is_loopback() && !self.config.include_loopback)
            || (link_local && !self.config.include_link_local)
        {
            return;
        }
        let local_preference = local_preference(ip, index);
        let foundation = compute_foundation(CandidateType::Host, ip, None, Protocol::Udp);
        let mut cand = Candidate::new(
            foundation,
            component,
            Protocol::Udp,
            candidate_priority(126, local_preference, component),
            addr,
            CandidateType::Host,
        );
        self.hide_host_address(&mut cand);
        let local = self.push_local(cand, addr, local_preference, true);
        if ip.is_loopback() || link_local {
            return;
        }
        for s in 0..self.config.stun_servers.len() {
            let Some(&server) = self.config.stun_servers.get(s) else {
                continue;
            };
            if server.is_ipv4() != addr.is_ipv4() {
                continue;
            }
            let id = TransactionId::random(&mut self.rng);
            let Ok(request) = MessageBuilder::binding_request(id).fingerprint().build() else {
                continue;
            };
            let bytes = Bytes::from(request);
            let c = &self.config;
            let tx = Transaction::new(
                id,
                TxKind::Gather { local },
                addr,
                server,
                bytes.clone(),
                now,
                c.stun_rto,
                std::time::Duration::MAX,
                c.stun_max_transmits,
                c.stun_rto * c.stun_rm,
            );
            self.transactions.push(tx);
            self.send_stun(addr, server, bytes);
        }
    }

    /// Adds a local candidate (with ufrag and generation), pairs it, returns its index.
    pub(crate) fn push_local(
        &mut self,
        mut cand: Candidate,
        base: SocketAddr,
        local_preference: u16,
        to_signal: bool,
    ) -> usize {
        cand.generation = Some(self.generation);
        cand.ufrag = Some(self.local_creds.ufrag.clone());
        let index = self.local.len();
        let to_signal = to_signal && self.may_signal(&cand);
        self.local.push(LocalCandidate {
            cand,
            base,
            local_preference,
            // Peer-reflexive candidates are never signalled: mark them as done.
            signaled: !to_signal,
        });
        self.pair_local(index);
        index
    }

    /// The response (or failure) of a STUN server transaction.
    pub(crate) fn on_gather_response(
        &mut self,
        local: usize,
        server: SocketAddr,
        message: Option<&Message<'_>>,
    ) {
        let mapped = message
            .filter(|m| m.class() == rtcpeer_stun::Class::SuccessResponse)
            .and_then(|m| m.reflexive_address());
        if mapped.is_none()
            && let Some(base) = self.local.get(local).map(|l| l.base)
        {
            // W3C icecandidateerror: the server's error code, or 701 when it did not answer.
            let (code, text) = match message.and_then(|m| m.error_code()) {
                Some(e) => (e.code, e.reason.to_string()),
                None if message.is_some() => (UNREACHABLE, "no mapped address".to_owned()),
                None => (UNREACHABLE, "STUN server did not answer".to_owned()),
            };
            self.emit_candidate_error(base, format!("stun:{server}"), code, text);
        }
        if let (Some(mapped), Some(host)) = (mapped, self.local.get(local)) {
            let base = host.base;
            let component = host.cand.component;
            let local_preference = host.local_preference;
            // RFC 8445 §5.1.3: a reflexive address equal to its base, or one already known for
            // the same base, is redundant.
            let redundant = mapped == base
                || self.local.iter().any(|l| {
                    l.cand.address == mapped && l.base == base && l.cand.transport == Protocol::Udp
                });
            if !redundant {
                let foundation = compute_foundation(
                    CandidateType::ServerReflexive,
                    base.ip(),
                    Some(server.ip()),
                    Protocol::Udp,
                );
                let mut cand = Candidate::new(
                    foundation,
                    component,
                    Protocol::Udp,
                    candidate_priority(100, local_preference, component),
                    mapped,
                    CandidateType::ServerReflexive,
                );
                cand.related_address = Some(base);
                self.hide_host_address(&mut cand);
                tracing::debug!(mapped = %Pii(mapped), "server-reflexive candidate");
                self.push_local(cand, base, local_preference, true);
            }
        }
        self.announce_candidates();
        self.check_gathering_complete();
        self.update_gathering_state();
    }

    /// Emits the candidates not announced yet (when announcing).
    pub(crate) fn announce_candidates(&mut self) {
        if !self.announce {
            return;
        }
        for i in 0..self.local.len() {
            let Some(l) = self.local.get_mut(i) else {
                continue;
            };
            if !l.signaled {
                l.signaled = true;
                let c = Box::new(l.cand.clone());
                self.events.push_back(IceEvent::LocalCandidate(c));
            }
        }
    }

    /// Gathering is complete when no STUN server transaction is left and the TURN glue is done.
    pub(crate) fn check_gathering_complete(&mut self) {
        if self.phase != GatherPhase::Gathering {
            return;
        }
        let stun_pending = self
            .transactions
            .iter()
            .any(|t| matches!(t.kind, TxKind::Gather { .. }));
        if stun_pending
            || self.relays_pending()
            || (self.config.expect_relay_candidates && !self.relay_done)
        {
            return;
        }
        self.phase = GatherPhase::Complete;
    }

    /// Reports the gathering state (and end-of-candidates) when announcing.
    pub(crate) fn update_gathering_state(&mut self) {
        if !self.announce {
            return;
        }
        let visible = match self.phase {
            GatherPhase::New => IceGatheringState::New,
            GatherPhase::Gathering => IceGatheringState::Gathering,
            GatherPhase::Complete => IceGatheringState::Complete,
        };
        if visible == self.gathering_state {
            return;
        }
        // W3C: the state passes through "gathering" even when gathering ends at once.
        if self.gathering_state == IceGatheringState::New && visible == IceGatheringState::Complete
        {
            self.emit(IceEvent::GatheringStateChange(IceGatheringState::Gathering));
        }
        if visible == IceGatheringState::Complete {
            self.emit(IceEvent::LocalEndOfCandidates);
        }
        self.gathering_state = visible;
        self.emit(IceEvent::GatheringStateChange(visible));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_preferences_order_families_and_interfaces() {
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let ll: IpAddr = "fe80::1".parse().unwrap();
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(local_preference(v6, 0) > local_preference(v4, 0));
        assert!(local_preference(v4, 5) > local_preference(ll, 0));
        assert!(local_preference(ll, 5) > local_preference(lo, 0));
        assert!(local_preference(v4, 0) > local_preference(v4, 1));
        assert!(local_preference(lo, 5000) > 0);
    }
}
