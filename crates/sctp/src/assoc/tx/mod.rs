//! The sending half of an association (RFC 9260 §6, RFC 3758 §3.5): the [`Sender`] state and
//! the assembly of DATA chunks into outgoing packets, retransmissions first and then new data
//! while the congestion window (§7.2) and the peer's receiver window (§6.1) allow.
//!
//! * `queue`: per-stream send queues with round-robin scheduling, fragmentation to the path
//!   MTU (§6.9), message lifetimes and the W3C `bufferedAmount` bookkeeping.
//! * `recovery`: outstanding data and its acknowledgement by SACK (§6.2.1), fast retransmit
//!   and fast recovery (§7.2.4), T3-rtx retransmission (§6.3.3), congestion control (slow
//!   start, congestion avoidance, partial_bytes_acked; §7.2), and abandoning messages with the
//!   Advanced.Peer.Ack.Point and FORWARD-TSN (RFC 3758 §3.5).

mod queue;
mod recovery;

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::memory::{trim, trim_vec};
use crate::hash::StreamMap;
use crate::wire::PacketWriter;

use queue::OutStream;

/// How hard the association tries to deliver a message (RFC 3758; W3C `maxRetransmits` and
/// `maxPacketLifeTime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reliability {
    /// Retransmit until acknowledged.
    #[default]
    Reliable,
    /// Give up after this many retransmissions (0: sent once).
    MaxRetransmits(u16),
    /// Give up once this much time has passed since the message was queued. The clock starts
    /// at the first instant the association learns after the call (the `now` of the
    /// `poll_transmit` or `handle_*` call that follows it, which a driver makes at once), since
    /// sending takes no time argument.
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
    /// Streams whose newest messages have a lifetime that has not started yet.
    unstamped: Vec<u16>,
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
            unstamped: Vec::new(),
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

    /// On an idle path (RFC 9260 §7.2.1): cwnd shrinks back towards its initial value.
    pub(crate) fn on_idle(&mut self) {
        self.cwnd = (self.cwnd / 2).max(4 * self.mtu);
    }

    /// Gives back the room of queues a burst left empty.
    pub(crate) fn trim(&mut self) {
        trim(&mut self.outstanding);
        trim(&mut self.active);
        trim_vec(&mut self.low_events);
        trim_vec(&mut self.unstamped);
    }

    /// Drops everything (abort, restart).
    pub(crate) fn clear(&mut self) {
        self.outstanding.clear();
        self.rtx.clear();
        self.active.clear();
        self.streams.clear();
        self.unstamped.clear();
        self.queued_bytes = 0;
        self.flight = 0;
        self.lost_bytes = 0;
    }
}
