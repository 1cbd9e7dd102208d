//! Typed SDP (RFC 8866) with the attributes WebRTC uses: a parser and a writer.
//!
//! [`SessionDescription::parse`] reads a description (CRLF or LF line endings) into typed lines;
//! `to_string()` writes it back with CRLF. The two are exact inverses on real descriptions:
//! attribute order is kept, unknown attributes and unknown line types are kept verbatim, and a
//! known attribute whose typed form would be written differently (odd spacing, letter case,
//! leading zeros) is kept verbatim too ([`Attribute::Other`]). Errors carry the 1-based line
//! number ([`ParseError`]), which the API reports as `sdpLineNumber`.
//!
//! Typed attributes ([`Attribute`]): `group`, `msid-semantic`, `mid`, `msid`, ICE
//! (`ice-ufrag`, `ice-pwd`, `ice-options`, `ice-lite`, `ice-pacing`, `candidate`,
//! `remote-candidates`, `end-of-candidates`), DTLS (`fingerprint`, `setup`, `tls-id`,
//! `connection`), RTP (`rtcp`, `rtcp-mux`, `rtcp-mux-only`, `rtcp-rsize`, `rtpmap`, `fmtp`,
//! `rtcp-fb`, `extmap`, `extmap-allow-mixed`, `ssrc`, `ssrc-group`, `rid`, `simulcast`),
//! SCTP (`sctp-port`, `max-message-size`, `sctpmap`), directions, `bundle-only`, `identity`,
//! `ptime`, `maxptime`, `framerate` and `label`.
//!
//! A [`Candidate`] also parses standalone (`candidate:...`, as `addIceCandidate` receives it).
//!
//! ```
//! use rtcpeer_sdp::{SessionDescription, Direction};
//!
//! let text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
//!             m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendrecv\r\n\
//!             a=rtpmap:111 opus/48000/2\r\n";
//! let sd = SessionDescription::parse(text)?;
//! let audio = &sd.media[0];
//! assert_eq!(audio.mid(), Some("0"));
//! assert_eq!(audio.direction(), Some(Direction::SendRecv));
//! assert_eq!(audio.rtpmap(111).map(|r| r.clock_rate), Some(48000));
//! assert_eq!(sd.to_string(), text);
//! # Ok::<(), rtcpeer_sdp::ParseError>(())
//! ```

#[macro_use]
mod accessors;
mod attribute;
pub mod attributes;
mod connection;
mod error;
mod lex;
mod media;
mod parse;
mod session;
mod time;
mod write;

pub use attribute::Attribute;
pub use attributes::{
    Candidate, CandidateExtension, CandidateType, ConnectionMode, Decimal, Direction, Extmap,
    Fingerprint, Fmtp, Group, GroupSemantics, HashFunction, Identity, Msid, MsidSemantic,
    RemoteCandidate, Rid, RidDirection, RidRestriction, Rtcp, RtcpFb, RtcpFbPayload, RtpMap,
    SctpMap, Setup, Simulcast, SimulcastId, SimulcastStream, Ssrc, SsrcGroup, SsrcGroupSemantics,
    TcpType,
};
pub use connection::{AddressType, Bandwidth, Connection, NetworkType};
pub use error::{ParseError, ParseErrorKind, ValueError};
pub use media::{MediaDescription, MediaKind};
pub use session::{Origin, SessionDescription};
pub use time::{RepeatTime, TimeDescription, TimeUnit, TypedTime, ZoneAdjustment};

/// Parses a session description; the same as [`SessionDescription::parse`].
pub fn parse(text: &str) -> Result<SessionDescription, ParseError> {
    SessionDescription::parse(text)
}

/// Writes a session description with CRLF line endings; the same as `to_string()`.
pub fn write(sd: &SessionDescription) -> String {
    sd.to_string()
}
