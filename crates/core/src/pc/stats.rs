//! `getStats()` on the connection (webrtc-pc §8.2 "RTCPeerConnection Interface Extensions",
//! §8.5 "The stats selection algorithm", §8.6 "Mandatory To Implement Stats"): gathers the
//! `peer-connection`, `data-channel`, `transport`, `candidate-pair`, `local-candidate`,
//! `remote-candidate` and `certificate` stats of the connection, then applies the selector.
//!
//! The counters the lower machines do not keep are kept here ([`StatsState`]): per data
//! channel, the messages and payload bytes `send()` accepted and the `message` events fired
//! (webrtc-stats `RTCDataChannelStats`), whether it ever opened (`dataChannelsOpened`,
//! `dataChannelsClosed`), and the datagrams the runtime's sockets refused per 5-tuple
//! (`packetsDiscardedOnSend`), reported through [`PeerConnection::report_send_failure`].
//!
//! Lifetimes (webrtc-stats "Lifetime considerations"): the connection, its transport,
//! certificates and data channels are reported for the connection's whole life, after
//! `close()` too; candidate pairs and candidates go when an ICE restart replaces them, as the
//! ICE agent drops them.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use rtcpeer_ice::{CandidateServer, IceRole, TurnTransport};
use rtcpeer_types::{Rng, Transmit};

use super::{ChannelMessage, DataChannelId, PeerConnection};
use crate::RtcError;
use crate::enums::{RtcDataChannelState, RtcDtlsRole, RtcIceRole, RtcIceServerTransportProtocol};
use crate::host::IceServerHost;
use crate::ice_server::IceServerScheme;
use crate::stats::build::{
    CandidateOrigin, PairIds, Side, StatsClock, candidate_stats, certificate_stats, pair_stats,
};
use crate::stats::ids::StatsIds;
use crate::stats::{
    RtcDataChannelStats, RtcPeerConnectionStats, RtcStats, RtcStatsReport, RtcStatsSelector,
    RtcTransportStats, StatsOwner, resolve,
};

/// The 5-tuples whose refused datagrams are counted, at most (a peer cannot make more pairs
/// than the ICE agent accepts candidates; this bounds the table whatever happens).
const MAX_DISCARD_PATHS: usize = 256;

/// What one data channel has carried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ChannelCounters {
    opened: bool,
    messages_sent: u32,
    bytes_sent: u64,
    messages_received: u32,
    bytes_received: u64,
}

/// Datagrams the runtime could not send on one 5-tuple.
#[derive(Debug, Clone, Copy)]
struct Discarded {
    source: SocketAddr,
    destination: SocketAddr,
    packets: u32,
    bytes: u64,
}

/// The connection's own stats counters and its id salt.
#[derive(Debug)]
pub(crate) struct StatsState {
    ids: StatsIds,
    channels: BTreeMap<DataChannelId, ChannelCounters>,
    discarded: Vec<Discarded>,
}

impl StatsState {
    /// Draws the connection's id salt.
    pub(crate) fn new(rng: &mut Rng) -> Self {
        StatsState {
            ids: StatsIds::new(rng.u64()),
            channels: BTreeMap::new(),
            discarded: Vec::new(),
        }
    }

    /// The channel fired `open`.
    pub(crate) fn channel_opened(&mut self, channel: DataChannelId) {
        self.channels.entry(channel).or_default().opened = true;
    }

    /// `send()` queued a message of `len` payload bytes.
    pub(crate) fn message_sent(&mut self, channel: DataChannelId, len: usize) {
        let c = self.channels.entry(channel).or_default();
        c.messages_sent = c.messages_sent.saturating_add(1);
        c.bytes_sent = c.bytes_sent.saturating_add(len as u64);
    }

    /// A `message` event fired.
    pub(crate) fn message_received(&mut self, channel: DataChannelId, message: &ChannelMessage) {
        let len = match message {
            ChannelMessage::Text(t) => t.len(),
            ChannelMessage::Binary(b) => b.len(),
        };
        let c = self.channels.entry(channel).or_default();
        c.messages_received = c.messages_received.saturating_add(1);
        c.bytes_received = c.bytes_received.saturating_add(len as u64);
    }

    fn discarded_on(&self, source: SocketAddr, destination: SocketAddr) -> (u32, u64) {
        self.discarded
            .iter()
            .find(|d| d.source == source && d.destination == destination)
            .map_or((0, 0), |d| (d.packets, d.bytes))
    }
}

fn relay_protocol(transport: &TurnTransport) -> RtcIceServerTransportProtocol {
    match transport {
        TurnTransport::Udp => RtcIceServerTransportProtocol::Udp,
        TurnTransport::Tcp => RtcIceServerTransportProtocol::Tcp,
        TurnTransport::Tls(_) => RtcIceServerTransportProtocol::Tls,
    }
}

impl PeerConnection {
    /// `getStats(selector)` (webrtc-pc §8.2): the stats of the whole connection, or with a
    /// selector those of one sender, receiver or data channel and the objects they reference
    /// (§8.5). Timestamps are the wall-clock time of `now` (milliseconds since the Unix
    /// epoch), from the wall clock the connection was created with.
    ///
    /// It works on a closed connection too: its objects stay visible (webrtc-pc §8.1).
    ///
    /// Errors: `InvalidAccessError` when the selector's track belongs to no sender or receiver
    /// of the connection or to more than one, or when the sender, receiver or channel is not
    /// the connection's.
    ///
    /// With no media yet, a sender or receiver selects nothing: its `outbound-rtp` /
    /// `inbound-rtp` streams come with media.
    pub fn get_stats(
        &self,
        now: Instant,
        selector: Option<&RtcStatsSelector>,
    ) -> Result<RtcStatsReport, RtcError> {
        let owner = selector
            .map(|s| {
                resolve(
                    s,
                    &self.transceivers,
                    self.data_channels.iter().map(|c| c.handle),
                )
            })
            .transpose()?;
        let report = self.gather_stats(now);
        Ok(match owner {
            Some(owner) => report.select(owner),
            None => report,
        })
    }

    /// Counts a datagram the runtime could not hand to its socket (`packetsDiscardedOnSend`,
    /// `bytesDiscardedOnSend` of the candidate pair of its 5-tuple).
    pub fn report_send_failure(&mut self, transmit: &Transmit) {
        let (source, destination) = (transmit.source, transmit.destination);
        let len = transmit.contents.len() as u64;
        let table = &mut self.stats.discarded;
        let full = table.len() >= MAX_DISCARD_PATHS;
        match table
            .iter_mut()
            .find(|d| d.source == source && d.destination == destination)
        {
            Some(d) => {
                d.packets = d.packets.saturating_add(1);
                d.bytes = d.bytes.saturating_add(len);
            }
            None if !full => table.push(Discarded {
                source,
                destination,
                packets: 1,
                bytes: len,
            }),
            None => tracing::trace!("send failure on an untracked path"),
        }
    }

    fn stats_clock(&self) -> StatsClock {
        StatsClock {
            base: self.created_at(),
            base_wall: self.wire.wall_clock,
        }
    }

    /// Every stats object of the connection, in the order: connection, transport, candidate
    /// pairs, local and remote candidates, certificates, data channels.
    fn gather_stats(&self, now: Instant) -> RtcStatsReport {
        let clock = self.stats_clock();
        let ts = clock.timestamp(now);
        let ids = &self.stats.ids;
        let mut report = RtcStatsReport::new();
        let ever_opened = |h: DataChannelId| self.stats.channels.get(&h).is_some_and(|c| c.opened);
        let opened = self
            .data_channels
            .iter()
            .filter(|c| ever_opened(c.handle))
            .count();
        let closed = self
            .data_channels
            .iter()
            .filter(|c| ever_opened(c.handle) && c.ready_state != RtcDataChannelState::Open)
            .count();
        report.insert(RtcStats::PeerConnection(RtcPeerConnectionStats {
            id: ids.peer_connection(),
            timestamp: ts,
            data_channels_opened: u32::try_from(opened).unwrap_or(u32::MAX),
            data_channels_closed: u32::try_from(closed).unwrap_or(u32::MAX),
        }));
        self.gather_transport_stats(&mut report, &clock, ts);
        for c in &self.data_channels {
            let n = self
                .stats
                .channels
                .get(&c.handle)
                .copied()
                .unwrap_or_default();
            report.insert_owned(
                RtcStats::DataChannel(RtcDataChannelStats {
                    id: ids.data_channel(c.handle),
                    timestamp: ts,
                    label: c.params.label.clone(),
                    protocol: c.params.protocol.clone(),
                    data_channel_identifier: c.stream_id,
                    state: c.ready_state,
                    messages_sent: n.messages_sent,
                    bytes_sent: n.bytes_sent,
                    messages_received: n.messages_received,
                    bytes_received: n.bytes_received,
                }),
                Some(StatsOwner::DataChannel(c.handle)),
            );
        }
        report
    }

    /// The configured URL of the server a local candidate came from.
    fn candidate_origin(&self, server: Option<CandidateServer<'_>>) -> CandidateOrigin {
        let matching = |addr: SocketAddr, turn: bool| {
            self.ice_servers.iter().find(|s| {
                let ip = match s.url.host() {
                    IceServerHost::Ipv4(ip) => std::net::IpAddr::V4(*ip),
                    IceServerHost::Ipv6(ip) => std::net::IpAddr::V6(*ip),
                    IceServerHost::Domain(_) => return false,
                };
                let is_turn = matches!(
                    s.url.scheme(),
                    IceServerScheme::Turn | IceServerScheme::Turns
                );
                ip == addr.ip() && s.url.port() == addr.port() && is_turn == turn
            })
        };
        match server {
            Some(CandidateServer::Stun(addr)) => CandidateOrigin {
                url: matching(addr, false).map(|s| s.url.to_string()),
                relay_protocol: None,
            },
            Some(CandidateServer::Turn(turn)) => CandidateOrigin {
                url: turn
                    .url
                    .clone()
                    .or_else(|| matching(turn.address, true).map(|s| s.url.to_string())),
                relay_protocol: Some(relay_protocol(&turn.transport)),
            },
            _ => CandidateOrigin::default(),
        }
    }

    /// The BUNDLE transport's stats: the transport, its candidate pairs and candidates, and
    /// the certificates of its DTLS transport.
    fn gather_transport_stats(&self, report: &mut RtcStatsReport, clock: &StatsClock, ts: f64) {
        let Some(stack) = self.wire.stack.as_ref() else {
            return;
        };
        let ids = &self.stats.ids;
        let ice = stack.ice();
        let dtls = stack.dtls();
        let transport_id = ids.transport(0);
        let remote_ufrag = ice.remote_credentials().map(|c| c.ufrag.as_str());
        let remote_id = |c: &rtcpeer_ice::Candidate| {
            ids.remote_candidate(c, c.ufrag.as_deref().or(remote_ufrag))
        };
        // The handshake completed: a connected transport, or a closed or failed one that was
        // connected (it keeps the version only then).
        let handshake_done = dtls.filter(|d| {
            !matches!(
                d.state(),
                rtcpeer_dtls::DtlsTransportState::New
                    | rtcpeer_dtls::DtlsTransportState::Connecting
            )
        });
        let version = handshake_done.and_then(|d| d.protocol_version());
        let local_certificate = dtls.map(|_| certificate_stats(ids, ts, self.certificate.der()));
        let remote_certificate = dtls
            .and_then(|d| d.remote_certificate())
            .map(|der| certificate_stats(ids, ts, der));
        let traffic = ice.traffic();
        report.insert(RtcStats::Transport(RtcTransportStats {
            id: transport_id.clone(),
            timestamp: ts,
            packets_sent: traffic.packets_sent,
            packets_received: traffic.packets_received,
            bytes_sent: traffic.bytes_sent,
            bytes_received: traffic.bytes_received,
            ice_role: Some(match ice.role() {
                IceRole::Controlling => RtcIceRole::Controlling,
                IceRole::Controlled => RtcIceRole::Controlled,
            }),
            ice_local_username_fragment: Some(stack.local_credentials().ufrag.clone()),
            dtls_state: stack.dtls_state(),
            ice_state: Some(stack.ice_transport_state()),
            selected_candidate_pair_id: ice
                .selected_pair(1)
                .map(|(l, r)| ids.candidate_pair(&ids.local_candidate(l), &remote_id(r))),
            local_certificate_id: local_certificate.as_ref().map(|c| c.id.clone()),
            remote_certificate_id: remote_certificate.as_ref().map(|c| c.id.clone()),
            tls_version: version.map(|v| format!("{:04X}", v.wire_version())),
            dtls_cipher: version
                .and(handshake_done)
                .and_then(|d| d.cipher_suite())
                .and_then(|s| s.name())
                .map(str::to_owned),
            dtls_role: Some(match dtls.map(|d| d.role()) {
                Some(rtcpeer_dtls::DtlsRole::Client) => RtcDtlsRole::Client,
                Some(rtcpeer_dtls::DtlsRole::Server) => RtcDtlsRole::Server,
                None => RtcDtlsRole::Unknown,
            }),
            srtp_cipher: dtls
                .and_then(|d| d.srtp_keying_material())
                .map(|k| k.profile.as_str().to_owned()),
            selected_candidate_pair_changes: u32::try_from(traffic.selected_pair_changes)
                .unwrap_or(u32::MAX),
        }));
        for pair in ice.candidate_pairs() {
            let local_id = ids.local_candidate(pair.local);
            let remote_id = remote_id(pair.remote);
            let ids = PairIds {
                id: ids.candidate_pair(&local_id, &remote_id),
                transport_id: &transport_id,
                local_id,
                remote_id,
            };
            let discarded = self
                .stats
                .discarded_on(pair.local_base, pair.remote.address);
            report.insert(RtcStats::CandidatePair(pair_stats(
                ids, clock, ts, &pair, discarded,
            )));
        }
        for c in ice.local_candidates() {
            let origin = self.candidate_origin(ice.candidate_server(c));
            report.insert(RtcStats::LocalCandidate(candidate_stats(
                ids.local_candidate(c),
                ts,
                &transport_id,
                c,
                Side::Local(origin),
            )));
        }
        for c in ice.remote_candidates() {
            report.insert(RtcStats::RemoteCandidate(candidate_stats(
                remote_id(c),
                ts,
                &transport_id,
                c,
                Side::Remote {
                    ufrag: remote_ufrag,
                },
            )));
        }
        for c in [local_certificate, remote_certificate]
            .into_iter()
            .flatten()
        {
            report.insert(RtcStats::Certificate(c));
        }
    }
}
