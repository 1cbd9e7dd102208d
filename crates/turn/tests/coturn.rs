//! The TURN client against a real coturn (`turnserver`, Debian package `coturn`) on loopback,
//! over UDP, TCP and TLS, driven with blocking std sockets: allocate (with the 401 challenge),
//! relay data to a local UDP peer and back with a Send indication, then over a channel, refresh,
//! and delete the allocation.
//!
//! Without `turnserver` on the PATH the tests print a notice and pass, unless `CI` is set, in
//! which case they fail: CI must install coturn (`apt-get install -y coturn`).

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_testkit::coturn::{Coturn, PASS, USER, turnserver};
use rtcpeer_turn::rustls::pki_types::ServerName;
use rtcpeer_turn::{TlsSettings, TurnClient, TurnConfig, TurnEvent, TurnTransport};
use rtcpeer_types::{Protocol, Receive, Rng};
use support::pki::pki;

/// The client's socket or connection to the server.
enum Io {
    Udp(UdpSocket),
    Stream(TcpStream),
}

impl Io {
    fn send(&mut self, bytes: &[u8]) {
        match self {
            Io::Udp(s) => {
                // Refused while coturn starts: the client retransmits.
                let _ = s.send(bytes);
            }
            Io::Stream(s) => s.write_all(bytes).unwrap(),
        }
    }

    /// Bytes received within the socket's read timeout, if any.
    fn recv(&mut self) -> Option<Vec<u8>> {
        let mut buf = vec![0; 65_536];
        let result = match self {
            Io::Udp(s) => s.recv(&mut buf),
            Io::Stream(s) => s.read(&mut buf),
        };
        match result {
            Ok(0) if matches!(self, Io::Stream(_)) => panic!("server closed the connection"),
            Ok(n) => {
                buf.truncate(n);
                Some(buf)
            }
            // ConnectionRefused: an ICMP error for a datagram sent before coturn listened.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::ConnectionRefused
                ) =>
            {
                None
            }
            Err(e) => panic!("recv: {e}"),
        }
    }
}

/// The sans-IO client on real sockets.
struct Driver {
    client: TurnClient,
    io: Io,
    server: SocketAddr,
    local: SocketAddr,
    protocol: Protocol,
    events: Vec<TurnEvent>,
}

impl Driver {
    /// Connects to a server at `server` over `transport` (TCP is connected, with retries while
    /// coturn starts).
    #[allow(clippy::disallowed_methods)]
    fn connect(server: SocketAddr, transport: TurnTransport) -> Driver {
        let protocol = transport.protocol();
        let io = match protocol {
            Protocol::Udp => {
                let s = UdpSocket::bind("127.0.0.1:0").unwrap();
                s.connect(server).unwrap();
                s.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
                Io::Udp(s)
            }
            Protocol::Tcp | Protocol::Tls => {
                let started = Instant::now();
                let s = loop {
                    match TcpStream::connect(server) {
                        Ok(s) => break s,
                        Err(e) if started.elapsed() < Duration::from_secs(10) => {
                            let _ = e;
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        Err(e) => panic!("connect to turnserver: {e}"),
                    }
                };
                s.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
                s.set_nodelay(true).unwrap();
                Io::Stream(s)
            }
        };
        let local = match &io {
            Io::Udp(s) => s.local_addr().unwrap(),
            Io::Stream(s) => s.local_addr().unwrap(),
        };
        let config = TurnConfig::new(server, local, USER, PASS)
            .with_transport(transport)
            .with_software("rtcpeer-turn test");
        let client = TurnClient::new(config, Rng::from_entropy()).unwrap();
        Driver {
            client,
            io,
            server,
            local,
            protocol,
            events: Vec::new(),
        }
    }

    /// Runs the client until an event matches `pred` (returns it) or `within` passes.
    #[allow(clippy::disallowed_methods)]
    fn run_until(&mut self, within: Duration, pred: impl Fn(&TurnEvent) -> bool) -> TurnEvent {
        let end = Instant::now() + within;
        loop {
            while let Some(t) = self.client.poll_transmit() {
                assert_eq!(t.destination, self.server);
                self.io.send(&t.contents);
            }
            while let Some(e) = self.client.poll_event() {
                self.events.push(e.clone());
                if pred(&e) {
                    return e;
                }
            }
            let now = Instant::now();
            assert!(now < end, "timed out; events so far: {:?}", self.events);
            if self.client.poll_timeout().is_some_and(|t| t <= now) {
                self.client.handle_timeout(now);
                continue;
            }
            if let Some(bytes) = self.io.recv() {
                let rx = Receive {
                    protocol: self.protocol,
                    source: self.server,
                    destination: self.local,
                    contents: Bytes::from(bytes),
                };
                assert!(self.client.handle_receive(Instant::now(), rx));
            }
        }
    }

    /// Runs the client (answering its timers and input) for `d`.
    #[allow(clippy::disallowed_methods)]
    fn run_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end {
            while let Some(t) = self.client.poll_transmit() {
                self.io.send(&t.contents);
            }
            while let Some(e) = self.client.poll_event() {
                self.events.push(e);
            }
            let now = Instant::now();
            if self.client.poll_timeout().is_some_and(|t| t <= now) {
                self.client.handle_timeout(now);
            } else if let Some(bytes) = self.io.recv() {
                let rx = Receive {
                    protocol: self.protocol,
                    source: self.server,
                    destination: self.local,
                    contents: Bytes::from(bytes),
                };
                self.client.handle_receive(Instant::now(), rx);
            }
        }
    }

    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// Receives one datagram on the peer socket, driving the client meanwhile.
fn peer_recv(d: &mut Driver, peer: &UdpSocket) -> (SocketAddr, Vec<u8>) {
    let mut buf = [0u8; 2048];
    for _ in 0..300 {
        match peer.recv_from(&mut buf) {
            Ok((n, from)) => return (from, buf[..n].to_vec()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                d.run_for(Duration::from_millis(10));
            }
            Err(e) => panic!("peer recv: {e}"),
        }
    }
    panic!("the peer received nothing; client events: {:?}", d.events)
}

/// The whole scenario over one transport.
fn scenario(server: SocketAddr, transport: TurnTransport) {
    let mut d = Driver::connect(server, transport);
    let now = d.now();
    d.client.allocate(now).unwrap();
    let (relayed, mapped) = match d.run_until(Duration::from_secs(10), |e| {
        matches!(
            e,
            TurnEvent::Allocated { .. } | TurnEvent::AllocationFailed(_)
        )
    }) {
        TurnEvent::Allocated {
            relayed, mapped, ..
        } => (relayed, mapped),
        other => panic!("allocation failed: {other:?}"),
    };
    assert_eq!(relayed.ip(), std::net::IpAddr::from([127, 0, 0, 1]));
    assert_eq!(mapped, Some(d.local));
    assert_eq!(
        d.client.stats().requests,
        2,
        "the 401 challenge, then the signed Allocate"
    );

    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_millis(10)))
        .unwrap();
    let peer_addr = peer.local_addr().unwrap();

    // Send and Data indications.
    let now = d.now();
    d.client.create_permission(now, peer_addr.ip()).unwrap();
    d.run_until(Duration::from_secs(10), |e| {
        matches!(e, TurnEvent::PermissionCreated { .. })
    });
    let now = d.now();
    d.client.send_to(now, peer_addr, b"hello via send").unwrap();
    assert_eq!(
        peer_recv(&mut d, &peer),
        (relayed, b"hello via send".to_vec())
    );
    peer.send_to(b"hello via data", relayed).unwrap();
    let got = d.run_until(Duration::from_secs(10), |e| {
        matches!(e, TurnEvent::Data { .. })
    });
    assert_eq!(
        got,
        TurnEvent::Data {
            peer: peer_addr,
            data: Bytes::from_static(b"hello via data")
        }
    );

    // A channel; odd lengths exercise the stream padding over TCP and TLS.
    let now = d.now();
    let channel = d.client.bind_channel(now, peer_addr).unwrap();
    d.run_until(Duration::from_secs(10), |e| {
        matches!(e, TurnEvent::ChannelBound { .. })
    });
    assert_eq!(d.client.channel(peer_addr), Some(channel));
    for len in [1usize, 5, 999] {
        let payload = vec![len as u8; len];
        let now = d.now();
        d.client.send_to(now, peer_addr, &payload).unwrap();
        assert_eq!(peer_recv(&mut d, &peer), (relayed, payload.clone()));
        peer.send_to(&payload, relayed).unwrap();
        let got = d.run_until(Duration::from_secs(10), |e| {
            matches!(e, TurnEvent::Data { .. })
        });
        assert_eq!(
            got,
            TurnEvent::Data {
                peer: peer_addr,
                data: Bytes::from(payload)
            }
        );
    }
    let s = d.client.stats();
    assert_eq!(s.channel_data_sent, 3);
    assert_eq!(s.channel_data_received, 3);
    assert_eq!((s.send_indications, s.data_indications), (1, 1));
    assert_eq!((s.malformed, s.integrity_failures, s.unmatched), (0, 0, 0));

    // Delete the allocation.
    let now = d.now();
    d.client.deallocate(now).unwrap();
    d.run_until(Duration::from_secs(10), |e| *e == TurnEvent::Deleted);
}

/// The UDP server address once coturn answers (the client's own retransmissions cover the
/// start-up time).
fn udp_server(c: &Coturn) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], c.port))
}

#[test]
fn coturn_over_udp() {
    let Some(bin) = turnserver() else { return };
    let coturn = Coturn::start(&bin, None);
    scenario(udp_server(&coturn), TurnTransport::Udp);
}

#[test]
fn coturn_over_tcp() {
    let Some(bin) = turnserver() else { return };
    let coturn = Coturn::start(&bin, None);
    scenario(udp_server(&coturn), TurnTransport::Tcp);
}

#[test]
fn coturn_over_tls() {
    let Some(bin) = turnserver() else { return };
    let pki = pki(
        "rtcpeer coturn test CA",
        &["turn.rtcpeer.test", "127.0.0.1"],
    );
    let coturn = Coturn::start(&bin, Some((&pki.cert_pem, &pki.key_pem)));
    let settings = TlsSettings::new(
        pki.roots(),
        ServerName::try_from("turn.rtcpeer.test").unwrap(),
    )
    .unwrap();
    scenario(
        SocketAddr::from(([127, 0, 0, 1], coturn.tls_port)),
        TurnTransport::Tls(settings),
    );
}
