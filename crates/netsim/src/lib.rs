//! A deterministic, seeded simulated network for testing sans-IO machines (dev only).
//!
//! [`Network`] drives any number of [`Endpoint`]s (one per host) with a virtual clock that jumps
//! to the next event, so simulated minutes pass in milliseconds. Datagrams cross links with
//! [`LinkConditions`] (delay, jitter, random or Gilbert-Elliott burst loss, reordering,
//! duplication, MTU, bandwidth with a tail-drop queue) and NATs with the RFC 4787 behaviours
//! ([`NatConfig`]: endpoint-independent, address-dependent and address-and-port-dependent mapping
//! and filtering, port preservation, mapping lifetime and refresh, hairpinning), nested if wanted.
//! Hosts may have several interfaces in different zones, IPv4 and IPv6. Links can carry a
//! [`Firewall`] that drops a protocol (UDP blocked, say) or incoming TCP connections. TCP comes
//! in two forms: simulated connections ([`tcp`]: listen, connect through NATs and firewalls,
//! byte streams delivered in arbitrary pieces, close) and, for endpoints that model no
//! connection, reliable in-order datagrams.
//!
//! Everything random comes from one [`rtcpeer_types::Rng`] seeded by the test ([`seed()`] reads
//! `NETSIM_SEED`), and a network dropped during a panic prints its seed, so a failure replays
//! exactly. Runs record counters ([`NetStats`], [`LinkStats`], [`HostStats`], [`NatStats`]), an
//! optional event log ([`TraceEvent`]) and an optional pcap capture for Wireshark ([`pcap`]).
//!
//! Test endpoints: [`Probe`] (send what it is told, record what arrives) and [`Echo`] (answer
//! with the sender's address as seen, like a STUN binding server).
//!
//! The crate is sans-IO like the machines it drives: the only real-clock read is the start
//! instant of [`Network::new`] ([`clock::start_instant`]); [`Network::with_start`] avoids even that.

mod capture;
pub mod clock;
mod conditions;
mod echo;
mod endpoint;
mod firewall;
mod link;
mod nat;
mod network;
pub mod packet;
pub mod pcap;
pub mod probe;
mod run;
mod seed;
mod stats;
mod stun_server;
pub mod tcp;
mod topology;
mod trace;
mod turn_server;

pub use capture::CaptureScope;
pub use conditions::{GilbertElliott, LinkConditions, Loss};
pub use echo::Echo;
pub use endpoint::Endpoint;
pub use firewall::Firewall;
pub use nat::{
    FilteringBehavior, MappingBehavior, MappingScope, NatConfig, NatMapping, PortAssignment,
};
pub use network::{Network, SetupError};
pub use probe::Probe;
pub use run::{Deadline, RunError};
pub use seed::{SEED_ENV, SeedGuard, parse_seed, rerun_hint, seed};
pub use stats::{HostStats, LinkStats, NatStats, NetStats};
pub use stun_server::StunServer;
pub use tcp::{ConnectError, TcpCommand, TcpEvent};
pub use topology::{Direction, HostId, IfaceId, LinkId, NatId, Zone};
pub use trace::{DropReason, PacketInfo, Place, TraceEvent, TraceKind};
pub use turn_server::{TurnServer, TurnServerConfig, TurnServerStats};
