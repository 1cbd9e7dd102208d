//! Simulated TCP connections (RFC 9293, reduced to what stream users need): listeners,
//! connection set-up, in-order byte streams, and closing.
//!
//! An endpoint asks for them with [`TcpCommand`]s ([`Endpoint::poll_tcp_command`]) and hears
//! back through [`TcpEvent`]s ([`Endpoint::handle_tcp_event`]). A connection request (SYN) and
//! its answer (SYN-ACK, or RST from a host with no listener) cross links, NATs and firewalls
//! like any packet, so a NAT without a mapping or a firewall rule that drops it leaves the
//! connect to time out. Once established, a connection is named by its 5-tuple as each side sees
//! it: the endpoint writes with a [`Transmit`] of [`Protocol::Tcp`] from its local to its remote
//! address, and reads [`Receive`]s of the same 5-tuple. Written bytes arrive in order and intact
//! (segments are never lost, like a TCP that retransmits), but the receiver gets them in
//! arbitrary pieces: a write may be split anywhere and held back briefly to be coalesced with the
//! next one, so the receiver's stream framing (RFC 4571, TURN's RFC 8656 §12.5) is exercised.
//! Closing sends a FIN after the bytes written before it; the other side gets
//! [`TcpEvent::Closed`].
//!
//! A [`Protocol::Tcp`] transmit that belongs to no connection is carried as before, as a reliable
//! datagram (for endpoints that do not model connections).
//!
//! [`Endpoint::poll_tcp_command`]: crate::Endpoint::poll_tcp_command
//! [`Endpoint::handle_tcp_event`]: crate::Endpoint::handle_tcp_event

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtcpeer_types::{Protocol, Receive, Rng, Transmit};

use crate::network::{Network, Packet};
use crate::topology::HostId;
use crate::trace::{DropReason, Place};

/// The first ephemeral port a host connects from (RFC 6335 §6 dynamic ports).
const FIRST_EPHEMERAL_PORT: u16 = 49152;
/// How long a piece held back for coalescing waits for the next one.
const COALESCE_WAIT: Duration = Duration::from_millis(1);
/// Default connect timeout (a SYN with no answer).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Mixed into the network seed for the stream splitter's generator, so that TCP draws never
/// shift the numbers of links and NATs.
const SPLIT_SEED: u64 = 0x7463_705f_7370_6c74;

/// What an endpoint asks of the simulated TCP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TcpCommand {
    /// Accept connections to `local` (one of the host's addresses, or an unspecified address
    /// for all of them, with the port to listen on).
    Listen {
        /// The listening address.
        local: SocketAddr,
    },
    /// Stop accepting connections to `local`; connections already accepted stay.
    Unlisten {
        /// The listening address given to [`TcpCommand::Listen`].
        local: SocketAddr,
    },
    /// Open a connection from `local` (one of the host's addresses, or unspecified for the first
    /// one of `remote`'s family; port 0 for an ephemeral port) to `remote`. The answer is
    /// [`TcpEvent::Connected`] or [`TcpEvent::ConnectFailed`] with the same `token`.
    Connect {
        /// Chosen by the endpoint to match the answer.
        token: u64,
        /// The local address to connect from.
        local: SocketAddr,
        /// The address to connect to.
        remote: SocketAddr,
    },
    /// Close the connection with this 5-tuple (as the endpoint sees it): the bytes written
    /// before are still delivered, then the peer gets [`TcpEvent::Closed`].
    Close {
        /// The connection's local address.
        local: SocketAddr,
        /// The connection's remote address.
        remote: SocketAddr,
    },
}

/// Why a connect failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectError {
    /// The remote host has no listener there (it answered RST).
    Refused,
    /// No answer within the connect timeout (dropped by a NAT, a firewall, or no route).
    TimedOut,
    /// The local address is not one of the host's, or the families differ.
    BadAddress,
}

/// What the simulated TCP tells an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TcpEvent {
    /// A [`TcpCommand::Connect`] succeeded.
    Connected {
        /// The command's token.
        token: u64,
        /// The connection's local address (with the ephemeral port).
        local: SocketAddr,
        /// The connection's remote address.
        remote: SocketAddr,
    },
    /// A [`TcpCommand::Connect`] failed.
    ConnectFailed {
        /// The command's token.
        token: u64,
        /// Why.
        error: ConnectError,
    },
    /// A listener accepted a connection.
    Accepted {
        /// The listening address the connection came to.
        local: SocketAddr,
        /// Where it came from (as seen after any NAT).
        remote: SocketAddr,
    },
    /// The peer closed the connection (or it was reset).
    Closed {
        /// The connection's local address.
        local: SocketAddr,
        /// The connection's remote address.
        remote: SocketAddr,
    },
}

/// A TCP control or data segment in flight: the connection and, where it matters, the side it
/// is for (0 opened the connection, 1 accepted it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Segment {
    Syn(u64),
    SynAck(u64),
    Rst(u64),
    Data(u64, usize),
    Fin(u64, usize),
}

impl Segment {
    pub(crate) fn is_syn(self) -> bool {
        matches!(self, Segment::Syn(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConnState {
    SynSent,
    Established,
    Failed,
}

/// One end of a connection.
#[derive(Debug)]
struct Side {
    host: HostId,
    local: SocketAddr,
    remote: SocketAddr,
    /// Bytes arrived and not yet handed to the endpoint.
    inbound: BytesMut,
    /// Still reading and writing (not closed by either side).
    open: bool,
    /// A coalescing flush is scheduled.
    flush_pending: bool,
}

#[derive(Debug)]
struct Conn {
    token: u64,
    state: ConnState,
    sides: [Option<Side>; 2],
}

#[derive(Debug)]
enum Timer {
    ConnectTimeout(u64),
    Flush(u64, usize, u64),
    Event(HostId, TcpEvent),
}

/// The network's TCP state.
#[derive(Debug)]
pub(crate) struct TcpState {
    listeners: BTreeSet<(HostId, SocketAddr)>,
    conns: BTreeMap<u64, Conn>,
    next_conn: u64,
    next_port: BTreeMap<HostId, u16>,
    timers: BTreeMap<(Instant, u64), Timer>,
    timer_seq: u64,
    connect_timeout: Duration,
    split: bool,
    rng: Rng,
}

impl TcpState {
    pub(crate) fn new(seed: u64) -> Self {
        TcpState {
            listeners: BTreeSet::new(),
            conns: BTreeMap::new(),
            next_conn: 0,
            next_port: BTreeMap::new(),
            timers: BTreeMap::new(),
            timer_seq: 0,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            split: true,
            rng: Rng::from_seed(seed ^ SPLIT_SEED),
        }
    }

    /// The earliest TCP timer.
    pub(crate) fn next_timer(&self) -> Option<Instant> {
        self.timers.keys().next().map(|&(at, _)| at)
    }

    fn schedule(&mut self, at: Instant, timer: Timer) {
        self.timers.insert((at, self.timer_seq), timer);
        self.timer_seq += 1;
    }

    /// The connection and side with this 5-tuple on `host`, preferring an open one.
    fn find(&self, host: HostId, local: SocketAddr, remote: SocketAddr) -> Option<(u64, usize)> {
        let mut found = None;
        for (&id, c) in &self.conns {
            for (s, side) in c.sides.iter().enumerate() {
                if let Some(side) = side
                    && side.host == host
                    && side.local == local
                    && side.remote == remote
                {
                    if side.open && c.state == ConnState::Established {
                        return Some((id, s));
                    }
                    found = Some((id, s));
                }
            }
        }
        found
    }

    fn port_in_use(&self, host: HostId, port: u16) -> bool {
        self.listeners
            .iter()
            .any(|&(h, a)| h == host && a.port() == port)
            || self.conns.values().any(|c| {
                c.sides
                    .iter()
                    .flatten()
                    .any(|s| s.host == host && s.open && s.local.port() == port)
            })
    }

    /// An ephemeral port of `host` no live connection or listener of it uses.
    fn ephemeral_port(&mut self, host: HostId) -> u16 {
        let mut port = *self.next_port.get(&host).unwrap_or(&FIRST_EPHEMERAL_PORT);
        for _ in 0..=(u16::MAX - FIRST_EPHEMERAL_PORT) {
            let candidate = port;
            port = if port == u16::MAX {
                FIRST_EPHEMERAL_PORT
            } else {
                port + 1
            };
            if !self.port_in_use(host, candidate) {
                self.next_port.insert(host, port);
                return candidate;
            }
        }
        // Every port is taken: reuse one (a simulation never gets here in practice).
        port
    }

    fn listening(&self, host: HostId, addr: SocketAddr) -> bool {
        let any: IpAddr = if addr.is_ipv4() {
            Ipv4Addr::UNSPECIFIED.into()
        } else {
            Ipv6Addr::UNSPECIFIED.into()
        };
        self.listeners.contains(&(host, addr))
            || self
                .listeners
                .contains(&(host, SocketAddr::new(any, addr.port())))
    }

    /// Splits `len` bytes into the length of the next piece, or `None` to hold the rest back.
    fn next_piece(&mut self, len: usize, may_hold: bool) -> Option<usize> {
        if !self.split {
            return Some(len);
        }
        if may_hold && self.rng.chance(0.2) {
            return None;
        }
        if len <= 1 || self.rng.chance(0.4) {
            return Some(len);
        }
        Some(self.rng.range_u64(1, len as u64) as usize)
    }
}

impl Network {
    /// Sets how long a connect waits for an answer before [`ConnectError::TimedOut`] (3 s by
    /// default).
    pub fn set_tcp_connect_timeout(&mut self, timeout: Duration) {
        self.tcp.connect_timeout = timeout;
    }

    /// Whether stream bytes are delivered in random pieces, split and coalesced (the default),
    /// or one [`Receive`] per write.
    pub fn set_tcp_segmentation(&mut self, on: bool) {
        self.tcp.split = on;
    }

    /// The open TCP connections of `host`: (local, remote), as it sees them.
    pub fn tcp_connections(&self, host: HostId) -> Vec<(SocketAddr, SocketAddr)> {
        self.tcp
            .conns
            .values()
            .filter(|c| c.state == ConnState::Established)
            .flat_map(|c| c.sides.iter().flatten())
            .filter(|s| s.host == host && s.open)
            .map(|s| (s.local, s.remote))
            .collect()
    }

    /// Carries out a command of `host`'s endpoint.
    pub(crate) fn tcp_command(&mut self, host: HostId, command: TcpCommand) {
        match command {
            TcpCommand::Listen { local } => {
                self.tcp.listeners.insert((host, local));
            }
            TcpCommand::Unlisten { local } => {
                self.tcp.listeners.remove(&(host, local));
            }
            TcpCommand::Connect {
                token,
                local,
                remote,
            } => self.tcp_connect(host, token, local, remote),
            TcpCommand::Close { local, remote } => {
                let Some((id, s)) = self.tcp.find(host, local, remote) else {
                    return;
                };
                let Some(side) = self
                    .tcp
                    .conns
                    .get_mut(&id)
                    .and_then(|c| c.sides.get_mut(s))
                    .and_then(Option::as_mut)
                else {
                    return;
                };
                if !side.open {
                    return;
                }
                side.open = false;
                side.inbound.clear();
                self.send_segment(host, local, remote, Segment::Fin(id, 1 - s), Bytes::new());
            }
        }
    }

    fn tcp_connect(&mut self, host: HostId, token: u64, local: SocketAddr, remote: SocketAddr) {
        let source = self
            .resolve_source(host, local)
            .map(|(a, _)| a)
            .filter(|a| a.is_ipv4() == remote.is_ipv4() && !remote.ip().is_unspecified());
        let Some(source) = source else {
            let event = TcpEvent::ConnectFailed {
                token,
                error: ConnectError::BadAddress,
            };
            let now = self.now;
            self.tcp.schedule(now, Timer::Event(host, event));
            return;
        };
        let port = match source.port() {
            0 => self.tcp.ephemeral_port(host),
            p => p,
        };
        let local = SocketAddr::new(source.ip(), port);
        let id = self.tcp.next_conn;
        self.tcp.next_conn += 1;
        self.tcp.conns.insert(
            id,
            Conn {
                token,
                state: ConnState::SynSent,
                sides: [
                    Some(Side {
                        host,
                        local,
                        remote,
                        inbound: BytesMut::new(),
                        open: true,
                        flush_pending: false,
                    }),
                    None,
                ],
            },
        );
        let at = self.now + self.tcp.connect_timeout;
        self.tcp.schedule(at, Timer::ConnectTimeout(id));
        self.send_segment(host, local, remote, Segment::Syn(id), Bytes::new());
    }

    /// A [`Protocol::Tcp`] transmit: stream bytes of a connection of `host` if its 5-tuple
    /// names one (`true`: taken, sent or dropped), else `false` (a connectionless datagram).
    pub(crate) fn tcp_write(&mut self, host: HostId, t: &Transmit) -> bool {
        let Some((id, s)) = self.tcp.find(host, t.source, t.destination) else {
            return false;
        };
        let live = self.tcp.conns.get(&id).is_some_and(|c| {
            c.state == ConnState::Established
                && c.sides
                    .get(s)
                    .and_then(Option::as_ref)
                    .is_some_and(|x| x.open)
        });
        if live {
            self.send_segment(
                host,
                t.source,
                t.destination,
                Segment::Data(id, 1 - s),
                t.contents.clone(),
            );
        } else {
            let packet = Packet {
                id: self.next_packet,
                protocol: Protocol::Tcp,
                source: t.source,
                destination: t.destination,
                contents: t.contents.clone(),
                tcp: None,
            };
            self.next_packet += 1;
            self.drop_packet(Place::Host(host), DropReason::TcpNotConnected, &packet);
        }
        true
    }

    fn send_segment(
        &mut self,
        host: HostId,
        source: SocketAddr,
        destination: SocketAddr,
        segment: Segment,
        contents: Bytes,
    ) {
        let packet = Packet {
            id: self.next_packet,
            protocol: Protocol::Tcp,
            source,
            destination,
            contents,
            tcp: Some(segment),
        };
        self.next_packet += 1;
        self.send_packet(host, packet, Some(source));
    }

    /// A segment reached `host`.
    pub(crate) fn tcp_arrive(&mut self, host: HostId, packet: Packet) {
        let Some(segment) = packet.tcp else { return };
        match segment {
            Segment::Syn(id) => self.on_syn(host, id, &packet),
            Segment::SynAck(id) => {
                let Some(conn) = self.tcp.conns.get_mut(&id) else {
                    return;
                };
                let Some(side) = conn.sides[0].as_ref().filter(|s| s.host == host) else {
                    return;
                };
                if conn.state == ConnState::SynSent {
                    conn.state = ConnState::Established;
                    let event = TcpEvent::Connected {
                        token: conn.token,
                        local: side.local,
                        remote: side.remote,
                    };
                    self.tcp_event(host, event);
                }
            }
            Segment::Rst(id) => {
                let Some(conn) = self.tcp.conns.get_mut(&id) else {
                    return;
                };
                if conn.state == ConnState::SynSent {
                    conn.state = ConnState::Failed;
                    if let Some(s) = conn.sides[0].as_mut() {
                        s.open = false;
                    }
                    let event = TcpEvent::ConnectFailed {
                        token: conn.token,
                        error: ConnectError::Refused,
                    };
                    self.tcp_event(host, event);
                }
            }
            Segment::Data(id, to) => {
                let Some(side) = self
                    .tcp
                    .conns
                    .get_mut(&id)
                    .and_then(|c| c.sides.get_mut(to))
                    .and_then(Option::as_mut)
                    .filter(|s| s.open && s.host == host)
                else {
                    self.drop_packet(Place::Host(host), DropReason::TcpNotConnected, &packet);
                    return;
                };
                side.inbound.extend_from_slice(&packet.contents);
                self.deliver_stream(id, to, true, packet.id);
            }
            Segment::Fin(id, to) => {
                self.deliver_stream(id, to, false, packet.id);
                let Some(side) = self
                    .tcp
                    .conns
                    .get_mut(&id)
                    .and_then(|c| c.sides.get_mut(to))
                    .and_then(Option::as_mut)
                    .filter(|s| s.open && s.host == host)
                else {
                    return;
                };
                side.open = false;
                let event = TcpEvent::Closed {
                    local: side.local,
                    remote: side.remote,
                };
                self.tcp_event(host, event);
            }
        }
    }

    fn on_syn(&mut self, host: HostId, id: u64, packet: &Packet) {
        let (local, remote) = (packet.destination, packet.source);
        let state = self.tcp.conns.get(&id).map(|c| c.state);
        if state != Some(ConnState::SynSent) {
            return;
        }
        if !self.tcp.listening(host, local) {
            self.send_segment(host, local, remote, Segment::Rst(id), Bytes::new());
            return;
        }
        if let Some(conn) = self.tcp.conns.get_mut(&id) {
            conn.sides[1] = Some(Side {
                host,
                local,
                remote,
                inbound: BytesMut::new(),
                open: true,
                flush_pending: false,
            });
        }
        self.tcp_event(host, TcpEvent::Accepted { local, remote });
        self.send_segment(host, local, remote, Segment::SynAck(id), Bytes::new());
    }

    /// Hands arrived stream bytes of one side to its endpoint in pieces; with `may_hold`, the
    /// tail may wait a moment to be coalesced with what comes next. `packet` is the segment that
    /// brought the bytes, for the trace.
    fn deliver_stream(&mut self, id: u64, s: usize, may_hold: bool, packet: u64) {
        loop {
            let Some(side) = self
                .tcp
                .conns
                .get(&id)
                .and_then(|c| c.sides.get(s))
                .and_then(Option::as_ref)
            else {
                return;
            };
            let (len, pending) = (side.inbound.len(), side.flush_pending);
            if len == 0 {
                return;
            }
            let Some(n) = self.tcp.next_piece(len, may_hold && !pending) else {
                let at = self.now + COALESCE_WAIT;
                if let Some(side) = self
                    .tcp
                    .conns
                    .get_mut(&id)
                    .and_then(|c| c.sides.get_mut(s))
                    .and_then(Option::as_mut)
                {
                    side.flush_pending = true;
                }
                self.tcp.schedule(at, Timer::Flush(id, s, packet));
                return;
            };
            let Some(side) = self
                .tcp
                .conns
                .get_mut(&id)
                .and_then(|c| c.sides.get_mut(s))
                .and_then(Option::as_mut)
            else {
                return;
            };
            let contents = side.inbound.split_to(n.min(len)).freeze();
            let rx = Receive {
                protocol: Protocol::Tcp,
                source: side.remote,
                destination: side.local,
                contents,
            };
            let host = side.host;
            self.hand_over(host, packet, rx);
        }
    }

    /// Runs the TCP timers due at `now`.
    pub(crate) fn run_tcp_timers(&mut self, now: Instant) {
        let due: Vec<Timer> = {
            let mut due = Vec::new();
            while let Some(entry) = self.tcp.timers.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                due.push(entry.remove());
            }
            due
        };
        for timer in due {
            match timer {
                Timer::Event(host, event) => self.tcp_event(host, event),
                Timer::Flush(id, s, packet) => {
                    if let Some(side) = self
                        .tcp
                        .conns
                        .get_mut(&id)
                        .and_then(|c| c.sides.get_mut(s))
                        .and_then(Option::as_mut)
                    {
                        side.flush_pending = false;
                    }
                    self.deliver_stream(id, s, false, packet);
                }
                Timer::ConnectTimeout(id) => self.on_connect_timeout(id),
            }
        }
    }

    fn on_connect_timeout(&mut self, id: u64) {
        let Some(conn) = self.tcp.conns.get_mut(&id) else {
            return;
        };
        if conn.state != ConnState::SynSent {
            return;
        }
        conn.state = ConnState::Failed;
        let token = conn.token;
        let Some(side) = conn.sides[0].as_mut() else {
            return;
        };
        side.open = false;
        let (host, local, remote) = (side.host, side.local, side.remote);
        // A listener may have accepted the SYN while its answer is still on the way: close it.
        let accepted = conn.sides[1].as_ref().is_some_and(|s| s.open);
        self.tcp_event(
            host,
            TcpEvent::ConnectFailed {
                token,
                error: ConnectError::TimedOut,
            },
        );
        if accepted {
            self.send_segment(host, local, remote, Segment::Fin(id, 1), Bytes::new());
        }
    }

    /// Hands a TCP event to a host's endpoint.
    fn tcp_event(&mut self, host: HostId, event: TcpEvent) {
        let now = self.now;
        if let Some(h) = self.hosts.get_mut(host.get() as usize) {
            h.dirty = true;
            h.endpoint.handle_tcp_event(now, event);
        }
    }
}
