//! Loss recovery and congestion control of the sending half: SACK processing (RFC 9260
//! §6.2.1) with gap ack blocks, miss indications and fast retransmit / fast recovery (§7.2.4),
//! T3-rtx expiry (§6.3.3, §7.2.3), the congestion window (slow start, congestion avoidance,
//! partial_bytes_acked; §7.2.1, §7.2.2), and partial reliability: abandoning messages over
//! their limits and moving the Advanced.Peer.Ack.Point for FORWARD-TSN (RFC 3758 §3.5).

use std::time::{Duration, Instant};

use crate::serial::unwrap_tsn;
use crate::wire::{ForwardTsnChunk, ForwardTsnStream, SackChunk};

use super::{FAST_RTX_MISSES, FLAG_BEGIN, FLAG_END, FLAG_UNORDERED, Sender, SentState};

/// What a SACK changed.
#[derive(Debug, Default)]
pub(crate) struct SackOutcome {
    /// The cumulative TSN ack point moved.
    pub(crate) cum_advanced: bool,
    /// A round-trip sample (Karn's rule applied).
    pub(crate) rtt: Option<Duration>,
}

impl Sender {
    /// Processes a SACK (RFC 9260 §6.2.1, §7.2). Returns `None` for a stale or bogus SACK.
    pub(crate) fn on_sack(&mut self, sack: &SackChunk, now: Instant) -> Option<SackOutcome> {
        let cum = unwrap_tsn(self.cum_ack, sack.cumulative_tsn_ack)?;
        if cum < self.cum_ack || cum >= self.next_tsn {
            return None;
        }
        let mut out = SackOutcome::default();
        let flight_before = self.flight;
        let mut acked_bytes = 0usize;
        let mut rtt_sample: Option<Instant> = None;
        let mut highest_newly_acked = None;
        // Cumulative acknowledgement.
        while self.cum_ack < cum {
            let Some(c) = self.outstanding.pop_front() else {
                break;
            };
            self.cum_ack += 1;
            match c.state {
                SentState::InFlight => {
                    self.flight -= c.data.len();
                    acked_bytes += c.data.len();
                    if c.transmissions == 1 {
                        rtt_sample = Some(c.sent_at);
                    }
                    highest_newly_acked = Some(self.cum_ack);
                }
                SentState::Lost => {
                    self.lost_bytes -= c.data.len();
                    self.rtx.remove(&self.cum_ack);
                    acked_bytes += c.data.len();
                    highest_newly_acked = Some(self.cum_ack);
                }
                SentState::Acked | SentState::Abandoned => {}
            }
            out.cum_advanced = true;
        }
        self.adv_ack = self.adv_ack.max(self.cum_ack);
        // Gap ack blocks.
        let mut highest_gap_idx = None;
        for g in &sack.gap_blocks {
            if g.start == 0 || g.end < g.start {
                continue;
            }
            let start = usize::from(g.start) - 1;
            let end = (usize::from(g.end) - 1).min(self.outstanding.len().saturating_sub(1));
            if start >= self.outstanding.len() {
                continue;
            }
            highest_gap_idx = Some(highest_gap_idx.unwrap_or(0).max(end));
            for i in start..=end {
                let Some(c) = self.outstanding.get_mut(i) else {
                    break;
                };
                match c.state {
                    SentState::InFlight => {
                        c.state = SentState::Acked;
                        self.flight -= c.data.len();
                        acked_bytes += c.data.len();
                        if c.transmissions == 1 {
                            rtt_sample = Some(rtt_sample.map_or(c.sent_at, |s| s.max(c.sent_at)));
                        }
                        highest_newly_acked = Some(self.cum_ack + 1 + i as u64);
                    }
                    SentState::Lost => {
                        c.state = SentState::Acked;
                        self.lost_bytes -= c.data.len();
                        self.rtx.remove(&(self.cum_ack + 1 + i as u64));
                        acked_bytes += c.data.len();
                        highest_newly_acked = Some(self.cum_ack + 1 + i as u64);
                    }
                    SentState::Acked | SentState::Abandoned => {}
                }
            }
        }
        // Receiver window (RFC 9260 §6.2.1 C).
        self.peer_rwnd = sack.a_rwnd as usize;
        out.rtt = rtt_sample.map(|t| now.saturating_duration_since(t));

        // Miss indications and fast retransmit (RFC 9260 §7.2.4, HTNA rule).
        let mut fast_rtx = false;
        if let (Some(last), Some(htna)) = (highest_gap_idx, highest_newly_acked) {
            let in_recovery_advance = self.fast_recovery.is_some() && out.cum_advanced;
            for i in 0..=last {
                let tsn = self.cum_ack + 1 + i as u64;
                let Some(c) = self.outstanding.get_mut(i) else {
                    break;
                };
                if c.state != SentState::InFlight || c.fast_retransmitted {
                    continue;
                }
                if tsn < htna || in_recovery_advance {
                    c.misses = c.misses.saturating_add(1);
                    if c.misses >= FAST_RTX_MISSES {
                        c.fast_retransmitted = true;
                        fast_rtx = true;
                        self.mark_lost(i, now);
                    }
                }
            }
        }

        // Congestion control (RFC 9260 §7.2.1, §7.2.2).
        if out.cum_advanced && self.fast_recovery.is_none() && acked_bytes > 0 {
            let fully_used = flight_before + self.mtu > self.cwnd;
            if self.cwnd <= self.ssthresh {
                if fully_used {
                    self.cwnd += acked_bytes.min(self.mtu);
                }
            } else {
                self.pba += acked_bytes;
                if self.pba >= self.cwnd && fully_used {
                    self.pba -= self.cwnd;
                    self.cwnd += self.mtu;
                }
            }
        }
        if let Some(exit) = self.fast_recovery
            && self.cum_ack >= exit
        {
            self.fast_recovery = None;
        }
        if fast_rtx && self.fast_recovery.is_none() {
            self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
            self.cwnd = self.ssthresh;
            self.pba = 0;
            self.fast_recovery = Some(self.next_tsn - 1);
            self.fast_rtx_now = true;
            self.fast_retransmits += 1;
        }
        if self.flight == 0 {
            self.pba = 0;
        }
        self.advance_peer_ack_point();
        Some(out)
    }

    /// Marks chunk `i` lost, or abandons its message if its limits are reached.
    fn mark_lost(&mut self, i: usize, now: Instant) {
        let Some(c) = self.outstanding.get_mut(i) else {
            return;
        };
        if c.state != SentState::InFlight {
            return;
        }
        let out_of_rtx = c.max_rtx.is_some_and(|n| c.transmissions > n);
        let expired = c.expires.is_some_and(|e| e <= now);
        if self.partial_reliability && (out_of_rtx || expired) {
            self.abandon(i);
            return;
        }
        c.state = SentState::Lost;
        let len = c.data.len();
        self.flight -= len;
        self.lost_bytes += len;
        self.rtx.insert(self.cum_ack + 1 + i as u64);
    }

    /// Abandons the whole message chunk `i` belongs to (RFC 3758 §3.5 A1-A3).
    pub(super) fn abandon(&mut self, i: usize) {
        let Some(c) = self.outstanding.get(i) else {
            return;
        };
        let mut first = i;
        while self.outstanding[first].flags & FLAG_BEGIN == 0 && first > 0 {
            match self.outstanding.get(first - 1) {
                Some(p) if p.same_message(c) => first -= 1,
                _ => break,
            }
        }
        let mut last = i;
        while self.outstanding[last].flags & FLAG_END == 0 {
            match self.outstanding.get(last + 1) {
                Some(n) if n.same_message(c) => last += 1,
                _ => break,
            }
        }
        let ends = self.outstanding[last].flags & FLAG_END != 0;
        let stream_id = c.stream_id;
        for j in first..=last {
            let tsn = self.cum_ack + 1 + j as u64;
            let c = &mut self.outstanding[j];
            match c.state {
                SentState::InFlight => self.flight -= c.data.len(),
                SentState::Lost => {
                    self.lost_bytes -= c.data.len();
                    self.rtx.remove(&tsn);
                }
                SentState::Acked | SentState::Abandoned => {}
            }
            c.state = SentState::Abandoned;
        }
        if !ends {
            // The rest of the message was never sent: drop it from the queue.
            self.drop_unsent_rest(stream_id);
        }
        self.advance_peer_ack_point();
    }

    /// RFC 3758 §3.5 C1-C2: move the Advanced.Peer.Ack.Point over abandoned chunks.
    ///
    /// It also moves over chunks the peer already gap-acknowledged: the receiver holds those,
    /// so skipping them is harmless, and one FORWARD-TSN then clears a whole stretch of
    /// interleaved abandoned and received chunks instead of one round trip per abandoned chunk.
    fn advance_peer_ack_point(&mut self) {
        let start = self.adv_ack.max(self.cum_ack);
        let mut tsn = start;
        let mut adv = start;
        while let Some(c) = self.index(tsn + 1).and_then(|i| self.outstanding.get(i)) {
            match c.state {
                SentState::Abandoned => adv = tsn + 1,
                SentState::Acked => {}
                SentState::InFlight | SentState::Lost => break,
            }
            tsn += 1;
        }
        self.adv_ack = adv;
        if self.adv_ack > self.cum_ack {
            self.forward_tsn_needed = true;
        }
    }

    /// The FORWARD-TSN to send, if the Advanced.Peer.Ack.Point is ahead of the cumulative ack.
    pub(crate) fn make_forward_tsn(&mut self) -> Option<ForwardTsnChunk> {
        self.forward_tsn_needed = false;
        if self.adv_ack <= self.cum_ack {
            return None;
        }
        let n = (self.adv_ack - self.cum_ack) as usize;
        let mut streams: Vec<ForwardTsnStream> = Vec::new();
        for c in self.outstanding.iter().take(n) {
            if c.flags & FLAG_UNORDERED != 0 || c.state != SentState::Abandoned {
                continue;
            }
            match streams.iter_mut().find(|s| s.stream_id == c.stream_id) {
                Some(s) => s.ssn = c.ssn,
                None => streams.push(ForwardTsnStream {
                    stream_id: c.stream_id,
                    ssn: c.ssn,
                }),
            }
        }
        Some(ForwardTsnChunk {
            new_cumulative_tsn: self.adv_ack as u32,
            streams,
        })
    }

    /// T3-rtx expiry (RFC 9260 §6.3.3 E1-E3, §7.2.3): everything in flight is lost.
    pub(crate) fn on_t3_expiry(&mut self, now: Instant) {
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.mtu;
        self.pba = 0;
        self.fast_recovery = None;
        for i in 0..self.outstanding.len() {
            self.mark_lost(i, now);
        }
        if self.adv_ack > self.cum_ack {
            self.forward_tsn_needed = true;
        }
    }
}
