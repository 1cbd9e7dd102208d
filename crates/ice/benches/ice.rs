//! CPU cost of the ICE agent: two agents on a zero-delay in-memory link until both have a
//! nominated pair (virtual time, so only computation is measured), and answering one
//! connectivity check. Also prints the agent's memory with 10 candidates.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use rtcpeer_ice::{Candidate, CandidateType, IceAgent, IceConfig, IceEvent};
use rtcpeer_stun::{IntegrityKey, MessageBuilder, TransactionId};
use rtcpeer_types::{Protocol, Receive, Rng};

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[allow(clippy::disallowed_methods)]
fn base() -> Instant {
    Instant::now()
}

/// Runs two fresh agents to a nominated pair on both sides; returns the virtual time it took.
fn connect(start: Instant, seed: u64) -> Duration {
    let mut a = IceAgent::new(IceConfig::default(), Rng::from_seed(seed));
    let mut b = IceAgent::new(IceConfig::default(), Rng::from_seed(seed + 1));
    a.set_role(true);
    a.add_local_interface(sa("192.0.2.1:5000"));
    b.add_local_interface(sa("192.0.2.2:6000"));
    let (ca, cb) = (a.local_credentials().clone(), b.local_credentials().clone());
    a.set_remote_credentials(&cb.ufrag, &cb.pwd).unwrap();
    b.set_remote_credentials(&ca.ufrag, &ca.pwd).unwrap();
    let mut now = start;
    a.gather(now);
    b.gather(now);
    loop {
        while let Some(e) = a.poll_event() {
            if let IceEvent::LocalCandidate(c) = e {
                b.add_remote_candidate(*c);
            }
        }
        while let Some(e) = b.poll_event() {
            if let IceEvent::LocalCandidate(c) = e {
                a.add_remote_candidate(*c);
            }
        }
        let mut moved = false;
        while let Some(t) = a.poll_transmit() {
            b.handle_receive(now, t.into());
            moved = true;
        }
        while let Some(t) = b.poll_transmit() {
            a.handle_receive(now, t.into());
            moved = true;
        }
        if a.selected_path(1).is_some() && b.selected_path(1).is_some() {
            return now - start;
        }
        if !moved {
            let next = [a.poll_timeout(), b.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .expect("a timer");
            now = now.max(next);
            a.handle_timeout(now);
            b.handle_timeout(now);
        }
    }
}

fn bench_connect(c: &mut Criterion) {
    let start = base();
    let took = connect(start, 1);
    eprintln!("virtual time to nominated pair on a zero-delay link: {took:?}");
    let mut seed = 0;
    c.bench_function("ice/connect_zero_delay_to_nominated_pair", |bench| {
        bench.iter(|| {
            seed += 2;
            black_box(connect(start, seed))
        })
    });
}

fn bench_answer(c: &mut Criterion) {
    let now = base();
    let mut agent = IceAgent::new(IceConfig::default(), Rng::from_seed(3));
    agent.add_local_interface(sa("192.0.2.1:5000"));
    agent
        .set_remote_credentials("rmtU", "remotepasswordremotepw")
        .unwrap();
    agent.gather(now);
    agent.add_remote_candidate(Candidate::new(
        "1",
        1,
        Protocol::Udp,
        2_130_706_431,
        sa("192.0.2.2:6000"),
        CandidateType::Host,
    ));
    let ufrag = agent.local_credentials().ufrag.clone();
    let key = IntegrityKey::short_term(&agent.local_credentials().pwd.clone());
    let request = Bytes::from(
        MessageBuilder::binding_request(TransactionId::new([5; 12]))
            .username(&format!("{ufrag}:rmtU"))
            .priority(1_845_501_695)
            .ice_controlling(1)
            .use_candidate()
            .message_integrity(&key)
            .fingerprint()
            .build()
            .unwrap(),
    );
    let rx = Receive {
        protocol: Protocol::Udp,
        source: sa("192.0.2.2:6000"),
        destination: sa("192.0.2.1:5000"),
        contents: request,
    };
    agent.handle_receive(now, rx.clone());
    while agent.poll_transmit().is_some() {}
    while agent.poll_event().is_some() {}
    c.bench_function("ice/answer_binding_request", |bench| {
        bench.iter(|| {
            agent.handle_receive(now, black_box(rx.clone()));
            black_box(agent.poll_transmit())
        })
    });
}

fn report_memory(_: &mut Criterion) {
    let now = base();
    let mut agent = IceAgent::new(IceConfig::default(), Rng::from_seed(4));
    for i in 0..5 {
        agent.add_local_interface(SocketAddr::from(([192, 0, 2, 1 + i], 5000)));
    }
    agent
        .set_remote_credentials("rmtU", "remotepasswordremotepw")
        .unwrap();
    agent.gather(now);
    for i in 0..5u8 {
        agent.add_remote_candidate(
            Candidate::parse(&format!(
                "candidate:{i} 1 udp 2122260223 198.51.100.{} 6000 typ host generation 0 ufrag rmtU network-id 1",
                i + 1
            ))
            .unwrap(),
        );
    }
    while agent.poll_event().is_some() {}
    eprintln!(
        "agent with 10 candidates (5 local, 5 remote, {} pairs): size_of {} B + heap ~{} B",
        agent.pair_count(),
        std::mem::size_of::<IceAgent>(),
        agent.heap_size()
    );
}

criterion_group!(benches, report_memory, bench_connect, bench_answer);
criterion_main!(benches);
