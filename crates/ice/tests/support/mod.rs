//! Shared harness for the simulated-network tests: an [`Endpoint`] adapter around an
//! [`IceAgent`] that records its events and can send numbered application datagrams, and
//! helpers that build topologies and relay signaling (credentials, trickled candidates,
//! end-of-candidates) between two peers. The adapter also plays the runtime's part for ICE-TCP:
//! it listens on the agent's passive candidates and turns the agent's TCP commands into netsim
//! connections and netsim's connection events into the agent's TCP inputs.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_ice::{
    Candidate, IceAgent, IceConfig, IceConnectionState, IceEvent, IceGatheringState, TcpCommand,
    TcpConnectionId, TurnServer, TurnTransport,
};
use rtcpeer_netsim::{
    Endpoint, HostId, NatConfig, Network, SeedGuard, StunServer, TcpCommand as NetTcpCommand,
    TcpEvent, TurnServer as SimTurnServer, TurnServerConfig, Zone,
};
use rtcpeer_types::{Receive, Transmit};

pub const STUN: &str = "198.51.100.1:3478";
/// The simulated TURN server (its relayed addresses share its IP).
pub const TURN: &str = "198.51.100.2:3478";
pub const TURN_USER: &str = "alice";
pub const TURN_PASS: &str = "secret-of-alice";

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// An ICE agent on a simulated host.
pub struct Peer {
    pub agent: IceAgent,
    /// Every event except data, in order.
    pub log: Vec<IceEvent>,
    /// Local candidates announced, in order.
    pub candidates: Vec<Candidate>,
    /// Whether end-of-candidates was announced.
    pub end_of_candidates: bool,
    /// Payloads of the data received.
    pub received: Vec<Bytes>,
    /// Numbered datagrams: send one every `interval` while `sending`.
    pub interval: Duration,
    pub next_send: Option<Instant>,
    pub sent: u32,
    pub send_failures: u32,
    /// The source of every datagram the host received, in order.
    pub sources: Vec<SocketAddr>,
    /// Where datagrams to an mDNS group go instead (netsim has no multicast; see `mdns.rs`).
    pub mdns_hub: Option<SocketAddr>,
    /// Commands for netsim's TCP (listeners to open).
    pub net_commands: VecDeque<NetTcpCommand>,
    /// The agent's TCP connections and their 5-tuples.
    pub connections: BTreeMap<TcpConnectionId, (SocketAddr, SocketAddr)>,
    /// Payload size of the numbered datagrams (at least 5).
    pub payload: usize,
}

impl Peer {
    pub fn new(agent: IceAgent) -> Self {
        Peer {
            agent,
            log: Vec::new(),
            candidates: Vec::new(),
            end_of_candidates: false,
            received: Vec::new(),
            interval: ms(20),
            next_send: None,
            sent: 0,
            send_failures: 0,
            sources: Vec::new(),
            mdns_hub: None,
            net_commands: VecDeque::new(),
            connections: BTreeMap::new(),
            payload: 5,
        }
    }

    /// Opens a TCP listener at `addr` and gives the agent its passive and active candidates.
    pub fn listen_tcp(&mut self, addr: SocketAddr) {
        self.net_commands
            .push_back(NetTcpCommand::Listen { local: addr });
        self.agent.add_local_tcp_listener(addr);
    }

    fn drain(&mut self) {
        while let Some(e) = self.agent.poll_event() {
            match e {
                IceEvent::Data(rx) => self.received.push(rx.contents),
                IceEvent::LocalCandidate(c) => {
                    self.candidates.push((*c).clone());
                    self.log.push(IceEvent::LocalCandidate(c));
                }
                IceEvent::LocalEndOfCandidates => {
                    self.end_of_candidates = true;
                    self.log.push(e);
                }
                other => self.log.push(other),
            }
        }
    }

    /// The connection states reported, in order.
    pub fn states(&self) -> Vec<IceConnectionState> {
        self.log
            .iter()
            .filter_map(|e| match e {
                IceEvent::ConnectionStateChange(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    pub fn gathering_states(&self) -> Vec<IceGatheringState> {
        self.log
            .iter()
            .filter_map(|e| match e {
                IceEvent::GatheringStateChange(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    /// Starts sending numbered datagrams every `interval` from `now`.
    pub fn start_sending(&mut self, now: Instant, interval: Duration) {
        self.interval = interval;
        self.next_send = Some(now);
    }

    pub fn stop_sending(&mut self) {
        self.next_send = None;
    }

    /// The sequence numbers received, in arrival order.
    pub fn received_numbers(&self) -> Vec<u32> {
        self.received
            .iter()
            .filter_map(|b| {
                let n: [u8; 4] = b.get(1..5)?.try_into().ok()?;
                Some(u32::from_be_bytes(n))
            })
            .collect()
    }
}

impl Endpoint for Peer {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        self.sources.push(rx.source);
        let rx = match self.mdns_hub {
            Some(hub) => MdnsHub::unwrap(hub, rx),
            None => rx,
        };
        self.agent.handle_receive(now, rx);
        self.drain();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.agent.handle_timeout(now);
        if let Some(t) = self.next_send
            && t <= now
        {
            // A DTLS-looking datagram (first byte 23) with a sequence number.
            let mut d = vec![23u8];
            d.extend_from_slice(&self.sent.to_be_bytes());
            d.resize(self.payload.max(5), 0xab);
            if self.agent.send(now, d).is_ok() {
                self.sent += 1;
            } else {
                self.send_failures += 1;
            }
            self.next_send = Some(now + self.interval);
        }
        self.drain();
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        let t = self.agent.poll_transmit()?;
        Some(match self.mdns_hub {
            Some(hub) if rtcpeer_mdns::is_mdns_group(t.destination) => Transmit {
                destination: hub,
                ..t
            },
            _ => t,
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        match (self.agent.poll_timeout(), self.next_send) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn poll_tcp_command(&mut self, _now: Instant) -> Option<NetTcpCommand> {
        if let Some(c) = self.net_commands.pop_front() {
            return Some(c);
        }
        loop {
            match self.agent.poll_tcp_command()? {
                TcpCommand::Connect { id, local, remote } => {
                    return Some(NetTcpCommand::Connect {
                        token: id.get(),
                        local,
                        remote,
                    });
                }
                TcpCommand::Close { id } => {
                    if let Some((local, remote)) = self.connections.remove(&id) {
                        return Some(NetTcpCommand::Close { local, remote });
                    }
                    // Not connected yet: the agent closes it again if it connects later.
                }
                _ => {}
            }
        }
    }

    fn handle_tcp_event(&mut self, now: Instant, event: TcpEvent) {
        match event {
            TcpEvent::Connected {
                token,
                local,
                remote,
            } => {
                let id = TcpConnectionId::new(token);
                self.connections.insert(id, (local, remote));
                self.agent.handle_tcp_connected(now, id, local);
            }
            TcpEvent::ConnectFailed { token, .. } => {
                self.agent
                    .handle_tcp_connect_failed(now, TcpConnectionId::new(token));
            }
            TcpEvent::Accepted { local, remote } => {
                match self.agent.handle_tcp_accepted(now, local, remote) {
                    Some(id) => {
                        self.connections.insert(id, (local, remote));
                    }
                    None => self
                        .net_commands
                        .push_back(NetTcpCommand::Close { local, remote }),
                }
            }
            TcpEvent::Closed { local, remote } => {
                let id = self
                    .connections
                    .iter()
                    .find(|(_, path)| **path == (local, remote))
                    .map(|(&id, _)| id);
                if let Some(id) = id {
                    self.connections.remove(&id);
                    self.agent.handle_tcp_closed(now, id);
                }
            }
            _ => {}
        }
        self.drain();
    }
}

/// The link's multicast, which netsim lacks: each datagram sent to the hub (instead of an mDNS
/// group) goes to every member but its sender, prefixed with the sender's IPv4 address and port
/// (4 + 2 bytes); members take it back apart with [`MdnsHub::unwrap`].
pub struct MdnsHub {
    pub address: SocketAddr,
    pub members: Vec<SocketAddr>,
    out: Vec<Transmit>,
}

impl MdnsHub {
    pub fn new(address: SocketAddr, members: Vec<SocketAddr>) -> Self {
        MdnsHub {
            address,
            members,
            out: Vec::new(),
        }
    }

    /// A datagram from the hub becomes what its sender multicast to the IPv4 mDNS group;
    /// anything else is left as it is.
    pub fn unwrap(hub: SocketAddr, rx: Receive) -> Receive {
        if rx.source != hub {
            return rx;
        }
        let c = &rx.contents;
        let (Some(ip), Some(port)) = (c.get(0..4), c.get(4..6)) else {
            return rx;
        };
        let ip = std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]);
        let port = u16::from_be_bytes([port[0], port[1]]);
        Receive {
            protocol: rx.protocol,
            source: SocketAddr::new(IpAddr::V4(ip), port),
            destination: SocketAddr::new(
                IpAddr::V4(rtcpeer_mdns::MDNS_IPV4),
                rtcpeer_mdns::MDNS_PORT,
            ),
            contents: rx.contents.slice(6..),
        }
    }
}

impl Endpoint for MdnsHub {
    fn handle_receive(&mut self, _now: Instant, rx: Receive) {
        let IpAddr::V4(v4) = rx.source.ip() else {
            return;
        };
        let mut b = v4.octets().to_vec();
        b.extend_from_slice(&rx.source.port().to_be_bytes());
        b.extend_from_slice(&rx.contents);
        let contents = Bytes::from(b);
        for &m in &self.members {
            if m.ip() != rx.source.ip() {
                self.out.push(Transmit {
                    protocol: rx.protocol,
                    source: self.address,
                    destination: m,
                    contents: contents.clone(),
                });
            }
        }
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.out.pop()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }
}

pub fn peer(net: &Network, h: HostId) -> &Peer {
    net.endpoint::<Peer>(h).expect("host runs a Peer")
}

pub fn peer_mut(net: &mut Network, h: HostId) -> &mut Peer {
    net.endpoint_mut::<Peer>(h).expect("host runs a Peer")
}

pub fn agent(net: &Network, h: HostId) -> &IceAgent {
    &peer(net, h).agent
}

pub fn agent_mut(net: &mut Network, h: HostId) -> &mut IceAgent {
    &mut peer_mut(net, h).agent
}

/// A configuration using the simulated STUN server.
pub fn config() -> IceConfig {
    IceConfig {
        stun_servers: vec![sa(STUN)],
        ..IceConfig::default()
    }
}

/// A configuration with the simulated STUN server and the simulated TURN server over
/// `transport`, with `password`.
pub fn turn_config(transport: TurnTransport, password: &str) -> IceConfig {
    IceConfig {
        stun_servers: vec![sa(STUN)],
        turn_servers: vec![
            TurnServer::udp(sa(TURN), TURN_USER, password).with_transport(transport),
        ],
        ..IceConfig::default()
    }
}

/// Adds the simulated TURN server (user [`TURN_USER`] / [`TURN_PASS`]) on the Internet.
pub fn add_turn_server(net: &mut Network) -> HostId {
    let config = TurnServerConfig::new(sa(TURN), sa(TURN).ip(), "rtcpeer.test")
        .with_user(TURN_USER, TURN_PASS);
    let rng = net.fork_rng();
    net.add_host(
        "turn",
        Zone::Internet,
        &[sa(TURN).ip()],
        SimTurnServer::new(config, rng),
    )
    .unwrap()
}

pub fn turn_server(net: &Network, h: HostId) -> &SimTurnServer {
    net.endpoint::<SimTurnServer>(h)
        .expect("host runs the TURN server")
}

/// A network with a STUN server, seeded from `NETSIM_SEED` or at random; the guard prints the
/// seed if the test fails.
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

/// Adds a peer at `addr` (one socket) in `zone`.
pub fn add_peer(
    net: &mut Network,
    name: &str,
    zone: Zone,
    addr: &str,
    config: IceConfig,
) -> HostId {
    let addr = sa(addr);
    let mut agent = IceAgent::new(config, net.fork_rng());
    agent.add_local_interface(addr);
    net.add_host(name, zone, &[addr.ip()], Peer::new(agent))
        .unwrap()
}

/// A peer behind its own NAT: (host, nat zone).
pub fn add_natted_peer(
    net: &mut Network,
    name: &str,
    nat: NatConfig,
    addr: &str,
    config: IceConfig,
) -> HostId {
    let nat = net
        .add_nat(&format!("{name}-nat"), Zone::Internet, nat)
        .unwrap();
    add_peer(net, name, Zone::Nat(nat), addr, config)
}

/// Gives each peer the other's credentials.
pub fn exchange_credentials(net: &mut Network, a: HostId, b: HostId) {
    let ca = agent(net, a).local_credentials().clone();
    let cb = agent(net, b).local_credentials().clone();
    agent_mut(net, a)
        .set_remote_credentials(&cb.ufrag, &cb.pwd)
        .unwrap();
    agent_mut(net, b)
        .set_remote_credentials(&ca.ufrag, &ca.pwd)
        .unwrap();
}

/// Starts gathering on both.
pub fn gather(net: &mut Network, hosts: &[HostId]) {
    let now = net.now();
    for &h in hosts {
        agent_mut(net, h).gather(now);
        let p = peer_mut(net, h);
        p.drain();
    }
}

/// Signaling state: how much of each side was forwarded.
#[derive(Default, Clone, Copy)]
pub struct Relay {
    pub a_to_b: usize,
    pub b_to_a: usize,
    pub a_eoc: bool,
    pub b_eoc: bool,
    /// Whether end-of-candidates is forwarded.
    pub forward_eoc: bool,
}

impl Relay {
    pub fn new() -> Self {
        Relay {
            forward_eoc: true,
            ..Relay::default()
        }
    }

    /// Forwards new candidates (and end-of-candidates) each way, with zero signaling delay.
    pub fn pump(&mut self, net: &mut Network, a: HostId, b: HostId) {
        let (na, eoc_a) = forward(net, a, b, self.a_to_b);
        self.a_to_b = na;
        let (nb, eoc_b) = forward(net, b, a, self.b_to_a);
        self.b_to_a = nb;
        if self.forward_eoc {
            if eoc_a && !self.a_eoc {
                self.a_eoc = true;
                agent_mut(net, b).end_of_remote_candidates();
            }
            if eoc_b && !self.b_eoc {
                self.b_eoc = true;
                agent_mut(net, a).end_of_remote_candidates();
            }
        }
    }
}

fn forward(net: &mut Network, from: HostId, to: HostId, done: usize) -> (usize, bool) {
    let p = peer(net, from);
    let new: Vec<Candidate> = p.candidates.iter().skip(done).cloned().collect();
    let eoc = p.end_of_candidates;
    let n = p.candidates.len();
    for c in new {
        agent_mut(net, to).add_remote_candidate(c);
    }
    peer_mut(net, to).drain();
    (n, eoc)
}

pub fn connected(net: &Network, h: HostId) -> bool {
    agent(net, h).connection_state().is_connected()
}

/// Runs, relaying signaling, until both peers are connected with the same pair selected on
/// both sides; panics with the states otherwise.
pub fn run_until_connected(
    net: &mut Network,
    relay: &mut Relay,
    a: HostId,
    b: HostId,
    within: Duration,
) {
    let r = net.run_until(
        |n| {
            relay.pump(n, a, b);
            connected(n, a) && connected(n, b) && both_selected(n, a, b)
        },
        within,
    );
    if let Err(e) = r {
        panic!(
            "{e}: a {:?} {:?} b {:?} {:?}",
            peer(net, a).states(),
            agent(net, a).counters(),
            peer(net, b).states(),
            agent(net, b).counters()
        );
    }
}

/// Both sides have selected a pair.
pub fn both_selected(net: &Network, a: HostId, b: HostId) -> bool {
    let all = |h: HostId| {
        let agent = agent(net, h);
        (1..=agent.config().components).all(|c| agent.selected_pair(c).is_some())
    };
    all(a) && all(b)
}

/// Standard setup: credentials, gathering, then run until connected.
pub fn connect(net: &mut Network, a: HostId, b: HostId, within: Duration) -> Relay {
    agent_mut(net, a).set_role(true);
    exchange_credentials(net, a, b);
    gather(net, &[a, b]);
    let mut relay = Relay::new();
    run_until_connected(net, &mut relay, a, b, within);
    relay
}
