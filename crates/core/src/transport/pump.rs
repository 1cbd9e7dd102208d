//! The pump of a [`TransportStack`]: after each input it moves events and data between the
//! ICE agent, the DTLS transport and the SCTP association until none has anything more to say,
//! and turns what they report into [`TransportEvent`]s — RFC 7983 routing of ICE data
//! ([`super::demux`]), DTLS records to SCTP and SCTP packets to DTLS (RFC 8261, one packet per
//! record), DTLS datagrams onto ICE's selected pair (held while there is none), the W3C
//! per-transport states and their aggregates ([`super::aggregate`]), and the `error` events
//! with their `RTCErrorDetailType`.

use std::time::Instant;

use bytes::Bytes;
use rtcpeer_dtls::{DtlsEvent, DtlsTransport, DtlsTransportState};
use rtcpeer_ice::{IceEvent, IceRole, SendError};
use rtcpeer_sctp::DataChannels;
use rtcpeer_sctp::datachannel::ChannelEvent;

use super::aggregate::{
    dtls_transport_state, ice_connection_state, ice_gatherer_state, ice_transport_state,
    peer_connection_state,
};
use super::demux::Route;
use super::event::{TransportEvent, TransportFailure};
use super::stack::{MAX_EARLY_DTLS, MAX_PENDING_DTLS, TransportStack};
use crate::enums::{RtcDtlsTransportState, RtcIceRole, RtcSctpTransportState};

/// Rounds of one pump before it stops (each round drains every machine; a handful suffice).
const MAX_PUMP_ROUNDS: usize = 1024;

impl TransportStack {
    /// Moves events and data between the machines until none has anything more to say.
    pub(super) fn pump(&mut self, now: Instant) {
        self.dirty = false;
        for _ in 0..MAX_PUMP_ROUNDS {
            let mut moved = self.flush_pending_dtls(now);
            while let Some(e) = self.ice.poll_event() {
                moved = true;
                self.on_ice_event(now, e);
            }
            self.maybe_start_client(now);
            while let Some(e) = self.dtls.as_mut().and_then(DtlsTransport::poll_event) {
                moved = true;
                self.on_dtls_event(now, e);
            }
            if self.dtls_failed_pending {
                self.dtls_failed_pending = false;
                self.set_dtls_state(RtcDtlsTransportState::Failed);
            }
            moved |= self.drain_sctp_transmits(now);
            while let Some(e) = self.sctp.as_mut().and_then(DataChannels::poll_event) {
                moved = true;
                self.on_channel_event(e);
            }
            moved |= self.drain_dtls_transmits(now);
            if !moved {
                return;
            }
        }
        tracing::warn!("transport pump did not settle");
    }

    fn on_ice_event(&mut self, now: Instant, event: IceEvent) {
        match event {
            IceEvent::Data(rx) => self.on_data(now, rx.contents),
            IceEvent::GatheringStateChange(s) => {
                self.gatherer_state = ice_gatherer_state(s);
                self.emit(TransportEvent::IceGathererStateChange(self.gatherer_state));
            }
            IceEvent::ConnectionStateChange(s) => {
                self.ice_state = ice_transport_state(s);
                self.emit(TransportEvent::IceTransportStateChange(self.ice_state));
                self.update_aggregates();
            }
            IceEvent::LocalCandidate(c) => self.emit(TransportEvent::LocalCandidate(c)),
            IceEvent::LocalEndOfCandidates => self.emit(TransportEvent::LocalEndOfCandidates),
            IceEvent::SelectedPairChanged {
                component: 1,
                local,
                remote,
            } => self.emit(TransportEvent::SelectedCandidatePairChange { local, remote }),
            IceEvent::RoleChange(role) => self.emit(TransportEvent::IceRoleChange(match role {
                IceRole::Controlling => RtcIceRole::Controlling,
                IceRole::Controlled => RtcIceRole::Controlled,
            })),
            IceEvent::CandidateError {
                address,
                port,
                url,
                error_code,
                error_text,
            } => self.emit(TransportEvent::IceCandidateError {
                address,
                port,
                url,
                error_code,
                error_text,
            }),
            _ => {}
        }
    }

    /// Non-STUN data from ICE: RFC 7983 routing.
    fn on_data(&mut self, now: Instant, datagram: Bytes) {
        if self.counters.route(&datagram) != Route::Dtls {
            return;
        }
        match self.dtls.as_mut() {
            Some(dtls) => dtls.handle_receive(now, &datagram),
            None if self.dtls_state == RtcDtlsTransportState::Failed => {}
            None if self.early_dtls.len() < MAX_EARLY_DTLS => {
                self.counters.dtls_early_buffered += 1;
                self.early_dtls.push_back(datagram);
            }
            None => self.counters.dtls_early_dropped += 1,
        }
    }

    fn on_dtls_event(&mut self, now: Instant, event: DtlsEvent) {
        match event {
            DtlsEvent::StateChange(DtlsTransportState::Failed) => {
                // Reported after the failure's `error` (see `on_dtls_event`'s `Failed`).
                self.dtls_failed_pending = true;
            }
            DtlsEvent::StateChange(s) => self.set_dtls_state(dtls_transport_state(s)),
            DtlsEvent::Connected(c) => {
                self.emit(TransportEvent::DtlsConnected {
                    remote_certificate: c.remote_certificate,
                    srtp: c.srtp,
                });
                if let Some(sctp) = self.sctp.as_mut() {
                    // Both peers start the association (RFC 8841 §9.3).
                    sctp.connect();
                }
            }
            DtlsEvent::ApplicationData(packet) => {
                if let Some(sctp) = self.sctp.as_mut() {
                    sctp.handle_receive_bytes(now, packet);
                }
            }
            DtlsEvent::Closed { by_peer } => {
                tracing::debug!(by_peer, "DTLS closed");
                if let Some(sctp) = self.sctp.as_mut() {
                    sctp.abort();
                }
            }
            DtlsEvent::Failed(failure) => {
                self.emit(TransportEvent::Error(TransportFailure::Dtls(failure)));
                if self.dtls_failed_pending {
                    self.dtls_failed_pending = false;
                    self.set_dtls_state(RtcDtlsTransportState::Failed);
                }
                if let Some(sctp) = self.sctp.as_mut() {
                    sctp.abort();
                }
            }
            _ => {}
        }
    }

    fn on_channel_event(&mut self, event: ChannelEvent) {
        let event = match event {
            ChannelEvent::Connected => {
                self.sctp_state = Some(RtcSctpTransportState::Connected);
                TransportEvent::SctpStateChange(RtcSctpTransportState::Connected)
            }
            ChannelEvent::Incoming { id } => {
                let Some(info) = self.sctp.as_ref().and_then(|s| s.channel(id)).cloned() else {
                    return;
                };
                TransportEvent::DataChannelIncoming { id, info }
            }
            ChannelEvent::Open { id } => TransportEvent::DataChannelOpen { id },
            ChannelEvent::Message { id, message } => {
                TransportEvent::DataChannelMessage { id, message }
            }
            ChannelEvent::BufferedAmountLow { id } => {
                TransportEvent::DataChannelBufferedAmountLow { id }
            }
            ChannelEvent::Closing { id } => TransportEvent::DataChannelClosing { id },
            ChannelEvent::Closed { id } => TransportEvent::DataChannelClosed { id },
            ChannelEvent::AssociationClosed { reason } => {
                if let Some(failure) = TransportFailure::from_sctp_close(&reason) {
                    self.emit(TransportEvent::Error(failure));
                }
                self.sctp_state = Some(RtcSctpTransportState::Closed);
                TransportEvent::SctpStateChange(RtcSctpTransportState::Closed)
            }
            _ => return,
        };
        self.emit(event);
    }

    pub(super) fn set_dtls_state(&mut self, state: RtcDtlsTransportState) {
        if self.dtls_state != state {
            self.dtls_state = state;
            self.emit(TransportEvent::DtlsStateChange(state));
            self.update_aggregates();
        }
    }

    /// Recomputes `iceConnectionState` and `connectionState` for this one transport.
    fn update_aggregates(&mut self) {
        let ice = ice_connection_state(self.closed, &[self.ice_state]);
        if ice != self.ice_connection_state {
            self.ice_connection_state = ice;
            self.emit(TransportEvent::IceConnectionStateChange(ice));
        }
        let pc = peer_connection_state(self.closed, ice, &[self.dtls_state]);
        if pc != self.connection_state {
            self.connection_state = pc;
            self.emit(TransportEvent::PeerConnectionStateChange(pc));
        }
    }

    /// SCTP packets into DTLS records (only while DTLS is connected; an association that has
    /// ended may still have an ABORT to send, which is dropped without a connected DTLS).
    pub(super) fn drain_sctp_transmits(&mut self, now: Instant) -> bool {
        let Some(sctp) = self.sctp.as_mut() else {
            return false;
        };
        let dtls_connected = self
            .dtls
            .as_ref()
            .is_some_and(|d| d.state() == DtlsTransportState::Connected);
        if !dtls_connected && !sctp.association().is_closed() {
            return false;
        }
        let mut moved = false;
        while let Some(packet) = sctp.poll_transmit(now) {
            moved = true;
            match self.dtls.as_mut() {
                Some(dtls) if dtls_connected => {
                    if dtls.send_application_data(&packet).is_err() {
                        self.counters.sctp_send_dropped += 1;
                    }
                }
                _ => self.counters.sctp_send_dropped += 1,
            }
        }
        moved
    }

    /// DTLS datagrams onto ICE's selected pair, or into the wait queue.
    pub(super) fn drain_dtls_transmits(&mut self, now: Instant) -> bool {
        let mut moved = false;
        while let Some(datagram) = self.dtls.as_mut().and_then(DtlsTransport::poll_transmit) {
            moved = true;
            if self.pending_dtls.is_empty() {
                match self.ice.send(now, datagram.clone()) {
                    Ok(()) => continue,
                    Err(SendError::Closed) => {
                        self.counters.dtls_send_dropped += 1;
                        continue;
                    }
                    Err(_) => {}
                }
            }
            if self.pending_dtls.len() < MAX_PENDING_DTLS {
                self.counters.dtls_send_deferred += 1;
                self.pending_dtls.push_back(datagram);
            } else {
                self.counters.dtls_send_dropped += 1;
            }
        }
        moved
    }

    /// Sends what waited for a usable pair; `true` if anything left.
    fn flush_pending_dtls(&mut self, now: Instant) -> bool {
        let mut moved = false;
        while let Some(datagram) = self.pending_dtls.front() {
            match self.ice.send(now, datagram.clone()) {
                Ok(()) => {
                    moved = true;
                    self.pending_dtls.pop_front();
                }
                Err(SendError::Closed) => {
                    self.counters.dtls_send_dropped += self.pending_dtls.len() as u64;
                    self.pending_dtls.clear();
                }
                Err(_) => break,
            }
        }
        moved
    }
}
