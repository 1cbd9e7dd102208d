//! What `rtcpeer connect` saw, for the failure dump on stderr: a [`Recorder`] of timed lines
//! (every signaling, ICE, connection and channel state change, every local candidate, the
//! HTTP exchange) and the [`Diagnostics`] (offer sent, answer received, final states, socket
//! counters).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use rtcpeer::{
    DataChannelEventKind, DataChannelEventType, Event, EventKind, EventType, RtcDataChannel,
    RtcPeerConnection, SocketStats,
};

/// Timed lines, `"<ms since start>ms <what>"`, shared with the event handlers.
#[derive(Debug, Clone)]
pub struct Recorder {
    started: Instant,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    /// A recorder whose times count from `started`.
    pub fn new(started: Instant) -> Self {
        Recorder {
            started,
            lines: Arc::default(),
        }
    }

    /// Records a line now.
    pub fn rec(&self, what: impl fmt::Display) {
        let line = format!("{}ms {what}", self.started.elapsed().as_millis());
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
    }

    /// The lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records every state change and local candidate of `pc`.
    pub fn watch(&self, pc: &RtcPeerConnection) {
        for ty in [
            EventType::ConnectionStateChange,
            EventType::IceConnectionStateChange,
            EventType::IceGatheringStateChange,
            EventType::SignalingStateChange,
            EventType::IceCandidate,
        ] {
            let rec = self.clone();
            pc.add_event_listener(
                ty,
                Box::new(move |e: &Event| match e.kind() {
                    EventKind::ConnectionStateChange(s) => rec.rec(format!("connectionState={s}")),
                    EventKind::IceConnectionStateChange(s) => {
                        rec.rec(format!("iceConnectionState={s}"))
                    }
                    EventKind::IceGatheringStateChange(s) => {
                        rec.rec(format!("iceGatheringState={s}"))
                    }
                    EventKind::SignalingStateChange(s) => rec.rec(format!("signalingState={s}")),
                    EventKind::IceCandidate(c) => rec.rec(format!(
                        "icecandidate {}",
                        c.candidate
                            .as_ref()
                            .map_or("(end)", |c| c.candidate.as_str())
                    )),
                    _ => {}
                }),
            );
        }
    }

    /// Records the open, closing, close and error events of `dc`.
    pub fn watch_channel(&self, dc: &RtcDataChannel) {
        for ty in [
            DataChannelEventType::Open,
            DataChannelEventType::Closing,
            DataChannelEventType::Close,
            DataChannelEventType::Error,
        ] {
            let rec = self.clone();
            dc.add_event_listener(
                ty,
                Box::new(move |e| {
                    let c = e.target();
                    let id = c
                        .id()
                        .map_or_else(|| "null".to_owned(), |id| id.to_string());
                    let extra = match e.kind() {
                        DataChannelEventKind::Error(err) => format!(" {err}"),
                        _ => String::new(),
                    };
                    rec.rec(format!(
                        "channel \"{}\" id={id} {}{extra}",
                        c.label(),
                        e.event_type()
                    ));
                }),
            );
        }
    }
}

/// Everything the client saw, printed on stderr when a test fails.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// The offer sent.
    pub offer: Option<String>,
    /// The answer received.
    pub answer: Option<String>,
    /// The timed lines of the [`Recorder`].
    pub log: Vec<String>,
    /// The final states, one line.
    pub states: Option<String>,
    /// The socket counters at the end.
    pub sockets: Option<SocketStats>,
}

impl Diagnostics {
    /// Captures the final states and counters of `pc`.
    pub fn capture_states(&mut self, pc: &RtcPeerConnection) {
        self.states = Some(format!(
            "connectionState={} iceConnectionState={} iceGatheringState={} signalingState={} sctp={:?}",
            pc.connection_state(),
            pc.ice_connection_state(),
            pc.ice_gathering_state(),
            pc.signaling_state(),
            pc.sctp().map(|s| s.state),
        ));
        self.sockets = Some(pc.socket_stats());
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sdp = |s: &Option<String>| s.clone().unwrap_or_else(|| "(none)".to_owned());
        writeln!(f, "--- offer sent:\n{}", sdp(&self.offer).trim_end())?;
        writeln!(f, "--- answer received:\n{}", sdp(&self.answer).trim_end())?;
        writeln!(f, "--- events:")?;
        for line in &self.log {
            writeln!(f, "{line}")?;
        }
        if let Some(states) = &self.states {
            writeln!(f, "--- final states: {states}")?;
        }
        if let Some(s) = &self.sockets {
            writeln!(
                f,
                "--- sockets {:?}: sent {} datagrams ({} B), received {} ({} B), dropped {}, send errors {}",
                s.local_addrs,
                s.datagrams_sent,
                s.bytes_sent,
                s.datagrams_received,
                s.bytes_received,
                s.datagrams_dropped,
                s.send_errors
            )?;
        }
        Ok(())
    }
}
