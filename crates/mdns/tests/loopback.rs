//! The one real-socket test: a [`Resolver`] and a [`Responder`] on std UDP sockets resolve a name
//! over real IPv4 multicast on the loopback interface.
//!
//! It never touches a real network: the test creates a private network namespace
//! (`ip netns add rtcpeer-mdns-<pid>`) whose only interface is `lo`, turns multicast on for it
//! and routes 224.0.0.0/4 there, then runs this same test binary inside it (`ip netns exec`)
//! with an environment variable set, and deletes the namespace afterwards. The child writes a
//! marker file on success, so a child that ran no test cannot pass. Without root or `ip` the
//! test prints a notice and passes, unless `CI` is set, where it fails.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_mdns::{
    LocalName, MDNS_IPV4, Resolver, ResolverConfig, ResolverEvent, Responder, ResponderConfig,
};
use rtcpeer_types::{Protocol, Receive, Rng, Transmit};

/// Set (to the marker file path) in the child running inside the namespace.
const INSIDE_ENV: &str = "RTCPEER_MDNS_NETNS_MARKER";
const TEST_NAME: &str = "resolves_over_loopback_multicast_in_a_network_namespace";

#[test]
fn resolves_over_loopback_multicast_in_a_network_namespace() {
    match std::env::var_os(INSIDE_ENV) {
        Some(marker) => inside(PathBuf::from(marker)),
        None => outside(),
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|rest| rest.split_whitespace().nth(1))
            == Some("0")
    })
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Deletes the namespace when dropped, even if the test fails.
struct Namespace(String);

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.0]);
    }
}

fn outside() {
    if !is_root() || !ip(&["-V"]) {
        let why = "needs root and the `ip` tool to create a network namespace";
        if std::env::var_os("CI").is_some() {
            panic!("loopback mDNS test {why}");
        }
        eprintln!("notice: skipping the loopback mDNS test: it {why}");
        return;
    }
    let name = format!("rtcpeer-mdns-{}", std::process::id());
    assert!(ip(&["netns", "add", &name]), "ip netns add {name}");
    let ns = Namespace(name);
    for args in [
        &["link", "set", "lo", "up"][..],
        &["link", "set", "lo", "multicast", "on"],
        &["route", "add", "224.0.0.0/4", "dev", "lo"],
    ] {
        let mut full = vec!["netns", "exec", &ns.0, "ip"];
        full.extend_from_slice(args);
        assert!(ip(&full), "ip {}", full.join(" "));
    }
    let marker = std::env::temp_dir().join(format!("{}.ok", ns.0));
    let _ = std::fs::remove_file(&marker);
    let exe = std::env::current_exe().expect("the test binary's path");
    let status = Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(exe)
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(INSIDE_ENV, &marker)
        .status()
        .expect("run the test inside the namespace");
    assert!(status.success(), "the test inside the namespace failed");
    let written = std::fs::read_to_string(&marker).unwrap_or_default();
    let _ = std::fs::remove_file(&marker);
    assert_eq!(
        written, "resolved",
        "the test inside the namespace did not run"
    );
}

/// Sends every transmit of a machine from `socket`.
fn send_all(socket: &UdpSocket, transmits: impl Iterator<Item = Transmit>) {
    for t in transmits {
        socket
            .send_to(&t.contents, t.destination)
            .expect("send an mDNS datagram");
    }
}

/// Reads one datagram, if any is waiting.
fn recv(socket: &UdpSocket, destination: SocketAddr) -> Option<Receive> {
    let mut buf = [0u8; 9000];
    match socket.recv_from(&mut buf) {
        Ok((n, source)) => Some(Receive {
            protocol: Protocol::Udp,
            source,
            destination,
            contents: Bytes::copy_from_slice(buf.get(..n)?),
        }),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => None,
        Err(e) => panic!("recv: {e}"),
    }
}

#[allow(clippy::disallowed_methods)]
fn inside(marker: PathBuf) {
    let group = SocketAddr::new(MDNS_IPV4.into(), rtcpeer_mdns::MDNS_PORT);
    // The responder's mDNS socket: port 5353, joined to the group on lo.
    let mdns = UdpSocket::bind("0.0.0.0:5353").expect("bind 5353 inside the namespace");
    mdns.join_multicast_v4(&MDNS_IPV4, &Ipv4Addr::LOCALHOST)
        .expect("join 224.0.0.251 on lo");
    mdns.set_multicast_loop_v4(true).unwrap();
    mdns.set_nonblocking(true).unwrap();
    // The resolver's socket: an ephemeral port, so its queries are one-shot (RFC 6762 §5.1).
    let querier = UdpSocket::bind("127.0.0.1:0").unwrap();
    querier.set_multicast_loop_v4(true).unwrap();
    querier.set_nonblocking(true).unwrap();
    let querier_addr = querier.local_addr().unwrap();

    let start = Instant::now();
    let mut responder = Responder::new(
        ResponderConfig::new("127.0.0.1:5353".parse().unwrap()),
        Rng::from_entropy(),
    );
    let published = "10.11.12.13".parse().unwrap();
    let name: LocalName = responder.publish_address(start, published).unwrap();
    let mut resolver = Resolver::new(ResolverConfig::new(querier_addr), Rng::from_entropy());
    let id = resolver.query(start, &name).unwrap();

    let deadline = start + Duration::from_secs(10);
    let event = loop {
        let now = Instant::now();
        assert!(now < deadline, "no answer over loopback multicast");
        send_all(&mdns, std::iter::from_fn(|| responder.poll_transmit()));
        send_all(&querier, std::iter::from_fn(|| resolver.poll_transmit()));
        while let Some(rx) = recv(&mdns, group) {
            responder.handle_receive(now, &rx);
        }
        while let Some(rx) = recv(&querier, querier_addr) {
            resolver.handle_receive(now, &rx);
        }
        if resolver.poll_timeout().is_some_and(|t| t <= now) {
            resolver.handle_timeout(now);
        }
        if responder.poll_timeout().is_some_and(|t| t <= now) {
            responder.handle_timeout(now);
        }
        if let Some(e) = resolver.poll_event() {
            break e;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    assert_eq!(
        event,
        ResolverEvent::Resolved {
            id,
            name,
            addrs: vec![published]
        }
    );
    assert!(responder.stats().responses_sent >= 1);
    std::fs::write(marker, "resolved").unwrap();
}
