//! FORWARD-TSN (RFC 3758 §3.2) and I-FORWARD-TSN (RFC 8260 §2.3.1) chunks.

use bytes::{BufMut, Bytes, BytesMut};

use super::{WireError, get_u32};

/// A stream and the last stream sequence number skipped on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardTsnStream {
    /// Stream identifier.
    pub stream_id: u16,
    /// The largest SSN of the abandoned messages on that stream.
    pub ssn: u16,
}

/// A FORWARD-TSN chunk: the receiver moves its cumulative TSN to `new_cumulative_tsn`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ForwardTsnChunk {
    /// The new cumulative TSN.
    pub new_cumulative_tsn: u32,
    /// Ordered streams whose abandoned messages the receiver must skip.
    pub streams: Vec<ForwardTsnStream>,
}

impl ForwardTsnChunk {
    pub(crate) fn decode(value: Bytes) -> Result<ForwardTsnChunk, WireError> {
        let err = || WireError::MalformedChunk("FORWARD-TSN");
        let new_cumulative_tsn = get_u32(&value, 0).ok_or_else(err)?;
        if !value.len().is_multiple_of(4) {
            return Err(err());
        }
        let streams = value[4..]
            .chunks_exact(4)
            .map(|c| ForwardTsnStream {
                stream_id: u16::from_be_bytes([c[0], c[1]]),
                ssn: u16::from_be_bytes([c[2], c[3]]),
            })
            .collect();
        Ok(ForwardTsnChunk {
            new_cumulative_tsn,
            streams,
        })
    }

    pub(crate) fn value_len(&self) -> usize {
        4 + 4 * self.streams.len()
    }

    pub(crate) fn encode_value(&self, out: &mut BytesMut) {
        out.put_u32(self.new_cumulative_tsn);
        for s in &self.streams {
            out.put_u16(s.stream_id);
            out.put_u16(s.ssn);
        }
    }
}

/// A stream, an ordering kind and the last message identifier skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IForwardTsnStream {
    /// Stream identifier.
    pub stream_id: u16,
    /// U bit: the skipped message was unordered.
    pub unordered: bool,
    /// The largest message identifier abandoned.
    pub mid: u32,
}

/// An I-FORWARD-TSN chunk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IForwardTsnChunk {
    /// The new cumulative TSN.
    pub new_cumulative_tsn: u32,
    /// Streams whose abandoned messages the receiver must skip.
    pub streams: Vec<IForwardTsnStream>,
}

impl IForwardTsnChunk {
    pub(crate) fn decode(value: Bytes) -> Result<IForwardTsnChunk, WireError> {
        let err = || WireError::MalformedChunk("I-FORWARD-TSN");
        let new_cumulative_tsn = get_u32(&value, 0).ok_or_else(err)?;
        if !(value.len() - 4).is_multiple_of(8) {
            return Err(err());
        }
        let streams = value[4..]
            .chunks_exact(8)
            .map(|c| IForwardTsnStream {
                stream_id: u16::from_be_bytes([c[0], c[1]]),
                unordered: c[3] & 1 != 0,
                mid: u32::from_be_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect();
        Ok(IForwardTsnChunk {
            new_cumulative_tsn,
            streams,
        })
    }

    pub(crate) fn value_len(&self) -> usize {
        4 + 8 * self.streams.len()
    }

    pub(crate) fn encode_value(&self, out: &mut BytesMut) {
        out.put_u32(self.new_cumulative_tsn);
        for s in &self.streams {
            out.put_u16(s.stream_id);
            out.put_u16(u16::from(s.unordered));
            out.put_u32(s.mid);
        }
    }
}
