//! The two error types of the codec: [`DecodeError`] for what a peer sent (malformed or
//! unauthentic input), [`EncodeError`] for what the caller asked to send (misuse).
//!
//! Keeping them apart lets the layers above tell "drop this datagram and count it" from "this is a
//! bug in our own code". Neither ever carries key material.

use crate::attributes::AttributeType;

/// Why bytes received from the network are not an acceptable STUN or ChannelData message.
///
/// Every failure of [`Message::decode`](crate::Message::decode), the integrity and fingerprint
/// checks, and [`ChannelData::decode`](crate::ChannelData::decode) is one of these; none panics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Fewer bytes than the structure being read needs.
    #[error("truncated: {needed} bytes needed, {available} available")]
    Truncated {
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes there are.
        available: usize,
    },
    /// The two most significant bits of the message type are not zero (RFC 8489 §5), so this is
    /// not STUN.
    #[error("not a STUN message: the two leading bits are not zero")]
    NotStun,
    /// The magic cookie is not 0x2112A442 (RFC 8489 §5); RFC 3489 messages are not supported.
    #[error("bad magic cookie {0:#010x}")]
    BadMagicCookie(u32),
    /// The message length is not a multiple of 4 (RFC 8489 §5).
    #[error("message length {0} is not a multiple of 4")]
    UnalignedLength(u16),
    /// The header's message length disagrees with the number of bytes received.
    #[error("message length says {declared} bytes of attributes, {actual} were received")]
    LengthMismatch {
        /// Attribute bytes the header declares.
        declared: usize,
        /// Attribute bytes actually present.
        actual: usize,
    },
    /// An attribute (with its padding) runs past the end of the message (RFC 8489 §14).
    #[error("attribute {attribute} runs past the end of the message")]
    AttributeOverrun {
        /// The attribute's type.
        attribute: AttributeType,
    },
    /// An attribute's length is wrong for its type (for example an IPv4 address that is not 8
    /// bytes, or a USE-CANDIDATE that is not empty).
    #[error("attribute {attribute} has invalid length {length}")]
    BadAttributeLength {
        /// The attribute's type.
        attribute: AttributeType,
        /// Its value length.
        length: usize,
    },
    /// A text attribute (USERNAME, REALM, NONCE, SOFTWARE, reason phrases, ...) is not UTF-8.
    #[error("attribute {attribute} is not valid UTF-8")]
    InvalidUtf8 {
        /// The attribute's type.
        attribute: AttributeType,
    },
    /// An address family other than 0x01 (IPv4) or 0x02 (IPv6) (RFC 8489 §14.1).
    #[error("unknown address family {family:#04x} in {attribute}")]
    UnknownAddressFamily {
        /// The attribute's type.
        attribute: AttributeType,
        /// The family byte received.
        family: u8,
    },
    /// An ERROR-CODE or ADDRESS-ERROR-CODE whose class is not 3–6 or whose number is not 0–99
    /// (RFC 8489 §14.8).
    #[error("error code class {class} number {number} is out of range")]
    BadErrorCode {
        /// The hundreds digit received.
        class: u8,
        /// The remainder received.
        number: u8,
    },
    /// An attribute follows FINGERPRINT, which must be the last attribute (RFC 8489 §14.7).
    #[error("an attribute follows FINGERPRINT")]
    AttributeAfterFingerprint,
    /// Integrity was asked to be verified but the message carries neither MESSAGE-INTEGRITY nor
    /// MESSAGE-INTEGRITY-SHA256 (or not the one asked for).
    #[error("no MESSAGE-INTEGRITY attribute to verify")]
    MissingIntegrity,
    /// The MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 value does not match the key.
    #[error("MESSAGE-INTEGRITY does not match")]
    IntegrityMismatch,
    /// The fingerprint was asked to be verified but the message has no FINGERPRINT.
    #[error("no FINGERPRINT attribute to verify")]
    MissingFingerprint,
    /// The FINGERPRINT value does not match the message (RFC 8489 §14.7).
    #[error("FINGERPRINT does not match")]
    FingerprintMismatch,
    /// A ChannelData message whose channel number is outside 0x4000–0x4FFF (RFC 8656 §12).
    #[error("channel number {0:#06x} is outside 0x4000-0x4FFF")]
    BadChannelNumber(u16),
    /// A text attribute longer than a receiver accepts: a USERNAME over 763 bytes (RFC 8489
    /// §14.3), or a REALM or NONCE of 128 characters or more (§14.9, §14.10). See
    /// [`attributes`](crate::attributes) for the limits of each attribute.
    #[error("{attribute} value of {bytes} bytes ({characters} characters) is too long")]
    TextTooLong {
        /// The attribute's type.
        attribute: AttributeType,
        /// Its length in bytes.
        bytes: usize,
        /// Its length in characters (Unicode scalar values).
        characters: usize,
    },
}

/// Why a message could not be encoded as the caller asked. These are bugs of the caller, not of
/// the peer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// An attribute value longer than 65535 bytes.
    #[error("attribute {attribute} value of {length} bytes is longer than 65535")]
    ValueTooLong {
        /// The attribute's type.
        attribute: AttributeType,
        /// The value length asked for.
        length: usize,
    },
    /// The attributes together exceed the 65532 bytes a message length can describe.
    #[error("message of {length} attribute bytes is longer than 65532")]
    MessageTooLong {
        /// The attribute bytes asked for.
        length: usize,
    },
    /// An attribute other than MESSAGE-INTEGRITY-SHA256 or FINGERPRINT was added after
    /// MESSAGE-INTEGRITY (or anything but FINGERPRINT after MESSAGE-INTEGRITY-SHA256): the peer
    /// would ignore it (RFC 8489 §14.5, §14.6).
    #[error("attribute {attribute} added after MESSAGE-INTEGRITY")]
    AttributeAfterIntegrity {
        /// The attribute's type.
        attribute: AttributeType,
    },
    /// An attribute was added after FINGERPRINT, which must be last (RFC 8489 §14.7).
    #[error("attribute {attribute} added after FINGERPRINT")]
    AttributeAfterFingerprint {
        /// The attribute's type.
        attribute: AttributeType,
    },
    /// An error code outside 300–699 (RFC 8489 §14.8).
    #[error("error code {0} is outside 300-699")]
    BadErrorCode(u16),
    /// A ChannelData channel number outside 0x4000–0x4FFF (RFC 8656 §12).
    #[error("channel number {0:#06x} is outside 0x4000-0x4FFF")]
    BadChannelNumber(u16),
    /// ChannelData application data longer than 65535 bytes.
    #[error("ChannelData payload of {0} bytes is longer than 65535")]
    ChannelDataTooLong(usize),
    /// A text attribute longer than RFC 8489 lets a sender write: a USERNAME of 509 bytes or
    /// more (§14.3); a REALM, NONCE, SOFTWARE or reason phrase of 128 characters or more
    /// (§14.8–§14.10, §14.14); an ALTERNATE-DOMAIN over 255 characters (§14.16). See
    /// [`attributes`](crate::attributes) for the limits of each attribute.
    #[error("{attribute} value of {bytes} bytes ({characters} characters) is too long")]
    TextTooLong {
        /// The attribute's type.
        attribute: AttributeType,
        /// Its length in bytes.
        bytes: usize,
        /// Its length in characters (Unicode scalar values).
        characters: usize,
    },
    /// An ALTERNATE-DOMAIN that is not ASCII: it must be a DNS name, with internationalized
    /// labels as A-labels (RFC 8489 §14.16).
    #[error("{attribute} value is not ASCII")]
    NotAscii {
        /// The attribute's type.
        attribute: AttributeType,
    },
}
