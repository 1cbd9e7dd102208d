//! Two connections over the loopback interface, through the whole stack (ICE, DTLS, SCTP):
//! trickled candidates, offer/answer, an in-band data channel announced to the answerer, text
//! and binary messages both ways (one of 64 KiB), the state events, and `close()` on a channel
//! reaching the other side.

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

/// The next event of a channel, failing the test if none comes.
async fn next(what: &str, events: &mut EventStream<DataChannelEvent>) -> DataChannelEvent {
    within(what, events.recv())
        .await
        .unwrap_or_else(|| panic!("event stream ended: {what}"))
}

/// The next `message` of a channel (a sender's `bufferedamountlow` may come before it: the
/// threshold is 0, so it fires whenever the send queue empties).
async fn message(what: &str, events: &mut EventStream<DataChannelEvent>) -> DataChannelMessage {
    loop {
        let e = next(what, events).await;
        match e.kind() {
            DataChannelEventKind::Message(m) => return m.clone(),
            DataChannelEventKind::BufferedAmountLow => {}
            other => panic!("{what}: expected a message, got {other:?}"),
        }
    }
}

/// Every `icecandidate` of `pc`, as sent: `Some(init)` for a candidate, `None` for the null one.
fn candidates(pc: &RtcPeerConnection) -> mpsc::UnboundedReceiver<Option<RtcIceCandidateInit>> {
    let (tx, rx) = mpsc::unbounded_channel();
    pc.on_ice_candidate(Some(Box::new(move |e: &Event| {
        if let EventKind::IceCandidate(c) = e.kind() {
            let _ = tx.send(c.candidate.clone());
        }
    })));
    rx
}

/// Adds every candidate of `rx` to `to`; returns the candidates seen, the null one as `None`.
async fn trickle(
    mut rx: mpsc::UnboundedReceiver<Option<RtcIceCandidateInit>>,
    to: WeakRtcPeerConnection,
) -> Vec<Option<RtcIceCandidateInit>> {
    let mut seen = Vec::new();
    while let Some(c) = rx.recv().await {
        if let Some(init) = &c
            && let Some(pc) = to.upgrade()
        {
            pc.add_ice_candidate(init.clone())
                .await
                .expect("addIceCandidate");
        }
        let end = c.is_none();
        seen.push(c);
        if end {
            break;
        }
    }
    seen
}

/// Logs the state of every state-change event.
fn state_logger(log: &Log) -> EventHandler {
    let log = log.clone();
    Box::new(move |e: &Event| match e.kind() {
        EventKind::ConnectionStateChange(s) => log.push(format!("connection:{s}")),
        EventKind::IceConnectionStateChange(s) => log.push(format!("ice:{s}")),
        EventKind::IceGatheringStateChange(s) => log.push(format!("gathering:{s}")),
        _ => {}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_channel_over_loopback() {
    let (a, b) = (pc(40), pc(41));
    let (a_log, b_log) = (Log::default(), Log::default());
    for (p, log) in [(&a, &a_log), (&b, &b_log)] {
        for ty in [
            EventType::ConnectionStateChange,
            EventType::IceConnectionStateChange,
            EventType::IceGatheringStateChange,
        ] {
            p.add_event_listener(ty, state_logger(log));
        }
    }
    let (a_cands, b_cands) = (candidates(&a), candidates(&b));

    // The answerer's channel arrives with `datachannel`; its events are subscribed to in the
    // handler, before the channel's `open` fires.
    let (dc_tx, mut dc_rx) = mpsc::unbounded_channel();
    b.on_data_channel(Some(Box::new(move |e: &Event| {
        if let EventKind::DataChannel(c) = e.kind() {
            let _ = dc_tx.send((c.clone(), c.events(), c.ready_state()));
        }
    })));

    let a_dc = a
        .create_data_channel("chat", RtcDataChannelInit::default())
        .await
        .unwrap();
    let mut a_events = a_dc.events();
    within("negotiation", negotiate(&a, &b)).await;
    let a_trickle = tokio::spawn(trickle(a_cands, b.downgrade()));
    let b_trickle = tokio::spawn(trickle(b_cands, a.downgrade()));

    let (b_dc, mut b_events, state_at_event) = within("datachannel", dc_rx.recv())
        .await
        .expect("datachannel fired");
    assert_eq!(b_dc.label(), "chat");
    assert!(b_dc.ordered());
    assert_eq!(state_at_event, RtcDataChannelState::Open);
    let e = next("open at a", &mut a_events).await;
    assert_eq!(e.event_type(), DataChannelEventType::Open);
    assert_eq!(e.target(), &a_dc);
    assert_eq!(a_dc.ready_state(), RtcDataChannelState::Open);
    let e = next("open at b", &mut b_events).await;
    assert_eq!(e.event_type(), DataChannelEventType::Open);
    assert_eq!(b_dc.ready_state(), RtcDataChannelState::Open);
    assert_eq!(a_dc.id(), b_dc.id());
    assert!(a_dc.id().is_some());

    // Trickle: candidates, then the null candidate, on both sides.
    for (what, task) in [("a's candidates", a_trickle), ("b's candidates", b_trickle)] {
        let seen = within(what, task).await.unwrap();
        assert!(
            seen.iter()
                .flatten()
                .any(|c| c.candidate.starts_with("candidate:")),
            "{what}: no candidate in {seen:?}"
        );
        assert_eq!(
            seen.last(),
            Some(&None),
            "{what}: ends with the null candidate"
        );
    }

    // Messages both ways.
    a_dc.send("hello from a").unwrap();
    assert_eq!(
        message("text a→b", &mut b_events).await,
        DataChannelMessage::Text("hello from a".into())
    );
    b_dc.send(vec![1u8, 2, 3]).unwrap();
    b_dc.send("hello from b").unwrap();
    assert_eq!(
        message("binary b→a", &mut a_events).await,
        DataChannelMessage::Binary(Bytes::from_static(&[1, 2, 3]))
    );
    assert_eq!(
        message("text b→a", &mut a_events).await,
        DataChannelMessage::Text("hello from b".into())
    );
    let big: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    a_dc.send(big.clone()).unwrap();
    assert_eq!(
        message("64 KiB a→b", &mut b_events).await,
        DataChannelMessage::Binary(Bytes::from(big))
    );
    wait_until("a's bufferedAmount drains", || a_dc.buffered_amount() == 0).await;

    // The limits of send().
    let sctp = a.sctp().expect("SCTP transport");
    assert_eq!(sctp.state, RtcSctpTransportState::Connected);
    assert!(sctp.max_channels.is_some());
    if sctp.max_message_size.is_finite() {
        let too_big = vec![0u8; sctp.max_message_size as usize + 1];
        assert_eq!(err_name(a_dc.send(too_big)), "TypeError");
    }
    a_dc.set_buffered_amount_low_threshold(4096);
    wait_until("threshold published", || {
        a_dc.buffered_amount_low_threshold() == 4096
    })
    .await;

    // The states, with their events.
    for (p, log) in [(&a, &a_log), (&b, &b_log)] {
        wait_until("connected", || {
            p.connection_state() == RtcPeerConnectionState::Connected
        })
        .await;
        let log = log.take();
        for want in ["connection:connected", "gathering:complete"] {
            assert!(log.iter().any(|s| s == want), "{want} missing in {log:?}");
        }
        assert!(
            log.iter()
                .any(|s| s == "ice:connected" || s == "ice:completed"),
            "no connected ICE state in {log:?}"
        );
        let connecting = log.iter().position(|s| s == "connection:connecting");
        let connected = log.iter().position(|s| s == "connection:connected");
        assert!(connecting.is_some() && connecting < connected, "{log:?}");
        let gathering = log.iter().position(|s| s == "gathering:gathering");
        let complete = log.iter().position(|s| s == "gathering:complete");
        assert!(gathering < complete, "gathering before complete: {log:?}");
    }
    assert_eq!(a.ice_gathering_state(), RtcIceGatheringState::Complete);
    assert!(a.socket_stats().datagrams_sent > 0);
    assert!(b.socket_stats().datagrams_received > 0);

    // close() on one side closes the channel on the other.
    a_dc.close();
    loop {
        let e = next("close at b", &mut b_events).await;
        match e.event_type() {
            DataChannelEventType::Close => break,
            DataChannelEventType::Closing | DataChannelEventType::BufferedAmountLow => {}
            other => panic!("unexpected {other} at b"),
        }
    }
    assert_eq!(b_dc.ready_state(), RtcDataChannelState::Closed);
    loop {
        let e = next("close at a", &mut a_events).await;
        match e.event_type() {
            DataChannelEventType::Close => break,
            DataChannelEventType::Closing | DataChannelEventType::BufferedAmountLow => {}
            other => panic!("unexpected {other} at a"),
        }
    }
    assert_eq!(a_dc.ready_state(), RtcDataChannelState::Closed);
    assert_eq!(err_name(a_dc.send("late")), "InvalidStateError");
    assert_eq!(err_name(b_dc.send("late")), "InvalidStateError");
    a.close();
    b.close();
}
