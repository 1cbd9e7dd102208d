//! [`RtcPeerConnection`] (webrtc-pc §4.4): a cheap `Clone + Send + Sync` handle to the
//! connection's driver task.
//!
//! - Promise-returning members are `async fn`s: they queue a command in the operations chain
//!   (webrtc-pc §4.4.1.2) and resolve with the driver's result.
//! - Read-only attributes are plain getters answered at once from the snapshot the driver
//!   publishes after every change; they never wait for the driver.
//! - The synchronous W3C methods that return a result or throw (`addTrack`, `removeTrack`,
//!   `addTransceiver`, `createDataChannel`, `setConfiguration`) are `async fn`s too, since the
//!   core decides their result; they are ordered with the other operations. `close()` and
//!   `restartIce()` stay synchronous: `close()` takes effect at once, before any queued
//!   operation runs (those then fail with `InvalidStateError`, as the spec has it).
//!
//! The driver runs while an `RtcPeerConnection` handle exists (or until `close()`). Child
//! objects, events and [`WeakRtcPeerConnection`] do not keep it alive.

use std::fmt;

use rtcpeer_core::{
    MediaStream, MediaStreamTrack, RtcConfiguration, RtcDataChannelInit, RtcError,
    RtcIceCandidateInit, RtcIceConnectionState, RtcIceGatheringState, RtcIceServer,
    RtcLocalSessionDescriptionInit, RtcOfferOptions, RtcPeerConnectionState, RtcRtpTransceiverInit,
    RtcSessionDescription, RtcSessionDescriptionInit, RtcSignalingState, TrackKind, TrackOrKind,
};
use rtcpeer_dtls::CertificateParams;

use crate::builder::RtcPeerConnectionBuilder;
use crate::certificate::RtcCertificate;
use crate::command::{Command, Link, WeakLink, closed_error};
use crate::data_channel::RtcDataChannel;
use crate::media::{RtcRtpReceiver, RtcRtpSender, RtcRtpTransceiver};
use crate::shared::{RtcSctpTransport, Snapshot, SocketStats};

/// An `RTCPeerConnection`: a cheap `Clone + Send + Sync` handle to the connection's driver
/// task.
///
/// - Promise-returning members are `async fn`s, run in order (the operations chain).
/// - Read-only attributes are plain getters answered at once from the published snapshot;
///   they never wait for the driver.
/// - `addTrack`, `removeTrack`, `addTransceiver`, `createDataChannel` and `setConfiguration`
///   are `async fn`s too (the core decides their result, in order with the other
///   operations); `close()` and `restartIce()` are synchronous.
/// - The driver runs while an `RtcPeerConnection` exists, or until `close()`.
#[doc(alias = "RTCPeerConnection")]
#[derive(Clone)]
pub struct RtcPeerConnection {
    pub(crate) link: Link,
}

impl fmt::Debug for RtcPeerConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtcPeerConnection")
            .field("number", &self.link.shared.number)
            .field("signaling_state", &self.signaling_state())
            .finish_non_exhaustive()
    }
}

/// A handle that does not keep the connection alive: what an event handler should capture
/// (or use [`Event::target`](crate::Event::target)) so that dropping the last
/// [`RtcPeerConnection`] ends the connection.
#[derive(Clone, Debug)]
pub struct WeakRtcPeerConnection {
    link: WeakLink,
}

impl WeakRtcPeerConnection {
    pub(crate) fn new(link: WeakLink) -> Self {
        WeakRtcPeerConnection { link }
    }

    /// The connection, if its driver still runs.
    pub fn upgrade(&self) -> Option<RtcPeerConnection> {
        self.link.upgrade().map(RtcPeerConnection::from_link)
    }
}

impl RtcPeerConnection {
    pub(crate) fn from_link(link: Link) -> Self {
        RtcPeerConnection { link }
    }

    /// `new RTCPeerConnection(configuration)` (webrtc-pc §4.4.1.1): binds sockets on the
    /// non-loopback interfaces and starts the driver on the current tokio runtime. See
    /// [`RtcPeerConnectionBuilder::build`] for the errors.
    pub fn new(config: RtcConfiguration) -> Result<Self, RtcError> {
        RtcPeerConnectionBuilder::new(config).build()
    }

    /// A builder, for rtcpeer's extensions (certificate objects, interfaces, seed).
    pub fn builder(config: RtcConfiguration) -> RtcPeerConnectionBuilder {
        RtcPeerConnectionBuilder::new(config)
    }

    /// A handle that does not keep the connection alive.
    pub fn downgrade(&self) -> WeakRtcPeerConnection {
        WeakRtcPeerConnection::new(self.link.downgrade())
    }

    fn snapshot(&self) -> std::sync::Arc<Snapshot> {
        self.link.shared.load()
    }

    /// Whether two handles are the same connection.
    pub fn same_connection(&self, other: &RtcPeerConnection) -> bool {
        std::sync::Arc::ptr_eq(&self.link.shared, &other.link.shared)
    }

    // --- Promise-returning members -------------------------------------------------------

    /// `createOffer(options)`.
    pub async fn create_offer(
        &self,
        options: RtcOfferOptions,
    ) -> Result<RtcSessionDescriptionInit, RtcError> {
        self.link.call(|r| Command::CreateOffer(options, r)).await
    }

    /// `createAnswer()`.
    pub async fn create_answer(&self) -> Result<RtcSessionDescriptionInit, RtcError> {
        self.link.call(Command::CreateAnswer).await
    }

    /// `setLocalDescription(description)`; `None` creates and applies the offer or answer the
    /// signaling state calls for (perfect negotiation's parameterless form).
    ///
    /// Resolves with `localDescription` as this operation left it (an rtcpeer extension: the
    /// W3C promise resolves with nothing). Use it rather than reading
    /// [`local_description`](Self::local_description) after the `await`: JavaScript runs the
    /// code after an `await` before any queued event handler, but here another task (say, one
    /// a `negotiationneeded` handler spawned) may run an operation in between.
    pub async fn set_local_description(
        &self,
        description: Option<RtcLocalSessionDescriptionInit>,
    ) -> Result<Option<RtcSessionDescription>, RtcError> {
        self.link
            .call(|r| Command::SetLocalDescription(description, r))
            .await
    }

    /// `setRemoteDescription(description)`; a remote offer in `"have-local-offer"` rolls the
    /// local offer back first (implicit rollback).
    pub async fn set_remote_description(
        &self,
        description: RtcSessionDescriptionInit,
    ) -> Result<(), RtcError> {
        self.link
            .call(|r| Command::SetRemoteDescription(description, r))
            .await
    }

    /// `addIceCandidate(candidate)`: a candidate with an empty `candidate` string is the end of
    /// candidates. The `TypeError` for a candidate with neither `sdpMid` nor `sdpMLineIndex`
    /// comes first, even on a closed connection.
    pub async fn add_ice_candidate(&self, candidate: RtcIceCandidateInit) -> Result<(), RtcError> {
        candidate.validate_for_add()?;
        self.link
            .call(|r| Command::AddIceCandidate(candidate, r))
            .await
    }

    /// `generateCertificate(keygenAlgorithm)` (static).
    pub async fn generate_certificate(
        params: CertificateParams,
    ) -> Result<RtcCertificate, RtcError> {
        RtcCertificate::generate(&params, std::time::SystemTime::now())
    }

    // --- Attributes -----------------------------------------------------------------------

    /// `localDescription`: the pending local description, else the current one.
    pub fn local_description(&self) -> Option<RtcSessionDescription> {
        let s = self.snapshot();
        s.pending_local.clone().or_else(|| s.current_local.clone())
    }

    /// `currentLocalDescription`.
    pub fn current_local_description(&self) -> Option<RtcSessionDescription> {
        self.snapshot().current_local.clone()
    }

    /// `pendingLocalDescription`.
    pub fn pending_local_description(&self) -> Option<RtcSessionDescription> {
        self.snapshot().pending_local.clone()
    }

    /// `remoteDescription`: the pending remote description, else the current one.
    pub fn remote_description(&self) -> Option<RtcSessionDescription> {
        let s = self.snapshot();
        s.pending_remote
            .clone()
            .or_else(|| s.current_remote.clone())
    }

    /// `currentRemoteDescription`.
    pub fn current_remote_description(&self) -> Option<RtcSessionDescription> {
        self.snapshot().current_remote.clone()
    }

    /// `pendingRemoteDescription`.
    pub fn pending_remote_description(&self) -> Option<RtcSessionDescription> {
        self.snapshot().pending_remote.clone()
    }

    /// `signalingState`.
    pub fn signaling_state(&self) -> RtcSignalingState {
        self.snapshot().signaling_state
    }

    /// `iceGatheringState`.
    pub fn ice_gathering_state(&self) -> RtcIceGatheringState {
        self.snapshot().ice_gathering_state
    }

    /// `iceConnectionState`.
    pub fn ice_connection_state(&self) -> RtcIceConnectionState {
        self.snapshot().ice_connection_state
    }

    /// `connectionState`.
    pub fn connection_state(&self) -> RtcPeerConnectionState {
        self.snapshot().connection_state
    }

    /// `canTrickleIceCandidates`: `None` until a remote description is set.
    pub fn can_trickle_ice_candidates(&self) -> Option<bool> {
        self.snapshot().can_trickle
    }

    /// `sctp`: `None` until SCTP has been negotiated.
    pub fn sctp(&self) -> Option<RtcSctpTransport> {
        self.snapshot().sctp
    }

    /// `getConfiguration()`.
    pub fn get_configuration(&self) -> RtcConfiguration {
        self.snapshot().configuration.clone()
    }

    /// `defaultIceServers`: the ICE servers used when the configuration names none. rtcpeer
    /// has none, like most browsers.
    pub fn default_ice_servers(&self) -> Vec<RtcIceServer> {
        Vec::new()
    }

    /// The socket layer's addresses and counters (an rtcpeer extension).
    pub fn socket_stats(&self) -> SocketStats {
        self.link.shared.socket_stats()
    }

    // --- Synchronous methods ----------------------------------------------------------------

    /// `setConfiguration(configuration)`: `InvalidStateError` when closed,
    /// `InvalidModificationError` for a change the spec forbids, the ICE server errors.
    pub async fn set_configuration(&self, config: RtcConfiguration) -> Result<(), RtcError> {
        self.link
            .call(|r| Command::SetConfiguration(Box::new(config), r))
            .await
    }

    /// `restartIce()`: the next offer restarts ICE. Nothing happens when closed.
    pub fn restart_ice(&self) {
        let _ = self.link.send(Command::RestartIce);
    }

    /// `close()`: every state becomes closed at once and no event fires afterwards; the
    /// driver task then ends and frees the sockets and the handlers. Operations queued before
    /// fail with `InvalidStateError`. Closing twice does nothing.
    pub fn close(&self) {
        if self.link.shared.mark_closed() {
            tracing::debug!(pc = self.link.shared.number, "close");
            let _ = self.link.send(Command::Close);
        }
    }

    // --- RTP media API (webrtc-pc §5.1) -------------------------------------------------

    /// `addTrack(track, ...streams)`.
    pub async fn add_track(
        &self,
        track: MediaStreamTrack,
        streams: &[MediaStream],
    ) -> Result<RtcRtpSender, RtcError> {
        let streams = streams.to_vec();
        let t = self
            .link
            .call(|r| Command::AddTrack(track, streams, r))
            .await?;
        Ok(RtcRtpSender::new(
            t.sender().id(),
            t.id(),
            self.link.downgrade(),
        ))
    }

    /// `removeTrack(sender)`: `InvalidAccessError` for a sender of another connection.
    pub async fn remove_track(&self, sender: &RtcRtpSender) -> Result<(), RtcError> {
        if !sender.belongs_to(&self.link.shared) {
            // Ids are per connection: a foreign sender is refused here, before the core could
            // mistake it for one of its own.
            if self.link.shared.is_closed() {
                return Err(closed_error());
            }
            return Err(RtcError::invalid_access(
                "the sender was not created by this connection",
            ));
        }
        let id = sender.id();
        self.link.call(|r| Command::RemoveTrack(id, r)).await
    }

    /// `addTransceiver(trackOrKind, init)`. A kind other than `"audio"` / `"video"` is a
    /// `TypeError`, checked before the closed check as the spec orders them.
    pub async fn add_transceiver(
        &self,
        track_or_kind: impl Into<TrackOrKind>,
        init: RtcRtpTransceiverInit,
    ) -> Result<RtcRtpTransceiver, RtcError> {
        let what = track_or_kind.into();
        if let TrackOrKind::Kind(k) = &what {
            k.parse::<TrackKind>()?;
        }
        let t = self
            .link
            .call(|r| Command::AddTransceiver(what, init, r))
            .await?;
        Ok(RtcRtpTransceiver::from_state(&t, self.link.downgrade()))
    }

    /// `getTransceivers()`.
    pub fn get_transceivers(&self) -> Vec<RtcRtpTransceiver> {
        let s = self.snapshot();
        s.transceivers
            .iter()
            .map(|t| RtcRtpTransceiver::from_state(t, self.link.downgrade()))
            .collect()
    }

    /// `getSenders()`: the senders of the transceivers that are not stopped.
    pub fn get_senders(&self) -> Vec<RtcRtpSender> {
        if self.link.shared.is_closed() {
            return Vec::new();
        }
        let s = self.snapshot();
        s.transceivers
            .iter()
            .filter(|t| !t.is_stopped())
            .map(|t| RtcRtpSender::new(t.sender().id(), t.id(), self.link.downgrade()))
            .collect()
    }

    /// `getReceivers()`: the receivers of the transceivers that are not stopped.
    pub fn get_receivers(&self) -> Vec<RtcRtpReceiver> {
        if self.link.shared.is_closed() {
            return Vec::new();
        }
        let s = self.snapshot();
        s.transceivers
            .iter()
            .filter(|t| !t.is_stopped())
            .map(|t| RtcRtpReceiver::new(t.receiver().id(), t.id(), self.link.downgrade()))
            .collect()
    }

    // --- Peer-to-peer data API (webrtc-pc §6.1) ------------------------------------------

    /// `createDataChannel(label, dataChannelDict)`.
    pub async fn create_data_channel(
        &self,
        label: &str,
        init: RtcDataChannelInit,
    ) -> Result<RtcDataChannel, RtcError> {
        let label = label.to_owned();
        self.link
            .call(|r| Command::CreateDataChannel(label, init, r))
            .await
    }

    pub(crate) fn send_command(&self, cmd: Command) -> Result<(), RtcError> {
        if self.link.send(cmd) {
            Ok(())
        } else {
            Err(closed_error())
        }
    }
}
