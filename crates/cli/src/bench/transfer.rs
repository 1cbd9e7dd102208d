//! The transfer parts of `rtcpeer bench`: N binary messages of one size from the offerer's
//! channel end to the answerer's over one reliable ordered channel, timed from the first
//! `send()` to the last message's arrival. Bulk (64 KiB messages) reports received bytes per
//! second, small messages (64 B) messages per second.
//!
//! - Flow control is the W3C one: the sender stops above [`HIGH_WATER`] bytes buffered and
//!   resumes on `bufferedamountlow`, with `bufferedAmountLowThreshold` at half of it.
//! - Every message carries its sequence number (little-endian `u64`) in its first and last
//!   8 bytes; the receiver checks the length and both copies against the count of messages
//!   seen so far, which proves cheaply that nothing was lost, duplicated, reordered or cut.
//! - The receiver is an `onmessage` handler (it runs on the answerer's driver, with no queue
//!   between the stack and the application), as an application wanting speed would write it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer::{DataChannelEventKind, DataChannelEventType, DataChannelMessage};
use tokio::sync::oneshot;

use super::pair::Pair;
use super::{BenchError, HeapProbe};

/// The sender waits for `bufferedamountlow` above this many buffered bytes.
pub(crate) const HIGH_WATER: u64 = 4 << 20;
/// How long one transfer may take before the bench gives up.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(120);
/// The receiver reads the clock every this many messages, to find the longest stall.
pub(crate) const GAP_SAMPLE: u64 = 16;
/// The smallest message that holds the two sequence numbers.
pub(crate) const MIN_SIZE: usize = 16;

/// What one transfer measured.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Transfer {
    /// Messages received.
    pub(crate) messages: u64,
    /// Bytes received.
    pub(crate) bytes: u64,
    /// From the first `send()` to the last message's arrival.
    pub(crate) elapsed: Duration,
    /// Messages whose length or sequence numbers were wrong.
    pub(crate) corrupt: u64,
    /// Heap allocations made per message sent, when a heap probe is installed.
    pub(crate) allocations_per_message: Option<f64>,
    /// UDP datagrams the sender sent during the transfer.
    pub(crate) datagrams_sent: u64,
    /// UDP datagrams the receiver read during the transfer.
    pub(crate) datagrams_received: u64,
    /// The longest time without an arrival (sampled every [`GAP_SAMPLE`] messages): a stall
    /// such as a retransmission timeout shows here.
    pub(crate) longest_gap: Duration,
}

/// Message `seq` of `size` bytes: the sequence number at both ends, a fill byte between.
pub(crate) fn message(seq: u64, size: usize) -> Bytes {
    let mut data = vec![0xA5u8; size.max(MIN_SIZE)];
    let tag = seq.to_le_bytes();
    let n = data.len();
    data[..8].copy_from_slice(&tag);
    data[n - 8..].copy_from_slice(&tag);
    Bytes::from(data)
}

/// Whether `data` is message `seq` of `size` bytes (by its length and sequence numbers).
pub(crate) fn is_message(data: &[u8], seq: u64, size: usize) -> bool {
    let tag = seq.to_le_bytes();
    data.len() == size.max(MIN_SIZE)
        && data.get(..8) == Some(&tag[..])
        && data.len().checked_sub(8).and_then(|s| data.get(s..)) == Some(&tag[..])
}

/// Sends `count` messages of `size` bytes over `pair` and waits for all of them.
pub(crate) async fn run(
    pair: &Pair,
    size: usize,
    count: u64,
    progress: Arc<AtomicU64>,
    heap: Option<HeapProbe>,
) -> Result<Transfer, BenchError> {
    let (done_tx, done_rx) = oneshot::channel::<(Instant, u64, u64, u64, Duration)>();
    let mut done_tx = Some(done_tx);
    let (mut seen, mut bytes, mut corrupt) = (0u64, 0u64, 0u64);
    let (mut last, mut longest_gap) = (Instant::now(), Duration::ZERO);
    pair.b_channel.on_message(Some(Box::new(move |e| {
        if let DataChannelEventKind::Message(m) = e.kind() {
            let ok = match m {
                DataChannelMessage::Binary(b) => is_message(b, seen, size),
                DataChannelMessage::Text(_) => false,
            };
            corrupt += u64::from(!ok);
            bytes += m.len() as u64;
            seen += 1;
            if seen.is_multiple_of(GAP_SAMPLE) || seen == 1 || seen == count {
                let now = Instant::now();
                longest_gap = longest_gap.max(now.saturating_duration_since(last));
                last = now;
                progress.store(seen, Ordering::Relaxed);
            }
            if seen == count
                && let Some(tx) = done_tx.take()
            {
                let _ = tx.send((last, seen, bytes, corrupt, longest_gap));
            }
        }
    })));
    let dc = &pair.a_channel;
    dc.set_buffered_amount_low_threshold(HIGH_WATER / 2);
    let mut low = dc.events();
    let allocations_before = heap.map(|h| h().allocations);
    let (sent_before, received_before) = (
        pair.a.socket_stats().datagrams_sent,
        pair.b.socket_stats().datagrams_received,
    );
    let start = Instant::now();
    let sending = async {
        // The bytes sent since `bufferedAmount` was last read: the attribute is published by
        // the driver, so it lags behind the `send()` calls made since.
        let mut pending = 0u64;
        for seq in 0..count {
            while pending > HIGH_WATER {
                loop {
                    match low.recv().await {
                        Some(e) if e.event_type() == DataChannelEventType::BufferedAmountLow => {
                            break;
                        }
                        Some(_) => {}
                        None => return Err(BenchError::Rtc("the sender's channel ended".into())),
                    }
                }
                pending = dc.buffered_amount();
            }
            dc.send(message(seq, size))
                .map_err(|e| BenchError::Rtc(format!("send: {}: {}", e.name(), e.message())))?;
            pending += size as u64;
        }
        Ok(())
    };
    let transfer = async {
        sending.await?;
        done_rx
            .await
            .map_err(|_| BenchError::Rtc("the receiver ended before the last message".into()))
    };
    let (end, messages, bytes, corrupt, longest_gap) =
        tokio::time::timeout(TRANSFER_TIMEOUT, transfer)
            .await
            .map_err(|_| BenchError::Timeout("a transfer did not finish"))??;
    let allocations_per_message = match (heap, allocations_before) {
        (Some(h), Some(before)) if count > 0 => {
            Some(h().allocations.saturating_sub(before) as f64 / count as f64)
        }
        _ => None,
    };
    pair.b_channel.on_message(None);
    let datagrams_sent = pair
        .a
        .socket_stats()
        .datagrams_sent
        .saturating_sub(sent_before);
    let datagrams_received = pair
        .b
        .socket_stats()
        .datagrams_received
        .saturating_sub(received_before);
    Ok(Transfer {
        datagrams_sent,
        datagrams_received,
        longest_gap,
        messages,
        bytes,
        elapsed: end.saturating_duration_since(start),
        corrupt,
        allocations_per_message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_their_sequence_number_at_both_ends() {
        let m = message(7, 64);
        assert_eq!(m.len(), 64);
        assert!(is_message(&m, 7, 64));
        assert!(!is_message(&m, 8, 64), "wrong sequence number");
        assert!(!is_message(&m[..63], 7, 64), "cut short");
        let mut tail = m.to_vec();
        tail[60] ^= 1;
        assert!(!is_message(&tail, 7, 64), "tail changed");
        assert!(!is_message(&[], 0, 64));
        // Too small a size is raised to the smallest that holds both numbers.
        assert_eq!(message(1, 3).len(), MIN_SIZE);
        assert!(is_message(&message(u64::MAX, 65_536), u64::MAX, 65_536));
    }
}
