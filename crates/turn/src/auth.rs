//! [`Credentials`]: the client side of the long-term credential mechanism (RFC 8489 §9.2) as
//! TURN uses it (RFC 8656 §5).
//!
//! The first request goes out without credentials; the server answers 401 with REALM and NONCE
//! (§9.2.4); the client then derives the key `MD5(username ":" realm ":" password)` (§9.2.2) and
//! signs every later request with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY (§9.2.3). A 438
//! Stale Nonce answer carries a fresh NONCE to retry with (§9.2.5). Responses to signed requests
//! must carry a MESSAGE-INTEGRITY that verifies with the same key (§9.2.5).
//!
//! Gap: the RFC 8489 security features ("obMatJos2" nonce cookie with PASSWORD-ALGORITHMS and
//! USERHASH) are not negotiated; MD5 keys and MESSAGE-INTEGRITY (SHA-1) are used, as RFC 5766
//! servers (coturn among them) expect.

use rtcpeer_stun::{IntegrityKey, MessageBuilder};

/// Username, password, and what the server told the client to use with them.
pub struct Credentials {
    username: String,
    password: String,
    realm: Option<String>,
    nonce: Option<String>,
    key: Option<IntegrityKey>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("realm", &self.realm)
            .field("has_nonce", &self.nonce.is_some())
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Credentials not yet challenged by a server.
    pub fn new(username: &str, password: &str) -> Credentials {
        Credentials {
            username: username.to_owned(),
            password: password.to_owned(),
            realm: None,
            nonce: None,
            key: None,
        }
    }

    /// The key requests are signed with, once the server has named its realm.
    pub fn key(&self) -> Option<&IntegrityKey> {
        self.key.as_ref()
    }

    /// Whether requests will be signed.
    pub fn ready(&self) -> bool {
        self.key.is_some() && self.nonce.is_some()
    }

    /// Takes the REALM and NONCE of a 401 or 438 answer. Returns whether the realm (and so
    /// the key) changed: after a signed request, a 401 in the same realm means the password is
    /// wrong, whatever nonce comes with it.
    pub fn update(&mut self, realm: Option<&str>, nonce: &str) -> bool {
        let mut changed = false;
        self.nonce = Some(nonce.to_owned());
        if let Some(realm) = realm
            && self.realm.as_deref() != Some(realm)
        {
            self.key = Some(IntegrityKey::long_term(
                &self.username,
                realm,
                &self.password,
            ));
            self.realm = Some(realm.to_owned());
            changed = true;
        }
        changed
    }

    /// Forgets realm, nonce and key (a new server).
    pub fn reset(&mut self) {
        self.realm = None;
        self.nonce = None;
        self.key = None;
    }

    /// Adds USERNAME, REALM, NONCE and MESSAGE-INTEGRITY if the server has challenged the
    /// client; returns the builder and whether it was signed.
    pub fn sign(&self, builder: MessageBuilder) -> (MessageBuilder, bool) {
        match (&self.realm, &self.nonce, &self.key) {
            (Some(realm), Some(nonce), Some(key)) => (
                builder
                    .username(&self.username)
                    .realm(realm)
                    .nonce(nonce)
                    .message_integrity(key),
                true,
            ),
            _ => (builder, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcpeer_stun::{Message, Method, TransactionId};

    #[test]
    fn signs_after_challenge_only() {
        let mut c = Credentials::new("u", "p");
        let b = MessageBuilder::request(Method::ALLOCATE, TransactionId::new([1; 12]));
        let (b, signed) = c.sign(b);
        assert!(!signed);
        assert!(
            !Message::decode(&b.build().unwrap())
                .unwrap()
                .has_message_integrity()
        );

        assert!(c.update(Some("realm"), "n1"));
        assert!(!c.update(Some("realm"), "n1"));
        assert!(!c.update(None, "n2"));
        assert!(c.ready());
        let b = MessageBuilder::request(Method::ALLOCATE, TransactionId::new([1; 12]));
        let (b, signed) = c.sign(b);
        assert!(signed);
        let bytes = b.build().unwrap();
        let m = Message::decode(&bytes).unwrap();
        assert_eq!(m.username(), Some("u"));
        assert_eq!(m.realm(), Some("realm"));
        assert_eq!(m.nonce(), Some("n2"));
        m.verify_integrity(&IntegrityKey::long_term("u", "realm", "p"))
            .unwrap();
        assert!(!format!("{c:?}").contains("n2"));
        c.reset();
        assert!(!c.ready());
    }
}
