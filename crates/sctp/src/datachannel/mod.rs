//! WebRTC data channels over an SCTP association (RFC 8831, RFC 8832, W3C `RTCDataChannel`).
//!
//! [`DataChannels`] owns an [`Association`] and adds channels on top of its streams:
//!
//! * opening with DCEP (RFC 8832 §6): the opener sends DATA_CHANNEL_OPEN on a stream of its
//!   parity (even for the DTLS client, odd for the DTLS server, §6) and is open at once; the
//!   peer answers DATA_CHANNEL_ACK; until the ACK arrives the opener sends ordered (§6.6).
//!   Negotiated channels (W3C `negotiated: true`) skip DCEP and use the agreed stream id.
//! * messages with the PPIDs of RFC 8831 §8: 51 string, 53 binary, 56 empty string and 57 empty
//!   binary (sent as one zero byte, §6.6), and on receipt the deprecated 52/54 partial messages.
//! * `bufferedAmount` as the W3C counts it: message bytes queued and not yet handed to the
//!   network (so not DCEP messages nor the byte of an empty message), with
//!   `bufferedAmountLowThreshold` and the `bufferedamountlow` event.
//! * `readyState` connecting → open → closing → closed; closing resets the channel's outgoing
//!   stream once its queued messages are sent, the peer resets its own in turn (RFC 8831
//!   §6.7), and the stream id is free again when both directions are reset.

mod dcep;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtcpeer_types::Rng;

use crate::hash::StreamMap;
use crate::{Association, CloseReason, Config, Event, Reliability, SendError, SnapError};

/// Room a drained event queue keeps (a burst of messages may have grown it far beyond).
const IDLE_EVENTS: usize = 16;

pub use dcep::{ChannelType, DataChannelOpen, DcepError, DcepMessage};

/// PPIDs of RFC 8831 §8.
pub mod ppid {
    /// DCEP messages.
    pub const DCEP: u32 = 50;
    /// A UTF-8 string.
    pub const STRING: u32 = 51;
    /// Part of a binary message (deprecated).
    pub const BINARY_PARTIAL: u32 = 52;
    /// A binary message.
    pub const BINARY: u32 = 53;
    /// Part of a string (deprecated).
    pub const STRING_PARTIAL: u32 = 54;
    /// An empty string.
    pub const STRING_EMPTY: u32 = 56;
    /// An empty binary message.
    pub const BINARY_EMPTY: u32 = 57;
}

/// This endpoint's DTLS role, which decides the parity of the stream ids it picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtlsRole {
    /// DTLS client: even stream ids.
    Client,
    /// DTLS server: odd stream ids.
    Server,
}

/// W3C `RTCDataChannelState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadyState {
    /// "connecting".
    Connecting,
    /// "open".
    Open,
    /// "closing".
    Closing,
    /// "closed".
    Closed,
}

/// W3C `RTCDataChannelInit`, plus the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelInit {
    /// The label.
    pub label: String,
    /// The sub-protocol.
    pub protocol: String,
    /// Ordered delivery (default true).
    pub ordered: bool,
    /// `maxRetransmits` (exclusive with `max_packet_life_time`).
    pub max_retransmits: Option<u16>,
    /// `maxPacketLifeTime`, in milliseconds.
    pub max_packet_life_time: Option<u16>,
    /// `negotiated: true` with this `id`: no DCEP, both sides create the channel.
    pub negotiated_id: Option<u16>,
    /// The DCEP priority (RFC 8832 §5.1; 256 is "low", the W3C default).
    pub priority: u16,
}

impl Default for DataChannelInit {
    fn default() -> Self {
        DataChannelInit {
            label: String::new(),
            protocol: String::new(),
            ordered: true,
            max_retransmits: None,
            max_packet_life_time: None,
            negotiated_id: None,
            priority: 256,
        }
    }
}

/// A received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelMessage {
    /// A string (PPID 51, or 56 when empty).
    Text(String),
    /// Binary data (PPID 53, or 57 when empty).
    Binary(Bytes),
}

/// Something that happened on the data channels.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChannelEvent {
    /// The SCTP association is up.
    Connected,
    /// The peer opened a channel (W3C `datachannel` event); an `Open` follows.
    Incoming {
        /// The stream id.
        id: u16,
    },
    /// The channel is open (W3C `open`).
    Open {
        /// The stream id.
        id: u16,
    },
    /// A message arrived (W3C `message`).
    Message {
        /// The stream id.
        id: u16,
        /// The message.
        message: ChannelMessage,
    },
    /// `bufferedAmount` fell to `bufferedAmountLowThreshold` (W3C `bufferedamountlow`).
    BufferedAmountLow {
        /// The stream id.
        id: u16,
    },
    /// The peer started closing the channel (W3C `closing`).
    Closing {
        /// The stream id.
        id: u16,
    },
    /// The channel is closed (W3C `close`); its id may be reused.
    Closed {
        /// The stream id.
        id: u16,
    },
    /// The association ended; every channel closed before this.
    AssociationClosed {
        /// Why.
        reason: CloseReason,
    },
}

/// Why a channel operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// No stream id is free (W3C `OperationError`).
    #[error("no stream id available")]
    NoIdAvailable,
    /// The negotiated id is taken or out of range (W3C `OperationError`).
    #[error("stream id {0} is in use or invalid")]
    IdInUse(u16),
    /// Both `maxRetransmits` and `maxPacketLifeTime` were given (W3C `TypeError`).
    #[error("maxRetransmits and maxPacketLifeTime are exclusive")]
    ConflictingReliability,
    /// No such channel.
    #[error("no channel with id {0}")]
    UnknownChannel(u16),
    /// The channel is not open (W3C `InvalidStateError`).
    #[error("channel {0} is not open")]
    NotOpen(u16),
    /// The association refused the message (too large, buffer full, ...).
    #[error(transparent)]
    Send(#[from] SendError),
}

/// The description of a channel (W3C `RTCDataChannel` attributes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInfo {
    /// The stream id (W3C `id`).
    pub id: u16,
    /// `label`.
    pub label: String,
    /// `protocol`.
    pub protocol: String,
    /// `ordered`.
    pub ordered: bool,
    /// `maxRetransmits`.
    pub max_retransmits: Option<u16>,
    /// `maxPacketLifeTime` in milliseconds.
    pub max_packet_life_time: Option<u16>,
    /// `negotiated`.
    pub negotiated: bool,
    /// DCEP priority.
    pub priority: u16,
}

#[derive(Debug)]
struct Channel {
    info: ChannelInfo,
    state: ReadyState,
    /// DCEP ACK received (or not needed): unordered delivery may be used.
    acked: bool,
    /// DATA_CHANNEL_OPEN still to be sent (association not up yet).
    open_pending: bool,
    low_threshold: usize,
    outgoing_reset: bool,
    incoming_reset: bool,
    partial: Option<BytesMut>,
}

impl Channel {
    fn reliability(&self) -> Reliability {
        match (self.info.max_retransmits, self.info.max_packet_life_time) {
            (Some(n), _) => Reliability::MaxRetransmits(n),
            (None, Some(ms)) => Reliability::MaxLifetime(Duration::from_millis(u64::from(ms))),
            (None, None) => Reliability::Reliable,
        }
    }

    fn channel_type(&self) -> ChannelType {
        match (
            self.info.ordered,
            self.info.max_retransmits,
            self.info.max_packet_life_time,
        ) {
            (true, Some(_), _) => ChannelType::PartialReliableRexmit,
            (false, Some(_), _) => ChannelType::PartialReliableRexmitUnordered,
            (true, None, Some(_)) => ChannelType::PartialReliableTimed,
            (false, None, Some(_)) => ChannelType::PartialReliableTimedUnordered,
            (true, None, None) => ChannelType::Reliable,
            (false, None, None) => ChannelType::ReliableUnordered,
        }
    }
}

/// Data channels over one SCTP association: the sans-IO machine the peer core drives.
#[derive(Debug)]
pub struct DataChannels {
    assoc: Association,
    role: DtlsRole,
    channels: StreamMap<Channel>,
    events: VecDeque<ChannelEvent>,
    next_id: u16,
}

impl DataChannels {
    /// Data channels over a new association.
    pub fn new(config: Config, role: DtlsRole, now: Instant, rng: Rng) -> Self {
        DataChannels {
            assoc: Association::new(config, now, rng),
            role,
            channels: StreamMap::default(),
            events: VecDeque::new(),
            next_id: match role {
                DtlsRole::Client => 0,
                DtlsRole::Server => 1,
            },
        }
    }

    /// The association underneath.
    pub fn association(&self) -> &Association {
        &self.assoc
    }

    /// Starts the association (both WebRTC peers may call this). With SNAP INIT chunks
    /// exchanged it is established at once and the channels open.
    pub fn connect(&mut self) {
        self.assoc.connect();
        self.process();
    }

    /// SNAP (draft-hancke-tsvwg-snap): the value of our `a=sctp-init` SDP attribute; see
    /// [`Association::local_sctp_init_base64`].
    pub fn local_sctp_init_base64(&mut self) -> String {
        self.assoc.local_sctp_init_base64()
    }

    /// SNAP: the peer's `a=sctp-init` value; see
    /// [`Association::set_remote_sctp_init_base64`].
    pub fn set_remote_sctp_init_base64(&mut self, value: &str) -> Result<(), SnapError> {
        self.assoc.set_remote_sctp_init_base64(value)
    }

    /// Closes everything gracefully (SCTP SHUTDOWN).
    pub fn shutdown(&mut self) {
        self.assoc.shutdown();
    }

    /// Aborts the association.
    pub fn abort(&mut self) {
        self.assoc.abort();
        self.process();
    }

    /// Creates a channel (W3C `createDataChannel`). Returns its stream id.
    pub fn create_channel(&mut self, init: DataChannelInit) -> Result<u16, ChannelError> {
        if init.max_retransmits.is_some() && init.max_packet_life_time.is_some() {
            return Err(ChannelError::ConflictingReliability);
        }
        let id = match init.negotiated_id {
            Some(id) => {
                if id == u16::MAX || self.channels.contains_key(&id) {
                    return Err(ChannelError::IdInUse(id));
                }
                id
            }
            None => self.allocate_id()?,
        };
        let negotiated = init.negotiated_id.is_some();
        let channel = Channel {
            info: ChannelInfo {
                id,
                label: init.label,
                protocol: init.protocol,
                ordered: init.ordered,
                max_retransmits: init.max_retransmits,
                max_packet_life_time: init.max_packet_life_time,
                negotiated,
                priority: init.priority,
            },
            state: ReadyState::Connecting,
            acked: negotiated,
            open_pending: !negotiated,
            low_threshold: 0,
            outgoing_reset: false,
            incoming_reset: false,
            partial: None,
        };
        self.channels.insert(id, channel);
        if self.assoc.is_established() {
            self.open_channel(id);
        }
        Ok(id)
    }

    fn allocate_id(&mut self) -> Result<u16, ChannelError> {
        // The W3C caps ids at 65534; stay within the negotiated stream count too.
        let limit = 65534u32;
        let start = self.next_id;
        let mut id = u32::from(start);
        for _ in 0..=limit / 2 {
            if id > limit {
                id = match self.role {
                    DtlsRole::Client => 0,
                    DtlsRole::Server => 1,
                };
            }
            let candidate = id as u16;
            if !self.channels.contains_key(&candidate) {
                self.next_id = candidate.wrapping_add(2);
                return Ok(candidate);
            }
            id += 2;
        }
        Err(ChannelError::NoIdAvailable)
    }

    /// Opens a channel once the association is up: DCEP OPEN, or nothing for negotiated ones.
    fn open_channel(&mut self, id: u16) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if ch.state != ReadyState::Connecting {
            return;
        }
        if ch.open_pending {
            let reliability_parameter = match ch.channel_type() {
                ChannelType::PartialReliableRexmit
                | ChannelType::PartialReliableRexmitUnordered => {
                    u32::from(ch.info.max_retransmits.unwrap_or(0))
                }
                ChannelType::PartialReliableTimed | ChannelType::PartialReliableTimedUnordered => {
                    u32::from(ch.info.max_packet_life_time.unwrap_or(0))
                }
                _ => 0,
            };
            let open = DcepMessage::Open(DataChannelOpen {
                channel_type: ch.channel_type(),
                priority: ch.info.priority,
                reliability_parameter,
                label: ch.info.label.clone(),
                protocol: ch.info.protocol.clone(),
            });
            ch.open_pending = false;
            if self
                .assoc
                .send_inner(
                    id,
                    ppid::DCEP,
                    false,
                    Reliability::Reliable,
                    open.encode(),
                    false,
                )
                .is_err()
            {
                return;
            }
        }
        let threshold = ch.low_threshold;
        ch.state = ReadyState::Open;
        self.assoc.set_buffered_amount_low_threshold(id, threshold);
        self.events.push_back(ChannelEvent::Open { id });
    }

    /// Sends a string (PPID 51, or 56 when empty).
    pub fn send_text(&mut self, id: u16, text: &str) -> Result<(), ChannelError> {
        if text.is_empty() {
            self.send_raw(id, ppid::STRING_EMPTY, Bytes::from_static(&[0]), false)
        } else {
            self.send_raw(
                id,
                ppid::STRING,
                Bytes::copy_from_slice(text.as_bytes()),
                true,
            )
        }
    }

    /// Sends binary data (PPID 53, or 57 when empty).
    pub fn send_binary(&mut self, id: u16, data: Bytes) -> Result<(), ChannelError> {
        if data.is_empty() {
            self.send_raw(id, ppid::BINARY_EMPTY, Bytes::from_static(&[0]), false)
        } else {
            self.send_raw(id, ppid::BINARY, data, true)
        }
    }

    fn send_raw(
        &mut self,
        id: u16,
        ppid: u32,
        data: Bytes,
        counted: bool,
    ) -> Result<(), ChannelError> {
        let ch = self
            .channels
            .get(&id)
            .ok_or(ChannelError::UnknownChannel(id))?;
        if ch.state != ReadyState::Open {
            return Err(ChannelError::NotOpen(id));
        }
        // RFC 8832 §6.6: ordered until the DATA_CHANNEL_ACK arrives.
        let unordered = !ch.info.ordered && ch.acked;
        let reliability = ch.reliability();
        self.assoc
            .send_inner(id, ppid, unordered, reliability, data, counted)?;
        Ok(())
    }

    /// Closes a channel (W3C `close()`): queued messages are still sent, then the stream is
    /// reset.
    pub fn close(&mut self, id: u16) -> Result<(), ChannelError> {
        let ch = self
            .channels
            .get_mut(&id)
            .ok_or(ChannelError::UnknownChannel(id))?;
        match ch.state {
            ReadyState::Closing | ReadyState::Closed => return Ok(()),
            ReadyState::Connecting if !self.assoc.is_established() => {
                self.channels.remove(&id);
                self.events.push_back(ChannelEvent::Closed { id });
                return Ok(());
            }
            _ => {}
        }
        ch.state = ReadyState::Closing;
        if self.assoc.reset_streams(&[id]).is_err() {
            // No stream reset possible: the channel is gone locally.
            self.finish_close(id);
        }
        Ok(())
    }

    /// W3C `readyState`; `None` for an unknown (or closed and forgotten) channel.
    pub fn ready_state(&self, id: u16) -> Option<ReadyState> {
        self.channels.get(&id).map(|c| c.state)
    }

    /// The channel's attributes.
    pub fn channel(&self, id: u16) -> Option<&ChannelInfo> {
        self.channels.get(&id).map(|c| &c.info)
    }

    /// The ids of the channels that exist (not closed).
    pub fn channel_ids(&self) -> impl Iterator<Item = u16> + '_ {
        self.channels.keys().copied()
    }

    /// W3C `bufferedAmount`: message bytes queued and not yet handed to the network.
    pub fn buffered_amount(&self, id: u16) -> usize {
        if self.channels.contains_key(&id) {
            self.assoc.buffered_amount(id)
        } else {
            0
        }
    }

    /// Sets W3C `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(&mut self, id: u16, threshold: usize) {
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.low_threshold = threshold;
            self.assoc.set_buffered_amount_low_threshold(id, threshold);
        }
    }

    /// W3C `bufferedAmountLowThreshold`.
    pub fn buffered_amount_low_threshold(&self, id: u16) -> usize {
        self.channels.get(&id).map_or(0, |c| c.low_threshold)
    }

    /// Processes one SCTP packet (copied once).
    pub fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        self.assoc.handle_receive(now, packet);
        self.process();
    }

    /// Processes one SCTP packet without copying it.
    pub fn handle_receive_bytes(&mut self, now: Instant, packet: Bytes) {
        self.assoc.handle_receive_bytes(now, packet);
        self.process();
    }

    /// Processes due timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.assoc.handle_timeout(now);
        self.process();
        if self.events.is_empty() && self.events.capacity() > 0 {
            // Timers are rare: a good moment to give back the event queue's room.
            self.events = VecDeque::new();
        }
    }

    /// The next packet to hand to DTLS.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Bytes> {
        let p = self.assoc.poll_transmit(now);
        // Sending may have lowered buffered amounts or completed resets.
        self.process();
        p
    }

    /// The next deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.assoc.poll_timeout()
    }

    /// The next event.
    #[inline]
    pub fn poll_event(&mut self) -> Option<ChannelEvent> {
        let event = self.events.pop_front();
        if event.is_none() && self.events.capacity() > IDLE_EVENTS {
            // A burst of messages grew the queue: give the room back.
            self.events = VecDeque::new();
        }
        event
    }

    /// Turns association events into channel events.
    fn process(&mut self) {
        while let Some(e) = self.assoc.poll_event() {
            match e {
                Event::Connected => {
                    self.events.push_back(ChannelEvent::Connected);
                    let mut ids: Vec<u16> = self.channels.keys().copied().collect();
                    ids.sort_unstable();
                    for id in ids {
                        self.open_channel(id);
                    }
                }
                Event::Message(m) => self.on_message(m.stream_id, m.ppid, m.data),
                Event::BufferedAmountLow { stream_id } => {
                    if self
                        .channels
                        .get(&stream_id)
                        .is_some_and(|c| c.state == ReadyState::Open)
                    {
                        self.events
                            .push_back(ChannelEvent::BufferedAmountLow { id: stream_id });
                    }
                }
                Event::OutgoingStreamsReset { streams } => {
                    for id in streams {
                        if let Some(ch) = self.channels.get_mut(&id) {
                            ch.outgoing_reset = true;
                            if ch.incoming_reset {
                                self.finish_close(id);
                            }
                        }
                    }
                }
                Event::IncomingStreamsReset { streams } => {
                    let ids: Vec<u16> = if streams.is_empty() {
                        self.channels.keys().copied().collect()
                    } else {
                        streams
                    };
                    for id in ids {
                        self.on_incoming_reset(id);
                    }
                }
                Event::StreamResetFailed { streams } => {
                    for id in streams {
                        self.finish_close(id);
                    }
                }
                Event::Restarted => {}
                Event::Closed { reason } => {
                    let mut ids: Vec<u16> = self.channels.keys().copied().collect();
                    ids.sort_unstable();
                    for id in ids {
                        self.finish_close(id);
                    }
                    self.events
                        .push_back(ChannelEvent::AssociationClosed { reason });
                }
            }
        }
    }

    fn on_incoming_reset(&mut self, id: u16) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        ch.incoming_reset = true;
        match ch.state {
            ReadyState::Open | ReadyState::Connecting => {
                // The peer closes: we reset our side in turn (RFC 8831 §6.7).
                ch.state = ReadyState::Closing;
                self.events.push_back(ChannelEvent::Closing { id });
                if self.assoc.reset_streams(&[id]).is_err() {
                    self.finish_close(id);
                }
            }
            ReadyState::Closing => {
                if ch.outgoing_reset {
                    self.finish_close(id);
                }
            }
            ReadyState::Closed => {}
        }
    }

    fn finish_close(&mut self, id: u16) {
        if self.channels.remove(&id).is_some() {
            self.events.push_back(ChannelEvent::Closed { id });
        }
    }

    fn on_message(&mut self, id: u16, ppid: u32, data: Bytes) {
        if ppid == ppid::DCEP {
            self.on_dcep(id, &data);
            return;
        }
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if !matches!(ch.state, ReadyState::Open | ReadyState::Closing) {
            return;
        }
        let message = match ppid {
            ppid::STRING | ppid::BINARY => {
                let data = match ch.partial.take() {
                    Some(mut p) => {
                        p.extend_from_slice(&data);
                        p.freeze()
                    }
                    None => data,
                };
                if ppid == ppid::STRING {
                    match String::from_utf8(data.to_vec()) {
                        Ok(s) => ChannelMessage::Text(s),
                        Err(_) => return, // Not UTF-8: dropped.
                    }
                } else {
                    ChannelMessage::Binary(data)
                }
            }
            ppid::STRING_PARTIAL | ppid::BINARY_PARTIAL => {
                ch.partial
                    .get_or_insert_with(BytesMut::new)
                    .extend_from_slice(&data);
                return;
            }
            ppid::STRING_EMPTY => ChannelMessage::Text(String::new()),
            ppid::BINARY_EMPTY => ChannelMessage::Binary(Bytes::new()),
            _ => return,
        };
        self.events.push_back(ChannelEvent::Message { id, message });
    }

    fn on_dcep(&mut self, id: u16, data: &[u8]) {
        match DcepMessage::decode(data) {
            Ok(DcepMessage::Ack) => {
                if let Some(ch) = self.channels.get_mut(&id) {
                    ch.acked = true;
                }
            }
            Ok(DcepMessage::Open(open)) => {
                let parity_ok = match self.role {
                    // The peer must pick ids of the other parity (RFC 8832 §6).
                    DtlsRole::Client => id % 2 == 1,
                    DtlsRole::Server => id.is_multiple_of(2),
                };
                if self.channels.contains_key(&id) || !parity_ok {
                    tracing::debug!(id, "DATA_CHANNEL_OPEN for an id in use or of our parity");
                    return;
                }
                let (max_retransmits, max_packet_life_time) = match open.channel_type {
                    ChannelType::PartialReliableRexmit
                    | ChannelType::PartialReliableRexmitUnordered => (
                        Some(open.reliability_parameter.min(u32::from(u16::MAX)) as u16),
                        None,
                    ),
                    ChannelType::PartialReliableTimed
                    | ChannelType::PartialReliableTimedUnordered => (
                        None,
                        Some(open.reliability_parameter.min(u32::from(u16::MAX)) as u16),
                    ),
                    _ => (None, None),
                };
                let channel = Channel {
                    info: ChannelInfo {
                        id,
                        label: open.label,
                        protocol: open.protocol,
                        ordered: open.channel_type.ordered(),
                        max_retransmits,
                        max_packet_life_time,
                        negotiated: false,
                        priority: open.priority,
                    },
                    state: ReadyState::Open,
                    acked: true,
                    open_pending: false,
                    low_threshold: 0,
                    outgoing_reset: false,
                    incoming_reset: false,
                    partial: None,
                };
                self.channels.insert(id, channel);
                let ack = DcepMessage::Ack.encode();
                let _ =
                    self.assoc
                        .send_inner(id, ppid::DCEP, false, Reliability::Reliable, ack, false);
                self.events.push_back(ChannelEvent::Incoming { id });
                self.events.push_back(ChannelEvent::Open { id });
            }
            Err(e) => tracing::debug!(id, error = %e, "bad DCEP message dropped"),
        }
    }
}
