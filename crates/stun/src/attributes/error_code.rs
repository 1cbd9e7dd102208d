//! Error attributes: ERROR-CODE (RFC 8489 §14.8, codes from §14.8 and RFC 8656 §19, RFC 8445
//! §7.3.1.1) and TURN's per-family ADDRESS-ERROR-CODE (RFC 8656 §18.12).
//!
//! Both carry the code as a class (hundreds digit, 3 bits) and a number (0–99, 8 bits) and a
//! UTF-8 reason phrase: fewer than 128 characters when sent, any length accepted (see
//! [the limits](crate::attributes#length-limits-of-text-attributes)).

use super::address::AddressFamily;
use super::{AttributeType, DecodeAttribute, EncodeAttribute, TextLimit, utf8};
use crate::error::{DecodeError, EncodeError};
use crate::header::TransactionId;

/// ERROR-CODE (RFC 8489 §14.8): a code 300–699 and a reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode<'a> {
    /// The numeric code (300–699).
    pub code: u16,
    /// The reason phrase, for humans.
    pub reason: &'a str,
}

impl ErrorCode<'static> {
    /// 300 Try Alternate (RFC 8489).
    pub const TRY_ALTERNATE: u16 = 300;
    /// 400 Bad Request (RFC 8489).
    pub const BAD_REQUEST: u16 = 400;
    /// 401 Unauthenticated (RFC 8489).
    pub const UNAUTHENTICATED: u16 = 401;
    /// 403 Forbidden (RFC 8656).
    pub const FORBIDDEN: u16 = 403;
    /// 420 Unknown Attribute (RFC 8489): answer with UNKNOWN-ATTRIBUTES.
    pub const UNKNOWN_ATTRIBUTE: u16 = 420;
    /// 437 Allocation Mismatch (RFC 8656).
    pub const ALLOCATION_MISMATCH: u16 = 437;
    /// 438 Stale Nonce (RFC 8489).
    pub const STALE_NONCE: u16 = 438;
    /// 440 Address Family not Supported (RFC 8656).
    pub const ADDRESS_FAMILY_NOT_SUPPORTED: u16 = 440;
    /// 441 Wrong Credentials (RFC 8656).
    pub const WRONG_CREDENTIALS: u16 = 441;
    /// 442 Unsupported Transport Protocol (RFC 8656).
    pub const UNSUPPORTED_TRANSPORT_PROTOCOL: u16 = 442;
    /// 443 Peer Address Family Mismatch (RFC 8656).
    pub const PEER_ADDRESS_FAMILY_MISMATCH: u16 = 443;
    /// 486 Allocation Quota Reached (RFC 8656).
    pub const ALLOCATION_QUOTA_REACHED: u16 = 486;
    /// 487 Role Conflict (RFC 8445 §7.3.1.1).
    pub const ROLE_CONFLICT: u16 = 487;
    /// 500 Server Error (RFC 8489).
    pub const SERVER_ERROR: u16 = 500;
    /// 508 Insufficient Capacity (RFC 8656).
    pub const INSUFFICIENT_CAPACITY: u16 = 508;

    /// The code with the reason phrase the RFCs suggest ("Bad Request", ...; "Error" for a code
    /// they do not name).
    pub const fn with_default_reason(code: u16) -> ErrorCode<'static> {
        ErrorCode {
            code,
            reason: default_reason(code),
        }
    }
}

impl<'a> ErrorCode<'a> {
    /// A code with a reason phrase.
    pub const fn new(code: u16, reason: &'a str) -> Self {
        ErrorCode { code, reason }
    }
}

/// The reason phrase RFC 8489 §14.8, RFC 8656 §19 and RFC 8445 give for a code.
pub const fn default_reason(code: u16) -> &'static str {
    match code {
        300 => "Try Alternate",
        400 => "Bad Request",
        401 => "Unauthenticated",
        403 => "Forbidden",
        420 => "Unknown Attribute",
        437 => "Allocation Mismatch",
        438 => "Stale Nonce",
        440 => "Address Family not Supported",
        441 => "Wrong Credentials",
        442 => "Unsupported Transport Protocol",
        443 => "Peer Address Family Mismatch",
        486 => "Allocation Quota Reached",
        487 => "Role Conflict",
        500 => "Server Error",
        508 => "Insufficient Capacity",
        _ => "Error",
    }
}

/// Reads class and number from the 4-byte prefix (whose first byte or bits may hold a family).
fn decode_code(class: u8, number: u8) -> Result<u16, DecodeError> {
    let class = class & 0x07;
    if !(3..=6).contains(&class) || number > 99 {
        return Err(DecodeError::BadErrorCode { class, number });
    }
    Ok(u16::from(class) * 100 + u16::from(number))
}

/// Writes class and number of `code` as the last two prefix bytes.
fn encode_code(code: u16) -> Result<[u8; 2], EncodeError> {
    if !(300..=699).contains(&code) {
        return Err(EncodeError::BadErrorCode(code));
    }
    // Both fit a byte: class is 3..=6 and number 0..=99.
    Ok([(code / 100) as u8, (code % 100) as u8])
}

impl<'a> DecodeAttribute<'a> for ErrorCode<'a> {
    const TYPE: AttributeType = AttributeType::ERROR_CODE;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        let [_, _, class, number, reason @ ..] = value else {
            return Err(DecodeError::BadAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            });
        };
        Ok(ErrorCode {
            code: decode_code(*class, *number)?,
            reason: utf8(Self::TYPE, reason)?,
        })
    }
}

impl EncodeAttribute for ErrorCode<'_> {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::ERROR_CODE
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let [class, number] = encode_code(self.code)?;
        TextLimit::CharactersOnSend.check_encode(AttributeType::ERROR_CODE, self.reason)?;
        out.extend_from_slice(&[0, 0, class, number]);
        out.extend_from_slice(self.reason.as_bytes());
        Ok(())
    }
}

/// ADDRESS-ERROR-CODE (RFC 8656 §18.12): why an Allocate could not get a relayed address of
/// one family when the client asked for two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressErrorCode<'a> {
    /// The family the error is about.
    pub family: AddressFamily,
    /// The numeric code (300–699), usually 440 or 508.
    pub code: u16,
    /// The reason phrase.
    pub reason: &'a str,
}

impl<'a> DecodeAttribute<'a> for AddressErrorCode<'a> {
    const TYPE: AttributeType = AttributeType::ADDRESS_ERROR_CODE;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        let [family, _, class, number, reason @ ..] = value else {
            return Err(DecodeError::BadAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            });
        };
        Ok(AddressErrorCode {
            family: AddressFamily::decode(Self::TYPE, *family)?,
            code: decode_code(*class, *number)?,
            reason: utf8(Self::TYPE, reason)?,
        })
    }
}

impl EncodeAttribute for AddressErrorCode<'_> {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::ADDRESS_ERROR_CODE
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let [class, number] = encode_code(self.code)?;
        TextLimit::CharactersOnSend.check_encode(AttributeType::ADDRESS_ERROR_CODE, self.reason)?;
        out.extend_from_slice(&[self.family.to_u8(), 0, class, number]);
        out.extend_from_slice(self.reason.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: TransactionId = TransactionId::new([0; 12]);

    #[test]
    fn error_code_layout() {
        let mut out = Vec::new();
        ErrorCode::with_default_reason(ErrorCode::STALE_NONCE)
            .encode_value(&ID, &mut out)
            .unwrap();
        assert_eq!(out, b"\x00\x00\x04\x26Stale Nonce");
        assert_eq!(
            ErrorCode::decode(&out, &ID),
            Ok(ErrorCode::new(438, "Stale Nonce"))
        );
        // The reserved bits above the class are ignored.
        assert_eq!(
            ErrorCode::decode(&[0xff, 0xff, 0xfd, 87], &ID),
            Ok(ErrorCode::new(587, ""))
        );
    }

    #[test]
    fn out_of_range_codes() {
        for code in [0, 299, 700, 1000] {
            let mut out = Vec::new();
            assert_eq!(
                ErrorCode::new(code, "").encode_value(&ID, &mut out),
                Err(EncodeError::BadErrorCode(code))
            );
        }
        assert_eq!(
            ErrorCode::decode(&[0, 0, 2, 0], &ID),
            Err(DecodeError::BadErrorCode {
                class: 2,
                number: 0
            })
        );
        assert_eq!(
            ErrorCode::decode(&[0, 0, 4, 100], &ID),
            Err(DecodeError::BadErrorCode {
                class: 4,
                number: 100
            })
        );
        assert!(ErrorCode::decode(&[0, 0, 4], &ID).is_err());
        assert!(ErrorCode::decode(&[0, 0, 4, 0, 0xc3], &ID).is_err());
    }

    #[test]
    fn address_error_code_layout() {
        let attr = AddressErrorCode {
            family: AddressFamily::Ipv6,
            code: 440,
            reason: "no v6",
        };
        let mut out = Vec::new();
        attr.encode_value(&ID, &mut out).unwrap();
        assert_eq!(out, b"\x02\x00\x04\x28no v6");
        assert_eq!(AddressErrorCode::decode(&out, &ID), Ok(attr));
        assert!(AddressErrorCode::decode(b"\x07\x00\x04\x28", &ID).is_err());
    }
}
