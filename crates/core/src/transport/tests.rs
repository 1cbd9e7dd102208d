//! Unit tests of the [`TransportStack`] commands that need no network: parameter validation,
//! the order in which the machines come to exist, `maxMessageSize` (webrtc-pc §6.1.1.2) and
//! the commands refused before SCTP exists or after `close()`.

use std::time::{Duration, Instant, UNIX_EPOCH};

use bytes::Bytes;
use rtcpeer_dtls::{Certificate, CertificateParams, DtlsRole};
use rtcpeer_sctp::datachannel::DataChannelInit;
use rtcpeer_types::Rng;

use super::*;
use crate::enums::{
    RtcDtlsTransportState, RtcIceConnectionState, RtcIceRole, RtcPeerConnectionState,
    RtcSctpTransportState,
};

#[allow(clippy::disallowed_methods)]
fn start() -> Instant {
    Instant::now()
}

fn stack(seed: u64) -> TransportStack {
    let wall = UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    let mut rng = Rng::from_seed(seed);
    let cert = Certificate::generate(&CertificateParams::default(), wall, &mut rng).unwrap();
    TransportStack::new(TransportConfig::new(cert, wall), start(), rng)
}

fn params(role: Option<DtlsRole>, sctp: Option<RemoteSctpParameters>) -> TransportParameters {
    let mut p = TransportParameters::new("abcd", "0123456789012345678901");
    p.ice_role = RtcIceRole::Controlling;
    p.dtls_role = role;
    p.sctp = sctp;
    p
}

fn drain(s: &mut TransportStack) -> Vec<TransportEvent> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

#[test]
fn starts_new_with_nothing_but_ice() {
    let s = stack(1);
    assert_eq!(s.connection_state(), RtcPeerConnectionState::New);
    assert_eq!(s.ice_connection_state(), RtcIceConnectionState::New);
    assert_eq!(s.dtls_state(), RtcDtlsTransportState::New);
    assert_eq!(s.sctp_state(), None);
    assert!(s.dtls().is_none() && s.data_channels().is_none());
    assert_eq!(s.max_message_size(), None);
    assert_eq!(
        s.local_fingerprint().algorithm(),
        rtcpeer_dtls::HashFunction::Sha256
    );
}

#[test]
fn malformed_remote_credentials_change_nothing() {
    let mut s = stack(2);
    let now = start();
    let mut p = params(
        Some(DtlsRole::Server),
        Some(RemoteSctpParameters::default()),
    );
    p.ice_pwd = "short".into();
    assert!(matches!(
        s.set_parameters(now, p),
        Err(TransportError::Ice(_))
    ));
    assert!(s.dtls().is_none() && s.data_channels().is_none());
    assert!(s.ice().remote_credentials().is_none());
    assert_eq!(s.ice().role(), rtcpeer_ice::IceRole::Controlled);
}

#[test]
fn a_server_starts_dtls_at_once_and_a_client_waits_for_ice() {
    let now = start();
    let mut server = stack(3);
    server
        .set_parameters(now, params(Some(DtlsRole::Server), None))
        .unwrap();
    assert_eq!(server.dtls().map(|d| d.role()), Some(DtlsRole::Server));
    // A server says nothing until the ClientHello: still `new`.
    assert_eq!(server.dtls_state(), RtcDtlsTransportState::New);
    assert!(server.data_channels().is_none(), "no data section, no SCTP");

    let mut client = stack(4);
    client
        .set_parameters(now, params(Some(DtlsRole::Client), None))
        .unwrap();
    assert!(client.dtls().is_none(), "ICE has no selected pair yet");
}

#[test]
fn sctp_needs_both_the_role_and_the_remote_port() {
    let now = start();
    let mut s = stack(5);
    s.set_parameters(now, params(None, Some(RemoteSctpParameters::default())))
        .unwrap();
    assert!(s.data_channels().is_none());
    assert_eq!(
        s.create_data_channel(DataChannelInit::default()),
        Err(TransportError::NoSctpTransport)
    );
    s.set_parameters(
        now,
        params(
            Some(DtlsRole::Client),
            Some(RemoteSctpParameters::default()),
        ),
    )
    .unwrap();
    assert_eq!(s.sctp_state(), Some(RtcSctpTransportState::Connecting));
    let id = s.create_data_channel(DataChannelInit::default()).unwrap();
    assert_eq!(id % 2, 0, "the DTLS client picks even ids");
    assert_eq!(
        s.data_channel_state(id),
        Some(crate::enums::RtcDataChannelState::Connecting)
    );
    // Not open yet: sending is refused, nothing queued.
    assert!(matches!(
        s.send_text(id, "early"),
        Err(TransportError::Channel(_))
    ));
    assert_eq!(s.buffered_amount(id), 0);
}

#[test]
fn max_message_size_follows_webrtc_pc() {
    let now = start();
    let local = 256 * 1024u64;
    for (remote, want) in [
        (65536, 65536),   // the default when the attribute is absent
        (0, local),       // 0: the peer sets no limit; ours applies
        (1 << 30, local), // larger than ours: ours applies
        (1000, 1000),     // smaller: the peer's applies
    ] {
        let mut s = stack(6);
        let sctp = RemoteSctpParameters {
            port: 5000,
            max_message_size: remote,
        };
        s.set_parameters(now, params(Some(DtlsRole::Client), Some(sctp)))
            .unwrap();
        assert_eq!(s.max_message_size(), Some(want), "remote {remote}");
        assert!(drain(&mut s).contains(&TransportEvent::SctpMaxMessageSize(want)));
        let id = s.create_data_channel(DataChannelInit::default()).unwrap();
        let too_big = Bytes::from(vec![0u8; want as usize + 1]);
        assert_eq!(
            s.send_binary(id, too_big),
            Err(TransportError::MessageTooLarge {
                size: want as usize + 1,
                max: want
            })
        );
    }
}

#[test]
fn a_changed_dtls_role_is_ignored() {
    let now = start();
    let mut s = stack(7);
    s.set_parameters(now, params(Some(DtlsRole::Server), None))
        .unwrap();
    s.set_parameters(now, params(Some(DtlsRole::Client), None))
        .unwrap();
    assert_eq!(s.dtls().map(|d| d.role()), Some(DtlsRole::Server));
}

#[test]
fn close_is_final_and_silent() {
    let now = start();
    let mut s = stack(8);
    s.add_local_interface("192.0.2.1:5000".parse().unwrap());
    s.set_parameters(
        now,
        params(
            Some(DtlsRole::Server),
            Some(RemoteSctpParameters::default()),
        ),
    )
    .unwrap();
    s.gather(now);
    assert!(!drain(&mut s).is_empty());
    s.close();
    s.close();
    assert!(s.is_closed());
    assert_eq!(s.connection_state(), RtcPeerConnectionState::Closed);
    assert_eq!(s.ice_connection_state(), RtcIceConnectionState::Closed);
    assert_eq!(s.dtls_state(), RtcDtlsTransportState::Closed);
    assert_eq!(s.sctp_state(), Some(RtcSctpTransportState::Closed));
    assert_eq!(s.poll_timeout(), None);
    s.handle_timeout(now + Duration::from_secs(1));
    s.gather(now);
    assert_eq!(s.poll_event(), None);
    assert_eq!(s.poll_transmit(), None);
    assert_eq!(
        s.set_parameters(now, params(None, None)),
        Err(TransportError::Closed)
    );
    assert_eq!(
        s.create_data_channel(DataChannelInit::default()),
        Err(TransportError::Closed)
    );
}

#[test]
fn failures_carry_their_w3c_detail() {
    use crate::enums::RtcErrorDetailType as D;
    use rtcpeer_dtls::{DtlsFailure, Fingerprint, HashFunction};
    use rtcpeer_sctp::CloseReason;
    use rtcpeer_sctp::wire::ErrorCause;

    let fp = Fingerprint::of_certificate(HashFunction::Sha256, b"x");
    let mismatch = TransportFailure::Dtls(DtlsFailure::FingerprintMismatch {
        expected: vec![fp.clone()],
        actual: fp,
    });
    assert_eq!(mismatch.error_detail(), D::FingerprintFailure);
    let alert = TransportFailure::Dtls(DtlsFailure::FatalAlert { description: 40 });
    assert_eq!(alert.error_detail(), D::DtlsFailure);
    assert_eq!(alert.to_rtc_error().received_alert(), Some(40));
    assert_eq!(
        TransportFailure::Dtls(DtlsFailure::HandshakeTimeout).error_detail(),
        D::DtlsFailure
    );
    let abort = CloseReason::PeerAbort {
        causes: vec![ErrorCause::ProtocolViolation { info: Bytes::new() }],
    };
    let sctp = TransportFailure::from_sctp_close(&abort).unwrap();
    assert_eq!(sctp.error_detail(), D::SctpFailure);
    assert_eq!(sctp.to_rtc_error().sctp_cause_code(), Some(13));
    // Ends that are not failures.
    for quiet in [
        CloseReason::Shutdown,
        CloseReason::LocalAbort,
        CloseReason::PeerAbort {
            causes: vec![ErrorCause::UserInitiatedAbort {
                reason: Bytes::new(),
            }],
        },
    ] {
        assert_eq!(TransportFailure::from_sctp_close(&quiet), None);
    }
    for failed in [
        CloseReason::ConnectTimeout,
        CloseReason::PeerUnreachable,
        CloseReason::ProtocolViolation("x"),
    ] {
        assert_eq!(
            TransportFailure::from_sctp_close(&failed).map(|f| f.error_detail()),
            Some(D::SctpFailure)
        );
    }
}
