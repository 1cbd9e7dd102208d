//! Lifetime under load: 1,000 connections created, used (handlers, listeners, event streams,
//! data channels, offers) and ended (half by `close()`, half by dropping the last handle) leave
//! no task alive and no memory behind.
//!
//! This binary holds one test only: it counts every allocation of the process (through a
//! counting global allocator) and the process-wide number of driver tasks.

use std::alloc::System;
use std::time::Duration;

use rtcpeer::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated and not freed, process-wide (stats_alloc already folds reallocations into
/// the allocated and deallocated totals).
fn live_bytes() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

const BATCH: usize = 100;

/// Creates `BATCH` connections, exercises them, ends them, and waits until every driver task
/// is gone.
async fn batch(cert: &RtcCertificate, round: usize) {
    let mut keep = Vec::with_capacity(BATCH);
    for i in 0..BATCH {
        let pc = RtcPeerConnection::builder(RtcConfiguration::default())
            .interfaces(Interfaces::LoopbackOnly)
            .certificate(cert.clone())
            .seed((round * BATCH + i) as u64)
            .build()
            .expect("new");
        // Handlers that hold a weak handle (no cycle) and one that holds a strong handle
        // (a cycle that close() must break).
        let weak = pc.downgrade();
        pc.on_negotiation_needed(Some(Box::new(move |_| {
            let _ = weak.upgrade().map(|p| p.signaling_state());
        })));
        if i % 2 == 0 {
            let strong = pc.clone();
            pc.on_signaling_state_change(Some(Box::new(move |_| {
                let _ = strong.signaling_state();
            })));
        }
        pc.add_event_listener(EventType::Track, Box::new(|_| {}));
        let events = pc.events();
        let dc = pc
            .create_data_channel("leak", RtcDataChannelInit::default())
            .await
            .expect("channel");
        dc.on_message(Some(Box::new(|_| {})));
        pc.set_local_description(None).await.expect("offer");
        keep.push((pc, events, dc));
    }
    for (i, (pc, events, dc)) in keep.into_iter().enumerate() {
        if i % 2 == 0 {
            pc.close(); // required: its handler holds a handle
        }
        drop((pc, events, dc));
    }
    let give_up = tokio::time::Instant::now() + Duration::from_secs(30);
    while live_driver_tasks() != 0
        || tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
            != 0
    {
        assert!(
            tokio::time::Instant::now() < give_up,
            "driver tasks left behind"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[test]
fn a_thousand_connections_leave_nothing_behind() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let cert =
            RtcCertificate::generate(&CertificateParams::default(), std::time::SystemTime::now())
                .expect("certificate");
        // Warm-up: lazily built runtime, I/O driver and library state reach steady size.
        batch(&cert, 0).await;
        let before = live_bytes();
        for round in 1..=1000 / BATCH {
            batch(&cert, round).await;
        }
        assert_eq!(live_driver_tasks(), 0);
        assert_eq!(
            tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks(),
            0
        );
        let grown = live_bytes() - before;
        // A leak of one connection's state (a driver, a snapshot with an SDP offer, sockets,
        // handlers) would be kilobytes each, megabytes for 1,000.
        assert!(
            grown < 64 * 1024,
            "{grown} bytes still allocated after 1,000 connections"
        );
    });
}
