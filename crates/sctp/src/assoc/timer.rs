//! Timers and the retransmission timeout estimator (RFC 9260 §6.3.1: SRTT, RTTVAR, RTO with
//! α = 1/8, β = 1/4, clamped to [RTO.Min, RTO.Max]; §6.3.3: back-off doubles RTO).

use std::time::{Duration, Instant};

/// A one-shot timer with a counter of consecutive expiries.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Timer {
    deadline: Option<Instant>,
    /// Consecutive expiries (retransmissions) since the timer was last started fresh.
    pub(crate) count: u32,
}

impl Timer {
    pub(crate) fn start(&mut self, now: Instant, after: Duration) {
        self.deadline = Some(now + after);
    }
    pub(crate) fn stop(&mut self) {
        self.deadline = None;
        self.count = 0;
    }
    pub(crate) fn is_running(&self) -> bool {
        self.deadline.is_some()
    }
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
    /// If the deadline has passed, disarms the timer and returns true.
    pub(crate) fn fire(&mut self, now: Instant) -> bool {
        match self.deadline {
            Some(d) if d <= now => {
                self.deadline = None;
                true
            }
            _ => false,
        }
    }
}

/// The RTO estimator.
#[derive(Debug, Clone)]
pub(crate) struct Rto {
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
    min: Duration,
    max: Duration,
}

impl Rto {
    pub(crate) fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        Rto {
            srtt: None,
            rttvar: Duration::ZERO,
            rto: initial.clamp(min, max),
            min,
            max,
        }
    }

    /// The current RTO.
    pub(crate) fn get(&self) -> Duration {
        self.rto
    }

    /// The smoothed round-trip time, once measured.
    pub(crate) fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// Feeds a round-trip measurement (RFC 9260 §6.3.1 C1-C3).
    pub(crate) fn sample(&mut self, r: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(srtt) => {
                let diff = srtt.abs_diff(r);
                self.rttvar = self.rttvar * 3 / 4 + diff / 4;
                self.srtt = Some(srtt * 7 / 8 + r / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        // A clock granularity G of 1 ms keeps RTTVAR from vanishing.
        self.rto =
            (srtt + (4 * self.rttvar).max(Duration::from_millis(1))).clamp(self.min, self.max);
    }

    /// Back-off after a timer expiry (RFC 9260 §6.3.3 E2).
    pub(crate) fn back_off(&mut self) {
        self.rto = (self.rto * 2).min(self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rto_follows_rfc_formulas() {
        let ms = Duration::from_millis;
        let mut rto = Rto::new(ms(500), ms(100), ms(6000));
        assert_eq!(rto.get(), ms(500));
        rto.sample(ms(100));
        // SRTT = 100, RTTVAR = 50, RTO = 300.
        assert_eq!(rto.get(), ms(300));
        rto.sample(ms(200));
        // RTTVAR = 3/4*50 + 1/4*100 = 62.5; SRTT = 87.5 + 25 = 112.5; RTO = 362.5.
        assert_eq!(rto.get(), Duration::from_micros(362_500));
        rto.back_off();
        assert_eq!(rto.get(), ms(725));
        for _ in 0..10 {
            rto.back_off();
        }
        assert_eq!(rto.get(), ms(6000));
        let mut fast = Rto::new(ms(500), ms(300), ms(6000));
        fast.sample(ms(1));
        assert_eq!(fast.get(), ms(300), "clamped to RTO.Min");
    }

    #[test]
    fn timer_fires_once() {
        #[allow(clippy::disallowed_methods)]
        let t0 = Instant::now();
        let mut t = Timer::default();
        assert!(!t.fire(t0));
        t.start(t0, Duration::from_secs(1));
        assert!(!t.fire(t0));
        assert!(t.fire(t0 + Duration::from_secs(1)));
        assert!(!t.is_running());
    }
}
