//! What an association holds in memory, kept proportional to use: [`OutBuf`], the buffer
//! outgoing packets (RFC 9260 §8.5's packets, after bundling) are built in, and [`trim`], which
//! gives back the room of queues a burst left empty.
//!
//! Each packet is split off the front of the [`OutBuf`] as [`Bytes`](bytes::Bytes) without
//! copying, so one allocation serves many packets:
//!
//! * the buffer starts with one small block ([`MIN_BLOCK`], a packet's worth) and reuses it in
//!   place whenever every packet split off it has been dropped (the usual case: DTLS copies a
//!   packet into its record at once);
//! * only while split-off packets are still held elsewhere (a driver that queues them, a peer
//!   in the same process that keeps fragments) does it take a new block, each twice the last,
//!   up to [`MAX_BLOCK`];
//! * when [`Association::poll_transmit`](crate::Association::poll_transmit) has nothing more
//!   to send and nothing holds a grown block, the block is let go, so an idle association keeps
//!   at most one small block.
//!
//! Queues keep a little room between bursts ([`trim`]) so that steady traffic does not
//! allocate per packet. Once an association has been quiet for [`IDLE_TRIM_AFTER`] (nothing
//! queued, in flight, held for reassembly or owed to the peer), it gives back everything it
//! can: the packet block, the room of every queue, and per-stream state that is back to its
//! initial values. An idle association then holds on the heap little more than its stream
//! tables.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::BytesMut;

use super::Association;

/// How long an association stays quiet before it gives back its buffers (at most one trim
/// per this period, however busy it is in between).
pub(crate) const IDLE_TRIM_AFTER: Duration = Duration::from_millis(500);

/// The first block, and the most an idle association keeps.
pub(crate) const MIN_BLOCK: usize = 2048;
/// The largest block taken while earlier ones are still held.
pub(crate) const MAX_BLOCK: usize = 64 * 1024;

/// The outgoing packet buffer.
#[derive(Debug, Default)]
pub(crate) struct OutBuf {
    buf: BytesMut,
    /// The size of the current block; 0 before the first one.
    block: usize,
}

impl OutBuf {
    /// The buffer, empty, with room for at least `want` bytes.
    #[inline]
    pub(crate) fn prepare(&mut self, want: usize) -> &mut BytesMut {
        // Empty it first: asking `BytesMut` for room while it still holds bytes would grow the
        // allocation and keep its dead prefix.
        self.buf.clear();
        if self.buf.capacity() < want {
            self.make_room(want);
        }
        &mut self.buf
    }

    fn make_room(&mut self, want: usize) {
        if !self.buf.try_reclaim(want) {
            // Used up and still held elsewhere: a fresh block, larger while blocks stay held.
            self.block = if self.block == 0 {
                MIN_BLOCK
            } else {
                (self.block * 2).min(MAX_BLOCK)
            };
            self.buf = BytesMut::with_capacity(self.block.max(want));
        }
    }

    /// Nothing more to send for now: let a grown block go if nothing else holds it.
    #[inline]
    pub(crate) fn settle(&mut self) {
        if self.block > MIN_BLOCK {
            self.buf.clear();
            if self.buf.try_reclaim(self.block) {
                self.buf = BytesMut::new();
                self.block = 0;
            }
        }
    }

    /// Whether a block is allocated.
    #[inline]
    pub(crate) fn has_block(&self) -> bool {
        self.block != 0
    }

    /// Lets the block go (packets split off it stay valid: they hold their own reference).
    pub(crate) fn release(&mut self) {
        self.buf = BytesMut::new();
        self.block = 0;
    }

    /// Bytes allocated for the current block.
    #[cfg(test)]
    fn allocated(&self) -> usize {
        self.block.max(self.buf.capacity())
    }
}

/// Room a drained queue keeps; beyond it, a queue that a burst grew gives its room back.
const IDLE_QUEUE: usize = 16;

/// Gives back the room of `queue` if it is empty and a burst left it large. Cheap enough to
/// call whenever a queue may have drained.
#[inline]
pub(crate) fn trim<T>(queue: &mut VecDeque<T>) {
    if queue.is_empty() && queue.capacity() > IDLE_QUEUE {
        *queue = VecDeque::new();
    }
}

/// [`trim`] for a `Vec`.
#[inline]
pub(crate) fn trim_vec<T>(list: &mut Vec<T>) {
    if list.is_empty() && list.capacity() > IDLE_QUEUE {
        *list = Vec::new();
    }
}

/// Gives back all the room of `queue` if it is empty.
#[inline]
pub(crate) fn release<T>(queue: &mut VecDeque<T>) {
    if queue.is_empty() && queue.capacity() > 0 {
        *queue = VecDeque::new();
    }
}

/// [`release`] for a `Vec`.
#[inline]
pub(crate) fn release_vec<T>(list: &mut Vec<T>) {
    if list.is_empty() && list.capacity() > 0 {
        *list = Vec::new();
    }
}

impl Association {
    /// Nothing queued, in flight, held for reassembly, owed to the peer or to send.
    fn is_quiet(&self) -> bool {
        !self.tx.has_pending()
            && self.solo.is_empty()
            && self.control.is_empty()
            && self.rx.as_ref().is_none_or(|rx| rx.is_quiet())
    }

    /// After a burst: if the association is quiet, arrange for its buffers to be given back
    /// once it has stayed so for [`IDLE_TRIM_AFTER`].
    pub(super) fn schedule_idle_trim(&mut self) {
        if self.idle_trim.is_none() && self.closed.is_none() && self.is_quiet() {
            self.idle_trim = Some(self.now + IDLE_TRIM_AFTER);
        }
    }

    /// The idle-trim deadline passed: give back everything a quiet association can.
    pub(super) fn trim_if_quiet(&mut self) {
        if !self.is_quiet() {
            return;
        }
        self.out.release();
        self.tx.trim_idle();
        if let Some(rx) = &mut self.rx {
            rx.trim_idle();
        }
        release(&mut self.events);
        release(&mut self.solo);
        release(&mut self.control);
        release_vec(&mut self.cookie_echo_errors);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::{BufMut, Bytes};

    fn packet(out: &mut OutBuf, n: usize) -> Bytes {
        let buf = out.prepare(1500);
        buf.put_bytes(0xcd, n);
        buf.split().freeze()
    }

    #[test]
    fn reuses_one_small_block_when_nothing_is_held() {
        let mut out = OutBuf::default();
        let base = packet(&mut out, 1200).as_ptr();
        for _ in 0..1000 {
            let p = packet(&mut out, 1200);
            assert_eq!(p.as_ptr(), base, "the block is reused in place");
        }
        assert_eq!(out.allocated(), MIN_BLOCK);
    }

    #[test]
    fn grows_while_held_and_lets_go_when_settled() {
        let mut out = OutBuf::default();
        let held: Vec<Bytes> = (0..200).map(|_| packet(&mut out, 1200)).collect();
        assert_eq!(out.block, MAX_BLOCK, "blocks double while held");
        assert!(
            held.iter()
                .all(|p| p.len() == 1200 && p.iter().all(|&b| b == 0xcd))
        );
        out.settle();
        assert_eq!(out.block, MAX_BLOCK, "still held: kept");
        drop(held);
        out.settle();
        assert_eq!(out.allocated(), 0);
        assert_eq!(packet(&mut out, 1200).len(), 1200);
        assert_eq!(out.allocated(), MIN_BLOCK);
    }

    #[test]
    fn trim_gives_back_only_a_large_empty_queue() {
        let mut q: VecDeque<u64> = (0..1000).collect();
        trim(&mut q);
        assert_eq!(q.len(), 1000, "not empty: untouched");
        q.clear();
        trim(&mut q);
        assert_eq!(q.capacity(), 0);
        let mut small: VecDeque<u64> = (0..4).collect();
        small.clear();
        let before = small.capacity();
        trim(&mut small);
        assert_eq!(small.capacity(), before, "small room is kept for reuse");
        let mut v: Vec<u16> = (0..100).collect();
        v.clear();
        trim_vec(&mut v);
        assert_eq!(v.capacity(), 0);
    }
}
