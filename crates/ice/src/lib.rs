//! A sans-IO ICE agent: RFC 8445 (ICE), RFC 8838 (trickle ICE), RFC 7675 (consent freshness),
//! with the candidate syntax of RFC 8839 and the states of the W3C `RTCIceTransport`.
//!
//! The crate owns candidates ([`Candidate`]: gathering host, server-reflexive and relayed ones,
//! the last through TURN clients it owns (`rtcpeer-turn`) or from an external TURN glue; priorities and foundations; SDP strings), the checklist and its
//! connectivity checks, nomination, consent and keepalives, ICE restarts, and the demultiplexing
//! of STUN from application data on the candidate pairs, and the resolution of remote mDNS `.local`
//! candidates (draft-ietf-mmusic-mdns-ice-candidates) through an `rtcpeer-mdns` resolver it owns,
//! and, optionally, hiding its own host addresses behind `.local` names an `rtcpeer-mdns`
//! responder it owns answers for. ICE-TCP (RFC 6544): TCP host candidates (active and passive),
//! with the connections their checks and data run on opened, accepted and closed by the
//! runtime on the agent's [`TcpCommand`]s, and RFC 4571 framing. [`CandidatePool`] holds the
//! W3C `iceCandidatePoolSize` pre-gathered candidate sets. It has no socket, clock or thread:
//! the runtime feeds it datagrams ([`IceAgent::handle_receive`]), time
//! ([`IceAgent::handle_timeout`]) and commands, and drains [`IceAgent::poll_transmit`],
//! [`IceAgent::poll_event`] and [`IceAgent::poll_timeout`].
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rtcpeer_ice::{IceAgent, IceConfig, IceEvent};
//! use rtcpeer_types::Rng;
//!
//! let mut config = IceConfig::default();
//! config.include_loopback = true;
//! let mut a = IceAgent::new(config.clone(), Rng::from_seed(1));
//! let mut b = IceAgent::new(config, Rng::from_seed(2));
//! a.set_role(true);
//! # #[allow(clippy::disallowed_methods)]
//! let mut now = Instant::now();
//! a.add_local_interface("127.0.0.1:5000".parse().unwrap());
//! b.add_local_interface("127.0.0.1:6000".parse().unwrap());
//! let (ca, cb) = (a.local_credentials().clone(), b.local_credentials().clone());
//! a.set_remote_credentials(&cb.ufrag, &cb.pwd).unwrap();
//! b.set_remote_credentials(&ca.ufrag, &ca.pwd).unwrap();
//! a.gather(now);
//! b.gather(now);
//! // Signal candidates, then shuttle datagrams until both agents have selected a pair.
//! for _ in 0..200 {
//!     while let Some(e) = a.poll_event() {
//!         if let IceEvent::LocalCandidate(c) = e { b.add_remote_candidate(*c) }
//!     }
//!     while let Some(e) = b.poll_event() {
//!         if let IceEvent::LocalCandidate(c) = e { a.add_remote_candidate(*c) }
//!     }
//!     while let Some(t) = a.poll_transmit() { b.handle_receive(now, t.into()) }
//!     while let Some(t) = b.poll_transmit() { a.handle_receive(now, t.into()) }
//!     now += Duration::from_millis(10);
//!     a.handle_timeout(now);
//!     b.handle_timeout(now);
//! }
//! assert!(a.connection_state().is_connected());
//! assert!(b.connection_state().is_connected());
//! assert_eq!(a.selected_path(1), Some(("127.0.0.1:5000".parse().unwrap(), "127.0.0.1:6000".parse().unwrap())));
//! ```

mod agent;
mod answer;
pub mod candidate;
mod checklist;
mod config;
mod consent;
mod error;
mod event;
mod framing;
mod gather;
mod lifecycle;
mod mdns;
mod pair;
mod pair_stats;
mod path;
mod pool;
mod publish;
mod relay;
mod response;
mod state;
mod stats;
mod tcp;
mod transaction;

pub use agent::{Credentials, IceAgent};
pub use candidate::{
    Candidate, CandidateParseError, CandidateType, RemoteCandidateInput, TcpType,
    tcp_local_preference,
};
pub use config::{IceConfig, IceTransportPolicy, TurnServer};
pub use error::{IceError, SendError};
pub use event::IceEvent;
pub use gather::RelayCandidate;
pub use pair::{PairState, pair_priority};
pub use pair_stats::{CandidatePairInfo, CandidateServer, PairCounters, TrafficCounters};
pub use pool::{CandidatePool, PoolError};
/// The mDNS names and resolver counters of remote mDNS candidates, from `rtcpeer-mdns`.
pub use rtcpeer_mdns::{LocalName, ResolverStats, ResponderStats};
/// The TURN transports and TLS settings of [`TurnServer`], from `rtcpeer-turn`.
pub use rtcpeer_turn::{TlsSettings, TurnTransport};
pub use state::{IceConnectionState, IceGatheringState, IceRole};
pub use stats::IceCounters;
pub use tcp::{TcpCommand, TcpConnectionId};
