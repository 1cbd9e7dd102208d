//! Memory per connected peer connection: 100 connected pairs over loopback, each with one open
//! data channel; live heap bytes (a counting allocator) per connection.

use std::alloc::System;
use std::time::Duration;

use rtcpeer::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn live() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

async fn wait_complete(pc: &RtcPeerConnection) {
    while pc.ice_gathering_state() != RtcIceGatheringState::Complete {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

async fn pair(
    cert: &RtcCertificate,
) -> (
    RtcPeerConnection,
    RtcPeerConnection,
    RtcDataChannel,
    RtcDataChannel,
) {
    let mk = || {
        RtcPeerConnection::builder(RtcConfiguration::default())
            .interfaces(Interfaces::Addresses(vec!["127.0.0.1".parse().unwrap()]))
            .certificate(cert.clone())
            .build()
            .unwrap()
    };
    let (a, b) = (mk(), mk());
    let dc = a
        .create_data_channel("x", Default::default())
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    b.on_data_channel(Some(Box::new(move |e: &Event| {
        if let EventKind::DataChannel(c) = e.kind() {
            let _ = tx.send(c.clone());
        }
    })));
    let offer = a.create_offer(Default::default()).await.unwrap();
    a.set_local_description(Some(offer.into())).await.unwrap();
    wait_complete(&a).await;
    b.set_remote_description(a.local_description().unwrap().into())
        .await
        .unwrap();
    let answer = b.create_answer().await.unwrap();
    b.set_local_description(Some(answer.into())).await.unwrap();
    wait_complete(&b).await;
    a.set_remote_description(b.local_description().unwrap().into())
        .await
        .unwrap();
    let bdc = rx.recv().await.unwrap();
    while dc.ready_state() != RtcDataChannelState::Open {
        tokio::time::sleep(Duration::from_micros(100)).await;
    }
    (a, b, dc, bdc)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cert = RtcPeerConnection::generate_certificate(Default::default())
        .await
        .unwrap();
    // Warm up (lazy statics, runtime structures).
    let w = pair(&cert).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let base = live();
    let mut keep = Vec::new();
    for _ in 0..100 {
        keep.push(pair(&cert).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let used = live() - base;
    println!(
        "100 pairs: {} B live, {:.1} KiB per connection",
        used,
        used as f64 / 200.0 / 1024.0
    );
    drop(keep);
    drop(w);
}
