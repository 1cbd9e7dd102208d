//! Message authentication and fingerprinting: the [`IntegrityKey`] for short-term
//! (RFC 8489 §9.1.1) and long-term (§9.2.2) credentials, the HMAC-SHA1 of MESSAGE-INTEGRITY
//! (§14.5), the HMAC-SHA256 of MESSAGE-INTEGRITY-SHA256 (§14.6), and the CRC-32 of FINGERPRINT
//! (§14.7).
//!
//! The HMACs are computed incrementally over a patched copy of the 20-byte header and then the
//! received bytes as they are, so verifying never re-encodes or copies a message. Tags are
//! compared in constant time.
//!
//! **Credential preparation.** RFC 8489 processes usernames, realms and passwords with the
//! OpaqueString profile (RFC 8265) before hashing; RFC 5389 used SASLprep (RFC 4013). The
//! historical constructors ([`IntegrityKey::long_term`] and its siblings) hash the strings they
//! are given, as UTF-8, unchanged: correct for ICE (whose ufrag and pwd are ASCII `ice-char`s)
//! and for ASCII TURN credentials. [`IntegrityKey::long_term_prepared`] (and
//! `_prepared_with`) apply [`opaque_string`] first;
//! [`IntegrityKey::long_term_saslprep`] applies [`saslprep`], which is
//! what RFC 5769 §2.4's vector needs: its password "The\u{AD}M\u{AA}tr\u{2168}" becomes
//! "TheMatrIX" under SASLprep but is *rejected* by OpaqueString (U+00AD SOFT HYPHEN is a
//! default-ignorable code point, disallowed by RFC 8264; and NFC, unlike SASLprep's NFKC,
//! would keep U+00AA and U+2168).
//!
//! **Compact keys.** A full key precomputes the HMAC-SHA1 and HMAC-SHA256 key schedules (about
//! 2.5 KB with aws-lc, on the heap). A compact key ([`IntegrityKey::compact`],
//! [`IntegrityKey::short_term_compact`]) keeps only the raw key, zeroed on drop, and derives the
//! schedule per message: same tags, a few dozen bytes instead of kilobytes, and one extra
//! key-schedule setup (two hash blocks) per HMAC. ICE holds one short-term key per direction
//! for the life of every connection and uses it once per check, so it uses compact keys.

use std::fmt;

use aws_lc_rs::{digest, hmac};
use md5::{Digest as _, Md5};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::attributes::auth::PasswordAlgorithmId;
use crate::prep::{PrepError, opaque_string, saslprep};

/// The value XOR-ed into the CRC-32 of FINGERPRINT (RFC 8489 §14.7): "STUN" in ASCII.
pub const FINGERPRINT_XOR: u32 = 0x5354_554e;

/// The key of MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256, ready for HMAC.
///
/// Build it once per credential and reuse it: the HMAC key schedules are computed here, not per
/// message. `Debug` never shows key material.
#[derive(Clone)]
pub struct IntegrityKey {
    repr: Repr,
}

/// How a key is held.
#[derive(Clone)]
enum Repr {
    /// Both key schedules precomputed, boxed so that the key itself stays pointer-sized.
    Ready(Box<Schedules>),
    /// The raw key (compact keys): schedules are derived when needed. Zeroed on drop.
    Raw(Zeroizing<Box<[u8]>>),
}

/// The precomputed HMAC key schedules of a full key.
#[derive(Clone)]
struct Schedules {
    sha1: hmac::Key,
    sha256: hmac::Key,
}

impl IntegrityKey {
    /// A key from raw key bytes, with both HMAC key schedules precomputed.
    pub fn new(key: &[u8]) -> IntegrityKey {
        IntegrityKey {
            repr: Repr::Ready(Box::new(Schedules {
                sha1: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key),
                sha256: hmac::Key::new(hmac::HMAC_SHA256, key),
            })),
        }
    }

    /// A compact key from raw key bytes: nothing is precomputed; each HMAC derives its key
    /// schedule from the kept raw key (see the [module docs](self)).
    pub fn compact(key: &[u8]) -> IntegrityKey {
        IntegrityKey {
            repr: Repr::Raw(Zeroizing::new(key.into())),
        }
    }

    /// The short-term credential key (RFC 8489 §9.1.1): the password itself. ICE uses the
    /// remote (for requests it sends) or local (for requests it answers) `ice-pwd`.
    pub fn short_term(password: &str) -> IntegrityKey {
        IntegrityKey::new(password.as_bytes())
    }

    /// The short-term credential key as a compact key ([`IntegrityKey::compact`]): for
    /// long-lived keys used once in a while, such as ICE's (RFC 8445 §7.2.2).
    pub fn short_term_compact(password: &str) -> IntegrityKey {
        IntegrityKey::compact(password.as_bytes())
    }

    /// Whether the HMAC key schedules are precomputed (`false` for compact keys).
    pub fn is_precomputed(&self) -> bool {
        matches!(self.repr, Repr::Ready(_))
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

    /// The long-term credential key with MD5 (RFC 8489 §9.2.2) after preparing username, realm
    /// and password with [`opaque_string`] (RFC 8265 §4.2), as RFC 8489 §9.2.2 and §14.3
    /// require. The USERNAME and REALM sent must be the prepared strings too.
    pub fn long_term_prepared(
        username: &str,
        realm: &str,
        password: &str,
    ) -> Result<IntegrityKey, PrepError> {
        Ok(IntegrityKey::long_term(
            &opaque_string(username)?,
            &opaque_string(realm)?,
            &opaque_string(password)?,
        ))
    }

    /// Like [`IntegrityKey::long_term_with`], after preparing username, realm and password
    /// with [`opaque_string`]: `Ok(None)` for an algorithm other than MD5 and SHA-256.
    pub fn long_term_prepared_with(
        algorithm: PasswordAlgorithmId,
        username: &str,
        realm: &str,
        password: &str,
    ) -> Result<Option<IntegrityKey>, PrepError> {
        Ok(IntegrityKey::long_term_with(
            algorithm,
            &opaque_string(username)?,
            &opaque_string(realm)?,
            &opaque_string(password)?,
        ))
    }

    /// The RFC 5389 long-term credential key (§15.4): MD5 with username, realm and password
    /// prepared by [`saslprep`] (RFC 4013), for servers that follow RFC 5389; RFC 5769 §2.4's
    /// vector is computed this way.
    pub fn long_term_saslprep(
        username: &str,
        realm: &str,
        password: &str,
    ) -> Result<IntegrityKey, PrepError> {
        Ok(IntegrityKey::long_term(
            &saslprep(username)?,
            &saslprep(realm)?,
            &saslprep(password)?,
        ))
    }

    /// HMAC-SHA1 of `header` then `body` (MESSAGE-INTEGRITY).
    pub(crate) fn hmac_sha1(&self, header: &[u8], body: &[u8]) -> hmac::Tag {
        match &self.repr {
            Repr::Ready(keys) => sign(&keys.sha1, header, body),
            Repr::Raw(raw) => sign(
                &hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &raw[..]),
                header,
                body,
            ),
        }
    }

    /// HMAC-SHA256 of `header` then `body` (MESSAGE-INTEGRITY-SHA256).
    pub(crate) fn hmac_sha256(&self, header: &[u8], body: &[u8]) -> hmac::Tag {
        match &self.repr {
            Repr::Ready(keys) => sign(&keys.sha256, header, body),
            Repr::Raw(raw) => sign(&hmac::Key::new(hmac::HMAC_SHA256, &raw[..]), header, body),
        }
    }
}

/// The HMAC of `header` then `body` under `key`.
fn sign(key: &hmac::Key, header: &[u8], body: &[u8]) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(header);
    ctx.update(body);
    ctx.sign()
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
    fn prepared_long_term_keys() {
        let user = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
        let reference = IntegrityKey::long_term(user, "example.org", "TheMatrIX");
        // RFC 5769 §2.4: SASLprep turns the raw password into "TheMatrIX".
        let sasl =
            IntegrityKey::long_term_saslprep(user, "example.org", "The\u{AD}M\u{AA}tr\u{2168}")
                .unwrap();
        assert_eq!(
            sasl.hmac_sha1(b"h", b"b").as_ref(),
            reference.hmac_sha1(b"h", b"b").as_ref()
        );
        // OpaqueString refuses it (SOFT HYPHEN), and is the identity on the prepared form.
        assert_eq!(
            IntegrityKey::long_term_prepared(user, "example.org", "The\u{AD}M\u{AA}tr\u{2168}")
                .err(),
            Some(PrepError::Disallowed { index: 3 })
        );
        let opaque = IntegrityKey::long_term_prepared(user, "example.org", "TheMatrIX").unwrap();
        assert_eq!(
            opaque.hmac_sha1(b"h", b"b").as_ref(),
            reference.hmac_sha1(b"h", b"b").as_ref()
        );
        // NO-BREAK SPACE in the realm is mapped before hashing.
        let mapped = IntegrityKey::long_term_prepared_with(
            PasswordAlgorithmId::SHA256,
            "u",
            "my\u{A0}realm",
            "p",
        )
        .unwrap()
        .unwrap();
        let plain = IntegrityKey::long_term_sha256("u", "my realm", "p");
        assert_eq!(
            mapped.hmac_sha256(b"h", b"b").as_ref(),
            plain.hmac_sha256(b"h", b"b").as_ref()
        );
        assert!(matches!(
            IntegrityKey::long_term_prepared_with(PasswordAlgorithmId(9), "u", "r", "p"),
            Ok(None)
        ));
        assert_eq!(
            IntegrityKey::long_term_prepared("", "r", "p").err(),
            Some(PrepError::Empty)
        );
    }

    #[test]
    fn compact_short_term_key() {
        let full = IntegrityKey::short_term("n6BuuGOyHf7cbOUvHDgu9Ty5");
        let compact = IntegrityKey::short_term_compact("n6BuuGOyHf7cbOUvHDgu9Ty5");
        assert!(full.is_precomputed());
        assert!(!compact.is_precomputed());
        for (h, b) in [
            (&b"header"[..], &b"body"[..]),
            (b"", b""),
            (&[7; 20][..], &[1; 300][..]),
        ] {
            assert_eq!(
                full.hmac_sha1(h, b).as_ref(),
                compact.hmac_sha1(h, b).as_ref()
            );
            assert_eq!(
                full.hmac_sha256(h, b).as_ref(),
                compact.hmac_sha256(h, b).as_ref()
            );
        }
        let clone = compact.clone();
        assert_eq!(
            clone.hmac_sha256(b"x", b"").as_ref(),
            full.hmac_sha256(b"x", b"").as_ref()
        );
        // A long raw key (hashed first by HMAC) gives the same tags too.
        let long = [0xAB; 100];
        assert_eq!(
            IntegrityKey::new(&long).hmac_sha256(b"m", b"").as_ref(),
            IntegrityKey::compact(&long).hmac_sha256(b"m", b"").as_ref()
        );
        assert_eq!(
            IntegrityKey::new(&long).hmac_sha1(b"m", b"").as_ref(),
            IntegrityKey::compact(&long).hmac_sha1(b"m", b"").as_ref()
        );
        // Memory: a key is pointer-sized inline; a compact one holds only its raw bytes
        // (24 here) where a full one holds two key schedules.
        let schedule = std::mem::size_of::<hmac::Key>();
        assert!(std::mem::size_of::<IntegrityKey>() <= 24);
        assert!(std::mem::size_of::<IntegrityKey>() + 24 < schedule / 8);
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
