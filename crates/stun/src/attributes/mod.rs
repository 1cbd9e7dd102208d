//! STUN attributes (RFC 8489 §14, §18.3): the [`AttributeType`] registry, the
//! [`DecodeAttribute`] / [`EncodeAttribute`] traits every typed attribute implements, and the
//! typed attributes themselves, grouped by the RFC that defines them:
//!
//! - [`address`]: MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, ALTERNATE-SERVER (RFC 8489 §14.1–14.2,
//!   §14.15), XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS (RFC 8656 §18.3, §18.5);
//! - [`auth`]: USERNAME, USERHASH, MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256, FINGERPRINT,
//!   REALM, NONCE, PASSWORD-ALGORITHMS, PASSWORD-ALGORITHM (RFC 8489 §14.3–14.7, §14.9–14.12);
//! - [`error_code`]: ERROR-CODE (RFC 8489 §14.8) and ADDRESS-ERROR-CODE (RFC 8656 §18.12);
//! - [`general`]: UNKNOWN-ATTRIBUTES, SOFTWARE, ALTERNATE-DOMAIN (RFC 8489 §14.13, §14.14,
//!   §14.16);
//! - [`ice`]: PRIORITY, USE-CANDIDATE, ICE-CONTROLLED, ICE-CONTROLLING (RFC 8445 §7.1.1–7.1.3);
//! - [`turn`]: CHANNEL-NUMBER, LIFETIME, DATA, REQUESTED-ADDRESS-FAMILY, EVEN-PORT,
//!   REQUESTED-TRANSPORT, DONT-FRAGMENT, RESERVATION-TOKEN, ADDITIONAL-ADDRESS-FAMILY, ICMP
//!   (RFC 8656 §18);
//! - [`any`]: [`Attribute`](any::Attribute), the enum of all of them plus unknown attributes kept raw.
//!
//! Typed attributes borrow text and byte strings from the received message; none allocates
//! except the two list attributes (UNKNOWN-ATTRIBUTES, PASSWORD-ALGORITHMS).
//!
//! # Length limits of text attributes
//!
//! RFC 8489 bounds its text attributes for the sender and asks receivers to *parse* values up
//! to a larger size (for RFC 5389 senders, whose UTF-8 allowed 6-byte sequences); it never
//! requires a receiver to reject a longer value. Encoding enforces the sender's limit
//! ([`EncodeError::TextTooLong`], [`EncodeError::NotAscii`]); decoding rejects
//! ([`DecodeError::TextTooLong`]) only where the value is a credential that the other side
//! must echo or hash, and is otherwise lenient:
//!
//! | attribute | encode (sender) | decode (receiver) |
//! |---|---|---|
//! | USERNAME (§14.3) | fewer than 509 bytes | at most 763 bytes (the size §14.3 requires parsing) |
//! | REALM (§14.9), NONCE (§14.10) | fewer than 128 characters | fewer than 128 characters (every RFC version's limit; a REALM or NONCE that decodes can always be echoed) |
//! | SOFTWARE (§14.14) | fewer than 128 characters | any length (diagnostic only) |
//! | ERROR-CODE / ADDRESS-ERROR-CODE reason phrase (§14.8) | fewer than 128 characters | any length (rejecting the response would lose its code) |
//! | ALTERNATE-DOMAIN (§14.16) | ASCII, at most 255 characters | any UTF-8 (the TLS layer checks the name) |
//!
//! Characters are Unicode scalar values; fewer than 128 of them is at most 508 bytes of UTF-8,
//! within the "509 bytes when encoding". The DNS syntax of ALTERNATE-DOMAIN (labels, LDH) is
//! not checked.

use std::fmt;

use crate::error::{DecodeError, EncodeError};
use crate::header::TransactionId;

pub mod address;
pub mod any;
pub mod auth;
pub mod error_code;
pub mod general;
pub mod ice;
pub mod turn;

/// A 16-bit attribute type (RFC 8489 §14, §18.3). Types 0x0000–0x7FFF are
/// comprehension-required, 0x8000–0xFFFF comprehension-optional.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributeType(pub u16);

macro_rules! attribute_types {
    ($($(#[$doc:meta])* $name:ident = $value:literal, $text:literal;)*) => {
        impl AttributeType {
            $($(#[$doc])* pub const $name: AttributeType = AttributeType($value);)*

            /// The RFC name of a type this crate decodes ("XOR-MAPPED-ADDRESS", ...), or `None`
            /// for a type it keeps raw.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }
        }
    };
}

attribute_types! {
    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    MAPPED_ADDRESS = 0x0001, "MAPPED-ADDRESS";
    /// USERNAME (RFC 8489 §14.3).
    USERNAME = 0x0006, "USERNAME";
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5).
    MESSAGE_INTEGRITY = 0x0008, "MESSAGE-INTEGRITY";
    /// ERROR-CODE (RFC 8489 §14.8).
    ERROR_CODE = 0x0009, "ERROR-CODE";
    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).
    UNKNOWN_ATTRIBUTES = 0x000A, "UNKNOWN-ATTRIBUTES";
    /// CHANNEL-NUMBER (RFC 8656 §18.1).
    CHANNEL_NUMBER = 0x000C, "CHANNEL-NUMBER";
    /// LIFETIME (RFC 8656 §18.2).
    LIFETIME = 0x000D, "LIFETIME";
    /// XOR-PEER-ADDRESS (RFC 8656 §18.3).
    XOR_PEER_ADDRESS = 0x0012, "XOR-PEER-ADDRESS";
    /// DATA (RFC 8656 §18.4).
    DATA = 0x0013, "DATA";
    /// REALM (RFC 8489 §14.9).
    REALM = 0x0014, "REALM";
    /// NONCE (RFC 8489 §14.10).
    NONCE = 0x0015, "NONCE";
    /// XOR-RELAYED-ADDRESS (RFC 8656 §18.5).
    XOR_RELAYED_ADDRESS = 0x0016, "XOR-RELAYED-ADDRESS";
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).
    REQUESTED_ADDRESS_FAMILY = 0x0017, "REQUESTED-ADDRESS-FAMILY";
    /// EVEN-PORT (RFC 8656 §18.7).
    EVEN_PORT = 0x0018, "EVEN-PORT";
    /// REQUESTED-TRANSPORT (RFC 8656 §18.8).
    REQUESTED_TRANSPORT = 0x0019, "REQUESTED-TRANSPORT";
    /// DONT-FRAGMENT (RFC 8656 §18.9).
    DONT_FRAGMENT = 0x001A, "DONT-FRAGMENT";
    /// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6).
    MESSAGE_INTEGRITY_SHA256 = 0x001C, "MESSAGE-INTEGRITY-SHA256";
    /// PASSWORD-ALGORITHM (RFC 8489 §14.12).
    PASSWORD_ALGORITHM = 0x001D, "PASSWORD-ALGORITHM";
    /// USERHASH (RFC 8489 §14.4).
    USERHASH = 0x001E, "USERHASH";
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    XOR_MAPPED_ADDRESS = 0x0020, "XOR-MAPPED-ADDRESS";
    /// RESERVATION-TOKEN (RFC 8656 §18.10).
    RESERVATION_TOKEN = 0x0022, "RESERVATION-TOKEN";
    /// PRIORITY (RFC 8445 §7.1.1).
    PRIORITY = 0x0024, "PRIORITY";
    /// USE-CANDIDATE (RFC 8445 §7.1.2).
    USE_CANDIDATE = 0x0025, "USE-CANDIDATE";
    /// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11).
    ADDITIONAL_ADDRESS_FAMILY = 0x8000, "ADDITIONAL-ADDRESS-FAMILY";
    /// ADDRESS-ERROR-CODE (RFC 8656 §18.12).
    ADDRESS_ERROR_CODE = 0x8001, "ADDRESS-ERROR-CODE";
    /// PASSWORD-ALGORITHMS (RFC 8489 §14.11).
    PASSWORD_ALGORITHMS = 0x8002, "PASSWORD-ALGORITHMS";
    /// ALTERNATE-DOMAIN (RFC 8489 §14.16).
    ALTERNATE_DOMAIN = 0x8003, "ALTERNATE-DOMAIN";
    /// ICMP (RFC 8656 §18.13).
    ICMP = 0x8004, "ICMP";
    /// SOFTWARE (RFC 8489 §14.14).
    SOFTWARE = 0x8022, "SOFTWARE";
    /// ALTERNATE-SERVER (RFC 8489 §14.15).
    ALTERNATE_SERVER = 0x8023, "ALTERNATE-SERVER";
    /// FINGERPRINT (RFC 8489 §14.7).
    FINGERPRINT = 0x8028, "FINGERPRINT";
    /// ICE-CONTROLLED (RFC 8445 §7.1.3).
    ICE_CONTROLLED = 0x8029, "ICE-CONTROLLED";
    /// ICE-CONTROLLING (RFC 8445 §7.1.3).
    ICE_CONTROLLING = 0x802A, "ICE-CONTROLLING";
}

impl AttributeType {
    /// GOOG-NETWORK-INFO (0xC057), sent by Chrome in ICE checks. Not decoded: it is kept as an
    /// unknown comprehension-optional attribute.
    pub const GOOG_NETWORK_INFO: AttributeType = AttributeType(0xC057);

    /// Whether an agent that does not understand this type must reject the message
    /// (0x0000–0x7FFF, RFC 8489 §14).
    pub const fn is_comprehension_required(self) -> bool {
        self.0 < 0x8000
    }

    /// Whether this crate decodes this type into a typed attribute.
    pub const fn is_known(self) -> bool {
        self.name().is_some()
    }
}

impl fmt::Debug for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

/// An attribute that can be read from the value bytes of a received attribute.
///
/// `'a` is the lifetime of the received message: text and byte strings are borrowed from it.
pub trait DecodeAttribute<'a>: Sized {
    /// The attribute type this decodes.
    const TYPE: AttributeType;

    /// Decodes the value (without padding). `transaction_id` is the message's, which the XOR
    /// address attributes need.
    fn decode(value: &'a [u8], transaction_id: &TransactionId) -> Result<Self, DecodeError>;

    /// Checks that `value` decodes, without building the attribute. The message decoder calls
    /// this for every attribute it will expose; types that allocate override it.
    fn validate(value: &'a [u8], transaction_id: &TransactionId) -> Result<(), DecodeError> {
        Self::decode(value, transaction_id).map(drop)
    }
}

/// An attribute that can be written into a message.
pub trait EncodeAttribute {
    /// The attribute type written.
    fn attribute_type(&self) -> AttributeType;

    /// Appends the value (without padding) to `out`. `transaction_id` is the message's, which the
    /// XOR address attributes need.
    fn encode_value(
        &self,
        transaction_id: &TransactionId,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError>;
}

impl<T: EncodeAttribute + ?Sized> EncodeAttribute for &T {
    fn attribute_type(&self) -> AttributeType {
        (**self).attribute_type()
    }

    fn encode_value(
        &self,
        transaction_id: &TransactionId,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        (**self).encode_value(transaction_id, out)
    }
}

/// Bytes of padding after a value of `len` bytes, to the next multiple of 4 (RFC 8489 §14).
pub(crate) const fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// `value` as an array of exactly `N` bytes, or a length error for `attribute`.
pub(crate) fn exact<const N: usize>(
    attribute: AttributeType,
    value: &[u8],
) -> Result<&[u8; N], DecodeError> {
    value
        .try_into()
        .map_err(|_| DecodeError::BadAttributeLength {
            attribute,
            length: value.len(),
        })
}

/// `value` as UTF-8 text, or an error naming `attribute`.
pub(crate) fn utf8(attribute: AttributeType, value: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(value).map_err(|_| DecodeError::InvalidUtf8 { attribute })
}

/// USERNAME: the largest value a sender may write, in bytes ("fewer than 509", RFC 8489
/// §14.3).
pub const USERNAME_MAX_ENCODE_BYTES: usize = 508;
/// USERNAME: the largest value accepted on receipt, in bytes (RFC 8489 §14.3's 763 octets).
pub const USERNAME_MAX_DECODE_BYTES: usize = 763;
/// REALM, NONCE, SOFTWARE and reason phrases: the most characters a value may have ("fewer
/// than 128", RFC 8489 §14.8–§14.10, §14.14).
pub const TEXT_MAX_CHARACTERS: usize = 127;
/// ALTERNATE-DOMAIN: the most ASCII characters a value may have (RFC 8489 §14.16).
pub const ALTERNATE_DOMAIN_MAX_LEN: usize = 255;

/// The RFC 8489 length rule of a text attribute (see the table in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextLimit {
    /// USERNAME: < 509 bytes sent, <= 763 bytes accepted.
    Username,
    /// REALM, NONCE: < 128 characters sent and accepted.
    Characters,
    /// SOFTWARE, reason phrases: < 128 characters sent, anything accepted.
    CharactersOnSend,
    /// ALTERNATE-DOMAIN: <= 255 ASCII characters sent, anything accepted.
    Domain,
}

/// Whether `text` has more than `max` characters, counting only when the byte length
/// allows it (a value of at most `max` bytes cannot have more than `max` characters).
fn more_characters_than(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().count() > max
}

impl TextLimit {
    /// Checks a value about to be sent.
    pub(crate) fn check_encode(
        self,
        attribute: AttributeType,
        text: &str,
    ) -> Result<(), EncodeError> {
        let too_long = match self {
            TextLimit::Username => text.len() > USERNAME_MAX_ENCODE_BYTES,
            TextLimit::Characters | TextLimit::CharactersOnSend => {
                more_characters_than(text, TEXT_MAX_CHARACTERS)
            }
            TextLimit::Domain => {
                if !text.is_ascii() {
                    return Err(EncodeError::NotAscii { attribute });
                }
                text.len() > ALTERNATE_DOMAIN_MAX_LEN
            }
        };
        if too_long {
            return Err(EncodeError::TextTooLong {
                attribute,
                bytes: text.len(),
                characters: text.chars().count(),
            });
        }
        Ok(())
    }

    /// Checks a value received.
    pub(crate) fn check_decode(
        self,
        attribute: AttributeType,
        text: &str,
    ) -> Result<(), DecodeError> {
        let too_long = match self {
            TextLimit::Username => text.len() > USERNAME_MAX_DECODE_BYTES,
            TextLimit::Characters => more_characters_than(text, TEXT_MAX_CHARACTERS),
            TextLimit::CharactersOnSend | TextLimit::Domain => false,
        };
        if too_long {
            return Err(DecodeError::TextTooLong {
                attribute,
                bytes: text.len(),
                characters: text.chars().count(),
            });
        }
        Ok(())
    }
}

/// Implements the two traits for an attribute whose value is a UTF-8 string newtype, with the
/// length rule `$limit` (a [`TextLimit`] variant).
macro_rules! text_attribute {
    ($ty:ident, $attr:ident, $limit:ident) => {
        impl<'a> $crate::attributes::DecodeAttribute<'a> for $ty<'a> {
            const TYPE: $crate::attributes::AttributeType =
                $crate::attributes::AttributeType::$attr;

            fn decode(
                value: &'a [u8],
                _: &$crate::header::TransactionId,
            ) -> Result<Self, $crate::error::DecodeError> {
                let text = $crate::attributes::utf8(Self::TYPE, value)?;
                $crate::attributes::TextLimit::$limit.check_decode(Self::TYPE, text)?;
                Ok($ty(text))
            }
        }

        impl $crate::attributes::EncodeAttribute for $ty<'_> {
            fn attribute_type(&self) -> $crate::attributes::AttributeType {
                $crate::attributes::AttributeType::$attr
            }

            fn encode_value(
                &self,
                _: &$crate::header::TransactionId,
                out: &mut Vec<u8>,
            ) -> Result<(), $crate::error::EncodeError> {
                $crate::attributes::TextLimit::$limit
                    .check_encode($crate::attributes::AttributeType::$attr, self.0)?;
                out.extend_from_slice(self.0.as_bytes());
                Ok(())
            }
        }
    };
}
pub(crate) use text_attribute;

/// Implements the two traits for an attribute with an empty value (a flag).
macro_rules! flag_attribute {
    ($ty:ident, $attr:ident) => {
        impl<'a> $crate::attributes::DecodeAttribute<'a> for $ty {
            const TYPE: $crate::attributes::AttributeType =
                $crate::attributes::AttributeType::$attr;

            fn decode(
                value: &'a [u8],
                _: &$crate::header::TransactionId,
            ) -> Result<Self, $crate::error::DecodeError> {
                $crate::attributes::exact::<0>(Self::TYPE, value).map(|_| $ty)
            }
        }

        impl $crate::attributes::EncodeAttribute for $ty {
            fn attribute_type(&self) -> $crate::attributes::AttributeType {
                $crate::attributes::AttributeType::$attr
            }

            fn encode_value(
                &self,
                _: &$crate::header::TransactionId,
                _: &mut Vec<u8>,
            ) -> Result<(), $crate::error::EncodeError> {
                Ok(())
            }
        }
    };
}
pub(crate) use flag_attribute;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comprehension_ranges() {
        assert!(AttributeType::USERNAME.is_comprehension_required());
        assert!(AttributeType(0x7FFF).is_comprehension_required());
        assert!(!AttributeType(0x8000).is_comprehension_required());
        assert!(!AttributeType::FINGERPRINT.is_comprehension_required());
        assert!(!AttributeType::GOOG_NETWORK_INFO.is_known());
        assert!(AttributeType::ICMP.is_known());
        assert_eq!(
            AttributeType::XOR_MAPPED_ADDRESS.to_string(),
            "XOR-MAPPED-ADDRESS"
        );
        assert_eq!(AttributeType(0xC057).to_string(), "0xc057");
    }

    use crate::attributes::auth::{Nonce, Realm, Username};
    use crate::attributes::error_code::{AddressErrorCode, ErrorCode};
    use crate::attributes::general::{AlternateDomain, Software};

    const ID: TransactionId = TransactionId::new([0; 12]);

    fn encode(attribute: impl EncodeAttribute) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        attribute.encode_value(&ID, &mut out).map(|()| out)
    }

    fn too_long_enc(attribute: AttributeType, text: &str) -> Result<Vec<u8>, EncodeError> {
        Err(EncodeError::TextTooLong {
            attribute,
            bytes: text.len(),
            characters: text.chars().count(),
        })
    }

    fn too_long_dec<T>(attribute: AttributeType, text: &str) -> Result<T, DecodeError> {
        Err(DecodeError::TextTooLong {
            attribute,
            bytes: text.len(),
            characters: text.chars().count(),
        })
    }

    #[test]
    fn username_limits_in_bytes() {
        let ok = "a".repeat(508);
        let over = "a".repeat(509);
        assert_eq!(encode(Username(&ok)), Ok(ok.clone().into_bytes()));
        assert_eq!(
            encode(Username(&over)),
            too_long_enc(AttributeType::USERNAME, &over)
        );
        // Bytes, not characters: 127 four-byte characters are 508 bytes, one more ASCII is 509.
        let wide = "\u{1F600}".repeat(127);
        assert!(encode(Username(&wide)).is_ok());
        let wide_over = format!("{wide}a");
        assert!(encode(Username(&wide_over)).is_err());
        // Received: up to 763 bytes (RFC 5389 senders), not 764.
        let max = "b".repeat(763);
        assert_eq!(Username::decode(max.as_bytes(), &ID), Ok(Username(&max)));
        let past = "b".repeat(764);
        assert_eq!(
            Username::decode(past.as_bytes(), &ID),
            too_long_dec(AttributeType::USERNAME, &past)
        );
    }

    #[test]
    fn realm_and_nonce_limits_in_characters_both_ways() {
        // 127 characters of 4 bytes each (508 bytes) pass; 128 one-byte characters do not.
        let ok = "\u{10348}".repeat(127);
        let over = "n".repeat(128);
        for t in [AttributeType::REALM, AttributeType::NONCE] {
            let (enc_ok, enc_over) = if t == AttributeType::REALM {
                (encode(Realm(&ok)), encode(Realm(&over)))
            } else {
                (encode(Nonce(&ok)), encode(Nonce(&over)))
            };
            assert_eq!(enc_ok, Ok(ok.clone().into_bytes()));
            assert_eq!(enc_over, too_long_enc(t, &over));
        }
        assert_eq!(Realm::decode(ok.as_bytes(), &ID), Ok(Realm(&ok)));
        assert_eq!(Nonce::decode(ok.as_bytes(), &ID), Ok(Nonce(&ok)));
        assert_eq!(
            Realm::decode(over.as_bytes(), &ID),
            too_long_dec(AttributeType::REALM, &over)
        );
        assert_eq!(
            Nonce::decode(over.as_bytes(), &ID),
            too_long_dec(AttributeType::NONCE, &over)
        );
        assert!(Nonce::decode("n".repeat(127).as_bytes(), &ID).is_ok());
    }

    #[test]
    fn software_and_reason_limits_only_on_send() {
        let ok = "\u{e9}".repeat(127);
        let over = "s".repeat(128);
        assert!(encode(Software(&ok)).is_ok());
        assert_eq!(
            encode(Software(&over)),
            too_long_enc(AttributeType::SOFTWARE, &over)
        );
        assert!(encode(ErrorCode::new(400, &ok)).is_ok());
        assert_eq!(
            encode(ErrorCode::new(400, &over)),
            too_long_enc(AttributeType::ERROR_CODE, &over)
        );
        let family = address::AddressFamily::Ipv4;
        assert!(
            encode(AddressErrorCode {
                family,
                code: 440,
                reason: &ok
            })
            .is_ok()
        );
        assert_eq!(
            encode(AddressErrorCode {
                family,
                code: 440,
                reason: &over
            }),
            too_long_enc(AttributeType::ADDRESS_ERROR_CODE, &over)
        );
        // Received: lenient, whatever the length.
        let long = "r".repeat(2000);
        assert_eq!(Software::decode(long.as_bytes(), &ID), Ok(Software(&long)));
        let mut value = vec![0, 0, 4, 0];
        value.extend_from_slice(long.as_bytes());
        assert_eq!(
            ErrorCode::decode(&value, &ID),
            Ok(ErrorCode::new(400, &long))
        );
        value[0] = 1;
        assert!(AddressErrorCode::decode(&value, &ID).is_ok());
    }

    #[test]
    fn alternate_domain_is_ascii_up_to_255() {
        let ok = "d".repeat(255);
        let over = "d".repeat(256);
        assert!(encode(AlternateDomain(&ok)).is_ok());
        assert_eq!(
            encode(AlternateDomain(&over)),
            too_long_enc(AttributeType::ALTERNATE_DOMAIN, &over)
        );
        assert_eq!(
            encode(AlternateDomain("b\u{fc}cher.example")),
            Err(EncodeError::NotAscii {
                attribute: AttributeType::ALTERNATE_DOMAIN
            })
        );
        assert!(encode(AlternateDomain("xn--bcher-kva.example")).is_ok());
        // Received: lenient.
        assert!(AlternateDomain::decode(over.as_bytes(), &ID).is_ok());
        assert!(AlternateDomain::decode("b\u{fc}cher.example".as_bytes(), &ID).is_ok());
    }

    #[test]
    fn padding_to_four() {
        assert_eq!([0, 1, 2, 3, 4, 5, 9].map(padding), [0, 3, 2, 1, 0, 3, 3]);
    }
}
