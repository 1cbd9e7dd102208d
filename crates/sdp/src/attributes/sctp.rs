//! The legacy data channel attribute `a=sctpmap:<port> <app> [<streams>]`
//! (draft-ietf-mmusic-sctp-sdp-05, as old Chrome and Firefox wrote with `DTLS/SCTP`). The current
//! `a=sctp-port` and `a=max-message-size` (RFC 8841 §5–6) are plain numbers in [`crate::Attribute`].

use std::fmt;
use std::str::FromStr;

use crate::ValueError;
use crate::lex::{Fields, digits, is_token};

/// `a=sctpmap:<sctpmap-number> <app> [<max-message-size or streams>]`, e.g.
/// `5000 webrtc-datachannel 1024`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SctpMap {
    /// The SCTP port (it matches the `m=` line's format).
    pub port: u16,
    /// The application protocol, `webrtc-datachannel`.
    pub protocol: String,
    /// The optional trailing number (stream count in draft 05).
    pub streams: Option<u32>,
}

impl FromStr for SctpMap {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let port = digits(
            f.next_field()
                .ok_or(ValueError::Missing("sctpmap-number"))?,
        )
        .ok_or(ValueError::Invalid("sctpmap-number"))?;
        let protocol = f.next_field().ok_or(ValueError::Missing("app"))?;
        if !is_token(protocol) {
            return Err(ValueError::Invalid("app"));
        }
        let streams = match f.next_field() {
            Some(n) => Some(digits(n).ok_or(ValueError::Invalid("streams"))?),
            None => None,
        };
        if !f.is_empty() {
            return Err(ValueError::Trailing);
        }
        Ok(SctpMap {
            port,
            protocol: protocol.to_owned(),
            streams,
        })
    }
}

impl fmt::Display for SctpMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.port, self.protocol)?;
        if let Some(n) = self.streams {
            write!(f, " {n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_sctpmap() {
        let m: SctpMap = "5000 webrtc-datachannel 1024".parse().unwrap();
        assert_eq!(m.port, 5000);
        assert_eq!(m.protocol, "webrtc-datachannel");
        assert_eq!(m.streams, Some(1024));
        assert_eq!(m.to_string(), "5000 webrtc-datachannel 1024");
        let m: SctpMap = "5000 webrtc-datachannel".parse().unwrap();
        assert_eq!(m.streams, None);
        assert!("x webrtc-datachannel".parse::<SctpMap>().is_err());
        assert!("5000".parse::<SctpMap>().is_err());
        assert!("5000 a 1 2".parse::<SctpMap>().is_err());
    }
}
