//! RTP capabilities and parameters (webrtc-pc §5.2 "RTCRtpSender Interface", §5.3, §5.4): the
//! `RTCRtpCodec`, `RTCRtpCapabilities`, `RTCRtpSendParameters` and `RTCRtpReceiveParameters`
//! dictionaries, the "codec dictionary match" algorithm, the static `getCapabilities(kind)`, and
//! the `setCodecPreferences`, `replaceTrack`, `getParameters` and `setParameters` algorithms.
//!
//! `[[LastReturnedParameters]]`: the spec clears it in a task queued by `getParameters`, so only
//! a `setParameters` made in the same task succeeds. This machine has no event loop: the
//! parameters a `getParameters` returned stay valid until the next `getParameters` (which
//! replaces them, with a new `transactionId`) or a successful `setParameters` (which consumes
//! them).

use super::PeerConnection;
use super::transceiver::{ReceiverId, RtcRtpEncodingParameters, RtcRtpTransceiver, SenderId};
use crate::RtcError;
use crate::jsep::codecs::{self, RtpCodec};
use crate::jsep::extensions::{self, ExtensionIds};
use crate::track::{MediaStreamTrack, TrackKind};

/// `RTCRtpCodec` (webrtc-pc §5.2.6): a codec as capabilities, codec preferences and
/// `RTCRtpEncodingParameters.codec` name it, without a payload type.
#[doc(alias = "RTCRtpCodec")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcRtpCodec {
    /// `mimeType`: `"audio/opus"`, `"video/VP8"`, ...
    pub mime_type: String,
    /// `clockRate`.
    pub clock_rate: u32,
    /// `channels` (audio).
    pub channels: Option<u16>,
    /// `sdpFmtpLine`: the `a=fmtp` parameters.
    pub sdp_fmtp_line: Option<String>,
}

impl RtcRtpCodec {
    /// The `RTCRtpCodec` members of a negotiated or local codec of `kind`.
    pub fn from_rtp_codec(kind: TrackKind, codec: &RtpCodec) -> Self {
        RtcRtpCodec {
            mime_type: codec.mime_type(kind),
            clock_rate: codec.clock_rate,
            channels: codec.channels,
            sdp_fmtp_line: codec.fmtp.clone(),
        }
    }

    /// The subtype of `mimeType` when its type is `kind` (ASCII case-insensitive).
    fn subtype(&self, kind: TrackKind) -> Option<&str> {
        let (ty, sub) = self.mime_type.split_once('/')?;
        ty.eq_ignore_ascii_case(kind.as_str()).then_some(sub)
    }

    /// This codec as an [`RtpCodec`] without payload type or feedback, when it is of `kind`.
    pub(crate) fn to_rtp_codec(&self, kind: TrackKind) -> Option<RtpCodec> {
        Some(RtpCodec {
            payload_type: 0,
            name: self.subtype(kind)?.to_owned(),
            clock_rate: self.clock_rate,
            channels: self.channels,
            fmtp: self.sdp_fmtp_line.clone(),
            feedback: Vec::new(),
        })
    }

    /// Whether this is RTX, RED, FEC or comfort noise: a format that cannot be negotiated alone
    /// (webrtc-pc §5.4 `setCodecPreferences` step "only contains entries for RTX, RED, FEC or
    /// Comfort Noise").
    fn is_auxiliary(&self) -> bool {
        let sub = self
            .mime_type
            .split_once('/')
            .map_or("", |(_, s)| s)
            .to_ascii_lowercase();
        matches!(
            sub.as_str(),
            "rtx" | "red" | "ulpfec" | "flexfec" | "flexfec-03" | "cn"
        )
    }
}

/// The parameters of an `a=fmtp` line in key-value format, keys lowercased and sorted; `None`
/// when a part is not `key=value`.
fn fmtp_map(line: &str) -> Option<Vec<(String, String)>> {
    let mut map = Vec::new();
    for part in line.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=')?;
        map.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    map.sort();
    Some(map)
}

/// The H.264 parameters that must be equal when asymmetrical ones are ignored: the profile part
/// of `profile-level-id` (RFC 6184 §8.1) and `packetization-mode`.
fn h264_symmetric(map: &[(String, String)]) -> (String, String) {
    let get = |k: &str| {
        map.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let plid = get("profile-level-id").unwrap_or_else(|| "42000a".to_owned());
    let profile = plid.get(0..4).unwrap_or("").to_owned();
    (
        profile,
        get("packetization-mode").unwrap_or_else(|| "0".into()),
    )
}

/// The "codec dictionary match" algorithm (webrtc-pc §5.4) for `first` and `second`.
///
/// `mimeType` compares ASCII case-insensitively, `clockRate` and `channels` exactly (both
/// absent or both equal), and `sdpFmtpLine` as a set of media-format parameters (order and
/// key case do not matter; a line not in key-value format compares as a string). With
/// `ignore_asymmetrical_parameters`, the H.264 level (and `level-asymmetry-allowed`) may differ.
pub fn codec_dictionary_match(
    first: &RtcRtpCodec,
    second: &RtcRtpCodec,
    ignore_asymmetrical_parameters: bool,
) -> bool {
    if !first.mime_type.eq_ignore_ascii_case(&second.mime_type)
        || first.clock_rate != second.clock_rate
        || first.channels != second.channels
    {
        return false;
    }
    match (&first.sdp_fmtp_line, &second.sdp_fmtp_line) {
        (None, None) => true,
        (Some(a), Some(b)) => match (fmtp_map(a), fmtp_map(b)) {
            (Some(ma), Some(mb)) => {
                let h264 = first
                    .mime_type
                    .rsplit('/')
                    .next()
                    .is_some_and(|s| s.eq_ignore_ascii_case("h264"));
                if ignore_asymmetrical_parameters && h264 {
                    h264_symmetric(&ma) == h264_symmetric(&mb)
                } else {
                    ma == mb
                }
            }
            _ => a == b,
        },
        _ => false,
    }
}

/// `RTCRtpHeaderExtensionCapability` (webrtc-pc §5.2.7).
#[doc(alias = "RTCRtpHeaderExtensionCapability")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcRtpHeaderExtensionCapability {
    /// `uri` (RFC 8285).
    pub uri: String,
}

/// `RTCRtpCapabilities` (webrtc-pc §5.2.6): what `getCapabilities(kind)` returns.
#[doc(alias = "RTCRtpCapabilities")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtcRtpCapabilities {
    /// `codecs`: one entry per codec and media format; RTX once, without `sdpFmtpLine`.
    pub codecs: Vec<RtcRtpCodec>,
    /// `headerExtensions`.
    pub header_extensions: Vec<RtcRtpHeaderExtensionCapability>,
}

/// The implemented codecs and header extensions of `kind` (sending and receiving use the same
/// lists here).
fn implemented_capabilities(kind: TrackKind) -> RtcRtpCapabilities {
    let mut codecs: Vec<RtcRtpCodec> = Vec::new();
    for c in codecs::local_codecs(kind) {
        let mut cap = RtcRtpCodec::from_rtp_codec(kind, &c);
        if c.is_rtx() {
            cap.sdp_fmtp_line = None;
        }
        if !codecs
            .iter()
            .any(|o| codec_dictionary_match(o, &cap, false))
        {
            codecs.push(cap);
        }
    }
    let header_extensions = ExtensionIds::default()
        .offer(kind)
        .into_iter()
        .map(|e| RtcRtpHeaderExtensionCapability { uri: e.uri })
        .collect();
    RtcRtpCapabilities {
        codecs,
        header_extensions,
    }
}

/// `RTCRtpSender.getCapabilities(kind)` (webrtc-pc §5.2): the "list of implemented send codecs"
/// and header extensions for sending `kind`.
pub fn rtp_sender_capabilities(kind: TrackKind) -> RtcRtpCapabilities {
    implemented_capabilities(kind)
}

/// `RTCRtpReceiver.getCapabilities(kind)` (webrtc-pc §5.3): the "list of implemented receive
/// codecs" and header extensions for receiving `kind`.
pub fn rtp_receiver_capabilities(kind: TrackKind) -> RtcRtpCapabilities {
    implemented_capabilities(kind)
}

/// `RTCRtpHeaderExtensionParameters` (webrtc-pc §5.2.4); all members are read-only.
#[doc(alias = "RTCRtpHeaderExtensionParameters")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcRtpHeaderExtensionParameters {
    /// `uri`.
    pub uri: String,
    /// `id`: the value in the RTP packet.
    pub id: u16,
    /// `encrypted` (RFC 6904).
    pub encrypted: bool,
}

/// `RTCRtcpParameters` (webrtc-pc §5.2.5); all members are read-only.
#[doc(alias = "RTCRtcpParameters")]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RtcRtcpParameters {
    /// `cname`: the CNAME RTCP uses (RFC 3550 §6.5.1).
    pub cname: Option<String>,
    /// `reducedSize`: whether reduced-size RTCP (RFC 5506) is negotiated.
    pub reduced_size: Option<bool>,
}

/// `RTCRtpSendParameters` (webrtc-pc §5.2.1): what `RTCRtpSender.getParameters()` returns
/// and `setParameters()` takes.
#[doc(alias = "RTCRtpSendParameters")]
#[derive(Debug, Clone, PartialEq)]
pub struct RtcRtpSendParameters {
    /// `transactionId` (read-only): pairs a `setParameters` with its `getParameters`.
    pub transaction_id: String,
    /// `encodings`: their count, order and `rid` are read-only.
    pub encodings: Vec<RtcRtpEncodingParameters>,
    /// `codecs` (read-only): the negotiated send codecs.
    pub codecs: Vec<RtpCodec>,
    /// `headerExtensions` (read-only): the extensions negotiated for sending.
    pub header_extensions: Vec<RtcRtpHeaderExtensionParameters>,
    /// `rtcp` (read-only).
    pub rtcp: RtcRtcpParameters,
}

/// `RTCRtpReceiveParameters` (webrtc-pc §5.3): what `RTCRtpReceiver.getParameters()` returns.
#[doc(alias = "RTCRtpReceiveParameters")]
#[derive(Debug, Clone, PartialEq)]
pub struct RtcRtpReceiveParameters {
    /// `codecs`: the negotiated receive codecs.
    pub codecs: Vec<RtpCodec>,
    /// `headerExtensions`: the extensions negotiated for receiving.
    pub header_extensions: Vec<RtcRtpHeaderExtensionParameters>,
    /// `rtcp`.
    pub rtcp: RtcRtcpParameters,
}

impl PeerConnection {
    fn transceiver_of_sender(&self, sender: SenderId) -> Option<&RtcRtpTransceiver> {
        self.transceivers.iter().find(|t| t.sender.id == sender)
    }

    fn transceiver_of_sender_mut(&mut self, sender: SenderId) -> Option<&mut RtcRtpTransceiver> {
        self.transceivers.iter_mut().find(|t| t.sender.id == sender)
    }

    /// The header extensions and reduced-size flag negotiated for the media section `mid`,
    /// from the current remote description (an answer lists what was agreed; an offer lists
    /// a superset of what the answer kept, filtered here by support).
    fn negotiated_rtp(
        &self,
        kind: TrackKind,
        mid: Option<&str>,
    ) -> (Vec<RtcRtpHeaderExtensionParameters>, bool) {
        let Some((remote, mid)) = self.current_remote.as_ref().zip(mid) else {
            return (Vec::new(), false);
        };
        let Some(media) = remote.parsed.media_by_mid(mid) else {
            return (Vec::new(), false);
        };
        let exts = remote
            .parsed
            .extmaps_for(media)
            .into_iter()
            .filter(|e| extensions::is_supported(kind, &e.uri))
            .map(|e| RtcRtpHeaderExtensionParameters {
                uri: e.uri.clone(),
                id: e.id,
                encrypted: false,
            })
            .collect();
        (exts, media.has_rtcp_rsize())
    }

    /// `RTCRtpTransceiver.setCodecPreferences(codecs)` (webrtc-pc §5.4): an empty list resets
    /// to the default preferences; the next `createOffer`/`createAnswer` lists exactly the
    /// preferred codecs, in this order (RTX is kept, after each codec it repairs, when an RTX
    /// entry is preferred).
    ///
    /// Errors: `InvalidModificationError` when a codec does not match (codec dictionary match)
    /// one of `getCapabilities(kind)`, or when only RTX, RED, FEC or comfort-noise entries
    /// remain; `NotFoundError` for an unknown transceiver.
    pub fn set_codec_preferences(
        &mut self,
        id: super::TransceiverId,
        codecs: &[RtcRtpCodec],
    ) -> Result<(), RtcError> {
        let t = self.transceiver_mut(id)?;
        if codecs.is_empty() {
            t.preferred_codecs.clear();
            return Ok(());
        }
        let mut unique: Vec<RtcRtpCodec> = Vec::new();
        for c in codecs {
            if !unique.iter().any(|u| codec_dictionary_match(u, c, false)) {
                unique.push(c.clone());
            }
        }
        let kind = t.kind;
        let mut capabilities = rtp_sender_capabilities(kind).codecs;
        for c in rtp_receiver_capabilities(kind).codecs {
            if !capabilities.contains(&c) {
                capabilities.push(c);
            }
        }
        if let Some(bad) = unique.iter().find(|c| {
            !capabilities
                .iter()
                .any(|cap| codec_dictionary_match(c, cap, false))
        }) {
            return Err(RtcError::invalid_modification(format!(
                "{} ({} Hz) is not in getCapabilities(\"{}\")",
                bad.mime_type,
                bad.clock_rate,
                kind.as_str()
            )));
        }
        if unique.iter().all(RtcRtpCodec::is_auxiliary) {
            return Err(RtcError::invalid_modification(
                "codec preferences hold only RTX, RED, FEC or comfort noise",
            ));
        }
        t.preferred_codecs = unique;
        Ok(())
    }

    /// `RTCRtpSender.replaceTrack(withTrack)` (webrtc-pc §5.2): sets the sender's track
    /// without renegotiation (negotiation-needed is not updated).
    ///
    /// Errors, in the spec's order: `TypeError` when the track's kind differs from the
    /// transceiver's; `InvalidStateError` when the connection is closed or the transceiver
    /// is stopping (or gone).
    pub fn replace_track(
        &mut self,
        sender: SenderId,
        with_track: Option<MediaStreamTrack>,
    ) -> Result<(), RtcError> {
        let kind = self.transceiver_of_sender(sender).map(|t| t.kind);
        if let (Some(track), Some(kind)) = (&with_track, kind)
            && track.kind != kind
        {
            return Err(RtcError::type_error(format!(
                "a {} track cannot replace the track of a {} sender",
                track.kind.as_str(),
                kind.as_str()
            )));
        }
        self.check_open()?;
        let Some(t) = self.transceiver_of_sender_mut(sender) else {
            return Err(RtcError::invalid_state(
                "the sender's transceiver is stopped",
            ));
        };
        if t.stopping || t.stopped {
            return Err(RtcError::invalid_state(
                "the sender's transceiver is stopping",
            ));
        }
        t.sender.track = with_track;
        Ok(())
    }

    /// `RTCRtpSender.getParameters()` (webrtc-pc §5.2): a new `transactionId`, the
    /// `[[SendEncodings]]`, the `[[SendCodecs]]`, the header extensions negotiated for sending
    /// and the RTCP parameters; stored as `[[LastReturnedParameters]]`.
    ///
    /// Errors: `NotFoundError` for a sender that is not in the set of transceivers.
    pub fn get_parameters(&mut self, sender: SenderId) -> Result<RtcRtpSendParameters, RtcError> {
        let transaction_id = self.random_uuid();
        let cname = self.cname.clone();
        let t = self
            .transceiver_of_sender(sender)
            .ok_or_else(|| RtcError::not_found(format!("no sender {sender}")))?;
        let (header_extensions, reduced_size) = self.negotiated_rtp(t.kind, t.mid.as_deref());
        let params = RtcRtpSendParameters {
            transaction_id,
            encodings: t.sender.send_encodings.clone(),
            codecs: t.sender.send_codecs.clone(),
            header_extensions,
            rtcp: RtcRtcpParameters {
                cname: Some(cname),
                reduced_size: Some(reduced_size),
            },
        };
        if let Some(t) = self.transceiver_of_sender_mut(sender) {
            t.sender.last_returned_parameters = Some(Box::new(params.clone()));
        }
        Ok(params)
    }

    /// `RTCRtpSender.setParameters(parameters)` (webrtc-pc §5.2) with the "setParameters
    /// validation steps"; on success `[[SendEncodings]]` takes `parameters.encodings` and
    /// `[[LastReturnedParameters]]` is cleared.
    ///
    /// Errors, in the spec's order: `InvalidStateError` when the transceiver is stopping (or
    /// the connection closed) or no `getParameters` result is pending;
    /// `InvalidModificationError` when the encoding count, order or a `rid` changed, a
    /// read-only member (`transactionId`, `codecs`, `headerExtensions`, `rtcp`) differs from
    /// the last returned parameters, or an encoding's `codec` is not choosable; `RangeError`
    /// for a video `scaleResolutionDownBy` below 1.0 or a `maxFramerate` below 0.
    pub fn set_parameters(
        &mut self,
        sender: SenderId,
        parameters: RtcRtpSendParameters,
    ) -> Result<(), RtcError> {
        let closed = self.is_closed();
        let t = self
            .transceiver_of_sender_mut(sender)
            .ok_or_else(|| RtcError::invalid_state("the sender's transceiver is stopped"))?;
        if t.stopping || t.stopped || closed {
            return Err(RtcError::invalid_state(
                "the sender's transceiver is stopping",
            ));
        }
        let Some(last) = t.sender.last_returned_parameters.as_deref() else {
            return Err(RtcError::invalid_state(
                "setParameters without a preceding getParameters",
            ));
        };
        let kind = t.kind;
        let mut encodings = parameters.encodings;
        if encodings.len() != t.sender.send_encodings.len() {
            return Err(RtcError::invalid_modification(
                "the number of encodings changed",
            ));
        }
        if encodings
            .iter()
            .zip(&last.encodings)
            .any(|(e, l)| e.rid != l.rid)
        {
            return Err(RtcError::invalid_modification(
                "an encoding's rid changed or the encodings were re-ordered",
            ));
        }
        if parameters.transaction_id != last.transaction_id {
            return Err(RtcError::invalid_modification(
                "transactionId is not that of the last getParameters",
            ));
        }
        if parameters.codecs != last.codecs
            || parameters.header_extensions != last.header_extensions
            || parameters.rtcp != last.rtcp
        {
            return Err(RtcError::invalid_modification(
                "a read-only parameter (codecs, headerExtensions, rtcp) changed",
            ));
        }
        let choosable: Vec<RtcRtpCodec> = if parameters.codecs.is_empty() {
            rtp_sender_capabilities(kind).codecs
        } else {
            parameters
                .codecs
                .iter()
                .map(|c| RtcRtpCodec::from_rtp_codec(kind, c))
                .collect()
        };
        if encodings.iter().filter_map(|e| e.codec.as_ref()).any(|c| {
            !choosable
                .iter()
                .any(|ch| codec_dictionary_match(c, ch, true))
        }) {
            return Err(RtcError::invalid_modification(
                "an encoding's codec is not one of the negotiated codecs",
            ));
        }
        match kind {
            TrackKind::Audio => {
                for e in &mut encodings {
                    e.scale_resolution_down_by = None;
                    e.max_framerate = None;
                }
            }
            TrackKind::Video => {
                for e in &mut encodings {
                    e.scale_resolution_down_by.get_or_insert(1.0);
                }
                if encodings.iter().any(|e| {
                    e.scale_resolution_down_by
                        .is_some_and(|s| s.is_nan() || s < 1.0)
                }) {
                    return Err(RtcError::range_error(
                        "scaleResolutionDownBy must be at least 1.0",
                    ));
                }
            }
        }
        if encodings
            .iter()
            .any(|e| e.max_framerate.is_some_and(|f| f.is_nan() || f < 0.0))
        {
            return Err(RtcError::range_error("maxFramerate must not be negative"));
        }
        t.sender.last_returned_parameters = None;
        t.sender.send_encodings = encodings;
        Ok(())
    }

    /// `RTCRtpReceiver.getParameters()` (webrtc-pc §5.3): the `[[ReceiveCodecs]]`, the header
    /// extensions negotiated for receiving and the RTCP parameters.
    ///
    /// Errors: `NotFoundError` for a receiver that is not in the set of transceivers.
    pub fn get_receiver_parameters(
        &self,
        receiver: ReceiverId,
    ) -> Result<RtcRtpReceiveParameters, RtcError> {
        let t = self
            .transceivers
            .iter()
            .find(|t| t.receiver.id == receiver)
            .ok_or_else(|| RtcError::not_found(format!("no receiver {receiver}")))?;
        let (header_extensions, reduced_size) = self.negotiated_rtp(t.kind, t.mid.as_deref());
        Ok(RtcRtpReceiveParameters {
            codecs: t.receiver.receive_codecs.clone(),
            header_extensions,
            rtcp: RtcRtcpParameters {
                cname: None,
                reduced_size: Some(reduced_size),
            },
        })
    }
}
