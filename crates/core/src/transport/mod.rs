//! The transport stack of one BUNDLE transport: ICE (RFC 8445) + RFC 7983 demultiplexing +
//! DTLS (RFC 8827 §6.5, RFC 8842) + SCTP data channels (RFC 8261, RFC 8831, RFC 8832), composed
//! as one sans-IO machine, [`TransportStack`].
//!
//! - [`stack`]: the machine and how its parts are wired ([`TransportStack`]).
//! - [`channels`]: its data channel commands; `pump` (private): how the machines are
//!   wired after each input; `tcp` (private): the runtime's stream sockets (ICE-TCP, TURN over
//!   TCP/TLS) and mDNS sockets, passed through to the ICE agent.
//! - [`config`]: its local configuration ([`TransportConfig`]) and the parameters the
//!   signaling layer feeds it ([`TransportParameters`]).
//! - [`event`]: what it reports ([`TransportEvent`]), its failures with their W3C
//!   `RTCErrorDetailType` ([`TransportFailure`]) and refused commands ([`TransportError`]).
//! - [`demux`]: RFC 7983 routing of non-STUN datagrams, and the counters ([`DemuxCounters`]).
//! - [`aggregate`]: the W3C per-transport states and the `iceGatheringState`,
//!   `iceConnectionState` and `connectionState` aggregates, as pure functions.
//!
//! The JSEP layer ([`crate::pc`]) decides the parameters; a driver feeds datagrams and time.

pub mod aggregate;
pub mod channels;
pub mod config;
pub mod demux;
pub mod event;
mod pump;
pub mod stack;
mod tcp;

#[cfg(test)]
mod tests;

pub use config::{RemoteSctpParameters, TransportConfig, TransportParameters};
pub use demux::DemuxCounters;
pub use event::{TransportError, TransportEvent, TransportFailure};
pub use stack::TransportStack;
