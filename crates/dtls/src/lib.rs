//! DTLS for WebRTC over dimpl: certificates, fingerprints, handshake, SRTP keying.
