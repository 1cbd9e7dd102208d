//! Fuzz target: arbitrary datagrams fed to a DtlsTransport at any point of a real handshake
//! with a second transport, and after it connected: raw bytes, mutated and replayed real
//! datagrams, interleaved with real flights, timeouts and application data. Nothing may panic.
#![no_main]
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use rtcpeer_dtls::{
    Certificate, CertificateParams, DtlsConfig, DtlsRole, DtlsTransport, DtlsTransportState,
    DtlsVersions,
};
use rtcpeer_types::Rng;

fn wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

struct Fixed {
    base: Instant,
    client: Certificate,
    server: Certificate,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        let mut rng = Rng::from_seed(7);
        let params = CertificateParams::default();
        Fixed {
            base: Instant::now(),
            client: Certificate::generate(&params, wall_clock(), &mut rng).expect("certificate"),
            server: Certificate::generate(&params, wall_clock(), &mut rng).expect("certificate"),
        }
    })
}

/// Reads the fuzz input front to back; yields zeros when it runs out.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

struct Pair {
    ends: [DtlsTransport; 2],
    now: Instant,
    /// Real datagrams seen on the wire, both ways.
    seen: Vec<Bytes>,
}

impl Pair {
    /// Moves each side's queued datagrams to the other once.
    fn step(&mut self) -> bool {
        let mut moved = false;
        for from in 0..2 {
            while let Some(d) = self.ends[from].poll_transmit() {
                moved = true;
                if self.seen.len() < 64 {
                    self.seen.push(d.clone());
                }
                self.ends[1 - from].handle_receive(self.now, &d);
            }
        }
        self.drain_events();
        moved
    }

    fn drain_events(&mut self) {
        for end in &mut self.ends {
            while end.poll_event().is_some() {}
        }
    }

    fn timeout(&mut self, by: Duration) {
        self.now += by;
        for end in &mut self.ends {
            if end.poll_timeout().is_some_and(|t| t <= self.now) {
                end.handle_timeout(self.now);
            }
        }
        self.drain_events();
    }
}

fuzz_target!(|data: &[u8]| {
    let f = fixed();
    let mut input = Input(data);
    let flags = input.byte();
    let versions = match flags % 3 {
        0 => DtlsVersions::Auto,
        1 => DtlsVersions::Dtls12Only,
        _ => DtlsVersions::Dtls13Only,
    };
    let mut rng = Rng::from_seed(u64::from(flags));
    let config = |cert: &Certificate, remote: &Certificate| {
        let mut c = DtlsConfig::new(cert.clone(), wall_clock());
        c.remote_fingerprints = remote.fingerprints();
        c.versions = versions;
        c
    };
    let Ok(client) = DtlsTransport::new(
        config(&f.client, &f.server),
        DtlsRole::Client,
        f.base,
        &mut rng,
    ) else {
        return;
    };
    let Ok(server) = DtlsTransport::new(
        config(&f.server, &f.client),
        DtlsRole::Server,
        f.base,
        &mut rng,
    ) else {
        return;
    };
    let mut pair = Pair {
        ends: [client, server],
        now: f.base,
        seen: Vec::new(),
    };
    // Start mid-handshake after some flights, or connected.
    let flights = (flags >> 2) % 8;
    for _ in 0..flights {
        if !pair.step() {
            break;
        }
    }
    if flights == 7 {
        while pair.step() {}
    }
    let mut ops = 0;
    while !input.is_empty() && ops < 128 {
        ops += 1;
        let op = input.byte();
        let side = usize::from(op >> 7);
        match op % 7 {
            0 => {
                let n = usize::from(input.u16() % 2048);
                let d = input.take(n);
                pair.ends[side].handle_receive(pair.now, d);
            }
            1 | 2 => {
                if pair.seen.is_empty() {
                    continue;
                }
                let i = usize::from(input.byte()) % pair.seen.len();
                let mut d = pair.seen[i].to_vec();
                for _ in 0..(input.byte() % 4 + 1) {
                    let at = usize::from(input.u16()) % d.len().max(1);
                    let x = input.byte();
                    if let Some(b) = d.get_mut(at) {
                        *b ^= x;
                    }
                }
                if op % 7 == 2 {
                    // Truncated or extended.
                    let n = usize::from(input.u16()) % (d.len() + 64);
                    d.resize(n, input.byte());
                }
                pair.ends[side].handle_receive(pair.now, &d);
            }
            3 => {
                if let Some(d) = pair
                    .seen
                    .get(usize::from(input.byte()) % pair.seen.len().max(1))
                {
                    let d = d.clone();
                    pair.ends[side].handle_receive(pair.now, &d);
                }
            }
            4 => {
                for _ in 0..(input.byte() % 4 + 1) {
                    pair.step();
                }
            }
            5 => {
                let ms = u64::from(input.u16());
                pair.timeout(Duration::from_millis(ms));
            }
            _ => {
                let n = usize::from(input.u16() % 1400);
                let d = input.take(n).to_vec();
                if pair.ends[side].state() == DtlsTransportState::Connected {
                    let _ = pair.ends[side].send_application_data(&d);
                }
            }
        }
        pair.drain_events();
        while pair.ends[side].poll_transmit().is_some() {}
        let _ = (pair.ends[side].stats(), pair.ends[side].protocol_version());
    }
});
