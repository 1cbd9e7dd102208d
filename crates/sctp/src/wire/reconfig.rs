//! The RE-CONFIG chunk and its parameters (RFC 6525 §3.1 and §4): Outgoing and Incoming SSN
//! Reset Requests, SSN/TSN Reset Request, Re-configuration Response, Add Outgoing/Incoming
//! Streams.

use bytes::{BufMut, Bytes, BytesMut};

use super::tlv::{self, Tlvs};
use super::{WireError, get_u16, get_u32};

const OUTGOING_SSN_RESET: u16 = 13;
const INCOMING_SSN_RESET: u16 = 14;
const SSN_TSN_RESET: u16 = 15;
const RESPONSE: u16 = 16;
const ADD_OUTGOING_STREAMS: u16 = 17;
const ADD_INCOMING_STREAMS: u16 = 18;

/// The result field of a Re-configuration Response (RFC 6525 §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReConfigResult {
    /// 0: Success - Nothing to do.
    SuccessNothingToDo,
    /// 1: Success - Performed.
    SuccessPerformed,
    /// 2: Denied.
    Denied,
    /// 3: Error - Wrong SSN.
    ErrorWrongSsn,
    /// 4: Error - Request already in progress.
    ErrorRequestAlreadyInProgress,
    /// 5: Error - Bad Sequence Number.
    ErrorBadSequenceNumber,
    /// 6: In progress.
    InProgress,
    /// Any other value.
    Other(u32),
}

impl ReConfigResult {
    /// The numeric value.
    pub fn value(self) -> u32 {
        match self {
            ReConfigResult::SuccessNothingToDo => 0,
            ReConfigResult::SuccessPerformed => 1,
            ReConfigResult::Denied => 2,
            ReConfigResult::ErrorWrongSsn => 3,
            ReConfigResult::ErrorRequestAlreadyInProgress => 4,
            ReConfigResult::ErrorBadSequenceNumber => 5,
            ReConfigResult::InProgress => 6,
            ReConfigResult::Other(v) => v,
        }
    }

    /// The result with this numeric value.
    pub fn from_value(v: u32) -> Self {
        match v {
            0 => ReConfigResult::SuccessNothingToDo,
            1 => ReConfigResult::SuccessPerformed,
            2 => ReConfigResult::Denied,
            3 => ReConfigResult::ErrorWrongSsn,
            4 => ReConfigResult::ErrorRequestAlreadyInProgress,
            5 => ReConfigResult::ErrorBadSequenceNumber,
            6 => ReConfigResult::InProgress,
            v => ReConfigResult::Other(v),
        }
    }
}

/// A parameter of a RE-CONFIG chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReConfigParam {
    /// Type 13: the sender resets its outgoing streams (our incoming ones).
    OutgoingSsnReset {
        /// Re-configuration request sequence number.
        request_seq: u32,
        /// The request this one also answers (an Incoming SSN Reset Request), or the last
        /// response's sequence number.
        response_seq: u32,
        /// The last TSN the sender assigned; reset once everything up to it is received.
        last_assigned_tsn: u32,
        /// The streams to reset; empty means all.
        streams: Vec<u16>,
    },
    /// Type 14: the sender asks the receiver to reset its outgoing streams.
    IncomingSsnReset {
        /// Re-configuration request sequence number.
        request_seq: u32,
        /// The streams to reset; empty means all.
        streams: Vec<u16>,
    },
    /// Type 15: reset every stream and the TSN.
    SsnTsnReset {
        /// Re-configuration request sequence number.
        request_seq: u32,
    },
    /// Type 16: the answer to a request.
    Response {
        /// The request sequence number answered.
        response_seq: u32,
        /// The result.
        result: ReConfigResult,
        /// Sender's and receiver's next TSN, only in answers to an SSN/TSN Reset Request.
        next_tsns: Option<(u32, u32)>,
    },
    /// Type 17: the sender adds outgoing streams.
    AddOutgoingStreams {
        /// Re-configuration request sequence number.
        request_seq: u32,
        /// How many streams to add.
        new_streams: u16,
    },
    /// Type 18: the sender asks the receiver to add outgoing streams.
    AddIncomingStreams {
        /// Re-configuration request sequence number.
        request_seq: u32,
        /// How many streams to add.
        new_streams: u16,
    },
    /// A parameter this implementation does not know.
    Unknown {
        /// The parameter type.
        param_type: u16,
        /// The value.
        value: Bytes,
    },
}

impl ReConfigParam {
    fn decode(ty: u16, v: Bytes) -> Result<ReConfigParam, WireError> {
        let err = || WireError::MalformedParam("RE-CONFIG");
        let u32_at = |at| get_u32(&v, at).ok_or_else(err);
        Ok(match ty {
            OUTGOING_SSN_RESET => {
                if v.len() < 12 || !v.len().is_multiple_of(2) {
                    return Err(err());
                }
                ReConfigParam::OutgoingSsnReset {
                    request_seq: u32_at(0)?,
                    response_seq: u32_at(4)?,
                    last_assigned_tsn: u32_at(8)?,
                    streams: tlv::u16_list(&v[12..]),
                }
            }
            INCOMING_SSN_RESET => {
                if v.len() < 4 || !v.len().is_multiple_of(2) {
                    return Err(err());
                }
                ReConfigParam::IncomingSsnReset {
                    request_seq: u32_at(0)?,
                    streams: tlv::u16_list(&v[4..]),
                }
            }
            SSN_TSN_RESET if v.len() == 4 => ReConfigParam::SsnTsnReset {
                request_seq: u32_at(0)?,
            },
            RESPONSE if v.len() == 8 || v.len() == 16 => ReConfigParam::Response {
                response_seq: u32_at(0)?,
                result: ReConfigResult::from_value(u32_at(4)?),
                next_tsns: if v.len() == 16 {
                    Some((u32_at(8)?, u32_at(12)?))
                } else {
                    None
                },
            },
            ADD_OUTGOING_STREAMS | ADD_INCOMING_STREAMS if v.len() == 8 => {
                let request_seq = u32_at(0)?;
                let new_streams = get_u16(&v, 4).ok_or_else(err)?;
                if ty == ADD_OUTGOING_STREAMS {
                    ReConfigParam::AddOutgoingStreams {
                        request_seq,
                        new_streams,
                    }
                } else {
                    ReConfigParam::AddIncomingStreams {
                        request_seq,
                        new_streams,
                    }
                }
            }
            SSN_TSN_RESET | RESPONSE | ADD_OUTGOING_STREAMS | ADD_INCOMING_STREAMS => {
                return Err(err());
            }
            _ => ReConfigParam::Unknown {
                param_type: ty,
                value: v,
            },
        })
    }

    fn param_type(&self) -> u16 {
        match self {
            ReConfigParam::OutgoingSsnReset { .. } => OUTGOING_SSN_RESET,
            ReConfigParam::IncomingSsnReset { .. } => INCOMING_SSN_RESET,
            ReConfigParam::SsnTsnReset { .. } => SSN_TSN_RESET,
            ReConfigParam::Response { .. } => RESPONSE,
            ReConfigParam::AddOutgoingStreams { .. } => ADD_OUTGOING_STREAMS,
            ReConfigParam::AddIncomingStreams { .. } => ADD_INCOMING_STREAMS,
            ReConfigParam::Unknown { param_type, .. } => *param_type,
        }
    }

    fn value_len(&self) -> usize {
        match self {
            ReConfigParam::OutgoingSsnReset { streams, .. } => 12 + 2 * streams.len(),
            ReConfigParam::IncomingSsnReset { streams, .. } => 4 + 2 * streams.len(),
            ReConfigParam::SsnTsnReset { .. } => 4,
            ReConfigParam::Response { next_tsns, .. } => {
                if next_tsns.is_some() {
                    16
                } else {
                    8
                }
            }
            ReConfigParam::AddOutgoingStreams { .. } | ReConfigParam::AddIncomingStreams { .. } => {
                8
            }
            ReConfigParam::Unknown { value, .. } => value.len(),
        }
    }

    /// The encoded size, padding included.
    pub fn encoded_len(&self) -> usize {
        tlv::padded_len(self.value_len())
    }

    /// Appends the encoded parameter, padded to four bytes.
    pub fn encode(&self, out: &mut BytesMut) -> Result<(), WireError> {
        let len = self.value_len();
        tlv::put_header(out, self.param_type(), len)?;
        match self {
            ReConfigParam::OutgoingSsnReset {
                request_seq,
                response_seq,
                last_assigned_tsn,
                streams,
            } => {
                out.put_u32(*request_seq);
                out.put_u32(*response_seq);
                out.put_u32(*last_assigned_tsn);
                streams.iter().for_each(|s| out.put_u16(*s));
            }
            ReConfigParam::IncomingSsnReset {
                request_seq,
                streams,
            } => {
                out.put_u32(*request_seq);
                streams.iter().for_each(|s| out.put_u16(*s));
            }
            ReConfigParam::SsnTsnReset { request_seq } => out.put_u32(*request_seq),
            ReConfigParam::Response {
                response_seq,
                result,
                next_tsns,
            } => {
                out.put_u32(*response_seq);
                out.put_u32(result.value());
                if let Some((a, b)) = next_tsns {
                    out.put_u32(*a);
                    out.put_u32(*b);
                }
            }
            ReConfigParam::AddOutgoingStreams {
                request_seq,
                new_streams,
            }
            | ReConfigParam::AddIncomingStreams {
                request_seq,
                new_streams,
            } => {
                out.put_u32(*request_seq);
                out.put_u16(*new_streams);
                out.put_u16(0);
            }
            ReConfigParam::Unknown { value, .. } => out.put_slice(value),
        }
        tlv::put_padding(out, len);
        Ok(())
    }
}

/// A RE-CONFIG chunk: one or two re-configuration parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReConfigChunk {
    /// The parameters, in order.
    pub params: Vec<ReConfigParam>,
}

impl ReConfigChunk {
    pub(crate) fn decode(value: Bytes) -> Result<ReConfigChunk, WireError> {
        let params = Tlvs::new(value)
            .map(|r| r.and_then(|(ty, v)| ReConfigParam::decode(ty, v)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReConfigChunk { params })
    }

    pub(crate) fn value_len(&self) -> usize {
        self.params.iter().map(ReConfigParam::encoded_len).sum()
    }

    pub(crate) fn encode_value(&self, out: &mut BytesMut) -> Result<(), WireError> {
        self.params.iter().try_for_each(|p| p.encode(out))
    }
}
