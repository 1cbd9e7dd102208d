//! Codec negotiation: the codecs this implementation offers, reading the codecs of a media
//! section, and the answerer's choice with payload-type mapping (RFC 9429 §5.2.1 "Initial
//! Offers" and §5.3.1 "Initial Answers", the media-format rules; RFC 3264 §6.1).
//!
//! Supported: Opus, RED (audio, RFC 2198), G.722, PCMU, PCMA, telephone-event (RFC 4733) at 48
//! and 8 kHz; VP8, VP9 (profiles 0 and 2), H.264 (RFC 6184, Constrained Baseline, Baseline, Main
//! and High, both packetization modes), AV1, H.265 (RFC 7798), each with RTX (RFC 4588, `apt`),
//! and video RED and ULPFEC (RFC 5109).
//!
//! Matching follows webrtc-pc §5.4 "codec dictionary match" with codec-specific media formats:
//! H.264 needs the same profile (from `profile-level-id`) and `packetization-mode`, and its level
//! may differ when both sides allow level asymmetry (RFC 6184 §8.2.2); VP9 `profile-id`, AV1
//! `profile` and H.265 `profile-id`/`tier-flag` must be equal; RTX, RED and FEC follow the codec
//! they protect.

use rtcpeer_sdp::{Attribute, Fmtp, MediaDescription, RtcpFb, RtpMap};

use crate::track::TrackKind;

/// One codec of a media section: what `a=rtpmap`, `a=fmtp` and `a=rtcp-fb` say about one payload
/// type (webrtc-pc `RTCRtpCodecParameters`).
#[doc(alias = "RTCRtpCodecParameters")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtpCodec {
    /// `payloadType`.
    pub payload_type: u8,
    /// The encoding name as written (`opus`, `VP8`, `rtx`, ...).
    pub name: String,
    /// `clockRate`.
    pub clock_rate: u32,
    /// `channels` (audio).
    pub channels: Option<u16>,
    /// `sdpFmtpLine`: the `a=fmtp` parameters, if any.
    pub fmtp: Option<String>,
    /// The `a=rtcp-fb` values that apply: `(type, parameter)`, e.g. `("nack", Some("pli"))`.
    pub feedback: Vec<(String, Option<String>)>,
}

impl RtpCodec {
    fn new(
        pt: u8,
        name: &str,
        clock_rate: u32,
        channels: Option<u16>,
        fmtp: &str,
        feedback: &[&str],
    ) -> RtpCodec {
        RtpCodec {
            payload_type: pt,
            name: name.to_owned(),
            clock_rate,
            channels,
            fmtp: (!fmtp.is_empty()).then(|| fmtp.to_owned()),
            feedback: feedback
                .iter()
                .map(|f| match f.split_once(' ') {
                    Some((t, p)) => (t.to_owned(), Some(p.to_owned())),
                    None => ((*f).to_owned(), None),
                })
                .collect(),
        }
    }

    /// `mimeType`: `"audio/opus"`, `"video/VP8"`, ...
    pub fn mime_type(&self, kind: TrackKind) -> String {
        format!("{}/{}", kind.as_str(), self.name)
    }

    /// Whether this is RTX (RFC 4588).
    pub fn is_rtx(&self) -> bool {
        self.name.eq_ignore_ascii_case("rtx")
    }

    /// Whether this is RED (RFC 2198).
    pub fn is_red(&self) -> bool {
        self.name.eq_ignore_ascii_case("red")
    }

    /// Whether this is a resilience format (RTX, RED, ULPFEC, FlexFEC) rather than a media codec.
    pub fn is_resilience(&self) -> bool {
        self.is_rtx()
            || self.is_red()
            || self.name.eq_ignore_ascii_case("ulpfec")
            || self.name.eq_ignore_ascii_case("flexfec-03")
    }

    /// The value of a `key=value` fmtp parameter (ASCII case-insensitive key).
    pub fn fmtp_param(&self, key: &str) -> Option<&str> {
        self.fmtp.as_deref().and_then(|f| {
            f.split(';').find_map(|p| {
                let (k, v) = p.trim().split_once('=')?;
                k.trim().eq_ignore_ascii_case(key).then(|| v.trim())
            })
        })
    }

    /// The `apt` of an RTX codec.
    pub fn apt(&self) -> Option<u8> {
        self.fmtp_param("apt").and_then(|v| v.parse().ok())
    }
}

const VIDEO_FB: &[&str] = &["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"];

/// The codecs this implementation sends and receives for `kind`, in preference order, with
/// their default payload types (those Chrome uses, so offers look familiar to peers).
pub fn local_codecs(kind: TrackKind) -> Vec<RtpCodec> {
    match kind {
        TrackKind::Audio => vec![
            RtpCodec::new(
                111,
                "opus",
                48000,
                Some(2),
                "minptime=10;useinbandfec=1",
                &["transport-cc"],
            ),
            RtpCodec::new(63, "red", 48000, Some(2), "111/111", &[]),
            RtpCodec::new(9, "G722", 8000, None, "", &[]),
            RtpCodec::new(0, "PCMU", 8000, None, "", &[]),
            RtpCodec::new(8, "PCMA", 8000, None, "", &[]),
            RtpCodec::new(110, "telephone-event", 48000, None, "", &[]),
            RtpCodec::new(126, "telephone-event", 8000, None, "", &[]),
        ],
        TrackKind::Video => {
            let mut v = Vec::new();
            let mut media = |pt: u8, name: &str, fmtp: &str| {
                v.push(RtpCodec::new(pt, name, 90000, None, fmtp, VIDEO_FB));
                v.push(RtpCodec::new(
                    pt + 1,
                    "rtx",
                    90000,
                    None,
                    &format!("apt={pt}"),
                    &[],
                ));
            };
            media(96, "VP8", "");
            media(98, "VP9", "profile-id=0");
            media(100, "VP9", "profile-id=2");
            media(
                102,
                "H264",
                "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
            );
            media(
                104,
                "H264",
                "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f",
            );
            media(
                106,
                "H264",
                "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
            );
            media(
                108,
                "H264",
                "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f",
            );
            media(
                112,
                "H264",
                "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f",
            );
            media(
                114,
                "H264",
                "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f",
            );
            media(45, "AV1", "level-idx=5;profile=0;tier=0");
            media(
                49,
                "H265",
                "level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST",
            );
            media(118, "red", "");
            v.push(RtpCodec::new(120, "ulpfec", 90000, None, "", &[]));
            v
        }
    }
}

/// The static payload types of RFC 3551 that may appear without `a=rtpmap`.
fn static_codec(pt: u8) -> Option<RtpCodec> {
    Some(match pt {
        0 => RtpCodec::new(0, "PCMU", 8000, None, "", &[]),
        8 => RtpCodec::new(8, "PCMA", 8000, None, "", &[]),
        9 => RtpCodec::new(9, "G722", 8000, None, "", &[]),
        _ => return None,
    })
}

/// The codecs of a media section, in `m=` line order (the offerer's or answerer's preference).
pub fn codecs_of(media: &MediaDescription) -> Vec<RtpCodec> {
    media
        .payload_types()
        .filter_map(|pt| {
            let mut codec = match media.rtpmap(pt) {
                Some(map) => RtpCodec {
                    payload_type: pt,
                    name: map.encoding_name.clone(),
                    clock_rate: map.clock_rate,
                    channels: map.channels,
                    fmtp: None,
                    feedback: Vec::new(),
                },
                None => static_codec(pt)?,
            };
            codec.fmtp = media.fmtp(pt).map(|f| f.parameters.clone());
            codec.feedback = media
                .rtcp_feedback(pt)
                .map(|f| (f.feedback_type.clone(), f.parameter.clone()))
                .collect();
            Some(codec)
        })
        .collect()
}

/// Writes `a=rtpmap`, `a=rtcp-fb` and `a=fmtp` for each codec, in the order Chrome uses.
pub fn write_codecs(media: &mut MediaDescription, codecs: &[RtpCodec]) {
    for c in codecs {
        let mut map = RtpMap::new(c.payload_type, c.name.clone(), c.clock_rate);
        map.channels = c.channels;
        media.push_attribute(Attribute::RtpMap(map));
        for (t, p) in &c.feedback {
            media.push_attribute(Attribute::RtcpFb(RtcpFb::new(
                c.payload_type,
                t,
                p.as_deref(),
            )));
        }
        if let Some(f) = &c.fmtp {
            media.push_attribute(Attribute::Fmtp(Fmtp {
                format: c.payload_type.to_string(),
                parameters: f.clone(),
            }));
        }
    }
}

/// The H.264 profiles of RFC 6184 §8.1 that matching distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum H264Profile {
    ConstrainedBaseline,
    Baseline,
    Main,
    Extended,
    ConstrainedHigh,
    High,
    Other(u8),
}

/// `profile-level-id` split into the profile and an ordering key for the level (level 1b sorts
/// between 1.0 and 1.1). Absent means `42000a` (RFC 6184 §8.1).
fn h264_profile_level(codec: &RtpCodec) -> Option<(H264Profile, u8, u16)> {
    let text = codec.fmtp_param("profile-level-id").unwrap_or("42000a");
    if text.len() != 6 || !text.is_ascii() {
        return None;
    }
    let byte = |i: usize| {
        text.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
    };
    let (idc, iop, level) = (byte(0)?, byte(2)?, byte(4)?);
    let profile = match idc {
        0x42 if iop & 0x40 != 0 => H264Profile::ConstrainedBaseline,
        0x42 => H264Profile::Baseline,
        0x4d if iop & 0x80 != 0 => H264Profile::ConstrainedBaseline,
        0x4d => H264Profile::Main,
        0x58 if iop & 0xc0 == 0xc0 => H264Profile::ConstrainedBaseline,
        0x58 if iop & 0x80 != 0 => H264Profile::Baseline,
        0x58 => H264Profile::Extended,
        0x64 if iop & 0x0c == 0x0c => H264Profile::ConstrainedHigh,
        0x64 => H264Profile::High,
        other => H264Profile::Other(other),
    };
    let is_1b = level == 11 && iop & 0x10 != 0 && matches!(idc, 0x42 | 0x4d | 0x58);
    let key = if is_1b { 21 } else { u16::from(level) * 2 };
    Some((profile, level, key))
}

fn param_or<'a>(c: &'a RtpCodec, key: &str, default: &'a str) -> &'a str {
    c.fmtp_param(key).unwrap_or(default)
}

/// Whether an offered media codec (not RTX/RED/FEC) matches a local one, and the fmtp the answer
/// gives it.
fn match_media_codec(local: &RtpCodec, offered: &RtpCodec) -> Option<Option<String>> {
    if !local.name.eq_ignore_ascii_case(&offered.name) || local.clock_rate != offered.clock_rate {
        return None;
    }
    let channels = |c: &RtpCodec| c.channels.unwrap_or(1);
    if channels(local) != channels(offered) {
        return None;
    }
    let name = local.name.to_ascii_uppercase();
    match name.as_str() {
        "H264" => {
            let (lp, local_level, local_key) = h264_profile_level(local)?;
            let (op, offered_level, offered_key) = h264_profile_level(offered)?;
            if lp != op
                || param_or(local, "packetization-mode", "0")
                    != param_or(offered, "packetization-mode", "0")
            {
                return None;
            }
            let asymmetry = |c: &RtpCodec| c.fmtp_param("level-asymmetry-allowed") == Some("1");
            let level = if asymmetry(local) && asymmetry(offered) {
                local_level
            } else if offered_key < local_key {
                offered_level
            } else {
                local_level
            };
            let plid = offered.fmtp_param("profile-level-id").unwrap_or("42000a");
            let profile_part = plid.get(0..4).unwrap_or("4200");
            Some(Some(format!(
                "level-asymmetry-allowed=1;packetization-mode={};profile-level-id={profile_part}{level:02x}",
                param_or(offered, "packetization-mode", "0")
            )))
        }
        "VP9" => (param_or(local, "profile-id", "0") == param_or(offered, "profile-id", "0"))
            .then(|| local.fmtp.clone()),
        "AV1" => (param_or(local, "profile", "0") == param_or(offered, "profile", "0"))
            .then(|| local.fmtp.clone()),
        "H265" => (param_or(local, "profile-id", "1") == param_or(offered, "profile-id", "1")
            && param_or(local, "tier-flag", "0") == param_or(offered, "tier-flag", "0"))
        .then(|| local.fmtp.clone()),
        _ => Some(local.fmtp.clone()),
    }
}

/// The feedback both sides support for a codec: the local values the offer also lists.
fn common_feedback(local: &RtpCodec, offered: &RtpCodec) -> Vec<(String, Option<String>)> {
    local
        .feedback
        .iter()
        .filter(|f| offered.feedback.contains(f))
        .cloned()
        .collect()
}

/// The answerer's codecs for a media section (RFC 9429 §5.3.1: "the media formats on the m=
/// line MUST be generated in the same order as those offered ..., excluding any currently
/// unsupported formats"), with the offerer's payload types. RTX is kept when the codec its
/// `apt` names is kept; RED when its primary codec is.
pub fn answer_codecs(kind: TrackKind, offered: &[RtpCodec]) -> Vec<RtpCodec> {
    let local = local_codecs(kind);
    let mut out: Vec<RtpCodec> = Vec::new();
    // First the media codecs.
    for o in offered.iter().filter(|c| !c.is_resilience()) {
        if let Some((l, fmtp)) = local
            .iter()
            .filter(|l| !l.is_resilience())
            .find_map(|l| match_media_codec(l, o).map(|f| (l, f)))
        {
            out.push(RtpCodec {
                payload_type: o.payload_type,
                name: o.name.clone(),
                clock_rate: o.clock_rate,
                channels: o.channels,
                fmtp,
                feedback: common_feedback(l, o),
            });
        }
    }
    let accepted: Vec<u8> = out.iter().map(|c| c.payload_type).collect();
    // Then RED and FEC (which depend on the media codecs), then RTX.
    for o in offered.iter().filter(|c| c.is_resilience() && !c.is_rtx()) {
        if !local
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(&o.name) && l.clock_rate == o.clock_rate)
        {
            continue;
        }
        let fmtp = if o.is_red() && kind == TrackKind::Audio {
            // `a=fmtp:63 111/111`: every listed primary must be accepted.
            let primaries: Vec<Option<u8>> = o
                .fmtp
                .as_deref()
                .unwrap_or_default()
                .split('/')
                .map(|p| p.trim().parse().ok())
                .collect();
            if o.fmtp.is_some()
                && primaries
                    .iter()
                    .any(|p| !p.is_some_and(|p| accepted.contains(&p)))
            {
                continue;
            }
            o.fmtp.clone()
        } else {
            None
        };
        out.push(RtpCodec {
            payload_type: o.payload_type,
            name: o.name.clone(),
            clock_rate: o.clock_rate,
            channels: o.channels,
            fmtp,
            feedback: Vec::new(),
        });
    }
    let accepted: Vec<u8> = out.iter().map(|c| c.payload_type).collect();
    for o in offered.iter().filter(|c| c.is_rtx()) {
        let Some(apt) = o.apt() else { continue };
        if accepted.contains(&apt) && o.clock_rate == 90000 && kind == TrackKind::Video {
            out.push(RtpCodec {
                payload_type: o.payload_type,
                name: o.name.clone(),
                clock_rate: o.clock_rate,
                channels: None,
                fmtp: Some(format!("apt={apt}")),
                feedback: Vec::new(),
            });
        }
    }
    // Back to the offer's order.
    out.sort_by_key(|c| {
        offered
            .iter()
            .position(|o| o.payload_type == c.payload_type)
            .unwrap_or(usize::MAX)
    });
    out
}

/// The local codecs to offer for `kind`, keeping the payload types already negotiated for this
/// media section (RFC 9429 §5.2.2 "Subsequent Offers": a codec keeps its payload type) and
/// moving any other local codec whose default payload type is taken to a free one.
pub fn offer_codecs(kind: TrackKind, negotiated: &[RtpCodec]) -> Vec<RtpCodec> {
    let mut codecs = local_codecs(kind);
    if negotiated.is_empty() {
        return codecs;
    }
    let defaults: Vec<u8> = codecs.iter().map(|c| c.payload_type).collect();
    // Map each local media codec to a negotiated payload type when they match.
    let mut remap: Vec<(u8, u8)> = Vec::new();
    for c in codecs.iter().filter(|c| !c.is_resilience()) {
        if let Some(n) = negotiated
            .iter()
            .find(|n| !n.is_resilience() && match_media_codec(c, n).is_some())
        {
            remap.push((c.payload_type, n.payload_type));
        }
    }
    for c in codecs.iter().filter(|c| c.is_resilience() && !c.is_rtx()) {
        if let Some(n) = negotiated
            .iter()
            .find(|n| n.name.eq_ignore_ascii_case(&c.name) && n.clock_rate == c.clock_rate)
        {
            remap.push((c.payload_type, n.payload_type));
        }
    }
    for c in codecs.iter().filter(|c| c.is_rtx()) {
        let apt = c
            .apt()
            .and_then(|a| remap.iter().find(|(f, _)| *f == a).map(|(_, t)| *t));
        if let Some(n) = negotiated
            .iter()
            .find(|n| n.is_rtx() && apt.is_some() && n.apt() == apt)
        {
            remap.push((c.payload_type, n.payload_type));
        }
    }
    let mut taken: Vec<u8> = remap.iter().map(|(_, t)| *t).collect();
    taken.extend(negotiated.iter().map(|n| n.payload_type));
    for pt in defaults {
        if remap.iter().any(|(f, _)| *f == pt) {
            continue;
        }
        let target = if taken.contains(&pt) {
            (96..=127)
                .chain(35..=63)
                .find(|p| !taken.contains(p) && !remap.iter().any(|(f, _)| f == p))
                .unwrap_or(pt)
        } else {
            pt
        };
        taken.push(target);
        remap.push((pt, target));
    }
    let map = |pt: u8| remap.iter().find(|(f, _)| *f == pt).map_or(pt, |(_, t)| *t);
    for c in &mut codecs {
        if c.is_rtx()
            && let Some(apt) = c.apt()
        {
            c.fmtp = Some(format!("apt={}", map(apt)));
        } else if c.is_red() && kind == TrackKind::Audio {
            let primary = map(111);
            c.fmtp = Some(format!("{primary}/{primary}"));
        }
        c.payload_type = map(c.payload_type);
    }
    codecs
}

/// Whether a preferred codec (webrtc-pc `RTCRtpCodec` as an [`RtpCodec`], payload type
/// ignored) names `codec`: media codecs by their media format (as [`answer_codecs`] matches
/// them), RED and FEC by name, clock rate and channels.
fn preference_matches(preferred: &RtpCodec, codec: &RtpCodec) -> bool {
    if preferred.is_resilience() || codec.is_resilience() {
        preferred.name.eq_ignore_ascii_case(&codec.name)
            && preferred.clock_rate == codec.clock_rate
            && preferred.channels.unwrap_or(1) == codec.channels.unwrap_or(1)
    } else {
        match_media_codec(preferred, codec).is_some()
    }
}

/// `codecs` (an offer's or answer's media formats) restricted to and ordered by `preferred`
/// (webrtc-pc §5.4 `setCodecPreferences`; RFC 9429 §5.2.1, §5.3.1). RTX follows the codec it
/// repairs when an RTX entry is preferred; audio RED is kept only with its primary codec.
pub fn apply_preferences(
    kind: TrackKind,
    codecs: Vec<RtpCodec>,
    preferred: &[RtpCodec],
) -> Vec<RtpCodec> {
    if preferred.is_empty() {
        return codecs;
    }
    let want_rtx = preferred.iter().any(RtpCodec::is_rtx);
    let mut out: Vec<RtpCodec> = Vec::new();
    for p in preferred.iter().filter(|p| !p.is_rtx()) {
        for c in codecs.iter().filter(|c| !c.is_rtx()) {
            if out.iter().any(|o| o.payload_type == c.payload_type) || !preference_matches(p, c) {
                continue;
            }
            out.push(c.clone());
            if want_rtx {
                out.extend(
                    codecs
                        .iter()
                        .filter(|r| r.is_rtx() && r.apt() == Some(c.payload_type))
                        .cloned(),
                );
            }
        }
    }
    let kept: Vec<u8> = out.iter().map(|c| c.payload_type).collect();
    out.retain(|c| {
        if !(c.is_red() && kind == TrackKind::Audio) {
            return true;
        }
        c.fmtp.as_deref().is_none_or(|f| {
            f.split('/')
                .all(|p| p.trim().parse::<u8>().is_ok_and(|pt| kept.contains(&pt)))
        })
    });
    out
}

/// The codecs of a remote answer this implementation can use: the answer's codecs that match a
/// local one (RFC 9429 §5.11 "Applying an Answer": the codecs to send and receive).
pub fn supported_subset(kind: TrackKind, answer: &[RtpCodec]) -> Vec<RtpCodec> {
    let accepted = answer_codecs(kind, answer);
    answer
        .iter()
        .filter(|a| accepted.iter().any(|c| c.payload_type == a.payload_type))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h264(pt: u8, fmtp: &str) -> RtpCodec {
        RtpCodec::new(pt, "H264", 90000, None, fmtp, &["nack", "nack pli"])
    }

    #[test]
    fn h264_profile_must_match_and_level_may_differ() {
        let offered = vec![
            h264(
                100,
                "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034",
            ),
            h264(101, "packetization-mode=1;profile-level-id=f4001f"),
            h264(102, "packetization-mode=1;profile-level-id=640c0b"),
        ];
        let answer = answer_codecs(TrackKind::Video, &offered);
        let pts: Vec<u8> = answer.iter().map(|c| c.payload_type).collect();
        // 42e034 is Constrained Baseline level 5.2: accepted with our level 3.1 (asymmetry).
        // f4 (High 4:4:4) is not supported; 640c (Constrained High) is not either.
        assert_eq!(pts, [100]);
        assert_eq!(
            answer[0].fmtp.as_deref(),
            Some("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f")
        );
        assert_eq!(answer[0].feedback.len(), 2);
        // Without asymmetry the lower level wins.
        let low = answer_codecs(
            TrackKind::Video,
            &[h264(99, "packetization-mode=1;profile-level-id=42e00d")],
        );
        assert_eq!(
            low[0].fmtp.as_deref(),
            Some("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e00d")
        );
        // Constrained Baseline written as 4d80 matches too; packetization-mode must match.
        assert_eq!(
            answer_codecs(
                TrackKind::Video,
                &[h264(98, "packetization-mode=2;profile-level-id=42e01f")]
            ),
            []
        );
        assert_eq!(
            answer_codecs(
                TrackKind::Video,
                &[h264(97, "packetization-mode=1;profile-level-id=4d801f")]
            )
            .len(),
            1
        );
    }

    #[test]
    fn rtx_red_and_fec_follow_their_codec() {
        let offered = vec![
            RtpCodec::new(120, "VP8", 90000, None, "", &["nack"]),
            RtpCodec::new(121, "rtx", 90000, None, "apt=120", &[]),
            RtpCodec::new(122, "XYZ", 90000, None, "", &[]),
            RtpCodec::new(123, "rtx", 90000, None, "apt=122", &[]),
            RtpCodec::new(124, "ulpfec", 90000, None, "", &[]),
        ];
        let answer = answer_codecs(TrackKind::Video, &offered);
        let pts: Vec<u8> = answer.iter().map(|c| c.payload_type).collect();
        assert_eq!(pts, [120, 121, 124]);
        assert_eq!(answer[1].fmtp.as_deref(), Some("apt=120"));

        let audio = vec![
            RtpCodec::new(96, "opus", 48000, Some(2), "useinbandfec=1", &[]),
            RtpCodec::new(97, "red", 48000, Some(2), "96/96", &[]),
            RtpCodec::new(98, "red", 48000, Some(2), "5/5", &[]),
            RtpCodec::new(101, "telephone-event", 8000, None, "0-15", &[]),
            RtpCodec::new(102, "opus", 48000, None, "", &[]),
        ];
        let answer = answer_codecs(TrackKind::Audio, &audio);
        let pts: Vec<u8> = answer.iter().map(|c| c.payload_type).collect();
        // Mono "opus/48000" is not Opus as RFC 7587 defines it (always /2).
        assert_eq!(pts, [96, 97, 101]);
    }

    #[test]
    fn preferences_filter_and_order_with_rtx_and_red() {
        let audio = local_codecs(TrackKind::Audio);
        let pref = |name: &str, clock: u32| {
            audio
                .iter()
                .find(|c| c.name == name && c.clock_rate == clock)
                .cloned()
                .unwrap()
        };
        // RED without its primary (Opus) is dropped; order follows the preferences.
        let out = apply_preferences(
            TrackKind::Audio,
            audio.clone(),
            &[pref("PCMA", 8000), pref("red", 48000), pref("PCMU", 8000)],
        );
        let names: Vec<&str> = out.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["PCMA", "PCMU"]);
        let out = apply_preferences(
            TrackKind::Audio,
            audio.clone(),
            &[pref("red", 48000), pref("opus", 48000)],
        );
        let names: Vec<&str> = out.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["red", "opus"]);
        // No preferences: unchanged.
        assert_eq!(
            apply_preferences(TrackKind::Audio, audio.clone(), &[]),
            audio
        );
        // Video RTX follows the codec it repairs, and only when RTX is preferred.
        let video = local_codecs(TrackKind::Video);
        let vp8 = video.iter().find(|c| c.name == "VP8").cloned().unwrap();
        let rtx = RtpCodec::new(0, "rtx", 90000, None, "", &[]);
        let out = apply_preferences(TrackKind::Video, video.clone(), &[vp8.clone(), rtx]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].apt(), Some(vp8.payload_type));
        assert_eq!(apply_preferences(TrackKind::Video, video, &[vp8]).len(), 1);
    }

    #[test]
    fn subsequent_offers_keep_negotiated_payload_types() {
        let negotiated = vec![
            RtpCodec::new(120, "VP8", 90000, None, "", &[]),
            RtpCodec::new(
                96,
                "H264",
                90000,
                None,
                "packetization-mode=1;profile-level-id=42e01f",
                &[],
            ),
            RtpCodec::new(121, "rtx", 90000, None, "apt=120", &[]),
        ];
        let offer = offer_codecs(TrackKind::Video, &negotiated);
        let find = |name: &str, fmtp: Option<&str>| {
            offer
                .iter()
                .find(|c| c.name == name && (fmtp.is_none() || c.fmtp.as_deref() == fmtp))
                .map(|c| c.payload_type)
        };
        assert_eq!(find("VP8", None), Some(120));
        assert_eq!(
            find(
                "H264",
                Some("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f")
            ),
            Some(96)
        );
        assert_eq!(offer[1].fmtp.as_deref(), Some("apt=120"));
        let mut pts: Vec<u8> = offer.iter().map(|c| c.payload_type).collect();
        let n = pts.len();
        pts.sort_unstable();
        pts.dedup();
        assert_eq!(pts.len(), n, "payload types stay unique");
    }
}
