//! Memory held per association with one open data channel: two `DataChannels` connect over
//! the in-memory network, open a channel, exchange messages, go idle (for a second, past the
//! association's idle trim); an instrumented global allocator counts the heap they keep, and
//! `size_of` gives the rest. The bounds are ceilings with margin, to catch a return of
//! pre-sized buffers (a packet block kept while idle, a 64 KiB block, tables sized for 65535
//! streams, an inline HMAC context).

mod common;

use std::alloc::System;
use std::time::Duration;

use bytes::Bytes;
use common::{Link, Net, base_time};
use rtcpeer_sctp::datachannel::{ChannelEvent, DataChannelInit, DtlsRole};
use rtcpeer_sctp::{Config, DataChannels};
use rtcpeer_types::Rng;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Ceiling for one idle association with one open channel (heap, not counting `size_of`;
/// about 1 KiB is held: the stream and channel tables).
const IDLE_BOUND: usize = 2 * 1024;
/// Ceiling for `size_of::<DataChannels>()` (about 2 KiB).
const SIZE_BOUND: usize = 2560;

/// Heap bytes allocated and not freed since `region` began. (stats_alloc already counts a
/// reallocation's growth in `bytes_allocated` and its shrinking in `bytes_deallocated`;
/// `bytes_reallocated` is the same change again and must not be added.)
fn held(region: &Region<'_, System>) -> isize {
    let change = region.change();
    change.bytes_allocated as isize - change.bytes_deallocated as isize
}

/// Drains both sides' events; returns the messages `b` received.
fn drain(net: &mut Net<DataChannels>, open: &mut bool) -> usize {
    let mut messages = 0;
    while let Some(e) = net.a.poll_event() {
        if matches!(e, ChannelEvent::Open { .. }) {
            *open = true;
        }
    }
    while let Some(e) = net.b.poll_event() {
        if matches!(e, ChannelEvent::Message { .. }) {
            messages += 1;
        }
    }
    messages
}

/// Connects a pair, opens one channel, sends `burst` messages of `size` bytes from `a` to `b`,
/// lets everything settle, and returns the two endpoints without the harness.
fn connected_pair(burst: usize, size: usize) -> (DataChannels, DataChannels) {
    let now = base_time();
    let a = DataChannels::new(Config::default(), DtlsRole::Client, now, Rng::from_seed(1));
    let b = DataChannels::new(Config::default(), DtlsRole::Server, now, Rng::from_seed(2));
    let mut net = Net::new(a, b, now, Link::perfect(), 3);
    net.a.connect();
    net.b.connect();
    let id = net
        .a
        .create_channel(DataChannelInit {
            label: "chat".into(),
            ..Default::default()
        })
        .expect("channel");
    let mut open = false;
    assert!(net.run_until(Duration::from_secs(30), |n| {
        drain(n, &mut open);
        open
    }));
    let payload = Bytes::from(vec![0x5a; size]);
    let mut received = 0;
    for _ in 0..burst {
        net.a.send_binary(id, payload.clone()).expect("send");
    }
    assert!(net.run_until(Duration::from_secs(60), |n| {
        received += drain(n, &mut open);
        received == burst
    }));
    // Let delayed SACKs and retransmission timers settle.
    net.run_until(Duration::from_secs(1), |n| {
        drain(n, &mut open);
        false
    });
    drain(&mut net, &mut open);
    (net.a, net.b)
}

#[test]
fn idle_association_with_one_channel_holds_little_heap() {
    // Tests of one binary share the allocator: this binary has one test.
    let region = Region::new(GLOBAL);
    let pair = connected_pair(4, 100);
    let idle = held(&region) / 2;
    drop(pair);

    let region = Region::new(GLOBAL);
    let pair = connected_pair(64, 64 * 1024);
    let after_bulk = held(&region) / 2;
    drop(pair);

    eprintln!(
        "heap per association + one channel: idle {idle} B, idle after 4 MiB sent {after_bulk} B \
         (size_of DataChannels {} B)",
        std::mem::size_of::<DataChannels>()
    );
    assert!(idle > 0);
    assert!(idle < IDLE_BOUND as isize, "{idle} B held when idle");
    assert!(std::mem::size_of::<DataChannels>() < SIZE_BOUND);
    assert!(
        after_bulk < IDLE_BOUND as isize,
        "{after_bulk} B held when idle after a bulk transfer"
    );
}
