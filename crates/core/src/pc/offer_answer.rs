//! `createOffer` and `createAnswer` (webrtc-pc §4.4.2.2 "create an offer", "create an answer",
//! §4.4.3.2 legacy `offerToReceive<Kind>`), generating SDP as RFC 9429 §5.2 "Generating an
//! Offer" and §5.3 "Generating an Answer" describe, in the layout Chrome writes (session-level
//! `a=group:BUNDLE`, `a=extmap-allow-mixed`, `a=msid-semantic: WMS`; per section `c=IN IP4
//! 0.0.0.0`, `a=rtcp:9 IN IP4 0.0.0.0`, ICE and DTLS attributes, `a=mid`, ...).
//!
//! A created description is remembered with its [`Plan`]: which transceiver or data channel each
//! m= line carries, so that setting it locally associates them (RFC 9429 §5.9).

use std::net::{IpAddr, Ipv4Addr};

use rtcpeer_sdp::{
    Attribute, Connection, Extmap, Group, MediaDescription, MediaKind, Msid, MsidSemantic, Origin,
    Rid, RidDirection, Rtcp, SctpMap, SessionDescription, Setup, Simulcast, Ssrc, SsrcGroup,
    SsrcGroupSemantics,
};

use super::negotiation::intersect;
use super::transceiver::{from_sdp, sends, to_sdp};
use super::{
    IceCredentials, LOCAL_MAX_MESSAGE_SIZE, LOCAL_SCTP_PORT, MLine, MLineContent, PeerConnection,
};
use crate::enums::{RtcBundlePolicy, RtcRtpTransceiverDirection, RtcSignalingState};
use crate::jsep::codecs::{self, RtpCodec};
use crate::jsep::extensions;
use crate::jsep::remote;
use crate::options::legacy_receive_disabled;
use crate::track::TrackKind;
use crate::{RtcError, RtcOfferOptions, RtcSessionDescriptionInit};

/// One m= line of a created description.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlannedMLine {
    pub(crate) mid: String,
    pub(crate) content: MLineContent,
    pub(crate) rejected: bool,
    /// The direction written (media sections).
    pub(crate) direction: RtcRtpTransceiverDirection,
    /// The codecs written (media sections).
    pub(crate) codecs: Vec<RtpCodec>,
}

/// A created offer or answer: its text and what each m= line carries.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub(crate) sdp: String,
    pub(crate) mlines: Vec<PlannedMLine>,
    pub(crate) ice: IceCredentials,
    pub(crate) setup: Setup,
}

const RTP_PROTOCOL: &str = "UDP/TLS/RTP/SAVPF";
const DATA_PROTOCOL: &str = "UDP/DTLS/SCTP";

fn unspecified() -> Connection {
    Connection::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

fn rejected_line(kind: MediaKind, protocol: &str, format: &str, mid: &str) -> MediaDescription {
    MediaDescription::new(kind, 0, protocol, [format])
        .with_connection(unspecified())
        .with_mid(mid)
}

impl PeerConnection {
    /// The ICE and DTLS attributes every accepted section carries (RFC 9429 §5.2.1).
    fn push_transport_attributes(
        &self,
        m: &mut MediaDescription,
        ice: &IceCredentials,
        setup: Setup,
    ) {
        m.push_attribute(Attribute::IceUfrag(ice.ufrag.clone()));
        m.push_attribute(Attribute::IcePwd(ice.pwd.clone()));
        m.push_attribute(Attribute::IceOptions(vec!["trickle".into()]));
        let fp = self.certificate.fingerprint();
        m.push_attribute(Attribute::Fingerprint(rtcpeer_sdp::Fingerprint::new(
            rtcpeer_sdp::HashFunction::Sha256,
            fp.value().to_vec(),
        )));
        m.push_attribute(Attribute::Setup(setup));
        self.push_gathered_candidates(m, ice);
    }

    /// The candidates already gathered for this ICE generation, and `a=end-of-candidates` once
    /// gathering is complete (RFC 9429 §5.2.2, §5.3.2: a subsequent description carries them).
    fn push_gathered_candidates(&self, m: &mut MediaDescription, ice: &IceCredentials) {
        let Some(stack) = self.wire.stack.as_ref() else {
            return;
        };
        if stack.local_credentials().ufrag != ice.ufrag {
            return;
        }
        for c in stack.ice().local_candidates() {
            if c.candidate_type == rtcpeer_ice::CandidateType::PeerReflexive {
                continue;
            }
            if let Ok(sdp) = c.to_sdp_string().parse::<rtcpeer_sdp::Candidate>() {
                m.push_attribute(Attribute::Candidate(sdp));
            }
        }
        if self.wire.eoc_surfaced
            && self.wire.gatherer_state == crate::enums::RtcIceGathererState::Complete
        {
            m.push_attribute(Attribute::EndOfCandidates);
        }
    }

    /// A media section for a transceiver.
    #[allow(clippy::too_many_arguments)]
    fn media_line(
        &self,
        t_index: usize,
        mid: &str,
        direction: RtcRtpTransceiverDirection,
        codecs: &[RtpCodec],
        extmaps: Vec<Extmap>,
        ice: &IceCredentials,
        setup: Setup,
        bundle_only: bool,
        rtcp_rsize: bool,
    ) -> Option<MediaDescription> {
        let t = self.transceivers.get(t_index)?;
        let formats: Vec<String> = codecs.iter().map(|c| c.payload_type.to_string()).collect();
        let port = if bundle_only { 0 } else { 9 };
        let mut m = MediaDescription::new(t.kind.media_kind(), port, RTP_PROTOCOL, formats)
            .with_connection(unspecified());
        m.push_attribute(Attribute::Rtcp(Rtcp {
            port: 9,
            connection: Some(unspecified()),
        }));
        self.push_transport_attributes(&mut m, ice, setup);
        m.push_attribute(Attribute::Mid(mid.to_owned()));
        if bundle_only {
            m.push_attribute(Attribute::BundleOnly);
        }
        for e in extmaps {
            m.push_attribute(Attribute::Extmap(e));
        }
        m.push_attribute(Attribute::Direction(to_sdp(direction)));
        let sending = sends(Some(direction));
        let track_id = t
            .sender
            .track
            .as_ref()
            .map_or(t.sender.msid_track_id.clone(), |tr| tr.id.clone());
        if sending {
            if t.sender.stream_ids.is_empty() {
                m.push_attribute(Attribute::Msid(Msid {
                    stream_id: "-".into(),
                    track_id: Some(track_id.clone()),
                }));
            }
            for s in &t.sender.stream_ids {
                m.push_attribute(Attribute::Msid(Msid {
                    stream_id: s.clone(),
                    track_id: Some(track_id.clone()),
                }));
            }
        }
        m.push_attribute(Attribute::RtcpMux);
        if rtcp_rsize {
            m.push_attribute(Attribute::RtcpRsize);
        }
        codecs::write_codecs(&mut m, codecs);
        let rids: Vec<&str> = t
            .sender
            .send_encodings
            .iter()
            .filter_map(|e| e.rid.as_deref())
            .collect();
        if sending && rids.len() > 1 {
            for r in &rids {
                m.push_attribute(Attribute::Rid(Rid::new(*r, RidDirection::Send)));
            }
            m.push_attribute(Attribute::Simulcast(Simulcast::send(rids.iter().copied())));
        } else if !t.recv_rids.is_empty() && super::transceiver::receives(Some(direction)) {
            for r in &t.recv_rids {
                m.push_attribute(Attribute::Rid(Rid::new(r.clone(), RidDirection::Recv)));
            }
            m.push_attribute(Attribute::Simulcast(Simulcast::recv(
                t.recv_rids.iter().cloned(),
            )));
        }
        if sending && rids.len() <= 1 {
            let rtx = codecs.iter().any(RtpCodec::is_rtx);
            if rtx {
                m.push_attribute(Attribute::SsrcGroup(SsrcGroup {
                    semantics: SsrcGroupSemantics::Fid,
                    ssrcs: vec![t.sender.ssrc, t.sender.rtx_ssrc],
                }));
            }
            let ssrcs = if rtx {
                vec![t.sender.ssrc, t.sender.rtx_ssrc]
            } else {
                vec![t.sender.ssrc]
            };
            for s in ssrcs {
                m.push_attribute(Attribute::Ssrc(Ssrc::new(s, "cname", Some(&self.cname))));
            }
        }
        Some(m)
    }

    /// The data section (RFC 8841 §5, §6; the legacy `DTLS/SCTP 5000` + `a=sctpmap` form when
    /// answering such an offer).
    fn data_line(
        &self,
        mid: &str,
        ice: &IceCredentials,
        setup: Setup,
        legacy: bool,
        bundle_only: bool,
    ) -> MediaDescription {
        let port = if bundle_only { 0 } else { 9 };
        let mut m = if legacy {
            MediaDescription::new(
                MediaKind::Application,
                port,
                "DTLS/SCTP",
                [LOCAL_SCTP_PORT.to_string()],
            )
        } else {
            MediaDescription::new(
                MediaKind::Application,
                port,
                DATA_PROTOCOL,
                ["webrtc-datachannel"],
            )
        }
        .with_connection(unspecified());
        self.push_transport_attributes(&mut m, ice, setup);
        m.push_attribute(Attribute::Mid(mid.to_owned()));
        if bundle_only {
            m.push_attribute(Attribute::BundleOnly);
        }
        if legacy {
            m.push_attribute(Attribute::SctpMap(SctpMap {
                port: LOCAL_SCTP_PORT,
                protocol: "webrtc-datachannel".into(),
                streams: Some(1024),
            }));
        } else {
            m.push_attribute(Attribute::SctpPort(LOCAL_SCTP_PORT));
            m.push_attribute(Attribute::MaxMessageSize(LOCAL_MAX_MESSAGE_SIZE));
        }
        m
    }

    /// Finishes a description: the session-level lines and the `o=` version, incremented when
    /// the content changed since the last created description (RFC 9429 §5.2.2).
    fn finish(
        &mut self,
        media: Vec<MediaDescription>,
        bundle: Vec<String>,
        extmap_allow_mixed: bool,
    ) -> String {
        let mut sd = SessionDescription::new(Origin::new(self.session_id, 0));
        if !bundle.is_empty() {
            sd.push_attribute(Attribute::Group(Group::bundle(bundle)));
        }
        if extmap_allow_mixed {
            sd.push_attribute(Attribute::ExtmapAllowMixed);
        }
        let mut semantic = MsidSemantic::wms(Vec::<String>::new());
        semantic.leading_space = true;
        sd.push_attribute(Attribute::MsidSemantic(semantic));
        sd.media = media;
        let body = sd.to_string();
        if body != self.last_generated_body {
            self.session_version += 1;
            self.last_generated_body = body;
        }
        sd.origin.session_version = self.session_version;
        sd.to_string()
    }

    /// A fresh mid not used by any m= line or transceiver (RFC 9429 §5.2.1: "a unique mid").
    fn fresh_mid(&self, next: &mut u32, taken: &[String]) -> String {
        loop {
            let mid = next.to_string();
            *next += 1;
            if !taken.contains(&mid)
                && !self
                    .transceivers
                    .iter()
                    .any(|t| t.jsep_mid.as_deref() == Some(&mid))
            {
                return mid;
            }
        }
    }

    /// `createOffer(options)` (webrtc-pc §4.4.2.2; RFC 9429 §5.2).
    ///
    /// Errors: `InvalidStateError` when closed or when the signaling state is neither
    /// `"stable"` nor `"have-local-offer"`.
    pub fn create_offer(
        &mut self,
        options: RtcOfferOptions,
    ) -> Result<RtcSessionDescriptionInit, RtcError> {
        self.check_open()?;
        if options.has_legacy_options() {
            self.apply_legacy_offer_options(&options);
        }
        if !matches!(
            self.signaling_state,
            RtcSignalingState::Stable | RtcSignalingState::HaveLocalOffer
        ) {
            return Err(RtcError::invalid_state(format!(
                "createOffer in signaling state {}",
                self.signaling_state
            )));
        }
        let ice = if options.ice_restart || !self.local_ice_credentials_to_replace.is_empty() {
            let rng = &mut self.rng;
            self.restart_ice
                .get_or_insert_with(|| IceCredentials::generate(rng))
                .clone()
        } else {
            self.local_ice.clone()
        };
        let initial = self.current_local.is_none() && self.current_remote.is_none();
        // The m= lines: the negotiated ones in order, recycling rejected ones for new
        // transceivers, then new transceivers, then the data section (RFC 9429 §5.2.2).
        let mut lines: Vec<MLine> = self.layout.clone();
        for l in &mut lines {
            if let MLineContent::Media(id) = l.content
                && !self.transceivers.iter().any(|t| t.id == id)
            {
                l.content = MLineContent::Rejected {
                    kind: MediaKind::Audio,
                    protocol: RTP_PROTOCOL.into(),
                };
            }
        }
        let mut next_mid = self.next_mid;
        let mut taken: Vec<String> = lines.iter().filter_map(|l| l.mid.clone()).collect();
        let new: Vec<_> = self
            .transceivers
            .iter()
            .filter(|t| {
                !t.stopped
                    && !t.stopping
                    && !lines.iter().any(|l| l.content == MLineContent::Media(t.id))
            })
            .map(|t| t.id)
            .collect();
        for id in new {
            let mid = self.fresh_mid(&mut next_mid, &taken);
            taken.push(mid.clone());
            let line = MLine {
                mid: Some(mid),
                content: MLineContent::Media(id),
            };
            match lines
                .iter_mut()
                .find(|l| matches!(l.content, MLineContent::Rejected { .. }))
            {
                Some(slot) => *slot = line,
                None => lines.push(line),
            }
        }
        if !self.data_channels.is_empty() && !lines.iter().any(|l| l.content == MLineContent::Data)
        {
            let mid = self.fresh_mid(&mut next_mid, &taken);
            lines.push(MLine {
                mid: Some(mid),
                content: MLineContent::Data,
            });
        }
        let known: Vec<String> = self
            .current_local
            .iter()
            .chain(self.current_remote.iter())
            .flat_map(|a| {
                a.parsed
                    .media
                    .iter()
                    .filter_map(|m| m.mid().map(str::to_owned))
            })
            .collect();
        let policy = self.config.bundle_policy;
        let mut media = Vec::new();
        let mut planned = Vec::new();
        let mut bundle: Vec<String> = Vec::new();
        let mut first_of_kind: Vec<MediaKind> = Vec::new();
        for line in &lines {
            let mid = line.mid.clone().unwrap_or_default();
            let is_new = !known.contains(&mid);
            let (kind_of_line, t_index) = match &line.content {
                MLineContent::Media(id) => {
                    let idx = self.transceivers.iter().position(|t| t.id == *id);
                    (
                        idx.and_then(|i| self.transceivers.get(i))
                            .map_or(MediaKind::Audio, |t| t.kind.media_kind()),
                        idx,
                    )
                }
                MLineContent::Data => (MediaKind::Application, None),
                MLineContent::Rejected { kind, .. } => (kind.clone(), None),
            };
            let bundle_only = is_new
                && match policy {
                    RtcBundlePolicy::MaxBundle => !bundle.is_empty(),
                    RtcBundlePolicy::Balanced => initial && first_of_kind.contains(&kind_of_line),
                    RtcBundlePolicy::MaxCompat => false,
                };
            let (m, entry) = match (&line.content, t_index) {
                (MLineContent::Media(_), Some(i)) => {
                    let t = &self.transceivers[i];
                    if t.stopped || t.stopping {
                        let m = rejected_line(t.kind.media_kind(), RTP_PROTOCOL, "0", &mid);
                        (m, (true, RtcRtpTransceiverDirection::Inactive, Vec::new()))
                    } else {
                        let negotiated = if t.sender.send_codecs.is_empty() {
                            &t.receiver.receive_codecs
                        } else {
                            &t.sender.send_codecs
                        };
                        let codecs = t.preferred(codecs::offer_codecs(t.kind, negotiated));
                        let exts = self.ext_ids.clone().offer(t.kind);
                        let m = self
                            .media_line(
                                i,
                                &mid,
                                t.direction,
                                &codecs,
                                exts,
                                &ice,
                                Setup::ActPass,
                                bundle_only,
                                true,
                            )
                            .ok_or_else(|| RtcError::operation("transceiver vanished"))?;
                        (m, (false, t.direction, codecs))
                    }
                }
                (MLineContent::Data, _) => (
                    self.data_line(&mid, &ice, Setup::ActPass, false, bundle_only),
                    (false, RtcRtpTransceiverDirection::Sendrecv, Vec::new()),
                ),
                (MLineContent::Rejected { kind, protocol }, _) => {
                    let format = if *kind == MediaKind::Application {
                        "webrtc-datachannel"
                    } else {
                        "0"
                    };
                    (
                        rejected_line(kind.clone(), protocol, format, &mid),
                        (true, RtcRtpTransceiverDirection::Inactive, Vec::new()),
                    )
                }
                (MLineContent::Media(_), None) => (
                    rejected_line(MediaKind::Audio, RTP_PROTOCOL, "0", &mid),
                    (true, RtcRtpTransceiverDirection::Inactive, Vec::new()),
                ),
            };
            if !entry.0 {
                bundle.push(mid.clone());
                if !first_of_kind.contains(&kind_of_line) {
                    first_of_kind.push(kind_of_line.clone());
                }
            }
            media.push(m);
            planned.push(PlannedMLine {
                mid,
                content: line.content.clone(),
                rejected: entry.0,
                direction: entry.1,
                codecs: entry.2,
            });
        }
        // The offerer-tagged section is that of the first non-stopped transceiver (webrtc-pc
        // §4.4.2.2, RFC 8843 §7): it leads the BUNDLE group.
        if let Some(tag) = self
            .transceivers
            .iter()
            .filter(|t| !t.stopped && !t.stopping)
            .find_map(|t| {
                planned
                    .iter()
                    .find(|p| p.content == MLineContent::Media(t.id) && !p.rejected)
                    .map(|p| p.mid.clone())
            })
            && let Some(pos) = bundle.iter().position(|m| *m == tag)
        {
            let tag = bundle.remove(pos);
            bundle.insert(0, tag);
        }
        let sdp = self.finish(media, bundle, true);
        self.last_created_offer = sdp.clone();
        self.last_offer_plan = Some(Plan {
            sdp: sdp.clone(),
            mlines: planned,
            ice,
            setup: Setup::ActPass,
        });
        Ok(RtcSessionDescriptionInit::offer(sdp))
    }

    /// The legacy `offerToReceiveAudio`/`offerToReceiveVideo` steps (webrtc-pc §4.4.3.2), run
    /// before the regular ones; the transceivers they add do not update the
    /// negotiation-needed flag.
    fn apply_legacy_offer_options(&mut self, options: &RtcOfferOptions) {
        for (kind, value) in [
            (TrackKind::Audio, options.offer_to_receive_audio),
            (TrackKind::Video, options.offer_to_receive_video),
        ] {
            match value {
                None => {}
                Some(false) => {
                    for t in self
                        .transceivers
                        .iter_mut()
                        .filter(|t| t.kind == kind && !t.stopped)
                    {
                        t.direction = legacy_receive_disabled(t.direction);
                    }
                }
                Some(true) => {
                    if self.transceivers.iter().any(|t| {
                        t.kind == kind
                            && !t.stopped
                            && super::transceiver::receives(Some(t.direction))
                    }) {
                        continue;
                    }
                    let id = self.create_remote_transceiver(kind);
                    if let Some(t) = self.transceivers.iter_mut().find(|t| t.id == id) {
                        t.created_by_pending = false;
                    }
                }
            }
        }
    }

    /// `createAnswer()` (webrtc-pc §4.4.2.2; RFC 9429 §5.3).
    ///
    /// Errors: `InvalidStateError` when closed or when the signaling state is neither
    /// `"have-remote-offer"` nor `"have-local-pranswer"`.
    pub fn create_answer(&mut self) -> Result<RtcSessionDescriptionInit, RtcError> {
        self.check_open()?;
        if !matches!(
            self.signaling_state,
            RtcSignalingState::HaveRemoteOffer | RtcSignalingState::HaveLocalPranswer
        ) {
            return Err(RtcError::invalid_state(format!(
                "createAnswer in signaling state {}",
                self.signaling_state
            )));
        }
        let offer = self
            .pending_remote
            .as_ref()
            .map(|a| a.parsed.clone())
            .ok_or_else(|| RtcError::invalid_state("no remote offer"))?;
        let ice = if self.remote_offer_restarts_ice(&offer) {
            let rng = &mut self.rng;
            self.restart_ice
                .get_or_insert_with(|| IceCredentials::generate(rng))
                .clone()
        } else {
            self.local_ice.clone()
        };
        let mids = remote::mids(&offer);
        let setup = match self.dtls_role {
            Some(rtcpeer_dtls::DtlsRole::Client) => Setup::Active,
            Some(rtcpeer_dtls::DtlsRole::Server) => Setup::Passive,
            None => {
                let offered = offer.media.first().and_then(|m| offer.setup_for(m));
                if offered == Some(Setup::Active) {
                    Setup::Passive
                } else {
                    Setup::Active
                }
            }
        };
        let mut media = Vec::new();
        let mut planned = Vec::new();
        for (i, om) in offer.media.iter().enumerate() {
            let mid = mids.get(i).cloned().unwrap_or_default();
            let content = self.layout.get(i).map_or(
                MLineContent::Rejected {
                    kind: om.kind.clone(),
                    protocol: om.protocol.clone(),
                },
                |l| l.content.clone(),
            );
            let first_fmt = om.formats().first().cloned().unwrap_or_else(|| "0".into());
            let reject = |content: MLineContent| {
                (
                    rejected_line(om.kind.clone(), om.protocol(), &first_fmt, &mid),
                    PlannedMLine {
                        mid: mid.clone(),
                        content,
                        rejected: true,
                        direction: RtcRtpTransceiverDirection::Inactive,
                        codecs: Vec::new(),
                    },
                )
            };
            let (m, p) = match &content {
                _ if om.is_rejected() => reject(content.clone()),
                MLineContent::Data => {
                    let legacy = om.protocol() == "DTLS/SCTP" || om.sctpmap().is_some();
                    (
                        self.data_line(&mid, &ice, setup, legacy, false),
                        PlannedMLine {
                            mid: mid.clone(),
                            content: content.clone(),
                            rejected: false,
                            direction: RtcRtpTransceiverDirection::Sendrecv,
                            codecs: Vec::new(),
                        },
                    )
                }
                MLineContent::Media(id) => {
                    let Some(ti) = self.transceivers.iter().position(|t| t.id == *id) else {
                        return Err(RtcError::operation("transceiver vanished"));
                    };
                    let t = &self.transceivers[ti];
                    let kind = t.kind;
                    let codecs = t.preferred(codecs::answer_codecs(kind, &codecs::codecs_of(om)));
                    if t.stopped || codecs.iter().all(RtpCodec::is_resilience) {
                        reject(content.clone())
                    } else {
                        let offered = from_sdp(offer.direction_for(om).reverse());
                        let direction = intersect(t.direction, offered);
                        let exts = extensions::answer(kind, &offer.extmaps_for(om));
                        let m = self
                            .media_line(
                                ti,
                                &mid,
                                direction,
                                &codecs,
                                exts,
                                &ice,
                                setup,
                                false,
                                om.has_rtcp_rsize(),
                            )
                            .ok_or_else(|| RtcError::operation("transceiver vanished"))?;
                        let m = if om.has_rtcp_mux() {
                            m
                        } else {
                            without_rtcp_mux(m)
                        };
                        (
                            m,
                            PlannedMLine {
                                mid: mid.clone(),
                                content: content.clone(),
                                rejected: false,
                                direction,
                                codecs,
                            },
                        )
                    }
                }
                MLineContent::Rejected { .. } => reject(content.clone()),
            };
            media.push(m);
            planned.push(p);
        }
        // Accept the offered BUNDLE groups, without the sections the answer rejects (RFC 8843
        // §7.3).
        let mut bundle = Vec::new();
        if let Some(group) = offer.bundle_groups().next() {
            for mid in &group.mids {
                if planned.iter().any(|p| p.mid == *mid && !p.rejected) {
                    bundle.push(mid.clone());
                }
            }
        }
        let allow_mixed = offer.has_extmap_allow_mixed()
            || offer
                .media
                .iter()
                .any(MediaDescription::has_extmap_allow_mixed);
        let sdp = self.finish(media, bundle, allow_mixed);
        self.last_created_answer = sdp.clone();
        self.last_answer_plan = Some(Plan {
            sdp: sdp.clone(),
            mlines: planned,
            ice,
            setup,
        });
        Ok(RtcSessionDescriptionInit::answer(sdp))
    }

    /// Whether a remote offer restarts ICE: its credentials differ from those of the current
    /// remote description (RFC 8839 §4.4.1.1.1).
    pub(crate) fn remote_offer_restarts_ice(&self, offer: &SessionDescription) -> bool {
        let Some(current) = &self.current_remote else {
            return false;
        };
        let creds = |sd: &SessionDescription| {
            sd.media
                .iter()
                .find(|m| !m.is_rejected())
                .and_then(|m| sd.ice_credentials(m))
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
        };
        let (old, new) = (creds(&current.parsed), creds(offer));
        old.is_some() && new.is_some() && old != new
    }
}

fn without_rtcp_mux(mut m: MediaDescription) -> MediaDescription {
    m.attributes.retain(|a| !matches!(a, Attribute::RtcpMux));
    m
}
