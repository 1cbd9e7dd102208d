//! Real session descriptions (see `fixtures/README.md`): each parses, writes back byte for byte
//! (line endings normalised to CRLF), and exposes what the JSEP layer will look up.

use std::fs;
use std::path::PathBuf;

use rtcpeer_sdp::{
    Attribute, Candidate, CandidateType, Direction, GroupSemantics, HashFunction, MediaKind,
    RidDirection, SessionDescription, Setup, SsrcGroupSemantics, TcpType,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load(name: &str) -> String {
    fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The text with CRLF line endings and a final CRLF, as the writer produces.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim_end_matches(['\r', '\n']).split('\n') {
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        out.push_str("\r\n");
    }
    out
}

fn parse(name: &str) -> SessionDescription {
    let text = load(name);
    SessionDescription::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_fixture_round_trips_exactly() {
    let mut count = 0;
    for entry in fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sdp") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = load(&name);
        let sd = SessionDescription::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let written = sd.to_string();
        assert_eq!(written, normalise(&text), "{name} did not round-trip");
        // Parsing the written text gives the same value, and LF-only input parses the same.
        assert_eq!(SessionDescription::parse(&written).unwrap(), sd, "{name}");
        let lf = written.replace("\r\n", "\n");
        assert_eq!(SessionDescription::parse(&lf).unwrap(), sd, "{name} (LF)");
        count += 1;
    }
    assert!(count >= 20, "only {count} fixtures found");
}

/// No attribute of a well-formed browser description needs the verbatim fallback except the
/// ones the browser really writes oddly, and every typed name is typed.
#[test]
fn known_attributes_are_typed_in_browser_output() {
    for name in [
        "chrome-offer-audio-video-data-gathered.sdp",
        "chrome-answer-audio-video-data.sdp",
        "chrome-offer-simulcast.sdp",
        "firefox-58-offer-audio.sdp",
        "safari-12-offer-audio-video-data-sctpmap.sdp",
        "aiortc-offer-audio-video-data.sdp",
    ] {
        let sd = parse(name);
        let all = sd
            .attributes
            .iter()
            .chain(sd.media.iter().flat_map(|m| m.attributes.iter()));
        for a in all {
            if let Attribute::Other { name: n, value } = a {
                assert!(
                    !Attribute::is_typed_name(n),
                    "{name}: a={n}:{value:?} was not typed"
                );
            }
        }
    }
}

#[test]
fn chrome_offer_audio_video_data() {
    let sd = parse("chrome-offer-audio-video-data-gathered.sdp");
    assert_eq!(sd.origin.username, "-");
    assert_eq!(sd.origin.session_version, 2);
    let bundle: Vec<_> = sd.bundle_groups().collect();
    assert_eq!(bundle.len(), 1);
    assert_eq!(bundle[0].mids, ["0", "1", "2"]);
    assert!(sd.has_extmap_allow_mixed());
    let ms = sd.msid_semantic().unwrap();
    assert!(ms.leading_space);
    assert_eq!(ms.semantic, "WMS");
    assert_eq!(sd.media.len(), 3);

    let audio = &sd.media[0];
    assert_eq!(audio.kind(), &MediaKind::Audio);
    assert_eq!(audio.protocol(), "UDP/TLS/RTP/SAVPF");
    assert_eq!(audio.mid(), Some("0"));
    assert_eq!(audio.direction(), Some(Direction::SendRecv));
    assert_eq!(audio.ice_ufrag(), Some("O/SX"));
    assert_eq!(audio.ice_options().collect::<Vec<_>>(), ["trickle"]);
    assert_eq!(audio.setup(), Some(Setup::ActPass));
    let fp: Vec<_> = audio.fingerprints().collect();
    assert_eq!(fp[0].hash_function, HashFunction::Sha256);
    assert_eq!(fp[0].value.len(), 32);
    assert!(audio.has_rtcp_mux() && audio.has_rtcp_rsize());
    let opus = audio.rtpmap(111).unwrap();
    assert_eq!(
        (opus.encoding_name.as_str(), opus.clock_rate, opus.channels),
        ("opus", 48000, Some(2))
    );
    assert_eq!(audio.fmtp(111).unwrap().param("useinbandfec"), Some("1"));
    assert_eq!(audio.rtcp_feedback(111).count(), 1);
    assert_eq!(audio.payload_types().count(), 8);
    assert_eq!(audio.extmaps().count(), 4);
    assert_eq!(audio.msids().count(), 1);
    let candidates: Vec<_> = audio.candidates().collect();
    assert_eq!(candidates.len(), 4);
    assert!(
        candidates
            .iter()
            .all(|c| c.candidate_type == CandidateType::Host)
    );
    assert_eq!(candidates[2].tcp_type(), Some(TcpType::Active));
    assert_eq!(candidates[0].network_id(), Some(1));
    assert_eq!(audio.rtcp().map(|r| r.port), Some(9));

    let video = &sd.media[1];
    assert_eq!(video.kind(), &MediaKind::Video);
    assert_eq!(video.rtpmap(96).unwrap().encoding_name, "VP8");
    assert_eq!(video.rtcp_feedback(96).count(), 5);
    assert_eq!(video.fmtp(97).unwrap().param("apt"), Some("96"));
    let fid: Vec<_> = video.ssrc_groups().collect();
    assert_eq!(fid[0].semantics, SsrcGroupSemantics::Fid);
    assert_eq!(video.ssrc_ids().len(), 2);
    assert!(video.ssrc_cname(fid[0].ssrcs[0]).is_some());

    let data = &sd.media[2];
    assert_eq!(data.kind(), &MediaKind::Application);
    assert!(data.is_sctp());
    assert_eq!(data.formats(), ["webrtc-datachannel"]);
    assert_eq!(data.sctp_port(), Some(5000));
    assert_eq!(data.max_message_size(), Some(262144));
    assert_eq!(
        sd.ice_credentials(data),
        Some(("O/SX", "CJY5C6qzkXE5bruggu+ck3iL"))
    );
}

#[test]
fn chrome_trickle_candidates_parse_standalone() {
    let text = load("chrome-trickle-candidates.txt");
    let mut n = 0;
    for line in text.lines() {
        let c: Candidate = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(c.to_string(), line);
        assert_eq!(c.username_fragment(), Some("O/SX"));
        assert_eq!(c.generation(), Some(0));
        // The same candidate inside an SDP attribute line.
        let a: Attribute = format!("a={line}").parse().unwrap();
        assert_eq!(a, Attribute::Candidate(c));
        n += 1;
    }
    assert!(n > 0);
}

#[test]
fn chrome_answer_is_active_or_passive() {
    let sd = parse("chrome-answer-audio-video-data.sdp");
    for m in &sd.media {
        assert_eq!(sd.setup_for(m), Some(Setup::Active));
    }
}

#[test]
fn chrome_simulcast_rids() {
    let sd = parse("chrome-offer-simulcast.sdp");
    let video = &sd.media[0];
    let rids: Vec<_> = video.rids().collect();
    assert_eq!(rids.len(), 3);
    assert!(rids.iter().all(|r| r.direction == RidDirection::Send));
    assert_eq!(
        rids.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["q", "h", "f"]
    );
    let sc = video.simulcast().unwrap();
    assert_eq!(sc.send.len(), 3);
    assert!(sc.recv.is_empty());
    assert_eq!(video.direction(), Some(Direction::SendOnly));
}

#[test]
fn chrome_recvonly_has_no_ssrcs() {
    let sd = parse("chrome-offer-recvonly.sdp");
    assert_eq!(sd.media.len(), 2);
    for m in &sd.media {
        assert_eq!(m.direction(), Some(Direction::RecvOnly));
        assert_eq!(m.ssrcs().count(), 0);
    }
}

#[test]
fn firefox_session_level_fingerprint_and_upper_case_transport() {
    let sd = parse("firefox-58-offer-audio.sdp");
    let audio = &sd.media[0];
    assert_eq!(audio.fingerprints().count(), 0);
    assert_eq!(sd.fingerprints_for(audio).len(), 1);
    assert_eq!(audio.mid(), Some("sdparta_0"));
    assert!(audio.is_end_of_candidates());
    let c = audio.candidates().next().unwrap();
    assert_eq!(c.transport, "UDP");
    assert_eq!(c.protocol(), Some(rtcpeer_types::Protocol::Udp));
    let srflx: Vec<_> = audio
        .candidates()
        .filter(|c| c.candidate_type == CandidateType::ServerReflexive)
        .collect();
    assert_eq!(srflx.len(), 2);
    assert_eq!(srflx[0].related_port, Some(37264));
    assert_eq!(
        audio.extmaps().next().unwrap().direction,
        Some(Direction::SendOnly)
    );
}

#[test]
fn legacy_sctpmap_offers() {
    for (name, streams) in [
        ("firefox-58-offer-datachannel-sctpmap.sdp", 256),
        ("safari-12-offer-audio-video-data-sctpmap.sdp", 1024),
        ("jitsi-planb-offer-simulcast-rtx.sdp", 1024),
    ] {
        let sd = parse(name);
        let data = sd
            .media
            .iter()
            .find(|m| m.kind == MediaKind::Application)
            .unwrap();
        assert_eq!(data.protocol(), "DTLS/SCTP", "{name}");
        assert_eq!(data.formats(), ["5000"], "{name}");
        let map = data.sctpmap().unwrap();
        assert_eq!(
            (map.port, map.protocol.as_str(), map.streams),
            (5000, "webrtc-datachannel", Some(streams))
        );
        assert_eq!(data.sctp_port(), None);
    }
    let jitsi = parse("jitsi-planb-offer-simulcast-rtx.sdp");
    assert_eq!(jitsi.media[2].bandwidths[0].bwtype, "AS");
    assert_eq!(jitsi.media[2].bandwidths[0].bandwidth, 30);
}

#[test]
fn plan_b_offers_parse() {
    let sd = parse("planb-offer-two-video-tracks.sdp");
    assert_eq!(sd.msid_semantic().unwrap().identifiers.len(), 2);
    let video = &sd.media[1];
    let streams: std::collections::BTreeSet<_> = video
        .ssrcs()
        .filter(|s| s.attribute == "msid")
        .filter_map(|s| s.value.as_deref())
        .map(|v| v.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(streams.len(), 2, "two streams in one m-section");
    assert_eq!(video.msids().count(), 0);

    let sim = parse("jitsi-planb-offer-simulcast-rtx.sdp");
    let groups: Vec<_> = sim.media[1].ssrc_groups().collect();
    assert_eq!(groups.len(), 4);
    assert_eq!(groups[3].semantics, SsrcGroupSemantics::Sim);
    assert_eq!(groups[3].ssrcs.len(), 3);
}

#[test]
fn mediasoup_ice_lite_answer() {
    let sd = parse("mediasoup-answer-ice-lite.sdp");
    assert!(sd.is_ice_lite());
    let fp: Vec<_> = sd.fingerprints().collect();
    assert_eq!(fp[0].hash_function, HashFunction::Sha512);
    assert_eq!(fp[0].value.len(), 64);
    let video = &sd.media[0];
    assert_eq!(video.port(), 7);
    // `a=rtcp-fb:96 nack ` has a trailing space: kept verbatim, not typed.
    assert!(
        video
            .attributes
            .contains(&Attribute::other("rtcp-fb", Some("96 nack ")))
    );
    assert_eq!(video.rtcp_feedback(96).count(), 2);
    assert_eq!(video.ice_options().collect::<Vec<_>>(), ["renomination"]);
    let tcp = video.candidates().nth(1).unwrap();
    assert_eq!(tcp.foundation, "tcpcandidate");
    assert_eq!(tcp.tcp_type(), Some(TcpType::Passive));
}

#[test]
fn pion_quirks() {
    let v4 = parse("pion-v4-answer-datachannel.sdp");
    assert_eq!(v4.msid_semantic().unwrap().semantic, "WMS*");
    assert_eq!(
        v4.media[0]
            .candidates()
            .filter(|c| c.component == 2)
            .count(),
        2
    );
    let v2 = parse("pion-v2-offer-audio-video-data.sdp");
    assert_eq!(
        v2.media[0].candidates().next().unwrap().foundation,
        "foundation"
    );
    assert!(v2.groups().all(|g| g.semantics == GroupSemantics::Bundle));
}

#[test]
fn freeswitch_without_final_newline() {
    let sd = parse("freeswitch-offer-audio.sdp");
    assert_eq!(sd.session_name, "FreeSWITCH");
    let audio = &sd.media[0];
    assert_eq!(audio.ptime(), Some(20.0));
    assert_eq!(audio.candidates().next().unwrap().foundation, "0560693492");
    assert_eq!(
        sd.connection.as_ref().map(|c| c.address.as_str()),
        Some("1.2.3.4")
    );
}

#[test]
fn aiortc_offer() {
    let sd = parse("aiortc-offer-audio-video-data.sdp");
    let audio = &sd.media[0];
    assert_eq!(audio.fingerprints().count(), 3);
    assert!(audio.is_end_of_candidates());
    let hashes: Vec<_> = audio
        .fingerprints()
        .map(|f| f.hash_function.clone())
        .collect();
    assert_eq!(
        hashes,
        [
            HashFunction::Sha256,
            HashFunction::Sha384,
            HashFunction::Sha512
        ]
    );
}
