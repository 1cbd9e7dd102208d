//! The Data Channel Establishment Protocol messages (RFC 8832 §5): DATA_CHANNEL_OPEN and
//! DATA_CHANNEL_ACK, sent with PPID 50 on the channel's stream, and the channel types of
//! RFC 8832 §5.1 (reliable, partially reliable by retransmissions or by time, each ordered or
//! unordered).

use bytes::{BufMut, Bytes, BytesMut};

use crate::wire::{get_u16, get_u32};

const MSG_ACK: u8 = 0x02;
const MSG_OPEN: u8 = 0x03;

/// Why a DCEP message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DcepError {
    /// Empty, truncated, or with lengths that do not add up.
    #[error("malformed DCEP message")]
    Malformed,
    /// An unknown message type.
    #[error("unknown DCEP message type {0}")]
    UnknownType(u8),
    /// An unknown channel type.
    #[error("unknown DCEP channel type {0:#04x}")]
    UnknownChannelType(u8),
    /// The label or protocol is not UTF-8.
    #[error("label or protocol is not UTF-8")]
    NotUtf8,
}

/// The channel type of a DATA_CHANNEL_OPEN (RFC 8832 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelType {
    /// 0x00: reliable, ordered.
    Reliable,
    /// 0x80: reliable, unordered.
    ReliableUnordered,
    /// 0x01: partially reliable (retransmissions), ordered.
    PartialReliableRexmit,
    /// 0x81: partially reliable (retransmissions), unordered.
    PartialReliableRexmitUnordered,
    /// 0x02: partially reliable (lifetime), ordered.
    PartialReliableTimed,
    /// 0x82: partially reliable (lifetime), unordered.
    PartialReliableTimedUnordered,
}

impl ChannelType {
    /// The wire value.
    pub fn value(self) -> u8 {
        match self {
            ChannelType::Reliable => 0x00,
            ChannelType::ReliableUnordered => 0x80,
            ChannelType::PartialReliableRexmit => 0x01,
            ChannelType::PartialReliableRexmitUnordered => 0x81,
            ChannelType::PartialReliableTimed => 0x02,
            ChannelType::PartialReliableTimedUnordered => 0x82,
        }
    }

    /// The type with this wire value.
    pub fn from_value(v: u8) -> Result<Self, DcepError> {
        Ok(match v {
            0x00 => ChannelType::Reliable,
            0x80 => ChannelType::ReliableUnordered,
            0x01 => ChannelType::PartialReliableRexmit,
            0x81 => ChannelType::PartialReliableRexmitUnordered,
            0x02 => ChannelType::PartialReliableTimed,
            0x82 => ChannelType::PartialReliableTimedUnordered,
            v => return Err(DcepError::UnknownChannelType(v)),
        })
    }

    /// Whether messages are delivered in order.
    pub fn ordered(self) -> bool {
        self.value() & 0x80 == 0
    }
}

/// A DATA_CHANNEL_OPEN message (RFC 8832 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelOpen {
    /// The channel type.
    pub channel_type: ChannelType,
    /// The priority (RFC 8832 §5.1; W3C priorities map to 128/256/512/1024).
    pub priority: u16,
    /// Retransmissions (rexmit types) or lifetime in milliseconds (timed types); else ignored.
    pub reliability_parameter: u32,
    /// The label.
    pub label: String,
    /// The sub-protocol.
    pub protocol: String,
}

/// A DCEP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DcepMessage {
    /// DATA_CHANNEL_OPEN.
    Open(DataChannelOpen),
    /// DATA_CHANNEL_ACK.
    Ack,
}

impl DcepMessage {
    /// Decodes a DCEP message (the payload of a PPID 50 message).
    pub fn decode(b: &[u8]) -> Result<DcepMessage, DcepError> {
        match b.first() {
            Some(&MSG_ACK) => Ok(DcepMessage::Ack),
            Some(&MSG_OPEN) => {
                let channel_type = ChannelType::from_value(*b.get(1).ok_or(DcepError::Malformed)?)?;
                let priority = get_u16(b, 2).ok_or(DcepError::Malformed)?;
                let reliability_parameter = get_u32(b, 4).ok_or(DcepError::Malformed)?;
                let label_len = usize::from(get_u16(b, 8).ok_or(DcepError::Malformed)?);
                let protocol_len = usize::from(get_u16(b, 10).ok_or(DcepError::Malformed)?);
                let label = b.get(12..12 + label_len).ok_or(DcepError::Malformed)?;
                let protocol = b
                    .get(12 + label_len..12 + label_len + protocol_len)
                    .ok_or(DcepError::Malformed)?;
                Ok(DcepMessage::Open(DataChannelOpen {
                    channel_type,
                    priority,
                    reliability_parameter,
                    label: String::from_utf8(label.to_vec()).map_err(|_| DcepError::NotUtf8)?,
                    protocol: String::from_utf8(protocol.to_vec())
                        .map_err(|_| DcepError::NotUtf8)?,
                }))
            }
            Some(&t) => Err(DcepError::UnknownType(t)),
            None => Err(DcepError::Malformed),
        }
    }

    /// Encodes the message. Labels and protocols longer than 65,535 bytes are truncated at a
    /// character boundary (the W3C API refuses them before they get here).
    pub fn encode(&self) -> Bytes {
        match self {
            DcepMessage::Ack => Bytes::from_static(&[MSG_ACK]),
            DcepMessage::Open(o) => {
                let label = truncate(&o.label);
                let protocol = truncate(&o.protocol);
                let mut b = BytesMut::with_capacity(12 + label.len() + protocol.len());
                b.put_u8(MSG_OPEN);
                b.put_u8(o.channel_type.value());
                b.put_u16(o.priority);
                b.put_u32(o.reliability_parameter);
                b.put_u16(label.len() as u16);
                b.put_u16(protocol.len() as u16);
                b.put_slice(label.as_bytes());
                b.put_slice(protocol.as_bytes());
                b.freeze()
            }
        }
    }
}

fn truncate(s: &str) -> &str {
    let mut end = s.len().min(u16::MAX as usize);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn open_known_bytes() {
        // RFC 8832 §5.1 layout: type 3, channel type 0x81, priority 256, 5 retransmissions,
        // label "chat", protocol "".
        let open = DcepMessage::Open(DataChannelOpen {
            channel_type: ChannelType::PartialReliableRexmitUnordered,
            priority: 256,
            reliability_parameter: 5,
            label: "chat".into(),
            protocol: String::new(),
        });
        let bytes = open.encode();
        assert_eq!(
            &bytes[..],
            &[
                3, 0x81, 1, 0, 0, 0, 0, 5, 0, 4, 0, 0, b'c', b'h', b'a', b't'
            ]
        );
        assert_eq!(DcepMessage::decode(&bytes), Ok(open));
        assert_eq!(DcepMessage::decode(&[2]), Ok(DcepMessage::Ack));
        assert_eq!(DcepMessage::Ack.encode(), Bytes::from_static(&[2]));
    }

    #[test]
    fn malformed() {
        assert_eq!(DcepMessage::decode(&[]), Err(DcepError::Malformed));
        assert_eq!(DcepMessage::decode(&[9]), Err(DcepError::UnknownType(9)));
        assert_eq!(
            DcepMessage::decode(&[3, 0x03]),
            Err(DcepError::UnknownChannelType(3))
        );
        assert_eq!(
            DcepMessage::decode(&[3, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, b'a']),
            Err(DcepError::Malformed)
        );
        assert_eq!(
            DcepMessage::decode(&[3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xff]),
            Err(DcepError::NotUtf8)
        );
    }

    fn channel_type() -> impl Strategy<Value = ChannelType> {
        prop_oneof![
            Just(ChannelType::Reliable),
            Just(ChannelType::ReliableUnordered),
            Just(ChannelType::PartialReliableRexmit),
            Just(ChannelType::PartialReliableRexmitUnordered),
            Just(ChannelType::PartialReliableTimed),
            Just(ChannelType::PartialReliableTimedUnordered),
        ]
    }

    proptest! {
        #[test]
        fn open_round_trips(t in channel_type(), p in any::<u16>(), r in any::<u32>(), label in ".{0,20}", protocol in ".{0,20}") {
            let m = DcepMessage::Open(DataChannelOpen { channel_type: t, priority: p, reliability_parameter: r, label, protocol });
            prop_assert_eq!(DcepMessage::decode(&m.encode()), Ok(m));
        }

        #[test]
        fn decode_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = DcepMessage::decode(&b);
        }
    }
}
