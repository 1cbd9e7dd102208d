//! The seam between the driver task and the one sans-IO object it drives: [`Core`] owns the
//! `rtcpeer-core` [`PeerConnection`] and is, through the [`Machine`] trait, its datagram side
//! (DESIGN §2: `handle_receive(now, datagram)`, `handle_timeout(now)`, `poll_transmit()`,
//! `poll_timeout()`).
//!
//! Today the peer core has no transport stack (ICE + DTLS + SCTP): received datagrams are
//! dropped and counted, nothing is transmitted, no timer is armed, and the transport commands
//! the signaling half emits ([`TransportCommand`]) are only observed (for `sctp()`). Wiring the
//! transport stack into `PeerConnection` changes the bodies of this file only: the driver's
//! loop, sockets and timers already run.

use std::time::Instant;

use rtcpeer_core::{PeerConnection, RtcSctpTransportState, TransportCommand};
use rtcpeer_types::{Receive, Transmit};

use crate::data_channel::DataChannelMessage;
use crate::shared::RtcSctpTransport;
use rtcpeer_core::pc::DataChannelId;

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

/// The connection's sans-IO core and what the driver tracks beside it.
pub(crate) struct Core {
    pub(crate) pc: PeerConnection,
    /// `[[SctpTransport]]` as the transport commands announced it.
    pub(crate) sctp: Option<RtcSctpTransport>,
}

impl Core {
    pub(crate) fn new(pc: PeerConnection) -> Self {
        Core { pc, sctp: None }
    }

    /// Takes the transport commands of the last operation. Returns whether any was taken.
    pub(crate) fn drain_transport_commands(&mut self) -> bool {
        let mut any = false;
        while let Some(cmd) = self.pc.poll_command() {
            any = true;
            match &cmd {
                TransportCommand::StartSctp { remote, .. } => {
                    self.sctp = Some(RtcSctpTransport {
                        state: RtcSctpTransportState::Connecting,
                        max_message_size: max_message_size(remote.max_message_size),
                        max_channels: None,
                    });
                }
                TransportCommand::CloseSctp => self.sctp = None,
                TransportCommand::Close => {
                    if let Some(s) = &mut self.sctp {
                        s.state = RtcSctpTransportState::Closed;
                    }
                }
                _ => {}
            }
            tracing::debug!(command = command_name(&cmd), "transport command");
        }
        any
    }

    /// Queues a message on a data channel. Returns false when it was dropped: today always,
    /// since no channel opens before the SCTP transport is wired in (and `send()` refuses
    /// channels that are not open).
    pub(crate) fn send_channel_message(
        &mut self,
        channel: DataChannelId,
        message: &DataChannelMessage,
    ) -> bool {
        tracing::debug!(%channel, len = message.len(), "data channel message dropped: no SCTP transport");
        false
    }
}

impl Machine for Core {
    fn handle_receive(&mut self, _now: Instant, datagram: Receive) -> bool {
        tracing::trace!(
            from = %rtcpeer_types::Pii(datagram.source),
            len = datagram.contents.len(),
            kind = ?rtcpeer_types::demux::classify(&datagram.contents),
            "datagram without a transport"
        );
        false
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self) -> Option<Transmit> {
        None
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

/// `maxMessageSize` from the remote `a=max-message-size` (webrtc-pc §6.1.1.2 "update the data
/// max message size": 0 means no limit; the local side can send any size).
fn max_message_size(remote: u64) -> f64 {
    if remote == 0 {
        f64::INFINITY
    } else {
        // Message sizes are far below 2^53: the conversion is exact.
        remote as f64
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
