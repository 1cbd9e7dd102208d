//! `close()` and lifetime: the spec's errors after close and for bad calls, what close changes
//! at once, no event after close, and the end of the driver task (handlers freed) on close or
//! when the last handle is dropped.

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use common::*;
use rtcpeer::*;

#[tokio::test]
async fn errors_are_the_specs() {
    let a = pc_no_sockets(30);
    assert_eq!(err_name(a.create_answer().await), "InvalidStateError");
    let bogus = RtcSessionDescriptionInit::answer("v=0\r\n");
    assert_eq!(
        err_name(a.set_remote_description(bogus).await),
        "InvalidStateError"
    );
    let bad = a
        .set_remote_description(RtcSessionDescriptionInit::offer("v=0\r\nbogus\r\n"))
        .await;
    let bad = bad.unwrap_err();
    assert_eq!(bad.name(), "OperationError");
    assert_eq!(
        bad.error_detail(),
        Some(RtcErrorDetail::Pc(RtcErrorDetailType::SdpSyntaxError))
    );
    assert_eq!(
        a.signaling_state(),
        RtcSignalingState::Stable,
        "a bad call changes nothing"
    );

    let offer = a.create_offer(RtcOfferOptions::default()).await.unwrap();
    let mut tampered: RtcLocalSessionDescriptionInit = offer.into();
    tampered.sdp.push_str("a=x-tampered\r\n");
    assert_eq!(
        err_name(a.set_local_description(Some(tampered)).await),
        "InvalidModificationError"
    );
    let cand = RtcIceCandidateInit {
        candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host".into(),
        sdp_mid: Some("0".into()),
        ..Default::default()
    };
    assert_eq!(
        err_name(a.add_ice_candidate(cand).await),
        "InvalidStateError"
    );
    let no_mid = RtcIceCandidateInit {
        candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host".into(),
        ..Default::default()
    };
    assert_eq!(
        err_name(a.add_ice_candidate(no_mid.clone()).await),
        "TypeError"
    );

    let mut cfg = a.get_configuration();
    cfg.bundle_policy = RtcBundlePolicy::MaxCompat;
    assert_eq!(
        err_name(a.set_configuration(cfg).await),
        "InvalidModificationError"
    );
    let mut cfg = a.get_configuration();
    cfg.ice_servers = vec![RtcIceServer::new("stun:127.0.0.1:3478")];
    a.set_configuration(cfg.clone()).await.unwrap();
    assert_eq!(a.get_configuration(), cfg);

    // Identity: no IdP support.
    assert_eq!(err_name(a.peer_identity().await), "NotSupportedError");
    assert_eq!(
        err_name(a.get_identity_assertion().await),
        "NotSupportedError"
    );
    assert_eq!(
        err_name(a.set_identity_provider("idp.example", None, None)),
        "NotSupportedError"
    );
    assert!(a.default_ice_servers().is_empty());

    a.close();
    // After close: InvalidStateError everywhere, but argument TypeErrors come first.
    assert_eq!(
        err_name(a.create_offer(RtcOfferOptions::default()).await),
        "InvalidStateError"
    );
    assert_eq!(
        err_name(a.set_local_description(None).await),
        "InvalidStateError"
    );
    assert_eq!(
        err_name(a.set_configuration(RtcConfiguration::default()).await),
        "InvalidStateError"
    );
    assert_eq!(
        err_name(
            a.create_data_channel("x", RtcDataChannelInit::default())
                .await
        ),
        "InvalidStateError"
    );
    let track = MediaStreamTrack::new("t", TrackKind::Audio, "t");
    assert_eq!(err_name(a.add_track(track, &[]).await), "InvalidStateError");
    assert_eq!(
        err_name(
            a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
                .await
        ),
        "InvalidStateError"
    );
    assert_eq!(
        err_name(
            a.add_transceiver(
                TrackOrKind::Kind("banana".into()),
                RtcRtpTransceiverInit::default()
            )
            .await
        ),
        "TypeError"
    );
    assert_eq!(err_name(a.add_ice_candidate(no_mid).await), "TypeError");
    a.restart_ice(); // nothing happens
    a.close(); // closing twice does nothing
}

#[tokio::test]
async fn constructor_errors() {
    let turn_without_credentials = RtcConfiguration {
        ice_servers: vec![RtcIceServer::new("turn:127.0.0.1:3478")],
        ..Default::default()
    };
    let err = RtcPeerConnection::builder(turn_without_credentials)
        .interfaces(Interfaces::None)
        .build()
        .unwrap_err();
    assert_eq!(err.name(), "InvalidAccessError");
    let bad_url = RtcConfiguration {
        ice_servers: vec![RtcIceServer::new("http://example.invalid")],
        ..Default::default()
    };
    assert_eq!(
        RtcPeerConnection::builder(bad_url)
            .interfaces(Interfaces::None)
            .build()
            .unwrap_err()
            .name(),
        "SyntaxError"
    );
    // An expired certificate.
    let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let params = CertificateParams {
        expires: Duration::from_secs(60),
        ..Default::default()
    };
    let old = RtcCertificate::generate(&params, long_ago).unwrap();
    let err = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::None)
        .certificate(old)
        .build()
        .unwrap_err();
    assert_eq!(err.name(), "InvalidAccessError");
    // A valid given certificate is the one in the configuration and in the SDP.
    let cert = RtcPeerConnection::generate_certificate(CertificateParams::default())
        .await
        .unwrap();
    let a = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::None)
        .certificate(cert.clone())
        .build()
        .unwrap();
    assert_eq!(a.get_configuration().certificates, vec![cert.reference()]);
    a.create_data_channel("x", RtcDataChannelInit::default())
        .await
        .unwrap();
    let offer = a.create_offer(RtcOfferOptions::default()).await.unwrap();
    let fp = cert
        .get_fingerprints()
        .iter()
        .find(|f| f.to_string().starts_with("sha-256"))
        .expect("a SHA-256 fingerprint")
        .to_string();
    assert!(
        offer.sdp.contains(&fp),
        "the offer carries the certificate's fingerprint"
    );
    // A reference to a certificate the builder was not given.
    let cfg = RtcConfiguration {
        certificates: vec![cert.reference()],
        ..Default::default()
    };
    assert_eq!(
        RtcPeerConnection::builder(cfg)
            .interfaces(Interfaces::None)
            .build()
            .unwrap_err()
            .name(),
        "InvalidAccessError"
    );
    a.close();
}

#[tokio::test]
async fn close_takes_effect_at_once() {
    let a = pc(31);
    let dc = a
        .create_data_channel("x", RtcDataChannelInit::default())
        .await
        .unwrap();
    let t = a
        .add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    let log = Log::default();
    a.on_signaling_state_change(Some(logger(&log, "")));
    a.on_negotiation_needed(Some(logger(&log, "")));
    let mut events = a.events();
    // Queue an operation, then close before it runs: it fails, and no event fires.
    let queued = {
        let a = a.clone();
        tokio::spawn(async move { a.set_local_description(None).await })
    };
    a.close();
    assert_eq!(a.signaling_state(), RtcSignalingState::Closed);
    assert_eq!(a.connection_state(), RtcPeerConnectionState::Closed);
    assert_eq!(a.ice_connection_state(), RtcIceConnectionState::Closed);
    assert_eq!(dc.ready_state(), RtcDataChannelState::Closed);
    assert_eq!(
        t.current_direction(),
        Some(RtcRtpTransceiverDirection::Stopped)
    );
    assert!(a.get_senders().is_empty() && a.get_receivers().is_empty());
    assert_eq!(err_name(queued.await.unwrap()), "InvalidStateError");
    // The events before close (negotiationneeded from the setup) may have been streamed;
    // none after it.
    while let Some(e) = events.recv().await {
        assert_eq!(e.event_type(), EventType::NegotiationNeeded);
    }
    assert!(
        !log.take()
            .iter()
            .any(|e| e.starts_with("signalingstatechange"))
    );
    assert_eq!(
        a.signaling_state(),
        RtcSignalingState::Closed,
        "stays closed"
    );
}

#[tokio::test]
async fn close_from_a_handler_stops_further_events() {
    let (a, b) = (pc_no_sockets(32), pc_no_sockets(33));
    let log = Log::default();
    let l = log.clone();
    b.on_signaling_state_change(Some(Box::new(move |e| {
        l.push(describe(e));
        e.target().expect("alive").close();
    })));
    b.on_track(Some(logger(&log, "")));
    a.add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    let offer = a.create_offer(RtcOfferOptions::default()).await.unwrap();
    // The handler closes during this call: the track event that follows does not fire.
    b.set_remote_description(offer).await.unwrap();
    assert_eq!(log.take(), ["signalingstatechange:have-remote-offer"]);
    assert_eq!(b.signaling_state(), RtcSignalingState::Closed);
    assert_eq!(err_name(b.create_answer().await), "InvalidStateError");
    a.close();
}

#[tokio::test]
async fn close_frees_handlers_even_when_they_hold_the_connection() {
    let a = pc(34);
    let weak = a.downgrade();
    let (flag, dropped) = DropFlag::new();
    let held = a.clone();
    a.on_negotiation_needed(Some(Box::new(move |_| {
        let _keep = (&flag, &held); // a strong handle inside the handler: a cycle
    })));
    drop(a);
    // The cycle keeps the driver alive: the connection is still usable.
    let again = weak.upgrade().expect("kept alive by the handler's handle");
    again
        .create_offer(RtcOfferOptions::default())
        .await
        .unwrap();
    // close() breaks it: the task ends and frees the handler.
    again.close();
    wait_until("the handler to be dropped", || {
        dropped.load(Ordering::SeqCst)
    })
    .await;
    drop(again);
    wait_until("the driver to end", || weak.upgrade().is_none()).await;
}

#[tokio::test]
async fn dropping_the_last_handle_ends_the_driver() {
    let a = pc(35);
    let weak = a.downgrade();
    let (flag, dropped) = DropFlag::new();
    let w = a.downgrade();
    a.on_negotiation_needed(Some(Box::new(move |_| {
        let _keep = (&flag, w.upgrade()); // a weak handle: no cycle
    })));
    let dc = a
        .create_data_channel("x", RtcDataChannelInit::default())
        .await
        .unwrap();
    let t = a
        .add_transceiver(TrackKind::Audio, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    let mut events = a.events();
    let stats = a.socket_stats();
    assert!(!stats.local_addrs.is_empty(), "loopback sockets are bound");
    drop(a);
    wait_until("the handler to be dropped", || {
        dropped.load(Ordering::SeqCst)
    })
    .await;
    assert!(weak.upgrade().is_none());
    assert!(events.recv().await.is_none());
    // Child handles outlive the connection harmlessly.
    assert_eq!(dc.ready_state(), RtcDataChannelState::Closed);
    assert_eq!(err_name(dc.send("late")), "InvalidStateError");
    assert_eq!(err_name(t.stop().await), "InvalidStateError");
    assert_eq!(t.direction(), RtcRtpTransceiverDirection::Stopped);
    // The sockets were released: the ports can be bound again.
    for addr in stats.local_addrs {
        wait_until("the port to be free", || {
            std::net::UdpSocket::bind(addr).is_ok()
        })
        .await;
    }
}
