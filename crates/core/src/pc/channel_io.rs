//! Data channels over the connection's SCTP transport (webrtc-pc §6.2 `RTCDataChannel`,
//! §6.1.1 `RTCSctpTransport`; RFC 8831, RFC 8832): creating the channels in the SCTP layer once
//! it exists, `send()` with its checks, `close()`, `bufferedAmount` and its low threshold, and
//! the `RTCSctpTransport` attributes.
//!
//! Stream ids: a channel created before the DTLS role is known gets its id when the role is
//! negotiated (webrtc-pc §4.4.1.5); in-band (DCEP) channels are then created in the SCTP layer,
//! which picks the id by the same rule (RFC 8832 §6: the lowest free id of the role's parity);
//! its choice is the one kept.

use bytes::Bytes;
use rtcpeer_sctp::datachannel::DataChannelInit;

use super::PeerConnection;
use super::data::DataChannelId;
use crate::RtcError;
use crate::data_channel_init::DataChannelReliability;
use crate::enums::{RtcDataChannelState, RtcPriorityType, RtcSctpTransportState};
use crate::transport::TransportError;

/// A snapshot of the `RTCSctpTransport` (webrtc-pc §6.1.1).
#[doc(alias = "RTCSctpTransport")]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RtcSctpTransport {
    /// `state`.
    pub state: RtcSctpTransportState,
    /// `maxMessageSize`: `None` until an answer negotiated it; `f64::INFINITY` for no limit.
    pub max_message_size: Option<f64>,
    /// `maxChannels`: `None` until connected. The SCTP layer does not expose the peer's
    /// stream counts, so this is the smaller of the local inbound and outbound stream counts.
    pub max_channels: Option<u16>,
}

/// The DCEP priority of a W3C priority (RFC 8832 §5.1).
fn dcep_priority(p: RtcPriorityType) -> u16 {
    match p {
        RtcPriorityType::VeryLow => 128,
        RtcPriorityType::Low => 256,
        RtcPriorityType::Medium => 512,
        RtcPriorityType::High => 1024,
    }
}

/// The W3C error of a refused channel command.
fn channel_error(e: TransportError) -> RtcError {
    match e {
        TransportError::MessageTooLarge { .. } => RtcError::type_error(e.to_string()),
        TransportError::Closed
        | TransportError::NoSctpTransport
        | TransportError::Channel(rtcpeer_sctp::datachannel::ChannelError::NotOpen(_)) => {
            RtcError::invalid_state(e.to_string())
        }
        other => RtcError::operation(other.to_string()),
    }
}

impl PeerConnection {
    /// `[[SctpTransport]]`: `None` until SCTP is negotiated (webrtc-pc §4.4.1.5).
    pub fn sctp(&self) -> Option<RtcSctpTransport> {
        let slot = self.sctp_transport.as_ref()?;
        let state = if self.is_closed {
            RtcSctpTransportState::Closed
        } else {
            self.wire
                .sctp_state
                .unwrap_or(RtcSctpTransportState::Connecting)
        };
        let max_channels = (state == RtcSctpTransportState::Connected)
            .then(|| {
                let sctp = self.wire.stack.as_ref()?.data_channels()?;
                let c = sctp.association().config();
                Some(c.outbound_streams.min(c.inbound_streams))
            })
            .flatten();
        Some(RtcSctpTransport {
            state,
            max_message_size: slot.max_message_size.map(|m| {
                if m == u64::MAX {
                    f64::INFINITY
                } else {
                    m as f64
                }
            }),
            max_channels,
        })
    }

    /// Creates every channel not yet in the SCTP layer, once that layer exists.
    pub(crate) fn register_data_channels(&mut self) {
        if self.is_closed {
            return;
        }
        let Some(stack) = self.wire.stack.as_mut() else {
            return;
        };
        if stack.data_channels().is_none() {
            return;
        }
        for c in &mut self.data_channels {
            if c.in_transport || c.ready_state == RtcDataChannelState::Closed {
                continue;
            }
            let (max_retransmits, max_packet_life_time) = match c.params.reliability {
                DataChannelReliability::Reliable => (None, None),
                DataChannelReliability::MaxRetransmits(n) => (Some(n), None),
                DataChannelReliability::MaxPacketLifeTime(ms) => (None, Some(ms)),
            };
            let init = DataChannelInit {
                label: c.params.label.clone(),
                protocol: c.params.protocol.clone(),
                ordered: c.params.ordered,
                max_retransmits,
                max_packet_life_time,
                negotiated_id: if c.params.negotiated {
                    c.stream_id
                } else {
                    None
                },
                priority: dcep_priority(c.params.priority),
            };
            match stack.create_data_channel(init) {
                Ok(id) => {
                    if c.stream_id.is_some_and(|s| s != id) {
                        tracing::debug!(?c.stream_id, id, "SCTP layer picked another stream id");
                    }
                    c.stream_id = Some(id);
                    c.in_transport = true;
                    if c.low_threshold > 0 {
                        stack.set_buffered_amount_low_threshold(id, c.low_threshold);
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, "data channel could not be created");
                    c.ready_state = RtcDataChannelState::Closed;
                    self.failed_channels.push(c.handle);
                }
            }
        }
        for id in std::mem::take(&mut self.failed_channels) {
            self.events
                .push_back(super::PeerConnectionEvent::DataChannelError(id));
            self.events
                .push_back(super::PeerConnectionEvent::DataChannelClose(id));
        }
    }

    fn live_channel(&self, channel: DataChannelId) -> Result<(u16, RtcDataChannelState), RtcError> {
        let c = self
            .data_channel(channel)
            .ok_or_else(|| RtcError::invalid_state("no such data channel"))?;
        Ok((
            c.stream_id.filter(|_| c.in_transport).unwrap_or(u16::MAX),
            c.ready_state,
        ))
    }

    /// The `send()` checks: `InvalidStateError` unless open, `TypeError` above
    /// `maxMessageSize`.
    fn check_send(&self, channel: DataChannelId, size: usize) -> Result<u16, RtcError> {
        let (id, state) = self.live_channel(channel)?;
        if state != RtcDataChannelState::Open || id == u16::MAX {
            return Err(RtcError::invalid_state(format!(
                "the data channel is {state}, not open"
            )));
        }
        let max = self
            .sctp_transport
            .as_ref()
            .and_then(|s| s.max_message_size)
            .unwrap_or(u64::MAX);
        if size as u64 > max {
            return Err(RtcError::type_error(format!(
                "message of {size} bytes exceeds maxMessageSize {max}"
            )));
        }
        Ok(id)
    }

    /// `send(string)` on a data channel.
    pub fn send_text(&mut self, channel: DataChannelId, text: &str) -> Result<(), RtcError> {
        let id = self.check_send(channel, text.len())?;
        let stack = self
            .wire
            .stack
            .as_mut()
            .ok_or_else(|| RtcError::invalid_state("no transport"))?;
        stack.send_text(id, text).map_err(channel_error)?;
        self.stats.message_sent(channel, text.len());
        Ok(())
    }

    /// `send(ArrayBuffer)` on a data channel.
    pub fn send_binary(
        &mut self,
        channel: DataChannelId,
        data: impl Into<Bytes>,
    ) -> Result<(), RtcError> {
        let data = data.into();
        let id = self.check_send(channel, data.len())?;
        let stack = self
            .wire
            .stack
            .as_mut()
            .ok_or_else(|| RtcError::invalid_state("no transport"))?;
        let len = data.len();
        stack.send_binary(id, data).map_err(channel_error)?;
        self.stats.message_sent(channel, len);
        Ok(())
    }

    /// `close()` on a data channel (webrtc-pc §6.2): `closing` at once, `close` once the stream
    /// is reset (or at once for a channel the SCTP layer never had).
    pub fn close_data_channel(&mut self, channel: DataChannelId) -> Result<(), RtcError> {
        let (id, state) = self.live_channel(channel)?;
        if matches!(
            state,
            RtcDataChannelState::Closing | RtcDataChannelState::Closed
        ) {
            return Ok(());
        }
        let in_stack = id != u16::MAX && !self.is_closed;
        if let Some(c) = self.data_channels.iter_mut().find(|c| c.handle == channel) {
            c.ready_state = if in_stack {
                RtcDataChannelState::Closing
            } else {
                RtcDataChannelState::Closed
            };
        }
        if !in_stack {
            self.events
                .push_back(super::PeerConnectionEvent::DataChannelClose(channel));
            return Ok(());
        }
        if let Some(stack) = self.wire.stack.as_mut()
            && let Err(e) = stack.close_data_channel(id)
        {
            tracing::debug!(error = %e, "data channel close");
        }
        self.drain_transport_events();
        Ok(())
    }

    /// `bufferedAmount`: bytes queued by `send()` and not yet handed to the network.
    pub fn buffered_amount(&self, channel: DataChannelId) -> usize {
        match (self.live_channel(channel), self.wire.stack.as_ref()) {
            (Ok((id, _)), Some(stack)) if id != u16::MAX => stack.buffered_amount(id),
            _ => 0,
        }
    }

    /// Sets `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(&mut self, channel: DataChannelId, threshold: usize) {
        let Some(c) = self.data_channels.iter_mut().find(|c| c.handle == channel) else {
            return;
        };
        c.low_threshold = threshold;
        if let (true, Some(id), Some(stack)) =
            (c.in_transport, c.stream_id, self.wire.stack.as_mut())
        {
            stack.set_buffered_amount_low_threshold(id, threshold);
        }
    }
}
