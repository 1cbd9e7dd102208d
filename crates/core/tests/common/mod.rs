//! Helpers shared by the PeerConnection scenario tests.
#![allow(dead_code)]

use std::time::{Duration, Instant, SystemTime};

use rtcpeer_core::*;
use rtcpeer_types::Rng;

/// A base instant, read once.
#[allow(clippy::disallowed_methods)]
pub fn t0() -> Instant {
    Instant::now()
}

/// A fixed wall-clock time (2025-01-01).
pub fn wall() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_689_600)
}

/// A connection with the default configuration and a seeded generator.
pub fn pc(seed: u64) -> PeerConnection {
    pc_with(seed, RtcConfiguration::default())
}

/// A connection with this configuration.
pub fn pc_with(seed: u64, config: RtcConfiguration) -> PeerConnection {
    PeerConnection::new(config, Rng::from_seed(seed), t0(), wall()).expect("new")
}

/// Every pending event.
pub fn events(pc: &mut PeerConnection) -> Vec<PeerConnectionEvent> {
    std::iter::from_fn(|| pc.poll_event()).collect()
}

/// Every pending transport command.
pub fn commands(pc: &mut PeerConnection) -> Vec<TransportCommand> {
    std::iter::from_fn(|| pc.poll_command()).collect()
}

/// `a` offers, `b` answers; both apply. Returns (offer, answer).
pub fn negotiate(a: &mut PeerConnection, b: &mut PeerConnection) -> (String, String) {
    let offer = a.create_offer(RtcOfferOptions::default()).expect("offer");
    a.set_local_description(Some(offer.clone().into()))
        .expect("a sLD offer");
    b.set_remote_description(offer.clone())
        .expect("b sRD offer");
    let answer = b.create_answer().expect("answer");
    b.set_local_description(Some(answer.clone().into()))
        .expect("b sLD answer");
    a.set_remote_description(answer.clone())
        .expect("a sRD answer");
    (offer.sdp, answer.sdp)
}

/// A track.
pub fn track(id: &str, kind: TrackKind) -> MediaStreamTrack {
    MediaStreamTrack::new(id, kind, id)
}

/// The fixture text of `crates/sdp/tests/fixtures/<name>`.
pub fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../sdp/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A minimal valid remote offer with the given m= sections (each a full section text without
/// the transport lines, which are added).
pub fn remote_offer(sections: &[&str]) -> String {
    let mut s = String::from(
        "v=0\r\no=- 42 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-options:trickle\r\n",
    );
    for sec in sections {
        s.push_str(sec);
        s.push_str("a=ice-ufrag:rmtU\r\na=ice-pwd:remotepasswordremotepass\r\n");
        s.push_str("a=fingerprint:sha-256 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB\r\n");
        s.push_str("a=setup:actpass\r\n");
    }
    s
}
