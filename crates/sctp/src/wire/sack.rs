//! The SACK chunk (RFC 9260 §3.3.4): cumulative TSN, receiver window, gap ack blocks and
//! duplicate TSNs.

use bytes::{BufMut, Bytes, BytesMut};

use super::{WireError, get_u16, get_u32};

/// A gap ack block: TSNs `cumulative_tsn_ack + start ..= cumulative_tsn_ack + end` were received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapAckBlock {
    /// Offset of the first TSN of the block from the cumulative TSN ack.
    pub start: u16,
    /// Offset of the last TSN of the block from the cumulative TSN ack.
    pub end: u16,
}

/// A SACK chunk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SackChunk {
    /// The highest TSN received in sequence.
    pub cumulative_tsn_ack: u32,
    /// The advertised receiver window credit, in bytes.
    pub a_rwnd: u32,
    /// Blocks of TSNs received after a gap.
    pub gap_blocks: Vec<GapAckBlock>,
    /// TSNs received more than once since the last SACK.
    pub duplicate_tsns: Vec<u32>,
}

impl SackChunk {
    pub(crate) fn decode(value: Bytes) -> Result<SackChunk, WireError> {
        let err = || WireError::MalformedChunk("SACK");
        let cumulative_tsn_ack = get_u32(&value, 0).ok_or_else(err)?;
        let a_rwnd = get_u32(&value, 4).ok_or_else(err)?;
        let n_gaps = usize::from(get_u16(&value, 8).ok_or_else(err)?);
        let n_dups = usize::from(get_u16(&value, 10).ok_or_else(err)?);
        if value.len() != 12 + 4 * n_gaps + 4 * n_dups {
            return Err(err());
        }
        let gaps = &value[12..12 + 4 * n_gaps];
        let dups = &value[12 + 4 * n_gaps..];
        Ok(SackChunk {
            cumulative_tsn_ack,
            a_rwnd,
            gap_blocks: gaps
                .chunks_exact(4)
                .map(|c| GapAckBlock {
                    start: u16::from_be_bytes([c[0], c[1]]),
                    end: u16::from_be_bytes([c[2], c[3]]),
                })
                .collect(),
            duplicate_tsns: dups
                .chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        })
    }

    pub(crate) fn value_len(&self) -> usize {
        12 + 4 * self.gap_blocks.len() + 4 * self.duplicate_tsns.len()
    }

    pub(crate) fn encode_value(&self, out: &mut BytesMut) -> Result<(), WireError> {
        let n_gaps = u16::try_from(self.gap_blocks.len()).map_err(|_| WireError::TooLong)?;
        let n_dups = u16::try_from(self.duplicate_tsns.len()).map_err(|_| WireError::TooLong)?;
        out.put_u32(self.cumulative_tsn_ack);
        out.put_u32(self.a_rwnd);
        out.put_u16(n_gaps);
        out.put_u16(n_dups);
        for g in &self.gap_blocks {
            out.put_u16(g.start);
            out.put_u16(g.end);
        }
        for d in &self.duplicate_tsns {
            out.put_u32(*d);
        }
        Ok(())
    }
}
