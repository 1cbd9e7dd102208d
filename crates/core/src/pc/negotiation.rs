//! The negotiation-needed flag (webrtc-pc §4.7 "Session Negotiation Model": §4.7.3 "update the
//! negotiation-needed flag" and "check if negotiation is needed").
//!
//! "Update" queues a task; here the task runs when `poll_event` has delivered every event fired
//! before it, so several changes made in a row fire one `negotiationneeded`, and never while the
//! signaling state is not `"stable"` (the flag is updated again on the way back to stable).

use rtcpeer_sdp::MediaDescription;

use super::transceiver::{from_sdp, sends};
use super::{PeerConnection, PeerConnectionEvent};
use crate::enums::{RtcRtpTransceiverDirection, RtcSdpType, RtcSignalingState};
use crate::jsep::remote::is_data;

/// The direction an answerer uses: the transceiver's direction intersected with the reverse of
/// the offered one (RFC 9429 §5.3.1).
pub(crate) fn intersect(
    ours: RtcRtpTransceiverDirection,
    offered_reversed: RtcRtpTransceiverDirection,
) -> RtcRtpTransceiverDirection {
    let s = sends(Some(ours)) && sends(Some(offered_reversed));
    let r = super::transceiver::receives(Some(ours))
        && super::transceiver::receives(Some(offered_reversed));
    from_sdp(rtcpeer_sdp::Direction::from_parts(s, r))
}

fn reversed(d: rtcpeer_sdp::Direction) -> RtcRtpTransceiverDirection {
    from_sdp(d.reverse())
}

impl PeerConnection {
    /// "Update the negotiation-needed flag": queue the task.
    pub(crate) fn update_negotiation_needed(&mut self) {
        if !self.is_closed {
            self.nn_task_queued = true;
        }
    }

    /// "Clear the negotiation-needed flag".
    pub(crate) fn clear_negotiation_needed(&mut self) {
        self.negotiation_needed = false;
    }

    /// `[[NegotiationNeeded]]`.
    pub fn negotiation_needed(&self) -> bool {
        self.negotiation_needed
    }

    /// The queued task of "update the negotiation-needed flag".
    pub(crate) fn run_negotiation_needed_task(&mut self) {
        if self.is_closed || self.signaling_state != RtcSignalingState::Stable {
            return;
        }
        if !self.is_negotiation_needed() {
            self.negotiation_needed = false;
            return;
        }
        if self.negotiation_needed {
            return;
        }
        self.negotiation_needed = true;
        self.events
            .push_back(PeerConnectionEvent::NegotiationNeeded);
    }

    /// "Check if negotiation is needed" (webrtc-pc §4.7.3), step by step.
    pub(crate) fn is_negotiation_needed(&self) -> bool {
        if !self.local_ice_credentials_to_replace.is_empty() {
            return true;
        }
        let local = self.current_local.as_ref();
        let remote = self.current_remote.as_ref();
        let section = |mid: &str| -> Option<&MediaDescription> {
            local.and_then(|d| d.parsed.media_by_mid(mid))
        };
        if !self.data_channels.is_empty()
            && !local.is_some_and(|d| {
                d.parsed
                    .media
                    .iter()
                    .any(|m| is_data(m) && !m.is_rejected())
            })
        {
            return true;
        }
        for t in &self.transceivers {
            if t.stopping && !t.stopped {
                return true;
            }
            let associated = t.mid.as_deref().and_then(section);
            if !t.stopped {
                let Some(m) = associated else {
                    return true;
                };
                if sends(Some(t.direction)) {
                    let msids: Vec<&str> = m
                        .msids()
                        .map(|x| x.stream_id.as_str())
                        .filter(|s| *s != "-")
                        .collect();
                    let any_msid = m.msids().next().is_some();
                    let same = msids.len() == t.sender.stream_ids.len()
                        && t.sender
                            .stream_ids
                            .iter()
                            .all(|s| msids.contains(&s.as_str()));
                    if !any_msid || !same {
                        return true;
                    }
                }
                let local_dir = from_sdp(m.direction().unwrap_or(rtcpeer_sdp::Direction::SendRecv));
                let mid = t.mid.as_deref().unwrap_or_default();
                let remote_m = remote.and_then(|d| d.parsed.media_by_mid(mid));
                match local.map(|d| d.desc.sdp_type()) {
                    Some(RtcSdpType::Offer) => {
                        let remote_dir = remote_m.map(|rm| {
                            reversed(rm.direction().unwrap_or(rtcpeer_sdp::Direction::SendRecv))
                        });
                        if local_dir != t.direction && remote_dir != Some(t.direction) {
                            return true;
                        }
                    }
                    Some(RtcSdpType::Answer) => {
                        let offered = remote_m
                            .map(|rm| {
                                reversed(rm.direction().unwrap_or(rtcpeer_sdp::Direction::SendRecv))
                            })
                            .unwrap_or(RtcRtpTransceiverDirection::Inactive);
                        if local_dir != intersect(t.direction, offered) {
                            return true;
                        }
                    }
                    _ => {}
                }
            } else if let Some(m) = associated {
                let rejected_remotely = t
                    .mid
                    .as_deref()
                    .and_then(|mid| remote.and_then(|d| d.parsed.media_by_mid(mid)))
                    .is_some_and(|rm| rm.is_rejected());
                if !m.is_rejected() && !rejected_remotely {
                    return true;
                }
            }
        }
        false
    }
}
