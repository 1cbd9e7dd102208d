//! Fuzz target: the STUN/TURN codec never panics on any input, and whatever decodes survives a
//! re-encode: the attributes of `decode(encode(decode(x)))` equal those of `decode(x)`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rtcpeer_stun::{
    ChannelData, EncodeError, Header, IntegrityKey, Message, MessageBuilder, is_stun,
    stream_frame_len,
};

fuzz_target!(|data: &[u8]| {
    let _ = is_stun(data);
    let _ = Header::peek(data);
    let _ = stream_frame_len(data);
    if let Ok(cd) = ChannelData::decode(data) {
        let mut out = Vec::new();
        cd.encode(false, &mut out)
            .expect("a decoded ChannelData re-encodes");
        assert_eq!(ChannelData::decode(&out), Ok(cd));
    }
    let _ = ChannelData::decode_stream(data);

    let Ok(message) = Message::decode(data) else {
        return;
    };
    let key = IntegrityKey::short_term("fuzz");
    let _ = message.verify_integrity(&key);
    let _ = message.verify_message_integrity(&key);
    let _ = message.verify_fingerprint();
    let _ = message.unknown_comprehension_required().count();
    let _ = (
        message.username(),
        message.xor_mapped_address(),
        message.error_code(),
        message.priority(),
        message.lifetime(),
        message.data(),
    );
    let _ = format!("{message:?}");

    let mut builder = MessageBuilder::new(message.message_type(), message.transaction_id());
    for attribute in message.attributes() {
        builder.push(attribute);
    }
    // Receivers are lenient and senders strict (RFC 8489 §14): a received SOFTWARE, reason phrase
    // or ALTERNATE-DOMAIN may break a limit the builder enforces. Any other refusal is a bug.
    let again = match builder.build() {
        Ok(bytes) => bytes,
        Err(EncodeError::TextTooLong { .. } | EncodeError::NotAscii { .. }) => return,
        Err(e) => panic!("a decoded message re-encodes, but: {e}"),
    };
    let decoded_again = Message::decode(&again).expect("a re-encoded message decodes");
    assert!(message.attributes().eq(decoded_again.attributes()));
    assert_eq!(message.message_type(), decoded_again.message_type());
});
