//! The socket layer of one connection: which local addresses to use ([`Interfaces`], from the
//! host's interfaces as the `if-addrs` crate enumerates them), one UDP socket per address on an
//! ephemeral port ([`Sockets`]), and the receive path that drains every ready datagram per
//! wake-up, each into a [`Bytes`] of exactly its size.
//!
//! Datagrams are read into one 64 KiB scratch buffer per runtime thread and copied out, not
//! read into a per-connection buffer: a connection then holds no receive buffer while idle,
//! and a retained datagram pins only its own bytes (a per-connection 64 KiB buffer was most
//! of a connection's memory; docs/ARCHITECTURE.md). The copy costs less than the datagram's
//! decryption.
//!
//! Like a browser's host candidates (RFC 8445 §5.1.1.1), IPv6 link-local addresses are left
//! out, and so are loopback addresses unless asked for: [`Interfaces::LoopbackOnly`] is what
//! tests and the interop harness use.

use std::cell::RefCell;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::task::{Context, Poll};

use bytes::Bytes;
use rtcpeer_types::{Protocol, Receive, Transmit};
use tokio::net::UdpSocket;

/// The most bytes one UDP datagram can carry.
const MAX_DATAGRAM: usize = 65_535;
/// The most datagrams read from one socket per wake-up, so that commands and timers are not
/// starved under a flood; the rest is read at the next wake-up.
const MAX_READS_PER_WAKE: usize = 256;

/// Which local addresses the connection binds sockets on (an rtcpeer extension).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Interfaces {
    /// Every address of every interface that is up, except loopback and IPv6 link-local ones
    /// (what a browser gathers host candidates on).
    #[default]
    NonLoopback,
    /// As [`Interfaces::NonLoopback`], with the loopback addresses too.
    IncludeLoopback,
    /// Only the loopback addresses (`127.0.0.1`, `::1`): for tests and local interop.
    LoopbackOnly,
    /// Exactly these addresses.
    Addresses(Vec<IpAddr>),
    /// No socket at all: a signaling-only connection.
    None,
}

/// One address of a host interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LocalInterface {
    pub(crate) ip: IpAddr,
    /// The interface index (the IPv6 scope id).
    pub(crate) index: u32,
    pub(crate) up: bool,
}

/// The host's interface addresses.
pub(crate) fn host_interfaces() -> io::Result<Vec<LocalInterface>> {
    use if_addrs::IfOperStatus;
    Ok(if_addrs::get_if_addrs()?
        .into_iter()
        .map(|i| LocalInterface {
            ip: i.ip(),
            index: i.index.unwrap_or(0),
            up: !matches!(
                i.oper_status,
                IfOperStatus::Down | IfOperStatus::NotPresent | IfOperStatus::LowerLayerDown
            ),
        })
        .collect())
}

fn is_ipv6_link_local(ip: &IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80)
}

/// The socket addresses (port 0) to bind for this selection, without duplicates.
pub(crate) fn select(
    selection: &Interfaces,
    host: impl FnOnce() -> io::Result<Vec<LocalInterface>>,
) -> io::Result<Vec<SocketAddr>> {
    let loopback = || {
        vec![
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
        ]
    };
    let mut out: Vec<SocketAddr> = match selection {
        Interfaces::None => Vec::new(),
        Interfaces::LoopbackOnly => loopback(),
        Interfaces::Addresses(ips) => ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect(),
        Interfaces::NonLoopback | Interfaces::IncludeLoopback => host()?
            .into_iter()
            .filter(|i| i.up && !i.ip.is_unspecified() && !i.ip.is_multicast())
            .filter(|i| !is_ipv6_link_local(&i.ip))
            .filter(|i| *selection == Interfaces::IncludeLoopback || !i.ip.is_loopback())
            .map(|i| match i.ip {
                IpAddr::V6(v6) => SocketAddr::V6(SocketAddrV6::new(v6, 0, 0, i.index)),
                v4 => SocketAddr::new(v4, 0),
            })
            .collect(),
    };
    let mut seen = Vec::with_capacity(out.len());
    out.retain(|a| {
        let new = !seen.contains(&a.ip());
        seen.push(a.ip());
        new
    });
    Ok(out)
}

thread_local! {
    /// The receive scratch buffer of this thread, shared by every connection driven on it.
    static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; MAX_DATAGRAM].into_boxed_slice());
}

/// The connection's UDP sockets.
#[derive(Debug)]
pub(crate) struct Sockets {
    sockets: Vec<(UdpSocket, SocketAddr)>,
}

impl Sockets {
    /// Binds one socket per address, each on an ephemeral port. An address that cannot be
    /// bound (an interface that went away, IPv6 disabled) is skipped with a warning. Must run
    /// inside a tokio runtime.
    pub(crate) fn bind(addrs: &[SocketAddr]) -> Self {
        let mut sockets = Vec::with_capacity(addrs.len());
        for addr in addrs {
            match bind_one(*addr) {
                Ok(s) => sockets.push(s),
                Err(e) => {
                    tracing::warn!(addr = %rtcpeer_types::Pii(*addr), error = %e, "cannot bind")
                }
            }
        }
        Sockets { sockets }
    }

    /// The bound local addresses.
    pub(crate) fn local_addrs(&self) -> Vec<SocketAddr> {
        self.sockets.iter().map(|(_, a)| *a).collect()
    }

    /// Ready when some socket may have a datagram.
    pub(crate) fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut ready = false;
        for (s, _) in &self.sockets {
            // Poll every socket so that each one registers the waker.
            if let Poll::Ready(r) = s.poll_recv_ready(cx) {
                if let Err(e) = r {
                    tracing::warn!(error = %e, "socket readiness error");
                }
                ready = true;
            }
        }
        if ready {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Reads every ready datagram (up to a per-wake-up budget) and hands each to `on_receive`.
    /// Returns how many were read.
    pub(crate) fn drain(&mut self, mut on_receive: impl FnMut(Receive)) -> usize {
        let mut n = 0;
        for (socket, local) in &self.sockets {
            for _ in 0..MAX_READS_PER_WAKE {
                // The scratch buffer is borrowed only around the read: `on_receive` may run
                // code that drains another connection's sockets on this thread.
                let read = SCRATCH.with_borrow_mut(|buf| {
                    socket
                        .try_recv_from(buf)
                        .map(|(len, source)| (Bytes::copy_from_slice(&buf[..len]), source))
                });
                match read {
                    Ok((contents, source)) => {
                        n += 1;
                        on_receive(Receive {
                            protocol: Protocol::Udp,
                            source,
                            destination: *local,
                            contents,
                        });
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => {
                        // ICMP errors reported on the socket and the like: keep going.
                        tracing::debug!(error = %e, "socket receive error");
                        break;
                    }
                }
            }
        }
        n
    }

    /// Sends a datagram from the socket bound to its source address (or, when the machine
    /// did not pick one, the first socket of the destination's family).
    pub(crate) fn send(&self, t: &Transmit) -> io::Result<usize> {
        let socket = self
            .sockets
            .iter()
            .find(|(_, a)| *a == t.source)
            .or_else(|| {
                self.sockets.iter().find(|(_, a)| {
                    t.source.ip().is_unspecified() && a.is_ipv4() == t.destination.is_ipv4()
                })
            })
            .map(|(s, _)| s)
            .ok_or_else(|| io::Error::new(io::ErrorKind::AddrNotAvailable, "no such socket"))?;
        socket.try_send_to(&t.contents, t.destination)
    }
}

/// The receive buffer asked of the kernel for each socket. Linux's default (about 208 KiB)
/// overflows under a burst of full-size datagrams, and every datagram dropped there costs a
/// retransmission; the kernel caps the request at `net.core.rmem_max`.
const RECV_BUFFER: usize = 4 << 20;
/// The send buffer asked of the kernel for each socket (capped at `net.core.wmem_max`).
const SEND_BUFFER: usize = 1 << 20;

fn bind_one(addr: SocketAddr) -> io::Result<(UdpSocket, SocketAddr)> {
    let std_socket = std::net::UdpSocket::bind(addr)?;
    std_socket.set_nonblocking(true)?;
    let sock = socket2::SockRef::from(&std_socket);
    // Best effort: a smaller buffer than asked for still works.
    if let Err(e) = sock.set_recv_buffer_size(RECV_BUFFER) {
        tracing::debug!(error = %e, "SO_RCVBUF not set");
    }
    if let Err(e) = sock.set_send_buffer_size(SEND_BUFFER) {
        tracing::debug!(error = %e, "SO_SNDBUF not set");
    }
    let socket = UdpSocket::from_std(std_socket)?;
    let local = socket.local_addr()?;
    Ok((socket, local))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn iface(ip: &str, up: bool) -> LocalInterface {
        LocalInterface {
            ip: ip.parse().unwrap(),
            index: 3,
            up,
        }
    }

    fn host() -> io::Result<Vec<LocalInterface>> {
        Ok(vec![
            iface("127.0.0.1", true),
            iface("::1", true),
            iface("192.0.2.7", true),
            iface("192.0.2.7", true),
            iface("198.51.100.1", false),
            iface("fe80::1", true),
            iface("2001:db8::5", true),
        ])
    }

    fn ips(v: Vec<SocketAddr>) -> Vec<String> {
        v.into_iter().map(|a| a.ip().to_string()).collect()
    }

    #[test]
    fn selections() {
        assert_eq!(
            ips(select(&Interfaces::NonLoopback, host).unwrap()),
            ["192.0.2.7", "2001:db8::5"]
        );
        assert_eq!(
            ips(select(&Interfaces::IncludeLoopback, host).unwrap()),
            ["127.0.0.1", "::1", "192.0.2.7", "2001:db8::5"]
        );
        assert_eq!(
            ips(select(&Interfaces::LoopbackOnly, host).unwrap()),
            ["127.0.0.1", "::1"]
        );
        assert!(select(&Interfaces::None, host).unwrap().is_empty());
        let v6 = select(&Interfaces::NonLoopback, host).unwrap();
        assert!(matches!(v6[1], SocketAddr::V6(a) if a.scope_id() == 3));
        assert!(
            select(&Interfaces::NonLoopback, || Err(io::Error::other("x"))).is_err(),
            "enumeration errors are reported"
        );
    }

    #[tokio::test]
    async fn drains_every_ready_datagram() {
        let mut sockets = Sockets::bind(&[SocketAddr::from((Ipv4Addr::LOCALHOST, 0))]);
        let local = sockets.local_addrs()[0];
        assert_ne!(local.port(), 0);
        let peer = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        peer.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        for i in 0..10u8 {
            peer.send_to(&[i; 100], local).unwrap();
        }
        let mut got = Vec::new();
        while got.len() < 10 {
            std::future::poll_fn(|cx| sockets.poll_readable(cx)).await;
            sockets.drain(|r| got.push(r));
        }
        for (i, r) in got.iter().enumerate() {
            assert_eq!(r.contents, Bytes::from(vec![i as u8; 100]));
            assert_eq!(r.destination, local);
            assert_eq!(r.source, peer.local_addr().unwrap());
        }
        // Sending back from the bound socket.
        let t = got[0].reply(Bytes::from_static(b"pong"));
        assert_eq!(sockets.send(&t).unwrap(), 4);
        let mut buf = [0u8; 16];
        let (n, from) = peer.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..n], from), (&b"pong"[..], local));
        // No socket for this source.
        let bad = Transmit {
            source: SocketAddr::from(([192, 0, 2, 1], 9)),
            ..t
        };
        assert!(sockets.send(&bad).is_err());
    }
}
