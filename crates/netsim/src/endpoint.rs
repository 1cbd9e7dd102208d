//! [`Endpoint`]: what the simulated network drives on each host.
//!
//! It is the sans-IO machine shape of DESIGN.md §2 reduced to what a network needs: datagrams in,
//! timeouts in, datagrams out, next deadline out. A machine (ICE agent, DTLS, a whole peer
//! connection) takes part through a thin adapter struct in the test that implements this trait and
//! forwards to the machine; the test reaches the adapter again with
//! [`Network::endpoint`](crate::Network::endpoint) / [`endpoint_mut`](crate::Network::endpoint_mut).

use std::any::Any;
use std::time::Instant;

use rtcpeer_types::{Receive, Transmit};

/// A sans-IO participant of the simulated network.
///
/// The network calls `handle_receive` and `handle_timeout` with its virtual time, then drains
/// `poll_transmit` until it returns `None` and asks `poll_timeout` for the next deadline. An
/// endpoint must not report a deadline it keeps not advancing past: the network would stall at
/// that instant (reported as [`RunError::Stalled`](crate::RunError::Stalled)).
pub trait Endpoint: Any {
    /// A datagram arrived (its `destination` is one of the host's addresses).
    fn handle_receive(&mut self, now: Instant, rx: Receive);

    /// The deadline from [`poll_timeout`](Self::poll_timeout) was reached (`now` is at or after it).
    fn handle_timeout(&mut self, now: Instant);

    /// The next datagram to send, if any. Its `source` must be one of the host's addresses (or an
    /// unspecified address, for which the network picks the host's first address of that family).
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit>;

    /// When the endpoint next wants [`handle_timeout`](Self::handle_timeout), if ever.
    fn poll_timeout(&mut self) -> Option<Instant>;
}
