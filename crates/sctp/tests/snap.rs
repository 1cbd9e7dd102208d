//! SNAP (draft-hancke-tsvwg-snap): associations set up from INIT chunks exchanged out of
//! band (as `a=sctp-init` in SDP) exchange data with no handshake round trip; an echoed,
//! malformed or one-sided exchange falls back to the RFC 9260 handshake.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use common::{Link, Net, base_time, chunk_types};
use rtcpeer_sctp::datachannel::{ChannelEvent, ChannelMessage, DataChannelInit, DtlsRole};
use rtcpeer_sctp::wire::{ChunkType, InitChunk};
use rtcpeer_sctp::{
    Association, Config, DataChannels, Event, Message, Reliability, SnapError, State,
};
use rtcpeer_types::Rng;

fn pair(a: Config, b: Config, seed: u64) -> Net<Association> {
    let now = base_time();
    let a = Association::new(a, now, Rng::from_seed(seed * 2 + 1));
    let b = Association::new(b, now, Rng::from_seed(seed * 2 + 2));
    Net::new(a, b, now, Link::perfect(), seed)
}

/// Records every chunk type put on the link, both ways.
fn sniff(net: &mut Net<Association>) -> Rc<RefCell<Vec<u8>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    net.filter = Some(Box::new(move |_, p| {
        s.borrow_mut().extend(chunk_types(p));
        false
    }));
    seen
}

#[derive(Default)]
struct Seen {
    connected: bool,
    restarted: bool,
    messages: Vec<Message>,
}

fn drain(assoc: &mut Association, seen: &mut Seen) {
    while let Some(e) = assoc.poll_event() {
        match e {
            Event::Connected => seen.connected = true,
            Event::Message(m) => seen.messages.push(m),
            Event::Restarted => seen.restarted = true,
            _ => {}
        }
    }
}

fn handshake_chunks(types: &[u8]) -> usize {
    types
        .iter()
        .filter(|t| {
            [
                ChunkType::INIT,
                ChunkType::INIT_ACK,
                ChunkType::COOKIE_ECHO,
                ChunkType::COOKIE_ACK,
            ]
            .contains(t)
        })
        .count()
}

/// Sends one message each way and returns when both arrived (and the virtual time it took).
fn exchange(net: &mut Net<Association>) -> Duration {
    let start = net.now;
    net.a
        .send(
            1,
            51,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"from a"),
        )
        .unwrap();
    net.b
        .send(
            2,
            51,
            false,
            Reliability::Reliable,
            Bytes::from_static(b"from b"),
        )
        .unwrap();
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    assert!(net.run_until(Duration::from_secs(60), |n| {
        drain(&mut n.a, &mut sa);
        drain(&mut n.b, &mut sb);
        !sa.messages.is_empty() && !sb.messages.is_empty()
    }));
    assert_eq!(sb.messages[0].data, Bytes::from_static(b"from a"));
    assert_eq!(sa.messages[0].data, Bytes::from_static(b"from b"));
    net.now - start
}

#[test]
fn exchanged_inits_give_an_association_with_no_handshake() {
    let config = Config {
        zero_checksum: true,
        ..Config::default()
    };
    let mut net = pair(config.clone(), config, 1);
    let types = sniff(&mut net);
    // Offer and answer carry each side's INIT chunk (base64, as in a=sctp-init).
    let offer = net.a.local_sctp_init_base64();
    net.b.set_remote_sctp_init_base64(&offer).unwrap();
    let answer = net.b.local_sctp_init_base64();
    net.a.set_remote_sctp_init_base64(&answer).unwrap();
    // Neither changed state or armed a timer (draft §6).
    assert_eq!(net.a.state(), State::Closed);
    assert_eq!(net.a.poll_timeout(), None);
    assert_eq!(
        net.a.local_sctp_init_base64(),
        offer,
        "the same INIT each time"
    );
    // DTLS is up: both connect and are established at once, without a packet.
    net.a.connect();
    net.b.connect();
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    drain(&mut net.a, &mut sa);
    drain(&mut net.b, &mut sb);
    assert!(sa.connected && sb.connected);
    assert!(net.a.is_established() && net.b.is_established());
    assert!(net.a.established_by_snap() && net.b.established_by_snap());
    assert_eq!(net.sent, 0);
    // Capabilities were negotiated from the two INIT chunks.
    for assoc in [&net.a, &net.b] {
        assert!(assoc.zero_checksum_in_use());
        assert!(assoc.interleaving_in_use());
        assert!(assoc.peer_supports_partial_reliability());
        assert!(assoc.peer_supports_stream_reset());
    }
    // The first packets carry data: one message each way arrives after one 10 ms hop.
    assert_eq!(exchange(&mut net), Duration::from_millis(10));
    assert_eq!(handshake_chunks(&types.borrow()), 0);
    // And the association works like any other: partial reliability, reset, shutdown.
    net.a.reset_streams(&[1]).unwrap();
    net.a.shutdown();
    assert!(net.run_until(Duration::from_secs(30), |n| n.a.is_closed()
        && n.b.is_closed()));
}

/// The same exchange with the normal handshake: the data waits for INIT, INIT ACK, COOKIE
/// ECHO and COOKIE ACK, two round trips (here 40 ms) instead of none.
#[test]
fn handshake_costs_two_round_trips_more() {
    let mut net = pair(Config::default(), Config::default(), 2);
    net.a.connect();
    net.b.connect();
    assert!(exchange(&mut net) >= Duration::from_millis(40));
    assert!(!net.a.established_by_snap());
}

#[test]
fn data_channels_open_and_talk_without_a_handshake() {
    let now = base_time();
    let a = DataChannels::new(Config::default(), DtlsRole::Client, now, Rng::from_seed(5));
    let b = DataChannels::new(Config::default(), DtlsRole::Server, now, Rng::from_seed(6));
    let mut net = Net::new(a, b, now, Link::perfect(), 5);
    let offer = net.a.local_sctp_init_base64();
    net.b.set_remote_sctp_init_base64(&offer).unwrap();
    let answer = net.b.local_sctp_init_base64();
    net.a.set_remote_sctp_init_base64(&answer).unwrap();
    let id = net
        .a
        .create_channel(DataChannelInit {
            label: "chat".into(),
            ..Default::default()
        })
        .unwrap();
    net.a.connect();
    net.b.connect();
    // Open at once: the message goes out with DATA_CHANNEL_OPEN in the first packet.
    let mut open = false;
    while let Some(e) = net.a.poll_event() {
        open |= e == ChannelEvent::Open { id };
    }
    assert!(open);
    net.a.send_text(id, "hello").unwrap();
    let start = net.now;
    let mut got = None;
    assert!(net.run_until(Duration::from_secs(10), |n| {
        while let Some(e) = n.b.poll_event() {
            if let ChannelEvent::Message { message, .. } = e {
                got = Some(message);
            }
        }
        got.is_some()
    }));
    assert_eq!(got, Some(ChannelMessage::Text("hello".into())));
    assert_eq!(net.now - start, Duration::from_millis(10));
}

#[test]
fn our_own_init_echoed_back_falls_back_to_the_handshake() {
    let mut net = pair(Config::default(), Config::default(), 3);
    let types = sniff(&mut net);
    // A peer that does not support SNAP but copies the attribute into its answer.
    let ours = net.a.local_sctp_init_base64();
    assert_eq!(
        net.a.set_remote_sctp_init_base64(&ours),
        Err(SnapError::Echoed)
    );
    net.a.connect();
    net.b.connect();
    exchange(&mut net);
    assert!(!net.a.established_by_snap());
    // Both sides sent INIT, INIT ACK and COOKIE ECHO, and answered with COOKIE ACK.
    assert_eq!(handshake_chunks(&types.borrow()), 8);
}

#[test]
fn malformed_values_are_refused_and_change_nothing() {
    let mut a = Association::new(Config::default(), base_time(), Rng::from_seed(1));
    let _ = a.local_sctp_init();
    assert_eq!(
        a.set_remote_sctp_init_base64("Q29va2llTW9uc3Rlcg=="),
        Err(SnapError::Malformed(
            rtcpeer_sctp::wire::WireError::MalformedChunk("INIT")
        ))
    );
    assert_eq!(
        a.set_remote_sctp_init_base64("not base64!"),
        Err(SnapError::Base64)
    );
    // A valid chunk with a zero tag.
    let mut b = Association::new(Config::default(), base_time(), Rng::from_seed(2));
    let mut init = InitChunk::from_chunk_bytes(&b.local_sctp_init()).unwrap();
    init.initiate_tag = 0;
    assert_eq!(
        a.set_remote_sctp_init(&init.to_chunk_bytes().unwrap()),
        Err(SnapError::Invalid)
    );
    a.connect();
    assert_eq!(a.state(), State::CookieWait, "a normal INIT went out");
    assert_eq!(
        a.set_remote_sctp_init(&b.local_sctp_init()),
        Err(SnapError::AlreadyStarted)
    );
}

/// Only one side got the other's INIT chunk (the answer lost its a=sctp-init on the way):
/// that side is established at once and sends; the other runs the handshake with the tag and
/// TSN it announced, which the first answers so that both agree. Nothing is lost.
#[test]
fn one_sided_exchange_still_connects() {
    for seed in 0..6 {
        let mut net = pair(Config::default(), Config::default(), 10 + seed);
        let offer = net.a.local_sctp_init_base64();
        net.b.set_remote_sctp_init_base64(&offer).unwrap();
        let _answer_lost = net.b.local_sctp_init_base64();
        if seed % 2 == 0 {
            net.a.connect();
            net.b.connect();
        } else {
            net.b.connect();
            net.a.connect();
        }
        assert!(net.b.established_by_snap());
        assert!(!net.a.established_by_snap());
        // b sends at once; its first DATA reaches a before a is established.
        let mut sent = Vec::new();
        for i in 0..10u8 {
            let m = Bytes::from(vec![i; 300 + usize::from(i)]);
            net.b
                .send(3, 53, false, Reliability::Reliable, m.clone())
                .unwrap();
            sent.push(m);
        }
        let (mut sa, mut sb) = (Seen::default(), Seen::default());
        assert!(net.run_until(Duration::from_secs(60), |n| {
            drain(&mut n.a, &mut sa);
            drain(&mut n.b, &mut sb);
            sa.messages.len() == 10
        }));
        assert!(sa.connected);
        let got: Vec<Bytes> = sa.messages.iter().map(|m| m.data.clone()).collect();
        assert_eq!(got, sent, "seed {seed}");
        exchange(&mut net);
        assert_eq!(net.a.state(), State::Established);
        assert_eq!(net.b.state(), State::Established);
        drain(&mut net.a, &mut sa);
        drain(&mut net.b, &mut sb);
        assert!(!sa.restarted && !sb.restarted, "seed {seed}: no restart");
    }
}
