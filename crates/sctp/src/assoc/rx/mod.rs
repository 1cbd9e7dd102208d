//! The receiving half of an association: which TSNs arrived (cumulative TSN, gap ack blocks,
//! duplicates; RFC 9260 §6.2, §6.7), when to acknowledge them (delayed SACK, RFC 9260 §6.2;
//! at once when a gap opens or closes), reassembly of fragmented messages (§6.9), ordered
//! delivery per stream (§6.6), skipping abandoned data on FORWARD-TSN (RFC 3758 §3.6) or
//! I-FORWARD-TSN (RFC 8260 §2.3.2) and resetting incoming streams (RFC 6525 §5.2.2).
//!
//! * `runs`: DATA reassembly, by runs of consecutive TSNs (the fragments of a DATA message
//!   are consecutive).
//! * `interleaved`: I-DATA reassembly, by stream, ordering kind and MID, fragments put in
//!   place by FSN (RFC 8260 §2.1), since messages of different streams interleave.

mod interleaved;
mod runs;

use std::collections::BTreeMap;

use crate::hash::StreamMap;

use bytes::Bytes;

use crate::serial::{unwrap_ssn, unwrap_tsn};
use crate::wire::{
    DataChunk, ForwardTsnChunk, GapAckBlock, IDataChunk, IForwardTsnChunk, SackChunk,
};

/// A message received whole, ready for the upper layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The stream it arrived on.
    pub stream_id: u16,
    /// Its payload protocol identifier.
    pub ppid: u32,
    /// Whether it was sent unordered.
    pub unordered: bool,
    /// The payload.
    pub data: Bytes,
}

/// Most duplicate TSNs reported in one SACK.
const MAX_DUP_REPORTS: usize = 32;
/// Most gap ack blocks reported in one SACK (keeps the SACK well within one packet).
const MAX_GAP_BLOCKS: usize = 64;
/// TSNs further than this ahead of the cumulative TSN are dropped as bogus.
const MAX_TSN_AHEAD: u64 = 1 << 22;

/// What happened to an incoming DATA or I-DATA chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataOutcome {
    /// New data, accepted.
    Accepted,
    /// Already received.
    Duplicate,
    /// Dropped: no room or out of window.
    Dropped,
    /// Accepted, but the message it belongs to grew past the maximum message size.
    TooLarge,
}

#[derive(Debug, Default)]
struct InStream {
    /// Next SSN (DATA) or MID (I-DATA) to deliver, unwrapped.
    next: u64,
    /// Whole messages waiting for earlier ones, by unwrapped SSN or MID.
    pending: BTreeMap<u64, Message>,
}

/// The receive side state of an association.
#[derive(Debug)]
pub(crate) struct Receiver {
    /// Highest TSN received in sequence (unwrapped).
    cum_tsn: u64,
    /// TSNs received above `cum_tsn`, as disjoint inclusive ranges `start -> end`.
    above: BTreeMap<u64, u64>,
    highest: u64,
    duplicates: Vec<u32>,
    /// DATA reassembly.
    runs: runs::Runs,
    /// I-DATA reassembly.
    partials: interleaved::Partials,
    /// I-DATA was negotiated: sequence numbers are 32-bit MIDs.
    interleaved: bool,
    streams: StreamMap<InStream>,
    /// Bytes held in reassembly and in streams' pending messages.
    buffered: usize,
    window: usize,
    max_message_size: usize,
    /// Packets with DATA since the last SACK.
    unacked_packets: u32,
    /// A SACK must go out with the next packet.
    pub(crate) sack_now: bool,
    /// Messages ready for the upper layer.
    pub(crate) delivered: std::collections::VecDeque<Message>,
}

impl Receiver {
    pub(crate) fn new(
        peer_initial_tsn: u32,
        window: usize,
        max_message_size: usize,
        interleaved: bool,
    ) -> Self {
        // Start in the upper half of the u64 space so that "one before" never underflows.
        let cum_tsn = (1u64 << 40) + u64::from(peer_initial_tsn.wrapping_sub(1));
        Receiver {
            cum_tsn,
            above: BTreeMap::new(),
            highest: cum_tsn,
            duplicates: Vec::new(),
            runs: runs::Runs::default(),
            partials: interleaved::Partials::default(),
            interleaved,
            streams: StreamMap::default(),
            buffered: 0,
            window,
            max_message_size,
            unacked_packets: 0,
            sack_now: false,
            delivered: std::collections::VecDeque::new(),
        }
    }

    /// Gives back the room of queues a burst left empty.
    pub(crate) fn trim(&mut self) {
        super::memory::trim(&mut self.delivered);
        super::memory::trim_vec(&mut self.duplicates);
    }

    /// Gives back all room an idle receiver does not need.
    pub(crate) fn trim_idle(&mut self) {
        super::memory::release(&mut self.delivered);
        super::memory::release_vec(&mut self.duplicates);
        // Streams with nothing pending and the initial sequence number hold no state.
        self.streams
            .retain(|_, s| s.next != 0 || !s.pending.is_empty());
        self.streams.shrink_to_fit();
    }

    /// Nothing held for reassembly or ordering, no SACK owed.
    pub(crate) fn is_quiet(&self) -> bool {
        self.buffered == 0 && !self.sack_owed() && self.delivered.is_empty()
    }

    /// The cumulative TSN as it goes on the wire.
    pub(crate) fn cumulative_tsn(&self) -> u32 {
        self.cum_tsn as u32
    }

    /// Whether everything up to (wire) TSN `tsn` has arrived.
    pub(crate) fn has_received_up_to(&self, tsn: u32) -> bool {
        unwrap_tsn(self.cum_tsn, tsn).is_some_and(|t| t <= self.cum_tsn)
    }

    /// The receiver window to advertise.
    pub(crate) fn a_rwnd(&self) -> u32 {
        self.window.saturating_sub(self.buffered) as u32
    }

    /// Whether a SACK is owed (now or when the delayed-ack timer fires).
    pub(crate) fn sack_owed(&self) -> bool {
        self.sack_now || self.unacked_packets > 0
    }

    /// Notes that a packet carrying DATA was processed; every second one is acked at once.
    pub(crate) fn packet_with_data(&mut self) {
        self.unacked_packets += 1;
        if self.unacked_packets >= 2 {
            self.sack_now = true;
        }
    }

    /// Checks a chunk's TSN and records it; returns it unwrapped. `Err` is the outcome for a
    /// chunk not to be reassembled (duplicate, out of window).
    fn accept_tsn(
        &mut self,
        wire_tsn: u32,
        immediate: bool,
        len: usize,
    ) -> Result<u64, DataOutcome> {
        let Some(tsn) = unwrap_tsn(self.cum_tsn, wire_tsn) else {
            return Err(DataOutcome::Dropped);
        };
        if immediate {
            self.sack_now = true;
        }
        if tsn <= self.cum_tsn || self.contains_above(tsn) {
            if self.duplicates.len() < MAX_DUP_REPORTS {
                self.duplicates.push(wire_tsn);
            }
            self.sack_now = true;
            return Err(DataOutcome::Duplicate);
        }
        if tsn - self.cum_tsn > MAX_TSN_AHEAD {
            return Err(DataOutcome::Dropped);
        }
        // RFC 9260 §6.2: with a closed window, drop data beyond what we have seen, but keep
        // accepting what fills holes (it can only let data out).
        if self.buffered + len > self.window && tsn > self.highest {
            self.sack_now = true;
            return Err(DataOutcome::Dropped);
        }
        self.record(tsn);
        Ok(tsn)
    }

    /// Processes one DATA chunk.
    pub(crate) fn on_data(&mut self, d: DataChunk) -> DataOutcome {
        let tsn = match self.accept_tsn(d.tsn, d.immediate, d.user_data.len()) {
            Ok(tsn) => tsn,
            Err(outcome) => return outcome,
        };
        if self.insert_data(tsn, d) {
            DataOutcome::TooLarge
        } else {
            DataOutcome::Accepted
        }
    }

    /// Processes one I-DATA chunk (RFC 8260 §2.1).
    pub(crate) fn on_idata(&mut self, d: IDataChunk) -> DataOutcome {
        if let Err(outcome) = self.accept_tsn(d.tsn, d.immediate, d.user_data.len()) {
            return outcome;
        }
        if self.insert_idata(d) {
            DataOutcome::TooLarge
        } else {
            DataOutcome::Accepted
        }
    }

    fn contains_above(&self, tsn: u64) -> bool {
        self.above
            .range(..=tsn)
            .next_back()
            .is_some_and(|(_, &end)| end >= tsn)
    }

    fn record(&mut self, tsn: u64) {
        self.highest = self.highest.max(tsn);
        if tsn == self.cum_tsn + 1 {
            self.cum_tsn = tsn;
            if !self.above.is_empty() {
                // It fills a gap: tell the sender at once (RFC 9260 §6.7), so that it need
                // not wait for the delayed SACK to learn the hole is closed.
                self.sack_now = true;
            }
            self.absorb_above();
            return;
        }
        // Out of order: a gap exists, so acknowledge at once (RFC 9260 §6.7).
        self.sack_now = true;
        let left = self.above.range(..tsn).next_back().map(|(&s, &e)| (s, e));
        let right_end = self.above.get(&(tsn + 1)).copied();
        match (left, right_end) {
            (Some((s, e)), Some(re)) if e + 1 == tsn => {
                self.above.remove(&(tsn + 1));
                self.above.insert(s, re);
            }
            (Some((s, e)), None) if e + 1 == tsn => {
                self.above.insert(s, tsn);
            }
            (_, Some(re)) => {
                self.above.remove(&(tsn + 1));
                self.above.insert(tsn, re);
            }
            _ => {
                self.above.insert(tsn, tsn);
            }
        }
    }

    /// Moves the cumulative TSN over ranges that now touch it.
    fn absorb_above(&mut self) {
        while let Some(entry) = self.above.first_entry() {
            if *entry.key() > self.cum_tsn + 1 {
                break;
            }
            let end = entry.remove();
            self.cum_tsn = self.cum_tsn.max(end);
        }
    }

    /// Unwraps a stream sequence number (SSN or MID) near the stream's next expected one.
    fn unwrap_seq(&self, next: u64, seq: u32) -> Option<u64> {
        unwrap_seq(self.interleaved, next, seq)
    }

    /// A whole message with SSN or MID `seq`: deliver it, or hold it until its turn on an
    /// ordered stream.
    fn complete(&mut self, msg: Message, seq: u32) {
        if msg.unordered {
            self.delivered.push_back(msg);
            return;
        }
        let stream = self.streams.entry(msg.stream_id).or_default();
        let Some(unwrapped) = unwrap_seq(self.interleaved, stream.next, seq) else {
            return;
        };
        if unwrapped < stream.next {
            return; // An old sequence number: the sender must have reused it; drop.
        }
        if unwrapped == stream.next {
            stream.next += 1;
            self.delivered.push_back(msg);
            Self::drain_stream(stream, &mut self.delivered, &mut self.buffered);
        } else {
            self.buffered += msg.data.len();
            stream.pending.insert(unwrapped, msg);
        }
    }

    fn drain_stream(
        stream: &mut InStream,
        delivered: &mut std::collections::VecDeque<Message>,
        buffered: &mut usize,
    ) {
        while let Some(entry) = stream.pending.first_entry() {
            if *entry.key() != stream.next {
                break;
            }
            let msg = entry.remove();
            *buffered = buffered.saturating_sub(msg.data.len());
            stream.next += 1;
            delivered.push_back(msg);
        }
    }

    /// Skips the ordered messages of `stream_id` up to sequence number `seq` (abandoned by
    /// the sender): whole ones held back are delivered, the stream moves past `seq`.
    fn skip_ordered(&mut self, stream_id: u16, seq: u32) {
        let next = self.streams.get(&stream_id).map_or(0, |s| s.next);
        let Some(skipped) = self.unwrap_seq(next, seq) else {
            return;
        };
        if skipped < next {
            return;
        }
        let stream = self.streams.entry(stream_id).or_default();
        while let Some(entry) = stream.pending.first_entry() {
            if *entry.key() > skipped {
                break;
            }
            let msg = entry.remove();
            self.buffered = self.buffered.saturating_sub(msg.data.len());
            self.delivered.push_back(msg);
        }
        stream.next = skipped + 1;
        Self::drain_stream(stream, &mut self.delivered, &mut self.buffered);
    }

    /// Moves the cumulative TSN to `new_cum` (FORWARD-TSN, I-FORWARD-TSN). Returns the
    /// unwrapped new cumulative TSN if it moved.
    fn forward_cum_tsn(&mut self, wire: u32) -> Option<u64> {
        self.sack_now = true;
        let new_cum = unwrap_tsn(self.cum_tsn, wire)?;
        if new_cum <= self.cum_tsn || new_cum - self.cum_tsn > MAX_TSN_AHEAD {
            return None;
        }
        self.cum_tsn = new_cum;
        self.highest = self.highest.max(new_cum);
        // Drop ranges at or below the new cumulative TSN, then absorb what now touches it.
        while let Some(entry) = self.above.first_entry() {
            if *entry.key() > new_cum {
                break;
            }
            let end = entry.remove();
            if end > new_cum {
                self.above.insert(new_cum + 1, end);
                break;
            }
        }
        self.absorb_above();
        Some(new_cum)
    }

    /// RFC 3758 §3.6: move the cumulative TSN forward, drop the abandoned fragments and skip
    /// the abandoned SSNs.
    pub(crate) fn on_forward_tsn(&mut self, f: &ForwardTsnChunk) {
        let Some(new_cum) = self.forward_cum_tsn(f.new_cumulative_tsn) else {
            return;
        };
        self.buffered = self
            .buffered
            .saturating_sub(self.runs.drop_through(new_cum));
        for s in &f.streams {
            self.skip_ordered(s.stream_id, u32::from(s.ssn));
        }
    }

    /// RFC 8260 §2.3.2: move the cumulative TSN forward, drop the fragments of the abandoned
    /// messages and skip their MIDs on ordered streams.
    pub(crate) fn on_iforward_tsn(&mut self, f: &IForwardTsnChunk) {
        if self.forward_cum_tsn(f.new_cumulative_tsn).is_none() {
            return;
        }
        for s in &f.streams {
            let freed = self.partials.drop_through(s.stream_id, s.unordered, s.mid);
            self.buffered = self.buffered.saturating_sub(freed);
            if !s.unordered {
                self.skip_ordered(s.stream_id, s.mid);
            }
        }
    }

    /// RFC 6525 §5.2.2: the peer reset these outgoing streams; their SSNs (MIDs) restart at
    /// 0. An empty list means every stream.
    pub(crate) fn reset_streams(&mut self, streams: &[u16]) {
        let pending = |s: &InStream| s.pending.values().map(|m| m.data.len()).sum::<usize>();
        if streams.is_empty() {
            for s in self.streams.values() {
                self.buffered = self.buffered.saturating_sub(pending(s));
            }
            self.streams.clear();
            let freed = self.partials.clear();
            self.buffered = self.buffered.saturating_sub(freed);
        }
        for id in streams {
            if let Some(s) = self.streams.remove(id) {
                self.buffered = self.buffered.saturating_sub(pending(&s));
            }
            // Every TSN before the reset has arrived: fragments still waiting belong to
            // messages that can no longer complete.
            let freed = self.partials.drop_stream(*id);
            self.buffered = self.buffered.saturating_sub(freed);
        }
    }

    /// Builds the SACK to send now and resets the delayed-ack state.
    pub(crate) fn make_sack(&mut self) -> SackChunk {
        self.sack_now = false;
        self.unacked_packets = 0;
        let gap_blocks = self
            .above
            .iter()
            .take(MAX_GAP_BLOCKS)
            .filter_map(|(&s, &e)| {
                let start = u16::try_from(s - self.cum_tsn).ok()?;
                let end = u16::try_from(e - self.cum_tsn).ok()?;
                Some(GapAckBlock { start, end })
            })
            .collect();
        SackChunk {
            cumulative_tsn_ack: self.cum_tsn as u32,
            a_rwnd: self.a_rwnd(),
            gap_blocks,
            duplicate_tsns: std::mem::take(&mut self.duplicates),
        }
    }
}

/// Unwraps a 32-bit MID (`interleaved`) or a 16-bit SSN near `next` (unwrapped).
#[inline]
fn unwrap_seq(interleaved: bool, next: u64, seq: u32) -> Option<u64> {
    if interleaved {
        unwrap_tsn(next, seq)
    } else {
        unwrap_ssn(next, seq as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(tsn: u32, ssn: u16, b: bool, e: bool, data: &'static [u8]) -> DataChunk {
        DataChunk {
            tsn,
            stream_id: 1,
            ssn,
            ppid: 53,
            unordered: false,
            beginning: b,
            ending: e,
            immediate: false,
            user_data: Bytes::from_static(data),
        }
    }

    fn delivered(r: &mut Receiver) -> Vec<Bytes> {
        r.delivered.drain(..).map(|m| m.data).collect()
    }

    #[test]
    fn in_order_and_gaps_and_duplicates() {
        let mut r = Receiver::new(10, 1 << 20, 1 << 20, false);
        assert_eq!(
            r.on_data(chunk(10, 0, true, true, b"a")),
            DataOutcome::Accepted
        );
        assert_eq!(r.cumulative_tsn(), 10);
        assert_eq!(
            r.on_data(chunk(12, 2, true, true, b"c")),
            DataOutcome::Accepted
        );
        assert_eq!(
            r.on_data(chunk(14, 4, true, true, b"e")),
            DataOutcome::Accepted
        );
        assert_eq!(delivered(&mut r), vec![Bytes::from_static(b"a")]);
        assert!(r.sack_now);
        assert_eq!(
            r.on_data(chunk(12, 2, true, true, b"c")),
            DataOutcome::Duplicate
        );
        let sack = r.make_sack();
        assert_eq!(sack.cumulative_tsn_ack, 10);
        assert_eq!(
            sack.gap_blocks,
            vec![
                GapAckBlock { start: 2, end: 2 },
                GapAckBlock { start: 4, end: 4 }
            ]
        );
        assert_eq!(sack.duplicate_tsns, vec![12]);
        assert_eq!(sack.a_rwnd, (1 << 20) - 2);
        r.on_data(chunk(11, 1, true, true, b"b"));
        assert_eq!(r.cumulative_tsn(), 12);
        assert!(r.sack_now, "a filled gap is acknowledged at once");
        assert_eq!(
            delivered(&mut r),
            vec![Bytes::from_static(b"b"), Bytes::from_static(b"c")]
        );
        r.on_data(chunk(13, 3, true, true, b"d"));
        assert_eq!(r.cumulative_tsn(), 14);
        assert_eq!(
            delivered(&mut r),
            vec![Bytes::from_static(b"d"), Bytes::from_static(b"e")]
        );
        assert_eq!(r.make_sack().gap_blocks, vec![]);
        assert_eq!(r.a_rwnd(), 1 << 20);
        // In order without a gap: the SACK may wait.
        r.on_data(chunk(15, 5, true, true, b"f"));
        assert!(!r.sack_now);
    }

    #[test]
    fn reassembles_out_of_order_fragments() {
        let mut r = Receiver::new(u32::MAX - 1, 1 << 20, 1 << 20, false);
        // TSNs wrap: 0xffff_fffe, 0xffff_ffff, 0, 1.
        r.on_data(chunk(1, 0, false, true, b"4"));
        r.on_data(chunk(u32::MAX, 0, false, false, b"2"));
        r.on_data(chunk(0, 0, false, false, b"3"));
        assert!(r.delivered.is_empty());
        assert_eq!(r.a_rwnd(), (1 << 20) - 3);
        r.on_data(chunk(u32::MAX - 1, 0, true, false, b"1"));
        assert_eq!(delivered(&mut r), vec![Bytes::from_static(b"1234")]);
        assert_eq!(r.cumulative_tsn(), 1);
        assert_eq!(r.a_rwnd(), 1 << 20);
    }

    #[test]
    fn forward_tsn_skips_abandoned() {
        let mut r = Receiver::new(1, 1 << 20, 1 << 20, false);
        // Message 0 fragments at TSN 1..=3, only 1 arrives; message 1 at TSN 4 arrives.
        r.on_data(chunk(1, 0, true, false, b"x"));
        r.on_data(chunk(4, 1, true, true, b"y"));
        assert!(r.delivered.is_empty());
        r.on_forward_tsn(&ForwardTsnChunk {
            new_cumulative_tsn: 3,
            streams: vec![crate::wire::ForwardTsnStream {
                stream_id: 1,
                ssn: 0,
            }],
        });
        assert_eq!(r.cumulative_tsn(), 4);
        assert_eq!(delivered(&mut r), vec![Bytes::from_static(b"y")]);
        assert_eq!(r.a_rwnd(), 1 << 20);
    }

    #[test]
    fn closed_window_drops_new_data() {
        let mut r = Receiver::new(1, 4, 100, false);
        r.on_data(chunk(1, 0, true, false, b"abcd"));
        assert_eq!(
            r.on_data(chunk(2, 0, false, false, b"e")),
            DataOutcome::Dropped
        );
        assert_eq!(r.cumulative_tsn(), 1);
    }

    #[test]
    fn too_large_messages_are_flagged() {
        let mut r = Receiver::new(1, 100, 3, false);
        r.on_data(chunk(1, 0, true, false, b"ab"));
        assert_eq!(
            r.on_data(chunk(2, 0, false, false, b"cd")),
            DataOutcome::TooLarge
        );
    }
}
