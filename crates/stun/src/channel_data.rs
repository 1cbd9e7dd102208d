//! TURN ChannelData messages (RFC 8656 §12.4) and the framing of STUN and ChannelData on a
//! TCP or TLS connection to a TURN server (RFC 8656 §12.5, RFC 8489 §6.2.2).
//!
//! A ChannelData message is a 4-byte header (channel number 0x4000–0x4FFF, data length) and the
//! application data. Over UDP padding is optional and ignored; over TCP and TLS the message is
//! padded to a multiple of 4 bytes and the padding is part of the frame (§12.5), while the
//! length field never counts it.

use crate::attributes::padding;
use crate::attributes::turn::ChannelNumber;
use crate::error::{DecodeError, EncodeError};
use crate::header::{HEADER_LEN, Header};

/// Length of the ChannelData header.
pub const CHANNEL_DATA_HEADER_LEN: usize = 4;

/// A ChannelData message, borrowing its data from the received bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelData<'a> {
    /// The channel number (0x4000–0x4FFF).
    pub channel: u16,
    /// The application data.
    pub data: &'a [u8],
}

/// Reads the channel number and data length of a ChannelData header.
fn read_header(buf: &[u8]) -> Result<Option<(u16, usize)>, DecodeError> {
    let Some([c0, c1, l0, l1]) = buf.first_chunk::<CHANNEL_DATA_HEADER_LEN>() else {
        return Ok(None);
    };
    let channel = u16::from_be_bytes([*c0, *c1]);
    if !ChannelNumber(channel).is_valid() {
        return Err(DecodeError::BadChannelNumber(channel));
    }
    Ok(Some((channel, usize::from(u16::from_be_bytes([*l0, *l1])))))
}

impl<'a> ChannelData<'a> {
    /// Whether the first two bits of `buf` are 0b01, as every ChannelData message's are
    /// (RFC 8656 §12, RFC 7983: first byte 64–79 for the valid channel range).
    pub fn is_channel_data(buf: &[u8]) -> bool {
        buf.first().is_some_and(|b| b & 0xC0 == 0x40)
    }

    /// Decodes a ChannelData message received as one UDP datagram. Up to three bytes of padding
    /// after the data are allowed and ignored; anything else after it is an error.
    pub fn decode(datagram: &'a [u8]) -> Result<ChannelData<'a>, DecodeError> {
        let Some((channel, len)) = read_header(datagram)? else {
            return Err(DecodeError::Truncated {
                needed: CHANNEL_DATA_HEADER_LEN,
                available: datagram.len(),
            });
        };
        let body = datagram.get(CHANNEL_DATA_HEADER_LEN..).unwrap_or_default();
        let Some(data) = body.get(..len) else {
            return Err(DecodeError::Truncated {
                needed: CHANNEL_DATA_HEADER_LEN + len,
                available: datagram.len(),
            });
        };
        if body.len() > len + padding(len) {
            return Err(DecodeError::LengthMismatch {
                declared: len,
                actual: body.len(),
            });
        }
        Ok(ChannelData { channel, data })
    }

    /// Decodes the ChannelData message at the start of a TCP/TLS byte stream: returns it and the
    /// bytes it occupies, padding included, or `None` if the stream does not hold all of it yet.
    pub fn decode_stream(buf: &'a [u8]) -> Result<Option<(ChannelData<'a>, usize)>, DecodeError> {
        let Some((channel, len)) = read_header(buf)? else {
            return Ok(None);
        };
        let frame = CHANNEL_DATA_HEADER_LEN + len + padding(len);
        if buf.len() < frame {
            return Ok(None);
        }
        let data = buf
            .get(CHANNEL_DATA_HEADER_LEN..CHANNEL_DATA_HEADER_LEN + len)
            .unwrap_or_default();
        Ok(Some((ChannelData { channel, data }, frame)))
    }

    /// The encoded length: header, data, and padding to 4 bytes if `pad` (required over TCP and
    /// TLS, optional over UDP).
    pub fn encoded_len(&self, pad: bool) -> usize {
        let len = CHANNEL_DATA_HEADER_LEN + self.data.len();
        if pad { len + padding(len) } else { len }
    }

    /// Appends the encoded message to `out`, padded to 4 bytes if `pad`.
    pub fn encode(&self, pad: bool, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if !ChannelNumber(self.channel).is_valid() {
            return Err(EncodeError::BadChannelNumber(self.channel));
        }
        let len = u16::try_from(self.data.len())
            .map_err(|_| EncodeError::ChannelDataTooLong(self.data.len()))?;
        out.reserve(self.encoded_len(pad));
        out.extend_from_slice(&self.channel.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(self.data);
        if pad {
            out.resize(out.len() + padding(self.data.len()), 0);
        }
        Ok(())
    }
}

/// The length of the STUN message or ChannelData message (padding included) at the start of a
/// TCP/TLS stream to a TURN server, or `None` if too few bytes have arrived to tell. An error
/// means the stream is not STUN/ChannelData (or a STUN header is invalid) and cannot be
/// resynchronised.
pub fn stream_frame_len(buf: &[u8]) -> Result<Option<usize>, DecodeError> {
    match buf.first() {
        None => Ok(None),
        Some(b) if b & 0xC0 == 0x40 => {
            Ok(read_header(buf)?.map(|(_, len)| CHANNEL_DATA_HEADER_LEN + len + padding(len)))
        }
        Some(b) if b & 0xC0 == 0 => {
            if buf.len() < HEADER_LEN {
                Ok(None)
            } else {
                Header::peek(buf).map(|h| Some(h.message_len()))
            }
        }
        Some(_) => Err(DecodeError::NotStun),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MessageBuilder, TransactionId};

    #[test]
    fn udp_round_trip_with_and_without_padding() {
        let cd = ChannelData {
            channel: 0x4001,
            data: b"hello",
        };
        let mut plain = Vec::new();
        cd.encode(false, &mut plain).unwrap();
        assert_eq!(plain, b"\x40\x01\x00\x05hello");
        assert_eq!(ChannelData::decode(&plain), Ok(cd));
        let mut padded = Vec::new();
        cd.encode(true, &mut padded).unwrap();
        assert_eq!(padded, b"\x40\x01\x00\x05hello\0\0\0");
        assert_eq!(cd.encoded_len(true), 12);
        assert_eq!(ChannelData::decode(&padded), Ok(cd));
        padded.push(0);
        assert!(ChannelData::decode(&padded).is_err());
        assert!(ChannelData::decode(&plain[..8]).is_err());
        assert!(ChannelData::decode(&plain[..3]).is_err());
        assert!(ChannelData::is_channel_data(&plain));
    }

    #[test]
    fn channel_range() {
        assert_eq!(
            ChannelData::decode(&[0x50, 0, 0, 0]),
            Err(DecodeError::BadChannelNumber(0x5000))
        );
        let mut out = Vec::new();
        assert_eq!(
            ChannelData {
                channel: 0x3fff,
                data: &[]
            }
            .encode(false, &mut out),
            Err(EncodeError::BadChannelNumber(0x3fff))
        );
        assert_eq!(
            ChannelData {
                channel: 0x4000,
                data: &vec![0; 65536]
            }
            .encode(false, &mut out),
            Err(EncodeError::ChannelDataTooLong(65536))
        );
    }

    #[test]
    fn tcp_stream_framing() {
        let stun = MessageBuilder::binding_request(TransactionId::new([1; 12]))
            .priority(1)
            .build()
            .unwrap();
        let mut stream = Vec::new();
        ChannelData {
            channel: 0x4fff,
            data: b"abcde",
        }
        .encode(true, &mut stream)
        .unwrap();
        stream.extend_from_slice(&stun);
        ChannelData {
            channel: 0x4000,
            data: b"",
        }
        .encode(true, &mut stream)
        .unwrap();

        let mut rest = &stream[..];
        let mut frames = Vec::new();
        while let Some(len) = stream_frame_len(rest).unwrap() {
            frames.push(len);
            rest = &rest[len..];
        }
        assert_eq!(frames, [12, stun.len(), 4]);
        assert!(rest.is_empty());
        let (cd, used) = ChannelData::decode_stream(&stream).unwrap().unwrap();
        assert_eq!((cd.data, used), (&b"abcde"[..], 12));
        assert_eq!(ChannelData::decode_stream(&stream[..11]), Ok(None));
        assert_eq!(stream_frame_len(&stun[..19]), Ok(None));
        assert_eq!(stream_frame_len(&[0x40, 0]), Ok(None));
        assert_eq!(stream_frame_len(&[0x80]), Err(DecodeError::NotStun));
        assert_eq!(stream_frame_len(&[]), Ok(None));
    }
}
