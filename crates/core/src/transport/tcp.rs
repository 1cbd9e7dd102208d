//! The runtime's stream sockets as a [`TransportStack`] sees them: ICE-TCP (RFC 6544) host
//! candidates and their connections, TCP/TLS connections to TURN servers (RFC 8656 §3.1),
//! mDNS sockets (draft-ietf-mmusic-mdns-ice-candidates §3.1) and remote candidates that may
//! carry an mDNS name (§3.2).
//!
//! Every call passes through to the ICE agent, which owns these decisions, and then pumps the
//! stack like any other input. The bytes of a connection need nothing here: the agent writes
//! them as [`Transmit`](rtcpeer_types::Transmit)s of [`Protocol::Tcp`](rtcpeer_types::Protocol)
//! and reads them from [`TransportStack::handle_receive`], and the stack's routing ignores the
//! protocol of the data the agent hands up.
//!
//! A runtime drains [`TransportStack::poll_transmit`] before
//! [`TransportStack::poll_tcp_command`]: a `Close` follows the bytes written on that
//! connection.

use std::net::SocketAddr;
use std::time::Instant;

use rtcpeer_ice::{RemoteCandidateInput, TcpCommand, TcpConnectionId, TcpType};

use super::stack::TransportStack;

impl TransportStack {
    /// A TCP socket the runtime listens on (port assigned): a passive ICE-TCP host candidate
    /// there and an active one on its IP (RFC 6544 §4.1).
    pub fn add_local_tcp_listener(&mut self, addr: SocketAddr) {
        if !self.closed {
            self.ice.add_local_tcp_listener(addr);
            self.pump(self.now);
        }
    }

    /// One ICE-TCP host candidate of one component (see
    /// [`IceAgent::add_local_tcp_candidate_for`](rtcpeer_ice::IceAgent::add_local_tcp_candidate_for)).
    pub fn add_local_tcp_candidate_for(
        &mut self,
        component: u16,
        tcp_type: TcpType,
        addr: SocketAddr,
    ) {
        if !self.closed {
            self.ice
                .add_local_tcp_candidate_for(component, tcp_type, addr);
            self.pump(self.now);
        }
    }

    /// A UDP socket bound to the mDNS port and joined to its group, from which the agent
    /// answers queries for the names hiding its host addresses.
    pub fn add_mdns_socket(&mut self, addr: SocketAddr) {
        if !self.closed {
            self.ice.add_mdns_socket(addr);
        }
    }

    /// The next thing the agent asks of the runtime's TCP sockets (drain
    /// [`poll_transmit`](Self::poll_transmit) first). After [`close`](Self::close) the agent's
    /// last closes are still given.
    pub fn poll_tcp_command(&mut self) -> Option<TcpCommand> {
        if self.dirty && !self.closed {
            self.pump(self.now);
        }
        self.ice.poll_tcp_command()
    }

    /// The connection the agent asked for is established; `local` is its local address.
    pub fn handle_tcp_connected(&mut self, now: Instant, id: TcpConnectionId, local: SocketAddr) {
        if self.closed {
            return;
        }
        self.advance_to(now);
        self.ice.handle_tcp_connected(now, id, local);
        self.pump(now);
    }

    /// The connection the agent asked for could not be established.
    pub fn handle_tcp_connect_failed(&mut self, now: Instant, id: TcpConnectionId) {
        if self.closed {
            return;
        }
        self.advance_to(now);
        self.ice.handle_tcp_connect_failed(now, id);
        self.pump(now);
    }

    /// The runtime accepted a connection from `remote` on its listener at `local`: the id to
    /// keep it under, or `None` when the agent does not want it (the runtime closes it).
    pub fn handle_tcp_accepted(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Option<TcpConnectionId> {
        if self.closed {
            return None;
        }
        self.advance_to(now);
        let id = self.ice.handle_tcp_accepted(now, local, remote);
        self.pump(now);
        id
    }

    /// An ICE-TCP connection closed (by the peer or on an error).
    pub fn handle_tcp_closed(&mut self, now: Instant, id: TcpConnectionId) {
        if self.closed {
            return;
        }
        self.advance_to(now);
        self.ice.handle_tcp_closed(now, id);
        self.pump(now);
    }

    /// The runtime's TCP or TLS connection from `local` to the TURN server at `server` closed
    /// or could not be opened: the allocations on it are gone (RFC 8656 §3.1).
    pub fn handle_relay_connection_closed(
        &mut self,
        now: Instant,
        local: SocketAddr,
        server: SocketAddr,
    ) {
        if self.closed {
            return;
        }
        self.advance_to(now);
        self.ice.handle_relay_connection_closed(now, local, server);
        self.pump(now);
    }

    /// A remote candidate that may carry an mDNS `.local` name (from
    /// [`Candidate::parse_allowing_mdns`](rtcpeer_ice::Candidate::parse_allowing_mdns)): the
    /// agent resolves the name first (draft-ietf-mmusic-mdns-ice-candidates §3.2).
    pub fn add_remote_candidate_input(&mut self, now: Instant, input: RemoteCandidateInput) {
        if self.closed {
            return;
        }
        self.advance_to(now);
        self.ice.add_remote_candidate_input(now, input);
        self.pump(now);
    }

    fn advance_to(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }
}
