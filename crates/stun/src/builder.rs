//! [`MessageBuilder`]: encodes a STUN message attribute by attribute into one buffer
//! (RFC 8489 §5, §14), computing MESSAGE-INTEGRITY (§14.5), MESSAGE-INTEGRITY-SHA256 (§14.6)
//! and FINGERPRINT (§14.7) in place with the header length adjusted as those sections require.
//!
//! Errors (an oversized value, an attribute after MESSAGE-INTEGRITY, ...) are kept and returned
//! by [`MessageBuilder::build`], so calls chain without `?` at every step. The buffer can be
//! recycled with [`MessageBuilder::with_buffer`] so steady-state encoding does not allocate.

use std::net::SocketAddr;

use crate::attributes::address::XorMappedAddress;
use crate::attributes::auth::{Nonce, Realm, Username};
use crate::attributes::error_code::ErrorCode;
use crate::attributes::general::Software;
use crate::attributes::ice::{IceControlled, IceControlling, Priority, UseCandidate};
use crate::attributes::{AttributeType, EncodeAttribute, padding};
use crate::error::EncodeError;
use crate::header::{
    Class, HEADER_LEN, Header, MAX_MESSAGE_LEN, MessageType, Method, TransactionId,
};
use crate::integrity::{IntegrityKey, fingerprint};

/// How far the message has got past the integrity attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Attributes,
    AfterIntegrity,
    AfterIntegritySha256,
    AfterFingerprint,
}

/// Encodes one STUN message.
///
/// ```
/// use rtcpeer_stun::{IntegrityKey, Message, MessageBuilder, TransactionId};
///
/// let key = IntegrityKey::short_term("remote-pwd");
/// let bytes = MessageBuilder::binding_request(TransactionId::new([1; 12]))
///     .username("remote:local")
///     .priority(0x6e00_01ff)
///     .ice_controlling(42)
///     .use_candidate()
///     .message_integrity(&key)
///     .fingerprint()
///     .build()
///     .unwrap();
/// let message = Message::decode(&bytes).unwrap();
/// assert!(message.verify_integrity(&key).is_ok());
/// assert!(message.verify_fingerprint().is_ok());
/// assert!(message.use_candidate());
/// ```
#[derive(Debug, Clone)]
pub struct MessageBuilder {
    buf: Vec<u8>,
    transaction_id: TransactionId,
    stage: Stage,
    error: Option<EncodeError>,
}

impl MessageBuilder {
    /// A message of this type and transaction id, with no attributes yet.
    pub fn new(message_type: MessageType, transaction_id: TransactionId) -> MessageBuilder {
        MessageBuilder::with_buffer(Vec::with_capacity(128), message_type, transaction_id)
    }

    /// Like [`MessageBuilder::new`], but writes into `buf` (cleared first), reusing its
    /// allocation.
    pub fn with_buffer(
        mut buf: Vec<u8>,
        message_type: MessageType,
        transaction_id: TransactionId,
    ) -> MessageBuilder {
        buf.clear();
        let header = Header {
            message_type,
            length: 0,
            transaction_id,
        };
        buf.extend_from_slice(&header.to_bytes());
        MessageBuilder {
            buf,
            transaction_id,
            stage: Stage::Attributes,
            error: None,
        }
    }

    /// A request of `method`.
    pub fn request(method: Method, transaction_id: TransactionId) -> MessageBuilder {
        MessageBuilder::new(MessageType::new(method, Class::Request), transaction_id)
    }

    /// An indication of `method`.
    pub fn indication(method: Method, transaction_id: TransactionId) -> MessageBuilder {
        MessageBuilder::new(MessageType::new(method, Class::Indication), transaction_id)
    }

    /// A success response of `method`.
    pub fn success_response(method: Method, transaction_id: TransactionId) -> MessageBuilder {
        MessageBuilder::new(
            MessageType::new(method, Class::SuccessResponse),
            transaction_id,
        )
    }

    /// An error response of `method`, with ERROR-CODE already added.
    pub fn error_response(
        method: Method,
        transaction_id: TransactionId,
        error: ErrorCode<'_>,
    ) -> MessageBuilder {
        MessageBuilder::new(
            MessageType::new(method, Class::ErrorResponse),
            transaction_id,
        )
        .with(error)
    }

    /// A Binding request (STUN reflexive-address discovery, ICE connectivity checks).
    pub fn binding_request(transaction_id: TransactionId) -> MessageBuilder {
        MessageBuilder::new(MessageType::BINDING_REQUEST, transaction_id)
    }

    /// A Binding success response.
    pub fn binding_success(transaction_id: TransactionId) -> MessageBuilder {
        MessageBuilder::new(MessageType::BINDING_SUCCESS, transaction_id)
    }

    /// A Binding indication (ICE keepalive, RFC 8445 §11).
    pub fn binding_indication(transaction_id: TransactionId) -> MessageBuilder {
        MessageBuilder::new(MessageType::BINDING_INDICATION, transaction_id)
    }

    /// The transaction id being written.
    pub fn transaction_id(&self) -> TransactionId {
        self.transaction_id
    }

    /// Bytes written so far, header included.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Always `false`: the header is always there. (For API symmetry with [`Self::len`].)
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Moves to the stage an attribute of type `t` leads to, or records why it may not be added.
    fn advance(&mut self, t: AttributeType) -> bool {
        let (allowed, next) = match t {
            AttributeType::MESSAGE_INTEGRITY => {
                (self.stage == Stage::Attributes, Stage::AfterIntegrity)
            }
            AttributeType::MESSAGE_INTEGRITY_SHA256 => (
                self.stage < Stage::AfterIntegritySha256,
                Stage::AfterIntegritySha256,
            ),
            AttributeType::FINGERPRINT => (
                self.stage < Stage::AfterFingerprint,
                Stage::AfterFingerprint,
            ),
            _ => (self.stage == Stage::Attributes, Stage::Attributes),
        };
        if allowed {
            self.stage = next;
        } else {
            self.error = Some(if self.stage == Stage::AfterFingerprint {
                EncodeError::AttributeAfterFingerprint { attribute: t }
            } else {
                EncodeError::AttributeAfterIntegrity { attribute: t }
            });
        }
        allowed
    }

    /// Sets the header's length field to `end - 20` (callers keep `end` within bounds).
    fn set_length(&mut self, end: usize) {
        let len = u16::try_from(end - HEADER_LEN).unwrap_or(u16::MAX);
        if let Some(field) = self.buf.get_mut(2..4) {
            field.copy_from_slice(&len.to_be_bytes());
        }
    }

    /// Whether an attribute with a value of `value_len` bytes still fits.
    fn fits(&mut self, value_len: usize) -> bool {
        let length = self.buf.len() - HEADER_LEN + 4 + value_len + padding(value_len);
        if length > MAX_MESSAGE_LEN {
            self.error = Some(EncodeError::MessageTooLong { length });
            false
        } else {
            true
        }
    }

    /// Appends an attribute. Attributes of type MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT
    /// added this way are copied as given (use [`Self::push_message_integrity`] etc. to compute
    /// them) but obey the same ordering rules.
    pub fn push(&mut self, attribute: impl EncodeAttribute) -> &mut Self {
        if self.error.is_some() {
            return self;
        }
        let t = attribute.attribute_type();
        let stage = self.stage;
        if !self.advance(t) {
            return self;
        }
        let start = self.buf.len();
        self.buf.extend_from_slice(&t.0.to_be_bytes());
        self.buf.extend_from_slice(&[0, 0]);
        let written = attribute
            .encode_value(&self.transaction_id, &mut self.buf)
            .and_then(|()| {
                let value_len = self.buf.len() - start - 4;
                let len16 = u16::try_from(value_len).map_err(|_| EncodeError::ValueTooLong {
                    attribute: t,
                    length: value_len,
                })?;
                let length = self.buf.len() + padding(value_len) - HEADER_LEN;
                if length > MAX_MESSAGE_LEN {
                    return Err(EncodeError::MessageTooLong { length });
                }
                Ok((len16, padding(value_len)))
            });
        match written {
            Ok((len16, pad)) => {
                if let Some(field) = self.buf.get_mut(start + 2..start + 4) {
                    field.copy_from_slice(&len16.to_be_bytes());
                }
                self.buf.resize(self.buf.len() + pad, 0);
            }
            Err(e) => {
                self.buf.truncate(start);
                self.stage = stage;
                self.error = Some(e);
            }
        }
        self
    }

    /// Appends an attribute (by-value form of [`Self::push`], for chaining).
    pub fn with(mut self, attribute: impl EncodeAttribute) -> Self {
        self.push(attribute);
        self
    }

    /// Computes and appends MESSAGE-INTEGRITY (HMAC-SHA1 with `key`, RFC 8489 §14.5).
    pub fn push_message_integrity(&mut self, key: &IntegrityKey) -> &mut Self {
        self.push_hmac(AttributeType::MESSAGE_INTEGRITY, 20, |header, body| {
            key.hmac_sha1(header, body)
        })
    }

    /// Computes and appends MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256 with `key`, untruncated,
    /// RFC 8489 §14.6).
    pub fn push_message_integrity_sha256(&mut self, key: &IntegrityKey) -> &mut Self {
        self.push_hmac(
            AttributeType::MESSAGE_INTEGRITY_SHA256,
            32,
            |header, body| key.hmac_sha256(header, body),
        )
    }

    fn push_hmac(
        &mut self,
        t: AttributeType,
        len: usize,
        hmac: impl FnOnce(&[u8], &[u8]) -> aws_lc_rs::hmac::Tag,
    ) -> &mut Self {
        if self.error.is_some() || !self.fits(len) {
            return self;
        }
        if !self.advance(t) {
            return self;
        }
        let start = self.buf.len();
        // The HMAC covers everything before the attribute, with the length counting it.
        self.set_length(start + 4 + len);
        let tag = hmac(&self.buf, &[]);
        self.buf.extend_from_slice(&t.0.to_be_bytes());
        self.buf.extend_from_slice(&(len as u16).to_be_bytes());
        self.buf
            .extend_from_slice(tag.as_ref().get(..len).unwrap_or_default());
        self
    }

    /// Computes and appends FINGERPRINT (RFC 8489 §14.7). It must be the last attribute.
    pub fn push_fingerprint(&mut self) -> &mut Self {
        if self.error.is_some() || !self.fits(4) || !self.advance(AttributeType::FINGERPRINT) {
            return self;
        }
        let start = self.buf.len();
        self.set_length(start + 8);
        let crc = fingerprint(&self.buf);
        self.buf
            .extend_from_slice(&AttributeType::FINGERPRINT.0.to_be_bytes());
        self.buf.extend_from_slice(&4u16.to_be_bytes());
        self.buf.extend_from_slice(&crc.to_be_bytes());
        self
    }

    /// Computes and appends MESSAGE-INTEGRITY (by-value form of
    /// [`Self::push_message_integrity`]).
    pub fn message_integrity(mut self, key: &IntegrityKey) -> Self {
        self.push_message_integrity(key);
        self
    }

    /// Computes and appends MESSAGE-INTEGRITY-SHA256 (by-value form of
    /// [`Self::push_message_integrity_sha256`]).
    pub fn message_integrity_sha256(mut self, key: &IntegrityKey) -> Self {
        self.push_message_integrity_sha256(key);
        self
    }

    /// Computes and appends FINGERPRINT (by-value form of [`Self::push_fingerprint`]).
    pub fn fingerprint(mut self) -> Self {
        self.push_fingerprint();
        self
    }

    /// Adds USERNAME.
    pub fn username(self, username: &str) -> Self {
        self.with(Username(username))
    }

    /// Adds REALM.
    pub fn realm(self, realm: &str) -> Self {
        self.with(Realm(realm))
    }

    /// Adds NONCE.
    pub fn nonce(self, nonce: &str) -> Self {
        self.with(Nonce(nonce))
    }

    /// Adds SOFTWARE.
    pub fn software(self, software: &str) -> Self {
        self.with(Software(software))
    }

    /// Adds PRIORITY.
    pub fn priority(self, priority: u32) -> Self {
        self.with(Priority(priority))
    }

    /// Adds USE-CANDIDATE.
    pub fn use_candidate(self) -> Self {
        self.with(UseCandidate)
    }

    /// Adds ICE-CONTROLLING with this tie-breaker.
    pub fn ice_controlling(self, tie_breaker: u64) -> Self {
        self.with(IceControlling(tie_breaker))
    }

    /// Adds ICE-CONTROLLED with this tie-breaker.
    pub fn ice_controlled(self, tie_breaker: u64) -> Self {
        self.with(IceControlled(tie_breaker))
    }

    /// Adds XOR-MAPPED-ADDRESS.
    pub fn xor_mapped_address(self, address: SocketAddr) -> Self {
        self.with(XorMappedAddress(address))
    }

    /// The encoded message, or the first error met while building it.
    pub fn build(mut self) -> Result<Vec<u8>, EncodeError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let end = self.buf.len();
        self.set_length(end);
        Ok(self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::turn::Data;
    use crate::message::Message;

    const ID: TransactionId = TransactionId::new([3; 12]);

    #[test]
    fn integrity_then_fingerprint_verify() {
        let key = IntegrityKey::short_term("pwd");
        let bytes = MessageBuilder::binding_request(ID)
            .username("a:b")
            .message_integrity(&key)
            .message_integrity_sha256(&key)
            .fingerprint()
            .build()
            .unwrap();
        let m = Message::decode(&bytes).unwrap();
        assert_eq!(m.verify_message_integrity(&key), Ok(()));
        assert_eq!(m.verify_message_integrity_sha256(&key), Ok(()));
        assert_eq!(m.verify_fingerprint(), Ok(()));
        let wrong = IntegrityKey::short_term("pwe");
        assert_eq!(
            m.verify_integrity(&wrong),
            Err(crate::DecodeError::IntegrityMismatch)
        );
    }

    #[test]
    fn ordering_rules() {
        let key = IntegrityKey::short_term("pwd");
        assert_eq!(
            MessageBuilder::binding_request(ID)
                .message_integrity(&key)
                .priority(1)
                .build(),
            Err(EncodeError::AttributeAfterIntegrity {
                attribute: AttributeType::PRIORITY
            })
        );
        assert_eq!(
            MessageBuilder::binding_request(ID)
                .fingerprint()
                .message_integrity(&key)
                .build(),
            Err(EncodeError::AttributeAfterFingerprint {
                attribute: AttributeType::MESSAGE_INTEGRITY
            })
        );
        assert_eq!(
            MessageBuilder::binding_request(ID)
                .message_integrity_sha256(&key)
                .message_integrity(&key)
                .build(),
            Err(EncodeError::AttributeAfterIntegrity {
                attribute: AttributeType::MESSAGE_INTEGRITY
            })
        );
        assert!(
            MessageBuilder::binding_request(ID)
                .fingerprint()
                .fingerprint()
                .build()
                .is_err()
        );
    }

    #[test]
    fn size_limits() {
        let big = vec![0u8; 70_000];
        assert_eq!(
            MessageBuilder::indication(Method::SEND, ID)
                .with(Data(&big))
                .build(),
            Err(EncodeError::ValueTooLong {
                attribute: AttributeType::DATA,
                length: 70_000
            })
        );
        let near = vec![0u8; 65_000];
        assert!(matches!(
            MessageBuilder::indication(Method::SEND, ID)
                .with(Data(&near))
                .with(Data(&near[..1000]))
                .build(),
            Err(EncodeError::MessageTooLong { .. })
        ));
        // Exactly the largest message fits, and its length field is right.
        let max = MessageBuilder::indication(Method::SEND, ID)
            .with(Data(&vec![0u8; MAX_MESSAGE_LEN - 4]))
            .build()
            .unwrap();
        assert_eq!(max.len(), HEADER_LEN + MAX_MESSAGE_LEN);
        assert!(Message::decode(&max).is_ok());
        assert!(matches!(
            MessageBuilder::indication(Method::SEND, ID)
                .with(Data(&vec![0u8; MAX_MESSAGE_LEN - 4]))
                .fingerprint()
                .build(),
            Err(EncodeError::MessageTooLong { .. })
        ));
        assert_eq!(
            MessageBuilder::error_response(Method::BINDING, ID, ErrorCode::new(200, "")).build(),
            Err(EncodeError::BadErrorCode(200))
        );
    }

    #[test]
    fn text_limits_through_builder_and_decoder() {
        let long = "n".repeat(128);
        // The builder refuses an over-long NONCE, and keeps the first error.
        assert_eq!(
            MessageBuilder::binding_request(ID)
                .nonce(&long)
                .priority(1)
                .build(),
            Err(EncodeError::TextTooLong {
                attribute: AttributeType::NONCE,
                bytes: 128,
                characters: 128
            })
        );
        // One written raw is rejected on receipt; an over-long SOFTWARE is accepted.
        let raw = |t| crate::RawAttribute {
            attribute_type: t,
            value: long.as_bytes(),
        };
        let bytes = MessageBuilder::binding_success(ID)
            .with(raw(AttributeType::NONCE))
            .build()
            .unwrap();
        assert_eq!(
            Message::decode(&bytes).err(),
            Some(crate::DecodeError::TextTooLong {
                attribute: AttributeType::NONCE,
                bytes: 128,
                characters: 128
            })
        );
        let bytes = MessageBuilder::binding_success(ID)
            .with(raw(AttributeType::SOFTWARE))
            .build()
            .unwrap();
        assert_eq!(
            Message::decode(&bytes).unwrap().software(),
            Some(long.as_str())
        );
    }

    #[test]
    fn buffer_is_reused() {
        let first = MessageBuilder::binding_request(ID)
            .priority(7)
            .build()
            .unwrap();
        let capacity = first.capacity();
        let again = MessageBuilder::with_buffer(first, MessageType::BINDING_SUCCESS, ID)
            .xor_mapped_address("192.0.2.1:9".parse().unwrap())
            .build()
            .unwrap();
        assert_eq!(again.capacity(), capacity);
        let m = Message::decode(&again).unwrap();
        assert_eq!(m.message_type(), MessageType::BINDING_SUCCESS);
        assert_eq!(m.xor_mapped_address(), Some("192.0.2.1:9".parse().unwrap()));
        assert_eq!(m.priority(), None);
    }
}
