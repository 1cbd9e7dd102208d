//! The selector of `getStats` (webrtc-pc §8.2): [`RtcStatsSelector`], and its resolution to the
//! sender, receiver or data channel whose stats are selected ([`resolve`]).
//!
//! `RTCPeerConnection.getStats(track)` selects the one sender or receiver of the connection
//! whose `track` is that track, and rejects with `InvalidAccessError` when there is none or
//! more than one; `RTCRtpSender.getStats()` and `RTCRtpReceiver.getStats()` select themselves.
//! A sender, receiver or data channel that is not the connection's is an
//! `InvalidAccessError` too (the JavaScript API cannot express that case; an id can).

use super::report::StatsOwner;
use crate::RtcError;
use crate::pc::{DataChannelId, ReceiverId, RtcRtpTransceiver, SenderId};

/// What `getStats` is asked about (webrtc-pc §8.2; `None` selects the whole connection).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RtcStatsSelector {
    /// `getStats(track)`: the sender or receiver whose track has this `id`.
    Track(String),
    /// `RTCRtpSender.getStats()`.
    Sender(SenderId),
    /// `RTCRtpReceiver.getStats()`.
    Receiver(ReceiverId),
    /// One data channel's `"data-channel"` stats (an rtcpeer extension: webrtc-pc has no
    /// data channel selector).
    DataChannel(DataChannelId),
}

/// Resolves a selector against a connection's transceivers and data channels (webrtc-pc
/// §8.2 `getStats` step 3).
///
/// Errors: `InvalidAccessError` when no sender or receiver has the track, when more than one
/// has it, or when the sender, receiver or channel is not one of the connection's.
pub fn resolve<'a>(
    selector: &RtcStatsSelector,
    transceivers: impl IntoIterator<Item = &'a RtcRtpTransceiver>,
    data_channels: impl IntoIterator<Item = DataChannelId>,
) -> Result<StatsOwner, RtcError> {
    match selector {
        RtcStatsSelector::Track(track) => {
            let mut found: Vec<StatsOwner> = Vec::new();
            for t in transceivers {
                if t.sender().track().is_some_and(|s| s.id == *track) {
                    found.push(StatsOwner::Sender(t.sender().id()));
                }
                if t.receiver().track().id == *track {
                    found.push(StatsOwner::Receiver(t.receiver().id()));
                }
            }
            match found.as_slice() {
                [one] => Ok(*one),
                [] => Err(RtcError::invalid_access(format!(
                    "no sender or receiver of this connection has track {track}"
                ))),
                _ => Err(RtcError::invalid_access(format!(
                    "more than one sender or receiver has track {track}"
                ))),
            }
        }
        RtcStatsSelector::Sender(id) => transceivers
            .into_iter()
            .any(|t| t.sender().id() == *id)
            .then_some(StatsOwner::Sender(*id))
            .ok_or_else(|| RtcError::invalid_access("not a sender of this connection")),
        RtcStatsSelector::Receiver(id) => transceivers
            .into_iter()
            .any(|t| t.receiver().id() == *id)
            .then_some(StatsOwner::Receiver(*id))
            .ok_or_else(|| RtcError::invalid_access("not a receiver of this connection")),
        RtcStatsSelector::DataChannel(id) => data_channels
            .into_iter()
            .any(|c| c == *id)
            .then_some(StatsOwner::DataChannel(*id))
            .ok_or_else(|| RtcError::invalid_access("not a data channel of this connection")),
    }
}
