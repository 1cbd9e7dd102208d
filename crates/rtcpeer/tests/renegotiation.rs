//! Renegotiation and ICE restart between two connections over real loopback sockets (issue 5's
//! loopback scenarios): after connecting, a second data channel and an audio transceiver are
//! added and negotiated without disturbing ICE or the first channel; then `restartIce()`
//! renegotiates new ICE credentials while the channel keeps carrying messages.

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

/// Every channel `pc` announces with `datachannel`.
fn announced(pc: &RtcPeerConnection) -> mpsc::UnboundedReceiver<RtcDataChannel> {
    let (tx, rx) = mpsc::unbounded_channel();
    pc.on_data_channel(Some(Box::new(move |e: &Event| {
        if let EventKind::DataChannel(c) = e.kind() {
            let _ = tx.send(c.clone());
        }
    })));
    rx
}

/// The next `message` event of a channel's stream (skipping `bufferedamountlow` and `open`).
async fn message(what: &str, events: &mut EventStream<DataChannelEvent>) -> DataChannelMessage {
    loop {
        let e = within(what, events.recv())
            .await
            .unwrap_or_else(|| panic!("event stream ended: {what}"));
        match e.kind() {
            DataChannelEventKind::Message(m) => return m.clone(),
            // `open` may still be on its way when the stream is subscribed.
            DataChannelEventKind::BufferedAmountLow | DataChannelEventKind::Open => {}
            other => panic!("{what}: expected a message, got {other:?}"),
        }
    }
}

/// `a=ice-ufrag` of a description.
fn ufrag(d: &RtcSessionDescription) -> String {
    d.sdp()
        .lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .expect("a=ice-ufrag")
        .trim()
        .to_owned()
}

fn open(dc: &RtcDataChannel) -> bool {
    dc.ready_state() == RtcDataChannelState::Open
}

fn connected(pc: &RtcPeerConnection) -> bool {
    pc.connection_state() == RtcPeerConnectionState::Connected
}

/// Connects `a` and `b` with one channel "first"; returns both ends of it.
async fn connect(a: &RtcPeerConnection, b: &RtcPeerConnection) -> (RtcDataChannel, RtcDataChannel) {
    forward_candidates(a, b);
    forward_candidates(b, a);
    let mut b_channels = announced(b);
    let a_dc = a
        .create_data_channel("first", RtcDataChannelInit::default())
        .await
        .unwrap();
    within("first negotiation", negotiate(a, b)).await;
    let b_dc = within("datachannel first", b_channels.recv())
        .await
        .expect("datachannel");
    wait_until("first open", || open(&a_dc) && open(&b_dc)).await;
    wait_until("connected", || connected(a) && connected(b)).await;
    (a_dc, b_dc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renegotiation_adds_a_channel_and_a_transceiver_without_restarting_ice() {
    let (a, b) = (pc(60), pc(61));
    let (a_dc, b_dc) = connect(&a, &b).await;
    let mut b_events = b_dc.events();
    let ice_log = Log::default();
    for p in [&a, &b] {
        p.add_event_listener(EventType::IceConnectionStateChange, logger(&ice_log, ""));
    }
    let ufrags = (
        ufrag(&a.local_description().unwrap()),
        ufrag(&b.local_description().unwrap()),
    );

    // A transceiver needs negotiation; `track` fires at b when the offer is applied.
    let (track_tx, mut track_rx) = mpsc::unbounded_channel();
    b.on_track(Some(Box::new(move |e: &Event| {
        if let EventKind::Track(t) = e.kind() {
            let _ = track_tx.send((t.track.kind, t.transceiver.clone()));
        }
    })));
    let (nn_tx, mut nn_rx) = mpsc::unbounded_channel();
    a.on_negotiation_needed(Some(Box::new(move |_| {
        let _ = nn_tx.send(());
    })));
    let a_tr = a
        .add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    within("negotiationneeded", nn_rx.recv()).await;
    let mut b_channels = announced(&b);
    let a_second = a
        .create_data_channel("second", RtcDataChannelInit::default())
        .await
        .unwrap();
    within("renegotiation", negotiate(&a, &b)).await;

    let (kind, b_tr) = within("track", track_rx.recv()).await.expect("track");
    assert_eq!(kind, TrackKind::Audio);
    assert_eq!(a_tr.mid(), b_tr.mid());
    assert!(a_tr.mid().is_some());
    // b has no track to send: its transceiver answers recvonly (JSEP §5.3.1), so a sends only.
    assert_eq!(
        a_tr.current_direction(),
        Some(RtcRtpTransceiverDirection::Sendonly)
    );
    assert_eq!(
        b_tr.current_direction(),
        Some(RtcRtpTransceiverDirection::Recvonly)
    );
    let b_second = within("datachannel second", b_channels.recv())
        .await
        .expect("datachannel");
    assert_eq!(b_second.label(), "second");
    wait_until("second open", || open(&a_second) && open(&b_second)).await;
    assert_ne!(a_second.id(), a_dc.id());

    // The same ICE session: same credentials, no return to "checking", the first channel works.
    assert_eq!(ufrag(&a.local_description().unwrap()), ufrags.0);
    assert_eq!(ufrag(&b.local_description().unwrap()), ufrags.1);
    assert!(
        !ice_log.take().iter().any(|s| s.contains("checking")),
        "ICE restarted"
    );
    a_dc.send("still here").unwrap();
    assert_eq!(
        message("first after renegotiation", &mut b_events).await,
        DataChannelMessage::Text("still here".into())
    );
    let mut a_second_events = a_second.events();
    b_second.send(vec![7u8; 3000]).unwrap();
    assert_eq!(
        message("second b→a", &mut a_second_events).await,
        DataChannelMessage::Binary(vec![7u8; 3000].into())
    );
    assert!(connected(&a) && connected(&b));
    a.close();
    b.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_restart_renews_credentials_and_keeps_the_channel() {
    let (a, b) = (pc(62), pc(63));
    let (a_dc, b_dc) = connect(&a, &b).await;
    let (mut a_events, mut b_events) = (a_dc.events(), b_dc.events());
    let before = (
        ufrag(&a.local_description().unwrap()),
        ufrag(&b.local_description().unwrap()),
    );
    let ice_log = Log::default();
    let log = ice_log.clone();
    a.add_event_listener(
        EventType::IceConnectionStateChange,
        Box::new(move |e: &Event| {
            if let EventKind::IceConnectionStateChange(s) = e.kind() {
                log.push(s.to_string());
            }
        }),
    );

    let (nn_tx, mut nn_rx) = mpsc::unbounded_channel();
    a.on_negotiation_needed(Some(Box::new(move |_| {
        let _ = nn_tx.send(());
    })));
    a.restart_ice();
    within("negotiationneeded after restartIce", nn_rx.recv()).await;
    within("restart negotiation", negotiate(&a, &b)).await;
    let after = (
        ufrag(&a.local_description().unwrap()),
        ufrag(&b.local_description().unwrap()),
    );
    assert_ne!(after.0, before.0, "the offerer's ufrag is new");
    assert_ne!(after.1, before.1, "the answerer's ufrag is new");

    // The channel carries messages during and after the restart.
    a_dc.send("during").unwrap();
    assert_eq!(
        message("during restart", &mut b_events).await,
        DataChannelMessage::Text("during".into())
    );
    // The new generation's checks run: ICE leaves `completed` (where a controlling agent ends)
    // and comes back to it once the new pair is nominated.
    wait_until("checks of the new generation finish", || {
        a.ice_connection_state() == RtcIceConnectionState::Completed && ice_log.len() >= 2
    })
    .await;
    let states = ice_log.take();
    assert_eq!(
        states.last().map(String::as_str),
        Some("completed"),
        "ICE states after restart: {states:?}"
    );
    // The new generation's candidates carry the new ufrag (a stale one makes the peer drop them).
    let sdp = a.local_description().unwrap().sdp().to_owned();
    let tagged: Vec<&str> = sdp
        .lines()
        .filter(|l| l.starts_with("a=candidate:"))
        .filter_map(|l| l.split(" ufrag ").nth(1))
        .map(|rest| rest.split(' ').next().unwrap_or(""))
        .collect();
    assert!(
        tagged.iter().all(|u| *u == after.0),
        "candidate ufrags {tagged:?}, a=ice-ufrag {}",
        after.0
    );
    b_dc.send("after").unwrap();
    assert_eq!(
        message("after restart", &mut a_events).await,
        DataChannelMessage::Text("after".into())
    );
    assert!(connected(&a) && connected(&b));
    assert!(open(&a_dc) && open(&b_dc));
    a.close();
    b.close();
}
