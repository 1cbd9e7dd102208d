//! Hostile input never panics the machines: random bytes, and real packets with random
//! mutations whose checksum is then fixed so that they reach the chunk handlers.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Link, Net, base_time};
use proptest::prelude::*;
use rtcpeer_sctp::datachannel::{DataChannelInit, DtlsRole};
use rtcpeer_sctp::{Config, DataChannels};
use rtcpeer_types::Rng;

fn established(seed: u64) -> (Net<DataChannels>, Vec<Bytes>) {
    let now = base_time();
    let a = DataChannels::new(
        Config::default(),
        DtlsRole::Client,
        now,
        Rng::from_seed(seed),
    );
    let b = DataChannels::new(
        Config::default(),
        DtlsRole::Server,
        now,
        Rng::from_seed(seed + 1),
    );
    let mut net = Net::new(a, b, now, Link::perfect(), seed);
    net.a.connect();
    assert!(net.run_until(
        Duration::from_secs(5),
        |n| n.a.association().is_established() && n.b.association().is_established()
    ));
    let id = net.a.create_channel(DataChannelInit::default()).unwrap();
    // Collect a sample of real packets a sends (DATA with DCEP and messages, SACKs, ...).
    let mut samples = Vec::new();
    net.a.send_binary(id, Bytes::from(vec![1u8; 3000])).unwrap();
    net.a.send_text(id, "x").unwrap();
    while let Some(p) = net.a.poll_transmit(net.now) {
        samples.push(p.clone());
        net.b.handle_receive_bytes(net.now, p);
    }
    while let Some(p) = net.b.poll_transmit(net.now) {
        samples.push(p);
    }
    (net, samples)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes_never_panic(packets in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 1..8)) {
        let (mut net, _) = established(1);
        for p in packets {
            net.b.handle_receive(net.now, &p);
            while net.b.poll_transmit(net.now).is_some() {}
        }
        net.b.handle_timeout(net.now + Duration::from_secs(1));
    }

    #[test]
    fn mutated_packets_never_panic(
        which in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        truncate in any::<Option<prop::sample::Index>>(),
    ) {
        let (mut net, samples) = established(2);
        let mut p = samples[which.index(samples.len())].to_vec();
        for (at, v) in flips {
            let i = 12 + at.index(p.len() - 12);
            p[i] = v;
        }
        if let Some(t) = truncate {
            p.truncate(12 + t.index(p.len() - 12));
        }
        let sum = rtcpeer_sctp::wire::checksum(&p);
        p[8..12].copy_from_slice(&sum.to_le_bytes());
        // Deliver to both sides, then let the machines run for a while.
        net.b.handle_receive(net.now, &p);
        net.a.handle_receive(net.now, &p);
        net.run_until(Duration::from_secs(30), |_| false);
    }
}
