//! The driver task of one connection (DESIGN §3 "Concurrency"): it owns the sans-IO core
//! ([`Core`]), the sockets and the event handlers, and waits on three inputs with
//! `tokio::select!`: the command channel (the operations chain, in order), the core's timer
//! (`poll_timeout`), the UDP sockets (every ready datagram is drained per wake-up, each handed
//! to the core with the receiving socket's address) and the ICE-TCP sockets ([`TcpLayer`]:
//! accepted and opened connections and the bytes read on them). After every input it drains all output:
//! datagrams to send (each from the socket bound to its source address), transport commands,
//! then events. Events held back behind a `datachannel` event fire once the commands its
//! handlers queued (the new channel's handlers) have run.
//!
//! After an operation, in the spec's order (webrtc-pc §4.4.1.5, §4.7.3): the new attribute
//! snapshot is published, the events the operation fired are dispatched, the caller's result is
//! sent, and only then does a queued `negotiationneeded` fire (it is a queued task in the spec,
//! which runs after the promise settles).
//!
//! ICE server host names are looked up by the [`resolve`] module: before each command, the
//! names the core asks for are handed to it, and each answer goes to the core as an input.
//!
//! The task ends when `close()` was called (it closes the core and fires nothing more) or when
//! the last `RtcPeerConnection` handle is dropped; everything it owns, handlers included, is
//! freed then.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rtcpeer_core::pc::{ChannelMessage, DataChannelId, TransceiverId};
use rtcpeer_core::{MediaStream, PeerConnectionEvent, RtcError, RtcErrorDetailType, RtcErrorInit};
use tokio::sync::mpsc;

use crate::command::{Command, Reply, WeakLink};
use crate::data_channel::{
    ChannelShared, DataChannelEvent, DataChannelEventKind, DataChannelMessage, RtcDataChannel,
};
use crate::event::{
    Event, EventKind, EventType, IceCandidateErrorEvent, IceCandidateEvent, TrackEvent,
};
use crate::listeners::{Dispatchable, Listeners};
use crate::machine::{Core, Machine};
use crate::media::{RtcRtpReceiver, RtcRtpTransceiver};
use crate::net::Sockets;
use crate::peer_connection::WeakRtcPeerConnection;
use crate::shared::{Counters, DataChannelState, Shared, Snapshot};
use crate::tcp::{TcpInput, TcpLayer};

mod resolve;
use resolve::Resolver;

/// Driver tasks alive in the process.
static LIVE_DRIVERS: AtomicUsize = AtomicUsize::new(0);

/// How many connection driver tasks are alive in this process: a diagnostic for leak tests and
/// monitoring (a closed or dropped connection's task is gone shortly after).
pub fn live_driver_tasks() -> usize {
    LIVE_DRIVERS.load(Ordering::Acquire)
}

/// Counts the task while it lives, whatever way it ends.
struct AliveGuard;

impl AliveGuard {
    fn new() -> Self {
        LIVE_DRIVERS.fetch_add(1, Ordering::AcqRel);
        AliveGuard
    }
}

impl Drop for AliveGuard {
    fn drop(&mut self) {
        LIVE_DRIVERS.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Dispatchable for Event {
    type Type = crate::event::EventType;
    fn ty(&self) -> Self::Type {
        self.event_type()
    }
}

/// The driver of one connection.
pub(crate) struct Driver {
    /// Boxed: the core is large (the transport stack is inline in it), and the driver's
    /// future holds the driver by value more than once.
    core: Box<Core>,
    rx: mpsc::UnboundedReceiver<Command>,
    link: WeakLink,
    shared: Arc<Shared>,
    sockets: Sockets,
    /// The ICE-TCP listeners and connections (RFC 6544).
    tcp: TcpLayer,
    /// The ICE server host name lookups under way.
    resolver: Resolver,
    listeners: Listeners<Event>,
    channel_listeners: HashMap<DataChannelId, Listeners<DataChannelEvent>>,
    /// Events held back after a `datachannel` event, so that the handlers it registered on the
    /// new channel (queued as commands) are in place before the channel's `open` fires.
    deferred: VecDeque<Pending>,
    /// What each channel's handles share with the driver (the bytes `send()` queued).
    channel_shared: HashMap<DataChannelId, Arc<ChannelShared>>,
    /// Bytes of `ChannelSend` commands executed since the last publication: they leave the
    /// handles' queued count once the published state counts them.
    sent_unpublished: Vec<(DataChannelId, u64)>,
    /// Events of channels that no listener was ever registered on (bounded): a channel
    /// returned by `create_data_channel` can open before its creator could add a handler,
    /// which JavaScript's run-to-completion rules out. They fire once one is registered.
    held: HashMap<DataChannelId, Vec<DataChannelEvent>>,
    /// Each channel's `bufferedAmount` as last evaluated, for `bufferedamountlow`.
    buffered_seen: HashMap<DataChannelId, u64>,
    /// Sends were executed whose output is not produced yet.
    sends_pending: bool,
    /// The remote stream ids announced so far (legacy `addstream` / `removestream`).
    remote_streams: Vec<String>,
    _alive: AliveGuard,
}

impl Driver {
    pub(crate) fn new(
        mut core: Core,
        rx: mpsc::UnboundedReceiver<Command>,
        link: WeakLink,
        sockets: Sockets,
        mut tcp: TcpLayer,
    ) -> Self {
        core.add_local_interfaces(&sockets.local_addrs());
        // TURN over TCP (RFC 8656 §3.1) from the UDP sockets' addresses.
        tcp.allow_relays_from(&sockets.local_addrs());
        for addr in tcp.listener_addrs() {
            core.pc.add_local_tcp_listener(addr);
        }
        Driver {
            core: Box::new(core),
            rx,
            shared: Arc::clone(&link.shared),
            link,
            sockets,
            tcp,
            resolver: Resolver::default(),
            listeners: Listeners::default(),
            channel_listeners: HashMap::new(),
            deferred: VecDeque::new(),
            channel_shared: HashMap::new(),
            sent_unpublished: Vec::new(),
            held: HashMap::new(),
            buffered_seen: HashMap::new(),
            sends_pending: false,
            remote_streams: Vec::new(),
            _alive: AliveGuard::new(),
        }
    }

    /// The attribute snapshot of the core's current state.
    pub(crate) fn snapshot(core: &Core) -> Snapshot {
        let pc = &core.pc;
        Snapshot {
            signaling_state: pc.signaling_state(),
            ice_gathering_state: pc.ice_gathering_state(),
            ice_connection_state: pc.ice_connection_state(),
            connection_state: pc.connection_state(),
            current_local: pc.current_local_description().cloned(),
            pending_local: pc.pending_local_description().cloned(),
            current_remote: pc.current_remote_description().cloned(),
            pending_remote: pc.pending_remote_description().cloned(),
            can_trickle: pc.can_trickle_ice_candidates(),
            configuration: pc.get_configuration().clone(),
            transceivers: pc.get_transceivers().cloned().collect(),
            data_channels: pc
                .data_channels()
                .map(|c| DataChannelState {
                    desc: c.clone(),
                    buffered_amount: pc.buffered_amount(c.handle()) as u64,
                })
                .collect(),
            sctp: core.sctp(),
        }
    }

    /// Executes `first` and the commands already queued behind it (at most
    /// [`MAX_COMMANDS_PER_WAKE`]), then produces the output of their sends once: a loop of
    /// `send()` calls fills packets instead of sending one packet per message.
    fn execute_burst(&mut self, first: Command) {
        self.execute(first);
        for _ in 1..MAX_COMMANDS_PER_WAKE {
            // A `setConfiguration` may have named new ICE servers.
            self.start_lookups();
            match self.rx.try_recv() {
                Ok(cmd) => self.execute(cmd),
                Err(_) => break,
            }
        }
        if std::mem::take(&mut self.sends_pending) {
            self.after_input();
        }
    }

    /// Runs the connection until `close()` or the last handle is dropped.
    pub(crate) async fn run(mut self) {
        tracing::debug!("driver started");
        loop {
            // Before the first command: the transport waits for the names asked for here.
            self.start_lookups();
            let deadline = self.core.poll_timeout();
            tokio::select! {
                biased;
                cmd = self.rx.recv() => match cmd {
                    Some(cmd) => self.execute_burst(cmd),
                    None => break,
                },
                () = std::future::ready(()), if !self.deferred.is_empty() => {
                    let deferred = std::mem::take(&mut self.deferred);
                    self.dispatch_all(deferred.into(), None);
                }
                () = sleep_until(deadline) => {
                    self.core.handle_timeout(now());
                    self.after_input();
                }
                () = std::future::poll_fn(|cx| self.sockets.poll_readable(cx)) => {
                    self.receive();
                    self.after_input();
                }
                inputs = std::future::poll_fn(|cx| self.tcp.poll_input(cx)) => {
                    self.tcp_input(inputs);
                    self.after_input();
                }
                (host, addrs) = std::future::poll_fn(|cx| self.resolver.poll_answer(cx)) => {
                    self.core.handle_timeout(now());
                    self.core.pc.handle_ice_server_host_resolved(&host, &addrs);
                    self.after_input();
                }
            }
            if self.core.pc.is_closed() {
                break;
            }
        }
        if !self.core.pc.is_closed() {
            // Every handle was dropped: close the connection so the transports stop.
            self.shared.mark_closed();
            self.close_core();
        }
        tracing::debug!("driver ended");
    }

    /// Starts a lookup for each ICE server host name the core asks for.
    fn start_lookups(&mut self) {
        while let Some(host) = self.core.pc.poll_ice_server_host() {
            self.resolver.start(host);
        }
    }

    fn receive(&mut self) {
        let now = now();
        let counters = &self.shared.counters;
        let core = &mut self.core;
        self.sockets.drain(|datagram| {
            Counters::add(&counters.datagrams_received, 1);
            Counters::add(&counters.bytes_received, datagram.contents.len() as u64);
            if !core.handle_receive(now, datagram) {
                Counters::add(&counters.datagrams_dropped, 1);
            }
        });
    }

    /// What happened on the ICE-TCP sockets, handed to the core.
    fn tcp_input(&mut self, inputs: Vec<TcpInput>) {
        let now = now();
        let counters = &self.shared.counters;
        let pc = &mut self.core.pc;
        for input in inputs {
            match input {
                TcpInput::Accepted {
                    local,
                    remote,
                    stream,
                } => match pc.handle_tcp_accepted(now, local, remote) {
                    Some(id) => self.tcp.adopt(id, stream, local, remote),
                    None => drop(stream),
                },
                TcpInput::Connected { id, local } => pc.handle_tcp_connected(now, id, local),
                TcpInput::ConnectFailed { id } => pc.handle_tcp_connect_failed(now, id),
                TcpInput::Data(rx) => {
                    Counters::add(&counters.bytes_received, rx.contents.len() as u64);
                    pc.handle_receive(now, rx);
                }
                TcpInput::Closed { id } => pc.handle_tcp_closed(now, id),
                TcpInput::RelayClosed { local, server } => {
                    pc.handle_relay_connection_closed(now, local, server);
                }
            }
        }
    }

    /// Output after a datagram, a timeout or a data channel command: state is republished
    /// only when something happened (an event, a transport command, a changed
    /// `bufferedAmount`), not per datagram.
    fn after_input(&mut self) {
        self.transmit();
        let commands = self.core.drain_transport_commands();
        let (events, nn) = self.collect_events();
        if commands || !events.is_empty() || nn.is_some() || self.buffered_changed() {
            self.publish();
        } else {
            self.settle_sends();
        }
        self.dispatch_all(events, nn);
    }

    /// Whether some channel's `bufferedAmount` differs from the published one.
    fn buffered_changed(&self) -> bool {
        let published = self.shared.load();
        self.core.pc.data_channels().any(|c| {
            let now = self.core.pc.buffered_amount(c.handle()) as u64;
            published
                .data_channel(c.handle())
                .is_none_or(|p| p.buffered_amount != now)
        })
    }

    fn transmit(&mut self) {
        let c = &self.shared.counters;
        while let Some(t) = self.core.poll_transmit() {
            if t.protocol != rtcpeer_types::Protocol::Udp {
                let len = t.contents.len() as u64;
                if self.tcp.send(t) {
                    Counters::add(&c.bytes_sent, len);
                } else {
                    Counters::add(&c.send_errors, 1);
                }
                continue;
            }
            match self.sockets.send(&t) {
                Ok(n) => {
                    Counters::add(&c.datagrams_sent, 1);
                    Counters::add(&c.bytes_sent, n as u64);
                }
                Err(e) => {
                    tracing::debug!(error = %e, "send failed");
                    Counters::add(&c.send_errors, 1);
                    self.core.pc.report_send_failure(&t);
                }
            }
        }
        // After the bytes: a `Close` comes after what was written on its connection.
        while let Some(command) = self.core.pc.poll_tcp_command() {
            self.tcp.command(command);
        }
    }

    fn publish(&mut self) {
        let snapshot = Self::snapshot(&self.core);
        self.shared.publish(snapshot, self.core.pc.is_closed());
        self.settle_sends();
    }

    /// The executed sends leave the handles' queued counts: the core counts what it kept.
    fn settle_sends(&mut self) {
        for (id, len) in self.sent_unpublished.drain(..) {
            if let Some(shared) = self.channel_shared.get(&id) {
                shared.queued.fetch_sub(len, Ordering::AcqRel);
            }
        }
        let pc = &self.core.pc;
        self.channel_shared
            .retain(|id, _| pc.data_channel(*id).is_some());
        self.held.retain(|id, _| pc.data_channel(*id).is_some());
    }

    /// `bufferedamountlow` (webrtc-pc §6.2): fired when `bufferedAmount` as the handles see
    /// it (the core's count plus the bytes of sends not yet executed) falls from above
    /// `bufferedAmountLowThreshold` to or below it. Sends only raise that amount, so every
    /// fall is seen here, after the core's output.
    fn buffered_low_events(&mut self, out: &mut Vec<Pending>) {
        let mut low = Vec::new();
        for (id, shared) in &self.channel_shared {
            let Some(c) = self.core.pc.data_channel(*id) else {
                continue;
            };
            if c.ready_state() == rtcpeer_core::RtcDataChannelState::Closed {
                continue;
            }
            let now = (self.core.pc.buffered_amount(*id) as u64)
                .saturating_add(shared.queued.load(Ordering::Acquire));
            let threshold = c.buffered_amount_low_threshold() as u64;
            let before = self.buffered_seen.insert(*id, now).unwrap_or(0);
            if before > threshold && now <= threshold {
                low.push(*id);
            }
        }
        let pc = &self.core.pc;
        self.buffered_seen
            .retain(|id, _| pc.data_channel(*id).is_some());
        for id in low {
            out.extend(self.channel_event(id, DataChannelEventKind::BufferedAmountLow));
        }
    }

    /// A handle of channel `id` (sharing the queued-bytes count of the others).
    fn channel_handle(&mut self, id: DataChannelId) -> Option<RtcDataChannel> {
        let c = self.core.pc.data_channel(id)?;
        let shared = Arc::clone(self.channel_shared.entry(id).or_default());
        Some(RtcDataChannel::new(
            id,
            c.parameters().clone(),
            shared,
            self.link.clone(),
        ))
    }

    /// Publishes the state, dispatches the fired events, sends the result, then fires a
    /// queued `negotiationneeded`.
    fn complete<T>(&mut self, reply: Reply<T>, result: Result<T, RtcError>) {
        self.transmit();
        self.core.drain_transport_commands();
        let (events, nn) = self.collect_events();
        self.publish();
        self.dispatch_all(events, None);
        let _ = reply.send(result);
        self.dispatch_all(Vec::new(), nn);
    }

    /// [`Driver::complete`] for an operation without a result.
    fn flush(&mut self) {
        self.transmit();
        self.core.drain_transport_commands();
        let (events, nn) = self.collect_events();
        self.publish();
        self.dispatch_all(events, nn);
    }

    /// The core's events, as public events, with a trailing `negotiationneeded` (the queued
    /// task runs once the fired events are taken) apart.
    fn collect_events(&mut self) -> (Vec<Pending>, Option<Pending>) {
        let mut out = Vec::new();
        let mut nn = None;
        while let Some(e) = self.core.pc.poll_event() {
            match e {
                PeerConnectionEvent::NegotiationNeeded => {
                    nn = Some(self.pc_event(EventKind::NegotiationNeeded))
                }
                PeerConnectionEvent::SignalingStateChange(s) => {
                    out.push(self.pc_event(EventKind::SignalingStateChange(s)));
                }
                PeerConnectionEvent::Track(t) => {
                    if let Some(kind) = self.track_event(t.transceiver, t.track, t.streams) {
                        out.push(self.pc_event(kind));
                    }
                }
                PeerConnectionEvent::DataChannelError(id) => {
                    let init = RtcErrorInit::new(RtcErrorDetailType::DataChannelFailure);
                    let err = RtcError::rtc(init, "no SCTP stream id is available for the channel");
                    out.extend(self.channel_event(id, DataChannelEventKind::Error(err)));
                    out.extend(self.channel_event(id, DataChannelEventKind::Close));
                }
                PeerConnectionEvent::IceCandidate(candidate) => {
                    let e = IceCandidateEvent {
                        candidate,
                        url: None,
                    };
                    out.push(self.pc_event(EventKind::IceCandidate(e)));
                }
                PeerConnectionEvent::IceCandidateError {
                    address,
                    port,
                    url,
                    error_code,
                    error_text,
                } => {
                    let e = IceCandidateErrorEvent {
                        address: address.map(|a| a.to_string()),
                        port,
                        url,
                        error_code,
                        error_text,
                    };
                    out.push(self.pc_event(EventKind::IceCandidateError(e)));
                }
                PeerConnectionEvent::IceGatheringStateChange(s) => {
                    out.push(self.pc_event(EventKind::IceGatheringStateChange(s)));
                }
                PeerConnectionEvent::IceConnectionStateChange(s) => {
                    out.push(self.pc_event(EventKind::IceConnectionStateChange(s)));
                }
                PeerConnectionEvent::ConnectionStateChange(s) => {
                    out.push(self.pc_event(EventKind::ConnectionStateChange(s)));
                }
                PeerConnectionEvent::SctpStateChange(s) => {
                    // `RTCSctpTransport` has no event target here; `sctp()` reports it.
                    tracing::debug!(state = %s, "SCTP transport state");
                }
                PeerConnectionEvent::DataChannel(id) => {
                    if let Some(channel) = self.channel_handle(id) {
                        out.push(self.pc_event(EventKind::DataChannel(channel)));
                    }
                }
                PeerConnectionEvent::DataChannelOpen(id) => {
                    out.extend(self.channel_event(id, DataChannelEventKind::Open));
                }
                PeerConnectionEvent::DataChannelMessage { channel, message } => {
                    let message = match message {
                        ChannelMessage::Text(t) => DataChannelMessage::Text(t),
                        ChannelMessage::Binary(b) => DataChannelMessage::Binary(b),
                    };
                    out.extend(self.channel_event(channel, DataChannelEventKind::Message(message)));
                }
                // The handles' `bufferedAmount` also counts the bytes of sends not yet executed:
                // the event is derived from that amount (below), not from the core's.
                PeerConnectionEvent::DataChannelBufferedAmountLow(_) => {}
                PeerConnectionEvent::DataChannelClosing(id) => {
                    out.extend(self.channel_event(id, DataChannelEventKind::Closing));
                }
                PeerConnectionEvent::DataChannelClose(id) => {
                    out.extend(self.channel_event(id, DataChannelEventKind::Close));
                }
                other => tracing::debug!(event = ?other, "event not surfaced"),
            }
        }
        self.buffered_low_events(&mut out);
        out.extend(self.stream_events());
        (out, nn)
    }

    fn pc_event(&self, kind: EventKind) -> Pending {
        Pending::Pc(Event {
            target: WeakRtcPeerConnection::new(self.link.clone()),
            kind,
        })
    }

    fn track_event(
        &self,
        transceiver: TransceiverId,
        track: rtcpeer_core::MediaStreamTrack,
        streams: Vec<MediaStream>,
    ) -> Option<EventKind> {
        let t = self.core.pc.transceiver(transceiver)?;
        Some(EventKind::Track(TrackEvent {
            receiver: RtcRtpReceiver::new(t.receiver().id(), t.id(), self.link.clone()),
            track,
            streams,
            transceiver: RtcRtpTransceiver::from_state(t, self.link.clone()),
        }))
    }

    fn channel_event(&mut self, id: DataChannelId, kind: DataChannelEventKind) -> Option<Pending> {
        let target = self.channel_handle(id)?;
        Some(Pending::Channel(id, DataChannelEvent { target, kind }))
    }

    /// Legacy `addstream` / `removestream`: the remote streams of the receivers of the
    /// non-stopped transceivers, compared with those announced before.
    fn stream_events(&mut self) -> Vec<Pending> {
        let mut now: Vec<String> = Vec::new();
        for t in self.core.pc.get_transceivers().filter(|t| !t.is_stopped()) {
            for s in t.receiver().remote_stream_ids() {
                if !now.contains(s) {
                    now.push(s.clone());
                }
            }
        }
        let mut out = Vec::new();
        for gone in self.remote_streams.iter().filter(|s| !now.contains(s)) {
            out.push(self.pc_event(EventKind::RemoveStream(MediaStream::new(gone.clone()))));
        }
        for new in now.iter().filter(|s| !self.remote_streams.contains(s)) {
            out.push(self.pc_event(EventKind::AddStream(MediaStream::new(new.clone()))));
        }
        self.remote_streams = now;
        out
    }

    /// Runs the handlers of each event, in order; nothing fires once `close()` was called.
    /// After a `datachannel` event the rest waits (in [`Driver::deferred`]) until the commands
    /// its handlers queued, such as the new channel's `onopen`, have run.
    fn dispatch_all(&mut self, events: Vec<Pending>, nn: Option<Pending>) {
        let mut events = events.into_iter().chain(nn);
        if !self.deferred.is_empty() {
            // Keep the order: what was held back fires first.
            self.deferred.extend(events);
            return;
        }
        while let Some(p) = events.next() {
            if self.shared.is_closed() {
                self.deferred.clear();
                return;
            }
            match p {
                Pending::Pc(e) => {
                    tracing::debug!(event = %e.event_type(), "fire");
                    self.listeners.dispatch(&e);
                    if e.event_type() == EventType::DataChannel {
                        self.deferred.extend(events);
                        return;
                    }
                }
                Pending::Channel(id, e) => {
                    tracing::debug!(channel = %id, event = %e.event_type(), "fire");
                    if let Some(l) = self.channel_listeners.get_mut(&id) {
                        l.dispatch(&e);
                    } else {
                        let held = self.held.entry(id).or_default();
                        if held.len() < MAX_HELD_EVENTS {
                            held.push(e);
                        } else {
                            tracing::debug!(channel = %id, "event dropped: nobody listens");
                        }
                    }
                }
            }
        }
    }

    /// "Close the connection" (webrtc-pc §4.4.2.2 `close()` steps): no event fires after it.
    fn close_core(&mut self) {
        self.core.pc.close();
        self.core.drain_transport_commands();
        self.transmit();
        while self.core.pc.poll_event().is_some() {}
        self.publish();
        if let Ok(report) = self.core.pc.get_stats(now(), None) {
            self.shared.final_stats.store(report);
        }
    }

    fn execute(&mut self, cmd: Command) {
        tracing::trace!(command = ?cmd, "execute");
        if self.shared.is_closed() && !self.core.pc.is_closed() {
            // `close()` takes effect before the operations queued behind it.
            self.close_core();
        }
        if !matches!(cmd, Command::Events(_) | Command::ChannelEvents(..)) {
            // Signaling methods take no time: bring the core's clock up to date first.
            self.core.handle_timeout(now());
        }
        let pc = &mut self.core.pc;
        match cmd {
            Command::CreateOffer(options, r) => {
                let res = pc.create_offer(options);
                self.complete(r, res);
            }
            Command::CreateAnswer(r) => {
                let res = pc.create_answer();
                self.complete(r, res);
            }
            Command::SetLocalDescription(d, r) => {
                let res = pc
                    .set_local_description(d)
                    .map(|()| pc.local_description().cloned());
                self.complete(r, res);
            }
            Command::SetRemoteDescription(d, r) => {
                let res = pc.set_remote_description(d);
                self.complete(r, res);
            }
            Command::AddIceCandidate(c, r) => {
                let res = pc.add_ice_candidate(c);
                self.complete(r, res);
            }
            Command::SetConfiguration(c, r) => {
                let res = pc.set_configuration(*c);
                self.complete(r, res);
            }
            Command::RestartIce => {
                pc.restart_ice();
                self.flush();
            }
            Command::Close => {
                if !pc.is_closed() {
                    self.close_core();
                }
            }
            Command::AddTrack(track, streams, r) => {
                let res = pc.add_track(track, &streams).and_then(|sender| {
                    pc.get_transceivers()
                        .find(|t| t.sender().id() == sender)
                        .cloned()
                        .ok_or_else(|| RtcError::operation("the sender's transceiver is gone"))
                });
                self.complete(r, res);
            }
            Command::RemoveTrack(sender, r) => {
                let res = pc.remove_track(sender);
                self.complete(r, res);
            }
            Command::AddTransceiver(what, init, r) => {
                let res = pc.add_transceiver(what, init).and_then(|id| {
                    pc.transceiver(id)
                        .cloned()
                        .ok_or_else(|| RtcError::operation("the transceiver is gone"))
                });
                self.complete(r, res);
            }
            Command::SetDirection(id, direction, r) => {
                let res = if pc.is_closed() {
                    Err(crate::command::closed_error())
                } else {
                    pc.set_transceiver_direction(id, direction)
                };
                self.complete(r, res);
            }
            Command::StopTransceiver(id, r) => {
                let res = pc.stop_transceiver(id);
                self.complete(r, res);
            }
            Command::CreateDataChannel(label, init, r) => {
                let res = pc.create_data_channel(&label, init).and_then(|id| {
                    self.channel_handle(id)
                        .ok_or_else(|| RtcError::operation("the data channel is gone"))
                });
                self.complete(r, res);
            }
            Command::ChannelSend(id, message) => {
                self.sent_unpublished.push((id, message.len() as u64));
                // `send()` checked the published state; a channel that stopped being open since
                // then discards the data (webrtc-pc §6.2 "send": only an open channel
                // transmits).
                if let Err(e) = self.core.send_channel_message(id, message) {
                    tracing::debug!(channel = %id, error = %e, "message discarded");
                }
                self.sends_pending = true;
            }
            Command::ChannelClose(id) => {
                if let Err(e) = pc.close_data_channel(id) {
                    tracing::debug!(channel = %id, error = %e, "data channel close");
                }
                self.flush();
            }
            Command::ChannelSetLowThreshold(id, threshold) => {
                pc.set_buffered_amount_low_threshold(id, threshold);
                self.flush();
            }
            Command::GetStats(selector, r) => {
                let res = pc.get_stats(now(), selector.as_ref());
                self.complete(r, res);
            }
            Command::Rtp(op, r) => {
                let res = crate::media::run(pc, op);
                self.complete(r, res);
            }
            Command::Events(reg) => self.listeners.apply(reg),
            Command::ChannelEvents(id, reg) => {
                if pc.data_channel(id).is_some() {
                    self.channel_listeners.entry(id).or_default().apply(reg);
                    // The events fired before anyone listened fire now, after the commands
                    // already queued (the creator's other handlers) have run.
                    if let Some(held) = self.held.remove(&id) {
                        self.deferred
                            .extend(held.into_iter().map(|e| Pending::Channel(id, e)));
                    }
                }
            }
        }
    }
}

/// An event waiting to be dispatched.
/// The most commands executed before the driver produces output and looks at its timer and
/// sockets again.
const MAX_COMMANDS_PER_WAKE: usize = 256;

/// The most events held for a channel nobody listens to yet.
const MAX_HELD_EVENTS: usize = 64;

enum Pending {
    Pc(Event),
    Channel(DataChannelId, DataChannelEvent),
}

/// The current time: the driver is where the clock is read (its own clippy.toml allows it).
fn now() -> Instant {
    Instant::now()
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}
