//! INIT and INIT ACK chunks (RFC 9260 §3.3.2, §3.3.3) and their parameters: addresses, Cookie
//! Preservative, Supported Address Types, State Cookie, Unrecognized Parameter (RFC 9260),
//! Forward-TSN-Supported (RFC 3758 §3.1), Supported Extensions (RFC 5061 §4.2.7), Zero Checksum
//! Acceptable (RFC 9653 §3) and parameters this implementation does not know, with the action
//! their type's upper two bits ask for (RFC 9260 §3.2.1).

use std::net::{Ipv4Addr, Ipv6Addr};

use bytes::{BufMut, Bytes, BytesMut};

use super::tlv::{self, Tlvs};
use super::{WireError, get_u16, get_u32};

/// What to do with a parameter of an unknown type (RFC 9260 §3.2.1), from its upper two bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownParamAction {
    /// `00`: stop processing this parameter and the rest of the chunk's parameters.
    Stop,
    /// `01`: stop, and report the parameter.
    StopAndReport,
    /// `10`: skip this parameter and continue.
    Skip,
    /// `11`: skip, continue, and report the parameter.
    SkipAndReport,
}

impl UnknownParamAction {
    /// The action for parameter type `param_type`.
    pub fn of(param_type: u16) -> Self {
        match param_type >> 14 {
            0 => UnknownParamAction::Stop,
            1 => UnknownParamAction::StopAndReport,
            2 => UnknownParamAction::Skip,
            _ => UnknownParamAction::SkipAndReport,
        }
    }

    /// Whether the parameter must be reported to the sender.
    pub fn reports(self) -> bool {
        matches!(
            self,
            UnknownParamAction::StopAndReport | UnknownParamAction::SkipAndReport
        )
    }

    /// Whether processing of the chunk's remaining parameters stops.
    pub fn stops(self) -> bool {
        matches!(
            self,
            UnknownParamAction::Stop | UnknownParamAction::StopAndReport
        )
    }
}

const PARAM_IPV4: u16 = 5;
const PARAM_IPV6: u16 = 6;
const PARAM_STATE_COOKIE: u16 = 7;
const PARAM_UNRECOGNIZED: u16 = 8;
const PARAM_COOKIE_PRESERVATIVE: u16 = 9;
const PARAM_HOST_NAME: u16 = 11;
const PARAM_SUPPORTED_ADDRESS_TYPES: u16 = 12;
const PARAM_ECN_CAPABLE: u16 = 0x8000;
const PARAM_ZERO_CHECKSUM: u16 = 0x8001;
const PARAM_SUPPORTED_EXTENSIONS: u16 = 0x8008;
const PARAM_FORWARD_TSN_SUPPORTED: u16 = 0xC000;

/// A parameter of an INIT or INIT ACK chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InitParam {
    /// Type 5: an IPv4 address of the sender.
    Ipv4Address(Ipv4Addr),
    /// Type 6: an IPv6 address of the sender.
    Ipv6Address(Ipv6Addr),
    /// Type 7: the State Cookie (INIT ACK only), opaque to the receiver.
    StateCookie(Bytes),
    /// Type 8: a parameter of the INIT this INIT ACK answers that was not recognised
    /// (the whole TLV).
    UnrecognizedParameter(Bytes),
    /// Type 9: the sender asks for a longer cookie lifetime.
    CookiePreservative {
        /// Suggested lifespan increment, in milliseconds.
        increment_ms: u32,
    },
    /// Type 11 (deprecated): a host name.
    HostName(Bytes),
    /// Type 12: the address types the sender supports.
    SupportedAddressTypes(Vec<u16>),
    /// Type 0x8000: ECN capable (RFC 9260 Appendix A).
    EcnCapable,
    /// Type 0x8001 (RFC 9653): the sender accepts packets with a zero checksum when the given
    /// alternate error detection method is in use (1 = SCTP over DTLS).
    ZeroChecksumAcceptable {
        /// Error detection method identifier.
        edmid: u32,
    },
    /// Type 0x8008 (RFC 5061): chunk types of extensions the sender supports.
    SupportedExtensions(Vec<u8>),
    /// Type 0xC000 (RFC 3758): the sender supports FORWARD-TSN.
    ForwardTsnSupported,
    /// A parameter this implementation does not know.
    Unknown {
        /// The parameter type; its upper two bits give the [`UnknownParamAction`].
        param_type: u16,
        /// The parameter value.
        value: Bytes,
    },
}

impl InitParam {
    fn decode(ty: u16, value: Bytes) -> Result<InitParam, WireError> {
        let malformed = |name| WireError::MalformedParam(name);
        Ok(match ty {
            PARAM_IPV4 => {
                let b: [u8; 4] = value[..]
                    .try_into()
                    .map_err(|_| malformed("IPv4 Address"))?;
                InitParam::Ipv4Address(Ipv4Addr::from(b))
            }
            PARAM_IPV6 => {
                let b: [u8; 16] = value[..]
                    .try_into()
                    .map_err(|_| malformed("IPv6 Address"))?;
                InitParam::Ipv6Address(Ipv6Addr::from(b))
            }
            PARAM_STATE_COOKIE => InitParam::StateCookie(value),
            PARAM_UNRECOGNIZED => InitParam::UnrecognizedParameter(value),
            PARAM_COOKIE_PRESERVATIVE => {
                if value.len() != 4 {
                    return Err(malformed("Cookie Preservative"));
                }
                let increment_ms = get_u32(&value, 0).ok_or(malformed("Cookie Preservative"))?;
                InitParam::CookiePreservative { increment_ms }
            }
            PARAM_HOST_NAME => InitParam::HostName(value),
            PARAM_SUPPORTED_ADDRESS_TYPES => {
                if !value.len().is_multiple_of(2) {
                    return Err(malformed("Supported Address Types"));
                }
                InitParam::SupportedAddressTypes(tlv::u16_list(&value))
            }
            PARAM_ECN_CAPABLE if value.is_empty() => InitParam::EcnCapable,
            PARAM_ZERO_CHECKSUM => {
                if value.len() != 4 {
                    return Err(malformed("Zero Checksum Acceptable"));
                }
                let edmid = get_u32(&value, 0).ok_or(malformed("Zero Checksum Acceptable"))?;
                InitParam::ZeroChecksumAcceptable { edmid }
            }
            PARAM_SUPPORTED_EXTENSIONS => InitParam::SupportedExtensions(value.to_vec()),
            PARAM_FORWARD_TSN_SUPPORTED if value.is_empty() => InitParam::ForwardTsnSupported,
            PARAM_ECN_CAPABLE | PARAM_FORWARD_TSN_SUPPORTED => {
                return Err(malformed("flag"));
            }
            _ => InitParam::Unknown {
                param_type: ty,
                value,
            },
        })
    }

    /// The parameter type.
    pub fn param_type(&self) -> u16 {
        match self {
            InitParam::Ipv4Address(_) => PARAM_IPV4,
            InitParam::Ipv6Address(_) => PARAM_IPV6,
            InitParam::StateCookie(_) => PARAM_STATE_COOKIE,
            InitParam::UnrecognizedParameter(_) => PARAM_UNRECOGNIZED,
            InitParam::CookiePreservative { .. } => PARAM_COOKIE_PRESERVATIVE,
            InitParam::HostName(_) => PARAM_HOST_NAME,
            InitParam::SupportedAddressTypes(_) => PARAM_SUPPORTED_ADDRESS_TYPES,
            InitParam::EcnCapable => PARAM_ECN_CAPABLE,
            InitParam::ZeroChecksumAcceptable { .. } => PARAM_ZERO_CHECKSUM,
            InitParam::SupportedExtensions(_) => PARAM_SUPPORTED_EXTENSIONS,
            InitParam::ForwardTsnSupported => PARAM_FORWARD_TSN_SUPPORTED,
            InitParam::Unknown { param_type, .. } => *param_type,
        }
    }

    fn value_len(&self) -> usize {
        match self {
            InitParam::Ipv4Address(_) => 4,
            InitParam::Ipv6Address(_) => 16,
            InitParam::StateCookie(b)
            | InitParam::UnrecognizedParameter(b)
            | InitParam::HostName(b)
            | InitParam::Unknown { value: b, .. } => b.len(),
            InitParam::CookiePreservative { .. } | InitParam::ZeroChecksumAcceptable { .. } => 4,
            InitParam::SupportedAddressTypes(t) => 2 * t.len(),
            InitParam::EcnCapable | InitParam::ForwardTsnSupported => 0,
            InitParam::SupportedExtensions(c) => c.len(),
        }
    }

    /// The encoded size, padding included.
    pub fn encoded_len(&self) -> usize {
        tlv::padded_len(self.value_len())
    }

    /// Appends the encoded parameter, padded to four bytes.
    pub fn encode(&self, out: &mut BytesMut) -> Result<(), WireError> {
        self.encode_unpadded(out)?;
        tlv::put_padding(out, self.value_len());
        Ok(())
    }

    /// Appends the encoded parameter without its padding (the last parameter of a chunk:
    /// RFC 9260 §3.2 leaves its padding out of the chunk length).
    fn encode_unpadded(&self, out: &mut BytesMut) -> Result<(), WireError> {
        let len = self.value_len();
        tlv::put_header(out, self.param_type(), len)?;
        match self {
            InitParam::Ipv4Address(a) => out.put_slice(&a.octets()),
            InitParam::Ipv6Address(a) => out.put_slice(&a.octets()),
            InitParam::StateCookie(b)
            | InitParam::UnrecognizedParameter(b)
            | InitParam::HostName(b)
            | InitParam::Unknown { value: b, .. } => out.put_slice(b),
            InitParam::CookiePreservative { increment_ms: v }
            | InitParam::ZeroChecksumAcceptable { edmid: v } => out.put_u32(*v),
            InitParam::SupportedAddressTypes(t) => t.iter().for_each(|t| out.put_u16(*t)),
            InitParam::EcnCapable | InitParam::ForwardTsnSupported => {}
            InitParam::SupportedExtensions(c) => out.put_slice(c),
        }
        Ok(())
    }
}

/// An INIT or INIT ACK chunk (the two share one layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitChunk {
    /// The tag the receiver must put in every packet it sends; never zero.
    pub initiate_tag: u32,
    /// Advertised receiver window credit.
    pub a_rwnd: u32,
    /// Number of outbound streams the sender wants.
    pub outbound_streams: u16,
    /// Maximum number of inbound streams the sender accepts.
    pub inbound_streams: u16,
    /// The TSN the sender will use first.
    pub initial_tsn: u32,
    /// Optional and variable-length parameters, in order.
    pub params: Vec<InitParam>,
}

impl InitChunk {
    pub(crate) fn decode(value: Bytes, name: &'static str) -> Result<InitChunk, WireError> {
        let err = || WireError::MalformedChunk(name);
        let initiate_tag = get_u32(&value, 0).ok_or_else(err)?;
        let a_rwnd = get_u32(&value, 4).ok_or_else(err)?;
        let outbound_streams = get_u16(&value, 8).ok_or_else(err)?;
        let inbound_streams = get_u16(&value, 10).ok_or_else(err)?;
        let initial_tsn = get_u32(&value, 12).ok_or_else(err)?;
        let params = Tlvs::new(value.slice(16..))
            .map(|r| r.and_then(|(ty, v)| InitParam::decode(ty, v)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(InitChunk {
            initiate_tag,
            a_rwnd,
            outbound_streams,
            inbound_streams,
            initial_tsn,
            params,
        })
    }

    /// The value length: the fixed part and the parameters, each padded but the last
    /// (RFC 9260 §3.2: the chunk length leaves out the last parameter's padding).
    pub(crate) fn value_len(&self) -> usize {
        let padded: usize = self.params.iter().map(InitParam::encoded_len).sum();
        let last_padding = self
            .params
            .last()
            .map_or(0, |p| p.encoded_len() - 4 - p.value_len());
        16 + padded - last_padding
    }

    /// Writes the value; the last parameter's padding is left to the caller (it is the
    /// chunk's own padding).
    pub(crate) fn encode_value(&self, out: &mut BytesMut) -> Result<(), WireError> {
        out.put_u32(self.initiate_tag);
        out.put_u32(self.a_rwnd);
        out.put_u16(self.outbound_streams);
        out.put_u16(self.inbound_streams);
        out.put_u32(self.initial_tsn);
        if let Some((last, rest)) = self.params.split_last() {
            for p in rest {
                p.encode(out)?;
            }
            last.encode_unpadded(out)?;
        }
        Ok(())
    }

    /// The whole INIT chunk as bytes (header and value, without the chunk's trailing
    /// padding): what draft-hancke-tsvwg-snap carries, base64-encoded, in `a=sctp-init`.
    pub fn to_chunk_bytes(&self) -> Result<Bytes, WireError> {
        let value_len = self.value_len();
        let len = u16::try_from(4 + value_len).map_err(|_| WireError::TooLong)?;
        let mut out = BytesMut::with_capacity(4 + value_len);
        out.put_u8(super::ChunkType::INIT);
        out.put_u8(0);
        out.put_u16(len);
        self.encode_value(&mut out)?;
        Ok(out.freeze())
    }

    /// Parses a stand-alone INIT chunk (header included, trailing padding allowed), as
    /// carried in `a=sctp-init` (draft-hancke-tsvwg-snap).
    pub fn from_chunk_bytes(bytes: &[u8]) -> Result<InitChunk, WireError> {
        let err = WireError::MalformedChunk("INIT");
        let (Some(&ty), Some(len)) = (bytes.first(), get_u16(bytes, 2)) else {
            return Err(err);
        };
        let len = usize::from(len);
        if ty != super::ChunkType::INIT || len < 20 || len > bytes.len() {
            return Err(err);
        }
        // Only the chunk's padding (at most three zero bytes) may follow it.
        let tail = bytes.get(len..).unwrap_or_default();
        if tail.len() > 3 || tail.iter().any(|&b| b != 0) {
            return Err(err);
        }
        let value = Bytes::copy_from_slice(bytes.get(4..len).ok_or(err)?);
        InitChunk::decode(value, "INIT")
    }

    /// The State Cookie parameter, if present.
    pub fn state_cookie(&self) -> Option<&Bytes> {
        self.params.iter().find_map(|p| match p {
            InitParam::StateCookie(c) => Some(c),
            _ => None,
        })
    }

    /// Applies the unknown-parameter rules of RFC 9260 §3.2.1: returns the parameters to
    /// process (those before a "stop" parameter, unknown ones removed) and the unknown
    /// parameters to report, each as a whole encoded TLV.
    pub fn recognized_params(&self) -> (Vec<&InitParam>, Vec<Bytes>) {
        let mut process = Vec::new();
        let mut report = Vec::new();
        for p in &self.params {
            if let InitParam::Unknown { param_type, .. } = p {
                let action = UnknownParamAction::of(*param_type);
                if action.reports() {
                    let mut b = BytesMut::with_capacity(p.encoded_len());
                    if p.encode(&mut b).is_ok() {
                        report.push(b.freeze());
                    }
                }
                if action.stops() {
                    break;
                }
            } else {
                process.push(p);
            }
        }
        (process, report)
    }
}
