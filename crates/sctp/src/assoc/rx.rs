//! The receiving half of an association: which TSNs arrived (cumulative TSN, gap ack blocks,
//! duplicates; RFC 9260 §6.2, §6.7), when to acknowledge them (delayed SACK, RFC 9260 §6.2),
//! reassembly of fragmented messages (§6.9), ordered delivery per stream (§6.6), skipping
//! abandoned data on FORWARD-TSN (RFC 3758 §3.6) and resetting incoming streams (RFC 6525
//! §5.2.2).

use std::collections::BTreeMap;

use crate::hash::StreamMap;

use bytes::{Bytes, BytesMut};

use crate::serial::{unwrap_ssn, unwrap_tsn};
use crate::wire::{DataChunk, ForwardTsnChunk, GapAckBlock, SackChunk};

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

/// What happened to an incoming DATA chunk.
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

/// Contiguous fragments of one message, by TSN.
#[derive(Debug)]
struct Run {
    last: u64,
    begins: bool,
    ends: bool,
    stream_id: u16,
    ssn: u16,
    ppid: u32,
    unordered: bool,
    parts: std::collections::VecDeque<Bytes>,
    len: usize,
}

#[derive(Debug, Default)]
struct InStream {
    /// Next SSN to deliver, unwrapped.
    next_ssn: u64,
    /// Whole messages waiting for earlier SSNs, by unwrapped SSN.
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
    runs: BTreeMap<u64, Run>,
    streams: StreamMap<InStream>,
    /// Bytes held in `runs` and in streams' pending messages.
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
    pub(crate) fn new(peer_initial_tsn: u32, window: usize, max_message_size: usize) -> Self {
        // Start in the upper half of the u64 space so that "one before" never underflows.
        let cum_tsn = (1u64 << 40) + u64::from(peer_initial_tsn.wrapping_sub(1));
        Receiver {
            cum_tsn,
            above: BTreeMap::new(),
            highest: cum_tsn,
            duplicates: Vec::new(),
            runs: BTreeMap::new(),
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

    /// Processes one DATA chunk.
    pub(crate) fn on_data(&mut self, d: DataChunk) -> DataOutcome {
        let Some(tsn) = unwrap_tsn(self.cum_tsn, d.tsn) else {
            return DataOutcome::Dropped;
        };
        if d.immediate {
            self.sack_now = true;
        }
        if tsn <= self.cum_tsn || self.contains_above(tsn) {
            if self.duplicates.len() < MAX_DUP_REPORTS {
                self.duplicates.push(d.tsn);
            }
            self.sack_now = true;
            return DataOutcome::Duplicate;
        }
        if tsn - self.cum_tsn > MAX_TSN_AHEAD {
            return DataOutcome::Dropped;
        }
        // RFC 9260 §6.2: with a closed window, drop data beyond what we have seen, but keep
        // accepting what fills holes (it can only let data out).
        if self.buffered + d.user_data.len() > self.window && tsn > self.highest {
            self.sack_now = true;
            return DataOutcome::Dropped;
        }
        self.record(tsn);
        let too_large = self.insert(tsn, d);
        if too_large {
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

    /// Adds a fragment to reassembly; returns whether a message grew too large.
    fn insert(&mut self, tsn: u64, d: DataChunk) -> bool {
        if d.beginning && d.ending {
            self.complete(
                Message {
                    stream_id: d.stream_id,
                    ppid: d.ppid,
                    unordered: d.unordered,
                    data: d.user_data,
                },
                d.ssn,
            );
            return false;
        }
        let same_message =
            |r: &Run| r.stream_id == d.stream_id && r.unordered == d.unordered && r.ssn == d.ssn;
        let len = d.user_data.len();
        self.buffered += len;
        // Join the run that ends just before, unless a message boundary separates them.
        let left_key = if d.beginning {
            None
        } else {
            self.runs
                .range(..tsn)
                .next_back()
                .filter(|(_, r)| r.last + 1 == tsn && !r.ends && same_message(r))
                .map(|(&k, _)| k)
        };
        let right = if d.ending {
            None
        } else {
            match self.runs.get(&(tsn + 1)) {
                Some(r) if !r.begins && same_message(r) => self.runs.remove(&(tsn + 1)),
                _ => None,
            }
        };
        let key = match left_key {
            Some(k) => {
                let Some(run) = self.runs.get_mut(&k) else {
                    return false;
                };
                run.parts.push_back(d.user_data);
                run.len += len;
                run.last = tsn;
                run.ends = d.ending;
                if let Some(r) = right {
                    run.parts.extend(r.parts);
                    run.len += r.len;
                    run.last = r.last;
                    run.ends = r.ends;
                }
                k
            }
            None => {
                let mut run = Run {
                    last: tsn,
                    begins: d.beginning,
                    ends: d.ending,
                    stream_id: d.stream_id,
                    ssn: d.ssn,
                    ppid: d.ppid,
                    unordered: d.unordered,
                    parts: std::collections::VecDeque::from([d.user_data]),
                    len,
                };
                if let Some(r) = right {
                    run.parts.extend(r.parts);
                    run.len += r.len;
                    run.last = r.last;
                    run.ends = r.ends;
                }
                self.runs.insert(tsn, run);
                tsn
            }
        };
        let Some(run) = self.runs.get(&key) else {
            return false;
        };
        if run.len > self.max_message_size {
            return true;
        }
        if run.begins
            && run.ends
            && let Some(run) = self.runs.remove(&key)
        {
            self.buffered = self.buffered.saturating_sub(run.len);
            let data = if run.parts.len() == 1 {
                run.parts.into_iter().next().unwrap_or_default()
            } else {
                let mut b = BytesMut::with_capacity(run.len);
                for p in run.parts {
                    b.extend_from_slice(&p);
                }
                b.freeze()
            };
            let msg = Message {
                stream_id: run.stream_id,
                ppid: run.ppid,
                unordered: run.unordered,
                data,
            };
            self.complete(msg, run.ssn);
        }
        false
    }

    /// A whole message: deliver it, or hold it until its turn on an ordered stream.
    fn complete(&mut self, msg: Message, ssn: u16) {
        if msg.unordered {
            self.delivered.push_back(msg);
            return;
        }
        let stream = self.streams.entry(msg.stream_id).or_default();
        let Some(unwrapped) = unwrap_ssn(stream.next_ssn, ssn) else {
            return;
        };
        if unwrapped < stream.next_ssn {
            return; // An old SSN: the sender must have reused it; nothing sane to do.
        }
        if unwrapped == stream.next_ssn {
            stream.next_ssn += 1;
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
            if *entry.key() != stream.next_ssn {
                break;
            }
            let msg = entry.remove();
            *buffered = buffered.saturating_sub(msg.data.len());
            stream.next_ssn += 1;
            delivered.push_back(msg);
        }
    }

    /// RFC 3758 §3.6: move the cumulative TSN forward, drop the abandoned fragments and skip
    /// the abandoned SSNs.
    pub(crate) fn on_forward_tsn(&mut self, f: &ForwardTsnChunk) {
        self.sack_now = true;
        let Some(new_cum) = unwrap_tsn(self.cum_tsn, f.new_cumulative_tsn) else {
            return;
        };
        if new_cum <= self.cum_tsn || new_cum - self.cum_tsn > MAX_TSN_AHEAD {
            return;
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
        while let Some(entry) = self.runs.first_entry() {
            if *entry.key() > new_cum {
                break;
            }
            self.buffered = self.buffered.saturating_sub(entry.remove().len);
        }
        for s in &f.streams {
            let stream = self.streams.entry(s.stream_id).or_default();
            let Some(skipped) = unwrap_ssn(stream.next_ssn, s.ssn) else {
                continue;
            };
            if skipped < stream.next_ssn {
                continue;
            }
            // Whole messages up to the skipped SSN are delivered; the rest are gone.
            while let Some(entry) = stream.pending.first_entry() {
                if *entry.key() > skipped {
                    break;
                }
                let msg = entry.remove();
                self.buffered = self.buffered.saturating_sub(msg.data.len());
                self.delivered.push_back(msg);
            }
            stream.next_ssn = skipped + 1;
            Self::drain_stream(stream, &mut self.delivered, &mut self.buffered);
        }
    }

    /// RFC 6525 §5.2.2: the peer reset these outgoing streams; their SSNs restart at 0.
    /// An empty list means every stream.
    pub(crate) fn reset_streams(&mut self, streams: &[u16]) {
        if streams.is_empty() {
            for s in self.streams.values() {
                self.buffered = self
                    .buffered
                    .saturating_sub(s.pending.values().map(|m| m.data.len()).sum::<usize>());
            }
            self.streams.clear();
        }
        for id in streams {
            if let Some(s) = self.streams.remove(id) {
                self.buffered = self
                    .buffered
                    .saturating_sub(s.pending.values().map(|m| m.data.len()).sum::<usize>());
            }
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
        let mut r = Receiver::new(10, 1 << 20, 1 << 20);
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
    }

    #[test]
    fn reassembles_out_of_order_fragments() {
        let mut r = Receiver::new(u32::MAX - 1, 1 << 20, 1 << 20);
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
        let mut r = Receiver::new(1, 1 << 20, 1 << 20);
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
        let mut r = Receiver::new(1, 4, 100);
        r.on_data(chunk(1, 0, true, false, b"abcd"));
        assert_eq!(
            r.on_data(chunk(2, 0, false, false, b"e")),
            DataOutcome::Dropped
        );
        assert_eq!(r.cumulative_tsn(), 1);
    }

    #[test]
    fn too_large_messages_are_flagged() {
        let mut r = Receiver::new(1, 100, 3);
        r.on_data(chunk(1, 0, true, false, b"ab"));
        assert_eq!(
            r.on_data(chunk(2, 0, false, false, b"cd")),
            DataOutcome::TooLarge
        );
    }
}
