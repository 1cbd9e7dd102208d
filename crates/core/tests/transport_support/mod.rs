//! Shared harness of the transport stack scenarios: a netsim [`Endpoint`] around a
//! [`TransportStack`] that logs every event, the signaling between two stacks (parameters from
//! the "offer" and "answer", trickled candidates, end-of-candidates), and topologies.
//!
//! Roles follow a browser-like exchange: host `a` is the offerer (ICE controlling, `a=setup:actpass`
//! answered `active`, so the DTLS server), host `b` the answerer (ICE controlled, DTLS client).
#![allow(dead_code)]

pub mod pair;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rtcpeer_core::transport::{
    RemoteSctpParameters, TransportConfig, TransportEvent, TransportParameters, TransportStack,
};
use rtcpeer_core::{RtcIceRole, RtcPeerConnectionState};
use rtcpeer_dtls::{Certificate, CertificateParams, DtlsRole, Fingerprint};
use rtcpeer_ice::Candidate;
use rtcpeer_netsim::{Endpoint, HostId, NatConfig, Network, SeedGuard, StunServer, Zone};
use rtcpeer_sctp::datachannel::ChannelMessage;
use rtcpeer_types::{Receive, Rng, Transmit};

pub const STUN: &str = "198.51.100.1:3478";

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The wall-clock time certificates are checked at (2025-06-15).
pub fn wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

pub fn certificate(rng: &mut Rng) -> Certificate {
    Certificate::generate(&CertificateParams::default(), wall_clock(), rng).expect("certificate")
}

/// A transport stack on a simulated host, with everything it reported.
pub struct Peer {
    pub stack: TransportStack,
    /// Every event, in order.
    pub log: Vec<TransportEvent>,
    /// When each event of `log` was drained.
    pub log_times: Vec<Instant>,
    /// Events that arrived after `close()` (must stay empty).
    pub after_close: Vec<TransportEvent>,
    /// Local candidates announced, in order.
    pub candidates: Vec<Candidate>,
    pub end_of_candidates: bool,
    /// Messages received, per channel id, in order.
    pub messages: HashMap<u16, Vec<ChannelMessage>>,
    /// When each channel opened.
    pub opened: HashMap<u16, Instant>,
    /// Transmits handed to the network after `close()` had returned them all.
    pub sent_after_close: usize,
    closed_drained: bool,
}

impl Peer {
    pub fn new(stack: TransportStack) -> Self {
        Peer {
            stack,
            log: Vec::new(),
            log_times: Vec::new(),
            after_close: Vec::new(),
            candidates: Vec::new(),
            end_of_candidates: false,
            messages: HashMap::new(),
            opened: HashMap::new(),
            sent_after_close: 0,
            closed_drained: false,
        }
    }

    pub fn drain(&mut self, now: Instant) {
        while let Some(e) = self.stack.poll_event() {
            if self.stack.is_closed() {
                self.after_close.push(e);
                continue;
            }
            match &e {
                TransportEvent::LocalCandidate(c) => self.candidates.push((**c).clone()),
                TransportEvent::LocalEndOfCandidates => self.end_of_candidates = true,
                TransportEvent::DataChannelMessage { id, message } => {
                    self.messages.entry(*id).or_default().push(message.clone());
                    // Messages are not kept twice.
                    continue;
                }
                TransportEvent::DataChannelOpen { id } => {
                    self.opened.entry(*id).or_insert(now);
                }
                _ => {}
            }
            self.log.push(e);
            self.log_times.push(now);
        }
    }

    pub fn received(&self, id: u16) -> &[ChannelMessage] {
        self.messages.get(&id).map_or(&[], |v| &v[..])
    }

    /// The aggregate connection states reported, in order.
    pub fn connection_states(&self) -> Vec<RtcPeerConnectionState> {
        self.log
            .iter()
            .filter_map(|e| match e {
                TransportEvent::PeerConnectionStateChange(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    pub fn close(&mut self) {
        self.stack.close();
    }
}

impl Endpoint for Peer {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        self.stack.handle_receive(now, rx);
        self.drain(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.stack.handle_timeout(now);
        self.drain(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        let t = self.stack.poll_transmit();
        self.drain(now);
        if self.stack.is_closed() {
            if t.is_none() {
                self.closed_drained = true;
            } else if self.closed_drained {
                self.sent_after_close += 1;
            }
        }
        t
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.stack.poll_timeout()
    }
}

pub fn peer(net: &Network, h: HostId) -> &Peer {
    net.endpoint::<Peer>(h).expect("host runs a Peer")
}

pub fn peer_mut(net: &mut Network, h: HostId) -> &mut Peer {
    net.endpoint_mut::<Peer>(h).expect("host runs a Peer")
}

pub fn stack(net: &Network, h: HostId) -> &TransportStack {
    &peer(net, h).stack
}

pub fn stack_mut(net: &mut Network, h: HostId) -> &mut TransportStack {
    &mut peer_mut(net, h).stack
}

/// A network with a STUN server; the guard prints the seed if the test fails.
pub fn network() -> (Network, SeedGuard) {
    let guard = SeedGuard::from_env();
    let mut net = Network::new(guard.seed());
    net.add_host(
        "stun",
        Zone::Internet,
        &[ip("198.51.100.1")],
        StunServer::new(),
    )
    .unwrap();
    (net, guard)
}

/// The local configuration of a peer: a fresh certificate, the simulated STUN server.
pub fn config(rng: &mut Rng) -> TransportConfig {
    let mut c = TransportConfig::new(certificate(rng), wall_clock());
    c.ice.stun_servers = vec![sa(STUN)];
    c
}

/// Adds a peer with one socket at `addr` in `zone`.
pub fn add_peer(net: &mut Network, name: &str, zone: Zone, addr: &str) -> HostId {
    let mut rng = net.fork_rng();
    let cfg = config(&mut rng);
    add_peer_with(net, name, zone, addr, cfg, rng)
}

pub fn add_peer_with(
    net: &mut Network,
    name: &str,
    zone: Zone,
    addr: &str,
    config: TransportConfig,
    rng: Rng,
) -> HostId {
    let addr = sa(addr);
    let mut stack = TransportStack::new(config, net.now(), rng);
    stack.add_local_interface(addr);
    net.add_host(name, zone, &[addr.ip()], Peer::new(stack))
        .unwrap()
}

/// A peer behind its own NAT.
pub fn add_natted_peer(net: &mut Network, name: &str, nat: NatConfig, addr: &str) -> HostId {
    let nat = net
        .add_nat(&format!("{name}-nat"), Zone::Internet, nat)
        .unwrap();
    add_peer(net, name, Zone::Nat(nat), addr)
}

/// The SCTP parameters both sides announce: port 5000, 256 KiB messages.
pub fn sctp() -> RemoteSctpParameters {
    RemoteSctpParameters {
        port: 5000,
        max_message_size: 256 * 1024,
    }
}

/// What `from` would put in its description, as `to` applies it.
pub fn parameters_of(
    net: &Network,
    from: HostId,
    ice_role: RtcIceRole,
    dtls_role: DtlsRole,
    fingerprint: Option<Fingerprint>,
) -> TransportParameters {
    let s = stack(net, from);
    let creds = s.local_credentials();
    let mut p = TransportParameters::new(creds.ufrag.clone(), creds.pwd.clone());
    p.ice_role = ice_role;
    p.dtls_role = Some(dtls_role);
    p.fingerprints = vec![fingerprint.unwrap_or_else(|| s.local_fingerprint().clone())];
    p.sctp = Some(sctp());
    p
}

/// Options of the offer/answer exchange.
#[derive(Clone, Default)]
pub struct Exchange {
    /// The fingerprint `b` is told for `a` (a wrong one to test the check).
    pub fingerprint_of_a_at_b: Option<Fingerprint>,
}

/// Signals both ways at once: `a` offers (controlling, DTLS server once answered), `b` answers
/// (controlled, DTLS client); then both gather.
pub fn negotiate(net: &mut Network, a: HostId, b: HostId, ex: &Exchange) {
    let now = net.now();
    let pa = parameters_of(
        net,
        a,
        RtcIceRole::Controlled,
        DtlsRole::Client,
        ex.fingerprint_of_a_at_b.clone(),
    );
    let pb = parameters_of(net, b, RtcIceRole::Controlling, DtlsRole::Server, None);
    stack_mut(net, b).set_parameters(now, pa).unwrap();
    stack_mut(net, a).set_parameters(now, pb).unwrap();
    for h in [a, b] {
        stack_mut(net, h).gather(now);
        peer_mut(net, h).drain(now);
    }
}

/// Trickle signaling: how much of each side was forwarded.
#[derive(Default, Clone, Copy)]
pub struct Relay {
    pub a_to_b: usize,
    pub b_to_a: usize,
    pub a_eoc: bool,
    pub b_eoc: bool,
}

impl Relay {
    /// Forwards new candidates and end-of-candidates each way, with zero signaling delay.
    pub fn pump(&mut self, net: &mut Network, a: HostId, b: HostId) {
        let (na, eoc_a) = forward(net, a, b, self.a_to_b);
        self.a_to_b = na;
        let (nb, eoc_b) = forward(net, b, a, self.b_to_a);
        self.b_to_a = nb;
        let now = net.now();
        if eoc_a && !self.a_eoc {
            self.a_eoc = true;
            stack_mut(net, b).end_of_remote_candidates(now);
            peer_mut(net, b).drain(now);
        }
        if eoc_b && !self.b_eoc {
            self.b_eoc = true;
            stack_mut(net, a).end_of_remote_candidates(now);
            peer_mut(net, a).drain(now);
        }
    }
}

fn forward(net: &mut Network, from: HostId, to: HostId, done: usize) -> (usize, bool) {
    let p = peer(net, from);
    let new: Vec<Candidate> = p.candidates.iter().skip(done).cloned().collect();
    let eoc = p.end_of_candidates;
    let n = p.candidates.len();
    let now = net.now();
    for c in new {
        stack_mut(net, to).add_remote_candidate(now, c);
    }
    peer_mut(net, to).drain(now);
    (n, eoc)
}

/// Runs, relaying signaling, until `done` holds; panics with both logs otherwise.
pub fn run_until(
    net: &mut Network,
    relay: &mut Relay,
    a: HostId,
    b: HostId,
    within: Duration,
    mut done: impl FnMut(&Network) -> bool,
) {
    let r = net.run_until(
        |n| {
            relay.pump(n, a, b);
            done(n)
        },
        within,
    );
    if let Err(e) = r {
        panic!(
            "{e}\na: {:?} {:?}\n{}\nb: {:?} {:?}\n{}",
            stack(net, a),
            stack(net, a).ice().counters(),
            timeline(net, a),
            stack(net, b),
            stack(net, b).ice().counters(),
            timeline(net, b)
        );
    }
}

/// `h`'s events with their virtual times, one per line, each cut to 160 characters.
pub fn timeline(net: &Network, h: HostId) -> String {
    let p = peer(net, h);
    p.log
        .iter()
        .zip(&p.log_times)
        .map(|(e, t)| {
            let mut line = format!("  {:>9.3?} {e:?}", *t - net.start());
            line.truncate(160);
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether the channel `id` is open on both sides.
pub fn open_on_both(net: &Network, a: HostId, b: HostId, id: u16) -> bool {
    peer(net, a).opened.contains_key(&id) && peer(net, b).opened.contains_key(&id)
}

/// A binary message of `len` bytes whose content depends on `seed` and the position.
pub fn pattern(len: usize, seed: u8) -> Bytes {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect::<Vec<u8>>()
        .into()
}
