//! Two [`TransportStack`]s wired back to back in memory (a zero-delay, lossless link and
//! zero-delay signaling), driven with a virtual clock until a DCEP-opened data channel is open
//! on both sides. Shared by the setup benchmark and the memory measurement.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtcpeer_core::RtcIceRole;
use rtcpeer_core::transport::{
    RemoteSctpParameters, TransportConfig, TransportEvent, TransportParameters, TransportStack,
};
use rtcpeer_dtls::{Certificate, CertificateParams, DtlsRole};
use rtcpeer_sctp::datachannel::DataChannelInit;
use rtcpeer_types::Rng;

/// The wall-clock time certificates are checked at (2025-06-15).
pub fn pair_wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

/// Two certificates, made once (W3C `generateCertificate` is not part of a connection's setup).
pub fn pair_certificates(seed: u64) -> (Certificate, Certificate) {
    let mut rng = Rng::from_seed(seed);
    let mut make = || {
        Certificate::generate(&CertificateParams::default(), pair_wall_clock(), &mut rng)
            .expect("certificate")
    };
    (make(), make())
}

/// Two connected stacks, `a` the offerer (controlling, DTLS server), `b` the answerer.
pub struct InMemoryPair {
    pub a: TransportStack,
    pub b: TransportStack,
    pub now: Instant,
    /// The DCEP channel `a` opened.
    pub channel: u16,
    /// Virtual time from the start to the channel being open on both sides.
    pub setup: Duration,
}

pub const ADDR_A: &str = "192.0.2.1:5000";
pub const ADDR_B: &str = "192.0.2.2:6000";

fn params(s: &TransportStack, ice_role: RtcIceRole, dtls_role: DtlsRole) -> TransportParameters {
    let creds = s.local_credentials();
    let mut p = TransportParameters::new(creds.ufrag.clone(), creds.pwd.clone());
    p.ice_role = ice_role;
    p.dtls_role = Some(dtls_role);
    p.fingerprints = vec![s.local_fingerprint().clone()];
    p.sctp = Some(RemoteSctpParameters {
        port: 5000,
        max_message_size: 256 * 1024,
    });
    p
}

/// What one side's events ask of the other (signaling) and whether it is done: the channel
/// opened, or without SCTP, DTLS connected.
fn drain(
    from: &mut TransportStack,
    to: &mut TransportStack,
    now: Instant,
    with_sctp: bool,
    done: &mut bool,
) {
    while let Some(e) = from.poll_event() {
        match e {
            TransportEvent::LocalCandidate(c) => to.add_remote_candidate(now, *c),
            TransportEvent::LocalEndOfCandidates => to.end_of_remote_candidates(now),
            TransportEvent::DataChannelOpen { .. } if with_sctp => *done = true,
            TransportEvent::DtlsConnected { .. } if !with_sctp => *done = true,
            _ => {}
        }
    }
}

/// Moves every queued datagram across; `true` if any moved.
fn deliver(
    from: &mut TransportStack,
    to: &mut TransportStack,
    to_addr: SocketAddr,
    now: Instant,
) -> bool {
    let mut moved = false;
    while let Some(t) = from.poll_transmit() {
        moved = true;
        if t.destination == to_addr {
            to.handle_receive(now, t.into());
        }
    }
    moved
}

/// Creates two stacks and runs them until the data channel `a` creates is open on both sides.
pub fn connect_in_memory(
    certs: &(Certificate, Certificate),
    start: Instant,
    seed: u64,
) -> InMemoryPair {
    connect_in_memory_with(certs, start, seed, true)
}

/// [`connect_in_memory`], or with `with_sctp` false, ICE and DTLS only (no data section), until
/// DTLS is connected on both sides.
pub fn connect_in_memory_with(
    certs: &(Certificate, Certificate),
    start: Instant,
    seed: u64,
    with_sctp: bool,
) -> InMemoryPair {
    let (addr_a, addr_b): (SocketAddr, SocketAddr) =
        (ADDR_A.parse().unwrap(), ADDR_B.parse().unwrap());
    let mut rng = Rng::from_seed(seed);
    let mut now = start;
    let mut a = TransportStack::new(
        TransportConfig::new(certs.0.clone(), pair_wall_clock()),
        now,
        rng.fork(),
    );
    let mut b = TransportStack::new(
        TransportConfig::new(certs.1.clone(), pair_wall_clock()),
        now,
        rng.fork(),
    );
    a.add_local_interface(addr_a);
    b.add_local_interface(addr_b);
    let mut pa = params(&a, RtcIceRole::Controlled, DtlsRole::Client);
    let mut pb = params(&b, RtcIceRole::Controlling, DtlsRole::Server);
    if !with_sctp {
        pa.sctp = None;
        pb.sctp = None;
    }
    b.set_parameters(now, pa).expect("valid parameters");
    a.set_parameters(now, pb).expect("valid parameters");
    let channel = if with_sctp {
        a.create_data_channel(DataChannelInit {
            label: "bench".into(),
            ..DataChannelInit::default()
        })
        .expect("SCTP transport exists")
    } else {
        0
    };
    a.gather(now);
    b.gather(now);
    let (mut open_a, mut open_b) = (false, false);
    for _ in 0..100_000 {
        drain(&mut a, &mut b, now, with_sctp, &mut open_a);
        drain(&mut b, &mut a, now, with_sctp, &mut open_b);
        if open_a && open_b {
            return InMemoryPair {
                a,
                b,
                now,
                channel,
                setup: now - start,
            };
        }
        let moved = deliver(&mut a, &mut b, addr_b, now) | deliver(&mut b, &mut a, addr_a, now);
        if !moved {
            let next = [a.poll_timeout(), b.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .expect("a timer is pending");
            now = now.max(next);
            a.handle_timeout(now);
            b.handle_timeout(now);
        }
    }
    panic!("the pair did not connect: a {a:?}, b {b:?}");
}
