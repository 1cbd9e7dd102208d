//! The seam between the driver task and the one sans-IO object it drives: [`Core`] owns the
//! `rtcpeer-core` [`PeerConnection`] and is, through the [`Machine`] trait, its datagram side
//! (DESIGN §2: `handle_receive(now, datagram)`, `handle_timeout(now)`, `poll_transmit()`,
//! `poll_timeout()`).
//!
//! The core owns its transports (ICE, DTLS, SCTP over one BUNDLE transport): this file tells it
//! the sockets' local addresses (its host candidates' bases), hands it every received datagram
//! and timeout, takes the datagrams it wants sent, and forwards data channel commands
//! (webrtc-pc §6.2 `send()`, `close()`, `bufferedAmountLowThreshold`).

use std::net::SocketAddr;
use std::time::Instant;

use rtcpeer_core::pc::DataChannelId;
use rtcpeer_core::{PeerConnection, RtcError, TransportCommand};
use rtcpeer_types::{Receive, Transmit};

use crate::data_channel::DataChannelMessage;
use crate::shared::RtcSctpTransport;

/// The datagram side of a sans-IO machine, as the driver uses it.
pub(crate) trait Machine {
    /// A datagram arrived. Returns false when no machine took it (it is counted as dropped).
    fn handle_receive(&mut self, now: Instant, datagram: Receive) -> bool;
    /// The deadline of [`Machine::poll_timeout`] passed.
    fn handle_timeout(&mut self, now: Instant);
    /// The next datagram to send.
    fn poll_transmit(&mut self) -> Option<Transmit>;
    /// When [`Machine::handle_timeout`] must be called next.
    fn poll_timeout(&self) -> Option<Instant>;
}

/// The connection's sans-IO core.
pub(crate) struct Core {
    pub(crate) pc: PeerConnection,
}

impl Core {
    pub(crate) fn new(pc: PeerConnection) -> Self {
        Core { pc }
    }

    /// Tells the core the local address of every bound socket (RFC 8445 §5.1.1.1: each is the
    /// base of a host candidate).
    pub(crate) fn add_local_interfaces(&mut self, addrs: &[SocketAddr]) {
        for addr in addrs {
            self.pc.add_local_interface(*addr);
        }
    }

    /// `[[SctpTransport]]` as the getters report it.
    pub(crate) fn sctp(&self) -> Option<RtcSctpTransport> {
        self.pc.sctp().map(|s| RtcSctpTransport {
            state: s.state,
            // Until an answer negotiated it, no limit is known.
            max_message_size: s.max_message_size.unwrap_or(f64::INFINITY),
            max_channels: s.max_channels,
        })
    }

    /// Takes the transport commands of the last operation (the core carries them out itself;
    /// they are only logged here). Returns whether any was taken.
    pub(crate) fn drain_transport_commands(&mut self) -> bool {
        let mut any = false;
        while let Some(cmd) = self.pc.poll_command() {
            any = true;
            tracing::debug!(command = command_name(&cmd), "transport command");
        }
        any
    }

    /// Queues a message on a data channel (webrtc-pc §6.2 "send"): `InvalidStateError` unless
    /// the channel is open, `TypeError` above `maxMessageSize`.
    pub(crate) fn send_channel_message(
        &mut self,
        channel: DataChannelId,
        message: DataChannelMessage,
    ) -> Result<(), RtcError> {
        match message {
            DataChannelMessage::Text(text) => self.pc.send_text(channel, &text),
            DataChannelMessage::Binary(data) => self.pc.send_binary(channel, data),
        }
    }
}

impl Machine for Core {
    fn handle_receive(&mut self, now: Instant, datagram: Receive) -> bool {
        // Without a transport (no description applied yet) or once closed, the core drops it.
        let taken = self.pc.transport().is_some() && !self.pc.is_closed();
        if !taken {
            tracing::trace!(
                from = %rtcpeer_types::Pii(datagram.source),
                len = datagram.contents.len(),
                kind = ?rtcpeer_types::demux::classify(&datagram.contents),
                "datagram without a transport"
            );
        }
        self.pc.handle_receive(now, datagram);
        taken
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.pc.handle_timeout(now);
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.pc.poll_transmit()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.pc.poll_timeout()
    }
}

fn command_name(cmd: &TransportCommand) -> &'static str {
    match cmd {
        TransportCommand::SetLocalIceCredentials(_) => "SetLocalIceCredentials",
        TransportCommand::SetIceRole(_) => "SetIceRole",
        TransportCommand::SetRemoteTransports(_) => "SetRemoteTransports",
        TransportCommand::AddRemoteCandidate { .. } => "AddRemoteCandidate",
        TransportCommand::EndOfRemoteCandidates { .. } => "EndOfRemoteCandidates",
        TransportCommand::StartDtls { .. } => "StartDtls",
        TransportCommand::StartSctp { .. } => "StartSctp",
        TransportCommand::CloseSctp => "CloseSctp",
        TransportCommand::Close => "Close",
        _ => "other",
    }
}
