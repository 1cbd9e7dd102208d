//! The W3C ICE candidate pool (`iceCandidatePoolSize`, webrtc-pc §4.4.1.6, RFC 9429 §3.5.4)
//! under netsim: three candidate sets pre-gathered (host, server-reflexive, relayed) without
//! being announced; shrinking discards sets and deletes their TURN allocations, growing asks for
//! more; the size freezes with the local description; a taken set announces its candidates at
//! once and connects; clearing after the first offer/answer empties the pool.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcpeer_ice::{
    CandidatePool, CandidateType, IceAgent, IceConfig, IceEvent, IceGatheringState, PoolError,
    TurnServer,
};
use rtcpeer_netsim::{Endpoint, HostId, NatConfig, Network, Zone};
use rtcpeer_types::{Receive, Transmit};
use support::*;

/// A host with a candidate pool, and the set taken from it once there is one.
struct PoolHost {
    pool: CandidatePool,
    taken: Option<Peer>,
    /// Datagrams nobody on the host wanted.
    unclaimed: usize,
}

impl Endpoint for PoolHost {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        if let Some(p) = self.taken.as_mut()
            && p.agent.is_local_socket(rx.destination)
        {
            return p.handle_receive(now, rx);
        }
        if self.pool.handle_receive(now, rx).is_some() {
            self.unclaimed += 1;
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if let Some(p) = self.taken.as_mut() {
            p.handle_timeout(now);
        }
        self.pool.handle_timeout(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if let Some(t) = self.taken.as_mut().and_then(|p| p.poll_transmit(now)) {
            return Some(t);
        }
        self.pool.poll_transmit()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        let taken = self.taken.as_mut().and_then(|p| p.poll_timeout());
        [taken, self.pool.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }
}

fn host(net: &Network, h: HostId) -> &PoolHost {
    net.endpoint::<PoolHost>(h).unwrap()
}

fn host_mut(net: &mut Network, h: HostId) -> &mut PoolHost {
    net.endpoint_mut::<PoolHost>(h).unwrap()
}

fn socket(n: u16) -> SocketAddr {
    SocketAddr::from(([10, 0, 0, 50], 5000 + n))
}

fn fill(net: &mut Network, h: HostId, n: u16) {
    let now = net.now();
    assert!(
        host_mut(net, h)
            .pool
            .fill(now, |a| a.add_local_interface(socket(n)))
    );
}

fn pool_config(size: u8) -> IceConfig {
    IceConfig {
        stun_servers: vec![sa(STUN)],
        turn_servers: vec![TurnServer::udp(sa(TURN), TURN_USER, TURN_PASS)],
        candidate_pool_size: size,
        ..IceConfig::default()
    }
}

#[test]
fn pooled_sets_are_gathered_resized_taken_and_cleared() {
    let (mut net, _guard) = network();
    let turn = add_turn_server(&mut net);
    let nat = net
        .add_nat(
            "nat",
            Zone::Internet,
            NatConfig::full_cone(ip("203.0.113.50")),
        )
        .unwrap();
    let rng = net.fork_rng();
    let h = net
        .add_host(
            "pool",
            Zone::Nat(nat),
            &[ip("10.0.0.50")],
            PoolHost {
                pool: CandidatePool::new(pool_config(3), rng),
                taken: None,
                unclaimed: 0,
            },
        )
        .unwrap();
    assert_eq!(host(&net, h).pool.missing(), 3);
    for n in 1..=3 {
        fill(&mut net, h, n);
    }
    let now = net.now();
    assert!(!host_mut(&mut net, h).pool.fill(now, |_| {}), "full");
    net.run_for(Duration::from_secs(2)).unwrap();
    // Three complete sets, nothing announced.
    for a in host(&net, h).pool.agents() {
        let mut types: Vec<_> = a.local_candidates().map(|c| c.candidate_type).collect();
        types.sort();
        assert_eq!(
            types,
            [
                CandidateType::Host,
                CandidateType::ServerReflexive,
                CandidateType::Relayed
            ]
        );
        assert_eq!(a.gathering_state(), IceGatheringState::New);
    }
    assert_eq!(turn_server(&net, turn).allocations().len(), 3);

    // setConfiguration with a smaller pool: the newest two sets go, and their allocations.
    let now = net.now();
    host_mut(&mut net, h)
        .pool
        .set_configuration(now, pool_config(1))
        .unwrap();
    assert_eq!(host(&net, h).pool.len(), 1);
    net.run_for(Duration::from_secs(1)).unwrap();
    assert_eq!(turn_server(&net, turn).allocations().len(), 1);
    let kept = host(&net, h)
        .pool
        .agents()
        .next()
        .unwrap()
        .local_candidates()
        .count();
    assert_eq!(kept, 3);

    // A larger one asks for another set.
    let now = net.now();
    host_mut(&mut net, h)
        .pool
        .set_configuration(now, pool_config(2))
        .unwrap();
    assert_eq!(host(&net, h).pool.missing(), 1);
    fill(&mut net, h, 4);
    net.run_for(Duration::from_secs(1)).unwrap();
    assert_eq!(turn_server(&net, turn).allocations().len(), 2);

    // setLocalDescription: the size freezes.
    host_mut(&mut net, h).pool.freeze();
    let now = net.now();
    assert_eq!(
        host_mut(&mut net, h)
            .pool
            .set_configuration(now, pool_config(3)),
        Err(PoolError::SizeFrozen)
    );
    assert_eq!(host(&net, h).pool.missing(), 0);
    let other_timers = IceConfig {
        consent_interval: Duration::from_secs(4),
        ..pool_config(2)
    };
    host_mut(&mut net, h)
        .pool
        .set_configuration(now, other_timers)
        .unwrap();
    assert_eq!(host(&net, h).pool.len(), 2, "kept once frozen");

    // The transport takes the oldest set: its candidates are announced at once.
    let mut set: IceAgent = host_mut(&mut net, h).pool.take().unwrap();
    assert!(set.is_local_socket(socket(1)));
    let now = net.now();
    set.set_role(true);
    set.gather(now);
    let events: Vec<IceEvent> = std::iter::from_fn(|| set.poll_event()).collect();
    let announced = events
        .iter()
        .filter(|e| matches!(e, IceEvent::LocalCandidate(_)))
        .count();
    assert_eq!(announced, 3);
    assert!(events.contains(&IceEvent::LocalEndOfCandidates));
    assert_eq!(set.gathering_state(), IceGatheringState::Complete);
    let mut taken = Peer::new(set);
    for e in events {
        if let IceEvent::LocalCandidate(c) = e {
            taken.candidates.push(*c);
        }
    }
    taken.end_of_candidates = true;
    host_mut(&mut net, h).taken = Some(taken);

    // It connects to a peer.
    let b = add_peer(
        &mut net,
        "b",
        Zone::Internet,
        "198.51.100.60:6000",
        IceConfig::default(),
    );
    let ca = host(&net, h)
        .taken
        .as_ref()
        .unwrap()
        .agent
        .local_credentials()
        .clone();
    let cb = agent(&net, b).local_credentials().clone();
    host_mut(&mut net, h)
        .taken
        .as_mut()
        .unwrap()
        .agent
        .set_remote_credentials(&cb.ufrag, &cb.pwd)
        .unwrap();
    agent_mut(&mut net, b)
        .set_remote_credentials(&ca.ufrag, &ca.pwd)
        .unwrap();
    gather(&mut net, &[b]);
    for c in host(&net, h).taken.as_ref().unwrap().candidates.clone() {
        agent_mut(&mut net, b).add_remote_candidate(c);
    }
    agent_mut(&mut net, b).end_of_remote_candidates();
    let mut given = 0;
    let r = net.run_until(
        |n| {
            let new: Vec<_> = peer(n, b).candidates.iter().skip(given).cloned().collect();
            given += new.len();
            let a = &mut host_mut(n, h).taken.as_mut().unwrap().agent;
            for c in new {
                a.add_remote_candidate(c);
            }
            host(n, h)
                .taken
                .as_ref()
                .unwrap()
                .agent
                .connection_state()
                .is_connected()
                && connected(n, b)
        },
        Duration::from_secs(10),
    );
    r.unwrap();

    // After the first offer/answer, the set left is discarded.
    let now = net.now();
    host_mut(&mut net, h).pool.clear(now);
    assert!(host(&net, h).pool.is_empty());
    assert_eq!(host(&net, h).pool.missing(), 0);
    net.run_for(Duration::from_secs(1)).unwrap();
    assert_eq!(
        turn_server(&net, turn).allocations().len(),
        1,
        "only the taken set's allocation is left"
    );
    // What arrives for a discarded set's socket is nobody's.
    let before = host(&net, h).unclaimed;
    let now = net.now();
    let stray = Receive {
        protocol: rtcpeer_types::Protocol::Udp,
        source: sa(STUN),
        destination: socket(4),
        contents: bytes::Bytes::from_static(b"x"),
    };
    host_mut(&mut net, h).handle_receive(now, stray);
    assert_eq!(host(&net, h).unclaimed, before + 1);
}

#[test]
fn other_servers_discard_every_pooled_set() {
    let (mut net, _guard) = network();
    let turn = add_turn_server(&mut net);
    let rng = net.fork_rng();
    let h = net
        .add_host(
            "pool",
            Zone::Internet,
            &[ip("10.0.0.50")],
            PoolHost {
                pool: CandidatePool::new(pool_config(2), rng),
                taken: None,
                unclaimed: 0,
            },
        )
        .unwrap();
    fill(&mut net, h, 1);
    fill(&mut net, h, 2);
    net.run_for(Duration::from_secs(2)).unwrap();
    assert_eq!(turn_server(&net, turn).allocations().len(), 2);
    let now = net.now();
    let no_turn = IceConfig {
        turn_servers: Vec::new(),
        ..pool_config(2)
    };
    host_mut(&mut net, h)
        .pool
        .set_configuration(now, no_turn)
        .unwrap();
    assert!(host(&net, h).pool.is_empty());
    assert_eq!(host(&net, h).pool.missing(), 2);
    net.run_for(Duration::from_secs(1)).unwrap();
    assert!(turn_server(&net, turn).allocations().is_empty());
    // The refill gathers with the new servers: no relayed candidate.
    fill(&mut net, h, 3);
    net.run_for(Duration::from_secs(1)).unwrap();
    let a = host(&net, h).pool.agents().next().unwrap();
    assert!(
        a.local_candidates()
            .all(|c| c.candidate_type != CandidateType::Relayed)
    );
    // A pool of size 0 holds nothing.
    let empty = CandidatePool::new(IceConfig::default(), rtcpeer_types::Rng::from_seed(1));
    assert_eq!((empty.size(), empty.missing()), (0, 0));
}
