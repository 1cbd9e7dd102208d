//! The states an ICE agent reports, with the values of the W3C `RTCIceTransportState`
//! (webrtc-pc §5.6, reported per transport as `RTCIceConnectionState`) and
//! `RTCIceGathererState`, plus the agent's role (RFC 8445 §6.1.1).
//!
//! The peer core maps them to its W3C enums; this crate does not depend on it.

use std::fmt;

/// The connectivity state of the agent (W3C `RTCIceTransportState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IceConnectionState {
    /// Gathering and/or waiting for remote candidates; not checking yet.
    #[default]
    New,
    /// Checking pairs, no usable connection found yet.
    Checking,
    /// A usable connection was found; still checking, gathering or waiting for candidates.
    Connected,
    /// Gathering finished, the peer's end-of-candidates received, checks done, connected.
    Completed,
    /// Every pair failed or consent was lost, with gathering and remote candidates finished
    /// and, for the initial checks, the PAC timer (RFC 8863) expired. Terminal until an ICE
    /// restart (webrtc-pc §5.6): a pair the peer nominates later still carries data, but the
    /// state stays `failed`.
    Failed,
    /// Connectivity currently lost (nothing received for a while), or all pairs failed while
    /// candidates may still come.
    Disconnected,
    /// Closed: no longer answers STUN.
    Closed,
}

impl IceConnectionState {
    /// The W3C string (`"new"`, `"checking"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            IceConnectionState::New => "new",
            IceConnectionState::Checking => "checking",
            IceConnectionState::Connected => "connected",
            IceConnectionState::Completed => "completed",
            IceConnectionState::Failed => "failed",
            IceConnectionState::Disconnected => "disconnected",
            IceConnectionState::Closed => "closed",
        }
    }

    /// Whether data can flow (`connected` or `completed`).
    pub fn is_connected(self) -> bool {
        matches!(
            self,
            IceConnectionState::Connected | IceConnectionState::Completed
        )
    }
}

impl fmt::Display for IceConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The gathering state of the agent (W3C `RTCIceGathererState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IceGatheringState {
    /// Not gathering yet.
    #[default]
    New,
    /// Gathering candidates.
    Gathering,
    /// Done, and end-of-candidates announced; no more until an ICE restart.
    Complete,
}

impl IceGatheringState {
    /// The W3C string (`"new"`, `"gathering"`, `"complete"`).
    pub fn as_str(self) -> &'static str {
        match self {
            IceGatheringState::New => "new",
            IceGatheringState::Gathering => "gathering",
            IceGatheringState::Complete => "complete",
        }
    }
}

impl fmt::Display for IceGatheringState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The agent's role (RFC 8445 §6.1.1; W3C `RTCIceRole`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceRole {
    /// Nominates the pair to use.
    Controlling,
    /// Accepts the peer's nomination.
    Controlled,
}

impl IceRole {
    /// The W3C string (`"controlling"`, `"controlled"`).
    pub fn as_str(self) -> &'static str {
        match self {
            IceRole::Controlling => "controlling",
            IceRole::Controlled => "controlled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_strings() {
        let all = [
            (IceConnectionState::New, "new"),
            (IceConnectionState::Checking, "checking"),
            (IceConnectionState::Connected, "connected"),
            (IceConnectionState::Completed, "completed"),
            (IceConnectionState::Failed, "failed"),
            (IceConnectionState::Disconnected, "disconnected"),
            (IceConnectionState::Closed, "closed"),
        ];
        for (s, name) in all {
            assert_eq!(s.to_string(), name);
        }
        assert_eq!(IceGatheringState::Gathering.to_string(), "gathering");
        assert_eq!(IceGatheringState::Complete.as_str(), "complete");
        assert_eq!(IceGatheringState::New.as_str(), "new");
        assert_eq!(IceRole::Controlled.as_str(), "controlled");
        assert!(IceConnectionState::Completed.is_connected());
        assert!(!IceConnectionState::Disconnected.is_connected());
    }
}
