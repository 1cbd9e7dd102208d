//! Fuzz target: SCTP packet decoding (RFC 9260 §3) never panics, with or without checksum
//! verification, and whatever decodes re-encodes: `decode(encode(decode(x))) == decode(x)`.
#![no_main]
use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use rtcpeer_sctp::wire::{ChunkIter, CommonHeader, Packet, checksum, verify_checksum};

fn round_trip(packet: Bytes) {
    let _ = CommonHeader::decode(&packet);
    // Chunk by chunk, as the association reads them (stops at the first bad one).
    for chunk in ChunkIter::new(packet.clone()).flatten() {
        let mut out = BytesMut::new();
        if chunk.encode(&mut out).is_ok() {
            assert_eq!(out.len(), chunk.encoded_len(), "{chunk:?}");
        }
    }
    let Ok(decoded) = Packet::decode(packet) else {
        return;
    };
    let _ = format!("{decoded:?}");
    for zero in [false, true] {
        let Ok(encoded) = decoded.encode(zero) else {
            continue;
        };
        assert!(verify_checksum(&encoded, zero));
        let again = Packet::decode(encoded).expect("a re-encoded packet decodes");
        assert_eq!(again.chunks, decoded.chunks);
    }
}

fuzz_target!(|data: &[u8]| {
    // As it comes, checksum unverified.
    let _ = verify_checksum(data, false);
    let _ = verify_checksum(data, true);
    round_trip(Bytes::copy_from_slice(data));
    // With its checksum fixed up, through the verifying path.
    if data.len() >= 12 {
        let mut fixed = data.to_vec();
        let sum = checksum(&fixed);
        fixed[8..12].copy_from_slice(&sum.to_le_bytes());
        assert!(verify_checksum(&fixed, false));
        round_trip(Bytes::from(fixed));
    }
});
