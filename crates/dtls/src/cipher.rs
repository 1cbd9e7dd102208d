//! The cipher suite a handshake negotiated ([`CipherSuite`], for webrtc-stats `dtlsCipher`) and
//! the wire value of the version (`tlsVersion`).
//!
//! dimpl does not report the suite it chose, so the transport reads it from the ServerHello,
//! which travels in the clear in both versions: in an epoch 0 DTLSPlaintext handshake record
//! (RFC 6347 §4.1, §4.2.2), whose body is `legacy_version`, `random`, `legacy_session_id`,
//! `cipher_suite` (RFC 5246 §7.4.1.3, RFC 9147 §5.3 with RFC 8446 §4.1.3). A client reads the
//! ServerHello it receives, a server the one it sends. A DTLS 1.3 HelloRetryRequest has the
//! ServerHello's form and names the suite the ServerHello must repeat (RFC 8446 §4.1.4).
//!
//! The reader only looks at headers and the first fragment of a ServerHello; anything
//! malformed just yields nothing (the record guard and the engine judge the datagram).

use crate::config::{DtlsRole, DtlsVersion};
use crate::transport::DtlsTransport;

const HANDSHAKE: u8 = 22;
const SERVER_HELLO: u8 = 2;
const RECORD_HEADER_LEN: usize = 13;
const HANDSHAKE_HEADER_LEN: usize = 12;
/// `legacy_version` and `random` before the session id (RFC 5246 §7.4.1.3).
const VERSION_AND_RANDOM_LEN: usize = 2 + 32;

/// A TLS cipher suite, by its two-byte value in the IANA "TLS Cipher Suites" registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CipherSuite(pub u16);

impl CipherSuite {
    /// The registry's "Description" of the suites a WebRTC DTLS handshake can choose (the
    /// ECDHE suites of DTLS 1.2, the AEAD suites of DTLS 1.3); `None` for others.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x1301 => "TLS_AES_128_GCM_SHA256",
            0x1302 => "TLS_AES_256_GCM_SHA384",
            0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
            0x1304 => "TLS_AES_128_CCM_SHA256",
            0x1305 => "TLS_AES_128_CCM_8_SHA256",
            0xC009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            0xC00A => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            0xC013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            0xC014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            0xC023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
            0xC024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
            0xC02B => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            0xC02C => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            0xC02F => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            0xC030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            0xC0AC => "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
            0xC0AE => "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
            0xCCA8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            0xCCA9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            _ => return None,
        })
    }
}

impl DtlsVersion {
    /// The version's two bytes on the wire (RFC 6347 §4.1: DTLS 1.2 is `{254, 253}`; RFC 9147
    /// §5.3: DTLS 1.3 is `{254, 252}`), as webrtc-stats `tlsVersion` writes them in hex.
    pub fn wire_version(self) -> u16 {
        match self {
            DtlsVersion::Dtls12 => 0xFEFD,
            DtlsVersion::Dtls13 => 0xFEFC,
        }
    }
}

impl DtlsTransport {
    /// The cipher suite the handshake chose, once the ServerHello has passed (received by a
    /// client, sent by a server).
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.cipher_suite
    }

    /// Reads the cipher suite from a ServerHello in `datagram`, if this transport plays `role`
    /// for that datagram's direction and does not know the suite yet.
    pub(crate) fn note_server_hello(&mut self, datagram: &[u8], role: DtlsRole) {
        if self.cipher_suite.is_none() && self.role() == role {
            self.cipher_suite = server_hello_cipher_suite(datagram).map(CipherSuite);
        }
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
}

fn u24_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(3)?)?;
    Some(usize::from(*b.first()?) << 16 | usize::from(*b.get(1)?) << 8 | usize::from(*b.get(2)?))
}

/// The `cipher_suite` of the first ServerHello fragment at offset 0 in the leading cleartext
/// records of `datagram`.
pub(crate) fn server_hello_cipher_suite(datagram: &[u8]) -> Option<u16> {
    let mut rest = datagram;
    // Only full-header records can be cleartext; the first other record ends the search.
    while rest.first().is_some_and(|t| (20..=26).contains(t)) {
        let content_type = *rest.first()?;
        let epoch = u16_at(rest, 3)?;
        let len = usize::from(u16_at(rest, 11)?);
        let body = rest.get(RECORD_HEADER_LEN..RECORD_HEADER_LEN.checked_add(len)?)?;
        if content_type == HANDSHAKE
            && epoch == 0
            && let Some(suite) = in_handshake_record(body)
        {
            return Some(suite);
        }
        rest = rest.get(RECORD_HEADER_LEN + len..)?;
    }
    None
}

/// The suite of a ServerHello first fragment among the handshake fragments of one record.
fn in_handshake_record(mut body: &[u8]) -> Option<u16> {
    while body.len() >= HANDSHAKE_HEADER_LEN {
        let msg_type = *body.first()?;
        let fragment_offset = u24_at(body, 6)?;
        let fragment_len = u24_at(body, 9)?;
        let fragment =
            body.get(HANDSHAKE_HEADER_LEN..HANDSHAKE_HEADER_LEN.checked_add(fragment_len)?)?;
        if msg_type == SERVER_HELLO && fragment_offset == 0 {
            let session_id_len = usize::from(*fragment.get(VERSION_AND_RANDOM_LEN)?);
            return u16_at(fragment, VERSION_AND_RANDOM_LEN + 1 + session_id_len);
        }
        body = body.get(HANDSHAKE_HEADER_LEN + fragment_len..)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DTLSPlaintext handshake record holding one handshake fragment.
    fn record(epoch: u16, msg_type: u8, offset: usize, fragment: &[u8]) -> Vec<u8> {
        let mut hs = vec![msg_type];
        hs.extend_from_slice(&(fragment.len() as u32).to_be_bytes()[1..]);
        hs.extend_from_slice(&[0, 0]);
        hs.extend_from_slice(&(offset as u32).to_be_bytes()[1..]);
        hs.extend_from_slice(&(fragment.len() as u32).to_be_bytes()[1..]);
        hs.extend_from_slice(fragment);
        let mut r = vec![HANDSHAKE, 0xFE, 0xFD];
        r.extend_from_slice(&epoch.to_be_bytes());
        r.extend_from_slice(&[0; 6]);
        r.extend_from_slice(&(hs.len() as u16).to_be_bytes());
        r.extend_from_slice(&hs);
        r
    }

    /// A ServerHello body: version, random, session id, suite, compression, no extensions.
    fn server_hello(session_id: &[u8], suite: u16) -> Vec<u8> {
        let mut b = vec![0xFE, 0xFD];
        b.extend_from_slice(&[0x42; 32]);
        b.push(session_id.len() as u8);
        b.extend_from_slice(session_id);
        b.extend_from_slice(&suite.to_be_bytes());
        b.push(0);
        b
    }

    #[test]
    fn reads_the_suite_of_a_server_hello_after_other_records() {
        let mut datagram = record(0, 12, 0, &[1, 2, 3]);
        datagram.extend(record(0, SERVER_HELLO, 0, &server_hello(&[9; 32], 0xC02B)));
        assert_eq!(server_hello_cipher_suite(&datagram), Some(0xC02B));
        assert_eq!(
            server_hello_cipher_suite(&record(0, SERVER_HELLO, 0, &server_hello(&[], 0x1301))),
            Some(0x1301)
        );
        assert_eq!(
            CipherSuite(0xC02B).name(),
            Some("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        );
        assert_eq!(CipherSuite(0x1302).name(), Some("TLS_AES_256_GCM_SHA384"));
        assert_eq!(CipherSuite(0x0000).name(), None);
    }

    #[test]
    fn ignores_what_is_not_a_first_cleartext_server_hello_fragment() {
        let hello = server_hello(&[], 0xC02B);
        // A later fragment, an encrypted epoch, a ClientHello, a truncated hello.
        assert_eq!(
            server_hello_cipher_suite(&record(0, SERVER_HELLO, 10, &hello)),
            None
        );
        assert_eq!(
            server_hello_cipher_suite(&record(1, SERVER_HELLO, 0, &hello)),
            None
        );
        assert_eq!(server_hello_cipher_suite(&record(0, 1, 0, &hello)), None);
        assert_eq!(
            server_hello_cipher_suite(&record(0, SERVER_HELLO, 0, &hello[..34])),
            None
        );
        let mut short = record(0, SERVER_HELLO, 0, &hello);
        short.truncate(20);
        assert_eq!(server_hello_cipher_suite(&short), None);
        assert_eq!(server_hello_cipher_suite(&[]), None);
        assert_eq!(server_hello_cipher_suite(&[0x2c, 0, 0, 0]), None);
    }

    #[test]
    fn wire_versions() {
        assert_eq!(DtlsVersion::Dtls12.wire_version(), 0xFEFD);
        assert_eq!(DtlsVersion::Dtls13.wire_version(), 0xFEFC);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = server_hello_cipher_suite(&bytes);
        }
    }
}
