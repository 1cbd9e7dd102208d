//! An in-memory, lossy, seeded network between two sans-IO endpoints, with virtual time.
//!
//! Packets get a base delay plus random jitter (which reorders them), may be dropped or
//! duplicated, and time jumps straight to the next delivery or timer deadline.

#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_sctp::{Association, DataChannels};
use rtcpeer_types::Rng;

/// What the harness needs from an endpoint.
pub trait Endpoint {
    fn receive(&mut self, now: Instant, packet: Bytes);
    fn transmit(&mut self, now: Instant) -> Option<Bytes>;
    fn timeout(&self) -> Option<Instant>;
    fn on_timeout(&mut self, now: Instant);
}

impl Endpoint for Association {
    fn receive(&mut self, now: Instant, packet: Bytes) {
        self.handle_receive_bytes(now, packet)
    }
    fn transmit(&mut self, now: Instant) -> Option<Bytes> {
        self.poll_transmit(now)
    }
    fn timeout(&self) -> Option<Instant> {
        self.poll_timeout()
    }
    fn on_timeout(&mut self, now: Instant) {
        self.handle_timeout(now)
    }
}

impl Endpoint for DataChannels {
    fn receive(&mut self, now: Instant, packet: Bytes) {
        self.handle_receive_bytes(now, packet)
    }
    fn transmit(&mut self, now: Instant) -> Option<Bytes> {
        self.poll_transmit(now)
    }
    fn timeout(&self) -> Option<Instant> {
        self.poll_timeout()
    }
    fn on_timeout(&mut self, now: Instant) {
        self.handle_timeout(now)
    }
}

/// A test's packet filter: sees each packet (`true`: towards `b`), drops it by returning true.
pub type Filter = Box<dyn FnMut(bool, &[u8]) -> bool>;

/// Link impairments.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub delay: Duration,
    pub jitter: Duration,
    pub loss: f64,
    pub duplicate: f64,
}

impl Link {
    pub fn perfect() -> Self {
        Link {
            delay: Duration::from_millis(10),
            jitter: Duration::ZERO,
            loss: 0.0,
            duplicate: 0.0,
        }
    }
    pub fn lossy(loss: f64) -> Self {
        Link {
            delay: Duration::from_millis(10),
            jitter: Duration::from_millis(8),
            loss,
            duplicate: 0.02,
        }
    }
}

#[allow(clippy::disallowed_methods)]
pub fn base_time() -> Instant {
    Instant::now()
}

pub struct Net<E> {
    pub a: E,
    pub b: E,
    pub now: Instant,
    pub start: Instant,
    pub link: Link,
    rng: Rng,
    seq: u64,
    /// (arrival, seq, to_b, packet)
    queue: BinaryHeap<Reverse<(Instant, u64, bool, Bytes)>>,
    /// While set, everything sent by `b` or to `b` is lost (b vanished).
    pub b_gone: bool,
    /// Sees every packet put on the link (`true`: towards `b`) and drops it by returning
    /// true, before the random impairments.
    pub filter: Option<Filter>,
    pub sent: u64,
    pub dropped: u64,
}

impl<E: Endpoint> Net<E> {
    pub fn new(a: E, b: E, now: Instant, link: Link, seed: u64) -> Self {
        Net {
            a,
            b,
            now,
            start: now,
            link,
            rng: Rng::from_seed(seed),
            seq: 0,
            queue: BinaryHeap::new(),
            b_gone: false,
            filter: None,
            sent: 0,
            dropped: 0,
        }
    }

    fn schedule(&mut self, to_b: bool, p: Bytes) {
        self.sent += 1;
        if let Some(f) = &mut self.filter
            && f(to_b, &p)
        {
            self.dropped += 1;
            return;
        }
        if self.b_gone || self.rng.chance(self.link.loss) {
            self.dropped += 1;
            return;
        }
        let copies = if self.rng.chance(self.link.duplicate) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let jitter = self
                .rng
                .range_u64(0, self.link.jitter.as_micros() as u64 + 1);
            let at = self.now + self.link.delay + Duration::from_micros(jitter);
            self.seq += 1;
            self.queue.push(Reverse((at, self.seq, to_b, p.clone())));
        }
    }

    /// Moves every packet both endpoints want to send onto the link.
    pub fn flush(&mut self) {
        loop {
            let mut any = false;
            while let Some(p) = self.a.transmit(self.now) {
                self.schedule(true, p);
                any = true;
            }
            while let Some(p) = self.b.transmit(self.now) {
                self.schedule(false, p);
                any = true;
            }
            if !any {
                break;
            }
        }
    }

    /// Flushes, then advances to the next event (delivery or timer) and processes it.
    /// Returns false when nothing at all is pending.
    pub fn step(&mut self) -> bool {
        self.flush();
        let next_packet = self.queue.peek().map(|Reverse((t, ..))| *t);
        let next = [next_packet, self.a.timeout(), self.b.timeout()]
            .into_iter()
            .flatten()
            .min();
        let Some(next) = next else { return false };
        if next > self.now {
            self.now = next;
        }
        while let Some(Reverse((t, ..))) = self.queue.peek() {
            if *t > self.now {
                break;
            }
            let Some(Reverse((_, _, to_b, p))) = self.queue.pop() else {
                break;
            };
            if to_b {
                self.b.receive(self.now, p);
            } else {
                self.a.receive(self.now, p);
            }
        }
        if self.a.timeout().is_some_and(|t| t <= self.now) {
            self.a.on_timeout(self.now);
        }
        if self.b.timeout().is_some_and(|t| t <= self.now) {
            self.b.on_timeout(self.now);
        }
        true
    }

    /// Steps until `done` holds or `limit` of virtual time passes; returns whether it held.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&mut Self) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            if done(self) {
                return true;
            }
            if self.now > end || !self.step() {
                return done(self);
            }
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }
}

/// The chunk types in an SCTP packet, in order (malformed trailing bytes are ignored).
pub fn chunk_types(packet: &[u8]) -> Vec<u8> {
    rtcpeer_sctp::wire::ChunkIter::new(Bytes::copy_from_slice(packet))
        .flatten()
        .map(|c| c.chunk_type())
        .collect()
}
