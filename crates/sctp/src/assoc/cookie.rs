//! The State Cookie (RFC 9260 §5.1.3): what the INIT ACK sender needs to build the association
//! later, authenticated with HMAC-SHA-256 under a per-association secret so that the answer to
//! an INIT stays stateless (§5.1.5 checks the MAC and the lifetime).

use aws_lc_rs::hmac;
use bytes::{BufMut, Bytes, BytesMut};

use crate::wire::{get_u16, get_u32};

const VERSION: u8 = 1;
const BODY_LEN: usize = 1 + 4 * 7 + 2 * 2 + 8 + 1;
const MAC_LEN: usize = 32;

/// What the peer negotiated, carried in the cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PeerCaps {
    pub(crate) forward_tsn: bool,
    pub(crate) reconfig: bool,
    pub(crate) zero_checksum: bool,
    /// The peer lists I-DATA (RFC 8260).
    pub(crate) interleaving: bool,
}

impl PeerCaps {
    fn bits(self) -> u8 {
        u8::from(self.forward_tsn)
            | (u8::from(self.reconfig) << 1)
            | (u8::from(self.zero_checksum) << 2)
            | (u8::from(self.interleaving) << 3)
    }
    fn from_bits(b: u8) -> Self {
        PeerCaps {
            forward_tsn: b & 1 != 0,
            reconfig: b & 2 != 0,
            zero_checksum: b & 4 != 0,
            interleaving: b & 8 != 0,
        }
    }
}

/// The contents of a State Cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cookie {
    pub(crate) my_tag: u32,
    pub(crate) peer_tag: u32,
    pub(crate) my_initial_tsn: u32,
    pub(crate) peer_initial_tsn: u32,
    pub(crate) peer_a_rwnd: u32,
    pub(crate) peer_outbound_streams: u16,
    pub(crate) peer_inbound_streams: u16,
    /// Tie-tags (RFC 9260 §5.2.2): our and the peer's tags of the existing association, or 0.
    pub(crate) tie_my_tag: u32,
    pub(crate) tie_peer_tag: u32,
    /// Creation time, in milliseconds since the association was created.
    pub(crate) created_ms: u64,
    pub(crate) caps: PeerCaps,
}

impl Cookie {
    /// Serialises and signs the cookie.
    pub(crate) fn seal(&self, key: &hmac::Key) -> Bytes {
        let mut b = BytesMut::with_capacity(BODY_LEN + MAC_LEN);
        b.put_u8(VERSION);
        b.put_u32(self.my_tag);
        b.put_u32(self.peer_tag);
        b.put_u32(self.my_initial_tsn);
        b.put_u32(self.peer_initial_tsn);
        b.put_u32(self.peer_a_rwnd);
        b.put_u16(self.peer_outbound_streams);
        b.put_u16(self.peer_inbound_streams);
        b.put_u32(self.tie_my_tag);
        b.put_u32(self.tie_peer_tag);
        b.put_u64(self.created_ms);
        b.put_u8(self.caps.bits());
        let tag = hmac::sign(key, &b);
        b.put_slice(tag.as_ref());
        b.freeze()
    }

    /// Checks the MAC and parses; `None` if the cookie was not made with `key` or is malformed.
    pub(crate) fn open(key: &hmac::Key, bytes: &[u8]) -> Option<Cookie> {
        if bytes.len() != BODY_LEN + MAC_LEN {
            return None;
        }
        let (body, mac) = bytes.split_at(BODY_LEN);
        hmac::verify(key, body, mac).ok()?;
        if body.first() != Some(&VERSION) {
            return None;
        }
        let created_hi = u64::from(get_u32(body, 33)?);
        let created_lo = u64::from(get_u32(body, 37)?);
        Some(Cookie {
            my_tag: get_u32(body, 1)?,
            peer_tag: get_u32(body, 5)?,
            my_initial_tsn: get_u32(body, 9)?,
            peer_initial_tsn: get_u32(body, 13)?,
            peer_a_rwnd: get_u32(body, 17)?,
            peer_outbound_streams: get_u16(body, 21)?,
            peer_inbound_streams: get_u16(body, 23)?,
            tie_my_tag: get_u32(body, 25)?,
            tie_peer_tag: get_u32(body, 29)?,
            created_ms: (created_hi << 32) | created_lo,
            caps: PeerCaps::from_bits(*body.get(41)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Cookie {
        Cookie {
            my_tag: 1,
            peer_tag: 2,
            my_initial_tsn: 3,
            peer_initial_tsn: 4,
            peer_a_rwnd: 5,
            peer_outbound_streams: 6,
            peer_inbound_streams: 7,
            tie_my_tag: 8,
            tie_peer_tag: 9,
            created_ms: 0x1_0000_0010,
            caps: PeerCaps {
                forward_tsn: true,
                reconfig: false,
                zero_checksum: true,
                interleaving: true,
            },
        }
    }

    #[test]
    fn seal_open_round_trip_and_tamper() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"secret");
        let sealed = sample().seal(&key);
        assert_eq!(Cookie::open(&key, &sealed), Some(sample()));
        let other = hmac::Key::new(hmac::HMAC_SHA256, b"other");
        assert_eq!(Cookie::open(&other, &sealed), None);
        for i in 0..sealed.len() {
            let mut t = sealed.to_vec();
            t[i] ^= 1;
            assert_eq!(Cookie::open(&key, &t), None, "flipped byte {i}");
        }
        assert_eq!(Cookie::open(&key, &sealed[..10]), None);
    }
}
