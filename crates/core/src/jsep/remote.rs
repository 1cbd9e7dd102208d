//! Checking a remote description and reading what the transport layer needs from it: RFC 9429
//! §5.8 "Parsing a Session Description" (§5.8.2 media section parsing, §5.8.3 semantics
//! verification) and the rejections of webrtc-pc §4.4.1.5 "set a session description" (the
//! `rtcpMuxPolicy` check, "the content of description is invalid").
//!
//! [`RemoteTransportParameters`] is the typed seam to the ICE, DTLS and SCTP machines: one entry
//! per transport (a BUNDLE group shares the transport of its offerer-tagged m= section, RFC 9143
//! §7), with the ICE credentials, ICE-lite and ICE options (trickle, RFC 8840 §4.1.3),
//! fingerprints (RFC 8122), `a=setup` (RFC 8842), candidates and the SCTP parameters (RFC 8841).

use rtcpeer_dtls::{Fingerprint, HashFunction};
use rtcpeer_sdp::{Candidate, MediaDescription, SessionDescription, Setup};

use crate::RtcError;
use crate::enums::RtcRtcpMuxPolicy;

/// The default `a=max-message-size` when the attribute is absent (RFC 8841 §6: 64 KiB;
/// webrtc-pc §6.1.1.2 "update the data max message size").
pub const DEFAULT_REMOTE_MAX_MESSAGE_SIZE: u64 = 65536;

/// The SCTP parameters of a data m= section (RFC 8841 §5, §6; legacy `a=sctpmap`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SctpParameters {
    /// The SCTP port (`a=sctp-port`, or the legacy `a=sctpmap` / `m=` format).
    pub port: u16,
    /// `a=max-message-size`, [`DEFAULT_REMOTE_MAX_MESSAGE_SIZE`] when absent; 0 means no limit.
    pub max_message_size: u64,
    /// Whether the section uses the legacy `DTLS/SCTP <port>` + `a=sctpmap` format.
    pub legacy_sctpmap: bool,
}

/// One remote transport: what the ICE agent, the DTLS transport and the SCTP association need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTransportParameters {
    /// The mids of the m= sections carried by this transport; the first is the one whose
    /// attributes define it (the BUNDLE offerer-tagged section).
    pub mids: Vec<String>,
    /// `a=ice-ufrag`.
    pub ice_ufrag: String,
    /// `a=ice-pwd`. Never log it.
    pub ice_pwd: String,
    /// `a=ice-lite` (session level, RFC 8839 §5.3).
    pub ice_lite: bool,
    /// The `a=ice-options` tags.
    pub ice_options: Vec<String>,
    /// The peer's DTLS certificate fingerprints, in the hash functions this side supports.
    pub fingerprints: Vec<Fingerprint>,
    /// `a=setup`.
    pub setup: Option<Setup>,
    /// The candidates in the description, with the mid of their section.
    pub candidates: Vec<(String, Candidate)>,
    /// Whether `a=end-of-candidates` was present (RFC 8840 §8.2).
    pub end_of_candidates: bool,
    /// The SCTP parameters, when the transport carries the data m= section.
    pub sctp: Option<SctpParameters>,
}

impl RemoteTransportParameters {
    /// Whether the peer supports trickle ICE (`a=ice-options:trickle`, RFC 8840 §4.1.3).
    pub fn trickle(&self) -> bool {
        self.ice_options.iter().any(|o| o == "trickle")
    }
}

/// The mid of each m= section: its `a=mid`, or for a section without one (a pre-RFC 5888 peer)
/// a generated one that no section uses, as RFC 9429 §5.10 allows.
pub fn mids(sd: &SessionDescription) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(sd.media.len());
    for (i, m) in sd.media.iter().enumerate() {
        let mid = match m.mid() {
            Some(mid) => mid.to_owned(),
            None => {
                let mut n = i;
                loop {
                    let candidate = format!("rtcpeer-{n}");
                    if !sd.media.iter().any(|m| m.mid() == Some(candidate.as_str())) {
                        break candidate;
                    }
                    n += 1;
                }
            }
        };
        out.push(mid);
    }
    out
}

/// Whether a section is the data channel section (RFC 8841 §4: `UDP/DTLS/SCTP`, `TCP/DTLS/SCTP`
/// or the legacy `DTLS/SCTP`).
pub fn is_data(m: &MediaDescription) -> bool {
    m.kind == rtcpeer_sdp::MediaKind::Application && m.is_sctp()
}

/// The SCTP parameters of a data section.
pub fn sctp_parameters(m: &MediaDescription) -> Option<SctpParameters> {
    if !is_data(m) {
        return None;
    }
    let legacy = m.sctpmap();
    let port = m
        .sctp_port()
        .or(legacy.map(|s| s.port))
        .or_else(|| m.formats().first().and_then(|f| f.parse().ok()))
        .unwrap_or(5000);
    Some(SctpParameters {
        port,
        max_message_size: m
            .max_message_size()
            .unwrap_or(DEFAULT_REMOTE_MAX_MESSAGE_SIZE),
        legacy_sctpmap: legacy.is_some() || m.protocol() == "DTLS/SCTP",
    })
}

/// The track ids a media section announces: from `a=msid` (RFC 8830) and from the legacy
/// `a=ssrc:<ssrc> msid:<stream> <track>` lines.
fn track_ids(m: &MediaDescription) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut add = |id: &str| {
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_owned());
        }
    };
    for msid in m.msids() {
        if let Some(t) = &msid.track_id {
            add(t);
        }
    }
    for s in m.ssrcs().filter(|s| s.attribute == "msid") {
        if let Some(t) = s.value.as_deref().and_then(|v| v.split(' ').nth(1)) {
            add(t);
        }
    }
    ids
}

/// The stream ids of a media section's `a=msid` lines (`-` means "no stream", RFC 8830 §2), or
/// when there are none, of its `a=ssrc ... msid:` lines.
pub fn stream_ids(m: &MediaDescription) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let from_msid: Vec<&str> = m.msids().map(|x| x.stream_id.as_str()).collect();
    let legacy: Vec<&str> = m
        .ssrcs()
        .filter(|s| s.attribute == "msid")
        .filter_map(|s| s.value.as_deref().and_then(|v| v.split(' ').next()))
        .collect();
    let source = if from_msid.is_empty() {
        legacy
    } else {
        from_msid
    };
    for id in source {
        if id != "-" && !ids.iter().any(|i| i == id) {
            ids.push(id.to_owned());
        }
    }
    ids
}

/// The checks on a remote description before it is applied, with the error webrtc-pc
/// §4.4.1.5 names for each:
///
/// - Plan B (two tracks in one m= section, which Unified Plan forbids, RFC 8829 §5.2/RFC 8830):
///   "the content of description is invalid" → `InvalidAccessError`;
/// - `rtcpMuxPolicy` `"require"` and an RTP section without `a=rtcp-mux` → `InvalidAccessError`;
/// - a non-rejected section without ICE credentials or a usable DTLS fingerprint, or an RTP or
///   data section with an unknown protocol (RFC 9429 §5.8.2) → `InvalidAccessError`.
pub fn validate(sd: &SessionDescription, policy: RtcRtcpMuxPolicy) -> Result<(), RtcError> {
    for (i, m) in sd.media.iter().enumerate() {
        if track_ids(m).len() > 1 {
            return Err(RtcError::invalid_access(format!(
                "m= section {i} describes more than one track (Plan B), which Unified Plan does not support"
            )));
        }
        if m.is_rejected() {
            continue;
        }
        if m.is_rtp() && policy == RtcRtcpMuxPolicy::Require && !m.has_rtcp_mux() {
            return Err(RtcError::invalid_access(format!(
                "m= section {i} does not use rtcp-mux, which rtcpMuxPolicy \"require\" needs"
            )));
        }
        if sd.ice_credentials(m).is_none() {
            return Err(RtcError::invalid_access(format!(
                "m= section {i} has no ICE credentials (a=ice-ufrag/a=ice-pwd)"
            )));
        }
        if fingerprints(sd, m).is_empty() {
            return Err(RtcError::invalid_access(format!(
                "m= section {i} has no usable DTLS fingerprint"
            )));
        }
    }
    Ok(())
}

fn fingerprints(sd: &SessionDescription, m: &MediaDescription) -> Vec<Fingerprint> {
    sd.fingerprints_for(m)
        .into_iter()
        .filter_map(|f| {
            let name = f.hash_function.as_str();
            let alg = HashFunction::ALL
                .into_iter()
                .find(|h| h.as_str().eq_ignore_ascii_case(name))?;
            Fingerprint::new(alg, f.value.clone()).ok()
        })
        .collect()
}

/// The transports a (validated) remote description describes.
pub fn transports(sd: &SessionDescription) -> Vec<RemoteTransportParameters> {
    let all_mids = mids(sd);
    let mut out: Vec<RemoteTransportParameters> = Vec::new();
    for (i, m) in sd.media.iter().enumerate() {
        let Some(mid) = all_mids.get(i) else { continue };
        if m.is_rejected() {
            continue;
        }
        // A section in a BUNDLE group joins the transport of the group's first accepted mid.
        let tag = sd.bundle_group_of(mid).and_then(|g| {
            g.mids
                .iter()
                .find(|t| sd.media_by_mid(t).is_some_and(|s| !s.is_rejected()))
                .cloned()
        });
        if let Some(tag) = &tag
            && tag != mid
            && let Some(t) = out.iter_mut().find(|t| t.mids.first() == Some(tag))
        {
            t.mids.push(mid.clone());
            t.candidates
                .extend(m.candidates().map(|c| (mid.clone(), c.clone())));
            if t.sctp.is_none() {
                t.sctp = sctp_parameters(m);
            }
            continue;
        }
        let Some((ufrag, pwd)) = sd.ice_credentials(m) else {
            continue;
        };
        let mut ice_options: Vec<String> = m.ice_options().map(str::to_owned).collect();
        if ice_options.is_empty() {
            ice_options = sd.ice_options().map(str::to_owned).collect();
        }
        out.push(RemoteTransportParameters {
            mids: vec![mid.clone()],
            ice_ufrag: ufrag.to_owned(),
            ice_pwd: pwd.to_owned(),
            ice_lite: sd.is_ice_lite(),
            ice_options,
            fingerprints: fingerprints(sd, m),
            setup: sd.setup_for(m),
            candidates: m.candidates().map(|c| (mid.clone(), c.clone())).collect(),
            end_of_candidates: m.is_end_of_candidates(),
            sctp: sctp_parameters(m),
        });
    }
    out
}
