//! rtcpeer: WebRTC's `RTCPeerConnection` (webrtc-pc) for Rust, as an async API over one tokio
//! driver task per connection.
//!
//! # Shape (DESIGN §3)
//!
//! - [`RtcPeerConnection`] is a cheap `Clone + Send + Sync` handle. Its driver task owns the
//!   sans-IO peer core (`rtcpeer_core::PeerConnection`), the connection's UDP sockets, its timer
//!   and its event handlers, and waits on commands, the timer and the sockets, draining all
//!   output after each input. After an operation, the new state is published, the events it
//!   fired are dispatched, its result is sent, and only then does a queued
//!   `negotiationneeded` fire.
//! - Promise-returning W3C members are `async fn`s returning `Result<_, RtcError>`; they run in
//!   order (the operations chain). Read-only attributes are plain getters answered at once from
//!   the snapshot the driver publishes after every change.
//! - Child objects ([`RtcDataChannel`], [`RtcRtpTransceiver`], [`RtcRtpSender`],
//!   [`RtcRtpReceiver`]) hold an id and a weak link to the driver, never a handle to the
//!   connection.
//! - Events: an `on_xxx(Option<handler>)` setter per `onxxx` attribute,
//!   `add_event_listener` / `remove_event_listener`, and `events()` as an async stream. Handlers
//!   run on the driver after the state they report is published and are never awaited; a call
//!   made from a handler is queued, not re-entered (spawn a task for `async` calls).
//! - Lifetime: `close()`, or dropping the last `RtcPeerConnection` handle, ends the task and
//!   frees everything it owns, handlers included. A handler that captures an
//!   `RtcPeerConnection` keeps the connection alive until `close()`; capture a
//!   [`WeakRtcPeerConnection`] or use [`Event::target`] to avoid that.
//! - Errors are [`RtcError`]s named as the spec requires (`InvalidStateError` after `close()`,
//!   ...); the identity members fail with `NotSupportedError` (no IdP support, [`legacy`]).
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), rtcpeer::RtcError> {
//! use rtcpeer::{Interfaces, RtcConfiguration, RtcPeerConnection, RtcOfferOptions};
//!
//! let offerer = RtcPeerConnection::builder(RtcConfiguration::default())
//!     .interfaces(Interfaces::LoopbackOnly)
//!     .build()?;
//! let answerer = RtcPeerConnection::builder(RtcConfiguration::default())
//!     .interfaces(Interfaces::LoopbackOnly)
//!     .build()?;
//! let channel = offerer.create_data_channel("chat", Default::default()).await?;
//! let offer = offerer.create_offer(RtcOfferOptions::default()).await?;
//! offerer.set_local_description(Some(offer.clone().into())).await?;
//! answerer.set_remote_description(offer).await?;
//! let answer = answerer.create_answer().await?;
//! answerer.set_local_description(Some(answer.clone().into())).await?;
//! offerer.set_remote_description(answer).await?;
//! assert_eq!(offerer.signaling_state().as_str(), "stable");
//! assert_eq!(channel.label(), "chat");
//! offerer.close();
//! answerer.close();
//! # Ok(()) }
//! ```
//!
//! # State of the transport
//!
//! The peer core does not carry a transport stack (ICE, DTLS, SCTP) yet: sockets are bound and
//! drained, but no datagram is sent, data channels stay `"connecting"` and `send` fails with
//! `InvalidStateError`, as the spec requires of a channel that is not open. Wiring the stack in
//! touches the driver's machine seam (`src/machine.rs`) only.

mod builder;
mod certificate;
mod command;
mod data_channel;
mod driver;
mod event;
mod event_target;
pub mod legacy;
mod listeners;
mod machine;
mod media;
mod net;
mod peer_connection;
mod shared;
mod stats;
mod tcp;

pub use builder::RtcPeerConnectionBuilder;
pub use certificate::RtcCertificate;
pub use data_channel::{
    DataChannelEvent, DataChannelEventHandler, DataChannelEventKind, DataChannelEventType,
    DataChannelMessage, RtcDataChannel,
};
pub use driver::live_driver_tasks;
pub use event::{
    Event, EventHandler, EventKind, EventStream, EventType, IceCandidateErrorEvent,
    IceCandidateEvent, ListenerId, TrackEvent,
};
pub use legacy::{RtcIdentityAssertion, StreamTracks};
pub use media::{RtcRtpReceiver, RtcRtpSender, RtcRtpTransceiver};
pub use net::Interfaces;
pub use peer_connection::{RtcPeerConnection, WeakRtcPeerConnection};
pub use shared::{RtcSctpTransport, SocketStats};

/// The peer core, for the types not re-exported here.
pub use rtcpeer_core as core;
pub use rtcpeer_core::pc::{DataChannelId, ReceiverId, SenderId, TransceiverId};
pub use rtcpeer_core::stats::{
    RtcCertificateStats, RtcDataChannelStats, RtcIceCandidatePairStats, RtcIceCandidateStats,
    RtcPeerConnectionStats, RtcStats, RtcStatsReport, RtcStatsSelector, RtcTransportStats,
};
pub use rtcpeer_core::{
    MediaStream, MediaStreamTrack, RtcBundlePolicy, RtcConfiguration, RtcDataChannelInit,
    RtcDataChannelState, RtcError, RtcErrorDetail, RtcErrorDetailType, RtcErrorKind,
    RtcIceCandidateInit, RtcIceConnectionState, RtcIceGatheringState, RtcIceServer,
    RtcIceTransportPolicy, RtcLocalSessionDescriptionInit, RtcOfferOptions, RtcPeerConnectionState,
    RtcPriorityType, RtcRtcpMuxPolicy, RtcRtpEncodingParameters, RtcRtpTransceiverDirection,
    RtcRtpTransceiverInit, RtcSctpTransportState, RtcSdpType, RtcSessionDescription,
    RtcSessionDescriptionInit, RtcSignalingState, TrackKind, TrackOrKind,
};
/// The W3C enums the stats dictionaries use.
pub use rtcpeer_core::{
    RtcDtlsRole, RtcDtlsTransportState, RtcIceCandidateType, RtcIceProtocol, RtcIceRole,
    RtcIceServerTransportProtocol, RtcIceTcpCandidateType, RtcIceTransportState,
    RtcStatsIceCandidatePairState, RtcStatsType,
};
pub use rtcpeer_dtls::{CertificateParams, KeyAlgorithm};
