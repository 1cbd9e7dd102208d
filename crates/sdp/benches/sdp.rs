//! Parse and write of a typical Chrome offer (audio, video and a data channel).

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rtcpeer_sdp::SessionDescription;

const CHROME_OFFER: &str = include_str!("../tests/fixtures/chrome-offer-audio-video-data.sdp");

fn bench(c: &mut Criterion) {
    let sd = SessionDescription::parse(CHROME_OFFER).expect("fixture parses");
    let mut g = c.benchmark_group("chrome_offer");
    g.throughput(Throughput::Bytes(CHROME_OFFER.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| SessionDescription::parse(black_box(CHROME_OFFER)))
    });
    g.bench_function("write", |b| b.iter(|| black_box(&sd).to_string()));
    g.bench_function("parse_write", |b| {
        b.iter(|| SessionDescription::parse(black_box(CHROME_OFFER)).map(|sd| sd.to_string()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
