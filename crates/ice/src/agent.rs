//! [`IceAgent`]: the sans-IO ICE agent (RFC 8445) — its state, the public commands, the
//! demultiplexing of received datagrams (STUN versus data, RFC 7983 / RFC 8445 §7.3) and the
//! `poll_*` outputs. The work is split by responsibility into sibling modules: gathering
//! ([`crate::gather`]), the checklist and its pacing ([`crate::checklist`]), responses,
//! nomination and selection ([`crate::response`]), answering checks ([`crate::answer`]),
//! consent and keepalives ([`crate::consent`]), the W3C states and restarts
//! ([`crate::lifecycle`]), the paths pairs run on ([`crate::path`]), ICE-TCP connections
//! ([`crate::tcp`]) and our own mDNS names ([`crate::publish`]).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rtcpeer_stun::{Class, IntegrityKey, Message, Method};
use rtcpeer_types::demux::{PacketKind, classify};
use rtcpeer_types::{Pii, Protocol, Receive, Rng, Transmit};

use crate::candidate::Candidate;
use crate::config::IceConfig;
use crate::error::{IceError, SendError};
use crate::event::IceEvent;
use crate::mdns::MdnsState;
use crate::pair::Pair;
use crate::publish::Publisher;
use crate::relay::Relay;
use crate::state::{IceConnectionState, IceGatheringState, IceRole};
use crate::stats::IceCounters;
use crate::tcp::TcpState;
use crate::transaction::Transaction;

/// The most components a data stream has (RTP and RTCP).
pub(crate) const MAX_COMPONENTS: usize = 2;

/// ICE credentials: the username fragment and password of one side (RFC 8445 §5.3,
/// RFC 8839 §5.4).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `ice-ufrag`: 4 to 256 ice-chars.
    pub ufrag: String,
    /// `ice-pwd`: 22 to 256 ice-chars. Never logged.
    pub pwd: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("ufrag", &self.ufrag)
            .field("pwd", &"[hidden]")
            .finish()
    }
}

impl Credentials {
    /// Fresh random credentials: an 8-character ufrag (at least 24 bits of randomness) and a
    /// 24-character password (at least 128 bits), as RFC 8445 §5.3 asks.
    pub fn random(rng: &mut Rng) -> Self {
        Credentials {
            ufrag: rng.ice_string(8),
            pwd: rng.ice_string(24),
        }
    }

    /// Checks the lengths and characters RFC 8839 §5.4 requires.
    pub fn validate(&self) -> Result<(), IceError> {
        let ice_chars = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        };
        if !(4..=256).contains(&self.ufrag.len()) || !ice_chars(&self.ufrag) {
            return Err(IceError::InvalidCredentials("ufrag"));
        }
        if !(22..=256).contains(&self.pwd.len()) || !ice_chars(&self.pwd) {
            return Err(IceError::InvalidCredentials("pwd"));
        }
        Ok(())
    }
}

/// A local candidate with what the agent needs beyond its SDP form.
#[derive(Debug, Clone)]
pub(crate) struct LocalCandidate {
    pub cand: Candidate,
    /// The address the agent sends from for this candidate (RFC 8445 §5.1.1): the socket for
    /// host and reflexive candidates, the relayed address for relayed ones.
    pub base: SocketAddr,
    /// The local preference used in its priority (and in the PRIORITY of its checks).
    pub local_preference: u16,
    /// Announced to the application (peer-reflexive ones never are).
    pub signaled: bool,
}

/// The old selected pair of a component, still carrying data during an ICE restart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PreviousPath {
    pub component: u16,
    /// UDP, or TCP for a pair on a connection (kept open while the path is).
    pub protocol: Protocol,
    pub local: SocketAddr,
    pub remote: SocketAddr,
}

/// The internal gathering progress (the reported W3C state also depends on announcing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GatherPhase {
    New,
    Gathering,
    Complete,
}

/// Whether ordinary checks still run (RFC 8445 §6.1.2.1 checklist states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChecklistState {
    Running,
    /// A pair is nominated for every component; only triggered checks and consent remain.
    Completed,
}

/// A sans-IO ICE agent for one data stream (RFC 8445, with trickle per RFC 8838 and consent
/// freshness per RFC 7675).
///
/// Drive it with [`handle_receive`](Self::handle_receive), [`handle_timeout`](Self::handle_timeout)
/// and the commands; drain [`poll_transmit`](Self::poll_transmit) and
/// [`poll_event`](Self::poll_event) after each, and call `handle_timeout` at
/// [`poll_timeout`](Self::poll_timeout).
///
/// Relayed candidates come from the TURN servers of [`IceConfig::turn_servers`]: the agent owns
/// one TURN client per (server, local socket), so what it sends from a relayed candidate leaves
/// already wrapped, as a [`Transmit`] from the local socket to the TURN server (over UDP, or as
/// stream bytes with [`Protocol::Tcp`] or [`Protocol::Tls`], for a connection the runtime keeps
/// from that local address to the server), and what the server sends back is handed in like
/// any datagram (a [`Receive`] from the server to the local socket, stream bytes for TCP and
/// TLS). A relayed candidate can also come from an external TURN glue
/// ([`add_relay_candidate`](Self::add_relay_candidate)): a [`Transmit`] whose `source` is such a
/// relayed address must then be sent through that allocation by the glue, and what arrives
/// through it handed back as a [`Receive`] whose `destination` is the relayed address.
pub struct IceAgent {
    pub(crate) config: IceConfig,
    pub(crate) rng: Rng,
    pub(crate) role: IceRole,
    pub(crate) tie_breaker: u64,
    pub(crate) local_creds: Credentials,
    pub(crate) local_key: IntegrityKey,
    /// The previous generation's local credentials, still answered during a restart.
    pub(crate) previous_local: Option<(Credentials, IntegrityKey)>,
    pub(crate) remote_creds: Option<Credentials>,
    pub(crate) remote_key: Option<IntegrityKey>,
    pub(crate) remote_ice_lite: bool,
    pub(crate) remote_ice2: bool,
    pub(crate) generation: u32,
    /// Local sockets: (component, address).
    pub(crate) interfaces: Vec<(u16, SocketAddr)>,
    pub(crate) local: Vec<LocalCandidate>,
    pub(crate) remote: Vec<Candidate>,
    pub(crate) pairs: Vec<Pair>,
    pub(crate) triggered: VecDeque<usize>,
    pub(crate) transactions: Vec<Transaction>,
    /// The selected (nominated) pair of each component (index `component - 1`).
    pub(crate) selected: [Option<usize>; MAX_COMPONENTS],
    pub(crate) previous_paths: Vec<PreviousPath>,
    pub(crate) checklist: ChecklistState,
    /// The next Ta tick, while there may be a check to send.
    pub(crate) next_check: Option<Instant>,
    pub(crate) last_check: Option<Instant>,
    /// When the first pair became valid (starts the nomination delay).
    pub(crate) first_valid: Option<Instant>,
    pub(crate) consent_next: Option<Instant>,
    pub(crate) phase: GatherPhase,
    pub(crate) announce: bool,
    pub(crate) relay_done: bool,
    pub(crate) remote_eoc: bool,
    pub(crate) consent_lost: bool,
    /// When the PAC timer (RFC 8863) started: both sides' ICE parameters known.
    pub(crate) pac_started: Option<Instant>,
    pub(crate) gathering_state: IceGatheringState,
    pub(crate) state: IceConnectionState,
    pub(crate) closed: bool,
    /// The latest time the agent was driven with.
    pub(crate) now: Option<Instant>,
    pub(crate) transmits: VecDeque<Transmit>,
    pub(crate) events: VecDeque<IceEvent>,
    pub(crate) counters: IceCounters,
    /// Data totals for the W3C stats (`RTCTransportStats`).
    pub(crate) traffic: crate::pair_stats::TrafficCounters,
    /// The TURN clients the agent owns.
    pub(crate) relays: Vec<Relay>,
    /// Set while the TURN clients' output is being drained (re-entrancy guard).
    pub(crate) draining_relays: bool,
    /// The resolution of remote mDNS candidates.
    pub(crate) mdns: MdnsState,
    /// The mDNS names hiding our host addresses, and their responder.
    pub(crate) publisher: Publisher,
    /// ICE-TCP candidates and connections (RFC 6544).
    pub(crate) tcp: TcpState,
}

impl std::fmt::Debug for IceAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IceAgent")
            .field("role", &self.role)
            .field("ufrag", &self.local_creds.ufrag)
            .field("state", &self.state)
            .field("gathering_state", &self.gathering_state)
            .field("local", &self.local.len())
            .field("remote", &self.remote.len())
            .field("pairs", &self.pairs.len())
            .field("relays", &self.relays.len())
            .finish_non_exhaustive()
    }
}

impl IceAgent {
    /// A new agent with random local credentials and tie-breaker drawn from `rng`. It starts
    /// controlled (or call [`set_role`](Self::set_role)); an ICE-lite agent always stays
    /// controlled.
    pub fn new(config: IceConfig, mut rng: Rng) -> Self {
        let local_creds = Credentials::random(&mut rng);
        let local_key = IntegrityKey::short_term_compact(&local_creds.pwd);
        let tie_breaker = rng.u64();
        let mut config = config;
        config.components = config.components.clamp(1, MAX_COMPONENTS as u16);
        IceAgent {
            config,
            rng,
            role: IceRole::Controlled,
            tie_breaker,
            local_creds,
            local_key,
            previous_local: None,
            remote_creds: None,
            remote_key: None,
            remote_ice_lite: false,
            remote_ice2: true,
            generation: 0,
            interfaces: Vec::new(),
            local: Vec::new(),
            remote: Vec::new(),
            pairs: Vec::new(),
            triggered: VecDeque::new(),
            transactions: Vec::new(),
            selected: [None; MAX_COMPONENTS],
            previous_paths: Vec::new(),
            checklist: ChecklistState::Running,
            next_check: None,
            last_check: None,
            first_valid: None,
            consent_next: None,
            phase: GatherPhase::New,
            announce: false,
            relay_done: false,
            remote_eoc: false,
            consent_lost: false,
            pac_started: None,
            gathering_state: IceGatheringState::New,
            state: IceConnectionState::New,
            closed: false,
            now: None,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            counters: IceCounters::default(),
            traffic: crate::pair_stats::TrafficCounters::default(),
            relays: Vec::new(),
            draining_relays: false,
            mdns: MdnsState::default(),
            publisher: Publisher::default(),
            tcp: TcpState::default(),
        }
    }

    // ---- configuration and signaling -------------------------------------------------------

    /// The configuration.
    pub fn config(&self) -> &IceConfig {
        &self.config
    }

    /// The local credentials to signal (`a=ice-ufrag`, `a=ice-pwd`).
    pub fn local_credentials(&self) -> &Credentials {
        &self.local_creds
    }

    /// Replaces the auto-generated local credentials (before gathering, e.g. to reuse
    /// credentials from a previous offer).
    pub fn set_local_credentials(&mut self, ufrag: &str, pwd: &str) -> Result<(), IceError> {
        let creds = Credentials {
            ufrag: ufrag.to_owned(),
            pwd: pwd.to_owned(),
        };
        creds.validate()?;
        self.local_key = IntegrityKey::short_term_compact(&creds.pwd);
        self.local_creds = creds;
        for l in &mut self.local {
            l.cand.ufrag = Some(self.local_creds.ufrag.clone());
        }
        Ok(())
    }

    /// The remote credentials, once known.
    pub fn remote_credentials(&self) -> Option<&Credentials> {
        self.remote_creds.as_ref()
    }

    /// The ICE options to signal (`a=ice-options:`).
    pub fn ice_options(&self) -> &'static [&'static str] {
        self.config.ice_options()
    }

    /// Whether the peer advertised `ice2` (RFC 8445); `false` marks an RFC 5245 peer, from
    /// which aggressive nomination is expected (and accepted either way).
    pub fn set_remote_ice2(&mut self, ice2: bool) {
        self.remote_ice2 = ice2;
    }

    /// Whether the peer advertised `ice2` (as last set; `true` until told otherwise).
    pub fn remote_ice2(&self) -> bool {
        self.remote_ice2
    }

    /// Whether the peer is an ICE-lite agent (`a=ice-lite`): it never checks, so this (full)
    /// agent takes the controlling role (RFC 8445 §6.1.1).
    pub fn set_remote_ice_lite(&mut self, lite: bool) {
        self.remote_ice_lite = lite;
        if lite && !self.config.ice_lite {
            self.switch_role(IceRole::Controlling);
        }
    }

    /// Sets the role (JSEP: the offerer is controlling). Ignored by an ICE-lite agent, which is
    /// always controlled, and by a full agent facing a lite peer, which is always controlling.
    pub fn set_role(&mut self, controlling: bool) {
        if self.config.ice_lite || self.remote_ice_lite {
            return;
        }
        let role = if controlling {
            IceRole::Controlling
        } else {
            IceRole::Controlled
        };
        self.switch_role(role);
    }

    /// The current role.
    pub fn role(&self) -> IceRole {
        self.role
    }

    /// The tie-breaker used in role conflicts (RFC 8445 §7.3.1.1).
    pub fn tie_breaker(&self) -> u64 {
        self.tie_breaker
    }

    /// Sets the tie-breaker (tests of role conflicts).
    pub fn set_tie_breaker(&mut self, tie_breaker: u64) {
        self.tie_breaker = tie_breaker;
    }

    /// The peer's credentials (`a=ice-ufrag`, `a=ice-pwd`). New credentials after others mean
    /// the peer restarted ICE: its old candidates and every pair are dropped, the old selected
    /// pair keeps carrying data until a new one is selected.
    pub fn set_remote_credentials(&mut self, ufrag: &str, pwd: &str) -> Result<(), IceError> {
        if self.closed {
            return Err(IceError::Closed);
        }
        let creds = Credentials {
            ufrag: ufrag.to_owned(),
            pwd: pwd.to_owned(),
        };
        creds.validate()?;
        match &self.remote_creds {
            Some(old) if *old == creds => return Ok(()),
            Some(_) => self.remote_restarted(),
            None => {}
        }
        self.remote_key = Some(IntegrityKey::short_term_compact(&creds.pwd));
        self.remote_creds = Some(creds);
        self.wake_checks();
        self.update_state();
        Ok(())
    }

    /// A remote candidate (from the offer/answer or trickled, RFC 8838). It may come before or
    /// after the credentials and local gathering. Candidates this agent cannot use (TCP, an
    /// unknown component, another generation's ufrag) are ignored and counted.
    pub fn add_remote_candidate(&mut self, candidate: Candidate) {
        if self.closed {
            return;
        }
        self.add_remote(candidate);
        self.update_state();
    }

    /// The peer signalled end-of-candidates (RFC 8838 §8.2).
    pub fn end_of_remote_candidates(&mut self) {
        self.remote_eoc = true;
        self.update_state();
    }

    // ---- I/O --------------------------------------------------------------------------------

    /// A datagram arrived on one of the local sockets: from a peer, a STUN server, or a TURN
    /// server (UDP datagrams, or TCP/TLS stream bytes from a connection to a TURN server, with
    /// that connection's local address as `destination`). Through an external TURN glue's
    /// allocation, it arrives with the relayed address as destination. Stream bytes read from
    /// an ICE-TCP connection come as [`Protocol::Tcp`] with the connection's 5-tuple
    /// ([`TcpCommand`](crate::TcpCommand)), and datagrams read from an mDNS socket
    /// ([`add_mdns_socket`](Self::add_mdns_socket)) as UDP to that socket or to the mDNS group.
    pub fn handle_receive(&mut self, now: Instant, rx: Receive) {
        self.now = Some(now);
        if self.closed {
            return;
        }
        if !self.receive_from_relay_server(now, &rx) && !self.publisher_receive(now, &rx) {
            match rx.protocol {
                Protocol::Udp => self.receive_datagram(now, rx),
                Protocol::Tcp => self.receive_tcp(now, rx),
                Protocol::Tls => self.counters.unknown_destination += 1,
            }
        }
        self.after_input(now);
    }

    /// A datagram for the agent itself (from the network, or unwrapped by a TURN client).
    pub(crate) fn receive_datagram(&mut self, now: Instant, rx: Receive) {
        if rx.protocol != Protocol::Udp {
            self.counters.unknown_destination += 1;
            return;
        }
        if self.mdns_receive(now, &rx) {
            return;
        }
        if classify(&rx.contents) == PacketKind::Stun {
            self.handle_stun(now, &rx);
        } else {
            self.handle_data(now, rx);
        }
    }

    /// Time passed: retransmissions, the Ta pacing, nomination, consent, keepalives, state.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(now);
        if self.closed {
            return;
        }
        self.relay_timers(now);
        self.run_transaction_timers(now);
        if self.next_check.is_some_and(|t| t <= now) {
            self.on_check_timer(now);
        }
        self.consent_timers(now);
        self.mdns_timers(now);
        self.tcp_timers(now);
        self.publisher_timers(now);
        self.after_input(now);
    }

    /// Sends application data (DTLS, SRTP, ...) on component 1's selected pair.
    pub fn send(&mut self, now: Instant, data: impl Into<Bytes>) -> Result<(), SendError> {
        self.send_component(now, 1, data)
    }

    /// Sends application data on a component's selected pair; before one is nominated, on its
    /// best valid pair; during an ICE restart, on the old selected pair. On a TCP pair it goes
    /// framed on the pair's connection (at most 65,535 bytes).
    pub fn send_component(
        &mut self,
        now: Instant,
        component: u16,
        data: impl Into<Bytes>,
    ) -> Result<(), SendError> {
        if self.closed {
            return Err(SendError::Closed);
        }
        self.now = Some(now);
        let data: Bytes = data.into();
        let path = self
            .usable_pair(component)
            .and_then(|p| {
                let path = self.pair_path(p)?;
                let pair = self.pairs.get_mut(p)?;
                pair.last_sent = Some(now);
                pair.stats.on_data_sent(now, data.len());
                Some(path)
            })
            .or_else(|| {
                self.previous_paths
                    .iter()
                    .find(|p| p.component == component)
                    .map(|p| (p.protocol, p.local, p.remote))
            });
        let (protocol, source, destination) = path.ok_or(SendError::NoUsablePair(component))?;
        self.traffic.on_data_sent(data.len());
        if protocol == Protocol::Udp {
            self.queue_transmit(Transmit {
                protocol,
                source,
                destination,
                contents: data,
            });
        } else if !self.send_tcp(source, destination, &data) {
            return Err(SendError::TooLong(data.len()));
        }
        Ok(())
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the layer above.
    pub fn poll_event(&mut self) -> Option<IceEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due. Computed by scanning the
    /// transactions and pairs; it allocates nothing.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        let mut earliest: Option<Instant> = None;
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                earliest = Some(earliest.map_or(t, |e| e.min(t)));
            }
        };
        consider(self.next_check);
        consider(self.relay_deadline());
        for tx in &self.transactions {
            consider(Some(tx.deadline));
        }
        consider(self.consent_next);
        consider(self.mdns.poll_timeout());
        consider(self.tcp.deadline());
        consider(self.publisher.poll_timeout());
        let now = self.now;
        let future = |t: Instant| now.is_none_or(|n| t > n);
        consider(self.nomination_deadline().filter(|&t| future(t)));
        if self.state != IceConnectionState::Failed && self.selected.iter().all(Option::is_none) {
            // The state may become failed when the PAC timer expires.
            consider(self.pac_deadline().filter(|&t| future(t)));
        }
        for p in self.selected.iter().flatten() {
            let Some(pair) = self.pairs.get(*p) else {
                continue;
            };
            if !self.config.ice_lite {
                consider(
                    pair.last_response
                        .map(|t| t + self.config.consent_timeout)
                        .filter(|&t| future(t)),
                );
            }
            // Nothing sent yet on the pair: a keepalive is due at once.
            consider(
                pair.last_sent
                    .map(|t| t + self.config.keepalive_interval)
                    .filter(|&t| future(t))
                    .or(if pair.last_sent.is_none() { now } else { None }),
            );
            if self.state != IceConnectionState::Disconnected {
                consider(
                    pair.last_received
                        .map(|t| t + self.config.disconnected_timeout)
                        .filter(|&t| future(t)),
                );
            }
        }
        earliest
    }

    /// Closes the agent: it stops sending and answering, and reports `closed`.
    pub fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.transactions.clear();
        self.transmits.clear();
        if let Some(now) = self.now {
            self.close_relays(now);
        }
        self.close_all_connections();
        self.unpublish_names();
        self.triggered.clear();
        self.mdns.clear();
        self.next_check = None;
        self.consent_next = None;
        self.set_state(IceConnectionState::Closed);
    }

    // ---- observation ------------------------------------------------------------------------

    /// The connection state (W3C `RTCIceTransportState`).
    pub fn connection_state(&self) -> IceConnectionState {
        self.state
    }

    /// The gathering state (W3C `RTCIceGathererState`).
    pub fn gathering_state(&self) -> IceGatheringState {
        self.gathering_state
    }

    /// Counters of traffic and of dropped bad input.
    pub fn counters(&self) -> &IceCounters {
        &self.counters
    }

    /// The local candidates gathered so far (peer-reflexive ones included).
    pub fn local_candidates(&self) -> impl Iterator<Item = &Candidate> {
        self.local.iter().map(|l| &l.cand)
    }

    /// The remote candidates known (peer-reflexive ones included).
    pub fn remote_candidates(&self) -> &[Candidate] {
        &self.remote
    }

    /// The selected pair of a component: (local candidate, remote candidate).
    pub fn selected_pair(&self, component: u16) -> Option<(&Candidate, &Candidate)> {
        let p = self.pairs.get(self.selected_index(component)?)?;
        Some((&self.local.get(p.local)?.cand, self.remote.get(p.remote)?))
    }

    /// The 5-tuple of a component's selected pair: (local base, remote address), or for a TCP
    /// pair its connection's (local, remote) addresses.
    pub fn selected_path(&self, component: u16) -> Option<(SocketAddr, SocketAddr)> {
        let (_, local, remote) = self.pair_path(self.selected_index(component)?)?;
        Some((local, remote))
    }

    /// How many candidate pairs exist (checklist and valid list).
    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }

    /// An estimate of the heap bytes the agent holds (candidates, pairs, transactions, queues),
    /// for memory accounting.
    pub fn heap_size(&self) -> usize {
        use std::mem::size_of;
        let cand = |c: &Candidate| {
            c.foundation.capacity()
                + c.ufrag.as_ref().map_or(0, String::capacity)
                + c.extensions.capacity() * size_of::<(String, String)>()
        };
        self.local.capacity() * size_of::<LocalCandidate>()
            + self.local.iter().map(|l| cand(&l.cand)).sum::<usize>()
            + self.remote.capacity() * size_of::<Candidate>()
            + self.remote.iter().map(cand).sum::<usize>()
            + self.pairs.capacity() * size_of::<Pair>()
            + self.transactions.capacity() * size_of::<Transaction>()
            + self
                .transactions
                .iter()
                .map(|t| t.bytes.len())
                .sum::<usize>()
            + self.triggered.capacity() * size_of::<usize>()
            + self.interfaces.capacity() * size_of::<(u16, SocketAddr)>()
            + self.transmits.capacity() * size_of::<Transmit>()
            + self.events.capacity() * size_of::<IceEvent>()
            + self.config.stun_servers.capacity() * size_of::<SocketAddr>()
            + self.relays.capacity() * size_of::<Relay>()
            + self.mdns.heap_size()
            + self.tcp.heap_size()
            + self.publisher.heap_size()
            + self.local_creds.ufrag.capacity()
            + self.local_creds.pwd.capacity()
    }

    // ---- internals ----------------------------------------------------------------------------

    pub(crate) fn selected_index(&self, component: u16) -> Option<usize> {
        *self.selected.get(usize::from(component).checked_sub(1)?)?
    }

    /// The pair data goes on: the selected one, or before nomination the best valid pair.
    fn usable_pair(&self, component: u16) -> Option<usize> {
        self.selected_index(component).or_else(|| {
            self.pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.component == component && p.valid)
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, _)| i)
        })
    }

    /// Processing common to every input: nomination, selection and the reported state.
    pub(crate) fn after_input(&mut self, now: Instant) {
        self.evaluate_nomination(now);
        self.update_state();
    }

    pub(crate) fn emit(&mut self, event: IceEvent) {
        self.events.push_back(event);
    }

    pub(crate) fn handle_stun(&mut self, now: Instant, rx: &Receive) {
        let message = match Message::decode(&rx.contents) {
            Ok(m) => m,
            Err(e) => {
                self.counters.malformed_stun += 1;
                tracing::trace!(source = %Pii(rx.source), error = %e, "malformed STUN dropped");
                return;
            }
        };
        if message.method() != Method::BINDING {
            self.counters.bad_requests += 1;
            return;
        }
        match message.class() {
            Class::Request => self.handle_request(now, rx, &message),
            Class::Indication => {
                // A keepalive (RFC 8445 §11): it only proves the path is alive.
                self.note_received(now, rx);
            }
            Class::SuccessResponse | Class::ErrorResponse => {
                self.handle_response(now, rx, &message)
            }
        }
    }

    pub(crate) fn handle_data(&mut self, now: Instant, rx: Receive) {
        let known = self.note_received(now, &rx)
            || self.previous_paths.iter().any(|p| {
                p.protocol == rx.protocol && p.local == rx.destination && p.remote == rx.source
            })
            || (rx.protocol == Protocol::Udp
                && self
                    .remote
                    .iter()
                    .any(|r| r.address == rx.source && r.transport == Protocol::Udp)
                && self
                    .local
                    .iter()
                    .any(|l| l.base == rx.destination && l.cand.transport == Protocol::Udp));
        if known {
            self.count_data_received(now, &rx);
            self.emit(IceEvent::Data(rx));
        } else {
            self.counters.unknown_source_data += 1;
        }
    }
}
