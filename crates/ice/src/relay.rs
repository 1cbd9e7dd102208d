//! Relayed candidates through TURN clients the agent owns (RFC 8445 §5.1.1.2 with RFC 8656):
//! one [`TurnClient`] per (TURN server, local socket), allocated while gathering; the relayed
//! candidate it yields (type preference 0, a local preference ranking UDP over TCP over TLS
//! relays, `raddr` the mapped address); permissions for the remote candidates' IPs, installed
//! before any check leaves a relayed candidate (RFC 8656 §9); a channel bound to the selected
//! relayed pair's peer (RFC 8656 §12) so data goes as 4-byte-header ChannelData; wrapping what
//! the agent sends from a relayed address (Send indication or ChannelData) and unwrapping what
//! the server relays back (Data indication or ChannelData) as if it arrived on the relayed
//! address; the clients' refresh timers; and W3C `icecandidateerror` events for STUN and TURN
//! failures. A server reached over IPv6 is asked for an IPv6 relayed address
//! (REQUESTED-ADDRESS-FAMILY, RFC 8656 §7.1), over IPv4 for the default IPv4 one.
//!
//! Relayed candidates from an external TURN glue
//! ([`IceAgent::add_relay_candidate`](crate::IceAgent::add_relay_candidate)) still work: a
//! transmit whose source no owned client relays is left for the runtime to wrap.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use rtcpeer_turn::{AddressFamily, TurnClient, TurnConfig, TurnError, TurnEvent};
use rtcpeer_types::{Pii, Protocol, Receive, Transmit};

use crate::agent::IceAgent;
use crate::candidate::CandidateType;
use crate::event::IceEvent;
use crate::pair::PairState;

/// The W3C `errorCode` for a server that could not be reached (webrtc-pc §9.4: 701).
pub(crate) const UNREACHABLE: u16 = 701;

/// Where an owned allocation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelayState {
    /// The Allocate transaction runs.
    Allocating,
    /// The server granted the allocation.
    Allocated,
    /// Failed, expired or deleted.
    Closed,
}

/// A TURN client the agent owns, and what the agent knows about it.
#[derive(Debug)]
pub(crate) struct Relay {
    /// Index into `config.turn_servers`.
    pub server: usize,
    /// The component its relayed candidate serves.
    pub component: u16,
    /// The local socket it talks to the server from (TCP/TLS: the connection the runtime keeps
    /// from this address to the server).
    pub local: SocketAddr,
    /// The position of that socket among the interfaces (for the local preference).
    pub interface: usize,
    pub client: TurnClient,
    pub state: RelayState,
    /// The relayed address once allocated (kept after the allocation ends, to fail its pairs).
    pub relayed: Option<SocketAddr>,
    /// The mapped address the server reported.
    pub mapped: Option<SocketAddr>,
}

/// RFC 8445 §5.1.2.1 local preference of a relayed candidate: like libwebrtc and Firefox, a
/// relay reached over UDP ranks above one over TCP, above one over TLS; within a transport the
/// earlier socket and server first.
pub(crate) fn relay_local_preference(transport: Protocol, index: usize) -> u16 {
    let rank: u16 = match transport {
        Protocol::Udp => 2,
        Protocol::Tcp => 1,
        Protocol::Tls => 0,
    };
    rank * 20_000 + 10_000 - (index.min(999) as u16) * 10
}

/// The W3C `errorCode` and `errorText` of a TURN failure.
fn turn_error_fields(error: &TurnError) -> (u16, String) {
    match error {
        TurnError::Server { code, reason } => (*code, reason.clone()),
        TurnError::Unauthenticated => (401, "Unauthorized".to_owned()),
        TurnError::StaleNonce => (438, "Stale Nonce".to_owned()),
        TurnError::TryAlternate(_) => (300, "Try Alternate".to_owned()),
        other => (UNREACHABLE, other.to_string()),
    }
}

impl IceAgent {
    /// Starts (or, after an ICE restart, reuses) the allocations of one local socket on every
    /// TURN server of its address family.
    pub(crate) fn start_relays(&mut self, now: Instant, interface: usize) {
        let Some(&(component, local)) = self.interfaces.get(interface) else {
            return;
        };
        let ip = local.ip();
        let link_local = matches!(ip, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80)
            || matches!(ip, IpAddr::V4(v4) if v4.is_link_local());
        if ip.is_unspecified()
            || ip.is_multicast()
            || local.port() == 0
            || (link_local && !self.config.include_link_local)
        {
            return;
        }
        for s in 0..self.config.turn_servers.len() {
            let Some(server) = self.config.turn_servers.get(s) else {
                continue;
            };
            let address = server.address;
            // Loopback sockets only reach loopback servers, and the reverse.
            if address.is_ipv4() != local.is_ipv4()
                || address.ip().is_loopback() != ip.is_loopback()
            {
                continue;
            }
            let existing = self
                .relays
                .iter()
                .position(|r| r.server == s && r.local == local && r.component == component);
            if let Some(r) = existing {
                match self.relays.get(r).map(|r| r.state) {
                    // A restart reuses a live allocation: its candidate joins the new generation.
                    Some(RelayState::Allocated) => {
                        self.add_owned_relay_candidate(now, r);
                        continue;
                    }
                    Some(RelayState::Allocating) => continue,
                    Some(RelayState::Closed) | None => {
                        self.relays.swap_remove(r);
                    }
                }
            }
            let mut config = TurnConfig::new(address, local, &server.username, &server.credential)
                .with_transport(server.transport.clone());
            if address.is_ipv6() {
                // RFC 8656 §7.1: a server asked nothing relays on IPv4; from an IPv6 socket an
                // IPv6 relay is wanted, as libwebrtc asks.
                config = config.with_requested_family(AddressFamily::Ipv6);
            }
            let url = server.url();
            let mut client = match TurnClient::new(config, self.rng.fork()) {
                Ok(c) => c,
                Err(e) => {
                    self.emit_candidate_error(local, url, UNREACHABLE, e.to_string());
                    continue;
                }
            };
            if client.allocate(now).is_err() {
                continue;
            }
            tracing::debug!(server = %Pii(address), local = %Pii(local), "TURN allocating");
            self.relays.push(Relay {
                server: s,
                component,
                local,
                interface,
                client,
                state: RelayState::Allocating,
                relayed: None,
                mapped: None,
            });
        }
        self.drain_relays(now);
    }

    /// Whether an allocation is still being made (gathering is not complete).
    pub(crate) fn relays_pending(&self) -> bool {
        self.relays
            .iter()
            .any(|r| r.state == RelayState::Allocating)
    }

    /// The owned allocation whose relayed address is `addr`.
    fn relay_for_base(&self, addr: SocketAddr) -> Option<usize> {
        self.relays
            .iter()
            .position(|r| r.state == RelayState::Allocated && r.relayed == Some(addr))
    }

    /// Queues a datagram: sent from a relayed address of an owned allocation, it is wrapped by
    /// that TURN client (ChannelData if a channel to the peer is bound, else a Send indication)
    /// and goes to the TURN server; otherwise it goes out as it is.
    pub(crate) fn queue_transmit(&mut self, t: Transmit) {
        let relay = (t.protocol == Protocol::Udp)
            .then(|| self.relay_for_base(t.source))
            .flatten();
        let Some(r) = relay else {
            self.transmits.push_back(t);
            return;
        };
        let Some(now) = self.now else { return };
        let Some(relay) = self.relays.get_mut(r) else {
            return;
        };
        if let Err(e) = relay.client.send_to(now, t.destination, &t.contents) {
            self.counters.relay_send_failures += 1;
            tracing::trace!(error = %e, "relayed send refused");
            return;
        }
        while let Some(out) = relay.client.poll_transmit() {
            self.transmits.push_back(out);
        }
    }

    /// Offers a received datagram to the owned TURN clients: `true` if it came from one's
    /// server to its local socket (and was consumed). A Binding response to one of the agent's
    /// own STUN requests is left to the agent, for a server that is both STUN and TURN.
    pub(crate) fn receive_from_relay_server(&mut self, now: Instant, rx: &Receive) -> bool {
        let Some(r) = self.relays.iter().position(|r| {
            r.client.server() == rx.source
                && r.client.protocol() == rx.protocol
                && r.local == rx.destination
        }) else {
            return false;
        };
        if rx.protocol == Protocol::Udp
            && let Ok(header) = rtcpeer_stun::Header::peek(&rx.contents)
            && self
                .transactions
                .iter()
                .any(|t| t.id == header.transaction_id)
        {
            return false;
        }
        if let Some(relay) = self.relays.get_mut(r) {
            relay.client.handle_receive(now, rx.clone());
        }
        self.drain_relays(now);
        true
    }

    /// Runs the TURN clients' timers that are due (retransmissions, refreshes, keepalives).
    pub(crate) fn relay_timers(&mut self, now: Instant) {
        for relay in &mut self.relays {
            if relay.client.poll_timeout().is_some_and(|t| t <= now) {
                relay.client.handle_timeout(now);
            }
        }
        self.drain_relays(now);
    }

    /// The earliest TURN client timer.
    pub(crate) fn relay_deadline(&self) -> Option<Instant> {
        self.relays
            .iter()
            .filter_map(|r| r.client.poll_timeout())
            .min()
    }

    /// Moves the clients' transmits out and handles their events until none is left.
    pub(crate) fn drain_relays(&mut self, now: Instant) {
        if self.draining_relays {
            // An outer drain is running and will pick up whatever this call would.
            return;
        }
        self.draining_relays = true;
        loop {
            let mut progressed = false;
            for i in 0..self.relays.len() {
                let Some(relay) = self.relays.get_mut(i) else {
                    continue;
                };
                while let Some(t) = relay.client.poll_transmit() {
                    self.transmits.push_back(t);
                }
                if let Some(event) = relay.client.poll_event() {
                    progressed = true;
                    self.on_turn_event(now, i, event);
                }
            }
            if !progressed {
                break;
            }
        }
        self.draining_relays = false;
    }

    fn on_turn_event(&mut self, now: Instant, r: usize, event: TurnEvent) {
        match event {
            TurnEvent::Allocated {
                relayed, mapped, ..
            } => {
                if let Some(relay) = self.relays.get_mut(r) {
                    relay.state = RelayState::Allocated;
                    relay.relayed = Some(relayed);
                    relay.mapped = mapped;
                }
                tracing::debug!(relayed = %Pii(relayed), "TURN allocation granted");
                self.add_owned_relay_candidate(now, r);
                self.relay_progress();
            }
            TurnEvent::AllocationFailed(error) => {
                let Some(relay) = self.relays.get_mut(r) else {
                    return;
                };
                relay.state = RelayState::Closed;
                let local = relay.local;
                let url = self
                    .config
                    .turn_servers
                    .get(relay.server)
                    .map(|s| s.url())
                    .unwrap_or_default();
                tracing::debug!(error = %error, "TURN allocation failed");
                let (code, text) = turn_error_fields(&error);
                self.emit_candidate_error(local, url, code, text);
                self.relay_progress();
            }
            TurnEvent::PermissionCreated { .. } => self.wake_checks(),
            TurnEvent::PermissionFailed { peer, error } => {
                tracing::debug!(peer = %Pii(peer), error = %error, "TURN permission failed");
                let relayed = self.relays.get(r).and_then(|x| x.relayed);
                self.fail_relayed_pairs(now, relayed, Some(peer));
            }
            TurnEvent::Data { peer, data } => {
                let Some(relayed) = self.relays.get(r).and_then(|x| x.relayed) else {
                    return;
                };
                let rx = Receive {
                    protocol: Protocol::Udp,
                    source: peer,
                    destination: relayed,
                    contents: data,
                };
                self.receive_datagram(now, rx);
            }
            TurnEvent::Expired(_) | TurnEvent::Deleted => {
                let relayed = match self.relays.get_mut(r) {
                    Some(relay) => {
                        relay.state = RelayState::Closed;
                        relay.relayed
                    }
                    None => None,
                };
                tracing::debug!("TURN allocation ended");
                self.fail_relayed_pairs(now, relayed, None);
                self.relay_progress();
            }
            other => tracing::trace!(event = ?other, "TURN event"),
        }
    }

    /// After an allocation succeeded or failed: gathering may be complete.
    fn relay_progress(&mut self) {
        self.announce_candidates();
        self.check_gathering_complete();
        self.update_gathering_state();
        self.update_state();
    }

    /// The relayed candidate of an owned allocation, in the current generation, and the
    /// permissions for the remote candidates known so far.
    fn add_owned_relay_candidate(&mut self, now: Instant, r: usize) {
        let Some(relay) = self.relays.get(r) else {
            return;
        };
        let Some(relayed) = relay.relayed else { return };
        let server_index = relay.server;
        let index = relay.interface * 16 + server_index.min(15);
        let (component, local) = (relay.component, relay.local);
        let mapped = relay.mapped.unwrap_or(local);
        let server = relay.client.server();
        let transport = relay.client.protocol();
        self.push_relay_candidate(component, relayed, mapped, server, transport, index);
        let remotes: Vec<IpAddr> = self
            .remote
            .iter()
            .filter(|c| {
                c.component == component
                    && c.transport == Protocol::Udp
                    && c.address.is_ipv4() == relayed.is_ipv4()
            })
            .map(|c| c.address.ip())
            .collect();
        if let Some(relay) = self.relays.get_mut(r) {
            for ip in remotes {
                let _ = relay.client.create_permission(now, ip);
            }
        }
    }

    /// A new remote candidate: every owned allocation of its component and family installs a
    /// permission for its IP (RFC 8656 §9.1), before checks from the relayed candidate go out.
    pub(crate) fn permit_remote(&mut self, component: u16, address: SocketAddr) {
        let Some(now) = self.now else { return };
        for relay in &mut self.relays {
            if relay.state == RelayState::Allocated
                && relay.component == component
                && relay
                    .relayed
                    .is_some_and(|a| a.is_ipv4() == address.is_ipv4())
            {
                let _ = relay.client.create_permission(now, address.ip());
            }
        }
    }

    /// Whether a pair's checks must wait: its local candidate is relayed by an owned
    /// allocation whose server has not confirmed the permission for the remote IP yet.
    pub(crate) fn check_blocked(&self, p: usize) -> bool {
        let Some(pair) = self.pairs.get(p) else {
            return false;
        };
        let (Some(local), Some(remote)) =
            (self.local.get(pair.local), self.remote.get(pair.remote))
        else {
            return false;
        };
        if local.cand.transport != Protocol::Udp {
            return self.tcp_check_blocked(p);
        }
        self.relay_for_base(local.base)
            .and_then(|r| self.relays.get(r))
            .is_some_and(|r| !r.client.has_permission(remote.address.ip()))
    }

    /// The selected pair of a component is relayed by an owned allocation: bind a channel to
    /// the peer so data goes as ChannelData (4 bytes of overhead instead of 36).
    pub(crate) fn bind_relay_channel(&mut self, now: Instant, base: SocketAddr, peer: SocketAddr) {
        let Some(r) = self.relay_for_base(base) else {
            return;
        };
        if let Some(relay) = self.relays.get_mut(r)
            && relay.client.channel(peer).is_none()
        {
            // ChannelData on the channel is accepted by the client from the moment the bind is
            // sent (RFC 8656 §12), so nothing is lost while the success response is on its way.
            if let Err(e) = relay.client.bind_channel(now, peer) {
                tracing::debug!(error = %e, "TURN channel not bound");
            }
        }
        self.drain_relays(now);
    }

    /// Fails the pairs whose local candidate is the relayed address (to `peer`'s IP only, if
    /// given): the allocation or the permission is gone.
    fn fail_relayed_pairs(
        &mut self,
        now: Instant,
        relayed: Option<SocketAddr>,
        peer: Option<IpAddr>,
    ) {
        let Some(relayed) = relayed else { return };
        for i in 0..self.pairs.len() {
            let hit = self.pairs.get(i).is_some_and(|p| {
                self.local.get(p.local).is_some_and(|l| l.base == relayed)
                    && self
                        .remote
                        .get(p.remote)
                        .is_some_and(|c| peer.is_none_or(|ip| c.address.ip() == ip))
            });
            if hit && let Some(p) = self.pairs.get_mut(i) {
                p.state = PairState::Failed;
                p.valid = false;
                p.nominated = false;
                p.nominating = false;
            }
        }
        self.update_selection(now);
        self.wake_checks();
        self.update_state();
    }

    /// Reports a failed STUN or TURN server (W3C `icecandidateerror`). The local address is
    /// given only if a host candidate already exposed it.
    pub(crate) fn emit_candidate_error(
        &mut self,
        local: SocketAddr,
        url: String,
        error_code: u16,
        error_text: String,
    ) {
        let exposed = self.local.iter().any(|l| {
            l.cand.candidate_type == CandidateType::Host
                && l.cand.transport == Protocol::Udp
                && l.cand.address == local
                && l.cand.mdns_name.is_none()
                && l.signaled
        });
        self.emit(IceEvent::CandidateError {
            address: exposed.then_some(local.ip()),
            port: exposed.then_some(local.port()),
            url,
            error_code,
            error_text,
        });
    }

    /// Closing: every allocation is deleted (one Refresh with LIFETIME 0, not retransmitted).
    pub(crate) fn close_relays(&mut self, now: Instant) {
        for relay in &mut self.relays {
            if relay.state == RelayState::Allocated {
                let _ = relay.client.deallocate(now);
                while let Some(t) = relay.client.poll_transmit() {
                    self.transmits.push_back(t);
                }
            }
            relay.state = RelayState::Closed;
        }
    }

    /// The runtime's TCP or TLS connection from `local` to a TURN server closed: the
    /// allocations on it are gone (RFC 8656 §3.1).
    pub fn handle_relay_connection_closed(
        &mut self,
        now: Instant,
        local: SocketAddr,
        server: SocketAddr,
    ) {
        self.now = Some(now);
        for relay in &mut self.relays {
            if relay.local == local
                && relay.client.server() == server
                && relay.client.protocol() != Protocol::Udp
            {
                relay.client.handle_close(now);
            }
        }
        self.drain_relays(now);
        self.update_state();
    }

    /// The relayed addresses of the allocations the agent holds now.
    pub fn relayed_addresses(&self) -> Vec<SocketAddr> {
        self.relays
            .iter()
            .filter(|r| r.state == RelayState::Allocated)
            .filter_map(|r| r.relayed)
            .collect()
    }

    /// The counters of the agent's TURN clients, one per allocation attempt: (relayed address
    /// if allocated, transport to the server, counters).
    pub fn relay_stats(&self) -> Vec<(Option<SocketAddr>, Protocol, rtcpeer_turn::TurnStats)> {
        self.relays
            .iter()
            .map(|r| (r.relayed, r.client.protocol(), r.client.stats()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_relays_rank_above_tcp_above_tls() {
        let udp = relay_local_preference(Protocol::Udp, 0);
        let tcp = relay_local_preference(Protocol::Tcp, 0);
        let tls = relay_local_preference(Protocol::Tls, 0);
        assert!(udp > tcp && tcp > tls);
        // The worst UDP relay still ranks above the best TCP one.
        assert!(relay_local_preference(Protocol::Udp, 5000) > tcp);
        assert!(relay_local_preference(Protocol::Udp, 1) < udp);
        assert!(relay_local_preference(Protocol::Tls, 999) > 0);
    }

    #[test]
    fn turn_errors_map_to_w3c_codes() {
        assert_eq!(turn_error_fields(&TurnError::Unauthenticated).0, 401);
        assert_eq!(turn_error_fields(&TurnError::Timeout).0, UNREACHABLE);
        assert_eq!(turn_error_fields(&TurnError::ConnectionClosed).0, 701);
        let e = TurnError::Server {
            code: 486,
            reason: "Allocation Quota Reached".into(),
        };
        assert_eq!(
            turn_error_fields(&e),
            (486, "Allocation Quota Reached".to_owned())
        );
    }
}
