//! Measures connection setup over loopback: two connections, non-trickle offer/answer, one
//! data channel; prints the time from `new` to the channel open on both sides.

use std::time::{Duration, Instant};

use rtcpeer::*;

async fn wait_complete(pc: &RtcPeerConnection) {
    while pc.ice_gathering_state() != RtcIceGatheringState::Complete {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

async fn one() -> Result<(Duration, Duration, Duration), RtcError> {
    let t0 = Instant::now();
    let a = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::Addresses(vec!["127.0.0.1".parse().unwrap()]))
        .build()?;
    let b = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::Addresses(vec!["127.0.0.1".parse().unwrap()]))
        .build()?;
    for (name, p) in [("a", &a), ("b", &b)] {
        p.add_event_listener(
            EventType::IceConnectionStateChange,
            Box::new(move |e: &Event| {
                if std::env::var("VERBOSE").is_ok() {
                    println!("  {name} {:?} {:?}", t0.elapsed(), e.kind())
                }
            }),
        );
        p.add_event_listener(
            EventType::ConnectionStateChange,
            Box::new(move |e: &Event| {
                if std::env::var("VERBOSE").is_ok() {
                    println!("  {name} {:?} {:?}", t0.elapsed(), e.kind())
                }
            }),
        );
    }
    let dc = a.create_data_channel("x", Default::default()).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    b.on_data_channel(Some(Box::new(move |e: &Event| {
        if let EventKind::DataChannel(c) = e.kind() {
            let _ = tx.send(c.clone());
        }
    })));
    let offer = a.create_offer(Default::default()).await?;
    a.set_local_description(Some(offer.into())).await?;
    wait_complete(&a).await;
    b.set_remote_description(a.local_description().unwrap().into())
        .await?;
    let answer = b.create_answer().await?;
    b.set_local_description(Some(answer.into())).await?;
    wait_complete(&b).await;
    let t_sig = t0.elapsed();
    a.set_remote_description(b.local_description().unwrap().into())
        .await?;
    let bdc = rx.recv().await.unwrap();
    let t_b = t0.elapsed();
    while dc.ready_state() != RtcDataChannelState::Open
        || bdc.ready_state() != RtcDataChannelState::Open
    {
        tokio::time::sleep(Duration::from_micros(100)).await;
    }
    let t_open = t0.elapsed();
    a.close();
    b.close();
    Ok((t_sig, t_b, t_open))
}

#[tokio::main]
async fn main() {
    let mut v = Vec::new();
    for _ in 0..20 {
        let (s, b, o) = one().await.unwrap();
        println!("signaling {s:?} datachannel-at-b {b:?} open {o:?}");
        v.push(o);
    }
    v.sort();
    println!("median {:?} p90 {:?}", v[10], v[18]);
}
