//! Offer/answer options: `RTCOfferAnswerOptions`, `RTCOfferOptions` and `RTCAnswerOptions`
//! (webrtc-pc §4.2.6), with the legacy `offerToReceiveAudio` / `offerToReceiveVideo` members and
//! the direction rule their `false` value applies (webrtc-pc §4.4.3.2, "Legacy configuration
//! extensions").
//!
//! JSON uses the W3C member names (`iceRestart`, `offerToReceiveAudio`, ...); absent members get
//! their defaults.

use serde::{Deserialize, Serialize};

use crate::enums::RtcRtpTransceiverDirection;

/// The `RTCOfferOptions` dictionary, the argument of `createOffer`.
#[doc(alias = "RTCOfferOptions")]
#[doc(alias = "RTCOfferAnswerOptions")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RtcOfferOptions {
    /// `iceRestart` (default false): generate new ICE credentials, restarting ICE when applied.
    pub ice_restart: bool,
    /// Legacy `offerToReceiveAudio`: `true` ensures an audio transceiver that can receive;
    /// `false` stops receiving on the audio transceivers ([`legacy_receive_disabled`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_to_receive_audio: Option<bool>,
    /// Legacy `offerToReceiveVideo`: as [`offer_to_receive_audio`](Self::offer_to_receive_audio)
    /// for video.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_to_receive_video: Option<bool>,
}

impl RtcOfferOptions {
    /// Whether any legacy member is present, which makes `createOffer` run the legacy steps
    /// first (webrtc-pc §4.4.3.2).
    pub fn has_legacy_options(&self) -> bool {
        self.offer_to_receive_audio.is_some() || self.offer_to_receive_video.is_some()
    }
}

/// The direction a non-stopped transceiver gets when `offerToReceive<Kind>` is `false`
/// (webrtc-pc §4.4.3.2): `"sendrecv"` becomes `"sendonly"`, `"recvonly"` becomes `"inactive"`,
/// any other direction is kept.
pub fn legacy_receive_disabled(
    direction: RtcRtpTransceiverDirection,
) -> RtcRtpTransceiverDirection {
    match direction {
        RtcRtpTransceiverDirection::Sendrecv => RtcRtpTransceiverDirection::Sendonly,
        RtcRtpTransceiverDirection::Recvonly => RtcRtpTransceiverDirection::Inactive,
        other => other,
    }
}

/// The `RTCAnswerOptions` dictionary, the argument of `createAnswer` (no members in
/// webrtc-pc).
#[doc(alias = "RTCAnswerOptions")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RtcAnswerOptions {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_json() {
        let o: RtcOfferOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(o, RtcOfferOptions::default());
        assert!(!o.ice_restart);
        assert!(!o.has_legacy_options());
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"iceRestart":false}"#
        );

        let json = r#"{"iceRestart":true,"offerToReceiveAudio":true,"offerToReceiveVideo":false}"#;
        let o: RtcOfferOptions = serde_json::from_str(json).unwrap();
        assert!(o.ice_restart);
        assert_eq!(o.offer_to_receive_audio, Some(true));
        assert_eq!(o.offer_to_receive_video, Some(false));
        assert!(o.has_legacy_options());
        assert_eq!(serde_json::to_string(&o).unwrap(), json);

        let a: RtcAnswerOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), "{}");
    }

    #[test]
    fn legacy_false_rule() {
        use RtcRtpTransceiverDirection as D;
        let table = [
            (D::Sendrecv, D::Sendonly),
            (D::Recvonly, D::Inactive),
            (D::Sendonly, D::Sendonly),
            (D::Inactive, D::Inactive),
            (D::Stopped, D::Stopped),
        ];
        assert_eq!(table.len(), D::ALL.len());
        for (from, to) in table {
            assert_eq!(legacy_receive_disabled(from), to, "{from}");
        }
    }
}
