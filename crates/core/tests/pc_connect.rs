//! Whole connections: two [`PeerConnection`]s doing offer/answer in memory (with trickle ICE and
//! without), connecting over a seeded netsim network (set `NETSIM_SEED` to replay a failure),
//! and using data channels — DCEP-announced and negotiated — with the W3C events in spec order
//! (webrtc-pc §4.4.1.6, §4.3.2–§4.3.4, §6.1, §6.2). Also an answer to a real Chrome offer.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_core::pc::ChannelMessage;
use rtcpeer_core::*;
use rtcpeer_netsim::{HostId, LinkConditions, Loss, Network, SeedGuard, Zone};
use rtcpeer_types::Rng;

mod pc_support;
use pc_support::*;

/// Sends every kind of message on `channel` of `h`: text, binary, empty text, empty binary and
/// a 256 KiB binary; returns what was sent.
fn send_all(net: &mut Network, h: HostId, channel: DataChannelId, seed: u8) -> Vec<ChannelMessage> {
    let big = pattern(256 * 1024, seed);
    let sent = vec![
        ChannelMessage::Text(format!("hello from {seed}")),
        ChannelMessage::Binary(Bytes::from(vec![seed, 1, 2, 3])),
        ChannelMessage::Text(String::new()),
        ChannelMessage::Binary(Bytes::new()),
        ChannelMessage::Binary(big),
    ];
    let pc = pc_mut(net, h);
    for m in &sent {
        match m {
            ChannelMessage::Text(t) => pc.send_text(channel, t).unwrap(),
            ChannelMessage::Binary(b) => pc.send_binary(channel, b.clone()).unwrap(),
        }
    }
    sent
}

fn public_pair(conditions: LinkConditions) -> (Network, SeedGuard, HostId, HostId) {
    let (mut net, guard) = network();
    let a = add_peer(&mut net, "a", "192.0.2.10:5000", conditions.clone());
    let b = add_peer(&mut net, "b", "192.0.2.20:6000", conditions);
    (net, guard, a, b)
}

#[test]
fn trickle_connects_and_exchanges_every_kind_of_message_on_dcep_and_negotiated_channels() {
    let (mut net, _g, a, b) = public_pair(LinkConditions::with_delay(ms(25)));
    let chat = pc_mut(&mut net, a)
        .create_data_channel("chat", RtcDataChannelInit::default())
        .unwrap();
    let negotiated = RtcDataChannelInit {
        negotiated: true,
        id: Some(7),
        ..Default::default()
    };
    let neg_a = pc_mut(&mut net, a)
        .create_data_channel("neg", negotiated.clone())
        .unwrap();
    let neg_b = pc_mut(&mut net, b)
        .create_data_channel("neg", negotiated)
        .unwrap();
    // No id before the DTLS role is known; `sctp` is null before negotiation.
    assert_eq!(peer(&net, a).pc.data_channel(chat).unwrap().id(), None);
    assert!(peer(&net, a).pc.sctp().is_none());
    offer_answer(&mut net, a, b);
    // The offerer is the DTLS server (the answerer answered `active`): odd ids.
    assert_eq!(peer(&net, a).pc.data_channel(chat).unwrap().id(), Some(1));
    assert_eq!(
        peer(&net, a).pc.sctp().unwrap().state,
        RtcSctpTransportState::Connecting
    );
    run_until(&mut net, a, b, Duration::from_secs(30), |n| {
        peer(n, b)
            .announced("chat")
            .is_some_and(|h| peer(n, b).opened(h))
            && peer(n, a).opened(chat)
            && peer(n, a).opened(neg_a)
            && peer(n, b).opened(neg_b)
    });
    let chat_b = peer(&net, b).announced("chat").unwrap();
    for h in [a, b] {
        let p = peer(&net, h);
        assert_eq!(
            p.connection_states(),
            [
                RtcPeerConnectionState::Connecting,
                RtcPeerConnectionState::Connected
            ]
        );
        assert_eq!(p.pc.connection_state(), RtcPeerConnectionState::Connected);
        assert!(matches!(
            p.pc.ice_connection_state(),
            RtcIceConnectionState::Connected | RtcIceConnectionState::Completed
        ));
        let sctp = p.pc.sctp().unwrap();
        assert_eq!(sctp.state, RtcSctpTransportState::Connected);
        assert_eq!(sctp.max_message_size, Some(262_144.0));
        assert!(sctp.max_channels.is_some());
        // Gathering completed: the end-of-candidates then the null candidate.
        assert!(p.gathering_done);
        assert_eq!(p.pc.ice_gathering_state(), RtcIceGatheringState::Complete);
        let complete = p
            .position(&PeerConnectionEvent::IceGatheringStateChange(
                RtcIceGatheringState::Complete,
            ))
            .unwrap();
        let null = p
            .position(&PeerConnectionEvent::IceCandidate(None))
            .unwrap();
        assert!(complete < null);
        // The SCTP transport connected before the channels opened.
        let sctp_up = p
            .position(&PeerConnectionEvent::SctpStateChange(
                RtcSctpTransportState::Connected,
            ))
            .unwrap();
        let connected = p
            .position(&PeerConnectionEvent::ConnectionStateChange(
                RtcPeerConnectionState::Connected,
            ))
            .unwrap();
        assert!(connected < sctp_up);
        let opened = if h == a { neg_a } else { neg_b };
        assert!(
            sctp_up
                < p.position(&PeerConnectionEvent::DataChannelOpen(opened))
                    .unwrap()
        );
    }
    // b: `datachannel` before `open`, with the announced parameters.
    let pb = peer(&net, b);
    assert!(
        pb.position(&PeerConnectionEvent::DataChannel(chat_b))
            .unwrap()
            < pb.position(&PeerConnectionEvent::DataChannelOpen(chat_b))
                .unwrap()
    );
    assert_eq!(pb.pc.data_channel(chat_b).unwrap().id(), Some(1));
    assert!(!pb.pc.data_channel(chat_b).unwrap().parameters().negotiated);
    assert_eq!(pb.pc.data_channel(neg_b).unwrap().id(), Some(7));
    // Too large a message is a TypeError; nothing is sent.
    let too_big = Bytes::from(vec![0u8; 262_145]);
    let e = pc_mut(&mut net, a).send_binary(chat, too_big).unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::TypeError);

    // Every kind of message, both ways, on both channels.
    let sent_a_chat = send_all(&mut net, a, chat, 1);
    let sent_b_chat = send_all(&mut net, b, chat_b, 2);
    let sent_a_neg = send_all(&mut net, a, neg_a, 3);
    let sent_b_neg = send_all(&mut net, b, neg_b, 4);
    assert!(peer(&net, a).pc.buffered_amount(chat) > 256 * 1024);
    run_until(&mut net, a, b, Duration::from_secs(60), |n| {
        peer(n, b).received(chat_b).len() == 5
            && peer(n, a).received(chat).len() == 5
            && peer(n, b).received(neg_b).len() == 5
            && peer(n, a).received(neg_a).len() == 5
    });
    assert_eq!(peer(&net, b).received(chat_b), sent_a_chat);
    assert_eq!(peer(&net, a).received(chat), sent_b_chat);
    assert_eq!(peer(&net, b).received(neg_b), sent_a_neg);
    assert_eq!(peer(&net, a).received(neg_a), sent_b_neg);
    run_until(&mut net, a, b, Duration::from_secs(10), |n| {
        peer(n, a).pc.buffered_amount(chat) == 0
    });

    // close() on a: a's channels are closed at once and silently; b's close with events.
    pc_mut(&mut net, a).close();
    assert_eq!(
        peer(&net, a).pc.data_channel(chat).unwrap().ready_state(),
        RtcDataChannelState::Closed
    );
    assert_eq!(
        pc_mut(&mut net, a)
            .send_text(chat, "late")
            .unwrap_err()
            .kind(),
        RtcErrorKind::InvalidStateError
    );
    let before = peer(&net, a).log.len();
    run_until(&mut net, a, b, Duration::from_secs(30), |n| {
        [chat_b, neg_b].iter().all(|h| {
            n.endpoint::<Peer>(b)
                .unwrap()
                .pc
                .data_channel(*h)
                .is_some_and(|c| c.ready_state() == RtcDataChannelState::Closed)
        })
    });
    let pb = peer(&net, b);
    for h in [chat_b, neg_b] {
        assert!(
            pb.position(&PeerConnectionEvent::DataChannelClose(h))
                .is_some()
        );
    }
    assert_eq!(peer(&net, a).log.len(), before, "no event after close()");
    assert_eq!(
        peer(&net, a).pc.connection_state(),
        RtcPeerConnectionState::Closed
    );
}

#[test]
fn without_trickle_candidates_travel_in_the_descriptions() {
    let (mut net, _g, a, b) = public_pair(LinkConditions::with_delay(ms(10)));
    let chat = pc_mut(&mut net, a)
        .create_data_channel("chat", RtcDataChannelInit::default())
        .unwrap();
    let now = net.now();
    pc_mut(&mut net, a).handle_timeout(now);
    pc_mut(&mut net, a).set_local_description(None).unwrap();
    // Wait for gathering to complete (host and server-reflexive candidates).
    net.run_until(|n| peer(n, a).gathering_done, Duration::from_secs(10))
        .unwrap();
    let offer = peer(&net, a).pc.local_description().unwrap().clone();
    assert!(offer.sdp().contains("a=candidate:"), "{}", offer.sdp());
    assert!(offer.sdp().contains("a=end-of-candidates"));
    assert!(offer.sdp().contains("192.0.2.10 5000 typ host"));
    let now = net.now();
    {
        let pb = pc_mut(&mut net, b);
        pb.handle_timeout(now);
        pb.set_remote_description(offer.to_json()).unwrap();
        pb.set_local_description(None).unwrap();
    }
    net.run_until(|n| peer(n, b).gathering_done, Duration::from_secs(10))
        .unwrap();
    let answer = peer(&net, b).pc.local_description().unwrap().clone();
    assert!(answer.sdp().contains("192.0.2.20 6000 typ host"));
    assert!(answer.sdp().contains("a=end-of-candidates"));
    pc_mut(&mut net, a)
        .set_remote_description(answer.to_json())
        .unwrap();
    // No trickling at all from here.
    peer_mut(&mut net, a).outbox.clear();
    peer_mut(&mut net, b).outbox.clear();
    net.run_until(
        |n| {
            peer(n, a).opened(chat)
                && peer(n, b)
                    .announced("chat")
                    .is_some_and(|h| peer(n, b).opened(h))
        },
        Duration::from_secs(30),
    )
    .unwrap();
    let chat_b = peer(&net, b).announced("chat").unwrap();
    pc_mut(&mut net, b).send_text(chat_b, "pong").unwrap();
    net.run_until(
        |n| !peer(n, a).received(chat).is_empty(),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(
        peer(&net, a).received(chat),
        [ChannelMessage::Text("pong".into())]
    );
}

#[test]
fn renegotiation_adds_data_channels_after_connect_without_ice_restart() {
    let (mut net, _g, a, b) = public_pair(LinkConditions::with_delay(ms(25)));
    // First round: audio only; the transport connects.
    pc_mut(&mut net, a)
        .add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .unwrap();
    offer_answer(&mut net, a, b);
    assert!(peer(&net, a).pc.sctp().is_none());
    run_until(&mut net, a, b, Duration::from_secs(30), |n| {
        peer(n, a).pc.connection_state() == RtcPeerConnectionState::Connected
            && peer(n, b).pc.connection_state() == RtcPeerConnectionState::Connected
    });
    let ufrag_a = peer(&net, a).pc.local_ice_credentials().ufrag.clone();
    let ufrag_b = peer(&net, b).pc.local_ice_credentials().ufrag.clone();
    let logged = (peer(&net, a).log.len(), peer(&net, b).log.len());
    // A subsequent offer carries the candidates gathered so far, and end-of-candidates.
    let again = pc_mut(&mut net, a)
        .create_offer(RtcOfferOptions::default())
        .unwrap();
    assert!(
        again.sdp.contains("192.0.2.10 5000 typ host"),
        "{}",
        again.sdp
    );
    assert!(again.sdp.contains("a=end-of-candidates"));
    // A channel after connect: negotiation is needed, the second round adds the data section.
    let chat = pc_mut(&mut net, a)
        .create_data_channel("late", RtcDataChannelInit::default())
        .unwrap();
    peer_mut(&mut net, a).drain();
    assert!(peer(&net, a).log[logged.0..].contains(&PeerConnectionEvent::NegotiationNeeded));
    offer_answer(&mut net, a, b);
    run_until(&mut net, a, b, Duration::from_secs(30), |n| {
        peer(n, a).opened(chat)
            && peer(n, b)
                .announced("late")
                .is_some_and(|h| peer(n, b).opened(h))
    });
    // A second channel needs no further negotiation.
    let second = pc_mut(&mut net, a)
        .create_data_channel("second", RtcDataChannelInit::default())
        .unwrap();
    run_until(&mut net, a, b, Duration::from_secs(30), |n| {
        peer(n, a).opened(second)
            && peer(n, b)
                .announced("second")
                .is_some_and(|h| peer(n, b).opened(h))
    });
    assert_ne!(
        peer(&net, a).pc.data_channel(chat).unwrap().id(),
        peer(&net, a).pc.data_channel(second).unwrap().id()
    );
    let late_b = peer(&net, b).announced("late").unwrap();
    pc_mut(&mut net, a)
        .send_text(chat, "after renegotiation")
        .unwrap();
    run_until(&mut net, a, b, Duration::from_secs(10), |n| {
        !peer(n, b).received(late_b).is_empty()
    });
    // No ICE restart: same credentials, and ICE never went back to checking.
    assert_eq!(peer(&net, a).pc.local_ice_credentials().ufrag, ufrag_a);
    assert_eq!(peer(&net, b).pc.local_ice_credentials().ufrag, ufrag_b);
    for (h, from) in [(a, logged.0), (b, logged.1)] {
        assert!(!peer(&net, h).log[from..].iter().any(|e| matches!(
            e,
            PeerConnectionEvent::IceConnectionStateChange(RtcIceConnectionState::Checking)
                | PeerConnectionEvent::ConnectionStateChange(_)
        )));
    }
}

#[test]
fn lossy_path_with_100ms_rtt_delivers_every_message_in_order() {
    // 25 ms each way on each access link: 100 ms round trip; 10 % loss on a's link.
    let (mut net, _g) = network();
    let a = add_peer(
        &mut net,
        "a",
        "192.0.2.10:5000",
        LinkConditions::with_delay(ms(25)).loss(Loss::Random(0.10)),
    );
    let b = add_peer(
        &mut net,
        "b",
        "192.0.2.20:6000",
        LinkConditions::with_delay(ms(25)),
    );
    let chat = pc_mut(&mut net, a)
        .create_data_channel("chat", RtcDataChannelInit::default())
        .unwrap();
    offer_answer(&mut net, a, b);
    run_until(&mut net, a, b, Duration::from_secs(120), |n| {
        peer(n, a).opened(chat)
            && peer(n, b)
                .announced("chat")
                .is_some_and(|h| peer(n, b).opened(h))
    });
    let chat_b = peer(&net, b).announced("chat").unwrap();
    pc_mut(&mut net, a).set_buffered_amount_low_threshold(chat, 1000);
    let mut sent = Vec::new();
    for i in 0..100u32 {
        let m = format!("message {i} {}", "x".repeat(1000));
        pc_mut(&mut net, a).send_text(chat, &m).unwrap();
        sent.push(ChannelMessage::Text(m));
    }
    let echo = pattern(100_000, 9);
    pc_mut(&mut net, b)
        .send_binary(chat_b, echo.clone())
        .unwrap();
    run_until(&mut net, a, b, Duration::from_secs(120), |n| {
        peer(n, b).received(chat_b).len() == sent.len() && !peer(n, a).received(chat).is_empty()
    });
    assert_eq!(peer(&net, b).received(chat_b), sent);
    assert_eq!(peer(&net, a).received(chat), [ChannelMessage::Binary(echo)]);
    assert_eq!(
        peer(&net, a)
            .pc
            .data_channel(chat)
            .unwrap()
            .buffered_amount_low_threshold(),
        1000
    );
    assert!(
        peer(&net, a)
            .log
            .contains(&PeerConnectionEvent::DataChannelBufferedAmountLow(chat))
    );
    assert!(net.stats().lost > 0);
}

#[test]
fn answers_a_chrome_data_channel_offer_consistently_with_the_transport() {
    let offer = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sdp/tests/fixtures/chrome-offer-datachannel.sdp"
    ))
    .unwrap();
    #[allow(clippy::disallowed_methods)]
    let t0 = Instant::now();
    let mut pc = PeerConnection::new(
        RtcConfiguration::default(),
        Rng::from_seed(5),
        t0,
        wall_clock(),
    )
    .unwrap();
    pc.add_local_interface("192.0.2.20:6000".parse().unwrap());
    pc.set_remote_description(RtcSessionDescriptionInit::new(RtcSdpType::Offer, offer))
        .unwrap();
    // A trickled mDNS candidate goes to ICE to be resolved (not a candidate before that); an
    // IP one is used at once.
    let mdns = RtcIceCandidateInit {
        candidate: "candidate:1 1 udp 2122260223 0f3b7a52-1b5e-4c8e-9d3a-2f1e0c9b8a7d.local 54321 typ host generation 0".into(),
        sdp_mid: Some("0".into()),
        ..Default::default()
    };
    pc.add_ice_candidate(mdns).unwrap();
    assert_eq!(pc.wire_counters().mdns_candidates_dropped, 0);
    let ice = pc.transport().unwrap().ice();
    assert!(ice.mdns_stats().is_some_and(|s| s.queries_sent >= 1));
    assert!(ice.remote_candidates().is_empty());
    let ip = RtcIceCandidateInit {
        candidate: "candidate:2 1 udp 2122260223 192.0.2.99 54321 typ host generation 0".into(),
        sdp_mid: Some("0".into()),
        ..Default::default()
    };
    pc.add_ice_candidate(ip).unwrap();
    assert_eq!(pc.transport().unwrap().ice().remote_candidates().len(), 1);
    pc.set_local_description(None).unwrap();
    for i in 1..20 {
        pc.handle_timeout(t0 + ms(10 * i));
    }
    let events: Vec<_> = std::iter::from_fn(|| pc.poll_event()).collect();
    assert!(events.contains(&PeerConnectionEvent::IceCandidate(None)));
    let first = events
        .iter()
        .find_map(|e| match e {
            PeerConnectionEvent::IceCandidate(Some(c)) if !c.candidate.is_empty() => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(first.sdp_mid.as_deref(), Some("0"));
    assert_eq!(first.sdp_m_line_index, Some(0));
    let stack = pc.transport().unwrap();
    assert_eq!(
        first.username_fragment.as_deref(),
        Some(stack.local_credentials().ufrag.as_str())
    );
    let answer =
        rtcpeer_sdp::SessionDescription::parse(pc.local_description().unwrap().sdp()).unwrap();
    let m = &answer.media[0];
    // The answer's candidates are the stack's, with end-of-candidates.
    let in_sdp: Vec<String> = m.candidates().map(|c| c.to_string()).collect();
    assert!(!in_sdp.is_empty());
    assert!(in_sdp.contains(&first.candidate), "{in_sdp:?}");
    assert!(
        in_sdp
            .iter()
            .any(|c| c.contains("192.0.2.20 6000 typ host"))
    );
    assert!(m.is_end_of_candidates());
    // ICE credentials and fingerprint are the stack's; `active` makes it the DTLS client.
    let (ufrag, pwd) = answer.ice_credentials(m).unwrap();
    assert_eq!(ufrag, stack.local_credentials().ufrag);
    assert_eq!(pwd, stack.local_credentials().pwd);
    let fp = answer.fingerprints_for(m);
    assert_eq!(fp.len(), 1);
    assert_eq!(fp[0].value, stack.local_fingerprint().value());
    assert_eq!(answer.setup_for(m), Some(rtcpeer_sdp::Setup::Active));
    assert_eq!(pc.dtls_role(), Some(rtcpeer_dtls::DtlsRole::Client));
    assert_eq!(m.max_message_size(), Some(262_144));
    assert_eq!(pc.sctp().unwrap().max_message_size, Some(262_144.0));
}

#[test]
fn ice_restart_keeps_the_data_channel_working() {
    let (mut net, _g, a, b) = public_pair(LinkConditions::with_delay(ms(25)));
    let chat = pc_mut(&mut net, a)
        .create_data_channel("chat", RtcDataChannelInit::default())
        .unwrap();
    offer_answer(&mut net, a, b);
    run_until(&mut net, a, b, Duration::from_secs(30), |n| {
        peer(n, a).opened(chat)
            && peer(n, b)
                .announced("chat")
                .is_some_and(|h| peer(n, b).opened(h))
    });
    let chat_b = peer(&net, b).announced("chat").unwrap();
    let old = peer(&net, a).pc.local_ice_credentials().ufrag.clone();
    let logged = peer(&net, a).log.len();
    pc_mut(&mut net, a).restart_ice();
    offer_answer(&mut net, a, b);
    let new = peer(&net, a).pc.local_ice_credentials().ufrag.clone();
    assert_ne!(old, new);
    assert_eq!(
        peer(&net, a)
            .pc
            .transport()
            .unwrap()
            .local_credentials()
            .ufrag,
        new
    );
    run_until(&mut net, a, b, Duration::from_secs(30), |n| {
        peer(n, a).log[logged..].contains(&PeerConnectionEvent::IceCandidate(None))
    });
    // The new generation's candidates carry the new ufrag.
    assert!(peer(&net, a).log[logged..].iter().any(|e| matches!(
        e,
        PeerConnectionEvent::IceCandidate(Some(c))
            if !c.candidate.is_empty() && c.username_fragment.as_deref() == Some(new.as_str())
    )));
    pc_mut(&mut net, a)
        .send_text(chat, "after restart")
        .unwrap();
    run_until(&mut net, a, b, Duration::from_secs(30), |n| {
        !peer(n, b).received(chat_b).is_empty()
    });
    assert_eq!(
        peer(&net, b).received(chat_b),
        [ChannelMessage::Text("after restart".into())]
    );
    assert_eq!(
        peer(&net, a).pc.connection_state(),
        RtcPeerConnectionState::Connected
    );

    // close() on the channel: closing at once here; the peer gets closing then close.
    pc_mut(&mut net, a).close_data_channel(chat).unwrap();
    assert_eq!(
        peer(&net, a).pc.data_channel(chat).unwrap().ready_state(),
        RtcDataChannelState::Closing
    );
    run_until(&mut net, a, b, Duration::from_secs(30), |n| {
        peer(n, a)
            .position(&PeerConnectionEvent::DataChannelClose(chat))
            .is_some()
            && peer(n, b)
                .position(&PeerConnectionEvent::DataChannelClose(chat_b))
                .is_some()
    });
    let pb = peer(&net, b);
    assert!(
        pb.position(&PeerConnectionEvent::DataChannelClosing(chat_b))
            .unwrap()
            < pb.position(&PeerConnectionEvent::DataChannelClose(chat_b))
                .unwrap()
    );
    assert_eq!(
        pb.pc.data_channel(chat_b).unwrap().ready_state(),
        RtcDataChannelState::Closed
    );
    // The connection stays up.
    assert_eq!(pb.pc.connection_state(), RtcPeerConnectionState::Connected);
}

#[test]
fn unreachable_stun_server_fires_icecandidateerror() {
    let (mut net, _g) = network();
    let addr: std::net::SocketAddr = "192.0.2.10:5000".parse().unwrap();
    let config = RtcConfiguration {
        ice_servers: vec![RtcIceServer::new("stun:198.51.100.77:3478")],
        ..Default::default()
    };
    let rng: Rng = net.fork_rng();
    let mut pc = PeerConnection::new(config, rng, net.now(), wall_clock()).unwrap();
    pc.add_local_interface(addr);
    pc.create_data_channel("x", RtcDataChannelInit::default())
        .unwrap();
    pc.set_local_description(None).unwrap();
    let p = Peer {
        pc,
        log: Vec::new(),
        messages: HashMap::new(),
        outbox: Vec::new(),
        gathering_done: false,
    };
    let h = net.add_host("a", Zone::Internet, &[addr.ip()], p).unwrap();
    peer_mut(&mut net, h).drain();
    net.run_until(|n| peer(n, h).gathering_done, Duration::from_secs(120))
        .unwrap();
    let p = peer(&net, h);
    let error = p
        .log
        .iter()
        .find_map(|e| match e {
            PeerConnectionEvent::IceCandidateError {
                url, error_code, ..
            } => Some((url.clone(), *error_code)),
            _ => None,
        })
        .expect("icecandidateerror");
    assert!(error.0.contains("198.51.100.77"), "{error:?}");
    assert_eq!(error.1, 701);
    // Gathering still completes, with the host candidate in the description.
    assert!(
        p.pc.local_description()
            .unwrap()
            .sdp()
            .contains("192.0.2.10 5000 typ host")
    );
}
