//! `getStats()` (webrtc-pc §8.2) through the driver: `RTCPeerConnection.getStats(selector)`,
//! `RTCRtpSender.getStats()`, `RTCRtpReceiver.getStats()`, and rtcpeer's
//! `RtcDataChannel::get_stats()`. Each is a command in the operations chain; the driver asks
//! the core (`PeerConnection::get_stats`) at the current time and replies with the
//! [`RtcStatsReport`].
//!
//! Stats stay available after `close()` (webrtc-pc §8.1: monitored objects outlive the
//! connection's closing). The driver ends with the connection, so before it does it stores the
//! closed connection's whole report in the shared state ([`FinalStats`]); a `getStats` that
//! finds the driver gone answers from it, resolving its selector against the last published
//! transceivers and channels exactly as the core does.

use std::sync::OnceLock;

use rtcpeer_core::stats::{RtcStatsReport, RtcStatsSelector, resolve};
use rtcpeer_core::{MediaStreamTrack, RtcError, RtcErrorKind};

use crate::command::{Command, WeakLink};
use crate::peer_connection::RtcPeerConnection;

/// The report of the closed connection, kept for `getStats` calls after the driver ended.
#[derive(Debug, Default)]
pub(crate) struct FinalStats(OnceLock<RtcStatsReport>);

impl FinalStats {
    /// Keeps the closed connection's report (the first one given).
    pub(crate) fn store(&self, report: RtcStatsReport) {
        let _ = self.0.set(report);
    }

    fn get(&self) -> Option<&RtcStatsReport> {
        self.0.get()
    }
}

/// Asks the driver for the stats of `selector`; once the driver has ended (the connection is
/// closed), answers from the closed connection's report.
pub(crate) async fn get_stats(
    link: &WeakLink,
    selector: Option<RtcStatsSelector>,
) -> Result<RtcStatsReport, RtcError> {
    let asked = selector.clone();
    let result = link.call(|r| Command::GetStats(asked, r)).await;
    match result {
        Err(e) if e.kind() == RtcErrorKind::InvalidStateError => {
            let Some(report) = link.shared.final_stats.get() else {
                return Err(e);
            };
            let Some(selector) = selector else {
                return Ok(report.clone());
            };
            let snapshot = link.shared.load();
            let owner = resolve(
                &selector,
                &snapshot.transceivers,
                snapshot.data_channels.iter().map(|c| c.desc.handle()),
            )?;
            Ok(report.select(owner))
        }
        other => other,
    }
}

impl RtcPeerConnection {
    /// `getStats(selector)` (webrtc-pc §8.2): the stats of the whole connection, or of the one
    /// sender or receiver whose track is `selector` and what its RTP streams reference. Works
    /// after `close()` too.
    ///
    /// Errors: `InvalidAccessError` when no sender or receiver of the connection has the
    /// track, or more than one has it.
    pub async fn get_stats(
        &self,
        selector: Option<&MediaStreamTrack>,
    ) -> Result<RtcStatsReport, RtcError> {
        let selector = selector.map(|t| RtcStatsSelector::Track(t.id.clone()));
        get_stats(&self.link.downgrade(), selector).await
    }
}
