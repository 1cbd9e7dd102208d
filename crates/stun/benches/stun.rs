//! STUN codec benchmarks on the ICE connectivity-check path: an RFC 8445 Binding request with
//! USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY and FINGERPRINT.

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rtcpeer_stun::{IntegrityKey, Message, MessageBuilder, MessageType, TransactionId, is_stun};

const USERNAME: &str = "9gQv/fVb:RnK1xcHx";
const PASSWORD: &str = "n6BuuGOyHf7cbOUvHDgu9Ty5";
const ID: TransactionId = TransactionId::new([
    0x4a, 0x1f, 0x02, 0xee, 0x91, 0x3b, 0x77, 0x0c, 0x5d, 0xa8, 0x13, 0x64,
]);

fn binding_request(key: &IntegrityKey, buf: Vec<u8>) -> Vec<u8> {
    MessageBuilder::with_buffer(buf, MessageType::BINDING_REQUEST, ID)
        .username(USERNAME)
        .priority(1_853_824_767)
        .ice_controlling(0x1234_5678_9abc_def0)
        .use_candidate()
        .message_integrity(key)
        .fingerprint()
        .build()
        .expect("the request encodes")
}

fn bench(c: &mut Criterion) {
    let key = IntegrityKey::short_term(PASSWORD);
    let request = binding_request(&key, Vec::new());

    let mut group = c.benchmark_group("ice_binding_request");
    group.throughput(Throughput::Elements(1));

    group.bench_function("is_stun", |b| b.iter(|| is_stun(black_box(&request))));

    group.bench_function("decode", |b| {
        b.iter(|| Message::decode(black_box(&request)).is_ok())
    });

    // Full keys precompute the HMAC key schedules; compact ones (what ICE holds) derive them
    // per message.
    let compact = IntegrityKey::short_term_compact(PASSWORD);
    for (suffix, key) in [("", &key), ("_compact", &compact)] {
        group.bench_function(format!("decode_verify{suffix}"), |b| {
            b.iter(|| {
                let m = Message::decode(black_box(&request)).expect("decodes");
                m.verify_fingerprint().expect("fingerprint");
                m.verify_integrity(key).expect("integrity");
                (
                    m.username(),
                    m.priority(),
                    m.ice_controlling(),
                    m.use_candidate(),
                )
            })
        });

        group.bench_function(format!("encode{suffix}"), |b| {
            let mut buf = Some(Vec::with_capacity(128));
            b.iter(|| {
                let out = binding_request(key, buf.take().unwrap_or_default());
                let len = black_box(&out).len();
                buf = Some(out);
                len
            })
        });
    }

    group.bench_function("short_term_key", |b| {
        b.iter(|| IntegrityKey::short_term(black_box(PASSWORD)))
    });

    group.bench_function("short_term_compact_key", |b| {
        b.iter(|| IntegrityKey::short_term_compact(black_box(PASSWORD)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
