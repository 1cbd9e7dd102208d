//! SCTP (RFC 9260) over DTLS and DCEP (RFC 8832) for WebRTC data channels, sans-IO.
