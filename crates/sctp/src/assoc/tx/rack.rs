//! RACK-TLP (RFC 8985) adapted to SCTP: time-based loss detection and tail loss probes.
//!
//! * RACK (§6): every SACK that newly acknowledges a chunk (cumulatively or in a gap ack
//!   block) remembers the send time and TSN of the most recently sent chunk known delivered
//!   (RACK.xmit_ts, RACK.end_seq) and that chunk's round-trip time (RACK.rtt). A chunk still
//!   in flight that was sent before it is lost once `RACK.rtt + reo_wnd` has passed since its
//!   own (last) transmission; until then a reordering timer waits for the rest of the window.
//!   Unlike the three-miss rule of RFC 9260 §7.2.4, this also finds lost retransmissions and
//!   losses followed by too few chunks to produce three miss indications, without waiting for
//!   T3-rtx.
//! * The reordering window (§6.2 step 4): `reo_wnd = min(reo_wnd_mult * min_rtt / 4, SRTT)`.
//!   SCTP's duplicate TSN reports play the part of TCP's DSACK: a report of a TSN we
//!   retransmitted shows the retransmission was spurious, so the window widens by one
//!   quarter of the minimum RTT, and narrows back after 16 recoveries without such a report.
//! * TLP (§7): when data is outstanding and no SACK comes for a probe timeout
//!   (`PTO = 2 * SRTT`, plus the peer's delayed-SACK allowance when only one packet is in
//!   flight and it did not ask for an immediate SACK; our own `delayed_ack_timeout` stands in
//!   for the peer's; at least 10 ms; never later than T3-rtx), one probe goes out: a packet of new
//!   data if any is queued (even beyond cwnd), else a retransmission of the newest chunk in
//!   flight; it carries the I bit (RFC 9260 §3.3.1) so that the peer answers at once, and its
//!   SACK lets RACK find the losses before it. One probe per tail; T3-rtx stays armed behind
//!   it. A probe retransmission that turns out to have repaired a loss (no duplicate report,
//!   acknowledged no sooner than a round trip could bring its own SACK) counts as congestion
//!   (§7.4.2).
//! * The sender sets the I bit on the last chunk before its queue runs dry, so that the tail
//!   of a burst is acknowledged at once instead of after the peer's delayed-SACK timer; that
//!   is what lets the probe timeout stay at two round trips.

use std::time::{Duration, Instant};

use super::{Sender, SentState};

/// Most quarter-min-RTT steps the reordering window grows to (§6.2 caps it at SRTT anyway).
const MAX_REO_WND_MULT: u32 = 8;
/// Recoveries without a spurious retransmission before the window narrows back (§6.2).
const REO_WND_PERSIST: u8 = 16;
/// Retransmitted TSNs remembered for spotting spurious retransmissions.
const RECENT_RTX: usize = 8;
/// Added to a probe timeout when the peer is expected to SACK at once (§7.2's 2 ms slack).
const PTO_SLACK: Duration = Duration::from_millis(2);
/// The shortest probe timeout (a timer granularity, as TCP stacks use).
const MIN_PTO: Duration = Duration::from_millis(10);

/// RACK-TLP state of the sending half.
#[derive(Debug)]
pub(crate) struct Rack {
    /// RACK-TLP is on; off, the three-miss rule detects losses and no probes are sent.
    pub(crate) enabled: bool,
    /// RACK.xmit_ts and RACK.end_seq: send time and TSN of the most recently sent chunk
    /// known delivered.
    xmit: Option<(Instant, u64)>,
    /// RACK.rtt: the round-trip time of that chunk.
    rtt: Duration,
    /// The smallest round-trip time measured on chunks sent once.
    min_rtt: Option<Duration>,
    reo_wnd_mult: u32,
    reo_wnd_persist: u8,
    /// When the reordering timer fires.
    pub(crate) deadline: Option<Instant>,
    /// The last chunks retransmitted (TSNs as on the wire), a ring.
    recent_rtx: [u32; RECENT_RTX],
    recent_len: u8,
    recent_next: u8,
    /// A tail loss probe is out and no SACK has acknowledged new data since.
    probe_outstanding: bool,
    /// The probe retransmission: its TSN, when it was sent, and when it was acknowledged.
    probe: Option<(u64, Instant, Option<Instant>)>,
    /// The next packet may carry one packet of new data beyond cwnd (a probe).
    pub(crate) probe_new_data: bool,
    /// The next packet carries a probe retransmission.
    pub(crate) probe_rtx: bool,
    /// The newest chunk sent carried the I bit.
    pub(crate) tail_immediate: bool,
}

impl Rack {
    pub(crate) fn new(enabled: bool) -> Self {
        Rack {
            enabled,
            xmit: None,
            rtt: Duration::ZERO,
            min_rtt: None,
            reo_wnd_mult: 1,
            reo_wnd_persist: 0,
            deadline: None,
            recent_rtx: [0; RECENT_RTX],
            recent_len: 0,
            recent_next: 0,
            probe_outstanding: false,
            probe: None,
            probe_new_data: false,
            probe_rtx: false,
            tail_immediate: false,
        }
    }

    /// A chunk sent at `sent_at` with TSN `tsn` was newly acknowledged at `now`: the most
    /// recently sent one a SACK delivers (§6.2 steps 1-2: an acknowledgement sooner than
    /// min_rtt after a retransmission is taken to be for the original and not used). Chunks
    /// sent earlier cannot change RACK.xmit_ts, and the newest has the smallest RTT, so one
    /// call per SACK is enough.
    pub(crate) fn on_delivered(
        &mut self,
        sent_at: Instant,
        tsn: u64,
        transmissions: u16,
        now: Instant,
    ) {
        let rtt = now.saturating_duration_since(sent_at);
        if transmissions > 1 && self.min_rtt.is_some_and(|m| rtt < m) {
            return;
        }
        if transmissions == 1 {
            self.min_rtt = Some(self.min_rtt.map_or(rtt, |m| m.min(rtt)));
        }
        let newer = self
            .xmit
            .is_none_or(|(t, s)| sent_at > t || (sent_at == t && tsn > s));
        if newer {
            self.xmit = Some((sent_at, tsn));
            self.rtt = rtt;
        }
    }

    /// The reordering window.
    fn reo_wnd(&self, srtt: Option<Duration>) -> Duration {
        let base = self.min_rtt.unwrap_or(Duration::ZERO) / 4 * self.reo_wnd_mult;
        srtt.map_or(base, |s| base.min(s))
    }

    /// Remembers a retransmitted TSN.
    pub(crate) fn note_retransmission(&mut self, tsn: u32) {
        if !self.enabled {
            return;
        }
        self.recent_rtx[usize::from(self.recent_next)] = tsn;
        self.recent_next = (self.recent_next + 1) % RECENT_RTX as u8;
        self.recent_len = (self.recent_len + 1).min(RECENT_RTX as u8);
    }

    /// Looks at a SACK's duplicate TSN reports: a retransmission reported as a duplicate was
    /// spurious, so the reordering window widens (§6.2 step 4). Returns whether a tail loss
    /// probe retransmission turned out to have repaired a loss (§7.4.2).
    pub(crate) fn on_sack_reports(&mut self, duplicates: &[u32]) -> bool {
        if !self.enabled {
            return false;
        }
        let recent = &self.recent_rtx[..usize::from(self.recent_len)];
        if duplicates.iter().any(|d| recent.contains(d)) {
            self.reo_wnd_mult = (self.reo_wnd_mult + 1).min(MAX_REO_WND_MULT);
            self.reo_wnd_persist = REO_WND_PERSIST;
            // One step per episode: forget what was reported.
            self.recent_len = 0;
        }
        let Some((tsn, sent, acked)) = self.probe else {
            return false;
        };
        if duplicates.contains(&(tsn as u32)) {
            // Both copies arrived: the probe repaired nothing.
            self.probe = None;
            return false;
        }
        let Some(acked) = acked else {
            return false;
        };
        self.probe = None;
        // Acknowledged sooner than the probe's own SACK could come back: the original was
        // delivered. Otherwise the probe filled the hole.
        let min_rtt = self.min_rtt.unwrap_or(Duration::ZERO);
        acked.saturating_duration_since(sent) >= min_rtt * 3 / 4
    }

    /// A SACK acknowledged new data: the tail episode is over.
    pub(crate) fn sack_acked_new_data(&mut self) {
        self.probe_outstanding = false;
    }

    /// Fast recovery starts: after enough of them without spurious retransmissions the
    /// reordering window narrows back (§6.2 step 4).
    pub(crate) fn on_recovery(&mut self) {
        if self.reo_wnd_persist > 0 {
            self.reo_wnd_persist -= 1;
            if self.reo_wnd_persist == 0 {
                self.reo_wnd_mult = 1;
            }
        }
    }

    /// T3-rtx fired or everything was dropped: timers and probes start over.
    pub(crate) fn reset_timers(&mut self) {
        self.deadline = None;
        self.probe_outstanding = false;
        self.probe = None;
        self.probe_new_data = false;
        self.probe_rtx = false;
    }
}

impl Sender {
    /// RACK loss detection (§6.2 step 5): marks lost the chunks in flight sent before the
    /// most recently delivered one whose reordering allowance has run out, and sets the
    /// reordering timer for the earliest of the others. Returns how many were marked lost.
    pub(super) fn rack_detect_loss(&mut self, now: Instant, srtt: Option<Duration>) -> usize {
        self.rack.deadline = None;
        let Some((xmit_ts, xmit_tsn)) = self.rack.xmit else {
            return 0;
        };
        let wait = self.rack.rtt + self.rack.reo_wnd(srtt);
        let mut deadline: Option<Instant> = None;
        let mut lost = 0;
        for i in 0..self.outstanding.len() {
            let tsn = self.cum_ack + 1 + i as u64;
            let Some(c) = self.outstanding.get(i) else {
                break;
            };
            let before = c.sent_at < xmit_ts || (c.sent_at == xmit_ts && tsn < xmit_tsn);
            if !before {
                if c.transmissions == 1 {
                    // New chunks go out in TSN order: all later ones were sent later still.
                    break;
                }
                continue;
            }
            if c.state != SentState::InFlight {
                continue;
            }
            let due = c.sent_at + wait;
            if due <= now {
                self.mark_lost(i, now);
                lost += 1;
            } else {
                deadline = Some(deadline.map_or(due, |d| d.min(due)));
            }
        }
        self.rack.deadline = deadline;
        lost
    }

    /// Notes when the probe retransmission is acknowledged (cumulatively or in a gap block).
    pub(super) fn note_probe_delivery(&mut self, now: Instant) {
        let Some((tsn, _, None)) = self.rack.probe else {
            return;
        };
        let delivered = tsn <= self.cum_ack
            || self
                .index(tsn)
                .and_then(|i| self.outstanding.get(i))
                .map(|c| c.state)
                == Some(SentState::Acked);
        if delivered && let Some((_, _, acked)) = &mut self.rack.probe {
            *acked = Some(now);
        }
    }

    /// The reordering timer fired: look for losses again. Returns whether any were found.
    pub(crate) fn on_rack_timer(&mut self, now: Instant, srtt: Option<Duration>) -> bool {
        if self.rack.deadline.is_none_or(|d| d > now) {
            return false;
        }
        let lost = self.rack_detect_loss(now, srtt);
        if lost > 0 {
            self.enter_recovery(true);
        }
        lost > 0
    }

    /// Whether a tail loss probe may be scheduled now (§7.2): data in flight, not in
    /// recovery, no probe out already, nothing waiting for retransmission.
    pub(crate) fn tlp_allowed(&self) -> bool {
        self.rack.enabled
            && !self.outstanding.is_empty()
            && self.flight > 0
            && self.fast_recovery.is_none()
            && !self.rack.probe_outstanding
            && self.rtx.is_empty()
    }

    /// The probe timeout for the current flight (§7.2).
    pub(crate) fn pto(&self, srtt: Duration, peer_delayed_ack: Duration) -> Duration {
        let extra = if self.flight <= self.mtu && !self.rack.tail_immediate {
            // One packet in flight that did not ask for an immediate SACK: the peer may hold
            // its SACK for its delayed-SACK time.
            peer_delayed_ack
        } else {
            PTO_SLACK
        };
        (2 * srtt + extra).max(MIN_PTO)
    }

    /// The probe timer fired (§7.3): queue one probe. Returns whether there is one to send.
    pub(crate) fn on_tlp(&mut self, now: Instant) -> bool {
        if !self.tlp_allowed() {
            return false;
        }
        if self.queued_bytes > 0 && self.rwnd_allows() {
            self.rack.probe_outstanding = true;
            self.rack.probe_new_data = true;
            return true;
        }
        let Some(i) = (0..self.outstanding.len())
            .rev()
            .find(|&i| self.outstanding.get(i).map(|c| c.state) == Some(SentState::InFlight))
        else {
            return false;
        };
        let tsn = self.cum_ack + 1 + i as u64;
        let Some(c) = self.outstanding.get_mut(i) else {
            return false;
        };
        let out_of_rtx = c.max_rtx.is_some_and(|n| c.transmissions > n);
        let expired = c.expires.is_some_and(|e| e <= now);
        if self.partial_reliability && (out_of_rtx || expired) {
            // Probing would abandon a message that may well arrive: leave it to T3-rtx.
            return false;
        }
        c.state = SentState::Lost;
        let len = c.data.len();
        self.flight -= len;
        self.lost_bytes += len;
        self.rtx.insert(tsn);
        self.rack.probe_outstanding = true;
        self.rack.probe_rtx = true;
        self.rack.probe = Some((tsn, now, None));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Instant {
        #[allow(clippy::disallowed_methods)]
        Instant::now()
    }

    #[test]
    fn tracks_the_most_recently_sent_delivered_chunk() {
        let t0 = base();
        let ms = Duration::from_millis;
        let mut r = Rack::new(true);
        r.on_delivered(t0 + ms(10), 5, 1, t0 + ms(50));
        assert_eq!(r.xmit, Some((t0 + ms(10), 5)));
        assert_eq!((r.rtt, r.min_rtt), (ms(40), Some(ms(40))));
        // Sent earlier: RACK.xmit_ts does not go back.
        r.on_delivered(t0, 3, 1, t0 + ms(60));
        assert_eq!(r.xmit, Some((t0 + ms(10), 5)));
        // A retransmission acknowledged sooner than min_rtt after it went out is taken to be
        // acknowledged for its original: ignored.
        r.on_delivered(t0 + ms(55), 2, 2, t0 + ms(60));
        assert_eq!(r.xmit, Some((t0 + ms(10), 5)));
        r.on_delivered(t0 + ms(60), 2, 2, t0 + ms(110));
        assert_eq!(r.xmit, Some((t0 + ms(60), 2)));
        assert_eq!(
            r.min_rtt,
            Some(ms(40)),
            "retransmissions give no min_rtt sample"
        );
    }

    #[test]
    fn reordering_window_widens_on_spurious_retransmissions() {
        let t0 = base();
        let ms = Duration::from_millis;
        let mut r = Rack::new(true);
        r.on_delivered(t0, 1, 1, t0 + ms(40));
        assert_eq!(r.reo_wnd(Some(ms(50))), ms(10));
        r.note_retransmission(7);
        // A duplicate report of another TSN changes nothing.
        r.on_sack_reports(&[8]);
        assert_eq!(r.reo_wnd(Some(ms(50))), ms(10));
        r.on_sack_reports(&[7]);
        assert_eq!(r.reo_wnd(Some(ms(50))), ms(20));
        // Once per episode: the same report again does not widen it further.
        r.on_sack_reports(&[7]);
        assert_eq!(r.reo_wnd(Some(ms(50))), ms(20));
        // Capped at SRTT.
        assert_eq!(r.reo_wnd(Some(ms(15))), ms(15));
        // 16 recoveries without a spurious retransmission narrow it back.
        for _ in 0..REO_WND_PERSIST {
            r.on_recovery();
        }
        assert_eq!(r.reo_wnd(Some(ms(50))), ms(10));
    }

    #[test]
    fn probe_repair_is_told_from_a_late_original() {
        let t0 = base();
        let ms = Duration::from_millis;
        let mut r = Rack::new(true);
        r.on_delivered(t0, 1, 1, t0 + ms(40));
        // Acknowledged a round trip after the probe, no duplicate report: it repaired a loss.
        r.probe = Some((9, t0 + ms(100), Some(t0 + ms(140))));
        assert!(r.on_sack_reports(&[]));
        assert_eq!(r.probe, None);
        // Acknowledged at once after the probe: the original got there.
        r.probe = Some((9, t0 + ms(100), Some(t0 + ms(105))));
        assert!(!r.on_sack_reports(&[]));
        // Reported as a duplicate: both copies arrived.
        r.probe = Some((9, t0 + ms(100), Some(t0 + ms(140))));
        assert!(!r.on_sack_reports(&[9]));
        // Not acknowledged yet: nothing decided.
        r.probe = Some((9, t0 + ms(100), None));
        assert!(!r.on_sack_reports(&[]));
        assert!(r.probe.is_some());
    }
}
