//! [`Scratch`]: the output buffer a [`DtlsTransport`](crate::DtlsTransport) lends the engine.
//!
//! dimpl writes each datagram (and each decrypted record) into a caller-supplied slice; the
//! transport splits it off the front of this buffer as [`Bytes`] without copying, so one
//! allocation serves many datagrams. The buffer is sized by use, not up front:
//!
//! * it starts with one small block ([`MIN_BLOCK`]) and reuses it in place whenever everything
//!   split off it has been dropped;
//! * only while split-off datagrams or records are still held elsewhere (a driver that queues
//!   datagrams, a receiver that keeps records) does it take a new block, each twice the last,
//!   up to [`MAX_BLOCK`];
//! * when the caller has taken all output and nothing holds the grown block any more, the
//!   block is let go, so an idle transport keeps at most one small block.
//!
//! Before reusing a block the buffer is emptied first: asking `BytesMut` for room while it still
//! holds bytes would grow the allocation and keep its dead prefix, a growth without bound.

use bytes::{Bytes, BytesMut};

/// The first block, and the one an idle transport keeps: a datagram of the default MTU fits.
pub(crate) const MIN_BLOCK: usize = 2048;
/// The room first offered to the engine: a DTLS record carrying a full SCTP packet fits.
const FIRST_NEED: usize = 1280;
/// The largest block taken while earlier ones are still held.
pub(crate) const MAX_BLOCK: usize = 64 * 1024;

/// The engine's output buffer.
#[derive(Debug)]
pub(crate) struct Scratch {
    buf: BytesMut,
    /// How long a slice to offer the engine when there is room for it without allocating.
    need: usize,
    /// The largest output seen (at most [`MIN_BLOCK`]): what `need` returns to after each one.
    usual: usize,
    /// The engine said the slice was too short: allocate if the room cannot be reclaimed.
    must_fit: bool,
    /// The size of the current block; 0 when there is none.
    block: usize,
    /// The size of the next block to take.
    next: usize,
    /// Something was split off since the last [`settle`](Self::settle).
    busy: bool,
}

impl Scratch {
    /// An empty buffer: nothing is allocated until the engine has output.
    pub(crate) fn new() -> Self {
        Scratch {
            buf: BytesMut::new(),
            need: FIRST_NEED,
            usual: FIRST_NEED,
            must_fit: false,
            block: 0,
            next: MIN_BLOCK,
            busy: false,
        }
    }

    /// The buffer for the engine to write into: `need` bytes long when that room is at hand or
    /// reclaimable without allocating, else empty (the engine then asks for room, see
    /// [`grow`](Self::grow)); after `grow`, always long enough.
    #[inline]
    pub(crate) fn prepare(&mut self) -> &mut BytesMut {
        if self.buf.len() < self.need {
            self.make_room();
        }
        &mut self.buf
    }

    fn make_room(&mut self) {
        let need = self.need;
        if self.buf.capacity() < need {
            self.buf.clear();
            if !self.buf.try_reclaim(need) {
                if !self.must_fit {
                    // Still held elsewhere: offer no room for now. The engine asks for it if
                    // it has output; most often it only reports its next timeout.
                    return;
                }
                // The block is used up and still held elsewhere: take a fresh one, and a
                // larger one next time if this one is held too.
                self.block = self.next.max(need);
                self.next = (self.next * 2).min(MAX_BLOCK);
                self.buf = BytesMut::with_capacity(self.block);
            }
        }
        // Within capacity: this never allocates.
        self.buf.resize(need, 0);
    }

    /// The engine needs `needed` bytes. Returns false if the buffer already had them (the
    /// engine is inconsistent; the caller stops rather than spin).
    pub(crate) fn grow(&mut self, needed: usize) -> bool {
        if needed <= self.buf.len() {
            return false;
        }
        self.need = needed;
        self.must_fit = true;
        true
    }

    /// The next slice offered must be at least `len` bytes long, allocating if need be (for
    /// output the engine writes without asking for room first).
    pub(crate) fn require(&mut self, len: usize) {
        self.need = self.need.max(len);
        self.must_fit = true;
    }

    /// Splits off the first `n` bytes the engine wrote.
    #[inline]
    pub(crate) fn split_to(&mut self, n: usize) -> Bytes {
        // Offer room for the largest output seen so far (up to a small block) next time.
        self.usual = self.usual.max(n).min(MIN_BLOCK);
        self.need = self.usual;
        self.must_fit = false;
        self.busy = true;
        self.buf.split_to(n.min(self.buf.len())).freeze()
    }

    /// The caller has taken all output: let a grown block go if nothing else holds it.
    #[inline]
    pub(crate) fn settle(&mut self) {
        if self.block > MIN_BLOCK {
            self.settle_grown();
        }
    }

    fn settle_grown(&mut self) {
        // Finding out whether the block is still held empties the buffer, and refilling what
        // is left of it costs a memset. Do it when that loses nothing (what is left is too
        // short to use), or when nothing was split off since the last call: the caller has
        // gone quiet, or keeps what it takes, and then one test per call costs little.
        let busy = std::mem::take(&mut self.busy);
        if busy && self.buf.capacity() >= self.need {
            return;
        }
        self.buf.clear();
        if self.buf.try_reclaim(self.block) {
            // Nothing holds it: let it go, and start the next one at half its size.
            self.next = (self.block / 2).max(MIN_BLOCK);
            self.buf = BytesMut::new();
            self.block = 0;
        }
    }

    /// Lets the buffer go (the engine is gone).
    pub(crate) fn release(&mut self) {
        self.buf = BytesMut::new();
        self.block = 0;
        self.next = MIN_BLOCK;
    }

    /// Bytes allocated for the current block (for memory estimates).
    pub(crate) fn allocated(&self) -> usize {
        self.block.max(self.buf.capacity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `n` bytes the way the engine would: asking for more room when the slice is
    /// too short.
    fn write(s: &mut Scratch, n: usize) -> Bytes {
        if s.prepare().len() < n {
            assert!(s.grow(n));
        }
        let buf = s.prepare();
        assert!(buf.len() >= n);
        buf[..n].fill(0xab);
        s.split_to(n)
    }

    #[test]
    fn reuses_one_small_block_when_nothing_is_held() {
        let mut s = Scratch::new();
        let first = write(&mut s, 1200);
        let base = first.as_ptr();
        assert!(
            s.prepare().len() < 1200,
            "no room is taken while the last output is held"
        );
        drop(first);
        for _ in 0..1000 {
            let d = write(&mut s, 1200);
            assert_eq!(d.len(), 1200);
            assert_eq!(d.as_ptr(), base, "the block is reused in place");
        }
        assert_eq!(s.block, MIN_BLOCK);
        s.settle();
        s.settle();
        assert_eq!(s.block, MIN_BLOCK, "the smallest block is kept");
    }

    #[test]
    fn grows_while_held_and_lets_go_when_settled() {
        let mut s = Scratch::new();
        let mut held = Vec::new();
        for _ in 0..200 {
            held.push(write(&mut s, 1200));
        }
        assert_eq!(s.block, MAX_BLOCK, "blocks double while held");
        assert!(
            held.iter()
                .all(|d| d.len() == 1200 && d.iter().all(|&b| b == 0xab))
        );
        s.settle();
        s.settle();
        assert_eq!(s.block, MAX_BLOCK, "still held: kept");
        held.clear();
        s.settle();
        assert_eq!(s.block, 0, "a quiet caller and nothing held: let go");
        assert_eq!(s.allocated(), 0);
        // The next blocks start at half the size, and shrink back to the smallest as long as
        // each is let go again.
        for expected in [MAX_BLOCK / 2, MAX_BLOCK / 4] {
            let d = write(&mut s, 1200);
            assert_eq!(s.block, expected);
            drop(d);
            s.settle();
            s.settle();
            assert_eq!(s.block, 0);
        }
    }

    #[test]
    fn a_required_length_is_always_offered() {
        let mut s = Scratch::new();
        let held = write(&mut s, 1200);
        s.require(5000);
        assert!(
            s.prepare().len() >= 5000,
            "allocated although the block is held"
        );
        drop(held);
        s.require(100);
        assert!(
            s.prepare().len() >= 5000,
            "a smaller requirement changes nothing"
        );
    }

    #[test]
    fn honours_a_larger_need() {
        let mut s = Scratch::new();
        assert!(s.prepare().is_empty(), "nothing allocated before output");
        let d = write(&mut s, 16_500);
        assert_eq!(d.len(), 16_500);
        drop(d);
        let room = s.prepare().len();
        assert_eq!(room, MIN_BLOCK, "the block is reclaimed, not reallocated");
        assert!(room >= FIRST_NEED);
        assert!(!s.grow(room), "room already there");
    }
}
