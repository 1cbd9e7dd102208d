//! The data channel commands of a [`TransportStack`] (webrtc-pc §6.2 `RTCDataChannel`, over
//! RFC 8831 channels and RFC 8832 DCEP): create, send text and binary, close, and the
//! `bufferedAmount` and `readyState` attributes, with the `maxMessageSize` check of
//! webrtc-pc §6.2 `send()`.
//!
//! Commands run the SCTP machine at the time of the stack's latest input; what they queue goes
//! out on the next [`TransportStack::poll_transmit`].

use bytes::Bytes;
use rtcpeer_sctp::datachannel::{ChannelInfo, DataChannelInit, ReadyState};

use super::event::TransportError;
use super::stack::TransportStack;
use crate::enums::RtcDataChannelState;

impl TransportStack {
    /// Creates a data channel (`createDataChannel`): announced with DCEP once the association
    /// is up, or agreed out of band (`negotiated_id`). Returns the stream id.
    pub fn create_data_channel(&mut self, init: DataChannelInit) -> Result<u16, TransportError> {
        let sctp = self.channels_mut()?;
        let id = sctp.create_channel(init)?;
        self.dirty = true;
        Ok(id)
    }

    /// Sends a text message (`send(string)`).
    pub fn send_text(&mut self, id: u16, text: &str) -> Result<(), TransportError> {
        self.check_size(text.len())?;
        self.channels_mut()?.send_text(id, text)?;
        self.dirty = true;
        Ok(())
    }

    /// Sends a binary message (`send(ArrayBuffer)`).
    pub fn send_binary(&mut self, id: u16, data: Bytes) -> Result<(), TransportError> {
        self.check_size(data.len())?;
        self.channels_mut()?.send_binary(id, data)?;
        self.dirty = true;
        Ok(())
    }

    /// Closes a data channel (`close()`): queued messages still go, then the stream is reset
    /// (RFC 8831 §6.7).
    pub fn close_data_channel(&mut self, id: u16) -> Result<(), TransportError> {
        self.channels_mut()?.close(id)?;
        self.dirty = true;
        Ok(())
    }

    /// `readyState`; `None` for a channel that does not exist (or is closed and forgotten).
    pub fn data_channel_state(&self, id: u16) -> Option<RtcDataChannelState> {
        let state = self.sctp.as_ref()?.ready_state(id)?;
        Some(match state {
            ReadyState::Connecting => RtcDataChannelState::Connecting,
            ReadyState::Open => RtcDataChannelState::Open,
            ReadyState::Closing => RtcDataChannelState::Closing,
            ReadyState::Closed => RtcDataChannelState::Closed,
        })
    }

    /// A channel's label, protocol and reliability.
    pub fn data_channel(&self, id: u16) -> Option<&ChannelInfo> {
        self.sctp.as_ref()?.channel(id)
    }

    /// `bufferedAmount`: message bytes queued and not yet handed to the network.
    pub fn buffered_amount(&self, id: u16) -> usize {
        self.sctp.as_ref().map_or(0, |s| s.buffered_amount(id))
    }

    /// Sets `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(&mut self, id: u16, threshold: usize) {
        if let Some(sctp) = self.sctp.as_mut() {
            sctp.set_buffered_amount_low_threshold(id, threshold);
        }
    }

    /// `RTCSctpTransport.maxMessageSize`, once the remote SCTP parameters are known.
    pub fn max_message_size(&self) -> Option<u64> {
        self.max_message_size
    }

    fn channels_mut(&mut self) -> Result<&mut rtcpeer_sctp::DataChannels, TransportError> {
        if self.closed {
            return Err(TransportError::Closed);
        }
        self.sctp.as_mut().ok_or(TransportError::NoSctpTransport)
    }

    fn check_size(&self, size: usize) -> Result<(), TransportError> {
        match self.max_message_size {
            Some(max) if size as u64 > max => Err(TransportError::MessageTooLarge { size, max }),
            _ => Ok(()),
        }
    }
}
