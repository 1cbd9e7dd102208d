//! One direction of a simulated link: applies [`LinkConditions`] to each datagram offered to it
//! and says when (and whether, and how many times) it arrives at the far end.
//!
//! The link keeps the state the conditions need: the Gilbert-Elliott chain's current state, the
//! time the bandwidth serializer is busy until (the FIFO queue in front of it is implied by that
//! time), and the last arrival of reliable (TCP) datagrams so they stay in order. It draws from its
//! own [`Rng`], forked from the network's, so links do not shift each other's numbers.

use std::time::{Duration, Instant};

use rtcpeer_types::Rng;

use crate::conditions::{LinkConditions, Loss};
use crate::stats::LinkStats;
use crate::trace::DropReason;

/// When a datagram offered to a link arrives at its far end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arrivals {
    /// Arrival of the datagram.
    pub(crate) first: Instant,
    /// Arrival of a duplicate, if the link made one.
    pub(crate) copy: Option<Instant>,
}

/// One direction of a link.
#[derive(Debug)]
pub(crate) struct Link {
    conditions: LinkConditions,
    rng: Rng,
    /// Gilbert-Elliott: in the bad state.
    bad: bool,
    /// The serializer is busy until then (bandwidth limit).
    busy_until: Option<Instant>,
    /// Last arrival of a reliable datagram (TCP stays in order).
    last_reliable: Option<Instant>,
    pub(crate) stats: LinkStats,
}

const NANOS_PER_SEC: u128 = 1_000_000_000;

impl Link {
    pub(crate) fn new(rng: Rng) -> Self {
        Link {
            conditions: LinkConditions::default(),
            rng,
            bad: false,
            busy_until: None,
            last_reliable: None,
            stats: LinkStats::default(),
        }
    }

    pub(crate) fn conditions(&self) -> &LinkConditions {
        &self.conditions
    }

    pub(crate) fn set_conditions(&mut self, conditions: LinkConditions) {
        self.conditions = conditions;
    }

    /// Offers a datagram of `wire_len` bytes (whole IP packet) at `now`. `reliable` datagrams
    /// (TCP) are never lost, duplicated, reordered or dropped, only delayed, and stay in order.
    pub(crate) fn offer(
        &mut self,
        now: Instant,
        wire_len: usize,
        reliable: bool,
    ) -> Result<Arrivals, DropReason> {
        self.stats.sent += 1;
        self.stats.bytes_sent += wire_len as u64;
        let c = &self.conditions;

        if !reliable && c.mtu.is_some_and(|mtu| wire_len > mtu) {
            self.stats.dropped_mtu += 1;
            return Err(DropReason::Mtu);
        }

        let departure = match c.bandwidth {
            Some(bps) if bps > 0 => {
                let busy = self.busy_until.filter(|&b| b > now);
                let backlog = busy.map_or(0, |b| {
                    (b - now).as_nanos().saturating_mul(u128::from(bps)) / (8 * NANOS_PER_SEC)
                });
                if !reliable && backlog.saturating_add(wire_len as u128) > c.queue_limit as u128 {
                    self.stats.dropped_queue += 1;
                    return Err(DropReason::QueueFull);
                }
                let bits = (wire_len as u128) * 8 * NANOS_PER_SEC;
                let tx_nanos = bits.div_ceil(u128::from(bps));
                let tx = Duration::from_nanos(u64::try_from(tx_nanos).unwrap_or(u64::MAX));
                let departure = busy.unwrap_or(now) + tx;
                self.busy_until = Some(departure);
                departure
            }
            _ => now,
        };

        if !reliable && self.lose() {
            self.stats.lost += 1;
            return Err(DropReason::Loss);
        }

        let mut first = departure + self.sample_delay();
        if reliable {
            if let Some(last) = self.last_reliable {
                first = first.max(last);
            }
            self.last_reliable = Some(first);
            return Ok(Arrivals { first, copy: None });
        }
        let c = &self.conditions;
        if c.reorder > 0.0 && self.rng.chance(c.reorder) {
            first += c.reorder_gap;
            self.stats.reordered += 1;
        }
        let c = &self.conditions;
        let copy = if c.duplicate > 0.0 && self.rng.chance(c.duplicate) {
            self.stats.duplicated += 1;
            Some(departure + self.sample_delay())
        } else {
            None
        };
        Ok(Arrivals { first, copy })
    }

    /// Runs the loss model for one datagram.
    fn lose(&mut self) -> bool {
        match self.conditions.loss {
            Loss::None => false,
            Loss::Random(p) => p > 0.0 && self.rng.chance(p),
            Loss::GilbertElliott(ge) => {
                let flip = if self.bad {
                    ge.p_bad_to_good
                } else {
                    ge.p_good_to_bad
                };
                if flip > 0.0 && self.rng.chance(flip) {
                    self.bad = !self.bad;
                }
                let p = if self.bad {
                    ge.loss_in_bad
                } else {
                    ge.loss_in_good
                };
                p > 0.0 && self.rng.chance(p)
            }
        }
    }

    /// Propagation delay with jitter: uniform in `delay - jitter ..= delay + jitter`, at least 0.
    fn sample_delay(&mut self) -> Duration {
        let c = &self.conditions;
        if c.jitter.is_zero() {
            return c.delay;
        }
        let lo = u64::try_from(c.delay.saturating_sub(c.jitter).as_nanos()).unwrap_or(u64::MAX);
        let hi = u64::try_from((c.delay + c.jitter).as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(self.rng.range_u64(lo, hi.saturating_add(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conditions::GilbertElliott;

    fn start() -> Instant {
        crate::clock::start_instant()
    }

    fn link(c: LinkConditions, seed: u64) -> Link {
        let mut l = Link::new(Rng::from_seed(seed));
        l.set_conditions(c);
        l
    }

    #[test]
    fn perfect_link_is_instant() {
        let t = start();
        let mut l = link(LinkConditions::default(), 1);
        assert_eq!(
            l.offer(t, 100, false),
            Ok(Arrivals {
                first: t,
                copy: None
            })
        );
    }

    #[test]
    fn mtu_drops_only_unreliable() {
        let t = start();
        let mut l = link(LinkConditions::default().mtu(1280), 1);
        assert!(l.offer(t, 1280, false).is_ok());
        assert_eq!(l.offer(t, 1281, false), Err(DropReason::Mtu));
        assert!(l.offer(t, 5000, true).is_ok());
        assert_eq!(l.stats.dropped_mtu, 1);
        assert_eq!(l.stats.sent, 3);
    }

    #[test]
    fn random_loss_rate_within_tolerance() {
        let t = start();
        let mut l = link(LinkConditions::default().loss(Loss::Random(0.2)), 42);
        let n = 20_000;
        let lost = (0..n).filter(|_| l.offer(t, 100, false).is_err()).count();
        let rate = lost as f64 / n as f64;
        assert!((rate - 0.2).abs() < 0.015, "loss rate {rate}");
        assert_eq!(l.stats.lost, lost as u64);
    }

    #[test]
    fn gilbert_elliott_loses_in_bursts() {
        let t = start();
        let mut l = link(LinkConditions::default().loss(Loss::bursty(0.1, 5.0)), 7);
        let outcome: Vec<bool> = (0..50_000)
            .map(|_| l.offer(t, 100, false).is_err())
            .collect();
        let lost = outcome.iter().filter(|&&x| x).count();
        let bursts = outcome.windows(2).filter(|w| !w[0] && w[1]).count().max(1);
        let rate = lost as f64 / outcome.len() as f64;
        let mean_burst = lost as f64 / bursts as f64;
        assert!((rate - 0.1).abs() < 0.02, "loss rate {rate}");
        assert!((mean_burst - 5.0).abs() < 0.6, "mean burst {mean_burst}");
        // Independent loss at the same rate has mean burst length 1 / (1 - 0.1) ~ 1.1.
        let mut r = link(LinkConditions::default().loss(Loss::Random(0.1)), 7);
        let outcome: Vec<bool> = (0..50_000)
            .map(|_| r.offer(t, 100, false).is_err())
            .collect();
        let lost = outcome.iter().filter(|&&x| x).count();
        let bursts = outcome.windows(2).filter(|w| !w[0] && w[1]).count().max(1);
        assert!((lost as f64 / bursts as f64) < 1.3);
    }

    #[test]
    fn gilbert_elliott_good_state_loss() {
        let t = start();
        let ge = GilbertElliott {
            p_good_to_bad: 0.0,
            p_bad_to_good: 1.0,
            loss_in_good: 0.5,
            loss_in_bad: 1.0,
        };
        let mut l = link(LinkConditions::default().loss(Loss::GilbertElliott(ge)), 3);
        let lost = (0..10_000)
            .filter(|_| l.offer(t, 10, false).is_err())
            .count();
        assert!((4_500..5_500).contains(&lost), "{lost}");
    }

    #[test]
    fn jitter_stays_in_range_and_reorders() {
        let t = start();
        let c =
            LinkConditions::with_delay(Duration::from_millis(50)).jitter(Duration::from_millis(20));
        let mut l = link(c, 9);
        let mut arrivals = Vec::new();
        for i in 0..1000u64 {
            let sent = t + Duration::from_millis(i);
            let a = l.offer(sent, 100, false).unwrap().first;
            let d = a - sent;
            assert!(d >= Duration::from_millis(30) && d <= Duration::from_millis(70));
            arrivals.push(a);
        }
        assert!(arrivals.windows(2).any(|w| w[1] < w[0]), "no reordering");
    }

    #[test]
    fn bandwidth_serializes_and_tail_drops() {
        let t = start();
        // 1 Mbit/s: 1250 bytes take 10 ms. Queue of 5000 bytes holds four.
        let mut l = link(LinkConditions::default().bandwidth(1_000_000, 5000), 1);
        let mut arrivals = Vec::new();
        for _ in 0..6 {
            arrivals.push(l.offer(t, 1250, false));
        }
        for (i, a) in arrivals.iter().take(4).enumerate() {
            let a = a.as_ref().unwrap().first;
            assert_eq!(a - t, Duration::from_millis(10 * (i as u64 + 1)));
        }
        assert_eq!(arrivals[4], Err(DropReason::QueueFull));
        assert_eq!(l.stats.dropped_queue, 2);
        // After the queue drains the link is idle again.
        let later = t + Duration::from_secs(1);
        assert_eq!(
            l.offer(later, 1250, false).unwrap().first - later,
            Duration::from_millis(10)
        );
    }

    #[test]
    fn reliable_stays_in_order_and_is_never_lost() {
        let t = start();
        let c = LinkConditions::with_delay(Duration::from_millis(50))
            .jitter(Duration::from_millis(40))
            .loss(Loss::Random(0.9))
            .duplicate(1.0)
            .reorder(1.0, Duration::from_millis(100));
        let mut l = link(c, 5);
        let mut last = t;
        for i in 0..200u64 {
            let a = l.offer(t + Duration::from_micros(i), 100, true).unwrap();
            assert!(a.first >= last);
            assert_eq!(a.copy, None);
            last = a.first;
        }
        assert_eq!(l.stats.lost, 0);
    }

    #[test]
    fn duplicate_and_reorder_counted() {
        let t = start();
        let c = LinkConditions::with_delay(Duration::from_millis(5))
            .duplicate(1.0)
            .reorder(1.0, Duration::from_millis(7));
        let mut l = link(c, 5);
        let a = l.offer(t, 100, false).unwrap();
        assert_eq!(a.first - t, Duration::from_millis(12));
        assert_eq!(a.copy.map(|c| c - t), Some(Duration::from_millis(5)));
        assert_eq!(l.stats.duplicated, 1);
        assert_eq!(l.stats.reordered, 1);
    }
}
