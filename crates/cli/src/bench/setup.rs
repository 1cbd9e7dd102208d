//! The setup-time part of `rtcpeer bench`: the time from `build()` of the first of two new
//! peer connections to the `open` of their data channel on both ends, N times, as median and
//! 90th percentile. Twice: with one certificate generated up front and shared by every
//! connection (what a server reusing its certificate does), and with each connection
//! generating its own (the constructor's default).

use std::time::{Duration, Instant};

use rtcpeer::{RtcCertificate, RtcPeerConnection};

use super::BenchError;
use super::pair::{self, Signaling};
use super::progress::Progress;
use super::report::{Distribution, SetupResult};

/// Measures `count` setups with `certificate` shared (None: a new one per connection).
async fn series(
    count: usize,
    certificate: Option<&RtcCertificate>,
    signaling: Signaling,
    progress: &Progress,
) -> Result<Vec<Duration>, BenchError> {
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let start = Instant::now();
        let p = pair::connect(certificate, signaling).await?;
        times.push(p.open_at.saturating_duration_since(start));
        p.close();
        drop(p);
        pair::drained().await;
        progress.add(1);
    }
    Ok(times)
}

/// Runs the setup part: `count` shared-certificate setups, then `count` with a new
/// certificate per connection.
pub(crate) async fn run(
    count: usize,
    signaling: Signaling,
    progress: &Progress,
) -> Result<SetupResult, BenchError> {
    let generated = Instant::now();
    let certificate = RtcPeerConnection::generate_certificate(Default::default())
        .await
        .map_err(|e| BenchError::Rtc(format!("generateCertificate: {}", e.message())))?;
    let generate_ms = generated.elapsed().as_secs_f64() * 1e3;
    progress.phase("setup (shared certificate)", count as u64);
    let shared = series(count, Some(&certificate), signaling, progress).await?;
    progress.phase("setup (new certificate each)", count as u64);
    let fresh = series(count, None, signaling, progress).await?;
    Ok(SetupResult {
        signaling: signaling.as_str().to_owned(),
        connections: count,
        shared_certificate: Distribution::of(&shared),
        certificate_per_connection: Distribution::of(&fresh),
        certificate_generation_ms: generate_ms,
    })
}
