//! RFC 7983 first-byte demultiplexing, as updated by RFC 9443 (TURN channels 64–79).
//!
//! When STUN, DTLS, TURN ChannelData and SRTP/SRTCP share one 5-tuple, the first byte of a
//! datagram tells them apart (RFC 7983 §7, RFC 9443 §3):
//!
//! | first byte | protocol |
//! |---|---|
//! | 0–3 | STUN |
//! | 16–19 | ZRTP |
//! | 20–63 | DTLS |
//! | 64–79 | TURN ChannelData |
//! | 128–191 | RTP / RTCP |
//!
//! RTP and RTCP are then told apart by the second byte (RFC 5761 §4): packet types 192–223 are
//! RTCP (SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205, PSFB 206, XR 207, ...).

/// What a datagram is, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketKind {
    /// A STUN message (ICE checks, TURN control).
    Stun,
    /// ZRTP (not used by WebRTC; dropped).
    Zrtp,
    /// A DTLS record.
    Dtls,
    /// A TURN ChannelData message.
    TurnChannel,
    /// An RTP (SRTP) packet.
    Rtp,
    /// An RTCP (SRTCP) packet.
    Rtcp,
    /// Nothing WebRTC multiplexes on this port (empty, QUIC, unassigned ranges).
    Unknown,
}

/// Classifies a datagram by its first byte (and, for RTP/RTCP, its second), per RFC 7983 §7 and
/// RFC 9443. Never panics: an empty or one-byte datagram is classified as far as it can be.
pub fn classify(datagram: &[u8]) -> PacketKind {
    let Some(&first) = datagram.first() else {
        return PacketKind::Unknown;
    };
    match first {
        0..=3 => PacketKind::Stun,
        16..=19 => PacketKind::Zrtp,
        20..=63 => PacketKind::Dtls,
        64..=79 => PacketKind::TurnChannel,
        128..=191 => match datagram.get(1) {
            Some(192..=223) => PacketKind::Rtcp,
            Some(_) => PacketKind::Rtp,
            None => PacketKind::Unknown,
        },
        _ => PacketKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_from_rfc_7983_and_9443() {
        assert_eq!(classify(&[]), PacketKind::Unknown);
        assert_eq!(classify(&[0x00, 0x01]), PacketKind::Stun);
        assert_eq!(classify(&[0x01, 0x01]), PacketKind::Stun);
        assert_eq!(classify(&[3]), PacketKind::Stun);
        assert_eq!(classify(&[4]), PacketKind::Unknown);
        assert_eq!(classify(&[16]), PacketKind::Zrtp);
        assert_eq!(classify(&[19]), PacketKind::Zrtp);
        assert_eq!(classify(&[20]), PacketKind::Dtls); // change_cipher_spec
        assert_eq!(classify(&[22, 0xfe, 0xfd]), PacketKind::Dtls); // handshake, DTLS 1.2
        assert_eq!(classify(&[23]), PacketKind::Dtls); // application_data
        assert_eq!(classify(&[63]), PacketKind::Dtls);
        assert_eq!(classify(&[0x40, 0x00]), PacketKind::TurnChannel);
        assert_eq!(classify(&[0x4f, 0xff]), PacketKind::TurnChannel);
        assert_eq!(classify(&[80]), PacketKind::Unknown); // QUIC
        assert_eq!(classify(&[0x80, 111]), PacketKind::Rtp); // Opus PT 111
        assert_eq!(classify(&[0x80, 0x80 | 96]), PacketKind::Rtp); // marker + PT 96
        assert_eq!(classify(&[0x80, 200]), PacketKind::Rtcp); // SR
        assert_eq!(classify(&[0x81, 201]), PacketKind::Rtcp); // RR
        assert_eq!(classify(&[0x8f, 206]), PacketKind::Rtcp); // PSFB
        assert_eq!(classify(&[0x80]), PacketKind::Unknown);
        assert_eq!(classify(&[192]), PacketKind::Unknown); // QUIC long header
    }

    #[test]
    fn every_first_byte_classifies_without_panic() {
        for b in 0..=255u8 {
            let _ = classify(&[b]);
            let _ = classify(&[b, b]);
        }
    }
}
