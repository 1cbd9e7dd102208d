//! The SCTP association: a sans-IO state machine (RFC 9260 §4 state diagram).
//!
//! [`Association`] takes SCTP packets in ([`Association::handle_receive`], one packet per DTLS
//! application-data record, RFC 8261 §5), gives packets out ([`Association::poll_transmit`]),
//! reports [`Event`]s and the next deadline, and takes commands (connect, send, reset streams,
//! shutdown, abort). Time always comes from the caller; randomness (verification tags, initial
//! TSNs, the cookie secret, heartbeat nonces) from the injected [`Rng`].
//!
//! Submodules: `handshake` (INIT, INIT ACK, COOKIE ECHO/ACK, collisions and restart,
//! RFC 9260 §5), `snap` (setup from INIT chunks exchanged in SDP, draft-hancke-tsvwg-snap),
//! `input` (packet validation §8.5 and chunk dispatch, SACK, heartbeat §8.3, shutdown §9,
//! abort), `output` (bundling chunks into packets), `reconfig` (RFC 6525 stream reset), `tx`
//! and `rx` (data transfer, §6 and §7, with RFC 8260 I-DATA and RFC 8985 RACK-TLP), `cookie`,
//! `timer`, `memory`.

mod cookie;
mod handshake;
mod input;
mod memory;
mod output;
mod reconfig;
mod rx;
mod snap;
mod timer;
mod tx;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use aws_lc_rs::hmac;
use bytes::Bytes;
use rtcpeer_types::Rng;

use crate::config::Config;
use crate::wire::{Chunk, ErrorCause, InitChunk};

pub use rx::Message;
pub use snap::SnapError;
pub use tx::Reliability;

use cookie::PeerCaps;
use reconfig::ReConfig;
use rx::Receiver;
use timer::{Rto, Timer};
use tx::Sender;

/// The association state (RFC 9260 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// No association (yet, or any more: see [`Association::is_closed`]).
    Closed,
    /// INIT sent, waiting for INIT ACK.
    CookieWait,
    /// COOKIE ECHO sent, waiting for COOKIE ACK.
    CookieEchoed,
    /// Data flows.
    Established,
    /// Shutdown asked for; waiting for outstanding data to be acknowledged.
    ShutdownPending,
    /// SHUTDOWN sent.
    ShutdownSent,
    /// SHUTDOWN received; sending what is left.
    ShutdownReceived,
    /// SHUTDOWN ACK sent.
    ShutdownAckSent,
}

/// Why an association ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// Graceful SHUTDOWN completed.
    Shutdown,
    /// We aborted ([`Association::abort`]).
    LocalAbort,
    /// The peer sent ABORT.
    PeerAbort {
        /// The causes it gave.
        causes: Vec<ErrorCause>,
    },
    /// INIT or COOKIE ECHO went unanswered Max.Init.Retransmits times.
    ConnectTimeout,
    /// The peer stopped answering (Association.Max.Retrans exceeded, RFC 9260 §8.1).
    PeerUnreachable,
    /// The peer broke the protocol; we aborted.
    ProtocolViolation(&'static str),
}

/// Something the upper layer must know.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The association is established (COOKIE ECHO/ACK done).
    Connected,
    /// A whole message arrived.
    Message(Message),
    /// A stream's buffered amount fell to or below its low threshold.
    BufferedAmountLow {
        /// The stream.
        stream_id: u16,
    },
    /// Our outgoing streams were reset (RFC 6525); their SSNs restart at 0.
    OutgoingStreamsReset {
        /// The streams.
        streams: Vec<u16>,
    },
    /// The peer reset its outgoing streams, our incoming ones (empty: all streams).
    IncomingStreamsReset {
        /// The streams.
        streams: Vec<u16>,
    },
    /// The peer refused to reset these streams; they take messages again.
    StreamResetFailed {
        /// The streams.
        streams: Vec<u16>,
    },
    /// The peer restarted the association (RFC 9260 §5.2.4 case A); queued data was lost.
    Restarted,
    /// The association ended.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// Why a message could not be queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// SCTP cannot carry an empty message (DCEP uses PPID 56/57 with one byte instead).
    #[error("empty messages cannot be sent")]
    EmptyMessage,
    /// Larger than the maximum message size.
    #[error("message of {size} bytes exceeds the maximum of {max}")]
    MessageTooLarge {
        /// The message size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The send buffer is full.
    #[error("send buffer full")]
    BufferFull,
    /// The stream is being reset.
    #[error("stream {0} is closing")]
    StreamClosing(u16),
    /// The stream does not exist on this association.
    #[error("stream {0} is beyond the negotiated number of streams")]
    InvalidStream(u16),
    /// The association is shutting down or closed.
    #[error("association is not open")]
    NotOpen,
}

/// Why streams could not be reset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResetError {
    /// The association is not established.
    #[error("association is not established")]
    NotEstablished,
    /// The peer does not support RE-CONFIG (RFC 6525).
    #[error("the peer does not support stream reset")]
    Unsupported,
}

/// Counters, for tests and statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Packets handed out by `poll_transmit`.
    pub packets_sent: u64,
    /// Packets given to `handle_receive`.
    pub packets_received: u64,
    /// Packets dropped: bad checksum, wrong verification tag or port, malformed.
    pub packets_dropped: u64,
    /// DATA chunks retransmitted.
    pub retransmissions: u64,
    /// T3-rtx expiries.
    pub t3_expiries: u64,
    /// Fast retransmit events (losses found without a timeout: by RACK or three misses).
    pub fast_retransmits: u64,
    /// Tail loss probes sent (RFC 8985 §7).
    pub tail_loss_probes: u64,
}

/// One SCTP association.
#[derive(Debug)]
pub struct Association {
    config: Config,
    rng: Rng,
    now: Instant,
    epoch: Instant,
    state: State,
    closed: Option<CloseReason>,
    my_tag: u32,
    peer_tag: u32,
    my_initial_tsn: u32,
    outbound_streams: u16,
    /// The State Cookie MAC secret. Kept as bytes: the HMAC key context would add 1.2 KB to
    /// every association for something used once or twice, at setup.
    cookie_secret: [u8; 32],
    caps: PeerCaps,
    init: Option<InitChunk>,
    snap: snap::Snap,
    cookie_echo: Option<Bytes>,
    cookie_echo_errors: Vec<ErrorCause>,
    send_cookie_echo: bool,
    t1: Timer,
    t2: Timer,
    t3: Timer,
    /// The tail loss probe timer (RFC 8985 §7).
    tlp: Timer,
    hb: Timer,
    hb_outstanding: Option<(u64, Instant)>,
    ack_timer: Option<Instant>,
    /// When to give back the buffers of a quiet association (see `memory`).
    idle_trim: Option<Instant>,
    rto: Rto,
    error_count: u32,
    tx: Sender,
    rx: Option<Receiver>,
    reconf: ReConfig,
    events: VecDeque<Event>,
    solo: VecDeque<(u32, Chunk)>,
    control: VecDeque<Chunk>,
    send_shutdown: bool,
    send_shutdown_ack: bool,
    out: memory::OutBuf,
    stats: Stats,
}

impl Association {
    /// A new association in the CLOSED state. Call [`connect`](Self::connect) to initiate,
    /// or just feed it packets to accept the peer's INIT (WebRTC peers usually both connect).
    pub fn new(config: Config, now: Instant, mut rng: Rng) -> Self {
        let mut secret = [0u8; 32];
        rng.fill(&mut secret);
        let my_tag = nonzero(&mut rng);
        let my_initial_tsn = rng.u32();
        let rto = Rto::new(config.rto_initial, config.rto_min, config.rto_max);
        let tx = Sender::new(
            my_initial_tsn,
            config.mtu,
            config.max_message_size,
            config.max_send_buffer,
            config.rack,
        );
        Association {
            rng,
            now,
            epoch: now,
            state: State::Closed,
            closed: None,
            my_tag,
            peer_tag: 0,
            my_initial_tsn,
            outbound_streams: config.outbound_streams,
            cookie_secret: secret,
            caps: PeerCaps::default(),
            init: None,
            snap: snap::Snap::default(),
            cookie_echo: None,
            cookie_echo_errors: Vec::new(),
            send_cookie_echo: false,
            t1: Timer::default(),
            t2: Timer::default(),
            t3: Timer::default(),
            tlp: Timer::default(),
            hb: Timer::default(),
            hb_outstanding: None,
            ack_timer: None,
            idle_trim: None,
            rto,
            error_count: 0,
            tx,
            rx: None,
            reconf: ReConfig::new(my_initial_tsn),
            events: VecDeque::new(),
            solo: VecDeque::new(),
            control: VecDeque::new(),
            send_shutdown: false,
            send_shutdown_ack: false,
            out: memory::OutBuf::default(),
            stats: Stats::default(),
            config,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether data can flow.
    pub fn is_established(&self) -> bool {
        self.state == State::Established
    }

    /// Whether the association has ended (after shutdown, abort or failure); it then only
    /// drains what it still has to send.
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        Stats {
            retransmissions: self.tx.retransmissions,
            fast_retransmits: self.tx.fast_retransmits,
            ..self.stats
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The smoothed round-trip time, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.rto.srtt()
    }

    /// The current retransmission timeout.
    pub fn rto(&self) -> Duration {
        self.rto.get()
    }

    /// The congestion window, in bytes.
    pub fn cwnd(&self) -> usize {
        self.tx.cwnd
    }

    /// Whether the peer accepts partial reliability (FORWARD-TSN, RFC 3758).
    pub fn peer_supports_partial_reliability(&self) -> bool {
        self.caps.forward_tsn
    }

    /// Whether the peer accepts stream reset (RE-CONFIG, RFC 6525).
    pub fn peer_supports_stream_reset(&self) -> bool {
        self.caps.reconfig
    }

    /// Whether RFC 8260 user message interleaving (I-DATA) is in use: both sides offered it.
    pub fn interleaving_in_use(&self) -> bool {
        self.config.interleaving && self.caps.interleaving
    }

    /// Whether RFC 9653 zero checksums are in use towards the peer.
    pub fn zero_checksum_in_use(&self) -> bool {
        self.config.zero_checksum && self.caps.zero_checksum
    }

    /// Starts the association: sends INIT (RFC 9260 §5.1 A). With INIT chunks exchanged
    /// beforehand (SNAP, see [`local_sctp_init`](Self::local_sctp_init)) it is established at
    /// once instead, without a handshake.
    pub fn connect(&mut self) {
        if self.state != State::Closed || self.closed.is_some() {
            return;
        }
        if self.connect_snap() {
            return;
        }
        let init = self.make_init();
        self.solo.push_back((0, Chunk::Init(init.clone())));
        self.init = Some(init);
        self.state = State::CookieWait;
        self.t1.stop();
        self.t1.start(self.now, self.rto.get());
    }

    /// Queues a message on `stream_id` with payload protocol identifier `ppid`.
    ///
    /// Messages may be queued before the association is established; they go out once it is.
    pub fn send(
        &mut self,
        stream_id: u16,
        ppid: u32,
        unordered: bool,
        reliability: Reliability,
        payload: Bytes,
    ) -> Result<(), SendError> {
        self.send_inner(stream_id, ppid, unordered, reliability, payload, true)
    }

    /// [`send`](Self::send), choosing whether the bytes count in the buffered amount.
    pub(crate) fn send_inner(
        &mut self,
        stream_id: u16,
        ppid: u32,
        unordered: bool,
        reliability: Reliability,
        payload: Bytes,
        counted: bool,
    ) -> Result<(), SendError> {
        if self.closed.is_some()
            || !matches!(
                self.state,
                State::Closed | State::CookieWait | State::CookieEchoed | State::Established
            )
        {
            return Err(SendError::NotOpen);
        }
        if self.state == State::Established && stream_id >= self.outbound_streams {
            return Err(SendError::InvalidStream(stream_id));
        }
        let reliability = if self.state == State::Established && !self.caps.forward_tsn {
            Reliability::Reliable
        } else {
            reliability
        };
        self.tx
            .enqueue(stream_id, ppid, payload, unordered, reliability, counted)
    }

    /// Bytes queued on `stream_id` and not yet handed to the network (W3C `bufferedAmount`).
    pub fn buffered_amount(&self, stream_id: u16) -> usize {
        self.tx.buffered_amount(stream_id)
    }

    /// Sets the threshold under which [`Event::BufferedAmountLow`] fires for `stream_id`.
    pub fn set_buffered_amount_low_threshold(&mut self, stream_id: u16, threshold: usize) {
        self.tx.set_low_threshold(stream_id, threshold);
    }

    /// Resets our outgoing `streams` (RFC 6525 §5.1.2), after what is queued on them is sent.
    /// [`Event::OutgoingStreamsReset`] reports completion.
    pub fn reset_streams(&mut self, streams: &[u16]) -> Result<(), ResetError> {
        if self.state != State::Established || self.closed.is_some() {
            return Err(ResetError::NotEstablished);
        }
        if !self.caps.reconfig {
            return Err(ResetError::Unsupported);
        }
        self.tx.close_streams(streams);
        self.reconf.queue(streams);
        Ok(())
    }

    /// Graceful shutdown (RFC 9260 §9.2): sends what is queued, then SHUTDOWN.
    pub fn shutdown(&mut self) {
        match self.state {
            State::Established => {
                self.state = State::ShutdownPending;
                self.check_shutdown_progress();
            }
            State::CookieWait | State::CookieEchoed => self.close(CloseReason::LocalAbort),
            _ => {}
        }
    }

    /// Aborts the association (RFC 9260 §9.1): sends ABORT and drops everything.
    pub fn abort(&mut self) {
        if self.closed.is_some() {
            return;
        }
        if self.peer_tag != 0 {
            self.solo.push_back((
                self.peer_tag,
                Chunk::Abort {
                    reflected_tag: false,
                    causes: vec![ErrorCause::UserInitiatedAbort {
                        reason: Bytes::new(),
                    }],
                },
            ));
        }
        self.close(CloseReason::LocalAbort);
    }

    /// The next event, if any.
    #[inline]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front();
        if event.is_none() {
            memory::trim(&mut self.events);
        }
        event
    }

    /// The earliest deadline at which [`handle_timeout`](Self::handle_timeout) must be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed.is_some() {
            return None;
        }
        [
            self.t1.deadline(),
            self.t2.deadline(),
            self.t3.deadline(),
            self.tlp.deadline(),
            self.tx.rack.deadline,
            self.hb.deadline(),
            self.ack_timer,
            self.reconf.timer.deadline(),
            self.idle_trim,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Processes the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
        if self.closed.is_some() {
            return;
        }
        if self.t1.fire(now) {
            self.on_t1_expiry();
        }
        if self.t2.fire(now) {
            self.on_t2_expiry();
        }
        if self.t3.fire(now) {
            self.on_t3_expiry();
        }
        if self.closed.is_some() {
            return;
        }
        if self.tlp.fire(now) {
            self.on_tlp_expiry();
        }
        if self.tx.on_rack_timer(now, self.rto.srtt()) {
            self.tlp.stop();
        }
        if self.hb.fire(now) {
            self.on_heartbeat_timer();
        }
        if self.ack_timer.is_some_and(|t| t <= now) {
            self.ack_timer = None;
            if let Some(rx) = &mut self.rx
                && rx.sack_owed()
            {
                rx.sack_now = true;
            }
        }
        if self.reconf.timer.fire(now) {
            self.on_reconfig_timer();
        }
        if self.idle_trim.is_some_and(|t| t <= now) {
            self.idle_trim = None;
            self.trim_if_quiet();
        }
    }

    /// The HMAC key of our State Cookies.
    fn cookie_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.cookie_secret)
    }

    fn advance(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
        self.tx.stamp(self.now);
    }

    fn close(&mut self, reason: CloseReason) {
        if self.closed.is_some() {
            return;
        }
        tracing::debug!(?reason, "SCTP association closed");
        self.state = State::Closed;
        self.t1.stop();
        self.t2.stop();
        self.t3.stop();
        self.tlp.stop();
        self.hb.stop();
        self.ack_timer = None;
        self.idle_trim = None;
        self.reconf.timer.stop();
        self.tx.clear();
        self.control.clear();
        self.closed = Some(reason.clone());
        self.events.push_back(Event::Closed { reason });
    }

    /// Aborts because the peer misbehaved.
    fn protocol_violation(&mut self, what: &'static str) {
        if self.peer_tag != 0 {
            self.solo.push_back((
                self.peer_tag,
                Chunk::Abort {
                    reflected_tag: false,
                    causes: vec![ErrorCause::ProtocolViolation {
                        info: Bytes::from_static(what.as_bytes()),
                    }],
                },
            ));
        }
        self.close(CloseReason::ProtocolViolation(what));
    }

    /// Counts one more unanswered retransmission; aborts past Association.Max.Retrans.
    fn count_error(&mut self) -> bool {
        self.error_count += 1;
        if self.error_count > self.config.max_retransmissions {
            if self.peer_tag != 0 {
                self.solo.push_back((
                    self.peer_tag,
                    Chunk::Abort {
                        reflected_tag: false,
                        causes: Vec::new(),
                    },
                ));
            }
            self.close(CloseReason::PeerUnreachable);
            return true;
        }
        false
    }

    fn on_t3_expiry(&mut self) {
        if !self.tx.has_outstanding() {
            return;
        }
        self.stats.t3_expiries += 1;
        if self.count_error() {
            return;
        }
        self.rto.back_off();
        self.tlp.stop();
        self.tx.on_t3_expiry(self.now);
        self.t3.start(self.now, self.rto.get());
    }

    /// Schedules a tail loss probe (RFC 8985 §7.2) for the data in flight, unless T3-rtx
    /// would fire first; called after new data is sent and after each SACK.
    fn arm_tlp(&mut self) {
        let Some(srtt) = self.rto.srtt() else {
            return;
        };
        if !self.tx.tlp_allowed() {
            self.tlp.stop();
            return;
        }
        let pto = self.tx.pto(srtt, self.config.delayed_ack_timeout);
        if self.t3.deadline().is_some_and(|t3| t3 <= self.now + pto) {
            self.tlp.stop();
            return;
        }
        self.tlp.start(self.now, pto);
    }

    /// The probe timeout passed without a SACK (RFC 8985 §7.3): send a probe and let
    /// T3-rtx run a full RTO behind it.
    fn on_tlp_expiry(&mut self) {
        if self.tx.on_tlp(self.now) {
            self.stats.tail_loss_probes += 1;
            self.t3.stop();
            self.t3.start(self.now, self.rto.get());
        }
    }

    fn start_heartbeat_timer(&mut self) {
        let jitter = self.rng.range_u64(0, self.rto.get().as_millis() as u64 + 1);
        let after =
            self.config.heartbeat_interval + self.rto.get() / 2 + Duration::from_millis(jitter);
        self.hb.start(self.now, after);
    }

    fn on_heartbeat_timer(&mut self) {
        if !matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        ) {
            return;
        }
        if self.hb_outstanding.is_some() {
            if self.count_error() {
                return;
            }
        } else if std::mem::take(&mut self.tx.data_sent) || self.tx.has_outstanding() {
            // Not idle: data and its acknowledgements prove the path.
            self.start_heartbeat_timer();
            return;
        }
        self.tx.on_idle();
        let nonce = self.rng.u64();
        let mut info = Vec::with_capacity(16);
        info.extend_from_slice(
            &(self.now.duration_since(self.epoch).as_millis() as u64).to_be_bytes(),
        );
        info.extend_from_slice(&nonce.to_be_bytes());
        self.control.push_back(Chunk::Heartbeat {
            info: Bytes::from(info),
        });
        self.hb_outstanding = Some((nonce, self.now));
        self.start_heartbeat_timer();
    }

    /// Sends SHUTDOWN or SHUTDOWN ACK once everything we sent is acknowledged (§9.2).
    fn check_shutdown_progress(&mut self) {
        match self.state {
            State::ShutdownPending if !self.tx.has_pending() => {
                self.state = State::ShutdownSent;
                self.send_shutdown = true;
                self.t3.stop();
                self.t2.stop();
                self.t2.start(self.now, self.rto.get());
            }
            State::ShutdownReceived if !self.tx.has_pending() => {
                self.state = State::ShutdownAckSent;
                self.send_shutdown_ack = true;
                self.t3.stop();
                self.t2.stop();
                self.t2.start(self.now, self.rto.get());
            }
            _ => {}
        }
    }

    fn on_t2_expiry(&mut self) {
        if self.count_error() {
            return;
        }
        self.rto.back_off();
        match self.state {
            State::ShutdownSent => self.send_shutdown = true,
            State::ShutdownAckSent => self.send_shutdown_ack = true,
            _ => return,
        }
        self.t2.start(self.now, self.rto.get());
    }

    fn push_delivered(&mut self) {
        if let Some(rx) = &mut self.rx {
            self.events
                .extend(rx.delivered.drain(..).map(Event::Message));
        }
        for stream_id in self.tx.low_events.drain(..) {
            self.events
                .push_back(Event::BufferedAmountLow { stream_id });
        }
    }
}

/// A random non-zero `u32` (verification tags must not be 0).
fn nonzero(rng: &mut Rng) -> u32 {
    loop {
        let v = rng.u32();
        if v != 0 {
            return v;
        }
    }
}
