//! I-DATA reassembly (RFC 8260 §2.1, §2.2): fragments of messages of different streams
//! interleave, so TSNs say nothing about which fragments belong together. A message is named
//! by its stream, its ordering kind (U bit) and its MID; its fragments are put in place by FSN
//! (the first, with the B bit, has FSN 0 and carries the PPID in the same field; the last has
//! the E bit). A message is whole when FSNs 0 to the last one are all there; it then goes to
//! ordered delivery by MID (or straight out, unordered). I-FORWARD-TSN (§2.3.2) drops the
//! fragments of the messages it names.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::runs::join;
use super::{Message, Receiver};
use crate::wire::IDataChunk;

/// (stream, unordered, MID).
type Key = (u16, bool, u32);

/// Fragments received of one message.
#[derive(Debug, Default)]
struct Partial {
    /// The PPID, from the first fragment.
    ppid: u32,
    has_first: bool,
    /// The FSN of the last fragment, once it arrived.
    last_fsn: Option<u32>,
    /// Fragments by FSN, sorted, without duplicates.
    parts: Vec<(u32, Bytes)>,
    len: usize,
}

impl Partial {
    /// Puts a fragment in place; returns false for a duplicate FSN.
    fn insert(&mut self, fsn: u32, data: Bytes) -> bool {
        // Fragments usually come in order: append.
        if self.parts.last().is_none_or(|(f, _)| *f < fsn) {
            self.parts.push((fsn, data));
            return true;
        }
        match self.parts.binary_search_by_key(&fsn, |(f, _)| *f) {
            Ok(_) => false,
            Err(at) => {
                self.parts.insert(at, (fsn, data));
                true
            }
        }
    }

    fn is_whole(&self) -> bool {
        // Sorted and unique, starting at 0 (the B fragment) and ending at the E fragment:
        // whole exactly when the count matches.
        self.has_first
            && self.last_fsn.is_some_and(|last| {
                self.parts.last().map(|(f, _)| *f) == Some(last)
                    && usize::try_from(last).is_ok_and(|l| l + 1 == self.parts.len())
            })
    }
}

/// Messages being reassembled.
#[derive(Debug, Default)]
pub(super) struct Partials(BTreeMap<Key, Partial>);

impl Partials {
    /// Drops the messages of (`stream_id`, `unordered`) with a MID at or before `mid`
    /// (serial number arithmetic); returns the bytes they held.
    pub(super) fn drop_through(&mut self, stream_id: u16, unordered: bool, mid: u32) -> usize {
        let mut freed = 0;
        self.0.retain(|&(s, u, m), p| {
            let skipped = s == stream_id && u == unordered && (mid.wrapping_sub(m) as i32) >= 0;
            if skipped {
                freed += p.len;
            }
            !skipped
        });
        freed
    }

    /// Drops every message of a stream; returns the bytes they held.
    pub(super) fn drop_stream(&mut self, stream_id: u16) -> usize {
        let mut freed = 0;
        self.0.retain(|&(s, _, _), p| {
            if s == stream_id {
                freed += p.len;
            }
            s != stream_id
        });
        freed
    }

    /// Drops everything; returns the bytes held.
    pub(super) fn clear(&mut self) -> usize {
        let freed = self.0.values().map(|p| p.len).sum();
        self.0.clear();
        freed
    }
}

impl Receiver {
    /// Adds an I-DATA fragment; returns whether its message grew too large.
    pub(super) fn insert_idata(&mut self, d: IDataChunk) -> bool {
        if d.beginning && d.ending {
            // Whole in one chunk (`complete` drops it if its MID is past).
            let msg = Message {
                stream_id: d.stream_id,
                ppid: d.ppid_or_fsn,
                unordered: d.unordered,
                data: d.user_data,
            };
            self.complete(msg, d.mid);
            return false;
        }
        if !d.unordered {
            // A message of an ordered stream already delivered or skipped: nothing to do.
            let next = self.streams.get(&d.stream_id).map_or(0, |s| s.next);
            if self.unwrap_seq(next, d.mid).is_none_or(|m| m < next) {
                return false;
            }
        }
        let key = (d.stream_id, d.unordered, d.mid);
        let fsn = if d.beginning { 0 } else { d.ppid_or_fsn };
        let len = d.user_data.len();
        let partial = self.partials.0.entry(key).or_default();
        if d.ending {
            if partial.last_fsn.is_some_and(|l| l != fsn) {
                return false; // A second, different end: keep the first.
            }
            partial.last_fsn = Some(fsn);
        }
        if !partial.insert(fsn, d.user_data) {
            return false;
        }
        if d.beginning {
            partial.ppid = d.ppid_or_fsn;
            partial.has_first = true;
        }
        partial.len += len;
        self.buffered += len;
        if partial.len > self.max_message_size {
            return true;
        }
        if !partial.is_whole() {
            return false;
        }
        let Some(partial) = self.partials.0.remove(&key) else {
            return false;
        };
        self.buffered = self.buffered.saturating_sub(partial.len);
        let msg = Message {
            stream_id: d.stream_id,
            ppid: partial.ppid,
            unordered: d.unordered,
            data: join(partial.parts.into_iter().map(|(_, b)| b), partial.len),
        };
        self.complete(msg, d.mid);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::super::DataOutcome;
    use super::*;
    use crate::wire::{IForwardTsnChunk, IForwardTsnStream};

    struct Frag {
        tsn: u32,
        stream: u16,
        mid: u32,
        fsn: u32,
        b: bool,
        e: bool,
        u: bool,
        data: &'static [u8],
    }

    fn idata(f: Frag) -> IDataChunk {
        IDataChunk {
            tsn: f.tsn,
            stream_id: f.stream,
            mid: f.mid,
            ppid_or_fsn: if f.b { 53 } else { f.fsn },
            unordered: f.u,
            beginning: f.b,
            ending: f.e,
            immediate: false,
            user_data: Bytes::from_static(f.data),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn frag(
        tsn: u32,
        stream: u16,
        mid: u32,
        fsn: u32,
        b: bool,
        e: bool,
        data: &'static [u8],
    ) -> IDataChunk {
        idata(Frag {
            tsn,
            stream,
            mid,
            fsn,
            b,
            e,
            u: false,
            data,
        })
    }

    fn delivered(r: &mut Receiver) -> Vec<(u16, Bytes)> {
        r.delivered
            .drain(..)
            .map(|m| (m.stream_id, m.data))
            .collect()
    }

    #[test]
    fn interleaved_messages_of_two_streams_reassemble() {
        let mut r = Receiver::new(1, 1 << 20, 1 << 20, true);
        // Stream 1 MID 0 in three fragments; stream 2 MID 0 whole, between them.
        r.on_idata(frag(1, 1, 0, 0, true, false, b"ab"));
        r.on_idata(frag(2, 2, 0, 0, true, true, b"small"));
        assert_eq!(delivered(&mut r), vec![(2, Bytes::from_static(b"small"))]);
        r.on_idata(frag(3, 1, 0, 1, false, false, b"cd"));
        assert_eq!(r.a_rwnd(), (1 << 20) - 4);
        r.on_idata(frag(4, 1, 0, 2, false, true, b"ef"));
        assert_eq!(delivered(&mut r), vec![(1, Bytes::from_static(b"abcdef"))]);
        assert_eq!(r.a_rwnd(), 1 << 20);
        assert_eq!(r.cumulative_tsn(), 4);
    }

    #[test]
    fn fragments_out_of_order_and_duplicate_fsns() {
        let mut r = Receiver::new(10, 1 << 20, 1 << 20, true);
        r.on_idata(frag(13, 1, 0, 3, false, true, b"4"));
        r.on_idata(frag(11, 1, 0, 1, false, false, b"2"));
        // The same FSN again under another TSN is ignored.
        assert_eq!(
            r.on_idata(frag(14, 1, 0, 1, false, false, b"X")),
            DataOutcome::Accepted
        );
        r.on_idata(frag(12, 1, 0, 2, false, false, b"3"));
        assert!(r.delivered.is_empty());
        r.on_idata(frag(10, 1, 0, 0, true, false, b"1"));
        assert_eq!(delivered(&mut r), vec![(1, Bytes::from_static(b"1234"))]);
        assert_eq!(r.a_rwnd(), 1 << 20);
    }

    #[test]
    fn ordered_delivery_by_mid_and_unordered_at_once() {
        let mut r = Receiver::new(1, 1 << 20, 1 << 20, true);
        // MID 1 completes before MID 0: held back.
        r.on_idata(frag(2, 1, 1, 0, true, true, b"second"));
        assert!(r.delivered.is_empty());
        // An unordered message on the same stream is not held back.
        r.on_idata(idata(Frag {
            tsn: 3,
            stream: 1,
            mid: 0,
            fsn: 0,
            b: true,
            e: true,
            u: true,
            data: b"u",
        }));
        assert_eq!(delivered(&mut r), vec![(1, Bytes::from_static(b"u"))]);
        r.on_idata(frag(1, 1, 0, 0, true, true, b"first"));
        assert_eq!(
            delivered(&mut r),
            vec![
                (1, Bytes::from_static(b"first")),
                (1, Bytes::from_static(b"second"))
            ]
        );
        // A late fragment of a delivered MID is ignored.
        r.on_idata(frag(4, 1, 0, 1, false, true, b"late"));
        assert!(r.delivered.is_empty());
        assert_eq!(r.a_rwnd(), 1 << 20);
    }

    #[test]
    fn mids_wrap_around() {
        let mut r = Receiver::new(1, 1 << 20, 1 << 20, true);
        // Bring stream 3 just below the wrap with two skips (each less than 2^31 ahead),
        // then deliver across it.
        for (tsn, mid) in [(1, 0x7fff_ffff), (2, u32::MAX - 2)] {
            r.on_iforward_tsn(&IForwardTsnChunk {
                new_cumulative_tsn: tsn,
                streams: vec![IForwardTsnStream {
                    stream_id: 3,
                    unordered: false,
                    mid,
                }],
            });
        }
        r.on_idata(frag(3, 3, 0, 0, true, true, b"c"));
        r.on_idata(frag(4, 3, u32::MAX, 0, true, true, b"b"));
        assert!(r.delivered.is_empty(), "MID 0xffff_fffe is still missing");
        r.on_idata(frag(5, 3, u32::MAX - 1, 0, true, true, b"a"));
        assert_eq!(
            delivered(&mut r),
            vec![
                (3, Bytes::from_static(b"a")),
                (3, Bytes::from_static(b"b")),
                (3, Bytes::from_static(b"c"))
            ]
        );
    }

    #[test]
    fn iforward_tsn_drops_abandoned_messages_and_skips_mids() {
        let mut r = Receiver::new(1, 1 << 20, 1 << 20, true);
        // Stream 1: MID 0 partly received (abandoned later), MID 1 whole (held back).
        r.on_idata(frag(1, 1, 0, 0, true, false, b"x"));
        r.on_idata(frag(3, 1, 1, 0, true, true, b"y"));
        // Stream 2: an unordered message partly received, abandoned too.
        r.on_idata(idata(Frag {
            tsn: 4,
            stream: 2,
            mid: 7,
            fsn: 0,
            b: true,
            e: false,
            u: true,
            data: b"zz",
        }));
        assert!(r.delivered.is_empty());
        assert_eq!(r.a_rwnd(), (1 << 20) - 4);
        r.on_iforward_tsn(&IForwardTsnChunk {
            new_cumulative_tsn: 2,
            streams: vec![
                IForwardTsnStream {
                    stream_id: 1,
                    unordered: false,
                    mid: 0,
                },
                IForwardTsnStream {
                    stream_id: 2,
                    unordered: true,
                    mid: 7,
                },
            ],
        });
        assert_eq!(r.cumulative_tsn(), 4);
        assert_eq!(delivered(&mut r), vec![(1, Bytes::from_static(b"y"))]);
        assert_eq!(r.a_rwnd(), 1 << 20, "everything abandoned was let go");
        // A late fragment of the abandoned ordered message changes nothing.
        r.on_idata(frag(5, 1, 0, 1, false, true, b"late"));
        assert!(r.delivered.is_empty());
        assert_eq!(r.a_rwnd(), 1 << 20);
    }

    #[test]
    fn reset_drops_partial_messages() {
        let mut r = Receiver::new(1, 1 << 20, 1 << 20, true);
        r.on_idata(frag(1, 4, 5, 0, true, false, b"abc"));
        assert_eq!(r.a_rwnd(), (1 << 20) - 3);
        r.reset_streams(&[4]);
        assert_eq!(r.a_rwnd(), 1 << 20);
        // MIDs restart at 0.
        r.on_idata(frag(2, 4, 0, 0, true, true, b"new"));
        assert_eq!(delivered(&mut r), vec![(4, Bytes::from_static(b"new"))]);
    }

    #[test]
    fn too_large_interleaved_messages_are_flagged() {
        let mut r = Receiver::new(1, 100, 3, true);
        r.on_idata(frag(1, 1, 0, 0, true, false, b"ab"));
        assert_eq!(
            r.on_idata(frag(2, 1, 0, 1, false, false, b"cd")),
            DataOutcome::TooLarge
        );
    }
}
