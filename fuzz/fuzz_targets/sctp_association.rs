//! Fuzz target: a running SCTP association (after a real handshake with a second one, or set
//! up from exchanged INIT chunks as SNAP does) is fed arbitrary packets, interleaved with
//! timeouts, sends, resets and real traffic with its peer. Packets carry the right ports and
//! verification tag and a valid CRC32c (or zero checksum), so they reach the chunk handlers.
//! The first input byte chooses the setup: zero checksum, handshake or not, who connects,
//! I-DATA (RFC 8260) negotiated or refused by the peer, RACK-TLP on or off, SNAP. Nothing may
//! panic.
#![no_main]
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use rtcpeer_sctp::wire::checksum;
use rtcpeer_sctp::{Association, Config, Reliability};
use rtcpeer_types::Rng;

fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
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

struct World {
    a: Association,
    b: Association,
    now: Instant,
    /// The first 8 bytes of a packet from b to a: ports and a's verification tag.
    header: [u8; 8],
    /// Real packets b sent to a, to mutate.
    seen: Vec<Bytes>,
    /// Packets a sent, not yet delivered to b.
    a_out: Vec<Bytes>,
    zero_checksum: bool,
}

impl World {
    fn drain(&mut self) {
        while let Some(p) = self.a.poll_transmit(self.now) {
            if self.a_out.len() < 256 {
                self.a_out.push(p);
            }
        }
        while self.a.poll_event().is_some() {}
        while self.b.poll_event().is_some() {}
    }

    /// Real traffic: a's packets to b, b's answers to a, a few rounds.
    fn exchange(&mut self, rounds: usize) {
        for _ in 0..rounds {
            self.drain();
            let out = std::mem::take(&mut self.a_out);
            for p in out {
                self.b.handle_receive_bytes(self.now, p);
            }
            let mut any = false;
            while let Some(p) = self.b.poll_transmit(self.now) {
                any = true;
                if p.len() >= 8 && p[4..8] != [0; 4] {
                    self.header.copy_from_slice(&p[..8]);
                }
                if self.seen.len() < 64 {
                    self.seen.push(p.clone());
                }
                self.a.handle_receive_bytes(self.now, p);
            }
            if !any && self.a_out.is_empty() {
                self.drain();
                if self.a_out.is_empty() {
                    return;
                }
            }
        }
    }

    /// Seals a packet: the header, then `body`, then the checksum.
    fn seal(&self, body: &[u8], header: &[u8; 8]) -> Bytes {
        let mut p = BytesMut::with_capacity(12 + body.len());
        p.put_slice(header);
        p.put_u32(0);
        p.put_slice(body);
        self.fix(&mut p);
        p.freeze()
    }

    fn fix(&self, p: &mut [u8]) {
        if p.len() < 12 {
            return;
        }
        let sum = if self.zero_checksum { 0 } else { checksum(p) };
        p[8..12].copy_from_slice(&sum.to_le_bytes());
    }

    fn feed(&mut self, p: Bytes) {
        self.a.handle_receive_bytes(self.now, p);
        self.drain();
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let flags = input.byte();
    let zero_checksum = flags & 1 != 0;
    let config = Config {
        zero_checksum,
        max_message_size: 64 * 1024,
        max_receive_buffer: 128 * 1024,
        max_send_buffer: 1024 * 1024,
        rack: flags & 16 == 0,
        ..Config::default()
    };
    // Bit 3: the peer refuses I-DATA, so DATA and FORWARD-TSN are used.
    let peer = Config {
        interleaving: flags & 8 == 0,
        ..config.clone()
    };
    let now = base();
    let mut w = World {
        a: Association::new(config, now, Rng::from_seed(1)),
        b: Association::new(peer, now, Rng::from_seed(2)),
        now,
        header: [0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0],
        seen: Vec::new(),
        a_out: Vec::new(),
        zero_checksum: false,
    };
    if flags & 32 != 0 {
        // SNAP: INIT chunks exchanged out of band, both established at once.
        let init_a = w.a.local_sctp_init();
        let init_b = w.b.local_sctp_init();
        let _ = w.a.set_remote_sctp_init(&init_b);
        let _ = w.b.set_remote_sctp_init(&init_a);
        w.a.connect();
        w.b.connect();
        w.exchange(2);
    } else if flags & 2 == 0 {
        // A real handshake first (else the packets meet an association in CLOSED or
        // COOKIE-WAIT).
        w.a.connect();
        if flags & 4 != 0 {
            w.b.connect();
        }
        w.exchange(8);
    }
    w.zero_checksum = zero_checksum && w.a.zero_checksum_in_use();
    let mut ops = 0;
    while !input.is_empty() && ops < 256 {
        ops += 1;
        match input.byte() % 9 {
            // Raw chunk bytes behind a valid header.
            0 => {
                let n = usize::from(input.u16() % 1500);
                let body = input.take(n).to_vec();
                let header = w.header;
                let p = w.seal(&body, &header);
                w.feed(p);
            }
            // Well-framed chunks: type, flags, value; lengths and padding made right.
            1 => {
                let mut body = BytesMut::new();
                for _ in 0..(input.byte() % 4 + 1) {
                    let ty = input.byte();
                    let fl = input.byte();
                    let n = usize::from(input.byte());
                    let value = input.take(n);
                    body.put_u8(ty);
                    body.put_u8(fl);
                    body.put_u16((value.len() + 4) as u16);
                    body.put_slice(value);
                    body.put_bytes(0, (4 - value.len() % 4) % 4);
                }
                let header = w.header;
                let p = w.seal(&body, &header);
                w.feed(p);
            }
            // A real packet from b, mutated.
            2 => {
                if w.seen.is_empty() {
                    continue;
                }
                let i = usize::from(input.byte()) % w.seen.len();
                let mut p = w.seen[i].to_vec();
                for _ in 0..(input.byte() % 8 + 1) {
                    let at = usize::from(input.u16()) % p.len().max(1);
                    let x = input.byte();
                    if let Some(b) = p.get_mut(at) {
                        *b ^= x;
                    }
                }
                if input.byte() & 1 == 0 {
                    w.fix(&mut p);
                }
                w.feed(Bytes::from(p));
            }
            // A real packet from b, replayed.
            3 => {
                if let Some(p) = w.seen.get(usize::from(input.byte()) % w.seen.len().max(1)) {
                    let p = p.clone();
                    w.feed(p);
                }
            }
            // Time passes.
            4 => {
                let ms = u64::from(input.u16());
                w.now += Duration::from_millis(ms);
                w.a.handle_timeout(w.now);
                w.b.handle_timeout(w.now);
                w.drain();
            }
            // The application sends.
            5 => {
                let stream = u16::from(input.byte() % 8);
                let mode = input.byte();
                let len = usize::from(input.u16() % 4000) + 1;
                let reliability = match mode % 3 {
                    0 => Reliability::Reliable,
                    1 => Reliability::MaxRetransmits(u16::from(mode >> 4)),
                    _ => Reliability::MaxLifetime(Duration::from_millis(u64::from(mode) * 4)),
                };
                let _ = w.a.send(
                    stream,
                    53,
                    mode & 8 != 0,
                    reliability,
                    Bytes::from(vec![mode; len]),
                );
                let _ = w.b.send(
                    stream,
                    51,
                    false,
                    Reliability::Reliable,
                    Bytes::from(vec![1; len / 2 + 1]),
                );
                w.drain();
            }
            // Real traffic both ways.
            6 => {
                let rounds = usize::from(input.byte() % 8) + 1;
                w.exchange(rounds);
            }
            // Stream resets, shutdown, abort.
            7 => match input.byte() % 8 {
                0 => w.a.shutdown(),
                1 => w.b.shutdown(),
                2 => w.a.abort(),
                _ => {
                    let s = u16::from(input.byte() % 8);
                    let _ = w.a.reset_streams(&[s]);
                    let _ = w.b.reset_streams(&[s, s + 1]);
                }
            },
            // A packet with any header (tags and ports from the input).
            _ => {
                let mut header = [0u8; 8];
                header.copy_from_slice(&[
                    input.byte(),
                    input.byte(),
                    input.byte(),
                    input.byte(),
                    input.byte(),
                    input.byte(),
                    input.byte(),
                    input.byte(),
                ]);
                let n = usize::from(input.byte()) * 4;
                let body = input.take(n).to_vec();
                let p = w.seal(&body, &header);
                w.feed(p);
            }
        }
        let _ = w.a.poll_timeout();
        let _ = (w.a.state(), w.a.stats(), w.a.buffered_amount(0));
    }
});
