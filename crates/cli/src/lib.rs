//! The `rtcpeer` program as a library, so that its tests drive it in-process:
//!
//! - [`serve`]: `rtcpeer serve`, an HTTP server (axum) answering WebRTC offers on `POST /offer`
//!   and echoing every data channel message, with a demo page at `/`; [`session`] is one
//!   served connection.
//! - [`connect`]: `rtcpeer connect URL --test NAME`, the client role, running one of the five
//!   interop tests ([`cases`]) and producing the JSON result line.
//! - [`payload`]: the payloads every interop peer computes the same way.
//! - [`bench`](mod@bench): `rtcpeer bench`, setup time, throughput, message rate and memory per
//!   connection of two peers in one process, against the project's targets.
//! - [`http::post_json`]: the one-request HTTP client (signaling with `rtcpeer serve`).
//!
//! The contract both roles implement is `tests/interop/README.md`; the Chromium and aiortc
//! peers of `tests/interop/` implement the same one, so every pairing can be tested.

pub mod bench;
pub mod capture;
pub mod cases;
pub mod channel;
pub mod connect;
pub mod diag;
pub mod http;
pub mod payload;
pub mod serve;
pub mod session;

pub use cases::Test;
pub use connect::{ConnectOptions, Report, TestResult, run_test};
pub use serve::{ServeConfig, Server, router, run};
