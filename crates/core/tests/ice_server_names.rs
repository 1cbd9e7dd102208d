//! ICE server host names resolved by the runtime (`PeerConnection::poll_ice_server_host`,
//! `handle_ice_server_host_resolved`): which names are handed out, the transport waiting for
//! the answers, one server address per family, the `icecandidateerror` 701 of a name that did
//! not resolve (webrtc-pc §4.8.2), and the old behaviour for a runtime that never asks.

mod common;

use std::net::{IpAddr, SocketAddr};

use common::*;
use rtcpeer_core::*;
use rtcpeer_types::Transmit;

/// A non-loopback local socket (TEST-NET-1): the agent sends STUN requests from it.
const LOCAL: &str = "192.0.2.10:5000";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn with_servers(servers: Vec<RtcIceServer>) -> PeerConnection {
    let config = RtcConfiguration {
        ice_servers: servers,
        ..RtcConfiguration::default()
    };
    let mut pc = pc_with(7, config);
    pc.add_local_interface(addr(LOCAL));
    pc.create_data_channel("d", RtcDataChannelInit::default())
        .unwrap();
    pc
}

fn transmits(pc: &mut PeerConnection) -> Vec<Transmit> {
    std::iter::from_fn(|| pc.poll_transmit()).collect()
}

/// A STUN request of method Binding (RFC 8489 §5: type 0x0001).
fn is_binding_request(t: &Transmit) -> bool {
    t.contents.get(..2) == Some(&[0x00, 0x01][..])
}

/// A TURN Allocate request (RFC 8656 §18: type 0x0003).
fn is_allocate_request(t: &Transmit) -> bool {
    t.contents.get(..2) == Some(&[0x00, 0x03][..])
}

fn hosts(pc: &mut PeerConnection) -> Vec<String> {
    std::iter::from_fn(|| pc.poll_ice_server_host()).collect()
}

#[test]
fn each_name_of_a_usable_server_is_handed_out_once() {
    let mut pc = with_servers(vec![
        RtcIceServer::new(vec![
            "stun:stun.example.org:3478".to_owned(),
            "stun:192.0.2.1".to_owned(),
        ]),
        // The same name again: asked once.
        RtcIceServer::with_credentials(
            vec![
                "turn:stun.example.org?transport=udp".to_owned(),
                "turn:tcp.example.org?transport=tcp".to_owned(),
                // No TLS configuration: not used, not resolved.
                "turns:tls.example.org".to_owned(),
            ],
            "u",
            "p",
        ),
        RtcIceServer::with_credentials("turn:relay.example.net", "u", "p"),
    ]);
    assert_eq!(
        hosts(&mut pc),
        ["stun.example.org", "tcp.example.org", "relay.example.net"]
    );
    assert!(pc.poll_ice_server_host().is_none());
    assert!(pc.awaiting_ice_server_hosts());
}

#[test]
fn gathering_waits_for_the_answer_and_uses_the_address_of_the_socket_family() {
    let mut pc = with_servers(vec![RtcIceServer::new("stun:stun.example.org:3478")]);
    assert_eq!(hosts(&mut pc), ["stun.example.org"]);
    pc.set_local_description(None).unwrap();
    // No transport yet: nothing to send, no timer, no gathering.
    assert!(transmits(&mut pc).is_empty());
    assert_eq!(pc.poll_timeout(), None);
    assert!(pc.transport().is_none());
    assert_eq!(pc.ice_gathering_state(), RtcIceGatheringState::New);

    pc.handle_ice_server_host_resolved(
        "STUN.example.org",
        &[ip("2001:db8::1"), ip("198.51.100.7"), ip("198.51.100.8")],
    );
    assert!(!pc.awaiting_ice_server_hosts());
    assert!(pc.transport().is_some());
    assert_eq!(pc.ice_gathering_state(), RtcIceGatheringState::Gathering);
    let sent = transmits(&mut pc);
    let stun: Vec<_> = sent.iter().filter(|t| is_binding_request(t)).collect();
    assert_eq!(stun.len(), 1, "{sent:?}");
    assert_eq!(stun[0].source, addr(LOCAL));
    assert_eq!(stun[0].destination, addr("198.51.100.7:3478"));
    assert_eq!(pc.wire_counters().ice_servers_skipped, 0);
    // The transport exists: later names are not asked for.
    assert!(pc.poll_ice_server_host().is_none());
}

#[test]
fn signaling_commands_wait_in_order_while_a_name_is_resolved() {
    let mut a = with_servers(vec![RtcIceServer::new("stun:stun.example.org")]);
    let mut b = pc(8);
    assert_eq!(hosts(&mut a), ["stun.example.org"]);
    // `a` answers: its remote description and candidates arrive before the answer.
    b.create_data_channel("x", RtcDataChannelInit::default())
        .unwrap();
    let offer = b.create_offer(RtcOfferOptions::default()).unwrap();
    a.set_remote_description(offer).unwrap();
    a.add_ice_candidate(RtcIceCandidateInit {
        candidate: "candidate:1 1 udp 2122260223 192.0.2.20 6000 typ host".to_owned(),
        sdp_mid: Some("0".to_owned()),
        sdp_m_line_index: Some(0),
        username_fragment: None,
    })
    .unwrap();
    a.set_local_description(None).unwrap();
    assert!(a.transport().is_none());

    a.handle_ice_server_host_resolved("stun.example.org", &[ip("198.51.100.7")]);
    let transport = a.transport().expect("transport created");
    assert_eq!(transport.ice().remote_candidates().len(), 1);
    let sent = transmits(&mut a);
    assert!(
        sent.iter()
            .any(|t| is_binding_request(t) && t.destination == addr("198.51.100.7:3478")),
        "{sent:?}"
    );
}

#[test]
fn a_name_that_did_not_resolve_gives_701_and_gathering_completes() {
    let mut pc = with_servers(vec![RtcIceServer::new("stun:nonexistent.invalid:3478")]);
    assert_eq!(hosts(&mut pc), ["nonexistent.invalid"]);
    pc.handle_ice_server_host_resolved("nonexistent.invalid", &[]);
    events(&mut pc);
    pc.set_local_description(None).unwrap();
    let sent = transmits(&mut pc);
    assert!(!sent.iter().any(is_binding_request), "{sent:?}");
    let events = events(&mut pc);
    let error = events
        .iter()
        .position(|e| {
            matches!(e, PeerConnectionEvent::IceCandidateError { error_code: 701, url, address: None, port: None, .. }
                if url == "stun:nonexistent.invalid:3478")
        })
        .unwrap_or_else(|| panic!("no 701 in {events:?}"));
    let gathering = events
        .iter()
        .position(|e| {
            *e == PeerConnectionEvent::IceGatheringStateChange(RtcIceGatheringState::Gathering)
        })
        .expect("gathering");
    let complete = events
        .iter()
        .position(|e| *e == PeerConnectionEvent::IceCandidate(None))
        .expect("gathering completes");
    assert!(gathering < error && error < complete, "{events:?}");
    assert_eq!(pc.ice_gathering_state(), RtcIceGatheringState::Complete);
    assert_eq!(pc.wire_counters().ice_servers_skipped, 1);
}

#[test]
fn a_resolved_turn_name_allocates_at_its_address() {
    let mut pc = with_servers(vec![RtcIceServer::with_credentials(
        "turn:relay.example.net:3479",
        "user",
        "pass",
    )]);
    assert_eq!(hosts(&mut pc), ["relay.example.net"]);
    pc.set_local_description(None).unwrap();
    pc.handle_ice_server_host_resolved("relay.example.net", &[ip("203.0.113.5")]);
    let sent = transmits(&mut pc);
    assert!(
        sent.iter()
            .any(|t| is_allocate_request(t) && t.destination == addr("203.0.113.5:3479")),
        "{sent:?}"
    );
}

#[test]
fn without_a_resolver_names_are_skipped_and_gathering_does_not_wait() {
    let mut pc = with_servers(vec![RtcIceServer::new("stun:stun.example.org")]);
    pc.set_local_description(None).unwrap();
    assert!(!pc.awaiting_ice_server_hosts());
    assert!(pc.transport().is_some());
    assert_eq!(pc.wire_counters().ice_servers_skipped, 1);
    assert!(!transmits(&mut pc).iter().any(is_binding_request));
    // Too late: the agent has its servers.
    assert!(pc.poll_ice_server_host().is_none());
}

#[test]
fn close_while_waiting_stops_waiting() {
    let mut pc = with_servers(vec![RtcIceServer::new("stun:stun.example.org")]);
    assert_eq!(hosts(&mut pc), ["stun.example.org"]);
    pc.set_local_description(None).unwrap();
    assert!(pc.awaiting_ice_server_hosts());
    pc.close();
    assert!(!pc.awaiting_ice_server_hosts());
    assert!(pc.poll_ice_server_host().is_none());
    assert_eq!(pc.poll_timeout(), None);
    // A late answer is ignored.
    pc.handle_ice_server_host_resolved("stun.example.org", &[ip("198.51.100.7")]);
    assert!(!transmits(&mut pc).iter().any(is_binding_request));
}

#[test]
fn unknown_and_repeated_answers_are_ignored() {
    let mut pc = with_servers(vec![RtcIceServer::new("stun:stun.example.org")]);
    assert_eq!(hosts(&mut pc), ["stun.example.org"]);
    pc.handle_ice_server_host_resolved("other.example.org", &[ip("198.51.100.9")]);
    assert!(pc.awaiting_ice_server_hosts());
    pc.handle_ice_server_host_resolved("stun.example.org", &[ip("198.51.100.7")]);
    pc.handle_ice_server_host_resolved("stun.example.org", &[]);
    pc.set_local_description(None).unwrap();
    let sent = transmits(&mut pc);
    assert!(
        sent.iter()
            .any(|t| is_binding_request(t) && t.destination == addr("198.51.100.7:3478")),
        "{sent:?}"
    );
}

#[test]
fn a_turn_server_over_tcp_gets_the_allocate_as_stream_bytes() {
    let mut pc = with_servers(vec![RtcIceServer::with_credentials(
        "turn:relay.example.net:3478?transport=tcp",
        "user",
        "pass",
    )]);
    assert_eq!(hosts(&mut pc), ["relay.example.net"]);
    pc.handle_ice_server_host_resolved("relay.example.net", &[ip("203.0.113.5")]);
    pc.set_local_description(None).unwrap();
    let sent = transmits(&mut pc);
    let allocate = sent
        .iter()
        .find(|t| is_allocate_request(t))
        .unwrap_or_else(|| panic!("no Allocate in {sent:?}"));
    assert_eq!(allocate.protocol, rtcpeer_types::Protocol::Tcp);
    assert_eq!(allocate.source, addr(LOCAL));
    assert_eq!(allocate.destination, addr("203.0.113.5:3478"));
    assert_eq!(pc.wire_counters().ice_servers_skipped, 0);
    // The runtime's connection to the server closed: the allocation fails, gathering completes.
    let later = pc.poll_timeout().unwrap_or_else(t0);
    pc.handle_relay_connection_closed(later, addr(LOCAL), addr("203.0.113.5:3478"));
    let events = events(&mut pc);
    assert!(
        events.iter().any(
            |e| matches!(e, PeerConnectionEvent::IceCandidateError { url, .. }
            if url == "turn:relay.example.net:3478?transport=tcp")
        ),
        "{events:?}"
    );
    assert_eq!(pc.ice_gathering_state(), RtcIceGatheringState::Complete);
}
