//! `getStats()` on whole connections (webrtc-pc §8, W3C webrtc-stats): two
//! [`PeerConnection`]s connected over a seeded netsim network (set `NETSIM_SEED` to replay a
//! failure) exchange data channel messages; their reports count exactly those messages and
//! bytes, every `*Id` reference resolves to an object of the right type, the selected pair is a
//! nominated, succeeded pair, the certificates are the ones the SDP fingerprints name, the JSON
//! uses the W3C member names, selectors resolve or fail as webrtc-pc §8.2 says, and stats stay
//! available after `close()`.

use std::collections::BTreeSet;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use rtcpeer_core::stats::{RtcStats, RtcStatsReport, RtcStatsSelector};
use rtcpeer_core::*;
use rtcpeer_netsim::{HostId, LinkConditions, Network, SeedGuard};
use rtcpeer_types::{Protocol, Transmit};

mod pc_support;
use pc_support::*;

/// One-way delay of each host's link: a round trip between the peers crosses four of them.
const LINK_DELAY_MS: u64 = 15;

fn stats(net: &Network, h: HostId) -> RtcStatsReport {
    peer(net, h)
        .pc
        .get_stats(net.now(), None)
        .expect("getStats")
}

/// A connection with the simulated STUN server behind a link of [`LINK_DELAY_MS`].
fn add_peer(net: &mut Network, name: &str, addr: &str) -> HostId {
    let link = LinkConditions::with_delay(ms(LINK_DELAY_MS));
    pc_support::add_peer(net, name, addr, link)
}

/// Two public peers on a network with a STUN server; the guard prints the seed on failure.
fn pair() -> (Network, SeedGuard, HostId, HostId) {
    let (mut net, guard) = network();
    let a = add_peer(&mut net, "a", "192.0.2.10:5000");
    let b = add_peer(&mut net, "b", "192.0.2.20:6000");
    (net, guard, a, b)
}

fn run_until(net: &mut Network, a: HostId, b: HostId, done: impl FnMut(&Network) -> bool) {
    pc_support::run_until(net, a, b, Duration::from_secs(30), done);
}

/// A connected pair with a DCEP channel "chat" open on both sides: (a's, b's).
fn connected() -> (
    Network,
    SeedGuard,
    HostId,
    HostId,
    DataChannelId,
    DataChannelId,
) {
    let (mut net, guard, a, b) = pair();
    let chat = pc_mut(&mut net, a)
        .create_data_channel("chat", RtcDataChannelInit::default())
        .unwrap();
    offer_answer(&mut net, a, b);
    run_until(&mut net, a, b, |n| {
        peer(n, a).opened(chat)
            && peer(n, b)
                .announced("chat")
                .is_some_and(|h| peer(n, b).opened(h))
    });
    let chat_b = peer(&net, b).announced("chat").unwrap();
    (net, guard, a, b, chat, chat_b)
}

/// The value of the first `a=<name>:` line of an SDP.
fn sdp_attribute(sdp: &str, name: &str) -> String {
    let prefix = format!("a={name}:");
    sdp.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} in {sdp}"))
        .to_owned()
}

/// Decodes standard base64 with padding (RFC 4648 §4), independently of the encoder under
/// test.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let mut out = Vec::new();
    for quad in text.as_bytes().chunks(4) {
        let sextets: Vec<u32> = quad
            .iter()
            .filter(|&&c| c != b'=')
            .map(|&c| u32::from(value(c)))
            .collect();
        let n = sextets
            .iter()
            .chain(std::iter::repeat(&0))
            .take(4)
            .fold(0u32, |acc, s| acc << 6 | s);
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..sextets.len()]);
    }
    out
}

fn channel_stats<'a>(
    report: &'a RtcStatsReport,
    label: &str,
) -> &'a rtcpeer_core::stats::RtcDataChannelStats {
    report
        .data_channels()
        .find(|c| c.label == label)
        .unwrap_or_else(|| panic!("no data-channel stats for {label}"))
}

#[test]
fn data_channel_stats_count_exactly_the_messages_and_bytes_exchanged() {
    let (mut net, _g, a, b, chat, chat_b) = connected();
    // a → b: 5 texts (one empty, one multi-byte UTF-8) and 3 binaries; b → a: 2 binaries.
    let texts = ["hello", "", "grüße", "0123456789", "x"];
    let binaries = [vec![1u8; 100], Vec::new(), vec![7u8; 70_000]];
    for t in texts {
        pc_mut(&mut net, a).send_text(chat, t).unwrap();
    }
    for bin in &binaries {
        pc_mut(&mut net, a)
            .send_binary(chat, Bytes::from(bin.clone()))
            .unwrap();
    }
    for n in [3usize, 4000] {
        pc_mut(&mut net, b)
            .send_binary(chat_b, Bytes::from(vec![9u8; n]))
            .unwrap();
    }
    // A refused send is not counted.
    let too_big = Bytes::from(vec![0u8; 300_000]);
    assert!(pc_mut(&mut net, a).send_binary(chat, too_big).is_err());
    run_until(&mut net, a, b, |n| {
        peer(n, b).received(chat_b).len() == 8 && peer(n, a).received(chat).len() == 2
    });
    let sent_bytes: u64 = texts.iter().map(|t| t.len() as u64).sum::<u64>()
        + binaries.iter().map(|b| b.len() as u64).sum::<u64>();

    let ra = stats(&net, a);
    let ca = channel_stats(&ra, "chat");
    assert_eq!((ca.messages_sent, ca.bytes_sent), (8, sent_bytes));
    assert_eq!((ca.messages_received, ca.bytes_received), (2, 4003));
    assert_eq!(ca.state, RtcDataChannelState::Open);
    assert_eq!(ca.protocol, "");
    assert_eq!(ca.data_channel_identifier, Some(1));
    let rb = stats(&net, b);
    let cb = channel_stats(&rb, "chat");
    assert_eq!((cb.messages_sent, cb.bytes_sent), (2, 4003));
    assert_eq!((cb.messages_received, cb.bytes_received), (8, sent_bytes));
    assert_eq!(cb.data_channel_identifier, Some(1));
    for r in [&ra, &rb] {
        let p = r.peer_connection().unwrap();
        assert_eq!((p.data_channels_opened, p.data_channels_closed), (1, 0));
    }

    // A second channel that b closes: both sides count it opened, then closed.
    let second = pc_mut(&mut net, a)
        .create_data_channel("second", RtcDataChannelInit::default())
        .unwrap();
    run_until(&mut net, a, b, |n| {
        peer(n, a).opened(second)
            && peer(n, b)
                .announced("second")
                .is_some_and(|h| peer(n, b).opened(h))
    });
    let second_b = peer(&net, b).announced("second").unwrap();
    pc_mut(&mut net, b).close_data_channel(second_b).unwrap();
    run_until(&mut net, a, b, |n| {
        peer(n, a).pc.data_channel(second).unwrap().ready_state() == RtcDataChannelState::Closed
            && peer(n, b).pc.data_channel(second_b).unwrap().ready_state()
                == RtcDataChannelState::Closed
    });
    for h in [a, b] {
        let r = stats(&net, h);
        let p = r.peer_connection().unwrap();
        assert_eq!((p.data_channels_opened, p.data_channels_closed), (2, 1));
        let s = channel_stats(&r, "second");
        assert_eq!(s.state, RtcDataChannelState::Closed);
        assert_eq!((s.messages_sent, s.messages_received), (0, 0));
    }
}

#[test]
fn transport_pairs_and_candidates_reference_each_other() {
    let (mut net, _g, a, b, chat, chat_b) = connected();
    pc_mut(&mut net, a).send_text(chat, "ping").unwrap();
    run_until(&mut net, a, b, |n| peer(n, b).received(chat_b).len() == 1);
    for (h, ice_role, dtls_role) in [
        (a, RtcIceRole::Controlling, "server"),
        (b, RtcIceRole::Controlled, "client"),
    ] {
        let r = stats(&net, h);
        let mut transports = r.transports();
        let t = transports.next().expect("a transport");
        assert!(transports.next().is_none(), "one BUNDLE transport");
        assert_eq!(t.dtls_state, RtcDtlsTransportState::Connected);
        assert!(matches!(
            t.ice_state,
            Some(RtcIceTransportState::Connected | RtcIceTransportState::Completed)
        ));
        assert_eq!(t.ice_role, Some(ice_role));
        assert_eq!(t.dtls_role.map(|r| r.as_str()), Some(dtls_role));
        let sdp = peer(&net, h)
            .pc
            .local_description()
            .unwrap()
            .sdp()
            .to_owned();
        assert_eq!(
            t.ice_local_username_fragment.as_deref(),
            Some(sdp_attribute(&sdp, "ice-ufrag").as_str())
        );
        assert!(matches!(t.tls_version.as_deref(), Some("FEFD" | "FEFC")));
        let cipher = t.dtls_cipher.as_deref().expect("dtlsCipher");
        assert!(cipher.starts_with("TLS_"), "{cipher}");
        assert!(
            t.srtp_cipher
                .as_deref()
                .is_some_and(|c| c.starts_with("SRTP_"))
        );
        assert_eq!(t.selected_candidate_pair_changes, 1);

        // The selected pair: nominated, succeeded, on this transport, between the candidates
        // ICE selected.
        let selected_id = t.selected_candidate_pair_id.as_deref().expect("a pair");
        let Some(RtcStats::CandidatePair(sel)) = r.get(selected_id) else {
            panic!("{selected_id} is not a candidate pair")
        };
        assert!(sel.nominated);
        assert_eq!(sel.state, RtcStatsIceCandidatePairState::Succeeded);
        assert_eq!(sel.transport_id, t.id);
        let ice = peer(&net, h).pc.transport().unwrap().ice();
        let (l, rc) = ice.selected_pair(1).unwrap();
        let Some(RtcStats::LocalCandidate(lc)) = r.get(&sel.local_candidate_id) else {
            panic!("local candidate missing")
        };
        let Some(RtcStats::RemoteCandidate(rcs)) = r.get(&sel.remote_candidate_id) else {
            panic!("remote candidate missing")
        };
        assert_eq!(lc.address, Some(l.address.ip().to_string()));
        assert_eq!(lc.port, l.address.port());
        assert_eq!(rcs.address, Some(rc.address.ip().to_string()));
        assert_eq!(rcs.port, rc.address.port());
        assert!(sel.requests_received + sel.requests_sent >= 1);
        assert!(sel.responses_received + sel.responses_sent >= 1);
        assert!(sel.last_packet_sent_timestamp.is_some());
        assert!(sel.last_packet_received_timestamp.is_some());
        // Round trips cross four links: the controlling side checked the pair and measured
        // one (the controlled side, only if its triggered check went out).
        if h == a {
            assert!(sel.responses_received > 0 && sel.current_round_trip_time.is_some());
        }
        if let Some(rtt) = sel.current_round_trip_time {
            let expected = (4 * LINK_DELAY_MS) as f64 / 1000.0;
            assert!(rtt >= expected && rtt < expected + 0.01, "{rtt}");
            assert!(sel.total_round_trip_time >= rtt);
        }

        // Every pair's references resolve, to objects of the right type.
        let mut pairs = 0;
        let (mut packets, mut bytes) = (0, 0);
        for p in r.candidate_pairs() {
            pairs += 1;
            assert!(matches!(
                r.get(&p.transport_id),
                Some(RtcStats::Transport(_))
            ));
            assert!(matches!(
                r.get(&p.local_candidate_id),
                Some(RtcStats::LocalCandidate(_))
            ));
            assert!(matches!(
                r.get(&p.remote_candidate_id),
                Some(RtcStats::RemoteCandidate(_))
            ));
            packets += p.packets_sent;
            bytes += p.bytes_sent;
        }
        assert_eq!(pairs, ice.pair_count());
        // Data went on the pairs only: the transport's totals are their sums, and count DTLS
        // datagrams (the handshake and the SCTP packets), never STUN.
        assert_eq!((t.packets_sent, t.bytes_sent), (packets, bytes));
        assert!(t.packets_sent >= 2 && t.packets_received >= 2);
        for c in r.local_candidates().chain(r.remote_candidates()) {
            assert_eq!(c.transport_id, t.id);
        }
        assert_eq!(r.local_candidates().count(), ice.local_candidates().count());
        assert_eq!(r.remote_candidates().count(), ice.remote_candidates().len());
        // The certificates the transport references exist.
        for id in [&t.local_certificate_id, &t.remote_certificate_id] {
            let id = id.as_deref().expect("a certificate id");
            assert!(matches!(r.get(id), Some(RtcStats::Certificate(_))));
        }
    }
    // Host candidates name no server; both sides see the other's host candidate.
    let ra = stats(&net, a);
    let host = ra
        .local_candidates()
        .find(|c| c.candidate_type == RtcIceCandidateType::Host)
        .unwrap();
    assert_eq!(host.address.as_deref(), Some("192.0.2.10"));
    assert_eq!((host.port, host.protocol), (5000, RtcIceProtocol::Udp));
    assert_eq!(host.url, None);
    assert!(
        ra.remote_candidates()
            .any(|c| c.address.as_deref() == Some("192.0.2.20"))
    );
}

#[test]
fn certificate_stats_are_the_certificates_the_sdp_fingerprints_name() {
    let (net, _g, a, b, _, _) = connected();
    for (h, other) in [(a, b), (b, a)] {
        let r = stats(&net, h);
        let t = r.transports().next().unwrap();
        let own_sdp = peer(&net, h)
            .pc
            .local_description()
            .unwrap()
            .sdp()
            .to_owned();
        let their_sdp = peer(&net, other)
            .pc
            .local_description()
            .unwrap()
            .sdp()
            .to_owned();
        for (id, sdp, der) in [
            (
                t.local_certificate_id.as_deref().unwrap(),
                own_sdp,
                peer(&net, h).pc.certificate().der().to_vec(),
            ),
            (
                t.remote_certificate_id.as_deref().unwrap(),
                their_sdp,
                peer(&net, other).pc.certificate().der().to_vec(),
            ),
        ] {
            let Some(RtcStats::Certificate(c)) = r.get(id) else {
                panic!("{id} is not a certificate")
            };
            let fingerprint = sdp_attribute(&sdp, "fingerprint");
            assert_eq!(
                format!("{} {}", c.fingerprint_algorithm, c.fingerprint),
                fingerprint
            );
            assert_eq!(base64_decode(&c.base64_certificate), der);
            assert_eq!(c.issuer_certificate_id, None, "self-signed");
        }
    }
    // The two sides agree on both certificates' ids' objects.
    let (ra, rb) = (stats(&net, a), stats(&net, b));
    let fps = |r: &RtcStatsReport| -> BTreeSet<String> {
        r.certificates().map(|c| c.fingerprint.clone()).collect()
    };
    assert_eq!(fps(&ra), fps(&rb));
    assert_eq!(fps(&ra).len(), 2);
}

/// The members of each dictionary (webrtc-stats IDL), with the `RTCStats` ones.
fn w3c_members(ty: &str) -> &'static [&'static str] {
    match ty {
        "peer-connection" => &["dataChannelsOpened", "dataChannelsClosed"],
        "data-channel" => &[
            "label",
            "protocol",
            "dataChannelIdentifier",
            "state",
            "messagesSent",
            "bytesSent",
            "messagesReceived",
            "bytesReceived",
        ],
        "transport" => &[
            "packetsSent",
            "packetsReceived",
            "bytesSent",
            "bytesReceived",
            "iceRole",
            "iceLocalUsernameFragment",
            "dtlsState",
            "iceState",
            "selectedCandidatePairId",
            "localCertificateId",
            "remoteCertificateId",
            "tlsVersion",
            "dtlsCipher",
            "dtlsRole",
            "srtpCipher",
            "selectedCandidatePairChanges",
            "ccfbMessagesSent",
            "ccfbMessagesReceived",
        ],
        "local-candidate" | "remote-candidate" => &[
            "transportId",
            "address",
            "port",
            "protocol",
            "candidateType",
            "priority",
            "url",
            "relayProtocol",
            "foundation",
            "relatedAddress",
            "relatedPort",
            "usernameFragment",
            "tcpType",
        ],
        "candidate-pair" => &[
            "transportId",
            "localCandidateId",
            "remoteCandidateId",
            "state",
            "nominated",
            "packetsSent",
            "packetsReceived",
            "bytesSent",
            "bytesReceived",
            "lastPacketSentTimestamp",
            "lastPacketReceivedTimestamp",
            "totalRoundTripTime",
            "currentRoundTripTime",
            "availableOutgoingBitrate",
            "availableIncomingBitrate",
            "requestsReceived",
            "requestsSent",
            "responsesReceived",
            "responsesSent",
            "consentRequestsSent",
            "packetsDiscardedOnSend",
            "bytesDiscardedOnSend",
        ],
        "certificate" => &[
            "fingerprint",
            "fingerprintAlgorithm",
            "base64Certificate",
            "issuerCertificateId",
        ],
        other => panic!("unexpected type {other}"),
    }
}

#[test]
fn json_is_an_object_of_w3c_dictionaries_keyed_by_id() {
    let (net, _g, a, _, _, _) = connected();
    let report = stats(&net, a);
    let json = serde_json::to_value(&report).unwrap();
    let object = json.as_object().expect("a JSON object");
    assert_eq!(object.len(), report.len());
    assert_eq!(
        object.keys().cloned().collect::<BTreeSet<_>>(),
        report.keys().map(str::to_owned).collect::<BTreeSet<_>>()
    );
    let mut types = BTreeSet::new();
    for (id, value) in object {
        let dict = value.as_object().unwrap();
        assert_eq!(dict["id"], *id);
        assert!(dict["timestamp"].as_f64().unwrap() > 1.7e12);
        let ty = dict["type"].as_str().unwrap();
        types.insert(ty.to_owned());
        let allowed = w3c_members(ty);
        for key in dict.keys() {
            assert!(
                ["id", "timestamp", "type"].contains(&key.as_str())
                    || allowed.contains(&key.as_str()),
                "{ty} has a non-W3C member {key}"
            );
        }
        // The members webrtc-pc §8.6 makes mandatory are there (for a connected transport).
        let mandatory: &[&str] = match ty {
            "peer-connection" => &["dataChannelsOpened", "dataChannelsClosed"],
            "data-channel" => &[
                "label",
                "protocol",
                "dataChannelIdentifier",
                "state",
                "messagesSent",
                "bytesSent",
                "messagesReceived",
                "bytesReceived",
            ],
            "transport" => &[
                "bytesSent",
                "bytesReceived",
                "selectedCandidatePairId",
                "localCertificateId",
                "remoteCertificateId",
            ],
            "candidate-pair" => &[
                "transportId",
                "localCandidateId",
                "remoteCandidateId",
                "state",
                "nominated",
                "bytesSent",
                "bytesReceived",
                "totalRoundTripTime",
                "responsesReceived",
            ],
            "local-candidate" | "remote-candidate" => {
                &["address", "port", "protocol", "candidateType"]
            }
            "certificate" => &["fingerprint", "fingerprintAlgorithm", "base64Certificate"],
            _ => &[],
        };
        for key in mandatory {
            assert!(dict.contains_key(*key), "{ty} lacks {key}: {dict:?}");
        }
        // Each dictionary reads back into the same value.
        let back: RtcStats = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(Some(&back), report.get(id));
    }
    assert_eq!(
        types,
        [
            "candidate-pair",
            "certificate",
            "data-channel",
            "local-candidate",
            "peer-connection",
            "remote-candidate",
            "transport"
        ]
        .into_iter()
        .map(str::to_owned)
        .collect()
    );
    // Enum values are the W3C strings.
    let t = object.values().find(|v| v["type"] == "transport").unwrap();
    assert_eq!(t["dtlsState"], "connected");
    assert_eq!(t["iceRole"], "controlling");
    let dc = object
        .values()
        .find(|v| v["type"] == "data-channel")
        .unwrap();
    assert_eq!(dc["state"], "open");
}

#[test]
fn selectors_resolve_to_one_sender_receiver_or_channel_or_fail() {
    let (mut net, _g, a, _b, chat, _) = connected();
    let now = net.now();
    let pc = pc_mut(&mut net, a);
    let track = MediaStreamTrack::new("t1", TrackKind::Audio, "mic");
    let sender = pc.add_track(track.clone(), &[]).unwrap();
    let t = pc
        .get_transceivers()
        .find(|t| t.sender().id() == sender)
        .unwrap()
        .clone();
    let receiver_track = t.receiver().track().id.clone();
    let get = |pc: &PeerConnection, s: RtcStatsSelector| pc.get_stats(now, Some(&s));
    // A sender or receiver selects its RTP streams and what they reference: none without
    // media.
    for s in [
        RtcStatsSelector::Track("t1".into()),
        RtcStatsSelector::Sender(sender),
        RtcStatsSelector::Track(receiver_track),
        RtcStatsSelector::Receiver(t.receiver().id()),
    ] {
        assert!(get(pc, s.clone()).unwrap().is_empty(), "{s:?}");
    }
    // A data channel selects its own stats only.
    let only = get(pc, RtcStatsSelector::DataChannel(chat)).unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only.data_channels().next().unwrap().label, "chat");
    // Unknown track, sender, receiver, channel: InvalidAccessError.
    for s in [
        RtcStatsSelector::Track("nope".into()),
        RtcStatsSelector::Sender(SenderId::new(9999)),
        RtcStatsSelector::Receiver(ReceiverId::new(9999)),
        RtcStatsSelector::DataChannel(DataChannelId::new(9999)),
    ] {
        let e = get(pc, s.clone()).unwrap_err();
        assert_eq!(e.kind(), RtcErrorKind::InvalidAccessError, "{s:?}");
    }
    // A track sent by two senders is ambiguous: InvalidAccessError.
    pc.add_transceiver(TrackOrKind::Track(track), RtcRtpTransceiverInit::default())
        .unwrap();
    let e = get(pc, RtcStatsSelector::Track("t1".into())).unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidAccessError);
}

#[test]
fn ids_are_stable_and_timestamps_follow_the_clock() {
    let (mut net, _g, a, _, _, _) = connected();
    let first = stats(&net, a);
    net.run_for(Duration::from_millis(1500)).unwrap();
    let second = stats(&net, a);
    let ids = |r: &RtcStatsReport| r.keys().map(str::to_owned).collect::<BTreeSet<_>>();
    assert_eq!(ids(&first), ids(&second));
    let (t1, t2) = (
        first.peer_connection().unwrap().timestamp,
        second.peer_connection().unwrap().timestamp,
    );
    assert!((t2 - t1 - 1500.0).abs() < 1e-6, "{t1} {t2}");
    // Timestamps are the wall clock of the connection's creation plus the elapsed time.
    let elapsed = net.now() - peer(&net, a).pc.created_at();
    let expected = (wall_clock() + elapsed)
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0;
    assert!((t2 - expected).abs() < 1e-3, "{t2} {expected}");
    for s in second.values() {
        assert_eq!(s.timestamp(), t2);
    }
    // Another connection has other ids for the same kinds of objects (its generator is a
    // fork of the network's, so this holds for a fixed NETSIM_SEED too).
    let c = add_peer(&mut net, "c", "192.0.2.30:7000");
    let other = stats(&net, c);
    assert_ne!(
        first.peer_connection().unwrap().id,
        other.peer_connection().unwrap().id
    );
}

#[test]
fn before_negotiation_only_the_connection_and_its_channels_are_reported() {
    let (mut net, _g, a, _) = pair();
    let r = stats(&net, a);
    assert_eq!(r.len(), 1);
    let p = r.peer_connection().unwrap();
    assert_eq!((p.data_channels_opened, p.data_channels_closed), (0, 0));
    pc_mut(&mut net, a)
        .create_data_channel("early", RtcDataChannelInit::default())
        .unwrap();
    let r = stats(&net, a);
    assert_eq!(r.len(), 2);
    let c = channel_stats(&r, "early");
    assert_eq!(c.state, RtcDataChannelState::Connecting);
    assert_eq!(
        c.data_channel_identifier, None,
        "no id before the DTLS role"
    );
    let json = serde_json::to_value(c).unwrap();
    assert!(json.get("dataChannelIdentifier").is_none());
    // A channel closed before it ever opened counts neither as opened nor as closed.
    let early = channel_handle(&net, a, "early");
    pc_mut(&mut net, a).close_data_channel(early).unwrap();
    let r = stats(&net, a);
    assert_eq!(
        channel_stats(&r, "early").state,
        RtcDataChannelState::Closed
    );
    let p = r.peer_connection().unwrap();
    assert_eq!((p.data_channels_opened, p.data_channels_closed), (0, 0));
}

fn channel_handle(net: &Network, h: HostId, label: &str) -> DataChannelId {
    peer(net, h)
        .pc
        .data_channels()
        .find(|c| c.label() == label)
        .unwrap()
        .handle()
}

#[test]
fn stats_stay_available_after_close() {
    let (mut net, _g, a, b, chat, chat_b) = connected();
    pc_mut(&mut net, a).send_text(chat, "bye").unwrap();
    run_until(&mut net, a, b, |n| peer(n, b).received(chat_b).len() == 1);
    let before = stats(&net, a);
    pc_mut(&mut net, a).close();
    let after = stats(&net, a);
    assert_eq!(
        after.keys().collect::<BTreeSet<_>>(),
        before.keys().collect::<BTreeSet<_>>()
    );
    let c = channel_stats(&after, "chat");
    assert_eq!(c.state, RtcDataChannelState::Closed);
    assert_eq!((c.messages_sent, c.bytes_sent), (1, 3));
    let p = after.peer_connection().unwrap();
    assert_eq!((p.data_channels_opened, p.data_channels_closed), (1, 1));
    let t = after.transports().next().unwrap();
    assert_eq!(t.dtls_state, RtcDtlsTransportState::Closed);
    assert_eq!(t.ice_state, Some(RtcIceTransportState::Closed));
    // The handshake's results stay known.
    assert!(t.tls_version.is_some() && t.dtls_cipher.is_some());
}

#[test]
fn send_failures_reported_by_the_runtime_are_counted_on_their_pair() {
    let (mut net, _g, a, _, _, _) = connected();
    let ice_path = peer(&net, a).pc.transport().unwrap().ice().selected_path(1);
    let (source, destination) = ice_path.unwrap();
    for len in [100usize, 23] {
        pc_mut(&mut net, a).report_send_failure(&Transmit {
            protocol: Protocol::Udp,
            source,
            destination,
            contents: Bytes::from(vec![0u8; len]),
        });
    }
    let r = stats(&net, a);
    let t = r.transports().next().unwrap();
    let Some(RtcStats::CandidatePair(p)) = r.get(t.selected_candidate_pair_id.as_deref().unwrap())
    else {
        panic!("no selected pair")
    };
    assert_eq!(
        (p.packets_discarded_on_send, p.bytes_discarded_on_send),
        (2, 123)
    );
    let others: u32 = r
        .candidate_pairs()
        .filter(|q| q.id != p.id)
        .map(|q| q.packets_discarded_on_send)
        .sum();
    assert_eq!(others, 0);
}
