//! Loss recovery and congestion control of the sending half: SACK processing (RFC 9260
//! §6.2.1) with gap ack blocks; loss detection either by time (RACK, RFC 8985 §6, see
//! `rack`) or, with RACK off, by miss indications (§7.2.4, HTNA rule); fast retransmit and
//! fast recovery (§7.2.4); T3-rtx expiry (§6.3.3, §7.2.3); the congestion window (slow start,
//! congestion avoidance, partial_bytes_acked; §7.2.1, §7.2.2); and partial reliability:
//! abandoning messages over their limits and moving the Advanced.Peer.Ack.Point for
//! FORWARD-TSN (RFC 3758 §3.5) or I-FORWARD-TSN (RFC 8260 §2.3).

use std::time::{Duration, Instant};

use crate::serial::unwrap_tsn;
use crate::wire::{
    Chunk, ForwardTsnChunk, ForwardTsnStream, IForwardTsnChunk, IForwardTsnStream, SackChunk,
};

use super::{FAST_RTX_MISSES, FLAG_BEGIN, FLAG_END, FLAG_UNORDERED, Sender, SentState};

/// The most recently sent chunks a SACK delivers.
#[derive(Debug, Default)]
struct Newest {
    /// (send time, TSN, transmissions) of the most recently sent one.
    any: Option<(Instant, u64, u16)>,
    /// The same among chunks sent only once.
    first_transmission: Option<(Instant, u64, u16)>,
    /// The highest TSN delivered among chunks sent once (they went out in TSN order, so it
    /// is also the most recently sent of them), folded in by `finish`.
    last_first: Option<(Instant, u64)>,
}

impl Newest {
    /// Notes a delivered chunk (normally in increasing TSN order). Chunks sent once cost a
    /// TSN comparison (the highest wins), retransmitted ones a full comparison.
    #[inline]
    fn note_in_order(&mut self, sent_at: Instant, tsn: u64, transmissions: u16) {
        if transmissions == 1 {
            if self.last_first.is_none_or(|(_, t)| tsn > t) {
                self.last_first = Some((sent_at, tsn));
            }
        } else {
            self.note(sent_at, tsn, transmissions);
        }
    }

    /// Folds in the newest chunk sent once.
    fn finish(&mut self) {
        if let Some((sent_at, tsn)) = self.last_first.take() {
            self.note(sent_at, tsn, 1);
        }
    }

    fn note(&mut self, sent_at: Instant, tsn: u64, transmissions: u16) {
        let later = |n: &Option<(Instant, u64, u16)>| {
            n.is_none_or(|(t, s, _)| sent_at > t || (sent_at == t && tsn > s))
        };
        if later(&self.any) {
            self.any = Some((sent_at, tsn, transmissions));
        }
        if transmissions == 1 && later(&self.first_transmission) {
            self.first_transmission = Some((sent_at, tsn, transmissions));
        }
    }
}

/// What a SACK changed.
#[derive(Debug, Default)]
pub(crate) struct SackOutcome {
    /// The cumulative TSN ack point moved.
    pub(crate) cum_advanced: bool,
    /// A round-trip sample (Karn's rule applied).
    pub(crate) rtt: Option<Duration>,
}

impl Sender {
    /// Processes a SACK (RFC 9260 §6.2.1, §7.2). `srtt` is the association's smoothed RTT,
    /// which caps RACK's reordering window. Returns `None` for a stale or bogus SACK.
    pub(crate) fn on_sack(
        &mut self,
        sack: &SackChunk,
        now: Instant,
        srtt: Option<Duration>,
    ) -> Option<SackOutcome> {
        let cum = unwrap_tsn(self.cum_ack, sack.cumulative_tsn_ack)?;
        if cum < self.cum_ack || cum >= self.next_tsn {
            return None;
        }
        let mut out = SackOutcome::default();
        let flight_before = self.flight;
        let mut acked_bytes = 0usize;
        let mut rtt_sample: Option<Instant> = None;
        let mut highest_newly_acked = None;
        // The most recently sent chunk this SACK delivers, and the most recent one sent only
        // once, for RACK (looked at once per SACK, not per chunk).
        let mut newest = Newest::default();
        // Cumulative acknowledgement.
        while self.cum_ack < cum {
            let Some(c) = self.outstanding.pop_front() else {
                break;
            };
            self.cum_ack += 1;
            match c.state {
                SentState::InFlight | SentState::Lost => {
                    if c.state == SentState::InFlight {
                        self.flight -= c.data.len();
                        if c.transmissions == 1 {
                            rtt_sample = Some(c.sent_at);
                        }
                    } else {
                        self.lost_bytes -= c.data.len();
                        self.rtx.remove(&self.cum_ack);
                    }
                    newest.note_in_order(c.sent_at, self.cum_ack, c.transmissions);
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
                let tsn = self.cum_ack + 1 + i as u64;
                match c.state {
                    SentState::InFlight | SentState::Lost => {
                        if c.state == SentState::InFlight {
                            self.flight -= c.data.len();
                            if c.transmissions == 1 {
                                rtt_sample =
                                    Some(rtt_sample.map_or(c.sent_at, |s| s.max(c.sent_at)));
                            }
                        } else {
                            self.lost_bytes -= c.data.len();
                            self.rtx.remove(&tsn);
                        }
                        c.state = SentState::Acked;
                        newest.note_in_order(c.sent_at, tsn, c.transmissions);
                        acked_bytes += c.data.len();
                        highest_newly_acked = Some(tsn);
                    }
                    SentState::Acked | SentState::Abandoned => {}
                }
            }
        }
        // Receiver window (RFC 9260 §6.2.1 C).
        self.peer_rwnd = sack.a_rwnd as usize;
        out.rtt = rtt_sample.map(|t| now.saturating_duration_since(t));
        if self.rack.enabled {
            newest.finish();
            if let Some((sent_at, tsn, transmissions)) = newest.any {
                self.rack.on_delivered(sent_at, tsn, transmissions, now);
            }
            if let Some((sent_at, tsn, _)) = newest.first_transmission
                && newest.any.is_some_and(|(_, t, n)| t != tsn && n > 1)
            {
                // The newest was a retransmission (maybe acknowledged for its original):
                // the newest chunk sent once is a sure sample.
                self.rack.on_delivered(sent_at, tsn, 1, now);
            }
            self.note_probe_delivery(now);
        }
        // Duplicate reports of retransmitted TSNs: the retransmission was spurious.
        let tlp_repaired = self.rack.on_sack_reports(&sack.duplicate_tsns);
        if highest_newly_acked.is_some() {
            self.rack.sack_acked_new_data();
        }

        // Loss detection: by time (RACK) or by miss indications (RFC 9260 §7.2.4).
        let lost = if self.rack.enabled {
            self.rack_detect_loss(now, srtt)
        } else {
            self.detect_by_misses(highest_gap_idx, highest_newly_acked, out.cum_advanced, now)
        };

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
        if lost > 0 {
            self.enter_recovery(true);
        } else if tlp_repaired {
            // A tail loss probe repaired a loss: that is congestion too (RFC 8985 §7.4.2).
            self.enter_recovery(false);
        }
        if self.flight == 0 {
            self.pba = 0;
        }
        self.advance_peer_ack_point();
        Some(out)
    }

    /// Starts fast recovery (RFC 9260 §7.2.4: ssthresh and cwnd halve once per window of
    /// data); `retransmit` (a fast retransmission) lets the first retransmission go out
    /// regardless of cwnd.
    pub(super) fn enter_recovery(&mut self, retransmit: bool) {
        if self.fast_recovery.is_some() {
            return;
        }
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.ssthresh;
        self.pba = 0;
        self.fast_recovery = Some(self.next_tsn - 1);
        self.fast_rtx_now = retransmit;
        if retransmit {
            self.fast_retransmits += 1;
        }
        self.rack.on_recovery();
    }

    /// The RFC 9260 §7.2.4 rule (with the HTNA refinement): a chunk missed by three SACKs
    /// reporting later chunks is lost, and is fast-retransmitted at most once. Returns how
    /// many chunks were marked lost.
    fn detect_by_misses(
        &mut self,
        highest_gap_idx: Option<usize>,
        highest_newly_acked: Option<u64>,
        cum_advanced: bool,
        now: Instant,
    ) -> usize {
        let (Some(last), Some(htna)) = (highest_gap_idx, highest_newly_acked) else {
            return 0;
        };
        let in_recovery_advance = self.fast_recovery.is_some() && cum_advanced;
        let mut lost = 0;
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
                    lost += 1;
                    self.mark_lost(i, now);
                }
            }
        }
        lost
    }

    /// Marks chunk `i` lost, or abandons its message if its limits are reached.
    pub(super) fn mark_lost(&mut self, i: usize, now: Instant) {
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
        let (first, last) = if self.interleaved {
            // Fragments of different messages interleave: the message's fragments may be
            // anywhere among the outstanding chunks.
            (0, self.outstanding.len() - 1)
        } else {
            // DATA: the fragments of a message have consecutive TSNs.
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
            (first, last)
        };
        let (stream_id, mid, unordered) = (c.stream_id, c.mid, c.flags & FLAG_UNORDERED != 0);
        let mut ends = false;
        for j in first..=last {
            let tsn = self.cum_ack + 1 + j as u64;
            let Some(c) = self.outstanding.get_mut(j) else {
                break;
            };
            if c.stream_id != stream_id
                || c.mid != mid
                || (c.flags & FLAG_UNORDERED != 0) != unordered
            {
                continue;
            }
            ends |= c.flags & FLAG_END != 0;
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
            self.drop_unsent_rest(stream_id, mid, unordered);
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

    /// The FORWARD-TSN (or, with I-DATA, I-FORWARD-TSN) to send, if the
    /// Advanced.Peer.Ack.Point is ahead of the cumulative ack.
    pub(crate) fn make_forward_tsn(&mut self) -> Option<Chunk> {
        self.forward_tsn_needed = false;
        if self.adv_ack <= self.cum_ack {
            return None;
        }
        let n = (self.adv_ack - self.cum_ack) as usize;
        let abandoned = self
            .outstanding
            .iter()
            .take(n)
            .filter(|c| c.state == SentState::Abandoned);
        let new_cumulative_tsn = self.adv_ack as u32;
        if self.interleaved {
            // RFC 8260 §2.3.1: the largest abandoned MID per stream and ordering kind.
            let mut streams: Vec<IForwardTsnStream> = Vec::new();
            for c in abandoned {
                let unordered = c.flags & FLAG_UNORDERED != 0;
                match streams
                    .iter_mut()
                    .find(|s| s.stream_id == c.stream_id && s.unordered == unordered)
                {
                    Some(s) => {
                        if (c.mid.wrapping_sub(s.mid) as i32) > 0 {
                            s.mid = c.mid;
                        }
                    }
                    None => streams.push(IForwardTsnStream {
                        stream_id: c.stream_id,
                        unordered,
                        mid: c.mid,
                    }),
                }
            }
            return Some(Chunk::IForwardTsn(IForwardTsnChunk {
                new_cumulative_tsn,
                streams,
            }));
        }
        let mut streams: Vec<ForwardTsnStream> = Vec::new();
        for c in abandoned {
            if c.flags & FLAG_UNORDERED != 0 {
                continue;
            }
            let ssn = c.mid as u16;
            match streams.iter_mut().find(|s| s.stream_id == c.stream_id) {
                Some(s) => s.ssn = ssn,
                None => streams.push(ForwardTsnStream {
                    stream_id: c.stream_id,
                    ssn,
                }),
            }
        }
        Some(Chunk::ForwardTsn(ForwardTsnChunk {
            new_cumulative_tsn,
            streams,
        }))
    }

    /// T3-rtx expiry (RFC 9260 §6.3.3 E1-E3, §7.2.3): everything in flight is lost.
    pub(crate) fn on_t3_expiry(&mut self, now: Instant) {
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.mtu;
        self.pba = 0;
        self.fast_recovery = None;
        self.rack.reset_timers();
        for i in 0..self.outstanding.len() {
            self.mark_lost(i, now);
        }
        if self.adv_ack > self.cum_ack {
            self.forward_tsn_needed = true;
        }
    }
}
