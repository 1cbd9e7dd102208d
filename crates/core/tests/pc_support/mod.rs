//! Shared by the whole-connection tests: a [`PeerConnection`] as a netsim endpoint ([`Peer`]:
//! its events logged in order, messages per channel, trickled candidates to signal), a network
//! with a STUN server, offer/answer and a run loop that relays candidates.
#![allow(dead_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rtcpeer_core::pc::ChannelMessage;
use rtcpeer_core::*;
use rtcpeer_netsim::{Endpoint, HostId, LinkConditions, Network, SeedGuard, StunServer, Zone};
use rtcpeer_types::{Receive, Rng, Transmit};

pub const STUN_IP: &str = "198.51.100.1";

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The wall-clock time certificates are made and checked at (2025-06-15).
pub fn wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

/// A 256 KiB message (the largest both sides accept), patterned by `seed`.
pub fn pattern(len: usize, seed: u8) -> Bytes {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect::<Vec<u8>>()
        .into()
}

/// A connection on a simulated host, with what it fired.
pub struct Peer {
    pub pc: PeerConnection,
    /// Every event but messages, in order.
    pub log: Vec<PeerConnectionEvent>,
    /// Messages per channel, in order.
    pub messages: HashMap<DataChannelId, Vec<ChannelMessage>>,
    /// `icecandidate` events not yet signalled to the other side.
    pub outbox: Vec<RtcIceCandidateInit>,
    /// Whether the `null` candidate fired.
    pub gathering_done: bool,
}

impl Peer {
    pub fn drain(&mut self) {
        while let Some(e) = self.pc.poll_event() {
            match e {
                PeerConnectionEvent::DataChannelMessage { channel, message } => {
                    self.messages.entry(channel).or_default().push(message);
                    continue;
                }
                PeerConnectionEvent::IceCandidate(Some(ref c)) => self.outbox.push(c.clone()),
                PeerConnectionEvent::IceCandidate(None) => self.gathering_done = true,
                _ => {}
            }
            self.log.push(e);
        }
    }

    pub fn received(&self, channel: DataChannelId) -> &[ChannelMessage] {
        self.messages.get(&channel).map_or(&[], |v| &v[..])
    }

    pub fn connection_states(&self) -> Vec<RtcPeerConnectionState> {
        self.log
            .iter()
            .filter_map(|e| match e {
                PeerConnectionEvent::ConnectionStateChange(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    pub fn position(&self, want: &PeerConnectionEvent) -> Option<usize> {
        self.log.iter().position(|e| e == want)
    }

    pub fn opened(&self, channel: DataChannelId) -> bool {
        self.pc
            .data_channel(channel)
            .is_some_and(|c| c.ready_state() == RtcDataChannelState::Open)
    }

    /// The channel the peer announced with this label (`datachannel` event).
    pub fn announced(&self, label: &str) -> Option<DataChannelId> {
        self.log.iter().find_map(|e| match e {
            PeerConnectionEvent::DataChannel(h)
                if self.pc.data_channel(*h).is_some_and(|c| c.label() == label) =>
            {
                Some(*h)
            }
            _ => None,
        })
    }
}

impl Endpoint for Peer {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        self.pc.handle_receive(now, rx);
        self.drain();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.pc.handle_timeout(now);
        self.drain();
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        let t = self.pc.poll_transmit();
        self.drain();
        t
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.pc.poll_timeout()
    }
}

pub fn peer(net: &Network, h: HostId) -> &Peer {
    net.endpoint::<Peer>(h).expect("a Peer")
}

pub fn peer_mut(net: &mut Network, h: HostId) -> &mut Peer {
    net.endpoint_mut::<Peer>(h).expect("a Peer")
}

pub fn pc_mut(net: &mut Network, h: HostId) -> &mut PeerConnection {
    &mut peer_mut(net, h).pc
}

/// A network with a STUN server; the guard prints the seed if the test fails.
pub fn network() -> (Network, SeedGuard) {
    let guard = SeedGuard::from_env();
    let mut net = Network::new(guard.seed());
    net.add_host(
        "stun",
        Zone::Internet,
        &[STUN_IP.parse().unwrap()],
        StunServer::new(),
    )
    .unwrap();
    (net, guard)
}

/// Adds a connection (configured with the simulated STUN server) with one socket at `addr`,
/// behind a link of `conditions`.
pub fn add_peer(net: &mut Network, name: &str, addr: &str, conditions: LinkConditions) -> HostId {
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    let config = RtcConfiguration {
        ice_servers: vec![RtcIceServer::new(format!("stun:{STUN_IP}:3478"))],
        ..Default::default()
    };
    let rng: Rng = net.fork_rng();
    let mut pc = PeerConnection::new(config, rng, net.now(), wall_clock()).unwrap();
    pc.add_local_interface(addr);
    let p = Peer {
        pc,
        log: Vec::new(),
        messages: HashMap::new(),
        outbox: Vec::new(),
        gathering_done: false,
    };
    let h = net.add_host(name, Zone::Internet, &[addr.ip()], p).unwrap();
    net.set_link(h, conditions).unwrap();
    h
}

/// Forwards the trickled candidates of `from` to `to` (the `null` candidate is not signalled).
pub fn relay(net: &mut Network, from: HostId, to: HostId) {
    let outbox = std::mem::take(&mut peer_mut(net, from).outbox);
    let now = net.now();
    for c in outbox {
        let to = peer_mut(net, to);
        to.pc.handle_timeout(now);
        to.pc.add_ice_candidate(c).expect("addIceCandidate");
        to.drain();
    }
}

pub fn relay_both(net: &mut Network, a: HostId, b: HostId) {
    relay(net, a, b);
    relay(net, b, a);
}

/// Offer from `a`, answer from `b`, both applied at once (trickle: candidates follow).
pub fn offer_answer(net: &mut Network, a: HostId, b: HostId) {
    let now = net.now();
    let offer = {
        let p = peer_mut(net, a);
        p.pc.handle_timeout(now);
        let o = p.pc.create_offer(RtcOfferOptions::default()).unwrap();
        p.pc.set_local_description(Some(o.clone().into())).unwrap();
        p.drain();
        o
    };
    let answer = {
        let p = peer_mut(net, b);
        p.pc.handle_timeout(now);
        p.pc.set_remote_description(offer).unwrap();
        let ans = p.pc.create_answer().unwrap();
        p.pc.set_local_description(Some(ans.clone().into()))
            .unwrap();
        p.drain();
        ans
    };
    let p = peer_mut(net, a);
    p.pc.set_remote_description(answer).unwrap();
    p.drain();
}

/// Runs, relaying trickled candidates, until `done`; panics with both logs otherwise.
pub fn run_until(
    net: &mut Network,
    a: HostId,
    b: HostId,
    within: Duration,
    mut done: impl FnMut(&Network) -> bool,
) {
    let r = net.run_until(
        |n| {
            relay_both(n, a, b);
            done(n)
        },
        within,
    );
    if let Err(e) = r {
        panic!(
            "{e}\na: {:?}\n{:?}\nb: {:?}\n{:?}",
            peer(net, a).pc.transport(),
            peer(net, a).log,
            peer(net, b).pc.transport(),
            peer(net, b).log
        );
    }
}
