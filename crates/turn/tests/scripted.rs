//! The client against a scripted server (responses written by hand in each test): integrity
//! checks, error responses, refresh and permission timeouts, redirects over TCP, misuse, and
//! property tests feeding random and mutated input that must never panic.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use proptest::prelude::*;
use rtcpeer_stun::{
    AlternateServer, ChannelData, ErrorCode, IntegrityKey, Lifetime, Message, MessageBuilder,
    Method, TransactionId, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use rtcpeer_turn::rustls::{RootCertStore, pki_types::ServerName};
use rtcpeer_turn::{
    TlsSettings, TurnClient, TurnConfig, TurnError, TurnEvent, TurnTransport, UsageError,
};
use rtcpeer_types::{Protocol, Receive, Rng};

const SERVER: &str = "192.0.2.1:3478";
const LOCAL: &str = "203.0.113.5:5000";
const RELAYED: &str = "192.0.2.1:50000";
const PEER: &str = "198.51.100.1:7000";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn key() -> IntegrityKey {
    IntegrityKey::long_term("u", "realm", "p")
}

struct Script {
    client: TurnClient,
    now: Instant,
    protocol: Protocol,
}

impl Script {
    #[allow(clippy::disallowed_methods)]
    fn new(transport: TurnTransport) -> Script {
        let protocol = transport.protocol();
        let config = TurnConfig::new(sa(SERVER), sa(LOCAL), "u", "p")
            .with_transport(transport)
            .with_keepalive(None);
        Script {
            client: TurnClient::new(config, Rng::from_seed(7)).unwrap(),
            now: Instant::now(),
            protocol,
        }
    }

    /// The next transmit's bytes.
    fn sent(&mut self) -> Vec<u8> {
        let t = self.client.poll_transmit().expect("a transmit");
        assert_eq!(t.destination, sa(SERVER));
        assert_eq!(t.source, sa(LOCAL));
        assert_eq!(t.protocol, self.protocol);
        t.contents.to_vec()
    }

    fn receive_from(&mut self, source: SocketAddr, bytes: Vec<u8>) -> bool {
        let rx = Receive {
            protocol: self.protocol,
            source,
            destination: sa(LOCAL),
            contents: Bytes::from(bytes),
        };
        self.client.handle_receive(self.now, rx)
    }

    fn receive(&mut self, bytes: Vec<u8>) {
        assert!(self.receive_from(sa(SERVER), bytes));
    }

    fn advance(&mut self, d: Duration) {
        self.now += d;
        self.client.handle_timeout(self.now);
    }

    fn events(&mut self) -> Vec<TurnEvent> {
        std::iter::from_fn(|| self.client.poll_event()).collect()
    }

    /// Answers the pending unauthenticated request with a 401 challenge and returns the
    /// signed retry's transaction id.
    fn challenge(&mut self, method: Method) -> TransactionId {
        let request = self.sent();
        let m = Message::decode(&request).unwrap();
        assert!(!m.has_message_integrity());
        let r = MessageBuilder::error_response(
            method,
            m.transaction_id(),
            ErrorCode::with_default_reason(401),
        )
        .realm("realm")
        .nonce("nonce-1")
        .build()
        .unwrap();
        self.receive(r);
        let retry = self.sent();
        let m = Message::decode(&retry).unwrap();
        m.verify_integrity(&key()).unwrap();
        assert_eq!(m.nonce(), Some("nonce-1"));
        m.transaction_id()
    }

    /// A client holding an allocation of 600 s on RELAYED.
    fn allocated(transport: TurnTransport) -> Script {
        let mut s = Script::new(transport);
        s.client.allocate(s.now).unwrap();
        let id = s.challenge(Method::ALLOCATE);
        s.receive(allocate_success(id, &key()));
        assert!(s.client.is_allocated());
        s.events();
        s
    }

    /// Answers the next request (of `method`) with success.
    fn succeed(&mut self, method: Method) {
        let request = self.sent();
        let m = Message::decode(&request).unwrap();
        assert_eq!(m.method(), method);
        let r = MessageBuilder::success_response(method, m.transaction_id())
            .with(Lifetime(600))
            .message_integrity(&key())
            .build()
            .unwrap();
        self.receive(r);
    }
}

fn allocate_success(id: TransactionId, key: &IntegrityKey) -> Vec<u8> {
    MessageBuilder::success_response(Method::ALLOCATE, id)
        .with(XorRelayedAddress(sa(RELAYED)))
        .with(XorMappedAddress(sa(LOCAL)))
        .with(Lifetime(600))
        .message_integrity(key)
        .build()
        .unwrap()
}

#[test]
fn responses_must_verify_with_the_key() {
    let mut s = Script::new(TurnTransport::Udp);
    s.client.allocate(s.now).unwrap();
    let id = s.challenge(Method::ALLOCATE);
    // Wrong key, then no MESSAGE-INTEGRITY at all: both dropped.
    s.receive(allocate_success(
        id,
        &IntegrityKey::long_term("u", "realm", "x"),
    ));
    let unsigned = MessageBuilder::success_response(Method::ALLOCATE, id)
        .with(XorRelayedAddress(sa(RELAYED)))
        .with(Lifetime(600))
        .build()
        .unwrap();
    s.receive(unsigned);
    assert!(!s.client.is_allocated());
    assert_eq!(s.client.stats().integrity_failures, 2);
    // The real one is accepted.
    s.receive(allocate_success(id, &key()));
    assert_eq!(
        s.events(),
        vec![TurnEvent::Allocated {
            relayed: sa(RELAYED),
            mapped: Some(sa(LOCAL)),
            lifetime: Duration::from_secs(600)
        }]
    );
    // A duplicate is unmatched, and anything from elsewhere is not for the client.
    s.receive(allocate_success(id, &key()));
    assert_eq!(s.client.stats().unmatched, 1);
    assert!(!s.receive_from(sa("192.0.2.99:3478"), allocate_success(id, &key())));
}

#[test]
fn an_error_response_fails_the_allocation() {
    let mut s = Script::new(TurnTransport::Udp);
    s.client.allocate(s.now).unwrap();
    let id = s.challenge(Method::ALLOCATE);
    let r = MessageBuilder::error_response(
        Method::ALLOCATE,
        id,
        ErrorCode::new(486, "Allocation Quota Reached"),
    )
    .message_integrity(&key())
    .build()
    .unwrap();
    s.receive(r);
    assert_eq!(
        s.events(),
        vec![TurnEvent::AllocationFailed(TurnError::Server {
            code: 486,
            reason: "Allocation Quota Reached".into()
        })]
    );
    assert!(s.client.is_closed());
    assert_eq!(s.client.poll_timeout(), None);
}

#[test]
fn endless_stale_nonces_give_up() {
    let mut s = Script::new(TurnTransport::Udp);
    s.client.allocate(s.now).unwrap();
    let mut id = s.challenge(Method::ALLOCATE);
    for i in 0..3 {
        let r = MessageBuilder::error_response(
            Method::ALLOCATE,
            id,
            ErrorCode::with_default_reason(438),
        )
        .realm("realm")
        .nonce(&format!("nonce-{}", i + 2))
        .build()
        .unwrap();
        s.receive(r);
        if i < 2 {
            let retry = s.sent();
            let m = Message::decode(&retry).unwrap();
            assert_eq!(m.nonce(), Some(format!("nonce-{}", i + 2).as_str()));
            id = m.transaction_id();
        }
    }
    assert_eq!(
        s.events(),
        vec![TurnEvent::AllocationFailed(TurnError::StaleNonce)]
    );
}

#[test]
fn try_alternate_over_tcp_is_reported() {
    let mut s = Script::new(TurnTransport::Tcp);
    s.client.allocate(s.now).unwrap();
    let request = s.sent();
    let id = Message::decode(&request).unwrap().transaction_id();
    let r =
        MessageBuilder::error_response(Method::ALLOCATE, id, ErrorCode::with_default_reason(300))
            .with(AlternateServer(sa("192.0.2.50:3478")))
            .build()
            .unwrap();
    s.receive(r);
    assert_eq!(
        s.events(),
        vec![TurnEvent::AllocationFailed(TurnError::TryAlternate(sa(
            "192.0.2.50:3478"
        )))]
    );
}

#[test]
fn a_failed_channel_bind_falls_back_to_send_indications() {
    let mut s = Script::allocated(TurnTransport::Udp);
    let channel = s.client.bind_channel(s.now, sa(PEER)).unwrap();
    let request = s.sent();
    let m = Message::decode(&request).unwrap();
    assert_eq!(m.channel_number().map(|c| c.0), Some(channel));
    assert_eq!(m.xor_peer_address(), Some(sa(PEER)));
    let r = MessageBuilder::error_response(
        Method::CHANNEL_BIND,
        m.transaction_id(),
        ErrorCode::with_default_reason(400),
    )
    .message_integrity(&key())
    .build()
    .unwrap();
    s.receive(r);
    assert!(matches!(
        s.events().as_slice(),
        [TurnEvent::ChannelFailed {
            error: TurnError::Server { code: 400, .. },
            ..
        }]
    ));
    s.client.send_to(s.now, sa(PEER), b"x").unwrap();
    let m = s.sent();
    let m = Message::decode(&m).unwrap();
    assert_eq!(m.method(), Method::SEND);
    assert_eq!(m.data(), Some(&b"x"[..]));
    // ChannelData on the failed channel is not delivered.
    let mut cd = Vec::new();
    ChannelData {
        channel,
        data: b"late",
    }
    .encode(false, &mut cd)
    .unwrap();
    s.receive(cd);
    assert!(s.events().is_empty());
    assert_eq!(s.client.stats().unmatched, 1);
}

#[test]
fn channel_data_on_a_pending_channel_is_delivered_for_its_peer_only() {
    let mut s = Script::allocated(TurnTransport::Udp);
    let channel = s.client.bind_channel(s.now, sa(PEER)).unwrap();
    let request = s.sent();
    let bind = Message::decode(&request).unwrap();
    assert_eq!(bind.method(), Method::CHANNEL_BIND);
    let frame = |channel: u16, data: &[u8]| {
        let mut cd = Vec::new();
        ChannelData { channel, data }
            .encode(false, &mut cd)
            .unwrap();
        cd
    };
    // The server bound the channel and relays on it, but its success response is late (or
    // lost): the data is delivered, from the peer the bind named.
    s.receive(frame(channel, b"early"));
    assert_eq!(
        s.events(),
        [TurnEvent::Data {
            peer: sa(PEER),
            data: Bytes::from_static(b"early"),
        }]
    );
    assert_eq!(s.client.stats().channel_data_received, 1);
    // Sending still waits for the confirmation: a Send indication, not ChannelData.
    assert_eq!(s.client.channel(sa(PEER)), None);
    s.client.send_to(s.now, sa(PEER), b"out").unwrap();
    let out = s.sent();
    assert_eq!(Message::decode(&out).unwrap().method(), Method::SEND);
    // Another channel number (never requested) is still refused.
    let other = if channel == 0x4fff {
        0x4000
    } else {
        channel + 1
    };
    s.receive(frame(other, b"stray"));
    assert!(s.events().is_empty());
    assert_eq!(s.client.stats().unmatched, 1);
    // The success arrives: the channel is bound and data keeps flowing.
    let r = MessageBuilder::success_response(Method::CHANNEL_BIND, bind.transaction_id())
        .message_integrity(&key())
        .build()
        .unwrap();
    s.receive(r);
    assert_eq!(
        s.events(),
        [TurnEvent::ChannelBound {
            peer: sa(PEER),
            channel
        }]
    );
    s.receive(frame(channel, b"late"));
    assert_eq!(s.events().len(), 1);
    assert_eq!(s.client.stats().channel_data_received, 2);
}

#[test]
fn an_unanswered_refresh_is_retried_then_the_allocation_expires() {
    let mut s = Script::allocated(TurnTransport::Udp);
    assert_eq!(
        s.client.poll_timeout(),
        Some(s.now + Duration::from_secs(540))
    );
    s.advance(Duration::from_secs(540));
    let m = s.sent();
    assert_eq!(Message::decode(&m).unwrap().method(), Method::REFRESH);
    // Nobody answers: 6 retransmissions and a timeout at 579.5 s, a second Refresh at once
    // with 5 retransmissions, then expiry at 600 s.
    let mut transactions = vec![Message::decode(&m).unwrap().transaction_id()];
    while let Some(t) = s.client.poll_timeout() {
        s.now = t;
        s.client.handle_timeout(t);
        while let Some(tx) = s.client.poll_transmit() {
            let m = Message::decode(&tx.contents).unwrap();
            assert_eq!(m.method(), Method::REFRESH);
            if !transactions.contains(&m.transaction_id()) {
                transactions.push(m.transaction_id());
            }
        }
    }
    assert_eq!(transactions.len(), 2);
    assert_eq!(s.events(), vec![TurnEvent::Expired(TurnError::Expired)]);
    assert_eq!(s.client.stats().retransmissions, 6 + 5);
    assert!(s.client.is_closed());
}

#[test]
fn permissions_refresh_and_fail_when_refused() {
    let mut s = Script::allocated(TurnTransport::Udp);
    let peer = sa(PEER).ip();
    s.client.create_permission(s.now, peer).unwrap();
    let request = s.sent();
    let m = Message::decode(&request).unwrap();
    assert_eq!(m.xor_peer_address().map(|a| a.ip()), Some(peer));
    let r = MessageBuilder::success_response(Method::CREATE_PERMISSION, m.transaction_id())
        .message_integrity(&key())
        .build()
        .unwrap();
    s.receive(r);
    assert_eq!(s.events(), vec![TurnEvent::PermissionCreated { peer }]);
    // Asking again reports it at once without a request.
    s.client.create_permission(s.now, peer).unwrap();
    assert_eq!(s.events(), vec![TurnEvent::PermissionCreated { peer }]);
    assert!(s.client.poll_transmit().is_none());
    // The refresh 240 s later is refused.
    s.advance(Duration::from_secs(240));
    let request = s.sent();
    let m = Message::decode(&request).unwrap();
    assert_eq!(m.method(), Method::CREATE_PERMISSION);
    let r = MessageBuilder::error_response(
        Method::CREATE_PERMISSION,
        m.transaction_id(),
        ErrorCode::with_default_reason(403),
    )
    .message_integrity(&key())
    .build()
    .unwrap();
    s.receive(r);
    assert!(matches!(
        s.events().as_slice(),
        [TurnEvent::PermissionFailed {
            error: TurnError::Server { code: 403, .. },
            ..
        }]
    ));
    assert!(!s.client.has_permission(peer));
}

#[test]
fn a_437_on_refresh_expires_and_deallocate_confirms() {
    let mut s = Script::allocated(TurnTransport::Udp);
    s.client.deallocate(s.now).unwrap();
    let request = s.sent();
    let m = Message::decode(&request).unwrap();
    assert_eq!(m.lifetime(), Some(Duration::ZERO));
    // The deletion's response got lost and the retransmission meets 437: still deleted.
    let r = MessageBuilder::error_response(
        Method::REFRESH,
        m.transaction_id(),
        ErrorCode::with_default_reason(437),
    )
    .message_integrity(&key())
    .build()
    .unwrap();
    s.receive(r);
    assert_eq!(s.events(), vec![TurnEvent::Deleted]);

    let mut s = Script::allocated(TurnTransport::Udp);
    s.advance(Duration::from_secs(540));
    s.succeed(Method::REFRESH);
    assert_eq!(
        s.events(),
        vec![TurnEvent::Refreshed {
            lifetime: Duration::from_secs(600)
        }]
    );
    assert_eq!(
        s.client.expires_at(),
        Some(s.now + Duration::from_secs(600))
    );
}

#[test]
fn idle_udp_clients_send_keepalives() {
    let mut s = Script::new(TurnTransport::Udp);
    s.client = TurnClient::new(
        TurnConfig::new(sa(SERVER), sa(LOCAL), "u", "p")
            .with_keepalive(Some(Duration::from_secs(15))),
        Rng::from_seed(1),
    )
    .unwrap();
    s.client.allocate(s.now).unwrap();
    let id = s.challenge(Method::ALLOCATE);
    s.receive(allocate_success(id, &key()));
    assert_eq!(
        s.client.poll_timeout(),
        Some(s.now + Duration::from_secs(15))
    );
    // Traffic postpones the keepalive.
    s.advance(Duration::from_secs(10));
    s.client.send_to(s.now, sa(PEER), b"x").unwrap();
    s.sent();
    s.advance(Duration::from_secs(14));
    assert!(s.client.poll_transmit().is_none());
    s.advance(Duration::from_secs(1));
    let m = s.sent();
    let m = Message::decode(&m).unwrap();
    assert_eq!(
        m.message_type(),
        rtcpeer_stun::MessageType::BINDING_INDICATION
    );
    assert_eq!(s.client.stats().keepalives, 1);
    assert_eq!(
        s.client.poll_timeout(),
        Some(s.now + Duration::from_secs(15))
    );
}

#[test]
fn misuse_is_refused_without_side_effects() {
    let mut s = Script::new(TurnTransport::Udp);
    let peer = sa(PEER);
    assert_eq!(
        s.client.send_to(s.now, peer, b"x"),
        Err(UsageError::NotAllocated)
    );
    assert_eq!(
        s.client.create_permission(s.now, peer.ip()),
        Err(UsageError::NotAllocated)
    );
    assert_eq!(s.client.deallocate(s.now), Err(UsageError::NotAllocated));
    assert!(s.client.poll_transmit().is_none());
    let mut s = Script::allocated(TurnTransport::Udp);
    assert_eq!(s.client.allocate(s.now), Err(UsageError::AlreadyStarted));
    let v6 = sa("[2001:db8::1]:7000");
    assert_eq!(
        s.client.send_to(s.now, v6, b"x"),
        Err(UsageError::PeerFamilyMismatch)
    );
    assert_eq!(
        s.client.bind_channel(s.now, v6),
        Err(UsageError::PeerFamilyMismatch)
    );
    assert_eq!(
        s.client.send_to(s.now, peer, &vec![0; 70_000]),
        Err(UsageError::DataTooLong(70_000))
    );
    assert!(s.client.poll_transmit().is_none());
    assert!(s.client.is_allocated());
}

#[test]
fn a_closed_connection_ends_the_allocation() {
    let mut s = Script::allocated(TurnTransport::Tcp);
    s.client.handle_close(s.now);
    assert_eq!(
        s.events(),
        vec![TurnEvent::Expired(TurnError::ConnectionClosed)]
    );
    assert!(s.client.is_closed());
    // A stream that is not STUN framing ends it too.
    let mut s = Script::allocated(TurnTransport::Tcp);
    s.receive(vec![0xff; 8]);
    assert!(matches!(
        s.events().as_slice(),
        [TurnEvent::Expired(TurnError::CorruptStream(_))]
    ));
}

#[test]
fn tls_garbage_fails_the_allocation() {
    let settings = TlsSettings::new(
        RootCertStore::empty(),
        ServerName::try_from("turn.test").unwrap(),
    )
    .unwrap();
    let mut s = Script::new(TurnTransport::Tls(settings));
    s.client.allocate(s.now).unwrap();
    let hello = s.sent();
    assert_eq!(hello.first(), Some(&22), "a TLS handshake record");
    s.receive(b"\x16\x03\x03\x00\x05hello".to_vec());
    assert!(matches!(
        s.events().as_slice(),
        [TurnEvent::AllocationFailed(TurnError::Tls(_))]
    ));
}

/// Frames a well-behaved server could send to an allocated client.
fn valid_frames() -> Vec<Vec<u8>> {
    let data = MessageBuilder::indication(Method::DATA, TransactionId::new([9; 12]))
        .with(XorPeerAddress(sa(PEER)))
        .with(rtcpeer_stun::Data(b"payload"))
        .build()
        .unwrap();
    let mut cd = Vec::new();
    ChannelData {
        channel: 0x4000,
        data: b"channel payload",
    }
    .encode(true, &mut cd)
    .unwrap();
    let refresh = MessageBuilder::success_response(Method::REFRESH, TransactionId::new([1; 12]))
        .with(Lifetime(600))
        .message_integrity(&key())
        .build()
        .unwrap();
    vec![data, cd, refresh]
}

fn transport(tcp: bool) -> TurnTransport {
    if tcp {
        TurnTransport::Tcp
    } else {
        TurnTransport::Udp
    }
}

proptest! {
    #[test]
    fn random_input_never_panics(
        tcp in any::<bool>(),
        chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 1..8),
    ) {
        let mut s = Script::allocated(transport(tcp));
        s.client.bind_channel(s.now, sa(PEER)).unwrap();
        for chunk in chunks {
            s.receive(chunk);
            s.events();
        }
        s.advance(Duration::from_secs(1000));
        let _ = s.client.poll_timeout();
        while s.client.poll_transmit().is_some() {}
    }

    #[test]
    fn mutated_frames_never_panic(
        tcp in any::<bool>(),
        which in 0usize..3,
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in any::<usize>(),
    ) {
        let mut s = Script::allocated(transport(tcp));
        let mut frame = valid_frames().swap_remove(which);
        for (at, x) in flips {
            let i = at % frame.len();
            frame[i] ^= x;
        }
        frame.truncate(cut % (frame.len() + 1));
        s.receive(frame);
        s.events();
        // Over UDP a bad datagram is only dropped; over TCP it may break the stream.
        prop_assert!(tcp || s.client.is_allocated());
    }
}

#[test]
fn valid_frames_are_delivered() {
    for tcp in [false, true] {
        let mut s = Script::allocated(transport(tcp));
        let [data, _, _]: [Vec<u8>; 3] = valid_frames().try_into().unwrap();
        s.receive(data);
        assert_eq!(
            s.events(),
            vec![TurnEvent::Data {
                peer: sa(PEER),
                data: Bytes::from_static(b"payload")
            }]
        );
    }
}
