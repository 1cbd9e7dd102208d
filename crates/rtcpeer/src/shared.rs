//! What the handles and the driver task share: the attribute [`Snapshot`] the driver publishes
//! after every change (read by the synchronous getters, which therefore never wait for the
//! driver), the `[[IsClosed]]` flag that the synchronous `close()` sets at once (webrtc-pc
//! §4.4.2.2 `close()` takes effect before any queued operation runs), and the socket counters.
//!
//! Nothing here refers to a handle, a handler or the task, so sharing it creates no cycle: the
//! driver holds it to publish, handles hold it to read.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use rtcpeer_core::pc::{DataChannelId, TransceiverId};
use rtcpeer_core::{
    RtcConfiguration, RtcDataChannelState, RtcIceConnectionState, RtcIceGatheringState,
    RtcPeerConnectionState, RtcSctpTransportState, RtcSessionDescription, RtcSignalingState,
};

/// The `RTCSctpTransport` attributes (webrtc-pc §6.1.1) as the connection knows them.
#[doc(alias = "RTCSctpTransport")]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RtcSctpTransport {
    /// `state`.
    pub state: RtcSctpTransportState,
    /// `maxMessageSize`: the largest message `send()` accepts (`f64::INFINITY` for no limit).
    pub max_message_size: f64,
    /// `maxChannels`: `None` until the association is connected.
    pub max_channels: Option<u16>,
}

/// Counters of the socket layer (an rtcpeer extension, not a W3C stats object).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocketStats {
    /// The local address of every bound socket.
    pub local_addrs: Vec<SocketAddr>,
    /// Datagrams read from the sockets.
    pub datagrams_received: u64,
    /// Bytes read from the sockets.
    pub bytes_received: u64,
    /// Datagrams the connection sent.
    pub datagrams_sent: u64,
    /// Bytes the connection sent.
    pub bytes_sent: u64,
    /// Datagrams the connection could not send (no socket for the source address, or the
    /// socket refused them).
    pub send_errors: u64,
    /// Received datagrams no machine took (no transport yet, or not for us).
    pub datagrams_dropped: u64,
}

/// The socket counters, updated by the driver without publishing a snapshot per datagram.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) datagrams_received: AtomicU64,
    pub(crate) bytes_received: AtomicU64,
    pub(crate) datagrams_sent: AtomicU64,
    pub(crate) bytes_sent: AtomicU64,
    pub(crate) send_errors: AtomicU64,
    pub(crate) datagrams_dropped: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// One transceiver as the getters see it: the core's descriptor (cheap to clone).
pub(crate) type TransceiverState = rtcpeer_core::RtcRtpTransceiver;

/// One data channel as the getters see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DataChannelState {
    pub(crate) desc: rtcpeer_core::RtcDataChannel,
    pub(crate) buffered_amount: u64,
}

/// Every attribute the getters answer, as of the last change the driver made.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) signaling_state: RtcSignalingState,
    pub(crate) ice_gathering_state: RtcIceGatheringState,
    pub(crate) ice_connection_state: RtcIceConnectionState,
    pub(crate) connection_state: RtcPeerConnectionState,
    pub(crate) current_local: Option<RtcSessionDescription>,
    pub(crate) pending_local: Option<RtcSessionDescription>,
    pub(crate) current_remote: Option<RtcSessionDescription>,
    pub(crate) pending_remote: Option<RtcSessionDescription>,
    pub(crate) can_trickle: Option<bool>,
    pub(crate) configuration: RtcConfiguration,
    pub(crate) transceivers: Vec<TransceiverState>,
    pub(crate) data_channels: Vec<DataChannelState>,
    pub(crate) sctp: Option<RtcSctpTransport>,
}

impl Snapshot {
    pub(crate) fn transceiver(&self, id: TransceiverId) -> Option<&TransceiverState> {
        self.transceivers.iter().find(|t| t.id() == id)
    }

    pub(crate) fn data_channel(&self, id: DataChannelId) -> Option<&DataChannelState> {
        self.data_channels.iter().find(|c| c.desc.handle() == id)
    }
}

/// The state shared by every handle of one connection and its driver.
#[derive(Debug)]
pub(crate) struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// `[[IsClosed]]`, set by `close()` before the driver hears of it.
    closed: AtomicBool,
    pub(crate) counters: Counters,
    local_addrs: Vec<SocketAddr>,
    next_listener: AtomicU64,
    /// A per-process connection number, for logs.
    pub(crate) number: u64,
    /// The closed connection's stats, for `getStats` after the driver ended.
    pub(crate) final_stats: crate::stats::FinalStats,
}

impl Shared {
    pub(crate) fn new(snapshot: Snapshot, local_addrs: Vec<SocketAddr>, number: u64) -> Self {
        Shared {
            snapshot: RwLock::new(Arc::new(snapshot)),
            closed: AtomicBool::new(false),
            counters: Counters::default(),
            local_addrs,
            next_listener: AtomicU64::new(1),
            number,
            final_stats: crate::stats::FinalStats::default(),
        }
    }

    /// The last published snapshot.
    pub(crate) fn load(&self) -> Arc<Snapshot> {
        // A poisoned lock only means a writer panicked between whole-value stores: the value
        // is a complete snapshot either way.
        Arc::clone(&self.snapshot.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Publishes a snapshot, unless `close()` was called and `core_closed` says this snapshot
    /// predates it (the driver closes the core first and publishes again).
    pub(crate) fn publish(&self, snapshot: Snapshot, core_closed: bool) -> bool {
        let mut slot = self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if self.closed.load(Ordering::Acquire) && !core_closed {
            return false;
        }
        *slot = Arc::new(snapshot);
        true
    }

    /// `close()`'s immediate part: sets `[[IsClosed]]` and makes the getters report the closed
    /// states at once (channels and transceivers through [`Shared::is_closed`]). Returns false
    /// when it was already closed.
    pub(crate) fn mark_closed(&self) -> bool {
        let mut slot = self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if self.closed.swap(true, Ordering::AcqRel) {
            return false;
        }
        let mut s = Snapshot::clone(&slot);
        s.signaling_state = RtcSignalingState::Closed;
        s.ice_connection_state = RtcIceConnectionState::Closed;
        s.connection_state = RtcPeerConnectionState::Closed;
        *slot = Arc::new(s);
        true
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    pub(crate) fn next_listener_id(&self) -> u64 {
        self.next_listener.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn socket_stats(&self) -> SocketStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        SocketStats {
            local_addrs: self.local_addrs.clone(),
            datagrams_received: get(&c.datagrams_received),
            bytes_received: get(&c.bytes_received),
            datagrams_sent: get(&c.datagrams_sent),
            bytes_sent: get(&c.bytes_sent),
            send_errors: get(&c.send_errors),
            datagrams_dropped: get(&c.datagrams_dropped),
        }
    }
}

/// A channel's `readyState` as the getter reports it: "closed" once the connection is closed
/// (the core's descriptors have no public setter, so `close()`'s immediate effect on channels
/// and transceivers is applied by the getters).
pub(crate) fn effective_ready_state(shared: &Shared, c: &DataChannelState) -> RtcDataChannelState {
    if shared.is_closed() {
        RtcDataChannelState::Closed
    } else {
        c.desc.ready_state()
    }
}
