//! The perfect negotiation pattern (webrtc-pc §10.7 example) through the async API. Both
//! peers change their media at once and the signaling channel holds the messages until both
//! have applied their own offer, so the offers really collide: the polite peer rolls back
//! (implicit rollback in `setRemoteDescription`), the impolite one ignores the colliding offer,
//! and both end stable with the same m= sections.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use rtcpeer::*;
use tokio::sync::{mpsc, watch};

type Msg = RtcSessionDescriptionInit;

/// One peer: its connection, the task that runs its side of the pattern, and how many offers
/// it ignored.
struct Peer {
    pc: RtcPeerConnection,
    task: tokio::task::JoinHandle<()>,
    ignored: Arc<AtomicUsize>,
}

/// The pattern in one task per peer. The `negotiationneeded` handler only forwards the event
/// into that task: handlers run on the driver and must not block, and one task doing every
/// reaction in order keeps what JavaScript's run-to-completion guarantees (the answer is
/// signaled before the offer a later `negotiationneeded` makes).
fn peer(
    seed: u64,
    polite: bool,
    to_other: mpsc::UnboundedSender<Msg>,
    mut from_other: mpsc::UnboundedReceiver<Msg>,
) -> Peer {
    let pc = pc_no_sockets(seed);
    let (nn_tx, mut nn_rx) = mpsc::unbounded_channel();
    pc.on_negotiation_needed(Some(Box::new(move |_| {
        let _ = nn_tx.send(());
    })));
    let ignored = Arc::new(AtomicUsize::new(0));
    let ignored_count = Arc::clone(&ignored);
    let weak = pc.downgrade();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = nn_rx.recv() => {
                    let Some(pc) = weak.upgrade() else { return };
                    // The description this call applied (an offer, or an answer when a remote
                    // offer came first).
                    if let Ok(Some(d)) = pc.set_local_description(None).await {
                        let _ = to_other.send(d.to_json());
                    }
                }
                Some(description) = from_other.recv() => {
                    let Some(pc) = weak.upgrade() else { return };
                    let is_offer = description.sdp_type == RtcSdpType::Offer;
                    // JavaScript's `makingOffer` is not needed: this task takes no message while
                    // its own setLocalDescription runs, and after it the state shows the offer.
                    let collision =
                        is_offer && pc.signaling_state() != RtcSignalingState::Stable;
                    if !polite && collision {
                        ignored_count.fetch_add(1, Ordering::SeqCst);
                        continue;
                    }
                    if pc.set_remote_description(description).await.is_err() {
                        continue;
                    }
                    if is_offer {
                        let d = pc.set_local_description(None).await.expect("answer");
                        let d = d.expect("a local answer");
                        assert_eq!(d.sdp_type(), RtcSdpType::Answer);
                        let _ = to_other.send(d.to_json());
                    }
                }
                else => return,
            }
        }
    });
    Peer { pc, task, ignored }
}

/// Forwards messages once `open` turns true.
fn relay(
    mut rx: mpsc::UnboundedReceiver<Msg>,
    tx: mpsc::UnboundedSender<Msg>,
    mut open: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let _ = open.wait_for(|o| *o).await;
        while let Some(m) = rx.recv().await {
            if tx.send(m).is_err() {
                return;
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn glare_resolves() {
    let (gate, open) = watch::channel(false);
    let (a_out, a_out_rx) = mpsc::unbounded_channel();
    let (b_out, b_out_rx) = mpsc::unbounded_channel();
    let (a_in_tx, a_in) = mpsc::unbounded_channel();
    let (b_in_tx, b_in) = mpsc::unbounded_channel();
    let relays = [
        relay(a_out_rx, b_in_tx, open.clone()),
        relay(b_out_rx, a_in_tx, open),
    ];
    let a = peer(50, false, a_out, a_in);
    let b = peer(51, true, b_out, b_in);

    // Both sides change at once: two negotiationneeded, two local offers.
    let (ra, rb) = tokio::join!(
        a.pc.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default()),
        b.pc.add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default()),
    );
    ra.unwrap();
    rb.unwrap();
    wait_until("both offers applied", || {
        a.pc.signaling_state() == RtcSignalingState::HaveLocalOffer
            && b.pc.signaling_state() == RtcSignalingState::HaveLocalOffer
    })
    .await;
    gate.send(true).unwrap();

    let converged = |p: &RtcPeerConnection| {
        p.signaling_state() == RtcSignalingState::Stable
            && p.get_transceivers().len() == 2
            && p.get_transceivers().iter().all(|t| t.mid().is_some())
            && p.current_remote_description().is_some()
    };
    wait_until("both peers to converge", || {
        converged(&a.pc) && converged(&b.pc)
    })
    .await;
    assert_eq!(
        a.ignored.load(Ordering::SeqCst),
        1,
        "the impolite peer ignored one offer"
    );
    assert_eq!(
        b.ignored.load(Ordering::SeqCst),
        0,
        "the polite peer never ignores"
    );
    let mids = |p: &RtcPeerConnection| {
        let mut v: Vec<(String, TrackKind)> = p
            .get_transceivers()
            .iter()
            .map(|t| (t.mid().unwrap_or_default(), t.kind()))
            .collect();
        v.sort_by(|x, y| x.0.cmp(&y.0));
        v
    };
    assert_eq!(
        mids(&a.pc),
        mids(&b.pc),
        "the same m= sections on both sides"
    );
    assert_eq!(
        a.pc.current_local_description().map(|d| d.sdp().to_owned()),
        b.pc.current_remote_description()
            .map(|d| d.sdp().to_owned()),
        "each side's local and remote descriptions agree"
    );

    // A later change renegotiates through the same pattern.
    a.pc.create_data_channel("late", RtcDataChannelInit::default())
        .await
        .unwrap();
    wait_until("the data channel to be negotiated", || {
        a.pc.sctp().is_some()
            && b.pc.sctp().is_some()
            && a.pc.signaling_state() == RtcSignalingState::Stable
    })
    .await;
    a.pc.close();
    b.pc.close();
    // The signaling tasks wait on channels that feed each other: stop them.
    for t in relays.into_iter().chain([a.task, b.task]) {
        t.abort();
    }
}
