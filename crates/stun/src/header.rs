//! The 20-byte STUN message header (RFC 8489 §5, §6): message type (class and method), message
//! length, magic cookie and 96-bit transaction id, and the cheap checks that recognise STUN
//! without parsing attributes ([`Header::peek`], [`is_stun`]).
//!
//! Methods are those of STUN (Binding, RFC 8489 §18.2) and TURN (Allocate, Refresh, Send, Data,
//! CreatePermission, ChannelBind, RFC 8656 §17); any other 12-bit method decodes too.

use std::fmt;

use rtcpeer_types::Rng;

use crate::error::DecodeError;

/// The fixed value of bytes 4–7 of every RFC 5389/8489 message (RFC 8489 §5).
pub const MAGIC_COOKIE: u32 = 0x2112_A442;

/// Length of the message header in bytes.
pub const HEADER_LEN: usize = 20;

/// Largest value of the message length field: a multiple of 4 (RFC 8489 §5).
pub const MAX_MESSAGE_LEN: usize = 0xFFFC;

/// The class of a message (RFC 8489 §5: bits C1 and C0 of the message type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// A request (0b00): expects a response.
    Request,
    /// An indication (0b01): no response.
    Indication,
    /// A success response (0b10).
    SuccessResponse,
    /// An error response (0b11): carries ERROR-CODE.
    ErrorResponse,
}

impl Class {
    /// The two class bits C1 C0 as a number 0–3.
    pub const fn bits(self) -> u16 {
        match self {
            Class::Request => 0b00,
            Class::Indication => 0b01,
            Class::SuccessResponse => 0b10,
            Class::ErrorResponse => 0b11,
        }
    }

    /// The class with the bits C1 C0 (only the two low bits are read).
    pub const fn from_bits(bits: u16) -> Class {
        match bits & 0b11 {
            0b00 => Class::Request,
            0b01 => Class::Indication,
            0b10 => Class::SuccessResponse,
            _ => Class::ErrorResponse,
        }
    }

    /// Whether this is a success or error response.
    pub const fn is_response(self) -> bool {
        matches!(self, Class::SuccessResponse | Class::ErrorResponse)
    }
}

/// A 12-bit STUN method (RFC 8489 §5, §18.2; RFC 8656 §17).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Method(u16);

impl Method {
    /// Binding (0x001), RFC 8489.
    pub const BINDING: Method = Method(0x001);
    /// Allocate (0x003), RFC 8656 §17: request and response only.
    pub const ALLOCATE: Method = Method(0x003);
    /// Refresh (0x004), RFC 8656 §17: request and response only.
    pub const REFRESH: Method = Method(0x004);
    /// Send (0x006), RFC 8656 §17: indication only.
    pub const SEND: Method = Method(0x006);
    /// Data (0x007), RFC 8656 §17: indication only.
    pub const DATA: Method = Method(0x007);
    /// CreatePermission (0x008), RFC 8656 §17: request and response only.
    pub const CREATE_PERMISSION: Method = Method(0x008);
    /// ChannelBind (0x009), RFC 8656 §17: request and response only.
    pub const CHANNEL_BIND: Method = Method(0x009);

    /// The method with this number, or `None` if it does not fit in 12 bits.
    pub const fn new(value: u16) -> Option<Method> {
        if value <= 0x0FFF {
            Some(Method(value))
        } else {
            None
        }
    }

    /// The method number (0–0xFFF).
    pub const fn value(self) -> u16 {
        self.0
    }

    /// The RFC name of a method this crate knows ("Binding", "Allocate", ...).
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x001 => "Binding",
            0x003 => "Allocate",
            0x004 => "Refresh",
            0x006 => "Send",
            0x007 => "Data",
            0x008 => "CreatePermission",
            0x009 => "ChannelBind",
            _ => return None,
        })
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Method({:#05x})", self.0),
        }
    }
}

/// The message type: a method and a class, interleaved on the wire as
/// `M11..M7 C1 M6..M4 C0 M3..M0` (RFC 8489 §5, figure 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageType {
    /// The method.
    pub method: Method,
    /// The class.
    pub class: Class,
}

impl MessageType {
    /// Binding request (0x0001).
    pub const BINDING_REQUEST: MessageType = MessageType::new(Method::BINDING, Class::Request);
    /// Binding success response (0x0101).
    pub const BINDING_SUCCESS: MessageType =
        MessageType::new(Method::BINDING, Class::SuccessResponse);
    /// Binding error response (0x0111).
    pub const BINDING_ERROR: MessageType = MessageType::new(Method::BINDING, Class::ErrorResponse);
    /// Binding indication (0x0011), used for ICE keepalives.
    pub const BINDING_INDICATION: MessageType =
        MessageType::new(Method::BINDING, Class::Indication);

    /// The type with this method and class.
    pub const fn new(method: Method, class: Class) -> MessageType {
        MessageType { method, class }
    }

    /// The 16-bit wire value (the two leading bits are zero).
    pub const fn to_u16(self) -> u16 {
        let m = self.method.0;
        let c = self.class.bits();
        (m & 0x000F)
            | ((m & 0x0070) << 1)
            | ((m & 0x0F80) << 2)
            | ((c & 0b01) << 4)
            | ((c & 0b10) << 7)
    }

    /// The type a 16-bit wire value carries, or `None` if its two leading bits are not zero.
    pub const fn from_u16(value: u16) -> Option<MessageType> {
        if value & 0xC000 != 0 {
            return None;
        }
        let method = (value & 0x000F) | ((value >> 1) & 0x0070) | ((value >> 2) & 0x0F80);
        let class = ((value >> 4) & 0b01) | ((value >> 7) & 0b10);
        Some(MessageType {
            method: Method(method),
            class: Class::from_bits(class),
        })
    }
}

/// The 96-bit transaction id (RFC 8489 §5, §6.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId([u8; 12]);

impl TransactionId {
    /// A transaction id with these bytes.
    pub const fn new(bytes: [u8; 12]) -> TransactionId {
        TransactionId(bytes)
    }

    /// A fresh, uniformly random transaction id, as RFC 8489 §6.3 requires for every new request.
    pub fn random(rng: &mut Rng) -> TransactionId {
        let mut bytes = [0u8; 12];
        rng.fill(&mut bytes);
        TransactionId(bytes)
    }

    /// The 12 bytes.
    pub const fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }
}

impl From<[u8; 12]> for TransactionId {
    fn from(bytes: [u8; 12]) -> Self {
        TransactionId(bytes)
    }
}

impl fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TransactionId({self})")
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A parsed message header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// Method and class.
    pub message_type: MessageType,
    /// The message length field: bytes of attributes after the header.
    pub length: u16,
    /// The transaction id.
    pub transaction_id: TransactionId,
}

impl Header {
    /// Reads and checks the 20-byte header at the start of `buf` without looking at attributes:
    /// the two leading zero bits, the magic cookie and a length that is a multiple of 4
    /// (RFC 8489 §6.3). `buf` may be shorter or longer than the message it starts (a TCP stream):
    /// use [`Header::message_len`] to frame it.
    pub fn peek(buf: &[u8]) -> Result<Header, DecodeError> {
        let Some(bytes) = buf.first_chunk::<HEADER_LEN>() else {
            return Err(DecodeError::Truncated {
                needed: HEADER_LEN,
                available: buf.len(),
            });
        };
        let raw_type = u16::from_be_bytes([bytes[0], bytes[1]]);
        let message_type = MessageType::from_u16(raw_type).ok_or(DecodeError::NotStun)?;
        let length = u16::from_be_bytes([bytes[2], bytes[3]]);
        let cookie = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        if cookie != MAGIC_COOKIE {
            return Err(DecodeError::BadMagicCookie(cookie));
        }
        if length % 4 != 0 {
            return Err(DecodeError::UnalignedLength(length));
        }
        let mut id = [0u8; 12];
        id.copy_from_slice(&bytes[8..]);
        Ok(Header {
            message_type,
            length,
            transaction_id: TransactionId(id),
        })
    }

    /// The whole message's length in bytes: header plus attributes.
    pub const fn message_len(&self) -> usize {
        HEADER_LEN + self.length as usize
    }

    /// The 20 header bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..2].copy_from_slice(&self.message_type.to_u16().to_be_bytes());
        out[2..4].copy_from_slice(&self.length.to_be_bytes());
        out[4..8].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        out[8..].copy_from_slice(&self.transaction_id.0);
        out
    }
}

/// Whether `datagram` is exactly one STUN message, judged by its header alone (leading bits,
/// magic cookie, aligned length that matches the datagram). Attributes are not parsed; use
/// [`Message::decode`](crate::Message::decode) for that, and
/// [`Message::verify_fingerprint`](crate::Message::verify_fingerprint) where STUN shares a port
/// with other protocols.
pub fn is_stun(datagram: &[u8]) -> bool {
    Header::peek(datagram).is_ok_and(|h| h.message_len() == datagram.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_bits_follow_rfc_8489_figure_3() {
        let cases = [
            (Method::BINDING, Class::Request, 0x0001),
            (Method::BINDING, Class::Indication, 0x0011),
            (Method::BINDING, Class::SuccessResponse, 0x0101),
            (Method::BINDING, Class::ErrorResponse, 0x0111),
            (Method::ALLOCATE, Class::Request, 0x0003),
            (Method::ALLOCATE, Class::SuccessResponse, 0x0103),
            (Method::ALLOCATE, Class::ErrorResponse, 0x0113),
            (Method::REFRESH, Class::Request, 0x0004),
            (Method::SEND, Class::Indication, 0x0016),
            (Method::DATA, Class::Indication, 0x0017),
            (Method::CREATE_PERMISSION, Class::Request, 0x0008),
            (Method::CHANNEL_BIND, Class::Request, 0x0009),
            (Method::CHANNEL_BIND, Class::SuccessResponse, 0x0109),
        ];
        for (method, class, wire) in cases {
            let t = MessageType::new(method, class);
            assert_eq!(t.to_u16(), wire, "{method} {class:?}");
            assert_eq!(MessageType::from_u16(wire), Some(t));
        }
        let top = MessageType::new(Method::new(0xFFF).unwrap(), Class::ErrorResponse);
        assert_eq!(top.to_u16(), 0x3FFF);
        assert_eq!(MessageType::from_u16(0x4001), None);
        assert_eq!(Method::new(0x1000), None);
    }

    #[test]
    fn every_type_value_round_trips() {
        for wire in 0..=0x3FFFu16 {
            let t = MessageType::from_u16(wire).unwrap();
            assert_eq!(t.to_u16(), wire);
        }
    }

    #[test]
    fn peek_checks_bits_cookie_and_alignment() {
        let header = Header {
            message_type: MessageType::BINDING_REQUEST,
            length: 8,
            transaction_id: TransactionId::new([7; 12]),
        };
        let bytes = header.to_bytes();
        assert_eq!(Header::peek(&bytes), Ok(header));
        assert_eq!(header.message_len(), 28);
        assert!(matches!(
            Header::peek(&bytes[..19]),
            Err(DecodeError::Truncated {
                needed: 20,
                available: 19
            })
        ));
        let mut bad = bytes;
        bad[0] = 0x80;
        assert_eq!(Header::peek(&bad), Err(DecodeError::NotStun));
        let mut bad = bytes;
        bad[4] = 0;
        assert_eq!(
            Header::peek(&bad),
            Err(DecodeError::BadMagicCookie(0x0012_A442))
        );
        let mut bad = bytes;
        bad[3] = 6;
        assert_eq!(Header::peek(&bad), Err(DecodeError::UnalignedLength(6)));
        assert!(!is_stun(&bytes));
        let mut whole = bytes.to_vec();
        whole.extend_from_slice(&[0; 8]);
        assert!(is_stun(&whole));
        whole.push(0);
        assert!(!is_stun(&whole));
    }

    #[test]
    fn random_transaction_ids_differ_and_replay_from_a_seed() {
        let mut a = Rng::from_seed(1);
        let mut b = Rng::from_seed(1);
        let x = TransactionId::random(&mut a);
        assert_eq!(x, TransactionId::random(&mut b));
        assert_ne!(x, TransactionId::random(&mut a));
        assert_eq!(
            format!("{}", TransactionId::new([0xab; 12])),
            "ab".repeat(12)
        );
    }
}
