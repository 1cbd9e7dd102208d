//! RFC 4571 framing of STUN and application packets on an ICE-TCP stream (RFC 6544 §3): each
//! packet is preceded by its length as a 16-bit big-endian number. [`frame`] writes one;
//! [`Deframer`] cuts a stream that arrives in arbitrary pieces back into packets.

use bytes::{BufMut, Bytes, BytesMut};

/// The largest packet a frame can carry (the length field is 16 bits).
pub(crate) const MAX_FRAME: usize = u16::MAX as usize;

/// The framed form of `packet`, or `None` if it is longer than [`MAX_FRAME`].
pub(crate) fn frame(packet: &[u8]) -> Option<Bytes> {
    if packet.len() > MAX_FRAME {
        return None;
    }
    let len = u16::try_from(packet.len()).ok()?;
    let mut out = BytesMut::with_capacity(2 + packet.len());
    out.put_u16(len);
    out.put_slice(packet);
    Some(out.freeze())
}

/// Reassembles framed packets from a stream. It holds at most one incomplete frame (at most
/// 65,537 bytes) beyond what [`next_frame`](Self::next_frame) has not been asked for yet.
#[derive(Debug, Default)]
pub(crate) struct Deframer {
    buf: BytesMut,
}

impl Deframer {
    /// Appends bytes read from the stream.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete packet, if one has arrived whole. Empty frames are skipped.
    pub(crate) fn next_frame(&mut self) -> Option<Bytes> {
        loop {
            let header = self.buf.get(..2)?;
            let len = usize::from(u16::from_be_bytes([*header.first()?, *header.get(1)?]));
            if self.buf.len() < 2 + len {
                return None;
            }
            let mut frame = self.buf.split_to(2 + len);
            let packet = frame.split_off(2).freeze();
            if !packet.is_empty() {
                return Some(packet);
            }
        }
    }

    /// Bytes held for a frame not complete yet.
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_frames() {
        assert_eq!(&frame(b"abc").unwrap()[..], [0, 3, b'a', b'b', b'c']);
        assert_eq!(&frame(b"").unwrap()[..], [0, 0]);
        assert_eq!(frame(&vec![7; MAX_FRAME]).unwrap().len(), MAX_FRAME + 2);
        assert!(frame(&vec![7; MAX_FRAME + 1]).is_none());
        let mut d = Deframer::default();
        d.push(&[0, 0, 0, 2, 9]);
        assert_eq!(
            d.next_frame(),
            None,
            "the empty frame is skipped, the next is partial"
        );
        assert_eq!(d.buffered(), 3);
        d.push(&[8, 0]);
        assert_eq!(d.next_frame().as_deref(), Some(&[9, 8][..]));
        assert_eq!(d.next_frame(), None);
        assert_eq!(d.buffered(), 1);
    }

    proptest! {
        /// Any packets, framed and concatenated, then cut anywhere, come back whole and in order.
        #[test]
        fn deframe_of_frame_is_identity(
            packets in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..600), 0..12),
            cuts in proptest::collection::vec(any::<u16>(), 0..20),
        ) {
            let stream: Vec<u8> = packets.iter().flat_map(|p| frame(p).unwrap().to_vec()).collect();
            let mut points: Vec<usize> = cuts.iter().map(|&c| usize::from(c) % (stream.len() + 1)).collect();
            points.push(0);
            points.push(stream.len());
            points.sort_unstable();
            let mut d = Deframer::default();
            let mut out = Vec::new();
            for w in points.windows(2) {
                d.push(&stream[w[0]..w[1]]);
                while let Some(p) = d.next_frame() {
                    out.push(p.to_vec());
                }
            }
            prop_assert_eq!(out, packets);
            prop_assert_eq!(d.buffered(), 0);
        }

        #[test]
        fn deframer_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..100), 0..10)) {
            let mut d = Deframer::default();
            for c in chunks {
                d.push(&c);
                while d.next_frame().is_some() {}
                prop_assert!(d.buffered() <= MAX_FRAME + 1);
            }
        }
    }
}
