//! Association scenarios over the in-memory lossy network: handshake (one side or both
//! connecting), reliable ordered and unordered delivery under loss, reordering and duplication,
//! partial reliability, large messages, stream reset, shutdown, abort, and a vanished peer.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use common::{Link, Net, base_time};
use rtcpeer_sctp::{Association, CloseReason, Config, Event, Reliability, State};
use rtcpeer_types::Rng;

fn pair(config: Config, link: Link, seed: u64) -> Net<Association> {
    let now = base_time();
    let a = Association::new(config.clone(), now, Rng::from_seed(seed * 2 + 1));
    let b = Association::new(config, now, Rng::from_seed(seed * 2 + 2));
    Net::new(a, b, now, link, seed)
}

#[derive(Default)]
struct Seen {
    connected: bool,
    messages: Vec<rtcpeer_sctp::Message>,
    closed: Option<CloseReason>,
    incoming_reset: Vec<u16>,
    outgoing_reset: Vec<u16>,
    restarted: bool,
}

fn drain(assoc: &mut Association, seen: &mut Seen) {
    while let Some(e) = assoc.poll_event() {
        match e {
            Event::Connected => seen.connected = true,
            Event::Message(m) => seen.messages.push(m),
            Event::Closed { reason } => seen.closed = Some(reason),
            Event::IncomingStreamsReset { streams } => seen.incoming_reset.extend(streams),
            Event::OutgoingStreamsReset { streams } => seen.outgoing_reset.extend(streams),
            Event::Restarted => seen.restarted = true,
            _ => {}
        }
    }
}

fn connect(net: &mut Net<Association>, both: bool) -> (Seen, Seen) {
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    net.a.connect();
    if both {
        net.b.connect();
    }
    let ok = net.run_until(Duration::from_secs(60), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        sa.connected && sb.connected
    });
    assert!(
        ok,
        "no connection: a {:?} b {:?}",
        net.a.state(),
        net.b.state()
    );
    (sa, sb)
}

#[test]
fn handshake_one_side_connects() {
    let mut net = pair(Config::default(), Link::perfect(), 1);
    connect(&mut net, false);
    assert_eq!(net.a.state(), State::Established);
    assert_eq!(net.b.state(), State::Established);
    assert!(net.a.peer_supports_partial_reliability() && net.a.peer_supports_stream_reset());
    assert!(net.b.peer_supports_partial_reliability() && net.b.peer_supports_stream_reset());
    // INIT, INIT ACK, COOKIE ECHO, COOKIE ACK: four packets, one every 10 ms.
    assert_eq!(net.sent, 4);
    assert_eq!(net.elapsed(), Duration::from_millis(40));
}

#[test]
fn handshake_both_connect_simultaneously() {
    for seed in 0..20 {
        let mut net = pair(Config::default(), Link::perfect(), seed);
        connect(&mut net, true);
        assert_eq!(net.a.state(), State::Established);
        assert_eq!(net.b.state(), State::Established);
        // Data flows both ways afterwards.
        net.a
            .send(
                1,
                53,
                false,
                Reliability::Reliable,
                Bytes::from_static(b"ab"),
            )
            .unwrap();
        net.b
            .send(
                2,
                53,
                false,
                Reliability::Reliable,
                Bytes::from_static(b"ba"),
            )
            .unwrap();
        let (mut sa, mut sb) = (Seen::default(), Seen::default());
        assert!(net.run_until(Duration::from_secs(5), |n| {
            drain(&mut n.a, &mut sa);
            drain(&mut n.b, &mut sb);
            sa.messages.len() == 1 && sb.messages.len() == 1
        }));
        assert_eq!(sb.messages[0].data, Bytes::from_static(b"ab"));
        assert_eq!(sa.messages[0].data, Bytes::from_static(b"ba"));
    }
}

#[test]
fn handshake_survives_loss() {
    for seed in 0..10 {
        let mut net = pair(Config::default(), Link::lossy(0.3), seed);
        connect(&mut net, seed % 2 == 0);
    }
}

/// Messages with recognisable contents: stream, index, and a length that varies.
fn message(stream: u16, i: usize, max_len: usize) -> Bytes {
    let len = 1 + (i * 7919 + stream as usize * 31) % max_len;
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(&(i as u32).to_be_bytes());
    v.extend_from_slice(&stream.to_be_bytes());
    while v.len() < len {
        v.push((v.len() * 31 + i) as u8);
    }
    v.truncate(len.max(6));
    Bytes::from(v)
}

/// Plain RFC 9260 behaviour: DATA chunks and the three-miss fast retransmit rule (what a
/// browser peer without I-DATA gets, and what `rack: false` restores).
fn classic() -> Config {
    Config {
        interleaving: false,
        rack: false,
        ..Config::default()
    }
}

fn reliable_transfer(loss: f64, seed: u64, unordered: bool) {
    reliable_transfer_with(Config::default(), loss, seed, unordered);
}

fn reliable_transfer_with(config: Config, loss: f64, seed: u64, unordered: bool) {
    let link = if loss == 0.0 {
        Link::perfect()
    } else {
        Link::lossy(loss)
    };
    let mut net = pair(config, link, seed);
    connect(&mut net, true);
    let streams = [0u16, 1, 7];
    let per_stream = 150;
    let mut expected: HashMap<u16, Vec<Bytes>> = HashMap::new();
    for i in 0..per_stream {
        for &s in &streams {
            let m = message(s, i, 5000);
            net.a
                .send(s, 53, unordered, Reliability::Reliable, m.clone())
                .unwrap();
            expected.entry(s).or_default().push(m);
        }
    }
    // Some traffic back, too.
    for i in 0..50 {
        net.b
            .send(3, 51, false, Reliability::Reliable, message(3, i, 300))
            .unwrap();
    }
    let total = per_stream * streams.len();
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    let ok = net.run_until(Duration::from_secs(600), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        sb.messages.len() >= total && sa.messages.len() >= 50
    });
    assert!(
        ok,
        "loss {loss} seed {seed}: got {} of {total}",
        sb.messages.len()
    );
    // Let the retransmissions settle, then check nothing extra arrived.
    net.run_until(Duration::from_secs(5), |_| false);
    drain(&mut net.b, &mut sb);
    assert_eq!(sb.messages.len(), total, "every message exactly once");
    let mut got: HashMap<u16, Vec<Bytes>> = HashMap::new();
    for m in &sb.messages {
        assert_eq!(m.ppid, 53);
        assert_eq!(m.unordered, unordered);
        got.entry(m.stream_id).or_default().push(m.data.clone());
    }
    for (s, want) in &expected {
        let mut have = got.remove(s).unwrap_or_default();
        if unordered {
            let mut w = want.clone();
            w.sort();
            have.sort();
            assert_eq!(have, w, "stream {s}");
        } else {
            assert_eq!(&have, want, "stream {s} in order");
        }
    }
    assert_eq!(sa.messages.len(), 50);
    for (i, m) in sa.messages.iter().enumerate() {
        assert_eq!(m.data, message(3, i, 300));
    }
    assert_eq!(net.a.state(), State::Established);
    if loss > 0.0 {
        assert!(net.a.stats().retransmissions > 0);
    }
}

#[test]
fn reliable_ordered_no_loss() {
    reliable_transfer(0.0, 1, false);
}

#[test]
fn reliable_ordered_5_percent_loss() {
    for seed in 0..3 {
        reliable_transfer(0.05, seed, false);
    }
}

#[test]
fn reliable_ordered_20_percent_loss() {
    for seed in 0..3 {
        reliable_transfer(0.20, seed, false);
    }
}

#[test]
fn reliable_with_data_chunks_and_the_three_miss_rule() {
    for (loss, seed) in [(0.0, 1), (0.05, 2), (0.2, 3)] {
        reliable_transfer_with(classic(), loss, seed, false);
    }
    reliable_transfer_with(classic(), 0.2, 4, true);
    // Each feature alone.
    let rack_only = Config {
        interleaving: false,
        ..Config::default()
    };
    reliable_transfer_with(rack_only, 0.2, 5, false);
    let idata_only = Config {
        rack: false,
        ..Config::default()
    };
    reliable_transfer_with(idata_only, 0.2, 6, false);
}

#[test]
fn reliable_unordered_with_loss() {
    reliable_transfer(0.0, 4, true);
    reliable_transfer(0.05, 5, true);
    reliable_transfer(0.20, 6, true);
}

#[test]
fn large_messages_256k_and_16m() {
    for (size, max) in [
        (256 * 1024, 256 * 1024),
        (16 * 1024 * 1024, 16 * 1024 * 1024),
    ] {
        let config = Config {
            max_message_size: max,
            ..Config::default()
        };
        let link = if size > 1 << 20 {
            Link::perfect()
        } else {
            Link::lossy(0.05)
        };
        let mut net = pair(config, link, 9);
        connect(&mut net, true);
        let data: Bytes = (0..size)
            .map(|i| (i * 7 + i / 1000) as u8)
            .collect::<Vec<u8>>()
            .into();
        net.a
            .send(5, 53, false, Reliability::Reliable, data.clone())
            .unwrap();
        net.a
            .send(
                5,
                53,
                false,
                Reliability::Reliable,
                Bytes::from_static(b"after"),
            )
            .unwrap();
        let mut sb = Seen::default();
        assert!(net.run_until(Duration::from_secs(600), |n| {
            drain(&mut n.b, &mut sb);
            sb.messages.len() == 2
        }));
        assert_eq!(sb.messages[0].data.len(), size);
        assert!(sb.messages[0].data == data, "{size}-byte message intact");
        assert_eq!(sb.messages[1].data, Bytes::from_static(b"after"));
    }
    // Over the limit: refused locally.
    let mut a = Association::new(Config::default(), base_time(), Rng::from_seed(1));
    let too_big = Bytes::from(vec![0u8; 256 * 1024 + 1]);
    assert!(
        a.send(1, 53, false, Reliability::Reliable, too_big)
            .is_err()
    );
}

/// Partial reliability: with maxRetransmits = 0 under loss, what arrives is in order and
/// intact, what is lost is exactly what the link dropped (never more than the loss could
/// explain), the association keeps going, and reliable traffic on another stream is complete.
#[test]
fn partial_reliability_max_retransmits() {
    for (seed, unordered, config) in [
        (1, false, Config::default()),
        (2, true, Config::default()),
        (3, false, Config::default()),
        (4, false, classic()),
        (5, true, classic()),
    ] {
        let mut net = pair(config, Link::lossy(0.2), seed);
        connect(&mut net, true);
        let n = 400;
        for i in 0..n {
            net.a
                .send(
                    1,
                    53,
                    unordered,
                    Reliability::MaxRetransmits(0),
                    message(1, i, 200),
                )
                .unwrap();
            net.a
                .send(2, 53, false, Reliability::Reliable, message(2, i, 200))
                .unwrap();
        }
        let mut sb = Seen::default();
        let ok = net.run_until(Duration::from_secs(300), |n2| {
            drain(&mut n2.b, &mut sb);
            sb.messages.iter().filter(|m| m.stream_id == 2).count() == n
        });
        assert!(ok, "seed {seed}: {} messages", sb.messages.len());
        net.run_until(Duration::from_secs(10), |_| false);
        drain(&mut net.b, &mut sb);
        let partial: Vec<_> = sb.messages.iter().filter(|m| m.stream_id == 1).collect();
        let indices: Vec<u32> = partial
            .iter()
            .map(|m| u32::from_be_bytes(m.data[..4].try_into().unwrap()))
            .collect();
        for (m, &i) in partial.iter().zip(&indices) {
            assert_eq!(m.data, message(1, i as usize, 200), "intact");
        }
        let mut sorted = indices.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), indices.len(), "no duplicates");
        if !unordered {
            assert!(indices.windows(2).all(|w| w[0] < w[1]), "ordered");
        }
        // Some were dropped (20% loss, no retransmission) but most arrived.
        assert!(
            partial.len() < n && partial.len() > n * 6 / 10,
            "{} of {n}",
            partial.len()
        );
        let reliable: Vec<_> = sb.messages.iter().filter(|m| m.stream_id == 2).collect();
        assert_eq!(reliable.len(), n);
        for (i, m) in reliable.iter().enumerate() {
            assert_eq!(m.data, message(2, i, 200));
        }
    }
}

/// With no loss, partially reliable channels lose nothing.
#[test]
fn partial_reliability_without_loss_delivers_everything() {
    let mut net = pair(Config::default(), Link::perfect(), 3);
    connect(&mut net, true);
    for i in 0..300 {
        net.a
            .send(
                1,
                53,
                false,
                Reliability::MaxRetransmits(0),
                message(1, i, 3000),
            )
            .unwrap();
        let life = Reliability::MaxLifetime(Duration::from_secs(5));
        net.a.send(2, 53, true, life, message(2, i, 3000)).unwrap();
    }
    let mut sb = Seen::default();
    assert!(net.run_until(Duration::from_secs(60), |n| {
        drain(&mut n.b, &mut sb);
        sb.messages.len() == 600
    }));
}

/// maxPacketLifeTime: messages queued behind a closed window expire before being sent and are
/// dropped; later ones still flow.
#[test]
fn partial_reliability_lifetime_expires() {
    let mut net = pair(Config::default(), Link::lossy(0.0), 4);
    connect(&mut net, true);
    // The link becomes very slow (1 s one way); 20 ms of lifetime cannot survive a loss.
    net.link.delay = Duration::from_millis(1000);
    net.link.loss = 0.3;
    let n = 200;
    for i in 0..n {
        let life = Reliability::MaxLifetime(Duration::from_millis(20));
        net.a.send(1, 53, false, life, message(1, i, 1000)).unwrap();
    }
    let mut sb = Seen::default();
    net.run_until(Duration::from_secs(120), |_| false);
    drain(&mut net.b, &mut sb);
    assert!(sb.messages.len() < n, "lifetime limits dropped some");
    let idx: Vec<u32> = sb
        .messages
        .iter()
        .map(|m| u32::from_be_bytes(m.data[..4].try_into().unwrap()))
        .collect();
    assert!(idx.windows(2).all(|w| w[0] < w[1]));
    // The association is still healthy: a reliable message gets through.
    net.link.loss = 0.0;
    net.a
        .send(
            3,
            53,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"ok"),
        )
        .unwrap();
    assert!(net.run_until(Duration::from_secs(60), |n2| {
        drain(&mut n2.b, &mut sb);
        sb.messages.iter().any(|m| m.stream_id == 3)
    }));
}

/// A message's lifetime starts when the association next learns the time after `send`, not
/// at the last instant it saw: queued after a long idle spell, it is still sent.
#[test]
fn lifetime_starts_when_the_message_is_queued() {
    let mut net = pair(Config::default(), Link::perfect(), 9);
    connect(&mut net, true);
    // Five idle seconds the association is not told about.
    net.now += Duration::from_secs(5);
    let life = Reliability::MaxLifetime(Duration::from_millis(100));
    net.a.send(1, 53, false, life, message(1, 0, 500)).unwrap();
    let mut sb = Seen::default();
    assert!(net.run_until(Duration::from_secs(2), |n| {
        drain(&mut n.b, &mut sb);
        !sb.messages.is_empty()
    }));
    assert_eq!(sb.messages[0].data, message(1, 0, 500));
}

#[test]
fn stream_reset_both_ways() {
    let mut net = pair(Config::default(), Link::lossy(0.1), 5);
    connect(&mut net, true);
    for i in 0..20 {
        net.a
            .send(4, 53, false, Reliability::Reliable, message(4, i, 3000))
            .unwrap();
    }
    net.a.reset_streams(&[4]).unwrap();
    assert!(
        net.a
            .send(
                4,
                53,
                false,
                Reliability::Reliable,
                Bytes::from_static(b"x")
            )
            .is_err()
    );
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    assert!(net.run_until(Duration::from_secs(120), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        !sb.incoming_reset.is_empty() && !sa.outgoing_reset.is_empty()
    }));
    // Everything sent before the reset arrived before it was reported.
    assert_eq!(sb.messages.len(), 20);
    assert_eq!(sb.incoming_reset, vec![4]);
    // The stream is usable again, with SSN 0: b receives it in order.
    net.a
        .send(
            4,
            53,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"again"),
        )
        .unwrap();
    assert!(net.run_until(Duration::from_secs(60), |n| {
        drain(&mut n.b, &mut sb);
        sb.messages.len() == 21
    }));
    assert_eq!(sb.messages[20].data, Bytes::from_static(b"again"));
}

#[test]
fn graceful_shutdown() {
    let mut net = pair(Config::default(), Link::lossy(0.1), 6);
    connect(&mut net, true);
    for i in 0..50 {
        net.a
            .send(0, 53, false, Reliability::Reliable, message(0, i, 2000))
            .unwrap();
    }
    net.a.shutdown();
    assert!(
        net.a
            .send(
                0,
                53,
                false,
                Reliability::Reliable,
                Bytes::from_static(b"x")
            )
            .is_err()
    );
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    assert!(net.run_until(Duration::from_secs(120), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        sa.closed.is_some() && sb.closed.is_some()
    }));
    assert_eq!(
        sb.messages.len(),
        50,
        "queued data is delivered before shutdown"
    );
    assert_eq!(sa.closed, Some(CloseReason::Shutdown));
    assert_eq!(sb.closed, Some(CloseReason::Shutdown));
    assert!(net.a.is_closed() && net.b.is_closed());
    assert_eq!(net.a.poll_timeout(), None);
}

#[test]
fn abort_reaches_peer() {
    let mut net = pair(Config::default(), Link::perfect(), 7);
    connect(&mut net, true);
    net.a.abort();
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    assert!(net.run_until(Duration::from_secs(5), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        sb.closed.is_some()
    }));
    assert_eq!(sa.closed, Some(CloseReason::LocalAbort));
    assert!(matches!(sb.closed, Some(CloseReason::PeerAbort { .. })));
}

#[test]
fn vanished_peer_is_detected_with_data_outstanding() {
    let mut net = pair(Config::default(), Link::perfect(), 8);
    connect(&mut net, true);
    net.b_gone = true;
    net.a
        .send(
            0,
            53,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"hello?"),
        )
        .unwrap();
    let mut sa = Seen::default();
    assert!(net.run_until(Duration::from_secs(600), |n| {
        drain(&mut n.a, &mut sa);
        sa.closed.is_some()
    }));
    assert_eq!(sa.closed, Some(CloseReason::PeerUnreachable));
    // 11 T3 expiries with back-off capped at RTO.Max = 6 s: well under two minutes.
    assert!(
        net.elapsed() < Duration::from_secs(120),
        "{:?}",
        net.elapsed()
    );
    assert_eq!(net.a.stats().t3_expiries, 11);
}

#[test]
fn vanished_peer_is_detected_by_heartbeats_when_idle() {
    let mut net = pair(Config::default(), Link::perfect(), 9);
    connect(&mut net, true);
    // Idle but healthy: heartbeats flow and are answered for a while.
    net.run_until(Duration::from_secs(200), |_| false);
    assert_eq!(net.a.state(), State::Established);
    assert!(net.a.srtt().is_some());
    net.b_gone = true;
    let mut sa = Seen::default();
    assert!(net.run_until(Duration::from_secs(1200), |n| {
        drain(&mut n.a, &mut sa);
        sa.closed.is_some()
    }));
    assert_eq!(sa.closed, Some(CloseReason::PeerUnreachable));
}

#[test]
fn connect_times_out_without_peer() {
    let mut net = pair(Config::default(), Link::perfect(), 10);
    net.b_gone = true;
    net.a.connect();
    let mut sa = Seen::default();
    assert!(net.run_until(Duration::from_secs(600), |n| {
        drain(&mut n.a, &mut sa);
        sa.closed.is_some()
    }));
    assert_eq!(sa.closed, Some(CloseReason::ConnectTimeout));
}

#[test]
fn peer_restart_is_detected() {
    let mut net = pair(Config::default(), Link::perfect(), 11);
    connect(&mut net, true);
    // b loses all state and connects again with a new association.
    net.b = Association::new(Config::default(), net.now, Rng::from_seed(999));
    net.b.connect();
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    assert!(net.run_until(Duration::from_secs(30), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        sa.restarted && sb.connected
    }));
    net.b
        .send(
            1,
            51,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"new life"),
        )
        .unwrap();
    net.a
        .send(
            1,
            51,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"welcome"),
        )
        .unwrap();
    assert!(net.run_until(Duration::from_secs(30), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        !sa.messages.is_empty() && !sb.messages.is_empty()
    }));
    assert_eq!(sa.messages[0].data, Bytes::from_static(b"new life"));
    assert_eq!(sb.messages[0].data, Bytes::from_static(b"welcome"));
}

#[test]
fn corrupted_and_foreign_packets_are_dropped() {
    let mut net = pair(Config::default(), Link::perfect(), 12);
    connect(&mut net, true);
    net.a
        .send(
            0,
            53,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"x"),
        )
        .unwrap();
    let p = net.a.poll_transmit(net.now).unwrap();
    let mut bad = p.to_vec();
    bad[20] ^= 0xff;
    let before = net.b.stats().packets_dropped;
    net.b.handle_receive(net.now, &bad);
    net.b.handle_receive(net.now, &p[..7]);
    let mut wrong_tag = p.to_vec();
    wrong_tag[4] ^= 1;
    let sum = rtcpeer_sctp::wire::checksum(&wrong_tag);
    wrong_tag[8..12].copy_from_slice(&sum.to_le_bytes());
    net.b.handle_receive(net.now, &wrong_tag);
    assert_eq!(net.b.stats().packets_dropped, before + 3);
    assert!(net.b.poll_event().is_none());
    net.b.handle_receive(net.now, &p);
    assert!(matches!(net.b.poll_event(), Some(Event::Message(_))));
}

#[test]
fn zero_checksum_when_both_agree() {
    let config = Config {
        zero_checksum: true,
        ..Config::default()
    };
    let mut net = pair(config, Link::lossy(0.05), 13);
    connect(&mut net, true);
    assert!(net.a.zero_checksum_in_use() && net.b.zero_checksum_in_use());
    net.a
        .send(
            0,
            53,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"zero"),
        )
        .unwrap();
    let p = net.a.poll_transmit(net.now).unwrap();
    assert_eq!(&p[8..12], &[0, 0, 0, 0]);
    net.b.handle_receive_bytes(net.now, p);
    assert!(matches!(net.b.poll_event(), Some(Event::Message(_))));
    // One side only: checksums stay.
    let now = base_time();
    let a = Association::new(
        Config {
            zero_checksum: true,
            ..Config::default()
        },
        now,
        Rng::from_seed(1),
    );
    let b = Association::new(Config::default(), now, Rng::from_seed(2));
    let mut net = Net::new(a, b, now, Link::perfect(), 1);
    connect(&mut net, true);
    assert!(!net.a.zero_checksum_in_use());
}
