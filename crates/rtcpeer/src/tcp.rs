//! The stream sockets of one connection for ICE-TCP (RFC 6544): one TCP listener per local IP
//! (the passive host candidates; their IPs are also the active ones), the connections the ICE
//! agent asks for ([`TcpCommand::Connect`], opened in the driver task without blocking it) and
//! those it accepts, and their bytes in both directions.
//!
//! The agent never sees a socket: it names a connection by its id and its two addresses. This
//! layer carries out its commands, writes its [`Transmit`]s of [`Protocol::Tcp`] on the
//! connection with the same addresses (in order; what the kernel does not take at once waits
//! in a queue until the socket is writable), and reports what happens as [`TcpInput`]s, which
//! the driver hands to the core: accepted and established connections, failures, bytes read
//! (as [`Receive`]s of the connection's addresses, in pieces of any size: the agent deframes
//! them, RFC 4571) and closed connections. A `Close` first writes what is queued.
//!
//! It also carries the ICE agent's TURN clients over TCP (`turn:...?transport=tcp`, RFC 8656
//! §3.1) and over the TCP under `turns:`'s TLS: their [`Transmit`]s of [`Protocol::Tcp`] or
//! [`Protocol::Tls`] name a local UDP socket's address (the allocation's base, see
//! [`TcpLayer::allow_relays_from`]) and the server. The first one opens a connection from that
//! socket's IP to the server (its bytes wait until it is established); bytes read come back
//! as [`Receive`]s between the same two addresses, and a connection that fails or ends is
//! reported as [`TcpInput::RelayClosed`] (the allocations on it are gone).

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use rtcpeer_ice::{TcpCommand, TcpConnectionId};
use rtcpeer_types::{Pii, Protocol, Receive, Transmit};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::{AbortHandle, JoinSet};

/// The most bytes read from one connection per read call (a buffer on the stack; each read
/// is copied out into a `Bytes` of its size).
const READ_CHUNK: usize = 16 * 1024;
/// The most reads from one connection per wake-up, so that one busy connection does not
/// starve the rest of the driver.
const MAX_READS_PER_WAKE: usize = 64;
/// How long a connect may take before it is reported failed (the agent usually gives up
/// earlier and closes it).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// The most bytes queued on one connection the kernel does not take; beyond it the
/// connection is treated as broken (ICE-TCP data is real-time: a peer this slow is gone).
const MAX_QUEUED: usize = 8 << 20;

/// What happened on the stream sockets, for the core.
#[derive(Debug)]
pub(crate) enum TcpInput {
    /// A listener accepted a connection; give it to the core and then to
    /// [`TcpLayer::adopt`] (or drop it).
    Accepted {
        /// The listener's address.
        local: SocketAddr,
        /// The peer's address.
        remote: SocketAddr,
        /// The connection.
        stream: TcpStream,
    },
    /// A connection the agent asked for is established, from `local`.
    Connected {
        /// The connection.
        id: TcpConnectionId,
        /// Its local address (the ephemeral port).
        local: SocketAddr,
    },
    /// A connection the agent asked for could not be established.
    ConnectFailed {
        /// The connection.
        id: TcpConnectionId,
    },
    /// Bytes read from a connection.
    Data(Receive),
    /// A connection reached its end or failed; it is forgotten here.
    Closed {
        /// The connection.
        id: TcpConnectionId,
    },
    /// A connection to a TURN server could not be opened, failed or ended; it is forgotten
    /// here (a later transmit opens a new one).
    RelayClosed {
        /// The local UDP socket's address the agent named.
        local: SocketAddr,
        /// The TURN server.
        server: SocketAddr,
    },
}

/// A connection to a TURN server, keyed by the agent's (local, server) addresses.
#[derive(Debug)]
struct RelayConn {
    /// `local` is the agent's UDP socket address, not the connection's own.
    conn: Conn,
    /// [`Protocol::Tcp`] or [`Protocol::Tls`], as the agent's transmits say.
    protocol: Protocol,
    /// Not established yet.
    connecting: bool,
}

/// (the agent's local UDP socket address, the TURN server's address).
type RelayKey = (SocketAddr, SocketAddr);

/// One ICE-TCP connection.
#[derive(Debug)]
struct Conn {
    /// `None` while connecting.
    stream: Option<TcpStream>,
    local: SocketAddr,
    remote: SocketAddr,
    /// What the kernel did not take yet, in order.
    queued: VecDeque<Bytes>,
    queued_bytes: usize,
    /// The agent closed it: it goes once the queue is written.
    closing: bool,
}

/// The connection's TCP sockets; see the [module documentation](self).
#[derive(Debug, Default)]
pub(crate) struct TcpLayer {
    listeners: Vec<(TcpListener, SocketAddr)>,
    conns: HashMap<TcpConnectionId, Conn>,
    connecting: JoinSet<(TcpConnectionId, io::Result<TcpStream>)>,
    aborts: HashMap<TcpConnectionId, AbortHandle>,
    /// The local UDP socket addresses TURN clients may send from over a stream.
    relay_sources: Vec<SocketAddr>,
    /// Connections to TURN servers.
    relays: HashMap<RelayKey, RelayConn>,
    relay_connecting: JoinSet<(RelayKey, io::Result<TcpStream>)>,
    /// Transmits on no known connection (it closed meanwhile), dropped.
    pub(crate) unroutable: u64,
}

impl TcpLayer {
    /// Listens on an ephemeral port of each IP of `addrs`. An address that cannot be bound
    /// is skipped with a warning. Must run inside a tokio runtime.
    pub(crate) fn listen(addrs: &[SocketAddr]) -> Self {
        let mut layer = TcpLayer::default();
        for addr in addrs {
            let bound = std::net::TcpListener::bind(SocketAddr::new(addr.ip(), 0)).and_then(|l| {
                l.set_nonblocking(true)?;
                let l = TcpListener::from_std(l)?;
                let local = l.local_addr()?;
                Ok((l, local))
            });
            match bound {
                Ok(l) => layer.listeners.push(l),
                Err(e) => tracing::warn!(addr = %Pii(*addr), error = %e, "cannot listen"),
            }
        }
        layer
    }

    /// The listeners' addresses.
    pub(crate) fn listener_addrs(&self) -> Vec<SocketAddr> {
        self.listeners.iter().map(|(_, a)| *a).collect()
    }

    /// The local UDP socket addresses: a stream transmit from one of them goes to a TURN
    /// server, on a connection opened for it.
    pub(crate) fn allow_relays_from(&mut self, addrs: &[SocketAddr]) {
        self.relay_sources = addrs.to_vec();
    }

    /// Keeps an accepted connection the core took as `id`.
    pub(crate) fn adopt(
        &mut self,
        id: TcpConnectionId,
        stream: TcpStream,
        local: SocketAddr,
        remote: SocketAddr,
    ) {
        set_nodelay(&stream);
        self.conns.insert(
            id,
            Conn {
                stream: Some(stream),
                local,
                remote,
                queued: VecDeque::new(),
                queued_bytes: 0,
                closing: false,
            },
        );
    }

    /// Carries out one of the agent's commands.
    pub(crate) fn command(&mut self, command: TcpCommand) {
        match command {
            TcpCommand::Connect { id, local, remote } => self.connect(id, local, remote),
            TcpCommand::Close { id } => self.close(id),
            other => tracing::debug!(command = ?other, "TCP command not supported"),
        }
    }

    fn connect(&mut self, id: TcpConnectionId, local: SocketAddr, remote: SocketAddr) {
        let socket = if local.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        };
        let from = SocketAddr::new(local.ip(), 0);
        let abort = self.connecting.spawn(async move {
            let connect = async move {
                let socket = socket?;
                socket.bind(from)?;
                socket.connect(remote).await
            };
            let result = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
                Ok(r) => r,
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
            };
            (id, result)
        });
        self.aborts.insert(id, abort);
        self.conns.insert(
            id,
            Conn {
                stream: None,
                local: from,
                remote,
                queued: VecDeque::new(),
                queued_bytes: 0,
                closing: false,
            },
        );
    }

    fn close(&mut self, id: TcpConnectionId) {
        if let Some(abort) = self.aborts.remove(&id) {
            abort.abort();
            self.conns.remove(&id);
            return;
        }
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        conn.closing = true;
        if flush(conn).is_err() || conn.queued.is_empty() {
            self.conns.remove(&id);
        }
    }

    /// Writes a transmit of [`Protocol::Tcp`] on the connection with its addresses. Returns
    /// false (counted) when there is none.
    pub(crate) fn send(&mut self, t: Transmit) -> bool {
        let found = self.conns.iter_mut().find(|(_, c)| {
            c.stream.is_some() && !c.closing && c.local == t.source && c.remote == t.destination
        });
        let Some((id, conn)) = found else {
            if self.relay_sources.contains(&t.source) {
                return self.send_relay(t);
            }
            self.unroutable += 1;
            tracing::trace!(to = %Pii(t.destination), "TCP transmit on no connection");
            return false;
        };
        conn.queued_bytes += t.contents.len();
        conn.queued.push_back(t.contents);
        if flush(conn).is_err() || conn.queued_bytes > MAX_QUEUED {
            // Broken: the next poll reports it closed.
            tracing::debug!(connection = ?id, "TCP write failed");
            conn.queued.clear();
            conn.queued_bytes = 0;
            conn.stream = None;
        }
        true
    }

    /// Writes a TURN client's transmit on its connection to the server, opening it first.
    fn send_relay(&mut self, t: Transmit) -> bool {
        let key = (t.source, t.destination);
        if !self.relays.contains_key(&key) {
            self.connect_relay(key, t.protocol);
        }
        let Some(relay) = self.relays.get_mut(&key) else {
            return false;
        };
        let conn = &mut relay.conn;
        conn.queued_bytes += t.contents.len();
        conn.queued.push_back(t.contents);
        if relay.connecting {
            return true;
        }
        if flush(conn).is_err() || conn.queued_bytes > MAX_QUEUED {
            // Broken: the next poll reports it closed.
            tracing::debug!(server = %Pii(key.1), "TURN connection write failed");
            conn.queued.clear();
            conn.queued_bytes = 0;
            conn.stream = None;
        }
        true
    }

    fn connect_relay(&mut self, key: RelayKey, protocol: Protocol) {
        let (local, server) = key;
        let socket = if server.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        };
        let from = SocketAddr::new(local.ip(), 0);
        self.relay_connecting.spawn(async move {
            let connect = async move {
                let socket = socket?;
                socket.bind(from)?;
                socket.connect(server).await
            };
            let result = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
                Ok(r) => r,
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
            };
            (key, result)
        });
        self.relays.insert(
            key,
            RelayConn {
                conn: Conn {
                    stream: None,
                    local,
                    remote: server,
                    queued: VecDeque::new(),
                    queued_bytes: 0,
                    closing: false,
                },
                protocol,
                connecting: true,
            },
        );
    }

    /// The connections to TURN servers: established ones, and what was read or ended.
    fn poll_relays(&mut self, cx: &mut Context<'_>, out: &mut Vec<TcpInput>) {
        while let Poll::Ready(Some(joined)) = self.relay_connecting.poll_join_next(cx) {
            let Ok((key, result)) = joined else { continue };
            let Some(relay) = self.relays.get_mut(&key) else {
                continue;
            };
            match result {
                Ok(stream) => {
                    set_nodelay(&stream);
                    relay.conn.stream = Some(stream);
                    relay.connecting = false;
                    if flush(&mut relay.conn).is_err() {
                        relay.conn.stream = None;
                    }
                }
                Err(e) => {
                    tracing::debug!(server = %Pii(key.1), error = %e, "TURN connect failed");
                    relay.conn.stream = None;
                    relay.connecting = false;
                }
            }
        }
        let mut gone = Vec::new();
        for (key, relay) in &mut self.relays {
            if !relay.connecting
                && poll_conn(cx, &Pii(key.1), &mut relay.conn, relay.protocol, out).is_err()
            {
                gone.push(*key);
            }
        }
        for (local, server) in gone {
            self.relays.remove(&(local, server));
            out.push(TcpInput::RelayClosed { local, server });
        }
    }

    /// Ready with what happened since the last call; registers for every socket otherwise.
    pub(crate) fn poll_input(&mut self, cx: &mut Context<'_>) -> Poll<Vec<TcpInput>> {
        let mut out = Vec::new();
        for (listener, local) in &self.listeners {
            for _ in 0..MAX_READS_PER_WAKE {
                match listener.poll_accept(cx) {
                    Poll::Ready(Ok((stream, remote))) => out.push(TcpInput::Accepted {
                        local: *local,
                        remote,
                        stream,
                    }),
                    Poll::Ready(Err(e)) => {
                        tracing::debug!(error = %e, "TCP accept failed");
                        break;
                    }
                    Poll::Pending => break,
                }
            }
        }
        while let Poll::Ready(Some(joined)) = self.connecting.poll_join_next(cx) {
            // An aborted connect was closed by the agent: nothing to report.
            let Ok((id, result)) = joined else { continue };
            self.aborts.remove(&id);
            match (result, self.conns.get_mut(&id)) {
                (Ok(stream), Some(conn)) => match stream.local_addr() {
                    Ok(local) => {
                        set_nodelay(&stream);
                        conn.local = local;
                        conn.stream = Some(stream);
                        out.push(TcpInput::Connected { id, local });
                    }
                    Err(_) => {
                        self.conns.remove(&id);
                        out.push(TcpInput::ConnectFailed { id });
                    }
                },
                (Ok(_), None) => {}
                (Err(e), _) => {
                    tracing::debug!(error = %e, "TCP connect failed");
                    self.conns.remove(&id);
                    out.push(TcpInput::ConnectFailed { id });
                }
            }
        }
        let mut gone = Vec::new();
        for (id, conn) in &mut self.conns {
            if self.aborts.contains_key(id) {
                continue;
            }
            if poll_conn(cx, id, conn, Protocol::Tcp, &mut out).is_err() {
                gone.push(*id);
            } else if conn.closing && conn.queued.is_empty() {
                // Closed by the agent, everything written.
                gone.push(*id);
            }
        }
        for id in gone {
            if let Some(conn) = self.conns.remove(&id)
                && !conn.closing
            {
                out.push(TcpInput::Closed { id });
            }
        }
        self.poll_relays(cx, &mut out);
        if out.is_empty() {
            Poll::Pending
        } else {
            Poll::Ready(out)
        }
    }
}

/// Writes what is queued and reads what arrived on one connection (reported as `protocol`).
/// `Err` when it is closed or broken.
fn poll_conn(
    cx: &mut Context<'_>,
    id: &dyn std::fmt::Debug,
    conn: &mut Conn,
    protocol: Protocol,
    out: &mut Vec<TcpInput>,
) -> Result<(), ()> {
    let Some(stream) = conn.stream.as_ref() else {
        // Broken by a failed write.
        return Err(());
    };
    if !conn.queued.is_empty() {
        match stream.poll_write_ready(cx) {
            Poll::Ready(Ok(())) => flush(conn).map_err(|_| ())?,
            Poll::Ready(Err(_)) => return Err(()),
            Poll::Pending => {}
        }
    }
    let Some(stream) = conn.stream.as_ref() else {
        return Err(());
    };
    for _ in 0..MAX_READS_PER_WAKE {
        match stream.poll_read_ready(cx) {
            Poll::Pending => break,
            Poll::Ready(Err(_)) => return Err(()),
            Poll::Ready(Ok(())) => {}
        }
        let mut buf = [0u8; READ_CHUNK];
        match stream.try_read(&mut buf) {
            Ok(0) => {
                tracing::debug!(connection = ?id, "TCP connection ended");
                return Err(());
            }
            Ok(n) => {
                out.push(TcpInput::Data(Receive {
                    protocol,
                    source: conn.remote,
                    destination: conn.local,
                    contents: Bytes::copy_from_slice(buf.get(..n).unwrap_or_default()),
                }));
            }
            // Readiness is cleared: the next poll registers the waker.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => {
                tracing::debug!(connection = ?id, error = %e, "TCP read failed");
                return Err(());
            }
        }
    }
    Ok(())
}

/// Writes as much of the queue as the kernel takes.
fn flush(conn: &mut Conn) -> io::Result<()> {
    let Some(stream) = conn.stream.as_ref() else {
        return Ok(());
    };
    while let Some(front) = conn.queued.front_mut() {
        match stream.try_write(front) {
            Ok(n) => {
                conn.queued_bytes = conn.queued_bytes.saturating_sub(n);
                if n >= front.len() {
                    conn.queued.pop_front();
                } else {
                    front.advance(n);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Small frames (checks, DTLS records) go out at once.
fn set_nodelay(stream: &TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY not set");
    }
}
