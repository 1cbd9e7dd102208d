//! `RTCConfiguration` rules: the defaults (webrtc-pc §4.2.1), the constructor's certificate
//! check (§4.4.1.1), every step of "set a configuration" and "validate an ICE server URL"
//! (§4.4.1.5) with the error it gives and the order the checks run in, `setConfiguration`'s
//! closed check (§4.4.2.2), webrtc-identity's `peerIdentity` rule, and the JSON form.

use std::time::{Duration, SystemTime};

use rtcpeer_core::config::{MAX_ICE_SERVERS, MAX_USERNAME_BYTES};
use rtcpeer_core::*;

const ALL: &[IceServerScheme] = IceServerScheme::ALL;

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

fn cert(id: u64, expires_secs: u64) -> CertificateRef {
    CertificateRef::new(CertificateId::new(id), at(expires_secs))
}

fn with_servers(servers: Vec<RtcIceServer>) -> RtcConfiguration {
    RtcConfiguration {
        ice_servers: servers,
        ..Default::default()
    }
}

fn kind(r: Result<Vec<IceServer>, RtcError>) -> RtcErrorKind {
    r.unwrap_err().kind()
}

fn ctx(local_description_set: bool) -> SetConfigurationContext<'static> {
    SetConfigurationContext {
        is_closed: false,
        local_description_set,
        implemented_schemes: ALL,
    }
}

#[test]
fn defaults_per_spec() {
    let c = RtcConfiguration::default();
    assert!(c.ice_servers.is_empty());
    assert_eq!(c.ice_transport_policy, RtcIceTransportPolicy::All);
    assert_eq!(c.bundle_policy, RtcBundlePolicy::Balanced);
    assert_eq!(c.rtcp_mux_policy, RtcRtcpMuxPolicy::Require);
    assert!(c.certificates.is_empty());
    assert_eq!(c.ice_candidate_pool_size, 0);
    assert_eq!(c.peer_identity, None);
    assert_eq!(c.validate_new(at(0), ALL), Ok(vec![]));
}

#[test]
fn ice_servers_list_has_one_entry_per_url_with_turn_credentials() {
    let c = with_servers(vec![
        RtcIceServer::new("stun:stun1.example.net"),
        RtcIceServer::with_credentials(
            &["turns:turn.example.org", "turn:turn.example.net"][..],
            "user",
            "myPassword",
        ),
    ]);
    let list = c.validate_new(at(0), ALL).unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].url.to_string(), "stun:stun1.example.net:3478");
    assert_eq!(list[0].credentials, None);
    assert_eq!(
        list[1].url.to_string(),
        "turns:turn.example.org:5349?transport=tcp"
    );
    assert_eq!(
        list[2].url.to_string(),
        "turn:turn.example.net:3478?transport=udp"
    );
    let creds = list[2].credentials.as_ref().unwrap();
    assert_eq!(
        (creds.username(), creds.credential()),
        ("user", "myPassword")
    );
    // STUN URLs ignore credentials given with them.
    let c = with_servers(vec![RtcIceServer::with_credentials(
        "stun:a.example",
        "u",
        "p",
    )]);
    assert_eq!(c.validate_new(at(0), ALL).unwrap()[0].credentials, None);
}

#[test]
fn empty_urls_and_bad_urls_are_syntax_errors() {
    let c = with_servers(vec![RtcIceServer::new(Vec::<String>::new())]);
    assert_eq!(kind(c.validate_new(at(0), ALL)), RtcErrorKind::SyntaxError);
    for url in [
        "",
        "relative-url",
        "http://example.com",
        "stun:example.net#x",
    ] {
        let c = with_servers(vec![RtcIceServer::new(url)]);
        assert_eq!(
            kind(c.validate_new(at(0), ALL)),
            RtcErrorKind::SyntaxError,
            "{url:?}"
        );
    }
    let c = with_servers(vec![RtcIceServer::new(&["stun:stun1.example.net", ""][..])]);
    assert_eq!(kind(c.validate_new(at(0), ALL)), RtcErrorKind::SyntaxError);
}

#[test]
fn unimplemented_scheme_is_not_supported() {
    let c = with_servers(vec![RtcIceServer::new("stuns:stun.example.net")]);
    assert_eq!(
        kind(c.validate_new(at(0), &[IceServerScheme::Stun, IceServerScheme::Turn])),
        RtcErrorKind::NotSupportedError
    );
}

#[test]
fn turn_needs_username_and_credential() {
    for url in ["turn:turn.example.net", "turns:turn.example.net"] {
        let servers = [
            RtcIceServer::new(url),
            RtcIceServer {
                username: Some("user".into()),
                ..RtcIceServer::new(url)
            },
            RtcIceServer {
                credential: Some("cred".into()),
                ..RtcIceServer::new(url)
            },
        ];
        for server in servers {
            let c = with_servers(vec![server]);
            assert_eq!(
                kind(c.validate_new(at(0), ALL)),
                RtcErrorKind::InvalidAccessError
            );
        }
        // Empty strings are present (web-platform-tests accept them).
        let c = with_servers(vec![RtcIceServer::with_credentials(url, "", "")]);
        assert!(c.validate_new(at(0), ALL).is_ok());
    }
}

#[test]
fn turn_credentials_must_conform() {
    let url = "turn:turn.example.net";
    let ok = |u: &str, p: &str| {
        with_servers(vec![RtcIceServer::with_credentials(url, u, p)]).validate_new(at(0), ALL)
    };
    assert!(ok(&"u".repeat(MAX_USERNAME_BYTES), "p").is_ok());
    assert_eq!(
        kind(ok(&"u".repeat(509), "p")),
        RtcErrorKind::InvalidAccessError
    );
    assert_eq!(kind(ok("us\u{0}er", "p")), RtcErrorKind::InvalidAccessError);
    assert_eq!(kind(ok("user", "pa\nss")), RtcErrorKind::InvalidAccessError);
    assert!(ok("usér name", "pässwörd ✓").is_ok());
}

#[test]
fn the_first_error_in_order_wins() {
    // Server 1 is bad: its error is reported even though server 2 is bad another way.
    let c = with_servers(vec![
        RtcIceServer::new("turn:no-credentials.example"),
        RtcIceServer::new("bogus"),
    ]);
    assert_eq!(
        kind(c.validate_new(at(0), ALL)),
        RtcErrorKind::InvalidAccessError
    );
    // Within a server, URL by URL: the syntax error of the first URL comes first.
    let c = with_servers(vec![RtcIceServer::new(&["bogus", "turn:x.example"][..])]);
    assert_eq!(kind(c.validate_new(at(0), ALL)), RtcErrorKind::SyntaxError);
}

#[test]
fn ice_servers_are_truncated_to_the_maximum() {
    let mut servers = vec![RtcIceServer::new("stun:ok.example"); MAX_ICE_SERVERS];
    servers.push(RtcIceServer::new("not a url"));
    let c = with_servers(servers);
    assert_eq!(c.validate_new(at(0), ALL).unwrap().len(), MAX_ICE_SERVERS);
}

#[test]
fn expired_certificate_is_invalid_access() {
    let c = RtcConfiguration {
        certificates: vec![cert(1, 100), cert(2, 50)],
        ..Default::default()
    };
    assert!(c.validate_new(at(50), ALL).is_ok());
    let e = c.validate_new(at(51), ALL).unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidAccessError);
    assert!(e.message().contains("CertificateId(2)"));
    assert!(cert(1, 100).is_expired(at(101)));
    assert!(!cert(1, 100).is_expired(at(100)));
}

#[test]
fn set_configuration_on_closed_connection_is_invalid_state() {
    let c = RtcConfiguration::default();
    let closed = SetConfigurationContext {
        is_closed: true,
        ..ctx(false)
    };
    assert_eq!(
        kind(validate_update(&c, &c, &closed)),
        RtcErrorKind::InvalidStateError
    );
}

#[test]
fn set_configuration_may_change_servers_policy_and_pool_before_sld() {
    let old = RtcConfiguration::default();
    let new = RtcConfiguration {
        ice_servers: vec![RtcIceServer::new("stun:stun.example.org")],
        ice_transport_policy: RtcIceTransportPolicy::Relay,
        ice_candidate_pool_size: 4,
        ..Default::default()
    };
    assert_eq!(validate_update(&old, &new, &ctx(false)).unwrap().len(), 1);
    // After setLocalDescription the pool size is frozen, the rest is not.
    assert_eq!(
        kind(validate_update(&old, &new, &ctx(true))),
        RtcErrorKind::InvalidModificationError
    );
    let same_pool = RtcConfiguration {
        ice_candidate_pool_size: 0,
        ..new
    };
    assert!(validate_update(&old, &same_pool, &ctx(true)).is_ok());
}

#[test]
fn set_configuration_cannot_change_frozen_members() {
    let old = RtcConfiguration {
        certificates: vec![cert(1, 1000)],
        peer_identity: Some("alice@idp.example".into()),
        ..Default::default()
    };
    let changes: Vec<(&str, RtcConfiguration)> = vec![
        (
            "bundlePolicy",
            RtcConfiguration {
                bundle_policy: RtcBundlePolicy::MaxBundle,
                ..old.clone()
            },
        ),
        (
            "rtcpMuxPolicy",
            RtcConfiguration {
                rtcp_mux_policy: RtcRtcpMuxPolicy::Negotiate,
                ..old.clone()
            },
        ),
        (
            "certificates",
            RtcConfiguration {
                certificates: vec![],
                ..old.clone()
            },
        ),
        (
            "certificates",
            RtcConfiguration {
                certificates: vec![cert(1, 1000), cert(2, 1000)],
                ..old.clone()
            },
        ),
        (
            "certificates",
            RtcConfiguration {
                certificates: vec![cert(2, 1000)],
                ..old.clone()
            },
        ),
        (
            "peerIdentity",
            RtcConfiguration {
                peer_identity: Some("mallory@idp.example".into()),
                ..old.clone()
            },
        ),
    ];
    for (member, new) in changes {
        let e = validate_update(&old, &new, &ctx(false)).unwrap_err();
        assert_eq!(e.kind(), RtcErrorKind::InvalidModificationError, "{member}");
        assert!(e.message().contains(member), "{member}: {e}");
    }
    // Unchanged, or peerIdentity left out: fine.
    assert!(validate_update(&old, &old, &ctx(true)).is_ok());
    let no_identity = RtcConfiguration {
        peer_identity: None,
        ..old.clone()
    };
    assert!(validate_update(&old, &no_identity, &ctx(false)).is_ok());
    // Setting an identity where there was none is a change too.
    let none = RtcConfiguration::default();
    let some = RtcConfiguration {
        peer_identity: Some("alice@idp.example".into()),
        ..Default::default()
    };
    assert_eq!(
        kind(validate_update(&none, &some, &ctx(false))),
        RtcErrorKind::InvalidModificationError
    );
}

#[test]
fn invalid_modification_comes_before_ice_server_errors() {
    let old = RtcConfiguration::default();
    let new = RtcConfiguration {
        bundle_policy: RtcBundlePolicy::MaxCompat,
        ice_servers: vec![RtcIceServer::new("bogus")],
        ..Default::default()
    };
    assert_eq!(
        kind(validate_update(&old, &new, &ctx(false))),
        RtcErrorKind::InvalidModificationError
    );
    let new = RtcConfiguration {
        ice_servers: vec![RtcIceServer::new("bogus")],
        ..Default::default()
    };
    assert_eq!(
        kind(validate_update(&old, &new, &ctx(false))),
        RtcErrorKind::SyntaxError
    );
}

#[test]
fn debug_never_shows_credentials() {
    let server = RtcIceServer::with_credentials("turn:t.example", "user", "hunter2");
    let shown = format!("{server:?}");
    assert!(
        shown.contains("user") && !shown.contains("hunter2"),
        "{shown}"
    );
    let list = with_servers(vec![server]).validate_new(at(0), ALL).unwrap();
    let shown = format!("{list:?}");
    assert!(
        shown.contains("user") && !shown.contains("hunter2"),
        "{shown}"
    );
    let config = format!("{:?}", with_servers(vec![]));
    assert!(config.contains("ice_servers"));
}

#[test]
fn json_member_names_order_and_defaults() {
    let c = RtcConfiguration {
        ice_servers: vec![RtcIceServer::new("stun:stun.example.org")],
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"{"bundlePolicy":"balanced","iceCandidatePoolSize":0,"iceServers":[{"urls":"stun:stun.example.org"}],"iceTransportPolicy":"all","rtcpMuxPolicy":"require"}"#
    );
    assert_eq!(
        serde_json::from_str::<RtcConfiguration>("{}").unwrap(),
        RtcConfiguration::default()
    );
    let c: RtcConfiguration = serde_json::from_str(
        r#"{"iceCandidatePoolSize":2.5,"peerIdentity":"bob@idp.example","bundlePolicy":"max-bundle"}"#,
    )
    .unwrap();
    assert_eq!(c.ice_candidate_pool_size, 2);
    assert_eq!(c.peer_identity.as_deref(), Some("bob@idp.example"));
    assert_eq!(c.bundle_policy, RtcBundlePolicy::MaxBundle);
    // WebIDL converts null to 0.
    let c: RtcConfiguration = serde_json::from_str(r#"{"iceCandidatePoolSize":null}"#).unwrap();
    assert_eq!(c.ice_candidate_pool_size, 0);
    for bad in [
        r#"{"iceServers":null}"#,
        r#"{"iceServers":[null]}"#,
        r#"{"iceServers":[{}]}"#,
        r#"{"iceCandidatePoolSize":256}"#,
        r#"{"iceCandidatePoolSize":-1}"#,
        r#"{"bundlePolicy":"Balanced"}"#,
        r#"{"iceTransportPolicy":"none"}"#,
    ] {
        assert!(
            serde_json::from_str::<RtcConfiguration>(bad).is_err(),
            "{bad}"
        );
    }
    let err =
        serde_json::from_str::<RtcConfiguration>(r#"{"iceCandidatePoolSize":300}"#).unwrap_err();
    assert!(
        err.to_string().contains("outside the range of octet"),
        "{err}"
    );
}
