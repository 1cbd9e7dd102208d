//! DATA reassembly (RFC 9260 §6.9): the fragments of a DATA message carry consecutive TSNs,
//! so fragments are kept as runs of consecutive TSNs belonging to one message (same stream,
//! SSN and U bit), joined as the holes between them fill; a run that begins (B bit) and ends
//! (E bit) is a whole message. FORWARD-TSN (RFC 3758 §3.6) drops the runs it passes.

use std::collections::{BTreeMap, VecDeque};

use bytes::{Bytes, BytesMut};

use super::{Message, Receiver};
use crate::wire::DataChunk;

/// Contiguous fragments of one message, by TSN.
#[derive(Debug)]
pub(super) struct Run {
    last: u64,
    begins: bool,
    ends: bool,
    stream_id: u16,
    ssn: u16,
    ppid: u32,
    unordered: bool,
    parts: VecDeque<Bytes>,
    len: usize,
}

impl Run {
    fn append(&mut self, other: Run) {
        self.parts.extend(other.parts);
        self.len += other.len;
        self.last = other.last;
        self.ends = other.ends;
    }
}

/// The runs, keyed by the TSN of their first fragment.
#[derive(Debug, Default)]
pub(super) struct Runs(BTreeMap<u64, Run>);

impl Runs {
    /// Drops the runs that start at or below `tsn`; returns the bytes they held.
    pub(super) fn drop_through(&mut self, tsn: u64) -> usize {
        let mut freed = 0;
        while let Some(entry) = self.0.first_entry() {
            if *entry.key() > tsn {
                break;
            }
            freed += entry.remove().len;
        }
        freed
    }
}

impl Receiver {
    /// Adds a DATA fragment with (unwrapped) TSN `tsn`; returns whether a message grew too
    /// large.
    pub(super) fn insert_data(&mut self, tsn: u64, d: DataChunk) -> bool {
        if d.beginning && d.ending {
            self.complete(
                Message {
                    stream_id: d.stream_id,
                    ppid: d.ppid,
                    unordered: d.unordered,
                    data: d.user_data,
                },
                u32::from(d.ssn),
            );
            return false;
        }
        let same_message =
            |r: &Run| r.stream_id == d.stream_id && r.unordered == d.unordered && r.ssn == d.ssn;
        let len = d.user_data.len();
        self.buffered += len;
        let runs = &mut self.runs.0;
        // Join the run that ends just before, unless a message boundary separates them.
        let left_key = if d.beginning {
            None
        } else {
            runs.range(..tsn)
                .next_back()
                .filter(|(_, r)| r.last + 1 == tsn && !r.ends && same_message(r))
                .map(|(&k, _)| k)
        };
        let right = if d.ending {
            None
        } else {
            match runs.get(&(tsn + 1)) {
                Some(r) if !r.begins && same_message(r) => runs.remove(&(tsn + 1)),
                _ => None,
            }
        };
        let key = match left_key {
            Some(k) => {
                let Some(run) = runs.get_mut(&k) else {
                    return false;
                };
                run.parts.push_back(d.user_data);
                run.len += len;
                run.last = tsn;
                run.ends = d.ending;
                if let Some(r) = right {
                    run.append(r);
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
                    parts: VecDeque::from([d.user_data]),
                    len,
                };
                if let Some(r) = right {
                    run.append(r);
                }
                runs.insert(tsn, run);
                tsn
            }
        };
        let Some(run) = runs.get(&key) else {
            return false;
        };
        if run.len > self.max_message_size {
            return true;
        }
        if run.begins
            && run.ends
            && let Some(run) = runs.remove(&key)
        {
            self.buffered = self.buffered.saturating_sub(run.len);
            let data = join(run.parts, run.len);
            let msg = Message {
                stream_id: run.stream_id,
                ppid: run.ppid,
                unordered: run.unordered,
                data,
            };
            self.complete(msg, u32::from(run.ssn));
        }
        false
    }
}

/// Joins fragments into one buffer (without copying when there is only one).
pub(super) fn join(parts: impl IntoIterator<Item = Bytes>, len: usize) -> Bytes {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Bytes::new();
    };
    if first.len() == len {
        return first;
    }
    let mut b = BytesMut::with_capacity(len);
    b.extend_from_slice(&first);
    for p in parts {
        b.extend_from_slice(&p);
    }
    b.freeze()
}
