//! [`RtcCertificate`] (webrtc-pc §4.9.3): a DTLS certificate with its private key and the
//! object identity the configuration rules compare (webrtc-pc §4.4.1.5: "the same ECMAScript
//! object"), made by `RtcPeerConnection::generate_certificate` (§4.9.1) or loaded from an
//! `rtcpeer_dtls::Certificate`.
//!
//! A connection uses a certificate given to its builder; the builder writes the certificate's
//! [`CertificateRef`] into `RtcConfiguration.certificates`, so `get_configuration()` and the
//! `setConfiguration` identity check see it as the spec describes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use rtcpeer_core::{CertificateId, CertificateRef, RtcError};
use rtcpeer_dtls::{Certificate, CertificateParams, Fingerprint};
use rtcpeer_types::Rng;

/// Certificate identities, unique in the process.
static NEXT_CERTIFICATE: AtomicU64 = AtomicU64::new(1);

/// An `RTCCertificate`: cheap to clone; clones are the same object.
#[doc(alias = "RTCCertificate")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtcCertificate {
    id: CertificateId,
    certificate: Certificate,
}

impl RtcCertificate {
    /// A new certificate object for this certificate and key.
    pub fn new(certificate: Certificate) -> Self {
        RtcCertificate {
            id: CertificateId::new(NEXT_CERTIFICATE.fetch_add(1, Ordering::Relaxed)),
            certificate,
        }
    }

    /// `generateCertificate(keygenAlgorithm)` (webrtc-pc §4.9.1), with `now` the current
    /// wall-clock time. `NotSupportedError` for an algorithm the DTLS engine cannot sign with.
    pub fn generate(params: &CertificateParams, now: SystemTime) -> Result<Self, RtcError> {
        let mut rng = Rng::from_entropy();
        Certificate::generate(params, now, &mut rng)
            .map(Self::new)
            .map_err(|e| rtcpeer_core::error_map::certificate_error(&e))
    }

    /// The object's identity.
    pub fn id(&self) -> CertificateId {
        self.id
    }

    /// `expires`.
    pub fn expires(&self) -> SystemTime {
        self.certificate.expires()
    }

    /// `getFingerprints()`.
    pub fn get_fingerprints(&self) -> Vec<Fingerprint> {
        self.certificate.fingerprints()
    }

    /// The certificate and key.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The reference an `RtcConfiguration.certificates` entry holds.
    pub fn reference(&self) -> CertificateRef {
        CertificateRef::new(self.id, self.certificate.expires())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn generate_and_identity() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_689_600);
        let a = RtcCertificate::generate(&CertificateParams::default(), now).unwrap();
        let b = RtcCertificate::new(a.certificate().clone());
        assert_ne!(a.id(), b.id(), "a new object has a new identity");
        assert_eq!(a.clone(), a);
        assert!(a.expires() > now);
        assert_eq!(a.reference().id(), a.id());
        assert_eq!(a.reference().expires(), a.expires());
        assert!(!a.get_fingerprints().is_empty());
        let rsa = CertificateParams {
            algorithm: rtcpeer_dtls::KeyAlgorithm::RsassaPkcs1V15 {
                modulus_length: 2048,
                public_exponent: 65537,
                hash: rtcpeer_dtls::HashFunction::Sha256,
            },
            ..CertificateParams::default()
        };
        let err = RtcCertificate::generate(&rsa, now).unwrap_err();
        assert_eq!(err.name(), "NotSupportedError");
    }
}
