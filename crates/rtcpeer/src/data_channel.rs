//! [`RtcDataChannel`] (webrtc-pc §6.2): a handle holding the channel's id and a weak link to
//! the connection's driver, its attributes (read from the published snapshot), `send()` and
//! `close()`, and its events (`open`, `message`, `bufferedamountlow`, `error`, `closing`,
//! `close`) with the same `on_xxx` / `add_event_listener` / `events()` surface as the
//! connection.
//!
//! The handle does not keep the connection alive: once every `RtcPeerConnection` handle is
//! gone (or `close()` was called) the channel reports `"closed"` and refuses to send.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use rtcpeer_core::pc::DataChannelId;
use rtcpeer_core::{DataChannelParameters, RtcDataChannelState, RtcError, RtcPriorityType};
use tokio::sync::mpsc;

use crate::command::{Command, WeakLink};
use crate::event::{EventStream, ListenerId};
use crate::listeners::{Dispatchable, Registration};
use crate::shared::effective_ready_state;

/// A message on a data channel: a string or binary data (`send(USVString)` /
/// `send(ArrayBuffer)`; PPIDs 51 and 53 of RFC 8831 §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataChannelMessage {
    /// A string message.
    Text(String),
    /// A binary message.
    Binary(Bytes),
}

impl DataChannelMessage {
    /// The size in bytes (UTF-8 for text), as `bufferedAmount` counts it.
    pub fn len(&self) -> usize {
        match self {
            Self::Text(s) => s.len(),
            Self::Binary(b) => b.len(),
        }
    }

    /// Whether the message is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<String> for DataChannelMessage {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<&str> for DataChannelMessage {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<Bytes> for DataChannelMessage {
    fn from(b: Bytes) -> Self {
        Self::Binary(b)
    }
}

impl From<Vec<u8>> for DataChannelMessage {
    fn from(b: Vec<u8>) -> Self {
        Self::Binary(Bytes::from(b))
    }
}

/// The type of a [`DataChannelEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataChannelEventType {
    /// `open`.
    Open,
    /// `message`.
    Message,
    /// `bufferedamountlow`.
    BufferedAmountLow,
    /// `error`.
    Error,
    /// `closing`.
    Closing,
    /// `close`.
    Close,
}

impl DataChannelEventType {
    /// The W3C event type string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Message => "message",
            Self::BufferedAmountLow => "bufferedamountlow",
            Self::Error => "error",
            Self::Closing => "closing",
            Self::Close => "close",
        }
    }
}

impl fmt::Display for DataChannelEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a [`DataChannelEvent`] reports.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DataChannelEventKind {
    /// `open`.
    Open,
    /// `message` (`MessageEvent.data`).
    Message(DataChannelMessage),
    /// `bufferedamountlow`.
    BufferedAmountLow,
    /// `error` (`RTCErrorEvent.error`).
    Error(RtcError),
    /// `closing`.
    Closing,
    /// `close`.
    Close,
}

impl DataChannelEventKind {
    /// The event type.
    pub fn event_type(&self) -> DataChannelEventType {
        match self {
            Self::Open => DataChannelEventType::Open,
            Self::Message(_) => DataChannelEventType::Message,
            Self::BufferedAmountLow => DataChannelEventType::BufferedAmountLow,
            Self::Error(_) => DataChannelEventType::Error,
            Self::Closing => DataChannelEventType::Closing,
            Self::Close => DataChannelEventType::Close,
        }
    }
}

/// An event fired at an [`RtcDataChannel`].
#[derive(Debug, Clone)]
pub struct DataChannelEvent {
    pub(crate) target: RtcDataChannel,
    pub(crate) kind: DataChannelEventKind,
}

impl DataChannelEvent {
    /// `type`.
    #[doc(alias = "type")]
    pub fn event_type(&self) -> DataChannelEventType {
        self.kind.event_type()
    }

    /// What the event reports.
    pub fn kind(&self) -> &DataChannelEventKind {
        &self.kind
    }

    /// `target`: the channel.
    pub fn target(&self) -> &RtcDataChannel {
        &self.target
    }
}

impl Dispatchable for DataChannelEvent {
    type Type = DataChannelEventType;
    fn ty(&self) -> DataChannelEventType {
        self.event_type()
    }
}

/// A handler of data channel events.
pub type DataChannelEventHandler = Box<dyn FnMut(&DataChannelEvent) + Send + 'static>;

/// What every handle of one channel shares with the driver: the bytes `send()` queued that
/// the driver has not yet handed to the core, so that `bufferedAmount` grows as soon as
/// `send()` returns (webrtc-pc §6.2 "send", step "increase bufferedAmount").
#[derive(Debug, Default)]
pub(crate) struct ChannelShared {
    pub(crate) queued: AtomicU64,
}

/// An `RTCDataChannel` handle: cheap to clone, `Send + Sync`.
#[doc(alias = "RTCDataChannel")]
#[derive(Clone)]
pub struct RtcDataChannel {
    id: DataChannelId,
    params: std::sync::Arc<DataChannelParameters>,
    shared: std::sync::Arc<ChannelShared>,
    link: WeakLink,
}

impl fmt::Debug for RtcDataChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtcDataChannel")
            .field("handle", &self.id)
            .field("label", &self.params.label)
            .finish_non_exhaustive()
    }
}

impl PartialEq for RtcDataChannel {
    /// Two handles are equal when they name the same channel of the same connection.
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::sync::Arc::ptr_eq(&self.link.shared, &other.link.shared)
    }
}

impl RtcDataChannel {
    pub(crate) fn new(
        id: DataChannelId,
        params: DataChannelParameters,
        shared: std::sync::Arc<ChannelShared>,
        link: WeakLink,
    ) -> Self {
        RtcDataChannel {
            id,
            params: std::sync::Arc::new(params),
            shared,
            link,
        }
    }

    /// The handle's id within its connection.
    pub fn handle(&self) -> DataChannelId {
        self.id
    }

    /// `label`.
    pub fn label(&self) -> &str {
        &self.params.label
    }

    /// `ordered`.
    pub fn ordered(&self) -> bool {
        self.params.ordered
    }

    /// `maxPacketLifeTime`, in milliseconds.
    pub fn max_packet_life_time(&self) -> Option<u16> {
        match self.params.reliability {
            rtcpeer_core::DataChannelReliability::MaxPacketLifeTime(ms) => Some(ms),
            _ => None,
        }
    }

    /// `maxRetransmits`.
    pub fn max_retransmits(&self) -> Option<u16> {
        match self.params.reliability {
            rtcpeer_core::DataChannelReliability::MaxRetransmits(n) => Some(n),
            _ => None,
        }
    }

    /// `protocol`.
    pub fn protocol(&self) -> &str {
        &self.params.protocol
    }

    /// `negotiated`.
    pub fn negotiated(&self) -> bool {
        self.params.negotiated
    }

    /// `priority`.
    pub fn priority(&self) -> RtcPriorityType {
        self.params.priority
    }

    /// This channel's `"data-channel"` stats (an rtcpeer extension: webrtc-pc reports them
    /// only in the connection's `getStats()`). Works after `close()` too.
    pub async fn get_stats(&self) -> Result<rtcpeer_core::RtcStatsReport, RtcError> {
        let selector = rtcpeer_core::RtcStatsSelector::DataChannel(self.id);
        crate::stats::get_stats(&self.link, Some(selector)).await
    }

    /// `id`: the SCTP stream id, `None` until the DTLS role fixed it.
    pub fn id(&self) -> Option<u16> {
        self.link
            .shared
            .load()
            .data_channel(self.id)
            .and_then(|c| c.desc.id())
    }

    /// `readyState`: `"closed"` once the connection is closed or gone.
    pub fn ready_state(&self) -> RtcDataChannelState {
        if self.link.tx.upgrade().is_none() {
            return RtcDataChannelState::Closed;
        }
        let snapshot = self.link.shared.load();
        snapshot
            .data_channel(self.id)
            .map_or(RtcDataChannelState::Closed, |c| {
                effective_ready_state(&self.link.shared, c)
            })
    }

    /// `bufferedAmount`: bytes queued by `send()` and not yet handed to the network. It
    /// includes a message as soon as `send()` returns.
    pub fn buffered_amount(&self) -> u64 {
        // The queued bytes first: the driver removes them only after publishing the state
        // that counts them, so a race can count a message twice for an instant, never miss it.
        let queued = self.shared.queued.load(Ordering::Acquire);
        let published = self
            .link
            .shared
            .load()
            .data_channel(self.id)
            .map_or(0, |c| c.buffered_amount);
        published.saturating_add(queued)
    }

    /// `bufferedAmountLowThreshold`: `bufferedamountlow` fires when `bufferedAmount` falls
    /// to it or below (initially 0).
    pub fn buffered_amount_low_threshold(&self) -> u64 {
        self.link
            .shared
            .load()
            .data_channel(self.id)
            .map_or(0, |c| c.desc.buffered_amount_low_threshold() as u64)
    }

    /// Sets `bufferedAmountLowThreshold`. It takes effect in order with the `send()` calls
    /// made before it.
    pub fn set_buffered_amount_low_threshold(&self, threshold: u64) {
        let threshold = usize::try_from(threshold).unwrap_or(usize::MAX);
        let _ = self
            .link
            .send(Command::ChannelSetLowThreshold(self.id, threshold));
    }

    /// `send(data)` (webrtc-pc §6.2 "send"): `InvalidStateError` unless `readyState` is
    /// `"open"`; `TypeError` for a message over the SCTP transport's `maxMessageSize`.
    pub fn send(&self, data: impl Into<DataChannelMessage>) -> Result<(), RtcError> {
        let data = data.into();
        if self.ready_state() != RtcDataChannelState::Open {
            return Err(RtcError::invalid_state(format!(
                "send on data channel '{}' in readyState {}",
                self.params.label,
                self.ready_state()
            )));
        }
        let max = self
            .link
            .shared
            .load()
            .sctp
            .map_or(f64::INFINITY, |s| s.max_message_size);
        // Message sizes are far below 2^53: the conversion is exact.
        if data.len() as f64 > max {
            return Err(RtcError::type_error(format!(
                "message of {} bytes exceeds maxMessageSize {max}",
                data.len()
            )));
        }
        let len = data.len() as u64;
        self.shared.queued.fetch_add(len, Ordering::AcqRel);
        if self.link.send(Command::ChannelSend(self.id, data)) {
            Ok(())
        } else {
            self.shared.queued.fetch_sub(len, Ordering::AcqRel);
            Err(crate::command::closed_error())
        }
    }

    /// `close()` (webrtc-pc §6.2): starts the closing procedure. Nothing happens when the
    /// channel or the connection is already closed.
    pub fn close(&self) {
        let _ = self.link.send(Command::ChannelClose(self.id));
    }

    fn register(&self, reg: Registration<DataChannelEvent>) {
        let _ = self.link.send(Command::ChannelEvents(self.id, reg));
    }

    /// `onopen`.
    pub fn on_open(&self, handler: Option<DataChannelEventHandler>) {
        self.register(Registration::Attribute(DataChannelEventType::Open, handler));
    }

    /// `onmessage`.
    pub fn on_message(&self, handler: Option<DataChannelEventHandler>) {
        self.register(Registration::Attribute(
            DataChannelEventType::Message,
            handler,
        ));
    }

    /// `onbufferedamountlow`.
    pub fn on_buffered_amount_low(&self, handler: Option<DataChannelEventHandler>) {
        self.register(Registration::Attribute(
            DataChannelEventType::BufferedAmountLow,
            handler,
        ));
    }

    /// `onerror`.
    pub fn on_error(&self, handler: Option<DataChannelEventHandler>) {
        self.register(Registration::Attribute(
            DataChannelEventType::Error,
            handler,
        ));
    }

    /// `onclosing`.
    pub fn on_closing(&self, handler: Option<DataChannelEventHandler>) {
        self.register(Registration::Attribute(
            DataChannelEventType::Closing,
            handler,
        ));
    }

    /// `onclose`.
    pub fn on_close(&self, handler: Option<DataChannelEventHandler>) {
        self.register(Registration::Attribute(
            DataChannelEventType::Close,
            handler,
        ));
    }

    /// `addEventListener(type, handler)`.
    pub fn add_event_listener(
        &self,
        event_type: DataChannelEventType,
        handler: DataChannelEventHandler,
    ) -> ListenerId {
        let id = ListenerId::new(self.link.shared.next_listener_id());
        self.register(Registration::Add(id, event_type, handler));
        id
    }

    /// `removeEventListener`.
    pub fn remove_event_listener(&self, id: ListenerId) {
        self.register(Registration::Remove(id));
    }

    /// Every event of this channel, as an async stream, from the events fired after the
    /// operations already queued.
    pub fn events(&self) -> EventStream<DataChannelEvent> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.register(Registration::Subscribe(tx));
        EventStream::new(rx)
    }
}
