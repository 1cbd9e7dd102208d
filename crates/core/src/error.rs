//! [`RtcError`]: the one error the W3C API surface returns.
//!
//! webrtc-pc throws or rejects with a `DOMException` of a given *name* (WebIDL "Error names"),
//! with the ECMAScript `TypeError` or `RangeError`, or with an `RTCError` (webrtc-pc §11 "Error
//! Handling": §11.1 the `RTCError` interface, §11.2 the `RTCErrorInit` dictionary;
//! webrtc-identity extends both with `httpRequestStatusCode`). [`RtcError`] carries that name as
//! an [`RtcErrorKind`], a human message, and for an `RTCError` the [`RtcErrorInit`] fields.
//!
//! Each lower crate keeps its own precise `#[non_exhaustive]` error enum; the mapping from those
//! into `RtcError` lives in one place in this crate (the ICE server URL errors are mapped in
//! [`ice_server`](crate::ice_server); the other crates' mapping comes with their wiring).

use std::borrow::Cow;
use std::fmt;

use crate::enums::{RtcErrorDetailType, RtcErrorDetailTypeIdp};

/// The name of the exception a call fails with: a `DOMException` name (WebIDL "Error names"), one of the
/// ECMAScript errors `TypeError` / `RangeError`, or the `RTCError` interface (webrtc-pc §11.1).
#[doc(alias = "DOMException")]
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RtcErrorKind {
    /// `InvalidStateError`: the object is in an invalid state (e.g. the connection is closed).
    InvalidStateError,
    /// `InvalidAccessError`: the object does not support the operation or argument (e.g. TURN
    /// without credentials, an expired certificate).
    InvalidAccessError,
    /// `InvalidModificationError`: the object cannot be modified this way (e.g. changing
    /// `bundlePolicy` in `setConfiguration`).
    InvalidModificationError,
    /// `OperationError`: the operation failed for an operation-specific reason.
    OperationError,
    /// `NotSupportedError`: the operation is not supported (e.g. an ICE server scheme this
    /// implementation lacks).
    NotSupportedError,
    /// `SyntaxError`: the string did not match the expected pattern (e.g. an ICE server URL).
    SyntaxError,
    /// `NotFoundError`: the object can not be found here.
    NotFoundError,
    /// `NotReadableError`: the I/O read operation failed.
    NotReadableError,
    /// `InvalidCharacterError`: the string contains invalid characters.
    InvalidCharacterError,
    /// `DataError`: provided data is inadequate.
    DataError,
    /// `QuotaExceededError`: the quota has been exceeded.
    QuotaExceededError,
    /// `NetworkError`: a network error occurred.
    NetworkError,
    /// `AbortError`: the operation was aborted.
    AbortError,
    /// `UnknownError`: the operation failed for an unknown transient reason (the
    /// `RTCPeerConnection` constructor uses it for failures the spec does not name).
    UnknownError,
    /// The ECMAScript `TypeError` (WebIDL conversion failures, invalid dictionary combinations).
    TypeError,
    /// The ECMAScript `RangeError`.
    RangeError,
    /// The `RTCError` interface (webrtc-pc §11.1), a `DOMException` whose name is
    /// `"OperationError"` and which carries an `errorDetail`.
    RtcError,
}

impl RtcErrorKind {
    /// Every kind.
    pub const ALL: &'static [Self] = &[
        Self::InvalidStateError,
        Self::InvalidAccessError,
        Self::InvalidModificationError,
        Self::OperationError,
        Self::NotSupportedError,
        Self::SyntaxError,
        Self::NotFoundError,
        Self::NotReadableError,
        Self::InvalidCharacterError,
        Self::DataError,
        Self::QuotaExceededError,
        Self::NetworkError,
        Self::AbortError,
        Self::UnknownError,
        Self::TypeError,
        Self::RangeError,
        Self::RtcError,
    ];

    /// The exact `name` a script sees: the `DOMException` name, `"TypeError"` / `"RangeError"`,
    /// and `"OperationError"` for an `RTCError` (its constructor sets that name, webrtc-pc
    /// §11.1).
    pub const fn name(self) -> &'static str {
        match self {
            Self::InvalidStateError => "InvalidStateError",
            Self::InvalidAccessError => "InvalidAccessError",
            Self::InvalidModificationError => "InvalidModificationError",
            Self::OperationError | Self::RtcError => "OperationError",
            Self::NotSupportedError => "NotSupportedError",
            Self::SyntaxError => "SyntaxError",
            Self::NotFoundError => "NotFoundError",
            Self::NotReadableError => "NotReadableError",
            Self::InvalidCharacterError => "InvalidCharacterError",
            Self::DataError => "DataError",
            Self::QuotaExceededError => "QuotaExceededError",
            Self::NetworkError => "NetworkError",
            Self::AbortError => "AbortError",
            Self::UnknownError => "UnknownError",
            Self::TypeError => "TypeError",
            Self::RangeError => "RangeError",
        }
    }

    /// The interface of the thrown object: `"DOMException"`, `"RTCError"`, or the ECMAScript
    /// constructor `"TypeError"` / `"RangeError"`.
    pub const fn interface(self) -> &'static str {
        match self {
            Self::TypeError => "TypeError",
            Self::RangeError => "RangeError",
            Self::RtcError => "RTCError",
            _ => "DOMException",
        }
    }

    /// Whether the thrown object is a `DOMException` (an `RTCError` is one).
    pub const fn is_dom_exception(self) -> bool {
        !matches!(self, Self::TypeError | Self::RangeError)
    }

    /// The legacy `DOMException.code` of this name (WebIDL "Error names" table), 0 where the name has none.
    pub const fn legacy_code(self) -> u16 {
        match self {
            Self::InvalidCharacterError => 5,
            Self::NotFoundError => 8,
            Self::NotSupportedError => 9,
            Self::InvalidStateError => 11,
            Self::SyntaxError => 12,
            Self::InvalidModificationError => 13,
            Self::InvalidAccessError => 15,
            Self::NetworkError => 19,
            Self::AbortError => 20,
            Self::QuotaExceededError => 22,
            _ => 0,
        }
    }
}

impl fmt::Display for RtcErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The value of `RTCError.errorDetail`: one of webrtc-pc's `RTCErrorDetailType` values, or one of
/// webrtc-identity's `RTCErrorDetailTypeIdp` values (which that spec defines as an extension of
/// `RTCErrorDetailType`, written as a separate enum only because WebIDL has no partial enums).
///
/// Serialises as the bare W3C string (`"sdp-syntax-error"`, `"idp-timeout"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum RtcErrorDetail {
    /// A webrtc-pc value.
    Pc(RtcErrorDetailType),
    /// A webrtc-identity value.
    Idp(RtcErrorDetailTypeIdp),
}

impl RtcErrorDetail {
    /// The W3C string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pc(d) => d.as_str(),
            Self::Idp(d) => d.as_str(),
        }
    }
}

impl From<RtcErrorDetailType> for RtcErrorDetail {
    fn from(d: RtcErrorDetailType) -> Self {
        Self::Pc(d)
    }
}

impl From<RtcErrorDetailTypeIdp> for RtcErrorDetail {
    fn from(d: RtcErrorDetailTypeIdp) -> Self {
        Self::Idp(d)
    }
}

impl fmt::Display for RtcErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `RTCErrorInit` dictionary (webrtc-pc §11.2, plus webrtc-identity's
/// `httpRequestStatusCode`): the WebRTC-specific fields of an `RTCError`.
#[doc(alias = "RTCErrorInit")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcErrorInit {
    /// `errorDetail`: the WebRTC-specific error code.
    pub error_detail: RtcErrorDetail,
    /// `sdpLineNumber`: for `"sdp-syntax-error"`, the 1-based line where the error was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp_line_number: Option<i32>,
    /// `sctpCauseCode`: for `"sctp-failure"`, the SCTP cause code (RFC 9260 §3.3.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sctp_cause_code: Option<i32>,
    /// `receivedAlert`: for `"dtls-failure"`, the fatal DTLS alert received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_alert: Option<u32>,
    /// `sentAlert`: for `"dtls-failure"`, the fatal DTLS alert sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_alert: Option<u32>,
    /// `httpRequestStatusCode` (webrtc-identity): for `"idp-load-failure"`, the HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_request_status_code: Option<i32>,
}

impl RtcErrorInit {
    /// An init with this detail and every optional field absent.
    pub fn new(error_detail: impl Into<RtcErrorDetail>) -> Self {
        Self {
            error_detail: error_detail.into(),
            sdp_line_number: None,
            sctp_cause_code: None,
            received_alert: None,
            sent_alert: None,
            http_request_status_code: None,
        }
    }
}

/// The error every W3C-level operation returns: the exception name the spec requires
/// ([`kind`](Self::kind)), a human [`message`](Self::message), and for an `RTCError` its
/// [`RtcErrorInit`] fields.
///
/// `Display` writes `"<name>: <message>"` (`"InvalidStateError: the connection is closed"`); an
/// `RTCError` adds its detail: `"OperationError: bad m-line (sdp-syntax-error, sdpLineNumber 4)"`.
#[doc(alias = "RTCError")]
#[doc(alias = "DOMException")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtcError {
    kind: RtcErrorKind,
    message: Cow<'static, str>,
    /// Present exactly when `kind` is [`RtcErrorKind::RtcError`].
    rtc: Option<RtcErrorInit>,
}

/// Helper constructors, one per kind: `RtcError::invalid_state("the connection is closed")`.
macro_rules! constructors {
    ($($(#[$m:meta])* $fn_name:ident => $kind:ident),+ $(,)?) => {
        $(
            $(#[$m])*
            pub fn $fn_name(message: impl Into<Cow<'static, str>>) -> Self {
                Self::new(RtcErrorKind::$kind, message)
            }
        )+
    };
}

impl RtcError {
    /// An error of this kind. For [`RtcErrorKind::RtcError`] use [`RtcError::rtc`] instead, which
    /// takes the required `errorDetail`; given that kind here, the result is a plain
    /// `OperationError`.
    pub fn new(kind: RtcErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        let kind = if kind == RtcErrorKind::RtcError {
            RtcErrorKind::OperationError
        } else {
            kind
        };
        Self {
            kind,
            message: message.into(),
            rtc: None,
        }
    }

    /// An `RTCError` with these fields (webrtc-pc §11.1: its name is `"OperationError"`).
    pub fn rtc(init: RtcErrorInit, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind: RtcErrorKind::RtcError,
            message: message.into(),
            rtc: Some(init),
        }
    }

    /// An `RTCError` with `errorDetail` `"sdp-syntax-error"` at this 1-based SDP line.
    pub fn sdp_syntax_error(line_number: i32, message: impl Into<Cow<'static, str>>) -> Self {
        let mut init = RtcErrorInit::new(RtcErrorDetailType::SdpSyntaxError);
        init.sdp_line_number = Some(line_number);
        Self::rtc(init, message)
    }

    constructors! {
        /// An `InvalidStateError`.
        invalid_state => InvalidStateError,
        /// An `InvalidAccessError`.
        invalid_access => InvalidAccessError,
        /// An `InvalidModificationError`.
        invalid_modification => InvalidModificationError,
        /// An `OperationError` (without RTCError detail).
        operation => OperationError,
        /// A `NotSupportedError`.
        not_supported => NotSupportedError,
        /// A `SyntaxError` (the `DOMException`, not the ECMAScript one).
        syntax => SyntaxError,
        /// A `NotFoundError`.
        not_found => NotFoundError,
        /// A `NotReadableError`.
        not_readable => NotReadableError,
        /// An `InvalidCharacterError`.
        invalid_character => InvalidCharacterError,
        /// A `DataError`.
        data => DataError,
        /// A `QuotaExceededError`.
        quota_exceeded => QuotaExceededError,
        /// A `NetworkError`.
        network => NetworkError,
        /// An `AbortError`.
        abort => AbortError,
        /// An `UnknownError`.
        unknown => UnknownError,
        /// An ECMAScript `TypeError`.
        type_error => TypeError,
        /// An ECMAScript `RangeError`.
        range_error => RangeError,
    }

    /// The kind: which exception this is.
    pub const fn kind(&self) -> RtcErrorKind {
        self.kind
    }

    /// The exact `name` a script sees (`"InvalidStateError"`, `"TypeError"`, and
    /// `"OperationError"` for an `RTCError`).
    pub const fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `RTCError` fields, when this is an `RTCError`.
    pub const fn rtc_init(&self) -> Option<&RtcErrorInit> {
        self.rtc.as_ref()
    }

    /// `RTCError.errorDetail`, when this is an `RTCError`.
    pub fn error_detail(&self) -> Option<RtcErrorDetail> {
        self.rtc.map(|i| i.error_detail)
    }

    /// `RTCError.sdpLineNumber`.
    pub fn sdp_line_number(&self) -> Option<i32> {
        self.rtc.and_then(|i| i.sdp_line_number)
    }

    /// `RTCError.sctpCauseCode`.
    pub fn sctp_cause_code(&self) -> Option<i32> {
        self.rtc.and_then(|i| i.sctp_cause_code)
    }

    /// `RTCError.receivedAlert`.
    pub fn received_alert(&self) -> Option<u32> {
        self.rtc.and_then(|i| i.received_alert)
    }

    /// `RTCError.sentAlert`.
    pub fn sent_alert(&self) -> Option<u32> {
        self.rtc.and_then(|i| i.sent_alert)
    }

    /// `RTCError.httpRequestStatusCode` (webrtc-identity).
    pub fn http_request_status_code(&self) -> Option<i32> {
        self.rtc.and_then(|i| i.http_request_status_code)
    }
}

impl fmt::Display for RtcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)?;
        if let Some(init) = &self.rtc {
            write!(f, " ({}", init.error_detail)?;
            let fields = [
                ("sdpLineNumber", init.sdp_line_number.map(i64::from)),
                ("sctpCauseCode", init.sctp_cause_code.map(i64::from)),
                ("receivedAlert", init.received_alert.map(i64::from)),
                ("sentAlert", init.sent_alert.map(i64::from)),
                (
                    "httpRequestStatusCode",
                    init.http_request_status_code.map(i64::from),
                ),
            ];
            for (name, value) in fields {
                if let Some(value) = value {
                    write!(f, ", {name} {value}")?;
                }
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for RtcError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_dom_exception_names() {
        let table = [
            (RtcError::invalid_state("x"), "InvalidStateError"),
            (RtcError::invalid_access("x"), "InvalidAccessError"),
            (
                RtcError::invalid_modification("x"),
                "InvalidModificationError",
            ),
            (RtcError::operation("x"), "OperationError"),
            (RtcError::not_supported("x"), "NotSupportedError"),
            (RtcError::syntax("x"), "SyntaxError"),
            (RtcError::not_found("x"), "NotFoundError"),
            (RtcError::not_readable("x"), "NotReadableError"),
            (RtcError::invalid_character("x"), "InvalidCharacterError"),
            (RtcError::data("x"), "DataError"),
            (RtcError::quota_exceeded("x"), "QuotaExceededError"),
            (RtcError::network("x"), "NetworkError"),
            (RtcError::abort("x"), "AbortError"),
            (RtcError::unknown("x"), "UnknownError"),
            (RtcError::type_error("x"), "TypeError"),
            (RtcError::range_error("x"), "RangeError"),
        ];
        for (err, name) in &table {
            assert_eq!(err.name(), *name);
            assert_eq!(err.kind().name(), *name);
            assert_eq!(err.to_string(), format!("{name}: x"));
            assert!(err.rtc_init().is_none());
            assert!(err.error_detail().is_none());
        }
        // Every kind but RtcError (which needs its init) has a helper above.
        assert_eq!(table.len(), RtcErrorKind::ALL.len() - 1);
    }

    #[test]
    fn interfaces_and_legacy_codes() {
        assert_eq!(RtcErrorKind::TypeError.interface(), "TypeError");
        assert_eq!(RtcErrorKind::RangeError.interface(), "RangeError");
        assert_eq!(RtcErrorKind::RtcError.interface(), "RTCError");
        assert_eq!(RtcErrorKind::SyntaxError.interface(), "DOMException");
        assert!(!RtcErrorKind::TypeError.is_dom_exception());
        assert!(RtcErrorKind::RtcError.is_dom_exception());
        assert_eq!(RtcErrorKind::InvalidStateError.legacy_code(), 11);
        assert_eq!(RtcErrorKind::SyntaxError.legacy_code(), 12);
        assert_eq!(RtcErrorKind::InvalidModificationError.legacy_code(), 13);
        assert_eq!(RtcErrorKind::InvalidAccessError.legacy_code(), 15);
        assert_eq!(RtcErrorKind::OperationError.legacy_code(), 0);
        assert_eq!(RtcErrorKind::RtcError.legacy_code(), 0);
    }

    #[test]
    fn rtc_error_is_named_operation_error_and_carries_detail() {
        let e = RtcError::sdp_syntax_error(4, "bad m-line");
        assert_eq!(e.kind(), RtcErrorKind::RtcError);
        assert_eq!(e.name(), "OperationError");
        assert_eq!(
            e.error_detail(),
            Some(RtcErrorDetail::Pc(RtcErrorDetailType::SdpSyntaxError))
        );
        assert_eq!(e.sdp_line_number(), Some(4));
        assert_eq!(e.sctp_cause_code(), None);
        assert_eq!(
            e.to_string(),
            "OperationError: bad m-line (sdp-syntax-error, sdpLineNumber 4)"
        );

        let mut init = RtcErrorInit::new(RtcErrorDetailType::DtlsFailure);
        init.received_alert = Some(42);
        init.sent_alert = Some(40);
        let e = RtcError::rtc(init, "handshake failed");
        assert_eq!(e.received_alert(), Some(42));
        assert_eq!(e.sent_alert(), Some(40));
        assert_eq!(
            e.to_string(),
            "OperationError: handshake failed (dtls-failure, receivedAlert 42, sentAlert 40)"
        );

        let mut init = RtcErrorInit::new(RtcErrorDetailTypeIdp::IdpLoadFailure);
        init.http_request_status_code = Some(404);
        let e = RtcError::rtc(init, "idp");
        assert_eq!(e.http_request_status_code(), Some(404));
        assert_eq!(
            e.error_detail().map(RtcErrorDetail::as_str),
            Some("idp-load-failure")
        );

        let mut init = RtcErrorInit::new(RtcErrorDetailType::SctpFailure);
        init.sctp_cause_code = Some(12);
        assert_eq!(RtcError::rtc(init, "abort").sctp_cause_code(), Some(12));
    }

    #[test]
    fn new_with_rtc_error_kind_degrades_to_operation_error() {
        let e = RtcError::new(RtcErrorKind::RtcError, "no detail");
        assert_eq!(e.kind(), RtcErrorKind::OperationError);
        assert!(e.rtc_init().is_none());
    }

    #[test]
    fn error_init_json_matches_the_dictionary() {
        let mut init = RtcErrorInit::new(RtcErrorDetailType::SdpSyntaxError);
        init.sdp_line_number = Some(7);
        let json = serde_json::to_string(&init).unwrap();
        assert_eq!(
            json,
            r#"{"errorDetail":"sdp-syntax-error","sdpLineNumber":7}"#
        );
        let back: RtcErrorInit = serde_json::from_str(&json).unwrap();
        assert_eq!(back, init);
        let idp: RtcErrorInit = serde_json::from_str(r#"{"errorDetail":"idp-timeout"}"#).unwrap();
        assert_eq!(
            idp.error_detail,
            RtcErrorDetail::Idp(RtcErrorDetailTypeIdp::IdpTimeout)
        );
        assert!(serde_json::from_str::<RtcErrorInit>(r#"{"errorDetail":"nope"}"#).is_err());
        assert!(serde_json::from_str::<RtcErrorInit>(r#"{}"#).is_err());
    }

    #[test]
    fn is_a_std_error() {
        fn takes(_: &dyn std::error::Error) {}
        takes(&RtcError::syntax("x"));
    }
}
