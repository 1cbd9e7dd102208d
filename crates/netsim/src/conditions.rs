//! [`LinkConditions`]: the impairments of one direction of a simulated link.
//!
//! This module owns the description of a link (delay, jitter, loss, reordering, duplication, MTU,
//! bandwidth and queue), not its state; [`crate::link`] applies it to datagrams. The loss models are
//! independent (Bernoulli) loss and the two-state Gilbert-Elliott burst-loss model.

use std::time::Duration;

/// How datagrams are lost on a link.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Loss {
    /// No loss.
    #[default]
    None,
    /// Every datagram is lost independently with this probability (`0.0..=1.0`).
    Random(f64),
    /// Bursty loss from a two-state Markov chain (Gilbert-Elliott).
    GilbertElliott(GilbertElliott),
}

impl Loss {
    /// Gilbert-Elliott loss with the given long-run loss rate and mean burst length (in datagrams):
    /// every datagram is lost in the bad state and none in the good state.
    ///
    /// The mean time in the bad state is `1 / p_bad_to_good` datagrams and the stationary loss
    /// rate is `p_good_to_bad / (p_good_to_bad + p_bad_to_good)`, which this solves for.
    pub fn bursty(loss_rate: f64, mean_burst_len: f64) -> Self {
        let loss_rate = loss_rate.clamp(0.0, 0.999_999);
        let r = 1.0 / mean_burst_len.max(1.0);
        let p = (loss_rate * r / (1.0 - loss_rate)).min(1.0);
        Loss::GilbertElliott(GilbertElliott {
            p_good_to_bad: p,
            p_bad_to_good: r,
            loss_in_good: 0.0,
            loss_in_bad: 1.0,
        })
    }
}

/// Parameters of the Gilbert-Elliott burst-loss model.
///
/// Before each datagram the chain moves (good to bad with `p_good_to_bad`, bad to good with
/// `p_bad_to_good`); the datagram is then lost with the loss probability of the current state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GilbertElliott {
    /// Probability of moving from the good to the bad state, per datagram.
    pub p_good_to_bad: f64,
    /// Probability of moving from the bad to the good state, per datagram.
    pub p_bad_to_good: f64,
    /// Loss probability while in the good state (often 0).
    pub loss_in_good: f64,
    /// Loss probability while in the bad state (often 1).
    pub loss_in_bad: f64,
}

/// The impairments of one direction of a link.
///
/// Build one with [`LinkConditions::default`] (a perfect, instant link) and the `with_*` methods,
/// or with struct update syntax. Datagrams travel through the stages in this order:
/// MTU check, bandwidth queue (tail drop) and serialization, loss, duplication, then propagation
/// delay with jitter and reordering.
///
/// TCP and TLS datagrams ([`rtcpeer_types::Protocol::Tcp`]) stand for segments of a reliable
/// stream: they are never lost, duplicated, reordered, dropped by the MTU or by the queue, only
/// delayed (bandwidth and delay still apply, and they stay in order).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkConditions {
    /// Fixed one-way propagation delay.
    pub delay: Duration,
    /// Each datagram's delay is drawn uniformly from `delay - jitter ..= delay + jitter` (never
    /// below zero). Independent draws reorder datagrams sent closer together than the jitter.
    pub jitter: Duration,
    /// The loss model.
    pub loss: Loss,
    /// Probability that a datagram is held back an extra [`reorder_gap`](Self::reorder_gap), so
    /// that datagrams sent after it overtake it.
    pub reorder: f64,
    /// The extra delay of a reordered datagram.
    pub reorder_gap: Duration,
    /// Probability that a datagram is delivered twice (the copy gets its own delay draw).
    pub duplicate: f64,
    /// Largest IP packet (payload plus IP and UDP headers) the link carries; larger datagrams are
    /// dropped and counted. `None`: no limit.
    pub mtu: Option<usize>,
    /// Link rate in bits per second: each datagram takes `wire size * 8 / bandwidth` to serialize
    /// and waits in a FIFO queue while the link is busy. `None`: infinite rate.
    pub bandwidth: Option<u64>,
    /// Bytes the bandwidth queue holds (including the datagram being serialized); a datagram that
    /// would overflow it is tail-dropped. Only used with a [`bandwidth`](Self::bandwidth).
    pub queue_limit: usize,
}

impl Default for LinkConditions {
    fn default() -> Self {
        LinkConditions {
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            loss: Loss::None,
            reorder: 0.0,
            reorder_gap: Duration::from_millis(10),
            duplicate: 0.0,
            mtu: None,
            bandwidth: None,
            queue_limit: 64 * 1024,
        }
    }
}

impl LinkConditions {
    /// A perfect link with only a fixed delay.
    pub fn with_delay(delay: Duration) -> Self {
        LinkConditions {
            delay,
            ..Self::default()
        }
    }

    /// Sets the jitter.
    #[must_use]
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the loss model.
    #[must_use]
    pub fn loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// Sets the reordering probability and gap.
    #[must_use]
    pub fn reorder(mut self, probability: f64, gap: Duration) -> Self {
        self.reorder = probability;
        self.reorder_gap = gap;
        self
    }

    /// Sets the duplication probability.
    #[must_use]
    pub fn duplicate(mut self, probability: f64) -> Self {
        self.duplicate = probability;
        self
    }

    /// Sets the MTU (largest IP packet in bytes).
    #[must_use]
    pub fn mtu(mut self, mtu: usize) -> Self {
        self.mtu = Some(mtu);
        self
    }

    /// Sets the bandwidth in bits per second and the queue size in bytes.
    #[must_use]
    pub fn bandwidth(mut self, bits_per_second: u64, queue_limit: usize) -> Self {
        self.bandwidth = Some(bits_per_second);
        self.queue_limit = queue_limit;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursty_solves_for_rate_and_burst() {
        let Loss::GilbertElliott(ge) = Loss::bursty(0.1, 4.0) else {
            panic!("bursty gives Gilbert-Elliott");
        };
        assert!((ge.p_bad_to_good - 0.25).abs() < 1e-12);
        let stationary = ge.p_good_to_bad / (ge.p_good_to_bad + ge.p_bad_to_good);
        assert!((stationary - 0.1).abs() < 1e-12);
    }

    #[test]
    fn builders_set_fields() {
        let c = LinkConditions::with_delay(Duration::from_millis(5))
            .jitter(Duration::from_millis(2))
            .loss(Loss::Random(0.5))
            .reorder(0.1, Duration::from_millis(3))
            .duplicate(0.2)
            .mtu(1200)
            .bandwidth(1_000_000, 10_000);
        assert_eq!(c.delay, Duration::from_millis(5));
        assert_eq!(c.jitter, Duration::from_millis(2));
        assert_eq!(c.loss, Loss::Random(0.5));
        assert_eq!(c.reorder, 0.1);
        assert_eq!(c.reorder_gap, Duration::from_millis(3));
        assert_eq!(c.duplicate, 0.2);
        assert_eq!(c.mtu, Some(1200));
        assert_eq!(c.bandwidth, Some(1_000_000));
        assert_eq!(c.queue_limit, 10_000);
    }
}
