//! [`RtcStatsReport`] (webrtc-pc §8.3, "RTCStatsReport Object"): the map from stats ids to
//! [`RtcStats`] dictionaries that `getStats()` resolves with, in the order they were gathered,
//! and the stats selection algorithm (webrtc-pc §8.5) run on it ([`RtcStatsReport::select`]).
//!
//! [`RtcStats`] is one webrtc-stats dictionary tagged with its `type` (`RTCStatsType`); it
//! serializes to the dictionary's members plus `"type"`, and a report to a JSON object from
//! ids to those dictionaries, like `Object.fromEntries(report)` in a browser.
//!
//! Each entry also remembers which API object it reports on when that object can be a
//! selector (an `RTCRtpSender`, an `RTCRtpReceiver`, a data channel): that is what the
//! selection algorithm starts from; the rest follows the `*Id` references.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::dictionaries::{
    RtcCertificateStats, RtcDataChannelStats, RtcIceCandidatePairStats, RtcIceCandidateStats,
    RtcPeerConnectionStats, RtcTransportStats,
};
use crate::enums::RtcStatsType;
use crate::pc::{DataChannelId, ReceiverId, SenderId};

/// One stats object: a webrtc-stats dictionary and its `type` (webrtc-pc §8.4 `RTCStats`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum RtcStats {
    /// `"peer-connection"`.
    #[serde(rename = "peer-connection")]
    PeerConnection(RtcPeerConnectionStats),
    /// `"data-channel"`.
    #[serde(rename = "data-channel")]
    DataChannel(RtcDataChannelStats),
    /// `"transport"`.
    #[serde(rename = "transport")]
    Transport(RtcTransportStats),
    /// `"candidate-pair"`.
    #[serde(rename = "candidate-pair")]
    CandidatePair(RtcIceCandidatePairStats),
    /// `"local-candidate"`.
    #[serde(rename = "local-candidate")]
    LocalCandidate(RtcIceCandidateStats),
    /// `"remote-candidate"`.
    #[serde(rename = "remote-candidate")]
    RemoteCandidate(RtcIceCandidateStats),
    /// `"certificate"`.
    #[serde(rename = "certificate")]
    Certificate(RtcCertificateStats),
}

impl RtcStats {
    /// `type`.
    pub fn stats_type(&self) -> RtcStatsType {
        match self {
            RtcStats::PeerConnection(_) => RtcStatsType::PeerConnection,
            RtcStats::DataChannel(_) => RtcStatsType::DataChannel,
            RtcStats::Transport(_) => RtcStatsType::Transport,
            RtcStats::CandidatePair(_) => RtcStatsType::CandidatePair,
            RtcStats::LocalCandidate(_) => RtcStatsType::LocalCandidate,
            RtcStats::RemoteCandidate(_) => RtcStatsType::RemoteCandidate,
            RtcStats::Certificate(_) => RtcStatsType::Certificate,
        }
    }

    /// `id`.
    pub fn id(&self) -> &str {
        match self {
            RtcStats::PeerConnection(s) => &s.id,
            RtcStats::DataChannel(s) => &s.id,
            RtcStats::Transport(s) => &s.id,
            RtcStats::CandidatePair(s) => &s.id,
            RtcStats::LocalCandidate(s) | RtcStats::RemoteCandidate(s) => &s.id,
            RtcStats::Certificate(s) => &s.id,
        }
    }

    /// `timestamp` (ms since the Unix epoch).
    pub fn timestamp(&self) -> f64 {
        match self {
            RtcStats::PeerConnection(s) => s.timestamp,
            RtcStats::DataChannel(s) => s.timestamp,
            RtcStats::Transport(s) => s.timestamp,
            RtcStats::CandidatePair(s) => s.timestamp,
            RtcStats::LocalCandidate(s) | RtcStats::RemoteCandidate(s) => s.timestamp,
            RtcStats::Certificate(s) => s.timestamp,
        }
    }

    /// The stats ids this object references (its members ending in `Id`, webrtc-stats
    /// "stats object reference").
    pub fn referenced_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        match self {
            RtcStats::PeerConnection(_) | RtcStats::DataChannel(_) => {}
            RtcStats::Transport(s) => ids.extend(
                [
                    &s.selected_candidate_pair_id,
                    &s.local_certificate_id,
                    &s.remote_certificate_id,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str),
            ),
            RtcStats::CandidatePair(s) => ids.extend([
                s.transport_id.as_str(),
                s.local_candidate_id.as_str(),
                s.remote_candidate_id.as_str(),
            ]),
            RtcStats::LocalCandidate(s) | RtcStats::RemoteCandidate(s) => {
                ids.push(&s.transport_id);
            }
            RtcStats::Certificate(s) => ids.extend(s.issuer_certificate_id.as_deref()),
        }
        ids
    }
}

/// The API object a stats object reports on, when that object can select stats
/// (webrtc-pc §8.2: a sender or receiver; rtcpeer adds data channels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatsOwner {
    /// An `RTCRtpSender` (its `outbound-rtp` streams).
    Sender(SenderId),
    /// An `RTCRtpReceiver` (its `inbound-rtp` streams).
    Receiver(ReceiverId),
    /// A data channel (its `data-channel` stats).
    DataChannel(DataChannelId),
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    stats: RtcStats,
    owner: Option<StatsOwner>,
}

/// `RTCStatsReport` (webrtc-pc §8.3): a map from stats ids to stats objects, in the order
/// they were gathered. Serializes to a JSON object from ids to dictionaries, as
/// `Object.fromEntries(report)` gives in a browser.
#[doc(alias = "RTCStatsReport")]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RtcStatsReport {
    entries: Vec<Entry>,
}

impl RtcStatsReport {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a stats object (replacing the one with the same id, in place).
    pub fn insert(&mut self, stats: RtcStats) {
        self.insert_owned(stats, None);
    }

    /// Adds a stats object reporting on a selectable API object.
    pub fn insert_owned(&mut self, stats: RtcStats, owner: Option<StatsOwner>) {
        match self.entries.iter_mut().find(|e| e.stats.id() == stats.id()) {
            Some(e) => *e = Entry { stats, owner },
            None => self.entries.push(Entry { stats, owner }),
        }
    }

    /// `get(id)`.
    pub fn get(&self, id: &str) -> Option<&RtcStats> {
        self.entries
            .iter()
            .find(|e| e.stats.id() == id)
            .map(|e| &e.stats)
    }

    /// `has(id)`.
    pub fn has(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// `size`.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the report holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `keys()`.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.stats.id())
    }

    /// `values()`.
    pub fn values(&self) -> impl Iterator<Item = &RtcStats> {
        self.entries.iter().map(|e| &e.stats)
    }

    /// `entries()`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RtcStats)> {
        self.entries.iter().map(|e| (e.stats.id(), &e.stats))
    }

    /// The stats objects of one `type`.
    pub fn of_type(&self, ty: RtcStatsType) -> impl Iterator<Item = &RtcStats> {
        self.values().filter(move |s| s.stats_type() == ty)
    }

    /// The `"peer-connection"` stats.
    pub fn peer_connection(&self) -> Option<&RtcPeerConnectionStats> {
        self.values().find_map(|s| match s {
            RtcStats::PeerConnection(p) => Some(p),
            _ => None,
        })
    }

    /// The `"transport"` stats.
    pub fn transports(&self) -> impl Iterator<Item = &RtcTransportStats> {
        self.values().filter_map(|s| match s {
            RtcStats::Transport(t) => Some(t),
            _ => None,
        })
    }

    /// The `"candidate-pair"` stats.
    pub fn candidate_pairs(&self) -> impl Iterator<Item = &RtcIceCandidatePairStats> {
        self.values().filter_map(|s| match s {
            RtcStats::CandidatePair(p) => Some(p),
            _ => None,
        })
    }

    /// The `"local-candidate"` stats.
    pub fn local_candidates(&self) -> impl Iterator<Item = &RtcIceCandidateStats> {
        self.values().filter_map(|s| match s {
            RtcStats::LocalCandidate(c) => Some(c),
            _ => None,
        })
    }

    /// The `"remote-candidate"` stats.
    pub fn remote_candidates(&self) -> impl Iterator<Item = &RtcIceCandidateStats> {
        self.values().filter_map(|s| match s {
            RtcStats::RemoteCandidate(c) => Some(c),
            _ => None,
        })
    }

    /// The `"certificate"` stats.
    pub fn certificates(&self) -> impl Iterator<Item = &RtcCertificateStats> {
        self.values().filter_map(|s| match s {
            RtcStats::Certificate(c) => Some(c),
            _ => None,
        })
    }

    /// The `"data-channel"` stats.
    pub fn data_channels(&self) -> impl Iterator<Item = &RtcDataChannelStats> {
        self.values().filter_map(|s| match s {
            RtcStats::DataChannel(c) => Some(c),
            _ => None,
        })
    }

    /// The stats selection algorithm (webrtc-pc §8.5) for a sender, receiver or data channel:
    /// the stats objects reporting on `owner`, then every object they reference directly or
    /// indirectly, in report order.
    pub fn select(&self, owner: StatsOwner) -> RtcStatsReport {
        let mut wanted: Vec<&str> = self
            .entries
            .iter()
            .filter(|e| e.owner == Some(owner))
            .map(|e| e.stats.id())
            .collect();
        let mut i = 0;
        while let Some(id) = wanted.get(i).copied() {
            if let Some(s) = self.get(id) {
                for r in s.referenced_ids() {
                    if !wanted.contains(&r) {
                        wanted.push(r);
                    }
                }
            }
            i += 1;
        }
        RtcStatsReport {
            entries: self
                .entries
                .iter()
                .filter(|e| wanted.contains(&e.stats.id()))
                .cloned()
                .collect(),
        }
    }
}

impl Serialize for RtcStatsReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for e in &self.entries {
            map.serialize_entry(e.stats.id(), &e.stats)?;
        }
        map.end()
    }
}

impl<'a> IntoIterator for &'a RtcStatsReport {
    type Item = (&'a str, &'a RtcStats);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a RtcStats)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::{RtcDataChannelState, RtcDtlsTransportState, RtcStatsIceCandidatePairState};
    use proptest::prelude::*;

    fn channel(id: &str, messages: u32) -> RtcStats {
        RtcStats::DataChannel(RtcDataChannelStats {
            id: id.into(),
            timestamp: 1.5,
            label: "l".into(),
            protocol: String::new(),
            data_channel_identifier: Some(1),
            state: RtcDataChannelState::Open,
            messages_sent: messages,
            bytes_sent: 0,
            messages_received: 0,
            bytes_received: 0,
        })
    }

    fn transport(id: &str, pair: Option<&str>, cert: Option<&str>) -> RtcStats {
        RtcStats::Transport(RtcTransportStats {
            id: id.into(),
            timestamp: 1.5,
            packets_sent: 0,
            packets_received: 0,
            bytes_sent: 0,
            bytes_received: 0,
            ice_role: None,
            ice_local_username_fragment: None,
            dtls_state: RtcDtlsTransportState::New,
            ice_state: None,
            selected_candidate_pair_id: pair.map(str::to_owned),
            local_certificate_id: cert.map(str::to_owned),
            remote_certificate_id: None,
            tls_version: None,
            dtls_cipher: None,
            dtls_role: None,
            srtp_cipher: None,
            selected_candidate_pair_changes: 0,
        })
    }

    fn pair(id: &str, transport: &str) -> RtcStats {
        RtcStats::CandidatePair(RtcIceCandidatePairStats {
            id: id.into(),
            timestamp: 1.5,
            transport_id: transport.into(),
            local_candidate_id: "L".into(),
            remote_candidate_id: "R".into(),
            state: RtcStatsIceCandidatePairState::Succeeded,
            nominated: true,
            packets_sent: 0,
            packets_received: 0,
            bytes_sent: 0,
            bytes_received: 0,
            last_packet_sent_timestamp: None,
            last_packet_received_timestamp: None,
            total_round_trip_time: 0.0,
            current_round_trip_time: None,
            available_outgoing_bitrate: None,
            requests_received: 0,
            requests_sent: 0,
            responses_received: 0,
            responses_sent: 0,
            consent_requests_sent: 0,
            packets_discarded_on_send: 0,
            bytes_discarded_on_send: 0,
        })
    }

    #[test]
    fn insert_keeps_order_and_replaces_by_id() {
        let mut r = RtcStatsReport::new();
        r.insert(channel("D1", 1));
        r.insert(channel("D2", 2));
        r.insert(channel("D1", 3));
        assert_eq!(r.keys().collect::<Vec<_>>(), ["D1", "D2"]);
        assert_eq!(r.len(), 2);
        assert!(r.has("D2") && !r.has("D3"));
        let Some(RtcStats::DataChannel(d)) = r.get("D1") else {
            panic!()
        };
        assert_eq!(d.messages_sent, 3);
        assert_eq!(r.of_type(RtcStatsType::DataChannel).count(), 2);
        assert_eq!((&r).into_iter().count(), 2);
    }

    #[test]
    fn select_follows_references_transitively_in_report_order() {
        let mut r = RtcStatsReport::new();
        r.insert(transport("T", Some("CP"), Some("CF")));
        r.insert(pair("CP", "T"));
        r.insert(pair("CP-other", "T"));
        r.insert(RtcStats::LocalCandidate(RtcIceCandidateStats {
            id: "L".into(),
            timestamp: 1.5,
            transport_id: "T".into(),
            address: None,
            port: 1,
            protocol: crate::enums::RtcIceProtocol::Udp,
            candidate_type: crate::enums::RtcIceCandidateType::Host,
            priority: 1,
            url: None,
            relay_protocol: None,
            foundation: "1".into(),
            related_address: None,
            related_port: None,
            username_fragment: None,
            tcp_type: None,
        }));
        let d = DataChannelId::new(4);
        r.insert_owned(channel("D", 0), Some(StatsOwner::DataChannel(d)));
        assert_eq!(
            r.select(StatsOwner::DataChannel(d))
                .keys()
                .collect::<Vec<_>>(),
            ["D"]
        );
        assert!(r.select(StatsOwner::Sender(SenderId::new(1))).is_empty());
        // An owned pair pulls in its transport, which pulls in its selected pair and its
        // candidates; a dangling reference ("CF", "R") is skipped.
        let s = SenderId::new(2);
        r.insert_owned(pair("X", "T"), Some(StatsOwner::Sender(s)));
        assert_eq!(
            r.select(StatsOwner::Sender(s)).keys().collect::<Vec<_>>(),
            ["T", "CP", "L", "X"]
        );
    }

    #[test]
    fn serializes_as_an_object_of_tagged_dictionaries() {
        let mut r = RtcStatsReport::new();
        r.insert(channel("D1", 2));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"D1":{"type":"data-channel","id":"D1","timestamp":1.5,"label":"l","protocol":"","dataChannelIdentifier":1,"state":"open","messagesSent":2,"bytesSent":0,"messagesReceived":0,"bytesReceived":0}}"#
        );
    }

    #[test]
    fn type_tags_are_the_rtc_stats_type_strings() {
        for s in [channel("a", 0), transport("b", None, None), pair("c", "b")] {
            let v = serde_json::to_value(&s).unwrap();
            assert_eq!(v["type"], s.stats_type().as_str());
        }
    }

    /// Times with a short decimal form (microseconds), which JSON numbers carry exactly.
    fn micros(max: u64) -> impl Strategy<Value = f64> {
        (0..max).prop_map(|us| us as f64 / 1000.0)
    }

    proptest! {
        #[test]
        fn candidate_pair_json_round_trips(
            sent in any::<u64>(),
            rtt in proptest::option::of(micros(10_000_000)),
            ts in proptest::option::of(micros(2_000_000_000_000_000)),
            nominated in any::<bool>(),
            discarded in any::<u32>(),
        ) {
            let RtcStats::CandidatePair(mut p) = pair("CP", "T") else { unreachable!() };
            p.bytes_sent = sent;
            p.current_round_trip_time = rtt;
            p.last_packet_received_timestamp = ts;
            p.nominated = nominated;
            p.packets_discarded_on_send = discarded;
            let s = RtcStats::CandidatePair(p);
            let back: RtcStats = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
            prop_assert_eq!(back, s);
        }

        #[test]
        fn data_channel_json_round_trips(
            label in ".{0,20}",
            id in proptest::option::of(any::<u16>()),
            messages in any::<u32>(),
            bytes in any::<u64>(),
        ) {
            let RtcStats::DataChannel(mut d) = channel("D", messages) else { unreachable!() };
            d.label = label;
            d.data_channel_identifier = id;
            d.bytes_received = bytes;
            let s = RtcStats::DataChannel(d);
            let back: RtcStats = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
            prop_assert_eq!(back, s);
        }
    }
}
