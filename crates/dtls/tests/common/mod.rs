//! An in-memory pipe between two DtlsTransports on a virtual clock: datagrams move at once, time
//! jumps to the next timer when nothing moves, and a filter can drop or record datagrams.

#![allow(dead_code)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rtcpeer_dtls::{
    Certificate, CertificateParams, DtlsConfig, DtlsEvent, DtlsRole, DtlsTransport,
    DtlsTransportState, DtlsVersions,
};
use rtcpeer_types::Rng;

/// The wall-clock time every test pretends it is (2025-06-15).
pub fn wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

/// The one real instant the tests start from; all later instants are this plus durations.
#[allow(clippy::disallowed_methods)]
pub fn base_instant() -> Instant {
    Instant::now()
}

pub fn certificate(seed: u64) -> Certificate {
    Certificate::generate(
        &CertificateParams::default(),
        wall_clock(),
        &mut Rng::from_seed(seed),
    )
    .expect("certificate")
}

/// Which way a datagram travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    ClientToServer,
    ServerToClient,
}

/// A datagram seen on the pipe: its direction, its number in that direction, when, and bytes.
#[derive(Debug, Clone)]
pub struct Seen {
    pub dir: Dir,
    pub index: usize,
    pub at: Duration,
    pub bytes: Bytes,
}

/// Decides whether a datagram is delivered.
pub type Filter = Box<dyn FnMut(&Seen) -> bool>;

pub struct Pair {
    pub client: DtlsTransport,
    pub server: DtlsTransport,
    pub start: Instant,
    pub now: Instant,
    pub client_events: Vec<DtlsEvent>,
    pub server_events: Vec<DtlsEvent>,
    /// Every datagram put on the pipe, delivered or not.
    pub log: Vec<Seen>,
    pub filter: Filter,
    counts: [usize; 2],
}

/// Options for a pair.
pub struct Setup {
    pub client_versions: DtlsVersions,
    pub server_versions: DtlsVersions,
    pub seed: u64,
    /// Give each side the right remote fingerprint (else the caller edits the configs).
    pub client_config: Box<dyn FnOnce(&mut DtlsConfig)>,
    pub server_config: Box<dyn FnOnce(&mut DtlsConfig)>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            client_versions: DtlsVersions::Auto,
            server_versions: DtlsVersions::Auto,
            seed: 1,
            client_config: Box::new(|_| {}),
            server_config: Box::new(|_| {}),
        }
    }
}

impl Setup {
    pub fn versions(client: DtlsVersions, server: DtlsVersions) -> Setup {
        Setup {
            client_versions: client,
            server_versions: server,
            ..Setup::default()
        }
    }
}

impl Pair {
    pub fn new(setup: Setup) -> Pair {
        let client_cert = certificate(setup.seed * 2);
        let server_cert = certificate(setup.seed * 2 + 1);
        Pair::with_certificates(setup, client_cert, server_cert)
    }

    pub fn with_certificates(
        setup: Setup,
        client_cert: Certificate,
        server_cert: Certificate,
    ) -> Pair {
        let start = base_instant();
        let mut rng = Rng::from_seed(setup.seed);
        let mut client_config = DtlsConfig::new(client_cert.clone(), wall_clock());
        client_config.versions = setup.client_versions;
        client_config.remote_fingerprints = server_cert.fingerprints();
        (setup.client_config)(&mut client_config);
        let mut server_config = DtlsConfig::new(server_cert, wall_clock());
        server_config.versions = setup.server_versions;
        server_config.remote_fingerprints = client_cert.fingerprints();
        (setup.server_config)(&mut server_config);
        let client = DtlsTransport::new(client_config, DtlsRole::Client, start, &mut rng.fork())
            .expect("client");
        let server = DtlsTransport::new(server_config, DtlsRole::Server, start, &mut rng.fork())
            .expect("server");
        let mut pair = Pair {
            client,
            server,
            start,
            now: start,
            client_events: Vec::new(),
            server_events: Vec::new(),
            log: Vec::new(),
            filter: Box::new(|_| true),
            counts: [0, 0],
        };
        pair.collect_events();
        pair
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    fn collect_events(&mut self) {
        while let Some(e) = self.client.poll_event() {
            self.client_events.push(e);
        }
        while let Some(e) = self.server.poll_event() {
            self.server_events.push(e);
        }
    }

    /// Moves every queued datagram across once (through the filter). Returns whether any moved.
    pub fn step(&mut self) -> bool {
        let mut moved = false;
        while let Some(d) = self.client.poll_transmit() {
            moved = true;
            if let Some(d) = self.pass(Dir::ClientToServer, d) {
                self.server.handle_receive(self.now, &d);
            }
        }
        while let Some(d) = self.server.poll_transmit() {
            moved = true;
            if let Some(d) = self.pass(Dir::ServerToClient, d) {
                self.client.handle_receive(self.now, &d);
            }
        }
        self.collect_events();
        moved
    }

    fn pass(&mut self, dir: Dir, bytes: Bytes) -> Option<Bytes> {
        let slot = match dir {
            Dir::ClientToServer => 0,
            Dir::ServerToClient => 1,
        };
        let seen = Seen {
            dir,
            index: self.counts[slot],
            at: self.elapsed(),
            bytes,
        };
        self.counts[slot] += 1;
        let deliver = (self.filter)(&seen);
        let bytes = seen.bytes.clone();
        self.log.push(seen);
        deliver.then_some(bytes)
    }

    /// Moves datagrams until none move, then jumps to the next timer, until `done` or `limit`
    /// of virtual time has passed. Returns whether `done` held.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Pair) -> bool) -> bool {
        loop {
            while self.step() {}
            if done(self) {
                return true;
            }
            let next = [self.client.poll_timeout(), self.server.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            let Some(next) = next else {
                return false;
            };
            if next - self.start > limit {
                return false;
            }
            self.now = self.now.max(next);
            self.client.handle_timeout(self.now);
            self.server.handle_timeout(self.now);
            self.collect_events();
        }
    }

    /// Runs until both ends are connected (panics after a virtual minute).
    pub fn connect(&mut self) {
        let ok = self.run_until(Duration::from_secs(60), |p| {
            p.client.state() == DtlsTransportState::Connected
                && p.server.state() == DtlsTransportState::Connected
        });
        assert!(
            ok,
            "not connected: client {:?} {:?}, server {:?} {:?}",
            self.client.state(),
            self.client_events,
            self.server.state(),
            self.server_events
        );
    }

    /// Sends `data` from one side and returns what the other side received, in order.
    pub fn send(&mut self, from: Dir, data: &[u8]) -> Vec<Bytes> {
        let (sender, events_before) = match from {
            Dir::ClientToServer => (&mut self.client, self.server_events.len()),
            Dir::ServerToClient => (&mut self.server, self.client_events.len()),
        };
        sender.send_application_data(data).expect("send");
        while self.step() {}
        let events = match from {
            Dir::ClientToServer => &self.server_events[events_before..],
            Dir::ServerToClient => &self.client_events[events_before..],
        };
        app_data(events)
    }
}

/// The application data in a list of events.
pub fn app_data(events: &[DtlsEvent]) -> Vec<Bytes> {
    events
        .iter()
        .filter_map(|e| match e {
            DtlsEvent::ApplicationData(d) => Some(d.clone()),
            _ => None,
        })
        .collect()
}

/// The states a side went through.
pub fn states(events: &[DtlsEvent]) -> Vec<DtlsTransportState> {
    events
        .iter()
        .filter_map(|e| match e {
            DtlsEvent::StateChange(s) => Some(*s),
            _ => None,
        })
        .collect()
}
