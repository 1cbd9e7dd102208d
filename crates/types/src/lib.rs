//! Shared vocabulary of every rtcpeer crate.
//!
//! This crate owns what all layers exchange and nothing else: the datagrams a sans-IO machine
//! takes in ([`Receive`]) and gives out ([`Transmit`]), the transport [`Protocol`] they travel on,
//! the seeded random number generator every machine draws from ([`Rng`]), the [`Pii`] wrapper that
//! keeps addresses out of logs, and the RFC 7983 / RFC 9443 first-byte demultiplexer
//! ([`demux::classify`]) that ICE and the peer core both use to route a datagram.
//!
//! It depends on no runtime: no socket, no clock, no thread.

pub mod demux;
mod id;
mod net;
mod pii;
mod rng;

pub use net::{Protocol, Receive, Transmit};
pub use pii::{Pii, log_pii, set_log_pii};
pub use rng::Rng;
