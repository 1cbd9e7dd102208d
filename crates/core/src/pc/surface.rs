//! Transport events turned into the connection's W3C events, in the spec's order and with the
//! attribute each reports updated first (webrtc-pc §5.6 "surface the candidate", the
//! end-of-candidates and gathering-complete tasks; §4.3.2–§4.3.4 `iceGatheringState`,
//! `iceConnectionState`, `connectionState`; §6.1.1.1 the `RTCSctpTransport` connected
//! procedure; §6.2 the `RTCDataChannel` events: `datachannel`, `open`, `message`,
//! `bufferedamountlow`, `closing`, `close`).
//!
//! Local candidates are written into the local description(s) of their ICE generation, into
//! every section that carries that generation's `a=ice-ufrag` (RFC 8839 §5.1), with
//! `a=end-of-candidates` once gathering is over (RFC 8840 §8.2). The `icecandidate` event names
//! the transport by its first (BUNDLE-tagged) section.

use rtcpeer_sctp::datachannel::ChannelInfo;
use rtcpeer_sdp::Attribute;

use super::candidates::record;
use super::data::{DataChannelId, RtcDataChannel};
use super::{PeerConnection, PeerConnectionEvent};
use crate::RtcIceCandidateInit;
use crate::data_channel_init::{DataChannelParameters, DataChannelReliability};
use crate::enums::{
    RtcDataChannelState, RtcIceGathererState, RtcPriorityType, RtcSctpTransportState,
};
use crate::jsep::remote;
use crate::transport::TransportEvent;
use crate::transport::aggregate::ice_gathering_state;

/// The W3C priority of a DCEP priority value (RFC 8832 §5.1: 128, 256, 512, 1024).
fn priority_of(dcep: u16) -> RtcPriorityType {
    match dcep {
        0..=128 => RtcPriorityType::VeryLow,
        129..=256 => RtcPriorityType::Low,
        257..=512 => RtcPriorityType::Medium,
        _ => RtcPriorityType::High,
    }
}

/// The validated parameters of a channel the peer announced.
fn parameters_of(info: &ChannelInfo) -> DataChannelParameters {
    DataChannelParameters {
        label: info.label.clone(),
        ordered: info.ordered,
        reliability: match (info.max_retransmits, info.max_packet_life_time) {
            (Some(n), _) => DataChannelReliability::MaxRetransmits(n),
            (None, Some(ms)) => DataChannelReliability::MaxPacketLifeTime(ms),
            (None, None) => DataChannelReliability::Reliable,
        },
        protocol: info.protocol.clone(),
        negotiated: info.negotiated,
        id: Some(info.id),
        priority: priority_of(info.priority),
    }
}

impl PeerConnection {
    /// Moves every pending transport event into the connection's events.
    pub(crate) fn drain_transport_events(&mut self) {
        while !self.is_closed {
            let Some(event) = self.wire.stack.as_mut().and_then(|s| s.poll_event()) else {
                return;
            };
            self.on_transport_event(event);
        }
    }

    /// The (first) mid and m= line index of the BUNDLE transport in the local description.
    fn transport_tag(&self) -> (Option<String>, Option<u16>) {
        let Some(local) = self.pending_local.as_ref().or(self.current_local.as_ref()) else {
            return (None, None);
        };
        let mids = remote::mids(&local.parsed);
        let index = local.parsed.media.iter().position(|m| !m.is_rejected());
        let mid = index.and_then(|i| mids.get(i).cloned());
        (mid, index.and_then(|i| u16::try_from(i).ok()))
    }

    /// Adds an attribute to the local descriptions of ICE generation `ufrag`.
    fn record_local(&mut self, ufrag: &str, attr: &Attribute) {
        for applied in [&mut self.pending_local, &mut self.current_local]
            .into_iter()
            .flatten()
        {
            record(applied, None, Some(ufrag), attr);
        }
    }

    fn on_transport_event(&mut self, event: TransportEvent) {
        match event {
            TransportEvent::LocalCandidate(c) => {
                // The "began gathering" task comes before the generation's candidates.
                if self.wire.gatherer_state == RtcIceGathererState::New {
                    self.on_gatherer_state(RtcIceGathererState::Gathering);
                }
                self.surface_candidate(&c);
            }
            TransportEvent::LocalEndOfCandidates => self.surface_end_of_candidates(),
            TransportEvent::IceGathererStateChange(state) => self.on_gatherer_state(state),
            TransportEvent::IceConnectionStateChange(s) if self.ice_connection_state != s => {
                self.ice_connection_state = s;
                self.events
                    .push_back(PeerConnectionEvent::IceConnectionStateChange(s));
            }
            TransportEvent::PeerConnectionStateChange(s) if self.connection_state != s => {
                self.connection_state = s;
                self.events
                    .push_back(PeerConnectionEvent::ConnectionStateChange(s));
            }
            TransportEvent::IceCandidateError {
                address,
                port,
                url,
                error_code,
                error_text,
            } => self
                .events
                .push_back(PeerConnectionEvent::IceCandidateError {
                    address,
                    port,
                    url,
                    error_code,
                    error_text,
                }),
            TransportEvent::SctpStateChange(s) => {
                if self.sctp_transport.is_some() && self.wire.sctp_state != Some(s) {
                    self.wire.sctp_state = Some(s);
                    self.events
                        .push_back(PeerConnectionEvent::SctpStateChange(s));
                }
                if s == RtcSctpTransportState::Closed {
                    self.close_all_channels();
                }
            }
            TransportEvent::DataChannelIncoming { id, info } => self.on_incoming_channel(id, &info),
            TransportEvent::DataChannelOpen { id } => {
                if let Some(c) = self.channel_by_stream(id) {
                    c.ready_state = RtcDataChannelState::Open;
                    let h = c.handle;
                    self.stats.channel_opened(h);
                    self.events
                        .push_back(PeerConnectionEvent::DataChannelOpen(h));
                }
            }
            TransportEvent::DataChannelMessage { id, message } => {
                if let Some(c) = self.channel_by_stream(id)
                    && c.ready_state == RtcDataChannelState::Open
                {
                    let channel = c.handle;
                    self.stats.message_received(channel, &message);
                    self.events
                        .push_back(PeerConnectionEvent::DataChannelMessage { channel, message });
                }
            }
            TransportEvent::DataChannelBufferedAmountLow { id } => {
                if let Some(c) = self.channel_by_stream(id) {
                    let h = c.handle;
                    self.events
                        .push_back(PeerConnectionEvent::DataChannelBufferedAmountLow(h));
                }
            }
            TransportEvent::DataChannelClosing { id } => {
                if let Some(c) = self.channel_by_stream(id)
                    && c.ready_state != RtcDataChannelState::Closing
                {
                    c.ready_state = RtcDataChannelState::Closing;
                    let h = c.handle;
                    self.events
                        .push_back(PeerConnectionEvent::DataChannelClosing(h));
                }
            }
            TransportEvent::DataChannelClosed { id } => {
                if let Some(c) = self.channel_by_stream(id) {
                    c.ready_state = RtcDataChannelState::Closed;
                    let h = c.handle;
                    self.events
                        .push_back(PeerConnectionEvent::DataChannelClose(h));
                }
            }
            TransportEvent::Error(failure) => {
                tracing::debug!(error = %failure, "transport error");
            }
            _ => {}
        }
    }

    /// The live (not closed) channel on stream `id`.
    pub(crate) fn channel_by_stream(&mut self, id: u16) -> Option<&mut RtcDataChannel> {
        self.data_channels.iter_mut().find(|c| {
            c.stream_id == Some(id)
                && c.in_transport
                && c.ready_state != RtcDataChannelState::Closed
        })
    }

    /// Every channel still open or connecting closes (the association ended).
    fn close_all_channels(&mut self) {
        let mut closed: Vec<DataChannelId> = Vec::new();
        for c in &mut self.data_channels {
            if c.ready_state != RtcDataChannelState::Closed {
                c.ready_state = RtcDataChannelState::Closed;
                closed.push(c.handle);
            }
        }
        for h in closed {
            self.events
                .push_back(PeerConnectionEvent::DataChannelClose(h));
        }
    }

    fn on_incoming_channel(&mut self, id: u16, info: &ChannelInfo) {
        let handle = DataChannelId::new(self.next_object_id());
        self.data_channels.push(RtcDataChannel {
            handle,
            params: parameters_of(info),
            stream_id: Some(id),
            ready_state: RtcDataChannelState::Connecting,
            in_transport: true,
            low_threshold: 0,
        });
        self.events
            .push_back(PeerConnectionEvent::DataChannel(handle));
    }

    fn local_ufrag(&self) -> String {
        self.wire.stack.as_ref().map_or_else(
            || self.local_ice.ufrag.clone(),
            |s| s.local_credentials().ufrag.clone(),
        )
    }

    /// "Surface the candidate" (webrtc-pc §5.6).
    fn surface_candidate(&mut self, c: &rtcpeer_ice::Candidate) {
        let text = c.to_sdp_string();
        let ufrag = self.local_ufrag();
        match text.parse::<rtcpeer_sdp::Candidate>() {
            Ok(sdp) => self.record_local(&ufrag, &Attribute::Candidate(sdp)),
            Err(e) => tracing::debug!(error = %e, "local candidate not written in the SDP"),
        }
        let (sdp_mid, sdp_m_line_index) = self.transport_tag();
        self.events
            .push_back(PeerConnectionEvent::IceCandidate(Some(
                RtcIceCandidateInit {
                    candidate: text,
                    sdp_mid,
                    sdp_m_line_index,
                    username_fragment: Some(ufrag),
                },
            )));
    }

    /// The end-of-candidates task of one generation: `a=end-of-candidates`, then an
    /// `icecandidate` with an empty `candidate`.
    fn surface_end_of_candidates(&mut self) {
        if self.wire.eoc_surfaced {
            return;
        }
        self.wire.eoc_surfaced = true;
        let ufrag = self.local_ufrag();
        self.record_local(&ufrag, &Attribute::EndOfCandidates);
        let (sdp_mid, sdp_m_line_index) = self.transport_tag();
        self.events
            .push_back(PeerConnectionEvent::IceCandidate(Some(
                RtcIceCandidateInit {
                    candidate: String::new(),
                    sdp_mid,
                    sdp_m_line_index,
                    username_fragment: Some(ufrag),
                },
            )));
    }

    /// The gathering state tasks: `icegatheringstatechange`, and once complete the `null`
    /// `icecandidate` (after the generation's end-of-candidates).
    fn on_gatherer_state(&mut self, state: RtcIceGathererState) {
        if state == RtcIceGathererState::Complete {
            self.surface_end_of_candidates();
        } else if state == RtcIceGathererState::Gathering {
            self.wire.eoc_surfaced = false;
        }
        self.wire.gatherer_state = state;
        let aggregate = ice_gathering_state(&[state]);
        if aggregate != self.ice_gathering_state {
            self.ice_gathering_state = aggregate;
            self.events
                .push_back(PeerConnectionEvent::IceGatheringStateChange(aggregate));
        }
        if state == RtcIceGathererState::Complete {
            self.events
                .push_back(PeerConnectionEvent::IceCandidate(None));
        }
    }
}
