//! The whole data channel stack between two hosts of the simulated network: DTLS
//! (`rtcpeer-dtls`, one host client and the other server, fingerprints exchanged out of band),
//! SCTP in DTLS records (RFC 8261) and data channels with DCEP (RFC 8831, RFC 8832), under
//! `rtcpeer-netsim` with loss, jitter, reordering and duplication.
//!
//! Each host runs a [`Peer`]: a netsim [`Endpoint`] that owns a [`DtlsTransport`] and a
//! [`DataChannels`] and pumps between them, as the peer core will. Every run is seeded from
//! [`rtcpeer_netsim::seed()`] (`NETSIM_SEED` replays one) and prints its seed when it fails;
//! virtual time makes minutes of simulated traffic take milliseconds.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use rtcpeer_dtls::{
    Certificate, CertificateParams, DtlsConfig, DtlsEvent, DtlsFailure, DtlsRole as DtlsSide,
    DtlsTransport, DtlsTransportState, DtlsVersions,
};
use rtcpeer_netsim::{Direction, Endpoint, HostId, LinkConditions, Loss, Network, SeedGuard, Zone};
use rtcpeer_sctp::datachannel::{ChannelEvent, ChannelMessage, DataChannelInit, DtlsRole};
use rtcpeer_sctp::{CloseReason, Config, DataChannels};
use rtcpeer_types::{Protocol, Receive, Rng, Transmit};

// ---- the adapter -------------------------------------------------------------------------

/// What one side saw.
#[derive(Debug, Default)]
struct Log {
    connected: bool,
    incoming: Vec<u16>,
    open: BTreeSet<u16>,
    closed: BTreeSet<u16>,
    messages: HashMap<u16, Vec<ChannelMessage>>,
    /// The channel of each message, in order of arrival.
    arrivals: Vec<u16>,
    association_closed: Option<CloseReason>,
    dtls_failed: Option<DtlsFailure>,
    dtls_connected: bool,
}

impl Log {
    fn record(&mut self, e: ChannelEvent) {
        match e {
            ChannelEvent::Connected => self.connected = true,
            ChannelEvent::Incoming { id } => self.incoming.push(id),
            ChannelEvent::Open { id } => {
                self.open.insert(id);
            }
            ChannelEvent::Closed { id } => {
                self.closed.insert(id);
            }
            ChannelEvent::Message { id, message } => {
                self.arrivals.push(id);
                self.messages.entry(id).or_default().push(message)
            }
            ChannelEvent::AssociationClosed { reason } => self.association_closed = Some(reason),
            _ => {}
        }
    }

    fn received(&self, id: u16) -> &[ChannelMessage] {
        self.messages.get(&id).map_or(&[], |v| &v[..])
    }
}

/// One host: DTLS carrying the SCTP association of the data channels.
struct Peer {
    addr: SocketAddr,
    remote: SocketAddr,
    dtls: DtlsTransport,
    dc: DataChannels,
    log: Log,
    /// DTLS datagrams received, kept for the replay test (when `keep_received` is set).
    received: Vec<Bytes>,
    keep_received: bool,
}

impl Peer {
    /// Moves everything between DTLS and SCTP until neither has anything more to say.
    fn pump(&mut self, now: Instant) {
        loop {
            let mut moved = false;
            while let Some(e) = self.dtls.poll_event() {
                moved = true;
                match e {
                    DtlsEvent::Connected(_) => {
                        self.log.dtls_connected = true;
                        // Both WebRTC peers start the association (RFC 8841 §8.1).
                        self.dc.connect();
                    }
                    DtlsEvent::ApplicationData(packet) => self.dc.handle_receive_bytes(now, packet),
                    DtlsEvent::Failed(f) => {
                        self.log.dtls_failed = Some(f);
                        self.dc.abort();
                    }
                    DtlsEvent::Closed { .. } => self.dc.abort(),
                    _ => {}
                }
            }
            while let Some(packet) = self.dc.poll_transmit(now) {
                moved = true;
                if self.dtls.state() == DtlsTransportState::Connected {
                    self.dtls
                        .send_application_data(&packet)
                        .expect("an SCTP packet fits one DTLS record");
                }
            }
            while let Some(e) = self.dc.poll_event() {
                moved = true;
                self.log.record(e);
            }
            if !moved {
                return;
            }
        }
    }

    /// A datagram that did not come from the network (an attacker's, or a replay).
    fn inject(&mut self, now: Instant, datagram: &[u8]) {
        self.dtls.handle_receive(now, datagram);
        self.pump(now);
    }
}

impl Endpoint for Peer {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        if self.keep_received {
            self.received.push(rx.contents.clone());
        }
        self.dtls.handle_receive(now, &rx.contents);
        self.pump(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.dtls.poll_timeout().is_some_and(|t| t <= now) {
            self.dtls.handle_timeout(now);
        }
        if self.dc.poll_timeout().is_some_and(|t| t <= now) {
            self.dc.handle_timeout(now);
        }
        self.pump(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.pump(now);
        self.dtls.poll_transmit().map(|contents| Transmit {
            protocol: Protocol::Udp,
            source: self.addr,
            destination: self.remote,
            contents,
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        [self.dtls.poll_timeout(), self.dc.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }
}

// ---- the simulation ------------------------------------------------------------------------

/// The wall-clock time the certificates are checked at (2025-06-15).
fn wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

fn certificate(rng: &mut Rng) -> Certificate {
    Certificate::generate(&CertificateParams::default(), wall_clock(), rng).expect("certificate")
}

struct Opts {
    /// Conditions of host a's link (both directions), so they apply once per datagram.
    conditions: LinkConditions,
    /// Conditions of host b's link.
    b_conditions: LinkConditions,
    sctp: Config,
    versions: DtlsVersions,
    /// Give the client a fingerprint that is not the server's.
    wrong_fingerprint: bool,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            conditions: LinkConditions::with_delay(Duration::from_millis(10)),
            b_conditions: LinkConditions::with_delay(Duration::from_millis(10)),
            sctp: Config::default(),
            versions: DtlsVersions::Auto,
            wrong_fingerprint: false,
        }
    }
}

/// Delay, jitter, reordering and duplication, with `loss` random loss, for host a's link.
fn impaired(loss: f64) -> LinkConditions {
    LinkConditions::with_delay(Duration::from_millis(15))
        .jitter(Duration::from_millis(1))
        .reorder(0.01, Duration::from_millis(10))
        .duplicate(0.01)
        .loss(if loss > 0.0 {
            Loss::Random(loss)
        } else {
            Loss::None
        })
}

struct Sim {
    net: Network,
    /// DTLS client.
    a: HostId,
    /// DTLS server.
    b: HostId,
    _guard: SeedGuard,
}

impl Sim {
    fn new(opts: Opts) -> Sim {
        let guard = SeedGuard::new(rtcpeer_netsim::seed());
        let mut net = Network::new(guard.seed());
        let mut rng = net.fork_rng();
        let addr_a: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        let addr_b: SocketAddr = "198.51.100.2:6000".parse().unwrap();
        let cert_a = certificate(&mut rng);
        let cert_b = certificate(&mut rng);
        let now = net.now();
        let dtls_config = |cert: &Certificate, remote: &Certificate| {
            let mut c = DtlsConfig::new(cert.clone(), wall_clock());
            c.remote_fingerprints = remote.fingerprints();
            c.versions = opts.versions;
            // Enough flight retransmissions for a handshake through 20 % loss.
            c.max_retransmits = 10;
            c.handshake_timeout = Duration::from_secs(120);
            c
        };
        let mut config_a = dtls_config(&cert_a, &cert_b);
        if opts.wrong_fingerprint {
            config_a.remote_fingerprints = certificate(&mut rng).fingerprints();
        }
        let config_b = dtls_config(&cert_b, &cert_a);
        let peer = |addr: SocketAddr,
                    remote: SocketAddr,
                    config: DtlsConfig,
                    side: DtlsSide,
                    role: DtlsRole,
                    rng: &mut Rng| Peer {
            addr,
            remote,
            dtls: DtlsTransport::new(config, side, now, rng).expect("DTLS transport"),
            dc: DataChannels::new(opts.sctp.clone(), role, now, rng.fork()),
            log: Log::default(),
            received: Vec::new(),
            keep_received: false,
        };
        let pa = peer(
            addr_a,
            addr_b,
            config_a,
            DtlsSide::Client,
            DtlsRole::Client,
            &mut rng,
        );
        let pb = peer(
            addr_b,
            addr_a,
            config_b,
            DtlsSide::Server,
            DtlsRole::Server,
            &mut rng,
        );
        let a = net
            .add_host("a", Zone::Internet, &[addr_a.ip()], pa)
            .unwrap();
        let b = net
            .add_host("b", Zone::Internet, &[addr_b.ip()], pb)
            .unwrap();
        net.set_link(a, opts.conditions).unwrap();
        net.set_link(b, opts.b_conditions).unwrap();
        Sim {
            net,
            a,
            b,
            _guard: guard,
        }
    }

    fn peer(&self, h: HostId) -> &Peer {
        self.net.endpoint::<Peer>(h).expect("a Peer")
    }

    fn peer_mut(&mut self, h: HostId) -> &mut Peer {
        self.net.endpoint_mut::<Peer>(h).expect("a Peer")
    }

    fn both(&self) -> (&Peer, &Peer) {
        (self.peer(self.a), self.peer(self.b))
    }

    /// Runs until `done` holds, or fails the test after `within` of virtual time.
    fn run(&mut self, within: Duration, what: &str, mut done: impl FnMut(&Peer, &Peer) -> bool) {
        let (a, b) = (self.a, self.b);
        let result = self.net.run_until(
            |net| {
                let pa = net.endpoint::<Peer>(a).expect("a Peer");
                let pb = net.endpoint::<Peer>(b).expect("a Peer");
                done(pa, pb)
            },
            within,
        );
        if let Err(e) = result {
            let (pa, pb) = self.both();
            panic!(
                "{what}: {e}\n a: dtls {:?} {:?} sctp {:?} {:?}\n b: dtls {:?} {:?} sctp {:?} {:?}",
                pa.dtls.state(),
                pa.dtls.stats(),
                pa.dc.association().state(),
                pa.dc.association().stats(),
                pb.dtls.state(),
                pb.dtls.stats(),
                pb.dc.association().state(),
                pb.dc.association().stats(),
            );
        }
    }

    /// Runs until both associations are up.
    fn connect(&mut self) {
        self.run(Duration::from_secs(120), "connect", |a, b| {
            a.log.connected && b.log.connected
        });
    }

    /// Opens a channel from a (DCEP) and runs until both ends have it open.
    fn open(&mut self, init: DataChannelInit) -> u16 {
        let a = self.a;
        let id = self.peer_mut(a).dc.create_channel(init).expect("channel");
        self.run(Duration::from_secs(60), "open", |pa, pb| {
            pa.log.open.contains(&id) && pb.log.open.contains(&id)
        });
        id
    }
}

// ---- messages ------------------------------------------------------------------------------

/// Message `i` of a stream of test messages: its index is readable from its first bytes, the
/// rest is a pattern, every fifth one is a string.
fn message(rng: &mut Rng, i: u32, max_len: usize) -> ChannelMessage {
    let len = rng.range_u64(9, max_len as u64 + 1) as usize;
    if i % 5 == 4 {
        let mut s = format!("{i:08}|");
        while s.len() < len {
            s.push(char::from(b'a' + ((s.len() as u32 + i) % 26) as u8));
        }
        ChannelMessage::Text(s)
    } else {
        let mut b = BytesMut::with_capacity(len);
        b.extend_from_slice(&i.to_be_bytes());
        b.extend((4..len).map(|k| (k as u32).wrapping_mul(131).wrapping_add(i) as u8));
        ChannelMessage::Binary(b.freeze())
    }
}

fn index_of(m: &ChannelMessage) -> u32 {
    match m {
        ChannelMessage::Text(s) => s.get(..8).and_then(|d| d.parse().ok()).expect("index"),
        ChannelMessage::Binary(b) => u32::from_be_bytes(b[..4].try_into().expect("index")),
    }
}

fn send(dc: &mut DataChannels, id: u16, m: &ChannelMessage) {
    match m {
        ChannelMessage::Text(s) => dc.send_text(id, s),
        ChannelMessage::Binary(b) => dc.send_binary(id, b.clone()),
    }
    .expect("send");
}

/// Checks what arrived on a partially reliable channel: each message at most once, intact,
/// and in sending order if the channel is ordered. Returns how many arrived.
fn check_subset(
    sent: &[ChannelMessage],
    got: &[ChannelMessage],
    ordered: bool,
    what: &str,
) -> usize {
    let mut seen = BTreeSet::new();
    let mut last = None;
    for m in got {
        let i = index_of(m);
        assert_eq!(Some(m), sent.get(i as usize), "{what}: message {i} damaged");
        assert!(seen.insert(i), "{what}: message {i} delivered twice");
        if ordered {
            assert!(last < Some(i), "{what}: message {i} after {last:?}");
        }
        last = Some(i);
    }
    got.len()
}

fn sorted(ms: &[ChannelMessage]) -> Vec<ChannelMessage> {
    let mut v = ms.to_vec();
    v.sort_by_key(index_of);
    v
}

// ---- scenarios -----------------------------------------------------------------------------

/// Reliable ordered and unordered channels both ways and two partially reliable channels
/// beside them, through `loss` random loss with jitter, reordering and duplication.
fn mixed_traffic(loss: f64) {
    let mut sim = Sim::new(Opts {
        conditions: impaired(loss),
        ..Opts::default()
    });
    sim.connect();
    let reliable = sim.open(DataChannelInit {
        label: "reliable".into(),
        ..Default::default()
    });
    let unordered = sim.open(DataChannelInit {
        label: "unordered".into(),
        ordered: false,
        ..Default::default()
    });
    let rtx0 = sim.open(DataChannelInit {
        label: "rtx0".into(),
        ordered: false,
        max_retransmits: Some(0),
        ..Default::default()
    });
    let life = sim.open(DataChannelInit {
        label: "life100".into(),
        max_packet_life_time: Some(100),
        ..Default::default()
    });
    let mut rng = Rng::from_seed(sim.net.seed() ^ 0x5eed);
    let (a, b) = (sim.a, sim.b);
    let mut sent: HashMap<(bool, u16), Vec<ChannelMessage>> = HashMap::new();
    // 100 rounds of sending, 50 ms apart.
    for _round in 0..100 {
        for (from_a, id, count, max_len) in [
            (true, reliable, 3, 3000),
            (false, reliable, 3, 3000),
            (true, unordered, 1, 2000),
            (false, unordered, 1, 2000),
            (true, rtx0, 2, 1500),
            (true, life, 2, 1500),
        ] {
            let list = sent.entry((from_a, id)).or_default();
            let host = if from_a { a } else { b };
            for _ in 0..count {
                let m = message(&mut rng, list.len() as u32, max_len);
                send(&mut sim.peer_mut(host).dc, id, &m);
                list.push(m);
            }
        }
        sim.net.run_for(Duration::from_millis(50)).unwrap();
    }
    let want_ab = sent[&(true, reliable)].len();
    let want_ba = sent[&(false, reliable)].len();
    let want_u = sent[&(true, unordered)].len();
    sim.run(Duration::from_secs(300), "reliable delivery", |pa, pb| {
        pb.log.received(reliable).len() >= want_ab
            && pa.log.received(reliable).len() >= want_ba
            && pb.log.received(unordered).len() >= want_u
            && pa.log.received(unordered).len() >= want_u
    });
    // Let the partially reliable channels settle (FORWARD-TSN, late arrivals).
    sim.net.run_for(Duration::from_secs(5)).unwrap();
    let (pa, pb) = sim.both();
    assert_eq!(pb.log.received(reliable), &sent[&(true, reliable)][..]);
    assert_eq!(pa.log.received(reliable), &sent[&(false, reliable)][..]);
    assert_eq!(sorted(pb.log.received(unordered)), sent[&(true, unordered)]);
    assert_eq!(
        sorted(pa.log.received(unordered)),
        sent[&(false, unordered)]
    );
    let got_rtx0 = check_subset(&sent[&(true, rtx0)], pb.log.received(rtx0), false, "rtx0");
    let got_life = check_subset(&sent[&(true, life)], pb.log.received(life), true, "life100");
    let n = sent[&(true, rtx0)].len();
    // Messages of one or two chunks sent once: with `loss` per datagram most still arrive;
    // without loss only spurious loss detection after reordering drops any.
    let floor = ((1.0 - loss) * (1.0 - loss) * 0.8 * n as f64) as usize;
    assert!(
        got_rtx0 >= floor,
        "rtx0: {got_rtx0} of {n} arrived (floor {floor})"
    );
    // 100 ms is shorter than RTO.Min: a message whose chunk is lost survives only a fast
    // retransmit, and a congestion window collapsed by T3-rtx expiries lets messages expire
    // in the queue, so through loss only the properties above hold; without loss most arrive.
    if loss == 0.0 {
        assert!(got_life >= n / 2, "life100: {got_life} of {n} arrived");
    }
    if loss > 0.0 {
        assert!(
            pa.dc.association().stats().retransmissions > 0,
            "loss without retransmissions"
        );
    }
    assert_eq!(pa.dtls.state(), DtlsTransportState::Connected);
    assert_eq!(pb.dtls.state(), DtlsTransportState::Connected);
}

#[test]
fn mixed_traffic_without_loss() {
    mixed_traffic(0.0);
}

#[test]
fn mixed_traffic_with_5_percent_loss() {
    mixed_traffic(0.05);
}

#[test]
fn mixed_traffic_with_20_percent_loss() {
    mixed_traffic(0.20);
}

/// During an outage of the a→b direction, partially reliable messages are given up exactly as
/// their limits say (sent once; or older than 100 ms by the time they could be resent), while
/// reliable ones beside them arrive; before and after it, everything arrives.
#[test]
fn partial_reliability_drops_only_what_its_limits_say() {
    let mut sim = Sim::new(Opts::default());
    sim.connect();
    let reliable = sim.open(DataChannelInit {
        label: "reliable".into(),
        ..Default::default()
    });
    let rtx0 = sim.open(DataChannelInit {
        label: "rtx0".into(),
        max_retransmits: Some(0),
        ..Default::default()
    });
    let life = sim.open(DataChannelInit {
        label: "life100".into(),
        max_packet_life_time: Some(100),
        ..Default::default()
    });
    let mut rng = Rng::from_seed(sim.net.seed());
    let a = sim.a;
    let mut sent: HashMap<u16, Vec<ChannelMessage>> = HashMap::new();
    let mut phase = |sim: &mut Sim, count: usize| -> Vec<u32> {
        let mut indices = Vec::new();
        for id in [reliable, rtx0, life] {
            let list = sent.entry(id).or_default();
            for _ in 0..count {
                let i = list.len() as u32;
                let m = message(&mut rng, i, 300);
                send(&mut sim.peer_mut(a).dc, id, &m);
                list.push(m);
                if id == rtx0 {
                    indices.push(i);
                }
            }
        }
        indices
    };
    // Before: a clean link delivers everything, even what may not be retransmitted.
    for _ in 0..10 {
        phase(&mut sim, 3);
        sim.net.run_for(Duration::from_millis(30)).unwrap();
    }
    sim.net.run_for(Duration::from_secs(1)).unwrap();
    let before = 30;
    {
        let (_, pb) = sim.both();
        for id in [reliable, rtx0, life] {
            assert_eq!(
                pb.log.received(id).len(),
                before,
                "channel {id} before the outage"
            );
        }
    }
    // Outage: three small messages per channel (well within the congestion window, so each is
    // transmitted once, into the void).
    let lost = LinkConditions {
        loss: Loss::Random(1.0),
        ..LinkConditions::with_delay(Duration::from_millis(10))
    };
    sim.net.set_link_direction(a, Direction::Up, lost).unwrap();
    phase(&mut sim, 3);
    sim.net.run_for(Duration::from_millis(250)).unwrap();
    sim.net
        .set_link(a, LinkConditions::with_delay(Duration::from_millis(10)))
        .unwrap();
    // After: everything arrives again.
    for _ in 0..10 {
        phase(&mut sim, 3);
        sim.net.run_for(Duration::from_millis(30)).unwrap();
    }
    let total = sent[&reliable].len();
    sim.run(Duration::from_secs(30), "reliable delivery", |_, pb| {
        pb.log.received(reliable).len() >= total
    });
    sim.net.run_for(Duration::from_secs(2)).unwrap();
    let (_, pb) = sim.both();
    assert_eq!(pb.log.received(reliable), &sent[&reliable][..]);
    let outage: Vec<u32> = (before as u32..before as u32 + 3).collect();
    for id in [rtx0, life] {
        let got = pb.log.received(id);
        check_subset(&sent[&id], got, true, "partially reliable");
        let indices: Vec<u32> = got.iter().map(index_of).collect();
        let want: Vec<u32> = (0..sent[&id].len() as u32)
            .filter(|i| !outage.contains(i))
            .collect();
        assert_eq!(
            indices, want,
            "channel {id}: exactly the outage's messages are lost"
        );
    }
}

/// One 256 KiB and one 16 MiB message (max-message-size raised), with jitter, reordering,
/// duplication and 5 % loss.
#[test]
fn large_messages_256_kib_and_16_mib() {
    let big = 16 * 1024 * 1024;
    let sctp = Config {
        max_message_size: big,
        ..Config::default()
    };
    let mut sim = Sim::new(Opts {
        conditions: impaired(0.05),
        sctp,
        ..Opts::default()
    });
    sim.connect();
    let id = sim.open(DataChannelInit::default());
    let (a, b) = (sim.a, sim.b);
    let pattern = |len: usize, seed: u8| -> Bytes {
        (0..len)
            .map(|i| {
                (i as u32)
                    .wrapping_mul(2_654_435_761)
                    .rotate_left(seed.into()) as u8
            })
            .collect()
    };
    let m1 = pattern(256 * 1024, 3);
    let m2 = pattern(big, 7);
    let m3 = pattern(256 * 1024, 11);
    sim.peer_mut(a).dc.send_binary(id, m1.clone()).unwrap();
    sim.peer_mut(a).dc.send_binary(id, m2.clone()).unwrap();
    sim.peer_mut(b).dc.send_binary(id, m3.clone()).unwrap();
    sim.run(Duration::from_secs(600), "large messages", |pa, pb| {
        pb.log.received(id).len() >= 2 && !pa.log.received(id).is_empty()
    });
    let (pa, pb) = sim.both();
    assert_eq!(
        pb.log.received(id),
        &[ChannelMessage::Binary(m1), ChannelMessage::Binary(m2)][..]
    );
    assert_eq!(pa.log.received(id), &[ChannelMessage::Binary(m3)][..]);
}

/// RFC 8260 interleaving through DTLS under loss: a chat message sent right after a 1 MiB
/// file on another channel arrives first, within a few round trips, and the file intact.
#[test]
fn chat_message_overtakes_a_large_file_on_another_channel() {
    let sctp = Config {
        max_message_size: 2 * 1024 * 1024,
        ..Config::default()
    };
    let mut sim = Sim::new(Opts {
        conditions: impaired(0.05),
        sctp,
        ..Opts::default()
    });
    sim.connect();
    let file = sim.open(DataChannelInit::default());
    let chat = sim.open(DataChannelInit::default());
    let (a, b) = (sim.a, sim.b);
    assert!(sim.peer(a).dc.association().interleaving_in_use());
    let big: Bytes = (0..1024 * 1024)
        .map(|i: u32| (i * 7 + i / 1001) as u8)
        .collect();
    sim.peer_mut(a).dc.send_binary(file, big.clone()).unwrap();
    sim.peer_mut(a)
        .dc
        .send_text(chat, "are you there?")
        .unwrap();
    let start = sim.net.now();
    sim.run(Duration::from_secs(600), "file and chat", |_, pb| {
        !pb.log.received(file).is_empty() && !pb.log.received(chat).is_empty()
    });
    let pb = sim.peer(b);
    assert_eq!(
        pb.log.arrivals,
        vec![chat, file],
        "the chat message came first"
    );
    assert_eq!(pb.log.received(file), &[ChannelMessage::Binary(big)][..]);
    assert_eq!(
        pb.log.received(chat),
        &[ChannelMessage::Text("are you there?".into())][..]
    );
    assert!(
        sim.net.now() - start > Duration::from_millis(100),
        "the file took a while"
    );
}

/// 1,000 channels (500 opened by each side) open, carry a message each, and close from the side
/// that opened them; both sides see every one close and keep none.
#[test]
fn thousand_channels_open_and_close() {
    let mut sim = Sim::new(Opts {
        conditions: impaired(0.02),
        ..Opts::default()
    });
    sim.connect();
    let (a, b) = (sim.a, sim.b);
    let mut ids = HashMap::new();
    for host in [a, b] {
        let mut mine = Vec::new();
        for i in 0..500 {
            let init = DataChannelInit {
                label: format!("ch{i}"),
                ..Default::default()
            };
            mine.push(sim.peer_mut(host).dc.create_channel(init).unwrap());
        }
        ids.insert(host, mine);
    }
    let all: BTreeSet<u16> = ids.values().flatten().copied().collect();
    assert_eq!(all.len(), 1000);
    let want = all.clone();
    sim.run(Duration::from_secs(60), "1000 channels open", |pa, pb| {
        pa.log.open == want && pb.log.open == want
    });
    for host in [a, b] {
        for &id in &ids[&host] {
            let text = format!("hello on {id}");
            sim.peer_mut(host).dc.send_text(id, &text).unwrap();
        }
    }
    sim.run(Duration::from_secs(60), "a message on each", |pa, pb| {
        pa.log.messages.len() == 500 && pb.log.messages.len() == 500
    });
    for host in [a, b] {
        for &id in &ids[&host] {
            sim.peer_mut(host).dc.close(id).unwrap();
        }
    }
    let want = all.clone();
    sim.run(
        Duration::from_secs(120),
        "1000 channels closed",
        |pa, pb| pa.log.closed == want && pb.log.closed == want,
    );
    let (pa, pb) = sim.both();
    assert_eq!(pa.dc.channel_ids().count(), 0);
    assert_eq!(pb.dc.channel_ids().count(), 0);
    for host in [pa, pb] {
        for (&id, ms) in &host.log.messages {
            assert_eq!(ms, &[ChannelMessage::Text(format!("hello on {id}"))]);
        }
    }
}

/// A peer that vanishes (its link loses everything) is detected: by retransmission limits on
/// the side with data in flight, by heartbeats on the idle side; every channel closes.
#[test]
fn vanished_peer_is_detected() {
    let mut sim = Sim::new(Opts::default());
    sim.connect();
    let id = sim.open(DataChannelInit::default());
    let (a, b) = (sim.a, sim.b);
    sim.net
        .set_link(
            b,
            LinkConditions {
                loss: Loss::Random(1.0),
                ..LinkConditions::default()
            },
        )
        .unwrap();
    for i in 0..20u8 {
        sim.peer_mut(a)
            .dc
            .send_binary(id, Bytes::from(vec![i; 1000]))
            .unwrap();
    }
    sim.run(Duration::from_secs(180), "a notices", |pa, _| {
        pa.log.association_closed.is_some()
    });
    sim.run(Duration::from_secs(600), "b notices", |_, pb| {
        pb.log.association_closed.is_some()
    });
    let (pa, pb) = sim.both();
    for p in [pa, pb] {
        assert_eq!(p.log.association_closed, Some(CloseReason::PeerUnreachable));
        assert!(p.log.closed.contains(&id));
        assert_eq!(p.dc.channel_ids().count(), 0);
        assert!(p.dc.association().is_closed());
    }
    assert!(pa.log.received(id).is_empty() && pb.log.received(id).is_empty());
}

/// A client given the wrong fingerprint for the server fails DTLS with fingerprint-failure;
/// no association starts and no channel opens on either side.
#[test]
fn wrong_fingerprint_fails_the_connection() {
    let mut sim = Sim::new(Opts {
        wrong_fingerprint: true,
        ..Opts::default()
    });
    let a = sim.a;
    let early = sim
        .peer_mut(a)
        .dc
        .create_channel(DataChannelInit::default())
        .unwrap();
    sim.run(Duration::from_secs(10), "client fails", |pa, _| {
        pa.log.dtls_failed.is_some()
    });
    // Give the server every chance to (wrongly) get further.
    let _ = sim.net.run_for(Duration::from_secs(200));
    let (pa, pb) = sim.both();
    let failure = pa.log.dtls_failed.as_ref().unwrap();
    assert!(
        matches!(failure, DtlsFailure::FingerprintMismatch { .. }),
        "{failure:?}"
    );
    assert_eq!(failure.error_detail(), "fingerprint-failure");
    assert_eq!(pa.dtls.state(), DtlsTransportState::Failed);
    assert_ne!(pb.dtls.state(), DtlsTransportState::Connected);
    for p in [pa, pb] {
        assert!(!p.log.dtls_connected);
        assert!(!p.log.connected);
        assert!(p.log.open.is_empty() && p.log.incoming.is_empty());
        assert_eq!(p.dc.association().stats().packets_received, 0);
    }
    // The channel created early never opened; it closed with the transport.
    assert!(pa.log.closed.contains(&early));
}

/// Replayed and forged DTLS records injected in the middle of a transfer are dropped (and
/// counted) without disturbing it.
#[test]
fn replayed_and_forged_records_are_dropped() {
    for versions in [DtlsVersions::Dtls12Only, DtlsVersions::Auto] {
        let mut sim = Sim::new(Opts {
            conditions: impaired(0.02),
            versions,
            ..Opts::default()
        });
        sim.connect();
        let id = sim.open(DataChannelInit::default());
        let (a, b) = (sim.a, sim.b);
        sim.peer_mut(b).keep_received = true;
        let mut rng = Rng::from_seed(sim.net.seed());
        let sent: Vec<ChannelMessage> = (0..200).map(|i| message(&mut rng, i, 4000)).collect();
        for m in &sent {
            send(&mut sim.peer_mut(a).dc, id, m);
        }
        sim.run(Duration::from_secs(60), "half the transfer", |_, pb| {
            pb.log.received(id).len() >= 100
        });
        let now = sim.net.now();
        let before = sim.peer(b).dtls.stats();
        let captured = std::mem::take(&mut sim.peer_mut(b).received);
        assert!(captured.len() > 20);
        let mut injected = 0u64;
        // Replays, old and recent.
        for d in captured
            .iter()
            .step_by(captured.len() / 10)
            .chain(captured.iter().rev().take(5))
        {
            sim.peer_mut(b).inject(now, d);
            injected += 1;
        }
        // Forgeries: flipped ciphertext, and a fresh record number on an old ciphertext.
        for d in captured.iter().rev().take(5) {
            let mut forged = d.to_vec();
            let last = forged.len() - 1;
            forged[last / 2] ^= 0x40;
            forged[last] ^= 0x01;
            sim.peer_mut(b).inject(now, &forged);
            let mut renumbered = d.to_vec();
            if let Some(seq) = renumbered.get_mut(10) {
                *seq = seq.wrapping_add(0x80);
            }
            sim.peer_mut(b).inject(now, &renumbered);
            injected += 2;
        }
        // Garbage behind a plausible application-data header.
        let mut junk = vec![23u8, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0x7f, 0xff, 0, 100];
        junk.extend((0..100).map(|_| rng.u32() as u8));
        sim.peer_mut(b).inject(now, &junk);
        injected += 1;
        let after = sim.peer(b).dtls.stats();
        let dropped = (after.ignored_datagrams + after.malformed_datagrams)
            - (before.ignored_datagrams + before.malformed_datagrams);
        assert_eq!(
            dropped, injected,
            "{versions:?}: every injected datagram dropped"
        );
        assert_eq!(after.records_received, before.records_received);
        sim.run(
            Duration::from_secs(120),
            "the rest of the transfer",
            |_, pb| pb.log.received(id).len() >= sent.len(),
        );
        let (pa, pb) = sim.both();
        assert_eq!(pb.log.received(id), &sent[..], "{versions:?}");
        assert_eq!(pa.dtls.state(), DtlsTransportState::Connected);
        assert_eq!(pb.dtls.state(), DtlsTransportState::Connected);
    }
}
