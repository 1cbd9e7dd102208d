//! The benchmark: two data channel endpoints in memory, each SCTP packet sealed in a
//! DTLS record by one `DtlsTransport` and opened by the other (no sockets, one core, no loss,
//! no delay): reliable bulk throughput with 64 KiB messages (bytes per second) and the rate of
//! 64-byte messages (messages per second), end to end from `send_binary` to the `Message`
//! event.

#![allow(missing_docs)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rtcpeer_dtls::{
    Certificate, CertificateParams, DtlsConfig, DtlsEvent, DtlsRole as DtlsSide, DtlsTransport,
    DtlsTransportState, DtlsVersions,
};
use rtcpeer_sctp::datachannel::{ChannelEvent, DataChannelInit, DtlsRole};
use rtcpeer_sctp::{Config, DataChannels};
use rtcpeer_types::Rng;

struct Side {
    dtls: DtlsTransport,
    dc: DataChannels,
    received: usize,
    received_bytes: usize,
}

impl Side {
    /// Seals everything SCTP wants to send. Returns whether anything was.
    fn seal(&mut self, now: Instant) -> bool {
        let mut any = false;
        while let Some(p) = self.dc.poll_transmit(now) {
            any = true;
            if self.dtls.state() == DtlsTransportState::Connected {
                self.dtls.send_application_data(&p).expect("record");
            }
        }
        any
    }

    /// Opens a datagram and hands its SCTP packet over.
    fn open(&mut self, now: Instant, datagram: &[u8]) {
        self.dtls.handle_receive(now, datagram);
        self.events(now);
    }

    fn events(&mut self, now: Instant) {
        while let Some(e) = self.dtls.poll_event() {
            match e {
                DtlsEvent::ApplicationData(p) => self.dc.handle_receive_bytes(now, p),
                DtlsEvent::Connected(_) => self.dc.connect(),
                _ => {}
            }
        }
        while let Some(e) = self.dc.poll_event() {
            if let ChannelEvent::Message { message, .. } = e {
                self.received += 1;
                self.received_bytes += match message {
                    rtcpeer_sctp::datachannel::ChannelMessage::Binary(b) => b.len(),
                    rtcpeer_sctp::datachannel::ChannelMessage::Text(t) => t.len(),
                };
            }
        }
    }
}

struct Pair {
    a: Side,
    b: Side,
    now: Instant,
    channel: u16,
}

fn wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

impl Pair {
    fn new(versions: DtlsVersions, zero_checksum: bool) -> Self {
        #[allow(clippy::disallowed_methods)]
        let now = Instant::now();
        let mut rng = Rng::from_seed(1);
        let cert = |rng: &mut Rng| {
            Certificate::generate(&CertificateParams::default(), wall_clock(), rng).unwrap()
        };
        let (ca, cb) = (cert(&mut rng), cert(&mut rng));
        let dtls = |mine: &Certificate, theirs: &Certificate, side, rng: &mut Rng| {
            let mut c = DtlsConfig::new(mine.clone(), wall_clock());
            c.remote_fingerprints = theirs.fingerprints();
            c.versions = versions;
            DtlsTransport::new(c, side, now, rng).unwrap()
        };
        let config = Config {
            max_receive_buffer: 4 * 1024 * 1024,
            zero_checksum,
            ..Config::default()
        };
        let a = Side {
            dtls: dtls(&ca, &cb, DtlsSide::Client, &mut rng),
            dc: DataChannels::new(config.clone(), DtlsRole::Client, now, rng.fork()),
            received: 0,
            received_bytes: 0,
        };
        let b = Side {
            dtls: dtls(&cb, &ca, DtlsSide::Server, &mut rng),
            dc: DataChannels::new(config, DtlsRole::Server, now, rng.fork()),
            received: 0,
            received_bytes: 0,
        };
        let mut p = Pair {
            a,
            b,
            now,
            channel: 0,
        };
        for side in [&mut p.a.dc, &mut p.b.dc] {
            side.create_channel(DataChannelInit {
                negotiated_id: Some(1),
                ..Default::default()
            })
            .unwrap();
        }
        p.channel = 1;
        while !(p.a.dc.association().is_established() && p.b.dc.association().is_established()) {
            p.pump();
        }
        p
    }

    /// Moves datagrams both ways until neither side has anything to send; fires timers if
    /// stuck.
    fn pump(&mut self) -> bool {
        let mut moved = self.a.seal(self.now) | self.b.seal(self.now);
        while let Some(d) = self.a.dtls.poll_transmit() {
            self.b.open(self.now, &d);
            moved = true;
        }
        while let Some(d) = self.b.dtls.poll_transmit() {
            self.a.open(self.now, &d);
            moved = true;
        }
        if !moved {
            let next = [
                self.a.dtls.poll_timeout(),
                self.b.dtls.poll_timeout(),
                self.a.dc.poll_timeout(),
                self.b.dc.poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min();
            if let Some(t) = next {
                self.now = self.now.max(t);
                self.a.dtls.handle_timeout(self.now);
                self.b.dtls.handle_timeout(self.now);
                self.a.dc.handle_timeout(self.now);
                self.b.dc.handle_timeout(self.now);
                self.a.events(self.now);
                self.b.events(self.now);
            }
        }
        moved
    }

    /// Sends `count` messages of `payload` from a to b and waits for all of them.
    fn transfer(&mut self, payload: &Bytes, count: usize) {
        let target = self.b.received + count;
        let mut sent = 0;
        while self.b.received < target {
            // Keep a window of messages queued so the sender never starves.
            while sent < count && self.a.dc.buffered_amount(self.channel) < 4 * 1024 * 1024 {
                self.a
                    .dc
                    .send_binary(self.channel, payload.clone())
                    .unwrap();
                sent += 1;
            }
            self.pump();
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sctp_over_dtls");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    let big = Bytes::from(vec![0xabu8; 64 * 1024]);
    let n_big = 256; // 16 MiB per iteration
    let small = Bytes::from(vec![0x5au8; 64]);
    let n_small = 20_000;
    // DTLS 1.3 (what two rtcpeer endpoints negotiate), DTLS 1.2 (what most browsers speak
    // today), and DTLS 1.3 with RFC 9653 zero checksums (no CRC32c either way).
    for (name, versions, zero_checksum) in [
        ("dtls13", DtlsVersions::Auto, false),
        ("dtls12", DtlsVersions::Dtls12Only, false),
        ("dtls13_zero_checksum", DtlsVersions::Auto, true),
    ] {
        g.throughput(Throughput::Bytes((big.len() * n_big) as u64));
        let mut pair = Pair::new(versions, zero_checksum);
        assert_eq!(
            pair.a.dc.association().zero_checksum_in_use(),
            zero_checksum
        );
        g.bench_function(format!("{name}/64KiB_messages"), |b| {
            b.iter(|| pair.transfer(&big, n_big))
        });
        assert_eq!(pair.b.received_bytes, pair.b.received * big.len());

        g.throughput(Throughput::Elements(n_small as u64));
        let mut pair = Pair::new(versions, zero_checksum);
        g.bench_function(format!("{name}/64B_messages"), |b| {
            b.iter(|| pair.transfer(&small, n_small))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
