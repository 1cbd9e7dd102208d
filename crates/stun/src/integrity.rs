//! Message authentication and fingerprinting: the [`IntegrityKey`] for short-term
//! (RFC 8489 §9.1.1) and long-term (§9.2.2) credentials, the HMAC-SHA1 of MESSAGE-INTEGRITY
//! (§14.5), the HMAC-SHA256 of MESSAGE-INTEGRITY-SHA256 (§14.6), and the CRC-32 of FINGERPRINT
//! (§14.7).
//!
//! The HMACs are computed incrementally over a patched copy of the 20-byte header and then the
//! received bytes as they are, so verifying never re-encodes or copies a message. Tags are
//! compared in constant time.
//!
//! **No SASLprep / OpaqueString.** RFC 8489 processes usernames, realms and passwords with the
//! OpaqueString profile (RFC 8265) before hashing. This crate hashes the strings it is given, as
//! UTF-8, unchanged: correct for ICE (whose ufrag and pwd are ASCII `ice-char`s) and for any
//! ASCII TURN credentials; a caller with non-ASCII credentials must prepare them first (RFC 5769
//! §2.4's password "The\u{AD}M\u{AA}tr\u{2168}" must be passed as "TheMatrIX").

use std::fmt;

use aws_lc_rs::{digest, hmac};
use md5::{Digest as _, Md5};
use subtle::ConstantTimeEq;

use crate::attributes::auth::PasswordAlgorithmId;

/// The value XOR-ed into the CRC-32 of FINGERPRINT (RFC 8489 §14.7): "STUN" in ASCII.
pub const FINGERPRINT_XOR: u32 = 0x5354_554e;

/// The key of MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256, ready for HMAC.
///
/// Build it once per credential and reuse it: the HMAC key schedules are computed here, not per
/// message. `Debug` never shows key material.
#[derive(Clone)]
pub struct IntegrityKey {
    sha1: hmac::Key,
    sha256: hmac::Key,
}

impl IntegrityKey {
    /// A key from raw key bytes.
    pub fn new(key: &[u8]) -> IntegrityKey {
        IntegrityKey {
            sha1: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key),
            sha256: hmac::Key::new(hmac::HMAC_SHA256, key),
        }
    }

    /// The short-term credential key (RFC 8489 §9.1.1): the password itself. ICE uses the
    /// remote (for requests it sends) or local (for requests it answers) `ice-pwd`.
    pub fn short_term(password: &str) -> IntegrityKey {
        IntegrityKey::new(password.as_bytes())
    }

    /// The long-term credential key with the default algorithm, MD5 (RFC 8489 §9.2.2):
    /// `MD5(username ":" realm ":" password)`.
    pub fn long_term(username: &str, realm: &str, password: &str) -> IntegrityKey {
        let mut md5 = Md5::new();
        for part in [username, ":", realm, ":", password] {
            md5.update(part.as_bytes());
        }
        IntegrityKey::new(&md5.finalize())
    }

    /// The long-term credential key with PASSWORD-ALGORITHM SHA-256 (RFC 8489 §9.2.2):
    /// `SHA-256(username ":" realm ":" password)`.
    pub fn long_term_sha256(username: &str, realm: &str, password: &str) -> IntegrityKey {
        let mut sha = digest::Context::new(&digest::SHA256);
        for part in [username, ":", realm, ":", password] {
            sha.update(part.as_bytes());
        }
        IntegrityKey::new(sha.finish().as_ref())
    }

    /// The long-term credential key for a password algorithm, or `None` for an algorithm other
    /// than MD5 and SHA-256.
    pub fn long_term_with(
        algorithm: PasswordAlgorithmId,
        username: &str,
        realm: &str,
        password: &str,
    ) -> Option<IntegrityKey> {
        match algorithm {
            PasswordAlgorithmId::MD5 => Some(IntegrityKey::long_term(username, realm, password)),
            PasswordAlgorithmId::SHA256 => {
                Some(IntegrityKey::long_term_sha256(username, realm, password))
            }
            _ => None,
        }
    }

    /// HMAC-SHA1 of `header` then `body` (MESSAGE-INTEGRITY).
    pub(crate) fn hmac_sha1(&self, header: &[u8], body: &[u8]) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.sha1);
        ctx.update(header);
        ctx.update(body);
        ctx.sign()
    }

    /// HMAC-SHA256 of `header` then `body` (MESSAGE-INTEGRITY-SHA256).
    pub(crate) fn hmac_sha256(&self, header: &[u8], body: &[u8]) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.sha256);
        ctx.update(header);
        ctx.update(body);
        ctx.sign()
    }
}

impl fmt::Debug for IntegrityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IntegrityKey(..)")
    }
}

/// Whether a received tag equals the first `received.len()` bytes of a computed one, in time
/// that does not depend on where they differ. An empty or over-long tag never matches.
pub(crate) fn tags_match(computed: &[u8], received: &[u8]) -> bool {
    match computed.get(..received.len()) {
        Some(prefix) if !received.is_empty() => bool::from(prefix.ct_eq(received)),
        _ => false,
    }
}

/// The FINGERPRINT value of the message bytes that precede the FINGERPRINT attribute (with the
/// header's length already counting it): CRC-32 XOR 0x5354554e (RFC 8489 §14.7).
pub fn fingerprint(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes) ^ FINGERPRINT_XOR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_term_keys_follow_rfc_8489() {
        // RFC 5769 §2.4 / RFC 8489 B.1 credentials, password after OpaqueString.
        let user = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
        let md5 = IntegrityKey::long_term(user, "example.org", "TheMatrIX");
        let explicit = IntegrityKey::new(&Md5::digest(
            format!("{user}:example.org:TheMatrIX").as_bytes(),
        ));
        assert_eq!(
            md5.hmac_sha1(b"x", b"y").as_ref(),
            explicit.hmac_sha1(b"xy", b"").as_ref()
        );
        let sha = IntegrityKey::long_term_with(
            PasswordAlgorithmId::SHA256,
            user,
            "example.org",
            "TheMatrIX",
        )
        .unwrap();
        assert_ne!(
            md5.hmac_sha256(b"", b"m").as_ref(),
            sha.hmac_sha256(b"", b"m").as_ref()
        );
        assert!(IntegrityKey::long_term_with(PasswordAlgorithmId(9), "", "", "").is_none());
        assert_eq!(format!("{md5:?}"), "IntegrityKey(..)");
    }

    #[test]
    fn hmac_matches_rfc_2202_vector() {
        // RFC 2202 §3 test case 2: key "Jefe", data "what do ya want for nothing?".
        let key = IntegrityKey::new(b"Jefe");
        let tag = key.hmac_sha1(b"what do ya want ", b"for nothing?");
        assert_eq!(
            tag.as_ref(),
            [
                0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84,
                0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79
            ]
        );
    }

    #[test]
    fn tag_comparison() {
        assert!(tags_match(&[1, 2, 3, 4], &[1, 2, 3, 4]));
        assert!(tags_match(&[1, 2, 3, 4], &[1, 2]));
        assert!(!tags_match(&[1, 2, 3, 4], &[1, 3]));
        assert!(!tags_match(&[1, 2], &[1, 2, 3]));
        assert!(!tags_match(&[1, 2], &[]));
    }
}
