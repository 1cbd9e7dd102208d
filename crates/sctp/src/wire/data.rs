//! DATA (RFC 9260 §3.3.1, I bit from RFC 7053) and I-DATA (RFC 8260 §2.1) chunks.

use bytes::{BufMut, Bytes, BytesMut};

use super::{WireError, get_u16, get_u32};

/// Flag bits shared by DATA and I-DATA.
pub(crate) const FLAG_END: u8 = 0x01;
pub(crate) const FLAG_BEGIN: u8 = 0x02;
pub(crate) const FLAG_UNORDERED: u8 = 0x04;
pub(crate) const FLAG_IMMEDIATE: u8 = 0x08;

/// A DATA chunk: one fragment (or all) of a user message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChunk {
    /// Transmission sequence number.
    pub tsn: u32,
    /// Stream identifier.
    pub stream_id: u16,
    /// Stream sequence number (ignored for unordered chunks).
    pub ssn: u16,
    /// Payload protocol identifier.
    pub ppid: u32,
    /// U bit: deliver without regard to the stream sequence number.
    pub unordered: bool,
    /// B bit: first fragment of a message.
    pub beginning: bool,
    /// E bit: last fragment of a message.
    pub ending: bool,
    /// I bit (RFC 7053): the sender asks for a SACK without delay.
    pub immediate: bool,
    /// The user data.
    pub user_data: Bytes,
}

pub(crate) fn flags(unordered: bool, beginning: bool, ending: bool, immediate: bool) -> u8 {
    (if ending { FLAG_END } else { 0 })
        | (if beginning { FLAG_BEGIN } else { 0 })
        | (if unordered { FLAG_UNORDERED } else { 0 })
        | (if immediate { FLAG_IMMEDIATE } else { 0 })
}

impl DataChunk {
    pub(crate) fn decode(flags: u8, value: Bytes) -> Result<DataChunk, WireError> {
        let err = WireError::MalformedChunk("DATA");
        Ok(DataChunk {
            tsn: get_u32(&value, 0).ok_or(err.clone())?,
            stream_id: get_u16(&value, 4).ok_or(err.clone())?,
            ssn: get_u16(&value, 6).ok_or(err.clone())?,
            ppid: get_u32(&value, 8).ok_or(err)?,
            unordered: flags & FLAG_UNORDERED != 0,
            beginning: flags & FLAG_BEGIN != 0,
            ending: flags & FLAG_END != 0,
            immediate: flags & FLAG_IMMEDIATE != 0,
            user_data: value.slice(12..),
        })
    }

    pub(crate) fn flags(&self) -> u8 {
        flags(self.unordered, self.beginning, self.ending, self.immediate)
    }

    pub(crate) fn value_len(&self) -> usize {
        12 + self.user_data.len()
    }

    pub(crate) fn encode_value(&self, out: &mut BytesMut) {
        out.put_u32(self.tsn);
        out.put_u16(self.stream_id);
        out.put_u16(self.ssn);
        out.put_u32(self.ppid);
        out.put_slice(&self.user_data);
    }
}

/// An I-DATA chunk (RFC 8260 §2.1): DATA with a message identifier and a fragment sequence
/// number, so that messages of different streams can interleave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IDataChunk {
    /// Transmission sequence number.
    pub tsn: u32,
    /// Stream identifier.
    pub stream_id: u16,
    /// Message identifier.
    pub mid: u32,
    /// The payload protocol identifier when `beginning` is set, otherwise the fragment sequence
    /// number (RFC 8260 §2.1: the two share one field).
    pub ppid_or_fsn: u32,
    /// U bit.
    pub unordered: bool,
    /// B bit.
    pub beginning: bool,
    /// E bit.
    pub ending: bool,
    /// I bit (RFC 7053).
    pub immediate: bool,
    /// The user data.
    pub user_data: Bytes,
}

impl IDataChunk {
    pub(crate) fn decode(flags: u8, value: Bytes) -> Result<IDataChunk, WireError> {
        let err = WireError::MalformedChunk("I-DATA");
        Ok(IDataChunk {
            tsn: get_u32(&value, 0).ok_or(err.clone())?,
            stream_id: get_u16(&value, 4).ok_or(err.clone())?,
            mid: get_u32(&value, 8).ok_or(err.clone())?,
            ppid_or_fsn: get_u32(&value, 12).ok_or(err)?,
            unordered: flags & FLAG_UNORDERED != 0,
            beginning: flags & FLAG_BEGIN != 0,
            ending: flags & FLAG_END != 0,
            immediate: flags & FLAG_IMMEDIATE != 0,
            user_data: value.slice(16..),
        })
    }

    pub(crate) fn flags(&self) -> u8 {
        flags(self.unordered, self.beginning, self.ending, self.immediate)
    }

    pub(crate) fn value_len(&self) -> usize {
        16 + self.user_data.len()
    }

    pub(crate) fn encode_value(&self, out: &mut BytesMut) {
        out.put_u32(self.tsn);
        out.put_u16(self.stream_id);
        out.put_u16(0);
        out.put_u32(self.mid);
        out.put_u32(self.ppid_or_fsn);
        out.put_slice(&self.user_data);
    }
}
