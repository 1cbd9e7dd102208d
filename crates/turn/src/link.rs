//! [`Link`]: the client's side of the transport to the TURN server, turning whole STUN and
//! ChannelData messages into bytes on the wire and back.
//!
//! Over UDP a message is a datagram. Over TCP the messages follow each other in one stream,
//! each ChannelData padded to a multiple of four bytes, and the receiver cuts frames by the
//! STUN header's length or the ChannelData length (RFC 8656 §12.5; the STUN header's first two
//! bits, 0b00, tell it from ChannelData's 0b01). Over TLS (`turns:`) the same stream runs inside
//! a [`TlsSession`].

use bytes::{Bytes, BytesMut};
use rtcpeer_stun::stream_frame_len;

use crate::config::TurnTransport;
use crate::error::{TurnError, UsageError};
use crate::tls::{ReadOutcome, TlsSession};

/// The transport-specific state of the connection to the server.
#[derive(Debug)]
pub enum Link {
    /// Datagrams.
    Udp,
    /// A TCP stream and the bytes received but not yet framed.
    Tcp {
        /// Received bytes not yet cut into frames.
        rx: BytesMut,
    },
    /// TLS over TCP: the session and the plaintext received but not yet framed.
    Tls {
        /// The rustls session.
        session: Box<TlsSession>,
        /// Decrypted bytes not yet cut into frames.
        rx: BytesMut,
    },
}

/// What arrived on the link.
#[derive(Debug, Default)]
pub struct Received {
    /// Whole messages, in order.
    pub frames: Vec<Bytes>,
    /// The server closed the stream (TLS close_notify).
    pub closed: bool,
}

impl Link {
    /// The link for a transport (for TLS, a fresh session).
    pub fn new(transport: &TurnTransport) -> Result<Link, UsageError> {
        Ok(match transport {
            TurnTransport::Udp => Link::Udp,
            TurnTransport::Tcp => Link::Tcp {
                rx: BytesMut::new(),
            },
            TurnTransport::Tls(settings) => Link::Tls {
                session: Box::new(TlsSession::new(settings)?),
                rx: BytesMut::new(),
            },
        })
    }

    /// Whether ChannelData must be padded to four bytes (TCP and TLS, RFC 8656 §12.5).
    pub fn pads_channel_data(&self) -> bool {
        !matches!(self, Link::Udp)
    }

    /// The bytes to put on the wire for one whole message now (for TLS: whatever ciphertext
    /// is ready, which during the handshake may not yet include the message).
    pub fn send(&mut self, message: Bytes) -> Result<Option<Bytes>, TurnError> {
        match self {
            Link::Udp | Link::Tcp { .. } => Ok(Some(message)),
            Link::Tls { session, .. } => {
                session.write(&message)?;
                Ok(session.take_output().map(Bytes::from))
            }
        }
    }

    /// Ciphertext the TLS session wants to send by itself (handshake, alerts).
    pub fn flush(&mut self) -> Option<Bytes> {
        match self {
            Link::Tls { session, .. } => session.take_output().map(Bytes::from),
            _ => None,
        }
    }

    /// Takes bytes received from the server and returns the whole messages they complete.
    pub fn receive(&mut self, contents: Bytes) -> Result<Received, TurnError> {
        let mut received = Received::default();
        match self {
            Link::Udp => received.frames.push(contents),
            Link::Tcp { rx } => {
                rx.extend_from_slice(&contents);
                cut_frames(rx, &mut received.frames)?;
            }
            Link::Tls { session, rx } => {
                let outcome = session.read(&contents, rx)?;
                received.closed = outcome == ReadOutcome::Closed;
                cut_frames(rx, &mut received.frames)?;
            }
        }
        Ok(received)
    }
}

/// Cuts every whole frame off the front of a stream buffer.
fn cut_frames(rx: &mut BytesMut, frames: &mut Vec<Bytes>) -> Result<(), TurnError> {
    loop {
        match stream_frame_len(rx) {
            Ok(Some(len)) if len <= rx.len() => frames.push(rx.split_to(len).freeze()),
            Ok(_) => return Ok(()),
            Err(e) => return Err(TurnError::CorruptStream(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcpeer_stun::{ChannelData, MessageBuilder, TransactionId};

    #[test]
    fn tcp_frames_survive_any_split() {
        let mut stream = MessageBuilder::binding_request(TransactionId::new([7; 12]))
            .software("x")
            .build()
            .unwrap();
        let first = stream.len();
        ChannelData {
            channel: 0x4000,
            data: b"hello",
        }
        .encode(true, &mut stream)
        .unwrap();
        for cut in 0..=stream.len() {
            let mut link = Link::new(&TurnTransport::Tcp).unwrap();
            let mut frames = link
                .receive(Bytes::copy_from_slice(&stream[..cut]))
                .unwrap()
                .frames;
            frames.extend(
                link.receive(Bytes::copy_from_slice(&stream[cut..]))
                    .unwrap()
                    .frames,
            );
            assert_eq!(frames.len(), 2, "cut at {cut}");
            assert_eq!(frames[0].len(), first);
            assert_eq!(&frames[1][..], b"\x40\x00\x00\x05hello\0\0\0");
        }
    }

    #[test]
    fn garbage_stream_is_an_error() {
        let mut link = Link::new(&TurnTransport::Tcp).unwrap();
        assert!(matches!(
            link.receive(Bytes::from_static(&[0x80, 1, 2, 3])),
            Err(TurnError::CorruptStream(_))
        ));
        let mut udp = Link::new(&TurnTransport::Udp).unwrap();
        assert_eq!(
            udp.receive(Bytes::from_static(&[0x80]))
                .unwrap()
                .frames
                .len(),
            1
        );
        assert!(!udp.pads_channel_data());
        assert!(udp.flush().is_none());
    }
}
