//! DTLS for WebRTC over the sans-IO [dimpl] engine: certificates (W3C `RTCCertificate`),
//! fingerprints (RFC 8122), the DTLS transport machine (W3C `RTCDtlsTransport`, RFC 8827 §6.5,
//! RFC 8842) and DTLS-SRTP keying (RFC 5764, RFC 7714).
//!
//! - [`Certificate`]: ECDSA P-256 self-signed certificates with W3C `expires`, SHA-256
//!   fingerprint, PEM storage.
//! - [`Fingerprint`], [`HashFunction`]: `a=fingerprint` values, formatted and parsed for SHA-1,
//!   SHA-224, SHA-256, SHA-384 and SHA-512, and the check of a peer's certificate.
//! - [`DtlsTransport`]: the handshake in either role, DTLS 1.2 (extended master secret) or 1.3,
//!   fingerprint verification, SRTP key export ([`SrtpKeyingMaterial`]), application data for SCTP,
//!   retransmission timers, `close_notify`, and the W3C states ([`DtlsTransportState`]).
//!
//! Time comes in as `Instant` (and, for certificate validity, as a caller-read `SystemTime`);
//! randomness from [`rtcpeer_types::Rng`], except what aws-lc draws from the system for keys,
//! ECDHE and signatures.
//!
//! # What the engine (dimpl 0.9) provides, and its limits
//!
//! - DTLS 1.2 (ECDHE-ECDSA with AES-128/256-GCM or ChaCha20-Poly1305; extended master secret
//!   negotiated and required) and DTLS 1.3 (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,
//!   TLS_CHACHA20_POLY1305_SHA256); P-256, P-384 and X25519 key exchange; ECDSA P-256/P-384
//!   signatures only, hence no RSA certificates.
//! - `use_srtp` with `SRTP_AEAD_AES_256_GCM`, `SRTP_AEAD_AES_128_GCM` and
//!   `SRTP_AES128_CM_HMAC_SHA1_80`, always all three offered in that order of preference;
//!   `SRTP_AES128_CM_HMAC_SHA1_32` is not supported.
//! - No session resumption or renegotiation (WebRTC needs neither); DTLS 1.3 KeyUpdate happens by
//!   itself after 2^23 records.
//! - Inside dimpl, the clock is read once per process (`Instant::now` and `SystemTime::now`
//!   together) to turn `Instant`s into the Unix time a DTLS 1.2 `Random` starts with; every other
//!   use of time follows the `Instant`s passed in. dimpl's own generator (retransmission jitter,
//!   randoms, cookie secret, DTLS 1.2 explicit nonces) is seeded from the caller's [`Rng`];
//!   ECDHE keys and ECDSA signatures use aws-lc's system generator. dimpl logs with `log`, not
//!   `tracing`.
//!
//! [dimpl]: https://docs.rs/dimpl
//! [`Rng`]: rtcpeer_types::Rng

mod certificate;
mod cipher;
mod config;
mod error;
mod fingerprint;
mod record;
mod scratch;
mod srtp;
mod state;
mod transport;

pub use certificate::{
    Certificate, CertificateError, CertificateParams, DEFAULT_EXPIRES, KeyAlgorithm,
};
pub use cipher::CipherSuite;
pub use config::{DEFAULT_MTU, DtlsConfig, DtlsRole, DtlsVersion, DtlsVersions};
pub use error::{DtlsError, DtlsFailure};
pub use fingerprint::{Fingerprint, FingerprintError, HashFunction};
pub use srtp::{SrtpKeyingMaterial, SrtpProfile};
pub use state::{DtlsTransportState, UnknownState};
pub use transport::{DtlsConnected, DtlsEvent, DtlsStats, DtlsTransport, MAX_APPLICATION_DATA};
