//! The sending half of an association: per-stream queues with round-robin scheduling and
//! fragmentation to the path MTU (RFC 9260 §6.9), TSN assignment, outstanding data and its
//! acknowledgement by SACK (§6.2.1), fast retransmit and fast recovery (§7.2.4), T3-rtx
//! retransmission (§6.3.3), congestion control (slow start, congestion avoidance,
//! partial_bytes_acked; §7.2), the peer's receiver window (§6.1), partial reliability with the
//! Advanced.Peer.Ack.Point and FORWARD-TSN (RFC 3758 §3.5), and the W3C `bufferedAmount`
//! bookkeeping per stream.

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::hash::StreamMap;
use crate::serial::unwrap_tsn;
use crate::wire::{ForwardTsnChunk, ForwardTsnStream, PacketWriter, SackChunk};

use super::SendError;

/// How hard the association tries to deliver a message (RFC 3758; W3C `maxRetransmits` and
/// `maxPacketLifeTime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reliability {
    /// Retransmit until acknowledged.
    #[default]
    Reliable,
    /// Give up after this many retransmissions (0: sent once).
    MaxRetransmits(u16),
    /// Give up once this much time has passed since the message was queued.
    MaxLifetime(Duration),
}

const FLAG_END: u8 = 0x01;
const FLAG_BEGIN: u8 = 0x02;
const FLAG_UNORDERED: u8 = 0x04;
/// DATA chunk header size.
const DATA_HEADER: usize = 16;
/// Smallest fragment worth starting at the end of a packet that is already partly full.
const MIN_FRAGMENT: usize = 256;
/// Miss indications that trigger a fast retransmit (RFC 9260 §7.2.4).
const FAST_RTX_MISSES: u8 = 3;

#[derive(Debug)]
struct OutMessage {
    ppid: u32,
    data: Bytes,
    offset: usize,
    unordered: bool,
    ssn: u16,
    max_rtx: Option<u16>,
    expires: Option<Instant>,
    /// Whether its bytes count in the stream's buffered amount (not for DCEP control
    /// messages or the placeholder byte of an empty message).
    counted: bool,
}

#[derive(Debug, Default)]
struct OutStream {
    queue: VecDeque<OutMessage>,
    next_ssn: u16,
    buffered: usize,
    low_threshold: usize,
    scheduled: bool,
    /// A reset was asked for: no new messages, drain what is queued.
    closing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SentState {
    InFlight,
    Lost,
    Acked,
    Abandoned,
}

#[derive(Debug)]
struct Sent {
    stream_id: u16,
    ssn: u16,
    ppid: u32,
    flags: u8,
    data: Bytes,
    sent_at: Instant,
    transmissions: u16,
    state: SentState,
    misses: u8,
    fast_retransmitted: bool,
    max_rtx: Option<u16>,
    expires: Option<Instant>,
}

impl Sent {
    fn same_message(&self, other: &Sent) -> bool {
        self.stream_id == other.stream_id
            && self.ssn == other.ssn
            && (self.flags & FLAG_UNORDERED) == (other.flags & FLAG_UNORDERED)
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

/// The send side state of an association.
#[derive(Debug)]
pub(crate) struct Sender {
    streams: StreamMap<OutStream>,
    active: VecDeque<u16>,
    queued_bytes: usize,
    max_send_buffer: usize,
    max_message_size: usize,
    /// Next TSN to assign (unwrapped).
    next_tsn: u64,
    /// Cumulative TSN ack point (unwrapped).
    cum_ack: u64,
    /// Advanced.Peer.Ack.Point (RFC 3758).
    adv_ack: u64,
    /// Chunks after `cum_ack`, in TSN order: `outstanding[i]` has TSN `cum_ack + 1 + i`.
    outstanding: VecDeque<Sent>,
    rtx: BTreeSet<u64>,
    flight: usize,
    lost_bytes: usize,
    peer_rwnd: usize,
    pub(crate) cwnd: usize,
    pub(crate) ssthresh: usize,
    pba: usize,
    mtu: usize,
    fast_recovery: Option<u64>,
    fast_rtx_now: bool,
    pub(crate) forward_tsn_needed: bool,
    /// Streams whose buffered amount fell to their threshold.
    pub(crate) low_events: Vec<u16>,
    /// Data sent since the last heartbeat check (the path is not idle).
    pub(crate) data_sent: bool,
    /// DATA chunks retransmitted so far.
    pub(crate) retransmissions: u64,
    /// Fast retransmit events so far.
    pub(crate) fast_retransmits: u64,
    /// The peer supports FORWARD-TSN: messages may be abandoned. Without it every message is
    /// retransmitted until acknowledged, whatever its reliability asked for.
    pub(crate) partial_reliability: bool,
}

impl Sender {
    pub(crate) fn new(
        initial_tsn: u32,
        mtu: usize,
        max_message_size: usize,
        max_send_buffer: usize,
    ) -> Self {
        let next_tsn = (1u64 << 40) + u64::from(initial_tsn);
        Sender {
            streams: StreamMap::default(),
            active: VecDeque::new(),
            queued_bytes: 0,
            max_send_buffer,
            max_message_size,
            next_tsn,
            cum_ack: next_tsn - 1,
            adv_ack: next_tsn - 1,
            outstanding: VecDeque::new(),
            rtx: BTreeSet::new(),
            flight: 0,
            lost_bytes: 0,
            peer_rwnd: 0,
            // RFC 9260 §7.2.1: min(4*MTU, max(2*MTU, 4380)).
            cwnd: (4 * mtu).min((2 * mtu).max(4380)),
            ssthresh: usize::MAX,
            pba: 0,
            mtu,
            fast_recovery: None,
            fast_rtx_now: false,
            forward_tsn_needed: false,
            low_events: Vec::new(),
            data_sent: false,
            retransmissions: 0,
            fast_retransmits: 0,
            partial_reliability: true,
        }
    }

    /// Sets the peer's initial receiver window (and ssthresh from it, RFC 9260 §7.2.1).
    pub(crate) fn set_peer_rwnd(&mut self, a_rwnd: u32) {
        self.peer_rwnd = a_rwnd as usize;
        self.ssthresh = a_rwnd as usize;
    }

    /// The peer's last advertised receiver window.
    pub(crate) fn peer_rwnd(&self) -> u32 {
        self.peer_rwnd.min(u32::MAX as usize) as u32
    }

    /// Queues a message.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn enqueue(
        &mut self,
        stream_id: u16,
        ppid: u32,
        data: Bytes,
        unordered: bool,
        reliability: Reliability,
        now: Instant,
        counted: bool,
    ) -> Result<(), SendError> {
        if data.is_empty() {
            return Err(SendError::EmptyMessage);
        }
        if data.len() > self.max_message_size {
            return Err(SendError::MessageTooLarge {
                size: data.len(),
                max: self.max_message_size,
            });
        }
        if self.queued_bytes + data.len() > self.max_send_buffer {
            return Err(SendError::BufferFull);
        }
        let stream = self.streams.entry(stream_id).or_default();
        if stream.closing {
            return Err(SendError::StreamClosing(stream_id));
        }
        let (max_rtx, expires) = match reliability {
            Reliability::Reliable => (None, None),
            Reliability::MaxRetransmits(n) => (Some(n), None),
            Reliability::MaxLifetime(d) => (None, Some(now + d)),
        };
        self.queued_bytes += data.len();
        if counted {
            stream.buffered += data.len();
        }
        stream.queue.push_back(OutMessage {
            ppid,
            data,
            offset: 0,
            unordered,
            ssn: 0,
            max_rtx,
            expires,
            counted,
        });
        if !stream.scheduled {
            stream.scheduled = true;
            self.active.push_back(stream_id);
        }
        Ok(())
    }

    /// Bytes queued on a stream and not yet sent once (W3C `bufferedAmount`).
    pub(crate) fn buffered_amount(&self, stream_id: u16) -> usize {
        self.streams.get(&stream_id).map_or(0, |s| s.buffered)
    }

    /// Sets a stream's `bufferedAmountLowThreshold`.
    pub(crate) fn set_low_threshold(&mut self, stream_id: u16, threshold: usize) {
        self.streams.entry(stream_id).or_default().low_threshold = threshold;
    }

    /// Marks streams as closing: they refuse new messages and drain.
    pub(crate) fn close_streams(&mut self, streams: &[u16]) {
        for id in streams {
            self.streams.entry(*id).or_default().closing = true;
        }
    }

    /// Whether a closing stream has nothing left to hand to the network.
    pub(crate) fn stream_drained(&self, stream_id: u16) -> bool {
        self.streams
            .get(&stream_id)
            .is_none_or(|s| s.queue.is_empty())
    }

    /// After a successful outgoing reset: SSNs restart at 0 and the stream is usable again.
    pub(crate) fn reset_streams(&mut self, streams: &[u16]) {
        for id in streams {
            if let Some(s) = self.streams.get_mut(id) {
                s.next_ssn = 0;
                s.closing = false;
                if s.queue.is_empty() && s.low_threshold == 0 {
                    self.streams.remove(id);
                }
            }
        }
    }

    /// After a failed reset: the stream takes messages again.
    pub(crate) fn reopen_streams(&mut self, streams: &[u16]) {
        for id in streams {
            if let Some(s) = self.streams.get_mut(id) {
                s.closing = false;
            }
        }
    }

    /// The last TSN assigned, as on the wire.
    pub(crate) fn last_assigned_tsn(&self) -> u32 {
        (self.next_tsn - 1) as u32
    }

    /// Whether any DATA awaits acknowledgement.
    pub(crate) fn has_outstanding(&self) -> bool {
        !self.outstanding.is_empty()
    }

    /// Whether DATA is still queued or unacknowledged (SHUTDOWN waits for this to be false).
    pub(crate) fn has_pending(&self) -> bool {
        self.has_outstanding() || self.queued_bytes > 0
    }

    /// Whether `write_data` could put anything into a packet now.
    pub(crate) fn wants_to_send(&self) -> bool {
        if !self.rtx.is_empty() && (self.flight < self.cwnd || self.fast_rtx_now) {
            return true;
        }
        self.queued_bytes > 0 && self.flight < self.cwnd && self.rwnd_allows()
    }

    fn rwnd_allows(&self) -> bool {
        let outstanding = self.flight + self.lost_bytes;
        self.peer_rwnd > outstanding || outstanding == 0
    }

    fn index(&self, tsn: u64) -> Option<usize> {
        usize::try_from(tsn.checked_sub(self.cum_ack + 1)?).ok()
    }

    fn buffered_dec(&mut self, stream_id: u16, n: usize, counted: bool) {
        self.queued_bytes = self.queued_bytes.saturating_sub(n);
        if !counted {
            return;
        }
        if let Some(s) = self.streams.get_mut(&stream_id) {
            let before = s.buffered;
            s.buffered = s.buffered.saturating_sub(n);
            if before > s.low_threshold && s.buffered <= s.low_threshold {
                self.low_events.push(stream_id);
            }
        }
    }

    /// Appends retransmissions and then new DATA chunks to `w` while the congestion window,
    /// the peer's window and the packet allow. Returns whether any chunk was written.
    pub(crate) fn write_data(&mut self, w: &mut PacketWriter<'_>, now: Instant) -> bool {
        let mut wrote = false;
        // Retransmissions first, in TSN order.
        while let Some(&tsn) = self.rtx.first() {
            if self.flight >= self.cwnd && !self.fast_rtx_now {
                break;
            }
            let Some(i) = self.index(tsn) else {
                self.rtx.remove(&tsn);
                continue;
            };
            let Some(c) = self.outstanding.get(i) else {
                self.rtx.remove(&tsn);
                continue;
            };
            if c.state != SentState::Lost {
                self.rtx.remove(&tsn);
                continue;
            }
            if self.partial_reliability && c.expires.is_some_and(|e| e <= now) {
                self.abandon(i);
                continue;
            }
            let need = DATA_HEADER + c.data.len() + crate::wire::pad4(c.data.len());
            if need > w.remaining() {
                break;
            }
            w.push_data(tsn as u32, c.stream_id, c.ssn, c.ppid, c.flags, &c.data);
            let len = c.data.len();
            if let Some(c) = self.outstanding.get_mut(i) {
                c.state = SentState::InFlight;
                c.transmissions = c.transmissions.saturating_add(1);
                c.sent_at = now;
                c.misses = 0;
            }
            self.rtx.remove(&tsn);
            self.retransmissions += 1;
            self.lost_bytes = self.lost_bytes.saturating_sub(len);
            self.flight += len;
            wrote = true;
        }
        self.fast_rtx_now = false;
        if !self.rtx.is_empty() {
            // Retransmissions wait for room; new data must not overtake them.
            self.data_sent |= wrote;
            return wrote;
        }
        // New data.
        while self.flight < self.cwnd && self.rwnd_allows() {
            let room = w.remaining();
            if room < DATA_HEADER + 4 {
                break;
            }
            let max_payload = (room - DATA_HEADER) & !3;
            let Some(frag) = self.next_fragment(max_payload, !w.is_empty() || wrote, now) else {
                break;
            };
            let tsn = self.next_tsn;
            self.next_tsn += 1;
            w.push_data(
                tsn as u32,
                frag.stream_id,
                frag.ssn,
                frag.ppid,
                frag.flags,
                &frag.data,
            );
            self.flight += frag.data.len();
            self.outstanding.push_back(Sent {
                stream_id: frag.stream_id,
                ssn: frag.ssn,
                ppid: frag.ppid,
                flags: frag.flags,
                data: frag.data,
                sent_at: now,
                transmissions: 1,
                state: SentState::InFlight,
                misses: 0,
                fast_retransmitted: false,
                max_rtx: frag.max_rtx,
                expires: frag.expires,
            });
            wrote = true;
        }
        self.data_sent |= wrote;
        wrote
    }

    fn next_fragment(
        &mut self,
        max_payload: usize,
        partly_full: bool,
        now: Instant,
    ) -> Option<Frag> {
        loop {
            let &sid = self.active.front()?;
            let Some(stream) = self.streams.get_mut(&sid) else {
                self.active.pop_front();
                continue;
            };
            let Some(msg) = stream.queue.front_mut() else {
                stream.scheduled = false;
                self.active.pop_front();
                continue;
            };
            if msg.offset == 0 && self.partial_reliability && msg.expires.is_some_and(|e| e <= now)
            {
                // Expired before any of it was sent: drop it quietly (no TSN, no SSN).
                let (len, counted) = (msg.data.len(), msg.counted);
                stream.queue.pop_front();
                self.buffered_dec(sid, len, counted);
                continue;
            }
            let rest = msg.data.len() - msg.offset;
            if rest > max_payload && partly_full && max_payload < MIN_FRAGMENT {
                return None;
            }
            if max_payload == 0 {
                return None;
            }
            let take = rest.min(max_payload);
            let begin = msg.offset == 0;
            if begin && !msg.unordered {
                msg.ssn = stream.next_ssn;
                stream.next_ssn = stream.next_ssn.wrapping_add(1);
            }
            let data = msg.data.slice(msg.offset..msg.offset + take);
            msg.offset += take;
            let end = msg.offset == msg.data.len();
            let flags = (if begin { FLAG_BEGIN } else { 0 })
                | (if end { FLAG_END } else { 0 })
                | (if msg.unordered { FLAG_UNORDERED } else { 0 });
            let counted = msg.counted;
            let frag = Frag {
                stream_id: sid,
                ssn: if msg.unordered { 0 } else { msg.ssn },
                ppid: msg.ppid,
                flags,
                data,
                max_rtx: msg.max_rtx,
                expires: msg.expires,
            };
            if end {
                stream.queue.pop_front();
                self.active.pop_front();
                if stream.queue.is_empty() {
                    stream.scheduled = false;
                } else {
                    self.active.push_back(sid);
                }
            }
            self.buffered_dec(sid, take, counted);
            return Some(frag);
        }
    }

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
    fn abandon(&mut self, i: usize) {
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
            let rest = self.streams.get_mut(&stream_id).and_then(|s| {
                let m = s.queue.front()?;
                if m.offset == 0 {
                    return None;
                }
                let rest = (m.data.len() - m.offset, m.counted);
                s.queue.pop_front();
                Some(rest)
            });
            if let Some((rest, counted)) = rest {
                self.buffered_dec(stream_id, rest, counted);
                if let Some(s) = self.streams.get_mut(&stream_id)
                    && s.scheduled
                    && self.active.front() == Some(&stream_id)
                {
                    self.active.pop_front();
                    if s.queue.is_empty() {
                        s.scheduled = false;
                    } else {
                        self.active.push_back(stream_id);
                    }
                }
            }
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

    /// On an idle path (RFC 9260 §7.2.1): cwnd shrinks back towards its initial value.
    pub(crate) fn on_idle(&mut self) {
        self.cwnd = (self.cwnd / 2).max(4 * self.mtu);
    }

    /// Drops everything (abort, restart).
    pub(crate) fn clear(&mut self) {
        self.outstanding.clear();
        self.rtx.clear();
        self.active.clear();
        self.streams.clear();
        self.queued_bytes = 0;
        self.flight = 0;
        self.lost_bytes = 0;
    }
}

struct Frag {
    stream_id: u16,
    ssn: u16,
    ppid: u32,
    flags: u8,
    data: Bytes,
    max_rtx: Option<u16>,
    expires: Option<Instant>,
}
