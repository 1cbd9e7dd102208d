//! CPU cost of setting up one pair of transport stacks in memory: ICE checks and nomination,
//! the DTLS handshake (key exchange and signatures included), the SCTP handshake and a
//! DCEP-opened data channel, on a zero-delay lossless link with zero-delay signaling (virtual
//! time, so only computation is measured). This is the anchor of the "setup median ≤ 3 ms"
//! target. Certificates are made once, outside the measurement, as `generateCertificate` is.
//!
//! Also: one 1000-byte data channel message from one connected stack to the other.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

#[path = "../tests/transport_support/pair.rs"]
mod pair;

use std::hint::black_box;
use std::time::Instant;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use rtcpeer_core::transport::TransportEvent;

#[allow(clippy::disallowed_methods)]
fn base() -> Instant {
    Instant::now()
}

fn setup(c: &mut Criterion) {
    let certs = pair::pair_certificates(7);
    let start = base();
    let first = pair::connect_in_memory(&certs, start, 1);
    eprintln!(
        "transport setup: data channel open after {:?} of virtual time (zero-delay link; ICE \
         pacing and nomination)",
        first.setup
    );
    let mut seed = 0u64;
    c.bench_function("transport/setup_ice_dtls_sctp_dcep", |bch| {
        bch.iter(|| {
            seed += 1;
            black_box(pair::connect_in_memory(&certs, start, seed))
        })
    });
}

fn message(c: &mut Criterion) {
    let certs = pair::pair_certificates(8);
    let mut p = pair::connect_in_memory(&certs, base(), 2);
    let id = p.channel;
    let payload = Bytes::from(vec![7u8; 1000]);
    // The stacks' own addresses (a channel can open on a valid pair before nomination ends).
    let addr_a: std::net::SocketAddr = pair::ADDR_A.parse().expect("address");
    let addr_b: std::net::SocketAddr = pair::ADDR_B.parse().expect("address");
    c.bench_function("transport/message_1000B_one_way", |bch| {
        bch.iter(|| {
            p.a.send_binary(id, payload.clone()).expect("open");
            let mut got = false;
            while !got {
                let now = p.now;
                let mut moved = false;
                while let Some(t) = p.a.poll_transmit() {
                    moved = true;
                    if t.destination == addr_b {
                        p.b.handle_receive(now, t.into());
                    }
                }
                while let Some(e) = p.b.poll_event() {
                    if let TransportEvent::DataChannelMessage { message, .. } = e {
                        black_box(message);
                        got = true;
                    }
                }
                while let Some(t) = p.b.poll_transmit() {
                    moved = true;
                    if t.destination == addr_a {
                        p.a.handle_receive(now, t.into());
                    }
                }
                while p.a.poll_event().is_some() {}
                if !moved && !got {
                    // Waiting on a timer (a delayed SACK): jump to it.
                    let next = [p.a.poll_timeout(), p.b.poll_timeout()]
                        .into_iter()
                        .flatten()
                        .min()
                        .expect("a timer is pending");
                    p.now = p.now.max(next);
                    p.a.handle_timeout(p.now);
                    p.b.handle_timeout(p.now);
                }
            }
        })
    });
}

criterion_group!(benches, setup, message);
criterion_main!(benches);
