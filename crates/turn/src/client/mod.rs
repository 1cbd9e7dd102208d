//! [`TurnClient`]: the sans-IO TURN client machine (RFC 8656).
//!
//! It owns one allocation on one server: the Allocate transaction with the long-term credential
//! challenge (§7.1–§7.3, RFC 8489 §9.2), its refreshes and deletion (§8), permissions (§9),
//! Send and Data indications (§10), channel bindings and ChannelData (§11, §12), and the STUN
//! transactions under them with RFC 8489 §6.2 retransmission. The runtime feeds it what arrives
//! from the server (`handle_receive`), wakes it at `poll_timeout` (`handle_timeout`), and sends
//! what `poll_transmit` returns; `poll_event` reports the allocation, permissions, channels and
//! data from peers.
//!
//! ```
//! use std::net::SocketAddr;
//! use rtcpeer_turn::{TurnClient, TurnConfig};
//! use rtcpeer_types::Rng;
//!
//! let server: SocketAddr = "192.0.2.1:3478".parse().unwrap();
//! let config = TurnConfig::new(server, "10.0.0.2:5000".parse().unwrap(), "user", "pass");
//! let mut client = TurnClient::new(config, Rng::from_seed(1)).unwrap();
//! # #[allow(clippy::disallowed_methods)]
//! let now = std::time::Instant::now();
//! client.allocate(now).unwrap();
//! let first = client.poll_transmit().unwrap(); // the unauthenticated Allocate request
//! assert_eq!(first.destination, server);
//! assert!(client.poll_timeout().is_some()); // its retransmission timer
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_stun::channel_data::CHANNEL_DATA_HEADER_LEN;
use rtcpeer_stun::{
    ChannelData, ChannelNumber, Data, Lifetime, MessageBuilder, Method, RequestedAddressFamily,
    RequestedTransport, TransactionId, XorPeerAddress,
};
use rtcpeer_types::{Pii, Protocol, Receive, Rng, Transmit};
use tracing::{debug, trace};

use crate::auth::Credentials;
use crate::bindings::Bindings;
use crate::config::TurnConfig;
use crate::error::{TurnError, UsageError};
use crate::event::{TurnEvent, TurnStats};
use crate::link::Link;
use crate::transaction::{Tick, Timer};

mod response;

/// How many times one request is re-sent after 401/438 answers before giving up.
const MAX_AUTH_RETRIES: u8 = 3;
/// How many 300 Try Alternate redirects the client follows over UDP.
const MAX_REDIRECTS: u8 = 2;
/// How long before expiry an allocation is refreshed (at most half its lifetime).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Where the allocation stands.
#[derive(Debug, Clone, Copy)]
enum State {
    /// `allocate` not called yet.
    Idle,
    /// The Allocate transaction is running.
    Allocating,
    /// The server granted the allocation.
    Allocated(Allocation),
    /// A Refresh with LIFETIME 0 is running.
    Deallocating,
    /// Finished: failed, expired or deleted.
    Closed,
}

/// A granted allocation.
#[derive(Debug, Clone, Copy)]
struct Allocation {
    relayed: SocketAddr,
    mapped: Option<SocketAddr>,
    expires: Instant,
    refresh_at: Instant,
    refreshing: bool,
}

/// A request the client sends; rebuilt (new transaction id, fresh credentials) on each retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Allocate,
    Refresh { lifetime: Duration },
    CreatePermission { peer: IpAddr },
    ChannelBind { peer: SocketAddr, channel: u16 },
}

impl Request {
    fn method(self) -> Method {
        match self {
            Request::Allocate => Method::ALLOCATE,
            Request::Refresh { .. } => Method::REFRESH,
            Request::CreatePermission { .. } => Method::CREATE_PERMISSION,
            Request::ChannelBind { .. } => Method::CHANNEL_BIND,
        }
    }
}

/// An outstanding request.
#[derive(Debug)]
struct Pending {
    request: Request,
    /// The encoded request, for retransmission over UDP.
    message: Bytes,
    timer: Timer,
    sent_at: Instant,
    /// It carried MESSAGE-INTEGRITY: its response must too.
    signed: bool,
    /// 401/438 retries that led to it.
    retries: u8,
}

/// When to refresh an allocation of `lifetime`: a minute before it expires, but not before
/// half of it has passed.
fn refresh_after(lifetime: Duration) -> Duration {
    lifetime.saturating_sub(REFRESH_MARGIN).max(lifetime / 2)
}

/// A sans-IO TURN client holding one allocation on one server (RFC 8656).
#[derive(Debug)]
pub struct TurnClient {
    config: TurnConfig,
    server: SocketAddr,
    protocol: Protocol,
    rng: Rng,
    link: Link,
    creds: Credentials,
    state: State,
    pending: BTreeMap<TransactionId, Pending>,
    bindings: Bindings,
    events: VecDeque<TurnEvent>,
    transmits: VecDeque<Transmit>,
    stats: TurnStats,
    redirects: u8,
    /// When the client last sent anything to the server (for keepalives).
    last_sent: Option<Instant>,
}

impl TurnClient {
    /// A client for `config`'s server, drawing transaction ids from `rng`. Fails only if the
    /// TLS configuration cannot start a session.
    pub fn new(config: TurnConfig, rng: Rng) -> Result<TurnClient, UsageError> {
        let link = Link::new(&config.transport)?;
        Ok(TurnClient {
            server: config.server,
            protocol: config.transport.protocol(),
            creds: Credentials::new(&config.username, &config.password),
            config,
            rng,
            link,
            state: State::Idle,
            pending: BTreeMap::new(),
            bindings: Bindings::default(),
            events: VecDeque::new(),
            transmits: VecDeque::new(),
            stats: TurnStats::default(),
            redirects: 0,
            last_sent: None,
        })
    }

    // ---- commands -------------------------------------------------------------------------

    /// Starts the allocation (RFC 8656 §7.1): an Allocate request for a UDP relay (of the
    /// configured [`requested_family`](TurnConfig::requested_family), if any), first without
    /// credentials; the 401 challenge is answered on its own.
    pub fn allocate(&mut self, now: Instant) -> Result<(), UsageError> {
        if !matches!(self.state, State::Idle) {
            return Err(UsageError::AlreadyStarted);
        }
        debug!(server = %Pii(self.server), transport = %self.protocol, "TURN allocating");
        self.state = State::Allocating;
        self.send_request(now, Request::Allocate, 0);
        Ok(())
    }

    /// Installs a permission for `peer` (RFC 8656 §9.1) and keeps refreshing it until the
    /// allocation ends. Reports [`TurnEvent::PermissionCreated`] when the server confirms (at
    /// once if it already has).
    pub fn create_permission(&mut self, now: Instant, peer: IpAddr) -> Result<(), UsageError> {
        let relayed = self.relayed_address().ok_or(UsageError::NotAllocated)?;
        if relayed.is_ipv4() != peer.is_ipv4() {
            return Err(UsageError::PeerFamilyMismatch);
        }
        let permission = self.bindings.permission(peer, true);
        if permission.installed {
            permission.announce = false;
            self.events.push_back(TurnEvent::PermissionCreated { peer });
        } else if !permission.in_flight {
            permission.in_flight = true;
            self.send_request(now, Request::CreatePermission { peer }, 0);
        }
        Ok(())
    }

    /// Binds a channel to `peer` (RFC 8656 §12.1), which also installs the permission for its
    /// IP, and keeps both refreshed. Returns the channel number; data to the peer goes as
    /// ChannelData once [`TurnEvent::ChannelBound`] is reported, while ChannelData from the
    /// server on this channel is accepted (as [`TurnEvent::Data`] from `peer`) from now on, since
    /// the server may relay on it before its success response arrives (RFC 8656 §12).
    pub fn bind_channel(&mut self, now: Instant, peer: SocketAddr) -> Result<u16, UsageError> {
        let relayed = self.relayed_address().ok_or(UsageError::NotAllocated)?;
        if relayed.is_ipv4() != peer.is_ipv4() {
            return Err(UsageError::PeerFamilyMismatch);
        }
        if let Some(channel) = self.bindings.channels.get(&peer) {
            return Ok(channel.number);
        }
        let channel = self
            .bindings
            .free_number()
            .ok_or(UsageError::NoFreeChannel)?;
        self.bindings.add_channel(peer, channel);
        if let Some(c) = self.bindings.channels.get_mut(&peer) {
            c.in_flight = true;
        }
        self.send_request(now, Request::ChannelBind { peer, channel }, 0);
        Ok(channel)
    }

    /// Sends `data` to `peer` through the relay: as ChannelData if a channel to it is bound,
    /// else in a Send indication (RFC 8656 §10.1). The server drops it unless a permission
    /// for the peer's IP is installed.
    pub fn send_to(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        data: &[u8],
    ) -> Result<(), UsageError> {
        let relayed = self.relayed_address().ok_or(UsageError::NotAllocated)?;
        if relayed.is_ipv4() != peer.is_ipv4() {
            return Err(UsageError::PeerFamilyMismatch);
        }
        let message = if let Some(channel) = self.bindings.bound_channel(peer) {
            let mut out = Vec::with_capacity(CHANNEL_DATA_HEADER_LEN + data.len() + 3);
            ChannelData { channel, data }
                .encode(self.link.pads_channel_data(), &mut out)
                .map_err(|_| UsageError::DataTooLong(data.len()))?;
            self.stats.channel_data_sent += 1;
            out
        } else {
            let message = MessageBuilder::indication(Method::SEND, self.new_transaction_id())
                .with(XorPeerAddress(peer))
                .with(Data(data))
                .build()
                .map_err(|_| UsageError::DataTooLong(data.len()))?;
            self.stats.send_indications += 1;
            message
        };
        trace!(peer = %Pii(peer), len = data.len(), "TURN send");
        self.write(now, Bytes::from(message));
        Ok(())
    }

    /// Deletes the allocation (a Refresh with LIFETIME 0, RFC 8656 §8) and reports
    /// [`TurnEvent::Deleted`] when the server confirms (or the request times out).
    pub fn deallocate(&mut self, now: Instant) -> Result<(), UsageError> {
        match self.state {
            State::Allocated(_) => {
                debug!("TURN deallocating");
                self.pending.clear();
                self.bindings.clear();
                self.state = State::Deallocating;
                self.send_request(
                    now,
                    Request::Refresh {
                        lifetime: Duration::ZERO,
                    },
                    0,
                );
                Ok(())
            }
            State::Allocating => {
                self.close(TurnEvent::Deleted);
                Ok(())
            }
            State::Idle | State::Deallocating | State::Closed => Err(UsageError::NotAllocated),
        }
    }

    // ---- input ----------------------------------------------------------------------------

    /// Takes what arrived from the network. Returns `false` (and ignores it) unless it came
    /// from the server over the client's transport; malformed and unexpected messages are
    /// dropped and counted in [`TurnStats`].
    pub fn handle_receive(&mut self, now: Instant, rx: Receive) -> bool {
        if rx.source != self.server || rx.protocol != self.protocol {
            return false;
        }
        if matches!(self.state, State::Closed) {
            return true;
        }
        let received = match self.link.receive(rx.contents) {
            Ok(r) => r,
            Err(e) => {
                self.fail_link(e);
                return true;
            }
        };
        for frame in received.frames {
            if matches!(self.state, State::Closed) {
                break;
            }
            self.handle_frame(now, frame);
        }
        if received.closed {
            self.lose_allocation(TurnError::ConnectionClosed);
        }
        self.flush_link();
        true
    }

    /// The runtime's TCP/TLS connection to the server closed: the allocation, which lives on
    /// that connection, is gone (RFC 8656 §3.1).
    pub fn handle_close(&mut self, _now: Instant) {
        self.lose_allocation(TurnError::ConnectionClosed);
    }

    /// Runs the timers due at `now`: retransmissions and transaction timeouts, allocation,
    /// permission and channel refreshes and expiries.
    pub fn handle_timeout(&mut self, now: Instant) {
        if matches!(self.state, State::Closed) {
            return;
        }
        self.run_transactions(now);
        if let State::Allocated(mut a) = self.state {
            if now >= a.expires {
                self.lose_allocation(TurnError::Expired);
                return;
            }
            if !a.refreshing && now >= a.refresh_at {
                a.refreshing = true;
                self.state = State::Allocated(a);
                let lifetime = self.config.lifetime;
                self.send_request(now, Request::Refresh { lifetime }, 0);
            }
        }
        if matches!(self.state, State::Allocated(_)) {
            self.run_bindings(now);
        }
        if self.keepalive_at().is_some_and(|t| t <= now) {
            // A Binding indication keeps NAT bindings toward the server open (RFC 8489 §3,
            // RFC 8445 §11 use the same message for keepalives).
            if let Ok(m) = MessageBuilder::binding_indication(self.new_transaction_id()).build() {
                self.stats.keepalives += 1;
                self.write(now, Bytes::from(m));
            }
        }
        self.flush_link();
    }

    /// When an idle UDP client next sends a keepalive, while allocated.
    fn keepalive_at(&self) -> Option<Instant> {
        let interval = self.config.keepalive?;
        match self.state {
            State::Allocated(_) if self.protocol == Protocol::Udp => {
                Some(self.last_sent? + interval)
            }
            _ => None,
        }
    }

    fn run_transactions(&mut self, now: Instant) {
        let due: Vec<TransactionId> = self
            .pending
            .iter()
            .filter(|(_, p)| p.timer.deadline() <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            let Some(p) = self.pending.get_mut(&id) else {
                continue;
            };
            match p.timer.tick(now) {
                Tick::Wait => {}
                Tick::Retransmit => {
                    let message = p.message.clone();
                    self.stats.retransmissions += 1;
                    self.write(now, message);
                }
                Tick::TimedOut => {
                    if let Some(p) = self.pending.remove(&id) {
                        self.fail_request(now, p.request, TurnError::Timeout);
                    }
                }
            }
            if matches!(self.state, State::Closed) {
                return;
            }
        }
    }

    fn run_bindings(&mut self, now: Instant) {
        let expired: Vec<IpAddr> = self
            .bindings
            .permissions
            .iter()
            .filter(|(_, p)| p.expires.is_some_and(|e| e <= now))
            .map(|(ip, _)| *ip)
            .collect();
        for peer in expired {
            self.bindings.permissions.remove(&peer);
            self.events.push_back(TurnEvent::PermissionFailed {
                peer,
                error: TurnError::Expired,
            });
        }
        let refresh: Vec<IpAddr> = self
            .bindings
            .permissions
            .iter_mut()
            .filter(|(_, p)| !p.in_flight && p.refresh_at.is_some_and(|r| r <= now))
            .map(|(ip, p)| {
                p.in_flight = true;
                *ip
            })
            .collect();
        for peer in refresh {
            self.send_request(now, Request::CreatePermission { peer }, 0);
        }
        let expired: Vec<SocketAddr> = self
            .bindings
            .channels
            .iter()
            .filter(|(_, c)| c.expires.is_some_and(|e| e <= now))
            .map(|(peer, _)| *peer)
            .collect();
        for peer in expired {
            self.bindings.remove_channel(peer);
            self.events.push_back(TurnEvent::ChannelFailed {
                peer,
                error: TurnError::Expired,
            });
        }
        let refresh: Vec<(SocketAddr, u16)> = self
            .bindings
            .channels
            .iter_mut()
            .filter(|(_, c)| !c.in_flight && c.refresh_at.is_some_and(|r| r <= now))
            .map(|(peer, c)| {
                c.in_flight = true;
                (*peer, c.number)
            })
            .collect();
        for (peer, channel) in refresh {
            self.send_request(now, Request::ChannelBind { peer, channel }, 0);
        }
    }

    // ---- output ---------------------------------------------------------------------------

    /// The next datagram (UDP) or chunk of stream bytes (TCP, TLS) to send to the server.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<TurnEvent> {
        self.events.pop_front()
    }

    /// When [`Self::handle_timeout`] should next run, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if matches!(self.state, State::Closed) {
            return None;
        }
        let transactions = self.pending.values().map(|p| p.timer.deadline()).min();
        let allocation = match self.state {
            State::Allocated(a) if a.refreshing => Some(a.expires),
            State::Allocated(a) => Some(a.refresh_at.min(a.expires)),
            _ => None,
        };
        let bindings = match self.state {
            State::Allocated(_) => self.bindings.deadline(),
            _ => None,
        };
        [transactions, allocation, bindings, self.keepalive_at()]
            .into_iter()
            .flatten()
            .min()
    }

    // ---- state ----------------------------------------------------------------------------

    /// The relayed transport address, while allocated.
    pub fn relayed_address(&self) -> Option<SocketAddr> {
        match self.state {
            State::Allocated(a) => Some(a.relayed),
            _ => None,
        }
    }

    /// The client's address as the server sees it (XOR-MAPPED-ADDRESS), while allocated.
    pub fn mapped_address(&self) -> Option<SocketAddr> {
        match self.state {
            State::Allocated(a) => a.mapped,
            _ => None,
        }
    }

    /// When the allocation expires unless refreshed, while allocated.
    pub fn expires_at(&self) -> Option<Instant> {
        match self.state {
            State::Allocated(a) => Some(a.expires),
            _ => None,
        }
    }

    /// The server the client talks to (changed by a followed 300 Try Alternate).
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// The transport to the server.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Whether the client holds an allocation.
    pub fn is_allocated(&self) -> bool {
        matches!(self.state, State::Allocated(_))
    }

    /// Whether the client is finished (failed, expired or deleted).
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Whether the server has confirmed a permission for `peer`.
    pub fn has_permission(&self, peer: IpAddr) -> bool {
        self.bindings
            .permissions
            .get(&peer)
            .is_some_and(|p| p.installed)
    }

    /// The channel bound to `peer`, once the server has confirmed it.
    pub fn channel(&self, peer: SocketAddr) -> Option<u16> {
        self.bindings.bound_channel(peer)
    }

    /// The counters.
    pub fn stats(&self) -> TurnStats {
        self.stats
    }

    // ---- internals ------------------------------------------------------------------------

    fn new_transaction_id(&mut self) -> TransactionId {
        TransactionId::random(&mut self.rng)
    }

    fn build(&self, id: TransactionId, request: Request) -> (MessageBuilder, bool) {
        let b = MessageBuilder::request(request.method(), id);
        let b = match request {
            Request::Allocate => {
                let b = b
                    .with(RequestedTransport::UDP)
                    .with(Lifetime::from_duration(self.config.lifetime));
                match self.config.requested_family {
                    Some(family) => b.with(RequestedAddressFamily(family)),
                    None => b,
                }
            }
            Request::Refresh { lifetime } => b.with(Lifetime::from_duration(lifetime)),
            Request::CreatePermission { peer } => b.with(XorPeerAddress(SocketAddr::new(peer, 0))),
            Request::ChannelBind { peer, channel } => {
                b.with(ChannelNumber(channel)).with(XorPeerAddress(peer))
            }
        };
        let b = match &self.config.software {
            Some(s) => b.software(s),
            None => b,
        };
        self.creds.sign(b)
    }

    fn send_request(&mut self, now: Instant, request: Request, retries: u8) {
        let id = self.new_transaction_id();
        let (builder, signed) = self.build(id, request);
        let message = match builder.build() {
            Ok(m) => Bytes::from(m),
            Err(e) => return self.fail_request(now, request, e.into()),
        };
        trace!(method = %request.method(), signed, "TURN request");
        self.stats.requests += 1;
        self.pending.insert(
            id,
            Pending {
                request,
                message: message.clone(),
                timer: Timer::start(
                    now,
                    self.config.initial_rto,
                    self.config.transport.is_stream(),
                ),
                sent_at: now,
                signed,
                retries,
            },
        );
        self.write(now, message);
    }

    /// Puts one whole message on the link.
    fn write(&mut self, now: Instant, message: Bytes) {
        self.last_sent = Some(now);
        match self.link.send(message) {
            Ok(Some(wire)) => self.push_transmit(wire),
            Ok(None) => {}
            Err(e) => self.fail_link(e),
        }
    }

    fn push_transmit(&mut self, contents: Bytes) {
        self.transmits.push_back(Transmit {
            protocol: self.protocol,
            source: self.config.local,
            destination: self.server,
            contents,
        });
    }

    /// Sends what the TLS session wants to send by itself.
    fn flush_link(&mut self) {
        if let Some(wire) = self.link.flush() {
            self.push_transmit(wire);
        }
    }

    /// The link broke (corrupt stream, TLS failure): everything on it is lost.
    fn fail_link(&mut self, error: TurnError) {
        debug!(%error, "TURN link failed");
        self.flush_link();
        self.lose_allocation(error);
    }

    /// Ends the client with the event its state calls for.
    fn lose_allocation(&mut self, error: TurnError) {
        let event = match self.state {
            State::Idle | State::Allocating => TurnEvent::AllocationFailed(error),
            State::Allocated(_) => TurnEvent::Expired(error),
            State::Deallocating => TurnEvent::Deleted,
            State::Closed => return,
        };
        self.close(event);
    }

    fn close(&mut self, event: TurnEvent) {
        debug!(?event, "TURN client finished");
        self.state = State::Closed;
        self.pending.clear();
        self.bindings.clear();
        self.events.push_back(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_schedule() {
        assert_eq!(
            refresh_after(Duration::from_secs(600)),
            Duration::from_secs(540)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(3600)),
            Duration::from_secs(3540)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(60)),
            Duration::from_secs(30)
        );
        assert_eq!(refresh_after(Duration::ZERO), Duration::ZERO);
    }
}
