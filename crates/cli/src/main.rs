//! The `rtcpeer` binary: argument parsing and logging set-up for `rtcpeer serve`,
//! `rtcpeer connect` and `rtcpeer bench`; the work is in the `rtcpeer_cli` library.
//!
//! The global allocator is the system one wrapped in a counter (`stats_alloc`), so that
//! `rtcpeer bench` can read the live heap; it costs two atomic additions per allocation.
//!
//! `RUST_LOG` (tracing-subscriber's env filter) selects the logs on stderr, e.g.
//! `RUST_LOG=rtcpeer=debug` for the whole stack; by default `serve` logs its connections
//! (`rtcpeer_cli=info`) and `connect` only warnings.

use std::alloc::System;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use rtcpeer::Interfaces;
use rtcpeer_cli::bench::{BenchOptions, HeapStats, Part, Signaling};
use rtcpeer_cli::{ConnectOptions, ServeConfig, Test, TestResult};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The live heap as the counting allocator sees it.
fn heap_stats() -> HeapStats {
    let s = GLOBAL.stats();
    HeapStats {
        live_bytes: i64::try_from(s.bytes_allocated).unwrap_or(i64::MAX)
            - i64::try_from(s.bytes_deallocated).unwrap_or(i64::MAX),
        allocations: u64::try_from(s.allocations).unwrap_or(u64::MAX),
    }
}

/// WebRTC data channels with rtcpeer: an echo server and the interop client tests.
#[derive(Debug, Parser)]
#[command(name = "rtcpeer", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the demo page at / and answer WebRTC offers on POST /offer, echoing every
    /// data channel message.
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Where to gather host candidates.
        #[arg(long, value_enum, default_value_t = Iface::Loopback)]
        interfaces: Iface,
    },
    /// Run one interop test against the server whose offer URL is URL; prints one JSON line.
    Connect {
        /// The server's offer URL, e.g. http://127.0.0.1:8080/offer.
        url: String,
        /// dc-echo, dc-multi, dc-large, dc-bulk or close.
        #[arg(long)]
        test: String,
        /// The hard timeout, in seconds.
        #[arg(long, default_value_t = 30.0)]
        timeout: f64,
        /// Where to gather host candidates.
        #[arg(long, value_enum, default_value_t = Iface::Loopback)]
        interfaces: Iface,
    },
    /// Measure two peers in one process over loopback: setup time, bulk throughput,
    /// small-message rate and memory per connection, against the project's targets.
    Bench {
        /// Small counts (a few seconds) instead of the full ones.
        #[arg(long)]
        quick: bool,
        /// Run only this part.
        #[arg(long, value_enum)]
        only: Option<BenchPart>,
        /// How the peers exchange candidates.
        #[arg(long, value_enum, default_value_t = BenchSignaling::Trickle)]
        signaling: BenchSignaling,
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
    },
}

/// The `--only` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BenchPart {
    /// Connection setup time.
    Setup,
    /// Bulk throughput (64 KiB messages).
    Bulk,
    /// Small-message rate (64 B messages).
    Small,
    /// Memory per connected peer connection.
    Memory,
}

/// The `--signaling` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BenchSignaling {
    /// Descriptions at once, candidates as they are gathered.
    Trickle,
    /// Each description once ICE gathering is complete (non-trickle).
    Gathered,
}

/// The `--interfaces` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Iface {
    /// 127.0.0.1 and ::1 only.
    Loopback,
    /// Every interface, loopback included.
    All,
    /// Every interface but loopback (what a browser uses).
    NonLoopback,
}

impl From<Iface> for Interfaces {
    fn from(i: Iface) -> Self {
        match i {
            Iface::Loopback => Interfaces::LoopbackOnly,
            Iface::All => Interfaces::IncludeLoopback,
            Iface::NonLoopback => Interfaces::NonLoopback,
        }
    }
}

fn init_logging(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn bench(options: BenchOptions, json: bool) -> ExitCode {
    match rtcpeer_cli::bench::run(&options).await {
        Ok(report) => {
            if json {
                match serde_json::to_string(&report) {
                    Ok(line) => println!("{line}"),
                    Err(e) => {
                        eprintln!("rtcpeer bench: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                print!("{}", report.table());
            }
            if report.data_ok() {
                ExitCode::SUCCESS
            } else {
                eprintln!("rtcpeer bench: messages were lost or corrupted, or pairs closed");
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("rtcpeer bench: {e}");
            ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { listen, interfaces } => {
            init_logging("rtcpeer_cli=info,warn");
            let config = ServeConfig::with_interfaces(interfaces.into());
            match rtcpeer_cli::run(listen, config, stop_signal()).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("rtcpeer serve: {listen}: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Connect {
            url,
            test,
            timeout,
            interfaces,
        } => {
            init_logging("warn");
            if !(timeout.is_finite() && timeout > 0.0 && timeout < 1e9) {
                eprintln!("rtcpeer connect: --timeout must be a positive number of seconds");
                return ExitCode::from(2);
            }
            let test: Test = match test.parse() {
                Ok(t) => t,
                Err(e) => {
                    println!(
                        "{}",
                        TestResult::failed(&test, e.to_string()).to_json_line()
                    );
                    return ExitCode::FAILURE;
                }
            };
            let options = ConnectOptions::new(interfaces.into(), Duration::from_secs_f64(timeout));
            let report = rtcpeer_cli::run_test(&url, test, &options).await;
            if !report.result.ok {
                eprintln!(
                    "rtcpeer connect {url} --test {test}: FAILED: {}\n{}",
                    report.result.detail, report.diagnostics
                );
            }
            println!("{}", report.result.to_json_line());
            if report.result.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Bench {
            quick,
            only,
            signaling,
            json,
        } => {
            init_logging("warn");
            let mut options = BenchOptions::default();
            options.quick = quick;
            options.only = only.map(|p| match p {
                BenchPart::Setup => Part::Setup,
                BenchPart::Bulk => Part::Bulk,
                BenchPart::Small => Part::Small,
                BenchPart::Memory => Part::Memory,
            });
            options.signaling = match signaling {
                BenchSignaling::Trickle => Signaling::Trickle,
                BenchSignaling::Gathered => Signaling::Gathered,
            };
            options.heap = Some(heap_stats);
            bench(options, json).await
        }
    }
}
