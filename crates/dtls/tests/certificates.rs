//! Certificates against independent references: fingerprints computed by OpenSSL, a key and
//! certificate made by OpenSSL, PEM storage across a "restart", expiry.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::{Pair, Setup, wall_clock};
use rtcpeer_dtls::{
    Certificate, CertificateError, CertificateParams, DtlsConfig, DtlsError, DtlsRole,
    DtlsTransport, DtlsTransportState, DtlsVersions, Fingerprint, HashFunction,
};
use rtcpeer_types::Rng;

/// An ECDSA P-256 test key and self-signed certificate made with OpenSSL 3.0.19:
/// `openssl ecparam -name prime256v1 -genkey -noout -out fx.key`,
/// `openssl req -new -x509 -key fx.key -subj "/CN=rtcpeer fingerprint vector" -days 3650
///  -set_serial 0x1234 -out fx.pem`, `openssl pkcs8 -topk8 -nocrypt -in fx.key`.
/// The key protects nothing; it exists only for this test.
const OPENSSL_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFAZIY9t8V9/6Ar85
v3xcVI84u3IXI+640Wd1zfCIEiKhRANCAAQivpi4pvKRGdWqRaJjuo9ESWTOd3KI
1kP4YcxmIRE0mNmIhckFwndRx2BSP9UQsbpQeVoopj87QB24z0FNxpCt
-----END PRIVATE KEY-----
";
const OPENSSL_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBjjCCATOgAwIBAgICEjQwCgYIKoZIzj0EAwIwJTEjMCEGA1UEAwwacnRjcGVl
ciBmaW5nZXJwcmludCB2ZWN0b3IwHhcNMjYxMTI0MDE0ODI0WhcNMzYxMTIxMDE0
ODI0WjAlMSMwIQYDVQQDDBpydGNwZWVyIGZpbmdlcnByaW50IHZlY3RvcjBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABCK+mLim8pEZ1apFomO6j0RJZM53cojWQ/hh
zGYhETSY2YiFyQXCd1HHYFI/1RCxulB5WiimPztAHbjPQU3GkK2jUzBRMB0GA1Ud
DgQWBBT0VzCeP1BC6gwjC2XTlQ/d3mJN7jAfBgNVHSMEGDAWgBT0VzCeP1BC6gwj
C2XTlQ/d3mJN7jAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCJ
p0kB9ivDeve8rv29nnlJ00TFeZut/hjZsEJZtXKBiwIhAJvuOv4YfXbSm/V6mrcZ
LlzAAz2gWQXtApIa5reKxg5K
-----END CERTIFICATE-----
";

/// `openssl x509 -in fx.pem -noout -fingerprint -<hash>` for each hash.
const OPENSSL_FINGERPRINTS: [(HashFunction, &str); 5] = [
    (
        HashFunction::Sha1,
        "46:45:CD:40:12:11:90:99:66:4D:7A:BB:0A:B9:2E:BD:03:ED:35:8F",
    ),
    (
        HashFunction::Sha224,
        "AF:CB:59:C0:B6:11:06:4F:BC:94:39:82:EC:CA:9B:5E:ED:D3:5C:59:E9:80:FA:55:9B:32:03:22",
    ),
    (
        HashFunction::Sha256,
        "19:C1:DC:8D:CB:A1:63:CF:8B:0A:7E:7B:DE:45:C4:F6:2C:88:1D:18:99:A6:6C:6B:D3:AA:BA:31:2D:6C:60:75",
    ),
    (
        HashFunction::Sha384,
        "F5:76:7B:8F:9E:02:4F:44:75:15:76:9B:6B:5B:3F:9D:71:46:A2:BD:E3:61:D1:06:CB:60:4D:C2:0A:FF:\
         B8:23:E8:6A:11:6B:81:FD:23:B0:C0:B6:64:AF:B5:AD:E3:B7",
    ),
    (
        HashFunction::Sha512,
        "42:DF:59:CC:3D:D8:D8:31:4D:7C:4B:A2:F3:EC:F7:18:36:27:F7:A5:8E:C2:B6:B2:E9:5B:62:B0:67:F6:\
         31:5F:BC:4C:88:DB:91:5D:D7:EE:EC:1A:D2:E8:EF:E9:12:8B:0A:D4:10:D4:2C:DA:3B:54:3A:35:A8:3C:\
         EC:CC:10:E6",
    ),
];

fn openssl_certificate() -> Certificate {
    Certificate::from_pem(&format!("{OPENSSL_KEY}{OPENSSL_CERT}")).expect("OpenSSL PEM loads")
}

#[test]
fn fingerprints_match_openssl_for_every_hash() {
    let cert = openssl_certificate();
    for (hash, expected) in OPENSSL_FINGERPRINTS {
        let ours = Fingerprint::of_certificate(hash, cert.der());
        assert_eq!(ours.to_sdp_value(), expected, "{hash}");
        assert_eq!(ours.to_string(), format!("{} {expected}", hash.as_str()));
        // Parsing what SDP carries gives back the same fingerprint, in either case.
        let parsed: Fingerprint = format!("{} {expected}", hash.as_str()).parse().unwrap();
        assert_eq!(parsed, ours);
        assert_eq!(
            Fingerprint::parse(hash.as_str(), &expected.to_lowercase()).unwrap(),
            ours
        );
        assert!(parsed.matches(cert.der()));
    }
    assert_eq!(cert.fingerprint().to_sdp_value(), OPENSSL_FINGERPRINTS[2].1);
    assert_eq!(cert.fingerprints(), vec![cert.fingerprint().clone()]);
}

#[test]
fn openssl_certificate_reports_its_not_after_as_expires() {
    // notAfter=Nov 21 01:48:24 2036 GMT
    let cert = openssl_certificate();
    assert_eq!(
        cert.expires(),
        UNIX_EPOCH + Duration::from_secs(2_110_844_904)
    );
    assert_eq!(cert.expires_unix_millis(), 2_110_844_904_000);
}

#[test]
fn openssl_certificate_can_handshake() {
    let client = openssl_certificate();
    let server = common::certificate(77);
    let mut pair = Pair::with_certificates(Setup::default(), client, server);
    pair.connect();
}

#[test]
fn pem_round_trip_keeps_the_fingerprint_across_restarts() {
    let original = common::certificate(10);
    let announced = original.fingerprints();
    let stored = original.to_pem();
    drop(original);
    // "Restart": load the stored certificate; the peer still has the old fingerprint from SDP.
    let restored = Certificate::from_pem(&stored).unwrap();
    assert_eq!(restored.fingerprints(), announced);
    let server = common::certificate(11);
    let mut pair = Pair::with_certificates(
        Setup {
            server_config: Box::new(move |c| c.remote_fingerprints = announced),
            ..Setup::default()
        },
        restored,
        server,
    );
    pair.connect();
}

#[test]
fn expired_certificate_is_refused_when_used() {
    let params = CertificateParams {
        expires: Duration::from_secs(60),
        ..CertificateParams::default()
    };
    let cert = Certificate::generate(&params, wall_clock(), &mut Rng::from_seed(1)).unwrap();
    let start = common::base_instant();

    let mut config = DtlsConfig::new(cert.clone(), wall_clock() + Duration::from_secs(30));
    config.remote_fingerprints = cert.fingerprints();
    let fresh = DtlsTransport::new(
        config.clone(),
        DtlsRole::Client,
        start,
        &mut Rng::from_seed(2),
    );
    assert_eq!(fresh.unwrap().state(), DtlsTransportState::Connecting);

    config.wall_clock = wall_clock() + Duration::from_secs(61);
    let err =
        DtlsTransport::new(config, DtlsRole::Client, start, &mut Rng::from_seed(2)).unwrap_err();
    assert_eq!(
        err,
        DtlsError::Certificate(CertificateError::Expired {
            expires_unix_secs: 1_750_000_060,
            expired_for: Duration::from_secs(1),
        })
    );
    assert!(err.to_string().contains("expired"), "{err}");
}

#[test]
fn rsa_generation_is_not_supported() {
    let params = CertificateParams {
        algorithm: rtcpeer_dtls::KeyAlgorithm::RsassaPkcs1V15 {
            modulus_length: 2048,
            public_exponent: 65537,
            hash: HashFunction::Sha256,
        },
        ..CertificateParams::default()
    };
    let err = Certificate::generate(&params, wall_clock(), &mut Rng::from_seed(1)).unwrap_err();
    assert!(
        matches!(err, CertificateError::NotSupported { .. }),
        "{err}"
    );
}

/// A self-signed ECDSA P-256 certificate padded with subject alternative names to about
/// `size` bytes of DER.
fn large_certificate(size: usize) -> Certificate {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let names: Vec<String> = (0..size / 40)
        .map(|i| format!("host-{i:05}.large-certificate.invalid"))
        .collect();
    let mut params = rcgen::CertificateParams::new(names).expect("names");
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2027, 1, 1);
    let cert = params.self_signed(&key).expect("certificate");
    Certificate::from_der(cert.der().to_vec(), key.serialize_der()).expect("loads")
}

#[test]
fn a_peer_certificate_larger_than_the_output_buffer_is_accepted() {
    // dimpl copies the peer's certificate into the caller's output buffer (and panics if it
    // does not fit): the transport must offer room for it whatever its buffer's size. Up to
    // 2 KiB used to be offered.
    for versions in [DtlsVersions::Dtls12Only, DtlsVersions::Auto] {
        // (dimpl 0.9 sends at most 12 records per DTLS 1.3 flight, so no larger here.)
        let client = large_certificate(3000);
        let server = large_certificate(4500);
        assert!(client.der().len() > 2048 && server.der().len() > 4096);
        let mut pair = Pair::with_certificates(
            Setup::versions(versions, versions),
            client.clone(),
            server.clone(),
        );
        pair.connect();
        assert_eq!(
            pair.client.remote_certificate().map(|c| &c[..]),
            Some(server.der())
        );
        assert_eq!(
            pair.server.remote_certificate().map(|c| &c[..]),
            Some(client.der())
        );
    }
}
