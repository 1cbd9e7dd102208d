//! Transceivers, senders and receivers (webrtc-pc §5.1–§5.4): their internal slots, and the
//! `addTrack`, `removeTrack`, `addTransceiver`, `direction` setter and `stop()` algorithms.
//! Capabilities, parameters, `setCodecPreferences` and `replaceTrack` are in
//! [`super::rtp_parameters`].

use rtcpeer_sdp::Direction;

use super::PeerConnection;
use super::rtp_parameters::{RtcRtpCodec, RtcRtpSendParameters};
use crate::RtcError;
use crate::enums::{RtcPriorityType, RtcRtpTransceiverDirection};
use crate::jsep::codecs::{self, RtpCodec};
use crate::track::{MediaStream, MediaStreamTrack, TrackKind};

rtcpeer_types::define_id!(
    /// Identifies an `RTCRtpTransceiver` of one connection.
    TransceiverId
);
rtcpeer_types::define_id!(
    /// Identifies an `RTCRtpSender` of one connection.
    SenderId
);
rtcpeer_types::define_id!(
    /// Identifies an `RTCRtpReceiver` of one connection.
    ReceiverId
);

/// `RTCRtpEncodingParameters` (webrtc-pc §5.2.2, with webrtc-priority's `priority` and
/// `networkPriority`).
#[doc(alias = "RTCRtpEncodingParameters")]
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RtcRtpEncodingParameters {
    /// `rid` (RFC 8851).
    pub rid: Option<String>,
    /// `active`.
    pub active: bool,
    /// `scaleResolutionDownBy` (video).
    pub scale_resolution_down_by: Option<f64>,
    /// `maxFramerate` (video).
    pub max_framerate: Option<f64>,
    /// `maxBitrate` in bits per second.
    pub max_bitrate: Option<u32>,
    /// `codec`: the codec this encoding is sent with (`None`: the user agent chooses).
    pub codec: Option<RtcRtpCodec>,
    /// `priority` (webrtc-priority), default `"low"`.
    pub priority: RtcPriorityType,
    /// `networkPriority` (webrtc-priority): the DSCP marking, when set.
    pub network_priority: Option<RtcPriorityType>,
}

/// Either a track or a kind: the first argument of `addTransceiver`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackOrKind {
    /// A track to send.
    Track(MediaStreamTrack),
    /// A kind string, `"audio"` or `"video"`; anything else is a `TypeError`.
    Kind(String),
}

impl From<TrackKind> for TrackOrKind {
    fn from(kind: TrackKind) -> Self {
        TrackOrKind::Kind(kind.as_str().to_owned())
    }
}

impl From<MediaStreamTrack> for TrackOrKind {
    fn from(track: MediaStreamTrack) -> Self {
        TrackOrKind::Track(track)
    }
}

/// The `RTCRtpTransceiverInit` dictionary (webrtc-pc §5.1).
#[doc(alias = "RTCRtpTransceiverInit")]
#[derive(Debug, Clone, PartialEq)]
pub struct RtcRtpTransceiverInit {
    /// `direction`, default `"sendrecv"`.
    pub direction: RtcRtpTransceiverDirection,
    /// `streams`.
    pub streams: Vec<MediaStream>,
    /// `sendEncodings`.
    pub send_encodings: Vec<RtcRtpEncodingParameters>,
}

impl Default for RtcRtpTransceiverInit {
    fn default() -> Self {
        RtcRtpTransceiverInit {
            direction: RtcRtpTransceiverDirection::Sendrecv,
            streams: Vec::new(),
            send_encodings: Vec::new(),
        }
    }
}

/// An `RTCRtpSender` (webrtc-pc §5.2).
#[doc(alias = "RTCRtpSender")]
#[derive(Debug, Clone, PartialEq)]
pub struct RtcRtpSender {
    pub(crate) id: SenderId,
    pub(crate) track: Option<MediaStreamTrack>,
    pub(crate) stream_ids: Vec<String>,
    pub(crate) send_encodings: Vec<RtcRtpEncodingParameters>,
    pub(crate) send_codecs: Vec<RtpCodec>,
    /// The msid appdata written for this sender when it has no track.
    pub(crate) msid_track_id: String,
    pub(crate) ssrc: u32,
    pub(crate) rtx_ssrc: u32,
    /// `[[LastReturnedParameters]]`.
    pub(crate) last_returned_parameters: Option<Box<RtcRtpSendParameters>>,
}

impl RtcRtpSender {
    /// The sender's id.
    pub fn id(&self) -> SenderId {
        self.id
    }
    /// `track`.
    pub fn track(&self) -> Option<&MediaStreamTrack> {
        self.track.as_ref()
    }
    /// `[[AssociatedMediaStreamIds]]`.
    pub fn stream_ids(&self) -> &[String] {
        &self.stream_ids
    }
    /// `[[SendEncodings]]`.
    pub fn send_encodings(&self) -> &[RtcRtpEncodingParameters] {
        &self.send_encodings
    }
    /// `[[SendCodecs]]`: the codecs negotiated for sending.
    pub fn send_codecs(&self) -> &[RtpCodec] {
        &self.send_codecs
    }
    /// The primary SSRC this sender announces.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }
}

/// An `RTCRtpReceiver` (webrtc-pc §5.3).
#[doc(alias = "RTCRtpReceiver")]
#[derive(Debug, Clone, PartialEq)]
pub struct RtcRtpReceiver {
    pub(crate) id: ReceiverId,
    pub(crate) track: MediaStreamTrack,
    pub(crate) associated_remote_streams: Vec<String>,
    pub(crate) last_stable_streams: Vec<String>,
    pub(crate) receive_codecs: Vec<RtpCodec>,
}

impl RtcRtpReceiver {
    /// The receiver's id.
    pub fn id(&self) -> ReceiverId {
        self.id
    }
    /// `track`: created with the receiver, it lives as long as it.
    pub fn track(&self) -> &MediaStreamTrack {
        &self.track
    }
    /// `[[AssociatedRemoteMediaStreams]]`, by id.
    pub fn remote_stream_ids(&self) -> &[String] {
        &self.associated_remote_streams
    }
    /// `[[ReceiveCodecs]]`.
    pub fn receive_codecs(&self) -> &[RtpCodec] {
        &self.receive_codecs
    }
}

/// What a transceiver was in the last stable state, restored by rollback (webrtc-pc §4.4.1.5,
/// the `"rollback"` steps).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StableState {
    pub(crate) jsep_mid: Option<String>,
    pub(crate) mid: Option<String>,
    pub(crate) receive_codecs: Vec<RtpCodec>,
    pub(crate) send_encodings: Vec<RtcRtpEncodingParameters>,
}

/// An `RTCRtpTransceiver` (webrtc-pc §5.4) with its internal slots.
#[doc(alias = "RTCRtpTransceiver")]
#[derive(Debug, Clone, PartialEq)]
pub struct RtcRtpTransceiver {
    pub(crate) id: TransceiverId,
    pub(crate) kind: TrackKind,
    pub(crate) sender: RtcRtpSender,
    pub(crate) receiver: RtcRtpReceiver,
    pub(crate) stopping: bool,
    pub(crate) stopped: bool,
    pub(crate) direction: RtcRtpTransceiverDirection,
    pub(crate) receptive: bool,
    pub(crate) current_direction: Option<RtcRtpTransceiverDirection>,
    pub(crate) fired_direction: Option<RtcRtpTransceiverDirection>,
    pub(crate) jsep_mid: Option<String>,
    pub(crate) mid: Option<String>,
    /// Whether `[[CurrentDirection]]` ever had a sending value (addTrack's reuse rule).
    pub(crate) has_sent: bool,
    /// Whether a track was ever attached with `addTrack`.
    pub(crate) add_track_used: bool,
    /// Created by the pending remote offer (rollback removes it).
    pub(crate) created_by_pending: bool,
    /// The state at the last stable state; `None` when created since.
    pub(crate) stable: Option<StableState>,
    /// The remote offer's simulcast rids to receive, echoed in the answer.
    pub(crate) recv_rids: Vec<String>,
    /// `[[PreferredCodecs]]` (empty: the default preferences).
    pub(crate) preferred_codecs: Vec<RtcRtpCodec>,
}

impl RtcRtpTransceiver {
    /// The transceiver's id.
    pub fn id(&self) -> TransceiverId {
        self.id
    }
    /// The transceiver kind.
    pub fn kind(&self) -> TrackKind {
        self.kind
    }
    /// `mid`.
    pub fn mid(&self) -> Option<&str> {
        self.mid.as_deref()
    }
    /// `sender`.
    pub fn sender(&self) -> &RtcRtpSender {
        &self.sender
    }
    /// `receiver`.
    pub fn receiver(&self) -> &RtcRtpReceiver {
        &self.receiver
    }
    /// The `direction` getter: `"stopped"` once stopping, else `[[Direction]]`.
    pub fn direction(&self) -> RtcRtpTransceiverDirection {
        if self.stopping {
            RtcRtpTransceiverDirection::Stopped
        } else {
            self.direction
        }
    }
    /// `currentDirection`: `"stopped"` once stopped, else `[[CurrentDirection]]`.
    pub fn current_direction(&self) -> Option<RtcRtpTransceiverDirection> {
        if self.stopped {
            Some(RtcRtpTransceiverDirection::Stopped)
        } else {
            self.current_direction
        }
    }
    /// `[[Stopped]]`.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }
    /// `[[Stopping]]`.
    pub fn is_stopping(&self) -> bool {
        self.stopping
    }
    /// `[[Receptive]]`.
    pub fn is_receptive(&self) -> bool {
        self.receptive
    }
    /// `[[PreferredCodecs]]`, as `setCodecPreferences` left them (empty: the defaults).
    pub fn codec_preferences(&self) -> &[RtcRtpCodec] {
        &self.preferred_codecs
    }

    /// `codecs` (an offer's or answer's media formats for this transceiver) filtered and
    /// ordered by `[[PreferredCodecs]]` (RFC 9429 §5.2.1 and §5.3.1: "If codec preferences have
    /// been set for the associated transceiver, media formats MUST be generated in the
    /// corresponding order ... and MUST exclude any codecs not present in the codec
    /// preferences").
    pub(crate) fn preferred(&self, codecs: Vec<RtpCodec>) -> Vec<RtpCodec> {
        if self.preferred_codecs.is_empty() {
            return codecs;
        }
        let preferred: Vec<RtpCodec> = self
            .preferred_codecs
            .iter()
            .filter_map(|c| c.to_rtp_codec(self.kind))
            .collect();
        codecs::apply_preferences(self.kind, codecs, &preferred)
    }

    /// "stop sending and receiving" (webrtc-pc §5.4).
    pub(crate) fn stop_sending_and_receiving(&mut self) {
        self.direction = RtcRtpTransceiverDirection::Inactive;
        self.stopping = true;
    }

    /// "stop the RTCRtpTransceiver" (webrtc-pc §5.4).
    pub(crate) fn stop(&mut self) {
        if !self.stopping {
            self.stop_sending_and_receiving();
        }
        self.stopped = true;
        self.receptive = false;
        self.current_direction = None;
        self.receiver.associated_remote_streams.clear();
        self.receiver.last_stable_streams.clear();
    }
}

/// The SDP direction of a W3C direction (`"stopped"` writes as `inactive`).
pub(crate) fn to_sdp(d: RtcRtpTransceiverDirection) -> Direction {
    match d {
        RtcRtpTransceiverDirection::Sendrecv => Direction::SendRecv,
        RtcRtpTransceiverDirection::Sendonly => Direction::SendOnly,
        RtcRtpTransceiverDirection::Recvonly => Direction::RecvOnly,
        _ => Direction::Inactive,
    }
}

/// The W3C direction of an SDP direction.
pub(crate) fn from_sdp(d: Direction) -> RtcRtpTransceiverDirection {
    match d {
        Direction::SendRecv => RtcRtpTransceiverDirection::Sendrecv,
        Direction::SendOnly => RtcRtpTransceiverDirection::Sendonly,
        Direction::RecvOnly => RtcRtpTransceiverDirection::Recvonly,
        Direction::Inactive => RtcRtpTransceiverDirection::Inactive,
    }
}

/// Whether a direction includes receiving.
pub(crate) fn receives(d: Option<RtcRtpTransceiverDirection>) -> bool {
    matches!(
        d,
        Some(RtcRtpTransceiverDirection::Sendrecv | RtcRtpTransceiverDirection::Recvonly)
    )
}

/// Whether a direction includes sending.
pub(crate) fn sends(d: Option<RtcRtpTransceiverDirection>) -> bool {
    matches!(
        d,
        Some(RtcRtpTransceiverDirection::Sendrecv | RtcRtpTransceiverDirection::Sendonly)
    )
}

/// RFC 8851 §10 `rid-id`: 1*(alpha-numeric / "-" / "_"), at most 255 characters (RFC 8852).
fn valid_rid(rid: &str) -> bool {
    !rid.is_empty()
        && rid.len() <= 255
        && rid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The most simulcast encodings a sender supports.
const MAX_ENCODINGS: usize = 4;

impl PeerConnection {
    fn new_transceiver(
        &mut self,
        kind: TrackKind,
        track: Option<MediaStreamTrack>,
        stream_ids: Vec<String>,
        send_encodings: Vec<RtcRtpEncodingParameters>,
        direction: RtcRtpTransceiverDirection,
    ) -> RtcRtpTransceiver {
        let id = TransceiverId::new(self.next_object_id());
        let sender_id = SenderId::new(self.next_object_id());
        let receiver_id = ReceiverId::new(self.next_object_id());
        let receiver_track_id = self.random_uuid();
        let msid_track_id = self.random_uuid();
        let ssrc = self.rng.u32();
        let rtx_ssrc = self.rng.u32();
        self.ever_created_senders.push(sender_id);
        let send_encodings = if send_encodings.is_empty() {
            vec![RtcRtpEncodingParameters {
                active: true,
                ..Default::default()
            }]
        } else {
            send_encodings
        };
        RtcRtpTransceiver {
            id,
            kind,
            sender: RtcRtpSender {
                id: sender_id,
                track,
                stream_ids,
                send_encodings,
                send_codecs: Vec::new(),
                msid_track_id,
                ssrc,
                rtx_ssrc,
                last_returned_parameters: None,
            },
            receiver: RtcRtpReceiver {
                id: receiver_id,
                track: MediaStreamTrack::new(receiver_track_id, kind, "remote"),
                associated_remote_streams: Vec::new(),
                last_stable_streams: Vec::new(),
                receive_codecs: Vec::new(),
            },
            stopping: false,
            stopped: false,
            direction,
            receptive: false,
            current_direction: None,
            fired_direction: None,
            jsep_mid: None,
            mid: None,
            has_sent: false,
            add_track_used: false,
            created_by_pending: false,
            stable: None,
            recv_rids: Vec::new(),
            preferred_codecs: Vec::new(),
        }
    }

    /// A transceiver created by a remote offer (webrtc-pc §4.4.1.5: "Create an RTCRtpTransceiver
    /// with sender, receiver and an RTCRtpTransceiverDirection value of "recvonly"").
    pub(crate) fn create_remote_transceiver(&mut self, kind: TrackKind) -> TransceiverId {
        let mut t = self.new_transceiver(
            kind,
            None,
            Vec::new(),
            Vec::new(),
            RtcRtpTransceiverDirection::Recvonly,
        );
        t.created_by_pending = true;
        let id = t.id;
        self.transceivers.push(t);
        id
    }

    /// `addTrack(track, ...streams)` (webrtc-pc §5.1): reuses a transceiver that never sent and
    /// has no track, else creates a `"sendrecv"` one; updates the negotiation-needed flag.
    ///
    /// Errors: `InvalidStateError` when closed, `InvalidAccessError` when a sender already has
    /// this track.
    pub fn add_track(
        &mut self,
        track: MediaStreamTrack,
        streams: &[MediaStream],
    ) -> Result<SenderId, RtcError> {
        self.check_open()?;
        if self
            .transceivers
            .iter()
            .filter(|t| !t.stopped)
            .any(|t| t.sender.track.as_ref().is_some_and(|s| s.id == track.id))
        {
            return Err(RtcError::invalid_access(format!(
                "a sender for track {} already exists",
                track.id
            )));
        }
        let mut ids: Vec<String> = Vec::new();
        for s in streams {
            if !ids.contains(&s.id) {
                ids.push(s.id.clone());
            }
        }
        let kind = track.kind;
        let reusable = self.transceivers.iter_mut().find(|t| {
            !t.stopped && t.sender.track.is_none() && t.kind == kind && !t.stopping && !t.has_sent
        });
        let sender = if let Some(t) = reusable {
            t.sender.track = Some(track);
            t.sender.stream_ids = ids;
            t.add_track_used = true;
            t.direction = match t.direction {
                RtcRtpTransceiverDirection::Recvonly => RtcRtpTransceiverDirection::Sendrecv,
                RtcRtpTransceiverDirection::Inactive => RtcRtpTransceiverDirection::Sendonly,
                d => d,
            };
            t.sender.id
        } else {
            let mut t = self.new_transceiver(
                kind,
                Some(track),
                ids,
                Vec::new(),
                RtcRtpTransceiverDirection::Sendrecv,
            );
            t.add_track_used = true;
            let sender = t.sender.id;
            self.transceivers.push(t);
            sender
        };
        self.update_negotiation_needed();
        Ok(sender)
    }

    /// `removeTrack(sender)` (webrtc-pc §5.1).
    ///
    /// Errors: `InvalidStateError` when closed, `InvalidAccessError` for a sender this
    /// connection did not create.
    pub fn remove_track(&mut self, sender: SenderId) -> Result<(), RtcError> {
        self.check_open()?;
        if !self.ever_created_senders.contains(&sender)
            && !self.transceivers.iter().any(|t| t.sender.id == sender)
        {
            return Err(RtcError::invalid_access(
                "the sender was not created by this connection",
            ));
        }
        let Some(t) = self.transceivers.iter_mut().find(|t| t.sender.id == sender) else {
            return Ok(());
        };
        if t.stopping || t.stopped || t.sender.track.is_none() {
            return Ok(());
        }
        t.sender.track = None;
        t.direction = match t.direction {
            RtcRtpTransceiverDirection::Sendrecv => RtcRtpTransceiverDirection::Recvonly,
            RtcRtpTransceiverDirection::Sendonly => RtcRtpTransceiverDirection::Inactive,
            d => d,
        };
        self.update_negotiation_needed();
        Ok(())
    }

    /// `addTransceiver(trackOrKind, init)` (webrtc-pc §5.1), with the `sendEncodings`
    /// validation steps.
    ///
    /// Errors: `TypeError` for a kind other than audio/video, an invalid, partial or duplicate
    /// `rid`, or direction `"stopped"`; `InvalidStateError` when closed; `RangeError` for
    /// `scaleResolutionDownBy` < 1 or `maxFramerate` ≤ 0.
    pub fn add_transceiver(
        &mut self,
        track_or_kind: impl Into<TrackOrKind>,
        init: RtcRtpTransceiverInit,
    ) -> Result<TransceiverId, RtcError> {
        let (track, kind) = match track_or_kind.into() {
            TrackOrKind::Kind(k) => (None, k.parse::<TrackKind>()?),
            TrackOrKind::Track(t) => {
                let kind = t.kind;
                (Some(t), kind)
            }
        };
        self.check_open()?;
        if init.direction == RtcRtpTransceiverDirection::Stopped {
            return Err(RtcError::type_error(
                "addTransceiver direction cannot be \"stopped\"",
            ));
        }
        let mut encodings = init.send_encodings;
        let with_rid = encodings.iter().filter(|e| e.rid.is_some()).count();
        if encodings
            .iter()
            .filter_map(|e| e.rid.as_deref())
            .any(|r| !valid_rid(r))
        {
            return Err(RtcError::type_error("an encoding has an invalid rid"));
        }
        if with_rid != 0 && with_rid != encodings.len() {
            return Err(RtcError::type_error(
                "some but not all encodings have a rid",
            ));
        }
        for (i, e) in encodings.iter().enumerate() {
            if let Some(r) = &e.rid
                && encodings[..i].iter().any(|o| o.rid.as_ref() == Some(r))
            {
                return Err(RtcError::type_error(format!("duplicate rid '{r}'")));
            }
        }
        if kind == TrackKind::Audio {
            for e in &mut encodings {
                e.scale_resolution_down_by = None;
                e.max_framerate = None;
            }
        }
        if encodings.iter().any(|e| {
            e.scale_resolution_down_by
                .is_some_and(|s| s.is_nan() || s < 1.0)
        }) {
            return Err(RtcError::range_error(
                "scaleResolutionDownBy must be at least 1.0",
            ));
        }
        if encodings
            .iter()
            .any(|e| e.max_framerate.is_some_and(|f| f.is_nan() || f <= 0.0))
        {
            return Err(RtcError::range_error("maxFramerate must be greater than 0"));
        }
        if encodings
            .iter()
            .any(|e| e.scale_resolution_down_by.is_some())
        {
            for e in &mut encodings {
                e.scale_resolution_down_by.get_or_insert(1.0);
            }
        }
        encodings.truncate(MAX_ENCODINGS);
        if kind == TrackKind::Video
            && !encodings
                .iter()
                .any(|e| e.scale_resolution_down_by.is_some())
        {
            let n = encodings.len();
            for (i, e) in encodings.iter_mut().enumerate() {
                let exp = i32::try_from(n - i - 1).unwrap_or(0);
                e.scale_resolution_down_by = Some(2f64.powi(exp));
            }
        }
        if encodings.len() == 1
            && let Some(e) = encodings.first_mut()
        {
            e.rid = None;
        }
        let mut ids: Vec<String> = Vec::new();
        for s in &init.streams {
            if !ids.contains(&s.id) {
                ids.push(s.id.clone());
            }
        }
        let t = self.new_transceiver(kind, track, ids, encodings, init.direction);
        let id = t.id;
        self.transceivers.push(t);
        self.update_negotiation_needed();
        Ok(id)
    }

    /// The `direction` setter (webrtc-pc §5.4).
    ///
    /// Errors: `InvalidStateError` when the transceiver is stopping, `TypeError` for
    /// `"stopped"`, `NotFoundError` for an unknown transceiver.
    pub fn set_transceiver_direction(
        &mut self,
        id: TransceiverId,
        direction: RtcRtpTransceiverDirection,
    ) -> Result<(), RtcError> {
        let t = self.transceiver_mut(id)?;
        if t.stopping {
            return Err(RtcError::invalid_state("the transceiver is stopping"));
        }
        if direction == t.direction {
            return Ok(());
        }
        if direction == RtcRtpTransceiverDirection::Stopped {
            return Err(RtcError::type_error(
                "direction cannot be set to \"stopped\"",
            ));
        }
        t.direction = direction;
        self.update_negotiation_needed();
        Ok(())
    }

    /// `RTCRtpTransceiver.stop()` (webrtc-pc §5.4).
    ///
    /// Errors: `InvalidStateError` when the connection is closed, `NotFoundError` for an
    /// unknown transceiver.
    pub fn stop_transceiver(&mut self, id: TransceiverId) -> Result<(), RtcError> {
        self.check_open()?;
        let t = self.transceiver_mut(id)?;
        if t.stopping {
            return Ok(());
        }
        t.stop_sending_and_receiving();
        self.update_negotiation_needed();
        Ok(())
    }

    pub(crate) fn transceiver_mut(
        &mut self,
        id: TransceiverId,
    ) -> Result<&mut RtcRtpTransceiver, RtcError> {
        self.transceivers
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| RtcError::not_found(format!("no transceiver {id}")))
    }

    /// The transceiver with this id, if it is in the set of transceivers.
    pub fn transceiver(&self, id: TransceiverId) -> Option<&RtcRtpTransceiver> {
        self.transceivers.iter().find(|t| t.id == id)
    }

    /// `getTransceivers()`: the set of transceivers in insertion order (CollectTransceivers).
    pub fn get_transceivers(&self) -> impl Iterator<Item = &RtcRtpTransceiver> {
        self.transceivers.iter()
    }

    /// `getSenders()`: the senders of the non-stopped transceivers (CollectSenders).
    pub fn get_senders(&self) -> impl Iterator<Item = &RtcRtpSender> {
        self.transceivers
            .iter()
            .filter(|t| !t.stopped)
            .map(|t| &t.sender)
    }

    /// `getReceivers()`: the receivers of the non-stopped transceivers.
    pub fn get_receivers(&self) -> impl Iterator<Item = &RtcRtpReceiver> {
        self.transceivers
            .iter()
            .filter(|t| !t.stopped)
            .map(|t| &t.receiver)
    }
}
