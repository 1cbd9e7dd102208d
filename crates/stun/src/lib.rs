//! STUN (RFC 8489), TURN (RFC 8656) and ICE (RFC 8445) message codec.
