//! Incoming packets: checksum, port and verification-tag checks (RFC 9260 §6.8, §8.5,
//! §8.5.1), out-of-the-blue packets (§8.4), and dispatch of each chunk: DATA and SACK (§6),
//! HEARTBEAT (§8.3), ABORT (§9.1), SHUTDOWN (§9.2), ERROR (§3.3.10), FORWARD-TSN (RFC 3758),
//! I-DATA and I-FORWARD-TSN (RFC 8260: only when negotiated, and then instead of DATA and
//! FORWARD-TSN; the wrong kind aborts the association, §2.2.3 and §2.3.1), RE-CONFIG
//! (RFC 6525), and unknown chunks (§3.2).

use std::time::Instant;

use bytes::{Bytes, BytesMut};

use super::rx::{DataOutcome, Receiver};
use super::{Association, CloseReason, State};
use crate::wire::{
    Chunk, ChunkIter, CommonHeader, ErrorCause, SackChunk, UnknownAction, verify_checksum,
};

impl Association {
    /// Processes one SCTP packet (the payload of one DTLS application-data record). The bytes
    /// are copied once; see [`handle_receive_bytes`](Self::handle_receive_bytes) to avoid that.
    pub fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        self.handle_receive_bytes(now, Bytes::copy_from_slice(packet));
    }

    /// Processes one SCTP packet without copying it: received messages share its buffer.
    pub fn handle_receive_bytes(&mut self, now: Instant, packet: Bytes) {
        self.advance(now);
        self.stats.packets_received += 1;
        if self.closed.is_some() {
            return;
        }
        if !verify_checksum(&packet, self.config.zero_checksum) {
            self.stats.packets_dropped += 1;
            tracing::trace!("SCTP packet with a bad checksum dropped");
            return;
        }
        let Ok(header) = CommonHeader::decode(&packet) else {
            self.stats.packets_dropped += 1;
            return;
        };
        if header.destination_port != self.config.local_port
            || header.source_port != self.config.remote_port
        {
            self.stats.packets_dropped += 1;
            return;
        }
        let mut chunks = ChunkIter::new(packet);
        let Some(Ok(first)) = chunks.next() else {
            self.stats.packets_dropped += 1;
            return;
        };
        if !self.accept_tag(&header, &first) {
            self.stats.packets_dropped += 1;
            return;
        }
        let mut had_data = false;
        let mut unrecognized: Vec<ErrorCause> = Vec::new();
        let mut next = Some(Ok(first));
        while let Some(item) = next.take() {
            let chunk = match item {
                Ok(c) => c,
                Err(_) => {
                    self.stats.packets_dropped += 1;
                    break;
                }
            };
            if !self.handle_chunk(&header, chunk, &mut had_data, &mut unrecognized) {
                break;
            }
            if self.closed.is_some() {
                break;
            }
            next = chunks.next();
        }
        if !unrecognized.is_empty() && self.peer_tag != 0 && self.closed.is_none() {
            self.control.push_back(Chunk::Error {
                causes: unrecognized,
            });
        }
        if had_data {
            if let Some(rx) = &mut self.rx {
                rx.packet_with_data();
                if self.state == State::ShutdownSent {
                    // §9.2: answer DATA in SHUTDOWN-SENT with SACK and SHUTDOWN at once.
                    rx.sack_now = true;
                    self.send_shutdown = true;
                }
                if !rx.sack_now && self.ack_timer.is_none() {
                    self.ack_timer = Some(self.now + self.config.delayed_ack_timeout);
                }
            }
            self.reconf_after_receive();
        }
        self.push_delivered();
        self.check_shutdown_progress();
    }

    /// The verification tag rules of RFC 9260 §8.5 and §8.5.1.
    fn accept_tag(&self, header: &CommonHeader, first: &Chunk) -> bool {
        let tag = header.verification_tag;
        match first {
            Chunk::Init(_) => tag == 0,
            // Checked against the tag inside the cookie.
            Chunk::CookieEcho { .. } => true,
            Chunk::Abort { reflected_tag, .. } | Chunk::ShutdownComplete { reflected_tag } => {
                if *reflected_tag {
                    self.peer_tag != 0 && tag == self.peer_tag
                } else {
                    tag == self.my_tag
                }
            }
            // §8.5.1 C: a SHUTDOWN ACK may come from an association we no longer know.
            Chunk::ShutdownAck => tag == self.my_tag || self.state == State::Closed,
            _ => tag == self.my_tag && self.state != State::Closed,
        }
    }

    /// Handles one chunk; returns false to stop processing the packet.
    fn handle_chunk(
        &mut self,
        header: &CommonHeader,
        chunk: Chunk,
        had_data: &mut bool,
        unrecognized: &mut Vec<ErrorCause>,
    ) -> bool {
        match chunk {
            Chunk::Data(d) => {
                let (tsn, empty) = (d.tsn, d.user_data.is_empty());
                return self.on_data_chunk(tsn, empty, false, had_data, |rx| rx.on_data(d));
            }
            Chunk::IData(d) => {
                let (tsn, empty) = (d.tsn, d.user_data.is_empty());
                return self.on_data_chunk(tsn, empty, true, had_data, |rx| rx.on_idata(d));
            }
            Chunk::Sack(s) => self.on_sack(&s),
            Chunk::Init(init) => {
                self.on_init(init);
                return false; // INIT must be alone in its packet.
            }
            Chunk::InitAck(ack) => {
                self.on_init_ack(ack);
                return false;
            }
            Chunk::CookieEcho { cookie } => {
                if !self.on_cookie_echo(header.verification_tag, &cookie) {
                    return false;
                }
            }
            Chunk::CookieAck => self.on_cookie_ack(),
            Chunk::Heartbeat { info } => {
                self.control.push_back(Chunk::HeartbeatAck { info });
            }
            Chunk::HeartbeatAck { info } => self.on_heartbeat_ack(&info),
            Chunk::Abort { causes, .. } => {
                self.close(CloseReason::PeerAbort { causes });
                return false;
            }
            Chunk::Shutdown { cumulative_tsn_ack } => self.on_shutdown(cumulative_tsn_ack),
            Chunk::ShutdownAck => self.on_shutdown_ack(header),
            Chunk::ShutdownComplete { .. } => {
                if self.state == State::ShutdownAckSent {
                    self.close(CloseReason::Shutdown);
                }
                return false;
            }
            Chunk::Error { causes } => {
                tracing::debug!(?causes, "SCTP peer reported errors");
            }
            Chunk::ForwardTsn(f) => {
                if self.rx.is_some() && self.interleaving_in_use() {
                    self.protocol_violation("FORWARD-TSN after I-DATA was negotiated");
                    return false;
                }
                if let Some(rx) = &mut self.rx {
                    rx.on_forward_tsn(&f);
                    *had_data = true;
                }
            }
            Chunk::IForwardTsn(f) => {
                if self.rx.is_some() && !self.interleaving_in_use() {
                    self.protocol_violation("I-FORWARD-TSN without I-DATA negotiated");
                    return false;
                }
                if let Some(rx) = &mut self.rx {
                    rx.on_iforward_tsn(&f);
                    *had_data = true;
                }
            }
            Chunk::ReConfig(r) => self.on_reconfig(r),
            other @ Chunk::Unknown { .. } => {
                let ty = other.chunk_type();
                let action = UnknownAction::of(ty);
                if action.reports() {
                    let mut b = BytesMut::with_capacity(other.encoded_len());
                    if other.encode(&mut b).is_ok() {
                        unrecognized.push(ErrorCause::UnrecognizedChunkType { chunk: b.freeze() });
                    }
                }
                if action.discards() {
                    return false;
                }
            }
        }
        true
    }

    /// A DATA (`interleaved` false) or I-DATA chunk: checks that it is the kind negotiated
    /// and carries data, then hands it to the receiver with `deliver`. Returns false to stop
    /// processing the packet.
    fn on_data_chunk(
        &mut self,
        tsn: u32,
        empty: bool,
        interleaved: bool,
        had_data: &mut bool,
        deliver: impl FnOnce(&mut Receiver) -> DataOutcome,
    ) -> bool {
        if self.state == State::CookieEchoed {
            // The peer is established, so its COOKIE ACK was lost on the way.
            self.enter_established();
        }
        if !matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownSent
        ) || self.rx.is_none()
        {
            return true;
        }
        if interleaved != self.interleaving_in_use() {
            // RFC 8260 §2.2.3: DATA after I-DATA was negotiated, or I-DATA without it.
            self.protocol_violation(if interleaved {
                "I-DATA without I-DATA negotiated"
            } else {
                "DATA after I-DATA was negotiated"
            });
            return false;
        }
        if empty {
            // RFC 9260 §6.2 (and RFC 8260 §2.1): no user data is a protocol error.
            self.solo.push_back((
                self.peer_tag,
                Chunk::Abort {
                    reflected_tag: false,
                    causes: vec![ErrorCause::NoUserData { tsn }],
                },
            ));
            self.close(CloseReason::ProtocolViolation("DATA without user data"));
            return false;
        }
        let Some(rx) = &mut self.rx else { return true };
        *had_data = true;
        if deliver(rx) == DataOutcome::TooLarge {
            self.protocol_violation("message larger than max-message-size");
            return false;
        }
        true
    }

    fn on_sack(&mut self, sack: &SackChunk) {
        if !matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownReceived
                | State::ShutdownSent
                | State::ShutdownAckSent
        ) {
            return;
        }
        let now = self.now;
        let Some(outcome) = self.tx.on_sack(sack, now, self.rto.srtt()) else {
            return;
        };
        if let Some(rtt) = outcome.rtt {
            self.rto.sample(rtt);
        }
        if outcome.cum_advanced {
            self.error_count = 0;
            self.t3.stop();
            if self.tx.has_outstanding() {
                self.t3.start(now, self.rto.get());
            }
        }
        self.arm_tlp();
    }

    fn on_heartbeat_ack(&mut self, info: &[u8]) {
        let Some((nonce, sent)) = self.hb_outstanding else {
            return;
        };
        let got = info
            .get(8..16)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_be_bytes);
        if got != Some(nonce) {
            return;
        }
        self.hb_outstanding = None;
        self.error_count = 0;
        self.rto.sample(self.now.saturating_duration_since(sent));
    }

    fn on_shutdown(&mut self, cumulative_tsn_ack: u32) {
        match self.state {
            State::Established | State::ShutdownPending => {
                self.ack_by_shutdown(cumulative_tsn_ack);
                self.state = State::ShutdownReceived;
            }
            State::ShutdownReceived => self.ack_by_shutdown(cumulative_tsn_ack),
            State::ShutdownSent => {
                // Both sides shut down at once (§9.2): answer with SHUTDOWN ACK.
                self.ack_by_shutdown(cumulative_tsn_ack);
                self.state = State::ShutdownAckSent;
                self.send_shutdown_ack = true;
                self.t2.stop();
                self.t2.start(self.now, self.rto.get());
            }
            _ => {}
        }
    }

    /// SHUTDOWN carries a cumulative TSN ack: treat it as a SACK without gaps.
    fn ack_by_shutdown(&mut self, cumulative_tsn_ack: u32) {
        let sack = SackChunk {
            cumulative_tsn_ack,
            a_rwnd: self.tx.peer_rwnd(),
            gap_blocks: Vec::new(),
            duplicate_tsns: Vec::new(),
        };
        self.on_sack(&sack);
    }

    fn on_shutdown_ack(&mut self, header: &CommonHeader) {
        match self.state {
            State::ShutdownSent | State::ShutdownAckSent => {
                self.solo.push_back((
                    self.peer_tag,
                    Chunk::ShutdownComplete {
                        reflected_tag: false,
                    },
                ));
                self.close(CloseReason::Shutdown);
            }
            State::Closed | State::CookieWait | State::CookieEchoed => {
                // §8.4 (5) / §8.5.1 E: answer with SHUTDOWN COMPLETE, tag reflected.
                self.solo.push_back((
                    header.verification_tag,
                    Chunk::ShutdownComplete {
                        reflected_tag: true,
                    },
                ));
            }
            _ => {}
        }
    }
}
