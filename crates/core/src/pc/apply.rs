//! `setLocalDescription`, `setRemoteDescription` and rollback: webrtc-pc §4.4.1.5 "set a
//! session description" (with the `setLocalDescription` and `setRemoteDescription` steps of
//! §4.4.2.2, including the implicit rollback of "perfect negotiation"), and RFC 9429 §5.5–§5.11
//! (processing, parsing and applying local and remote descriptions, rollback).

use rtcpeer_dtls::DtlsRole;
use rtcpeer_sdp::{SessionDescription, Setup};

use super::offer_answer::Plan;
use super::transceiver::{StableState, from_sdp, receives, sends};
use super::{
    Applied, LOCAL_SCTP_PORT, MLine, MLineContent, PeerConnection, PeerConnectionEvent,
    RtcTrackEvent, SctpTransportSlot, TransportCommand,
};
use crate::enums::{RtcIceRole, RtcRtpTransceiverDirection, RtcSdpType, RtcSignalingState};
use crate::error_map::sdp_parse_error;
use crate::jsep::codecs;
use crate::jsep::remote::{self, is_data, sctp_parameters};
use crate::track::{MediaStream, TrackKind};
use crate::{
    RtcError, RtcLocalSessionDescriptionInit, RtcOfferOptions, RtcSessionDescription,
    RtcSessionDescriptionInit,
};

/// Whether `ty` may be applied in `state` (RFC 9429 §3.2 state machine; webrtc-pc §4.3.1).
fn valid_for_state(remote: bool, ty: RtcSdpType, state: RtcSignalingState) -> bool {
    use RtcSignalingState as S;
    match (remote, ty) {
        (false, RtcSdpType::Offer) => matches!(state, S::Stable | S::HaveLocalOffer),
        (false, RtcSdpType::Answer | RtcSdpType::Pranswer) => {
            matches!(state, S::HaveRemoteOffer | S::HaveLocalPranswer)
        }
        (true, RtcSdpType::Offer) => matches!(state, S::Stable | S::HaveRemoteOffer),
        (true, RtcSdpType::Answer | RtcSdpType::Pranswer) => {
            matches!(state, S::HaveLocalOffer | S::HaveRemotePranswer)
        }
        (_, RtcSdpType::Rollback) => matches!(state, S::HaveLocalOffer | S::HaveRemoteOffer),
    }
}

impl PeerConnection {
    /// `setLocalDescription(description)` (webrtc-pc §4.4.2.2): with no description (or an empty
    /// `sdp`) the type is inferred and the offer or answer created implicitly.
    ///
    /// Errors: `InvalidStateError` (closed, or the type is invalid in the signaling state),
    /// `InvalidModificationError` when `sdp` is not the last created offer/answer (the spec
    /// compares the strings exactly).
    pub fn set_local_description(
        &mut self,
        description: Option<RtcLocalSessionDescriptionInit>,
    ) -> Result<(), RtcError> {
        self.check_open()?;
        let init = description.unwrap_or_default();
        let ty = init.sdp_type.unwrap_or(match self.signaling_state {
            RtcSignalingState::Stable
            | RtcSignalingState::HaveLocalOffer
            | RtcSignalingState::HaveRemotePranswer => RtcSdpType::Offer,
            _ => RtcSdpType::Answer,
        });
        let mut sdp = init.sdp;
        match ty {
            RtcSdpType::Offer if !sdp.is_empty() && sdp != self.last_created_offer => {
                return Err(RtcError::invalid_modification(
                    "the offer SDP differs from the last created offer",
                ));
            }
            RtcSdpType::Answer | RtcSdpType::Pranswer
                if !sdp.is_empty() && sdp != self.last_created_answer =>
            {
                return Err(RtcError::invalid_modification(
                    "the answer SDP differs from the last created answer",
                ));
            }
            _ => {}
        }
        if sdp.is_empty() && ty == RtcSdpType::Offer {
            sdp = self.last_created_offer.clone();
            if sdp.is_empty() || self.offer_is_stale() {
                sdp = self.create_offer(RtcOfferOptions::default())?.sdp;
            }
        }
        if sdp.is_empty() && matches!(ty, RtcSdpType::Answer | RtcSdpType::Pranswer) {
            sdp = self.last_created_answer.clone();
            if sdp.is_empty() {
                sdp = self.create_answer()?.sdp;
            }
        }
        let result = self.set_session_description(false, ty, &sdp);
        if result.is_ok() && ty != RtcSdpType::Rollback {
            // JSEP: applying a local description starts gathering (RFC 9429 §5.10).
            self.wire.gather_requested = true;
        }
        self.sync_transport();
        result
    }

    /// Whether the last created offer "no longer accurately represents the offerer's system
    /// state": a transceiver or the data channels it lacks.
    fn offer_is_stale(&self) -> bool {
        let Some(plan) = &self.last_offer_plan else {
            return true;
        };
        let has = |c: &MLineContent| plan.mlines.iter().any(|l| &l.content == c);
        self.transceivers
            .iter()
            .any(|t| !t.stopped && !t.stopping && !has(&MLineContent::Media(t.id)))
            || (!self.data_channels.is_empty() && !has(&MLineContent::Data))
    }

    /// `setRemoteDescription(description)` (webrtc-pc §4.4.2.2). A remote offer in a state where
    /// it is invalid (`"have-local-offer"`) first rolls the local offer back (the implicit
    /// rollback of perfect negotiation).
    ///
    /// Errors: `InvalidStateError`, an `RTCError` `"sdp-syntax-error"` with `sdpLineNumber`,
    /// `InvalidAccessError` (rtcp-mux required, Plan B, missing ICE or DTLS attributes, m= lines
    /// that do not match the offer), `OperationError` otherwise.
    pub fn set_remote_description(
        &mut self,
        description: RtcSessionDescriptionInit,
    ) -> Result<(), RtcError> {
        self.check_open()?;
        if description.sdp_type == RtcSdpType::Offer
            && !valid_for_state(true, RtcSdpType::Offer, self.signaling_state)
        {
            self.set_session_description(false, RtcSdpType::Rollback, "")?;
        }
        let result = self.set_session_description(true, description.sdp_type, &description.sdp);
        self.sync_transport();
        result
    }

    /// "Set a session description" (webrtc-pc §4.4.1.5).
    fn set_session_description(
        &mut self,
        remote: bool,
        ty: RtcSdpType,
        sdp: &str,
    ) -> Result<(), RtcError> {
        if !valid_for_state(remote, ty, self.signaling_state) {
            return Err(RtcError::invalid_state(format!(
                "cannot set a {} {ty} in signaling state {}",
                if remote { "remote" } else { "local" },
                self.signaling_state
            )));
        }
        if ty == RtcSdpType::Rollback {
            return self.rollback();
        }
        let parsed = SessionDescription::parse(sdp).map_err(|e| sdp_parse_error(&e))?;
        let applied = Applied {
            desc: RtcSessionDescription::new(RtcSessionDescriptionInit::new(ty, sdp)),
            parsed,
        };
        if remote {
            self.apply_remote(ty, applied)
        } else {
            self.apply_local(ty, applied)
        }
    }

    /// Snapshot of the stable state, taken when an offer leaves `"stable"`.
    fn leave_stable(&mut self) {
        self.last_stable_sctp = self.sctp_transport.clone();
        self.stable_layout = Some(self.layout.clone());
        for t in &mut self.transceivers {
            t.created_by_pending = false;
            t.receiver.last_stable_streams = t.receiver.associated_remote_streams.clone();
            t.stable = Some(StableState {
                jsep_mid: t.jsep_mid.clone(),
                mid: t.mid.clone(),
                receive_codecs: t.receiver.receive_codecs.clone(),
                send_encodings: t.sender.send_encodings.clone(),
            });
        }
    }

    fn apply_local(&mut self, ty: RtcSdpType, applied: Applied) -> Result<(), RtcError> {
        let plan: Plan = match ty {
            RtcSdpType::Offer => self.last_offer_plan.clone(),
            _ => self.last_answer_plan.clone(),
        }
        .filter(|p| p.sdp == applied.desc.sdp())
        .ok_or_else(|| RtcError::operation("the description was not created by this connection"))?;
        let old_state = self.signaling_state;
        if ty == RtcSdpType::Offer && old_state == RtcSignalingState::Stable {
            self.leave_stable();
        }
        let is_answer = matches!(ty, RtcSdpType::Answer | RtcSdpType::Pranswer);
        self.layout = plan
            .mlines
            .iter()
            .map(|p| MLine {
                mid: Some(p.mid.clone()),
                content: p.content.clone(),
            })
            .collect();
        for p in &plan.mlines {
            if let Ok(n) = p.mid.parse::<u32>() {
                self.next_mid = self.next_mid.max(n.saturating_add(1));
            }
            let MLineContent::Media(id) = p.content else {
                continue;
            };
            let Some(t) = self.transceivers.iter_mut().find(|t| t.id == id) else {
                continue;
            };
            t.jsep_mid = Some(p.mid.clone());
            t.mid = t.jsep_mid.clone();
            if t.stopped {
                continue;
            }
            let direction = if p.rejected {
                RtcRtpTransceiverDirection::Inactive
            } else {
                p.direction
            };
            t.receptive = receives(Some(direction));
            t.receiver.receive_codecs = if t.receptive {
                p.codecs.clone()
            } else {
                Vec::new()
            };
            if is_answer {
                t.sender.send_codecs = p.codecs.clone();
                if !receives(Some(direction)) && receives(t.fired_direction) {
                    t.receiver.associated_remote_streams.clear();
                }
                t.current_direction = Some(direction);
                t.fired_direction = Some(direction);
                t.has_sent |= sends(Some(direction));
            }
        }
        for m in &applied.parsed.media {
            self.ext_ids.learn(m);
        }
        if self.announced_ice.as_ref() != Some(&plan.ice) {
            self.local_ice = plan.ice.clone();
            self.announced_ice = Some(plan.ice.clone());
            self.restart_ice = None;
            self.push_command(TransportCommand::SetLocalIceCredentials(plan.ice.clone()));
        }
        let offers_data = plan
            .mlines
            .iter()
            .any(|p| p.content == MLineContent::Data && !p.rejected);
        match ty {
            RtcSdpType::Offer => {
                self.pending_local = Some(applied);
                self.set_signaling_state(RtcSignalingState::HaveLocalOffer);
                if self.ice_role == RtcIceRole::Unknown {
                    self.set_ice_role(RtcIceRole::Controlling);
                }
                if offers_data && self.sctp_transport.is_none() {
                    self.sctp_transport = Some(SctpTransportSlot {
                        remote: None,
                        max_message_size: None,
                    });
                }
            }
            _ => {
                let role = match plan.setup {
                    Setup::Passive => DtlsRole::Server,
                    _ => DtlsRole::Client,
                };
                self.negotiate_dtls_role(role);
                let remote_data = self
                    .pending_remote
                    .as_ref()
                    .and_then(|a| a.parsed.media.iter().find_map(sctp_parameters));
                self.negotiate_sctp(offers_data, remote_data);
                if ty == RtcSdpType::Answer {
                    self.current_local = Some(applied);
                    self.current_remote = self.pending_remote.take();
                    self.pending_local = None;
                    self.last_created_offer.clear();
                    self.last_created_answer.clear();
                    self.set_signaling_state(RtcSignalingState::Stable);
                    self.forget_replaced_credentials();
                    self.remove_rejected_stopped_transceivers();
                } else {
                    self.pending_local = Some(applied);
                    self.set_signaling_state(RtcSignalingState::HaveLocalPranswer);
                }
            }
        }
        self.finish_apply(old_state, Vec::new());
        Ok(())
    }

    fn set_ice_role(&mut self, role: RtcIceRole) {
        self.ice_role = role;
        self.push_command(TransportCommand::SetIceRole(role));
    }

    /// The DTLS role an answer fixes (RFC 8842 §5.3): kept once negotiated.
    fn negotiate_dtls_role(&mut self, role: DtlsRole) {
        if self.dtls_role.is_none() {
            self.dtls_role = Some(role);
            self.push_command(TransportCommand::StartDtls { role });
            self.assign_data_channel_ids();
        }
    }

    /// An answer's effect on `[[SctpTransport]]` (RFC 8841 §10.3, §10.4; webrtc-pc "update
    /// the data max message size").
    fn negotiate_sctp(&mut self, accepted: bool, remote: Option<remote::SctpParameters>) {
        match (accepted, remote) {
            (true, Some(remote)) => {
                let slot = self.sctp_transport.get_or_insert(SctpTransportSlot {
                    remote: None,
                    max_message_size: None,
                });
                // canSendSize: the local SCTP send limit (`a=max-message-size` we announce and
                // the transport's SCTP configuration use the same value).
                let can_send: u64 = super::LOCAL_MAX_MESSAGE_SIZE;
                let r = remote.max_message_size;
                slot.max_message_size = Some(match (r, can_send) {
                    (0, 0) => u64::MAX,
                    (0, c) | (c, 0) => c,
                    (r, c) => r.min(c),
                });
                if slot.remote.as_ref() != Some(&remote) {
                    slot.remote = Some(remote.clone());
                    self.push_command(TransportCommand::StartSctp {
                        local_port: LOCAL_SCTP_PORT,
                        remote,
                    });
                }
            }
            _ => {
                if self.sctp_transport.take().is_some() {
                    self.push_command(TransportCommand::CloseSctp);
                }
            }
        }
    }

    /// "If none of the ICE credentials in [[LocalIceCredentialsToReplace]] are present in the
    /// current local description, empty it."
    fn forget_replaced_credentials(&mut self) {
        let Some(local) = &self.current_local else {
            return;
        };
        let present = self.local_ice_credentials_to_replace.iter().any(|c| {
            local.parsed.media.iter().any(|m| {
                local.parsed.ice_credentials(m) == Some((c.ufrag.as_str(), c.pwd.as_str()))
            })
        });
        if !present {
            self.local_ice_credentials_to_replace.clear();
        }
    }

    /// After an answer: transceivers that are stopped and whose m= section is rejected leave the
    /// set of transceivers; their m= line becomes recyclable.
    fn remove_rejected_stopped_transceivers(&mut self) {
        let rejected = |mid: &str, sd: Option<&Applied>| {
            sd.and_then(|a| a.parsed.media_by_mid(mid))
                .is_some_and(|m| m.is_rejected())
        };
        let mut removed = Vec::new();
        for t in &self.transceivers {
            if let Some(mid) = t.mid.as_deref()
                && t.stopped
                && (rejected(mid, self.current_local.as_ref())
                    || rejected(mid, self.current_remote.as_ref()))
            {
                removed.push((t.id, t.kind));
            }
        }
        for (id, kind) in removed {
            self.transceivers.retain(|t| t.id != id);
            for l in &mut self.layout {
                if l.content == MLineContent::Media(id) {
                    l.content = MLineContent::Rejected {
                        kind: kind.media_kind(),
                        protocol: "UDP/TLS/RTP/SAVPF".into(),
                    };
                }
            }
        }
    }

    /// The common last steps: stable-state clean-up with the negotiation-needed flag, then the
    /// events in the spec's order (signalingstatechange, data channel errors, track).
    fn finish_apply(&mut self, old_state: RtcSignalingState, tracks: Vec<RtcTrackEvent>) {
        if self.signaling_state == RtcSignalingState::Stable {
            self.stable_layout = None;
            self.last_stable_sctp = None;
            for t in &mut self.transceivers {
                t.stable = None;
                t.created_by_pending = false;
            }
            self.clear_negotiation_needed();
            self.update_negotiation_needed();
        }
        if self.signaling_state != old_state {
            self.events
                .push_back(PeerConnectionEvent::SignalingStateChange(
                    self.signaling_state,
                ));
        }
        for id in std::mem::take(&mut self.failed_channels) {
            self.events
                .push_back(PeerConnectionEvent::DataChannelError(id));
        }
        for t in tracks {
            self.events.push_back(PeerConnectionEvent::Track(t));
        }
    }

    /// "Process remote tracks" (webrtc-pc §5.1.1) with "set the associated remote streams".
    fn process_remote_tracks(
        &mut self,
        index: usize,
        direction: Option<RtcRtpTransceiverDirection>,
        msids: Vec<String>,
        out: &mut Vec<RtcTrackEvent>,
    ) {
        let Some(t) = self.transceivers.get_mut(index) else {
            return;
        };
        let added = msids
            .iter()
            .any(|m| !t.receiver.associated_remote_streams.contains(m));
        t.receiver.associated_remote_streams = msids;
        if (receives(direction) && !receives(t.fired_direction)) || added {
            out.push(RtcTrackEvent {
                receiver: t.receiver.id,
                track: t.receiver.track.clone(),
                streams: t
                    .receiver
                    .associated_remote_streams
                    .iter()
                    .map(MediaStream::new)
                    .collect(),
                transceiver: t.id,
            });
        }
        if matches!(
            direction,
            Some(RtcRtpTransceiverDirection::Sendonly | RtcRtpTransceiverDirection::Inactive)
        ) {
            t.receptive = false;
        }
        t.fired_direction = direction;
    }

    /// Checks the m= lines of a remote description against the session (RFC 9429 §5.10 and
    /// §5.11): an answer has the offer's m= lines with the same mids; a subsequent offer keeps
    /// every negotiated m= line (a rejected one may be recycled with a new mid).
    fn check_remote_layout(&self, ty: RtcSdpType, mids: &[String]) -> Result<(), RtcError> {
        let mismatch = || {
            RtcError::invalid_access(
                "the m= lines of the remote description do not match the session's",
            )
        };
        if ty == RtcSdpType::Offer {
            if mids.len() < self.layout.len() {
                return Err(mismatch());
            }
            for (l, mid) in self.layout.iter().zip(mids) {
                let recyclable = matches!(l.content, MLineContent::Rejected { .. });
                if !recyclable && l.mid.as_deref() != Some(mid.as_str()) {
                    return Err(mismatch());
                }
            }
        } else {
            if mids.len() != self.layout.len() {
                return Err(mismatch());
            }
            if self
                .layout
                .iter()
                .zip(mids)
                .any(|(l, mid)| l.mid.as_deref() != Some(mid.as_str()))
            {
                return Err(mismatch());
            }
        }
        Ok(())
    }

    fn apply_remote(&mut self, ty: RtcSdpType, applied: Applied) -> Result<(), RtcError> {
        remote::validate(&applied.parsed, self.config.rtcp_mux_policy)?;
        let mids = remote::mids(&applied.parsed);
        self.check_remote_layout(ty, &mids)?;
        let old_state = self.signaling_state;
        if ty == RtcSdpType::Offer && old_state == RtcSignalingState::Stable {
            self.leave_stable();
        }
        let sd = applied.parsed.clone();
        let mut tracks = Vec::new();
        let is_offer = ty == RtcSdpType::Offer;
        for (i, m) in sd.media.iter().enumerate() {
            let Some(mid) = mids.get(i).cloned() else {
                continue;
            };
            let rejected = m.is_rejected();
            let content = if is_data(m) {
                MLineContent::Data
            } else if let Some(kind) = TrackKind::from_media_kind(&m.kind) {
                let existing = if is_offer {
                    self.transceivers
                        .iter()
                        .position(|t| t.jsep_mid.as_deref() == Some(mid.as_str()))
                } else {
                    match self.layout.get(i).map(|l| &l.content) {
                        Some(MLineContent::Media(id)) => {
                            self.transceivers.iter().position(|t| t.id == *id)
                        }
                        _ => None,
                    }
                };
                let offered = sd.direction_for(m);
                let index = existing.or_else(|| {
                    if !is_offer || rejected {
                        return None;
                    }
                    let reuse = if offered.receives() || offered == rtcpeer_sdp::Direction::SendRecv
                    {
                        self.transceivers.iter().position(|t| {
                            t.add_track_used
                                && t.jsep_mid.is_none()
                                && !t.stopped
                                && t.kind == kind
                                && !self
                                    .layout
                                    .iter()
                                    .any(|l| l.content == MLineContent::Media(t.id))
                        })
                    } else {
                        None
                    };
                    reuse.or_else(|| {
                        let id = self.create_remote_transceiver(kind);
                        self.transceivers.iter().position(|t| t.id == id)
                    })
                });
                match index {
                    None => MLineContent::Rejected {
                        kind: m.kind.clone(),
                        protocol: m.protocol.clone(),
                    },
                    Some(index) => {
                        let direction = if rejected {
                            RtcRtpTransceiverDirection::Inactive
                        } else {
                            from_sdp(offered.reverse())
                        };
                        let msids = if receives(Some(direction)) {
                            remote::stream_ids(m)
                        } else {
                            Vec::new()
                        };
                        let remote_codecs = codecs::codecs_of(m);
                        let Some(t) = self.transceivers.get_mut(index) else {
                            continue;
                        };
                        if is_offer {
                            t.jsep_mid = Some(mid.clone());
                            t.recv_rids = m
                                .simulcast()
                                .map(|s| {
                                    s.send
                                        .iter()
                                        .filter_map(|alts| alts.first().map(|a| a.rid.clone()))
                                        .collect()
                                })
                                .unwrap_or_default();
                        }
                        t.mid = t.jsep_mid.clone();
                        let id = t.id;
                        let kind = t.kind;
                        self.process_remote_tracks(index, Some(direction), msids, &mut tracks);
                        let Some(t) = self.transceivers.get_mut(index) else {
                            continue;
                        };
                        t.receiver.receive_codecs = if receives(Some(direction)) {
                            codecs::answer_codecs(kind, &remote_codecs)
                        } else {
                            Vec::new()
                        };
                        if !is_offer {
                            t.sender.send_codecs = codecs::supported_subset(kind, &remote_codecs);
                            t.current_direction = Some(direction);
                            t.has_sent |= sends(Some(direction));
                        }
                        if rejected && !t.stopped {
                            t.stop();
                        }
                        MLineContent::Media(id)
                    }
                }
            } else {
                MLineContent::Rejected {
                    kind: m.kind.clone(),
                    protocol: m.protocol.clone(),
                }
            };
            let line = MLine {
                mid: Some(mid),
                content,
            };
            if is_offer {
                match self.layout.get_mut(i) {
                    Some(l) => *l = line,
                    None => self.layout.push(line),
                }
            }
            self.ext_ids.learn(m);
        }
        self.remote_transports = remote::transports(&sd);
        self.push_command(TransportCommand::SetRemoteTransports(
            self.remote_transports.clone(),
        ));
        let data = sd
            .media
            .iter()
            .find(|m| is_data(m))
            .map(|m| (!m.is_rejected(), sctp_parameters(m)));
        if is_offer {
            self.pending_remote = Some(applied);
            self.set_signaling_state(RtcSignalingState::HaveRemoteOffer);
            if self.ice_role == RtcIceRole::Unknown {
                let role = if sd.is_ice_lite() {
                    RtcIceRole::Controlling
                } else {
                    RtcIceRole::Controlled
                };
                self.set_ice_role(role);
            }
            if data.as_ref().is_some_and(|d| d.0) && self.sctp_transport.is_none() {
                self.sctp_transport = Some(SctpTransportSlot {
                    remote: None,
                    max_message_size: None,
                });
            }
        } else {
            let setup = sd
                .media
                .iter()
                .find(|m| !m.is_rejected())
                .and_then(|m| sd.setup_for(m));
            // The answerer's `active` makes this side the DTLS server; `passive` (and an
            // out-of-spec `actpass`, treated as passive) the client.
            let role = if setup == Some(Setup::Active) {
                DtlsRole::Server
            } else {
                DtlsRole::Client
            };
            self.negotiate_dtls_role(role);
            let (accepted, params) = data.unwrap_or((false, None));
            self.negotiate_sctp(accepted, params);
            if ty == RtcSdpType::Answer {
                self.current_remote = Some(applied);
                self.current_local = self.pending_local.take();
                self.pending_remote = None;
                self.last_created_offer.clear();
                self.last_created_answer.clear();
                self.set_signaling_state(RtcSignalingState::Stable);
                self.forget_replaced_credentials();
                self.remove_rejected_stopped_transceivers();
            } else {
                self.pending_remote = Some(applied);
                self.set_signaling_state(RtcSignalingState::HaveRemotePranswer);
            }
        }
        self.finish_apply(old_state, tracks);
        Ok(())
    }

    /// Rollback (webrtc-pc §4.4.1.5, the `"rollback"` steps; RFC 9429 §5.7).
    fn rollback(&mut self) -> Result<(), RtcError> {
        let old_state = self.signaling_state;
        self.sctp_transport = self.last_stable_sctp.take();
        let mut tracks = Vec::new();
        for i in 0..self.transceivers.len() {
            let Some(t) = self.transceivers.get_mut(i) else {
                continue;
            };
            match t.stable.take() {
                Some(s) => {
                    t.jsep_mid = s.jsep_mid;
                    t.mid = s.mid;
                    t.receiver.receive_codecs = s.receive_codecs;
                    if t.sender.send_encodings.iter().any(|e| e.rid.is_some())
                        && s.send_encodings.iter().all(|e| e.rid.is_none())
                    {
                        t.sender.send_encodings = s.send_encodings;
                    }
                }
                None => {
                    t.jsep_mid = None;
                    t.mid = None;
                }
            }
            if old_state == RtcSignalingState::HaveRemoteOffer {
                let msids = t.receiver.last_stable_streams.clone();
                let current = t.current_direction;
                self.process_remote_tracks(i, current, msids, &mut tracks);
            }
        }
        let doomed: Vec<_> = self
            .transceivers
            .iter()
            .filter(|t| t.created_by_pending && !t.add_track_used)
            .map(|t| t.id)
            .collect();
        for t in &mut self.transceivers {
            if doomed.contains(&t.id) {
                t.stop();
            }
        }
        self.transceivers.retain(|t| !doomed.contains(&t.id));
        tracks.retain(|e| !doomed.contains(&e.transceiver));
        self.layout = self.stable_layout.take().unwrap_or_default();
        self.pending_local = None;
        self.pending_remote = None;
        self.restart_ice = None;
        if let Some(current) = &self.current_remote {
            self.remote_transports = remote::transports(&current.parsed);
        } else {
            self.remote_transports.clear();
        }
        self.set_signaling_state(RtcSignalingState::Stable);
        self.finish_apply(old_state, tracks);
        Ok(())
    }
}
