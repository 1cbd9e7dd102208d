//! Helpers shared by the rtcpeer integration tests: loopback-only connections, a full
//! offer/answer exchange, and bounded waiting.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtcpeer::*;
use tokio::sync::mpsc;

/// A connection bound to loopback only, with a seeded generator.
pub fn pc(seed: u64) -> RtcPeerConnection {
    RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::LoopbackOnly)
        .seed(seed)
        .build()
        .expect("new RtcPeerConnection")
}

/// A connection with no socket (signaling only).
pub fn pc_no_sockets(seed: u64) -> RtcPeerConnection {
    RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::None)
        .seed(seed)
        .build()
        .expect("new RtcPeerConnection")
}

/// `a` offers, `b` answers, both apply, through the async API.
pub async fn negotiate(a: &RtcPeerConnection, b: &RtcPeerConnection) {
    let offer = a
        .create_offer(RtcOfferOptions::default())
        .await
        .expect("offer");
    a.set_local_description(Some(offer.clone().into()))
        .await
        .expect("a sLD(offer)");
    b.set_remote_description(offer).await.expect("b sRD(offer)");
    let answer = b.create_answer().await.expect("answer");
    b.set_local_description(Some(answer.clone().into()))
        .await
        .expect("b sLD(answer)");
    a.set_remote_description(answer)
        .await
        .expect("a sRD(answer)");
}

/// Waits (at most 10 s) until `cond` holds, yielding to the runtime in between.
pub async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let give_up = tokio::time::Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(
            tokio::time::Instant::now() < give_up,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// A log of strings that handlers append to.
#[derive(Clone, Default)]
pub struct Log(pub Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// A handler that logs `<prefix><type>[:<detail>]` for every event.
pub fn logger(log: &Log, prefix: &'static str) -> EventHandler {
    let log = log.clone();
    Box::new(move |e: &Event| log.push(format!("{prefix}{}", describe(e))))
}

/// `type` or `type:detail`.
pub fn describe(e: &Event) -> String {
    match e.kind() {
        EventKind::SignalingStateChange(s) => format!("signalingstatechange:{s}"),
        EventKind::Track(t) => format!("track:{}", t.track.kind),
        EventKind::AddStream(s) => format!("addstream:{}", s.id),
        EventKind::RemoveStream(s) => format!("removestream:{}", s.id),
        _ => e.event_type().to_string(),
    }
}

/// Set when dropped: shows that a handler (and what it captured) was freed.
pub struct DropFlag(pub Arc<AtomicBool>);

impl DropFlag {
    pub fn new() -> (Self, Arc<AtomicBool>) {
        let f = Arc::new(AtomicBool::new(false));
        (DropFlag(Arc::clone(&f)), f)
    }
}

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The error's W3C name.
pub fn err_name<T: std::fmt::Debug>(r: Result<T, RtcError>) -> &'static str {
    r.expect_err("expected an error").name()
}

/// Forwards every candidate `from` gathers to `to`, for the life of the test. Candidates of a
/// generation `to` no longer knows may be refused; that is expected during a restart.
pub fn forward_candidates(from: &RtcPeerConnection, to: &RtcPeerConnection) {
    let (tx, mut rx) = mpsc::unbounded_channel::<RtcIceCandidateInit>();
    from.on_ice_candidate(Some(Box::new(move |e: &Event| {
        if let EventKind::IceCandidate(c) = e.kind()
            && let Some(init) = &c.candidate
        {
            let _ = tx.send(init.clone());
        }
    })));
    let to = to.downgrade();
    tokio::spawn(async move {
        while let Some(init) = rx.recv().await {
            let Some(pc) = to.upgrade() else { return };
            // A candidate can overtake the description it belongs to (tests signal them
            // on separate paths): `InvalidStateError` before any remote description,
            // `OperationError` for the ufrag of a restart not applied yet. Retry for a while.
            for _ in 0..2000 {
                match pc.add_ice_candidate(init.clone()).await {
                    Err(e) if matches!(e.name(), "InvalidStateError" | "OperationError") => {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    _ => break,
                }
            }
        }
    });
}
