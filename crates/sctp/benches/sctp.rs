//! Throughput of two associations connected in memory (no loss, no delay): 64 KiB messages
//! (bytes per second) and 64-byte messages (messages per second), end to end: fragmentation,
//! packing, CRC32c, SACKs, reassembly and delivery as events.

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rtcpeer_sctp::{Association, Config, Event, Reliability};
use rtcpeer_types::Rng;

struct Pair {
    a: Association,
    b: Association,
    now: Instant,
}

impl Pair {
    fn new() -> Self {
        #[allow(clippy::disallowed_methods)]
        let now = Instant::now();
        let config = Config {
            max_receive_buffer: 4 * 1024 * 1024,
            ..Config::default()
        };
        let mut p = Pair {
            a: Association::new(config.clone(), now, Rng::from_seed(1)),
            b: Association::new(config, now, Rng::from_seed(2)),
            now,
        };
        p.a.connect();
        p.b.connect();
        while !(p.a.is_established() && p.b.is_established()) {
            p.pump();
        }
        while p.a.poll_event().is_some() || p.b.poll_event().is_some() {}
        p
    }

    /// Moves packets both ways until neither has anything to send; fires timers if stuck.
    fn pump(&mut self) -> bool {
        let mut moved = false;
        while let Some(p) = self.a.poll_transmit(self.now) {
            self.b.handle_receive_bytes(self.now, p);
            moved = true;
        }
        while let Some(p) = self.b.poll_transmit(self.now) {
            self.a.handle_receive_bytes(self.now, p);
            moved = true;
        }
        if !moved {
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            if let Some(t) = next {
                self.now = self.now.max(t);
                self.a.handle_timeout(self.now);
                self.b.handle_timeout(self.now);
            }
        }
        moved
    }

    /// Sends `count` messages of `payload` from a to b and waits for all of them.
    fn transfer(&mut self, payload: &Bytes, count: usize) {
        let mut received = 0;
        let mut sent = 0;
        while received < count {
            // Keep a window of messages queued so the sender never starves.
            while sent < count && self.a.buffered_amount(1) < 4 * 1024 * 1024 {
                self.a
                    .send(1, 53, false, Reliability::Reliable, payload.clone())
                    .unwrap();
                sent += 1;
            }
            self.pump();
            while let Some(e) = self.b.poll_event() {
                if let Event::Message(m) = e {
                    debug_assert_eq!(m.data.len(), payload.len());
                    received += 1;
                }
            }
            while self.a.poll_event().is_some() {}
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sctp");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));

    let big = Bytes::from(vec![0xabu8; 64 * 1024]);
    let n_big = 256; // 16 MiB per iteration
    g.throughput(Throughput::Bytes((big.len() * n_big) as u64));
    let mut pair = Pair::new();
    g.bench_function("64KiB_messages", |b| b.iter(|| pair.transfer(&big, n_big)));

    let small = Bytes::from(vec![0x5au8; 64]);
    let n_small = 20_000;
    g.throughput(Throughput::Elements(n_small as u64));
    let mut pair = Pair::new();
    g.bench_function("64B_messages", |b| {
        b.iter(|| pair.transfer(&small, n_small))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
