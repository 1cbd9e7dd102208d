//! Typed SDP (RFC 8866) with the WebRTC attributes: parser and writer.
