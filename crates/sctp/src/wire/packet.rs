//! SCTP packets: the common header (RFC 9260 §3.1), the CRC32c checksum (RFC 9260 §6.8 and
//! Appendix A, RFC 9653 for the zero checksum), iteration over a packet's chunks with the
//! unknown-chunk rules (RFC 9260 §3.2), and a writer that bundles chunks into one packet.

use bytes::{BufMut, Bytes, BytesMut};

use super::chunk::{Chunk, UnknownAction};
use super::{WireError, get_u16, get_u32, pad4};

/// Size of the common header.
pub const COMMON_HEADER_LEN: usize = 12;

/// The SCTP common header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommonHeader {
    /// Source port.
    pub source_port: u16,
    /// Destination port.
    pub destination_port: u16,
    /// Verification tag.
    pub verification_tag: u32,
    /// Checksum as found in the packet (ignored when encoding: [`PacketWriter`] computes it).
    pub checksum: u32,
}

impl CommonHeader {
    /// Decodes the common header at the start of `packet`.
    pub fn decode(packet: &[u8]) -> Result<CommonHeader, WireError> {
        let (Some(source_port), Some(destination_port), Some(verification_tag), Some(_)) = (
            get_u16(packet, 0),
            get_u16(packet, 2),
            get_u32(packet, 4),
            get_u32(packet, 8),
        ) else {
            return Err(WireError::ShortPacket);
        };
        // The checksum is carried least significant byte first (RFC 9260 Appendix A).
        let checksum = u32::from_le_bytes([packet[8], packet[9], packet[10], packet[11]]);
        Ok(CommonHeader {
            source_port,
            destination_port,
            verification_tag,
            checksum,
        })
    }
}

/// The CRC32c of `packet` computed with its checksum field taken as zero (RFC 9260 Appendix A).
/// `packet` must be at least [`COMMON_HEADER_LEN`] bytes long; shorter input yields the CRC of
/// what is there.
pub fn checksum(packet: &[u8]) -> u32 {
    match (packet.get(..8), packet.get(COMMON_HEADER_LEN..)) {
        (Some(head), Some(rest)) => {
            let c = crc32c::crc32c(head);
            let c = crc32c::crc32c_append(c, &[0; 4]);
            crc32c::crc32c_append(c, rest)
        }
        _ => crc32c::crc32c(packet),
    }
}

/// Whether the checksum field of `packet` is correct. With `accept_zero` (RFC 9653, agreed on
/// during the handshake), a zero checksum field is accepted too.
pub fn verify_checksum(packet: &[u8], accept_zero: bool) -> bool {
    let Ok(header) = CommonHeader::decode(packet) else {
        return false;
    };
    (accept_zero && header.checksum == 0) || header.checksum == checksum(packet)
}

/// Iterates over the chunks of a packet (after the common header).
///
/// Stops after the first malformed chunk (yielding its error) and after an unknown chunk whose
/// type asks for the rest of the packet to be discarded (yielding that chunk, so that the caller
/// can report it).
#[derive(Debug, Clone)]
pub struct ChunkIter {
    packet: Bytes,
    pos: usize,
    done: bool,
}

impl ChunkIter {
    /// Iterates over the chunks of `packet`, a whole SCTP packet (common header included).
    pub fn new(packet: Bytes) -> Self {
        let done = packet.len() < COMMON_HEADER_LEN;
        ChunkIter {
            packet,
            pos: COMMON_HEADER_LEN,
            done,
        }
    }
}

impl Iterator for ChunkIter {
    type Item = Result<Chunk, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.packet.len() {
            return None;
        }
        let b = &self.packet[..];
        let (Some(&ty), Some(&flags), Some(len)) = (
            b.get(self.pos),
            b.get(self.pos + 1),
            get_u16(b, self.pos + 2),
        ) else {
            self.done = true;
            return Some(Err(WireError::BadChunkLength(b.len() - self.pos)));
        };
        let len = usize::from(len);
        let end = self.pos + len;
        if len < 4 || end > b.len() {
            self.done = true;
            return Some(Err(WireError::BadChunkLength(len)));
        }
        let value = self.packet.slice(self.pos + 4..end);
        self.pos = end + pad4(len);
        let chunk = Chunk::decode(ty, flags, value);
        match &chunk {
            Err(_) => self.done = true,
            Ok(Chunk::Unknown { chunk_type, .. }) if UnknownAction::of(*chunk_type).discards() => {
                self.done = true
            }
            Ok(_) => {}
        }
        Some(chunk)
    }
}

/// A decoded packet: header and chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The common header.
    pub header: CommonHeader,
    /// The chunks, in order.
    pub chunks: Vec<Chunk>,
}

impl Packet {
    /// Decodes a whole packet without verifying its checksum (see [`verify_checksum`]).
    pub fn decode(packet: Bytes) -> Result<Packet, WireError> {
        let header = CommonHeader::decode(&packet)?;
        let chunks = ChunkIter::new(packet).collect::<Result<Vec<_>, _>>()?;
        Ok(Packet { header, chunks })
    }

    /// Encodes the packet with a correct checksum (or zero with `zero_checksum`).
    pub fn encode(&self, zero_checksum: bool) -> Result<Bytes, WireError> {
        let mut buf = BytesMut::new();
        let mut w = PacketWriter::new(&mut buf, &self.header, usize::MAX);
        for c in &self.chunks {
            w.push(c)?;
        }
        Ok(w.finish(zero_checksum))
    }
}

/// Builds one packet in a reusable buffer: the header, then chunks, then the checksum.
///
/// The buffer's allocation is shared by the packets split off it, so steady-state sending does
/// not allocate per packet.
#[derive(Debug)]
pub struct PacketWriter<'a> {
    buf: &'a mut BytesMut,
    max_len: usize,
}

/// The room a [`PacketWriter`] makes sure of before writing (a typical path MTU's worth);
/// a larger packet grows the buffer as it is written.
pub const PACKET_RESERVE: usize = 1500;

impl<'a> PacketWriter<'a> {
    /// Starts a packet with `header` in `buf` (which must hold nothing else), to be at most
    /// `max_len` bytes long.
    pub fn new(buf: &'a mut BytesMut, header: &CommonHeader, max_len: usize) -> Self {
        buf.clear();
        let want = max_len.min(PACKET_RESERVE);
        if buf.capacity() < want {
            buf.reserve(want);
        }
        buf.put_u16(header.source_port);
        buf.put_u16(header.destination_port);
        buf.put_u32(header.verification_tag);
        buf.put_u32(0);
        PacketWriter { buf, max_len }
    }

    /// Bytes written so far, header included.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether no chunk was written yet.
    pub fn is_empty(&self) -> bool {
        self.buf.len() <= COMMON_HEADER_LEN
    }

    /// Bytes still available below the size limit.
    pub fn remaining(&self) -> usize {
        self.max_len.saturating_sub(self.buf.len())
    }

    /// Appends a chunk (the caller checks [`remaining`](Self::remaining) first).
    pub fn push(&mut self, chunk: &Chunk) -> Result<(), WireError> {
        chunk.encode(self.buf)
    }

    /// Appends a DATA chunk without building a [`Chunk`] first.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_data(
        &mut self,
        tsn: u32,
        stream_id: u16,
        ssn: u16,
        ppid: u32,
        flags: u8,
        user_data: &[u8],
    ) {
        let len = 16 + user_data.len();
        self.buf.put_u8(0);
        self.buf.put_u8(flags);
        self.buf.put_u16(len as u16);
        self.buf.put_u32(tsn);
        self.buf.put_u16(stream_id);
        self.buf.put_u16(ssn);
        self.buf.put_u32(ppid);
        self.buf.put_slice(user_data);
        self.buf.put_bytes(0, pad4(len));
    }

    /// Appends an I-DATA chunk (RFC 8260 §2.1) without building a [`Chunk`] first.
    pub(crate) fn push_idata(
        &mut self,
        tsn: u32,
        stream_id: u16,
        mid: u32,
        ppid_or_fsn: u32,
        flags: u8,
        user_data: &[u8],
    ) {
        let len = 20 + user_data.len();
        self.buf.put_u8(super::ChunkType::I_DATA);
        self.buf.put_u8(flags);
        self.buf.put_u16(len as u16);
        self.buf.put_u32(tsn);
        self.buf.put_u16(stream_id);
        self.buf.put_u16(0);
        self.buf.put_u32(mid);
        self.buf.put_u32(ppid_or_fsn);
        self.buf.put_slice(user_data);
        self.buf.put_bytes(0, pad4(len));
    }

    /// Writes the checksum (or zero, RFC 9653) and returns the packet.
    pub fn finish(self, zero_checksum: bool) -> Bytes {
        let sum = if zero_checksum { 0 } else { checksum(self.buf) };
        self.buf[8..12].copy_from_slice(&sum.to_le_bytes());
        self.buf.split().freeze()
    }
}
