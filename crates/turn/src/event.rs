//! [`TurnEvent`]: what the client reports through `poll_event`, and [`TurnStats`], the counters
//! it keeps of what it sent, retransmitted and dropped.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::Bytes;

use crate::error::TurnError;

/// Something that happened to the allocation, a permission, a channel, or data from a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TurnEvent {
    /// The server granted the allocation (RFC 8656 §7.3): the relayed transport address (the
    /// relayed candidate, RFC 8445 §5.1.1.2) and the client's address as the server saw it
    /// (XOR-MAPPED-ADDRESS, a server-reflexive candidate), and the granted lifetime.
    Allocated {
        /// XOR-RELAYED-ADDRESS.
        relayed: SocketAddr,
        /// XOR-MAPPED-ADDRESS, if the server sent it (RFC 8656 requires it).
        mapped: Option<SocketAddr>,
        /// LIFETIME.
        lifetime: Duration,
    },
    /// The allocation could not be made. The client is finished.
    AllocationFailed(TurnError),
    /// A Refresh succeeded (RFC 8656 §8): the allocation lives this much longer.
    Refreshed {
        /// The new LIFETIME.
        lifetime: Duration,
    },
    /// A permission for this peer IP is installed (RFC 8656 §9). Reported once per
    /// `create_permission`; its refreshes are silent.
    PermissionCreated {
        /// The peer's IP address.
        peer: IpAddr,
    },
    /// A permission could not be created or refreshed and is gone.
    PermissionFailed {
        /// The peer's IP address.
        peer: IpAddr,
        /// Why.
        error: TurnError,
    },
    /// A channel is bound to this peer (RFC 8656 §11): data to and from it now travels as
    /// ChannelData. Reported once; refreshes are silent.
    ChannelBound {
        /// The peer's transport address.
        peer: SocketAddr,
        /// The channel number (0x4000–0x4FFF).
        channel: u16,
    },
    /// A channel binding failed or could not be refreshed; data to the peer goes back to Send
    /// indications.
    ChannelFailed {
        /// The peer's transport address.
        peer: SocketAddr,
        /// Why.
        error: TurnError,
    },
    /// Data a peer sent to the relayed address (a Data indication or ChannelData).
    Data {
        /// The peer's transport address.
        peer: SocketAddr,
        /// The application data.
        data: Bytes,
    },
    /// The allocation is gone without the client asking: refresh failed, the server forgot it,
    /// or the connection closed. The client is finished.
    Expired(TurnError),
    /// The allocation was deleted as asked by [`crate::TurnClient::deallocate`]. The client is
    /// finished.
    Deleted,
}

/// Counters of a [`crate::TurnClient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TurnStats {
    /// Requests sent (first transmissions, including authenticated retries).
    pub requests: u64,
    /// Retransmissions of requests over UDP.
    pub retransmissions: u64,
    /// Send indications sent.
    pub send_indications: u64,
    /// Binding indications sent as keepalives over UDP.
    pub keepalives: u64,
    /// ChannelData messages sent.
    pub channel_data_sent: u64,
    /// Data indications received and delivered.
    pub data_indications: u64,
    /// ChannelData messages received and delivered.
    pub channel_data_received: u64,
    /// Messages from the server that did not decode (dropped).
    pub malformed: u64,
    /// Responses whose integrity check failed or was missing (dropped, RFC 8489 §9.2.5).
    pub integrity_failures: u64,
    /// Well-formed messages with nothing to match: unknown transaction, unbound channel,
    /// unexpected method or class (dropped).
    pub unmatched: u64,
}
