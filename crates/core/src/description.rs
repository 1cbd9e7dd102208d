//! Session descriptions as the API exchanges them: `RTCSessionDescriptionInit`,
//! `RTCLocalSessionDescriptionInit` and `RTCSessionDescription` (webrtc-pc §4.6.2), typed by
//! [`RtcSdpType`] (§4.6.1).
//!
//! JSON is what browsers write: `{"type":"offer","sdp":"v=0\r\n..."}`
//! (`JSON.stringify(pc.localDescription)`, the `[Default] toJSON()` of `RTCSessionDescription`).
//! `type` is required on input except for the local init (where `setLocalDescription` infers
//! it); `sdp` defaults to `""`. The SDP text itself is parsed by the SDP crate, not here.

use serde::{Deserialize, Serialize};

use crate::enums::RtcSdpType;

/// The `RTCSessionDescriptionInit` dictionary: what `createOffer`/`createAnswer` produce and
/// `setRemoteDescription` takes.
#[doc(alias = "RTCSessionDescriptionInit")]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RtcSessionDescriptionInit {
    /// `type` (required).
    #[doc(alias = "type")]
    #[serde(rename = "type")]
    pub sdp_type: RtcSdpType,
    /// `sdp`: the SDP text; unused for `"rollback"`.
    #[serde(default)]
    pub sdp: String,
}

impl RtcSessionDescriptionInit {
    /// A description of this type with this SDP.
    pub fn new(sdp_type: RtcSdpType, sdp: impl Into<String>) -> Self {
        Self {
            sdp_type,
            sdp: sdp.into(),
        }
    }

    /// An offer.
    pub fn offer(sdp: impl Into<String>) -> Self {
        Self::new(RtcSdpType::Offer, sdp)
    }

    /// An answer.
    pub fn answer(sdp: impl Into<String>) -> Self {
        Self::new(RtcSdpType::Answer, sdp)
    }

    /// A provisional answer.
    pub fn pranswer(sdp: impl Into<String>) -> Self {
        Self::new(RtcSdpType::Pranswer, sdp)
    }

    /// A rollback (its SDP is empty and unused).
    pub fn rollback() -> Self {
        Self::new(RtcSdpType::Rollback, String::new())
    }
}

/// The `RTCLocalSessionDescriptionInit` dictionary, the argument of `setLocalDescription`:
/// like [`RtcSessionDescriptionInit`] but `type` may be absent, in which case it is inferred
/// from the signaling state, and both may be absent (`setLocalDescription()`).
#[doc(alias = "RTCLocalSessionDescriptionInit")]
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RtcLocalSessionDescriptionInit {
    /// `type`, if given.
    #[doc(alias = "type")]
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub sdp_type: Option<RtcSdpType>,
    /// `sdp`: the SDP text, `""` for "generate it".
    #[serde(default)]
    pub sdp: String,
}

impl From<RtcSessionDescriptionInit> for RtcLocalSessionDescriptionInit {
    fn from(init: RtcSessionDescriptionInit) -> Self {
        Self {
            sdp_type: Some(init.sdp_type),
            sdp: init.sdp,
        }
    }
}

/// The `RTCSessionDescription` interface: an applied description, as the `localDescription`,
/// `remoteDescription` (and current/pending) attributes return it. Read-only.
#[doc(alias = "RTCSessionDescription")]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RtcSessionDescription {
    #[serde(rename = "type")]
    sdp_type: RtcSdpType,
    sdp: String,
}

impl RtcSessionDescription {
    /// The (legacy) constructor: a description from its init dictionary.
    pub fn new(init: RtcSessionDescriptionInit) -> Self {
        Self {
            sdp_type: init.sdp_type,
            sdp: init.sdp,
        }
    }

    /// `type`.
    #[doc(alias = "type")]
    pub fn sdp_type(&self) -> RtcSdpType {
        self.sdp_type
    }

    /// `sdp`.
    pub fn sdp(&self) -> &str {
        &self.sdp
    }

    /// `toJSON()`: the init dictionary with the same members.
    pub fn to_json(&self) -> RtcSessionDescriptionInit {
        RtcSessionDescriptionInit {
            sdp_type: self.sdp_type,
            sdp: self.sdp.clone(),
        }
    }
}

impl From<RtcSessionDescriptionInit> for RtcSessionDescription {
    fn from(init: RtcSessionDescriptionInit) -> Self {
        Self::new(init)
    }
}

impl From<RtcSessionDescription> for RtcSessionDescriptionInit {
    fn from(desc: RtcSessionDescription) -> Self {
        Self {
            sdp_type: desc.sdp_type,
            sdp: desc.sdp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDP: &str = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    #[test]
    fn json_is_type_then_sdp() {
        let init = RtcSessionDescriptionInit::offer(SDP);
        let json = serde_json::to_string(&init).unwrap();
        assert_eq!(
            json,
            r#"{"type":"offer","sdp":"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"}"#
        );
        assert_eq!(
            serde_json::from_str::<RtcSessionDescriptionInit>(&json).unwrap(),
            init
        );
        let desc = RtcSessionDescription::new(init.clone());
        assert_eq!(serde_json::to_string(&desc).unwrap(), json);
        assert_eq!(desc.to_json(), init);
        assert_eq!(desc.sdp_type(), RtcSdpType::Offer);
        assert_eq!(desc.sdp(), SDP);
    }

    #[test]
    fn type_is_required_sdp_defaults_to_empty() {
        assert!(serde_json::from_str::<RtcSessionDescriptionInit>(r#"{"sdp":"v=0"}"#).is_err());
        let rollback: RtcSessionDescriptionInit =
            serde_json::from_str(r#"{"type":"rollback"}"#).unwrap();
        assert_eq!(rollback, RtcSessionDescriptionInit::rollback());
        let err = serde_json::from_str::<RtcSessionDescriptionInit>(r#"{"type":"Offer","sdp":""}"#)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("'Offer' is not a valid value for enumeration RTCSdpType")
        );
    }

    #[test]
    fn local_init_type_is_optional() {
        let empty: RtcLocalSessionDescriptionInit = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, RtcLocalSessionDescriptionInit::default());
        assert_eq!(serde_json::to_string(&empty).unwrap(), r#"{"sdp":""}"#);
        let answer: RtcLocalSessionDescriptionInit =
            serde_json::from_str(r#"{"type":"answer","sdp":"v=0\r\n"}"#).unwrap();
        assert_eq!(answer.sdp_type, Some(RtcSdpType::Answer));
        assert_eq!(
            RtcLocalSessionDescriptionInit::from(RtcSessionDescriptionInit::pranswer("x")),
            RtcLocalSessionDescriptionInit {
                sdp_type: Some(RtcSdpType::Pranswer),
                sdp: "x".into()
            }
        );
    }
}
