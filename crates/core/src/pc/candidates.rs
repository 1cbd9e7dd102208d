//! `addIceCandidate` (webrtc-pc §4.4.2.2; RFC 9429 §4.1.20, §5.10 "adding a remote candidate",
//! RFC 8838 §10 end-of-candidates): the argument checks, the errors, recording the candidate
//! into the remote description(s) it belongs to, and the command to the ICE agent.

use rtcpeer_sdp::{Attribute, Candidate};

use super::{Applied, MLineContent, PeerConnection, TransportCommand};
use crate::jsep::remote;
use crate::{RtcError, RtcIceCandidateInit, RtcSessionDescription, RtcSessionDescriptionInit};

/// Adds an attribute to section `index` of an applied description (or to every section when
/// `index` is `None`) if that section's ICE generation matches `ufrag`, and rewrites its text
/// ("add candidate to [[PendingRemoteDescription]].sdp").
pub(crate) fn record(
    applied: &mut Applied,
    index: Option<usize>,
    ufrag: Option<&str>,
    attr: &Attribute,
) {
    let sd = &mut applied.parsed;
    let session_ufrag = sd.ice_ufrag().map(str::to_owned);
    let mut changed = false;
    for (i, m) in sd.media.iter_mut().enumerate() {
        if index.is_some_and(|x| x != i) || m.is_rejected() {
            continue;
        }
        let section_ufrag = m.ice_ufrag().map(str::to_owned).or(session_ufrag.clone());
        if ufrag.is_some_and(|u| section_ufrag.as_deref() != Some(u)) {
            continue;
        }
        if matches!(attr, Attribute::EndOfCandidates) && m.is_end_of_candidates() {
            continue;
        }
        if let Attribute::Candidate(c) = attr
            && m.candidates().any(|x| x == c)
        {
            continue;
        }
        m.push_attribute(attr.clone());
        changed = true;
    }
    if changed {
        applied.desc = RtcSessionDescription::new(RtcSessionDescriptionInit::new(
            applied.desc.sdp_type(),
            sd.to_string(),
        ));
    }
}

impl PeerConnection {
    /// `addIceCandidate(candidate)`.
    ///
    /// Errors, in the spec's order: `TypeError` for a candidate with neither `sdpMid` nor
    /// `sdpMLineIndex`; `InvalidStateError` when closed or without a remote description;
    /// `OperationError` for an unknown `sdpMid`, an `sdpMLineIndex` out of range, a
    /// `usernameFragment` no applied remote description has, or a candidate that does not
    /// parse. A candidate for the section of a stopped transceiver is ignored.
    pub fn add_ice_candidate(&mut self, init: RtcIceCandidateInit) -> Result<(), RtcError> {
        let result = self.add_ice_candidate_steps(init);
        self.sync_transport();
        result
    }

    fn add_ice_candidate_steps(&mut self, init: RtcIceCandidateInit) -> Result<(), RtcError> {
        init.validate_for_add()?;
        self.check_open()?;
        let remote = self.remote_applied().ok_or_else(|| {
            RtcError::invalid_state("addIceCandidate without a remote description")
        })?;
        let sd = &remote.parsed;
        let mids = remote::mids(sd);
        let index = if let Some(mid) = &init.sdp_mid {
            Some(
                mids.iter()
                    .position(|m| m == mid)
                    .ok_or_else(|| RtcError::operation(format!("no m= section has mid '{mid}'")))?,
            )
        } else if let Some(i) = init.sdp_m_line_index {
            let i = usize::from(i);
            if i >= sd.media.len() {
                return Err(RtcError::operation(format!(
                    "sdpMLineIndex {i} is out of range ({} m= sections)",
                    sd.media.len()
                )));
            }
            Some(i)
        } else {
            None
        };
        if let Some(i) = index
            && let Some(MLineContent::Media(id)) = self.layout.get(i).map(|l| &l.content)
            && self.transceivers.iter().any(|t| t.id == *id && t.stopped)
        {
            return Ok(());
        }
        if let Some(ufrag) = &init.username_fragment {
            let known = [&self.pending_remote, &self.current_remote]
                .into_iter()
                .flatten()
                .any(|a| {
                    a.parsed.media.iter().enumerate().any(|(i, m)| {
                        index.is_none_or(|x| x == i)
                            && a.parsed.ice_credentials(m).map(|c| c.0) == Some(ufrag.as_str())
                    })
                });
            if !known {
                return Err(RtcError::operation(format!(
                    "no remote description has usernameFragment '{ufrag}'"
                )));
            }
        }
        let mid = index.and_then(|i| mids.get(i).cloned());
        let ufrag = init.username_fragment.clone();
        let attr = if init.is_end_of_candidates() {
            self.push_command(TransportCommand::EndOfRemoteCandidates { mid: mid.clone() });
            Attribute::EndOfCandidates
        } else {
            let candidate: Candidate = init.candidate.parse().map_err(|e| {
                RtcError::operation(format!("the candidate could not be added: {e}"))
            })?;
            self.push_command(TransportCommand::AddRemoteCandidate {
                mid: mid.clone().unwrap_or_default(),
                ufrag: ufrag.clone(),
                candidate: candidate.clone(),
            });
            Attribute::Candidate(candidate)
        };
        for applied in [&mut self.pending_remote, &mut self.current_remote]
            .into_iter()
            .flatten()
        {
            record(applied, index, ufrag.as_deref(), &attr);
        }
        Ok(())
    }
}
