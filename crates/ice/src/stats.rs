//! [`IceCounters`]: what an agent counts, mainly the bad input it dropped (so none of it can
//! panic or go unnoticed) and the STUN traffic it generated.

/// Counters of an [`IceAgent`](crate::IceAgent), read with
/// [`IceAgent::counters`](crate::IceAgent::counters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IceCounters {
    /// STUN messages that failed to decode.
    pub malformed_stun: u64,
    /// STUN messages without FINGERPRINT or with a wrong one (RFC 8445 §7.3 requires it).
    pub bad_fingerprint: u64,
    /// Requests or responses whose MESSAGE-INTEGRITY did not verify, or was missing.
    pub bad_integrity: u64,
    /// Requests whose USERNAME was missing or did not name our ufrag.
    pub unknown_username: u64,
    /// Requests answered with 400 (missing PRIORITY or role attribute), STUN messages of
    /// another method than Binding, and check responses without XOR-MAPPED-ADDRESS.
    pub bad_requests: u64,
    /// Responses whose transaction id matched no request in flight.
    pub unknown_transaction: u64,
    /// Responses from an address, or to an address, other than the request's (RFC 8445
    /// §7.2.5.2.1); the pair fails.
    pub unexpected_address: u64,
    /// Non-STUN datagrams from an address that is not a known remote candidate.
    pub unknown_source_data: u64,
    /// Datagrams on a transport or to a local address the agent does not use.
    pub unknown_destination: u64,
    /// Remote candidates ignored (wrong component, transport, family, generation, or too many).
    pub ignored_candidates: u64,
    /// Role conflicts met (RFC 8445 §7.3.1.1, §7.2.5.1).
    pub role_conflicts: u64,
    /// Connectivity checks sent (first transmissions).
    pub checks_sent: u64,
    /// Retransmissions of any STUN request.
    pub retransmits: u64,
    /// Binding requests answered with a success response.
    pub responses_sent: u64,
    /// Consent freshness requests sent (RFC 7675).
    pub consent_checks_sent: u64,
    /// Keepalive Binding indications sent (RFC 8445 §11).
    pub keepalives_sent: u64,
    /// Datagrams from a relayed candidate its TURN client refused to send (allocation gone,
    /// peer of the other address family, too long); dropped.
    pub relay_send_failures: u64,
    /// Remote mDNS candidates whose `.local` name resolved to exactly one address and were
    /// added (draft-ietf-mmusic-mdns-ice-candidates §3.2.1).
    pub mdns_resolved: u64,
    /// Remote mDNS candidates dropped: the lookup failed or timed out, the name had several
    /// addresses (draft §3.2.1), or it could not be started.
    pub mdns_unresolved: u64,
    /// TCP connections the agent asked for that failed or timed out (RFC 6544 §7.1).
    pub tcp_connect_failures: u64,
    /// TCP connections the runtime accepted that the agent refused (no passive candidate at
    /// the listener, too many connections).
    pub tcp_connections_refused: u64,
}
