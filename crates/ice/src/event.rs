//! [`IceEvent`]: what an [`IceAgent`](crate::IceAgent) reports to the layer above, polled with
//! [`IceAgent::poll_event`](crate::IceAgent::poll_event).

use rtcpeer_types::Receive;

use crate::candidate::Candidate;
use crate::state::{IceConnectionState, IceGatheringState, IceRole};

/// An event for the peer core.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IceEvent {
    /// The gathering state changed (W3C `gatheringstatechange`).
    GatheringStateChange(IceGatheringState),
    /// The connection state changed (W3C `statechange` / `iceconnectionstatechange`).
    ConnectionStateChange(IceConnectionState),
    /// A local candidate to signal to the peer (W3C `icecandidate`).
    LocalCandidate(Candidate),
    /// No more local candidates in this generation (W3C `icecandidate` with `null`).
    LocalEndOfCandidates,
    /// The pair data is sent on changed (W3C `selectedcandidatepairchange`).
    SelectedPairChanged {
        /// The component (1, or 2 for non-multiplexed RTCP).
        component: u16,
        /// The local candidate (may be peer-reflexive, RFC 8445 §7.2.5.3.1).
        local: Candidate,
        /// The remote candidate.
        remote: Candidate,
    },
    /// The role changed after a role conflict (RFC 8445 §7.3.1.1, §7.2.5.1).
    RoleChange(IceRole),
    /// A datagram that is not STUN (DTLS, SRTP, ...) arrived from a known remote candidate on a
    /// local candidate's base (or on the old selected pair during an ICE restart).
    Data(Receive),
}
