//! The RTP media handles (webrtc-pc §5.2–§5.4): [`RtcRtpTransceiver`], [`RtcRtpSender`] and
//! [`RtcRtpReceiver`]. Each holds its id and a weak link to the connection's driver (never a
//! handle to the connection): attributes are read from the published snapshot, methods are
//! queued as commands. Once the transceiver has left the connection (a stopped one removed by
//! negotiation) the getters report it stopped and empty.
//!
//! `setCodecPreferences`, `replaceTrack`, `getParameters` and `setParameters` run on the
//! driver as one [`RtpOp`] command each (the operations chain keeps them in order with the
//! signaling methods). `getParameters` is `async` here because it records
//! `[[LastReturnedParameters]]` in the connection.

use std::fmt;
use std::sync::Arc;

use rtcpeer_core::pc::{
    ReceiverId, SenderId, TransceiverId, rtp_receiver_capabilities, rtp_sender_capabilities,
};
use rtcpeer_core::{
    MediaStreamTrack, PeerConnection, RtcError, RtcRtpCapabilities, RtcRtpCodec,
    RtcRtpEncodingParameters, RtcRtpReceiveParameters, RtcRtpSendParameters,
    RtcRtpTransceiverDirection, RtpCodec, TrackKind,
};

use crate::command::{Command, WeakLink};
use crate::shared::{Snapshot, TransceiverState};

/// Reads the transceiver `id` from the snapshot, `None` when it is gone.
fn with<T>(
    link: &WeakLink,
    id: TransceiverId,
    f: impl FnOnce(&TransceiverState) -> T,
) -> Option<T> {
    let snapshot: Arc<Snapshot> = link.shared.load();
    snapshot.transceiver(id).map(f)
}

/// An RTP media operation the driver runs on the core (one [`Command::Rtp`]).
#[derive(Debug)]
pub(crate) enum RtpOp {
    SetCodecPreferences(TransceiverId, Vec<RtcRtpCodec>),
    ReplaceTrack(SenderId, Option<MediaStreamTrack>),
    GetParameters(SenderId),
    SetParameters(SenderId, Box<RtcRtpSendParameters>),
    GetReceiverParameters(ReceiverId),
}

/// The result of an [`RtpOp`].
#[derive(Debug)]
pub(crate) enum RtpOutcome {
    Done,
    Send(Box<RtcRtpSendParameters>),
    Receive(Box<RtcRtpReceiveParameters>),
}

/// Runs `op` on the core (called by the driver).
pub(crate) fn run(pc: &mut PeerConnection, op: RtpOp) -> Result<RtpOutcome, RtcError> {
    match op {
        RtpOp::SetCodecPreferences(id, codecs) => pc
            .set_codec_preferences(id, &codecs)
            .map(|()| RtpOutcome::Done),
        RtpOp::ReplaceTrack(id, track) => pc.replace_track(id, track).map(|()| RtpOutcome::Done),
        RtpOp::GetParameters(id) => pc.get_parameters(id).map(|p| RtpOutcome::Send(Box::new(p))),
        RtpOp::SetParameters(id, p) => pc.set_parameters(id, *p).map(|()| RtpOutcome::Done),
        RtpOp::GetReceiverParameters(id) => pc
            .get_receiver_parameters(id)
            .map(|p| RtpOutcome::Receive(Box::new(p))),
    }
}

/// Runs `op` on the driver.
async fn rtp_call(link: &WeakLink, op: RtpOp) -> Result<RtpOutcome, RtcError> {
    link.call(|r| Command::Rtp(op, r)).await
}

/// The kind named by a `getCapabilities` argument, `None` for anything but `"audio"` and
/// `"video"`.
fn capability_kind(kind: &str) -> Option<TrackKind> {
    kind.parse().ok()
}

/// An `RTCRtpTransceiver` handle.
#[doc(alias = "RTCRtpTransceiver")]
#[derive(Clone)]
pub struct RtcRtpTransceiver {
    id: TransceiverId,
    kind: TrackKind,
    sender: SenderId,
    receiver: ReceiverId,
    link: WeakLink,
}

impl fmt::Debug for RtcRtpTransceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtcRtpTransceiver")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl PartialEq for RtcRtpTransceiver {
    /// Two handles are equal when they name the same transceiver of the same connection.
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && Arc::ptr_eq(&self.link.shared, &other.link.shared)
    }
}

impl RtcRtpTransceiver {
    pub(crate) fn from_state(t: &TransceiverState, link: WeakLink) -> Self {
        RtcRtpTransceiver {
            id: t.id(),
            kind: t.kind(),
            sender: t.sender().id(),
            receiver: t.receiver().id(),
            link,
        }
    }

    /// The transceiver's id within its connection.
    pub fn id(&self) -> TransceiverId {
        self.id
    }

    /// The transceiver kind (`"audio"` or `"video"`).
    pub fn kind(&self) -> TrackKind {
        self.kind
    }

    /// `mid`.
    pub fn mid(&self) -> Option<String> {
        with(&self.link, self.id, |t| t.mid().map(str::to_owned)).flatten()
    }

    /// `sender`.
    pub fn sender(&self) -> RtcRtpSender {
        RtcRtpSender {
            id: self.sender,
            transceiver: self.id,
            link: self.link.clone(),
        }
    }

    /// `receiver`.
    pub fn receiver(&self) -> RtcRtpReceiver {
        RtcRtpReceiver {
            id: self.receiver,
            transceiver: self.id,
            link: self.link.clone(),
        }
    }

    /// `direction`: `"stopped"` once stopping (or once the connection is closed).
    pub fn direction(&self) -> RtcRtpTransceiverDirection {
        if self.link.shared.is_closed() {
            return RtcRtpTransceiverDirection::Stopped;
        }
        with(&self.link, self.id, |t| t.direction()).unwrap_or(RtcRtpTransceiverDirection::Stopped)
    }

    /// `currentDirection`: `"stopped"` once stopped, `None` before negotiation.
    pub fn current_direction(&self) -> Option<RtcRtpTransceiverDirection> {
        if self.link.shared.is_closed() {
            return Some(RtcRtpTransceiverDirection::Stopped);
        }
        with(&self.link, self.id, |t| t.current_direction())
            .unwrap_or(Some(RtcRtpTransceiverDirection::Stopped))
    }

    /// Whether the transceiver is stopped (`currentDirection` `"stopped"`).
    pub fn stopped(&self) -> bool {
        self.current_direction() == Some(RtcRtpTransceiverDirection::Stopped)
    }

    /// The `direction` setter (webrtc-pc §5.4): `InvalidStateError` when the connection is
    /// closed or the transceiver stopping, `TypeError` for `"stopped"`.
    pub async fn set_direction(
        &self,
        direction: RtcRtpTransceiverDirection,
    ) -> Result<(), RtcError> {
        self.link
            .call(|r| Command::SetDirection(self.id, direction, r))
            .await
    }

    /// `stop()` (webrtc-pc §5.4): `InvalidStateError` when the connection is closed.
    pub async fn stop(&self) -> Result<(), RtcError> {
        self.link
            .call(|r| Command::StopTransceiver(self.id, r))
            .await
    }

    /// `setCodecPreferences(codecs)` (webrtc-pc §5.4): the codecs, in this order, that the
    /// next `createOffer`/`createAnswer` lists for this transceiver; empty resets.
    /// `InvalidModificationError` for a codec not in `getCapabilities(kind)` or a list of only
    /// RTX, RED, FEC or comfort noise (and `InvalidStateError` once the connection is gone).
    pub async fn set_codec_preferences(&self, codecs: &[RtcRtpCodec]) -> Result<(), RtcError> {
        rtp_call(
            &self.link,
            RtpOp::SetCodecPreferences(self.id, codecs.to_vec()),
        )
        .await
        .map(drop)
    }

    /// `[[PreferredCodecs]]`: what `setCodecPreferences` left (empty: the defaults).
    pub fn codec_preferences(&self) -> Vec<RtcRtpCodec> {
        with(&self.link, self.id, |t| t.codec_preferences().to_vec()).unwrap_or_default()
    }
}

/// An `RTCRtpSender` handle.
#[doc(alias = "RTCRtpSender")]
#[derive(Clone)]
pub struct RtcRtpSender {
    id: SenderId,
    transceiver: TransceiverId,
    link: WeakLink,
}

impl fmt::Debug for RtcRtpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtcRtpSender")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl PartialEq for RtcRtpSender {
    /// Two handles are equal when they name the same sender of the same connection.
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && Arc::ptr_eq(&self.link.shared, &other.link.shared)
    }
}

impl RtcRtpSender {
    pub(crate) fn new(id: SenderId, transceiver: TransceiverId, link: WeakLink) -> Self {
        RtcRtpSender {
            id,
            transceiver,
            link,
        }
    }

    pub(crate) fn belongs_to(&self, shared: &Arc<crate::shared::Shared>) -> bool {
        Arc::ptr_eq(&self.link.shared, shared)
    }

    /// The sender's id within its connection.
    pub fn id(&self) -> SenderId {
        self.id
    }

    /// The transceiver this sender belongs to.
    pub fn transceiver_id(&self) -> TransceiverId {
        self.transceiver
    }

    /// `track`: `None` after `removeTrack` (or once the transceiver is gone).
    pub fn track(&self) -> Option<MediaStreamTrack> {
        with(&self.link, self.transceiver, |t| {
            t.sender().track().cloned()
        })
        .flatten()
    }

    /// The ids of the streams the track is sent in (`[[AssociatedMediaStreamIds]]`).
    pub fn stream_ids(&self) -> Vec<String> {
        with(&self.link, self.transceiver, |t| {
            t.sender().stream_ids().to_vec()
        })
        .unwrap_or_default()
    }

    /// The encodings (`getParameters().encodings`).
    pub fn encodings(&self) -> Vec<RtcRtpEncodingParameters> {
        with(&self.link, self.transceiver, |t| {
            t.sender().send_encodings().to_vec()
        })
        .unwrap_or_default()
    }

    /// The negotiated send codecs (`getParameters().codecs`).
    pub fn codecs(&self) -> Vec<RtpCodec> {
        with(&self.link, self.transceiver, |t| {
            t.sender().send_codecs().to_vec()
        })
        .unwrap_or_default()
    }

    /// The static `RTCRtpSender.getCapabilities(kind)` (webrtc-pc §5.2): the codecs and
    /// header extensions this implementation can send; `None` for a kind other than
    /// `"audio"` or `"video"`.
    pub fn get_capabilities(kind: &str) -> Option<RtcRtpCapabilities> {
        capability_kind(kind).map(rtp_sender_capabilities)
    }

    /// `replaceTrack(withTrack)` (webrtc-pc §5.2): sends `with_track` (or nothing) without
    /// renegotiation; `track` reports it once this resolves. `TypeError` when its kind differs
    /// from the transceiver's, then `InvalidStateError` when the connection is closed or the
    /// transceiver stopping.
    pub async fn replace_track(
        &self,
        with_track: Option<MediaStreamTrack>,
    ) -> Result<(), RtcError> {
        let kind = with(&self.link, self.transceiver, |t| t.kind());
        if let (Some(track), Some(kind)) = (&with_track, kind)
            && track.kind != kind
        {
            return Err(RtcError::type_error(format!(
                "a {} track cannot replace the track of a {} sender",
                track.kind.as_str(),
                kind.as_str()
            )));
        }
        rtp_call(&self.link, RtpOp::ReplaceTrack(self.id, with_track))
            .await
            .map(drop)
    }

    /// `getParameters()` (webrtc-pc §5.2): a new `transactionId`, the encodings, the
    /// negotiated codecs, header extensions and RTCP parameters. The result is what the next
    /// `set_parameters` must start from. `InvalidStateError` once the connection is gone.
    pub async fn get_parameters(&self) -> Result<RtcRtpSendParameters, RtcError> {
        match rtp_call(&self.link, RtpOp::GetParameters(self.id)).await? {
            RtpOutcome::Send(p) => Ok(*p),
            _ => Err(RtcError::operation("unexpected getParameters result")),
        }
    }

    /// `setParameters(parameters)` (webrtc-pc §5.2): `InvalidStateError` when the transceiver
    /// is stopping or no `get_parameters` result is pending; `InvalidModificationError` for a
    /// changed encoding count, order, `rid` or read-only member; `RangeError` for a video
    /// `scaleResolutionDownBy` below 1 or a negative `maxFramerate`.
    pub async fn set_parameters(&self, parameters: RtcRtpSendParameters) -> Result<(), RtcError> {
        rtp_call(
            &self.link,
            RtpOp::SetParameters(self.id, Box::new(parameters)),
        )
        .await
        .map(drop)
    }

    /// `getStats()` (webrtc-pc §5.2): the stats of the RTP streams this sender sends and what
    /// they reference (none until media flows).
    pub async fn get_stats(&self) -> Result<rtcpeer_core::RtcStatsReport, RtcError> {
        let selector = rtcpeer_core::RtcStatsSelector::Sender(self.id);
        crate::stats::get_stats(&self.link, Some(selector)).await
    }
}

/// An `RTCRtpReceiver` handle.
#[doc(alias = "RTCRtpReceiver")]
#[derive(Clone)]
pub struct RtcRtpReceiver {
    id: ReceiverId,
    transceiver: TransceiverId,
    link: WeakLink,
}

impl fmt::Debug for RtcRtpReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtcRtpReceiver")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl PartialEq for RtcRtpReceiver {
    /// Two handles are equal when they name the same receiver of the same connection.
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && Arc::ptr_eq(&self.link.shared, &other.link.shared)
    }
}

impl RtcRtpReceiver {
    pub(crate) fn new(id: ReceiverId, transceiver: TransceiverId, link: WeakLink) -> Self {
        RtcRtpReceiver {
            id,
            transceiver,
            link,
        }
    }

    /// The receiver's id within its connection.
    pub fn id(&self) -> ReceiverId {
        self.id
    }

    /// The transceiver this receiver belongs to.
    pub fn transceiver_id(&self) -> TransceiverId {
        self.transceiver
    }

    /// `track`: created with the receiver (`None` once the transceiver is gone).
    pub fn track(&self) -> Option<MediaStreamTrack> {
        with(&self.link, self.transceiver, |t| {
            t.receiver().track().clone()
        })
    }

    /// The ids of the remote streams the track belongs to.
    pub fn remote_stream_ids(&self) -> Vec<String> {
        with(&self.link, self.transceiver, |t| {
            t.receiver().remote_stream_ids().to_vec()
        })
        .unwrap_or_default()
    }

    /// The negotiated receive codecs (`getParameters().codecs`).
    pub fn codecs(&self) -> Vec<RtpCodec> {
        with(&self.link, self.transceiver, |t| {
            t.receiver().receive_codecs().to_vec()
        })
        .unwrap_or_default()
    }

    /// The static `RTCRtpReceiver.getCapabilities(kind)` (webrtc-pc §5.3): the codecs and
    /// header extensions this implementation can receive; `None` for a kind other than
    /// `"audio"` or `"video"`.
    pub fn get_capabilities(kind: &str) -> Option<RtcRtpCapabilities> {
        capability_kind(kind).map(rtp_receiver_capabilities)
    }

    /// `getParameters()` (webrtc-pc §5.3): the negotiated receive codecs, header extensions
    /// and RTCP parameters. `InvalidStateError` once the connection is gone.
    pub async fn get_parameters(&self) -> Result<RtcRtpReceiveParameters, RtcError> {
        match rtp_call(&self.link, RtpOp::GetReceiverParameters(self.id)).await? {
            RtpOutcome::Receive(p) => Ok(*p),
            _ => Err(RtcError::operation("unexpected getParameters result")),
        }
    }

    /// `getStats()` (webrtc-pc §5.3): the stats of the RTP streams this receiver receives and
    /// what they reference (none until media flows).
    pub async fn get_stats(&self) -> Result<rtcpeer_core::RtcStatsReport, RtcError> {
        let selector = rtcpeer_core::RtcStatsSelector::Receiver(self.id);
        crate::stats::get_stats(&self.link, Some(selector)).await
    }
}
