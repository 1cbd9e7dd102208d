//! Our own host candidates behind mDNS names (draft-ietf-mmusic-mdns-ice-candidates §3.1), with
//! [`IceConfig::mdns_host_names`](crate::IceConfig::mdns_host_names).
//!
//! Each host address gets a random version 4 UUID name (`<uuid>.local`, the same name for every
//! candidate on that address, kept across ICE restarts) published by an `rtcpeer-mdns`
//! [`Responder`] the agent owns: the candidates are signalled with the name in place of the
//! address, a server-reflexive candidate's related address becomes `0.0.0.0` (or `::`) port 0
//! so that it does not reveal the host address either (§3.1.2), and a STUN or TURN failure
//! reports no local address. The responder announces each name (RFC 6762 §8.3) and answers A
//! and AAAA queries for them: the runtime binds a UDP socket on port 5353 joined to the mDNS
//! group of its family (224.0.0.251, ff02::fb), names it with
//! [`IceAgent::add_mdns_socket`], hands what it reads there to
//! [`IceAgent::handle_receive`] (with the group as destination when the datagram was
//! multicast), and sends the responder's transmits, which come out of
//! [`IceAgent::poll_transmit`] with that socket's address as source. Responses multicast to
//! the group also reach the agent's resolver of remote names ([`crate::mdns`]). Closing the
//! agent sends goodbyes (TTL 0) for the names (RFC 6762 §10.1).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Instant;

use rtcpeer_mdns::{
    LocalName, MDNS_PORT, Responder, ResponderConfig, ResponderStats, is_mdns_group,
};
use rtcpeer_types::{Protocol, Receive, Rng};

use crate::agent::IceAgent;
use crate::candidate::{Candidate, CandidateType};

/// The agent's publishing state.
#[derive(Debug, Default)]
pub(crate) struct Publisher {
    /// Made when the first name is published.
    responder: Option<Responder>,
    /// The runtime's mDNS sockets.
    sockets: Vec<SocketAddr>,
    /// The names published: (name, address).
    names: Vec<(LocalName, IpAddr)>,
}

impl Publisher {
    /// When the responder's next announcement is due.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.responder.as_ref().and_then(Responder::poll_timeout)
    }

    /// An estimate of the heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        use std::mem::size_of;
        self.sockets.capacity() * size_of::<SocketAddr>()
            + self.names.capacity() * size_of::<(LocalName, IpAddr)>()
            + self
                .responder
                .as_ref()
                .map_or(0, |_| size_of::<Responder>())
    }
}

/// The unspecified address of `addr`'s family, port 0.
fn unspecified_like(addr: SocketAddr) -> SocketAddr {
    let ip: IpAddr = if addr.is_ipv4() {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        Ipv6Addr::UNSPECIFIED.into()
    };
    SocketAddr::new(ip, 0)
}

impl IceAgent {
    /// A UDP socket of the runtime bound to the mDNS port (5353) and joined to the mDNS group
    /// of its family: our names are announced and multicast answers are sent from it.
    pub fn add_mdns_socket(&mut self, addr: SocketAddr) {
        if self.publisher.sockets.contains(&addr) {
            return;
        }
        self.publisher.sockets.push(addr);
        if let Some(r) = self.publisher.responder.as_mut() {
            r.add_source(addr);
        }
    }

    /// The mDNS names our host addresses are published under: (name, address).
    pub fn local_mdns_names(&self) -> &[(LocalName, IpAddr)] {
        &self.publisher.names
    }

    /// The counters of the responder of our names, once one was started.
    pub fn mdns_responder_stats(&self) -> Option<ResponderStats> {
        self.publisher.responder.as_ref().map(Responder::stats)
    }

    /// With [`IceConfig::mdns_host_names`](crate::IceConfig::mdns_host_names), hides a host
    /// candidate's address behind the name published for it; a server-reflexive candidate
    /// loses its related address.
    pub(crate) fn hide_host_address(&mut self, cand: &mut Candidate) {
        if !self.config.mdns_host_names {
            return;
        }
        match cand.candidate_type {
            CandidateType::Host => {}
            CandidateType::ServerReflexive => {
                cand.related_address = cand.related_address.map(unspecified_like);
                return;
            }
            CandidateType::PeerReflexive | CandidateType::Relayed => return,
        }
        let Some(now) = self.now else { return };
        let ip = cand.address.ip();
        let responder = self.publisher.responder.get_or_insert_with(|| {
            let mut config =
                ResponderConfig::new(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), MDNS_PORT));
            config.sources = self.publisher.sockets.clone();
            Responder::new(config, Rng::from_seed(self.rng.u64()))
        });
        match responder.publish_address(now, ip) {
            Ok(name) => {
                if !self.publisher.names.iter().any(|(n, _)| *n == name) {
                    tracing::debug!(%name, "host address hidden behind an mDNS name");
                    self.publisher.names.push((name.clone(), ip));
                }
                cand.mdns_name = Some(Box::new(name));
            }
            Err(e) => {
                // Too many names: the candidate is not signalled rather than revealing its
                // address. It still takes part in checks the peer starts.
                tracing::debug!(error = %e, "mDNS name not published");
                cand.mdns_name = None;
            }
        }
        self.drain_publisher();
    }

    /// Whether a host candidate may be signalled: with mDNS names on, only behind one.
    pub(crate) fn may_signal(&self, cand: &Candidate) -> bool {
        !self.config.mdns_host_names
            || cand.candidate_type != CandidateType::Host
            || cand.mdns_name.is_some()
    }

    /// A datagram read from one of the runtime's mDNS sockets (or sent to an mDNS group):
    /// queries go to the responder, answers to the resolver of remote names. Returns whether it
    /// was one.
    pub(crate) fn publisher_receive(&mut self, now: Instant, rx: &Receive) -> bool {
        if rx.protocol != Protocol::Udp
            || !(is_mdns_group(rx.destination) || self.publisher.sockets.contains(&rx.destination))
        {
            return false;
        }
        if let Some(r) = self.publisher.responder.as_mut() {
            r.handle_receive(now, rx);
        }
        self.drain_publisher();
        self.mdns_resolver_receive(now, rx);
        true
    }

    /// Runs the responder's announcements that are due.
    pub(crate) fn publisher_timers(&mut self, now: Instant) {
        let Some(r) = self.publisher.responder.as_mut() else {
            return;
        };
        if r.poll_timeout().is_some_and(|t| t <= now) {
            r.handle_timeout(now);
            self.drain_publisher();
        }
    }

    /// Closing: goodbyes for every name.
    pub(crate) fn unpublish_names(&mut self) {
        let Some(r) = self.publisher.responder.as_mut() else {
            return;
        };
        for (name, _) in &self.publisher.names {
            r.unpublish(name);
        }
        self.drain_publisher();
    }

    fn drain_publisher(&mut self) {
        let Some(r) = self.publisher.responder.as_mut() else {
            return;
        };
        while let Some(t) = r.poll_transmit() {
            self.transmits.push_back(t);
        }
    }
}
