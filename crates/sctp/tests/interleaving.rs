//! RFC 8260 user message interleaving between two associations over the in-memory lossy
//! network: negotiation and fallback, a small message overtaking a large one on another
//! stream, reliability under loss, partial reliability with I-FORWARD-TSN, and the protocol
//! violations of mixing DATA and I-DATA.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use common::{Link, Net, base_time, chunk_types};
use rtcpeer_sctp::wire::ChunkType;
use rtcpeer_sctp::{Association, CloseReason, Config, Event, Message, Reliability, State};
use rtcpeer_types::Rng;

fn pair(a: Config, b: Config, link: Link, seed: u64) -> Net<Association> {
    let now = base_time();
    let a = Association::new(a, now, Rng::from_seed(seed * 2 + 1));
    let b = Association::new(b, now, Rng::from_seed(seed * 2 + 2));
    Net::new(a, b, now, link, seed)
}

fn config(interleaving: bool) -> Config {
    Config {
        interleaving,
        max_message_size: 2 * 1024 * 1024,
        ..Config::default()
    }
}

fn link(loss: f64) -> Link {
    if loss == 0.0 {
        Link::perfect()
    } else {
        Link::lossy(loss)
    }
}

#[derive(Default)]
struct Seen {
    connected: bool,
    messages: Vec<Message>,
    closed: Option<CloseReason>,
}

fn drain(assoc: &mut Association, seen: &mut Seen) {
    while let Some(e) = assoc.poll_event() {
        match e {
            Event::Connected => seen.connected = true,
            Event::Message(m) => seen.messages.push(m),
            Event::Closed { reason } => seen.closed = Some(reason),
            _ => {}
        }
    }
}

fn connect(net: &mut Net<Association>) {
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    net.a.connect();
    net.b.connect();
    assert!(net.run_until(Duration::from_secs(60), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        sa.connected && sb.connected
    }));
}

/// Recognisable contents: stream, index, length varying up to `max_len`.
fn message(stream: u16, i: usize, max_len: usize) -> Bytes {
    let len = (1 + (i * 7919 + stream as usize * 31) % max_len).max(6);
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(&(i as u32).to_be_bytes());
    v.extend_from_slice(&stream.to_be_bytes());
    while v.len() < len {
        v.push((v.len() * 31 + i) as u8);
    }
    Bytes::from(v)
}

fn big(len: usize) -> Bytes {
    (0..len)
        .map(|i| (i * 13 + i / 997) as u8)
        .collect::<Vec<u8>>()
        .into()
}

/// Records the chunk types a sends.
fn sniff(net: &mut Net<Association>) -> Rc<RefCell<Vec<u8>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    net.filter = Some(Box::new(move |to_b, p| {
        if to_b {
            s.borrow_mut().extend(chunk_types(p));
        }
        false
    }));
    seen
}

#[test]
fn negotiated_only_when_both_offer_it() {
    for (a, b, want) in [
        (true, true, true),
        (true, false, false),
        (false, true, false),
        (false, false, false),
    ] {
        let mut net = pair(config(a), config(b), Link::perfect(), 1);
        let types = sniff(&mut net);
        connect(&mut net);
        assert_eq!(net.a.interleaving_in_use(), want, "{a} {b}");
        assert_eq!(net.b.interleaving_in_use(), want, "{a} {b}");
        // Data flows either way, with the chunk kind negotiated.
        for i in 0..20 {
            net.a
                .send(1, 53, false, Reliability::Reliable, message(1, i, 4000))
                .unwrap();
        }
        let mut sb = Seen::default();
        assert!(net.run_until(Duration::from_secs(30), |n| {
            drain(&mut n.b, &mut sb);
            sb.messages.len() == 20
        }));
        for (i, m) in sb.messages.iter().enumerate() {
            assert_eq!(m.data, message(1, i, 4000));
        }
        let types = types.borrow();
        assert_eq!(types.contains(&ChunkType::I_DATA), want);
        assert_eq!(types.contains(&ChunkType::DATA), !want);
        assert_eq!(net.a.state(), State::Established);
    }
}

/// Sends a 1 MiB message on stream 1 and then a small one on stream 2; returns how many
/// bytes of the large message had been delivered when the small one arrived (the large one
/// is delivered whole, so this is 0 or 1 MiB), and checks both arrive intact.
fn small_after_large(interleaving: bool, loss: f64, seed: u64) -> (bool, Duration) {
    let mut net = pair(config(interleaving), config(interleaving), link(loss), seed);
    connect(&mut net);
    let large = big(1024 * 1024);
    let small = Bytes::from_static(b"chat message");
    let start = net.now;
    net.a
        .send(1, 53, false, Reliability::Reliable, large.clone())
        .unwrap();
    net.a
        .send(2, 51, false, Reliability::Reliable, small.clone())
        .unwrap();
    let mut sb = Seen::default();
    let mut small_at = None;
    assert!(net.run_until(Duration::from_secs(600), |n| {
        drain(&mut n.b, &mut sb);
        if small_at.is_none() && sb.messages.iter().any(|m| m.stream_id == 2) {
            small_at = Some(n.now - start);
        }
        sb.messages.len() == 2
    }));
    let first = &sb.messages[0];
    let small_first = first.stream_id == 2;
    let (l, s) = if small_first {
        (&sb.messages[1], &sb.messages[0])
    } else {
        (&sb.messages[0], &sb.messages[1])
    };
    assert!(l.data == large, "1 MiB message intact");
    assert_eq!(s.data, small);
    (small_first, small_at.unwrap_or_default())
}

#[test]
fn small_message_overtakes_a_large_one_on_another_stream() {
    for (loss, seed) in [(0.0, 1), (0.05, 2), (0.05, 3), (0.2, 4)] {
        let (small_first, at) = small_after_large(true, loss, seed);
        assert!(
            small_first,
            "loss {loss}: small message waited for the large one"
        );
        // It does not wait for the 1 MiB at all: a few round trips at most.
        assert!(at < Duration::from_secs(2), "loss {loss}: {at:?}");
    }
    // Without interleaving the small message waits behind the whole large one.
    let (small_first, at) = small_after_large(false, 0.0, 1);
    assert!(!small_first);
    assert!(at > Duration::from_millis(100), "{at:?}");
}

fn reliable_transfer(loss: f64, seed: u64, unordered: bool) {
    let mut net = pair(config(true), config(true), link(loss), seed);
    connect(&mut net);
    assert!(net.a.interleaving_in_use());
    let streams = [0u16, 1, 2, 9];
    let per_stream = 60;
    let mut expected: HashMap<u16, Vec<Bytes>> = HashMap::new();
    for i in 0..per_stream {
        for &s in &streams {
            // Up to 20 KB: many messages span several packets, and interleave.
            let m = message(s, i, 20_000);
            net.a
                .send(s, 53, unordered, Reliability::Reliable, m.clone())
                .unwrap();
            expected.entry(s).or_default().push(m);
        }
    }
    for i in 0..40 {
        net.b
            .send(3, 51, false, Reliability::Reliable, message(3, i, 3000))
            .unwrap();
    }
    let total = per_stream * streams.len();
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    let ok = net.run_until(Duration::from_secs(900), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        sb.messages.len() >= total && sa.messages.len() >= 40
    });
    assert!(
        ok,
        "loss {loss} seed {seed}: {} of {total}",
        sb.messages.len()
    );
    net.run_until(Duration::from_secs(5), |_| false);
    drain(&mut net.b, &mut sb);
    assert_eq!(sb.messages.len(), total, "every message exactly once");
    let mut got: HashMap<u16, Vec<Bytes>> = HashMap::new();
    for m in &sb.messages {
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
    for (i, m) in sa.messages.iter().enumerate() {
        assert_eq!(m.data, message(3, i, 3000));
    }
    assert_eq!(net.a.state(), State::Established);
    assert_eq!(net.b.state(), State::Established);
}

#[test]
fn reliable_interleaved_no_loss() {
    reliable_transfer(0.0, 1, false);
    reliable_transfer(0.0, 2, true);
}

#[test]
fn reliable_interleaved_5_percent_loss() {
    for seed in 0..3 {
        reliable_transfer(0.05, seed, false);
    }
    reliable_transfer(0.05, 7, true);
}

#[test]
fn reliable_interleaved_20_percent_loss() {
    for seed in 0..3 {
        reliable_transfer(0.20, seed, false);
    }
    reliable_transfer(0.20, 8, true);
}

/// Partial reliability over I-DATA: multi-fragment messages with maxRetransmits = 0 under
/// 20 % loss are abandoned with I-FORWARD-TSN (FORWARD-TSN would abort the association); what
/// arrives is whole, in order, once; reliable traffic on another stream is complete.
#[test]
fn partial_reliability_with_i_forward_tsn() {
    for (seed, unordered) in [(1, false), (2, true), (3, false)] {
        let mut net = pair(config(true), config(true), Link::lossy(0.2), seed);
        let types = sniff(&mut net);
        connect(&mut net);
        let n = 200;
        for i in 0..n {
            net.a
                .send(
                    1,
                    53,
                    unordered,
                    Reliability::MaxRetransmits(0),
                    message(1, i, 4000),
                )
                .unwrap();
            net.a
                .send(2, 53, false, Reliability::Reliable, message(2, i, 4000))
                .unwrap();
        }
        let mut sb = Seen::default();
        assert!(net.run_until(Duration::from_secs(600), |n2| {
            drain(&mut n2.b, &mut sb);
            sb.messages.iter().filter(|m| m.stream_id == 2).count() == n
        }));
        net.run_until(Duration::from_secs(10), |_| false);
        drain(&mut net.b, &mut sb);
        assert_eq!(net.a.state(), State::Established, "seed {seed}");
        let partial: Vec<u32> = sb
            .messages
            .iter()
            .filter(|m| m.stream_id == 1)
            .map(|m| {
                let i = u32::from_be_bytes(m.data[..4].try_into().unwrap());
                assert_eq!(m.data, message(1, i as usize, 4000), "intact");
                i
            })
            .collect();
        let mut unique = partial.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), partial.len(), "no duplicates");
        if !unordered {
            assert!(partial.windows(2).all(|w| w[0] < w[1]), "ordered");
        }
        assert!(
            partial.len() < n && partial.len() > n / 3,
            "seed {seed}: {} of {n}",
            partial.len()
        );
        let reliable: Vec<_> = sb.messages.iter().filter(|m| m.stream_id == 2).collect();
        for (i, m) in reliable.iter().enumerate() {
            assert_eq!(m.data, message(2, i, 4000));
        }
        let types = types.borrow();
        assert!(types.contains(&ChunkType::I_FORWARD_TSN), "seed {seed}");
        assert!(!types.contains(&ChunkType::FORWARD_TSN));
        assert!(!types.contains(&ChunkType::DATA));
    }
}

/// maxPacketLifeTime over I-DATA: a large message that cannot make it in time is abandoned
/// mid-way (its unsent fragments dropped), and the stream goes on.
#[test]
fn lifetime_abandons_a_partly_sent_large_message() {
    let mut net = pair(config(true), config(true), Link::lossy(0.0), 5);
    connect(&mut net);
    net.link.delay = Duration::from_millis(200);
    net.link.loss = 0.3;
    let life = Reliability::MaxLifetime(Duration::from_millis(300));
    net.a.send(1, 53, false, life, big(512 * 1024)).unwrap();
    for i in 0..20 {
        net.a
            .send(1, 53, false, life, message(1, i + 1, 500))
            .unwrap();
    }
    net.run_until(Duration::from_secs(120), |_| false);
    net.link.loss = 0.0;
    net.a
        .send(
            1,
            53,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"end"),
        )
        .unwrap();
    let mut sb = Seen::default();
    assert!(net.run_until(Duration::from_secs(120), |n| {
        drain(&mut n.b, &mut sb);
        sb.messages
            .iter()
            .any(|m| m.data == Bytes::from_static(b"end"))
    }));
    assert!(
        sb.messages.iter().all(|m| m.data.len() < 512 * 1024),
        "the large message cannot have made it"
    );
    assert_eq!(net.a.state(), State::Established);
    assert_eq!(net.a.buffered_amount(1), 0);
}

/// Builds a packet from a to b (ports and b's tag taken from a real one) with `chunk`.
fn forge(real: &[u8], chunk_type: u8, flags: u8, value: &[u8]) -> Bytes {
    let mut p = BytesMut::new();
    p.put_slice(&real[..8]);
    p.put_u32(0);
    p.put_u8(chunk_type);
    p.put_u8(flags);
    p.put_u16((4 + value.len()) as u16);
    p.put_slice(value);
    p.put_bytes(0, (4 - value.len() % 4) % 4);
    let sum = rtcpeer_sctp::wire::checksum(&p);
    p[8..12].copy_from_slice(&sum.to_le_bytes());
    p.freeze()
}

#[test]
fn mixing_data_and_i_data_aborts() {
    // I-DATA on an association that negotiated DATA, and DATA on one that negotiated I-DATA
    // (RFC 8260 §2.2.3).
    for (interleaving, wrong) in [(false, ChunkType::I_DATA), (true, ChunkType::DATA)] {
        let mut net = pair(
            config(interleaving),
            config(interleaving),
            Link::perfect(),
            3,
        );
        connect(&mut net);
        net.a
            .send(
                1,
                53,
                false,
                Reliability::Reliable,
                Bytes::from_static(b"x"),
            )
            .unwrap();
        let real = net.a.poll_transmit(net.now).unwrap();
        let tsn_etc = [
            0u8, 0, 0, 9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 53, 1, 2, 3, 4,
        ];
        let value = if wrong == ChunkType::DATA {
            &tsn_etc[..16]
        } else {
            &tsn_etc[..]
        };
        net.b
            .handle_receive_bytes(net.now, forge(&real, wrong, 3, value));
        let mut sb = Seen::default();
        drain(&mut net.b, &mut sb);
        assert!(
            matches!(sb.closed, Some(CloseReason::ProtocolViolation(_))),
            "{interleaving}: {:?}",
            sb.closed
        );
        let abort = net.b.poll_transmit(net.now).unwrap();
        assert_eq!(chunk_types(&abort), vec![ChunkType::ABORT]);
    }
}
