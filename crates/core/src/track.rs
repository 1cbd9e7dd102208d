//! Media tracks and streams as the signaling layer sees them: a lightweight
//! `MediaStreamTrack` descriptor (id, kind, label, enabled; mediacapture-main §4.3) and the
//! transceiver kind (webrtc-pc §5.4 "transceiver kind"). Media itself flows in a later layer.

use std::fmt;
use std::str::FromStr;

use crate::RtcError;

/// The kind of a track or transceiver: `"audio"` or `"video"` (webrtc-pc §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackKind {
    /// `"audio"`.
    Audio,
    /// `"video"`.
    Video,
}

impl TrackKind {
    /// The W3C string.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackKind::Audio => "audio",
            TrackKind::Video => "video",
        }
    }

    /// The SDP media type of this kind.
    pub fn media_kind(self) -> rtcpeer_sdp::MediaKind {
        match self {
            TrackKind::Audio => rtcpeer_sdp::MediaKind::Audio,
            TrackKind::Video => rtcpeer_sdp::MediaKind::Video,
        }
    }

    /// The kind of an SDP media type, if it is audio or video.
    pub fn from_media_kind(kind: &rtcpeer_sdp::MediaKind) -> Option<TrackKind> {
        match kind {
            rtcpeer_sdp::MediaKind::Audio => Some(TrackKind::Audio),
            rtcpeer_sdp::MediaKind::Video => Some(TrackKind::Video),
            _ => None,
        }
    }
}

impl fmt::Display for TrackKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TrackKind {
    type Err = RtcError;

    /// `addTransceiver(kind)`: "If kind is neither "audio" nor "video", throw a TypeError"
    /// (webrtc-pc §5.1 `addTransceiver`).
    fn from_str(s: &str) -> Result<Self, RtcError> {
        match s {
            "audio" => Ok(TrackKind::Audio),
            "video" => Ok(TrackKind::Video),
            other => Err(RtcError::type_error(format!(
                "'{other}' is not a valid transceiver kind (expected \"audio\" or \"video\")"
            ))),
        }
    }
}

/// A `MediaStreamTrack` descriptor: what signaling needs to know about a track.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaStreamTrack {
    /// `id`: unique per track; written as the track part of `a=msid` (RFC 8830).
    pub id: String,
    /// `kind`.
    pub kind: TrackKind,
    /// `label`.
    pub label: String,
    /// `enabled`.
    pub enabled: bool,
}

impl MediaStreamTrack {
    /// A new enabled track with this id, kind and label.
    pub fn new(id: impl Into<String>, kind: TrackKind, label: impl Into<String>) -> Self {
        MediaStreamTrack {
            id: id.into(),
            kind,
            label: label.into(),
            enabled: true,
        }
    }
}

/// A `MediaStream` as signaling sees it: only its id (the `msid-id` of RFC 8830).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaStream {
    /// `id`.
    pub id: String,
}

impl MediaStream {
    /// A stream with this id.
    pub fn new(id: impl Into<String>) -> Self {
        MediaStream { id: id.into() }
    }
}
