//! General-purpose attributes of RFC 8489: UNKNOWN-ATTRIBUTES (§14.13), SOFTWARE (§14.14) and
//! ALTERNATE-DOMAIN (§14.16).

use super::{AttributeType, DecodeAttribute, EncodeAttribute, text_attribute};
use crate::error::{DecodeError, EncodeError};
use crate::header::TransactionId;

/// SOFTWARE (RFC 8489 §14.14): the agent's name and version, for diagnostics. Fewer than 128
/// characters when sent; any length accepted (see
/// [the limits](crate::attributes#length-limits-of-text-attributes)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Software<'a>(pub &'a str);
text_attribute!(Software, SOFTWARE, CharactersOnSend);

/// ALTERNATE-DOMAIN (RFC 8489 §14.16): the domain name of the ALTERNATE-SERVER, for (D)TLS
/// certificate checks. ASCII and at most 255 characters when sent; any UTF-8 accepted (see
/// [the limits](crate::attributes#length-limits-of-text-attributes)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlternateDomain<'a>(pub &'a str);
text_attribute!(AlternateDomain, ALTERNATE_DOMAIN, Domain);

/// UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): in a 420 error response, the comprehension-required
/// attributes the server did not understand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct UnknownAttributes(pub Vec<AttributeType>);

impl UnknownAttributes {
    fn check_length(value: &[u8]) -> Result<(), DecodeError> {
        if value.len().is_multiple_of(2) {
            Ok(())
        } else {
            Err(DecodeError::BadAttributeLength {
                attribute: AttributeType::UNKNOWN_ATTRIBUTES,
                length: value.len(),
            })
        }
    }
}

impl<'a> DecodeAttribute<'a> for UnknownAttributes {
    const TYPE: AttributeType = AttributeType::UNKNOWN_ATTRIBUTES;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        UnknownAttributes::check_length(value)?;
        let (pairs, _) = value.as_chunks::<2>();
        Ok(UnknownAttributes(
            pairs
                .iter()
                .map(|p| AttributeType(u16::from_be_bytes(*p)))
                .collect(),
        ))
    }

    fn validate(value: &'a [u8], _: &TransactionId) -> Result<(), DecodeError> {
        UnknownAttributes::check_length(value)
    }
}

impl EncodeAttribute for UnknownAttributes {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::UNKNOWN_ATTRIBUTES
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        for t in &self.0 {
            out.extend_from_slice(&t.0.to_be_bytes());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: TransactionId = TransactionId::new([0; 12]);

    #[test]
    fn unknown_attributes_list() {
        let list = UnknownAttributes(vec![AttributeType(0x0003), AttributeType(0x7f00)]);
        let mut out = Vec::new();
        list.encode_value(&ID, &mut out).unwrap();
        assert_eq!(out, [0x00, 0x03, 0x7f, 0x00]);
        assert_eq!(UnknownAttributes::decode(&out, &ID), Ok(list));
        assert!(UnknownAttributes::decode(&out[..3], &ID).is_err());
        assert!(UnknownAttributes::validate(&out[..3], &ID).is_err());
    }

    #[test]
    fn software_text() {
        assert_eq!(
            Software::decode(b"STUN test client", &ID),
            Ok(Software("STUN test client"))
        );
        assert!(AlternateDomain::decode(&[0x80], &ID).is_err());
    }
}
