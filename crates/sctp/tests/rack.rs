//! RACK-TLP loss detection (RFC 8985 adapted to SCTP) against the RFC 9260 three-miss rule,
//! over the in-memory network: the same seeded transfers with `Config::rack` on and off,
//! compared by counters (T3-rtx expiries, retransmissions) and by virtual time to complete.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Link, Net, base_time};
use rtcpeer_sctp::wire::Chunk;
use rtcpeer_sctp::{Association, Config, Event, Reliability, State, Stats};
use rtcpeer_types::Rng;

fn config(rack: bool) -> Config {
    Config {
        rack,
        ..Config::default()
    }
}

fn pair(rack: bool, link: Link, seed: u64) -> Net<Association> {
    let now = base_time();
    let a = Association::new(config(rack), now, Rng::from_seed(seed * 2 + 1));
    let b = Association::new(config(rack), now, Rng::from_seed(seed * 2 + 2));
    Net::new(a, b, now, link, seed)
}

fn received(assoc: &mut Association, count: &mut usize, connected: &mut bool) {
    while let Some(e) = assoc.poll_event() {
        match e {
            Event::Message(_) => *count += 1,
            Event::Connected => *connected = true,
            _ => {}
        }
    }
}

fn connect(net: &mut Net<Association>) {
    let (mut ca, mut cb, mut n) = (false, false, 0);
    net.a.connect();
    net.b.connect();
    assert!(net.run_until(Duration::from_secs(60), |x| {
        received(&mut x.a, &mut n, &mut ca);
        received(&mut x.b, &mut n, &mut cb);
        ca && cb
    }));
}

/// What one transfer cost.
#[derive(Debug, Default, Clone, Copy)]
struct Run {
    stats: Stats,
    elapsed: Duration,
}

/// `a` sends `count` messages of `size` bytes in bursts of `burst` (the next burst when the
/// previous one has arrived, as a request-response application would); returns a's
/// counters and the virtual time until the last message arrived.
fn transfer(rack: bool, link: Link, seed: u64, count: usize, size: usize, burst: usize) -> Run {
    let mut net = pair(rack, link, seed);
    connect(&mut net);
    let start = net.now;
    let (mut got, mut sent, mut c) = (0usize, 0usize, true);
    while got < count {
        let upto = (sent + burst).min(count);
        for i in sent..upto {
            let payload = Bytes::from(vec![i as u8; size]);
            net.a
                .send(1, 53, false, Reliability::Reliable, payload)
                .unwrap();
        }
        sent = upto;
        assert!(
            net.run_until(Duration::from_secs(600), |n| {
                received(&mut n.b, &mut got, &mut c);
                got == sent
            }),
            "seed {seed}: stuck at {got}"
        );
    }
    assert_eq!(net.a.state(), State::Established);
    Run {
        stats: net.a.stats(),
        elapsed: net.now - start,
    }
}

fn totals(rack: bool, loss: f64, seeds: std::ops::Range<u64>) -> (u64, u64, Duration) {
    let (mut t3, mut rtx, mut time) = (0, 0, Duration::ZERO);
    for seed in seeds {
        let r = transfer(rack, Link::lossy(loss), seed, 300, 1000, 10);
        t3 += r.stats.t3_expiries;
        rtx += r.stats.retransmissions;
        time += r.elapsed;
    }
    (t3, rtx, time)
}

/// Under random loss, RACK-TLP needs fewer T3-rtx timeouts and less time than the three-miss
/// rule for the same transfers (short bursts, where three misses rarely pile up).
#[test]
fn fewer_timeouts_and_faster_completion_under_loss() {
    for loss in [0.05, 0.2] {
        let (t3_rack, rtx_rack, time_rack) = totals(true, loss, 0..6);
        let (t3_classic, _, time_classic) = totals(false, loss, 0..6);
        eprintln!(
            "loss {loss}: T3 expiries {t3_rack} (RACK) vs {t3_classic} (three misses); \
             time {time_rack:?} vs {time_classic:?}; RACK retransmissions {rtx_rack}"
        );
        assert!(
            t3_rack * 2 <= t3_classic,
            "loss {loss}: {t3_rack} T3 expiries with RACK, {t3_classic} without"
        );
        assert!(
            time_rack < time_classic,
            "loss {loss}: {time_rack:?} with RACK, {time_classic:?} without"
        );
    }
}

/// Pure reordering well inside the reordering window (delay 20 ms, jitter 4 ms: min_rtt / 4
/// is 10 ms) costs RACK no retransmission, while the three-miss rule retransmits spuriously.
#[test]
fn no_spurious_retransmissions_under_reordering() {
    let link = Link {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(4),
        loss: 0.0,
        duplicate: 0.0,
    };
    let mut classic_rtx = 0;
    for seed in 0..4 {
        let r = transfer(true, link, seed, 400, 1100, 40);
        assert_eq!(r.stats.retransmissions, 0, "seed {seed}: {:?}", r.stats);
        assert_eq!(r.stats.t3_expiries, 0);
        classic_rtx += transfer(false, link, seed, 400, 1100, 40)
            .stats
            .retransmissions;
    }
    assert!(classic_rtx > 0, "the link does reorder");
}

/// The last packet of a burst is lost: a tail loss probe repairs it after about two round
/// trips, where the three-miss rule has to wait for T3-rtx.
#[test]
fn tail_loss_probe_repairs_a_lost_tail() {
    let mut results = Vec::new();
    for rack in [true, false] {
        let mut net = pair(rack, Link::perfect(), 3);
        connect(&mut net);
        // Let an RTT be measured first.
        net.a
            .send(
                1,
                53,
                false,
                Reliability::Reliable,
                Bytes::from_static(b"warm"),
            )
            .unwrap();
        let (mut got, mut c) = (0, true);
        assert!(net.run_until(Duration::from_secs(5), |n| {
            received(&mut n.b, &mut got, &mut c);
            got == 1
        }));
        net.run_until(Duration::from_secs(1), |_| false);
        // A burst of 4 one-chunk packets; the last is lost once.
        let mut first: Option<u32> = None;
        let mut dropped = false;
        net.filter = Some(Box::new(move |to_b, p| {
            let tsns = data_tsns(p);
            let Some(&tsn) = tsns.first().filter(|_| to_b) else {
                return false;
            };
            let victim = first.get_or_insert(tsn).wrapping_add(3);
            if tsns.contains(&victim) && !dropped {
                dropped = true;
                return true;
            }
            false
        }));
        for _ in 0..4 {
            net.a
                .send(
                    1,
                    53,
                    false,
                    Reliability::Reliable,
                    Bytes::from(vec![7u8; 1100]),
                )
                .unwrap();
        }
        let start = net.now;
        assert!(net.run_until(Duration::from_secs(30), |n| {
            received(&mut n.b, &mut got, &mut c);
            got == 5
        }));
        results.push((net.now - start, net.a.stats()));
    }
    let (rack_time, rack) = results[0];
    let (classic_time, classic) = results[1];
    assert_eq!(rack.t3_expiries, 0, "{rack:?}");
    assert_eq!(rack.tail_loss_probes, 1);
    assert_eq!(classic.t3_expiries, 1, "{classic:?}");
    assert_eq!(classic.tail_loss_probes, 0);
    // 20 ms round trips: a probe at 2 SRTT (plus slack), T3-rtx at RTO.Min = 300 ms.
    assert!(rack_time < Duration::from_millis(100), "{rack_time:?}");
    assert!(
        classic_time >= Duration::from_millis(300),
        "{classic_time:?}"
    );
}

/// The TSNs of the DATA or I-DATA chunks in a packet.
fn data_tsns(packet: &[u8]) -> Vec<u32> {
    rtcpeer_sctp::wire::ChunkIter::new(Bytes::copy_from_slice(packet))
        .flatten()
        .filter_map(|c| match c {
            Chunk::Data(d) => Some(d.tsn),
            Chunk::IData(d) => Some(d.tsn),
            _ => None,
        })
        .collect()
}

/// A lost retransmission: RFC 9260 fast-retransmits a chunk only once, so the three-miss
/// rule needs T3-rtx when the retransmission is lost too; RACK finds it by time.
#[test]
fn lost_retransmission_found_without_a_timeout() {
    let mut results = Vec::new();
    for rack in [true, false] {
        let mut net = pair(rack, Link::perfect(), 4);
        connect(&mut net);
        net.a
            .send(
                1,
                53,
                false,
                Reliability::Reliable,
                Bytes::from_static(b"warm"),
            )
            .unwrap();
        let (mut got, mut c) = (0, true);
        assert!(net.run_until(Duration::from_secs(5), |n| {
            received(&mut n.b, &mut got, &mut c);
            got == 1
        }));
        net.run_until(Duration::from_secs(1), |_| false);
        // Of 40 one-chunk packets, the third chunk is lost, and so is its first
        // retransmission.
        let mut first: Option<u32> = None;
        let mut times_seen = 0;
        net.filter = Some(Box::new(move |to_b, p| {
            let tsns = data_tsns(p);
            let Some(&tsn) = tsns.first().filter(|_| to_b) else {
                return false;
            };
            let victim = first.get_or_insert(tsn).wrapping_add(2);
            if tsns.contains(&victim) {
                times_seen += 1;
                return times_seen <= 2;
            }
            false
        }));
        for i in 0..40 {
            net.a
                .send(
                    1,
                    53,
                    false,
                    Reliability::Reliable,
                    Bytes::from(vec![i as u8; 1100]),
                )
                .unwrap();
        }
        let start = net.now;
        assert!(net.run_until(Duration::from_secs(60), |n| {
            received(&mut n.b, &mut got, &mut c);
            got == 41
        }));
        results.push((net.now - start, net.a.stats()));
    }
    let (rack_time, rack) = results[0];
    let (classic_time, classic) = results[1];
    assert_eq!(rack.t3_expiries, 0, "{rack:?}");
    assert!(rack.retransmissions >= 2, "{rack:?}");
    assert_eq!(classic.t3_expiries, 1, "{classic:?}");
    assert!(
        rack_time < classic_time,
        "{rack_time:?} vs {classic_time:?}"
    );
}
