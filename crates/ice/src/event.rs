//! [`IceEvent`]: what an [`IceAgent`](crate::IceAgent) reports to the layer above, polled with
//! [`IceAgent::poll_event`](crate::IceAgent::poll_event).

use std::net::IpAddr;

use rtcpeer_types::Receive;

use crate::candidate::Candidate;
use crate::state::{IceConnectionState, IceGatheringState, IceRole};

/// An event for the peer core.
///
/// Candidates are boxed so that the event, which waits in the agent's queue, stays small.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IceEvent {
    /// The gathering state changed (W3C `gatheringstatechange`).
    GatheringStateChange(IceGatheringState),
    /// The connection state changed (W3C `statechange` / `iceconnectionstatechange`).
    ConnectionStateChange(IceConnectionState),
    /// A local candidate to signal to the peer (W3C `icecandidate`).
    LocalCandidate(Box<Candidate>),
    /// No more local candidates in this generation (W3C `icecandidate` with `null`).
    LocalEndOfCandidates,
    /// The pair data is sent on changed (W3C `selectedcandidatepairchange`).
    SelectedPairChanged {
        /// The component (1, or 2 for non-multiplexed RTCP).
        component: u16,
        /// The local candidate (may be peer-reflexive, RFC 8445 §7.2.5.3.1).
        local: Box<Candidate>,
        /// The remote candidate.
        remote: Box<Candidate>,
    },
    /// The role changed after a role conflict (RFC 8445 §7.3.1.1, §7.2.5.1).
    RoleChange(IceRole),
    /// Gathering from a STUN or TURN server failed (W3C `icecandidateerror`,
    /// `RTCPeerConnectionIceErrorEvent`). Gathering goes on with the other servers.
    CandidateError {
        /// The local IP address used to talk to the server, or `None` when it was not exposed
        /// in a local candidate (e.g. with the `relay` transport policy).
        address: Option<IpAddr>,
        /// The local port used to talk to the server (`None` with `address`).
        port: Option<u16>,
        /// The STUN or TURN URL identifying the server.
        url: String,
        /// The STUN error code the server answered (RFC 8489 §14.8, e.g. 401), or 701 when the
        /// server could not be reached (no answer, connection or TLS failure).
        error_code: u16,
        /// The server's reason phrase, or a description of the failure.
        error_text: String,
    },
    /// A datagram that is not STUN (DTLS, SRTP, ...) arrived from a known remote candidate on a
    /// local candidate's base (or on the old selected pair during an ICE restart). On a TCP
    /// pair it is one RFC 4571 frame's packet, with [`Protocol::Tcp`](rtcpeer_types::Protocol)
    /// and the connection's 5-tuple.
    Data(Receive),
}
