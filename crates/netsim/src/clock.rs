//! The one place this crate reads the real clock: the instant a simulation starts at.
//!
//! `std::time::Instant` has no constructor other than `now()`, so a simulation needs one real
//! instant as its origin; everything after it is virtual time (the origin plus durations). Only
//! differences between instants carry meaning, so runs with the same seed behave identically
//! whatever the origin. [`Network::with_start`](crate::Network::with_start) takes the origin from
//! the caller instead.

use std::time::Instant;

/// A real instant to start a simulation's virtual clock from.
// The simulation's origin, read once per network; virtual time is this plus durations. This is
// the crate's only real-clock read.
#[allow(clippy::disallowed_methods)]
pub fn start_instant() -> Instant {
    Instant::now()
}
