//! A sans-IO TURN client (RFC 8656) over UDP, TCP and TLS.
//!
//! [`TurnClient`] holds one allocation on one TURN server: it allocates a UDP relay with the
//! long-term credential mechanism (401 challenge, 438 Stale Nonce recovery, RFC 8489 §9.2),
//! keeps the allocation, its permissions and channel bindings refreshed, relays data to and
//! from peers with Send/Data indications or ChannelData, and retransmits its requests over UDP
//! (RFC 8489 §6.2). Over TCP the messages are framed in the stream (RFC 8656 §12.5); over TLS
//! (`turns:`) that stream runs inside a rustls session driven over in-memory bytes. The runtime
//! owns the socket or connection; the client never touches one, nor a clock, nor a thread.
//!
//! Modules: [`config`] (server, transport, credentials), [`error`] (failures and misuse),
//! [`event`] (events and counters), [`transaction`] (RFC 8489 retransmission timing), and the
//! private machine, link framing, TLS session, credentials and permission/channel tables.
//!
//! The relayed address of [`TurnEvent::Allocated`] is what an ICE agent offers as a relayed
//! candidate; this crate does not depend on ICE.

mod auth;
mod bindings;
mod client;
pub mod config;
pub mod error;
pub mod event;
mod link;
mod tls;
pub mod transaction;

pub use bindings::{CHANNEL_LIFETIME, CHANNEL_REFRESH, PERMISSION_LIFETIME, PERMISSION_REFRESH};
pub use client::TurnClient;
pub use config::{
    DEFAULT_KEEPALIVE, DEFAULT_LIFETIME, DEFAULT_RTO, TlsSettings, TurnConfig, TurnTransport,
};
pub use error::{TurnError, UsageError};
pub use event::{TurnEvent, TurnStats};
/// The relayed address families of [`TurnConfig::requested_family`], from `rtcpeer-stun`.
pub use rtcpeer_stun::AddressFamily;
/// The rustls this crate is built with, for building [`TlsSettings`] from the same version.
pub use rustls;
