//! The two error enums of the TURN client: [`TurnError`] for what went wrong on the network or at
//! the server (reported in [`crate::TurnEvent`]s), and [`UsageError`] for a command the caller
//! should not have given (returned by the command, which then changes nothing).

use std::net::SocketAddr;

/// Why an allocation, permission, channel binding or refresh failed: the server's answer, a
/// timeout, or a broken transport. Carried by the failure events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TurnError {
    /// The server answered with an error response (RFC 8489 §14.8, RFC 8656 §19).
    #[error("TURN server error {code}: {reason}")]
    Server {
        /// The ERROR-CODE number (e.g. 403 Forbidden, 486 Allocation Quota Reached).
        code: u16,
        /// The server's reason phrase.
        reason: String,
    },
    /// The server kept rejecting the long-term credentials (401 after the authenticated retry,
    /// RFC 8489 §9.2.5).
    #[error("TURN server rejected the credentials (401 Unauthenticated)")]
    Unauthenticated,
    /// The server answered 438 Stale Nonce to every retry (RFC 8489 §9.2.5).
    #[error("TURN server kept answering 438 Stale Nonce")]
    StaleNonce,
    /// No response arrived within the transaction timeout (RFC 8489 §6.2.1: 39.5 s by
    /// default over UDP, Ti = 39.5 s over TCP and TLS).
    #[error("TURN request timed out")]
    Timeout,
    /// The server redirected the client (300 Try Alternate, RFC 8489 §10) and the client cannot
    /// follow on its own: over TCP and TLS the runtime must connect to the alternate server.
    #[error("TURN server redirected to an alternate server")]
    TryAlternate(SocketAddr),
    /// A success response lacked a required attribute (e.g. XOR-RELAYED-ADDRESS).
    #[error("TURN response without required attribute {0}")]
    MissingAttribute(&'static str),
    /// The allocation expired: it could not be refreshed in time, the server no longer knows
    /// it (437 Allocation Mismatch), or the TCP/TLS connection it lives on closed.
    #[error("TURN allocation expired")]
    Expired,
    /// The TCP or TLS connection to the server closed.
    #[error("connection to the TURN server closed")]
    ConnectionClosed,
    /// The byte stream from the server is not STUN/ChannelData framing (RFC 8656 §12.5) and
    /// cannot be resynchronised.
    #[error("corrupt stream from the TURN server: {0}")]
    CorruptStream(String),
    /// The TLS session failed (handshake, certificate verification, record decryption).
    #[error("TLS to the TURN server failed: {0}")]
    Tls(String),
    /// A request could not be encoded (e.g. an over-long username).
    #[error("could not encode a TURN request: {0}")]
    Encode(#[from] rtcpeer_stun::EncodeError),
}

/// A command the caller gave at the wrong time or with bad arguments. The client is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The command needs an allocation and there is none (yet, or any more).
    #[error("no TURN allocation")]
    NotAllocated,
    /// `allocate` was called twice on one client: a client holds at most one allocation.
    #[error("the client has already started an allocation")]
    AlreadyStarted,
    /// The peer's address family differs from the relayed address's (RFC 8656 §7.2 / §9.1: the server would answer 443).
    #[error("peer address family differs from the relayed address family")]
    PeerFamilyMismatch,
    /// Every channel number 0x4000–0x4FFF is bound or being bound.
    #[error("no free TURN channel number")]
    NoFreeChannel,
    /// The data does not fit one DATA attribute or ChannelData message (at most 65535 bytes,
    /// less the STUN overhead for a Send indication).
    #[error("data of {0} bytes is too long for TURN")]
    DataTooLong(usize),
    /// The configuration cannot work (e.g. a TLS configuration rustls rejects).
    #[error("invalid TURN client configuration: {0}")]
    InvalidConfig(String),
}
