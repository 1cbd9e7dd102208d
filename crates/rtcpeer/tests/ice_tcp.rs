//! ICE-TCP (RFC 6544) over loopback: two connections that signal each other only their TCP
//! candidates (as if UDP were blocked) connect over a TCP connection one opened to the
//! other's listener, and carry data channel messages both ways, one of 64 KiB; the selected
//! pair's local candidate is a TCP one. With `ice_tcp(false)` no TCP candidate is gathered.

mod common;

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use rtcpeer::*;
use tokio::sync::mpsc;

/// Awaits `fut`, failing the test (never hanging) after 20 s.
async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(20), fut).await {
        Ok(v) => v,
        Err(_) => panic!("timed out: {what}"),
    }
}

/// A loopback-only connection with ICE-TCP on or off.
fn tcp_pc(seed: u64, ice_tcp: bool) -> RtcPeerConnection {
    RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::LoopbackOnly)
        .ice_tcp(ice_tcp)
        .seed(seed)
        .build()
        .expect("new RtcPeerConnection")
}

/// The transport field of a `candidate:` line (`udp` / `tcp`).
fn transport_of(candidate: &str) -> String {
    candidate
        .split_ascii_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Forwards `from`'s TCP candidates to `to`, dropping UDP ones; returns every candidate line
/// `from` gathered, once gathering completed (the null candidate).
fn forward_tcp_only(
    from: &RtcPeerConnection,
    to: &RtcPeerConnection,
) -> tokio::task::JoinHandle<Vec<String>> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Option<RtcIceCandidateInit>>();
    from.on_ice_candidate(Some(Box::new(move |e: &Event| {
        if let EventKind::IceCandidate(c) = e.kind() {
            let _ = tx.send(c.candidate.clone());
        }
    })));
    let to = to.downgrade();
    tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(Some(init)) = rx.recv().await {
            if init.candidate.is_empty() {
                continue;
            }
            seen.push(init.candidate.clone());
            if transport_of(&init.candidate) != "tcp" {
                continue;
            }
            let Some(pc) = to.upgrade() else { break };
            for _ in 0..2000 {
                match pc.add_ice_candidate(init.clone()).await {
                    Err(e) if e.name() == "InvalidStateError" => {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    r => {
                        r.expect("addIceCandidate");
                        break;
                    }
                }
            }
        }
        seen
    })
}

/// The next message on a channel (skipping `bufferedamountlow`).
async fn message(what: &str, events: &mut EventStream<DataChannelEvent>) -> DataChannelMessage {
    loop {
        let e = within(what, events.recv())
            .await
            .unwrap_or_else(|| panic!("event stream ended: {what}"));
        match e.kind() {
            DataChannelEventKind::Message(m) => return m.clone(),
            DataChannelEventKind::BufferedAmountLow | DataChannelEventKind::Open => {}
            other => panic!("{what}: expected a message, got {other:?}"),
        }
    }
}

/// The protocol of the selected pair's local candidate, from `getStats()`.
async fn selected_local_protocol(pc: &RtcPeerConnection) -> Option<RtcIceProtocol> {
    let report = pc.get_stats(None).await.expect("getStats");
    let pair_id = report
        .transports()
        .find_map(|t| t.selected_candidate_pair_id.clone())?;
    let pair = report.candidate_pairs().find(|p| p.id == pair_id)?;
    report
        .local_candidates()
        .find(|c| c.id == pair.local_candidate_id)
        .map(|c| c.protocol)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_channel_over_ice_tcp_when_udp_candidates_are_withheld() {
    let (a, b) = (tcp_pc(70, true), tcp_pc(71, true));
    let (dc_tx, mut dc_rx) = mpsc::unbounded_channel();
    b.on_data_channel(Some(Box::new(move |e: &Event| {
        if let EventKind::DataChannel(c) = e.kind() {
            let _ = dc_tx.send((c.clone(), c.events()));
        }
    })));
    let a_dc = a
        .create_data_channel("tcp", RtcDataChannelInit::default())
        .await
        .unwrap();
    let mut a_events = a_dc.events();
    let a_seen = forward_tcp_only(&a, &b);
    let b_seen = forward_tcp_only(&b, &a);
    within("negotiation", negotiate(&a, &b)).await;

    let (b_dc, mut b_events) = within("datachannel", dc_rx.recv())
        .await
        .expect("datachannel fired");
    wait_until("a's channel open", || {
        a_dc.ready_state() == RtcDataChannelState::Open
    })
    .await;

    // Each side gathered passive and active TCP candidates beside its UDP ones.
    for (what, task) in [("a", a_seen), ("b", b_seen)] {
        let seen = within(what, task).await.unwrap();
        let tcp: Vec<_> = seen.iter().filter(|c| transport_of(c) == "tcp").collect();
        assert!(
            tcp.iter().any(|c| c.contains("tcptype passive")),
            "{what}: {seen:?}"
        );
        assert!(
            tcp.iter()
                .any(|c| c.contains("tcptype active") && c.contains(" 9 typ host")),
            "{what}: {seen:?}"
        );
        assert!(
            seen.iter().any(|c| transport_of(c) == "udp"),
            "{what}: {seen:?}"
        );
    }

    // The connection runs over TCP: once a pair is selected (nomination may follow the
    // first valid pair, which already carries data), its local candidate is a TCP one.
    for p in [&a, &b] {
        wait_until("connected", || {
            p.connection_state() == RtcPeerConnectionState::Connected
        })
        .await;
        let protocol = within("a selected pair", async {
            loop {
                if let Some(protocol) = selected_local_protocol(p).await {
                    return protocol;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert_eq!(protocol, RtcIceProtocol::Tcp);
    }

    a_dc.send("hello over tcp").unwrap();
    assert_eq!(
        message("text a→b", &mut b_events).await,
        DataChannelMessage::Text("hello over tcp".into())
    );
    b_dc.send("and back").unwrap();
    assert_eq!(
        message("text b→a", &mut a_events).await,
        DataChannelMessage::Text("and back".into())
    );
    let big: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    a_dc.send(big.clone()).unwrap();
    b_dc.send(big.iter().rev().copied().collect::<Vec<u8>>())
        .unwrap();
    assert_eq!(
        message("64 KiB a→b", &mut b_events).await,
        DataChannelMessage::Binary(Bytes::from(big.clone()))
    );
    assert_eq!(
        message("64 KiB b→a", &mut a_events).await,
        DataChannelMessage::Binary(Bytes::from(big.into_iter().rev().collect::<Vec<u8>>()))
    );
    // Many messages in a row arrive in order over the stream.
    for i in 0..200u32 {
        a_dc.send(format!("m{i}")).unwrap();
    }
    for i in 0..200u32 {
        assert_eq!(
            message("burst a→b", &mut b_events).await,
            DataChannelMessage::Text(format!("m{i}"))
        );
    }
    a.close();
    b.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_tcp_off_gathers_no_tcp_candidate() {
    let (a, b) = (tcp_pc(72, false), tcp_pc(73, true));
    let a_seen = forward_tcp_only(&a, &b);
    let _b_seen = forward_tcp_only(&b, &a);
    a.create_data_channel("x", RtcDataChannelInit::default())
        .await
        .unwrap();
    within("negotiation", negotiate(&a, &b)).await;
    let seen = within("a's candidates", a_seen).await.unwrap();
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|c| transport_of(c) == "udp"),
        "a gathered TCP candidates: {seen:?}"
    );
    a.close();
    b.close();
}
