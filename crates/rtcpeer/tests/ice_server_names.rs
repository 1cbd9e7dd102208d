//! ICE server URLs with a host name, resolved by the driver (webrtc-pc §4.4.1.1; RFC 7064,
//! RFC 7065): `turn:localhost:<port>` reaches a TURN responder on 127.0.0.1, also when the
//! server comes from `setConfiguration`, and a name that does not resolve
//! (`nonexistent.invalid`, RFC 6761 §6.4) gives `icecandidateerror` 701 while gathering
//! completes. `turn:...?transport=tcp` servers are reached over a TCP connection the driver
//! opens (RFC 8656 §3.1), and one that refuses the connection fails the allocation.
//!
//! The positive case uses TURN: the ICE agent sends no STUN Binding request from a loopback
//! socket (a server-reflexive candidate of a loopback address is meaningless), but it allocates
//! on a loopback TURN server from one. Only 127.0.0.1 is bound, so no packet leaves loopback.

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::wait_until;
use rtcpeer::*;
use rtcpeer_stun::{Class, ErrorCode, Message, MessageBuilder, Method};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// A TURN server on 127.0.0.1 that refuses every Allocate request with 403 (RFC 8656 §7.2), so
/// the allocation fails at once and gathering completes. Returns its port and the senders of
/// the Allocate requests it got.
async fn refusing_turn_server() -> (u16, Arc<Mutex<Vec<SocketAddr>>>) {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        let mut buf = vec![0; 2048];
        loop {
            let Ok((n, from)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let Ok(msg) = Message::decode(&buf[..n]) else {
                continue;
            };
            if msg.method() != Method::ALLOCATE || msg.class() != Class::Request {
                continue;
            }
            log.lock().unwrap().push(from);
            let error = ErrorCode {
                code: 403,
                reason: "Forbidden",
            };
            let response =
                MessageBuilder::error_response(Method::ALLOCATE, msg.transaction_id(), error)
                    .build()
                    .unwrap();
            let _ = socket.send_to(&response, from).await;
        }
    });
    (port, seen)
}

/// A connection on 127.0.0.1 only (no IPv6 socket, no ICE-TCP).
fn loopback_v4(config: RtcConfiguration) -> RtcPeerConnection {
    RtcPeerConnection::builder(config)
        .interfaces(Interfaces::Addresses(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]))
        .ice_tcp(false)
        .seed(5)
        .build()
        .expect("new RtcPeerConnection")
}

fn turn_localhost(port: u16) -> RtcIceServer {
    RtcIceServer::with_credentials(format!("turn:localhost:{port}"), "user", "secret")
}

/// The `icecandidateerror` events seen, as (url, errorCode).
type Errors = Arc<Mutex<Vec<(String, u16)>>>;

/// The `icecandidateerror` events, and whether gathering completed.
fn record(pc: &RtcPeerConnection) -> (Errors, Arc<Mutex<bool>>) {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let complete = Arc::new(Mutex::new(false));
    let log = Arc::clone(&errors);
    pc.add_event_listener(
        EventType::IceCandidateError,
        Box::new(move |e: &Event| {
            if let EventKind::IceCandidateError(e) = e.kind() {
                log.lock().unwrap().push((e.url.clone(), e.error_code));
            }
        }),
    );
    let done = Arc::clone(&complete);
    pc.add_event_listener(
        EventType::IceCandidate,
        Box::new(move |e: &Event| {
            if let EventKind::IceCandidate(c) = e.kind()
                && c.candidate.is_none()
            {
                *done.lock().unwrap() = true;
            }
        }),
    );
    (errors, complete)
}

async fn offer(pc: &RtcPeerConnection) {
    pc.create_data_channel("d", RtcDataChannelInit::default())
        .await
        .unwrap();
    pc.set_local_description(None).await.unwrap();
}

#[tokio::test]
async fn a_turn_server_named_localhost_is_resolved_and_used() {
    let (port, seen) = refusing_turn_server().await;
    let pc = loopback_v4(RtcConfiguration {
        ice_servers: vec![turn_localhost(port)],
        ..RtcConfiguration::default()
    });
    let (errors, complete) = record(&pc);
    offer(&pc).await;
    wait_until("an Allocate request", || !seen.lock().unwrap().is_empty()).await;
    let from = seen.lock().unwrap()[0];
    assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    wait_until("gathering complete", || *complete.lock().unwrap()).await;
    assert_eq!(pc.ice_gathering_state(), RtcIceGatheringState::Complete);
    // The refusal is reported with the configured URL.
    let errors = errors.lock().unwrap().clone();
    assert_eq!(
        errors,
        [(format!("turn:localhost:{port}?transport=udp"), 403)]
    );
}

#[tokio::test]
async fn a_name_from_set_configuration_is_resolved_before_gathering() {
    let (port, seen) = refusing_turn_server().await;
    let pc = loopback_v4(RtcConfiguration::default());
    let config = RtcConfiguration {
        ice_servers: vec![turn_localhost(port)],
        ..pc.get_configuration()
    };
    pc.set_configuration(config).await.unwrap();
    let (_, complete) = record(&pc);
    offer(&pc).await;
    wait_until("an Allocate request", || !seen.lock().unwrap().is_empty()).await;
    wait_until("gathering complete", || *complete.lock().unwrap()).await;
}

#[tokio::test]
async fn a_name_that_does_not_resolve_gives_701_and_gathering_completes() {
    let pc = loopback_v4(RtcConfiguration {
        ice_servers: vec![RtcIceServer::new("stun:nonexistent.invalid:3478")],
        ..RtcConfiguration::default()
    });
    let (errors, complete) = record(&pc);
    offer(&pc).await;
    wait_until("gathering complete", || *complete.lock().unwrap()).await;
    assert_eq!(pc.ice_gathering_state(), RtcIceGatheringState::Complete);
    // Events are dispatched in order: the error came before the end of gathering.
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors, [("stun:nonexistent.invalid:3478".to_owned(), 701)]);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(pc.ice_gathering_state(), RtcIceGatheringState::Complete);
}

/// As [`refusing_turn_server`], over TCP: STUN messages framed by their length (RFC 8656
/// §12.5). Returns its port and the peers of the connections that sent an Allocate request.
async fn refusing_turn_server_over_tcp() -> (u16, Arc<Mutex<Vec<SocketAddr>>>) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, from)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut header = [0u8; 20];
                while stream.read_exact(&mut header).await.is_ok() {
                    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
                    let mut message = header.to_vec();
                    message.resize(20 + len, 0);
                    if stream.read_exact(&mut message[20..]).await.is_err() {
                        return;
                    }
                    let Ok(msg) = Message::decode(&message) else {
                        return;
                    };
                    if msg.method() != Method::ALLOCATE || msg.class() != Class::Request {
                        continue;
                    }
                    log.lock().unwrap().push(from);
                    let error = ErrorCode {
                        code: 403,
                        reason: "Forbidden",
                    };
                    let response = MessageBuilder::error_response(
                        Method::ALLOCATE,
                        msg.transaction_id(),
                        error,
                    )
                    .build()
                    .unwrap();
                    let _ = stream.write_all(&response).await;
                }
            });
        }
    });
    (port, seen)
}

#[tokio::test]
async fn a_turn_server_over_tcp_is_reached_on_a_connection_of_its_own() {
    let (port, seen) = refusing_turn_server_over_tcp().await;
    let url = format!("turn:localhost:{port}?transport=tcp");
    let pc = loopback_v4(RtcConfiguration {
        ice_servers: vec![RtcIceServer::with_credentials(
            url.clone(),
            "user",
            "secret",
        )],
        ..RtcConfiguration::default()
    });
    let (errors, complete) = record(&pc);
    offer(&pc).await;
    wait_until("an Allocate request over TCP", || {
        !seen.lock().unwrap().is_empty()
    })
    .await;
    assert_eq!(
        seen.lock().unwrap()[0].ip(),
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    );
    wait_until("gathering complete", || *complete.lock().unwrap()).await;
    assert_eq!(errors.lock().unwrap().clone(), [(url, 403)]);
}

#[tokio::test]
async fn a_turn_server_over_tcp_that_refuses_the_connection_fails_the_allocation() {
    let closed = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let pc = loopback_v4(RtcConfiguration {
        ice_servers: vec![RtcIceServer::with_credentials(
            format!("turn:127.0.0.1:{port}?transport=tcp"),
            "user",
            "secret",
        )],
        ..RtcConfiguration::default()
    });
    let (errors, complete) = record(&pc);
    offer(&pc).await;
    wait_until("gathering complete", || *complete.lock().unwrap()).await;
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, format!("turn:127.0.0.1:{port}?transport=tcp"));
}
