//! The events an `RTCPeerConnection` fires (webrtc-pc §4.4.3 event summary, with the legacy
//! `addstream`/`removestream` and the webrtc-identity event types), their types with the W3C
//! strings, the handler and listener ids, and [`EventStream`], the async stream form of every
//! event of one target.
//!
//! Handlers are plain `FnMut(&Event) + Send + 'static` closures owned by the driver task. They
//! run on that task, after the state they report has been published, and are never awaited.
//! A handler must not block on the connection: it calls the synchronous getters (which never
//! need the driver), or spawns a task for an `async` method (the call is queued behind the
//! current operation, never re-entered).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use rtcpeer_core::{
    MediaStream, MediaStreamTrack, RtcIceCandidateInit, RtcIceConnectionState,
    RtcIceGatheringState, RtcPeerConnectionState, RtcSignalingState,
};
use tokio::sync::mpsc;

use crate::data_channel::RtcDataChannel;
use crate::media::{RtcRtpReceiver, RtcRtpTransceiver};
use crate::peer_connection::{RtcPeerConnection, WeakRtcPeerConnection};

rtcpeer_types::define_id!(
    /// Identifies a listener added with `add_event_listener`, for `remove_event_listener`.
    ListenerId
);

/// A handler of connection events: an `onxxx` attribute value or an event listener.
pub type EventHandler = Box<dyn FnMut(&Event) + Send + 'static>;

/// The type of an [`Event`]: the W3C event type string (`"negotiationneeded"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventType {
    /// `negotiationneeded` (webrtc-pc §4.7.3).
    NegotiationNeeded,
    /// `signalingstatechange`.
    SignalingStateChange,
    /// `icegatheringstatechange`.
    IceGatheringStateChange,
    /// `iceconnectionstatechange`.
    IceConnectionStateChange,
    /// `connectionstatechange`.
    ConnectionStateChange,
    /// `icecandidate`.
    IceCandidate,
    /// `icecandidateerror`.
    IceCandidateError,
    /// `track`.
    Track,
    /// `datachannel`.
    DataChannel,
    /// Legacy `addstream`: a remote stream appeared.
    AddStream,
    /// Legacy `removestream`: a remote stream disappeared.
    RemoveStream,
    /// `identityresult` (webrtc-identity). Never fired: no identity provider is supported.
    IdentityResult,
    /// `idpassertionerror` (webrtc-identity). Never fired: no identity provider is supported.
    IdpAssertionError,
    /// `idpvalidationerror` (webrtc-identity). Never fired: no identity provider is supported.
    IdpValidationError,
    /// `peeridentity` (webrtc-identity). Never fired: no identity provider is supported.
    PeerIdentity,
}

impl EventType {
    /// The W3C event type string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NegotiationNeeded => "negotiationneeded",
            Self::SignalingStateChange => "signalingstatechange",
            Self::IceGatheringStateChange => "icegatheringstatechange",
            Self::IceConnectionStateChange => "iceconnectionstatechange",
            Self::ConnectionStateChange => "connectionstatechange",
            Self::IceCandidate => "icecandidate",
            Self::IceCandidateError => "icecandidateerror",
            Self::Track => "track",
            Self::DataChannel => "datachannel",
            Self::AddStream => "addstream",
            Self::RemoveStream => "removestream",
            Self::IdentityResult => "identityresult",
            Self::IdpAssertionError => "idpassertionerror",
            Self::IdpValidationError => "idpvalidationerror",
            Self::PeerIdentity => "peeridentity",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `RTCTrackEvent` (webrtc-pc §5.7): a new remote track.
#[doc(alias = "RTCTrackEvent")]
#[derive(Debug, Clone)]
pub struct TrackEvent {
    /// `receiver`.
    pub receiver: RtcRtpReceiver,
    /// `track`.
    pub track: MediaStreamTrack,
    /// `streams`.
    pub streams: Vec<MediaStream>,
    /// `transceiver`.
    pub transceiver: RtcRtpTransceiver,
}

/// The `RTCPeerConnectionIceEvent` (webrtc-pc §4.8.2): a local candidate to signal, or `None`
/// for the end of candidates.
#[doc(alias = "RTCPeerConnectionIceEvent")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceCandidateEvent {
    /// `candidate`, as its `toJSON()` form; `None` when gathering finished.
    pub candidate: Option<RtcIceCandidateInit>,
    /// `url`: the STUN or TURN server the candidate came from.
    pub url: Option<String>,
}

/// The `RTCPeerConnectionIceErrorEvent` (webrtc-pc §4.8.3): a STUN or TURN server failed.
#[doc(alias = "RTCPeerConnectionIceErrorEvent")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceCandidateErrorEvent {
    /// `address`: the local address used, if it may be exposed.
    pub address: Option<String>,
    /// `port`.
    pub port: Option<u16>,
    /// `url`: the server.
    pub url: String,
    /// `errorCode`: the STUN error code, or 701 when the server could not be reached.
    pub error_code: u16,
    /// `errorText`: the STUN reason phrase.
    pub error_text: String,
}

/// What an [`Event`] reports.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EventKind {
    /// `negotiationneeded`.
    NegotiationNeeded,
    /// `signalingstatechange`, with the new `signalingState`.
    SignalingStateChange(RtcSignalingState),
    /// `icegatheringstatechange`, with the new `iceGatheringState`.
    IceGatheringStateChange(RtcIceGatheringState),
    /// `iceconnectionstatechange`, with the new `iceConnectionState`.
    IceConnectionStateChange(RtcIceConnectionState),
    /// `connectionstatechange`, with the new `connectionState`.
    ConnectionStateChange(RtcPeerConnectionState),
    /// `icecandidate`.
    IceCandidate(IceCandidateEvent),
    /// `icecandidateerror`.
    IceCandidateError(IceCandidateErrorEvent),
    /// `track`.
    Track(TrackEvent),
    /// `datachannel` (`RTCDataChannelEvent.channel`): the remote peer opened a channel.
    DataChannel(RtcDataChannel),
    /// Legacy `addstream` (`MediaStreamEvent.stream`).
    AddStream(MediaStream),
    /// Legacy `removestream` (`MediaStreamEvent.stream`).
    RemoveStream(MediaStream),
}

impl EventKind {
    /// The event type.
    pub fn event_type(&self) -> EventType {
        match self {
            Self::NegotiationNeeded => EventType::NegotiationNeeded,
            Self::SignalingStateChange(_) => EventType::SignalingStateChange,
            Self::IceGatheringStateChange(_) => EventType::IceGatheringStateChange,
            Self::IceConnectionStateChange(_) => EventType::IceConnectionStateChange,
            Self::ConnectionStateChange(_) => EventType::ConnectionStateChange,
            Self::IceCandidate(_) => EventType::IceCandidate,
            Self::IceCandidateError(_) => EventType::IceCandidateError,
            Self::Track(_) => EventType::Track,
            Self::DataChannel(_) => EventType::DataChannel,
            Self::AddStream(_) => EventType::AddStream,
            Self::RemoveStream(_) => EventType::RemoveStream,
        }
    }
}

/// An event fired at an `RTCPeerConnection`.
#[derive(Debug, Clone)]
pub struct Event {
    pub(crate) target: WeakRtcPeerConnection,
    pub(crate) kind: EventKind,
}

impl Event {
    /// `type`.
    #[doc(alias = "type")]
    pub fn event_type(&self) -> EventType {
        self.kind.event_type()
    }

    /// What the event reports.
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// `target`: the connection, while any handle to it is alive. Handlers use this instead of
    /// capturing a handle, which would keep the connection alive until `close()`.
    pub fn target(&self) -> Option<RtcPeerConnection> {
        self.target.upgrade()
    }
}

/// The async stream of every event of one target, from `events()`: a `futures_core::Stream`,
/// also readable with [`EventStream::recv`]. It ends when the target's driver ends (after
/// `close()` or when the last handle is dropped). Events queue unboundedly until read: drop the
/// stream when it is no longer read.
#[derive(Debug)]
pub struct EventStream<E> {
    rx: mpsc::UnboundedReceiver<E>,
}

impl<E> EventStream<E> {
    pub(crate) fn new(rx: mpsc::UnboundedReceiver<E>) -> Self {
        EventStream { rx }
    }

    /// The next event, or `None` once the stream has ended.
    pub async fn recv(&mut self) -> Option<E> {
        self.rx.recv().await
    }

    /// The next event if one is queued now (`None` when none is, or the stream ended).
    pub fn try_recv(&mut self) -> Option<E> {
        self.rx.try_recv().ok()
    }
}

impl<E> futures_core::Stream for EventStream<E> {
    type Item = E;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<E>> {
        self.rx.poll_recv(cx)
    }
}
