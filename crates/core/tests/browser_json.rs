//! JSON written the way browsers write it (`JSON.stringify(pc.getConfiguration())`,
//! `JSON.stringify(pc.localDescription)`, `candidate.toJSON()`) parses into the W3C types and is
//! written back with the same members and values, and the JSON of any value parses back to it.
//!
//! The samples have the shape Chrome and Firefox produce; addresses are from the documentation
//! ranges (RFC 5737, RFC 3849) and the secrets are made up.

use proptest::prelude::*;
use rtcpeer_core::*;
use serde_json::Value;

/// Parses `json` as `T`, writes it back, and checks the result equals `json` without the
/// members in `dropped` (those the W3C types do not carry).
fn round_trip<T>(json: &str, dropped: &[&str]) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let parsed: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let written = serde_json::to_string(&parsed).unwrap();
    let mut expected: Value = serde_json::from_str(json).unwrap();
    if let Value::Object(map) = &mut expected {
        for member in dropped {
            map.remove(*member);
        }
    }
    assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), expected);
    parsed
}

#[test]
fn chrome_get_configuration() {
    // Chrome writes dictionary members in lexicographic order, plus members of its own.
    let chrome = r#"{"bundlePolicy":"balanced","certificates":[{}],"encodedInsertableStreams":false,"iceCandidatePoolSize":0,"iceServers":[{"urls":["stun:stun.l.google.com:19302"]}],"iceTransportPolicy":"all","rtcpMuxPolicy":"require","sdpSemantics":"unified-plan"}"#;
    let config: RtcConfiguration = round_trip(
        chrome,
        &["certificates", "encodedInsertableStreams", "sdpSemantics"],
    );
    assert_eq!(config.bundle_policy, RtcBundlePolicy::Balanced);
    assert!(config.certificates.is_empty());
    let list = config
        .validate_new(std::time::SystemTime::UNIX_EPOCH, IceServerScheme::ALL)
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].url.port(), 19302);
    // Without the foreign members, Chrome's text comes back byte for byte.
    let known = r#"{"bundlePolicy":"balanced","iceCandidatePoolSize":0,"iceServers":[{"urls":["stun:stun.l.google.com:19302"]}],"iceTransportPolicy":"all","rtcpMuxPolicy":"require"}"#;
    let config: RtcConfiguration = serde_json::from_str(known).unwrap();
    assert_eq!(serde_json::to_string(&config).unwrap(), known);
}

#[test]
fn application_configuration_with_turn() {
    let app = r#"{
        "iceServers": [
            {"urls": "stun:stun.example.org"},
            {"urls": ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443?transport=tcp"],
             "username": "1700000000:alice", "credential": "c2VjcmV0LWtleQ=="},
            {"urls": "turn:[2001:db8::3478]", "username": "bob", "credential": "pw"}
        ],
        "iceTransportPolicy": "relay",
        "bundlePolicy": "max-bundle",
        "rtcpMuxPolicy": "require",
        "iceCandidatePoolSize": 2
    }"#;
    let config: RtcConfiguration = round_trip(app, &[]);
    // A single URL string stays a string, a list stays a list.
    assert_eq!(
        config.ice_servers[0].urls,
        RtcIceServerUrls::One("stun:stun.example.org".into())
    );
    assert!(matches!(
        config.ice_servers[1].urls,
        RtcIceServerUrls::Many(_)
    ));
    let list = config
        .validate_new(std::time::SystemTime::UNIX_EPOCH, IceServerScheme::ALL)
        .unwrap();
    let urls: Vec<String> = list.iter().map(|s| s.url.to_string()).collect();
    assert_eq!(
        urls,
        [
            "stun:stun.example.org:3478",
            "turn:turn.example.org:3478?transport=udp",
            "turns:turn.example.org:443?transport=tcp",
            "turn:[2001:db8::3478]:3478?transport=udp",
        ]
    );
    assert_eq!(
        list[2].url.relay_protocol(),
        Some(RtcIceServerTransportProtocol::Tls)
    );
    assert_eq!(
        list[1].credentials.as_ref().map(TurnCredentials::username),
        Some("1700000000:alice")
    );
}

const CHROME_OFFER_SDP: &str = "v=0\r\n\
o=- 4215775240449105457 2 IN IP4 127.0.0.1\r\n\
s=-\r\n\
t=0 0\r\n\
a=group:BUNDLE 0\r\n\
a=extmap-allow-mixed\r\n\
a=msid-semantic: WMS\r\n\
m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n\
c=IN IP4 0.0.0.0\r\n\
a=ice-ufrag:Yn2L\r\n\
a=ice-pwd:9Dq5mK7bqbF1Mjqg0cIqvVkH\r\n\
a=ice-options:trickle\r\n\
a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08\r\n\
a=setup:actpass\r\n\
a=mid:0\r\n\
a=sctp-port:5000\r\n\
a=max-message-size:262144\r\n";

#[test]
fn chrome_local_description() {
    let json = format!(
        r#"{{"type":"offer","sdp":{}}}"#,
        serde_json::to_string(CHROME_OFFER_SDP).unwrap()
    );
    // `JSON.stringify(pc.localDescription)` writes type first, then sdp.
    assert!(json.starts_with(r#"{"type":"offer","sdp":"v=0\r\no=- 4215775240449105457"#));
    let init: RtcSessionDescriptionInit = round_trip(&json, &[]);
    assert_eq!(serde_json::to_string(&init).unwrap(), json);
    let desc: RtcSessionDescription = round_trip(&json, &[]);
    assert_eq!(desc.sdp_type(), RtcSdpType::Offer);
    assert_eq!(desc.sdp(), CHROME_OFFER_SDP);
    let answer = r#"{"type":"answer","sdp":"v=0\r\n"}"#;
    let init: RtcSessionDescriptionInit = round_trip(answer, &[]);
    assert_eq!(init.sdp_type, RtcSdpType::Answer);
}

#[test]
fn chrome_and_firefox_candidate_to_json() {
    let samples = [
        // Chrome, host candidate behind an mDNS name.
        r#"{"candidate":"candidate:3174946524 1 udp 2113937151 3c5b9a1e-5f0e-4c3a-9a57-7f3d2a1b9c11.local 56143 typ host generation 0 ufrag Yn2L network-cost 999","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Yn2L"}"#,
        // Chrome, server-reflexive.
        r#"{"candidate":"candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Yn2L network-cost 999","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Yn2L"}"#,
        // Firefox, host, IPv6.
        r#"{"candidate":"candidate:1 1 UDP 2122187007 2001:db8::5 52214 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"8d2f1c3a"}"#,
        // Firefox, end of candidates.
        r#"{"candidate":"","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"8d2f1c3a"}"#,
        // A candidate signalled with only the m-line index.
        r#"{"candidate":"candidate:0 1 UDP 2122252543 192.0.2.5 53521 typ host","sdpMid":null,"sdpMLineIndex":1,"usernameFragment":null}"#,
    ];
    for json in samples {
        let init: RtcIceCandidateInit = round_trip(json, &[]);
        assert_eq!(serde_json::to_string(&init).unwrap(), json);
        assert!(init.validate_for_add().is_ok());
        assert!(init.validate_for_constructor().is_ok());
    }
    let eoc: RtcIceCandidateInit = serde_json::from_str(samples[3]).unwrap();
    assert!(eoc.is_end_of_candidates());

    // Older senders omit usernameFragment; toJSON() writes it as null.
    let old = r#"{"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host","sdpMid":"audio","sdpMLineIndex":0}"#;
    let init: RtcIceCandidateInit = serde_json::from_str(old).unwrap();
    assert_eq!(
        serde_json::to_string(&init).unwrap(),
        r#"{"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host","sdpMid":"audio","sdpMLineIndex":0,"usernameFragment":null}"#
    );
}

fn arb_enum<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(all)
}

fn arb_ice_server() -> impl Strategy<Value = RtcIceServer> {
    (
        prop_oneof![
            "\\PC{0,30}".prop_map(RtcIceServerUrls::One),
            prop::collection::vec("\\PC{0,30}", 0..4).prop_map(RtcIceServerUrls::Many),
        ],
        proptest::option::of("\\PC{0,20}"),
        proptest::option::of("\\PC{0,20}"),
    )
        .prop_map(|(urls, username, credential)| RtcIceServer {
            credential,
            urls,
            username,
        })
}

fn arb_configuration() -> impl Strategy<Value = RtcConfiguration> {
    (
        arb_enum(RtcBundlePolicy::ALL),
        any::<u8>(),
        prop::collection::vec(arb_ice_server(), 0..4),
        arb_enum(RtcIceTransportPolicy::ALL),
        proptest::option::of("\\PC{0,20}"),
        arb_enum(RtcRtcpMuxPolicy::ALL),
    )
        .prop_map(
            |(
                bundle_policy,
                pool,
                ice_servers,
                ice_transport_policy,
                peer_identity,
                rtcp_mux_policy,
            )| {
                RtcConfiguration {
                    bundle_policy,
                    certificates: Vec::new(),
                    ice_candidate_pool_size: pool,
                    ice_servers,
                    ice_transport_policy,
                    peer_identity,
                    rtcp_mux_policy,
                }
            },
        )
}

fn arb_data_channel_init() -> impl Strategy<Value = RtcDataChannelInit> {
    (
        proptest::option::of(any::<u16>()),
        proptest::option::of(any::<u16>()),
        proptest::option::of(any::<u16>()),
        any::<bool>(),
        any::<bool>(),
        arb_enum(RtcPriorityType::ALL),
        "\\PC{0,20}",
    )
        .prop_map(
            |(
                id,
                max_packet_life_time,
                max_retransmits,
                negotiated,
                ordered,
                priority,
                protocol,
            )| {
                RtcDataChannelInit {
                    id,
                    max_packet_life_time,
                    max_retransmits,
                    negotiated,
                    ordered,
                    priority,
                    protocol,
                }
            },
        )
}

proptest! {
    #[test]
    fn configuration_json_round_trips(config in arb_configuration()) {
        let json = serde_json::to_string(&config).unwrap();
        prop_assert_eq!(serde_json::from_str::<RtcConfiguration>(&json).unwrap(), config);
    }

    #[test]
    fn data_channel_init_json_round_trips(init in arb_data_channel_init()) {
        let json = serde_json::to_string(&init).unwrap();
        prop_assert_eq!(serde_json::from_str::<RtcDataChannelInit>(&json).unwrap(), init);
    }

    #[test]
    fn candidate_init_json_round_trips(
        candidate in "\\PC{0,60}",
        sdp_mid in proptest::option::of("\\PC{0,8}"),
        sdp_m_line_index in proptest::option::of(any::<u16>()),
        username_fragment in proptest::option::of("\\PC{0,8}"),
    ) {
        let init = RtcIceCandidateInit { candidate, sdp_mid, sdp_m_line_index, username_fragment };
        let json = serde_json::to_string(&init).unwrap();
        prop_assert_eq!(serde_json::from_str::<RtcIceCandidateInit>(&json).unwrap(), init);
    }

    #[test]
    fn description_json_round_trips(t in arb_enum(RtcSdpType::ALL), sdp in "\\PC{0,200}") {
        let init = RtcSessionDescriptionInit::new(t, sdp);
        let json = serde_json::to_string(&init).unwrap();
        prop_assert_eq!(serde_json::from_str::<RtcSessionDescriptionInit>(&json).unwrap(), init);
    }

    /// Validation never panics, whatever the configuration holds.
    #[test]
    fn validation_never_panics(old in arb_configuration(), new in arb_configuration(), closed: bool, sld: bool) {
        let _ = new.validate_new(std::time::SystemTime::UNIX_EPOCH, IceServerScheme::ALL);
        let ctx = SetConfigurationContext {
            is_closed: closed,
            local_description_set: sld,
            implemented_schemes: IceServerScheme::ALL,
        };
        let _ = validate_update(&old, &new, &ctx);
    }
}
