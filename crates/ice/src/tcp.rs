//! ICE-TCP (RFC 6544): TCP host candidates and the TCP connections their checks and data run
//! on.
//!
//! Candidates: a TCP socket the runtime listens on is a passive host candidate, and an IP it
//! can open connections from is an active one, signalled with port 9 (§4.5); their priorities
//! carry the direction preference (§4.2, [`tcp_local_preference`]) under a TCP type preference
//! below UDP's ([`CandidateType::tcp_preference`]). An active local candidate pairs with a
//! passive remote one (§6.2; pairs whose local candidate is passive are pruned, and
//! simultaneous-open candidates are not gathered, so remote `so` candidates find no partner).
//!
//! Connections: the agent never touches a socket. To check an active pair it asks the runtime
//! for a connection ([`TcpCommand::Connect`], from [`IceAgent::poll_tcp_command`]); the runtime
//! answers with [`IceAgent::handle_tcp_connected`] or [`IceAgent::handle_tcp_connect_failed`]
//! (the pair fails, §7.1), and reports connections it accepted on a passive candidate's
//! listener ([`IceAgent::handle_tcp_accepted`]) and connections that closed
//! ([`IceAgent::handle_tcp_closed`]). An established connection is named by its 5-tuple: the
//! agent writes on it with [`Transmit`]s of [`Protocol::Tcp`] from the connection's local to
//! its remote address, and the runtime hands what it reads to
//! [`IceAgent::handle_receive`] as [`Receive`]s of the same 5-tuple, in pieces of any size.
//! Every STUN message and data packet is framed with a 16-bit length (RFC 4571, §3). Checks
//! over TCP are sent once (RFC 8489 §6.2.2) and answered, and triggered, on the connection they
//! came on (§7.1, §7.2): a check arriving on an accepted connection makes a peer-reflexive
//! remote candidate whose `tcptype` is the opposite of the local one. Connections that no pair
//! needs once checking is completed, or after an ICE restart, are closed
//! ([`TcpCommand::Close`]).

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use rtcpeer_types::demux::{PacketKind, classify};
use rtcpeer_types::{Pii, Protocol, Receive, Transmit};

use crate::agent::{GatherPhase, IceAgent};
use crate::candidate::{
    Candidate, CandidateType, TcpType, candidate_priority, compute_foundation, tcp_local_preference,
};
use crate::config::IceTransportPolicy;
use crate::framing::{Deframer, frame};
use crate::gather::local_preference;
use crate::pair::{Pair, PairState};

rtcpeer_types::define_id!(
    /// A TCP connection of ICE-TCP: one the agent asked the runtime to open
    /// ([`TcpCommand::Connect`]) or one the runtime accepted on a passive candidate's listener
    /// ([`IceAgent::handle_tcp_accepted`]).
    TcpConnectionId
);

/// What the agent asks of the runtime's TCP sockets (RFC 6544), from
/// [`IceAgent::poll_tcp_command`].
///
/// Drain [`IceAgent::poll_transmit`] before this: a `Close` comes after the bytes the agent
/// wrote on that connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TcpCommand {
    /// Open a TCP connection from `local` (an active candidate's IP, port 0: any ephemeral
    /// port) to `remote`, then report [`IceAgent::handle_tcp_connected`] with the connection's
    /// local address, or [`IceAgent::handle_tcp_connect_failed`].
    Connect {
        /// The connection.
        id: TcpConnectionId,
        /// The local address to connect from.
        local: SocketAddr,
        /// The peer's passive candidate.
        remote: SocketAddr,
    },
    /// Close the connection (it is not needed any more, or its connect took too long).
    Close {
        /// The connection.
        id: TcpConnectionId,
    },
}

/// A TCP socket the runtime offers for candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TcpInterface {
    pub component: u16,
    pub tcp_type: TcpType,
    /// A listener's address (passive), or the IP to connect from (active; port ignored).
    pub addr: SocketAddr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnState {
    /// Asked for; fails at this deadline.
    Connecting(Instant),
    Established,
}

/// A connection the agent knows.
#[derive(Debug)]
pub(crate) struct TcpConn {
    pub id: TcpConnectionId,
    /// The local address: while connecting, the IP with port 0.
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub state: ConnState,
    /// The local candidate it belongs to: its component and base.
    pub component: u16,
    pub base: SocketAddr,
    pub deframer: Deframer,
}

/// The agent's ICE-TCP state.
#[derive(Debug, Default)]
pub(crate) struct TcpState {
    pub interfaces: Vec<TcpInterface>,
    pub conns: Vec<TcpConn>,
    next_id: u64,
    commands: VecDeque<TcpCommand>,
}

impl TcpState {
    fn new_id(&mut self) -> TcpConnectionId {
        let id = TcpConnectionId::new(self.next_id);
        self.next_id += 1;
        id
    }

    fn get(&self, id: TcpConnectionId) -> Option<&TcpConn> {
        self.conns.iter().find(|c| c.id == id)
    }

    /// The 5-tuple of an established connection.
    pub(crate) fn path(&self, id: TcpConnectionId) -> Option<(SocketAddr, SocketAddr)> {
        self.get(id)
            .filter(|c| c.state == ConnState::Established)
            .map(|c| (c.local, c.remote))
    }

    /// The established connection with this 5-tuple.
    pub(crate) fn by_path(&self, local: SocketAddr, remote: SocketAddr) -> Option<&TcpConn> {
        self.conns
            .iter()
            .find(|c| c.state == ConnState::Established && c.local == local && c.remote == remote)
    }

    pub(crate) fn is_connecting(&self, id: TcpConnectionId) -> bool {
        self.get(id)
            .is_some_and(|c| matches!(c.state, ConnState::Connecting(_)))
    }

    /// The earliest connect deadline.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.conns
            .iter()
            .filter_map(|c| match c.state {
                ConnState::Connecting(t) => Some(t),
                ConnState::Established => None,
            })
            .min()
    }

    pub(crate) fn heap_size(&self) -> usize {
        use std::mem::size_of;
        self.interfaces.capacity() * size_of::<TcpInterface>()
            + self.conns.capacity() * size_of::<TcpConn>()
            + self
                .conns
                .iter()
                .map(|c| c.deframer.buffered())
                .sum::<usize>()
            + self.commands.capacity() * size_of::<TcpCommand>()
    }
}

impl IceAgent {
    // ---- candidates -------------------------------------------------------------------------

    /// A TCP socket listening at `addr` for component 1: a passive host candidate there, and an
    /// active host candidate on its IP, from which the runtime opens the connections the agent
    /// asks for (RFC 6544 §4.1). An ICE-lite agent only makes the passive one.
    pub fn add_local_tcp_listener(&mut self, addr: SocketAddr) {
        self.add_local_tcp_candidate_for(1, TcpType::Passive, addr);
        self.add_local_tcp_candidate_for(1, TcpType::Active, addr);
    }

    /// One TCP host candidate for a component: passive (`addr` is a listener the runtime
    /// accepts connections on) or active (the runtime opens connections from `addr`'s IP; its
    /// port is ignored). Simultaneous-open (`so`) candidates are not supported and ignored.
    pub fn add_local_tcp_candidate_for(
        &mut self,
        component: u16,
        tcp_type: TcpType,
        addr: SocketAddr,
    ) {
        if self.closed || component == 0 || component > self.config.components {
            return;
        }
        let addr = match tcp_type {
            TcpType::Passive if addr.port() != 0 => addr,
            TcpType::Active => SocketAddr::new(addr.ip(), 0),
            TcpType::Passive | TcpType::So => return,
        };
        let interface = TcpInterface {
            component,
            tcp_type,
            addr,
        };
        if self.tcp.interfaces.contains(&interface) {
            return;
        }
        self.tcp.interfaces.push(interface);
        if self.phase != GatherPhase::New && self.now.is_some() {
            self.gather_tcp(self.tcp.interfaces.len() - 1);
            self.announce_candidates();
        }
    }

    /// Makes the TCP host candidate of one TCP interface.
    pub(crate) fn gather_tcp(&mut self, index: usize) {
        let Some(&TcpInterface {
            component,
            tcp_type,
            addr,
        }) = self.tcp.interfaces.get(index)
        else {
            return;
        };
        if self.config.transport_policy == IceTransportPolicy::Relay
            || (self.config.ice_lite && tcp_type != TcpType::Passive)
        {
            return;
        }
        let ip = addr.ip();
        let link_local = matches!(ip, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80)
            || matches!(ip, IpAddr::V4(v4) if v4.is_link_local());
        if ip.is_unspecified()
            || ip.is_multicast()
            || (ip.is_loopback() && !self.config.include_loopback)
            || (link_local && !self.config.include_link_local)
        {
            return;
        }
        // §4.5: an active candidate is signalled with the discard port.
        let base = match tcp_type {
            TcpType::Active => SocketAddr::new(ip, 9),
            TcpType::Passive | TcpType::So => addr,
        };
        let known = self.local.iter().any(|l| {
            l.cand.transport == Protocol::Tcp
                && l.base == base
                && l.cand.component == component
                && l.cand.tcp_type == Some(tcp_type)
        });
        if known {
            return;
        }
        let local_preference = tcp_local_preference(tcp_type, local_preference(ip, index) >> 3);
        let foundation = compute_foundation(CandidateType::Host, ip, None, Protocol::Tcp);
        let mut cand = Candidate::new(
            foundation,
            component,
            Protocol::Tcp,
            candidate_priority(
                CandidateType::Host.tcp_preference(),
                local_preference,
                component,
            ),
            base,
            CandidateType::Host,
        );
        cand.tcp_type = Some(tcp_type);
        self.hide_host_address(&mut cand);
        self.push_local(cand, base, local_preference, true);
    }

    // ---- the runtime's side -----------------------------------------------------------------

    /// The next thing to do with the runtime's TCP sockets.
    pub fn poll_tcp_command(&mut self) -> Option<TcpCommand> {
        self.tcp.commands.pop_front()
    }

    /// A connection the agent asked for is established; `local` is its local address (with
    /// the ephemeral port). The checks waiting for it go out.
    pub fn handle_tcp_connected(&mut self, now: Instant, id: TcpConnectionId, local: SocketAddr) {
        self.now = Some(now);
        let conn = self
            .tcp
            .conns
            .iter_mut()
            .find(|c| c.id == id && matches!(c.state, ConnState::Connecting(_)));
        let Some(conn) = conn.filter(|_| !self.closed) else {
            // Given up on (timed out, closed agent) or unknown: the runtime may drop it.
            self.tcp.commands.push_back(TcpCommand::Close { id });
            return;
        };
        conn.local = local;
        conn.state = ConnState::Established;
        tracing::debug!(local = %Pii(local), remote = %Pii(conn.remote), "TCP connection established");
        for p in 0..self.pairs.len() {
            let waiting = self
                .pairs
                .get(p)
                .is_some_and(|q| q.conn == Some(id) && q.awaiting_connection);
            if waiting {
                if let Some(q) = self.pairs.get_mut(p) {
                    q.awaiting_connection = false;
                }
                self.send_check(now, p);
            }
        }
        self.after_input(now);
    }

    /// A connection the agent asked for could not be established: its pairs fail (RFC 6544
    /// §7.1).
    pub fn handle_tcp_connect_failed(&mut self, now: Instant, id: TcpConnectionId) {
        self.now = Some(now);
        if self.tcp.is_connecting(id) {
            self.counters.tcp_connect_failures += 1;
        }
        self.forget_connection(now, id);
        self.after_input(now);
    }

    /// The runtime accepted a connection from `remote` on the listener at `local`. Returns the
    /// connection's id, or `None` if the agent does not want it (no passive candidate there,
    /// too many connections, the agent closed): the runtime then closes it.
    pub fn handle_tcp_accepted(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Option<TcpConnectionId> {
        self.now = Some(now);
        let passive = self.local.iter().find(|l| {
            l.cand.transport == Protocol::Tcp
                && l.cand.tcp_type == Some(TcpType::Passive)
                && l.base == local
        });
        let component = passive.map(|l| l.cand.component);
        let full = self.tcp.conns.len() >= self.config.max_tcp_connections;
        let duplicate = self.tcp.by_path(local, remote).is_some();
        let (Some(component), false, false, false) = (component, full, duplicate, self.closed)
        else {
            self.counters.tcp_connections_refused += 1;
            return None;
        };
        let id = self.tcp.new_id();
        tracing::debug!(local = %Pii(local), remote = %Pii(remote), "TCP connection accepted");
        self.tcp.conns.push(TcpConn {
            id,
            local,
            remote,
            state: ConnState::Established,
            component,
            base: local,
            deframer: Deframer::default(),
        });
        Some(id)
    }

    /// A connection closed (by the peer, or on an error): the pairs on it fail, and if one was
    /// selected the agent looks for another path.
    pub fn handle_tcp_closed(&mut self, now: Instant, id: TcpConnectionId) {
        self.now = Some(now);
        self.forget_connection(now, id);
        self.after_input(now);
    }

    // ---- internals --------------------------------------------------------------------------

    /// Stream bytes arrived on a connection: every whole frame is a STUN message or a data
    /// packet of the pair on it.
    pub(crate) fn receive_tcp(&mut self, now: Instant, rx: Receive) {
        let Some(id) = self.tcp.by_path(rx.destination, rx.source).map(|c| c.id) else {
            self.counters.unknown_destination += 1;
            return;
        };
        if let Some(c) = self.tcp.conns.iter_mut().find(|c| c.id == id) {
            c.deframer.push(&rx.contents);
        }
        loop {
            // Handling a frame can close connections: look this one up again each time.
            let Some(frame) = self
                .tcp
                .conns
                .iter_mut()
                .find(|c| c.id == id)
                .and_then(|c| c.deframer.next_frame())
            else {
                break;
            };
            let packet = Receive {
                protocol: Protocol::Tcp,
                source: rx.source,
                destination: rx.destination,
                contents: frame,
            };
            if classify(&packet.contents) == PacketKind::Stun {
                self.handle_stun(now, &packet);
            } else {
                self.handle_data(now, packet);
            }
        }
    }

    /// Writes a packet, framed, on the established connection with this 5-tuple. Returns
    /// `false` if there is none or the packet is too long for a frame.
    pub(crate) fn send_tcp(
        &mut self,
        local: SocketAddr,
        remote: SocketAddr,
        packet: &[u8],
    ) -> bool {
        if self.tcp.by_path(local, remote).is_none() {
            return false;
        }
        let Some(contents) = frame(packet) else {
            return false;
        };
        self.transmits.push_back(Transmit {
            protocol: Protocol::Tcp,
            source: local,
            destination: remote,
            contents,
        });
        true
    }

    /// The path a check of a TCP pair goes on, opening the connection first if needed:
    /// `None` while it is not established (the check goes once it is).
    pub(crate) fn tcp_check_path(
        &mut self,
        now: Instant,
        p: usize,
    ) -> Option<(SocketAddr, SocketAddr)> {
        let pair = self.pairs.get(p)?;
        if let Some(id) = pair.conn {
            if let Some(path) = self.tcp.path(id) {
                return Some(path);
            }
            if self.tcp.is_connecting(id) {
                self.await_connection(p);
                return None;
            }
        }
        // Only an active local candidate opens a connection (§7.1).
        let local = self.local.get(pair.local)?;
        let remote = self.remote.get(pair.remote)?;
        if local.cand.tcp_type != Some(TcpType::Active) {
            if let Some(q) = self.pairs.get_mut(p) {
                q.state = PairState::Failed;
            }
            return None;
        }
        let id = self.tcp.new_id();
        let from = SocketAddr::new(local.base.ip(), 0);
        let (to, component, base) = (remote.address, local.cand.component, local.base);
        tracing::debug!(remote = %Pii(to), "opening a TCP connection for a check");
        self.tcp.conns.push(TcpConn {
            id,
            local: from,
            remote: to,
            state: ConnState::Connecting(now + self.config.tcp_timeout),
            component,
            base,
            deframer: Deframer::default(),
        });
        self.tcp.commands.push_back(TcpCommand::Connect {
            id,
            local: from,
            remote: to,
        });
        if let Some(q) = self.pairs.get_mut(p) {
            q.conn = Some(id);
        }
        self.await_connection(p);
        None
    }

    fn await_connection(&mut self, p: usize) {
        if let Some(q) = self.pairs.get_mut(p) {
            q.awaiting_connection = true;
            if q.state != PairState::Succeeded {
                q.state = PairState::InProgress;
            }
        }
    }

    /// The local candidate a connection belongs to.
    pub(crate) fn tcp_local_candidate(
        &self,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Option<usize> {
        let conn = self.tcp.by_path(local, remote)?;
        self.local.iter().position(|l| {
            l.cand.transport == Protocol::Tcp
                && l.base == conn.base
                && l.cand.component == conn.component
                && l.cand.candidate_type == CandidateType::Host
        })
    }

    /// The pair of (`local`, `remote`) on the connection with this 5-tuple: an existing pair
    /// (which takes the connection if it had none), or a new one that is checked on it even
    /// though its local candidate is passive (§7.2).
    pub(crate) fn tcp_pair_on(
        &mut self,
        local: usize,
        remote: usize,
        path: (SocketAddr, SocketAddr),
    ) -> Option<usize> {
        let id = self.tcp.by_path(path.0, path.1)?.id;
        if let Some(p) = self
            .pairs
            .iter()
            .position(|q| q.local == local && q.remote == remote)
        {
            if let Some(q) = self.pairs.get_mut(p)
                && q.conn.is_none()
            {
                q.conn = Some(id);
            }
            return Some(p);
        }
        if self.pairs.len() >= self.config.max_pairs {
            self.counters.ignored_candidates += 1;
            return None;
        }
        let (Some(l), Some(r)) = (self.local.get(local), self.remote.get(remote)) else {
            return None;
        };
        let priority = self.pair_priority_of(l.cand.priority, r.priority);
        let mut pair = Pair::new(local, remote, l.cand.component, priority);
        pair.state = PairState::Waiting;
        pair.conn = Some(id);
        self.pairs.push(pair);
        Some(self.pairs.len() - 1)
    }

    /// A remote peer-reflexive TCP candidate for a check that came on a connection (§7.2.2):
    /// its `tcptype` is the opposite of the local candidate's.
    pub(crate) fn tcp_peer_reflexive(
        &self,
        local: usize,
        source: SocketAddr,
        priority: u32,
    ) -> Candidate {
        let foundation = compute_foundation(
            CandidateType::PeerReflexive,
            source.ip(),
            None,
            Protocol::Tcp,
        );
        let component = self.local.get(local).map_or(1, |l| l.cand.component);
        let mut cand = Candidate::new(
            foundation,
            component,
            Protocol::Tcp,
            priority,
            source,
            CandidateType::PeerReflexive,
        );
        cand.tcp_type = self
            .local
            .get(local)
            .and_then(|l| l.cand.tcp_type)
            .map(TcpType::opposite);
        cand.ufrag = self.remote_creds.as_ref().map(|r| r.ufrag.clone());
        cand
    }

    /// Connects that took too long fail.
    pub(crate) fn tcp_timers(&mut self, now: Instant) {
        let late: Vec<TcpConnectionId> = self
            .tcp
            .conns
            .iter()
            .filter(|c| matches!(c.state, ConnState::Connecting(t) if t <= now))
            .map(|c| c.id)
            .collect();
        for id in late {
            tracing::debug!("TCP connect timed out");
            self.counters.tcp_connect_failures += 1;
            self.close_connection(id);
            self.forget_connection(now, id);
        }
    }

    /// Asks the runtime to close a connection and forgets it (its pairs are left alone).
    pub(crate) fn close_connection(&mut self, id: TcpConnectionId) {
        if self.tcp.get(id).is_none() {
            return;
        }
        self.tcp.commands.push_back(TcpCommand::Close { id });
        self.drop_connection(id);
    }

    /// Removes a connection and the checks in flight on it.
    fn drop_connection(&mut self, id: TcpConnectionId) {
        let Some(i) = self.tcp.conns.iter().position(|c| c.id == id) else {
            return;
        };
        let conn = self.tcp.conns.swap_remove(i);
        if conn.state == ConnState::Established {
            self.transactions.retain(|t| {
                !(t.protocol == Protocol::Tcp
                    && t.source == conn.local
                    && t.destination == conn.remote)
            });
            self.previous_paths.retain(|p| {
                !(p.protocol == Protocol::Tcp && p.local == conn.local && p.remote == conn.remote)
            });
        }
    }

    /// A connection is gone: it is forgotten and every pair on it fails.
    fn forget_connection(&mut self, now: Instant, id: TcpConnectionId) {
        self.drop_connection(id);
        let mut hit = false;
        for p in &mut self.pairs {
            if p.conn == Some(id) {
                p.state = PairState::Failed;
                p.valid = false;
                p.nominated = false;
                p.nominating = false;
                p.awaiting_connection = false;
                hit = true;
            }
        }
        if hit {
            self.update_selection(now);
            self.wake_checks();
        }
    }

    /// Closes the connections nothing uses: once checking is completed, every one but those of
    /// the selected pairs (and of the paths kept through an ICE restart); otherwise those of
    /// failed pairs only.
    pub(crate) fn prune_connections(&mut self, completed: bool) {
        let keep = |agent: &IceAgent, c: &TcpConn| {
            let in_previous = agent
                .previous_paths
                .iter()
                .any(|p| p.protocol == Protocol::Tcp && p.local == c.local && p.remote == c.remote);
            let used = agent.pairs.iter().enumerate().any(|(i, p)| {
                p.conn == Some(c.id)
                    && if completed {
                        agent.selected.contains(&Some(i))
                    } else {
                        p.state != PairState::Failed
                    }
            });
            let fresh = !completed && !agent.pairs.iter().any(|p| p.conn == Some(c.id));
            in_previous || used || fresh
        };
        let idle: Vec<TcpConnectionId> = self
            .tcp
            .conns
            .iter()
            .filter(|c| !keep(self, c))
            .map(|c| c.id)
            .collect();
        for id in idle {
            tracing::debug!("closing an unused TCP connection");
            self.close_connection(id);
            for p in &mut self.pairs {
                if p.conn == Some(id) {
                    p.conn = None;
                    if p.state != PairState::Failed {
                        p.state = PairState::Failed;
                        p.valid = false;
                    }
                }
            }
        }
    }

    /// After an ICE restart: only the connections of the kept paths stay.
    pub(crate) fn close_connections_for_restart(&mut self) {
        let idle: Vec<TcpConnectionId> = self
            .tcp
            .conns
            .iter()
            .filter(|c| {
                !self.previous_paths.iter().any(|p| {
                    p.protocol == Protocol::Tcp && p.local == c.local && p.remote == c.remote
                })
            })
            .map(|c| c.id)
            .collect();
        for id in idle {
            self.close_connection(id);
        }
    }

    /// Closing the agent: every connection goes.
    pub(crate) fn close_all_connections(&mut self) {
        let all: Vec<TcpConnectionId> = self.tcp.conns.iter().map(|c| c.id).collect();
        for id in all {
            self.close_connection(id);
        }
    }

    /// Whether a pair's check waits for its connection.
    pub(crate) fn tcp_check_blocked(&self, p: usize) -> bool {
        self.pairs
            .get(p)
            .and_then(|q| q.conn)
            .is_some_and(|id| self.tcp.is_connecting(id))
    }

    /// The established TCP connections: id, local and remote address.
    pub fn tcp_connections(&self) -> Vec<(TcpConnectionId, SocketAddr, SocketAddr)> {
        self.tcp
            .conns
            .iter()
            .filter(|c| c.state == ConnState::Established)
            .map(|c| (c.id, c.local, c.remote))
            .collect()
    }
}
