//! RTP header extension negotiation (RFC 8285 §6 offer/answer, RFC 9429 §5.2.1 and §5.3.1 "the
//! a=extmap lines"): the extensions this implementation supports and the answerer's choice.
//!
//! Identifiers are shared by every media section of the connection (one URI, one id), as a
//! BUNDLE group requires (RFC 8843 §9.1.1); ids learnt from the peer are reused in later offers.

use rtcpeer_sdp::{Extmap, MediaDescription};

use crate::track::TrackKind;

/// `urn:ietf:params:rtp-hdrext:sdes:mid` (RFC 8843 §15.2).
pub const MID: &str = "urn:ietf:params:rtp-hdrext:sdes:mid";
/// `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id` (RFC 8852 §3.1).
pub const RID: &str = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
/// `urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id` (RFC 8852 §3.2).
pub const REPAIRED_RID: &str = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
/// Absolute send time (webrtc.org).
pub const ABS_SEND_TIME: &str = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
/// Transport-wide congestion control sequence numbers (draft-holmer-rmcat-transport-wide-cc).
pub const TRANSPORT_CC: &str =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
/// Client-to-mixer audio level (RFC 6464).
pub const AUDIO_LEVEL: &str = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
/// Playout delay (webrtc.org).
pub const PLAYOUT_DELAY: &str = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
/// Coordination of video orientation (3GPP TS 26.114).
pub const VIDEO_ORIENTATION: &str = "urn:3gpp:video-orientation";
/// Absolute capture time (webrtc.org).
pub const ABS_CAPTURE_TIME: &str = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";

/// The supported extensions: URI, default id, used for audio, used for video.
const SUPPORTED: &[(&str, u16, bool, bool)] = &[
    (AUDIO_LEVEL, 1, true, false),
    (ABS_SEND_TIME, 2, true, true),
    (TRANSPORT_CC, 3, true, true),
    (MID, 4, true, true),
    (PLAYOUT_DELAY, 5, false, true),
    (RID, 10, false, true),
    (REPAIRED_RID, 11, false, true),
    (ABS_CAPTURE_TIME, 12, true, true),
    (VIDEO_ORIENTATION, 13, false, true),
];

/// Whether `uri` is supported for `kind`.
pub fn is_supported(kind: TrackKind, uri: &str) -> bool {
    SUPPORTED
        .iter()
        .any(|(u, _, a, v)| *u == uri && if kind == TrackKind::Audio { *a } else { *v })
}

/// The connection-wide URI → id table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionIds {
    ids: Vec<(String, u16)>,
}

impl ExtensionIds {
    /// The id of `uri`, if one has been assigned or learnt.
    pub fn get(&self, uri: &str) -> Option<u16> {
        self.ids.iter().find(|(u, _)| u == uri).map(|(_, id)| *id)
    }

    /// Records the ids a negotiated media section uses.
    pub fn learn(&mut self, media: &MediaDescription) {
        for e in media.extmaps() {
            if self.get(&e.uri).is_none() && !self.ids.iter().any(|(_, id)| *id == e.id) {
                self.ids.push((e.uri.clone(), e.id));
            }
        }
    }

    /// The id for `uri`: the known one, else its default when free, else the lowest free id
    /// in 1..=14 (one-byte headers), else 16..=255 (two-byte headers, RFC 8285 §4.3).
    fn assign(&mut self, uri: &str, default: u16) -> u16 {
        if let Some(id) = self.get(uri) {
            return id;
        }
        let free = |id: u16| !self.ids.iter().any(|(_, i)| *i == id);
        let id = if free(default) {
            default
        } else {
            (1..=14)
                .chain(16..=255)
                .find(|id| free(*id))
                .unwrap_or(default)
        };
        self.ids.push((uri.to_owned(), id));
        id
    }

    /// The extensions to offer for `kind`.
    pub fn offer(&mut self, kind: TrackKind) -> Vec<Extmap> {
        SUPPORTED
            .iter()
            .filter(|(_, _, a, v)| if kind == TrackKind::Audio { *a } else { *v })
            .map(|(uri, default, _, _)| Extmap::new(self.assign(uri, *default), *uri))
            .collect()
    }
}

/// The answer's extensions: the offered ones this side supports, with the offered ids (RFC 8285
/// §6: "the answerer ... MUST use the same identifier").
pub fn answer(kind: TrackKind, offered: &[&Extmap]) -> Vec<Extmap> {
    offered
        .iter()
        .filter(|e| is_supported(kind, &e.uri))
        .map(|e| Extmap::new(e.id, e.uri.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_lists_per_kind_and_keeps_learnt_ids() {
        let mut ids = ExtensionIds::default();
        let audio: Vec<String> = ids
            .offer(TrackKind::Audio)
            .into_iter()
            .map(|e| format!("{} {}", e.id, e.uri))
            .collect();
        assert!(audio.contains(&format!("1 {AUDIO_LEVEL}")));
        assert!(!audio.iter().any(|e| e.contains(VIDEO_ORIENTATION)));

        let mut learnt = ExtensionIds::default();
        let m = MediaDescription::new(
            rtcpeer_sdp::MediaKind::Video,
            9,
            "UDP/TLS/RTP/SAVPF",
            ["96"],
        )
        .with_attribute(rtcpeer_sdp::Attribute::Extmap(Extmap::new(9, MID)))
        .with_attribute(rtcpeer_sdp::Attribute::Extmap(Extmap::new(10, "urn:x")));
        learnt.learn(&m);
        let video = learnt.offer(TrackKind::Video);
        let mid = video.iter().find(|e| e.uri == MID).unwrap();
        assert_eq!(mid.id, 9);
        // RID's default id 10 is taken by an unknown URI: it moves.
        let rid = video.iter().find(|e| e.uri == RID).unwrap();
        assert_ne!(rid.id, 10);
        let mut all: Vec<u16> = video.iter().map(|e| e.id).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), video.len());
    }

    #[test]
    fn answer_keeps_supported_offered_ids() {
        let offered = [
            Extmap::new(7, MID),
            Extmap::new(8, "urn:ietf:params:rtp-hdrext:toffset"),
            Extmap::new(9, VIDEO_ORIENTATION),
        ];
        let refs: Vec<&Extmap> = offered.iter().collect();
        let audio = answer(TrackKind::Audio, &refs);
        assert_eq!(audio, [Extmap::new(7, MID)]);
        let video = answer(TrackKind::Video, &refs);
        assert_eq!(
            video,
            [Extmap::new(7, MID), Extmap::new(9, VIDEO_ORIENTATION)]
        );
    }
}
