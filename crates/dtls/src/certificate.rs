//! The local DTLS certificate: what W3C `RTCCertificate` holds and `generateCertificate()` makes
//! (W3C webrtc-pc §4.9), with its key, its validity (`expires`) and its fingerprint (RFC 8122 §5).
//!
//! Certificates are self-signed X.509 (RFC 5280) with an ECDSA P-256 key, the W3C default and
//! what browsers make. [`Certificate::to_pem`] and [`Certificate::from_pem`] store and restore
//! the key and the certificate so that an application keeps its fingerprint across restarts.
//!
//! The certificate's `notAfter` is its W3C `expires`; `notBefore` is one day before creation, as
//! browsers do, so a peer whose clock is a little behind still accepts it. Key generation draws
//! from aws-lc's system random generator (rcgen offers no other); the serial number comes from
//! the caller's [`Rng`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};
use rcgen::{CertificateParams as X509Params, DistinguishedName, DnType, IsCa, KeyPair};
use rtcpeer_types::Rng;
use x509_cert::der::Decode;
use x509_cert::der::pem::{self, LineEnding};

use crate::fingerprint::{Fingerprint, HashFunction};

/// How long a certificate lives when the caller does not say: 30 days, as browsers do.
pub const DEFAULT_EXPIRES: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How far before its creation a certificate is made valid, for peers with slow clocks.
const NOT_BEFORE_SLACK: Duration = Duration::from_secs(24 * 60 * 60);

const PEM_PRIVATE_KEY: &str = "PRIVATE KEY";
const PEM_CERTIFICATE: &str = "CERTIFICATE";

/// The key algorithm of a certificate to generate (W3C `AlgorithmIdentifier` given to
/// `generateCertificate()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// `{ name: "ECDSA", namedCurve: "P-256" }`: the default and the only one supported.
    #[default]
    EcdsaP256,
    /// `{ name: "RSASSA-PKCS1-v1_5", modulusLength, publicExponent, hash }`. Refused with
    /// [`CertificateError::NotSupported`]: the DTLS engine (dimpl) signs only with ECDSA.
    RsassaPkcs1V15 {
        /// `modulusLength` in bits (browsers accept 1024..=2048+).
        modulus_length: u32,
        /// `publicExponent` (65537 in practice).
        public_exponent: u32,
        /// `hash` (SHA-256 in practice).
        hash: HashFunction,
    },
}

/// What to generate: the W3C `keygenAlgorithm` with its optional `expires`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateParams {
    /// The key algorithm.
    pub algorithm: KeyAlgorithm,
    /// How long the certificate is valid from its creation (W3C `RTCCertificateExpiration`,
    /// a duration); defaults to [`DEFAULT_EXPIRES`].
    pub expires: Duration,
}

impl Default for CertificateParams {
    fn default() -> Self {
        CertificateParams {
            algorithm: KeyAlgorithm::EcdsaP256,
            expires: DEFAULT_EXPIRES,
        }
    }
}

/// Why a certificate could not be made, loaded or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The algorithm cannot be used (maps to W3C `NotSupportedError`).
    #[error("{algorithm} certificates are not supported: {reason}")]
    NotSupported {
        /// The W3C algorithm name asked for.
        algorithm: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// `expires` puts `notAfter` beyond what X.509 can write (year 9999).
    #[error("certificate expiry {0:?} after creation is out of range")]
    ExpiresOutOfRange(Duration),
    /// The certificate has expired (maps to W3C `InvalidAccessError` when used).
    #[error(
        "certificate expired {expired_for:?} ago (expires {expires_unix_secs} s after the Unix epoch)"
    )]
    Expired {
        /// `notAfter`, seconds since the Unix epoch.
        expires_unix_secs: u64,
        /// How long ago it expired.
        expired_for: Duration,
    },
    /// The crypto backend failed to generate the key or sign the certificate.
    #[error("certificate generation failed: {0}")]
    Generation(String),
    /// PEM text that is not one `PRIVATE KEY` (PKCS #8) and one `CERTIFICATE` block.
    #[error("invalid certificate PEM: {0}")]
    InvalidPem(String),
    /// The private key is not an ECDSA P-256 PKCS #8 key.
    #[error("the private key is not an ECDSA P-256 PKCS #8 key")]
    UnsupportedKey,
    /// The certificate is not valid DER X.509.
    #[error("invalid X.509 certificate: {0}")]
    InvalidCertificate(String),
    /// The private key does not belong to the certificate's public key.
    #[error("the private key does not match the certificate")]
    KeyMismatch,
}

/// A DTLS certificate with its private key (W3C `RTCCertificate`). Cheap to clone; one
/// certificate may serve many connections.
#[derive(Clone)]
#[doc(alias = "RTCCertificate")]
pub struct Certificate(Arc<Inner>);

struct Inner {
    der: Vec<u8>,
    /// PKCS #8 DER. Secret: never printed.
    private_key: Vec<u8>,
    expires: SystemTime,
    fingerprint: Fingerprint,
}

impl Certificate {
    /// Generates a key and a self-signed certificate valid from now (less a day of slack) for
    /// `params.expires` (W3C `generateCertificate()`).
    ///
    /// `now` is the current wall-clock time; the certificate never reads the clock itself.
    pub fn generate(
        params: &CertificateParams,
        now: SystemTime,
        rng: &mut Rng,
    ) -> Result<Certificate, CertificateError> {
        match params.algorithm {
            KeyAlgorithm::EcdsaP256 => {}
            KeyAlgorithm::RsassaPkcs1V15 { .. } => {
                return Err(CertificateError::NotSupported {
                    algorithm: "RSASSA-PKCS1-v1_5",
                    reason: "the DTLS engine (dimpl) signs handshakes only with ECDSA; \
                             use { name: \"ECDSA\", namedCurve: \"P-256\" }",
                });
            }
        }
        let now_secs = unix_secs(now);
        let not_after = now_secs
            .checked_add(params.expires.as_secs())
            .and_then(x509_time)
            .ok_or(CertificateError::ExpiresOutOfRange(params.expires))?;
        let not_before = x509_time(now_secs.saturating_sub(NOT_BEFORE_SLACK.as_secs()))
            .ok_or(CertificateError::ExpiresOutOfRange(params.expires))?;

        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| CertificateError::Generation(e.to_string()))?;
        let mut x509 = X509Params::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "WebRTC");
        x509.distinguished_name = name;
        x509.is_ca = IsCa::NoCa;
        x509.not_before = not_before;
        x509.not_after = not_after;
        // A random positive serial: Firefox refuses two certificates with one issuer and serial.
        let mut serial = [0u8; 16];
        rng.fill(&mut serial);
        serial[0] = (serial[0] & 0x7f) | 0x40;
        x509.serial_number = Some(serial.to_vec().into());
        let cert = x509
            .self_signed(&key)
            .map_err(|e| CertificateError::Generation(e.to_string()))?;
        Certificate::from_der(cert.der().to_vec(), key.serialize_der())
    }

    /// Loads a certificate and its key from DER: the X.509 certificate and the PKCS #8 ECDSA
    /// P-256 private key. Checks that the key belongs to the certificate.
    pub fn from_der(der: Vec<u8>, private_key: Vec<u8>) -> Result<Certificate, CertificateError> {
        let parsed = x509_cert::Certificate::from_der(&der)
            .map_err(|e| CertificateError::InvalidCertificate(e.to_string()))?;
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &private_key)
            .map_err(|_| CertificateError::UnsupportedKey)?;
        let spki = parsed.tbs_certificate().subject_public_key_info();
        if spki.subject_public_key.raw_bytes() != key.public_key().as_ref() {
            return Err(CertificateError::KeyMismatch);
        }
        let not_after = parsed.tbs_certificate().validity().not_after;
        let expires = UNIX_EPOCH + not_after.to_unix_duration();
        let fingerprint = Fingerprint::of_certificate(HashFunction::Sha256, &der);
        Ok(Certificate(Arc::new(Inner {
            der,
            private_key,
            expires,
            fingerprint,
        })))
    }

    /// The key and the certificate as PEM: a `PRIVATE KEY` (PKCS #8) block then a `CERTIFICATE`
    /// block. The text holds the private key: store it as a secret.
    pub fn to_pem(&self) -> String {
        let mut out = pem_block(PEM_PRIVATE_KEY, &self.0.private_key);
        out.push_str(&pem_block(PEM_CERTIFICATE, &self.0.der));
        out
    }

    /// Loads what [`to_pem`](Self::to_pem) wrote (the two blocks in either order, other text
    /// around them ignored). The fingerprint and expiry are those of the stored certificate.
    pub fn from_pem(text: &str) -> Result<Certificate, CertificateError> {
        let mut key = None;
        let mut cert = None;
        for block in pem_blocks(text) {
            let (label, der) = pem::decode_vec(block.as_bytes())
                .map_err(|e| CertificateError::InvalidPem(e.to_string()))?;
            let slot = match label {
                PEM_PRIVATE_KEY => &mut key,
                PEM_CERTIFICATE => &mut cert,
                other => {
                    return Err(CertificateError::InvalidPem(format!(
                        "unexpected block {other:?}"
                    )));
                }
            };
            if slot.replace(der).is_some() {
                return Err(CertificateError::InvalidPem(format!("two {label} blocks")));
            }
        }
        match (cert, key) {
            (Some(cert), Some(key)) => Certificate::from_der(cert, key),
            (None, _) => Err(CertificateError::InvalidPem("no CERTIFICATE block".into())),
            (_, None) => Err(CertificateError::InvalidPem("no PRIVATE KEY block".into())),
        }
    }

    /// The certificate, DER encoded.
    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    /// When the certificate stops being valid (its X.509 `notAfter`; W3C `expires`).
    pub fn expires(&self) -> SystemTime {
        self.0.expires
    }

    /// [`expires`](Self::expires) as W3C writes it: milliseconds since the Unix epoch.
    pub fn expires_unix_millis(&self) -> u64 {
        let ms = self
            .0
            .expires
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        u64::try_from(ms).unwrap_or(u64::MAX)
    }

    /// Ok while the certificate is valid at `now`; [`CertificateError::Expired`] once `now` has
    /// reached [`expires`](Self::expires).
    pub fn check_valid_at(&self, now: SystemTime) -> Result<(), CertificateError> {
        match now.duration_since(self.0.expires) {
            Err(_) => Ok(()),
            Ok(expired_for) => Err(CertificateError::Expired {
                expires_unix_secs: unix_secs(self.0.expires),
                expired_for,
            }),
        }
    }

    /// The fingerprints to announce in SDP (W3C `getFingerprints()`): one, SHA-256.
    pub fn fingerprints(&self) -> Vec<Fingerprint> {
        vec![self.0.fingerprint.clone()]
    }

    /// The SHA-256 fingerprint.
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.0.fingerprint
    }

    /// What dimpl needs: the certificate and the PKCS #8 key.
    pub(crate) fn to_dimpl(&self) -> dimpl::DtlsCertificate {
        dimpl::DtlsCertificate {
            certificate: self.0.der.clone(),
            private_key: self.0.private_key.clone(),
        }
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("fingerprint", &self.0.fingerprint)
            .field("expires_unix_secs", &unix_secs(self.0.expires))
            .finish_non_exhaustive()
    }
}

impl PartialEq for Certificate {
    /// Two certificates are equal when their DER is (the key follows from it).
    fn eq(&self, other: &Self) -> bool {
        self.0.der == other.0.der
    }
}

impl Eq for Certificate {}

fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// An X.509-writable time (1970..=9999) from Unix seconds.
fn x509_time(secs: u64) -> Option<time::OffsetDateTime> {
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).ok()?).ok()?;
    (t.year() <= 9999).then_some(t)
}

fn pem_block(label: &str, der: &[u8]) -> String {
    // Encoding only fails for labels with bad characters or absurd lengths; ours are constants.
    pem::encode_string(label, LineEnding::LF, der).unwrap_or_default()
}

/// The `-----BEGIN ...-----` ... `-----END ...-----` blocks in `text`, each as one slice.
fn pem_blocks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find("-----BEGIN ")?;
        let from_begin = &rest[start..];
        let Some(end_marker) = from_begin.find("-----END ") else {
            // An unterminated block: hand it over whole so the decoder reports it.
            rest = "";
            return Some(from_begin);
        };
        let after_end = &from_begin[end_marker + "-----END ".len()..];
        let close = after_end
            .find("-----")
            .map(|i| end_marker + "-----END ".len() + i + "-----".len())
            .unwrap_or(from_begin.len());
        let block = &from_begin[..close];
        rest = &from_begin[close..];
        Some(block)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_750_000_000)
    }

    #[test]
    fn generated_certificate_has_p256_key_expiry_and_sha256_fingerprint() {
        let mut rng = Rng::from_seed(1);
        let cert = Certificate::generate(&CertificateParams::default(), now(), &mut rng).unwrap();
        assert_eq!(cert.expires(), now() + DEFAULT_EXPIRES);
        assert_eq!(
            cert.expires_unix_millis(),
            (1_750_000_000 + 30 * 86_400) * 1000
        );
        let fps = cert.fingerprints();
        assert_eq!(fps.len(), 1);
        assert_eq!(fps[0].algorithm(), HashFunction::Sha256);
        assert!(fps[0].matches(cert.der()));
        let parsed = x509_cert::Certificate::from_der(cert.der()).unwrap();
        assert_eq!(
            parsed
                .tbs_certificate()
                .validity()
                .not_before
                .to_unix_duration(),
            Duration::from_secs(1_750_000_000 - 86_400)
        );
        assert!(!format!("{cert:?}").contains("private"));
    }

    #[test]
    fn custom_expiry_and_expired_check() {
        let mut rng = Rng::from_seed(2);
        let params = CertificateParams {
            expires: Duration::from_secs(3600),
            ..CertificateParams::default()
        };
        let cert = Certificate::generate(&params, now(), &mut rng).unwrap();
        assert_eq!(cert.expires(), now() + Duration::from_secs(3600));
        assert_eq!(cert.check_valid_at(now()), Ok(()));
        assert_eq!(
            cert.check_valid_at(now() + Duration::from_secs(3599)),
            Ok(())
        );
        assert_eq!(
            cert.check_valid_at(now() + Duration::from_secs(3610)),
            Err(CertificateError::Expired {
                expires_unix_secs: 1_750_003_600,
                expired_for: Duration::from_secs(10)
            })
        );
        let too_long = CertificateParams {
            expires: Duration::from_secs(u64::MAX / 2),
            ..CertificateParams::default()
        };
        assert_eq!(
            Certificate::generate(&too_long, now(), &mut rng),
            Err(CertificateError::ExpiresOutOfRange(too_long.expires))
        );
    }

    #[test]
    fn rsa_is_refused_as_not_supported() {
        let params = CertificateParams {
            algorithm: KeyAlgorithm::RsassaPkcs1V15 {
                modulus_length: 2048,
                public_exponent: 65537,
                hash: HashFunction::Sha256,
            },
            ..CertificateParams::default()
        };
        let err = Certificate::generate(&params, now(), &mut Rng::from_seed(3)).unwrap_err();
        assert!(matches!(
            err,
            CertificateError::NotSupported {
                algorithm: "RSASSA-PKCS1-v1_5",
                ..
            }
        ));
        assert!(err.to_string().contains("ECDSA"), "{err}");
    }

    #[test]
    fn serials_differ() {
        let mut rng = Rng::from_seed(4);
        let a = Certificate::generate(&CertificateParams::default(), now(), &mut rng).unwrap();
        let b = Certificate::generate(&CertificateParams::default(), now(), &mut rng).unwrap();
        let sa = x509_cert::Certificate::from_der(a.der()).unwrap();
        let sb = x509_cert::Certificate::from_der(b.der()).unwrap();
        assert_ne!(
            sa.tbs_certificate().serial_number(),
            sb.tbs_certificate().serial_number()
        );
        assert_ne!(a, b);
    }

    #[test]
    fn pem_round_trip_keeps_fingerprint_and_expiry() {
        let mut rng = Rng::from_seed(5);
        let cert = Certificate::generate(&CertificateParams::default(), now(), &mut rng).unwrap();
        let pem = cert.to_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.contains("-----BEGIN CERTIFICATE-----\n"));
        let back = Certificate::from_pem(&pem).unwrap();
        assert_eq!(back, cert);
        assert_eq!(back.fingerprint(), cert.fingerprint());
        assert_eq!(back.expires(), cert.expires());
        // Blocks in the other order, with text around them.
        let key_end = pem.find("-----BEGIN CERTIFICATE").unwrap();
        let swapped = format!("# saved\n{}\n{}trailer\n", &pem[key_end..], &pem[..key_end]);
        assert_eq!(Certificate::from_pem(&swapped).unwrap(), cert);
    }

    #[test]
    fn bad_pem_is_refused() {
        let mut rng = Rng::from_seed(6);
        let a = Certificate::generate(&CertificateParams::default(), now(), &mut rng).unwrap();
        let b = Certificate::generate(&CertificateParams::default(), now(), &mut rng).unwrap();
        let a_pem = a.to_pem();
        let b_pem = b.to_pem();
        let split = |p: &str| {
            let i = p.find("-----BEGIN CERTIFICATE").unwrap();
            (p[..i].to_owned(), p[i..].to_owned())
        };
        let (a_key, a_cert) = split(&a_pem);
        let (b_key, _) = split(&b_pem);
        assert_eq!(
            Certificate::from_pem(&format!("{b_key}{a_cert}")),
            Err(CertificateError::KeyMismatch)
        );
        assert!(matches!(
            Certificate::from_pem(&a_cert),
            Err(CertificateError::InvalidPem(_))
        ));
        assert!(matches!(
            Certificate::from_pem(&a_key),
            Err(CertificateError::InvalidPem(_))
        ));
        assert!(matches!(
            Certificate::from_pem(&format!("{a_key}{a_key}{a_cert}")),
            Err(CertificateError::InvalidPem(_))
        ));
        assert!(matches!(
            Certificate::from_pem(""),
            Err(CertificateError::InvalidPem(_))
        ));
        let garbled = a_pem.replacen('M', "!", 1);
        assert!(Certificate::from_pem(&garbled).is_err());
        let truncated = &a_pem[..a_pem.len() - 40];
        assert!(Certificate::from_pem(truncated).is_err());
        assert_eq!(
            Certificate::from_der(a.der().to_vec(), vec![1, 2, 3]),
            Err(CertificateError::UnsupportedKey)
        );
        assert!(matches!(
            Certificate::from_der(vec![0x30, 0x03, 1, 2, 3], Vec::new()),
            Err(CertificateError::InvalidCertificate(_))
        ));
    }

    #[test]
    fn pem_blocks_split() {
        let text =
            "x-----BEGIN A-----\nAA\n-----END A-----\ny\n-----BEGIN B-----\nBB\n-----END B-----";
        let blocks: Vec<&str> = pem_blocks(text).collect();
        assert_eq!(
            blocks,
            [
                "-----BEGIN A-----\nAA\n-----END A-----",
                "-----BEGIN B-----\nBB\n-----END B-----"
            ]
        );
        assert_eq!(pem_blocks("-----BEGIN A---").count(), 1);
        assert_eq!(pem_blocks("nothing").count(), 0);
    }
}
