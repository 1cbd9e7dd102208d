//! Test helpers shared by rtcpeer's crates (a dev-dependency only, never a normal one).
//!
//! [`coturn`] starts a real TURN server on loopback for the TURN client's and the ICE agent's
//! interop tests.

pub mod coturn;
