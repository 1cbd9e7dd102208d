//! Fuzz target: DCEP (RFC 8832) decoding never panics, and whatever decodes re-encodes to a
//! message that decodes the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rtcpeer_sctp::datachannel::DcepMessage;

fuzz_target!(|data: &[u8]| {
    let Ok(message) = DcepMessage::decode(data) else {
        return;
    };
    let encoded = message.encode();
    assert_eq!(DcepMessage::decode(&encoded), Ok(message));
});
