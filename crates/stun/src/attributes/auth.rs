//! Authentication attributes of RFC 8489: USERNAME (§14.3), USERHASH (§14.4),
//! MESSAGE-INTEGRITY (§14.5), MESSAGE-INTEGRITY-SHA256 (§14.6), FINGERPRINT (§14.7), REALM
//! (§14.9), NONCE (§14.10), PASSWORD-ALGORITHMS (§14.11) and PASSWORD-ALGORITHM (§14.12).
//!
//! These are the values only. Computing and checking MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT
//! over a message is [`crate::integrity`]'s job, driven by
//! [`MessageBuilder`](crate::MessageBuilder) and [`Message`](crate::Message).

use std::fmt;

use aws_lc_rs::digest;

use super::{AttributeType, DecodeAttribute, EncodeAttribute, exact, padding, text_attribute};
use crate::error::{DecodeError, EncodeError};
use crate::header::TransactionId;

/// USERNAME (RFC 8489 §14.3): `user` for long-term credentials, `remote-ufrag:local-ufrag` in
/// ICE checks (RFC 8445 §7.2.2). UTF-8, fewer than 509 bytes when sent, at most 763 bytes
/// when received (see [the limits](crate::attributes#length-limits-of-text-attributes)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Username<'a>(pub &'a str);
text_attribute!(Username, USERNAME, Username);

/// REALM (RFC 8489 §14.9): the long-term credential realm a server announces. Fewer than 128
/// characters, sent or received (see [the limits](crate::attributes#length-limits-of-text-attributes)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Realm<'a>(pub &'a str);
text_attribute!(Realm, REALM, Characters);

/// NONCE (RFC 8489 §14.10): the server's nonce, echoed in authenticated requests. Fewer than
/// 128 characters, sent or received (see [the limits](crate::attributes#length-limits-of-text-attributes)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nonce<'a>(pub &'a str);
text_attribute!(Nonce, NONCE, Characters);

/// USERHASH (RFC 8489 §14.4): SHA-256 of `username ":" realm`, sent instead of USERNAME for
/// anonymity.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserHash(pub [u8; 32]);

impl UserHash {
    /// The hash of `username ":" realm` (both already processed by OpaqueString, RFC 8265, if
    /// they need it; this crate does no such processing).
    pub fn new(username: &str, realm: &str) -> UserHash {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(username.as_bytes());
        ctx.update(b":");
        ctx.update(realm.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.finish().as_ref());
        UserHash(out)
    }
}

impl fmt::Debug for UserHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserHash(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl<'a> DecodeAttribute<'a> for UserHash {
    const TYPE: AttributeType = AttributeType::USERHASH;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        exact::<32>(Self::TYPE, value).map(|v| UserHash(*v))
    }
}

impl EncodeAttribute for UserHash {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::USERHASH
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0);
        Ok(())
    }
}

/// The value of a MESSAGE-INTEGRITY attribute (RFC 8489 §14.5): an HMAC-SHA1.
///
/// Adding one to a [`MessageBuilder`](crate::MessageBuilder) copies these bytes as they are;
/// use [`MessageBuilder::message_integrity`](crate::MessageBuilder::message_integrity) to
/// compute it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageIntegrity(pub [u8; 20]);

impl<'a> DecodeAttribute<'a> for MessageIntegrity {
    const TYPE: AttributeType = AttributeType::MESSAGE_INTEGRITY;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        exact::<20>(Self::TYPE, value).map(|v| MessageIntegrity(*v))
    }
}

impl EncodeAttribute for MessageIntegrity {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::MESSAGE_INTEGRITY
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0);
        Ok(())
    }
}

/// The value of a MESSAGE-INTEGRITY-SHA256 attribute (RFC 8489 §14.6): an HMAC-SHA256,
/// possibly truncated to 16–32 bytes in steps of 4.
///
/// Adding one to a [`MessageBuilder`](crate::MessageBuilder) copies these bytes as they are;
/// use [`MessageBuilder::message_integrity_sha256`](crate::MessageBuilder::message_integrity_sha256)
/// to compute it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageIntegritySha256<'a>(&'a [u8]);

impl<'a> MessageIntegritySha256<'a> {
    /// The attribute with this value, if its length is allowed (16–32, a multiple of 4).
    pub fn new(value: &'a [u8]) -> Option<Self> {
        Self::length_ok(value.len()).then_some(MessageIntegritySha256(value))
    }

    /// The HMAC bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    pub(crate) fn length_ok(len: usize) -> bool {
        (16..=32).contains(&len) && len.is_multiple_of(4)
    }
}

impl<'a> DecodeAttribute<'a> for MessageIntegritySha256<'a> {
    const TYPE: AttributeType = AttributeType::MESSAGE_INTEGRITY_SHA256;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        MessageIntegritySha256::new(value).ok_or(DecodeError::BadAttributeLength {
            attribute: Self::TYPE,
            length: value.len(),
        })
    }
}

impl EncodeAttribute for MessageIntegritySha256<'_> {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::MESSAGE_INTEGRITY_SHA256
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self.0);
        Ok(())
    }
}

/// The value of a FINGERPRINT attribute (RFC 8489 §14.7): CRC-32 of the message XOR
/// 0x5354554e.
///
/// Adding one to a [`MessageBuilder`](crate::MessageBuilder) copies the value as it is; use
/// [`MessageBuilder::fingerprint`](crate::MessageBuilder::fingerprint) to compute it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub u32);

impl<'a> DecodeAttribute<'a> for Fingerprint {
    const TYPE: AttributeType = AttributeType::FINGERPRINT;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        exact::<4>(Self::TYPE, value).map(|v| Fingerprint(u32::from_be_bytes(*v)))
    }
}

impl EncodeAttribute for Fingerprint {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::FINGERPRINT
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0.to_be_bytes());
        Ok(())
    }
}

/// A password algorithm number (RFC 8489 §18.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PasswordAlgorithmId(pub u16);

impl PasswordAlgorithmId {
    /// MD5 (0x0001): the long-term key is MD5(username ":" realm ":" password).
    pub const MD5: PasswordAlgorithmId = PasswordAlgorithmId(0x0001);
    /// SHA-256 (0x0002): the long-term key is SHA-256(username ":" realm ":" password).
    pub const SHA256: PasswordAlgorithmId = PasswordAlgorithmId(0x0002);
}

/// PASSWORD-ALGORITHM (RFC 8489 §14.12): the algorithm a client chose, with its parameters;
/// also one entry of PASSWORD-ALGORITHMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PasswordAlgorithm<'a> {
    /// The algorithm.
    pub algorithm: PasswordAlgorithmId,
    /// Its parameters (none for MD5 and SHA-256).
    pub parameters: &'a [u8],
}

impl<'a> PasswordAlgorithm<'a> {
    /// An algorithm without parameters.
    pub const fn new(algorithm: PasswordAlgorithmId) -> Self {
        PasswordAlgorithm {
            algorithm,
            parameters: &[],
        }
    }

    /// Reads one entry from the front of `buf`; returns it and the rest (after its padding, which
    /// may be missing at the very end).
    fn read(attribute: AttributeType, buf: &'a [u8]) -> Result<(Self, &'a [u8]), DecodeError> {
        let bad = || DecodeError::BadAttributeLength {
            attribute,
            length: buf.len(),
        };
        let [a0, a1, l0, l1, rest @ ..] = buf else {
            return Err(bad());
        };
        let len = usize::from(u16::from_be_bytes([*l0, *l1]));
        let parameters = rest.get(..len).ok_or_else(bad)?;
        let after = rest.get(len + padding(len)..).unwrap_or(&[]);
        Ok((
            PasswordAlgorithm {
                algorithm: PasswordAlgorithmId(u16::from_be_bytes([*a0, *a1])),
                parameters,
            },
            after,
        ))
    }

    fn write(&self, attribute: AttributeType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let len = u16::try_from(self.parameters.len()).map_err(|_| EncodeError::ValueTooLong {
            attribute,
            length: self.parameters.len(),
        })?;
        out.extend_from_slice(&self.algorithm.0.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(self.parameters);
        out.resize(out.len() + padding(self.parameters.len()), 0);
        Ok(())
    }
}

impl<'a> DecodeAttribute<'a> for PasswordAlgorithm<'a> {
    const TYPE: AttributeType = AttributeType::PASSWORD_ALGORITHM;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        let (algorithm, rest) = PasswordAlgorithm::read(Self::TYPE, value)?;
        if !rest.is_empty() {
            return Err(DecodeError::BadAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            });
        }
        Ok(algorithm)
    }
}

impl EncodeAttribute for PasswordAlgorithm<'_> {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::PASSWORD_ALGORITHM
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.write(AttributeType::PASSWORD_ALGORITHM, out)
    }
}

/// PASSWORD-ALGORITHMS (RFC 8489 §14.11): the algorithms a server supports, in its order of
/// preference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PasswordAlgorithms<'a>(pub Vec<PasswordAlgorithm<'a>>);

impl<'a> PasswordAlgorithms<'a> {
    /// Walks the entries of `value`, calling `each` on every one.
    fn walk(
        value: &'a [u8],
        mut each: impl FnMut(PasswordAlgorithm<'a>),
    ) -> Result<(), DecodeError> {
        let mut rest = value;
        while !rest.is_empty() {
            let (algorithm, after) =
                PasswordAlgorithm::read(AttributeType::PASSWORD_ALGORITHMS, rest)?;
            each(algorithm);
            rest = after;
        }
        Ok(())
    }
}

impl<'a> DecodeAttribute<'a> for PasswordAlgorithms<'a> {
    const TYPE: AttributeType = AttributeType::PASSWORD_ALGORITHMS;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        let mut list = Vec::new();
        PasswordAlgorithms::walk(value, |a| list.push(a))?;
        Ok(PasswordAlgorithms(list))
    }

    fn validate(value: &'a [u8], _: &TransactionId) -> Result<(), DecodeError> {
        PasswordAlgorithms::walk(value, drop)
    }
}

impl EncodeAttribute for PasswordAlgorithms<'_> {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::PASSWORD_ALGORITHMS
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        for algorithm in &self.0 {
            algorithm.write(AttributeType::PASSWORD_ALGORITHMS, out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: TransactionId = TransactionId::new([0; 12]);

    fn encode(attr: &impl EncodeAttribute) -> Vec<u8> {
        let mut out = Vec::new();
        attr.encode_value(&ID, &mut out).unwrap();
        out
    }

    #[test]
    fn userhash_of_rfc_8489_b1() {
        // RFC 8489 Appendix B.1: USERHASH of "<U+30DE><U+30C8><U+30EA><U+30C3><U+30AF><U+30B9>"
        // and "example.org".
        let expected = [
            0x4a, 0x3c, 0xf3, 0x8f, 0xef, 0x69, 0x92, 0xbd, 0xa9, 0x52, 0xc6, 0x78, 0x04, 0x17,
            0xda, 0x0f, 0x24, 0x81, 0x94, 0x15, 0x56, 0x9e, 0x60, 0xb2, 0x05, 0xc4, 0x6e, 0x41,
            0x40, 0x7f, 0x17, 0x04,
        ];
        assert_eq!(
            UserHash::new(
                "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}",
                "example.org"
            ),
            UserHash(expected)
        );
        assert!(UserHash::decode(&expected[..31], &ID).is_err());
    }

    #[test]
    fn password_algorithms_list_with_parameters() {
        let list = PasswordAlgorithms(vec![
            PasswordAlgorithm::new(PasswordAlgorithmId::SHA256),
            PasswordAlgorithm {
                algorithm: PasswordAlgorithmId(0x7777),
                parameters: &[1, 2, 3, 4, 5],
            },
            PasswordAlgorithm::new(PasswordAlgorithmId::MD5),
        ]);
        let wire = encode(&list);
        assert_eq!(
            wire,
            [
                0, 2, 0, 0, 0x77, 0x77, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0, 0, 1, 0, 0
            ]
        );
        assert_eq!(PasswordAlgorithms::decode(&wire, &ID), Ok(list));
        assert!(PasswordAlgorithms::validate(&wire, &ID).is_ok());
        assert!(PasswordAlgorithms::decode(&wire[..9], &ID).is_err());
        assert!(PasswordAlgorithms::decode(&[0, 1, 0], &ID).is_err());
        assert_eq!(
            PasswordAlgorithms::decode(&[], &ID),
            Ok(PasswordAlgorithms(vec![]))
        );
    }

    #[test]
    fn single_password_algorithm() {
        let sha = PasswordAlgorithm::new(PasswordAlgorithmId::SHA256);
        assert_eq!(encode(&sha), [0, 2, 0, 0]);
        assert_eq!(PasswordAlgorithm::decode(&[0, 2, 0, 0], &ID), Ok(sha));
        assert!(PasswordAlgorithm::decode(&[0, 2, 0, 0, 0, 1, 0, 0], &ID).is_err());
        let odd = PasswordAlgorithm {
            algorithm: PasswordAlgorithmId(9),
            parameters: &[7],
        };
        assert_eq!(PasswordAlgorithm::decode(&encode(&odd), &ID), Ok(odd));
        assert_eq!(PasswordAlgorithm::decode(&[0, 9, 0, 1, 7], &ID), Ok(odd));
    }

    #[test]
    fn integrity_value_lengths() {
        assert!(MessageIntegrity::decode(&[0; 19], &ID).is_err());
        assert!(MessageIntegrity::decode(&[0; 20], &ID).is_ok());
        for len in 0..40usize {
            let ok = (16..=32).contains(&len) && len.is_multiple_of(4);
            assert_eq!(
                MessageIntegritySha256::decode(&[0; 40][..len], &ID).is_ok(),
                ok
            );
        }
        assert_eq!(
            Fingerprint::decode(&[1, 2, 3, 4], &ID),
            Ok(Fingerprint(0x01020304))
        );
        assert!(Fingerprint::decode(&[1, 2, 3], &ID).is_err());
    }

    #[test]
    fn text_must_be_utf8() {
        assert_eq!(
            Username::decode(b"evtj:h6vY", &ID),
            Ok(Username("evtj:h6vY"))
        );
        assert_eq!(
            Realm::decode(&[0xff], &ID),
            Err(DecodeError::InvalidUtf8 {
                attribute: AttributeType::REALM
            })
        );
        assert_eq!(encode(&Nonce("abc")), b"abc");
    }
}
