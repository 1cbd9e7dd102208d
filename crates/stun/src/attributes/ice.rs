//! ICE attributes of RFC 8445 §7.1: PRIORITY (§7.1.1), USE-CANDIDATE (§7.1.2),
//! ICE-CONTROLLED and ICE-CONTROLLING (§7.1.3) with the agent's 64-bit tie-breaker.

use super::{AttributeType, DecodeAttribute, EncodeAttribute, exact, flag_attribute};
use crate::error::{DecodeError, EncodeError};
use crate::header::TransactionId;

/// PRIORITY (RFC 8445 §7.1.1): the priority a peer-reflexive candidate learned from this check
/// would have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Priority(pub u32);

/// USE-CANDIDATE (RFC 8445 §7.1.2): the controlling agent nominates this pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UseCandidate;
flag_attribute!(UseCandidate, USE_CANDIDATE);

/// ICE-CONTROLLED (RFC 8445 §7.1.3): the sender thinks it is controlled; the value is its
/// tie-breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IceControlled(pub u64);

/// ICE-CONTROLLING (RFC 8445 §7.1.3): the sender thinks it is controlling; the value is its
/// tie-breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IceControlling(pub u64);

macro_rules! integer_attribute {
    ($ty:ident, $attr:ident, $int:ty) => {
        impl<'a> DecodeAttribute<'a> for $ty {
            const TYPE: AttributeType = AttributeType::$attr;

            fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
                exact(Self::TYPE, value).map(|v| $ty(<$int>::from_be_bytes(*v)))
            }
        }

        impl EncodeAttribute for $ty {
            fn attribute_type(&self) -> AttributeType {
                AttributeType::$attr
            }

            fn encode_value(
                &self,
                _: &TransactionId,
                out: &mut Vec<u8>,
            ) -> Result<(), EncodeError> {
                out.extend_from_slice(&self.0.to_be_bytes());
                Ok(())
            }
        }
    };
}
pub(crate) use integer_attribute;

integer_attribute!(Priority, PRIORITY, u32);
integer_attribute!(IceControlled, ICE_CONTROLLED, u64);
integer_attribute!(IceControlling, ICE_CONTROLLING, u64);

#[cfg(test)]
mod tests {
    use super::*;

    const ID: TransactionId = TransactionId::new([0; 12]);

    #[test]
    fn values_from_rfc_5769_sample_request() {
        assert_eq!(
            Priority::decode(&[0x6e, 0x00, 0x01, 0xff], &ID),
            Ok(Priority(0x6e0001ff))
        );
        assert_eq!(
            IceControlled::decode(&[0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36], &ID),
            Ok(IceControlled(0x932ff9b151263b36))
        );
        let mut out = Vec::new();
        IceControlling(1).encode_value(&ID, &mut out).unwrap();
        assert_eq!(out, [0, 0, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn wrong_lengths() {
        assert!(Priority::decode(&[1, 2, 3], &ID).is_err());
        assert!(IceControlling::decode(&[0; 4], &ID).is_err());
        assert_eq!(UseCandidate::decode(&[], &ID), Ok(UseCandidate));
        assert_eq!(
            UseCandidate::decode(&[0], &ID),
            Err(DecodeError::BadAttributeLength {
                attribute: AttributeType::USE_CANDIDATE,
                length: 1
            })
        );
    }
}
