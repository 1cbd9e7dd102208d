//! Consent freshness (RFC 7675) with the W3C disconnected/failed states, the PAC timer
//! (RFC 8863) holding off `failed` while a late candidate can still connect, and ICE restarts
//! (RFC 8445 §9) in the middle of a transfer, under netsim.

mod support;

use std::time::Duration;

use rtcpeer_ice::{IceConnectionState, IceEvent, IceGatheringState};
use rtcpeer_netsim::{
    HostId, LinkConditions, Loss, NatConfig, Network, SeedGuard, StunServer, Zone,
};
use support::*;

fn connected_pair(net: &mut Network) -> (HostId, HostId, Relay) {
    let a = add_natted_peer(
        net,
        "a",
        NatConfig::port_restricted_cone(ip("203.0.113.1")).refresh_on_inbound(true),
        "10.0.0.2:5000",
        config(),
    );
    let b = add_peer(net, "b", Zone::Internet, "192.0.2.20:6000", config());
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(20))).unwrap();
    }
    let mut relay = connect(net, a, b, Duration::from_secs(10));
    net.run_until(
        |n| {
            relay.pump(n, a, b);
            agent(n, a).connection_state() == IceConnectionState::Completed
                && agent(n, b).connection_state() == IceConnectionState::Completed
        },
        Duration::from_secs(10),
    )
    .unwrap();
    (a, b, relay)
}

fn cut(net: &mut Network, h: HostId, on: bool) {
    let loss = if on { Loss::Random(1.0) } else { Loss::None };
    net.set_link(h, LinkConditions::with_delay(ms(20)).loss(loss))
        .unwrap();
}

#[test]
fn consent_keeps_an_idle_connection_alive() {
    let (mut net, _g) = network();
    let (a, b, _) = connected_pair(&mut net);
    net.run_for(Duration::from_secs(120)).unwrap();
    for h in [a, b] {
        assert_eq!(
            agent(&net, h).connection_state(),
            IceConnectionState::Completed
        );
        let c = agent(&net, h).counters();
        // One consent check every 4-6 s.
        assert!((18..=32).contains(&c.consent_checks_sent), "{c:?}");
    }
}

#[test]
fn keepalives_flow_on_an_idle_pair_without_consent_checks() {
    let (mut net, _g) = network();
    // Consent checks far apart: only keepalives (RFC 8445 §11, Tr = 15 s) keep the NAT open.
    let cfg = rtcpeer_ice::IceConfig {
        consent_interval: Duration::from_secs(1000),
        consent_timeout: Duration::from_secs(3000),
        disconnected_timeout: Duration::from_secs(100),
        ..config()
    };
    let a = add_peer(
        &mut net,
        "a",
        Zone::Internet,
        "192.0.2.10:5000",
        cfg.clone(),
    );
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", cfg);
    connect(&mut net, a, b, Duration::from_secs(10));
    net.run_for(Duration::from_secs(61)).unwrap();
    for h in [a, b] {
        let c = agent(&net, h).counters();
        assert!((4..=5).contains(&c.keepalives_sent), "{c:?}");
        assert_eq!(c.consent_checks_sent, 0);
        assert!(connected(&net, h));
    }
}

#[test]
fn consent_loss_goes_disconnected_then_failed() {
    let (mut net, _g) = network();
    let (a, b, _) = connected_pair(&mut net);
    cut(&mut net, b, true);
    let cut_at = net.elapsed();
    net.run_until(
        |n| agent(n, a).connection_state() == IceConnectionState::Disconnected,
        Duration::from_secs(15),
    )
    .unwrap();
    let disconnected_after = net.elapsed() - cut_at;
    net.run_until(
        |n| agent(n, a).connection_state() == IceConnectionState::Failed,
        Duration::from_secs(40),
    )
    .unwrap();
    let failed_after = net.elapsed() - cut_at;
    assert!(
        disconnected_after <= Duration::from_secs(8),
        "{disconnected_after:?}"
    );
    // Consent expires 30 s after the last response, which came up to one interval before
    // the cut.
    assert!(
        failed_after >= Duration::from_secs(24) && failed_after <= Duration::from_secs(31),
        "{failed_after:?}"
    );
    let states = peer(&net, a).states();
    assert_eq!(
        &states[states.len() - 2..],
        [IceConnectionState::Disconnected, IceConnectionState::Failed]
    );
    // RFC 7675 §5.1: no more data once consent is lost.
    let now = net.now();
    assert!(agent_mut(&mut net, a).send(now, vec![23u8]).is_err());
    // And failed stays failed (until a restart) even if the path returns.
    cut(&mut net, b, false);
    net.run_for(Duration::from_secs(10)).unwrap();
    assert_eq!(
        agent(&net, a).connection_state(),
        IceConnectionState::Failed
    );
}

#[test]
fn consent_recovers_before_it_expires() {
    let (mut net, _g) = network();
    let (a, b, _) = connected_pair(&mut net);
    cut(&mut net, b, true);
    net.run_until(
        |n| {
            agent(n, a).connection_state() == IceConnectionState::Disconnected
                && agent(n, b).connection_state() == IceConnectionState::Disconnected
        },
        Duration::from_secs(15),
    )
    .unwrap();
    cut(&mut net, b, false);
    net.run_until(
        |n| connected(n, a) && connected(n, b),
        Duration::from_secs(10),
    )
    .unwrap();
    net.run_for(Duration::from_secs(60)).unwrap();
    for h in [a, b] {
        let states = peer(&net, h).states();
        assert!(!states.contains(&IceConnectionState::Failed), "{states:?}");
        assert_eq!(
            agent(&net, h).connection_state(),
            IceConnectionState::Completed
        );
    }
}

#[test]
fn ice_restart_mid_transfer_loses_no_data() {
    let (mut net, _g) = network();
    let (a, b, mut relay) = connected_pair(&mut net);
    let now = net.now();
    peer_mut(&mut net, a).start_sending(now, ms(20));
    peer_mut(&mut net, b).start_sending(now, ms(20));
    net.run_for(Duration::from_secs(1)).unwrap();
    let old_ufrag = agent(&net, a).local_credentials().ufrag.clone();

    // A restarts; the offer reaches B, which restarts too; the answer comes back.
    let now = net.now();
    agent_mut(&mut net, a).restart(now);
    peer_mut(&mut net, a).end_of_candidates = false;
    relay.a_eoc = false;
    let ca = agent(&net, a).local_credentials().clone();
    assert_ne!(ca.ufrag, old_ufrag);
    net.run_for(ms(30)).unwrap();
    agent_mut(&mut net, b)
        .set_remote_credentials(&ca.ufrag, &ca.pwd)
        .unwrap();
    let now = net.now();
    agent_mut(&mut net, b).restart(now);
    peer_mut(&mut net, b).end_of_candidates = false;
    relay.b_eoc = false;
    let cb = agent(&net, b).local_credentials().clone();
    net.run_for(ms(30)).unwrap();
    agent_mut(&mut net, a)
        .set_remote_credentials(&cb.ufrag, &cb.pwd)
        .unwrap();
    let selections = |n: &Network, h| {
        peer(n, h)
            .log
            .iter()
            .filter(|e| matches!(e, IceEvent::SelectedPairChanged { .. }))
            .count()
    };
    let before = (selections(&net, a), selections(&net, b));
    net.run_until(
        |n| {
            relay.pump(n, a, b);
            selections(n, a) > before.0
                && selections(n, b) > before.1
                && agent(n, a).connection_state() == IceConnectionState::Completed
                && agent(n, b).connection_state() == IceConnectionState::Completed
        },
        Duration::from_secs(10),
    )
    .unwrap_or_else(|e| {
        panic!(
            "{e}: a {:?} b {:?}",
            peer(&net, a).log,
            peer(&net, b).states()
        )
    });
    net.run_for(Duration::from_secs(1)).unwrap();
    for h in [a, b] {
        peer_mut(&mut net, h).stop_sending();
    }
    net.run_for(Duration::from_secs(1)).unwrap();

    // The new pair belongs to the new generation.
    let (local, _) = agent(&net, a).selected_pair(1).unwrap();
    assert_eq!(local.ufrag.as_deref(), Some(ca.ufrag.as_str()));
    assert_eq!(local.generation, Some(1));
    for (from, to) in [(a, b), (b, a)] {
        assert_eq!(peer(&net, from).send_failures, 0);
        let sent = peer(&net, from).sent;
        assert!(sent > 100);
        let got = peer(&net, to).received_numbers();
        assert_eq!(got, (0..sent).collect::<Vec<_>>());
        let states = peer(&net, from).states();
        assert!(
            !states
                .iter()
                .any(|s| !s.is_connected() && *s != IceConnectionState::Checking),
            "{states:?}"
        );
    }
    assert_eq!(
        peer(&net, a).gathering_states(),
        [
            IceGatheringState::Gathering,
            IceGatheringState::Complete,
            IceGatheringState::Gathering,
            IceGatheringState::Complete
        ]
    );
}

/// Regression (core's NAT + loss test, seed 190): a's STUN server ignored its first six
/// requests, so a's server-reflexive candidate came only with the seventh, at 31.5 s, when all
/// of a's own pairs had long failed and the peer's end-of-candidates was in. a declared
/// `failed` the instant its gathering completed, before the peer could check the candidate it
/// had just announced; the peer's checks then gave a pair and data flowed, but `failed` is
/// terminal. The PAC timer (RFC 8863) keeps a patient until 39.5 s, so it connects.
#[test]
fn a_late_server_reflexive_candidate_connects_before_the_pac_timer_expires() {
    let guard = SeedGuard::from_env();
    let mut net = Network::new(guard.seed());
    net.add_host(
        "stun",
        Zone::Internet,
        &[ip("198.51.100.1")],
        StunServer::new(),
    )
    .unwrap();
    const SLOW_STUN: &str = "198.51.100.3:3478";
    let mut slow = StunServer::new();
    slow.set_silent(true);
    let slow = net
        .add_host("slow-stun", Zone::Internet, &[sa(SLOW_STUN).ip()], slow)
        .unwrap();
    let mut a_config = config();
    a_config.stun_servers = vec![sa(SLOW_STUN)];
    let a = add_natted_peer(
        &mut net,
        "a",
        NatConfig::port_restricted_cone(ip("203.0.113.1")),
        "10.0.0.2:5000",
        a_config,
    );
    let b = add_natted_peer(
        &mut net,
        "b",
        NatConfig::port_restricted_cone(ip("203.0.113.2")),
        "10.1.0.2:6000",
        config(),
    );
    agent_mut(&mut net, a).set_role(true);
    exchange_credentials(&mut net, a, b);
    gather(&mut net, &[a, b]);
    let mut relay = Relay::new();
    // a's requests go at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s (RFC 8489 §6.2.1): the first
    // six are dropped.
    net.run_until(
        |n| {
            relay.pump(n, a, b);
            n.elapsed() >= Duration::from_secs(31)
        },
        Duration::from_secs(32),
    )
    .unwrap();
    let slow_server = net.endpoint_mut::<StunServer>(slow).unwrap();
    assert_eq!(slow_server.dropped(), 6);
    slow_server.set_silent(false);
    // Everything a could check has failed, b's candidates are all in, a still gathers.
    assert!(relay.b_eoc);
    assert_eq!(
        agent(&net, a).connection_state(),
        IceConnectionState::Disconnected
    );
    assert_eq!(
        agent(&net, a).gathering_state(),
        IceGatheringState::Gathering
    );
    run_until_connected(&mut net, &mut relay, a, b, Duration::from_secs(8));
    assert!(net.elapsed() < Duration::from_secs(39));
    assert_eq!(
        agent(&net, a).gathering_state(),
        IceGatheringState::Complete
    );
    let states = peer(&net, a).states();
    assert!(!states.contains(&IceConnectionState::Failed), "{states:?}");
    let now = net.now();
    peer_mut(&mut net, a).start_sending(now, ms(20));
    net.run_for(Duration::from_secs(1)).unwrap();
    assert!(!peer(&net, b).received_numbers().is_empty());
}

/// Without any pair, `failed` comes only when the PAC timer expires (RFC 8863 §4), and then
/// stays (webrtc-pc: terminal until an ICE restart).
#[test]
fn failed_waits_for_the_pac_timer() {
    let (mut net, _g) = network();
    // Symmetric NATs on both sides and no relay: nothing can connect.
    let a = add_natted_peer(
        &mut net,
        "a",
        NatConfig::symmetric(ip("203.0.113.1")),
        "10.0.0.2:5000",
        config(),
    );
    let b = add_natted_peer(
        &mut net,
        "b",
        NatConfig::symmetric(ip("203.0.113.2")),
        "10.1.0.2:6000",
        config(),
    );
    agent_mut(&mut net, a).set_role(true);
    exchange_credentials(&mut net, a, b);
    let start = net.elapsed();
    gather(&mut net, &[a, b]);
    let mut relay = Relay::new();
    net.run_until(
        |n| {
            relay.pump(n, a, b);
            agent(n, a).connection_state() == IceConnectionState::Failed
        },
        Duration::from_secs(60),
    )
    .unwrap();
    let pac = agent(&net, a).config().pac_timeout;
    assert!(net.elapsed() - start >= pac, "{:?}", net.elapsed());
    assert!(net.elapsed() - start < pac + Duration::from_secs(1));
    assert_eq!(
        peer(&net, a).states().last(),
        Some(&IceConnectionState::Failed)
    );
}
