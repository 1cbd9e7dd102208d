//! [`TransportStack`]: one BUNDLE transport as a single sans-IO machine — an ICE agent
//! (RFC 8445), a DTLS transport over it (RFC 8827 §6.5, RFC 8842), and the SCTP association of
//! the data channels inside DTLS (RFC 8261, RFC 8831, RFC 8832), with the RFC 7983
//! demultiplexing between them.
//!
//! # How the machines are composed
//!
//! - **ICE** is created with the stack and gets every datagram first: STUN stays in the agent,
//!   anything else from a known remote comes back as data and is routed by its first byte
//!   ([`super::demux`]).
//! - **DTLS** starts once its role is known ([`TransportParameters::dtls_role`]): a server is
//!   created at once and answers the first ClientHello; a client is created when ICE reports a
//!   selected pair (`connected`), so its first flight goes out on a working path. DTLS records
//!   that arrive before the transport exists (the peer's client may start before this side has
//!   the answer) are kept, up to a limit, and replayed into it. DTLS output ICE cannot send yet
//!   (no usable pair on this side) waits in a queue and leaves as soon as a pair is usable, so
//!   no flight is lost to ordering.
//! - **SCTP** ([`DataChannels`]) is created when both the DTLS role and the remote SCTP
//!   parameters are known, and both sides connect it when DTLS is connected (simultaneous INIT
//!   is part of RFC 9260 §5.2.1). Its packets travel as DTLS application data, one packet per
//!   record.
//!
//! After every input ([`handle_receive`](TransportStack::handle_receive),
//! [`handle_timeout`](TransportStack::handle_timeout), a command), the stack *pumps*: it moves
//! events and data between the machines until none has anything more to say, and queues its own
//! [`TransportEvent`]s: the W3C state changes of each transport, then the aggregate
//! `iceConnectionState` and `connectionState` ([`super::aggregate`]).
//!
//! Commands that take no `now` (data channel sends, closes) run the machines at the time of the
//! latest input; their output is produced by the next [`poll_transmit`](TransportStack::poll_transmit)
//! or [`poll_event`](TransportStack::poll_event).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rtcpeer_dtls::{DtlsConfig, DtlsRole, DtlsTransport, Fingerprint};
use rtcpeer_ice::{Candidate, Credentials, IceAgent};
use rtcpeer_sctp::Config as SctpConfig;
use rtcpeer_sctp::DataChannels;
use rtcpeer_sctp::datachannel::DtlsRole as SctpRole;
use rtcpeer_types::{Receive, Rng, Transmit};

use super::config::{RemoteSctpParameters, TransportConfig, TransportParameters};
use super::demux::DemuxCounters;
use super::event::{TransportError, TransportEvent, TransportFailure};
use crate::enums::{
    RtcDtlsTransportState, RtcIceConnectionState, RtcIceGathererState, RtcIceRole,
    RtcIceTransportState, RtcPeerConnectionState, RtcSctpTransportState,
};

/// DTLS datagrams kept while the DTLS transport does not exist yet (a whole first flight, with
/// retransmissions, fits).
pub(super) const MAX_EARLY_DTLS: usize = 32;

/// DTLS datagrams kept while ICE has no usable pair (a handshake flight; during a consent loss,
/// SCTP retransmissions beyond this are dropped and SCTP retransmits them again later).
pub(super) const MAX_PENDING_DTLS: usize = 256;

/// One BUNDLE transport (ICE + DTLS + SCTP data channels) as one sans-IO machine; see the
/// [module documentation](self).
///
/// Drive it like every rtcpeer machine: feed [`handle_receive`](Self::handle_receive) and
/// [`handle_timeout`](Self::handle_timeout) (at [`poll_timeout`](Self::poll_timeout)), then
/// drain [`poll_transmit`](Self::poll_transmit) and [`poll_event`](Self::poll_event).
#[doc(alias = "RTCIceTransport")]
#[doc(alias = "RTCDtlsTransport")]
#[doc(alias = "RTCSctpTransport")]
pub struct TransportStack {
    pub(super) ice: IceAgent,
    pub(super) rng: Rng,
    /// The configuration the DTLS transport is created from.
    pub(super) dtls_config: DtlsConfig,
    pub(super) dtls: Option<DtlsTransport>,
    pub(super) dtls_role: Option<DtlsRole>,
    pub(super) remote_fingerprints: Vec<Fingerprint>,
    pub(super) sctp_config: SctpConfig,
    pub(super) remote_sctp: Option<RemoteSctpParameters>,
    pub(super) sctp: Option<DataChannels>,
    /// DTLS datagrams received before the DTLS transport existed.
    pub(super) early_dtls: VecDeque<Bytes>,
    /// DTLS datagrams waiting for ICE to have a usable pair.
    pub(super) pending_dtls: VecDeque<Bytes>,
    /// What is left to send after [`close`](Self::close) (ICE forgets its queue when closed).
    pub(super) final_transmits: VecDeque<Transmit>,
    pub(super) events: VecDeque<TransportEvent>,
    pub(super) ice_state: RtcIceTransportState,
    pub(super) gatherer_state: RtcIceGathererState,
    pub(super) dtls_state: RtcDtlsTransportState,
    /// The DTLS transport reported `failed`; its `statechange` waits for the failure's reason
    /// so that `error` fires first (webrtc-pc §5.5.1).
    pub(super) dtls_failed_pending: bool,
    pub(super) sctp_state: Option<RtcSctpTransportState>,
    pub(super) max_message_size: Option<u64>,
    pub(super) ice_connection_state: RtcIceConnectionState,
    pub(super) connection_state: RtcPeerConnectionState,
    pub(super) closed: bool,
    /// The latest time the stack was driven with.
    pub(super) now: Instant,
    /// A command queued work that the next poll must pump out.
    pub(super) dirty: bool,
    pub(super) counters: DemuxCounters,
}

impl std::fmt::Debug for TransportStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportStack")
            .field("ice", &self.ice_state)
            .field("dtls", &self.dtls_state)
            .field("sctp", &self.sctp_state)
            .field("connection_state", &self.connection_state)
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl TransportStack {
    /// A new stack: the ICE agent is created at once (with random local credentials drawn from
    /// `rng`); DTLS and SCTP wait for their parameters.
    pub fn new(config: TransportConfig, now: Instant, mut rng: Rng) -> Self {
        let ice = IceAgent::new(config.ice, rng.fork());
        let mut dtls_config = config.dtls;
        let remote_fingerprints = std::mem::take(&mut dtls_config.remote_fingerprints);
        TransportStack {
            ice,
            rng,
            dtls_config,
            dtls: None,
            dtls_role: None,
            remote_fingerprints,
            sctp_config: config.sctp,
            remote_sctp: None,
            sctp: None,
            early_dtls: VecDeque::new(),
            pending_dtls: VecDeque::new(),
            final_transmits: VecDeque::new(),
            events: VecDeque::new(),
            ice_state: RtcIceTransportState::New,
            gatherer_state: RtcIceGathererState::New,
            dtls_state: RtcDtlsTransportState::New,
            dtls_failed_pending: false,
            sctp_state: None,
            max_message_size: None,
            ice_connection_state: RtcIceConnectionState::New,
            connection_state: RtcPeerConnectionState::New,
            closed: false,
            now,
            dirty: false,
            counters: DemuxCounters::default(),
        }
    }

    // ---- signaling inputs ---------------------------------------------------------------------

    /// The local ICE credentials to signal (`a=ice-ufrag`, `a=ice-pwd`).
    pub fn local_credentials(&self) -> &Credentials {
        self.ice.local_credentials()
    }

    /// Replaces the generated local ICE credentials (before gathering).
    pub fn set_local_credentials(&mut self, ufrag: &str, pwd: &str) -> Result<(), TransportError> {
        self.ice.set_local_credentials(ufrag, pwd)?;
        Ok(())
    }

    /// The local certificate's SHA-256 fingerprint to signal (`a=fingerprint`).
    pub fn local_fingerprint(&self) -> &Fingerprint {
        self.dtls_config.certificate.fingerprint()
    }

    /// A local socket address (a host candidate's base).
    pub fn add_local_interface(&mut self, addr: SocketAddr) {
        if !self.closed {
            self.ice.add_local_interface(addr);
        }
    }

    /// Starts gathering (after `setLocalDescription`); candidates come as
    /// [`TransportEvent::LocalCandidate`].
    pub fn gather(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.advance(now);
        self.ice.gather(now);
        self.pump(now);
    }

    /// Applies what the signaling layer learnt (see [`TransportParameters`]). May be called again
    /// after each description: unchanged values change nothing, new candidates are added, new
    /// remote credentials restart ICE, new fingerprints are checked against the peer's
    /// certificate. A DTLS role that differs from the one already in use is ignored (changing it
    /// needs a new DTLS association, RFC 8842 §5.5).
    ///
    /// Fails, changing nothing, if the remote ICE credentials are malformed or the stack is
    /// closed.
    pub fn set_parameters(
        &mut self,
        now: Instant,
        params: TransportParameters,
    ) -> Result<(), TransportError> {
        if self.closed {
            return Err(TransportError::Closed);
        }
        Credentials {
            ufrag: params.ice_ufrag.clone(),
            pwd: params.ice_pwd.clone(),
        }
        .validate()?;
        self.advance(now);
        self.ice.set_remote_ice_lite(params.ice_lite);
        self.ice.set_remote_ice2(params.ice2);
        match params.ice_role {
            RtcIceRole::Controlling => self.ice.set_role(true),
            RtcIceRole::Controlled => self.ice.set_role(false),
            RtcIceRole::Unknown => {}
        }
        self.ice
            .set_remote_credentials(&params.ice_ufrag, &params.ice_pwd)?;
        for c in params.candidates {
            self.ice.add_remote_candidate(c);
        }
        if params.end_of_candidates {
            self.ice.end_of_remote_candidates();
        }
        if !params.fingerprints.is_empty() && params.fingerprints != self.remote_fingerprints {
            self.remote_fingerprints = params.fingerprints;
            if let Some(dtls) = self.dtls.as_mut() {
                dtls.set_remote_fingerprints(self.remote_fingerprints.clone());
            }
        }
        if let Some(sctp) = params.sctp {
            self.set_remote_sctp(now, sctp);
        }
        if let Some(role) = params.dtls_role {
            self.set_dtls_role(now, role);
        }
        self.pump(now);
        Ok(())
    }

    /// A trickled remote candidate (`addIceCandidate`).
    pub fn add_remote_candidate(&mut self, now: Instant, candidate: Candidate) {
        if self.closed {
            return;
        }
        self.advance(now);
        self.ice.add_remote_candidate(candidate);
        self.pump(now);
    }

    /// The peer signalled end-of-candidates (RFC 8838 §8.2).
    pub fn end_of_remote_candidates(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.advance(now);
        self.ice.end_of_remote_candidates();
        self.pump(now);
    }

    /// Restarts ICE (`restartIce`, RFC 8445 §9) with the new local credentials the description
    /// signals: new candidates carrying them; DTLS and SCTP carry on over the old pair until a
    /// new one is selected.
    pub fn restart_ice(
        &mut self,
        now: Instant,
        ufrag: &str,
        pwd: &str,
    ) -> Result<(), TransportError> {
        if self.closed {
            return Ok(());
        }
        self.advance(now);
        self.ice.restart_with_credentials(now, ufrag, pwd)?;
        self.pump(now);
        Ok(())
    }

    fn set_remote_sctp(&mut self, now: Instant, remote: RemoteSctpParameters) {
        self.remote_sctp = Some(remote);
        // webrtc-pc §6.1.1.2 "update the data max message size": the remote limit (0: none),
        // capped by what this side can send.
        let local = self.sctp_config.max_message_size as u64;
        let max = match remote.max_message_size {
            0 => local,
            remote => remote.min(local),
        };
        if self.max_message_size != Some(max) {
            self.max_message_size = Some(max);
            self.emit(TransportEvent::SctpMaxMessageSize(max));
        }
        self.create_sctp(now);
    }

    fn set_dtls_role(&mut self, now: Instant, role: DtlsRole) {
        match self.dtls_role {
            Some(current) if current == role => {}
            Some(current) => {
                tracing::debug!(?current, ?role, "DTLS role change ignored");
            }
            None => {
                self.dtls_role = Some(role);
                self.create_sctp(now);
                match role {
                    // A server waits for the ClientHello: create it now so none is missed.
                    DtlsRole::Server => self.start_dtls(now),
                    DtlsRole::Client => self.maybe_start_client(now),
                }
            }
        }
    }

    /// Creates the SCTP association once the DTLS role and the remote port are known.
    fn create_sctp(&mut self, now: Instant) {
        if self.sctp.is_some() || self.closed {
            return;
        }
        let (Some(role), Some(remote)) = (self.dtls_role, self.remote_sctp) else {
            return;
        };
        let mut config = self.sctp_config.clone();
        config.remote_port = remote.port;
        let role = match role {
            DtlsRole::Client => SctpRole::Client,
            DtlsRole::Server => SctpRole::Server,
        };
        self.sctp = Some(DataChannels::new(config, role, now, self.rng.fork()));
        self.sctp_state = Some(RtcSctpTransportState::Connecting);
        if self.dtls_state == RtcDtlsTransportState::Connected {
            // DTLS came first (an answer that added the data section later).
            if let Some(sctp) = self.sctp.as_mut() {
                sctp.connect();
            }
        }
    }

    /// Starts the DTLS client once ICE has a selected pair.
    pub(super) fn maybe_start_client(&mut self, now: Instant) {
        if self.dtls_role == Some(DtlsRole::Client)
            && self.dtls.is_none()
            && matches!(
                self.ice_state,
                RtcIceTransportState::Connected | RtcIceTransportState::Completed
            )
        {
            self.start_dtls(now);
        }
    }

    fn start_dtls(&mut self, now: Instant) {
        if self.dtls.is_some() || self.closed || self.dtls_state == RtcDtlsTransportState::Failed {
            return;
        }
        let Some(role) = self.dtls_role else {
            return;
        };
        let mut config = self.dtls_config.clone();
        config.remote_fingerprints = self.remote_fingerprints.clone();
        match DtlsTransport::new(config, role, now, &mut self.rng) {
            Ok(mut dtls) => {
                tracing::debug!(?role, "DTLS transport started");
                while let Some(datagram) = self.early_dtls.pop_front() {
                    dtls.handle_receive(now, &datagram);
                }
                self.dtls = Some(dtls);
            }
            Err(e) => {
                tracing::debug!(error = %e, "DTLS transport cannot start");
                self.emit(TransportEvent::Error(TransportFailure::DtlsSetup(e)));
                self.set_dtls_state(RtcDtlsTransportState::Failed);
                if let Some(sctp) = self.sctp.as_mut() {
                    sctp.abort();
                }
            }
        }
    }

    // ---- network inputs -----------------------------------------------------------------------

    /// A datagram arrived on one of the local sockets.
    pub fn handle_receive(&mut self, now: Instant, rx: Receive) {
        if self.closed {
            return;
        }
        self.advance(now);
        self.ice.handle_receive(now, rx);
        self.pump(now);
    }

    /// Time passed: runs the timers of every machine that are due.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.advance(now);
        self.ice.handle_timeout(now);
        if let Some(dtls) = self.dtls.as_mut()
            && dtls.poll_timeout().is_some_and(|t| t <= now)
        {
            dtls.handle_timeout(now);
        }
        if let Some(sctp) = self.sctp.as_mut()
            && sctp.poll_timeout().is_some_and(|t| t <= now)
        {
            sctp.handle_timeout(now);
        }
        self.pump(now);
    }

    // ---- outputs ------------------------------------------------------------------------------

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        if let Some(t) = self.final_transmits.pop_front() {
            return Some(t);
        }
        if self.closed {
            return None;
        }
        if self.dirty {
            self.pump(self.now);
        }
        self.ice.poll_transmit()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<TransportEvent> {
        if self.dirty && !self.closed {
            self.pump(self.now);
        }
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due: the earliest deadline of the
    /// machines (now, if a command left work to do).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        if self.dirty {
            return Some(self.now);
        }
        [
            self.ice.poll_timeout(),
            self.dtls.as_ref().and_then(DtlsTransport::poll_timeout),
            self.sctp.as_ref().and_then(DataChannels::poll_timeout),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Closes everything (webrtc-pc §4.4.1.3 "close the connection"): aborts the SCTP
    /// association, sends DTLS `close_notify`, closes the ICE agent. The last datagrams stay
    /// available from [`poll_transmit`](Self::poll_transmit); every state reads `closed`, and no
    /// event follows (the W3C fires none on `close()`).
    pub fn close(&mut self) {
        if self.closed {
            return;
        }
        let now = self.now;
        if let Some(sctp) = self.sctp.as_mut() {
            sctp.abort();
        }
        self.drain_sctp_transmits(now);
        if let Some(dtls) = self.dtls.as_mut() {
            dtls.close();
        }
        self.drain_dtls_transmits(now);
        while let Some(t) = self.ice.poll_transmit() {
            self.final_transmits.push_back(t);
        }
        self.ice.close();
        self.closed = true;
        self.dirty = false;
        self.ice_state = RtcIceTransportState::Closed;
        self.dtls_state = RtcDtlsTransportState::Closed;
        if self.sctp_state.is_some() {
            self.sctp_state = Some(RtcSctpTransportState::Closed);
        }
        self.ice_connection_state = RtcIceConnectionState::Closed;
        self.connection_state = RtcPeerConnectionState::Closed;
        self.events.clear();
        self.early_dtls.clear();
        self.pending_dtls.clear();
    }

    // ---- observation --------------------------------------------------------------------------

    /// The ICE transport's state (`RTCIceTransport.state`).
    pub fn ice_transport_state(&self) -> RtcIceTransportState {
        self.ice_state
    }

    /// The ICE gatherer's state (`RTCIceTransport.gatheringState`).
    pub fn ice_gatherer_state(&self) -> RtcIceGathererState {
        self.gatherer_state
    }

    /// The DTLS transport's state (`RTCDtlsTransport.state`).
    pub fn dtls_state(&self) -> RtcDtlsTransportState {
        self.dtls_state
    }

    /// The SCTP transport's state (`RTCSctpTransport.state`); `None` while there is none.
    pub fn sctp_state(&self) -> Option<RtcSctpTransportState> {
        self.sctp_state
    }

    /// The aggregate `iceConnectionState` of a connection with this one transport.
    pub fn ice_connection_state(&self) -> RtcIceConnectionState {
        self.ice_connection_state
    }

    /// The aggregate `connectionState` of a connection with this one transport.
    pub fn connection_state(&self) -> RtcPeerConnectionState {
        self.connection_state
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The ICE agent (candidates, selected pair, counters).
    pub fn ice(&self) -> &IceAgent {
        &self.ice
    }

    /// The DTLS transport, once started (version, remote certificate, SRTP keys, counters).
    pub fn dtls(&self) -> Option<&DtlsTransport> {
        self.dtls.as_ref()
    }

    /// The data channels and their SCTP association, once created.
    pub fn data_channels(&self) -> Option<&DataChannels> {
        self.sctp.as_ref()
    }

    /// The stack's own routing and buffering counters.
    pub fn counters(&self) -> &DemuxCounters {
        &self.counters
    }

    /// An estimate of the heap bytes the stack holds outside its DTLS and SCTP machines (which
    /// do not report theirs): the ICE agent's candidates, pairs and queues, and the stack's own
    /// queues.
    pub fn heap_size_estimate(&self) -> usize {
        use std::mem::size_of;
        self.ice.heap_size()
            + (self.early_dtls.capacity() + self.pending_dtls.capacity()) * size_of::<Bytes>()
            + self.early_dtls.iter().map(Bytes::len).sum::<usize>()
            + self.pending_dtls.iter().map(Bytes::len).sum::<usize>()
            + self.final_transmits.capacity() * size_of::<Transmit>()
            + self.events.capacity() * size_of::<TransportEvent>()
            + self.remote_fingerprints.capacity() * size_of::<Fingerprint>()
    }

    // ---- the pump -----------------------------------------------------------------------------

    fn advance(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    pub(super) fn emit(&mut self, event: TransportEvent) {
        if !self.closed {
            self.events.push_back(event);
        }
    }
}
