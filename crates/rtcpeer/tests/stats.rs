//! `getStats()` through the async API, over the loopback interface (webrtc-pc §8.2): two
//! connections exchange data channel messages; their reports count exactly those messages and
//! bytes, the selected candidate pair joins two loopback candidates, the certificates are the
//! ones the SDP fingerprints name, the sender, receiver and channel forms select what they
//! should, a track of no sender is an `InvalidAccessError`, and the stats stay readable after
//! `close()`.

mod common;

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use rtcpeer::*;
use tokio::sync::mpsc;

async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(20), fut).await {
        Ok(v) => v,
        Err(_) => panic!("timed out: {what}"),
    }
}

/// Forwards every trickled candidate of `from` to `to`, once `to` has a remote description.
fn trickle(from: &RtcPeerConnection, to: &RtcPeerConnection) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    from.on_ice_candidate(Some(Box::new(move |e: &Event| {
        if let EventKind::IceCandidate(c) = e.kind()
            && let Some(init) = c.candidate.clone()
        {
            let _ = tx.send(init);
        }
    })));
    let to = to.downgrade();
    tokio::spawn(async move {
        while let Some(init) = rx.recv().await {
            let Some(pc) = to.upgrade() else { return };
            while pc.remote_description().is_none() {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            pc.add_ice_candidate(init).await.expect("addIceCandidate");
        }
    });
}

/// Waits for `n` messages on a channel's event stream; returns their payload lengths.
async fn receive(events: &mut EventStream<DataChannelEvent>, n: usize) -> Vec<usize> {
    let mut lens = Vec::new();
    while lens.len() < n {
        let e = within("a message", events.recv()).await.expect("events");
        if let DataChannelEventKind::Message(m) = e.kind() {
            lens.push(m.len());
        }
    }
    lens
}

fn sdp_attribute(sdp: &str, name: &str) -> String {
    let prefix = format!("a={name}:");
    sdp.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix}"))
        .to_owned()
}

fn channel<'a>(r: &'a RtcStatsReport, label: &str) -> &'a RtcDataChannelStats {
    r.data_channels().find(|c| c.label == label).expect(label)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_stats_over_loopback() {
    let (a, b) = (pc(70), pc(71));
    trickle(&a, &b);
    trickle(&b, &a);
    let (dc_tx, mut dc_rx) = mpsc::unbounded_channel();
    b.on_data_channel(Some(Box::new(move |e: &Event| {
        if let EventKind::DataChannel(c) = e.kind() {
            let _ = dc_tx.send((c.clone(), c.events()));
        }
    })));
    let a_dc = a
        .create_data_channel("chat", RtcDataChannelInit::default())
        .await
        .unwrap();
    let mut a_events = a_dc.events();
    within("negotiation", negotiate(&a, &b)).await;
    let (b_dc, mut b_events) = within("datachannel", dc_rx.recv()).await.unwrap();
    wait_until("both open", || {
        a_dc.ready_state() == RtcDataChannelState::Open
            && b_dc.ready_state() == RtcDataChannelState::Open
    })
    .await;

    // a → b: 4 messages of 5 + 0 + 1000 + 3 bytes; b → a: 2 of 7 + 70 000.
    a_dc.send("hello").unwrap();
    a_dc.send("").unwrap();
    a_dc.send(vec![1u8; 1000]).unwrap();
    a_dc.send("end").unwrap();
    b_dc.send("goodbye").unwrap();
    b_dc.send(vec![2u8; 70_000]).unwrap();
    assert_eq!(receive(&mut b_events, 4).await, [5, 0, 1000, 3]);
    assert_eq!(receive(&mut a_events, 2).await, [7, 70_000]);

    let ra = a.get_stats(None).await.unwrap();
    let rb = b.get_stats(None).await.unwrap();
    let ca = channel(&ra, "chat");
    assert_eq!((ca.messages_sent, ca.bytes_sent), (4, 1008));
    assert_eq!((ca.messages_received, ca.bytes_received), (2, 70_007));
    assert_eq!(ca.state, RtcDataChannelState::Open);
    assert_eq!(ca.data_channel_identifier, a_dc.id());
    let cb = channel(&rb, "chat");
    assert_eq!((cb.messages_sent, cb.bytes_sent), (2, 70_007));
    assert_eq!((cb.messages_received, cb.bytes_received), (4, 1008));

    // Timestamps are the wall clock, in milliseconds.
    #[allow(clippy::disallowed_methods)]
    let wall_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0;
    let ts = ra.peer_connection().unwrap().timestamp;
    assert!((wall_ms - ts).abs() < 10_000.0, "{ts} vs {wall_ms}");

    for (pc, r, other) in [(&a, &ra, &b), (&b, &rb, &a)] {
        let t = r.transports().next().expect("a transport");
        assert_eq!(t.dtls_state, RtcDtlsTransportState::Connected);
        let p = t.selected_candidate_pair_id.as_deref().expect("a pair");
        let Some(RtcStats::CandidatePair(pair)) = r.get(p) else {
            panic!("no selected pair")
        };
        assert!(pair.nominated);
        assert_eq!(pair.state, RtcStatsIceCandidatePairState::Succeeded);
        let Some(RtcStats::LocalCandidate(local)) = r.get(&pair.local_candidate_id) else {
            panic!("no local candidate")
        };
        assert_eq!(local.address.as_deref(), Some("127.0.0.1"));
        let Some(RtcStats::RemoteCandidate(remote)) = r.get(&pair.remote_candidate_id) else {
            panic!("no remote candidate")
        };
        // A check may arrive before the candidate it comes from is signalled: the remote
        // candidate is then peer-reflexive, and its address stays hidden (webrtc-stats).
        if remote.candidate_type == RtcIceCandidateType::Prflx {
            assert_eq!(remote.address, None);
        } else {
            assert_eq!(remote.address.as_deref(), Some("127.0.0.1"));
        }
        assert!(pair.bytes_sent > 0 && pair.bytes_received > 0);
        // The sockets carried the transport's data and the ICE checks besides.
        let sockets = pc.socket_stats();
        assert!(t.bytes_sent > 70_000 || t.bytes_received > 70_000);
        assert!(t.bytes_sent < sockets.bytes_sent);
        assert!(t.packets_received < sockets.datagrams_received);
        // The certificates are those of the SDP fingerprints.
        let own = pc.local_description().unwrap().sdp().to_owned();
        let theirs = other.local_description().unwrap().sdp().to_owned();
        for (id, sdp) in [
            (&t.local_certificate_id, own),
            (&t.remote_certificate_id, theirs),
        ] {
            let Some(RtcStats::Certificate(c)) = r.get(id.as_deref().unwrap()) else {
                panic!("no certificate")
            };
            assert_eq!(
                format!("{} {}", c.fingerprint_algorithm, c.fingerprint),
                sdp_attribute(&sdp, "fingerprint")
            );
        }
    }

    // The selector forms.
    let only = a_dc.get_stats().await.unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(channel(&only, "chat").messages_sent, 4);
    let mic = MediaStreamTrack::new("mic-1", TrackKind::Audio, "mic");
    let sender = a.add_track(mic.clone(), &[]).await.unwrap();
    assert!(sender.get_stats().await.unwrap().is_empty(), "no media yet");
    assert!(a.get_stats(Some(&mic)).await.unwrap().is_empty());
    let receiver = a.get_receivers().into_iter().next().unwrap();
    assert!(receiver.get_stats().await.unwrap().is_empty());
    let stranger = MediaStreamTrack::new("nobody", TrackKind::Video, "cam");
    let e = a.get_stats(Some(&stranger)).await.unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidAccessError);

    // After close(): the same objects, the channel closed, its counts kept. The driver ends
    // with close() (before it reads a later command), so these come from the report it left.
    let ids: Vec<String> = a
        .get_stats(None)
        .await
        .unwrap()
        .keys()
        .map(str::to_owned)
        .collect();
    a.close();
    let after = a.get_stats(None).await.unwrap();
    assert_eq!(after.keys().map(str::to_owned).collect::<Vec<_>>(), ids);
    let c = channel(&after, "chat");
    assert_eq!(c.state, RtcDataChannelState::Closed);
    assert_eq!((c.messages_sent, c.messages_received), (4, 2));
    let p = after.peer_connection().unwrap();
    assert_eq!((p.data_channels_opened, p.data_channels_closed), (1, 1));
    assert_eq!(
        after.transports().next().unwrap().dtls_state,
        RtcDtlsTransportState::Closed
    );
    // The selector forms still resolve, against the last published transceivers.
    assert_eq!(a_dc.get_stats().await.unwrap().len(), 1);
    assert!(sender.get_stats().await.unwrap().is_empty());
    assert!(a.get_stats(Some(&mic)).await.unwrap().is_empty());
    let e = a.get_stats(Some(&stranger)).await.unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidAccessError);
    assert_eq!(a.get_stats(None).await.unwrap().len(), after.len());
    b.close();
}
