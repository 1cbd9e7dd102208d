//! The transport wiring of a [`PeerConnection`]: the one BUNDLE [`TransportStack`] (ICE,
//! DTLS, SCTP) the connection owns, how the signaling half's [`TransportCommand`]s drive it, and
//! the machine interface a runtime feeds (webrtc-pc §4.4.1.5 "set a session description" and
//! §5.6 on what the ICE agent is told; RFC 9429 §5.10/§5.11 on applying descriptions;
//! RFC 8843 BUNDLE).
//!
//! # Shape
//!
//! - The stack is created when the first description is applied (local or remote), with the
//!   connection's certificate, its validated ICE servers and the local addresses the runtime
//!   reported ([`PeerConnection::add_local_interface`], and for ICE-TCP (RFC 6544)
//!   [`PeerConnection::add_local_tcp_listener`]).
//! - Stream sockets: the runtime carries out the agent's TCP commands
//!   ([`PeerConnection::poll_tcp_command`], after draining
//!   [`PeerConnection::poll_transmit`]) and reports their outcome
//!   (`handle_tcp_connected`, `handle_tcp_connect_failed`, `handle_tcp_accepted`,
//!   `handle_tcp_closed`); the bytes travel as `Transmit`/`Receive` of `Protocol::Tcp`.
//! - Remote candidates may carry an mDNS `.local` name (draft-ietf-mmusic-mdns-ice-candidates
//!   §3.2): the ICE agent resolves it before using the candidate.
//! - Every [`TransportCommand`] the signaling half queues goes to two places: the observable
//!   queue of [`PeerConnection::poll_command`] (kept for tests and drivers that watch it; capped
//!   at [`MAX_OBSERVED_COMMANDS`], oldest dropped) and an internal queue consumed right after the
//!   W3C method that queued it returns (`sync_transport`). A driver no longer
//!   has to act on commands.
//! - Gathering starts once a local description is applied (RFC 9429 §5.10 / webrtc-pc: the ICE
//!   agent gathers "when setLocalDescription is applied").
//! - Signaling methods take no time: the stack runs at the latest time the connection was given
//!   ([`PeerConnection::handle_timeout`], [`PeerConnection::handle_receive`]); a driver calls
//!   `handle_timeout(now)` before a signaling call when time has passed.
//!
//! # Known gaps
//!
//! - BUNDLE only: one transport, the first of the remote description's transports (the
//!   BUNDLE-tagged one). With `max-compat` or a remote that rejects BUNDLE, sections outside
//!   the first transport get no ICE/DTLS of their own.
//! - ICE servers: `stun:` and `turn:` URLs (UDP, and TCP with `?transport=tcp`, RFC 8656
//!   §3.1: the runtime opens the connection on the agent's first bytes to the server) are used;
//!   `turns:` needs a TLS configuration the connection has no seam for yet, and `stuns:` is not
//!   supported (both counted in [`WireCounters::ice_servers_skipped`]).
//! - An answer that removes the data section (`CloseSctp`) is not carried out by the stack yet
//!   (logged).
//!
//! # ICE server host names
//!
//! The core resolves no names (it does no I/O); the runtime does it for the core
//! (webrtc-pc §4.4.1.1: an `RTCIceServer` URL's host may be a domain name; RFC 7064 §3.1,
//! RFC 7065 §3.1):
//!
//! - [`PeerConnection::poll_ice_server_host`] hands out each domain name of the usable ICE
//!   servers once, while the transport does not exist yet: call it after construction and after
//!   `setConfiguration`, until `None`.
//! - [`PeerConnection::handle_ice_server_host_resolved`] takes the addresses found (none when the
//!   name did not resolve). A runtime that asked must answer, bounding the lookup with its own
//!   timeout.
//! - The ICE agent takes its servers when it is created, so while a handed-out name is
//!   unanswered the transport commands wait in their queue (in order; nothing is lost) and the
//!   transport is created, and gathering starts, once every name is answered. A runtime that
//!   never asks gets the old behaviour: the names are skipped.
//! - A name with addresses gives the agent one server address per family, the first IPv4 and the
//!   first IPv6 address; the agent uses a server only from local sockets of its family, so an
//!   IPv4 socket uses the IPv4 address. The configured URL is kept for error reports.
//! - A name without addresses gives an `icecandidateerror` with code 701 (webrtc-pc §4.8.2,
//!   `RTCPeerConnectionIceErrorEvent`: the server could not be reached) and the server's URL,
//!   once gathering starts and before it completes; gathering goes on without the server.
//!
//! New local ICE credentials after gathering (an ICE restart, RFC 8445 §9) restart the agent's
//! gathering with those credentials; new remote credentials restart its checks.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Instant, SystemTime};

use rtcpeer_dtls::DtlsRole;
use rtcpeer_ice::{
    IceTransportPolicy, RemoteCandidateInput, TcpCommand, TcpConnectionId, TurnServer,
    TurnTransport,
};
use rtcpeer_types::{Receive, Transmit};

use super::{PeerConnection, PeerConnectionEvent, TransportCommand};
use crate::enums::{RtcIceGathererState, RtcIceRole, RtcIceTransportPolicy, RtcSctpTransportState};
use crate::host::IceServerHost;
use crate::ice_server::IceServerScheme;
use crate::jsep::remote::RemoteTransportParameters;
use crate::transport::{
    RemoteSctpParameters, TransportConfig, TransportParameters, TransportStack,
};

/// How many commands [`PeerConnection::poll_command`] keeps for an observer that does not drain
/// them; older ones are dropped.
pub const MAX_OBSERVED_COMMANDS: usize = 256;

/// What the wiring dropped or could not use, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WireCounters {
    /// Remote candidates with a `.local` host name that is not a valid mDNS candidate name.
    pub mdns_candidates_dropped: u64,
    /// Remote candidates the ICE layer could not parse.
    pub unparsable_candidates_dropped: u64,
    /// Remote candidates of another ICE generation (`usernameFragment` mismatch).
    pub stale_candidates_dropped: u64,
    /// ICE server URLs not handed to the ICE agent (host names not resolved, `turns:` and
    /// `stuns:`).
    pub ice_servers_skipped: u64,
    /// Observed commands dropped because nobody polled them.
    pub observed_commands_dropped: u64,
}

/// The transport half of a [`PeerConnection`]'s state.
#[derive(Debug)]
pub(crate) struct Wire {
    pub(crate) stack: Option<TransportStack>,
    pub(crate) wall_clock: SystemTime,
    /// The latest time the connection was driven with.
    pub(crate) now: Instant,
    /// Commands not yet carried out.
    pub(crate) todo: VecDeque<TransportCommand>,
    pub(crate) local_interfaces: Vec<SocketAddr>,
    /// ICE-TCP listeners the runtime reported (passive and active TCP host candidates).
    pub(crate) local_tcp_listeners: Vec<SocketAddr>,
    /// mDNS sockets the runtime reported.
    pub(crate) mdns_sockets: Vec<SocketAddr>,
    /// Remote candidates of the description whose address is an mDNS name: handed to the
    /// agent after the description's parameters.
    pub(crate) mdns_candidates: Vec<RemoteCandidateInput>,
    /// The remote parameters learnt so far; `None` before a remote description.
    pub(crate) params: Option<TransportParameters>,
    pub(crate) params_dirty: bool,
    pub(crate) gather_requested: bool,
    pub(crate) gathered: bool,
    pub(crate) gatherer_state: RtcIceGathererState,
    /// The end-of-candidates of the current generation was surfaced.
    pub(crate) eoc_surfaced: bool,
    pub(crate) sctp_state: Option<RtcSctpTransportState>,
    pub(crate) counters: WireCounters,
    /// The ICE server host names handed to the runtime, with their addresses once it answered
    /// (empty: not resolved).
    pub(crate) hosts: Vec<(String, Option<Vec<IpAddr>>)>,
    /// `icecandidateerror`s of names that did not resolve, surfaced once gathering starts.
    pub(crate) host_errors: Vec<PeerConnectionEvent>,
}

impl Wire {
    pub(crate) fn new(now: Instant, wall_clock: SystemTime) -> Self {
        Wire {
            stack: None,
            wall_clock,
            now,
            todo: VecDeque::new(),
            local_interfaces: Vec::new(),
            local_tcp_listeners: Vec::new(),
            mdns_sockets: Vec::new(),
            mdns_candidates: Vec::new(),
            params: None,
            params_dirty: false,
            gather_requested: false,
            gathered: false,
            gatherer_state: RtcIceGathererState::New,
            eoc_surfaced: false,
            sctp_state: None,
            counters: WireCounters::default(),
            hosts: Vec::new(),
            host_errors: Vec::new(),
        }
    }
}

/// Whether the ICE agent can use this server: `stun:`, or `turn:` (UDP or TCP) with
/// credentials.
fn usable_server(server: &crate::config::IceServer) -> bool {
    match server.url.scheme() {
        IceServerScheme::Stun => true,
        IceServerScheme::Turn => server.credentials.is_some(),
        _ => false,
    }
}

/// The first IPv4 and the first IPv6 address of a name's addresses, IPv4 first.
fn one_per_family(addrs: &[IpAddr]) -> Vec<IpAddr> {
    let v4 = addrs.iter().find(|a| a.is_ipv4());
    let v6 = addrs.iter().find(|a| a.is_ipv6());
    v4.into_iter().chain(v6).copied().collect()
}

/// Converts a signalled candidate into an ICE candidate, with an address or with an mDNS
/// `.local` name the agent resolves; `None` (counted) when it cannot be used.
pub(crate) fn ice_candidate(
    candidate: &rtcpeer_sdp::Candidate,
    counters: &mut WireCounters,
) -> Option<RemoteCandidateInput> {
    let text = candidate.to_string();
    match rtcpeer_ice::Candidate::parse_allowing_mdns(&text) {
        Ok(c) => Some(c),
        Err(e) => {
            let is_mdns = text
                .split_ascii_whitespace()
                .nth(4)
                .is_some_and(|host| host.to_ascii_lowercase().ends_with(".local"));
            if is_mdns {
                counters.mdns_candidates_dropped += 1;
                tracing::debug!(error = %e, "remote mDNS candidate dropped");
            } else {
                counters.unparsable_candidates_dropped += 1;
                tracing::debug!(error = %e, "remote candidate dropped");
            }
            None
        }
    }
}

impl PeerConnection {
    /// Queues a command for the transport and for observers of [`poll_command`](Self::poll_command).
    pub(crate) fn push_command(&mut self, command: TransportCommand) {
        if self.commands.len() >= MAX_OBSERVED_COMMANDS {
            self.commands.pop_front();
            self.wire.counters.observed_commands_dropped += 1;
        }
        self.commands.push_back(command.clone());
        self.wire.todo.push_back(command);
    }

    /// A local socket address the runtime bound (a host candidate's base). Addresses given
    /// before the transport exists are used when it is created.
    pub fn add_local_interface(&mut self, addr: SocketAddr) {
        if self.is_closed {
            return;
        }
        if !self.wire.local_interfaces.contains(&addr) {
            self.wire.local_interfaces.push(addr);
            if let Some(stack) = self.wire.stack.as_mut() {
                stack.add_local_interface(addr);
            }
        }
    }

    /// A TCP socket the runtime listens on for ICE-TCP (RFC 6544 §4.1; its port assigned): a
    /// passive host candidate there and an active one on its IP. Listeners given before the
    /// transport exists are used when it is created.
    pub fn add_local_tcp_listener(&mut self, addr: SocketAddr) {
        if self.is_closed || self.wire.local_tcp_listeners.contains(&addr) {
            return;
        }
        self.wire.local_tcp_listeners.push(addr);
        if let Some(stack) = self.wire.stack.as_mut() {
            stack.add_local_tcp_listener(addr);
        }
        self.drain_transport_events();
    }

    /// A UDP socket of the runtime bound to the mDNS port (5353) and joined to the mDNS group
    /// of its family (draft-ietf-mmusic-mdns-ice-candidates §3.1).
    pub fn add_mdns_socket(&mut self, addr: SocketAddr) {
        if self.is_closed || self.wire.mdns_sockets.contains(&addr) {
            return;
        }
        self.wire.mdns_sockets.push(addr);
        if let Some(stack) = self.wire.stack.as_mut() {
            stack.add_mdns_socket(addr);
        }
    }

    /// The next ICE server host name to resolve (see the module docs): each domain name of a
    /// usable `stun:`/`turn:` URL once, and only before the transport exists (the ICE agent
    /// takes its servers when created). Answer with
    /// [`handle_ice_server_host_resolved`](Self::handle_ice_server_host_resolved).
    pub fn poll_ice_server_host(&mut self) -> Option<String> {
        if self.is_closed || self.wire.stack.is_some() {
            return None;
        }
        let name = self
            .ice_servers
            .iter()
            .find_map(|server| match server.url.host() {
                IceServerHost::Domain(name)
                    if usable_server(server) && !self.wire.hosts.iter().any(|(h, _)| h == name) =>
                {
                    Some(name.clone())
                }
                _ => None,
            })?;
        self.wire.hosts.push((name.clone(), None));
        Some(name)
    }

    /// The addresses `host` (a name from [`poll_ice_server_host`](Self::poll_ice_server_host))
    /// resolved to; empty when it did not resolve (an `icecandidateerror` 701 once gathering
    /// starts). Other names and second answers are ignored. Once every name is answered the
    /// transport commands waiting for them are carried out.
    pub fn handle_ice_server_host_resolved(&mut self, host: &str, addrs: &[IpAddr]) {
        let Some((_, answer)) = self
            .wire
            .hosts
            .iter_mut()
            .find(|(h, a)| a.is_none() && h.eq_ignore_ascii_case(host))
        else {
            return;
        };
        *answer = Some(addrs.to_vec());
        if !self.awaiting_ice_server_hosts() {
            self.sync_transport();
        }
    }

    /// Whether the transport waits for host names the runtime was asked to resolve.
    pub fn awaiting_ice_server_hosts(&self) -> bool {
        self.wire.stack.is_none()
            && !self.is_closed
            && self.wire.hosts.iter().any(|(_, a)| a.is_none())
    }

    /// The next thing the ICE agent asks of the runtime's TCP sockets (RFC 6544). Drain
    /// [`poll_transmit`](Self::poll_transmit) first: a `Close` follows the bytes written on
    /// its connection.
    pub fn poll_tcp_command(&mut self) -> Option<TcpCommand> {
        self.sync_transport();
        self.wire.stack.as_mut()?.poll_tcp_command()
    }

    /// A connection asked for by [`TcpCommand::Connect`] is established; `local` is its local
    /// address.
    pub fn handle_tcp_connected(&mut self, now: Instant, id: TcpConnectionId, local: SocketAddr) {
        self.advance(now);
        if let Some(stack) = self.wire.stack.as_mut() {
            stack.handle_tcp_connected(now, id, local);
        }
        self.drain_transport_events();
    }

    /// A connection asked for by [`TcpCommand::Connect`] could not be established.
    pub fn handle_tcp_connect_failed(&mut self, now: Instant, id: TcpConnectionId) {
        self.advance(now);
        if let Some(stack) = self.wire.stack.as_mut() {
            stack.handle_tcp_connect_failed(now, id);
        }
        self.drain_transport_events();
    }

    /// The runtime accepted a connection from `remote` on its ICE-TCP listener at `local`:
    /// the id to keep it under, or `None` when nobody wants it (the runtime closes it).
    pub fn handle_tcp_accepted(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Option<TcpConnectionId> {
        self.advance(now);
        if self.is_closed {
            return None;
        }
        let id = self
            .wire
            .stack
            .as_mut()
            .and_then(|s| s.handle_tcp_accepted(now, local, remote));
        self.drain_transport_events();
        id
    }

    /// An ICE-TCP connection closed (by the peer, or on an error).
    pub fn handle_tcp_closed(&mut self, now: Instant, id: TcpConnectionId) {
        self.advance(now);
        if let Some(stack) = self.wire.stack.as_mut() {
            stack.handle_tcp_closed(now, id);
        }
        self.drain_transport_events();
    }

    /// The runtime's TCP connection from `local` to the TURN server at `server` closed or
    /// could not be opened (RFC 8656 §3.1: its allocations are gone).
    pub fn handle_relay_connection_closed(
        &mut self,
        now: Instant,
        local: SocketAddr,
        server: SocketAddr,
    ) {
        self.advance(now);
        if let Some(stack) = self.wire.stack.as_mut() {
            stack.handle_relay_connection_closed(now, local, server);
        }
        self.drain_transport_events();
    }

    /// A datagram arrived on one of the runtime's sockets.
    pub fn handle_receive(&mut self, now: Instant, rx: Receive) {
        self.advance(now);
        if self.is_closed {
            return;
        }
        if let Some(stack) = self.wire.stack.as_mut() {
            stack.handle_receive(now, rx);
        }
        self.drain_transport_events();
    }

    /// Time passed: runs due timers (call it at [`poll_timeout`](Self::poll_timeout)).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
        if self.is_closed {
            return;
        }
        self.sync_transport();
        if let Some(stack) = self.wire.stack.as_mut() {
            stack.handle_timeout(now);
        }
        self.drain_transport_events();
    }

    /// The next datagram to send (also the last ones after `close()`).
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.sync_transport();
        self.wire.stack.as_mut()?.poll_transmit()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_closed {
            return None;
        }
        if !self.wire.todo.is_empty() && !self.awaiting_ice_server_hosts() {
            return Some(self.wire.now);
        }
        self.wire.stack.as_ref()?.poll_timeout()
    }

    /// The transport stack of the BUNDLE transport, once a description created it.
    pub fn transport(&self) -> Option<&TransportStack> {
        self.wire.stack.as_ref()
    }

    /// What the transport wiring dropped, counted.
    pub fn wire_counters(&self) -> &WireCounters {
        &self.wire.counters
    }

    fn advance(&mut self, now: Instant) {
        self.wire.now = self.wire.now.max(now);
    }

    /// The ICE agent's configuration from the validated ICE servers and the configuration.
    fn transport_config(&mut self) -> TransportConfig {
        let mut config = TransportConfig::new(self.certificate.clone(), self.wire.wall_clock);
        config.sctp.local_port = super::LOCAL_SCTP_PORT;
        config.sctp.max_message_size =
            usize::try_from(super::LOCAL_MAX_MESSAGE_SIZE).unwrap_or(usize::MAX);
        config.ice.candidate_pool_size = self.config.ice_candidate_pool_size;
        // The runtime decides which interfaces to use (loopback only when asked for, as the
        // interop harness in a loopback-only namespace needs); the core gathers on every one.
        config.ice.include_loopback = true;
        config.ice.transport_policy = match self.config.ice_transport_policy {
            RtcIceTransportPolicy::Relay => IceTransportPolicy::Relay,
            _ => IceTransportPolicy::All,
        };
        for server in &self.ice_servers {
            if !usable_server(server) {
                self.wire.counters.ice_servers_skipped += 1;
                continue;
            }
            let ips = match server.url.host() {
                IceServerHost::Ipv4(ip) => vec![IpAddr::V4(*ip)],
                IceServerHost::Ipv6(ip) => vec![IpAddr::V6(*ip)],
                IceServerHost::Domain(name) => {
                    let answer = self.wire.hosts.iter().find(|(h, _)| h == name);
                    match answer.and_then(|(_, a)| a.as_deref()) {
                        Some(addrs) if !addrs.is_empty() => one_per_family(addrs),
                        Some(_) => {
                            self.wire.counters.ice_servers_skipped += 1;
                            self.wire
                                .host_errors
                                .push(PeerConnectionEvent::IceCandidateError {
                                    address: None,
                                    port: None,
                                    url: server.url.to_string(),
                                    error_code: 701,
                                    error_text: format!("{name} could not be resolved"),
                                });
                            continue;
                        }
                        // Never asked for, or the connection closed before the answer.
                        None => {
                            self.wire.counters.ice_servers_skipped += 1;
                            continue;
                        }
                    }
                }
            };
            let named = matches!(server.url.host(), IceServerHost::Domain(_));
            for ip in ips {
                let addr = SocketAddr::new(ip, server.url.port());
                match &server.credentials {
                    Some(creds) if server.url.scheme() == IceServerScheme::Turn => {
                        let mut turn = TurnServer::udp(addr, creds.username(), creds.credential());
                        if server.url.transport() == crate::enums::RtcIceProtocol::Tcp {
                            turn = turn.with_transport(TurnTransport::Tcp);
                        }
                        if named {
                            turn = turn.with_url(&server.url.to_string());
                        }
                        config.ice.turn_servers.push(turn);
                    }
                    _ => config.ice.stun_servers.push(addr),
                }
            }
        }
        config
    }

    fn ensure_stack(&mut self) {
        if self.wire.stack.is_some() || self.is_closed {
            return;
        }
        let config = self.transport_config();
        let rng = self.rng.fork();
        let mut stack = TransportStack::new(config, self.wire.now, rng);
        for addr in &self.wire.local_interfaces {
            stack.add_local_interface(*addr);
        }
        for addr in &self.wire.local_tcp_listeners {
            stack.add_local_tcp_listener(*addr);
        }
        for addr in &self.wire.mdns_sockets {
            stack.add_mdns_socket(*addr);
        }
        if let Err(e) = stack.set_local_credentials(&self.local_ice.ufrag, &self.local_ice.pwd) {
            tracing::warn!(error = %e, "local ICE credentials refused by the transport");
        }
        self.wire.stack = Some(stack);
    }

    /// Carries out the queued transport commands, then gathers if a local description asked;
    /// neither while ICE server host names are awaited.
    pub(crate) fn sync_transport(&mut self) {
        if self.awaiting_ice_server_hosts() {
            self.register_data_channels();
            self.drain_transport_events();
            return;
        }
        while let Some(command) = self.wire.todo.pop_front() {
            self.apply_command(command);
        }
        let now = self.wire.now;
        if self.wire.params_dirty
            && let (Some(stack), Some(params)) =
                (self.wire.stack.as_mut(), self.wire.params.as_mut())
        {
            self.wire.params_dirty = false;
            let sent = params.clone();
            // Candidates and end-of-candidates are handed over once.
            params.candidates.clear();
            if let Err(e) = stack.set_parameters(now, sent) {
                tracing::debug!(error = %e, "transport parameters refused");
            }
            for input in self.wire.mdns_candidates.drain(..) {
                stack.add_remote_candidate_input(now, input);
            }
        }
        if self.wire.gather_requested && !self.wire.gathered && !self.is_closed {
            self.ensure_stack();
            if let Some(stack) = self.wire.stack.as_mut() {
                self.wire.gathered = true;
                stack.gather(now);
                self.surface_host_errors();
            }
        }
        self.register_data_channels();
        self.drain_transport_events();
    }

    /// The `icecandidateerror`s of unresolved names, after the `gathering` state change and
    /// before the gathering completes.
    fn surface_host_errors(&mut self) {
        if self.wire.host_errors.is_empty() {
            return;
        }
        let start = self.events.len();
        self.drain_transport_events();
        let complete = self
            .events
            .iter()
            .skip(start)
            .position(|e| {
                matches!(
                    e,
                    PeerConnectionEvent::IceGatheringStateChange(
                        crate::enums::RtcIceGatheringState::Complete
                    ) | PeerConnectionEvent::IceCandidate(None)
                )
            })
            .map_or(self.events.len(), |i| start + i);
        for (i, e) in self.wire.host_errors.drain(..).enumerate() {
            self.events.insert(complete + i, e);
        }
    }

    fn apply_command(&mut self, command: TransportCommand) {
        let now = self.wire.now;
        match command {
            TransportCommand::SetLocalIceCredentials(creds) => {
                let gathered = self.wire.gathered;
                let Some(stack) = self.wire.stack.as_mut() else {
                    self.ensure_stack();
                    return;
                };
                if stack.local_credentials().ufrag == creds.ufrag {
                    return;
                }
                // Gathered already: an ICE restart (RFC 8445 §9), a new generation gathered with
                // the new credentials; DTLS and SCTP carry on over the old pair until a new one
                // is selected.
                let applied = if gathered {
                    stack.restart_ice(now, &creds.ufrag, &creds.pwd)
                } else {
                    stack.set_local_credentials(&creds.ufrag, &creds.pwd)
                };
                if let Err(e) = applied {
                    tracing::warn!(error = %e, "new local ICE credentials not applied");
                }
            }
            TransportCommand::SetIceRole(role) => {
                if let Some(p) = self.wire.params.as_mut()
                    && p.ice_role != role
                {
                    p.ice_role = role;
                    self.wire.params_dirty = true;
                }
            }
            TransportCommand::SetRemoteTransports(transports) => {
                self.ensure_stack();
                self.set_remote_transport(transports.first());
            }
            TransportCommand::AddRemoteCandidate {
                ufrag, candidate, ..
            } => {
                let current = self.wire.params.as_ref().map(|p| p.ice_ufrag.as_str());
                if ufrag.is_some() && ufrag.as_deref() != current {
                    self.wire.counters.stale_candidates_dropped += 1;
                    return;
                }
                if let Some(c) = ice_candidate(&candidate, &mut self.wire.counters)
                    && let Some(stack) = self.wire.stack.as_mut()
                {
                    stack.add_remote_candidate_input(now, c);
                }
            }
            TransportCommand::EndOfRemoteCandidates { .. } => {
                if let Some(stack) = self.wire.stack.as_mut() {
                    stack.end_of_remote_candidates(now);
                }
            }
            TransportCommand::StartDtls { role } => {
                if let Some(p) = self.wire.params.as_mut() {
                    p.dtls_role = Some(role);
                    self.wire.params_dirty = true;
                }
            }
            TransportCommand::StartSctp { remote, .. } => {
                if let Some(p) = self.wire.params.as_mut() {
                    p.sctp = Some(RemoteSctpParameters {
                        port: remote.port,
                        max_message_size: remote.max_message_size,
                    });
                    self.wire.params_dirty = true;
                }
            }
            TransportCommand::CloseSctp => {
                tracing::warn!("closing the SCTP association by renegotiation is not wired yet");
            }
            TransportCommand::Close => {
                if let Some(stack) = self.wire.stack.as_mut() {
                    stack.close();
                }
            }
        }
    }

    /// The remote description's (first, BUNDLE) transport.
    fn set_remote_transport(&mut self, remote: Option<&RemoteTransportParameters>) {
        let Some(remote) = remote else { return };
        let mut candidates = Vec::new();
        self.wire.mdns_candidates.clear();
        for (_, c) in &remote.candidates {
            match ice_candidate(c, &mut self.wire.counters) {
                Some(RemoteCandidateInput::Address(c)) => candidates.push(c),
                Some(input) => self.wire.mdns_candidates.push(input),
                None => {}
            }
        }
        let dtls_role: Option<DtlsRole> = self.dtls_role;
        let ice_role: RtcIceRole = self.ice_role;
        let sctp = self.sctp_transport.as_ref().and_then(|s| {
            s.remote.as_ref().map(|r| RemoteSctpParameters {
                port: r.port,
                max_message_size: r.max_message_size,
            })
        });
        let mut p = TransportParameters::new(remote.ice_ufrag.clone(), remote.ice_pwd.clone());
        p.ice_lite = remote.ice_lite;
        p.ice2 = remote.ice_options.iter().any(|o| o == "ice2");
        p.candidates = candidates;
        p.end_of_candidates = remote.end_of_candidates;
        p.ice_role = ice_role;
        p.fingerprints = remote.fingerprints.clone();
        p.dtls_role = dtls_role;
        p.sctp = sctp;
        self.wire.params = Some(p);
        self.wire.params_dirty = true;
    }
}
