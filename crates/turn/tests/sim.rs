//! The TURN client against the simulated TURN server under netsim: allocation with the 401
//! challenge, relaying both ways with Send/Data indications and ChannelData, permissions
//! enforced by the server, refreshes over 30 minutes, 438 recovery, retransmission under loss,
//! a client behind a symmetric NAT, TCP framing, deletion, redirects and failures.

mod support;

use std::time::Duration;

use rtcpeer_netsim::{Direction, LinkConditions, Loss, NatConfig};
use rtcpeer_turn::{TurnError, TurnEvent, TurnTransport};
use support::*;

#[test]
fn allocates_after_the_401_challenge() {
    let mut w = world(Setup::default());
    let relayed = w.allocate();
    assert_eq!(relayed.ip(), ip("192.0.2.1"));
    let events = w.events();
    let TurnEvent::Allocated {
        mapped, lifetime, ..
    } = &events[0]
    else {
        panic!("{events:?}");
    };
    assert_eq!(
        *mapped,
        Some(w.local),
        "no NAT: mapped is the local address"
    );
    assert_eq!(*lifetime, secs(600));
    let s = w.turn().stats();
    assert_eq!(s.unauthenticated, 1, "one challenge");
    assert_eq!(s.allocations, 1);
    assert_eq!(w.turn().allocations(), vec![(w.local, relayed)]);
    let c = w.host().client.stats();
    assert_eq!(
        c.requests, 2,
        "unauthenticated Allocate, then the signed one"
    );
    assert_eq!(c.retransmissions, 0);
    assert_eq!(w.host().client.relayed_address(), Some(relayed));
    // 2 round trips of 40 ms each (10 ms per link, 2 links each way).
    assert_eq!(w.net.elapsed(), Duration::from_millis(80));
}

#[test]
fn relays_data_both_ways_with_indications() {
    let mut w = world(Setup::default());
    let relayed = w.allocate();
    w.create_permission(ip("198.51.100.1"));
    w.client_send(sa(PEER_A), b"ping");
    w.net.run_for(secs(1)).unwrap();
    assert_eq!(
        w.received_by(w.peer_a),
        vec![(relayed, b"ping".to_vec())],
        "the peer sees the data come from the relayed address"
    );
    let peer_a = w.peer_a;
    w.probe_mut(peer_a)
        .send_udp(sa(PEER_A), relayed, &b"pong"[..]);
    w.net.run_for(secs(1)).unwrap();
    assert_eq!(w.data_from(sa(PEER_A)), vec![b"pong".to_vec()]);
    let c = w.host().client.stats();
    assert_eq!((c.send_indications, c.data_indications), (1, 1));
    assert_eq!(w.turn().stats().relayed_to_peers, 1);
    assert_eq!(w.turn().stats().relayed_to_clients, 1);
}

#[test]
fn the_server_drops_peers_without_permission() {
    let mut w = world(Setup::default());
    let relayed = w.allocate();
    // No permission at all: both directions are dropped.
    let peer_a = w.peer_a;
    w.probe_mut(peer_a)
        .send_udp(sa(PEER_A), relayed, &b"early"[..]);
    w.client_send(sa(PEER_A), b"early");
    w.net.run_for(secs(1)).unwrap();
    assert!(w.data_from(sa(PEER_A)).is_empty());
    assert!(w.received_by(peer_a).is_empty());
    assert_eq!(w.turn().stats().dropped_no_permission, 1);

    // A permission for A lets A through, but not B.
    w.create_permission(ip("198.51.100.1"));
    let peer_b = w.peer_b;
    w.probe_mut(peer_a)
        .send_udp(sa(PEER_A), relayed, &b"from a"[..]);
    w.probe_mut(peer_b)
        .send_udp(sa(PEER_B), relayed, &b"from b"[..]);
    w.client_send(sa(PEER_B), b"to b");
    w.net.run_for(secs(1)).unwrap();
    assert_eq!(w.data_from(sa(PEER_A)), vec![b"from a".to_vec()]);
    assert!(w.data_from(sa(PEER_B)).is_empty());
    assert!(w.received_by(peer_b).is_empty());
    assert_eq!(w.turn().stats().dropped_no_permission, 2);
    let now = w.net.now();
    assert!(w.turn().has_permission(now, relayed, ip("198.51.100.1")));
    assert!(!w.turn().has_permission(now, relayed, ip("198.51.100.2")));
    assert!(w.host().client.has_permission(ip("198.51.100.1")));
}

#[test]
fn channel_binding_switches_to_channel_data() {
    let mut w = world(Setup::default());
    let relayed = w.allocate();
    let channel = w.bind_channel(sa(PEER_A));
    assert!((0x4000..=0x4fff).contains(&channel));
    assert_eq!(w.host().client.channel(sa(PEER_A)), Some(channel));
    assert!(
        w.host().client.has_permission(ip("198.51.100.1")),
        "ChannelBind installs the permission"
    );
    for i in 0..3u8 {
        w.client_send(sa(PEER_A), &[i; 5]);
    }
    let peer_a = w.peer_a;
    w.probe_mut(peer_a)
        .send_udp(sa(PEER_A), relayed, &b"back"[..]);
    w.net.run_for(secs(1)).unwrap();
    let got: Vec<_> = w.received_by(peer_a).into_iter().map(|(_, d)| d).collect();
    assert_eq!(got, vec![vec![0; 5], vec![1; 5], vec![2; 5]]);
    assert_eq!(w.data_from(sa(PEER_A)), vec![b"back".to_vec()]);
    let c = w.host().client.stats();
    assert_eq!(c.channel_data_sent, 3);
    assert_eq!(c.send_indications, 0);
    assert_eq!(c.channel_data_received, 1);
    assert_eq!(c.data_indications, 0);
    // Binding the same peer again keeps the channel.
    let now = w.net.now();
    assert_eq!(
        w.host_mut().client.bind_channel(now, sa(PEER_A)),
        Ok(channel)
    );
}

#[test]
fn refreshes_keep_everything_alive_for_30_minutes() {
    let mut w = world(Setup::default());
    let relayed = w.allocate();
    w.create_permission(ip("198.51.100.1"));
    let channel = w.bind_channel(sa(PEER_B));
    w.net.run_for(secs(30 * 60)).unwrap();

    let events = w.events();
    assert!(
        !events.iter().any(|e| matches!(
            e,
            TurnEvent::Expired(_)
                | TurnEvent::PermissionFailed { .. }
                | TurnEvent::ChannelFailed { .. }
        )),
        "{events:?}"
    );
    let refreshed = events
        .iter()
        .filter(|e| matches!(e, TurnEvent::Refreshed { .. }))
        .count();
    assert_eq!(refreshed, 3, "a refresh every 540 s over 1800 s");
    let s = w.turn().stats();
    assert_eq!(s.refreshes, 3);
    assert!(
        s.permissions >= 7,
        "permissions refreshed every 240 s: {s:?}"
    );
    assert!(s.channel_binds >= 4, "channel refreshed every 540 s: {s:?}");
    let now = w.net.now();
    assert_eq!(w.turn().allocations().len(), 1);
    assert!(w.turn().has_permission(now, relayed, ip("198.51.100.1")));
    assert!(w.turn().has_permission(now, relayed, ip("198.51.100.2")));

    // Data still flows both ways, on the channel for B.
    w.client_send(sa(PEER_A), b"late a");
    w.client_send(sa(PEER_B), b"late b");
    let (a, b) = (w.peer_a, w.peer_b);
    w.probe_mut(b).send_udp(sa(PEER_B), relayed, &b"b late"[..]);
    w.net.run_for(secs(1)).unwrap();
    assert_eq!(w.received_by(a), vec![(relayed, b"late a".to_vec())]);
    assert_eq!(w.received_by(b), vec![(relayed, b"late b".to_vec())]);
    assert_eq!(w.data_from(sa(PEER_B)), vec![b"b late".to_vec()]);
    assert_eq!(w.host().client.channel(sa(PEER_B)), Some(channel));
    assert_eq!(w.host().client.stats().retransmissions, 0);
}

#[test]
fn the_allocation_expires_without_refreshes_at_the_server() {
    // A server that forgets allocations (a restart): the next refresh gets 437.
    let mut w = world(Setup::default());
    w.allocate();
    w.turn_mut().drop_allocations();
    let e = w.run_until_event(secs(600), |e| matches!(e, TurnEvent::Expired(_)));
    assert_eq!(e, TurnEvent::Expired(TurnError::Expired));
    assert!(w.host().client.is_closed());
    assert_eq!(w.host_mut().client.poll_timeout(), None);
}

#[test]
fn stale_nonce_is_recovered() {
    let mut w = world(Setup::default());
    w.allocate();
    w.turn_mut().expire_nonces();
    w.create_permission(ip("198.51.100.1"));
    assert_eq!(w.turn().stats().stale_nonces, 1);
    assert_eq!(w.host().client.stats().requests, 4);
}

#[test]
fn short_nonces_do_not_break_refreshes() {
    // Every nonce lasts 100 s: each refresh meets a 438 first, then succeeds.
    let mut server = server_config();
    server.nonce_lifetime = secs(100);
    let mut w = world(Setup {
        server,
        ..Setup::default()
    });
    let relayed = w.allocate();
    w.create_permission(ip("198.51.100.1"));
    w.net.run_for(secs(20 * 60)).unwrap();
    let events = w.events();
    assert!(
        !events.iter().any(|e| matches!(e, TurnEvent::Expired(_))),
        "{events:?}"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, TurnEvent::Refreshed { .. }))
            .count(),
        2
    );
    let s = w.turn().stats();
    assert!(s.stale_nonces >= 4, "{s:?}");
    let now = w.net.now();
    assert!(w.turn().has_permission(now, relayed, ip("198.51.100.1")));
}

#[test]
fn loss_is_recovered_by_retransmission() {
    let mut w = world(Setup::default());
    let client = w.client;
    // The first 200 ms lose everything (so the first Allocate surely needs retransmitting),
    // then 10 % loss each way with duplicates.
    w.net
        .set_link(
            client,
            LinkConditions::with_delay(Duration::from_millis(10)).loss(Loss::Random(1.0)),
        )
        .unwrap();
    let now = w.net.now();
    w.host_mut().client.allocate(now).unwrap();
    w.net.run_for(Duration::from_millis(200)).unwrap();
    w.net
        .set_link(
            client,
            LinkConditions::with_delay(Duration::from_millis(10))
                .loss(Loss::Random(0.1))
                .duplicate(0.1),
        )
        .unwrap();
    let relayed = match w.run_until_event(secs(60), |e| {
        matches!(
            e,
            TurnEvent::Allocated { .. } | TurnEvent::AllocationFailed(_)
        )
    }) {
        TurnEvent::Allocated { relayed, .. } => relayed,
        other => panic!("{other:?}"),
    };
    w.create_permission(ip("198.51.100.1"));
    w.bind_channel(sa(PEER_A));
    assert!(w.host().client.stats().retransmissions >= 1);
    // Data is not retransmitted by TURN: of 30 datagrams each way most arrive.
    let a = w.peer_a;
    for i in 0..30u8 {
        w.client_send(sa(PEER_A), &[i]);
        w.probe_mut(a).send_udp(sa(PEER_A), relayed, vec![i]);
        w.net.run_for(Duration::from_millis(20)).unwrap();
    }
    w.net.run_for(secs(1)).unwrap();
    assert!(w.received_by(a).len() >= 15);
    assert!(w.data_from(sa(PEER_A)).len() >= 15);
    assert!(w.host().client.is_allocated());
}

#[test]
fn works_behind_a_symmetric_nat() {
    let mut w = world(Setup {
        nat: Some(NatConfig::symmetric(ip("203.0.113.1"))),
        ..Setup::default()
    });
    let relayed = w.allocate();
    let mapped = w.host().client.mapped_address().unwrap();
    assert_eq!(
        mapped.ip(),
        ip("203.0.113.1"),
        "mapped is the NAT's address"
    );
    w.bind_channel(sa(PEER_A));
    w.create_permission(ip("198.51.100.2"));
    w.client_send(sa(PEER_A), b"via channel");
    w.client_send(sa(PEER_B), b"via send");
    let (a, b) = (w.peer_a, w.peer_b);
    w.probe_mut(a).send_udp(sa(PEER_A), relayed, &b"a"[..]);
    w.probe_mut(b).send_udp(sa(PEER_B), relayed, &b"b"[..]);
    w.net.run_for(secs(1)).unwrap();
    assert_eq!(w.received_by(a), vec![(relayed, b"via channel".to_vec())]);
    assert_eq!(w.received_by(b), vec![(relayed, b"via send".to_vec())]);
    assert_eq!(w.data_from(sa(PEER_A)), vec![b"a".to_vec()]);
    assert_eq!(w.data_from(sa(PEER_B)), vec![b"b".to_vec()]);
    // Refreshes keep the NAT mapping alive too.
    w.net.run_for(secs(15 * 60)).unwrap();
    assert!(w.host().client.is_allocated());
    w.probe_mut(a).send_udp(sa(PEER_A), relayed, &b"later"[..]);
    w.net.run_for(secs(1)).unwrap();
    assert_eq!(w.data_from(sa(PEER_A)).len(), 2);
}

/// A client behind a NAT that forgets idle UDP mappings after 30 s, idle for 5 minutes, then
/// the peer sends: it arrives only if the client kept the mapping alive.
fn idle_behind_a_forgetful_nat(keepalive: Option<Duration>) -> usize {
    let mut w = world(Setup {
        nat: Some(NatConfig::port_restricted_cone(ip("203.0.113.1")).mapping_lifetime(secs(30))),
        client: Box::new(move |c| c.with_keepalive(keepalive)),
        ..Setup::default()
    });
    let relayed = w.allocate();
    w.bind_channel(sa(PEER_A));
    w.net.run_for(secs(300)).unwrap();
    let a = w.peer_a;
    w.probe_mut(a)
        .send_udp(sa(PEER_A), relayed, &b"wake up"[..]);
    w.net.run_for(secs(1)).unwrap();
    w.data_from(sa(PEER_A)).len()
}

#[test]
fn keepalives_hold_nat_bindings_open() {
    assert_eq!(idle_behind_a_forgetful_nat(Some(secs(15))), 1);
    assert_eq!(
        idle_behind_a_forgetful_nat(None),
        0,
        "the control: without keepalives the mapping is lost"
    );
}

#[test]
fn tcp_transport_frames_the_stream() {
    let mut w = world(Setup {
        client: Box::new(|c| c.with_transport(TurnTransport::Tcp)),
        ..Setup::default()
    });
    let relayed = w.allocate();
    w.bind_channel(sa(PEER_A));
    w.create_permission(ip("198.51.100.2"));
    // 5 bytes: the ChannelData is padded to 12 on the stream.
    w.client_send(sa(PEER_A), b"odd!!");
    w.client_send(sa(PEER_B), b"indication");
    let (a, b) = (w.peer_a, w.peer_b);
    w.probe_mut(a).send_udp(sa(PEER_A), relayed, &b"abc"[..]);
    w.probe_mut(b).send_udp(sa(PEER_B), relayed, &b"defg"[..]);
    w.net.run_for(secs(1)).unwrap();
    assert_eq!(w.received_by(a), vec![(relayed, b"odd!!".to_vec())]);
    assert_eq!(w.received_by(b), vec![(relayed, b"indication".to_vec())]);
    assert_eq!(w.data_from(sa(PEER_A)), vec![b"abc".to_vec()]);
    assert_eq!(w.data_from(sa(PEER_B)), vec![b"defg".to_vec()]);
    assert_eq!(w.host().client.stats().malformed, 0);
    assert_eq!(w.turn().stats().dropped, 0);
}

#[test]
fn deallocate_deletes_the_allocation() {
    let mut w = world(Setup::default());
    w.allocate();
    w.create_permission(ip("198.51.100.1"));
    let now = w.net.now();
    w.host_mut().client.deallocate(now).unwrap();
    w.run_until_event(secs(60), |e| *e == TurnEvent::Deleted);
    assert!(w.turn().allocations().is_empty());
    assert!(w.host().client.is_closed());
    let now = w.net.now();
    assert!(w.host_mut().client.send_to(now, sa(PEER_A), b"x").is_err());
    assert!(w.host_mut().client.deallocate(now).is_err());
}

#[test]
fn follows_try_alternate_over_udp() {
    let mut w = world(Setup::default());
    // A second server at 192.0.2.9; the first redirects there.
    let alt = "192.0.2.9:3478";
    let rng = w.net.fork_rng();
    let second = w
        .net
        .add_host(
            "turn2",
            rtcpeer_netsim::Zone::Internet,
            &[ip("192.0.2.9")],
            rtcpeer_netsim::TurnServer::new(
                rtcpeer_netsim::TurnServerConfig::new(sa(alt), ip("192.0.2.9"), "other")
                    .with_user(USER, PASS),
                rng,
            ),
        )
        .unwrap();
    w.turn_mut().redirect_to(Some(sa(alt)));
    let relayed = w.allocate();
    assert_eq!(relayed.ip(), ip("192.0.2.9"));
    assert_eq!(w.host().client.server(), sa(alt));
    let second = w
        .net
        .endpoint::<rtcpeer_netsim::TurnServer>(second)
        .unwrap();
    assert_eq!(second.stats().allocations, 1);
}

#[test]
fn wrong_password_fails_with_unauthenticated() {
    let mut w = world(Setup {
        client: Box::new(|mut c| {
            c.password = "wrong".into();
            c
        }),
        ..Setup::default()
    });
    let now = w.net.now();
    w.host_mut().client.allocate(now).unwrap();
    let e = w.run_until_event(secs(60), |e| matches!(e, TurnEvent::AllocationFailed(_)));
    assert_eq!(e, TurnEvent::AllocationFailed(TurnError::Unauthenticated));
    assert_eq!(w.turn().stats().unauthenticated, 2);
}

#[test]
fn unreachable_server_times_out_after_rfc_8489_schedule() {
    let mut w = world(Setup::default());
    let client = w.client;
    w.net
        .set_link_direction(
            client,
            Direction::Up,
            LinkConditions::default().loss(Loss::Random(1.0)),
        )
        .unwrap();
    let start = w.net.now();
    w.host_mut().client.allocate(start).unwrap();
    let e = w.run_until_event(secs(60), |e| matches!(e, TurnEvent::AllocationFailed(_)));
    assert_eq!(e, TurnEvent::AllocationFailed(TurnError::Timeout));
    assert_eq!(w.net.elapsed(), Duration::from_millis(39_500));
    assert_eq!(w.host().client.stats().retransmissions, 6);
}
