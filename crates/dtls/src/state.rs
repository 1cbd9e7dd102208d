//! The W3C `RTCDtlsTransportState` (webrtc-pc §5.5.2) a [`DtlsTransport`](crate::DtlsTransport)
//! moves through: `new` → `connecting` → `connected` → `closed`, or `failed` from anywhere
//! before `closed`.

use std::fmt;
use std::str::FromStr;

/// The state of a DTLS transport (W3C `RTCDtlsTransportState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[doc(alias = "RTCDtlsTransportState")]
pub enum DtlsTransportState {
    /// `"new"`: DTLS has not started negotiating yet.
    New,
    /// `"connecting"`: DTLS is negotiating a secure connection and verifying the remote
    /// fingerprint.
    Connecting,
    /// `"connected"`: the connection is negotiated and the remote fingerprint verified.
    Connected,
    /// `"closed"`: closed on purpose, by `close()` or a received `close_notify` alert.
    Closed,
    /// `"failed"`: closed by an error (a received error alert, a failed fingerprint check, a
    /// handshake timeout).
    Failed,
}

impl DtlsTransportState {
    /// Every state, in the W3C order.
    pub const ALL: [DtlsTransportState; 5] = [
        DtlsTransportState::New,
        DtlsTransportState::Connecting,
        DtlsTransportState::Connected,
        DtlsTransportState::Closed,
        DtlsTransportState::Failed,
    ];

    /// The W3C string (`"new"`, `"connecting"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DtlsTransportState::New => "new",
            DtlsTransportState::Connecting => "connecting",
            DtlsTransportState::Connected => "connected",
            DtlsTransportState::Closed => "closed",
            DtlsTransportState::Failed => "failed",
        }
    }

    /// Whether the transport has ended (`closed` or `failed`): it will do nothing more.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            DtlsTransportState::Closed | DtlsTransportState::Failed
        )
    }
}

impl fmt::Display for DtlsTransportState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no `RTCDtlsTransportState`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown RTCDtlsTransportState {0:?}")]
pub struct UnknownState(pub String);

impl FromStr for DtlsTransportState {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DtlsTransportState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_strings_round_trip() {
        let table = [
            (DtlsTransportState::New, "new"),
            (DtlsTransportState::Connecting, "connecting"),
            (DtlsTransportState::Connected, "connected"),
            (DtlsTransportState::Closed, "closed"),
            (DtlsTransportState::Failed, "failed"),
        ];
        for (state, s) in table {
            assert_eq!(state.as_str(), s);
            assert_eq!(state.to_string(), s);
            assert_eq!(s.parse::<DtlsTransportState>(), Ok(state));
        }
        assert!("Connected".parse::<DtlsTransportState>().is_err());
    }
}
