//! [`Endpoint`]: what the simulated network drives on each host.
//!
//! It is the sans-IO machine shape of DESIGN.md §2 reduced to what a network needs: datagrams in,
//! timeouts in, datagrams out, next deadline out; and, for endpoints that use simulated TCP
//! connections, commands out and connection events in. A machine (ICE agent, DTLS, a whole peer
//! connection) takes part through a thin adapter struct in the test that implements this trait and
//! forwards to the machine; the test reaches the adapter again with
//! [`Network::endpoint`](crate::Network::endpoint) / [`endpoint_mut`](crate::Network::endpoint_mut).

use std::any::Any;
use std::time::Instant;

use rtcpeer_types::{Receive, Transmit};

use crate::tcp::{TcpCommand, TcpEvent};

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

    /// The next command for the simulated TCP ([`crate::tcp`]: listen, connect, close), asked
    /// after the transmits. Endpoints that use no TCP connection keep the default (none).
    fn poll_tcp_command(&mut self, now: Instant) -> Option<TcpCommand> {
        let _ = now;
        None
    }

    /// What the simulated TCP reports: a connect's outcome, an accepted connection, a closed
    /// one. The default ignores it.
    fn handle_tcp_event(&mut self, now: Instant, event: TcpEvent) {
        let _ = (now, event);
    }
}
