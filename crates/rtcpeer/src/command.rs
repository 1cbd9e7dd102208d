//! The commands handles send to the driver task, and the links that send them.
//!
//! The command channel is the operations chain of webrtc-pc §4.4.1.2: the driver runs commands
//! one at a time in the order they were sent, so an operation never starts before the previous
//! one finished. A command that has a result carries a one-shot reply sender; the driver sends
//! the result once the events the operation fired have been dispatched.
//!
//! [`Link`] (held by `RtcPeerConnection`) owns a strong sender: the driver runs while one
//! exists. [`WeakLink`] (held by child objects and event targets) does not keep the driver
//! alive, so a handler that stores a data channel or transceiver makes no cycle.

use std::sync::Arc;

use rtcpeer_core::pc::{DataChannelId, SenderId, TransceiverId};
use rtcpeer_core::{
    MediaStream, MediaStreamTrack, RtcConfiguration, RtcDataChannelInit, RtcError,
    RtcIceCandidateInit, RtcLocalSessionDescriptionInit, RtcOfferOptions,
    RtcRtpTransceiverDirection, RtcRtpTransceiverInit, RtcSessionDescriptionInit, TrackOrKind,
};
use tokio::sync::{mpsc, oneshot};

use crate::data_channel::{DataChannelEvent, DataChannelMessage};
use crate::event::Event;
use crate::listeners::Registration;
use crate::shared::{Shared, TransceiverState};

/// Where the driver sends a command's result.
pub(crate) type Reply<T> = oneshot::Sender<Result<T, RtcError>>;

/// One operation for the driver.
pub(crate) enum Command {
    CreateOffer(RtcOfferOptions, Reply<RtcSessionDescriptionInit>),
    CreateAnswer(Reply<RtcSessionDescriptionInit>),
    SetLocalDescription(
        Option<RtcLocalSessionDescriptionInit>,
        Reply<Option<rtcpeer_core::RtcSessionDescription>>,
    ),
    SetRemoteDescription(RtcSessionDescriptionInit, Reply<()>),
    AddIceCandidate(RtcIceCandidateInit, Reply<()>),
    SetConfiguration(Box<RtcConfiguration>, Reply<()>),
    RestartIce,
    /// `close()` (its immediate part already happened in the handle).
    Close,
    AddTrack(MediaStreamTrack, Vec<MediaStream>, Reply<TransceiverState>),
    RemoveTrack(SenderId, Reply<()>),
    AddTransceiver(TrackOrKind, RtcRtpTransceiverInit, Reply<TransceiverState>),
    SetDirection(TransceiverId, RtcRtpTransceiverDirection, Reply<()>),
    StopTransceiver(TransceiverId, Reply<()>),
    CreateDataChannel(String, RtcDataChannelInit, Reply<crate::RtcDataChannel>),
    ChannelSend(DataChannelId, DataChannelMessage),
    ChannelClose(DataChannelId),
    /// `bufferedAmountLowThreshold = n` on a data channel.
    ChannelSetLowThreshold(DataChannelId, usize),
    Events(Registration<Event>),
    ChannelEvents(DataChannelId, Registration<DataChannelEvent>),
    GetStats(
        Option<rtcpeer_core::RtcStatsSelector>,
        Reply<rtcpeer_core::RtcStatsReport>,
    ),
    /// `setCodecPreferences`, `replaceTrack`, `getParameters`, `setParameters`.
    Rtp(crate::media::RtpOp, Reply<crate::media::RtpOutcome>),
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Self::CreateOffer(..) => "CreateOffer",
            Self::CreateAnswer(..) => "CreateAnswer",
            Self::SetLocalDescription(..) => "SetLocalDescription",
            Self::SetRemoteDescription(..) => "SetRemoteDescription",
            Self::AddIceCandidate(..) => "AddIceCandidate",
            Self::SetConfiguration(..) => "SetConfiguration",
            Self::RestartIce => "RestartIce",
            Self::Close => "Close",
            Self::AddTrack(..) => "AddTrack",
            Self::RemoveTrack(..) => "RemoveTrack",
            Self::AddTransceiver(..) => "AddTransceiver",
            Self::SetDirection(..) => "SetDirection",
            Self::StopTransceiver(..) => "StopTransceiver",
            Self::CreateDataChannel(..) => "CreateDataChannel",
            Self::ChannelSend(..) => "ChannelSend",
            Self::ChannelClose(..) => "ChannelClose",
            Self::ChannelSetLowThreshold(..) => "ChannelSetLowThreshold",
            Self::GetStats(..) => "GetStats",
            Self::Rtp(op, _) => return write!(f, "Rtp({op:?})"),
            Self::Events(r) => return write!(f, "Events({r:?})"),
            Self::ChannelEvents(id, r) => return write!(f, "ChannelEvents({id}, {r:?})"),
        };
        f.write_str(name)
    }
}

/// The error of an operation on a connection whose driver has ended: it ends only after
/// `close()` (or when no handle is left), so this is the spec's closed-connection error.
pub(crate) fn closed_error() -> RtcError {
    RtcError::invalid_state("the RTCPeerConnection is closed")
}

/// Sends a command and waits for its result.
async fn call_on<T>(
    tx: &mpsc::UnboundedSender<Command>,
    make: impl FnOnce(Reply<T>) -> Command,
) -> Result<T, RtcError> {
    let (reply, rx) = oneshot::channel();
    tx.send(make(reply)).map_err(|_| closed_error())?;
    rx.await.map_err(|_| closed_error())?
}

/// A strong link to the driver: the driver runs while one exists.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub(crate) tx: mpsc::UnboundedSender<Command>,
    pub(crate) shared: Arc<Shared>,
}

impl Link {
    /// Queues a command; false when the driver has ended.
    pub(crate) fn send(&self, cmd: Command) -> bool {
        self.tx.send(cmd).is_ok()
    }

    /// Queues a command and waits for its result.
    pub(crate) async fn call<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> Command,
    ) -> Result<T, RtcError> {
        call_on(&self.tx, make).await
    }

    pub(crate) fn downgrade(&self) -> WeakLink {
        WeakLink {
            tx: self.tx.downgrade(),
            shared: Arc::clone(&self.shared),
        }
    }
}

/// A weak link to the driver: it does not keep the driver alive.
#[derive(Debug, Clone)]
pub(crate) struct WeakLink {
    pub(crate) tx: mpsc::WeakUnboundedSender<Command>,
    pub(crate) shared: Arc<Shared>,
}

impl WeakLink {
    pub(crate) fn upgrade(&self) -> Option<Link> {
        Some(Link {
            tx: self.tx.upgrade()?,
            shared: Arc::clone(&self.shared),
        })
    }

    /// Queues a command; false when the driver has ended.
    pub(crate) fn send(&self, cmd: Command) -> bool {
        self.tx.upgrade().is_some_and(|tx| tx.send(cmd).is_ok())
    }

    /// Queues a command and waits for its result.
    pub(crate) async fn call<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> Command,
    ) -> Result<T, RtcError> {
        // The strong sender lives only for the send: waiting for the reply does not keep the
        // driver alive on its own.
        let rx = {
            let tx = self.tx.upgrade().ok_or_else(closed_error)?;
            let (reply, rx) = oneshot::channel();
            tx.send(make(reply)).map_err(|_| closed_error())?;
            rx
        };
        rx.await.map_err(|_| closed_error())?
    }
}
