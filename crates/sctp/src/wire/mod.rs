//! The SCTP wire format: packets, chunks, parameters and error causes.
//!
//! This module owns encoding and decoding only; it knows no state machine.
//!
//! * [`CommonHeader`] and the CRC32c checksum: RFC 9260 §3.1 and Appendix A
//!   (the checksum is sent least significant byte first, as every implementation does).
//! * [`Chunk`] with every chunk of RFC 9260 §3.3, FORWARD-TSN (RFC 3758 §3.2),
//!   I-DATA and I-FORWARD-TSN (RFC 8260 §2), RE-CONFIG (RFC 6525 §3.1); unknown chunk types are
//!   kept with the action their upper two bits ask for (RFC 9260 §3.2).
//! * INIT parameters ([`InitParam`], RFC 9260 §3.3.2.1, RFC 3758 §3.1, RFC 5061 §4.2.7,
//!   RFC 9653 §3), error causes ([`ErrorCause`], RFC 9260 §3.3.10) and RE-CONFIG parameters
//!   ([`ReConfigParam`], RFC 6525 §4).
//!
//! Decoding never panics: malformed input yields a [`WireError`].

mod cause;
mod chunk;
mod data;
mod forward_tsn;
mod init;
mod packet;
mod reconfig;
mod sack;
mod tlv;

pub use cause::ErrorCause;
pub use chunk::{Chunk, ChunkType, UnknownAction};
pub use data::{DataChunk, IDataChunk};
pub use forward_tsn::{ForwardTsnChunk, ForwardTsnStream, IForwardTsnChunk, IForwardTsnStream};
pub use init::{InitChunk, InitParam, UnknownParamAction};
pub use packet::{
    COMMON_HEADER_LEN, ChunkIter, CommonHeader, PACKET_RESERVE, Packet, PacketWriter, checksum,
    verify_checksum,
};
pub use reconfig::{ReConfigChunk, ReConfigParam, ReConfigResult};
pub use sack::{GapAckBlock, SackChunk};

/// Why bytes could not be decoded as SCTP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The packet is shorter than the 12-byte common header.
    #[error("packet shorter than the SCTP common header")]
    ShortPacket,
    /// The checksum field does not match the CRC32c of the packet.
    #[error("bad CRC32c checksum")]
    BadChecksum,
    /// A chunk's length field is below 4 or runs past the end of the packet.
    #[error("chunk length {0} is invalid")]
    BadChunkLength(usize),
    /// A chunk's value is too short or inconsistent for its type.
    #[error("malformed {0} chunk")]
    MalformedChunk(&'static str),
    /// A parameter or error cause TLV has an invalid length.
    #[error("parameter length {0} is invalid")]
    BadParamLength(usize),
    /// A parameter's value is too short or inconsistent for its type.
    #[error("malformed {0} parameter")]
    MalformedParam(&'static str),
    /// An encoded chunk, parameter or cause would not fit its 16-bit length field.
    #[error("value too long to encode")]
    TooLong,
}

/// Reads a big-endian `u16` at `at`, if the slice is long enough.
#[inline]
pub(crate) fn get_u16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

/// Reads a big-endian `u32` at `at`, if the slice is long enough.
#[inline]
pub(crate) fn get_u32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// The number of padding bytes that bring `len` to a multiple of four.
#[inline]
pub(crate) const fn pad4(len: usize) -> usize {
    (4 - (len & 3)) & 3
}

#[cfg(test)]
mod tests;
