//! [`DtlsTransport`]: the sans-IO DTLS machine of one WebRTC transport (W3C `RTCDtlsTransport`,
//! webrtc-pc §5.5), over dimpl.
//!
//! It owns what WebRTC adds to DTLS (RFC 8827 §6.5, RFC 8842): the role from `a=setup`, the check
//! of the peer's certificate against the remote `a=fingerprint`s (RFC 8122 §5), the export of SRTP
//! keys (RFC 5764 §4.2), the W3C states, and the guard that keeps bad datagrams from the engine.
//! dimpl owns the DTLS 1.2 (RFC 6347, with RFC 7627 extended master secret) and DTLS 1.3
//! (RFC 9147) handshakes, record protection, replay windows (RFC 6347 §4.1.2.6) and flight
//! retransmission (RFC 6347 §4.2.4).
//!
//! Drive it like every rtcpeer machine: feed [`handle_receive`](DtlsTransport::handle_receive) the
//! datagrams RFC 7983 demultiplexing classified as DTLS and
//! [`handle_timeout`](DtlsTransport::handle_timeout) at [`poll_timeout`](DtlsTransport::poll_timeout);
//! after each call drain [`poll_transmit`](DtlsTransport::poll_transmit) and
//! [`poll_event`](DtlsTransport::poll_event).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use dimpl::{Dtls, Output, ProtocolVersion};
use rtcpeer_types::Rng;

use crate::config::{DtlsConfig, DtlsRole, DtlsVersion, DtlsVersions};
use crate::error::{DtlsError, DtlsFailure};
use crate::fingerprint::{Fingerprint, HashFunction};
use crate::record;
use crate::scratch::Scratch;
use crate::srtp::{SrtpKeyingMaterial, SrtpProfile};
use crate::state::DtlsTransportState;

/// The most application data one record carries (2^14 bytes, RFC 6347 §4.1, RFC 9147 §4).
pub const MAX_APPLICATION_DATA: usize = 1 << 14;

/// Application data records kept while the peer's fingerprint cannot yet be checked.
const MAX_HELD_RECORDS: usize = 64;

/// A deadline further away than this is dimpl's "nothing scheduled".
const NO_TIMER: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// A drained queue with more room than this gives it back.
const IDLE_QUEUE: usize = 16;

/// Most room offered to the engine for the peer's certificate (see `handshake_bytes`).
const MAX_CERTIFICATE_ROOM: usize = 1 << 20;

/// Something the transport reports. `StateChange` always comes first, then the detail event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DtlsEvent {
    /// The W3C state changed (fire `statechange`).
    StateChange(DtlsTransportState),
    /// The handshake completed and the peer's certificate matched a remote fingerprint.
    Connected(DtlsConnected),
    /// Application data (an SCTP packet) arrived.
    ApplicationData(Bytes),
    /// The transport closed on purpose: the peer sent `close_notify` (`by_peer`), or
    /// [`DtlsTransport::close`] was called.
    Closed {
        /// Whether the peer closed it.
        by_peer: bool,
    },
    /// The transport failed and will do nothing more.
    Failed(DtlsFailure),
}

/// What a completed handshake established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DtlsConnected {
    /// The version negotiated.
    pub version: DtlsVersion,
    /// The peer's certificate, DER (W3C `getRemoteCertificates()`).
    pub remote_certificate: Bytes,
    /// The remote fingerprint it matched.
    pub remote_fingerprint: Fingerprint,
    /// The SRTP keys, when `use_srtp` was negotiated (RFC 5764 §4.1). Boxed: most transports
    /// carry data channels only, and events wait in queues.
    pub srtp: Option<Box<SrtpKeyingMaterial>>,
}

/// Counters of one transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DtlsStats {
    /// Datagrams handed to [`DtlsTransport::handle_receive`].
    pub datagrams_received: u64,
    /// Bytes in them.
    pub bytes_received: u64,
    /// Datagrams queued for sending.
    pub datagrams_sent: u64,
    /// Bytes in them.
    pub bytes_sent: u64,
    /// Datagrams dropped because they are not well-framed DTLS records (never reached the engine).
    pub malformed_datagrams: u64,
    /// Well-framed datagrams received after the handshake that changed nothing: replayed,
    /// forged or garbled records, stale duplicates of handshake messages.
    pub ignored_datagrams: u64,
    /// Well-framed datagrams that cannot come where they came: anything but a ClientHello before
    /// a server has seen its first ClientHello.
    pub unexpected_datagrams: u64,
    /// Datagrams dropped because the engine's receive queue was full.
    pub overflow_datagrams: u64,
    /// Datagrams that arrived after the transport closed or failed.
    pub late_datagrams: u64,
    /// Application data records sent.
    pub records_sent: u64,
    /// Application data records delivered.
    pub records_received: u64,
    /// Application data records dropped while waiting for the remote fingerprint (over the limit).
    pub records_dropped: u64,
}

/// One WebRTC DTLS transport (W3C `RTCDtlsTransport`), sans-IO.
#[doc(alias = "RTCDtlsTransport")]
pub struct DtlsTransport {
    role: DtlsRole,
    /// The engine, until the transport closes or fails.
    dtls: Option<Dtls>,
    state: DtlsTransportState,
    local_fingerprint: Fingerprint,
    remote_fingerprints: Vec<Fingerprint>,
    /// The peer's certificate, once the engine has shown it.
    remote_certificate: Option<Bytes>,
    /// The remote fingerprint that certificate matched.
    verified: Option<Fingerprint>,
    /// The engine finished its handshake.
    engine_connected: bool,
    /// The version negotiated, kept after the engine is gone.
    version: Option<DtlsVersion>,
    srtp: Option<Box<SrtpKeyingMaterial>>,
    /// Application data that arrived before the fingerprint could be checked.
    held: VecDeque<Bytes>,
    transmits: VecDeque<Bytes>,
    events: VecDeque<DtlsEvent>,
    next_timeout: Option<Instant>,
    now: Instant,
    /// The engine's output buffer, sized by use.
    scratch: Scratch,
    /// Bytes handed to the engine before the peer's certificate came out of it. dimpl copies
    /// that certificate into the output buffer and panics if it does not fit, so until then
    /// the buffer offered is at least this long: the certificate arrived within these bytes.
    handshake_bytes: usize,
    stats: DtlsStats,
    /// The cipher suite of the ServerHello (see [`crate::cipher`]).
    pub(crate) cipher_suite: Option<crate::cipher::CipherSuite>,
}

/// One engine output, copied out of the borrow of the output buffer.
enum Step {
    /// A datagram of this length at the start of the buffer.
    Packet(usize),
    /// A datagram dimpl placed elsewhere.
    PacketCopy(Bytes),
    Grow(usize),
    Timeout(Instant),
    Connected,
    PeerCert(Bytes),
    Keying(Vec<u8>, dimpl::SrtpProfile),
    /// Application data of this length at the start of the buffer.
    Data(usize),
    DataCopy(Bytes),
    CloseNotify,
    Other,
}

impl DtlsTransport {
    /// A transport for `role`. A client queues its first flight at once; a server waits for one.
    ///
    /// Fails if the certificate has expired at `config.wall_clock` or the engine refuses the
    /// configuration. `rng` seeds the engine's jitter, DTLS randoms and cookie secret; key
    /// exchange and signatures use aws-lc's system generator.
    pub fn new(
        config: DtlsConfig,
        role: DtlsRole,
        now: Instant,
        rng: &mut Rng,
    ) -> Result<DtlsTransport, DtlsError> {
        config.certificate.check_valid_at(config.wall_clock)?;
        let engine_config = Arc::new(
            config
                .to_dimpl(rng.u64())
                .map_err(DtlsError::InvalidConfig)?,
        );
        let cert = config.certificate.to_dimpl();
        let mut dtls = match config.versions {
            DtlsVersions::Auto => Dtls::new_auto(engine_config, cert, now),
            DtlsVersions::Dtls12Only => Dtls::new_12(engine_config, cert, now),
            DtlsVersions::Dtls13Only => Dtls::new_13(engine_config, cert, now),
        };
        if role == DtlsRole::Client {
            dtls.set_active(true);
        }
        dtls.handle_timeout(now).map_err(DtlsError::InvalidConfig)?;
        let mut transport = DtlsTransport {
            role,
            dtls: Some(dtls),
            state: DtlsTransportState::New,
            local_fingerprint: config.certificate.fingerprint().clone(),
            remote_fingerprints: config.remote_fingerprints,
            remote_certificate: None,
            verified: None,
            engine_connected: false,
            version: None,
            srtp: None,
            held: VecDeque::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            next_timeout: None,
            now,
            scratch: Scratch::new(),
            handshake_bytes: 0,
            stats: DtlsStats::default(),
            cipher_suite: None,
        };
        transport.drain();
        Ok(transport)
    }

    /// The role this endpoint plays.
    pub fn role(&self) -> DtlsRole {
        self.role
    }

    /// The W3C state.
    pub fn state(&self) -> DtlsTransportState {
        self.state
    }

    /// The negotiated version, once the peer's first flight has decided it.
    pub fn protocol_version(&self) -> Option<DtlsVersion> {
        if self.version.is_some() {
            return self.version;
        }
        let version = self.dtls.as_ref()?.protocol_version()?;
        if version == ProtocolVersion::DTLS1_3 {
            Some(DtlsVersion::Dtls13)
        } else if version == ProtocolVersion::DTLS1_2 {
            Some(DtlsVersion::Dtls12)
        } else {
            None
        }
    }

    /// The SHA-256 fingerprint of the local certificate.
    pub fn local_fingerprint(&self) -> &Fingerprint {
        &self.local_fingerprint
    }

    /// The peer's certificate (DER), once the handshake has shown it (W3C
    /// `getRemoteCertificates()`).
    pub fn remote_certificate(&self) -> Option<&Bytes> {
        self.remote_certificate.as_ref()
    }

    /// The SRTP keys, once connected with `use_srtp` negotiated.
    pub fn srtp_keying_material(&self) -> Option<&SrtpKeyingMaterial> {
        self.srtp.as_deref()
    }

    /// Counters.
    pub fn stats(&self) -> DtlsStats {
        self.stats
    }

    /// Sets the remote description's fingerprints. If the peer's certificate is already known it
    /// is checked now: the transport becomes `connected`, or `failed` with
    /// [`DtlsFailure::FingerprintMismatch`] (also when a new remote description no longer matches
    /// the certificate of an established connection).
    ///
    /// An empty list only forgets the fingerprints: nothing is checked against it.
    pub fn set_remote_fingerprints(&mut self, fingerprints: Vec<Fingerprint>) {
        self.remote_fingerprints = fingerprints;
        if self.state.is_terminal() || self.remote_fingerprints.is_empty() {
            return;
        }
        if let Some(der) = self.remote_certificate.clone() {
            self.verified = None;
            if self.verify(&der) {
                self.maybe_connected();
            }
        }
    }

    /// Handles a datagram the demultiplexer classified as DTLS. Malformed, replayed or forged
    /// records are dropped and counted ([`stats`](Self::stats)); they never fail the transport.
    pub fn handle_receive(&mut self, now: Instant, datagram: &[u8]) {
        self.stats.datagrams_received += 1;
        self.stats.bytes_received += datagram.len() as u64;
        if self.dtls.is_none() {
            self.stats.late_datagrams += 1;
            return;
        }
        let framing = match record::check(datagram) {
            Ok(framing) => framing,
            Err(why) => {
                tracing::trace!(
                    ?why,
                    len = datagram.len(),
                    "dropping malformed DTLS datagram"
                );
                self.stats.malformed_datagrams += 1;
                return;
            }
        };
        if !framing.client_hello_only && self.awaits_client_hello() {
            // An auto-sensing server keeps everything it hears before a ClientHello (to replay
            // it into DTLS 1.2) and gives up when that store is full: give it only ClientHellos.
            self.stats.unexpected_datagrams += 1;
            return;
        }
        self.note_server_hello(datagram, DtlsRole::Client);
        // dimpl wants its clock refreshed before a datagram arrives at a new instant.
        if now > self.now {
            self.advance_clock(now);
        }
        let before = self.progress();
        let Some(dtls) = self.dtls.as_mut() else {
            return;
        };
        let pending_version = dtls.protocol_version().is_none();
        if self.remote_certificate.is_none() {
            self.handshake_bytes = self.handshake_bytes.saturating_add(datagram.len());
        }
        match dtls.handle_packet(datagram) {
            Ok(()) => {}
            // The engine drops the datagram and keeps its state in these two cases: a queue
            // overflow is checked before anything is stored, and an auto-sensing client checks
            // the server's answer before it commits to a version.
            Err(dimpl::Error::ReceiveQueueFull) => {
                self.stats.overflow_datagrams += 1;
                return;
            }
            Err(dimpl::Error::UnexpectedMessage(
                dimpl::UnexpectedMessageError::UnrecognizedAutoServerResponse,
            )) if pending_version => {
                self.stats.malformed_datagrams += 1;
                return;
            }
            Err(e) => {
                self.fail(DtlsFailure::from_engine(e));
                return;
            }
        }
        self.drain();
        if self.engine_connected && self.progress() == before {
            self.stats.ignored_datagrams += 1;
        }
    }

    /// Runs the timers due at `now` (flight retransmission, the handshake deadline).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.dtls.is_none() {
            return;
        }
        self.advance_clock(now);
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next run; `None` when nothing is
    /// scheduled.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.dtls.as_ref()?;
        self.next_timeout
            .filter(|t| t.saturating_duration_since(self.now) < NO_TIMER)
    }

    /// Sends one record of application data (one SCTP packet). Only in state `connected`; at most
    /// [`MAX_APPLICATION_DATA`] bytes. An empty slice sends nothing.
    pub fn send_application_data(&mut self, data: &[u8]) -> Result<(), DtlsError> {
        if self.state != DtlsTransportState::Connected {
            return Err(DtlsError::NotConnected(self.state));
        }
        if data.len() > MAX_APPLICATION_DATA {
            return Err(DtlsError::RecordTooLarge {
                len: data.len(),
                max: MAX_APPLICATION_DATA,
            });
        }
        if data.is_empty() {
            return Ok(());
        }
        let Some(dtls) = self.dtls.as_mut() else {
            return Err(DtlsError::NotConnected(self.state));
        };
        if let Err(e) = dtls.send_application_data(data) {
            self.fail(DtlsFailure::from_engine(e));
            return Err(DtlsError::NotConnected(self.state));
        }
        self.stats.records_sent += 1;
        self.drain();
        Ok(())
    }

    /// Closes the transport: sends `close_notify` if connected (it is not retransmitted,
    /// RFC 6347 §4.2.7), or abandons the handshake. The state becomes `closed`.
    pub fn close(&mut self) {
        let Some(dtls) = self.dtls.as_mut() else {
            return;
        };
        let closed = dtls.close();
        if closed.is_ok() {
            self.drain();
        }
        self.finish_closed(false);
    }

    /// The next datagram to send, on the 5-tuple ICE selected.
    #[inline]
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        let next = self.transmits.pop_front();
        if next.is_none() {
            self.settle();
        }
        next
    }

    /// The next event.
    #[inline]
    pub fn poll_event(&mut self) -> Option<DtlsEvent> {
        let next = self.events.pop_front();
        if next.is_none() {
            self.settle();
        }
        next
    }

    /// Heap bytes this transport holds outside the engine: its output buffer and queues. dimpl's
    /// own state (keys, certificate, the handshake transcript and reassembly buffers it keeps)
    /// is not visible from here and comes on top: measured at about 5 KiB (DTLS 1.2) to 10 KiB
    /// (DTLS 1.3) once connected.
    pub fn heap_size_estimate(&self) -> usize {
        let queued: usize = self.transmits.iter().map(Bytes::len).sum::<usize>()
            + self.held.iter().map(Bytes::len).sum::<usize>();
        self.scratch.allocated()
            + queued
            + self.transmits.capacity() * std::mem::size_of::<Bytes>()
            + self.held.capacity() * std::mem::size_of::<Bytes>()
            + self.events.capacity() * std::mem::size_of::<DtlsEvent>()
            + self.remote_certificate.as_ref().map_or(0, Bytes::len)
    }

    /// The caller has drained a queue: an idle transport keeps no grown buffer or queue.
    #[inline]
    fn settle(&mut self) {
        if self.transmits.is_empty() && self.events.is_empty() {
            self.scratch.settle();
            if self.transmits.capacity() > IDLE_QUEUE || self.events.capacity() > IDLE_QUEUE {
                self.transmits = VecDeque::new();
                self.events = VecDeque::new();
            }
        }
    }

    /// A server that has not yet decided the version: it has seen no whole ClientHello.
    fn awaits_client_hello(&self) -> bool {
        self.role == DtlsRole::Server
            && self
                .dtls
                .as_ref()
                .is_some_and(|d| d.protocol_version().is_none())
    }

    /// What changes when the engine does anything visible.
    fn progress(&self) -> (u64, u64, Option<Instant>, DtlsTransportState, usize) {
        (
            self.stats.datagrams_sent,
            self.stats.records_received,
            self.next_timeout,
            self.state,
            self.events.len(),
        )
    }

    fn advance_clock(&mut self, now: Instant) {
        // Time never runs backwards for the engine.
        let now = now.max(self.now);
        self.now = now;
        let Some(dtls) = self.dtls.as_mut() else {
            return;
        };
        if let Err(e) = dtls.handle_timeout(now) {
            self.fail(DtlsFailure::from_engine(e));
            return;
        }
        self.drain();
    }

    /// Takes every output the engine has ready.
    fn drain(&mut self) {
        loop {
            let Some(dtls) = self.dtls.as_mut() else {
                return;
            };
            if self.remote_certificate.is_none() {
                self.scratch
                    .require(self.handshake_bytes.min(MAX_CERTIFICATE_ROOM));
            }
            let buf = self.scratch.prepare();
            let base = buf.as_ptr();
            let step = match dtls.poll_output(buf) {
                Output::Packet(p) if p.as_ptr() == base => Step::Packet(p.len()),
                Output::Packet(p) => Step::PacketCopy(Bytes::copy_from_slice(p)),
                Output::BufferTooSmall { needed } => Step::Grow(needed),
                Output::Timeout(t) => Step::Timeout(t),
                Output::Connected => Step::Connected,
                Output::PeerCert(der) => Step::PeerCert(Bytes::copy_from_slice(der)),
                Output::KeyingMaterial(material, profile) => {
                    Step::Keying(material.to_vec(), profile)
                }
                Output::ApplicationData(d) if d.as_ptr() == base => Step::Data(d.len()),
                Output::ApplicationData(d) => Step::DataCopy(Bytes::copy_from_slice(d)),
                Output::CloseNotify => Step::CloseNotify,
                _ => Step::Other,
            };
            match step {
                Step::Packet(n) => {
                    let datagram = self.scratch.split_to(n);
                    self.queue_transmit(datagram);
                }
                Step::PacketCopy(datagram) => self.queue_transmit(datagram),
                Step::Grow(needed) if self.scratch.grow(needed) => {}
                Step::Grow(needed) => {
                    // The buffer already has that room: the engine is inconsistent; stop rather
                    // than spin.
                    tracing::warn!(needed, "DTLS engine asked for a buffer it already has");
                    break;
                }
                Step::Timeout(t) => {
                    self.next_timeout = Some(t);
                    break;
                }
                Step::Connected => self.engine_connected = true,
                Step::PeerCert(der) => {
                    self.remote_certificate = Some(der.clone());
                    if !self.remote_fingerprints.is_empty() && !self.verify(&der) {
                        // Failed: nothing more leaves the engine, not even its next flight.
                        return;
                    }
                }
                Step::Keying(material, profile) => self.on_keying_material(&material, profile),
                Step::Data(n) => {
                    let data = self.scratch.split_to(n);
                    self.on_application_data(data);
                }
                Step::DataCopy(data) => self.on_application_data(data),
                Step::CloseNotify => {
                    // dimpl has already queued its own close_notify in reply (RFC 5246 §7.2.1).
                    self.finish_closed(true);
                    return;
                }
                Step::Other => {}
            }
        }
        self.maybe_connected();
    }

    fn queue_transmit(&mut self, datagram: Bytes) {
        tracing::trace!(len = datagram.len(), "DTLS datagram out");
        self.stats.datagrams_sent += 1;
        self.stats.bytes_sent += datagram.len() as u64;
        self.note_server_hello(&datagram, DtlsRole::Server);
        self.transmits.push_back(datagram);
        if self.state == DtlsTransportState::New {
            self.set_state(DtlsTransportState::Connecting);
        }
    }

    fn on_keying_material(&mut self, material: &[u8], profile: dimpl::SrtpProfile) {
        let keys = SrtpProfile::from_dimpl(profile)
            .and_then(|p| SrtpKeyingMaterial::from_exported(p, self.role, material));
        if keys.is_none() {
            tracing::warn!(
                ?profile,
                len = material.len(),
                "unusable DTLS-SRTP keying material"
            );
        }
        self.srtp = keys.map(Box::new);
    }

    fn on_application_data(&mut self, data: Bytes) {
        if self.state == DtlsTransportState::Connected {
            self.stats.records_received += 1;
            self.events.push_back(DtlsEvent::ApplicationData(data));
        } else if self.held.len() < MAX_HELD_RECORDS {
            self.held.push_back(data);
        } else {
            self.stats.records_dropped += 1;
        }
    }

    /// Checks the peer's certificate against the remote fingerprints; fails the transport if it
    /// matches none. Returns whether it matched.
    fn verify(&mut self, der: &[u8]) -> bool {
        match Fingerprint::find_match(&self.remote_fingerprints, der) {
            Some(matched) => {
                self.verified = Some(matched.clone());
                true
            }
            None => {
                let failure = DtlsFailure::FingerprintMismatch {
                    expected: self.remote_fingerprints.clone(),
                    actual: Fingerprint::of_certificate(HashFunction::Sha256, der),
                };
                self.fail(failure);
                false
            }
        }
    }

    /// Becomes `connected` once the engine has finished and the fingerprint is checked.
    fn maybe_connected(&mut self) {
        if !self.engine_connected || self.state.is_terminal() {
            return;
        }
        if self.state == DtlsTransportState::Connected {
            return;
        }
        let Some(remote_certificate) = self.remote_certificate.clone() else {
            self.fail(DtlsFailure::NoRemoteCertificate);
            return;
        };
        let Some(remote_fingerprint) = self.verified.clone() else {
            // Waiting for set_remote_fingerprints.
            return;
        };
        let version = self.protocol_version().unwrap_or(DtlsVersion::Dtls12);
        self.version = Some(version);
        self.set_state(DtlsTransportState::Connected);
        self.events.push_back(DtlsEvent::Connected(DtlsConnected {
            version,
            remote_certificate,
            remote_fingerprint,
            srtp: self.srtp.clone(),
        }));
        while let Some(data) = self.held.pop_front() {
            self.stats.records_received += 1;
            self.events.push_back(DtlsEvent::ApplicationData(data));
        }
    }

    fn finish_closed(&mut self, by_peer: bool) {
        if self.state.is_terminal() {
            return;
        }
        // Keep what the engine queued (our close_notify), then let it go.
        self.dtls = None;
        self.scratch.release();
        self.next_timeout = None;
        self.held.clear();
        self.set_state(DtlsTransportState::Closed);
        self.events.push_back(DtlsEvent::Closed { by_peer });
    }

    fn fail(&mut self, failure: DtlsFailure) {
        if self.state.is_terminal() {
            return;
        }
        tracing::debug!(%failure, "DTLS transport failed");
        self.dtls = None;
        self.scratch.release();
        self.next_timeout = None;
        self.held.clear();
        self.set_state(DtlsTransportState::Failed);
        self.events.push_back(DtlsEvent::Failed(failure));
    }

    fn set_state(&mut self, state: DtlsTransportState) {
        if self.state == state {
            return;
        }
        tracing::debug!(from = %self.state, to = %state, "DTLS transport state");
        self.state = state;
        self.events.push_back(DtlsEvent::StateChange(state));
    }
}

impl std::fmt::Debug for DtlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DtlsTransport")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("version", &self.protocol_version())
            .finish_non_exhaustive()
    }
}
