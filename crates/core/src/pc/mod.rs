//! The sans-IO `RTCPeerConnection` machine, signaling half (webrtc-pc §4.4, RFC 9429): the
//! connection's internal slots, its constructor, attributes, configuration, `close()`, and the
//! two output queues: W3C events ([`PeerConnectionEvent`], `poll_event`) and commands for the
//! transport layer ([`TransportCommand`], `poll_command`).
//!
//! Every W3C method is a synchronous method here: the driver that owns the machine turns the
//! operations chain of webrtc-pc §4.4.1.2 into its command order, so the chain is always empty
//! between calls. Tasks the spec queues (the negotiation-needed check of §4.7.3) run when the
//! queue of fired events has been drained by `poll_event`, i.e. after the call that queued them.
//!
//! Submodules: [`transceiver`] (RTP media API), `offer_answer` (createOffer/createAnswer),
//! `apply` (setLocalDescription/setRemoteDescription/rollback), `negotiation`
//! (negotiation-needed), `candidates` (addIceCandidate), `data` (createDataChannel),
//! [`wire`] (the owned transport stack, the commands it carries out and the machine interface:
//! `handle_receive`, `handle_timeout`, `poll_transmit`, `poll_timeout`), `surface` (transport
//! events turned into W3C events: candidates, states, data channel events) and `channel_io`
//! (data channel `send`, `close`, `bufferedAmount`, and `RTCSctpTransport`), and `stats`
//! (`getStats`, webrtc-pc §8).

mod apply;
mod candidates;
mod channel_io;
mod data;
mod negotiation;
mod offer_answer;
pub mod rtp_parameters;
mod stats;
mod surface;
pub mod transceiver;
pub mod wire;

use std::collections::VecDeque;
use std::time::{Instant, SystemTime};

use rtcpeer_dtls::{Certificate, CertificateParams, DtlsRole};
use rtcpeer_sdp::{Candidate, SessionDescription};
use rtcpeer_types::Rng;

pub use channel_io::RtcSctpTransport;
pub use data::{DataChannelId, RtcDataChannel};
pub use rtcpeer_sctp::datachannel::ChannelMessage;
pub use rtp_parameters::{
    RtcRtcpParameters, RtcRtpCapabilities, RtcRtpCodec, RtcRtpHeaderExtensionCapability,
    RtcRtpHeaderExtensionParameters, RtcRtpReceiveParameters, RtcRtpSendParameters,
    codec_dictionary_match, rtp_receiver_capabilities, rtp_sender_capabilities,
};
pub use transceiver::{
    ReceiverId, RtcRtpEncodingParameters, RtcRtpReceiver, RtcRtpSender, RtcRtpTransceiver,
    RtcRtpTransceiverInit, SenderId, TrackOrKind, TransceiverId,
};
pub use wire::WireCounters;

use crate::config::{IceServer, SetConfigurationContext};
use crate::enums::{
    RtcIceConnectionState, RtcIceGatheringState, RtcIceRole, RtcPeerConnectionState,
    RtcSignalingState,
};
use crate::ice_server::IceServerScheme;
use crate::jsep::extensions::ExtensionIds;
use crate::jsep::remote::{RemoteTransportParameters, SctpParameters};
use crate::track::{MediaStream, MediaStreamTrack};
use crate::{RtcConfiguration, RtcError, RtcSessionDescription};

/// The local SCTP port written in `a=sctp-port` (RFC 8841 §5, the value every browser uses).
pub const LOCAL_SCTP_PORT: u16 = 5000;
/// The local `a=max-message-size` (RFC 8841 §6), as Chrome announces.
pub const LOCAL_MAX_MESSAGE_SIZE: u64 = 262_144;

/// Local ICE credentials (RFC 8839 §5.4): 4 characters of ufrag and 24 of password, as browsers
/// write them (the minimum is 4 and 22).
#[derive(Clone, PartialEq, Eq)]
pub struct IceCredentials {
    /// `ice-ufrag`.
    pub ufrag: String,
    /// `ice-pwd`. Never log it.
    pub pwd: String,
}

impl std::fmt::Debug for IceCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IceCredentials")
            .field("ufrag", &self.ufrag)
            .field("pwd", &"<redacted>")
            .finish()
    }
}

impl IceCredentials {
    fn generate(rng: &mut Rng) -> Self {
        IceCredentials {
            ufrag: rng.ice_string(4),
            pwd: rng.ice_string(24),
        }
    }
}

/// The `track` event (webrtc-pc §5.7, `RTCTrackEvent`).
#[doc(alias = "RTCTrackEvent")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtcTrackEvent {
    /// `receiver`.
    pub receiver: ReceiverId,
    /// `track`.
    pub track: MediaStreamTrack,
    /// `streams`.
    pub streams: Vec<MediaStream>,
    /// `transceiver`.
    pub transceiver: TransceiverId,
}

/// An event the connection fires, in the order the spec fires them. The attribute an event
/// reports is already updated when it is polled.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PeerConnectionEvent {
    /// `negotiationneeded` (webrtc-pc §4.7.3).
    NegotiationNeeded,
    /// `signalingstatechange`, with the new `signalingState`.
    SignalingStateChange(RtcSignalingState),
    /// `track`.
    Track(RtcTrackEvent),
    /// `error` at a data channel that could not get an id (webrtc-pc §4.4.1.5,
    /// `"data-channel-failure"`); the channel is closed.
    DataChannelError(DataChannelId),
    /// `icecandidate` (webrtc-pc §4.4.1.6): a local candidate (its `candidate` set), the
    /// end-of-candidates of one generation (`candidate` empty), or `None` once gathering is
    /// complete. The local description already holds the candidate when this is polled.
    IceCandidate(Option<crate::RtcIceCandidateInit>),
    /// `icecandidateerror`: gathering from a STUN or TURN server failed.
    IceCandidateError {
        /// The local address used, when exposed.
        address: Option<std::net::IpAddr>,
        /// The local port used, when exposed.
        port: Option<u16>,
        /// The server's URL.
        url: String,
        /// The STUN error code, or 701 when the server was unreachable.
        error_code: u16,
        /// The reason.
        error_text: String,
    },
    /// `icegatheringstatechange`, with the new `iceGatheringState`.
    IceGatheringStateChange(RtcIceGatheringState),
    /// `iceconnectionstatechange`, with the new `iceConnectionState`.
    IceConnectionStateChange(RtcIceConnectionState),
    /// `connectionstatechange`, with the new `connectionState`.
    ConnectionStateChange(RtcPeerConnectionState),
    /// `statechange` at the `RTCSctpTransport`.
    SctpStateChange(crate::enums::RtcSctpTransportState),
    /// `datachannel`: the peer announced a channel (DCEP, RFC 8832); an `open` follows.
    DataChannel(DataChannelId),
    /// `open` at a data channel ("announce the data channel as open").
    DataChannelOpen(DataChannelId),
    /// `message` at a data channel.
    DataChannelMessage {
        /// The channel.
        channel: DataChannelId,
        /// The text or binary data.
        message: ChannelMessage,
    },
    /// `bufferedamountlow` at a data channel.
    DataChannelBufferedAmountLow(DataChannelId),
    /// `closing` at a data channel (the peer started closing it).
    DataChannelClosing(DataChannelId),
    /// `close` at a data channel.
    DataChannelClose(DataChannelId),
}

/// What the transport layer (ICE agent, DTLS, SCTP) must do after a signaling step: the seam
/// between this machine and the transport machines, wired by the driver.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TransportCommand {
    /// Use these local ICE credentials (a new local description brought new ones: the first
    /// one, or an ICE restart, RFC 8445 §9).
    SetLocalIceCredentials(IceCredentials),
    /// Take this ICE role (webrtc-pc §4.4.1.5, the RFC 8445 rules for `[[IceRole]]`).
    SetIceRole(RtcIceRole),
    /// The remote description's transports changed (ICE credentials, fingerprints, setup,
    /// candidates, SCTP parameters).
    SetRemoteTransports(Vec<RemoteTransportParameters>),
    /// A remote candidate from `addIceCandidate`, for the transport of section `mid`.
    AddRemoteCandidate {
        /// The mid of the m= section.
        mid: String,
        /// The candidate's `usernameFragment`, if given.
        ufrag: Option<String>,
        /// The candidate.
        candidate: Candidate,
    },
    /// End of remote candidates (RFC 8838 §10), for one section or all (`None`).
    EndOfRemoteCandidates {
        /// The mid, or `None` for every section.
        mid: Option<String>,
    },
    /// The DTLS role is negotiated: start the DTLS handshake in it (RFC 8842 §5).
    StartDtls {
        /// The role.
        role: DtlsRole,
    },
    /// Start (or keep) the SCTP association (RFC 8841 §10.3).
    StartSctp {
        /// The local port.
        local_port: u16,
        /// The remote parameters.
        remote: SctpParameters,
    },
    /// An answer closed the SCTP association (RFC 8841 §10.4).
    CloseSctp,
    /// The connection closed: abort SCTP, close DTLS, destroy the ICE agent (webrtc-pc
    /// §4.4.2.2 "close the connection").
    Close,
}

/// An applied description: the W3C object and its parsed form.
#[derive(Debug, Clone)]
pub(crate) struct Applied {
    pub(crate) desc: RtcSessionDescription,
    pub(crate) parsed: SessionDescription,
}

/// What one m= line of the session carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MLineContent {
    /// A transceiver's media.
    Media(TransceiverId),
    /// The data channel (SCTP) section.
    Data,
    /// A rejected section no transceiver owns (recyclable, RFC 9429 §5.2.2).
    Rejected {
        kind: rtcpeer_sdp::MediaKind,
        protocol: String,
    },
}

/// One m= line of the negotiated session, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MLine {
    pub(crate) mid: Option<String>,
    pub(crate) content: MLineContent,
}

/// `[[SctpTransport]]`, as far as signaling knows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SctpTransportSlot {
    pub(crate) remote: Option<SctpParameters>,
    /// `[[MaxMessageSize]]`, `None` until an answer set it; `Some(u64::MAX)` is infinity.
    pub(crate) max_message_size: Option<u64>,
}

/// The sans-IO `RTCPeerConnection` (signaling half). See the [module docs](self).
#[doc(alias = "RTCPeerConnection")]
pub struct PeerConnection {
    pub(crate) config: RtcConfiguration,
    pub(crate) ice_servers: Vec<IceServer>,
    pub(crate) rng: Rng,
    created_at: Instant,
    pub(crate) certificate: Certificate,
    pub(crate) is_closed: bool,
    pub(crate) signaling_state: RtcSignalingState,
    pub(crate) ice_gathering_state: RtcIceGatheringState,
    pub(crate) ice_connection_state: RtcIceConnectionState,
    pub(crate) connection_state: RtcPeerConnectionState,
    pub(crate) pending_local: Option<Applied>,
    pub(crate) current_local: Option<Applied>,
    pub(crate) pending_remote: Option<Applied>,
    pub(crate) current_remote: Option<Applied>,
    pub(crate) last_created_offer: String,
    pub(crate) last_created_answer: String,
    pub(crate) last_offer_plan: Option<offer_answer::Plan>,
    pub(crate) last_answer_plan: Option<offer_answer::Plan>,
    pub(crate) negotiation_needed: bool,
    pub(crate) nn_task_queued: bool,
    pub(crate) local_ice_credentials_to_replace: Vec<IceCredentials>,
    pub(crate) transceivers: Vec<RtcRtpTransceiver>,
    pub(crate) ever_created_senders: Vec<SenderId>,
    pub(crate) data_channels: Vec<RtcDataChannel>,
    pub(crate) sctp_transport: Option<SctpTransportSlot>,
    pub(crate) last_stable_sctp: Option<SctpTransportSlot>,
    pub(crate) layout: Vec<MLine>,
    pub(crate) stable_layout: Option<Vec<MLine>>,
    pub(crate) local_ice: IceCredentials,
    pub(crate) restart_ice: Option<IceCredentials>,
    pub(crate) announced_ice: Option<IceCredentials>,
    pub(crate) failed_channels: Vec<DataChannelId>,
    pub(crate) ice_role: RtcIceRole,
    pub(crate) dtls_role: Option<DtlsRole>,
    pub(crate) session_id: u64,
    pub(crate) session_version: u64,
    pub(crate) last_generated_body: String,
    pub(crate) ext_ids: ExtensionIds,
    pub(crate) next_mid: u32,
    pub(crate) cname: String,
    next_id: u64,
    pub(crate) remote_transports: Vec<RemoteTransportParameters>,
    pub(crate) events: VecDeque<PeerConnectionEvent>,
    pub(crate) commands: VecDeque<TransportCommand>,
    pub(crate) wire: wire::Wire,
    /// The stats counters and id salt (`getStats`).
    pub(crate) stats: stats::StatsState,
}

impl std::fmt::Debug for PeerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerConnection")
            .field("signaling_state", &self.signaling_state)
            .field("transceivers", &self.transceivers.len())
            .field("data_channels", &self.data_channels.len())
            .finish_non_exhaustive()
    }
}

impl PeerConnection {
    /// The `RTCPeerConnection` constructor (webrtc-pc §4.4.1.1) with a generated certificate:
    /// validates `config` ("set a configuration", §4.4.1.5) and generates an ECDSA P-256
    /// certificate valid from `wall_clock`. `now` is the creation time.
    pub fn new(
        config: RtcConfiguration,
        mut rng: Rng,
        now: Instant,
        wall_clock: SystemTime,
    ) -> Result<Self, RtcError> {
        let certificate =
            Certificate::generate(&CertificateParams::default(), wall_clock, &mut rng)
                .map_err(|e| crate::error_map::certificate_error(&e))?;
        Self::with_certificate(config, certificate, rng, now, wall_clock)
    }

    /// The constructor with a given certificate (`configuration.certificates`): an expired one is
    /// an `InvalidAccessError` (§4.4.1.1 step 4).
    pub fn with_certificate(
        config: RtcConfiguration,
        certificate: Certificate,
        mut rng: Rng,
        now: Instant,
        wall_clock: SystemTime,
    ) -> Result<Self, RtcError> {
        certificate
            .check_valid_at(wall_clock)
            .map_err(|e| crate::error_map::certificate_error(&e))?;
        let ice_servers = config.validate_new(wall_clock, IceServerScheme::ALL)?;
        let local_ice = IceCredentials::generate(&mut rng);
        // A session id representable as a positive 64-bit signed integer (RFC 9429 §5.2.1).
        let session_id = (rng.u64() >> 1).max(1);
        let cname = rng.ice_string(16);
        let stats = stats::StatsState::new(&mut rng);
        Ok(PeerConnection {
            config,
            ice_servers,
            rng,
            created_at: now,
            certificate,
            is_closed: false,
            signaling_state: RtcSignalingState::Stable,
            ice_gathering_state: RtcIceGatheringState::New,
            ice_connection_state: RtcIceConnectionState::New,
            connection_state: RtcPeerConnectionState::New,
            pending_local: None,
            current_local: None,
            pending_remote: None,
            current_remote: None,
            last_created_offer: String::new(),
            last_created_answer: String::new(),
            last_offer_plan: None,
            last_answer_plan: None,
            negotiation_needed: false,
            nn_task_queued: false,
            local_ice_credentials_to_replace: Vec::new(),
            transceivers: Vec::new(),
            ever_created_senders: Vec::new(),
            data_channels: Vec::new(),
            sctp_transport: None,
            last_stable_sctp: None,
            layout: Vec::new(),
            stable_layout: None,
            local_ice,
            restart_ice: None,
            announced_ice: None,
            failed_channels: Vec::new(),
            ice_role: RtcIceRole::Unknown,
            dtls_role: None,
            session_id,
            session_version: 0,
            last_generated_body: String::new(),
            ext_ids: ExtensionIds::default(),
            next_mid: 0,
            cname,
            next_id: 1,
            remote_transports: Vec::new(),
            events: VecDeque::new(),
            commands: VecDeque::new(),
            wire: wire::Wire::new(now, wall_clock),
            stats,
        })
    }

    /// When the connection was created.
    pub fn created_at(&self) -> Instant {
        self.created_at
    }

    /// The DTLS certificate (its fingerprint is in every local description).
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    pub(crate) fn check_open(&self) -> Result<(), RtcError> {
        if self.is_closed {
            Err(RtcError::invalid_state("the RTCPeerConnection is closed"))
        } else {
            Ok(())
        }
    }

    pub(crate) fn next_object_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// A random RFC 4122 version 4 UUID string, for track ids.
    pub(crate) fn random_uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        self.rng.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    /// `signalingState`.
    pub fn signaling_state(&self) -> RtcSignalingState {
        self.signaling_state
    }

    /// `iceGatheringState` (driven by the transport's ICE gatherer).
    pub fn ice_gathering_state(&self) -> RtcIceGatheringState {
        self.ice_gathering_state
    }

    /// `iceConnectionState` (`"closed"` after `close()`).
    pub fn ice_connection_state(&self) -> RtcIceConnectionState {
        self.ice_connection_state
    }

    /// `connectionState` (`"closed"` after `close()`).
    pub fn connection_state(&self) -> RtcPeerConnectionState {
        self.connection_state
    }

    /// `localDescription`: the pending local description, else the current one.
    pub fn local_description(&self) -> Option<&RtcSessionDescription> {
        self.pending_local
            .as_ref()
            .or(self.current_local.as_ref())
            .map(|a| &a.desc)
    }

    /// `currentLocalDescription`.
    pub fn current_local_description(&self) -> Option<&RtcSessionDescription> {
        self.current_local.as_ref().map(|a| &a.desc)
    }

    /// `pendingLocalDescription`.
    pub fn pending_local_description(&self) -> Option<&RtcSessionDescription> {
        self.pending_local.as_ref().map(|a| &a.desc)
    }

    /// `remoteDescription`: the pending remote description, else the current one.
    pub fn remote_description(&self) -> Option<&RtcSessionDescription> {
        self.remote_applied().map(|a| &a.desc)
    }

    pub(crate) fn remote_applied(&self) -> Option<&Applied> {
        self.pending_remote
            .as_ref()
            .or(self.current_remote.as_ref())
    }

    /// `currentRemoteDescription`.
    pub fn current_remote_description(&self) -> Option<&RtcSessionDescription> {
        self.current_remote.as_ref().map(|a| &a.desc)
    }

    /// `pendingRemoteDescription`.
    pub fn pending_remote_description(&self) -> Option<&RtcSessionDescription> {
        self.pending_remote.as_ref().map(|a| &a.desc)
    }

    /// `canTrickleIceCandidates`: `None` before a remote description is set, else whether it
    /// announces `a=ice-options:trickle` (RFC 9429 §4.1.17, RFC 8840 §4.1.3).
    pub fn can_trickle_ice_candidates(&self) -> Option<bool> {
        let remote = self.remote_applied()?;
        let sd = &remote.parsed;
        Some(
            sd.ice_options().any(|o| o == "trickle")
                || sd
                    .media
                    .iter()
                    .any(|m| m.ice_options().any(|o| o == "trickle")),
        )
    }

    /// The transports of the remote description, for the ICE/DTLS/SCTP layer.
    pub fn remote_transport_parameters(&self) -> &[RemoteTransportParameters] {
        &self.remote_transports
    }

    /// The local ICE credentials of the applied local description.
    pub fn local_ice_credentials(&self) -> &IceCredentials {
        &self.local_ice
    }

    /// The ICE role (`"unknown"` until the first offer is applied).
    pub fn ice_role(&self) -> RtcIceRole {
        self.ice_role
    }

    /// The negotiated DTLS role, once an answer fixed it.
    pub fn dtls_role(&self) -> Option<DtlsRole> {
        self.dtls_role
    }

    /// `getConfiguration()`.
    pub fn get_configuration(&self) -> &RtcConfiguration {
        &self.config
    }

    /// The ICE servers list of the configuration.
    pub fn ice_servers(&self) -> &[IceServer] {
        &self.ice_servers
    }

    /// `setConfiguration(configuration)` (webrtc-pc §4.4.2.2, "set a configuration"): on error
    /// nothing changes.
    pub fn set_configuration(&mut self, config: RtcConfiguration) -> Result<(), RtcError> {
        let ctx = SetConfigurationContext {
            is_closed: self.is_closed,
            local_description_set: self.current_local.is_some() || self.pending_local.is_some(),
            implemented_schemes: IceServerScheme::ALL,
        };
        let servers = crate::config::validate_update(&self.config, &config, &ctx)?;
        self.ice_servers = servers;
        self.config = config;
        Ok(())
    }

    /// `restartIce()` (webrtc-pc §4.4.2.2): remembers the credentials to replace and updates the
    /// negotiation-needed flag; the next offer restarts ICE.
    pub fn restart_ice(&mut self) {
        if self.is_closed {
            return;
        }
        self.local_ice_credentials_to_replace.clear();
        for a in [&self.current_local, &self.pending_local]
            .into_iter()
            .flatten()
        {
            for m in &a.parsed.media {
                if let Some((u, p)) = a.parsed.ice_credentials(m) {
                    let c = IceCredentials {
                        ufrag: u.to_owned(),
                        pwd: p.to_owned(),
                    };
                    if !self.local_ice_credentials_to_replace.contains(&c) {
                        self.local_ice_credentials_to_replace.push(c);
                    }
                }
            }
        }
        self.update_negotiation_needed();
    }

    /// `close()` ("close the connection", webrtc-pc §4.4.2.2): every state to closed without
    /// firing events, transceivers stopped, data channels closed; afterwards no event fires.
    pub fn close(&mut self) {
        if self.is_closed {
            return;
        }
        self.is_closed = true;
        self.signaling_state = RtcSignalingState::Closed;
        for t in &mut self.transceivers {
            if !t.stopped {
                t.stop();
            }
        }
        for c in &mut self.data_channels {
            c.ready_state = crate::enums::RtcDataChannelState::Closed;
        }
        self.ice_connection_state = RtcIceConnectionState::Closed;
        self.connection_state = RtcPeerConnectionState::Closed;
        self.nn_task_queued = false;
        self.events.clear();
        self.push_command(TransportCommand::Close);
        self.sync_transport();
    }

    /// Whether `close()` was called (`[[IsClosed]]`).
    pub fn is_closed(&self) -> bool {
        self.is_closed
    }

    /// The next event, in firing order. Queued tasks (the negotiation-needed check) run once
    /// the events fired before them have been taken.
    pub fn poll_event(&mut self) -> Option<PeerConnectionEvent> {
        if self.events.is_empty() {
            self.sync_transport();
        }
        if let Some(e) = self.events.pop_front() {
            return Some(e);
        }
        if self.nn_task_queued {
            self.nn_task_queued = false;
            self.run_negotiation_needed_task();
        }
        self.events.pop_front()
    }

    /// The next command the signaling half gave the transport layer. The connection carries
    /// them out itself ([`wire`]); this queue is an observable log of them (at most
    /// [`wire::MAX_OBSERVED_COMMANDS`] are kept).
    pub fn poll_command(&mut self) -> Option<TransportCommand> {
        self.commands.pop_front()
    }

    pub(crate) fn set_signaling_state(&mut self, state: RtcSignalingState) -> bool {
        if self.signaling_state == state {
            return false;
        }
        tracing::debug!(from = %self.signaling_state, to = %state, "signaling state");
        self.signaling_state = state;
        true
    }
}
