//! Errors a caller of an [`IceAgent`](crate::IceAgent) can get: misuse or "not now", never the
//! peer's misbehaviour (that is dropped and counted in [`IceCounters`](crate::IceCounters)).

/// Why [`IceAgent::send`](crate::IceAgent::send) could not send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// No pair is usable for this component yet (or consent was lost on all of them).
    #[error("no usable candidate pair for component {0}")]
    NoUsablePair(u16),
    /// The agent is closed.
    #[error("the ICE agent is closed")]
    Closed,
    /// The packet is longer than a TCP path's framing carries (65,535 bytes, RFC 4571).
    #[error("{0} bytes is too long for the TCP path")]
    TooLong(usize),
}

/// Why a candidate or credential handed to the agent was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IceError {
    /// A ufrag must be 4 to 256 ice-chars, a password 22 to 256 (RFC 8839 §5.4).
    #[error("invalid ICE {0}: wrong length or characters")]
    InvalidCredentials(&'static str),
    /// The agent is closed.
    #[error("the ICE agent is closed")]
    Closed,
}
