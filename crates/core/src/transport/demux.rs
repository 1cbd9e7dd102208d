//! RFC 7983 demultiplexing of the datagrams ICE hands up, and the counters of what was
//! routed and dropped.
//!
//! The ICE agent takes STUN (first byte 0–3) for itself and passes every other datagram that
//! arrived on a known 5-tuple up as data. This module sorts that data by its first byte
//! ([`rtcpeer_types::demux::classify`], RFC 7983 §7 as updated by RFC 9443 §3): DTLS (20–63) goes
//! to the DTLS transport; RTP and RTCP (128–191) are for the media layer, which does not exist
//! yet, so they are counted and dropped; ZRTP, TURN ChannelData (which the TURN glue unwraps
//! before ICE ever sees it) and unassigned first bytes are counted and dropped.

use rtcpeer_types::demux::{PacketKind, classify};

/// Where a non-STUN datagram goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// To the DTLS transport.
    Dtls,
    /// Dropped (and counted).
    Drop,
}

/// Counters of the stack's own routing and buffering; the machines keep their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DemuxCounters {
    /// DTLS datagrams handed to the DTLS transport.
    pub dtls_received: u64,
    /// RTP packets received and dropped (no media layer yet).
    pub rtp_dropped: u64,
    /// RTCP packets received and dropped (no media layer yet).
    pub rtcp_dropped: u64,
    /// Datagrams of no protocol this transport carries (ZRTP, TURN ChannelData, unassigned or
    /// empty), dropped.
    pub unknown_dropped: u64,
    /// DTLS datagrams that arrived before the DTLS transport existed and were kept for it.
    pub dtls_early_buffered: u64,
    /// DTLS datagrams that arrived before the DTLS transport existed, over the buffer's limit.
    pub dtls_early_dropped: u64,
    /// DTLS datagrams whose sending waited for ICE to have a usable pair.
    pub dtls_send_deferred: u64,
    /// DTLS datagrams dropped because ICE had no usable pair and the wait queue was full, or
    /// ICE was closed.
    pub dtls_send_dropped: u64,
    /// SCTP packets dropped because DTLS was not connected (after it failed or closed).
    pub sctp_send_dropped: u64,
}

impl DemuxCounters {
    /// Classifies `datagram` (RFC 7983) and counts it: where it goes.
    pub(crate) fn route(&mut self, datagram: &[u8]) -> Route {
        match classify(datagram) {
            PacketKind::Dtls => {
                self.dtls_received += 1;
                Route::Dtls
            }
            PacketKind::Rtp => {
                self.rtp_dropped += 1;
                Route::Drop
            }
            PacketKind::Rtcp => {
                self.rtcp_dropped += 1;
                Route::Drop
            }
            // STUN never reaches here (ICE keeps it); counted as unknown if it ever does.
            PacketKind::Stun | PacketKind::Zrtp | PacketKind::TurnChannel | PacketKind::Unknown => {
                self.unknown_dropped += 1;
                Route::Drop
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_first_byte_and_counts() {
        let mut c = DemuxCounters::default();
        assert_eq!(c.route(&[22, 0xfe, 0xfd]), Route::Dtls); // handshake record
        assert_eq!(c.route(&[23, 0xfe, 0xfd]), Route::Dtls); // application data
        assert_eq!(c.route(&[0x80, 111]), Route::Drop); // RTP, Opus
        assert_eq!(c.route(&[0x80, 200]), Route::Drop); // RTCP SR
        assert_eq!(c.route(&[0x80, 201]), Route::Drop); // RTCP RR
        assert_eq!(c.route(&[]), Route::Drop);
        assert_eq!(c.route(&[17]), Route::Drop); // ZRTP
        assert_eq!(c.route(&[0x40, 0]), Route::Drop); // ChannelData
        assert_eq!(c.route(&[0xff]), Route::Drop);
        assert_eq!(c.dtls_received, 2);
        assert_eq!(c.rtp_dropped, 1);
        assert_eq!(c.rtcp_dropped, 2);
        assert_eq!(c.unknown_dropped, 4);
    }

    #[test]
    fn every_first_byte_routes_without_panic() {
        let mut c = DemuxCounters::default();
        for b in 0..=255u8 {
            let _ = c.route(&[b]);
            let _ = c.route(&[b, b, b]);
        }
        assert_eq!(
            c.dtls_received + c.rtp_dropped + c.rtcp_dropped + c.unknown_dropped,
            512
        );
    }
}
