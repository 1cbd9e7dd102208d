//! A structural check of the DTLS records in a datagram, run before dimpl sees it: the framing of
//! DTLSPlaintext/DTLSCiphertext records (RFC 6347 §4.1) and of DTLS 1.3 unified-header records
//! (RFC 9147 §4).
//!
//! It reads headers only, never decrypts, and holds no state: it lets the transport drop and count
//! datagrams that cannot be DTLS at all (truncated records, unknown content types, a length past the
//! datagram's end) without waking the engine. Unprotected (epoch 0) records get a closer look,
//! since nothing authenticates them: only change_cipher_spec, alerts and handshake messages may be
//! sent in the clear, and a handshake record must hold whole handshake fragments (RFC 6347 §4.2.2)
//! of a message that travels in the clear. Authentication, replay and sequencing are dimpl's.

/// DTLS content types that carry the full 13-byte header (RFC 6347 §4.1, RFC 9146, RFC 9147 §4).
const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const ACK: u8 = 26;

/// Handshake header: msg_type, length, message_seq, fragment_offset, fragment_length
/// (RFC 6347 §4.2.2).
const HANDSHAKE_HEADER_LEN: usize = 12;

/// Handshake messages sent before encryption: ClientHello, ServerHello (and DTLS 1.3
/// HelloRetryRequest), HelloVerifyRequest, and DTLS 1.2's Certificate, ServerKeyExchange,
/// CertificateRequest, ServerHelloDone, CertificateVerify, ClientKeyExchange (RFC 6347 §4.2.2,
/// RFC 5246 §7.4, RFC 9147 §5.1).
const CLEARTEXT_HANDSHAKE_TYPES: [u8; 9] = [1, 2, 3, 11, 12, 13, 14, 15, 16];
const CLIENT_HELLO: u8 = 1;

/// The full record header: type, version, epoch, sequence number, length.
const PLAINTEXT_HEADER_LEN: usize = 13;

/// RFC 6347 §4.1.1 and RFC 9147 §4: no record is longer than 2^14 + 2048 bytes.
const MAX_RECORD_BODY: usize = (1 << 14) + 2048;

/// Unified header bits (RFC 9147 §4): `0 0 1 C S L E E`.
const UNIFIED_FIXED_MASK: u8 = 0b1110_0000;
const UNIFIED_FIXED: u8 = 0b0010_0000;
const UNIFIED_CID: u8 = 0b0001_0000;
const UNIFIED_SEQ16: u8 = 0b0000_1000;
const UNIFIED_LENGTH: u8 = 0b0000_0100;

/// Why a datagram is not a sequence of well-framed DTLS records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// No bytes at all.
    Empty,
    /// A first byte that starts no DTLS record.
    UnknownType(u8),
    /// A header or body running past the end of the datagram.
    Truncated,
    /// A body longer than any DTLS record may be.
    TooLong,
    /// A version whose major byte is not DTLS's 0xFE.
    NotDtls,
    /// A unified header with a connection ID, which WebRTC never negotiates.
    ConnectionId,
    /// An epoch 0 record of a type that is never sent in the clear.
    NotCleartext(u8),
    /// An epoch 0 handshake record that is not whole fragments of a cleartext message.
    BadHandshake,
}

/// What the headers of a well-framed datagram say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Framing {
    /// Records in the datagram.
    pub records: usize,
    /// Whether every record is a cleartext ClientHello fragment: the only thing a server may
    /// receive before its first ClientHello.
    pub client_hello_only: bool,
}

/// Checks that `datagram` is one or more well-framed DTLS records.
pub(crate) fn check(datagram: &[u8]) -> Result<Framing, Malformed> {
    if datagram.is_empty() {
        return Err(Malformed::Empty);
    }
    let mut framing = Framing {
        records: 0,
        client_hello_only: true,
    };
    let mut rest = datagram;
    while let Some(&first) = rest.first() {
        let record_len = if (CHANGE_CIPHER_SPEC..=ACK).contains(&first) {
            let (len, client_hello) = plaintext_record_len(rest)?;
            framing.client_hello_only &= client_hello;
            len
        } else if first & UNIFIED_FIXED_MASK == UNIFIED_FIXED {
            framing.client_hello_only = false;
            unified_record_len(rest)?
        } else {
            return Err(Malformed::UnknownType(first));
        };
        rest = rest.get(record_len..).ok_or(Malformed::Truncated)?;
        framing.records += 1;
    }
    Ok(framing)
}

/// Length of a record with the full header at the start of `rest`, and whether it holds only
/// ClientHello fragments.
fn plaintext_record_len(rest: &[u8]) -> Result<(usize, bool), Malformed> {
    let Some(
        &[
            content_type,
            major,
            _minor,
            e0,
            e1,
            _,
            _,
            _,
            _,
            _,
            _,
            l0,
            l1,
        ],
    ) = rest.get(..PLAINTEXT_HEADER_LEN)
    else {
        return Err(Malformed::Truncated);
    };
    if major != 0xfe {
        return Err(Malformed::NotDtls);
    }
    let body = usize::from(u16::from_be_bytes([l0, l1]));
    if body > MAX_RECORD_BODY {
        return Err(Malformed::TooLong);
    }
    let total = PLAINTEXT_HEADER_LEN + body;
    let Some(fragment) = rest.get(PLAINTEXT_HEADER_LEN..total) else {
        return Err(Malformed::Truncated);
    };
    let client_hello = if u16::from_be_bytes([e0, e1]) == 0 {
        check_cleartext(content_type, fragment)?
    } else {
        false
    };
    Ok((total, client_hello))
}

/// Checks an unprotected record: its type may be sent in the clear, and a handshake record is
/// whole, self-consistent fragments of cleartext handshake messages. Returns whether the record
/// holds only ClientHello fragments.
fn check_cleartext(content_type: u8, mut fragment: &[u8]) -> Result<bool, Malformed> {
    match content_type {
        // RFC 9147 §7 lets an ACK travel in the epoch of what it acknowledges.
        CHANGE_CIPHER_SPEC | ALERT | ACK => return Ok(false),
        HANDSHAKE => {}
        other => return Err(Malformed::NotCleartext(other)),
    }
    if fragment.is_empty() {
        return Err(Malformed::BadHandshake);
    }
    let mut client_hello = true;
    while !fragment.is_empty() {
        let Some(&[msg_type, m0, m1, m2, _, _, o0, o1, o2, f0, f1, f2]) =
            fragment.get(..HANDSHAKE_HEADER_LEN)
        else {
            return Err(Malformed::BadHandshake);
        };
        let u24 = |a: u8, b: u8, c: u8| usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        let (length, offset, len) = (u24(m0, m1, m2), u24(o0, o1, o2), u24(f0, f1, f2));
        if !CLEARTEXT_HANDSHAKE_TYPES.contains(&msg_type) || offset + len > length {
            return Err(Malformed::BadHandshake);
        }
        client_hello &= msg_type == CLIENT_HELLO;
        fragment = fragment
            .get(HANDSHAKE_HEADER_LEN + len..)
            .ok_or(Malformed::BadHandshake)?;
    }
    Ok(client_hello)
}

/// Length of a DTLS 1.3 unified-header record at the start of `rest`.
fn unified_record_len(rest: &[u8]) -> Result<usize, Malformed> {
    let first = rest.first().copied().ok_or(Malformed::Truncated)?;
    if first & UNIFIED_CID != 0 {
        return Err(Malformed::ConnectionId);
    }
    let seq_len = if first & UNIFIED_SEQ16 != 0 { 2 } else { 1 };
    let header_len = 1 + seq_len;
    if first & UNIFIED_LENGTH == 0 {
        // No length: the record runs to the end of the datagram.
        let body = rest
            .len()
            .checked_sub(header_len)
            .ok_or(Malformed::Truncated)?;
        if body == 0 {
            return Err(Malformed::Truncated);
        }
        if body > MAX_RECORD_BODY {
            return Err(Malformed::TooLong);
        }
        return Ok(rest.len());
    }
    let body = match rest.get(header_len..header_len + 2) {
        Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
        _ => return Err(Malformed::Truncated),
    };
    if body > MAX_RECORD_BODY {
        return Err(Malformed::TooLong);
    }
    let total = header_len + 2 + body;
    if total > rest.len() {
        return Err(Malformed::Truncated);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plaintext(content_type: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![content_type, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 7];
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn unified(seq16: bool, with_len: bool, body: &[u8]) -> Vec<u8> {
        let mut first = UNIFIED_FIXED | 0b11;
        if seq16 {
            first |= UNIFIED_SEQ16;
        }
        if with_len {
            first |= UNIFIED_LENGTH;
        }
        let mut r = vec![first, 0x42];
        if seq16 {
            r.push(0x43);
        }
        if with_len {
            r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        }
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn well_framed_datagrams_pass() {
        let mut d = plaintext(22, &[1; 50]);
        d.extend(plaintext(20, &[1]));
        d.extend(unified(true, true, &[9; 40]));
        d.extend(unified(false, false, &[9; 30]));
        assert_eq!(
            check(&d),
            Ok(Framing {
                records: 4,
                client_hello_only: false
            })
        );
        assert_eq!(check(&plaintext(23, &[])).map(|f| f.records), Ok(1));
    }

    fn cleartext(content_type: u8, body: &[u8]) -> Vec<u8> {
        let mut r = plaintext(content_type, body);
        r[3..5].copy_from_slice(&[0, 0]);
        r
    }

    fn handshake(msg_type: u8, length: u32, offset: u32, body: &[u8]) -> Vec<u8> {
        let mut h = vec![msg_type];
        h.extend_from_slice(&length.to_be_bytes()[1..]);
        h.extend_from_slice(&[0, 3]);
        h.extend_from_slice(&offset.to_be_bytes()[1..]);
        h.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        h.extend_from_slice(body);
        h
    }

    #[test]
    fn cleartext_records_are_checked_closer() {
        let hello = handshake(1, 40, 0, &[7; 40]);
        assert_eq!(
            check(&cleartext(22, &hello)),
            Ok(Framing {
                records: 1,
                client_hello_only: true
            })
        );
        // Two ClientHello fragments in two records of one datagram.
        let mut halves = cleartext(22, &handshake(1, 40, 0, &[7; 20]));
        halves.extend(cleartext(22, &handshake(1, 40, 20, &[7; 20])));
        assert_eq!(
            check(&halves),
            Ok(Framing {
                records: 2,
                client_hello_only: true
            })
        );
        // Two fragments of one message in one record, then a ChangeCipherSpec and an alert.
        let mut two = handshake(11, 100, 0, &[1; 60]);
        two.extend(handshake(11, 100, 60, &[1; 40]));
        let mut d = cleartext(22, &two);
        d.extend(cleartext(20, &[1]));
        d.extend(cleartext(21, &[2, 40]));
        assert_eq!(
            check(&d),
            Ok(Framing {
                records: 3,
                client_hello_only: false
            })
        );

        assert_eq!(
            check(&cleartext(23, &[1; 20])),
            Err(Malformed::NotCleartext(23))
        );
        assert_eq!(
            check(&cleartext(25, &[1; 20])),
            Err(Malformed::NotCleartext(25))
        );
        assert_eq!(check(&cleartext(26, &[1; 20])).map(|f| f.records), Ok(1));
        assert_eq!(check(&cleartext(22, &[])), Err(Malformed::BadHandshake));
        // Finished (20) is never sent in the clear.
        let finished = handshake(20, 12, 0, &[0; 12]);
        assert_eq!(
            check(&cleartext(22, &finished)),
            Err(Malformed::BadHandshake)
        );
        // A fragment past the message's end, a fragment longer than the record, a short header.
        let past = handshake(1, 10, 5, &[0; 8]);
        assert_eq!(check(&cleartext(22, &past)), Err(Malformed::BadHandshake));
        let mut long = handshake(1, 40, 0, &[7; 40]);
        long.truncate(30);
        assert_eq!(check(&cleartext(22, &long)), Err(Malformed::BadHandshake));
        assert_eq!(
            check(&cleartext(22, &hello[..11])),
            Err(Malformed::BadHandshake)
        );
        // Protected records (epoch 1) of any type pass on framing alone.
        assert_eq!(
            check(&plaintext(23, &[1; 20])),
            Ok(Framing {
                records: 1,
                client_hello_only: false
            })
        );
    }

    #[test]
    fn broken_datagrams_are_named() {
        assert_eq!(check(&[]), Err(Malformed::Empty));
        assert_eq!(check(&[0x17; 12]), Err(Malformed::Truncated));
        assert_eq!(check(&[0x40, 0, 0]), Err(Malformed::UnknownType(0x40)));
        assert_eq!(check(&[19]), Err(Malformed::UnknownType(19)));
        let mut tls = plaintext(23, &[0; 4]);
        tls[1] = 0x03;
        assert_eq!(check(&tls), Err(Malformed::NotDtls));
        let mut short = plaintext(23, &[0; 10]);
        short.pop();
        assert_eq!(check(&short), Err(Malformed::Truncated));
        let mut long = plaintext(23, &[]);
        long[11..13].copy_from_slice(&u16::MAX.to_be_bytes());
        assert_eq!(check(&long), Err(Malformed::TooLong));
        assert_eq!(check(&[0x30 | 0x08, 1]), Err(Malformed::ConnectionId));
        assert_eq!(
            check(&unified(false, false, &[])),
            Err(Malformed::Truncated)
        );
        let mut cut = unified(true, true, &[1; 20]);
        cut.truncate(10);
        assert_eq!(check(&cut), Err(Malformed::Truncated));
        // A valid record followed by a stray byte.
        let mut trailing = plaintext(22, &[1; 5]);
        trailing.push(0x16);
        assert_eq!(check(&trailing), Err(Malformed::Truncated));
    }

    fn any_record() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (20u8..=26, proptest::collection::vec(any::<u8>(), 0..300))
                .prop_map(|(t, b)| plaintext(t, &b)),
            (
                any::<bool>(),
                proptest::collection::vec(any::<u8>(), 0..300)
            )
                .prop_map(|(s, b)| unified(s, true, &b)),
        ]
    }

    proptest! {
        #[test]
        fn framed_records_are_counted(
            records in proptest::collection::vec(any_record(), 1..6),
            last_body in proptest::collection::vec(any::<u8>(), 1..100),
            open_ended in any::<bool>(),
        ) {
            let mut d: Vec<u8> = records.concat();
            let mut n = records.len();
            if open_ended {
                d.extend(unified(false, false, &last_body));
                n += 1;
            }
            prop_assert_eq!(check(&d).map(|f| f.records), Ok(n));
        }

        #[test]
        fn any_bytes_are_judged_without_panic(d in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = check(&d);
        }
    }
}
