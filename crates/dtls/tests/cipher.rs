//! The cipher suite and version both ends report after real handshakes (webrtc-stats
//! `dtlsCipher`, `tlsVersion`): read from the ServerHello, the same on both sides, a suite of
//! the negotiated version.

mod common;

use common::{Pair, Setup};
use rtcpeer_dtls::{DtlsVersion, DtlsVersions};

fn suites(client: DtlsVersions, server: DtlsVersions) -> (u16, &'static str, DtlsVersion) {
    let mut pair = Pair::new(Setup::versions(client, server));
    assert_eq!(pair.client.cipher_suite(), None);
    assert_eq!(pair.server.cipher_suite(), None);
    pair.connect();
    let c = pair
        .client
        .cipher_suite()
        .expect("client saw the ServerHello");
    let s = pair
        .server
        .cipher_suite()
        .expect("server sent the ServerHello");
    assert_eq!(c, s);
    let version = pair.client.protocol_version().unwrap();
    (c.0, c.name().expect("a registered suite"), version)
}

#[test]
fn dtls12_suite_is_an_ecdhe_ecdsa_aead_suite_on_both_sides() {
    let (value, name, version) = suites(DtlsVersions::Dtls12Only, DtlsVersions::Dtls12Only);
    assert_eq!(version, DtlsVersion::Dtls12);
    assert_eq!(version.wire_version(), 0xFEFD);
    assert!(
        name.starts_with("TLS_ECDHE_ECDSA_WITH_") && (value >> 8) != 0x13,
        "{value:04X} {name}"
    );
}

#[test]
fn dtls13_suite_is_a_tls13_suite_on_both_sides() {
    let (value, name, version) = suites(DtlsVersions::Dtls13Only, DtlsVersions::Dtls13Only);
    assert_eq!(version, DtlsVersion::Dtls13);
    assert_eq!(version.wire_version(), 0xFEFC);
    assert_eq!(value >> 8, 0x13, "{name}");
    assert!(!name.contains("ECDHE"), "{name}");
}

#[test]
fn auto_sensing_reports_the_suite_of_the_version_chosen() {
    let (value, _, version) = suites(DtlsVersions::Auto, DtlsVersions::Auto);
    assert_eq!(version == DtlsVersion::Dtls13, value >> 8 == 0x13);
}
