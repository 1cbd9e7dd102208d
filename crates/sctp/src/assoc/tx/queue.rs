//! The send queues of an association: per-stream FIFOs of messages, scheduled round-robin
//! between streams and cut into DATA or I-DATA chunk fragments that fit the room left in a
//! packet (RFC 9260 §6.9); SSN assignment for ordered messages (§6.6), or with I-DATA a MID
//! per message (one counter for ordered and one for unordered messages per stream) and an FSN
//! per fragment (RFC 8260 §2.1); the start of each message's lifetime (RFC 3758 timed
//! reliability); the W3C `bufferedAmount` and `bufferedAmountLowThreshold` bookkeeping per
//! stream; and closing and reopening streams around an RFC 6525 reset (which restarts the
//! SSN or MID counters, RFC 8260 §2.3.3).
//!
//! Scheduling: with DATA a message goes out whole before the stream's turn passes (the peer
//! reassembles by TSN, so the fragments of one message must be consecutive); with I-DATA the
//! turn passes after every fragment, so a large message on one stream shares the path with
//! the others instead of holding them up.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::super::SendError;
use super::super::memory::trim;
use super::{FLAG_BEGIN, FLAG_END, FLAG_UNORDERED, MIN_FRAGMENT, Reliability, Sender};

#[derive(Debug)]
struct OutMessage {
    ppid: u32,
    data: Bytes,
    offset: usize,
    unordered: bool,
    /// SSN or MID, assigned when the first fragment goes out.
    mid: u32,
    /// FSN of the next fragment (I-DATA).
    fsn: u32,
    max_rtx: Option<u16>,
    /// `MaxLifetime`, until [`Sender::stamp`] turns it into `expires`.
    lifetime: Option<Duration>,
    expires: Option<Instant>,
    /// Whether its bytes count in the stream's buffered amount (not for DCEP control
    /// messages or the placeholder byte of an empty message).
    counted: bool,
}

#[derive(Debug, Default)]
pub(super) struct OutStream {
    queue: VecDeque<OutMessage>,
    /// Next SSN (DATA: only its low 16 bits go on the wire) or ordered MID (I-DATA).
    next_ordered: u32,
    /// Next unordered MID (I-DATA; DATA sends unordered messages with SSN 0).
    next_unordered: u32,
    buffered: usize,
    low_threshold: usize,
    scheduled: bool,
    /// A reset was asked for: no new messages, drain what is queued.
    closing: bool,
    /// Listed in [`Sender::unstamped`].
    unstamped: bool,
}

impl OutStream {
    /// Gives back the queue's room if it is empty; returns whether the stream still holds
    /// state worth keeping (anything but its initial values).
    pub(super) fn trim_idle(&mut self) -> bool {
        super::super::memory::release(&mut self.queue);
        !self.queue.is_empty()
            || self.next_ordered != 0
            || self.next_unordered != 0
            || self.buffered != 0
            || self.low_threshold != 0
            || self.scheduled
            || self.closing
            || self.unstamped
    }

    /// Lowers the buffered amount by `n`; returns whether it fell to the low threshold.
    fn consume(&mut self, n: usize) -> bool {
        let before = self.buffered;
        self.buffered = self.buffered.saturating_sub(n);
        before > self.low_threshold && self.buffered <= self.low_threshold
    }
}

pub(super) struct Frag {
    pub(super) stream_id: u16,
    pub(super) mid: u32,
    pub(super) ppid_or_fsn: u32,
    pub(super) flags: u8,
    pub(super) data: Bytes,
    pub(super) max_rtx: Option<u16>,
    pub(super) expires: Option<Instant>,
}

impl Sender {
    /// Starts the lifetime of the messages queued since the last call: their deadline is
    /// `now` plus their `MaxLifetime`.
    pub(crate) fn stamp(&mut self, now: Instant) {
        for sid in self.unstamped.drain(..) {
            let Some(stream) = self.streams.get_mut(&sid) else {
                continue;
            };
            stream.unstamped = false;
            // The unstamped messages are the newest ones: stop at the first stamped one.
            for msg in stream.queue.iter_mut().rev() {
                if msg.expires.is_some() {
                    break;
                }
                if let Some(d) = msg.lifetime.take() {
                    msg.expires = Some(now + d);
                }
            }
        }
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
        let (max_rtx, lifetime) = match reliability {
            Reliability::Reliable => (None, None),
            Reliability::MaxRetransmits(n) => (Some(n), None),
            Reliability::MaxLifetime(d) => (None, Some(d)),
        };
        if lifetime.is_some() && !stream.unstamped {
            stream.unstamped = true;
            self.unstamped.push(stream_id);
        }
        self.queued_bytes += data.len();
        if counted {
            stream.buffered += data.len();
        }
        stream.queue.push_back(OutMessage {
            ppid,
            data,
            offset: 0,
            unordered,
            mid: 0,
            fsn: 0,
            max_rtx,
            lifetime,
            expires: None,
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
                s.next_ordered = 0;
                s.next_unordered = 0;
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

    fn buffered_dec(&mut self, stream_id: u16, n: usize, counted: bool) {
        self.queued_bytes = self.queued_bytes.saturating_sub(n);
        if !counted {
            return;
        }
        if let Some(s) = self.streams.get_mut(&stream_id)
            && s.consume(n)
        {
            self.low_events.push(stream_id);
        }
    }

    pub(super) fn next_fragment(
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
            if begin {
                if !msg.unordered {
                    msg.mid = stream.next_ordered;
                    stream.next_ordered = stream.next_ordered.wrapping_add(1);
                } else if self.interleaved {
                    msg.mid = stream.next_unordered;
                    stream.next_unordered = stream.next_unordered.wrapping_add(1);
                }
            }
            let data = msg.data.slice(msg.offset..msg.offset + take);
            msg.offset += take;
            let end = msg.offset == msg.data.len();
            let flags = (if begin { FLAG_BEGIN } else { 0 })
                | (if end { FLAG_END } else { 0 })
                | (if msg.unordered { FLAG_UNORDERED } else { 0 });
            let counted = msg.counted;
            let ppid_or_fsn = if self.interleaved && !begin {
                msg.fsn
            } else {
                msg.ppid
            };
            msg.fsn = msg.fsn.wrapping_add(1);
            let frag = Frag {
                stream_id: sid,
                mid: msg.mid,
                ppid_or_fsn,
                flags,
                data,
                max_rtx: msg.max_rtx,
                expires: msg.expires,
            };
            if end {
                stream.queue.pop_front();
            }
            if end || self.interleaved {
                // The stream's turn passes: after a whole message (DATA) or after every
                // fragment (I-DATA).
                self.active.pop_front();
                if stream.queue.is_empty() {
                    stream.scheduled = false;
                    trim(&mut stream.queue);
                } else {
                    self.active.push_back(sid);
                }
            }
            // The stream is at hand: no second lookup through `buffered_dec`.
            self.queued_bytes = self.queued_bytes.saturating_sub(take);
            if counted && stream.consume(take) {
                self.low_events.push(sid);
            }
            return Some(frag);
        }
    }

    /// Drops the unsent rest of message `mid` if it is the partly sent message at the front
    /// of the stream's queue (its sent part was abandoned).
    pub(super) fn drop_unsent_rest(&mut self, stream_id: u16, mid: u32, unordered: bool) {
        let rest = self.streams.get_mut(&stream_id).and_then(|s| {
            let m = s.queue.front()?;
            if m.offset == 0 || m.mid != mid || m.unordered != unordered {
                return None;
            }
            let rest = (m.data.len() - m.offset, m.counted);
            s.queue.pop_front();
            Some(rest)
        });
        let Some((rest, counted)) = rest else {
            return;
        };
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
