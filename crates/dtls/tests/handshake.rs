//! Handshakes between two DtlsTransports over an in-memory pipe on virtual time: both versions,
//! SRTP keys, fingerprint checks, lost flights, timeouts.

mod common;

use std::time::Duration;

use common::{Dir, Pair, Setup, app_data, states};
use rtcpeer_dtls::{
    DtlsEvent, DtlsFailure, DtlsTransportState, DtlsVersion, DtlsVersions, Fingerprint,
    HashFunction, SrtpProfile,
};

fn connected_event(events: &[DtlsEvent]) -> rtcpeer_dtls::DtlsConnected {
    let found: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            DtlsEvent::Connected(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "exactly one Connected event: {events:?}");
    found.into_iter().next().unwrap()
}

fn handshake(client: DtlsVersions, server: DtlsVersions, expected: DtlsVersion) {
    let mut pair = Pair::new(Setup::versions(client, server));
    assert_eq!(pair.client.state(), DtlsTransportState::Connecting);
    assert_eq!(pair.server.state(), DtlsTransportState::New);
    pair.connect();

    for events in [&pair.client_events, &pair.server_events] {
        assert_eq!(
            states(events),
            [
                DtlsTransportState::Connecting,
                DtlsTransportState::Connected
            ]
        );
        // The state change comes before the detail event.
        let change = events
            .iter()
            .position(|e| *e == DtlsEvent::StateChange(DtlsTransportState::Connected))
            .unwrap();
        assert!(matches!(events[change + 1], DtlsEvent::Connected(_)));
    }
    let c = connected_event(&pair.client_events);
    let s = connected_event(&pair.server_events);
    assert_eq!(c.version, expected);
    assert_eq!(s.version, expected);
    assert_eq!(pair.client.protocol_version(), Some(expected));
    assert_eq!(pair.server.protocol_version(), Some(expected));

    // Each side saw the other's certificate and matched the fingerprint it was given.
    assert_eq!(&c.remote_fingerprint, pair.server.local_fingerprint());
    assert_eq!(&s.remote_fingerprint, pair.client.local_fingerprint());
    assert!(c.remote_fingerprint.matches(&c.remote_certificate));
    assert_eq!(
        pair.client.remote_certificate(),
        Some(&c.remote_certificate)
    );

    // SRTP keys match crosswise (RFC 5764 §4.2).
    let ck = *c.srtp.expect("client SRTP keys");
    let sk = *s.srtp.expect("server SRTP keys");
    assert_eq!(ck.profile, sk.profile);
    assert!(SrtpProfile::NEGOTIABLE.contains(&ck.profile));
    assert_eq!(ck.local_key, sk.remote_key);
    assert_eq!(ck.local_salt, sk.remote_salt);
    assert_eq!(ck.remote_key, sk.local_key);
    assert_eq!(ck.remote_salt, sk.local_salt);
    assert_ne!(ck.local_key, ck.remote_key);
    assert_eq!(ck.local_key.len(), ck.profile.master_key_len());
    assert_eq!(ck.local_salt.len(), ck.profile.master_salt_len());
    assert_eq!(pair.client.srtp_keying_material(), Some(&ck));

    // And data flows both ways.
    assert_eq!(pair.send(Dir::ClientToServer, b"ping"), [&b"ping"[..]]);
    assert_eq!(pair.send(Dir::ServerToClient, b"pong"), [&b"pong"[..]]);
}

#[test]
fn dtls12_handshake_in_every_pairing() {
    handshake(
        DtlsVersions::Dtls12Only,
        DtlsVersions::Dtls12Only,
        DtlsVersion::Dtls12,
    );
    // A 1.3-capable server answers a 1.2-only client in 1.2.
    handshake(
        DtlsVersions::Dtls12Only,
        DtlsVersions::Auto,
        DtlsVersion::Dtls12,
    );
    // A 1.2-only server reads the auto client's ClientHello as 1.2.
    handshake(
        DtlsVersions::Auto,
        DtlsVersions::Dtls12Only,
        DtlsVersion::Dtls12,
    );
}

#[test]
fn dtls13_handshake_when_both_offer_it() {
    handshake(DtlsVersions::Auto, DtlsVersions::Auto, DtlsVersion::Dtls13);
    handshake(
        DtlsVersions::Dtls13Only,
        DtlsVersions::Dtls13Only,
        DtlsVersion::Dtls13,
    );
    handshake(
        DtlsVersions::Dtls13Only,
        DtlsVersions::Auto,
        DtlsVersion::Dtls13,
    );
    handshake(
        DtlsVersions::Auto,
        DtlsVersions::Dtls13Only,
        DtlsVersion::Dtls13,
    );
}

#[test]
fn srtp_profile_is_dimpls_first_choice() {
    let mut pair = Pair::new(Setup::default());
    pair.connect();
    let keys = pair.client.srtp_keying_material().unwrap();
    assert_eq!(keys.profile, SrtpProfile::AeadAes256Gcm);
    assert_eq!(keys.local_key.len(), 32);
    assert_eq!(keys.local_salt.len(), 12);
}

fn wrong_fingerprint() -> Vec<Fingerprint> {
    vec![Fingerprint::of_certificate(
        HashFunction::Sha256,
        b"someone else",
    )]
}

fn assert_fingerprint_failure(events: &[DtlsEvent]) {
    assert!(
        !events.iter().any(|e| matches!(e, DtlsEvent::Connected(_))),
        "{events:?}"
    );
    assert!(app_data(events).is_empty());
    let failure = events
        .iter()
        .find_map(|e| match e {
            DtlsEvent::Failed(f) => Some(f.clone()),
            _ => None,
        })
        .expect("a Failed event");
    assert!(
        matches!(failure, DtlsFailure::FingerprintMismatch { .. }),
        "{failure:?}"
    );
    assert_eq!(failure.error_detail(), "fingerprint-failure");
    assert_eq!(states(events).last(), Some(&DtlsTransportState::Failed));
}

#[test]
fn client_refuses_a_server_with_the_wrong_fingerprint() {
    for versions in [DtlsVersions::Dtls12Only, DtlsVersions::Auto] {
        let mut pair = Pair::new(Setup {
            client_config: Box::new(|c| c.remote_fingerprints = wrong_fingerprint()),
            ..Setup::versions(versions, versions)
        });
        pair.run_until(Duration::from_secs(60), |p| {
            p.client.state() == DtlsTransportState::Failed
        });
        assert_fingerprint_failure(&pair.client_events);
        // The client stopped before its final flight, so the server never completes.
        assert_ne!(pair.server.state(), DtlsTransportState::Connected);
        assert_eq!(pair.client.poll_transmit(), None);
        assert_eq!(pair.client.poll_timeout(), None);
        assert!(pair.client.send_application_data(b"secret").is_err());
    }
}

#[test]
fn server_refuses_a_client_with_the_wrong_fingerprint() {
    for versions in [DtlsVersions::Dtls12Only, DtlsVersions::Auto] {
        let mut pair = Pair::new(Setup {
            server_config: Box::new(|c| c.remote_fingerprints = wrong_fingerprint()),
            ..Setup::versions(versions, versions)
        });
        pair.run_until(Duration::from_secs(60), |p| {
            p.server.state() == DtlsTransportState::Failed
        });
        assert_fingerprint_failure(&pair.server_events);
    }
}

#[test]
fn dtls12_client_times_out_when_the_server_refuses_it() {
    // The DTLS 1.2 server refuses the client's final flight, so the client never hears the
    // server's Finished: its retransmissions run out and it fails with a timeout.
    let mut pair = Pair::new(Setup {
        server_config: Box::new(|c| c.remote_fingerprints = wrong_fingerprint()),
        ..Setup::versions(DtlsVersions::Dtls12Only, DtlsVersions::Dtls12Only)
    });
    let failed = pair.run_until(Duration::from_secs(120), |p| {
        p.client.state() == DtlsTransportState::Failed
    });
    assert!(failed, "{:?}", pair.client_events);
    assert!(
        pair.client_events
            .contains(&DtlsEvent::Failed(DtlsFailure::HandshakeTimeout)),
        "{:?}",
        pair.client_events
    );
    // Retransmissions went out with growing gaps before giving up.
    let client_sends: Vec<Duration> = pair
        .log
        .iter()
        .filter(|s| s.dir == Dir::ClientToServer)
        .map(|s| s.at)
        .collect();
    assert!(client_sends.len() >= 5, "{client_sends:?}");
    assert!(pair.elapsed() >= Duration::from_secs(10));
}

#[test]
fn fingerprints_set_late_hold_the_connection_until_checked() {
    for versions in [DtlsVersions::Dtls12Only, DtlsVersions::Auto] {
        // The offerer (DTLS server) hears the ClientHello before the answer's fingerprint.
        let mut pair = Pair::new(Setup {
            server_config: Box::new(|c| c.remote_fingerprints.clear()),
            ..Setup::versions(versions, versions)
        });
        pair.run_until(Duration::from_secs(60), |p| {
            p.client.state() == DtlsTransportState::Connected
        });
        while pair.step() {}
        assert_eq!(pair.server.state(), DtlsTransportState::Connecting);

        // Data the client sends now waits at the server.
        pair.client.send_application_data(b"early").unwrap();
        while pair.step() {}
        assert!(app_data(&pair.server_events).is_empty());
        assert!(pair.server.send_application_data(b"too early").is_err());

        let client_fp = pair.client.local_fingerprint().clone();
        pair.server.set_remote_fingerprints(vec![client_fp]);
        while let Some(e) = pair.server.poll_event() {
            pair.server_events.push(e);
        }
        assert_eq!(pair.server.state(), DtlsTransportState::Connected);
        let connected_at = pair
            .server_events
            .iter()
            .position(|e| matches!(e, DtlsEvent::Connected(_)))
            .unwrap();
        let data_at = pair
            .server_events
            .iter()
            .position(|e| matches!(e, DtlsEvent::ApplicationData(_)))
            .unwrap();
        assert!(connected_at < data_at);
        assert_eq!(app_data(&pair.server_events), [&b"early"[..]]);
    }
}

#[test]
fn late_wrong_fingerprint_fails_the_waiting_side() {
    let mut pair = Pair::new(Setup {
        server_config: Box::new(|c| c.remote_fingerprints.clear()),
        ..Setup::versions(DtlsVersions::Auto, DtlsVersions::Auto)
    });
    pair.run_until(Duration::from_secs(60), |p| {
        p.client.state() == DtlsTransportState::Connected
    });
    while pair.step() {}
    pair.client.send_application_data(b"early").unwrap();
    while pair.step() {}
    pair.server.set_remote_fingerprints(wrong_fingerprint());
    while let Some(e) = pair.server.poll_event() {
        pair.server_events.push(e);
    }
    assert_fingerprint_failure(&pair.server_events);
}

#[test]
fn changed_remote_fingerprint_fails_an_established_connection() {
    let mut pair = Pair::new(Setup::default());
    pair.connect();
    // Still matching: nothing happens.
    let same = pair.server.local_fingerprint().clone();
    pair.client.set_remote_fingerprints(vec![same]);
    assert_eq!(pair.client.state(), DtlsTransportState::Connected);
    // An empty list says nothing new.
    pair.client.set_remote_fingerprints(Vec::new());
    assert_eq!(pair.client.state(), DtlsTransportState::Connected);
    pair.client.set_remote_fingerprints(wrong_fingerprint());
    assert_eq!(pair.client.state(), DtlsTransportState::Failed);
}

#[test]
fn transport_can_move_to_a_driver_task() {
    fn send<T: Send + 'static>() {}
    send::<rtcpeer_dtls::DtlsTransport>();
    send::<rtcpeer_dtls::Certificate>();
    send::<DtlsEvent>();
}

#[test]
fn stronger_hash_fingerprints_are_checked() {
    // The remote description carries sha-512 and sha-1 fingerprints of the right certificate.
    let client_cert = common::certificate(40);
    let server_cert = common::certificate(41);
    let by = |h, cert: &rtcpeer_dtls::Certificate| Fingerprint::of_certificate(h, cert.der());
    let for_client = vec![
        by(HashFunction::Sha1, &server_cert),
        by(HashFunction::Sha512, &server_cert),
    ];
    let for_server = vec![by(HashFunction::Sha384, &client_cert)];
    let expect_client = for_client[1].clone();
    let mut pair = Pair::with_certificates(
        Setup {
            client_config: Box::new(move |c| c.remote_fingerprints = for_client),
            server_config: Box::new(move |c| c.remote_fingerprints = for_server),
            ..Setup::default()
        },
        client_cert,
        server_cert,
    );
    pair.connect();
    assert_eq!(
        connected_event(&pair.client_events).remote_fingerprint,
        expect_client
    );
    assert_eq!(
        connected_event(&pair.server_events)
            .remote_fingerprint
            .algorithm(),
        HashFunction::Sha384
    );
}

/// Drops the first `n` datagrams in the chosen directions and checks the handshake recovers by
/// retransmission.
fn survives_loss(versions: DtlsVersions, n: usize, both_ways: bool) {
    let mut pair = Pair::new(Setup::versions(versions, versions));
    pair.filter = Box::new(move |s| !(s.index < n && (both_ways || s.dir == Dir::ClientToServer)));
    pair.connect();
    assert!(
        pair.elapsed() >= Duration::from_millis(500),
        "a timer had to fire"
    );
    assert_eq!(
        pair.send(Dir::ClientToServer, b"after loss"),
        [&b"after loss"[..]]
    );
}

#[test]
fn lost_flights_are_retransmitted_dtls12() {
    for n in 1..=3 {
        survives_loss(DtlsVersions::Dtls12Only, n, false);
        survives_loss(DtlsVersions::Dtls12Only, n, true);
    }
}

#[test]
fn lost_flights_are_retransmitted_dtls13() {
    for n in 1..=3 {
        survives_loss(DtlsVersions::Auto, n, false);
        survives_loss(DtlsVersions::Auto, n, true);
    }
}

#[test]
fn every_other_datagram_lost() {
    for versions in [DtlsVersions::Dtls12Only, DtlsVersions::Auto] {
        let mut pair = Pair::new(Setup::versions(versions, versions));
        pair.filter = Box::new(|s| s.index % 2 == 1);
        pair.connect();
    }
}

#[test]
fn retransmission_schedule_follows_the_seed() {
    let schedule = |seed| {
        let mut pair = Pair::new(Setup {
            seed,
            ..Setup::versions(DtlsVersions::Dtls12Only, DtlsVersions::Dtls12Only)
        });
        // Lose the server's answers three times: the client's timer decides when it retries.
        pair.filter = Box::new(|s| !(s.dir == Dir::ServerToClient && s.index < 3));
        pair.connect();
        pair.log.iter().map(|s| (s.dir, s.at)).collect::<Vec<_>>()
    };
    assert_eq!(schedule(7), schedule(7));
    assert_ne!(schedule(7), schedule(8));
}

#[test]
fn handshake_gives_up_when_nothing_comes_back() {
    let mut pair = Pair::new(Setup::versions(
        DtlsVersions::Dtls12Only,
        DtlsVersions::Dtls12Only,
    ));
    pair.filter = Box::new(|_| false);
    let failed = pair.run_until(Duration::from_secs(300), |p| {
        p.client.state() == DtlsTransportState::Failed
    });
    assert!(failed);
    assert_eq!(
        pair.client_events.last(),
        Some(&DtlsEvent::Failed(DtlsFailure::HandshakeTimeout))
    );
    // 1 s, doubling, 4 retransmissions (±25 % jitter): between 1+2+4+8+16 = 31 s ± 25 %.
    let secs = pair.elapsed().as_secs_f64();
    assert!((23.0..=40.0).contains(&secs), "gave up after {secs} s");
}
