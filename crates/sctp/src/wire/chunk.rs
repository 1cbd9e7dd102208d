//! The [`Chunk`] enum: decoding and encoding of every chunk type (RFC 9260 §3.2, §3.3; RFC 3758
//! §3.2; RFC 6525 §3.1; RFC 8260 §2) and the unknown-chunk rules of RFC 9260 §3.2.

use bytes::{BufMut, Bytes, BytesMut};

use super::cause::ErrorCause;
use super::data::{DataChunk, IDataChunk};
use super::forward_tsn::{ForwardTsnChunk, IForwardTsnChunk};
use super::init::InitChunk;
use super::reconfig::ReConfigChunk;
use super::sack::SackChunk;
use super::tlv::{self, Tlvs};
use super::{WireError, get_u32, pad4};

/// Chunk type numbers (RFC 9260 §3.2 and the extension RFCs).
#[derive(Debug)]
#[non_exhaustive]
pub struct ChunkType;

#[allow(missing_docs)]
impl ChunkType {
    pub const DATA: u8 = 0;
    pub const INIT: u8 = 1;
    pub const INIT_ACK: u8 = 2;
    pub const SACK: u8 = 3;
    pub const HEARTBEAT: u8 = 4;
    pub const HEARTBEAT_ACK: u8 = 5;
    pub const ABORT: u8 = 6;
    pub const SHUTDOWN: u8 = 7;
    pub const SHUTDOWN_ACK: u8 = 8;
    pub const ERROR: u8 = 9;
    pub const COOKIE_ECHO: u8 = 10;
    pub const COOKIE_ACK: u8 = 11;
    pub const SHUTDOWN_COMPLETE: u8 = 14;
    pub const I_DATA: u8 = 64;
    pub const RE_CONFIG: u8 = 130;
    pub const FORWARD_TSN: u8 = 192;
    pub const I_FORWARD_TSN: u8 = 194;
}

/// What to do with a chunk of an unknown type (RFC 9260 §3.2), from its upper two bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownAction {
    /// `00`: stop processing the packet and discard it.
    Discard,
    /// `01`: discard the packet and report the chunk in an ERROR chunk.
    DiscardAndReport,
    /// `10`: skip the chunk and continue.
    Skip,
    /// `11`: skip the chunk, continue, and report it.
    SkipAndReport,
}

impl UnknownAction {
    /// The action for chunk type `chunk_type`.
    pub fn of(chunk_type: u8) -> Self {
        match chunk_type >> 6 {
            0 => UnknownAction::Discard,
            1 => UnknownAction::DiscardAndReport,
            2 => UnknownAction::Skip,
            _ => UnknownAction::SkipAndReport,
        }
    }

    /// Whether the chunk must be reported in an "Unrecognized Chunk Type" error.
    pub fn reports(self) -> bool {
        matches!(
            self,
            UnknownAction::DiscardAndReport | UnknownAction::SkipAndReport
        )
    }

    /// Whether the rest of the packet must be discarded.
    pub fn discards(self) -> bool {
        matches!(
            self,
            UnknownAction::Discard | UnknownAction::DiscardAndReport
        )
    }
}

const FLAG_T: u8 = 0x01;
const HEARTBEAT_INFO: u16 = 1;

/// One SCTP chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Chunk {
    /// DATA (0).
    Data(DataChunk),
    /// INIT (1).
    Init(InitChunk),
    /// INIT ACK (2).
    InitAck(InitChunk),
    /// SACK (3).
    Sack(SackChunk),
    /// HEARTBEAT (4), with the Heartbeat Info parameter's value.
    Heartbeat {
        /// Sender-specific heartbeat information, echoed back unchanged.
        info: Bytes,
    },
    /// HEARTBEAT ACK (5).
    HeartbeatAck {
        /// The info of the HEARTBEAT answered.
        info: Bytes,
    },
    /// ABORT (6).
    Abort {
        /// T bit: the verification tag is the sender's own (reflected).
        reflected_tag: bool,
        /// Why.
        causes: Vec<ErrorCause>,
    },
    /// SHUTDOWN (7).
    Shutdown {
        /// The cumulative TSN ack of the sender.
        cumulative_tsn_ack: u32,
    },
    /// SHUTDOWN ACK (8).
    ShutdownAck,
    /// ERROR (9).
    Error {
        /// The error causes.
        causes: Vec<ErrorCause>,
    },
    /// COOKIE ECHO (10).
    CookieEcho {
        /// The State Cookie from the INIT ACK.
        cookie: Bytes,
    },
    /// COOKIE ACK (11).
    CookieAck,
    /// SHUTDOWN COMPLETE (14).
    ShutdownComplete {
        /// T bit: the verification tag is the sender's own (reflected).
        reflected_tag: bool,
    },
    /// I-DATA (64, RFC 8260).
    IData(IDataChunk),
    /// RE-CONFIG (130, RFC 6525).
    ReConfig(ReConfigChunk),
    /// FORWARD-TSN (192, RFC 3758).
    ForwardTsn(ForwardTsnChunk),
    /// I-FORWARD-TSN (194, RFC 8260).
    IForwardTsn(IForwardTsnChunk),
    /// A chunk type this implementation does not know; see [`UnknownAction`].
    Unknown {
        /// The chunk type.
        chunk_type: u8,
        /// The chunk flags.
        flags: u8,
        /// The chunk value.
        value: Bytes,
    },
}

impl Chunk {
    /// Decodes a chunk from its type, flags and value (header and padding removed).
    pub fn decode(chunk_type: u8, flags: u8, value: Bytes) -> Result<Chunk, WireError> {
        let exact = |value: &Bytes, n: usize, name| {
            if value.len() == n {
                Ok(())
            } else {
                Err(WireError::MalformedChunk(name))
            }
        };
        Ok(match chunk_type {
            ChunkType::DATA => Chunk::Data(DataChunk::decode(flags, value)?),
            ChunkType::INIT => Chunk::Init(InitChunk::decode(value, "INIT")?),
            ChunkType::INIT_ACK => Chunk::InitAck(InitChunk::decode(value, "INIT ACK")?),
            ChunkType::SACK => Chunk::Sack(SackChunk::decode(value)?),
            ChunkType::HEARTBEAT | ChunkType::HEARTBEAT_ACK => {
                let name = if chunk_type == ChunkType::HEARTBEAT {
                    "HEARTBEAT"
                } else {
                    "HEARTBEAT ACK"
                };
                let info = match Tlvs::new(value).next() {
                    Some(Ok((HEARTBEAT_INFO, info))) => info,
                    _ => return Err(WireError::MalformedChunk(name)),
                };
                if chunk_type == ChunkType::HEARTBEAT {
                    Chunk::Heartbeat { info }
                } else {
                    Chunk::HeartbeatAck { info }
                }
            }
            ChunkType::ABORT => Chunk::Abort {
                reflected_tag: flags & FLAG_T != 0,
                causes: ErrorCause::decode_list(value)?,
            },
            ChunkType::SHUTDOWN => {
                exact(&value, 4, "SHUTDOWN")?;
                let cumulative_tsn_ack =
                    get_u32(&value, 0).ok_or(WireError::MalformedChunk("SHUTDOWN"))?;
                Chunk::Shutdown { cumulative_tsn_ack }
            }
            ChunkType::SHUTDOWN_ACK => {
                exact(&value, 0, "SHUTDOWN ACK")?;
                Chunk::ShutdownAck
            }
            ChunkType::ERROR => Chunk::Error {
                causes: ErrorCause::decode_list(value)?,
            },
            ChunkType::COOKIE_ECHO => Chunk::CookieEcho { cookie: value },
            ChunkType::COOKIE_ACK => {
                exact(&value, 0, "COOKIE ACK")?;
                Chunk::CookieAck
            }
            ChunkType::SHUTDOWN_COMPLETE => {
                exact(&value, 0, "SHUTDOWN COMPLETE")?;
                Chunk::ShutdownComplete {
                    reflected_tag: flags & FLAG_T != 0,
                }
            }
            ChunkType::I_DATA => Chunk::IData(IDataChunk::decode(flags, value)?),
            ChunkType::RE_CONFIG => Chunk::ReConfig(ReConfigChunk::decode(value)?),
            ChunkType::FORWARD_TSN => Chunk::ForwardTsn(ForwardTsnChunk::decode(value)?),
            ChunkType::I_FORWARD_TSN => Chunk::IForwardTsn(IForwardTsnChunk::decode(value)?),
            _ => Chunk::Unknown {
                chunk_type,
                flags,
                value,
            },
        })
    }

    /// The chunk type number.
    pub fn chunk_type(&self) -> u8 {
        match self {
            Chunk::Data(_) => ChunkType::DATA,
            Chunk::Init(_) => ChunkType::INIT,
            Chunk::InitAck(_) => ChunkType::INIT_ACK,
            Chunk::Sack(_) => ChunkType::SACK,
            Chunk::Heartbeat { .. } => ChunkType::HEARTBEAT,
            Chunk::HeartbeatAck { .. } => ChunkType::HEARTBEAT_ACK,
            Chunk::Abort { .. } => ChunkType::ABORT,
            Chunk::Shutdown { .. } => ChunkType::SHUTDOWN,
            Chunk::ShutdownAck => ChunkType::SHUTDOWN_ACK,
            Chunk::Error { .. } => ChunkType::ERROR,
            Chunk::CookieEcho { .. } => ChunkType::COOKIE_ECHO,
            Chunk::CookieAck => ChunkType::COOKIE_ACK,
            Chunk::ShutdownComplete { .. } => ChunkType::SHUTDOWN_COMPLETE,
            Chunk::IData(_) => ChunkType::I_DATA,
            Chunk::ReConfig(_) => ChunkType::RE_CONFIG,
            Chunk::ForwardTsn(_) => ChunkType::FORWARD_TSN,
            Chunk::IForwardTsn(_) => ChunkType::I_FORWARD_TSN,
            Chunk::Unknown { chunk_type, .. } => *chunk_type,
        }
    }

    fn flags(&self) -> u8 {
        match self {
            Chunk::Data(d) => d.flags(),
            Chunk::IData(d) => d.flags(),
            Chunk::Abort { reflected_tag, .. } | Chunk::ShutdownComplete { reflected_tag } => {
                u8::from(*reflected_tag)
            }
            Chunk::Unknown { flags, .. } => *flags,
            _ => 0,
        }
    }

    fn value_len(&self) -> usize {
        match self {
            Chunk::Data(d) => d.value_len(),
            Chunk::IData(d) => d.value_len(),
            Chunk::Init(i) | Chunk::InitAck(i) => i.value_len(),
            Chunk::Sack(s) => s.value_len(),
            // The Heartbeat Info TLV, its padding included.
            Chunk::Heartbeat { info } | Chunk::HeartbeatAck { info } => tlv::padded_len(info.len()),
            Chunk::Abort { causes, .. } | Chunk::Error { causes } => {
                causes.iter().map(ErrorCause::encoded_len).sum()
            }
            Chunk::Shutdown { .. } => 4,
            Chunk::ShutdownAck | Chunk::CookieAck | Chunk::ShutdownComplete { .. } => 0,
            Chunk::CookieEcho { cookie: b } | Chunk::Unknown { value: b, .. } => b.len(),
            Chunk::ReConfig(r) => r.value_len(),
            Chunk::ForwardTsn(f) => f.value_len(),
            Chunk::IForwardTsn(f) => f.value_len(),
        }
    }

    /// The encoded size of the chunk, header and padding included.
    pub fn encoded_len(&self) -> usize {
        let v = self.value_len();
        4 + v + pad4(v)
    }

    /// Appends the encoded chunk (header, value, padding).
    pub fn encode(&self, out: &mut BytesMut) -> Result<(), WireError> {
        let value_len = self.value_len();
        let len = u16::try_from(4 + value_len).map_err(|_| WireError::TooLong)?;
        out.reserve(4 + value_len + 3);
        out.put_u8(self.chunk_type());
        out.put_u8(self.flags());
        out.put_u16(len);
        match self {
            Chunk::Data(d) => d.encode_value(out),
            Chunk::IData(d) => d.encode_value(out),
            Chunk::Init(i) | Chunk::InitAck(i) => i.encode_value(out)?,
            Chunk::Sack(s) => s.encode_value(out)?,
            Chunk::Heartbeat { info } | Chunk::HeartbeatAck { info } => {
                tlv::put_opaque(out, HEARTBEAT_INFO, info)?
            }
            Chunk::Abort { causes, .. } | Chunk::Error { causes } => {
                causes.iter().try_for_each(|c| c.encode(out))?
            }
            Chunk::Shutdown { cumulative_tsn_ack } => out.put_u32(*cumulative_tsn_ack),
            Chunk::ShutdownAck | Chunk::CookieAck | Chunk::ShutdownComplete { .. } => {}
            Chunk::CookieEcho { cookie: b } | Chunk::Unknown { value: b, .. } => out.put_slice(b),
            Chunk::ReConfig(r) => r.encode_value(out)?,
            Chunk::ForwardTsn(f) => f.encode_value(out),
            Chunk::IForwardTsn(f) => f.encode_value(out),
        }
        out.put_bytes(0, pad4(value_len));
        Ok(())
    }
}
