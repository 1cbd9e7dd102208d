//! Fuzz target: the RFC 7983 demultiplexer classifies any datagram without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = rtcpeer_types::demux::classify(data);
});
