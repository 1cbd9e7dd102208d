//! Datagrams in and out of a sans-IO machine.
//!
//! A machine never touches a socket: the runtime hands it a [`Receive`] and asks it for
//! [`Transmit`]s. Both carry the 5-tuple (source, destination, [`Protocol`]) so that ICE can tell
//! candidates apart and TURN can wrap payloads.

use std::fmt;
use std::net::SocketAddr;

use bytes::Bytes;

/// The transport a datagram travels on, as ICE candidates name it (RFC 8445 §5.1, RFC 6544).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// UDP: one datagram per packet.
    Udp,
    /// TCP, with RFC 4571 framing (ICE-TCP, TURN over TCP).
    Tcp,
    /// TLS over TCP (`turns:` servers).
    Tls,
}

impl Protocol {
    /// The lower-case name used in SDP candidates and ICE server URLs (`udp`, `tcp`, `tls`).
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Udp => "udp",
            Protocol::Tcp => "tcp",
            Protocol::Tls => "tls",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A datagram a machine wants sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The transport to send it on.
    pub protocol: Protocol,
    /// The local address to send from (the socket the runtime must use).
    pub source: SocketAddr,
    /// The remote address to send to.
    pub destination: SocketAddr,
    /// The bytes of the datagram.
    pub contents: Bytes,
}

/// A datagram the runtime received and hands to a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receive {
    /// The transport it arrived on.
    pub protocol: Protocol,
    /// Who sent it.
    pub source: SocketAddr,
    /// The local address it arrived at.
    pub destination: SocketAddr,
    /// The bytes of the datagram.
    pub contents: Bytes,
}

impl Receive {
    /// The reply direction: a [`Transmit`] from this datagram's destination back to its source.
    pub fn reply(&self, contents: Bytes) -> Transmit {
        Transmit {
            protocol: self.protocol,
            source: self.destination,
            destination: self.source,
            contents,
        }
    }
}

impl From<Transmit> for Receive {
    /// What a [`Transmit`] becomes when it arrives unchanged (loopback, simulated links).
    fn from(t: Transmit) -> Self {
        Receive {
            protocol: t.protocol,
            source: t.source,
            destination: t.destination,
            contents: t.contents,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_swaps_addresses() {
        let r = Receive {
            protocol: Protocol::Udp,
            source: "192.0.2.1:1000".parse().unwrap(),
            destination: "198.51.100.2:2000".parse().unwrap(),
            contents: Bytes::from_static(b"x"),
        };
        let t = r.reply(Bytes::from_static(b"y"));
        assert_eq!(t.source, r.destination);
        assert_eq!(t.destination, r.source);
        assert_eq!(Receive::from(t.clone()).source, t.source);
        assert_eq!(Protocol::Tcp.to_string(), "tcp");
    }
}
