//! The webrtc-stats dictionaries this implementation reports, one struct each, with the W3C
//! member names in their JSON form (webrtc-stats "Stats dictionaries"):
//! [`RtcPeerConnectionStats`], [`RtcDataChannelStats`], [`RtcTransportStats`],
//! [`RtcIceCandidateStats`] (`local-candidate` and `remote-candidate`),
//! [`RtcIceCandidatePairStats`] and [`RtcCertificateStats`]. The RTP dictionaries come with
//! media.
//!
//! Every struct carries the `RTCStats` members `id` and `timestamp`; `type` is the tag of
//! [`RtcStats`](super::RtcStats). Following the webrtc-stats implementation guidelines, a
//! member that is unknown, not applicable or not implemented is left out (an `Option` that
//! serializes to nothing), while a cumulative counter that has not moved yet is reported as 0.
//! Timestamps are `DOMHighResTimeStamp`s: milliseconds since the Unix epoch, as `f64`; times
//! are seconds, as `f64` (`totalRoundTripTime`).

use serde::{Deserialize, Serialize};

use crate::enums::{
    RtcDataChannelState, RtcDtlsRole, RtcDtlsTransportState, RtcIceCandidateType, RtcIceProtocol,
    RtcIceRole, RtcIceServerTransportProtocol, RtcIceTcpCandidateType, RtcIceTransportState,
    RtcStatsIceCandidatePairState,
};

/// `RTCPeerConnectionStats` (`"peer-connection"`).
#[doc(alias = "RTCPeerConnectionStats")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcPeerConnectionStats {
    /// `id`.
    pub id: String,
    /// `timestamp` (ms since the Unix epoch).
    pub timestamp: f64,
    /// `dataChannelsOpened`: data channels that ever entered `"open"`.
    pub data_channels_opened: u32,
    /// `dataChannelsClosed`: data channels that left `"open"` (never-opened ones do not count).
    pub data_channels_closed: u32,
}

/// `RTCDataChannelStats` (`"data-channel"`).
#[doc(alias = "RTCDataChannelStats")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcDataChannelStats {
    /// `id`.
    pub id: String,
    /// `timestamp` (ms since the Unix epoch).
    pub timestamp: f64,
    /// `label`.
    pub label: String,
    /// `protocol`.
    pub protocol: String,
    /// `dataChannelIdentifier`: the channel's `id`, once it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_channel_identifier: Option<u16>,
    /// `state`: the channel's `readyState`.
    pub state: RtcDataChannelState,
    /// `messagesSent`: messages `send()` accepted.
    pub messages_sent: u32,
    /// `bytesSent`: their payload bytes.
    pub bytes_sent: u64,
    /// `messagesReceived`: `message` events fired.
    pub messages_received: u32,
    /// `bytesReceived`: their payload bytes.
    pub bytes_received: u64,
}

/// `RTCTransportStats` (`"transport"`): an `RTCDtlsTransport` and its `RTCIceTransport`.
#[doc(alias = "RTCTransportStats")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcTransportStats {
    /// `id`.
    pub id: String,
    /// `timestamp` (ms since the Unix epoch).
    pub timestamp: f64,
    /// `packetsSent`: application data datagrams (not ICE checks).
    pub packets_sent: u64,
    /// `packetsReceived`.
    pub packets_received: u64,
    /// `bytesSent`: their payload bytes.
    pub bytes_sent: u64,
    /// `bytesReceived`.
    pub bytes_received: u64,
    /// `iceRole`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ice_role: Option<RtcIceRole>,
    /// `iceLocalUsernameFragment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ice_local_username_fragment: Option<String>,
    /// `dtlsState`.
    pub dtls_state: RtcDtlsTransportState,
    /// `iceState`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ice_state: Option<RtcIceTransportState>,
    /// `selectedCandidatePairId`, while a pair is selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_candidate_pair_id: Option<String>,
    /// `localCertificateId`, once DTLS runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_certificate_id: Option<String>,
    /// `remoteCertificateId`, once the peer's certificate is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_certificate_id: Option<String>,
    /// `tlsVersion`: four upper-case hex digits (`"FEFD"`), once the handshake completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_version: Option<String>,
    /// `dtlsCipher`: the IANA name of the cipher suite, once the handshake completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtls_cipher: Option<String>,
    /// `dtlsRole`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtls_role: Option<RtcDtlsRole>,
    /// `srtpCipher`: the IANA name of the DTLS-SRTP protection profile, when negotiated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srtp_cipher: Option<String>,
    /// `selectedCandidatePairChanges`.
    pub selected_candidate_pair_changes: u32,
}

/// `RTCIceCandidateStats` (`"local-candidate"` and `"remote-candidate"`).
#[doc(alias = "RTCIceCandidateStats")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcIceCandidateStats {
    /// `id`.
    pub id: String,
    /// `timestamp` (ms since the Unix epoch).
    pub timestamp: f64,
    /// `transportId`.
    pub transport_id: String,
    /// `address`: `null` for a remote peer-reflexive candidate, whose address the application
    /// never signalled (webrtc-stats privacy rule).
    #[serde(default)]
    pub address: Option<String>,
    /// `port`.
    pub port: u16,
    /// `protocol`: `"udp"` or `"tcp"`.
    pub protocol: RtcIceProtocol,
    /// `candidateType`.
    pub candidate_type: RtcIceCandidateType,
    /// `priority`.
    pub priority: u32,
    /// `url`: the STUN or TURN server of a local server-reflexive or relayed candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `relayProtocol`: how a local relayed candidate reaches its TURN server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_protocol: Option<RtcIceServerTransportProtocol>,
    /// `foundation`.
    pub foundation: String,
    /// `relatedAddress` (server-reflexive, peer-reflexive and relayed candidates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_address: Option<String>,
    /// `relatedPort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_port: Option<u16>,
    /// `usernameFragment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_fragment: Option<String>,
    /// `tcpType` of a TCP candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_type: Option<RtcIceTcpCandidateType>,
}

/// `RTCIceCandidatePairStats` (`"candidate-pair"`).
#[doc(alias = "RTCIceCandidatePairStats")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcIceCandidatePairStats {
    /// `id`.
    pub id: String,
    /// `timestamp` (ms since the Unix epoch).
    pub timestamp: f64,
    /// `transportId`.
    pub transport_id: String,
    /// `localCandidateId`.
    pub local_candidate_id: String,
    /// `remoteCandidateId`.
    pub remote_candidate_id: String,
    /// `state`.
    pub state: RtcStatsIceCandidatePairState,
    /// `nominated`.
    pub nominated: bool,
    /// `packetsSent`: application data datagrams (not ICE checks).
    pub packets_sent: u64,
    /// `packetsReceived`.
    pub packets_received: u64,
    /// `bytesSent`: their payload bytes.
    pub bytes_sent: u64,
    /// `bytesReceived`.
    pub bytes_received: u64,
    /// `lastPacketSentTimestamp`, once a datagram was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_packet_sent_timestamp: Option<f64>,
    /// `lastPacketReceivedTimestamp`, once a datagram arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_packet_received_timestamp: Option<f64>,
    /// `totalRoundTripTime` (seconds), over `responsesReceived` that gave a sample.
    pub total_round_trip_time: f64,
    /// `currentRoundTripTime` (seconds), once measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_round_trip_time: Option<f64>,
    /// `availableOutgoingBitrate`: only with a congestion controller's estimate (none yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_outgoing_bitrate: Option<f64>,
    /// `requestsReceived`.
    pub requests_received: u64,
    /// `requestsSent` (connectivity checks, retransmissions not counted).
    pub requests_sent: u64,
    /// `responsesReceived`.
    pub responses_received: u64,
    /// `responsesSent`.
    pub responses_sent: u64,
    /// `consentRequestsSent`.
    pub consent_requests_sent: u64,
    /// `packetsDiscardedOnSend`: datagrams the runtime's socket refused.
    pub packets_discarded_on_send: u32,
    /// `bytesDiscardedOnSend`.
    pub bytes_discarded_on_send: u64,
}

/// `RTCCertificateStats` (`"certificate"`).
#[doc(alias = "RTCCertificateStats")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcCertificateStats {
    /// `id`.
    pub id: String,
    /// `timestamp` (ms since the Unix epoch).
    pub timestamp: f64,
    /// `fingerprint`: upper-case hex pairs joined by `:` (RFC 4572 §5, as in SDP).
    pub fingerprint: String,
    /// `fingerprintAlgorithm` (`"sha-256"`).
    pub fingerprint_algorithm: String,
    /// `base64Certificate`: the DER certificate in base64 (RFC 4648 §4).
    pub base64_certificate: String,
    /// `issuerCertificateId`: absent for the self-signed certificates WebRTC uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_certificate_id: Option<String>,
}
