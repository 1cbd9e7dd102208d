//! DTLS benchmarks: a full handshake in memory, and application data seal/open for 1200-byte
//! records (an SCTP packet at a typical path MTU), for DTLS 1.2 and 1.3.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rtcpeer_dtls::{
    Certificate, CertificateParams, DtlsConfig, DtlsEvent, DtlsRole, DtlsTransport,
    DtlsTransportState, DtlsVersions,
};
use rtcpeer_types::Rng;

const RECORD: usize = 1200;

fn wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

#[allow(clippy::disallowed_methods)]
fn base_instant() -> Instant {
    Instant::now()
}

struct Certs {
    client: Certificate,
    server: Certificate,
}

fn certs() -> Certs {
    let mut rng = Rng::from_seed(1);
    let params = CertificateParams::default();
    Certs {
        client: Certificate::generate(&params, wall_clock(), &mut rng).unwrap(),
        server: Certificate::generate(&params, wall_clock(), &mut rng).unwrap(),
    }
}

fn pair(
    certs: &Certs,
    versions: DtlsVersions,
    now: Instant,
    seed: u64,
) -> (DtlsTransport, DtlsTransport) {
    let mut rng = Rng::from_seed(seed);
    let mut c = DtlsConfig::new(certs.client.clone(), wall_clock());
    c.versions = versions;
    c.remote_fingerprints = certs.server.fingerprints();
    let mut s = DtlsConfig::new(certs.server.clone(), wall_clock());
    s.versions = versions;
    s.remote_fingerprints = certs.client.fingerprints();
    let client = DtlsTransport::new(c, DtlsRole::Client, now, &mut rng).unwrap();
    let server = DtlsTransport::new(s, DtlsRole::Server, now, &mut rng).unwrap();
    (client, server)
}

/// Moves datagrams both ways until both ends are connected (no loss, so no timer is needed).
fn connect(client: &mut DtlsTransport, server: &mut DtlsTransport, now: Instant) {
    loop {
        let mut moved = false;
        while let Some(d) = client.poll_transmit() {
            moved = true;
            server.handle_receive(now, &d);
        }
        while let Some(d) = server.poll_transmit() {
            moved = true;
            client.handle_receive(now, &d);
        }
        if !moved {
            break;
        }
    }
    assert_eq!(client.state(), DtlsTransportState::Connected);
    assert_eq!(server.state(), DtlsTransportState::Connected);
    while client.poll_event().is_some() {}
    while server.poll_event().is_some() {}
}

fn handshake(c: &mut Criterion) {
    let certs = certs();
    let now = base_instant();
    let mut group = c.benchmark_group("handshake");
    for (name, versions) in [
        ("dtls12", DtlsVersions::Dtls12Only),
        ("dtls13", DtlsVersions::Auto),
    ] {
        let mut seed = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                seed += 1;
                let (mut client, mut server) = pair(&certs, versions, now, seed);
                connect(&mut client, &mut server, now);
                black_box((client, server))
            })
        });
    }
    group.finish();
}

fn records(c: &mut Criterion) {
    let certs = certs();
    let now = base_instant();
    let payload = vec![0x5au8; RECORD];
    let mut group = c.benchmark_group("records_1200");
    group.throughput(Throughput::Bytes(RECORD as u64));
    for (name, versions) in [
        ("dtls12", DtlsVersions::Dtls12Only),
        ("dtls13", DtlsVersions::Auto),
    ] {
        // Seal only: the server never reads, so this pair is not used again.
        let (mut client, mut server) = pair(&certs, versions, now, 9);
        connect(&mut client, &mut server, now);
        group.bench_function(format!("{name}_seal"), |b| {
            b.iter(|| {
                client.send_application_data(black_box(&payload)).unwrap();
                black_box(client.poll_transmit())
            })
        });
        // Seal and open on a fresh pair, returning whatever the server answers (DTLS 1.3 ACKs
        // and KeyUpdates) so the two stay in step.
        let (mut client, mut server) = pair(&certs, versions, now, 10);
        connect(&mut client, &mut server, now);
        group.bench_function(format!("{name}_seal_open"), |b| {
            b.iter(|| {
                client.send_application_data(black_box(&payload)).unwrap();
                while let Some(datagram) = client.poll_transmit() {
                    server.handle_receive(now, &datagram);
                }
                while let Some(datagram) = server.poll_transmit() {
                    client.handle_receive(now, &datagram);
                }
                match server.poll_event() {
                    Some(DtlsEvent::ApplicationData(d)) => black_box(d),
                    other => panic!("expected data, got {other:?}"),
                }
            })
        });
    }
    group.finish();
}

fn certificate(c: &mut Criterion) {
    let mut rng = Rng::from_seed(3);
    c.bench_function("certificate_generate_p256", |b| {
        b.iter(|| {
            Certificate::generate(&CertificateParams::default(), wall_clock(), &mut rng).unwrap()
        })
    });
}

criterion_group!(benches, handshake, records, certificate);
criterion_main!(benches);
