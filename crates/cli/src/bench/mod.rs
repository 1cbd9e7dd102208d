//! `rtcpeer bench`: two peer connections in one process over loopback, measuring
//!
//! - connection setup time (`setup.rs`): new connections to the data channel open on both
//!   ends, median and 90th percentile;
//! - bulk throughput and small-message rate (`transfer.rs`): 64 MiB in 64 KiB messages, and
//!   200,000 messages of 64 bytes, on one reliable ordered channel;
//! - memory per connected peer connection (`memory.rs`): 100 connected pairs kept together.
//!
//! Each headline figure is judged against the target, beside the figures the other
//! stacks reached on the same machine ([`report`]). The measuring runs on the caller's tokio
//! runtime; the live heap is read through a [`HeapProbe`] that the binary backs with its
//! counting global allocator.

mod memory;
mod pair;
mod progress;
pub mod report;
mod setup;
mod transfer;

use std::time::Duration;

pub use pair::Signaling;
pub use report::BenchReport;

use progress::Progress;
use report::{Machine, TransferResult};

/// What the process's allocator has counted so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeapStats {
    /// Bytes allocated and not yet freed.
    pub live_bytes: i64,
    /// Allocations made (reallocations not included).
    pub allocations: u64,
}

/// Reads the process's allocation counters (the binary's counting global allocator).
pub type HeapProbe = fn() -> HeapStats;

/// One part of the bench (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// Connection setup time.
    Setup,
    /// Bulk throughput.
    Bulk,
    /// Small-message rate.
    Small,
    /// Memory per connection.
    Memory,
}

/// How a bench run is made.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BenchOptions {
    /// Small counts (a few seconds, for tests) instead of the issue's.
    pub quick: bool,
    /// Only this part (all when `None`).
    pub only: Option<Part>,
    /// How the pairs exchange descriptions and candidates.
    pub signaling: Signaling,
    /// Draw a progress line on stderr (only when it is a terminal).
    pub progress: bool,
    /// The live-heap reader; without it the memory part reports only the resident set.
    pub heap: Option<HeapProbe>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            quick: false,
            only: None,
            signaling: Signaling::default(),
            progress: true,
            heap: None,
        }
    }
}

impl BenchOptions {
    /// Whether `part` runs.
    fn runs(&self, part: Part) -> bool {
        self.only.is_none_or(|p| p == part)
    }
}

/// The counts of a run.
#[derive(Debug, Clone, Copy)]
struct Counts {
    setups: usize,
    bulk_bytes: u64,
    bulk_size: usize,
    small_messages: u64,
    small_size: usize,
    memory_pairs: usize,
    settle: Duration,
}

impl Counts {
    /// The counts.
    const FULL: Counts = Counts {
        setups: 20,
        bulk_bytes: 64 << 20,
        bulk_size: 64 << 10,
        small_messages: 200_000,
        small_size: 64,
        memory_pairs: 100,
        settle: Duration::from_millis(500),
    };
    /// `--quick`.
    const QUICK: Counts = Counts {
        setups: 3,
        bulk_bytes: 4 << 20,
        bulk_size: 64 << 10,
        small_messages: 5_000,
        small_size: 64,
        memory_pairs: 4,
        settle: Duration::from_millis(100),
    };
}

/// Why a bench run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// The stack refused an operation or a connection ended early.
    #[error("{0}")]
    Rtc(String),
    /// Something did not happen in time.
    #[error("timed out: {0}")]
    Timeout(&'static str),
}

/// `/proc/loadavg`'s three load averages.
fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|w| w.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

fn runtime_name() -> String {
    match tokio::runtime::Handle::try_current() {
        Ok(h) => match h.runtime_flavor() {
            tokio::runtime::RuntimeFlavor::MultiThread => format!(
                "tokio multi-thread runtime, {} workers",
                h.metrics().num_workers()
            ),
            tokio::runtime::RuntimeFlavor::CurrentThread => {
                "tokio current-thread runtime".to_owned()
            }
            _ => "tokio runtime".to_owned(),
        },
        Err(_) => "no runtime".to_owned(),
    }
}

/// A transfer's figures.
fn transfer_result(t: &transfer::Transfer, size: usize, sent: u64) -> TransferResult {
    let secs = t.elapsed.as_secs_f64().max(f64::MIN_POSITIVE);
    TransferResult {
        message_size: size,
        messages: sent,
        messages_received: t.messages,
        bytes_received: t.bytes,
        seconds: t.elapsed.as_secs_f64(),
        megabytes_per_second: t.bytes as f64 / secs / 1e6,
        messages_per_second: t.messages as f64 / secs,
        corrupt: t.corrupt,
        allocations_per_message: t.allocations_per_message,
        datagrams_sent: t.datagrams_sent,
        datagrams_received: t.datagrams_received,
        longest_gap_ms: t.longest_gap.as_secs_f64() * 1e3,
    }
}

/// Runs the bench on the current tokio runtime.
pub async fn run(options: &BenchOptions) -> Result<BenchReport, BenchError> {
    let counts = if options.quick {
        Counts::QUICK
    } else {
        Counts::FULL
    };
    let load_before = load_average();
    let progress = Progress::new(options.progress);
    let mut report = BenchReport {
        version: env!("CARGO_PKG_VERSION"),
        machine: Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            load_average_before: load_before,
            load_average_after: None,
            runtime: runtime_name(),
            address: "127.0.0.1",
        },
        quick: options.quick,
        setup: None,
        bulk: None,
        small: None,
        memory: None,
        verdicts: Vec::new(),
    };
    if options.runs(Part::Setup) {
        report.setup = Some(setup::run(counts.setups, options.signaling, &progress).await?);
    }
    // Before the transfers: their buffers, freed but still resident, would hide the growth
    // of the resident set.
    if options.runs(Part::Memory) {
        report.memory = Some(
            memory::run(
                counts.memory_pairs,
                counts.settle,
                options.signaling,
                options.heap,
                &progress,
            )
            .await?,
        );
    }
    if options.runs(Part::Bulk) || options.runs(Part::Small) {
        let cert = rtcpeer::RtcPeerConnection::generate_certificate(Default::default())
            .await
            .map_err(|e| BenchError::Rtc(format!("generateCertificate: {}", e.message())))?;
        if options.runs(Part::Bulk) {
            let n = counts.bulk_bytes / counts.bulk_size as u64;
            progress.phase("bulk (64 KiB messages)", n);
            let p = pair::connect(Some(&cert), options.signaling).await?;
            let t =
                transfer::run(&p, counts.bulk_size, n, progress.counter(), options.heap).await?;
            p.close();
            drop(p);
            pair::drained().await;
            report.bulk = Some(transfer_result(&t, counts.bulk_size, n));
        }
        if options.runs(Part::Small) {
            let n = counts.small_messages;
            progress.phase("small (64 B messages)", n);
            let p = pair::connect(Some(&cert), options.signaling).await?;
            let t =
                transfer::run(&p, counts.small_size, n, progress.counter(), options.heap).await?;
            p.close();
            drop(p);
            pair::drained().await;
            report.small = Some(transfer_result(&t, counts.small_size, n));
        }
    }
    drop(progress);
    report.machine.load_average_after = load_average();
    report.judge();
    Ok(report)
}
