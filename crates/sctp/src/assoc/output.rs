//! Outgoing packets: stand-alone chunks with their own verification tag (INIT with tag 0,
//! INIT ACK, ABORT, SHUTDOWN COMPLETE; RFC 9260 §8.5.1), then bundles for the peer: COOKIE
//! ECHO first (§5.1), control chunks, SACK, FORWARD-TSN or I-FORWARD-TSN, RE-CONFIG, and DATA
//! or I-DATA packed up to the path MTU (§6.10). Checksums are CRC32c, or zero where RFC 9653
//! was agreed.

use std::time::Instant;

use bytes::Bytes;

use super::{Association, State, memory};
use crate::wire::{Chunk, CommonHeader, PACKET_RESERVE, PacketWriter};

impl Association {
    /// The next packet to hand to DTLS, if any. Call until it returns `None` after every
    /// input (packet, timeout, command).
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Bytes> {
        self.advance(now);
        let mut out = std::mem::take(&mut self.out);
        let room = self.config.mtu.max(PACKET_RESERVE);
        let had_block = out.has_block();
        let packet = self.build_packet(out.prepare(room));
        if packet.is_none() && !had_block {
            // Polled while trimmed and nothing to send: stay trimmed.
            out.release();
        }
        self.out = out;
        if packet.is_none() {
            self.settle();
        }
        for stream_id in self.tx.low_events.drain(..) {
            self.events
                .push_back(super::Event::BufferedAmountLow { stream_id });
        }
        if packet.is_some() {
            self.stats.packets_sent += 1;
        }
        packet
    }

    /// Nothing more to send for now: give back what a burst grew and no longer uses.
    fn settle(&mut self) {
        self.out.settle();
        self.tx.trim();
        if let Some(rx) = &mut self.rx {
            rx.trim();
        }
        memory::trim(&mut self.solo);
        memory::trim(&mut self.control);
        self.schedule_idle_trim();
    }

    fn header(&self, tag: u32) -> CommonHeader {
        CommonHeader {
            source_port: self.config.local_port,
            destination_port: self.config.remote_port,
            verification_tag: tag,
            checksum: 0,
        }
    }

    fn build_packet(&mut self, out: &mut bytes::BytesMut) -> Option<Bytes> {
        if let Some((tag, chunk)) = self.solo.pop_front() {
            let h = self.header(tag);
            let mut w = PacketWriter::new(out, &h, usize::MAX);
            if w.push(&chunk).is_err() {
                return None;
            }
            // INIT always carries a real checksum (RFC 9653 §5.1); the rest may not once agreed.
            let zero = self.zero_checksum_in_use() && !matches!(chunk, Chunk::Init(_));
            return Some(w.finish(zero));
        }
        if self.closed.is_some() || self.peer_tag == 0 {
            return None;
        }
        self.maybe_start_reset();
        let h = self.header(self.peer_tag);
        let zero = self.zero_checksum_in_use();
        let mtu = self.config.mtu;
        let mut w = PacketWriter::new(out, &h, mtu);

        if self.send_cookie_echo
            && self.state == State::CookieEchoed
            && let Some(cookie) = &self.cookie_echo
        {
            let c = Chunk::CookieEcho {
                cookie: cookie.clone(),
            };
            if w.push(&c).is_err() {
                return None;
            }
            self.send_cookie_echo = false;
            if !self.cookie_echo_errors.is_empty() {
                let e = Chunk::Error {
                    causes: std::mem::take(&mut self.cookie_echo_errors),
                };
                let _ = w.push(&e);
            }
        }
        while let Some(c) = self.control.front() {
            if c.encoded_len() > w.remaining() && !w.is_empty() {
                break;
            }
            if let Some(c) = self.control.pop_front() {
                let _ = w.push(&c);
            }
        }
        if self.send_shutdown_ack && w.remaining() >= 4 {
            self.send_shutdown_ack = false;
            let _ = w.push(&Chunk::ShutdownAck);
        }
        if let Some(chunk) = self.reconf.take_chunk() {
            if chunk.encoded_len() <= w.remaining() || w.is_empty() {
                let _ = w.push(&chunk);
            } else {
                self.reconf.send_request |= true;
                if let Chunk::ReConfig(r) = chunk {
                    self.reconf.requeue(r);
                }
            }
        }
        let data_state = matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        );
        let will_send_data = data_state && self.tx.wants_to_send();
        if let Some(rx) = &mut self.rx {
            // A SACK goes out when due, and rides along with DATA whenever one is owed.
            if rx.sack_now || (will_send_data && rx.sack_owed()) {
                let sack = Chunk::Sack(rx.make_sack());
                if sack.encoded_len() <= w.remaining() {
                    let _ = w.push(&sack);
                    self.ack_timer = None;
                } else {
                    rx.sack_now = true;
                }
            }
        }
        if self.send_shutdown && self.state == State::ShutdownSent && w.remaining() >= 8 {
            self.send_shutdown = false;
            let cum = self.rx.as_ref().map_or(0, |rx| rx.cumulative_tsn());
            let _ = w.push(&Chunk::Shutdown {
                cumulative_tsn_ack: cum,
            });
        }
        if self.tx.forward_tsn_needed
            && self.caps.forward_tsn
            && let Some(c) = self.tx.make_forward_tsn()
        {
            if c.encoded_len() <= w.remaining() {
                let _ = w.push(&c);
            } else {
                self.tx.forward_tsn_needed = true;
            }
        }
        if will_send_data {
            let now = self.now;
            let wrote = self.tx.write_data(&mut w, now);
            if wrote.wrote && !self.t3.is_running() {
                self.t3.start(now, self.rto.get());
            }
            if wrote.new_data {
                // RFC 8985 §7.2: (re)start the probe timer after sending new data.
                self.arm_tlp();
            }
        }
        if w.is_empty() {
            return None;
        }
        Some(w.finish(zero))
    }
}
