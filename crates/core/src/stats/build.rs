//! Building the transport-side dictionaries from what the machines expose: candidates
//! (RFC 8445 §5.1 fields as webrtc-stats `RTCIceCandidateStats` names them), candidate pairs
//! (their RFC 8445 §6.1.2.6 state and the agent's counters), certificates (RFC 4572 §5
//! fingerprints, base64 DER), and the time conversions (`DOMHighResTimeStamp` milliseconds,
//! round-trip seconds).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtcpeer_dtls::{Fingerprint, HashFunction};
use rtcpeer_ice::{Candidate, CandidatePairInfo, CandidateType, PairState, TcpType};
use rtcpeer_types::Protocol;

use super::dictionaries::{RtcCertificateStats, RtcIceCandidatePairStats, RtcIceCandidateStats};
use super::ids::StatsIds;
use crate::enums::{
    RtcIceCandidateType, RtcIceProtocol, RtcIceServerTransportProtocol, RtcIceTcpCandidateType,
    RtcStatsIceCandidatePairState,
};

/// The clock of one report: `Instant`s turned into `DOMHighResTimeStamp`s (milliseconds since
/// the Unix epoch) through the wall-clock time of a known instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatsClock {
    /// An instant and the wall-clock time it was.
    pub(crate) base: Instant,
    pub(crate) base_wall: SystemTime,
}

impl StatsClock {
    /// The `DOMHighResTimeStamp` of `at`.
    pub(crate) fn timestamp(&self, at: Instant) -> f64 {
        let wall = match at.checked_duration_since(self.base) {
            Some(after) => self.base_wall.checked_add(after),
            None => self
                .base_wall
                .checked_sub(self.base.saturating_duration_since(at)),
        };
        wall.and_then(|w| w.duration_since(UNIX_EPOCH).ok())
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

/// Seconds, as webrtc-stats times are.
pub(crate) fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

pub(crate) fn pair_state(state: PairState) -> RtcStatsIceCandidatePairState {
    match state {
        PairState::Frozen => RtcStatsIceCandidatePairState::Frozen,
        PairState::Waiting => RtcStatsIceCandidatePairState::Waiting,
        PairState::InProgress => RtcStatsIceCandidatePairState::InProgress,
        PairState::Succeeded => RtcStatsIceCandidatePairState::Succeeded,
        PairState::Failed => RtcStatsIceCandidatePairState::Failed,
    }
}

fn candidate_type(t: CandidateType) -> RtcIceCandidateType {
    match t {
        CandidateType::Host => RtcIceCandidateType::Host,
        CandidateType::ServerReflexive => RtcIceCandidateType::Srflx,
        CandidateType::PeerReflexive => RtcIceCandidateType::Prflx,
        CandidateType::Relayed => RtcIceCandidateType::Relay,
    }
}

fn tcp_type(t: TcpType) -> RtcIceTcpCandidateType {
    match t {
        TcpType::Active => RtcIceTcpCandidateType::Active,
        TcpType::Passive => RtcIceTcpCandidateType::Passive,
        TcpType::So => RtcIceTcpCandidateType::So,
    }
}

/// Where a local candidate came from, for `url` and `relayProtocol`.
#[derive(Debug, Clone, Default)]
pub(crate) struct CandidateOrigin {
    pub(crate) url: Option<String>,
    pub(crate) relay_protocol: Option<RtcIceServerTransportProtocol>,
}

/// Which side a candidate is on, with what that side adds.
#[derive(Debug, Clone)]
pub(crate) enum Side<'a> {
    /// A local candidate and its server.
    Local(CandidateOrigin),
    /// A remote candidate and the remote ufrag of its generation.
    Remote { ufrag: Option<&'a str> },
}

/// `RTCIceCandidateStats` of a candidate.
pub(crate) fn candidate_stats(
    id: String,
    timestamp: f64,
    transport_id: &str,
    c: &Candidate,
    side: Side<'_>,
) -> RtcIceCandidateStats {
    let remote = matches!(side, Side::Remote { .. });
    // A remote peer-reflexive address was learnt from a check, never signalled by the
    // application: webrtc-stats says to leave it null.
    let hidden = remote && c.candidate_type == CandidateType::PeerReflexive;
    let related = c
        .related_address
        .filter(|_| c.candidate_type != CandidateType::Host);
    let (origin, ufrag) = match side {
        Side::Local(origin) => (origin, c.ufrag.clone()),
        Side::Remote { ufrag } => (
            CandidateOrigin::default(),
            c.ufrag.clone().or_else(|| ufrag.map(str::to_owned)),
        ),
    };
    RtcIceCandidateStats {
        id,
        timestamp,
        transport_id: transport_id.to_owned(),
        address: (!hidden).then(|| c.address.ip().to_string()),
        port: c.address.port(),
        protocol: match c.transport {
            Protocol::Udp => RtcIceProtocol::Udp,
            Protocol::Tcp | Protocol::Tls => RtcIceProtocol::Tcp,
        },
        candidate_type: candidate_type(c.candidate_type),
        priority: c.priority,
        url: origin.url,
        relay_protocol: origin
            .relay_protocol
            .filter(|_| c.candidate_type == CandidateType::Relayed),
        foundation: c.foundation.clone(),
        related_address: related.map(|a| a.ip().to_string()),
        related_port: related.map(|a| a.port()),
        username_fragment: ufrag,
        tcp_type: c.tcp_type.map(tcp_type),
    }
}

/// The ids a candidate pair's stats refer to.
pub(crate) struct PairIds<'a> {
    pub(crate) id: String,
    pub(crate) transport_id: &'a str,
    pub(crate) local_id: String,
    pub(crate) remote_id: String,
}

/// `RTCIceCandidatePairStats` of a pair; `discarded` is what the runtime's socket refused on
/// its 5-tuple (packets, bytes).
pub(crate) fn pair_stats(
    ids: PairIds<'_>,
    clock: &StatsClock,
    timestamp: f64,
    pair: &CandidatePairInfo<'_>,
    discarded: (u32, u64),
) -> RtcIceCandidatePairStats {
    let c = pair.counters;
    RtcIceCandidatePairStats {
        id: ids.id,
        timestamp,
        transport_id: ids.transport_id.to_owned(),
        local_candidate_id: ids.local_id,
        remote_candidate_id: ids.remote_id,
        state: pair_state(pair.state),
        nominated: pair.nominated,
        packets_sent: c.packets_sent,
        packets_received: c.packets_received,
        bytes_sent: c.bytes_sent,
        bytes_received: c.bytes_received,
        last_packet_sent_timestamp: c.last_packet_sent.map(|t| clock.timestamp(t)),
        last_packet_received_timestamp: c.last_packet_received.map(|t| clock.timestamp(t)),
        total_round_trip_time: seconds(c.total_round_trip_time),
        current_round_trip_time: c.current_round_trip_time.map(seconds),
        available_outgoing_bitrate: None,
        requests_received: c.requests_received,
        requests_sent: c.requests_sent,
        responses_received: c.responses_received,
        responses_sent: c.responses_sent,
        consent_requests_sent: c.consent_requests_sent,
        packets_discarded_on_send: discarded.0,
        bytes_discarded_on_send: discarded.1,
    }
}

/// `RTCCertificateStats` of a DER certificate, with its SHA-256 fingerprint (the hash every
/// WebRTC endpoint signals).
pub(crate) fn certificate_stats(ids: &StatsIds, timestamp: f64, der: &[u8]) -> RtcCertificateStats {
    let fingerprint = Fingerprint::of_certificate(HashFunction::Sha256, der);
    RtcCertificateStats {
        id: ids.certificate(&fingerprint),
        timestamp,
        fingerprint: fingerprint.to_sdp_value(),
        fingerprint_algorithm: fingerprint.algorithm().as_str().to_owned(),
        base64_certificate: super::base64::encode(der),
        issuer_certificate_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> StatsClock {
        #[allow(clippy::disallowed_methods)]
        let base = Instant::now();
        StatsClock {
            base,
            base_wall: UNIX_EPOCH + Duration::from_millis(1_750_000_000_123),
        }
    }

    #[test]
    fn timestamps_are_unix_milliseconds_before_and_after_the_base() {
        let c = clock();
        assert_eq!(c.timestamp(c.base), 1_750_000_000_123.0);
        assert_eq!(
            c.timestamp(c.base + Duration::from_micros(2_500)),
            1_750_000_000_125.5
        );
        if let Some(before) = c.base.checked_sub(Duration::from_millis(23)) {
            assert_eq!(c.timestamp(before), 1_750_000_000_100.0);
        }
    }

    #[test]
    fn candidates_follow_the_privacy_and_presence_rules() {
        let srflx = Candidate::parse(
            "candidate:842163049 1 udp 1677729535 203.0.113.5 61000 typ srflx raddr 10.0.0.2 rport 5000 ufrag abcd",
        )
        .unwrap();
        let origin = CandidateOrigin {
            url: Some("stun:198.51.100.1:3478".into()),
            relay_protocol: Some(RtcIceServerTransportProtocol::Udp),
        };
        let s = candidate_stats("I1".into(), 1.0, "T1", &srflx, Side::Local(origin));
        assert_eq!(s.address.as_deref(), Some("203.0.113.5"));
        assert_eq!(s.port, 61000);
        assert_eq!(s.candidate_type, RtcIceCandidateType::Srflx);
        assert_eq!(s.protocol, RtcIceProtocol::Udp);
        assert_eq!(s.priority, 1_677_729_535);
        assert_eq!(s.url.as_deref(), Some("stun:198.51.100.1:3478"));
        // relayProtocol only for relayed candidates.
        assert_eq!(s.relay_protocol, None);
        assert_eq!(s.related_address.as_deref(), Some("10.0.0.2"));
        assert_eq!(s.related_port, Some(5000));
        assert_eq!(s.username_fragment.as_deref(), Some("abcd"));
        assert_eq!(s.foundation, "842163049");

        let prflx =
            Candidate::parse("candidate:9 1 udp 1853824767 198.51.100.7 4000 typ prflx").unwrap();
        let r = candidate_stats(
            "I2".into(),
            1.0,
            "T1",
            &prflx,
            Side::Remote {
                ufrag: Some("wxyz"),
            },
        );
        assert_eq!(r.address, None, "a remote prflx address stays hidden");
        assert_eq!(r.url, None);
        assert_eq!(r.username_fragment.as_deref(), Some("wxyz"));
        let host =
            Candidate::parse("candidate:1 1 tcp 2128609279 192.0.2.1 9 typ host tcptype active")
                .unwrap();
        let h = candidate_stats("I3".into(), 1.0, "T1", &host, Side::Remote { ufrag: None });
        assert_eq!(h.address.as_deref(), Some("192.0.2.1"));
        assert_eq!(h.protocol, RtcIceProtocol::Tcp);
        assert_eq!(h.tcp_type, Some(RtcIceTcpCandidateType::Active));
        assert_eq!(h.related_address, None);
    }

    #[test]
    fn every_pair_state_maps_to_its_w3c_name() {
        let names: Vec<_> = [
            PairState::Frozen,
            PairState::Waiting,
            PairState::InProgress,
            PairState::Succeeded,
            PairState::Failed,
        ]
        .into_iter()
        .map(|s| pair_state(s).as_str())
        .collect();
        assert_eq!(
            names,
            ["frozen", "waiting", "in-progress", "succeeded", "failed"]
        );
    }
}
