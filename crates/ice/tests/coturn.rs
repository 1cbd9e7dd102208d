//! Two ICE agents on loopback with the `relay` transport policy connect through a real coturn
//! (`turnserver`, Debian package `coturn`) over UDP, TCP and TLS, and exchange numbered
//! datagrams both ways through their relayed candidates. The agents run on real std sockets
//! (one UDP socket each, plus the TCP connection to the server for TCP and TLS) in a simple
//! poll loop.
//!
//! Without `turnserver` the tests print a notice and pass, unless `CI` is set, in which case
//! they fail: CI must install coturn (`apt-get install -y coturn`).
#![allow(clippy::disallowed_methods)] // Real sockets need the real clock.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rtcpeer_ice::{
    CandidateType, IceAgent, IceConfig, IceEvent, IceTransportPolicy, TlsSettings, TurnServer,
    TurnTransport,
};
use rtcpeer_testkit::coturn::{Coturn, PASS, USER, turnserver};
use rtcpeer_turn::rustls;
use rtcpeer_types::{Protocol, Receive, Rng};

/// A throwaway CA and a server certificate for `names`: (root store, cert PEM, key PEM).
fn test_pki(names: &[&str]) -> (rustls::RootCertStore, String, String) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "rtcpeer ice coturn test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_cert.der().clone()).unwrap();
    (roots, cert.pem(), key.serialize_pem())
}

/// An agent on a real UDP socket, with the TCP connections its TURN clients ask for.
struct Host {
    agent: IceAgent,
    udp: UdpSocket,
    local: SocketAddr,
    /// (local address the agent named, server) -> connection.
    streams: BTreeMap<(SocketAddr, SocketAddr), TcpStream>,
    candidates: Vec<rtcpeer_ice::Candidate>,
    end_of_candidates: bool,
    errors: Vec<IceEvent>,
    received: Vec<Bytes>,
}

impl Host {
    fn new(config: IceConfig, seed: u64, ip: IpAddr) -> Host {
        let udp = UdpSocket::bind(SocketAddr::new(ip, 0)).unwrap();
        udp.set_nonblocking(true).unwrap();
        let local = udp.local_addr().unwrap();
        let mut agent = IceAgent::new(config, Rng::from_seed(seed));
        agent.add_local_interface(local);
        Host {
            agent,
            udp,
            local,
            streams: BTreeMap::new(),
            candidates: Vec::new(),
            end_of_candidates: false,
            errors: Vec::new(),
            received: Vec::new(),
        }
    }

    /// Sends what the agent queued; returns whether there was anything.
    fn flush(&mut self) -> bool {
        let mut any = false;
        while let Some(t) = self.agent.poll_transmit() {
            any = true;
            match t.protocol {
                Protocol::Udp => {
                    // Refused while coturn starts: the TURN client retransmits.
                    let _ = self.udp.send_to(&t.contents, t.destination);
                }
                Protocol::Tcp | Protocol::Tls => {
                    let stream = self
                        .streams
                        .entry((t.source, t.destination))
                        .or_insert_with(|| connect(t.destination));
                    stream.write_all(&t.contents).unwrap();
                }
            }
        }
        any
    }

    /// Hands what arrived to the agent; returns whether there was anything.
    fn read(&mut self, protocol: Protocol) -> bool {
        let mut any = false;
        let mut buf = vec![0u8; 65_536];
        loop {
            match self.udp.recv_from(&mut buf) {
                Ok((n, from)) => {
                    any = true;
                    let rx = Receive {
                        protocol: Protocol::Udp,
                        source: from,
                        destination: self.local,
                        contents: Bytes::copy_from_slice(&buf[..n]),
                    };
                    self.agent.handle_receive(Instant::now(), rx);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                // An ICMP error for a datagram sent before coturn listened.
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {}
                Err(e) => panic!("udp recv: {e}"),
            }
        }
        let keys: Vec<_> = self.streams.keys().copied().collect();
        for (local, server) in keys {
            while let Some(stream) = self.streams.get_mut(&(local, server)) {
                match stream.read(&mut buf) {
                    Ok(0) => {
                        self.streams.remove(&(local, server));
                        self.agent
                            .handle_relay_connection_closed(Instant::now(), local, server);
                        break;
                    }
                    Ok(n) => {
                        any = true;
                        let rx = Receive {
                            protocol,
                            source: server,
                            destination: local,
                            contents: Bytes::copy_from_slice(&buf[..n]),
                        };
                        self.agent.handle_receive(Instant::now(), rx);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("tcp read: {e}"),
                }
            }
        }
        any
    }

    fn timers(&mut self) {
        let now = Instant::now();
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
    }

    /// Events: signalling goes to `other`, the rest is recorded.
    fn events(&mut self, other: &mut IceAgent) {
        while let Some(e) = self.agent.poll_event() {
            match e {
                IceEvent::LocalCandidate(c) => {
                    self.candidates.push((*c).clone());
                    other.add_remote_candidate(*c);
                }
                IceEvent::LocalEndOfCandidates => {
                    self.end_of_candidates = true;
                    other.end_of_remote_candidates();
                }
                IceEvent::Data(rx) => self.received.push(rx.contents),
                e @ IceEvent::CandidateError { .. } => self.errors.push(e),
                _ => {}
            }
        }
    }
}

/// A TCP connection to the server (retried while coturn starts), non-blocking.
fn connect(server: SocketAddr) -> TcpStream {
    let started = Instant::now();
    let s = loop {
        match TcpStream::connect(server) {
            Ok(s) => break s,
            Err(_) if started.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("connect to turnserver: {e}"),
        }
    };
    s.set_nodelay(true).unwrap();
    s.set_nonblocking(true).unwrap();
    s
}

/// One turn of the poll loop for both hosts.
fn step(a: &mut Host, b: &mut Host, protocol: Protocol) {
    let mut busy = a.flush() | b.flush();
    busy |= a.read(protocol) | b.read(protocol);
    a.timers();
    b.timers();
    a.events(&mut b.agent);
    b.events(&mut a.agent);
    busy |= a.flush() | b.flush();
    if !busy {
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn run_until(
    a: &mut Host,
    b: &mut Host,
    protocol: Protocol,
    what: &str,
    done: impl Fn(&Host, &Host) -> bool,
) {
    let end = Instant::now() + Duration::from_secs(20);
    while !done(a, b) {
        assert!(
            Instant::now() < end,
            "timed out waiting for {what}: a {:?} {:?} {:?}; b {:?} {:?} {:?}",
            a.agent.connection_state(),
            a.errors,
            a.agent.relay_stats(),
            b.agent.connection_state(),
            b.errors,
            b.agent.relay_stats()
        );
        step(a, b, protocol);
    }
}

/// Two relay-only agents through coturn over `transport`, then numbered datagrams both ways.
/// The agents' sockets are of the server's family, and so are their relayed addresses.
fn scenario(server: SocketAddr, transport: TurnTransport) {
    let protocol = transport.protocol();
    let config = IceConfig {
        turn_servers: vec![TurnServer::udp(server, USER, PASS).with_transport(transport)],
        transport_policy: IceTransportPolicy::Relay,
        include_loopback: true,
        ..IceConfig::default()
    };
    let mut a = Host::new(config.clone(), 1, server.ip());
    let mut b = Host::new(config, 2, server.ip());
    a.agent.set_role(true);
    let (ca, cb) = (
        a.agent.local_credentials().clone(),
        b.agent.local_credentials().clone(),
    );
    a.agent.set_remote_credentials(&cb.ufrag, &cb.pwd).unwrap();
    b.agent.set_remote_credentials(&ca.ufrag, &ca.pwd).unwrap();
    let now = Instant::now();
    a.agent.gather(now);
    b.agent.gather(now);
    run_until(&mut a, &mut b, protocol, "a selected pair", |a, b| {
        a.agent.selected_pair(1).is_some() && b.agent.selected_pair(1).is_some()
    });
    for h in [&a, &b] {
        assert!(h.errors.is_empty(), "{:?}", h.errors);
        assert_eq!(h.candidates.len(), 1, "{:?}", h.candidates);
        assert_eq!(h.candidates[0].candidate_type, CandidateType::Relayed);
        assert_eq!(
            h.candidates[0].address.is_ipv6(),
            server.is_ipv6(),
            "relayed in the server's family"
        );
        let (local, remote) = h.agent.selected_pair(1).unwrap();
        assert_eq!(local.candidate_type, CandidateType::Relayed);
        assert_eq!(remote.candidate_type, CandidateType::Relayed);
        let stats = h.agent.relay_stats();
        assert_eq!(stats.len(), 1);
        assert_eq!(stats[0].1, protocol);
    }
    // Numbered datagrams both ways, paced a little so the loop keeps up.
    const N: u32 = 50;
    for i in 0..N {
        let now = Instant::now();
        let mut d = vec![23u8];
        d.extend_from_slice(&i.to_be_bytes());
        a.agent.send(now, d.clone()).unwrap();
        b.agent.send(now, d).unwrap();
        step(&mut a, &mut b, protocol);
    }
    run_until(&mut a, &mut b, protocol, "all datagrams", |a, b| {
        a.received.len() >= N as usize && b.received.len() >= N as usize
    });
    for h in [&a, &b] {
        let mut numbers: Vec<u32> = h
            .received
            .iter()
            .map(|d| u32::from_be_bytes(d[1..5].try_into().unwrap()))
            .collect();
        numbers.sort_unstable();
        assert_eq!(numbers, (0..N).collect::<Vec<_>>());
        // Data went over the channel bound for the selected pair, or in Send indications
        // before it was confirmed.
        let st = h.agent.relay_stats()[0].2;
        assert!(
            st.channel_data_sent + st.send_indications >= u64::from(N),
            "{st:?}"
        );
    }
    a.agent.close();
    b.agent.close();
    a.flush();
    b.flush();
}

#[test]
fn relay_only_agents_connect_through_coturn_over_udp() {
    let Some(bin) = turnserver() else { return };
    let coturn = Coturn::start(&bin, None);
    scenario(
        SocketAddr::from(([127, 0, 0, 1], coturn.port)),
        TurnTransport::Udp,
    );
}

#[test]
fn relay_only_agents_connect_through_coturn_over_tcp() {
    let Some(bin) = turnserver() else { return };
    let coturn = Coturn::start(&bin, None);
    scenario(
        SocketAddr::from(([127, 0, 0, 1], coturn.port)),
        TurnTransport::Tcp,
    );
}

#[test]
fn relay_only_agents_connect_through_coturn_over_tls() {
    let Some(bin) = turnserver() else { return };
    let (roots, cert, key) = test_pki(&["turn.rtcpeer.test", "127.0.0.1"]);
    let coturn = Coturn::start(&bin, Some((&cert, &key)));
    let name = rustls::pki_types::ServerName::try_from("turn.rtcpeer.test").unwrap();
    let settings = TlsSettings::new(roots, name).unwrap();
    scenario(
        SocketAddr::from(([127, 0, 0, 1], coturn.tls_port)),
        TurnTransport::Tls(settings),
    );
}

/// coturn on `::1` only, relaying on `::1`, over UDP and TCP (the shared launcher listens on
/// 127.0.0.1).
struct Coturn6 {
    child: std::process::Child,
    dir: std::path::PathBuf,
    port: u16,
}

impl Coturn6 {
    fn start(bin: &std::path::Path) -> Coturn6 {
        let port = rtcpeer_testkit::coturn::free_port();
        let dir =
            std::env::temp_dir().join(format!("rtcpeer-coturn6-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = std::fs::File::create(dir.join("turnserver.log")).unwrap();
        let child = std::process::Command::new(bin)
            .args([
                "-n",
                "--listening-ip=::1",
                "--relay-ip=::1",
                "--lt-cred-mech",
                "--user",
                &format!("{USER}:{PASS}"),
                "--realm",
                rtcpeer_testkit::coturn::REALM,
                "--allow-loopback-peers",
                "--no-cli",
                "--no-multicast-peers",
                "--no-dtls",
                "--no-tls",
                "--log-file=stdout",
                "--simple-log",
            ])
            .arg(format!("--listening-port={port}"))
            .arg(format!(
                "--pidfile={}",
                dir.join("turnserver.pid").display()
            ))
            .arg(format!("--userdb={}", dir.join("turndb").display()))
            .stdout(std::process::Stdio::from(log.try_clone().unwrap()))
            .stderr(std::process::Stdio::from(log))
            .spawn()
            .expect("start turnserver");
        Coturn6 { child, dir, port }
    }
}

impl Drop for Coturn6 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking()
            && let Ok(log) = std::fs::read_to_string(self.dir.join("turnserver.log"))
        {
            eprintln!("---- turnserver log ----\n{log}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether this host can bind `::1` (IPv6 may be disabled in a container).
fn ipv6_loopback() -> bool {
    let ok = UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).is_ok();
    if !ok {
        eprintln!("NOTICE: no IPv6 loopback; skipping an IPv6 coturn test");
    }
    ok
}

#[test]
fn ipv6_relays_through_coturn_over_udp() {
    let Some(bin) = turnserver() else { return };
    if !ipv6_loopback() {
        return;
    }
    let coturn = Coturn6::start(&bin);
    scenario(
        SocketAddr::from((Ipv6Addr::LOCALHOST, coturn.port)),
        TurnTransport::Udp,
    );
}

#[test]
fn ipv6_relays_through_coturn_over_tcp() {
    let Some(bin) = turnserver() else { return };
    if !ipv6_loopback() {
        return;
    }
    let coturn = Coturn6::start(&bin);
    scenario(
        SocketAddr::from((Ipv6Addr::LOCALHOST, coturn.port)),
        TurnTransport::Tcp,
    );
}
