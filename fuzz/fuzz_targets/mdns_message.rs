//! Fuzzes the mDNS message codec (rtcpeer-mdns): no input may panic; whatever decodes must
//! encode and decode to the same message. The same bytes are then fed to a resolver with a
//! lookup running and to a responder with a published name, which must drop or answer them
//! without panicking, and whose answers must decode.

#![no_main]

use std::sync::OnceLock;
use std::time::Instant;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use rtcpeer_mdns::{LocalName, Message, Resolver, ResolverConfig, Responder, ResponderConfig};
use rtcpeer_types::{Protocol, Receive, Rng};

#[allow(clippy::disallowed_methods)]
fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::decode(data) {
        let bytes = m.encode().expect("a decoded message encodes");
        let again = Message::decode(&bytes).expect("an encoded message decodes");
        assert_eq!(again, m);
    }

    let now = base();
    let name: LocalName = "5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0.local".parse().unwrap();
    let mut resolver = Resolver::new(
        ResolverConfig::new("192.168.1.9:5353".parse().unwrap()),
        Rng::from_seed(1),
    );
    resolver.query(now, &name).unwrap();
    let mut responder = Responder::new(
        ResponderConfig::new("192.168.1.2:5353".parse().unwrap()).with_announce(false),
        Rng::from_seed(2),
    );
    responder.publish(now, name, "192.168.1.2".parse().unwrap()).unwrap();
    let rx = Receive {
        protocol: Protocol::Udp,
        source: "192.168.1.3:5353".parse().unwrap(),
        destination: "224.0.0.251:5353".parse().unwrap(),
        contents: Bytes::copy_from_slice(data),
    };
    resolver.handle_receive(now, &rx);
    while resolver.poll_event().is_some() {}
    responder.handle_receive(now, &rx);
    while let Some(t) = responder.poll_transmit() {
        Message::decode(&t.contents).expect("the responder's answers decode");
    }
});
