//! Statistics (webrtc-pc §8 "Statistics Model", W3C webrtc-stats): the [`RtcStatsReport`] that
//! `getStats()` resolves with, the [`RtcStats`] objects it holds, one struct per webrtc-stats
//! dictionary with the W3C member names in its JSON form, and the `getStats` selector.
//!
//! - [`dictionaries`]: `RTCPeerConnectionStats`, `RTCDataChannelStats`, `RTCTransportStats`,
//!   `RTCIceCandidateStats`, `RTCIceCandidatePairStats`, `RTCCertificateStats` (the RTP
//!   dictionaries come with media);
//! - [`report`]: [`RtcStats`] (a dictionary tagged with its `RTCStatsType`),
//!   [`RtcStatsReport`] (the ordered map, serialized like `Object.fromEntries(report)`) and the
//!   stats selection algorithm (webrtc-pc §8.5);
//! - [`selector`]: [`RtcStatsSelector`] and its resolution (webrtc-pc §8.2 `getStats` step 3);
//! - `ids`: stable, salted, unpredictable ids (webrtc-pc §8.4 `RTCStats.id`);
//! - `build`: the dictionaries built from the ICE agent, the DTLS transport and the
//!   certificates, and the `DOMHighResTimeStamp` clock; `base64`: RFC 4648 encoding for
//!   `base64Certificate`.
//!
//! The connection gathers them in `PeerConnection::get_stats` (`pc/stats.rs`).

pub(crate) mod base64;
pub(crate) mod build;
pub mod dictionaries;
pub(crate) mod ids;
pub mod report;
pub mod selector;

pub use dictionaries::{
    RtcCertificateStats, RtcDataChannelStats, RtcIceCandidatePairStats, RtcIceCandidateStats,
    RtcPeerConnectionStats, RtcTransportStats,
};
pub use report::{RtcStats, RtcStatsReport, StatsOwner};
pub use selector::{RtcStatsSelector, resolve};
