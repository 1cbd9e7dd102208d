//! RTCDataChannel behaviours through the async API over real loopback sockets: `open` reaches
//! a handler added after `create_data_channel` returned (as a JavaScript handler set right
//! after `createDataChannel` always sees it), `bufferedAmount` counts a message as soon as
//! `send()` returns and falls back to 0 with `bufferedamountlow`, and empty text and binary
//! messages arrive as such.

mod common;

use std::future::Future;
use std::time::Duration;

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

/// Two connected connections and both ends of a first channel "first".
async fn connected_pair(
    seed: u64,
) -> (
    RtcPeerConnection,
    RtcPeerConnection,
    RtcDataChannel,
    RtcDataChannel,
) {
    let (a, b) = (pc(seed), pc(seed + 1));
    forward_candidates(&a, &b);
    forward_candidates(&b, &a);
    let (tx, mut rx) = mpsc::unbounded_channel();
    b.on_data_channel(Some(Box::new(move |e: &Event| {
        if let EventKind::DataChannel(c) = e.kind() {
            let _ = tx.send(c.clone());
        }
    })));
    let a_dc = a
        .create_data_channel("first", RtcDataChannelInit::default())
        .await
        .unwrap();
    within("negotiation", negotiate(&a, &b)).await;
    let b_dc = within("datachannel", rx.recv()).await.unwrap();
    let open = |c: &RtcDataChannel| c.ready_state() == RtcDataChannelState::Open;
    wait_until("first open", || open(&a_dc) && open(&b_dc)).await;
    (a, b, a_dc, b_dc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_reaches_a_handler_added_after_create_data_channel_returned() {
    let (a, b, _a_dc, _b_dc) = connected_pair(70).await;
    // The association is up: the new channel opens while its creator is still awaiting.
    let dc = a
        .create_data_channel("late-handler", RtcDataChannelInit::default())
        .await
        .unwrap();
    wait_until("open", || dc.ready_state() == RtcDataChannelState::Open).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    dc.on_open(Some(Box::new(move |e: &DataChannelEvent| {
        let _ = tx.send(e.event_type());
    })));
    assert_eq!(
        within("open event", rx.recv()).await,
        Some(DataChannelEventType::Open)
    );
    // An event stream subscribed later still gets what followed, not the open again.
    let mut events = dc.events();
    dc.close();
    let e = within("closing or close", events.recv()).await.unwrap();
    assert_ne!(e.event_type(), DataChannelEventType::Open);
    a.close();
    b.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buffered_amount_counts_a_message_when_send_returns() {
    let (a, b, a_dc, b_dc) = connected_pair(72).await;
    let mut b_events = b_dc.events();
    let mut a_events = a_dc.events();
    assert_eq!(a_dc.buffered_amount(), 0);
    // Ten messages of 200 KiB: the network cannot take 1 MiB in the instant between send()
    // and the read.
    let size = 200 * 1024;
    for i in 1..=10u64 {
        a_dc.send(vec![i as u8; size]).unwrap();
        assert!(
            a_dc.buffered_amount() >= (i * size as u64).saturating_sub(1 << 20),
            "bufferedAmount {} after {i} sends",
            a_dc.buffered_amount()
        );
    }
    assert!(a_dc.buffered_amount() >= 1 << 20);
    let mut got = 0;
    while got < 10 {
        let e = within("messages", b_events.recv()).await.unwrap();
        if let DataChannelEventKind::Message(m) = e.kind() {
            got += 1;
            assert_eq!(m.len(), size);
        }
    }
    // Everything acknowledged: bufferedAmount is back to 0 and bufferedamountlow fired
    // (threshold 0).
    wait_until("drained", || a_dc.buffered_amount() == 0).await;
    loop {
        let e = within("bufferedamountlow", a_events.recv()).await.unwrap();
        if e.event_type() == DataChannelEventType::BufferedAmountLow {
            break;
        }
    }
    a.close();
    b.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_text_and_binary_messages_arrive_as_such() {
    let (a, b, a_dc, b_dc) = connected_pair(74).await;
    let mut b_events = b_dc.events();
    a_dc.send("").unwrap();
    a_dc.send(Vec::<u8>::new()).unwrap();
    a_dc.send("after").unwrap();
    let mut got = Vec::new();
    while got.len() < 3 {
        let e = within("messages", b_events.recv()).await.unwrap();
        if let DataChannelEventKind::Message(m) = e.kind() {
            got.push(m.clone());
        }
    }
    assert_eq!(
        got,
        [
            DataChannelMessage::Text(String::new()),
            DataChannelMessage::Binary(Default::default()),
            DataChannelMessage::Text("after".into()),
        ]
    );
    a.close();
    b.close();
}
