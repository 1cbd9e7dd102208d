//! STUN client transaction timing (RFC 8489 §6.2).
//!
//! Over UDP (§6.2.1) a request is sent at 0, then retransmitted after RTO, 2·RTO, 4·RTO, ...,
//! `Rc` = 7 transmissions in all; after the last the client waits `Rm` = 16 RTOs and gives up.
//! With the default RTO of 500 ms that is transmissions at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and
//! 31.5 s and a timeout at 39.5 s. Over TCP and TLS (§6.2.2) the request is sent once and the
//! transaction fails after `Ti` = 39.5 s.

use std::time::{Duration, Instant};

/// Transmissions of a request over UDP, the first included (RFC 8489 §6.2.1 `Rc`).
pub const RC: u32 = 7;

/// How many RTOs to wait after the last transmission (RFC 8489 §6.2.1 `Rm`).
pub const RM: u32 = 16;

/// The transaction timeout over reliable transports (RFC 8489 §6.2.2 `Ti`).
pub const TI: Duration = Duration::from_millis(39_500);

/// What a transaction wants when its timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// Nothing yet.
    Wait,
    /// Send the request again.
    Retransmit,
    /// Give up: no response came.
    TimedOut,
}

/// The retransmission timer of one outstanding request.
#[derive(Debug, Clone)]
pub struct Timer {
    initial_rto: Duration,
    rto: Duration,
    /// Transmissions so far.
    sent: u32,
    /// When the timer next fires.
    next: Instant,
    reliable: bool,
}

impl Timer {
    /// A timer for a request first sent at `now`.
    pub fn start(now: Instant, initial_rto: Duration, reliable: bool) -> Timer {
        let initial_rto = initial_rto.max(Duration::from_millis(1));
        Timer {
            initial_rto,
            rto: initial_rto,
            sent: 1,
            next: now + if reliable { TI } else { initial_rto },
            reliable,
        }
    }

    /// When the timer fires next.
    pub fn deadline(&self) -> Instant {
        self.next
    }

    /// Advances the timer to `now`: whether to retransmit, give up, or wait.
    pub fn tick(&mut self, now: Instant) -> Tick {
        if now < self.next {
            return Tick::Wait;
        }
        if self.reliable || self.sent >= RC {
            return Tick::TimedOut;
        }
        self.sent += 1;
        self.rto = self.rto.saturating_mul(2);
        self.next = if self.sent >= RC {
            now + self.initial_rto.saturating_mul(RM)
        } else {
            now + self.rto
        };
        Tick::Retransmit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::disallowed_methods)]
    fn udp_schedule_matches_rfc_8489() {
        let t0 = Instant::now();
        let mut timer = Timer::start(t0, Duration::from_millis(500), false);
        let mut sends = vec![Duration::ZERO];
        let now = loop {
            let now = timer.deadline();
            match timer.tick(now) {
                Tick::Retransmit => sends.push(now - t0),
                Tick::TimedOut => break now,
                Tick::Wait => panic!("ticked at the deadline"),
            }
        };
        let ms: Vec<u128> = sends.iter().map(|d| d.as_millis()).collect();
        assert_eq!(ms, [0, 500, 1500, 3500, 7500, 15500, 31500]);
        assert_eq!((now - t0).as_millis(), 39_500);
    }

    #[test]
    #[allow(clippy::disallowed_methods)]
    fn reliable_sends_once_and_times_out_after_ti() {
        let t0 = Instant::now();
        let mut timer = Timer::start(t0, Duration::from_millis(500), true);
        assert_eq!(timer.tick(t0 + Duration::from_secs(39)), Tick::Wait);
        assert_eq!(timer.deadline() - t0, TI);
        assert_eq!(timer.tick(t0 + TI), Tick::TimedOut);
    }
}
