//! The `RTCDataChannelInit` dictionary (webrtc-pc §6.2.11, plus webrtc-priority's `priority`)
//! and the argument checks of `createDataChannel` (webrtc-pc §6.1.2), which turn it into
//! [`DataChannelParameters`] for the SCTP/DCEP layer (RFC 8831, RFC 8832).
//!
//! Checked here, in the spec's order: the label and the protocol at most 65535 bytes of UTF-8
//! (`TypeError`); `negotiated` without `id` (`TypeError`); both `maxPacketLifeTime` and
//! `maxRetransmits` (`TypeError`); either one clamped to the implementation's maximum
//! ([`DataChannelLimits`]); `id` 65535 (`TypeError`). The connection checks the rest (closed
//! connection, id allocation and collisions, `[[MaxChannels]]`).
//!
//! JSON uses the W3C member names; `maxPacketLifeTime`, `maxRetransmits` and `id` are
//! `[EnforceRange] unsigned short` ([`crate::webidl`]: absent is `None`, `null` is 0).

use serde::{Deserialize, Serialize};

use crate::RtcError;
use crate::enums::RtcPriorityType;

/// The most bytes of UTF-8 a data channel label or protocol may have (webrtc-pc §6.1.2).
pub const MAX_LABEL_BYTES: usize = 65535;

/// The largest data channel id (SCTP stream id) that may be used: 65534 (webrtc-pc §6.1.2,
/// RFC 8832 §6; stream 65535 is reserved).
pub const MAX_DATA_CHANNEL_ID: u16 = 65534;

/// The `RTCDataChannelInit` dictionary. `Default` gives the spec's defaults: ordered, reliable,
/// protocol `""`, not negotiated, no id, priority `"low"`.
///
/// Fields are declared in WebIDL's dictionary order (lexicographic), the order of the JSON
/// members.
#[doc(alias = "RTCDataChannelInit")]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RtcDataChannelInit {
    /// `id`: the SCTP stream id, used only when `negotiated` is true.
    #[serde(
        deserialize_with = "crate::webidl::de_opt_unsigned_short",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<u16>,
    /// `maxPacketLifeTime`: milliseconds during which a message is (re)transmitted.
    #[serde(
        deserialize_with = "crate::webidl::de_opt_unsigned_short",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_packet_life_time: Option<u16>,
    /// `maxRetransmits`: how many times a message is retransmitted.
    #[serde(
        deserialize_with = "crate::webidl::de_opt_unsigned_short",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_retransmits: Option<u16>,
    /// `negotiated` (default false): the application negotiates the channel out of band
    /// instead of DCEP announcing it.
    pub negotiated: bool,
    /// `ordered` (default true): deliver messages in order.
    pub ordered: bool,
    /// `priority` (webrtc-priority, default `"low"`).
    pub priority: RtcPriorityType,
    /// `protocol` (default `""`): the sub-protocol name.
    pub protocol: String,
}

impl Default for RtcDataChannelInit {
    fn default() -> Self {
        Self {
            id: None,
            max_packet_life_time: None,
            max_retransmits: None,
            negotiated: false,
            ordered: true,
            priority: RtcPriorityType::Low,
            protocol: String::new(),
        }
    }
}

/// The implementation's maxima for the partial-reliability settings; larger values given by the
/// application are clamped to them (webrtc-pc §6.1.2). The default is `u16::MAX` for both:
/// DCEP carries the reliability parameter in 32 bits (RFC 8832 §5.1), so every
/// `unsigned short` is usable and nothing is clamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataChannelLimits {
    /// The largest `maxPacketLifeTime`, in milliseconds.
    pub max_packet_life_time: u16,
    /// The largest `maxRetransmits`.
    pub max_retransmits: u16,
}

impl Default for DataChannelLimits {
    fn default() -> Self {
        Self {
            max_packet_life_time: u16::MAX,
            max_retransmits: u16::MAX,
        }
    }
}

/// How reliably a channel delivers: at most one of the two limits (RFC 8831 §6.1, the DCEP
/// channel types of RFC 8832 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataChannelReliability {
    /// Fully reliable.
    Reliable,
    /// Partially reliable, limited in time (milliseconds).
    MaxPacketLifeTime(u16),
    /// Partially reliable, limited in retransmissions.
    MaxRetransmits(u16),
}

/// A data channel's parameters after the `createDataChannel` checks: what the data channel
/// layer needs to open it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataChannelParameters {
    /// The label.
    pub label: String,
    /// Whether delivery is ordered.
    pub ordered: bool,
    /// The reliability, clamped to the [`DataChannelLimits`].
    pub reliability: DataChannelReliability,
    /// The sub-protocol.
    pub protocol: String,
    /// Whether the channel was negotiated out of band.
    pub negotiated: bool,
    /// The id: the given one for a negotiated channel (always `Some` then, at most
    /// [`MAX_DATA_CHANNEL_ID`]); `None` for an in-band channel, whose id the connection picks
    /// from the DTLS role (RFC 8832 §6).
    pub id: Option<u16>,
    /// The priority.
    pub priority: RtcPriorityType,
}

impl RtcDataChannelInit {
    /// The `createDataChannel(label, this)` argument checks (webrtc-pc §6.1.2 steps 4-17; the
    /// `[[IsClosed]]` check of step 2 and the id steps from 18 on belong to the connection).
    pub fn validate(
        &self,
        label: &str,
        limits: &DataChannelLimits,
    ) -> Result<DataChannelParameters, RtcError> {
        if label.len() > MAX_LABEL_BYTES {
            return Err(RtcError::type_error(format!(
                "the data channel label has {} bytes; at most {MAX_LABEL_BYTES} are allowed",
                label.len()
            )));
        }
        if self.protocol.len() > MAX_LABEL_BYTES {
            return Err(RtcError::type_error(format!(
                "the data channel protocol has {} bytes; at most {MAX_LABEL_BYTES} are allowed",
                self.protocol.len()
            )));
        }
        // The id is ignored for a channel negotiated in band.
        let id = if self.negotiated { self.id } else { None };
        if self.negotiated && id.is_none() {
            return Err(RtcError::type_error(
                "a negotiated data channel needs an id",
            ));
        }
        let reliability = match (self.max_packet_life_time, self.max_retransmits) {
            (Some(_), Some(_)) => {
                return Err(RtcError::type_error(
                    "maxPacketLifeTime and maxRetransmits cannot both be set",
                ));
            }
            (Some(ms), None) => {
                DataChannelReliability::MaxPacketLifeTime(ms.min(limits.max_packet_life_time))
            }
            (None, Some(n)) => {
                DataChannelReliability::MaxRetransmits(n.min(limits.max_retransmits))
            }
            (None, None) => DataChannelReliability::Reliable,
        };
        if id.is_some_and(|id| id > MAX_DATA_CHANNEL_ID) {
            return Err(RtcError::type_error(format!(
                "data channel id 65535 is above the maximum {MAX_DATA_CHANNEL_ID}"
            )));
        }
        Ok(DataChannelParameters {
            label: label.to_owned(),
            ordered: self.ordered,
            reliability,
            protocol: self.protocol.clone(),
            negotiated: self.negotiated,
            id,
            priority: self.priority,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RtcErrorKind;

    fn check(init: &RtcDataChannelInit, label: &str) -> Result<DataChannelParameters, RtcError> {
        init.validate(label, &DataChannelLimits::default())
    }

    fn type_error(r: Result<DataChannelParameters, RtcError>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), RtcErrorKind::TypeError);
        e.message().to_owned()
    }

    #[test]
    fn defaults_per_spec() {
        let p = check(&RtcDataChannelInit::default(), "chat").unwrap();
        assert_eq!(
            p,
            DataChannelParameters {
                label: "chat".into(),
                ordered: true,
                reliability: DataChannelReliability::Reliable,
                protocol: String::new(),
                negotiated: false,
                id: None,
                priority: RtcPriorityType::Low,
            }
        );
    }

    #[test]
    fn label_and_protocol_length_in_utf8_bytes() {
        let init = RtcDataChannelInit::default();
        assert!(check(&init, &"a".repeat(65535)).is_ok());
        assert!(type_error(check(&init, &"a".repeat(65536))).contains("label"));
        // 21846 three-byte characters are 65538 bytes though only 21846 UTF-16 units.
        assert!(type_error(check(&init, &"€".repeat(21846))).contains("label"));
        assert!(check(&init, &"€".repeat(21845)).is_ok());

        let mut init = RtcDataChannelInit {
            protocol: "p".repeat(65535),
            ..Default::default()
        };
        assert!(check(&init, "x").is_ok());
        init.protocol.push('p');
        assert!(type_error(check(&init, "x")).contains("protocol"));
    }

    #[test]
    fn negotiated_needs_an_id_and_id_is_ignored_otherwise() {
        let mut init = RtcDataChannelInit {
            negotiated: true,
            ..Default::default()
        };
        assert!(type_error(check(&init, "x")).contains("needs an id"));
        init.id = Some(0);
        assert_eq!(check(&init, "x").unwrap().id, Some(0));

        let init = RtcDataChannelInit {
            negotiated: false,
            id: Some(7),
            ..Default::default()
        };
        assert_eq!(check(&init, "x").unwrap().id, None);
        // Even 65535 is fine when it is ignored.
        let init = RtcDataChannelInit {
            id: Some(65535),
            ..Default::default()
        };
        assert_eq!(check(&init, "x").unwrap().id, None);
    }

    #[test]
    fn id_65535_is_a_type_error() {
        let mut init = RtcDataChannelInit {
            negotiated: true,
            id: Some(65535),
            ..Default::default()
        };
        assert!(type_error(check(&init, "x")).contains("65535"));
        init.id = Some(65534);
        assert_eq!(check(&init, "x").unwrap().id, Some(65534));
    }

    #[test]
    fn both_partial_reliability_settings_is_a_type_error() {
        let init = RtcDataChannelInit {
            max_packet_life_time: Some(0),
            max_retransmits: Some(0),
            ..Default::default()
        };
        assert!(type_error(check(&init, "x")).contains("both"));
    }

    #[test]
    fn partial_reliability_is_clamped_to_the_limits() {
        let limits = DataChannelLimits {
            max_packet_life_time: 1000,
            max_retransmits: 10,
        };
        let init = RtcDataChannelInit {
            max_packet_life_time: Some(5000),
            ..Default::default()
        };
        assert_eq!(
            init.validate("x", &limits).unwrap().reliability,
            DataChannelReliability::MaxPacketLifeTime(1000)
        );
        assert_eq!(
            check(&init, "x").unwrap().reliability,
            DataChannelReliability::MaxPacketLifeTime(5000)
        );
        let init = RtcDataChannelInit {
            max_retransmits: Some(11),
            ..Default::default()
        };
        assert_eq!(
            init.validate("x", &limits).unwrap().reliability,
            DataChannelReliability::MaxRetransmits(10)
        );
        let init = RtcDataChannelInit {
            max_retransmits: Some(3),
            ..Default::default()
        };
        assert_eq!(
            init.validate("x", &limits).unwrap().reliability,
            DataChannelReliability::MaxRetransmits(3)
        );
    }

    #[test]
    fn checks_run_in_spec_order() {
        // Label before everything else.
        let init = RtcDataChannelInit {
            negotiated: true,
            max_packet_life_time: Some(1),
            max_retransmits: Some(1),
            ..Default::default()
        };
        assert!(type_error(check(&init, &"a".repeat(70000))).contains("label"));
        // Missing id before both-set.
        assert!(type_error(check(&init, "x")).contains("needs an id"));
    }

    #[test]
    fn json_members_and_enforce_range() {
        let init: RtcDataChannelInit = serde_json::from_str("{}").unwrap();
        assert_eq!(init, RtcDataChannelInit::default());
        assert_eq!(
            serde_json::to_string(&init).unwrap(),
            r#"{"negotiated":false,"ordered":true,"priority":"low","protocol":""}"#
        );
        let json = r#"{"id":1,"maxRetransmits":0,"negotiated":true,"ordered":false,"priority":"high","protocol":"chat"}"#;
        let init: RtcDataChannelInit = serde_json::from_str(json).unwrap();
        assert_eq!(init.id, Some(1));
        assert_eq!(init.max_retransmits, Some(0));
        assert_eq!(init.priority, RtcPriorityType::High);
        assert_eq!(serde_json::to_string(&init).unwrap(), json);

        let init: RtcDataChannelInit =
            serde_json::from_str(r#"{"maxPacketLifeTime":150.9,"id":null}"#).unwrap();
        assert_eq!(init.max_packet_life_time, Some(150));
        // A present null converts to 0, as in WebIDL; an absent member stays None.
        assert_eq!(init.id, Some(0));
        assert_eq!(init.max_retransmits, None);
        for bad in [
            r#"{"maxPacketLifeTime":65536}"#,
            r#"{"maxRetransmits":-1}"#,
            r#"{"id":1e10}"#,
            r#"{"id":"1"}"#,
            r#"{"priority":"urgent"}"#,
        ] {
            assert!(
                serde_json::from_str::<RtcDataChannelInit>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
