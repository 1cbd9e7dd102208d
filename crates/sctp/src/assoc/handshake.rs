//! Association setup (RFC 9260 §5): INIT, INIT ACK with an authenticated State Cookie,
//! COOKIE ECHO, COOKIE ACK; T1-init and T1-cookie retransmission; INIT collisions (§5.2.1,
//! both WebRTC peers connect at once); unexpected INIT and COOKIE ECHO handling with tie-tags
//! and restart detection (§5.2.2, §5.2.4); capability negotiation (RFC 3758 Forward-TSN,
//! RFC 5061 Supported Extensions with RE-CONFIG and RFC 8260 I-DATA, RFC 9653 Zero Checksum
//! Acceptable). The INIT chunk is also what SNAP hands out (see `snap`).

use bytes::Bytes;

use super::cookie::{Cookie, PeerCaps};
use super::rx::Receiver;
use super::tx::Sender;
use super::{Association, CloseReason, Event, State, nonzero};
use crate::wire::{Chunk, ChunkType, ErrorCause, InitChunk, InitParam};

/// RFC 9653 error detection method 1: SCTP over DTLS.
const EDMID_DTLS: u32 = 1;

impl Association {
    fn our_params(&self) -> Vec<InitParam> {
        let mut extensions = vec![ChunkType::FORWARD_TSN, ChunkType::RE_CONFIG];
        if self.config.interleaving {
            // RFC 8260 §2.2.1: I-DATA, and I-FORWARD-TSN to go with partial reliability.
            extensions.extend([ChunkType::I_DATA, ChunkType::I_FORWARD_TSN]);
        }
        let mut params = vec![
            InitParam::ForwardTsnSupported,
            InitParam::SupportedExtensions(extensions),
        ];
        if self.config.zero_checksum {
            params.push(InitParam::ZeroChecksumAcceptable { edmid: EDMID_DTLS });
        }
        params
    }

    pub(super) fn make_init(&self) -> InitChunk {
        InitChunk {
            initiate_tag: self.my_tag,
            a_rwnd: self.config.receive_buffer() as u32,
            outbound_streams: self.config.outbound_streams,
            inbound_streams: self.config.inbound_streams,
            initial_tsn: self.my_initial_tsn,
            params: self.our_params(),
        }
    }

    /// The capabilities an INIT or INIT ACK announces, and its parameters to report.
    pub(super) fn peer_caps(&self, init: &InitChunk) -> (PeerCaps, Vec<Bytes>) {
        let (params, unrecognized) = init.recognized_params();
        let mut caps = PeerCaps::default();
        for p in params {
            match p {
                InitParam::ForwardTsnSupported => caps.forward_tsn = true,
                InitParam::SupportedExtensions(types) => {
                    caps.forward_tsn |= types.contains(&ChunkType::FORWARD_TSN);
                    caps.reconfig |= types.contains(&ChunkType::RE_CONFIG);
                    caps.interleaving |= types.contains(&ChunkType::I_DATA);
                }
                InitParam::ZeroChecksumAcceptable { edmid: EDMID_DTLS } => {
                    caps.zero_checksum = true
                }
                _ => {}
            }
        }
        (caps, unrecognized)
    }

    fn now_ms(&self) -> u64 {
        self.now.duration_since(self.epoch).as_millis() as u64
    }

    /// An INIT arrived (RFC 9260 §5.1 B, §5.2.1, §5.2.2).
    pub(super) fn on_init(&mut self, init: InitChunk) {
        if init.initiate_tag == 0 || init.outbound_streams == 0 || init.inbound_streams == 0 {
            self.stats.packets_dropped += 1;
            return;
        }
        let (caps, unrecognized) = self.peer_caps(&init);
        // Our side of the INIT ACK: the tag and TSN of our own INIT while setting up (so both
        // sides of a collision agree), fresh ones for an unexpected INIT on an existing
        // association (a possible restart), with tie-tags naming the existing association.
        let (tag, tsn, tie_my, tie_peer) = match self.state {
            State::Closed | State::CookieWait => (self.my_tag, self.my_initial_tsn, 0, 0),
            State::CookieEchoed => (self.my_tag, self.my_initial_tsn, self.my_tag, self.peer_tag),
            // Established by SNAP while the peer runs the handshake: answer as in a
            // collision, so that its COOKIE ECHO matches this association (case D).
            _ if self.is_snap_peer_init(&init) => (self.my_tag, self.my_initial_tsn, 0, 0),
            _ => (
                nonzero(&mut self.rng),
                self.rng.u32(),
                self.my_tag,
                self.peer_tag,
            ),
        };
        let cookie = Cookie {
            my_tag: tag,
            peer_tag: init.initiate_tag,
            my_initial_tsn: tsn,
            peer_initial_tsn: init.initial_tsn,
            peer_a_rwnd: init.a_rwnd,
            peer_outbound_streams: init.outbound_streams,
            peer_inbound_streams: init.inbound_streams,
            tie_my_tag: tie_my,
            tie_peer_tag: tie_peer,
            created_ms: self.now_ms(),
            caps,
        }
        .seal(&self.cookie_key());
        let mut params = self.our_params();
        params.push(InitParam::StateCookie(cookie));
        params.extend(
            unrecognized
                .into_iter()
                .map(InitParam::UnrecognizedParameter),
        );
        let init_ack = InitChunk {
            initiate_tag: tag,
            a_rwnd: self.config.receive_buffer() as u32,
            outbound_streams: self.config.outbound_streams,
            inbound_streams: self.config.inbound_streams,
            initial_tsn: tsn,
            params,
        };
        self.solo
            .push_back((init.initiate_tag, Chunk::InitAck(init_ack)));
    }

    /// An INIT ACK arrived (RFC 9260 §5.1 C). Only meaningful in COOKIE-WAIT.
    pub(super) fn on_init_ack(&mut self, ack: InitChunk) {
        if self.state != State::CookieWait {
            return; // §5.2.3: discard.
        }
        if ack.initiate_tag == 0 || ack.outbound_streams == 0 || ack.inbound_streams == 0 {
            self.protocol_violation("invalid INIT ACK");
            return;
        }
        let Some(cookie) = ack.state_cookie().cloned() else {
            self.solo.push_back((
                ack.initiate_tag,
                Chunk::Abort {
                    reflected_tag: false,
                    causes: vec![ErrorCause::MissingMandatoryParameter {
                        param_types: vec![7],
                    }],
                },
            ));
            self.close(CloseReason::ProtocolViolation(
                "INIT ACK without State Cookie",
            ));
            return;
        };
        let (caps, unrecognized) = self.peer_caps(&ack);
        self.peer_tag = ack.initiate_tag;
        self.caps = caps;
        self.set_peer(ack.initial_tsn, ack.a_rwnd, ack.inbound_streams);
        self.cookie_echo = Some(cookie);
        self.cookie_echo_errors = if unrecognized.is_empty() {
            Vec::new()
        } else {
            let mut all = Vec::new();
            for p in unrecognized {
                all.extend_from_slice(&p);
            }
            vec![ErrorCause::UnrecognizedParameters {
                params: Bytes::from(all),
            }]
        };
        self.send_cookie_echo = true;
        self.state = State::CookieEchoed;
        self.t1.stop();
        self.t1.start(self.now, self.rto.get());
    }

    /// Sets up data transfer with the peer's parameters (from its INIT, INIT ACK or the
    /// State Cookie); `self.caps` must already hold what it negotiated.
    pub(super) fn set_peer(
        &mut self,
        peer_initial_tsn: u32,
        a_rwnd: u32,
        peer_inbound_streams: u16,
    ) {
        let interleaved = self.interleaving_in_use();
        self.rx = Some(Receiver::new(
            peer_initial_tsn,
            self.config.receive_buffer(),
            self.config.max_message_size,
            interleaved,
        ));
        self.tx.set_peer_rwnd(a_rwnd);
        self.tx.partial_reliability = self.caps.forward_tsn;
        self.tx.interleaved = interleaved;
        self.outbound_streams = self.config.outbound_streams.min(peer_inbound_streams);
        self.reconf.set_peer_initial_tsn(peer_initial_tsn);
    }

    /// A COOKIE ECHO arrived (RFC 9260 §5.1 D, §5.2.4).
    pub(super) fn on_cookie_echo(&mut self, verification_tag: u32, bytes: &[u8]) -> bool {
        let Some(c) = Cookie::open(&self.cookie_key(), bytes) else {
            self.stats.packets_dropped += 1;
            return false;
        };
        if verification_tag != c.my_tag {
            self.stats.packets_dropped += 1;
            return false;
        }
        let same_my = c.my_tag == self.my_tag;
        let same_peer = c.peer_tag == self.peer_tag;
        let age_ms = self.now_ms().saturating_sub(c.created_ms);
        let life_ms = self.config.valid_cookie_life.as_millis() as u64;
        if age_ms > life_ms && !(same_my && same_peer) {
            self.solo.push_back((
                c.peer_tag,
                Chunk::Error {
                    causes: vec![ErrorCause::StaleCookie {
                        staleness_us: ((age_ms - life_ms) * 1000).min(u64::from(u32::MAX)) as u32,
                    }],
                },
            ));
            return false;
        }
        let established = !matches!(
            self.state,
            State::Closed | State::CookieWait | State::CookieEchoed
        );
        if !same_my && !same_peer {
            // Case A: the peer restarted, if the tie-tags name this association.
            if !established || c.tie_my_tag != self.my_tag || c.tie_peer_tag != self.peer_tag {
                return false;
            }
            if self.state == State::ShutdownAckSent {
                self.send_shutdown_ack = true;
                self.control.push_back(Chunk::Error {
                    causes: vec![ErrorCause::CookieReceivedWhileShuttingDown],
                });
                return false;
            }
            tracing::debug!("SCTP peer restart detected");
            self.tx.clear();
            self.tx = Sender::new(
                c.my_initial_tsn,
                self.config.mtu,
                self.config.max_message_size,
                self.config.max_send_buffer,
                self.config.rack,
            );
            self.tlp.stop();
            self.my_tag = c.my_tag;
            self.my_initial_tsn = c.my_initial_tsn;
            self.reconf = super::reconfig::ReConfig::new(c.my_initial_tsn);
            self.t3.stop();
            self.t2.stop();
            self.hb_outstanding = None;
            self.error_count = 0;
            self.events.push_back(Event::Restarted);
            self.establish_from(&c);
            return true;
        }
        if same_my && !same_peer {
            // Case B (and the passive side of a normal setup): adopt the peer's parameters.
            self.establish_from(&c);
            return true;
        }
        if !same_my && same_peer {
            // Case C: a late cookie of an older attempt.
            return false;
        }
        // Case D: both tags match.
        if !established {
            if self.rx.is_none() {
                self.establish_from(&c);
            } else {
                self.enter_established();
            }
        }
        self.control.push_back(Chunk::CookieAck);
        true
    }

    fn establish_from(&mut self, c: &Cookie) {
        self.peer_tag = c.peer_tag;
        self.caps = c.caps;
        self.set_peer(c.peer_initial_tsn, c.peer_a_rwnd, c.peer_inbound_streams);
        self.enter_established();
        self.control.push_back(Chunk::CookieAck);
    }

    pub(super) fn enter_established(&mut self) {
        self.send_cookie_echo = false;
        self.cookie_echo = None;
        self.init = None;
        self.t1.stop();
        if self.state == State::Established {
            return;
        }
        self.state = State::Established;
        tracing::debug!(peer_tag = self.peer_tag, "SCTP association established");
        self.events.push_back(Event::Connected);
        self.start_heartbeat_timer();
    }

    /// A COOKIE ACK arrived (RFC 9260 §5.1 E).
    pub(super) fn on_cookie_ack(&mut self) {
        if self.state == State::CookieEchoed {
            self.enter_established();
        }
    }

    /// T1-init or T1-cookie expired (RFC 9260 §5.1 A, C).
    pub(super) fn on_t1_expiry(&mut self) {
        self.t1.count += 1;
        if self.t1.count > self.config.max_init_retransmits {
            self.close(CloseReason::ConnectTimeout);
            return;
        }
        self.rto.back_off();
        match self.state {
            State::CookieWait => {
                if let Some(init) = &self.init {
                    self.solo.push_back((0, Chunk::Init(init.clone())));
                }
            }
            State::CookieEchoed => self.send_cookie_echo = true,
            _ => return,
        }
        self.t1.start(self.now, self.rto.get());
    }
}
