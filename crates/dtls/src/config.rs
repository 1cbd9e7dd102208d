//! What a [`DtlsTransport`](crate::DtlsTransport) is built from: the local certificate, the remote
//! fingerprints, the role chosen from `a=setup` (RFC 8842 §5), the DTLS versions to accept, and
//! the retransmission timers (RFC 6347 §4.2.4, RFC 9147 §5.8).

use std::time::{Duration, SystemTime};

use crate::certificate::Certificate;
use crate::fingerprint::Fingerprint;

/// Which end of the handshake this endpoint plays.
///
/// WebRTC derives it from `a=setup` (RFC 8842 §5): the offerer says `actpass`, the answerer picks;
/// browsers answer `active`, so by default the answerer is the DTLS client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtlsRole {
    /// Sends the ClientHello (`a=setup:active`).
    Client,
    /// Waits for the ClientHello (`a=setup:passive`).
    Server,
}

impl DtlsRole {
    /// The role the local `a=setup` value gives once negotiation is over: `active` → client,
    /// `passive` → server; `actpass` (undecided) or anything else → `None`.
    pub fn from_local_setup(setup: &str) -> Option<DtlsRole> {
        match setup {
            "active" => Some(DtlsRole::Client),
            "passive" => Some(DtlsRole::Server),
            _ => None,
        }
    }
}

/// A DTLS protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DtlsVersion {
    /// DTLS 1.2 (RFC 6347), always with the extended master secret (RFC 7627).
    Dtls12,
    /// DTLS 1.3 (RFC 9147).
    Dtls13,
}

impl DtlsVersion {
    /// `"DTLS 1.2"` or `"DTLS 1.3"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DtlsVersion::Dtls12 => "DTLS 1.2",
            DtlsVersion::Dtls13 => "DTLS 1.3",
        }
    }
}

/// Which DTLS versions a transport will speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DtlsVersions {
    /// DTLS 1.3 when the peer offers it, otherwise 1.2. A client sends one ClientHello that a 1.2
    /// server reads as 1.2 and a 1.3 server as 1.3; a server answers in the highest version the
    /// ClientHello offers.
    #[default]
    Auto,
    /// DTLS 1.2 only.
    Dtls12Only,
    /// DTLS 1.3 only.
    Dtls13Only,
}

/// MTU dimpl packs handshake flights into by default, leaving room for IPv6, UDP and TURN headers.
pub const DEFAULT_MTU: usize = 1150;

/// The configuration of one DTLS transport.
#[derive(Debug, Clone)]
pub struct DtlsConfig {
    /// The local certificate. It must not have expired at [`wall_clock`](Self::wall_clock).
    pub certificate: Certificate,
    /// The fingerprints of the remote description's `a=fingerprint` lines. May be empty at first
    /// and set later with
    /// [`DtlsTransport::set_remote_fingerprints`](crate::DtlsTransport::set_remote_fingerprints):
    /// the transport then stays `connecting` until it can check the peer's certificate.
    pub remote_fingerprints: Vec<Fingerprint>,
    /// The versions to speak.
    pub versions: DtlsVersions,
    /// The largest datagram a handshake flight is packed into. Application data records are
    /// never split: an SCTP packet sized to the path MTU becomes one datagram.
    pub mtu: usize,
    /// The first retransmission timeout of a handshake flight; it doubles on each retransmission,
    /// with ±25 % jitter (RFC 6347 §4.2.4.1 recommends 1 s).
    pub initial_retransmit_timeout: Duration,
    /// Retransmissions of one flight before the handshake fails.
    pub max_retransmits: usize,
    /// The deadline for the whole handshake, from its first flight.
    pub handshake_timeout: Duration,
    /// The current wall-clock time, read by the caller. Used only to refuse an expired
    /// certificate (W3C `RTCCertificate.expires`); the transport never reads a clock.
    pub wall_clock: SystemTime,
}

impl DtlsConfig {
    /// A configuration with the defaults: no remote fingerprints yet, DTLS 1.2 and 1.3, MTU
    /// [`DEFAULT_MTU`], a 1 s first retransmission, 4 retransmissions, a 40 s handshake deadline.
    pub fn new(certificate: Certificate, wall_clock: SystemTime) -> DtlsConfig {
        DtlsConfig {
            certificate,
            remote_fingerprints: Vec::new(),
            versions: DtlsVersions::Auto,
            mtu: DEFAULT_MTU,
            initial_retransmit_timeout: Duration::from_secs(1),
            max_retransmits: 4,
            handshake_timeout: Duration::from_secs(40),
            wall_clock,
        }
    }

    /// The engine configuration. `seed` drives dimpl's non-cryptographic randomness
    /// (retransmission jitter, DTLS randoms, cookie secret, DTLS 1.2 explicit nonces).
    pub(crate) fn to_dimpl(&self, seed: u64) -> Result<dimpl::Config, dimpl::Error> {
        dimpl::Config::builder()
            .mtu(self.mtu)
            .flight_start_rto(self.initial_retransmit_timeout)
            .flight_retries(self.max_retransmits)
            .handshake_timeout(self.handshake_timeout)
            // WebRTC authenticates both ends by certificate (RFC 8827 §6.5).
            .require_client_certificate(true)
            .dangerously_set_rng_seed(seed)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_maps_to_role() {
        assert_eq!(DtlsRole::from_local_setup("active"), Some(DtlsRole::Client));
        assert_eq!(
            DtlsRole::from_local_setup("passive"),
            Some(DtlsRole::Server)
        );
        assert_eq!(DtlsRole::from_local_setup("actpass"), None);
        assert_eq!(DtlsRole::from_local_setup("holdconn"), None);
    }
}
