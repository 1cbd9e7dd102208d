//! Bulk throughput and small-message rate between two connections over loopback.

use std::time::{Duration, Instant};

use rtcpeer::*;

async fn wait_complete(pc: &RtcPeerConnection) {
    while pc.ice_gathering_state() != RtcIceGatheringState::Complete {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

async fn pair() -> (
    RtcPeerConnection,
    RtcPeerConnection,
    RtcDataChannel,
    RtcDataChannel,
) {
    let a = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::Addresses(vec!["127.0.0.1".parse().unwrap()]))
        .build()
        .unwrap();
    let b = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::Addresses(vec!["127.0.0.1".parse().unwrap()]))
        .build()
        .unwrap();
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

async fn run(size: usize, count: usize) {
    let (a, b, dc, bdc) = pair().await;
    let mut events = bdc.events();
    let payload = bytes::Bytes::from(vec![7u8; size]);
    let t0 = Instant::now();
    let high: u64 = std::env::var("HIGH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4 << 20);
    dc.set_buffered_amount_low_threshold(high / 2);
    let mut low = dc.events();
    let recv = tokio::spawn(async move {
        let mut got = 0usize;
        let mut bytes = 0usize;
        while got < count {
            match events.recv().await {
                Some(e) => {
                    if let DataChannelEventKind::Message(m) = e.kind() {
                        got += 1;
                        bytes += m.len();
                    }
                }
                None => break,
            }
        }
        (got, bytes)
    });
    for _ in 0..count {
        while dc.buffered_amount() > high {
            // wait for bufferedamountlow
            loop {
                match low.recv().await {
                    Some(e) if e.event_type() == DataChannelEventType::BufferedAmountLow => break,
                    Some(_) => {}
                    None => return,
                }
            }
        }
        dc.send(payload.clone()).unwrap();
    }
    let (got, bytes) = recv.await.unwrap();
    let dt = t0.elapsed();
    println!(
        "{count} x {size} B: {got} msgs in {dt:?}: {:.1} MB/s, {:.0} msg/s; a sent {} datagrams, b received {}",
        bytes as f64 / dt.as_secs_f64() / 1e6,
        got as f64 / dt.as_secs_f64(),
        a.socket_stats().datagrams_sent,
        b.socket_stats().datagrams_received
    );
    a.close();
    b.close();
}

/// `throughput [SIZE COUNT]`: one run of COUNT messages of SIZE bytes; by default the bulk
/// (1024 x 64 KiB) and small-message (200,000 x 64 B) runs. `HIGH=<bytes>` sets the
/// `bufferedAmount` high-water mark of the sender (default 4 MiB).
#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    match args[..] {
        [size, count] => run(size, count).await,
        _ => {
            run(64 * 1024, 1024).await;
            run(64, 200_000).await;
        }
    }
}
