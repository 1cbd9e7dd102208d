//! The table test of every W3C enumeration: each (variant, string) pair round-trips through
//! `as_str`/`Display`, `FromStr` and serde JSON, `ALL` lists every value in IDL order, and wrong
//! casing, padding or separators are rejected with the WebIDL `TypeError`.

use std::collections::HashSet;
use std::fmt::Debug;
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

use rtcpeer_core::*;

/// Checks one enum against its expected (IDL name, strings in IDL order) table.
fn check<T>(table: &[(T, &str)], w3c_name: &str, all: &[T])
where
    T: Copy
        + Eq
        + Debug
        + std::hash::Hash
        + std::fmt::Display
        + FromStr<Err = RtcError>
        + Serialize
        + DeserializeOwned,
{
    assert_eq!(
        all,
        table.iter().map(|(v, _)| *v).collect::<Vec<_>>().as_slice(),
        "{w3c_name}: ALL is every value in IDL order"
    );
    let strings: HashSet<&str> = table.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        strings.len(),
        table.len(),
        "{w3c_name}: strings are distinct"
    );
    for &(value, s) in table {
        assert_eq!(value.to_string(), s);
        assert_eq!(T::from_str(s).unwrap(), value);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, format!("\"{s}\""));
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value);

        // WebIDL enum matching is exact: wrong casing and padding are rejected.
        for wrong in [
            s.to_uppercase(),
            capitalize(s),
            format!(" {s}"),
            format!("{s} "),
            s.replace('-', "_"),
        ] {
            if wrong == s {
                continue;
            }
            let err = T::from_str(&wrong).unwrap_err();
            assert_eq!(err.kind(), RtcErrorKind::TypeError);
            assert_eq!(
                err.message(),
                format!("'{wrong}' is not a valid value for enumeration {w3c_name}")
            );
            let json_err = serde_json::from_str::<T>(&format!("\"{wrong}\"")).unwrap_err();
            assert!(
                json_err
                    .to_string()
                    .contains(&format!("is not a valid value for enumeration {w3c_name}")),
                "{json_err}"
            );
        }
    }
    assert!(T::from_str("").is_err());
    assert!(serde_json::from_str::<T>("0").is_err());
    assert!(serde_json::from_str::<T>("null").is_err());
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

macro_rules! table_test {
    ($test:ident, $ty:ident, $w3c:literal, [$($v:ident = $s:literal),+ $(,)?]) => {
        #[test]
        fn $test() {
            assert_eq!($ty::W3C_NAME, $w3c);
            check(&[$(($ty::$v, $s)),+], $w3c, $ty::ALL);
        }
    };
}

table_test!(
    signaling_state,
    RtcSignalingState,
    "RTCSignalingState",
    [
        Stable = "stable",
        HaveLocalOffer = "have-local-offer",
        HaveRemoteOffer = "have-remote-offer",
        HaveLocalPranswer = "have-local-pranswer",
        HaveRemotePranswer = "have-remote-pranswer",
        Closed = "closed",
    ]
);
table_test!(
    ice_gathering_state,
    RtcIceGatheringState,
    "RTCIceGatheringState",
    [New = "new", Gathering = "gathering", Complete = "complete",]
);
table_test!(
    peer_connection_state,
    RtcPeerConnectionState,
    "RTCPeerConnectionState",
    [
        Closed = "closed",
        Failed = "failed",
        Disconnected = "disconnected",
        New = "new",
        Connecting = "connecting",
        Connected = "connected",
    ]
);
table_test!(
    ice_connection_state,
    RtcIceConnectionState,
    "RTCIceConnectionState",
    [
        Closed = "closed",
        Failed = "failed",
        Disconnected = "disconnected",
        New = "new",
        Checking = "checking",
        Completed = "completed",
        Connected = "connected",
    ]
);
table_test!(
    ice_transport_policy,
    RtcIceTransportPolicy,
    "RTCIceTransportPolicy",
    [Relay = "relay", All = "all", Public = "public",]
);
table_test!(
    bundle_policy,
    RtcBundlePolicy,
    "RTCBundlePolicy",
    [
        Balanced = "balanced",
        MaxCompat = "max-compat",
        MaxBundle = "max-bundle",
    ]
);
table_test!(
    rtcp_mux_policy,
    RtcRtcpMuxPolicy,
    "RTCRtcpMuxPolicy",
    [Require = "require", Negotiate = "negotiate",]
);
table_test!(
    sdp_type,
    RtcSdpType,
    "RTCSdpType",
    [
        Offer = "offer",
        Pranswer = "pranswer",
        Answer = "answer",
        Rollback = "rollback",
    ]
);
table_test!(
    ice_protocol,
    RtcIceProtocol,
    "RTCIceProtocol",
    [Udp = "udp", Tcp = "tcp"]
);
table_test!(
    ice_tcp_candidate_type,
    RtcIceTcpCandidateType,
    "RTCIceTcpCandidateType",
    [Active = "active", Passive = "passive", So = "so",]
);
table_test!(
    ice_candidate_type,
    RtcIceCandidateType,
    "RTCIceCandidateType",
    [
        Host = "host",
        Srflx = "srflx",
        Prflx = "prflx",
        Relay = "relay",
    ]
);
table_test!(
    ice_server_transport_protocol,
    RtcIceServerTransportProtocol,
    "RTCIceServerTransportProtocol",
    [Udp = "udp", Tcp = "tcp", Tls = "tls"]
);
table_test!(
    rtp_transceiver_direction,
    RtcRtpTransceiverDirection,
    "RTCRtpTransceiverDirection",
    [
        Sendrecv = "sendrecv",
        Sendonly = "sendonly",
        Recvonly = "recvonly",
        Inactive = "inactive",
        Stopped = "stopped",
    ]
);
table_test!(
    dtls_transport_state,
    RtcDtlsTransportState,
    "RTCDtlsTransportState",
    [
        New = "new",
        Connecting = "connecting",
        Connected = "connected",
        Closed = "closed",
        Failed = "failed",
    ]
);
table_test!(
    ice_gatherer_state,
    RtcIceGathererState,
    "RTCIceGathererState",
    [New = "new", Gathering = "gathering", Complete = "complete",]
);
table_test!(
    ice_transport_state,
    RtcIceTransportState,
    "RTCIceTransportState",
    [
        Closed = "closed",
        Failed = "failed",
        Disconnected = "disconnected",
        New = "new",
        Checking = "checking",
        Completed = "completed",
        Connected = "connected",
    ]
);
table_test!(
    ice_role,
    RtcIceRole,
    "RTCIceRole",
    [
        Unknown = "unknown",
        Controlling = "controlling",
        Controlled = "controlled",
    ]
);
table_test!(
    ice_component,
    RtcIceComponent,
    "RTCIceComponent",
    [Rtp = "rtp", Rtcp = "rtcp"]
);
table_test!(
    sctp_transport_state,
    RtcSctpTransportState,
    "RTCSctpTransportState",
    [
        Connecting = "connecting",
        Connected = "connected",
        Closed = "closed",
    ]
);
table_test!(
    data_channel_state,
    RtcDataChannelState,
    "RTCDataChannelState",
    [
        Connecting = "connecting",
        Open = "open",
        Closing = "closing",
        Closed = "closed",
    ]
);
table_test!(
    error_detail_type,
    RtcErrorDetailType,
    "RTCErrorDetailType",
    [
        DataChannelFailure = "data-channel-failure",
        DtlsFailure = "dtls-failure",
        FingerprintFailure = "fingerprint-failure",
        SctpFailure = "sctp-failure",
        SdpSyntaxError = "sdp-syntax-error",
        HardwareEncoderNotAvailable = "hardware-encoder-not-available",
        HardwareEncoderError = "hardware-encoder-error",
    ]
);
table_test!(
    error_detail_type_idp,
    RtcErrorDetailTypeIdp,
    "RTCErrorDetailTypeIdp",
    [
        IdpBadScriptFailure = "idp-bad-script-failure",
        IdpExecutionFailure = "idp-execution-failure",
        IdpLoadFailure = "idp-load-failure",
        IdpNeedLogin = "idp-need-login",
        IdpTimeout = "idp-timeout",
        IdpTlsFailure = "idp-tls-failure",
        IdpTokenExpired = "idp-token-expired",
        IdpTokenInvalid = "idp-token-invalid",
    ]
);
table_test!(
    priority_type,
    RtcPriorityType,
    "RTCPriorityType",
    [
        VeryLow = "very-low",
        Low = "low",
        Medium = "medium",
        High = "high",
    ]
);
table_test!(
    stats_type,
    RtcStatsType,
    "RTCStatsType",
    [
        Codec = "codec",
        InboundRtp = "inbound-rtp",
        OutboundRtp = "outbound-rtp",
        RemoteInboundRtp = "remote-inbound-rtp",
        RemoteOutboundRtp = "remote-outbound-rtp",
        MediaSource = "media-source",
        MediaPlayout = "media-playout",
        PeerConnection = "peer-connection",
        DataChannel = "data-channel",
        Transport = "transport",
        CandidatePair = "candidate-pair",
        LocalCandidate = "local-candidate",
        RemoteCandidate = "remote-candidate",
        Certificate = "certificate",
    ]
);
table_test!(
    quality_limitation_reason,
    RtcQualityLimitationReason,
    "RTCQualityLimitationReason",
    [
        None = "none",
        Cpu = "cpu",
        Bandwidth = "bandwidth",
        Other = "other"
    ]
);
table_test!(
    dtls_role,
    RtcDtlsRole,
    "RTCDtlsRole",
    [Client = "client", Server = "server", Unknown = "unknown",]
);
table_test!(
    stats_ice_candidate_pair_state,
    RtcStatsIceCandidatePairState,
    "RTCStatsIceCandidatePairState",
    [
        Frozen = "frozen",
        Waiting = "waiting",
        InProgress = "in-progress",
        Failed = "failed",
        Succeeded = "succeeded",
    ]
);

#[test]
fn dictionary_defaults() {
    assert_eq!(RtcIceTransportPolicy::default(), RtcIceTransportPolicy::All);
    assert_eq!(RtcBundlePolicy::default(), RtcBundlePolicy::Balanced);
    assert_eq!(RtcRtcpMuxPolicy::default(), RtcRtcpMuxPolicy::Require);
    assert_eq!(RtcPriorityType::default(), RtcPriorityType::Low);
}

#[test]
fn json_in_a_struct_and_borrowed_or_owned_strings() {
    #[derive(serde::Deserialize)]
    struct S {
        state: RtcSignalingState,
    }
    let s: S = serde_json::from_str(r#"{"state":"have-remote-pranswer"}"#).unwrap();
    assert_eq!(s.state, RtcSignalingState::HaveRemotePranswer);
    // An escaped string arrives owned, not borrowed.
    let s: S = serde_json::from_str(r#"{"state":"have\u002dlocal-offer"}"#).unwrap();
    assert_eq!(s.state, RtcSignalingState::HaveLocalOffer);
}
