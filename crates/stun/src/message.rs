//! [`Message`]: a decoded STUN message that borrows the bytes it was decoded from (RFC 8489
//! §5, §6.3, §14), with typed accessors and the MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT
//! checks (§14.5–§14.7) computed over the received bytes.
//!
//! Decoding walks the attributes once, without allocating: it checks the framing, validates the
//! value of every attribute the RFC says to process, notes where MESSAGE-INTEGRITY,
//! MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are, and whether an unknown comprehension-required
//! attribute is present. Following §14.5 and §14.6, attributes after MESSAGE-INTEGRITY other
//! than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (and after MESSAGE-INTEGRITY-SHA256 other
//! than FINGERPRINT) are ignored: framed, but neither validated nor exposed. FINGERPRINT must be
//! last (§14.7).

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::attributes::address::{
    MappedAddress, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use crate::attributes::any::{Attribute, RawAttribute};
use crate::attributes::auth::{Nonce, Realm, Username};
use crate::attributes::error_code::ErrorCode;
use crate::attributes::general::{Software, UnknownAttributes};
use crate::attributes::ice::{IceControlled, IceControlling, Priority};
use crate::attributes::turn::{ChannelNumber, Data, Lifetime};
use crate::attributes::{AttributeType, DecodeAttribute, padding};
use crate::builder::MessageBuilder;
use crate::error::DecodeError;
use crate::header::{Class, HEADER_LEN, Header, MessageType, Method, TransactionId};
use crate::integrity::{IntegrityKey, fingerprint, tags_match};

/// Where the decoder is relative to the integrity attributes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Attributes,
    AfterIntegrity,
    AfterIntegritySha256,
}

/// A decoded STUN message, borrowing the bytes it was decoded from.
///
/// It is small and `Copy`: the attributes are read from the bytes on demand.
#[derive(Clone, Copy)]
pub struct Message<'a> {
    raw: &'a [u8],
    header: Header,
    /// Offset where the attributes processed in order end: the first MESSAGE-INTEGRITY,
    /// MESSAGE-INTEGRITY-SHA256 or FINGERPRINT, or the end of the message.
    body_end: usize,
    integrity: Option<usize>,
    integrity_sha256: Option<usize>,
    fingerprint: Option<usize>,
    unknown_required: bool,
}

/// Reads the attribute at `pos`: its type, value and the offset after its padding.
fn read_tlv(raw: &[u8], pos: usize) -> Option<(RawAttribute<'_>, usize)> {
    let &[t0, t1, l0, l1] = raw.get(pos..pos.checked_add(4)?)? else {
        return None;
    };
    let attribute_type = AttributeType(u16::from_be_bytes([t0, t1]));
    let len = usize::from(u16::from_be_bytes([l0, l1]));
    let value = raw.get(pos + 4..pos + 4 + len)?;
    let next = pos + 4 + len + padding(len);
    (next <= raw.len()).then_some((
        RawAttribute {
            attribute_type,
            value,
        },
        next,
    ))
}

impl<'a> Message<'a> {
    /// Decodes one whole message: `buf` must be exactly the message (a UDP datagram, or a frame
    /// cut from a stream with [`Header::peek`]).
    pub fn decode(buf: &'a [u8]) -> Result<Message<'a>, DecodeError> {
        let header = Header::peek(buf)?;
        if header.message_len() != buf.len() {
            return Err(DecodeError::LengthMismatch {
                declared: usize::from(header.length),
                actual: buf.len().saturating_sub(HEADER_LEN),
            });
        }
        let id = header.transaction_id;
        let mut message = Message {
            raw: buf,
            header,
            body_end: buf.len(),
            integrity: None,
            integrity_sha256: None,
            fingerprint: None,
            unknown_required: false,
        };
        let mut stage = Stage::Attributes;
        let mut pos = HEADER_LEN;
        while pos < buf.len() {
            if message.fingerprint.is_some() {
                return Err(DecodeError::AttributeAfterFingerprint);
            }
            let Some((attr, next)) = read_tlv(buf, pos) else {
                let attribute = match buf.get(pos..pos + 2) {
                    Some(&[t0, t1]) => AttributeType(u16::from_be_bytes([t0, t1])),
                    _ => AttributeType(0),
                };
                return Err(DecodeError::AttributeOverrun { attribute });
            };
            let t = attr.attribute_type;
            match (t, stage) {
                (AttributeType::FINGERPRINT, _) => {
                    Attribute::validate(t, attr.value, &id)?;
                    message.fingerprint = Some(pos);
                    if stage == Stage::Attributes {
                        message.body_end = pos;
                    }
                }
                (AttributeType::MESSAGE_INTEGRITY, Stage::Attributes) => {
                    Attribute::validate(t, attr.value, &id)?;
                    message.integrity = Some(pos);
                    message.body_end = pos;
                    stage = Stage::AfterIntegrity;
                }
                (
                    AttributeType::MESSAGE_INTEGRITY_SHA256,
                    Stage::Attributes | Stage::AfterIntegrity,
                ) => {
                    Attribute::validate(t, attr.value, &id)?;
                    message.integrity_sha256 = Some(pos);
                    if stage == Stage::Attributes {
                        message.body_end = pos;
                    }
                    stage = Stage::AfterIntegritySha256;
                }
                (_, Stage::Attributes) => {
                    Attribute::validate(t, attr.value, &id)?;
                    if t.is_comprehension_required() && !t.is_known() {
                        message.unknown_required = true;
                    }
                }
                // Ignored: follows MESSAGE-INTEGRITY(-SHA256) (RFC 8489 §14.5, §14.6).
                _ => {}
            }
            pos = next;
        }
        Ok(message)
    }

    /// The bytes the message was decoded from.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Method and class.
    pub fn message_type(&self) -> MessageType {
        self.header.message_type
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.header.message_type.method
    }

    /// The class.
    pub fn class(&self) -> Class {
        self.header.message_type.class
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        self.header.transaction_id
    }

    /// The attributes to process, in order, raw: every attribute up to the first
    /// MESSAGE-INTEGRITY / MESSAGE-INTEGRITY-SHA256 / FINGERPRINT, then those three (each at
    /// most once). Ignored attributes after the integrity attributes are left out.
    pub fn raw_attributes(&self) -> RawAttributes<'a> {
        RawAttributes {
            raw: self.raw,
            pos: HEADER_LEN,
            end: self.body_end,
            tail: [self.integrity, self.integrity_sha256, self.fingerprint],
            tail_index: 0,
        }
    }

    /// The attributes to process, in order, decoded (see [`Message::raw_attributes`]).
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'a>> + use<'a> {
        let id = self.header.transaction_id;
        // Decoding validated every value these yield, so none is skipped.
        self.raw_attributes()
            .filter_map(move |a| a.decode(&id).ok())
    }

    /// The first attribute of type `T`, if present.
    pub fn get<T: DecodeAttribute<'a>>(&self) -> Option<T> {
        let id = self.header.transaction_id;
        self.raw_attributes()
            .find(|a| a.attribute_type == T::TYPE)
            .and_then(|a| T::decode(a.value, &id).ok())
    }

    /// Every attribute of type `T`, in order (XOR-PEER-ADDRESS may repeat in CreatePermission,
    /// RFC 8656 §9.1).
    pub fn get_all<T: DecodeAttribute<'a>>(&self) -> impl Iterator<Item = T> + use<'a, T> {
        let id = self.header.transaction_id;
        self.raw_attributes()
            .filter(|a| a.attribute_type == T::TYPE)
            .filter_map(move |a| T::decode(a.value, &id).ok())
    }

    /// Whether an attribute of this type is present (and not ignored).
    pub fn contains(&self, attribute_type: AttributeType) -> bool {
        self.raw_attributes()
            .any(|a| a.attribute_type == attribute_type)
    }

    /// Whether the message has comprehension-required attributes this crate does not know: a
    /// request with one must be answered with 420 and UNKNOWN-ATTRIBUTES, a response with one
    /// discarded (RFC 8489 §6.3.1–§6.3.3).
    pub fn has_unknown_comprehension_required(&self) -> bool {
        self.unknown_required
    }

    /// The comprehension-required attribute types this crate does not know, for
    /// UNKNOWN-ATTRIBUTES.
    pub fn unknown_comprehension_required(&self) -> impl Iterator<Item = AttributeType> + use<'a> {
        let any = self.unknown_required;
        self.raw_attributes()
            .take_while(move |_| any)
            .map(|a| a.attribute_type)
            .filter(|t| t.is_comprehension_required() && !t.is_known())
    }

    /// The UNKNOWN-ATTRIBUTES to send back in a 420 (Unknown Attribute) error response, or
    /// `None` if every comprehension-required attribute is known (RFC 8489 §6.3.1.1).
    pub fn unknown_attributes(&self) -> Option<UnknownAttributes> {
        self.unknown_required
            .then(|| UnknownAttributes(self.unknown_comprehension_required().collect()))
    }

    /// USERNAME.
    pub fn username(&self) -> Option<&'a str> {
        self.get::<Username>().map(|u| u.0)
    }

    /// REALM.
    pub fn realm(&self) -> Option<&'a str> {
        self.get::<Realm>().map(|r| r.0)
    }

    /// NONCE.
    pub fn nonce(&self) -> Option<&'a str> {
        self.get::<Nonce>().map(|n| n.0)
    }

    /// SOFTWARE.
    pub fn software(&self) -> Option<&'a str> {
        self.get::<Software>().map(|s| s.0)
    }

    /// ERROR-CODE.
    pub fn error_code(&self) -> Option<ErrorCode<'a>> {
        self.get::<ErrorCode>()
    }

    /// XOR-MAPPED-ADDRESS.
    pub fn xor_mapped_address(&self) -> Option<SocketAddr> {
        self.get::<XorMappedAddress>().map(|a| a.0)
    }

    /// MAPPED-ADDRESS.
    pub fn mapped_address(&self) -> Option<SocketAddr> {
        self.get::<MappedAddress>().map(|a| a.0)
    }

    /// The reflexive address a Binding response reports: XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS
    /// from an old server (RFC 8489 §14.1).
    pub fn reflexive_address(&self) -> Option<SocketAddr> {
        self.xor_mapped_address().or_else(|| self.mapped_address())
    }

    /// PRIORITY.
    pub fn priority(&self) -> Option<u32> {
        self.get::<Priority>().map(|p| p.0)
    }

    /// Whether USE-CANDIDATE is present.
    pub fn use_candidate(&self) -> bool {
        self.contains(AttributeType::USE_CANDIDATE)
    }

    /// The tie-breaker of ICE-CONTROLLING.
    pub fn ice_controlling(&self) -> Option<u64> {
        self.get::<IceControlling>().map(|c| c.0)
    }

    /// The tie-breaker of ICE-CONTROLLED.
    pub fn ice_controlled(&self) -> Option<u64> {
        self.get::<IceControlled>().map(|c| c.0)
    }

    /// LIFETIME.
    pub fn lifetime(&self) -> Option<Duration> {
        self.get::<Lifetime>().map(Lifetime::as_duration)
    }

    /// The first XOR-PEER-ADDRESS.
    pub fn xor_peer_address(&self) -> Option<SocketAddr> {
        self.get::<XorPeerAddress>().map(|a| a.0)
    }

    /// The first XOR-RELAYED-ADDRESS.
    pub fn xor_relayed_address(&self) -> Option<SocketAddr> {
        self.get::<XorRelayedAddress>().map(|a| a.0)
    }

    /// DATA.
    pub fn data(&self) -> Option<&'a [u8]> {
        self.get::<Data>().map(|d| d.0)
    }

    /// CHANNEL-NUMBER.
    pub fn channel_number(&self) -> Option<ChannelNumber> {
        self.get::<ChannelNumber>()
    }

    /// Whether MESSAGE-INTEGRITY is present.
    pub fn has_message_integrity(&self) -> bool {
        self.integrity.is_some()
    }

    /// Whether MESSAGE-INTEGRITY-SHA256 is present.
    pub fn has_message_integrity_sha256(&self) -> bool {
        self.integrity_sha256.is_some()
    }

    /// Whether FINGERPRINT is present.
    pub fn has_fingerprint(&self) -> bool {
        self.fingerprint.is_some()
    }

    /// Verifies the message's integrity with `key`: MESSAGE-INTEGRITY-SHA256 if present
    /// (the stronger one), otherwise MESSAGE-INTEGRITY (RFC 8489 §9.1.4, §9.2.4).
    pub fn verify_integrity(&self, key: &IntegrityKey) -> Result<(), DecodeError> {
        if self.integrity_sha256.is_some() {
            self.verify_message_integrity_sha256(key)
        } else {
            self.verify_message_integrity(key)
        }
    }

    /// Verifies MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) with `key`.
    pub fn verify_message_integrity(&self, key: &IntegrityKey) -> Result<(), DecodeError> {
        let offset = self.integrity.ok_or(DecodeError::MissingIntegrity)?;
        self.verify_hmac(offset, |header, body| key.hmac_sha1(header, body))
    }

    /// Verifies MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, possibly truncated, RFC 8489 §14.6)
    /// with `key`.
    pub fn verify_message_integrity_sha256(&self, key: &IntegrityKey) -> Result<(), DecodeError> {
        let offset = self.integrity_sha256.ok_or(DecodeError::MissingIntegrity)?;
        self.verify_hmac(offset, |header, body| key.hmac_sha256(header, body))
    }

    /// Checks the HMAC attribute at `offset`: the HMAC covers the message up to the attribute,
    /// with the header's length field counting up to the attribute's end.
    fn verify_hmac(
        &self,
        offset: usize,
        hmac: impl FnOnce(&[u8], &[u8]) -> aws_lc_rs::hmac::Tag,
    ) -> Result<(), DecodeError> {
        let (attr, end) = read_tlv(self.raw, offset).ok_or(DecodeError::MissingIntegrity)?;
        let (Some(header), Some(body)) = (
            self.raw.first_chunk::<HEADER_LEN>(),
            self.raw.get(HEADER_LEN..offset),
        ) else {
            return Err(DecodeError::MissingIntegrity);
        };
        let mut header = *header;
        // `end` is at most the message length, which fits the 16-bit field.
        let length = u16::try_from(end - HEADER_LEN).map_err(|_| DecodeError::MissingIntegrity)?;
        header[2..4].copy_from_slice(&length.to_be_bytes());
        let tag = hmac(&header, body);
        if tags_match(tag.as_ref(), attr.value) {
            Ok(())
        } else {
            Err(DecodeError::IntegrityMismatch)
        }
    }

    /// Verifies FINGERPRINT (RFC 8489 §14.7).
    pub fn verify_fingerprint(&self) -> Result<(), DecodeError> {
        let offset = self.fingerprint.ok_or(DecodeError::MissingFingerprint)?;
        let (attr, _) = read_tlv(self.raw, offset).ok_or(DecodeError::MissingFingerprint)?;
        let covered = self
            .raw
            .get(..offset)
            .ok_or(DecodeError::MissingFingerprint)?;
        // FINGERPRINT is the last attribute, so the length field already counts it.
        if attr.value == fingerprint(covered).to_be_bytes() {
            Ok(())
        } else {
            Err(DecodeError::FingerprintMismatch)
        }
    }

    /// A builder for the success response to this request: same method and transaction id.
    pub fn success_response(&self) -> MessageBuilder {
        MessageBuilder::new(
            MessageType::new(self.method(), Class::SuccessResponse),
            self.transaction_id(),
        )
    }

    /// A builder for an error response to this request: same method and transaction id, with
    /// ERROR-CODE already added.
    pub fn error_response(&self, error: ErrorCode<'_>) -> MessageBuilder {
        MessageBuilder::new(
            MessageType::new(self.method(), Class::ErrorResponse),
            self.transaction_id(),
        )
        .with(error)
    }

    /// A builder for a Binding request (shortcut for [`MessageBuilder::binding_request`]).
    pub fn binding_request(transaction_id: TransactionId) -> MessageBuilder {
        MessageBuilder::binding_request(transaction_id)
    }
}

impl fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("method", &self.method())
            .field("class", &self.class())
            .field("transaction_id", &self.transaction_id())
            .field("attributes", &Attributes(*self))
            .finish()
    }
}

/// Debug helper listing a message's attributes.
struct Attributes<'a>(Message<'a>);

impl fmt::Debug for Attributes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.attributes()).finish()
    }
}

/// Iterator over the raw attributes a [`Message`] processes (see
/// [`Message::raw_attributes`]).
#[derive(Debug, Clone)]
pub struct RawAttributes<'a> {
    raw: &'a [u8],
    pos: usize,
    end: usize,
    tail: [Option<usize>; 3],
    tail_index: usize,
}

impl<'a> Iterator for RawAttributes<'a> {
    type Item = RawAttribute<'a>;

    fn next(&mut self) -> Option<RawAttribute<'a>> {
        if self.pos < self.end {
            let Some((attr, next)) = read_tlv(self.raw, self.pos) else {
                self.pos = self.end;
                return None;
            };
            self.pos = next;
            return Some(attr);
        }
        while let Some(slot) = self.tail.get(self.tail_index) {
            self.tail_index += 1;
            if let Some(offset) = slot {
                return read_tlv(self.raw, *offset).map(|(a, _)| a);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::auth::MessageIntegrity;

    const ID: TransactionId = TransactionId::new([9; 12]);

    fn request(attrs: &[(u16, &[u8])]) -> Vec<u8> {
        let mut out = Header {
            message_type: MessageType::BINDING_REQUEST,
            length: 0,
            transaction_id: ID,
        }
        .to_bytes()
        .to_vec();
        for (t, v) in attrs {
            out.extend_from_slice(&t.to_be_bytes());
            out.extend_from_slice(&(v.len() as u16).to_be_bytes());
            out.extend_from_slice(v);
            out.resize(out.len() + padding(v.len()), 0);
        }
        let len = (out.len() - HEADER_LEN) as u16;
        out[2..4].copy_from_slice(&len.to_be_bytes());
        out
    }

    #[test]
    fn framing_errors() {
        let good = request(&[(0x8022, b"abc")]);
        assert!(Message::decode(&good).is_ok());
        assert!(matches!(
            Message::decode(&good[..good.len() - 4]),
            Err(DecodeError::LengthMismatch {
                declared: 8,
                actual: 4
            })
        ));
        let mut overrun = good.clone();
        overrun[23] = 9; // value length 9 > 4 bytes left
        assert_eq!(
            Message::decode(&overrun).map(|_| ()),
            Err(DecodeError::AttributeOverrun {
                attribute: AttributeType::SOFTWARE
            })
        );
        let mut bad_value = request(&[(0x0024, &[1, 2, 3])]);
        assert!(matches!(
            Message::decode(&bad_value),
            Err(DecodeError::BadAttributeLength { .. })
        ));
        bad_value[3] = 0;
        assert!(Message::decode(&bad_value[..20]).is_ok());
    }

    #[test]
    fn unknown_attributes_are_reported_or_kept() {
        let bytes = request(&[
            (0x0024, &[0, 0, 0, 1]),
            (0x7F01, b"what"),
            (0xC057, &[0, 1, 0, 2]),
            (0x0003, &[0, 0, 0, 0]),
        ]);
        let m = Message::decode(&bytes).unwrap();
        assert!(m.has_unknown_comprehension_required());
        assert_eq!(
            m.unknown_comprehension_required().collect::<Vec<_>>(),
            [AttributeType(0x7F01), AttributeType(0x0003)]
        );
        assert_eq!(m.priority(), Some(1));
        assert!(m.attributes().any(|a| a
            == Attribute::Unknown(RawAttribute {
                attribute_type: AttributeType::GOOG_NETWORK_INFO,
                value: &[0, 1, 0, 2]
            })));
        // The 420 answer a server or ICE agent sends back.
        let unknown = m.unknown_attributes().unwrap();
        let answer = m
            .error_response(ErrorCode::with_default_reason(ErrorCode::UNKNOWN_ATTRIBUTE))
            .with(&unknown)
            .build()
            .unwrap();
        let answer = Message::decode(&answer).unwrap();
        assert_eq!(answer.class(), Class::ErrorResponse);
        assert_eq!(answer.transaction_id(), ID);
        assert_eq!(answer.error_code().map(|e| e.code), Some(420));
        assert_eq!(
            answer.get::<UnknownAttributes>(),
            Some(UnknownAttributes(vec![
                AttributeType(0x7F01),
                AttributeType(0x0003)
            ]))
        );

        let plain = request(&[(0xC057, &[0, 1, 0, 2])]);
        let m = Message::decode(&plain).unwrap();
        assert!(!m.has_unknown_comprehension_required());
        assert_eq!(m.unknown_comprehension_required().count(), 0);
        assert_eq!(m.unknown_attributes(), None);
    }

    #[test]
    fn attributes_after_integrity_are_ignored_and_fingerprint_is_last() {
        let mi = [0u8; 20];
        let bytes = request(&[
            (0x0024, &[0, 0, 0, 1]),
            (0x0008, &mi),
            (0x0024, &[0, 0, 0, 2]),
            (0x7F01, b"zz"),
            (0x0013, &[0xff]),
            (0x8028, &[0, 0, 0, 0]),
        ]);
        let m = Message::decode(&bytes).unwrap();
        assert_eq!(m.get_all::<Priority>().collect::<Vec<_>>(), [Priority(1)]);
        assert!(!m.has_unknown_comprehension_required());
        assert_eq!(m.data(), None);
        assert_eq!(m.get::<MessageIntegrity>(), Some(MessageIntegrity(mi)));
        assert!(m.has_fingerprint());
        assert_eq!(m.raw_attributes().count(), 3);

        let after_fp = request(&[(0x8028, &[0, 0, 0, 0]), (0x0024, &[0, 0, 0, 1])]);
        assert_eq!(
            Message::decode(&after_fp).map(|_| ()),
            Err(DecodeError::AttributeAfterFingerprint)
        );
        // Malformed values after MESSAGE-INTEGRITY are not even validated.
        let ignored_bad = request(&[(0x0008, &mi), (0x0024, &[1])]);
        assert!(Message::decode(&ignored_bad).is_ok());
    }

    #[test]
    fn missing_checks_are_errors() {
        let bytes = request(&[]);
        let m = Message::decode(&bytes).unwrap();
        let key = IntegrityKey::short_term("pwd");
        assert_eq!(m.verify_integrity(&key), Err(DecodeError::MissingIntegrity));
        assert_eq!(m.verify_fingerprint(), Err(DecodeError::MissingFingerprint));
        assert_eq!(m.attributes().count(), 0);
        assert!(format!("{m:?}").contains("Binding"));
    }
}
