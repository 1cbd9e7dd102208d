//! Test vectors of RFC 5769 (§2.1–§2.4) and RFC 8489 Appendix B.1, hard-coded byte for byte.

use rtcpeer_stun::{
    Attribute, Class, DecodeError, IceControlled, IntegrityKey, Message, MessageBuilder,
    MessageType, Method, Nonce, PasswordAlgorithm, PasswordAlgorithmId, Priority, Realm, Software,
    TransactionId, UserHash, Username, XorMappedAddress, is_stun,
};

/// Hex as the RFCs print it (whitespace ignored) to bytes.
fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|c| (c as char).to_digit(16).unwrap() as u8)
        .collect();
    assert_eq!(digits.len() % 2, 0);
    digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
}

const SHORT_TERM_PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";
const RFC5769_ID: TransactionId = TransactionId::new([
    0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
]);

/// RFC 5769 §2.1 Sample Request (padding of USERNAME is 0x20 on purpose).
const SAMPLE_REQUEST: &str = "
    00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
    00 24 00 04 6e 00 01 ff
    80 29 00 08 93 2f f9 b1 51 26 3b 36
    00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
    00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
    80 28 00 04 e5 7a 3b cf";

/// RFC 5769 §2.2 Sample IPv4 Response.
const SAMPLE_IPV4_RESPONSE: &str = "
    01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 08 00 01 a1 47 e1 12 a6 43
    00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
    80 28 00 04 c0 7d 4c 96";

/// RFC 5769 §2.3 Sample IPv6 Response.
const SAMPLE_IPV6_RESPONSE: &str = "
    01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
    00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
    80 28 00 04 c8 fb 0b 4c";

/// RFC 5769 §2.4 Sample Request with Long-Term Authentication.
const SAMPLE_LONG_TERM_REQUEST: &str = "
    00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
    00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66";

/// "<U+30DE><U+30C8><U+30EA><U+30C3><U+30AF><U+30B9>" (unchanged by SASLprep / OpaqueString).
const MATRIX_USERNAME: &str = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
/// "The<U+00AD>M<U+00AA>tr<U+2168>" after SASLprep / OpaqueString: this crate does not prepare
/// credentials, so the prepared form is what a caller passes.
const MATRIX_PASSWORD: &str = "TheMatrIX";
const LONG_TERM_ID: TransactionId = TransactionId::new([
    0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e,
]);

/// Flipping any byte the HMAC covers (all but the length field, which the check patches) must
/// make integrity fail; flipping any byte before FINGERPRINT must make the fingerprint fail.
fn assert_tamper_evident(bytes: &[u8], key: &IntegrityKey) {
    for i in (0..bytes.len()).filter(|i| !(2..4).contains(i)) {
        let mut copy = bytes.to_vec();
        copy[i] ^= 0x01;
        if let Ok(m) = Message::decode(&copy) {
            let integrity = m.verify_integrity(key);
            let fingerprint = m.verify_fingerprint();
            assert!(
                integrity.is_err() || fingerprint.is_err(),
                "flip at {i} went unnoticed"
            );
            if m.has_fingerprint() && i < bytes.len() - 8 {
                assert_eq!(fingerprint, Err(DecodeError::FingerprintMismatch), "at {i}");
            }
        }
    }
}

#[test]
fn rfc5769_sample_request() {
    let bytes = hex(SAMPLE_REQUEST);
    assert!(is_stun(&bytes));
    let m = Message::decode(&bytes).unwrap();
    assert_eq!(m.message_type(), MessageType::BINDING_REQUEST);
    assert_eq!(m.transaction_id(), RFC5769_ID);
    assert_eq!(
        m.attributes().collect::<Vec<_>>()[..4],
        [
            Attribute::Software(Software("STUN test client")),
            Attribute::Priority(Priority(0x6e0001ff)),
            Attribute::IceControlled(IceControlled(0x932ff9b151263b36)),
            Attribute::Username(Username("evtj:h6vY")),
        ]
    );
    assert_eq!(m.username(), Some("evtj:h6vY"));
    assert_eq!(m.ice_controlled(), Some(0x932ff9b151263b36));
    let key = IntegrityKey::short_term(SHORT_TERM_PASSWORD);
    assert_eq!(m.verify_message_integrity(&key), Ok(()));
    assert_eq!(m.verify_integrity(&key), Ok(()));
    assert_eq!(m.verify_fingerprint(), Ok(()));
    assert_eq!(
        m.verify_integrity(&IntegrityKey::short_term("VOkJxbRl1RmTxUk/WvJxBu")),
        Err(DecodeError::IntegrityMismatch)
    );
    assert_tamper_evident(&bytes, &key);
}

#[test]
fn rfc5769_sample_ipv4_response() {
    let bytes = hex(SAMPLE_IPV4_RESPONSE);
    let m = Message::decode(&bytes).unwrap();
    assert_eq!(m.class(), Class::SuccessResponse);
    assert_eq!(m.method(), Method::BINDING);
    assert_eq!(m.software(), Some("test vector"));
    assert_eq!(
        m.xor_mapped_address(),
        Some("192.0.2.1:32853".parse().unwrap())
    );
    let key = IntegrityKey::short_term(SHORT_TERM_PASSWORD);
    assert_eq!(m.verify_integrity(&key), Ok(()));
    assert_eq!(m.verify_fingerprint(), Ok(()));
    assert_tamper_evident(&bytes, &key);
}

#[test]
fn rfc5769_sample_ipv6_response() {
    let bytes = hex(SAMPLE_IPV6_RESPONSE);
    let m = Message::decode(&bytes).unwrap();
    assert_eq!(
        m.get::<XorMappedAddress>(),
        Some(XorMappedAddress(
            "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
                .parse()
                .unwrap()
        ))
    );
    let key = IntegrityKey::short_term(SHORT_TERM_PASSWORD);
    assert_eq!(m.verify_integrity(&key), Ok(()));
    assert_eq!(m.verify_fingerprint(), Ok(()));
    assert_tamper_evident(&bytes, &key);
}

#[test]
fn rfc5769_sample_long_term_request() {
    let bytes = hex(SAMPLE_LONG_TERM_REQUEST);
    let m = Message::decode(&bytes).unwrap();
    assert_eq!(m.username(), Some(MATRIX_USERNAME));
    assert_eq!(m.nonce(), Some("f//499k954d6OL34oL9FSTvy64sA"));
    assert_eq!(m.realm(), Some("example.org"));
    assert!(!m.has_fingerprint());
    let key = IntegrityKey::long_term(MATRIX_USERNAME, "example.org", MATRIX_PASSWORD);
    assert_eq!(m.verify_integrity(&key), Ok(()));
    assert_eq!(
        m.verify_integrity(&IntegrityKey::long_term(
            MATRIX_USERNAME,
            "example.org",
            "thematrix"
        )),
        Err(DecodeError::IntegrityMismatch)
    );
    assert_eq!(m.verify_fingerprint(), Err(DecodeError::MissingFingerprint));

    // Encoding the same attributes reproduces the vector byte for byte, HMAC included.
    let rebuilt = MessageBuilder::request(Method::BINDING, LONG_TERM_ID)
        .with(Username(MATRIX_USERNAME))
        .with(Nonce("f//499k954d6OL34oL9FSTvy64sA"))
        .with(Realm("example.org"))
        .message_integrity(&key)
        .build()
        .unwrap();
    assert_eq!(rebuilt, bytes);
    assert_tamper_evident(&bytes, &key);
}

/// RFC 8489 Appendix B.1, as corrected in the RFC's errata: the published vector omits the
/// PASSWORD-ALGORITHM attribute that MESSAGE-INTEGRITY-SHA256 was computed over, and its
/// length field (0x9c) disagrees with its attributes.
const RFC8489_B1: &str = "
    00 01 00 90 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 1e 00 20 4a 3c f3 8f ef 69 92 bd a9 52 c6 78 04 17 da 0f
                24 81 94 15 56 9e 60 b2 05 c4 6e 41 40 7f 17 04
    00 15 00 29 6f 62 4d 61 74 4a 6f 73 32 41 41 41 43 66 2f 2f
                34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39
                46 53 54 76 79 36 34 73 41 00 00 00
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 1d 00 04 00 02 00 00
    00 1c 00 20 b5 c7 bf 00 5b 6c 52 a2 1c 51 c5 e8 92 f8 19 24
                13 62 96 cb 92 7c 43 14 93 09 27 8c c6 51 8e 65";

/// RFC 8489 Appendix B.1 exactly as published.
const RFC8489_B1_AS_PUBLISHED: &str = "
    00 01 00 9c 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 1e 00 20 4a 3c f3 8f ef 69 92 bd a9 52 c6 78 04 17 da 0f
                24 81 94 15 56 9e 60 b2 05 c4 6e 41 40 7f 17 04
    00 15 00 29 6f 62 4d 61 74 4a 6f 73 32 41 41 41 43 66 2f 2f
                34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39
                46 53 54 76 79 36 34 73 41 00 00 00
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 1c 00 20 e4 68 6c 8f 0e de b5 90 13 e0 70 90 01 0a 93 ef
                cc bc cc 54 4c 0a 45 d9 f8 30 aa 6d 6f 73 5a 01";

const B1_NONCE: &str = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";

#[test]
fn rfc8489_b1_long_term_sha256_with_userhash() {
    let bytes = hex(RFC8489_B1);
    let m = Message::decode(&bytes).unwrap();
    assert_eq!(
        m.get::<UserHash>(),
        Some(UserHash::new(MATRIX_USERNAME, "example.org"))
    );
    assert_eq!(m.nonce(), Some(B1_NONCE));
    assert_eq!(m.realm(), Some("example.org"));
    assert_eq!(
        m.get::<PasswordAlgorithm>(),
        Some(PasswordAlgorithm::new(PasswordAlgorithmId::SHA256))
    );
    assert!(!m.has_message_integrity());
    let key = IntegrityKey::long_term_with(
        PasswordAlgorithmId::SHA256,
        MATRIX_USERNAME,
        "example.org",
        MATRIX_PASSWORD,
    )
    .unwrap();
    assert_eq!(m.verify_message_integrity_sha256(&key), Ok(()));
    assert_eq!(m.verify_integrity(&key), Ok(()));
    let md5_key = IntegrityKey::long_term(MATRIX_USERNAME, "example.org", MATRIX_PASSWORD);
    assert_eq!(
        m.verify_integrity(&md5_key),
        Err(DecodeError::IntegrityMismatch)
    );
    assert_eq!(
        m.verify_message_integrity(&key),
        Err(DecodeError::MissingIntegrity)
    );

    let rebuilt = MessageBuilder::binding_request(LONG_TERM_ID)
        .with(UserHash::new(MATRIX_USERNAME, "example.org"))
        .with(Nonce(B1_NONCE))
        .with(Realm("example.org"))
        .with(PasswordAlgorithm::new(PasswordAlgorithmId::SHA256))
        .message_integrity_sha256(&key)
        .build()
        .unwrap();
    assert_eq!(rebuilt, bytes);
    assert_tamper_evident(&bytes, &key);

    let published = hex(RFC8489_B1_AS_PUBLISHED);
    assert_eq!(
        Message::decode(&published).map(|_| ()),
        Err(DecodeError::LengthMismatch {
            declared: 0x9c,
            actual: 0x88
        })
    );
}
