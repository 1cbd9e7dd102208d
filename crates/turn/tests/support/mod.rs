//! Helpers shared by the simulated-network tests: the endpoint adapter that runs a
//! `TurnClient` on a netsim host, and a world with a TURN server, a client and peers.
#![allow(dead_code)]

pub mod pki;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rtcpeer_netsim::{
    Endpoint, HostId, LinkConditions, NatConfig, Network, Probe, TurnServer, TurnServerConfig, Zone,
};
use rtcpeer_turn::{TurnClient, TurnConfig, TurnEvent};
use rtcpeer_types::{Receive, Transmit};

pub const SERVER: &str = "192.0.2.1:3478";
pub const PEER_A: &str = "198.51.100.1:7000";
pub const PEER_B: &str = "198.51.100.2:7000";
pub const USER: &str = "alice";
pub const PASS: &str = "secret";
pub const REALM: &str = "rtcpeer.sim";

pub fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Runs a [`TurnClient`] on a netsim host and records its events.
pub struct ClientHost {
    pub client: TurnClient,
    pub events: Vec<(Instant, TurnEvent)>,
}

impl ClientHost {
    pub fn new(client: TurnClient) -> Self {
        ClientHost {
            client,
            events: Vec::new(),
        }
    }

    /// Moves the client's new events into the log.
    pub fn drain(&mut self, now: Instant) {
        while let Some(e) = self.client.poll_event() {
            self.events.push((now, e));
        }
    }
}

impl Endpoint for ClientHost {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        assert!(
            self.client.handle_receive(now, rx),
            "only the server talks to the client"
        );
        self.drain(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.client.handle_timeout(now);
        self.drain(now);
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.client.poll_transmit()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.client.poll_timeout()
    }
}

/// A server at 192.0.2.1, a client (public or behind a NAT), and two probe peers.
pub struct World {
    pub net: Network,
    pub server: HostId,
    pub client: HostId,
    pub peer_a: HostId,
    pub peer_b: HostId,
    /// The client's local address.
    pub local: SocketAddr,
}

pub struct Setup {
    pub nat: Option<NatConfig>,
    pub server: TurnServerConfig,
    pub client: Box<dyn FnOnce(TurnConfig) -> TurnConfig>,
    pub link: LinkConditions,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            nat: None,
            server: server_config(),
            client: Box::new(|c| c),
            link: LinkConditions::with_delay(Duration::from_millis(10)),
        }
    }
}

pub fn server_config() -> TurnServerConfig {
    TurnServerConfig::new(sa(SERVER), ip("192.0.2.1"), REALM).with_user(USER, PASS)
}

pub fn world(setup: Setup) -> World {
    world_with(setup, TurnServer::new)
}

/// A world whose server host runs what `server` makes of the server configuration.
pub fn world_with<E: Endpoint>(
    setup: Setup,
    server: impl FnOnce(TurnServerConfig, rtcpeer_types::Rng) -> E,
) -> World {
    let mut net = Network::new(rtcpeer_netsim::seed());
    let server_rng = net.fork_rng();
    let server = net
        .add_host(
            "turn",
            Zone::Internet,
            &[ip("192.0.2.1")],
            server(setup.server, server_rng),
        )
        .unwrap();
    let (zone, local) = match setup.nat {
        Some(nat) => {
            let nat = net.add_nat("nat", Zone::Internet, nat).unwrap();
            (Zone::Nat(nat), sa("10.0.0.2:5000"))
        }
        None => (Zone::Internet, sa("203.0.113.5:5000")),
    };
    let config = (setup.client)(TurnConfig::new(sa(SERVER), local, USER, PASS));
    let client = TurnClient::new(config, net.fork_rng()).unwrap();
    let client = net
        .add_host("client", zone, &[local.ip()], ClientHost::new(client))
        .unwrap();
    let peer_a = net
        .add_host(
            "peer-a",
            Zone::Internet,
            &[ip("198.51.100.1")],
            Probe::new(),
        )
        .unwrap();
    let peer_b = net
        .add_host(
            "peer-b",
            Zone::Internet,
            &[ip("198.51.100.2")],
            Probe::new(),
        )
        .unwrap();
    for h in [server, client, peer_a, peer_b] {
        net.set_link(h, setup.link.clone()).unwrap();
    }
    World {
        net,
        server,
        client,
        peer_a,
        peer_b,
        local,
    }
}

impl World {
    pub fn host(&self) -> &ClientHost {
        self.net.endpoint::<ClientHost>(self.client).unwrap()
    }

    pub fn host_mut(&mut self) -> &mut ClientHost {
        self.net.endpoint_mut::<ClientHost>(self.client).unwrap()
    }

    pub fn turn(&self) -> &TurnServer {
        self.net.endpoint::<TurnServer>(self.server).unwrap()
    }

    pub fn turn_mut(&mut self) -> &mut TurnServer {
        self.net.endpoint_mut::<TurnServer>(self.server).unwrap()
    }

    pub fn probe_mut(&mut self, h: HostId) -> &mut Probe {
        self.net.endpoint_mut::<Probe>(h).unwrap()
    }

    pub fn events(&self) -> Vec<TurnEvent> {
        self.host().events.iter().map(|(_, e)| e.clone()).collect()
    }

    /// Runs until an event matching `pred` is logged (returns it) or fails the test.
    pub fn run_until_event(
        &mut self,
        within: Duration,
        pred: impl Fn(&TurnEvent) -> bool,
    ) -> TurnEvent {
        let client = self.client;
        let found = |net: &Network| {
            net.endpoint::<ClientHost>(client)
                .unwrap()
                .events
                .iter()
                .map(|(_, e)| e)
                .find(|e| pred(e))
                .cloned()
        };
        if let Err(e) = self.net.run_until(|net| found(net).is_some(), within) {
            panic!("{e}; events: {:#?}", self.events());
        }
        found(&self.net).unwrap()
    }

    /// Allocates and returns the relayed address.
    pub fn allocate(&mut self) -> SocketAddr {
        let now = self.net.now();
        self.host_mut().client.allocate(now).unwrap();
        match self.run_until_event(secs(60), |e| {
            matches!(
                e,
                TurnEvent::Allocated { .. } | TurnEvent::AllocationFailed(_)
            )
        }) {
            TurnEvent::Allocated { relayed, .. } => relayed,
            other => panic!("allocation failed: {other:?}"),
        }
    }

    pub fn create_permission(&mut self, peer: IpAddr) {
        let now = self.net.now();
        self.host_mut().client.create_permission(now, peer).unwrap();
        self.run_until_event(
            secs(60),
            |e| matches!(e, TurnEvent::PermissionCreated { peer: p } if *p == peer),
        );
    }

    pub fn bind_channel(&mut self, peer: SocketAddr) -> u16 {
        let now = self.net.now();
        let n = self.host_mut().client.bind_channel(now, peer).unwrap();
        self.run_until_event(
            secs(60),
            |e| matches!(e, TurnEvent::ChannelBound { peer: p, .. } if *p == peer),
        );
        n
    }

    pub fn client_send(&mut self, peer: SocketAddr, data: &[u8]) {
        let now = self.net.now();
        self.host_mut().client.send_to(now, peer, data).unwrap();
    }

    /// The payloads the client received from `peer`.
    pub fn data_from(&self, peer: SocketAddr) -> Vec<Vec<u8>> {
        self.host()
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                TurnEvent::Data { peer: p, data } if *p == peer => Some(data.to_vec()),
                _ => None,
            })
            .collect()
    }

    /// What a probe peer received: (source, payload).
    pub fn received_by(&self, h: HostId) -> Vec<(SocketAddr, Vec<u8>)> {
        self.net
            .endpoint::<Probe>(h)
            .unwrap()
            .received()
            .iter()
            .map(|(_, r)| (r.source, r.contents.to_vec()))
            .collect()
    }
}
