//! Property tests: every message the builder writes decodes to the same attributes and passes
//! its own integrity and fingerprint checks; decoding then re-encoding is stable; decoding any
//! bytes never panics.

use std::net::{IpAddr, SocketAddr, SocketAddrV6};

use proptest::prelude::*;
use rtcpeer_stun::*;

/// An attribute with owned data, from which an [`Attribute`] borrowing it is made.
#[derive(Debug, Clone)]
enum Owned {
    Address(u8, SocketAddr),
    Text(u8, String),
    Bytes(Vec<u8>),
    Integer(u8, u64),
    ErrorCode(u16, String),
    AddressErrorCode(AddressFamily, u16, String),
    Unknown(AttributeType, Vec<u8>),
    UnknownList(Vec<u16>),
    Algorithms(Vec<(u16, Vec<u8>)>),
    Algorithm(u16, Vec<u8>),
    Family(bool, AddressFamily),
    Flag(bool),
    EvenPort(bool),
    Token([u8; 8]),
    Icmp(u8, u8, u32),
}

impl Owned {
    fn attribute(&self) -> Attribute<'_> {
        match self {
            Owned::Address(k, a) => match k % 5 {
                0 => MappedAddress(*a).into(),
                1 => XorMappedAddress(*a).into(),
                2 => AlternateServer(*a).into(),
                3 => XorPeerAddress(*a).into(),
                _ => XorRelayedAddress(*a).into(),
            },
            Owned::Text(k, s) => match k % 5 {
                0 => Username(s).into(),
                1 => Realm(s).into(),
                2 => Nonce(s).into(),
                3 => Software(s).into(),
                // ALTERNATE-DOMAIN must be ASCII (RFC 8489 §14.16): a non-ASCII one is tested
                // as SOFTWARE instead.
                _ if s.is_ascii() => AlternateDomain(s).into(),
                _ => Software(s).into(),
            },
            Owned::Bytes(b) => Data(b).into(),
            Owned::Integer(k, n) => match k % 5 {
                0 => Priority(*n as u32).into(),
                1 => IceControlled(*n).into(),
                2 => IceControlling(*n).into(),
                3 => Lifetime(*n as u32).into(),
                _ => ChannelNumber(*n as u16).into(),
            },
            Owned::ErrorCode(code, reason) => ErrorCode::new(*code, reason).into(),
            Owned::AddressErrorCode(family, code, reason) => AddressErrorCode {
                family: *family,
                code: *code,
                reason,
            }
            .into(),
            Owned::Unknown(t, v) => Attribute::Unknown(RawAttribute {
                attribute_type: *t,
                value: v,
            }),
            Owned::UnknownList(l) => {
                UnknownAttributes(l.iter().map(|t| AttributeType(*t)).collect()).into()
            }
            Owned::Algorithms(l) => PasswordAlgorithms(
                l.iter()
                    .map(|(a, p)| PasswordAlgorithm {
                        algorithm: PasswordAlgorithmId(*a),
                        parameters: p,
                    })
                    .collect(),
            )
            .into(),
            Owned::Algorithm(a, p) => PasswordAlgorithm {
                algorithm: PasswordAlgorithmId(*a),
                parameters: p,
            }
            .into(),
            Owned::Family(true, f) => RequestedAddressFamily(*f).into(),
            Owned::Family(false, f) => AdditionalAddressFamily(*f).into(),
            Owned::Flag(true) => UseCandidate.into(),
            Owned::Flag(false) => DontFragment.into(),
            Owned::EvenPort(reserve) => EvenPort { reserve: *reserve }.into(),
            Owned::Token(t) => ReservationToken(*t).into(),
            Owned::Icmp(t, c, d) => Icmp {
                icmp_type: *t,
                icmp_code: *c,
                error_data: *d,
            }
            .into(),
        }
    }
}

fn socket_addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::new(IpAddr::from(ip), port)),
        (any::<[u8; 16]>(), any::<u16>()).prop_map(|(ip, port)| SocketAddr::V6(SocketAddrV6::new(
            ip.into(),
            port,
            0,
            0
        ))),
    ]
}

fn family() -> impl Strategy<Value = AddressFamily> {
    prop_oneof![Just(AddressFamily::Ipv4), Just(AddressFamily::Ipv6)]
}

/// Unknown attribute types: not known to the crate, and not one of the integrity types.
fn unknown_type() -> impl Strategy<Value = AttributeType> {
    any::<u16>()
        .prop_map(AttributeType)
        .prop_filter("unknown", |t| !t.is_known())
}

fn owned() -> impl Strategy<Value = Owned> {
    let bytes = || proptest::collection::vec(any::<u8>(), 0..40);
    prop_oneof![
        (any::<u8>(), socket_addr()).prop_map(|(k, a)| Owned::Address(k, a)),
        (any::<u8>(), ".{0,20}").prop_map(|(k, s)| Owned::Text(k, s)),
        bytes().prop_map(Owned::Bytes),
        (any::<u8>(), any::<u64>()).prop_map(|(k, n)| Owned::Integer(k, n)),
        (300u16..700, ".{0,20}").prop_map(|(c, r)| Owned::ErrorCode(c, r)),
        (family(), 300u16..700, ".{0,10}").prop_map(|(f, c, r)| Owned::AddressErrorCode(f, c, r)),
        (unknown_type(), bytes()).prop_map(|(t, v)| Owned::Unknown(t, v)),
        proptest::collection::vec(any::<u16>(), 0..6).prop_map(Owned::UnknownList),
        proptest::collection::vec((any::<u16>(), bytes()), 0..4).prop_map(Owned::Algorithms),
        (any::<u16>(), bytes()).prop_map(|(a, p)| Owned::Algorithm(a, p)),
        (any::<bool>(), family()).prop_map(|(r, f)| Owned::Family(r, f)),
        any::<bool>().prop_map(Owned::Flag),
        any::<bool>().prop_map(Owned::EvenPort),
        any::<[u8; 8]>().prop_map(Owned::Token),
        (any::<u8>(), any::<u8>(), any::<u32>()).prop_map(|(t, c, d)| Owned::Icmp(t, c, d)),
    ]
}

fn message_type() -> impl Strategy<Value = MessageType> {
    (0u16..0x1000, 0u16..4)
        .prop_map(|(m, c)| MessageType::new(Method::new(m).unwrap(), Class::from_bits(c)))
}

/// Encodes a decoded message's attributes again, in order.
fn reencode(m: &Message<'_>) -> Vec<u8> {
    let mut b = MessageBuilder::new(m.message_type(), m.transaction_id());
    for a in m.attributes() {
        b.push(a);
    }
    b.build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn built_messages_decode_to_what_was_built(
        message_type in message_type(),
        id in any::<[u8; 12]>(),
        attrs in proptest::collection::vec(owned(), 0..12),
        password in "[a-zA-Z0-9+/]{0,24}",
        sha1 in any::<bool>(),
        sha256 in any::<bool>(),
        with_fingerprint in any::<bool>(),
    ) {
        let id = TransactionId::new(id);
        let key = IntegrityKey::short_term(&password);
        let mut b = MessageBuilder::new(message_type, id);
        for a in &attrs {
            b.push(a.attribute());
        }
        if sha1 { b.push_message_integrity(&key); }
        if sha256 { b.push_message_integrity_sha256(&key); }
        if with_fingerprint { b.push_fingerprint(); }
        let bytes = b.build().unwrap();

        prop_assert!(is_stun(&bytes));
        let m = Message::decode(&bytes).unwrap();
        prop_assert_eq!(m.message_type(), message_type);
        prop_assert_eq!(m.transaction_id(), id);
        let decoded: Vec<Attribute<'_>> = m.attributes().collect();
        let expected: Vec<Attribute<'_>> = attrs.iter().map(Owned::attribute).collect();
        prop_assert_eq!(&decoded[..attrs.len()], &expected[..]);
        prop_assert_eq!(decoded.len(), attrs.len() + usize::from(sha1) + usize::from(sha256) + usize::from(with_fingerprint));
        prop_assert_eq!(m.verify_integrity(&key).is_ok(), sha1 || sha256);
        prop_assert_eq!(m.verify_message_integrity(&key).is_ok(), sha1);
        prop_assert_eq!(m.verify_message_integrity_sha256(&key).is_ok(), sha256);
        prop_assert_eq!(m.verify_fingerprint().is_ok(), with_fingerprint);
        if sha1 || sha256 {
            let other = IntegrityKey::short_term(&format!("{password}x"));
            prop_assert_eq!(m.verify_integrity(&other), Err(DecodeError::IntegrityMismatch));
        }
        let unknown_required: Vec<AttributeType> = expected
            .iter()
            .map(Attribute::attribute_type)
            .filter(|t| t.is_comprehension_required() && !t.is_known())
            .collect();
        prop_assert_eq!(m.unknown_comprehension_required().collect::<Vec<_>>(), unknown_required.clone());
        prop_assert_eq!(m.has_unknown_comprehension_required(), !unknown_required.is_empty());

        // Re-encoding what was decoded (integrity values copied as they are) gives the same bytes.
        prop_assert_eq!(reencode(&m), bytes);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        exercise(&bytes);
    }

    #[test]
    fn decoding_arbitrary_attribute_soup_never_panics(
        message_type in 0u16..0x4000,
        body in proptest::collection::vec(any::<u8>(), 0..50).prop_map(|mut b| { b.truncate(b.len() / 4 * 4); b }),
        tlvs in proptest::collection::vec((prop_oneof![any::<u16>(), 0u16..0x30, 0x8000u16..0x8030], proptest::collection::vec(any::<u8>(), 0..24)), 0..8),
    ) {
        let mut bytes = message_type.to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0, 0]);
        bytes.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        bytes.extend_from_slice(&[7; 12]);
        for (t, v) in &tlvs {
            bytes.extend_from_slice(&t.to_be_bytes());
            bytes.extend_from_slice(&(v.len() as u16).to_be_bytes());
            bytes.extend_from_slice(v);
            bytes.resize(bytes.len().next_multiple_of(4), 0);
        }
        bytes.extend_from_slice(&body);
        let len = (bytes.len() - 20) as u16;
        bytes[2..4].copy_from_slice(&len.to_be_bytes());
        exercise(&bytes);
        if let Ok(m) = Message::decode(&bytes) {
            // Whatever decodes re-encodes to a message that decodes to the same attributes.
            let again = reencode(&m);
            let m2 = Message::decode(&again).unwrap();
            prop_assert_eq!(m.attributes().collect::<Vec<_>>(), m2.attributes().collect::<Vec<_>>());
        }
    }
}

/// Runs every reader over `bytes`; none may panic.
fn exercise(bytes: &[u8]) {
    let _ = is_stun(bytes);
    let _ = Header::peek(bytes);
    let _ = ChannelData::decode(bytes);
    let _ = ChannelData::decode_stream(bytes);
    let _ = stream_frame_len(bytes);
    if let Ok(m) = Message::decode(bytes) {
        let key = IntegrityKey::short_term("key");
        let _ = m.verify_integrity(&key);
        let _ = m.verify_message_integrity(&key);
        let _ = m.verify_fingerprint();
        let _ = m.attributes().count();
        let _ = m.unknown_comprehension_required().count();
        let _ = (
            m.username(),
            m.xor_mapped_address(),
            m.error_code(),
            m.lifetime(),
        );
        let _ = format!("{m:?}");
    }
}
