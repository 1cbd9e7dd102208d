//! Data channels as signaling sees them (webrtc-pc §6.1 `createDataChannel`, §4.4.1.5 "give
//! channel a new ID"): the descriptor, the id allocation by DTLS role (RFC 8832 §6: the DTLS
//! client uses even stream ids, the server odd ones), and the negotiation-needed update when
//! the first channel is created. The channel's messages flow through the SCTP layer.

use super::PeerConnection;
use crate::data_channel_init::{DataChannelLimits, DataChannelParameters, MAX_DATA_CHANNEL_ID};
use crate::enums::RtcDataChannelState;
use crate::{RtcDataChannelInit, RtcError};
use rtcpeer_dtls::DtlsRole;

rtcpeer_types::define_id!(
    /// Identifies an `RTCDataChannel` of one connection.
    DataChannelId
);

/// An `RTCDataChannel` descriptor.
#[doc(alias = "RTCDataChannel")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtcDataChannel {
    pub(crate) handle: DataChannelId,
    pub(crate) params: DataChannelParameters,
    pub(crate) stream_id: Option<u16>,
    pub(crate) ready_state: RtcDataChannelState,
    /// Created in the SCTP layer (its stream id is then the SCTP layer's).
    pub(crate) in_transport: bool,
    /// `bufferedAmountLowThreshold`.
    pub(crate) low_threshold: usize,
}

impl RtcDataChannel {
    /// The channel's handle.
    pub fn handle(&self) -> DataChannelId {
        self.handle
    }
    /// `label`.
    pub fn label(&self) -> &str {
        &self.params.label
    }
    /// The validated parameters.
    pub fn parameters(&self) -> &DataChannelParameters {
        &self.params
    }
    /// `id`: the SCTP stream id, `None` until the DTLS role is known.
    pub fn id(&self) -> Option<u16> {
        self.stream_id
    }
    /// `readyState`.
    pub fn ready_state(&self) -> RtcDataChannelState {
        self.ready_state
    }
    /// `bufferedAmountLowThreshold`.
    pub fn buffered_amount_low_threshold(&self) -> usize {
        self.low_threshold
    }
}

impl PeerConnection {
    /// `createDataChannel(label, init)` (webrtc-pc §6.1).
    ///
    /// Errors: `InvalidStateError` when closed; the `TypeError`s of
    /// [`RtcDataChannelInit::validate`]; `OperationError` when the id is in use or no id is
    /// left.
    pub fn create_data_channel(
        &mut self,
        label: &str,
        init: RtcDataChannelInit,
    ) -> Result<DataChannelId, RtcError> {
        self.check_open()?;
        let params = init.validate(label, &DataChannelLimits::default())?;
        let mut stream_id = params.id;
        if let Some(id) = stream_id
            && self
                .data_channels
                .iter()
                .any(|c| c.stream_id == Some(id) && c.ready_state != RtcDataChannelState::Closed)
        {
            return Err(RtcError::operation(format!(
                "data channel id {id} is already in use"
            )));
        }
        if stream_id.is_none()
            && let Some(role) = self.dtls_role
        {
            stream_id = Some(
                self.free_stream_id(role)
                    .ok_or_else(|| RtcError::operation("no data channel id is available"))?,
            );
        }
        let first = self.data_channels.is_empty();
        let handle = DataChannelId::new(self.next_object_id());
        self.data_channels.push(RtcDataChannel {
            handle,
            params,
            stream_id,
            ready_state: RtcDataChannelState::Connecting,
            in_transport: false,
            low_threshold: 0,
        });
        if first {
            self.update_negotiation_needed();
        }
        self.sync_transport();
        Ok(handle)
    }

    /// The data channel with this handle.
    pub fn data_channel(&self, handle: DataChannelId) -> Option<&RtcDataChannel> {
        self.data_channels.iter().find(|c| c.handle == handle)
    }

    /// Every data channel created or announced on this connection.
    pub fn data_channels(&self) -> impl Iterator<Item = &RtcDataChannel> {
        self.data_channels.iter()
    }

    /// The lowest free stream id of the role's parity (RFC 8832 §6).
    fn free_stream_id(&self, role: DtlsRole) -> Option<u16> {
        let start = match role {
            DtlsRole::Client => 0,
            DtlsRole::Server => 1,
        };
        (start..=MAX_DATA_CHANNEL_ID).step_by(2).find(|id| {
            !self
                .data_channels
                .iter()
                .any(|c| c.stream_id == Some(*id) && c.ready_state != RtcDataChannelState::Closed)
        })
    }

    /// Gives every channel without an id one, once the DTLS role is negotiated; a channel that
    /// cannot get one is closed and reported (webrtc-pc §4.4.1.5, `errorList`).
    pub(crate) fn assign_data_channel_ids(&mut self) {
        let Some(role) = self.dtls_role else { return };
        for i in 0..self.data_channels.len() {
            if self
                .data_channels
                .get(i)
                .is_some_and(|c| c.stream_id.is_none())
            {
                let id = self.free_stream_id(role);
                if let Some(c) = self.data_channels.get_mut(i) {
                    match id {
                        Some(id) => c.stream_id = Some(id),
                        None => {
                            c.ready_state = RtcDataChannelState::Closed;
                            self.failed_channels.push(c.handle);
                        }
                    }
                }
            }
        }
    }
}
