//! ICE candidates as signalled: the `RTCIceCandidateInit` and `RTCLocalIceCandidateInit`
//! dictionaries (webrtc-pc §4.8.1.4, §4.8.1.5) and the argument checks of the `RTCIceCandidate`
//! constructor (§4.8.1.1) and `addIceCandidate` (§4.4.2.2).
//!
//! JSON is what `RTCIceCandidate.toJSON()` gives (§4.8.1.3): `candidate`, `sdpMid`,
//! `sdpMLineIndex` and `usernameFragment`, with `null` for an absent nullable member, in that
//! order. On input every member is optional (`candidate` defaults to `""`, the others to `null`).
//! The `candidate-attribute` text itself (RFC 8839 §5.1) is parsed by the ICE layer.

use serde::{Deserialize, Serialize};

use crate::RtcError;
use crate::enums::RtcIceServerTransportProtocol;

/// The `RTCIceCandidateInit` dictionary: a candidate line with the media section it belongs to.
/// An empty `candidate` is an end-of-candidates indication.
#[doc(alias = "RTCIceCandidateInit")]
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RtcIceCandidateInit {
    /// `candidate`: the `candidate-attribute` (`"candidate:..."`), or `""`.
    pub candidate: String,
    /// `sdpMid`: the media stream identification tag (RFC 5888) of the section.
    pub sdp_mid: Option<String>,
    /// `sdpMLineIndex`: the 0-based index of the media description.
    #[serde(rename = "sdpMLineIndex")]
    pub sdp_m_line_index: Option<u16>,
    /// `usernameFragment`: the ICE ufrag (RFC 8839 §5.4) the candidate belongs to.
    pub username_fragment: Option<String>,
}

impl RtcIceCandidateInit {
    /// Whether this is an end-of-candidates indication (`candidate` is empty).
    pub fn is_end_of_candidates(&self) -> bool {
        self.candidate.is_empty()
    }

    /// The check of the `RTCIceCandidate` constructor (webrtc-pc §4.8.1.1): `TypeError` when
    /// both `sdpMid` and `sdpMLineIndex` are null.
    pub fn validate_for_constructor(&self) -> Result<(), RtcError> {
        if self.sdp_mid.is_none() && self.sdp_m_line_index.is_none() {
            return Err(RtcError::type_error(
                "an RTCIceCandidate needs sdpMid or sdpMLineIndex",
            ));
        }
        Ok(())
    }

    /// The synchronous check of `addIceCandidate` (webrtc-pc §4.4.2.2 step 3): `TypeError`
    /// when `candidate` is not empty and both `sdpMid` and `sdpMLineIndex` are null. (The
    /// checks against the remote description come later, on the operations chain.)
    pub fn validate_for_add(&self) -> Result<(), RtcError> {
        if !self.candidate.is_empty() && self.sdp_mid.is_none() && self.sdp_m_line_index.is_none() {
            return Err(RtcError::type_error(
                "addIceCandidate needs sdpMid or sdpMLineIndex for a candidate",
            ));
        }
        Ok(())
    }
}

/// The `RTCLocalIceCandidateInit` dictionary: an [`RtcIceCandidateInit`] plus what only a local
/// candidate knows, which never survives `toJSON()`.
#[doc(alias = "RTCLocalIceCandidateInit")]
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RtcLocalIceCandidateInit {
    /// The signalled members.
    #[serde(flatten)]
    pub init: RtcIceCandidateInit,
    /// `relayProtocol`: for a relay candidate, the protocol to the TURN server.
    pub relay_protocol: Option<RtcIceServerTransportProtocol>,
    /// `url`: for a srflx or relay candidate, the URL of the ICE server it came from.
    pub url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RtcErrorKind;

    fn init(candidate: &str, mid: Option<&str>, index: Option<u16>) -> RtcIceCandidateInit {
        RtcIceCandidateInit {
            candidate: candidate.into(),
            sdp_mid: mid.map(Into::into),
            sdp_m_line_index: index,
            username_fragment: None,
        }
    }

    #[test]
    fn constructor_needs_mid_or_index() {
        let err = init("", None, None).validate_for_constructor().unwrap_err();
        assert_eq!(err.kind(), RtcErrorKind::TypeError);
        let line = "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host";
        assert_eq!(
            init(line, None, None)
                .validate_for_constructor()
                .unwrap_err()
                .kind(),
            RtcErrorKind::TypeError
        );
        assert!(
            init(line, Some("0"), None)
                .validate_for_constructor()
                .is_ok()
        );
        assert!(init(line, None, Some(0)).validate_for_constructor().is_ok());
        assert!(
            init("", Some("0"), Some(0))
                .validate_for_constructor()
                .is_ok()
        );
    }

    #[test]
    fn add_ice_candidate_needs_mid_or_index_unless_end_of_candidates() {
        let line = "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host";
        assert_eq!(
            init(line, None, None)
                .validate_for_add()
                .unwrap_err()
                .kind(),
            RtcErrorKind::TypeError
        );
        assert!(init(line, Some("audio"), None).validate_for_add().is_ok());
        assert!(init(line, None, Some(1)).validate_for_add().is_ok());
        // `addIceCandidate({})`: end of candidates for all sections, allowed.
        let eoc = init("", None, None);
        assert!(eoc.is_end_of_candidates());
        assert!(eoc.validate_for_add().is_ok());
        assert!(!init(line, None, Some(1)).is_end_of_candidates());
    }

    #[test]
    fn json_writes_nulls_and_reads_missing_members_as_defaults() {
        let c = init("", None, None);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"candidate":"","sdpMid":null,"sdpMLineIndex":null,"usernameFragment":null}"#
        );
        assert_eq!(
            serde_json::from_str::<RtcIceCandidateInit>("{}").unwrap(),
            c
        );
        let c: RtcIceCandidateInit = serde_json::from_str(r#"{"sdpMLineIndex":2}"#).unwrap();
        assert_eq!(c.sdp_m_line_index, Some(2));
        assert!(serde_json::from_str::<RtcIceCandidateInit>(r#"{"sdpMLineIndex":-1}"#).is_err());
        assert!(serde_json::from_str::<RtcIceCandidateInit>(r#"{"sdpMid":3}"#).is_err());
    }

    #[test]
    fn local_init_adds_relay_protocol_and_url() {
        let json = r#"{"candidate":"candidate:3 1 udp 41885439 203.0.113.9 50000 typ relay raddr 198.51.100.2 rport 40000","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"EsAw","relayProtocol":"tls","url":"turns:turn.example.org"}"#;
        let local: RtcLocalIceCandidateInit = serde_json::from_str(json).unwrap();
        assert_eq!(
            local.relay_protocol,
            Some(RtcIceServerTransportProtocol::Tls)
        );
        assert_eq!(local.url.as_deref(), Some("turns:turn.example.org"));
        assert_eq!(local.init.sdp_mid.as_deref(), Some("0"));
        assert_eq!(serde_json::to_string(&local).unwrap(), json);
    }
}
