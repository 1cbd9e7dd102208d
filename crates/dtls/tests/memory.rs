//! Heap held per connected DTLS transport: two transports connect in memory, exchange records
//! (some in batches, the way a driver that queues datagrams would), go idle; an instrumented
//! global allocator counts what they keep. The bounds are loose ceilings with margin that catch
//! a return of a pre-sized output buffer (it used to be a 64 KiB block per transport).

use std::alloc::System;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtcpeer_dtls::{
    Certificate, CertificateParams, DtlsConfig, DtlsEvent, DtlsRole, DtlsTransport,
    DtlsTransportState, DtlsVersions,
};
use rtcpeer_types::Rng;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Ceiling for one idle connected transport (heap, not counting `size_of`). dimpl's own state
/// (keys, certificates, buffer pools) is most of it.
const IDLE_BOUND: usize = 24 * 1024;

fn wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

#[allow(clippy::disallowed_methods)]
fn base_instant() -> Instant {
    Instant::now()
}

/// Heap bytes allocated and not freed since `region` began. (stats_alloc already counts a
/// reallocation's growth in `bytes_allocated` and its shrinking in `bytes_deallocated`;
/// `bytes_reallocated` is the same change again and must not be added.)
fn held(region: &Region<'_, System>) -> isize {
    let change = region.change();
    change.bytes_allocated as isize - change.bytes_deallocated as isize
}

/// Moves every queued datagram across, both ways, until nothing moves; drops events.
fn pump(client: &mut DtlsTransport, server: &mut DtlsTransport, now: Instant) -> usize {
    let mut records = 0;
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
        for t in [&mut *client, &mut *server] {
            while let Some(e) = t.poll_event() {
                if matches!(e, DtlsEvent::ApplicationData(_)) {
                    records += 1;
                }
            }
        }
        if !moved {
            return records;
        }
    }
}

/// Connects a pair of `versions`, then sends `batches` batches of 32 records of `size` bytes
/// each way (each batch queued before any datagram moves), and returns the idle pair.
fn connected_pair(
    client_cert: &Certificate,
    server_cert: &Certificate,
    versions: DtlsVersions,
    batches: usize,
    size: usize,
) -> (DtlsTransport, DtlsTransport) {
    let now = base_instant();
    let mut rng = Rng::from_seed(7);
    let mut c = DtlsConfig::new(client_cert.clone(), wall_clock());
    c.versions = versions;
    c.remote_fingerprints = server_cert.fingerprints();
    let mut s = DtlsConfig::new(server_cert.clone(), wall_clock());
    s.versions = versions;
    s.remote_fingerprints = client_cert.fingerprints();
    let mut client = DtlsTransport::new(c, DtlsRole::Client, now, &mut rng.fork()).expect("client");
    let mut server = DtlsTransport::new(s, DtlsRole::Server, now, &mut rng.fork()).expect("server");
    pump(&mut client, &mut server, now);
    assert_eq!(client.state(), DtlsTransportState::Connected);
    assert_eq!(server.state(), DtlsTransportState::Connected);
    let payload = vec![0x5a; size];
    let mut kept = Vec::new();
    for round in 0..batches {
        for _ in 0..32 {
            client.send_application_data(&payload).expect("send");
            server.send_application_data(&payload).expect("send");
        }
        // Half of the rounds, the receiver keeps the records until the round is over.
        while let Some(d) = client.poll_transmit() {
            server.handle_receive(now, &d);
        }
        while let Some(d) = server.poll_transmit() {
            client.handle_receive(now, &d);
        }
        for t in [&mut client, &mut server] {
            while let Some(e) = t.poll_event() {
                if let DtlsEvent::ApplicationData(d) = e
                    && round % 2 == 0
                {
                    kept.push(d);
                }
            }
        }
        assert_eq!(pump(&mut client, &mut server, now), 0);
        kept.clear();
    }
    drop(kept);
    (client, server)
}

#[test]
fn idle_transport_holds_little_heap() {
    // Tests of one binary share the allocator: this binary has one test.
    let mut rng = Rng::from_seed(1);
    let params = CertificateParams::default();
    let client_cert = Certificate::generate(&params, wall_clock(), &mut rng).expect("cert");
    let server_cert = Certificate::generate(&params, wall_clock(), &mut rng).expect("cert");
    let mut report = Vec::new();
    for (name, versions) in [
        ("dtls12", DtlsVersions::Dtls12Only),
        ("dtls13", DtlsVersions::Auto),
    ] {
        for (what, batches) in [("after handshake", 0), ("after 64 batches", 64)] {
            let region = Region::new(GLOBAL);
            let pair = connected_pair(&client_cert, &server_cert, versions, batches, 1200);
            let per_transport = held(&region) / 2;
            drop(pair);
            report.push((format!("{name} {what}"), per_transport));
        }
    }
    let text: Vec<String> = report.iter().map(|(k, v)| format!("{k}: {v} B")).collect();
    eprintln!(
        "heap per connected DTLS transport: {} (size_of {} B)",
        text.join(", "),
        std::mem::size_of::<DtlsTransport>()
    );
    for (what, per_transport) in report {
        assert!(per_transport > 0);
        assert!(
            per_transport < IDLE_BOUND as isize,
            "{what}: {per_transport} B held per idle transport"
        );
    }
}
