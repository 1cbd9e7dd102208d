//! The one place where the lower crates' errors become [`RtcError`]s (house plan §3: "one mapping
//! file in `core/`").
//!
//! - [`rtcpeer_sdp::ParseError`] → an `RTCError` with `errorDetail` `"sdp-syntax-error"` and
//!   `sdpLineNumber` set to the failing line (webrtc-pc §4.4.1.5 "set a session description",
//!   the failure steps: "If the content of description is not valid SDP syntax, then reject p
//!   with an RTCError (with errorDetail set to "sdp-syntax-error" and the sdpLineNumber attribute
//!   set to the line number in the SDP where the syntax error was detected)").
//! - [`rtcpeer_dtls::CertificateError`] → the `DOMException` webrtc-pc §4.9 names: an expired
//!   certificate is an `InvalidAccessError` (§4.4.1.1 step 4), an unsupported algorithm a
//!   `NotSupportedError` (§4.9.1 `generateCertificate`), anything else an `UnknownError` (the
//!   constructor's catch-all, §4.4.1.1 step 1).

use rtcpeer_dtls::CertificateError;
use rtcpeer_sdp::ParseError;

use crate::RtcError;

/// `sdp-syntax-error` with the parser's 1-based line number. Line numbers past `i32::MAX` (which
/// no real description reaches) are reported as `i32::MAX`.
pub fn sdp_parse_error(err: &ParseError) -> RtcError {
    let line = i32::try_from(err.line).unwrap_or(i32::MAX);
    RtcError::sdp_syntax_error(line, format!("invalid SDP: {err}"))
}

/// A certificate problem as the W3C API reports it.
pub fn certificate_error(err: &CertificateError) -> RtcError {
    match err {
        CertificateError::Expired { .. } => RtcError::invalid_access(err.to_string()),
        CertificateError::NotSupported { .. } => RtcError::not_supported(err.to_string()),
        _ => RtcError::unknown(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RtcErrorDetail, RtcErrorDetailType, RtcErrorKind};

    #[test]
    fn parse_errors_carry_the_line_number() {
        let err =
            rtcpeer_sdp::parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio x\r\n")
                .unwrap_err();
        let rtc = sdp_parse_error(&err);
        assert_eq!(rtc.kind(), RtcErrorKind::RtcError);
        assert_eq!(rtc.name(), "OperationError");
        assert_eq!(
            rtc.error_detail(),
            Some(RtcErrorDetail::Pc(RtcErrorDetailType::SdpSyntaxError))
        );
        assert_eq!(rtc.sdp_line_number(), Some(5));
    }

    #[test]
    fn certificate_errors_map_to_dom_exceptions() {
        let expired = CertificateError::Expired {
            expires_unix_secs: 1,
            expired_for: std::time::Duration::from_secs(2),
        };
        assert_eq!(
            certificate_error(&expired).kind(),
            RtcErrorKind::InvalidAccessError
        );
        let unsupported = CertificateError::NotSupported {
            algorithm: "RSASSA-PKCS1-v1_5",
            reason: "no",
        };
        assert_eq!(
            certificate_error(&unsupported).kind(),
            RtcErrorKind::NotSupportedError
        );
        assert_eq!(
            certificate_error(&CertificateError::KeyMismatch).kind(),
            RtcErrorKind::UnknownError
        );
    }
}
