//! The sending half of an association (RFC 9260 §6, RFC 3758 §3.5, RFC 8260 §2): the
//! [`Sender`] state and the assembly of DATA or I-DATA chunks into outgoing packets,
//! retransmissions first and then new data while the congestion window (§7.2) and the peer's
//! receiver window (§6.1) allow.
//!
//! * `queue`: per-stream send queues scheduled round-robin between streams, fragmentation to
//!   the path MTU (§6.9), SSN or MID/FSN assignment, message lifetimes and the W3C
//!   `bufferedAmount` bookkeeping. With I-DATA the scheduler moves to the next stream after
//!   every fragment, so that messages of different streams interleave (RFC 8260 §1).
//! * `recovery`: outstanding data and its acknowledgement by SACK (§6.2.1), fast retransmit
//!   and fast recovery (§7.2.4), T3-rtx retransmission (§6.3.3), congestion control (slow
//!   start, congestion avoidance, partial_bytes_acked; §7.2), and abandoning messages with the
//!   Advanced.Peer.Ack.Point and FORWARD-TSN or I-FORWARD-TSN (RFC 3758 §3.5, RFC 8260 §2.3).
//! * `rack`: time-based loss detection and tail loss probes (RFC 8985 adapted to SCTP).

mod queue;
mod rack;
mod recovery;

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::memory::{release, release_vec, trim, trim_vec};
use crate::hash::StreamMap;
use crate::wire::PacketWriter;

use queue::OutStream;
use rack::Rack;

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
/// The I bit (RFC 9260 §3.3.1, from RFC 7053): the receiver is asked to SACK at once.
const FLAG_IMMEDIATE: u8 = 0x08;
/// DATA chunk header size.
const DATA_HEADER: usize = 16;
/// I-DATA chunk header size (RFC 8260 §2.1).
const IDATA_HEADER: usize = 20;
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

/// A chunk sent and not yet acknowledged by the cumulative TSN.
#[derive(Debug)]
struct Sent {
    stream_id: u16,
    /// B, E and U flags.
    flags: u8,
    /// The SSN (DATA, in the low 16 bits) or the MID (I-DATA).
    mid: u32,
    /// DATA: the PPID. I-DATA: the PPID on the first fragment, the FSN on the others (the
    /// two share one field, RFC 8260 §2.1).
    ppid_or_fsn: u32,
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
            && self.mid == other.mid
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
    /// Fast retransmit events (loss detected without a timeout) so far.
    pub(crate) fast_retransmits: u64,
    /// The peer supports FORWARD-TSN: messages may be abandoned. Without it every message is
    /// retransmitted until acknowledged, whatever its reliability asked for.
    pub(crate) partial_reliability: bool,
    /// I-DATA and I-FORWARD-TSN were negotiated (RFC 8260).
    pub(crate) interleaved: bool,
    /// Streams whose newest messages have a lifetime that has not started yet.
    unstamped: Vec<u16>,
    /// Time-based loss detection and tail loss probes.
    pub(crate) rack: Rack,
}

impl Sender {
    pub(crate) fn new(
        initial_tsn: u32,
        mtu: usize,
        max_message_size: usize,
        max_send_buffer: usize,
        rack: bool,
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
            interleaved: false,
            unstamped: Vec::new(),
            rack: Rack::new(rack),
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
        self.queued_bytes > 0
            && (self.flight < self.cwnd || self.rack.probe_new_data)
            && self.rwnd_allows()
    }

    fn rwnd_allows(&self) -> bool {
        let outstanding = self.flight + self.lost_bytes;
        self.peer_rwnd > outstanding || outstanding == 0
    }

    fn index(&self, tsn: u64) -> Option<usize> {
        usize::try_from(tsn.checked_sub(self.cum_ack + 1)?).ok()
    }

    fn header_len(&self) -> usize {
        if self.interleaved {
            IDATA_HEADER
        } else {
            DATA_HEADER
        }
    }

    /// Appends retransmissions and then new DATA (or I-DATA) chunks to `w` while the
    /// congestion window, the peer's window and the packet allow. Returns whether any new
    /// data (not only retransmissions) was written.
    pub(crate) fn write_data(&mut self, w: &mut PacketWriter<'_>, now: Instant) -> WriteOutcome {
        let mut out = WriteOutcome::default();
        let header = self.header_len();
        let interleaved = self.interleaved;
        // A tail loss probe retransmission asks for an immediate SACK (RFC 8985 §7.3).
        let probe = std::mem::take(&mut self.rack.probe_rtx);
        // Retransmissions first, in TSN order.
        while let Some(&tsn) = self.rtx.first() {
            if self.flight >= self.cwnd && !self.fast_rtx_now && !probe {
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
            let need = header + c.data.len() + crate::wire::pad4(c.data.len());
            if need > w.remaining() {
                break;
            }
            let flags = c.flags | if probe { FLAG_IMMEDIATE } else { 0 };
            push_chunk(w, interleaved, tsn as u32, c, flags);
            let len = c.data.len();
            if let Some(c) = self.outstanding.get_mut(i) {
                c.state = SentState::InFlight;
                c.transmissions = c.transmissions.saturating_add(1);
                c.sent_at = now;
                c.misses = 0;
            }
            self.rtx.remove(&tsn);
            self.rack.note_retransmission(tsn as u32);
            self.rack.tail_immediate |= probe;
            self.retransmissions += 1;
            self.lost_bytes = self.lost_bytes.saturating_sub(len);
            self.flight += len;
            out.wrote = true;
        }
        self.fast_rtx_now = false;
        if !self.rtx.is_empty() {
            // Retransmissions wait for room; new data must not overtake them.
            self.data_sent |= out.wrote;
            return out;
        }
        // A tail loss probe with new data: one packet even if the window is full.
        let probe_new = std::mem::take(&mut self.rack.probe_new_data);
        while (self.flight < self.cwnd || probe_new) && self.rwnd_allows() {
            let room = w.remaining();
            if room < header + 4 {
                break;
            }
            let max_payload = (room - header) & !3;
            let partly_full = !w.is_empty() || out.wrote;
            let Some(frag) = self.next_fragment(max_payload, partly_full, now) else {
                break;
            };
            let tsn = self.next_tsn;
            self.next_tsn += 1;
            // The last chunk before the queue runs dry asks for an immediate SACK, so that
            // the end of a burst is not left to the peer's delayed-SACK timer (RFC 7053
            // semantics, RFC 9260 §3.3.1); with RACK-TLP on, the probe timer relies on it.
            let tail = self.rack.enabled && self.queued_bytes == 0;
            let immediate = tail || probe_new;
            let flags = frag.flags | if immediate { FLAG_IMMEDIATE } else { 0 };
            if interleaved {
                w.push_idata(
                    tsn as u32,
                    frag.stream_id,
                    frag.mid,
                    frag.ppid_or_fsn,
                    flags,
                    &frag.data,
                );
            } else {
                let ssn = frag.mid as u16;
                w.push_data(
                    tsn as u32,
                    frag.stream_id,
                    ssn,
                    frag.ppid_or_fsn,
                    flags,
                    &frag.data,
                );
            }
            self.rack.tail_immediate = immediate;
            self.flight += frag.data.len();
            self.outstanding.push_back(Sent {
                stream_id: frag.stream_id,
                flags: frag.flags,
                mid: frag.mid,
                ppid_or_fsn: frag.ppid_or_fsn,
                data: frag.data,
                sent_at: now,
                transmissions: 1,
                state: SentState::InFlight,
                misses: 0,
                fast_retransmitted: false,
                max_rtx: frag.max_rtx,
                expires: frag.expires,
            });
            out.wrote = true;
            out.new_data = true;
        }
        self.data_sent |= out.wrote;
        out
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

    /// Gives back all room an idle sender does not need (nothing queued or in flight).
    pub(crate) fn trim_idle(&mut self) {
        if self.has_pending() {
            return;
        }
        release(&mut self.outstanding);
        release(&mut self.active);
        release_vec(&mut self.low_events);
        release_vec(&mut self.unstamped);
        self.streams.retain(|_, s| s.trim_idle());
        self.streams.shrink_to_fit();
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
        self.rack.reset_timers();
    }
}

/// What [`Sender::write_data`] put into a packet.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct WriteOutcome {
    /// Some chunk (new or retransmitted).
    pub(crate) wrote: bool,
    /// Some new chunk.
    pub(crate) new_data: bool,
}

/// Writes one DATA or I-DATA chunk for `c` with TSN `tsn` and `flags`.
fn push_chunk(w: &mut PacketWriter<'_>, interleaved: bool, tsn: u32, c: &Sent, flags: u8) {
    if interleaved {
        w.push_idata(tsn, c.stream_id, c.mid, c.ppid_or_fsn, flags, &c.data);
    } else {
        w.push_data(
            tsn,
            c.stream_id,
            c.mid as u16,
            c.ppid_or_fsn,
            flags,
            &c.data,
        );
    }
}
