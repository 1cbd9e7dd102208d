//! `turns:` under netsim: the simulated TURN server behind a TLS front (a rustls
//! `ServerConnection` per client, terminating TLS and passing the plaintext stream on as TCP),
//! the client verifying the server's certificate against a test CA.

mod support;

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use rtcpeer_netsim::{Endpoint, TurnServer};
use rtcpeer_turn::rustls::{self, ServerConnection, pki_types::ServerName};
use rtcpeer_turn::{TlsSettings, TurnError, TurnEvent, TurnTransport};
use rtcpeer_types::{Protocol, Receive, Transmit};
use support::pki::{TestPki, pki};
use support::*;

/// Terminates TLS in front of a [`TurnServer`].
struct TlsFront {
    inner: TurnServer,
    listen: SocketAddr,
    config: Arc<rustls::ServerConfig>,
    conns: BTreeMap<SocketAddr, ServerConnection>,
    out: VecDeque<Transmit>,
    tls_failures: u64,
}

impl TlsFront {
    fn new(inner: TurnServer, config: Arc<rustls::ServerConfig>) -> Self {
        TlsFront {
            inner,
            listen: sa(SERVER),
            config,
            conns: BTreeMap::new(),
            out: VecDeque::new(),
            tls_failures: 0,
        }
    }

    fn flush(&mut self, peer: SocketAddr) {
        let Some(conn) = self.conns.get_mut(&peer) else {
            return;
        };
        let mut wire = Vec::new();
        while conn.wants_write() {
            conn.write_tls(&mut wire).unwrap();
        }
        if !wire.is_empty() {
            self.out.push_back(Transmit {
                protocol: Protocol::Tls,
                source: self.listen,
                destination: peer,
                contents: Bytes::from(wire),
            });
        }
    }

    /// Moves the server's output out, encrypting what goes to TLS clients.
    fn pump(&mut self, now: Instant) {
        while let Some(t) = self.inner.poll_transmit(now) {
            match self.conns.get_mut(&t.destination) {
                Some(conn) if t.protocol == Protocol::Tcp => {
                    conn.writer().write_all(&t.contents).unwrap();
                    self.flush(t.destination);
                }
                _ => self.out.push_back(t),
            }
        }
    }

    fn on_tls_client(&mut self, now: Instant, rx: Receive) {
        let conn = self
            .conns
            .entry(rx.source)
            .or_insert_with(|| ServerConnection::new(self.config.clone()).unwrap());
        let mut input = &rx.contents[..];
        let mut plaintext = Vec::new();
        let mut failed = false;
        while !input.is_empty() {
            conn.read_tls(&mut input).unwrap();
            match conn.process_new_packets() {
                Ok(state) => {
                    let mut buf = vec![0; state.plaintext_bytes_to_read()];
                    conn.reader().read_exact(&mut buf).unwrap();
                    plaintext.extend_from_slice(&buf);
                }
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        self.flush(rx.source);
        if failed {
            self.tls_failures += 1;
            self.conns.remove(&rx.source);
            return;
        }
        if !plaintext.is_empty() {
            self.inner.handle_receive(
                now,
                Receive {
                    protocol: Protocol::Tcp,
                    contents: Bytes::from(plaintext),
                    ..rx
                },
            );
        }
    }
}

impl Endpoint for TlsFront {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        if rx.protocol == Protocol::Tls && rx.destination == self.listen {
            self.on_tls_client(now, rx);
        } else {
            self.inner.handle_receive(now, rx);
        }
        self.pump(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.inner.handle_timeout(now);
        self.pump(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.pump(now);
        self.out.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.inner.poll_timeout()
    }
}

/// A world whose server speaks TLS with `server_pki`, and whose client trusts `client_pki`'s
/// CA and expects the name `name`.
fn tls_world(server_pki: &TestPki, client_pki: &TestPki, name: &'static str) -> World {
    let settings =
        TlsSettings::new(client_pki.roots(), ServerName::try_from(name).unwrap()).unwrap();
    let config = server_pki.server_config();
    world_with(
        Setup {
            client: Box::new(move |c| c.with_transport(TurnTransport::Tls(settings))),
            ..Setup::default()
        },
        move |server, rng| TlsFront::new(TurnServer::new(server, rng), config),
    )
}

fn front(w: &World) -> &TlsFront {
    w.net.endpoint::<TlsFront>(w.server).unwrap()
}

#[test]
fn allocates_and_relays_over_tls() {
    let pki = pki("rtcpeer test CA", &["turn.test"]);
    let mut w = tls_world(&pki, &pki, "turn.test");
    let relayed = w.allocate();
    assert_eq!(w.host().client.protocol(), Protocol::Tls);
    w.bind_channel(sa(PEER_A));
    w.create_permission(ip("198.51.100.2"));
    w.client_send(sa(PEER_A), b"secret 1");
    w.client_send(sa(PEER_B), b"secret 2");
    let (a, b) = (w.peer_a, w.peer_b);
    w.probe_mut(a).send_udp(sa(PEER_A), relayed, &b"back 1"[..]);
    w.probe_mut(b).send_udp(sa(PEER_B), relayed, &b"back 2"[..]);
    w.net.run_for(secs(1)).unwrap();
    assert_eq!(w.received_by(a), vec![(relayed, b"secret 1".to_vec())]);
    assert_eq!(w.received_by(b), vec![(relayed, b"secret 2".to_vec())]);
    assert_eq!(w.data_from(sa(PEER_A)), vec![b"back 1".to_vec()]);
    assert_eq!(w.data_from(sa(PEER_B)), vec![b"back 2".to_vec()]);
    // Refreshes run over TLS too.
    w.net.run_for(secs(20 * 60)).unwrap();
    assert!(w.host().client.is_allocated());
    assert_eq!(front(&w).inner.stats().refreshes, 2);
    assert_eq!(front(&w).tls_failures, 0);
}

#[test]
fn an_untrusted_certificate_fails_the_allocation() {
    let server = pki("server CA", &["turn.test"]);
    let other = pki("some other CA", &["turn.test"]);
    let mut w = tls_world(&server, &other, "turn.test");
    let now = w.net.now();
    w.host_mut().client.allocate(now).unwrap();
    let e = w.run_until_event(secs(60), |e| matches!(e, TurnEvent::AllocationFailed(_)));
    assert!(
        matches!(&e, TurnEvent::AllocationFailed(TurnError::Tls(m)) if m.contains("certificate")),
        "{e:?}"
    );
    assert_eq!(front(&w).inner.stats().allocations, 0);
}

#[test]
fn a_wrong_server_name_fails_the_allocation() {
    let pki = pki("rtcpeer test CA", &["turn.test"]);
    let mut w = tls_world(&pki, &pki, "other.test");
    let now = w.net.now();
    w.host_mut().client.allocate(now).unwrap();
    let e = w.run_until_event(secs(60), |e| matches!(e, TurnEvent::AllocationFailed(_)));
    assert!(
        matches!(e, TurnEvent::AllocationFailed(TurnError::Tls(_))),
        "{e:?}"
    );
}
