//! The memory part of `rtcpeer bench`: N connected pairs (2N peer connections, one open data
//! channel each, one certificate shared by all) kept alive together; after a settle period,
//! the growth of the live heap (the binary's counting allocator) and of the resident set
//! (`VmRSS` of `/proc/self/status`) since before the first pair, divided by 2N.
//!
//! One warm-up pair is connected and kept before the baseline is taken, so that what the
//! process allocates once (the runtime's structures, lazily built tables) is not charged to the
//! connections.

use std::time::Duration;

use rtcpeer::RtcPeerConnection;

use super::pair::{self, Signaling};
use super::progress::Progress;
use super::report::MemoryResult;
use super::{BenchError, HeapProbe};

/// The resident set size of this process in bytes (`VmRSS`), when `/proc` tells it.
pub(crate) fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Runs the memory part with `pairs` pairs.
pub(crate) async fn run(
    pairs: usize,
    settle: Duration,
    signaling: Signaling,
    heap: Option<HeapProbe>,
    progress: &Progress,
) -> Result<MemoryResult, BenchError> {
    let certificate = RtcPeerConnection::generate_certificate(Default::default())
        .await
        .map_err(|e| BenchError::Rtc(format!("generateCertificate: {}", e.message())))?;
    let warm_up = pair::connect(Some(&certificate), signaling).await?;
    tokio::time::sleep(settle).await;
    let heap_before = heap.map(|h| h().live_bytes);
    let rss_before = resident_bytes();
    progress.phase("memory (connected pairs)", pairs as u64);
    let mut kept = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        kept.push(pair::connect(Some(&certificate), signaling).await?);
        progress.add(1);
    }
    progress.phase("memory (settling)", 1);
    tokio::time::sleep(settle).await;
    let heap_after = heap.map(|h| h().live_bytes);
    let rss_after = resident_bytes();
    progress.add(1);
    let connections = 2 * pairs;
    let per = |before: Option<i64>, after: Option<i64>| match (before, after) {
        (Some(b), Some(a)) if connections > 0 => Some((a - b) as f64 / connections as f64),
        _ => None,
    };
    let to_i64 = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok());
    let open = kept
        .iter()
        .filter(|p| {
            p.a_channel.ready_state() == rtcpeer::RtcDataChannelState::Open
                && p.b_channel.ready_state() == rtcpeer::RtcDataChannelState::Open
        })
        .count();
    let result = MemoryResult {
        pairs,
        connections,
        pairs_still_open: open,
        settle_ms: settle.as_secs_f64() * 1e3,
        heap_bytes_per_connection: per(heap_before, heap_after),
        rss_bytes_per_connection: per(to_i64(rss_before), to_i64(rss_after)),
    };
    for p in &kept {
        p.close();
    }
    warm_up.close();
    drop(kept);
    drop(warm_up);
    pair::drained().await;
    Ok(result)
}
