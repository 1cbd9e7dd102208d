//! Error causes carried by ABORT and ERROR chunks (RFC 9260 §3.3.10, RFC 6525 has none).

use bytes::{BufMut, Bytes, BytesMut};

use super::tlv::{self, Tlvs};
use super::{WireError, get_u16, get_u32};

/// One error cause (RFC 9260 §3.3.10).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCause {
    /// Cause 1: data was sent to a stream that does not exist.
    InvalidStreamIdentifier {
        /// The stream identifier.
        stream_id: u16,
    },
    /// Cause 2: mandatory parameters are missing from an INIT or INIT ACK.
    MissingMandatoryParameter {
        /// The missing parameter types.
        param_types: Vec<u16>,
    },
    /// Cause 3: a State Cookie arrived after its lifetime.
    StaleCookie {
        /// How late it arrived, in microseconds.
        staleness_us: u32,
    },
    /// Cause 4: the sender is out of resources.
    OutOfResource,
    /// Cause 5: an address parameter could not be resolved.
    UnresolvableAddress {
        /// The unresolvable address parameter, as a whole TLV.
        address: Bytes,
    },
    /// Cause 6: the receiver did not recognise a chunk.
    UnrecognizedChunkType {
        /// The unrecognised chunk, as received (header included).
        chunk: Bytes,
    },
    /// Cause 7: a mandatory parameter is invalid.
    InvalidMandatoryParameter,
    /// Cause 8: parameters of an INIT ACK were not recognised.
    UnrecognizedParameters {
        /// The unrecognised parameters, as whole TLVs.
        params: Bytes,
    },
    /// Cause 9: a DATA chunk without user data.
    NoUserData {
        /// The TSN of that chunk.
        tsn: u32,
    },
    /// Cause 10: a COOKIE ECHO arrived while shutting down.
    CookieReceivedWhileShuttingDown,
    /// Cause 11: a restart with new addresses was refused.
    RestartWithNewAddresses {
        /// The new addresses, as TLVs.
        addresses: Bytes,
    },
    /// Cause 12: the upper layer aborted the association.
    UserInitiatedAbort {
        /// The upper layer's reason, opaque.
        reason: Bytes,
    },
    /// Cause 13: the peer violated the protocol.
    ProtocolViolation {
        /// Free-form information.
        info: Bytes,
    },
    /// A cause this implementation does not know (or a known one whose body did not parse).
    Other {
        /// The cause code.
        code: u16,
        /// The cause-specific information.
        info: Bytes,
    },
}

impl ErrorCause {
    /// The cause code of this cause.
    pub fn code(&self) -> u16 {
        match self {
            ErrorCause::InvalidStreamIdentifier { .. } => 1,
            ErrorCause::MissingMandatoryParameter { .. } => 2,
            ErrorCause::StaleCookie { .. } => 3,
            ErrorCause::OutOfResource => 4,
            ErrorCause::UnresolvableAddress { .. } => 5,
            ErrorCause::UnrecognizedChunkType { .. } => 6,
            ErrorCause::InvalidMandatoryParameter => 7,
            ErrorCause::UnrecognizedParameters { .. } => 8,
            ErrorCause::NoUserData { .. } => 9,
            ErrorCause::CookieReceivedWhileShuttingDown => 10,
            ErrorCause::RestartWithNewAddresses { .. } => 11,
            ErrorCause::UserInitiatedAbort { .. } => 12,
            ErrorCause::ProtocolViolation { .. } => 13,
            ErrorCause::Other { code, .. } => *code,
        }
    }

    fn decode(code: u16, info: Bytes) -> ErrorCause {
        let parsed = match code {
            1 if info.len() == 4 => {
                get_u16(&info, 0).map(|stream_id| ErrorCause::InvalidStreamIdentifier { stream_id })
            }
            2 => get_u32(&info, 0).and_then(|n| {
                let n = usize::try_from(n).ok()?;
                (info.len() == 4 + 2 * n).then(|| ErrorCause::MissingMandatoryParameter {
                    param_types: tlv::u16_list(&info[4..]),
                })
            }),
            3 if info.len() == 4 => {
                get_u32(&info, 0).map(|staleness_us| ErrorCause::StaleCookie { staleness_us })
            }
            4 if info.is_empty() => Some(ErrorCause::OutOfResource),
            5 => Some(ErrorCause::UnresolvableAddress {
                address: info.clone(),
            }),
            6 => Some(ErrorCause::UnrecognizedChunkType {
                chunk: info.clone(),
            }),
            7 if info.is_empty() => Some(ErrorCause::InvalidMandatoryParameter),
            8 => Some(ErrorCause::UnrecognizedParameters {
                params: info.clone(),
            }),
            9 if info.len() == 4 => get_u32(&info, 0).map(|tsn| ErrorCause::NoUserData { tsn }),
            10 if info.is_empty() => Some(ErrorCause::CookieReceivedWhileShuttingDown),
            11 => Some(ErrorCause::RestartWithNewAddresses {
                addresses: info.clone(),
            }),
            12 => Some(ErrorCause::UserInitiatedAbort {
                reason: info.clone(),
            }),
            13 => Some(ErrorCause::ProtocolViolation { info: info.clone() }),
            _ => None,
        };
        parsed.unwrap_or(ErrorCause::Other { code, info })
    }

    fn value_len(&self) -> usize {
        match self {
            ErrorCause::InvalidStreamIdentifier { .. }
            | ErrorCause::StaleCookie { .. }
            | ErrorCause::NoUserData { .. } => 4,
            ErrorCause::MissingMandatoryParameter { param_types } => 4 + 2 * param_types.len(),
            ErrorCause::OutOfResource
            | ErrorCause::InvalidMandatoryParameter
            | ErrorCause::CookieReceivedWhileShuttingDown => 0,
            ErrorCause::UnresolvableAddress { address: b }
            | ErrorCause::UnrecognizedChunkType { chunk: b }
            | ErrorCause::UnrecognizedParameters { params: b }
            | ErrorCause::RestartWithNewAddresses { addresses: b }
            | ErrorCause::UserInitiatedAbort { reason: b }
            | ErrorCause::ProtocolViolation { info: b }
            | ErrorCause::Other { info: b, .. } => b.len(),
        }
    }

    /// The encoded size, padding included.
    pub fn encoded_len(&self) -> usize {
        tlv::padded_len(self.value_len())
    }

    /// Appends the encoded cause, padded to four bytes.
    pub fn encode(&self, out: &mut BytesMut) -> Result<(), WireError> {
        let len = self.value_len();
        tlv::put_header(out, self.code(), len)?;
        match self {
            ErrorCause::InvalidStreamIdentifier { stream_id } => {
                out.put_u16(*stream_id);
                out.put_u16(0);
            }
            ErrorCause::MissingMandatoryParameter { param_types } => {
                out.put_u32(param_types.len() as u32);
                for t in param_types {
                    out.put_u16(*t);
                }
            }
            ErrorCause::StaleCookie { staleness_us } => out.put_u32(*staleness_us),
            ErrorCause::NoUserData { tsn } => out.put_u32(*tsn),
            ErrorCause::OutOfResource
            | ErrorCause::InvalidMandatoryParameter
            | ErrorCause::CookieReceivedWhileShuttingDown => {}
            ErrorCause::UnresolvableAddress { address: b }
            | ErrorCause::UnrecognizedChunkType { chunk: b }
            | ErrorCause::UnrecognizedParameters { params: b }
            | ErrorCause::RestartWithNewAddresses { addresses: b }
            | ErrorCause::UserInitiatedAbort { reason: b }
            | ErrorCause::ProtocolViolation { info: b }
            | ErrorCause::Other { info: b, .. } => out.put_slice(b),
        }
        tlv::put_padding(out, len);
        Ok(())
    }

    /// Decodes a list of causes filling `value` (the body of an ABORT or ERROR chunk).
    pub(crate) fn decode_list(value: Bytes) -> Result<Vec<ErrorCause>, WireError> {
        Tlvs::new(value)
            .map(|r| r.map(|(code, info)| ErrorCause::decode(code, info)))
            .collect()
    }
}
