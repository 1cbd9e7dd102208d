//! Application data, bad input and close_notify between two connected DtlsTransports.

mod common;

use common::{Dir, Pair, Setup, app_data, states};
use rtcpeer_dtls::{DtlsError, DtlsEvent, DtlsTransportState, DtlsVersions, MAX_APPLICATION_DATA};
use rtcpeer_types::Rng;

const BOTH: [DtlsVersions; 2] = [DtlsVersions::Dtls12Only, DtlsVersions::Auto];
const ALERT: u8 = 21;

fn connected(versions: DtlsVersions) -> Pair {
    let mut pair = Pair::new(Setup::versions(versions, versions));
    pair.connect();
    pair
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn application_data_both_ways_up_to_16_kib() {
    for versions in BOTH {
        let mut pair = connected(versions);
        for len in [1, 100, 1200, 4096, 9000, MAX_APPLICATION_DATA] {
            let a = pattern(len, 1);
            let b = pattern(len, 2);
            assert_eq!(
                pair.send(Dir::ClientToServer, &a),
                [&a[..]],
                "{len} bytes c→s"
            );
            assert_eq!(
                pair.send(Dir::ServerToClient, &b),
                [&b[..]],
                "{len} bytes s→c"
            );
        }
        // Many records in a row arrive in order.
        for i in 0..50u8 {
            pair.client.send_application_data(&[i; 300]).unwrap();
        }
        while pair.step() {}
        let got = app_data(&pair.server_events);
        let tail: Vec<u8> = got.iter().rev().take(50).rev().map(|d| d[0]).collect();
        assert_eq!(tail, (0..50).collect::<Vec<u8>>());
        let stats = pair.server.stats();
        assert_eq!(stats.records_received, got.len() as u64);
        assert_eq!(stats.ignored_datagrams, 0);
    }
}

#[test]
fn sends_are_refused_when_not_connected_or_too_large() {
    let mut pair = Pair::new(Setup::default());
    assert_eq!(
        pair.client.send_application_data(b"x"),
        Err(DtlsError::NotConnected(DtlsTransportState::Connecting))
    );
    assert_eq!(
        pair.server.send_application_data(b"x"),
        Err(DtlsError::NotConnected(DtlsTransportState::New))
    );
    pair.connect();
    let too_big = vec![0u8; MAX_APPLICATION_DATA + 1];
    assert_eq!(
        pair.client.send_application_data(&too_big),
        Err(DtlsError::RecordTooLarge {
            len: MAX_APPLICATION_DATA + 1,
            max: MAX_APPLICATION_DATA
        })
    );
    // Refusals change nothing.
    assert_eq!(pair.client.state(), DtlsTransportState::Connected);
    assert_eq!(pair.client.send_application_data(b""), Ok(()));
    assert_eq!(pair.client.poll_transmit(), None);
    assert_eq!(
        pair.send(Dir::ClientToServer, b"still fine"),
        [&b"still fine"[..]]
    );
}

/// Sends one record from the client and returns the datagram it became, undelivered.
fn capture_record(pair: &mut Pair, data: &[u8]) -> bytes::Bytes {
    pair.client.send_application_data(data).unwrap();
    let datagram = pair.client.poll_transmit().expect("a datagram");
    assert_eq!(pair.client.poll_transmit(), None);
    datagram
}

fn deliver_to_server(pair: &mut Pair, datagram: &[u8]) -> Vec<bytes::Bytes> {
    let before = pair.server_events.len();
    pair.server.handle_receive(pair.now, datagram);
    while pair.step() {}
    app_data(&pair.server_events[before..])
}

#[test]
fn replayed_record_is_dropped_and_counted() {
    for versions in BOTH {
        let mut pair = connected(versions);
        let datagram = capture_record(&mut pair, b"once");
        assert_eq!(deliver_to_server(&mut pair, &datagram), [&b"once"[..]]);
        assert_eq!(
            deliver_to_server(&mut pair, &datagram),
            Vec::<bytes::Bytes>::new()
        );
        assert_eq!(pair.server.stats().ignored_datagrams, 1);
        // A replay of an older record after newer ones is dropped too.
        let newer = capture_record(&mut pair, b"newer");
        assert_eq!(deliver_to_server(&mut pair, &newer), [&b"newer"[..]]);
        assert!(deliver_to_server(&mut pair, &datagram).is_empty());
        assert_eq!(pair.server.stats().ignored_datagrams, 2);
        assert_eq!(pair.server.state(), DtlsTransportState::Connected);
        assert_eq!(pair.send(Dir::ClientToServer, b"alive"), [&b"alive"[..]]);
    }
}

#[test]
fn forged_record_is_dropped_and_counted() {
    for versions in BOTH {
        let mut pair = connected(versions);
        let datagram = capture_record(&mut pair, b"genuine");
        // Flip one bit in each byte of the body in turn: the AEAD tag check rejects all.
        let mut forged_count = 0;
        for i in (datagram.len() - 20)..datagram.len() {
            let mut forged = datagram.to_vec();
            forged[i] ^= 0x01;
            assert!(deliver_to_server(&mut pair, &forged).is_empty(), "byte {i}");
            forged_count += 1;
        }
        assert_eq!(pair.server.stats().ignored_datagrams, forged_count);
        // The genuine record still arrives: forgeries did not burn its sequence number.
        assert_eq!(deliver_to_server(&mut pair, &datagram), [&b"genuine"[..]]);
        assert_eq!(pair.server.state(), DtlsTransportState::Connected);
        assert!(
            !pair
                .server_events
                .iter()
                .any(|e| matches!(e, DtlsEvent::Failed(_)))
        );
    }
}

/// Datagrams of random bytes, and well-framed records with random bodies of every content type.
/// With `alerts` false it leaves out plaintext alerts, which are genuine protocol messages before
/// encryption starts (see `plaintext_fatal_alert_ends_the_handshake`).
fn garbage(rng: &mut Rng, alerts: bool) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for _ in 0..200 {
        let len = rng.range_u64(0, 300) as usize;
        let mut d = vec![0u8; len];
        rng.fill(&mut d);
        out.push(d);
    }
    for content_type in (20u8..=26).chain([0x2c, 0x2f, 0x3f]) {
        if content_type == ALERT && !alerts {
            continue;
        }
        for _ in 0..20 {
            let body_len = rng.range_u64(0, 200) as usize;
            let mut body = vec![0u8; body_len];
            rng.fill(&mut body);
            let d = if content_type < 0x20 {
                let mut d = vec![content_type, 0xfe, 0xfd];
                let mut epoch_seq = [0u8; 8];
                rng.fill(&mut epoch_seq);
                epoch_seq[0] = 0;
                epoch_seq[1] = (rng.u32() % 3) as u8;
                d.extend_from_slice(&epoch_seq);
                d.extend_from_slice(&(body_len as u16).to_be_bytes());
                d.extend_from_slice(&body);
                d
            } else {
                let mut d = vec![content_type, rng.u32() as u8, rng.u32() as u8];
                d.extend_from_slice(&(body_len as u16).to_be_bytes());
                d.extend_from_slice(&body);
                d
            };
            out.push(d);
        }
    }
    out
}

#[test]
fn garbage_after_connection_is_dropped() {
    for versions in BOTH {
        let mut pair = connected(versions);
        let mut rng = Rng::from_seed(99);
        let junk = garbage(&mut rng, true);
        for d in &junk {
            pair.server.handle_receive(pair.now, d);
            pair.client.handle_receive(pair.now, d);
        }
        while pair.step() {}
        for side in [&pair.client, &pair.server] {
            assert_eq!(side.state(), DtlsTransportState::Connected);
            let s = side.stats();
            assert_eq!(
                s.malformed_datagrams + s.ignored_datagrams,
                junk.len() as u64,
                "{versions:?} {s:?}"
            );
            assert!(s.malformed_datagrams > 100, "{s:?}");
        }
        assert_eq!(
            pair.send(Dir::ClientToServer, b"unharmed"),
            [&b"unharmed"[..]]
        );
        assert_eq!(
            pair.send(Dir::ServerToClient, b"unharmed"),
            [&b"unharmed"[..]]
        );
    }
}

#[test]
fn garbage_during_the_handshake_is_dropped() {
    for versions in BOTH {
        let mut pair = Pair::new(Setup::versions(versions, versions));
        let mut rng = Rng::from_seed(5);
        let junk = garbage(&mut rng, false);
        // Before anything: the server has seen nothing, the client waits for its answer.
        for d in &junk {
            pair.server.handle_receive(pair.now, d);
            pair.client.handle_receive(pair.now, d);
        }
        // And again after the first exchange.
        pair.step();
        for d in &junk {
            pair.server.handle_receive(pair.now, d);
            pair.client.handle_receive(pair.now, d);
        }
        pair.connect();
        assert!(pair.client.stats().malformed_datagrams > 0);
        if versions == DtlsVersions::Auto {
            // The auto-sensing server took nothing but ClientHellos before its first one.
            assert!(pair.server.stats().unexpected_datagrams > 0);
        }
        assert_eq!(pair.send(Dir::ClientToServer, b"ok"), [&b"ok"[..]]);
    }
}

/// A plaintext alert record: level, description (RFC 6347 §4.1, RFC 5246 §7.2).
fn plaintext_alert(level: u8, description: u8) -> Vec<u8> {
    vec![
        ALERT,
        0xfe,
        0xfd,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        9,
        0,
        2,
        level,
        description,
    ]
}

#[test]
fn plaintext_fatal_alert_ends_the_handshake() {
    // Before keys exist, alerts travel in plaintext and a fatal one ends the handshake: that is
    // how a peer says handshake_failure (40).
    for versions in BOTH {
        let mut pair = Pair::new(Setup::versions(versions, versions));
        pair.step();
        pair.client
            .handle_receive(pair.now, &plaintext_alert(2, 40));
        let failure = std::iter::from_fn(|| pair.client.poll_event())
            .find_map(|e| match e {
                DtlsEvent::Failed(f) => Some(f),
                _ => None,
            })
            .expect("failed");
        assert_eq!(
            failure,
            rtcpeer_dtls::DtlsFailure::FatalAlert { description: 40 }
        );
        assert_eq!(failure.error_detail(), "dtls-failure");
    }
}

#[test]
fn plaintext_alert_after_the_handshake_is_ignored() {
    for versions in BOTH {
        let mut pair = connected(versions);
        pair.server
            .handle_receive(pair.now, &plaintext_alert(2, 40));
        pair.server.handle_receive(pair.now, &plaintext_alert(1, 0));
        assert_eq!(pair.server.state(), DtlsTransportState::Connected);
        assert_eq!(pair.server.stats().ignored_datagrams, 2);
        assert_eq!(
            pair.send(Dir::ClientToServer, b"still here"),
            [&b"still here"[..]]
        );
    }
}

#[test]
fn duplicated_datagrams_are_harmless() {
    for versions in BOTH {
        let mut pair = Pair::new(Setup::versions(versions, versions));
        // Deliver everything twice during the handshake.
        let mut dups = Vec::new();
        pair.filter = Box::new(|_| true);
        loop {
            let mut moved = false;
            while let Some(d) = pair.client.poll_transmit() {
                moved = true;
                pair.server.handle_receive(pair.now, &d);
                dups.push((true, d));
            }
            while let Some(d) = pair.server.poll_transmit() {
                moved = true;
                pair.client.handle_receive(pair.now, &d);
                dups.push((false, d));
            }
            for (to_server, d) in dups.drain(..) {
                if to_server {
                    pair.server.handle_receive(pair.now, &d);
                } else {
                    pair.client.handle_receive(pair.now, &d);
                }
            }
            if !moved {
                break;
            }
        }
        pair.connect();
        let a = pattern(1000, 3);
        assert_eq!(pair.send(Dir::ClientToServer, &a), [&a[..]]);
    }
}

#[test]
fn local_close_sends_close_notify_and_reports_closed() {
    for versions in BOTH {
        for client_closes in [true, false] {
            let mut pair = connected(versions);
            let closer = if client_closes {
                &mut pair.client
            } else {
                &mut pair.server
            };
            closer.close();
            assert_eq!(closer.state(), DtlsTransportState::Closed);
            assert!(closer.poll_transmit().is_some(), "close_notify is sent");
            let mut closer_events = Vec::new();
            while let Some(e) = closer.poll_event() {
                closer_events.push(e);
            }
            assert_eq!(
                closer_events,
                [
                    DtlsEvent::StateChange(DtlsTransportState::Closed),
                    DtlsEvent::Closed { by_peer: false }
                ]
            );
            assert_eq!(closer.poll_timeout(), None);
            assert_eq!(
                closer.send_application_data(b"x"),
                Err(DtlsError::NotConnected(DtlsTransportState::Closed))
            );
            closer.close();
            assert_eq!(closer.poll_event(), None, "closing twice does nothing");
        }
    }
}

#[test]
fn close_notify_reaches_the_peer() {
    for versions in BOTH {
        for client_closes in [true, false] {
            let mut pair = connected(versions);
            if client_closes {
                pair.client.close();
            } else {
                pair.server.close();
            }
            while pair.step() {}
            let peer_events = if client_closes {
                &pair.server_events
            } else {
                &pair.client_events
            };
            assert!(
                peer_events.contains(&DtlsEvent::Closed { by_peer: true }),
                "{versions:?} {peer_events:?}"
            );
            assert_eq!(
                states(peer_events).last(),
                Some(&DtlsTransportState::Closed)
            );
            assert_eq!(pair.client.state(), DtlsTransportState::Closed);
            assert_eq!(pair.server.state(), DtlsTransportState::Closed);
            // Nothing more happens, whatever arrives.
            let late = pair.client.stats().late_datagrams;
            pair.client
                .handle_receive(pair.now, &[22, 0xfe, 0xfd, 0, 0]);
            assert_eq!(pair.client.poll_event(), None);
            assert_eq!(pair.client.stats().late_datagrams, late + 1);
        }
    }
}

#[test]
fn close_during_the_handshake_abandons_it() {
    let mut pair = Pair::new(Setup::default());
    pair.step();
    pair.client.close();
    assert_eq!(pair.client.state(), DtlsTransportState::Closed);
    assert_eq!(pair.client.poll_timeout(), None);
    while pair.step() {}
    assert_ne!(pair.server.state(), DtlsTransportState::Connected);
}
