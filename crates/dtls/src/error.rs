//! The errors of a DTLS transport, kept in two kinds as the house plan asks: [`DtlsFailure`] is
//! what the peer or the network did (it ends the transport, W3C `RTCDtlsTransport` state
//! `failed`, `RTCError` with `errorDetail` [`error_detail`](DtlsFailure::error_detail)), and
//! [`DtlsError`] is what the caller asked for wrongly (returned, nothing changes).

use crate::certificate::CertificateError;
use crate::fingerprint::Fingerprint;
use crate::state::DtlsTransportState;

/// Why a transport failed. Carried by [`DtlsEvent::Failed`](crate::DtlsEvent::Failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DtlsFailure {
    /// The peer's certificate matches none of the remote description's fingerprints
    /// (RFC 8122 §5; W3C `errorDetail` `"fingerprint-failure"`).
    #[error("fingerprint-failure: the remote certificate ({actual}) matches none of {expected:?}")]
    FingerprintMismatch {
        /// The fingerprints of the remote description.
        expected: Vec<Fingerprint>,
        /// The SHA-256 fingerprint of the certificate the peer presented.
        actual: Fingerprint,
    },
    /// The handshake completed without the peer presenting a certificate.
    #[error("the peer presented no certificate")]
    NoRemoteCertificate,
    /// The handshake did not complete in time: flights ran out of retransmissions or the overall
    /// handshake deadline passed (RFC 6347 §4.2.4).
    #[error("DTLS handshake timed out")]
    HandshakeTimeout,
    /// The peer sent a fatal alert (RFC 5246 §7.2, RFC 8446 §6).
    #[error("the peer sent fatal alert {description}")]
    FatalAlert {
        /// The `AlertDescription` code.
        description: u8,
    },
    /// The DTLS engine (dimpl) gave up on the connection for another protocol reason.
    #[error("DTLS protocol failure: {0}")]
    Protocol(#[source] dimpl::Error),
}

impl DtlsFailure {
    /// The W3C `RTCErrorDetailType` for this failure: `"fingerprint-failure"` or `"dtls-failure"`.
    pub fn error_detail(&self) -> &'static str {
        match self {
            DtlsFailure::FingerprintMismatch { .. } => "fingerprint-failure",
            _ => "dtls-failure",
        }
    }

    pub(crate) fn from_engine(e: dimpl::Error) -> DtlsFailure {
        match e {
            dimpl::Error::Timeout(_) => DtlsFailure::HandshakeTimeout,
            dimpl::Error::SecurityError(dimpl::SecurityError::FatalAlert { description }) => {
                DtlsFailure::FatalAlert { description }
            }
            other => DtlsFailure::Protocol(other),
        }
    }
}

/// A call the transport refused; the transport is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DtlsError {
    /// The configured certificate cannot be used (expired: W3C `InvalidAccessError`).
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    /// A configuration value the engine refuses (MTU too small, zero timeouts, ...).
    #[error("invalid DTLS configuration: {0}")]
    InvalidConfig(#[source] dimpl::Error),
    /// Application data can only be sent in state `connected`.
    #[error("cannot send application data in DTLS transport state {0}")]
    NotConnected(DtlsTransportState),
    /// One record carries at most 2^14 bytes of application data (RFC 6347 §4.1, RFC 9147 §4).
    #[error("application data of {len} bytes exceeds the DTLS record limit of {max} bytes")]
    RecordTooLarge {
        /// Bytes given.
        len: usize,
        /// Bytes allowed.
        max: usize,
    },
}
