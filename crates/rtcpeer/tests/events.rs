//! Events: `signalingstatechange` and `negotiationneeded` in spec order through `on_xxx`,
//! `add_event_listener` and `events()`; handler replacement and listener order; handlers see
//! the state they report; a handler that calls back into the connection (re-entrancy).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use rtcpeer::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signaling_and_negotiation_needed_in_spec_order_three_ways() {
    let (a, b) = (pc(10), pc(11));
    let (on, listener) = (Log::default(), Log::default());
    a.on_signaling_state_change(Some(logger(&on, "")));
    a.on_negotiation_needed(Some(logger(&on, "")));
    a.add_event_listener(EventType::SignalingStateChange, logger(&listener, ""));
    a.add_event_listener(EventType::NegotiationNeeded, logger(&listener, ""));
    let mut stream = a.events();

    // Two changes in a row: one negotiationneeded (the flag is already set for the second).
    a.create_data_channel("x", RtcDataChannelInit::default())
        .await
        .unwrap();
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    negotiate(&a, &b).await;
    // A change after negotiation: needed again.
    a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    wait_until("the last negotiationneeded", || on.len() == 4).await;

    let expected = [
        "negotiationneeded",
        "signalingstatechange:have-local-offer",
        "signalingstatechange:stable",
        "negotiationneeded",
    ];
    assert_eq!(on.take(), expected);
    assert_eq!(listener.take(), expected);
    let mut streamed = Vec::new();
    while streamed.len() < expected.len() {
        let e = stream.recv().await.expect("stream open");
        assert!(e.target().is_some_and(|t| t.same_connection(&a)));
        // The stream has every event; the ICE ones (gathering, candidates) are not compared.
        if matches!(
            e.event_type(),
            EventType::SignalingStateChange | EventType::NegotiationNeeded
        ) {
            streamed.push(describe(&e));
        }
    }
    assert_eq!(streamed, expected);
    a.close();
    b.close();
    assert!(
        stream.recv().await.is_none(),
        "the stream ends with the driver"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handlers_see_the_state_they_report() {
    let (a, b) = (pc(12), pc(13));
    let mismatches = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicUsize::new(0));
    let (m, s) = (Arc::clone(&mismatches), Arc::clone(&seen));
    b.on_signaling_state_change(Some(Box::new(move |e| {
        let EventKind::SignalingStateChange(state) = e.kind() else {
            return;
        };
        let pc = e.target().expect("alive");
        if pc.signaling_state() != *state {
            m.fetch_add(1, Ordering::SeqCst);
        }
        s.fetch_add(1, Ordering::SeqCst);
    })));
    a.create_data_channel("x", RtcDataChannelInit::default())
        .await
        .unwrap();
    negotiate(&a, &b).await;
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    assert_eq!(mismatches.load(Ordering::SeqCst), 0);
    a.close();
    b.close();
}

#[tokio::test]
async fn on_xxx_replaces_keeps_place_and_none_clears() {
    let a = pc_no_sockets(14);
    let log = Log::default();
    a.add_event_listener(EventType::NegotiationNeeded, logger(&log, "first:"));
    a.on_negotiation_needed(Some(logger(&log, "on1:")));
    let last = a.add_event_listener(EventType::NegotiationNeeded, logger(&log, "last:"));
    a.on_negotiation_needed(Some(logger(&log, "on2:")));
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    wait_until("three handlers", || log.len() == 3).await;
    assert_eq!(
        log.take(),
        [
            "first:negotiationneeded",
            "on2:negotiationneeded",
            "last:negotiationneeded"
        ]
    );

    // Clear the attribute and remove a listener; negotiate away the flag and change again.
    a.on_negotiation_needed(None);
    a.remove_event_listener(last);
    let b = pc_no_sockets(15);
    negotiate(&a, &b).await;
    a.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    wait_until("one handler", || log.len() == 1).await;
    // Make sure nothing else was queued behind it.
    a.create_offer(RtcOfferOptions::default()).await.unwrap();
    assert_eq!(log.take(), ["first:negotiationneeded"]);
    a.close();
    b.close();
}

/// A handler that answers an offer by spawning `set_local_description`: queued behind the
/// current operation, it runs without deadlock; sync calls from inside handlers work too.
#[tokio::test(flavor = "current_thread")]
async fn reentrant_handler_answers_via_spawn() {
    let (a, b) = (pc(16), pc(17));
    let answered = Log::default();
    let log = answered.clone();
    b.on_signaling_state_change(Some(Box::new(move |e| {
        let pc = e.target().expect("alive");
        // Synchronous calls from a handler never need the driver.
        let _ = (
            pc.signaling_state(),
            pc.get_transceivers(),
            pc.socket_stats(),
        );
        pc.add_event_listener(EventType::Track, Box::new(|_| {}));
        if let EventKind::SignalingStateChange(RtcSignalingState::HaveRemoteOffer) = e.kind() {
            let log = log.clone();
            tokio::spawn(async move {
                pc.set_local_description(None)
                    .await
                    .expect("implicit answer");
                log.push("answered");
            });
        }
    })));
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    let offer = a.create_offer(RtcOfferOptions::default()).await.unwrap();
    a.set_local_description(Some(offer.clone().into()))
        .await
        .unwrap();
    b.set_remote_description(offer).await.unwrap();
    wait_until("the handler's answer", || answered.len() == 1).await;
    assert_eq!(b.signaling_state(), RtcSignalingState::Stable);
    let answer = b.current_local_description().expect("answer applied");
    assert_eq!(answer.sdp_type(), RtcSdpType::Answer);
    a.set_remote_description(answer.to_json()).await.unwrap();
    assert_eq!(a.signaling_state(), RtcSignalingState::Stable);
    a.close();
    b.close();
}

#[tokio::test]
async fn a_panicking_handler_does_not_break_the_connection() {
    let a = pc_no_sockets(18);
    let log = Log::default();
    a.on_negotiation_needed(Some(Box::new(|_| panic!("bug in a handler"))));
    a.add_event_listener(EventType::NegotiationNeeded, logger(&log, ""));
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    wait_until("the second handler", || log.len() == 1).await;
    // The driver still answers.
    a.create_offer(RtcOfferOptions::default()).await.unwrap();
    a.close();
}

#[tokio::test]
async fn data_channel_close_fires_close_and_events_stream() {
    let a = pc_no_sockets(19);
    let dc = a
        .create_data_channel("x", RtcDataChannelInit::default())
        .await
        .unwrap();
    let mut events = dc.events();
    let log = Log::default();
    let l = log.clone();
    dc.on_close(Some(Box::new(move |e| l.push(e.event_type().as_str()))));
    dc.close();
    let e = events.recv().await.expect("close event");
    assert_eq!(e.event_type(), DataChannelEventType::Close);
    assert_eq!(e.target(), &dc);
    assert_eq!(log.take(), ["close"]);
    assert_eq!(dc.ready_state(), RtcDataChannelState::Closed);
    assert_eq!(err_name(dc.send(vec![1u8, 2, 3])), "InvalidStateError");
    dc.close(); // closing twice does nothing
    a.close();
    assert!(events.recv().await.is_none());
}
