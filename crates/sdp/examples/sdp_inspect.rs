//! Reads an SDP file (default: a bundled Chrome offer), prints a human summary, and checks that
//! writing the parsed description reproduces the input.
//!
//! ```text
//! cargo run --release -p rtcpeer-sdp --example sdp_inspect [path/to/file.sdp]
//! ```

use std::process::ExitCode;

use rtcpeer_sdp::{MediaDescription, SessionDescription};

const DEFAULT: &str = include_str!("../tests/fixtures/chrome-offer-audio-video-data-gathered.sdp");

fn main() -> ExitCode {
    let (name, text) = match std::env::args().nth(1) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(t) => (path, t),
            Err(e) => {
                eprintln!("cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        },
        None => (
            "bundled Chrome offer (tests/fixtures/chrome-offer-audio-video-data-gathered.sdp)"
                .into(),
            DEFAULT.to_owned(),
        ),
    };
    println!(
        "{name}: {} bytes, {} lines",
        text.len(),
        text.lines().count()
    );
    let sd = match SessionDescription::parse(&text) {
        Ok(sd) => sd,
        Err(e) => {
            eprintln!("parse error: {e}");
            return ExitCode::from(1);
        }
    };
    summarise(&sd);
    round_trip(&text, &sd)
}

fn summarise(sd: &SessionDescription) {
    let o = &sd.origin;
    println!("session");
    println!(
        "  origin       {} {} v{} {}",
        o.username, o.session_id, o.session_version, o.address
    );
    println!("  name         {:?}", sd.session_name);
    for g in sd.groups() {
        println!(
            "  group        {} {}",
            g.semantics.as_str(),
            g.mids.join(" ")
        );
    }
    if let Some(m) = sd.msid_semantic() {
        println!("  msid-semantic {} {}", m.semantic, m.identifiers.join(" "));
    }
    if sd.is_ice_lite() {
        println!("  ice-lite");
    }
    for f in sd.fingerprints() {
        println!(
            "  fingerprint  {} ({} bytes)",
            f.hash_function,
            f.value.len()
        );
    }
    println!("  media sections: {}", sd.media.len());
    for (i, m) in sd.media.iter().enumerate() {
        media(sd, i, m);
    }
}

fn media(sd: &SessionDescription, i: usize, m: &MediaDescription) {
    println!(
        "m[{i}] {} port {} {} mid={} {}{}{}",
        m.kind(),
        m.port(),
        m.protocol(),
        m.mid().unwrap_or("-"),
        sd.direction_for(m),
        if m.is_rejected() { " REJECTED" } else { "" },
        if m.is_bundle_only() {
            " bundle-only"
        } else {
            ""
        },
    );
    match sd.ice_credentials(m) {
        Some((u, p)) => println!("  ice          ufrag={u} pwd={} chars", p.len()),
        None => println!("  ice          (no credentials)"),
    }
    for f in sd.fingerprints_for(m) {
        println!(
            "  fingerprint  {} {}",
            f.hash_function,
            hex_prefix(&f.value)
        );
    }
    if let Some(s) = sd.setup_for(m) {
        println!("  setup        {s}");
    }
    for pt in m.payload_types() {
        let Some(r) = m.rtpmap(pt) else { continue };
        let ch = r.channels.map(|c| format!("/{c}")).unwrap_or_default();
        let fmtp = m
            .fmtp(pt)
            .map(|f| format!(" [{}]", f.parameters))
            .unwrap_or_default();
        let fb: Vec<String> = m
            .rtcp_feedback(pt)
            .map(|f| match &f.parameter {
                Some(p) => format!("{} {p}", f.feedback_type),
                None => f.feedback_type.clone(),
            })
            .collect();
        let fb = if fb.is_empty() {
            String::new()
        } else {
            format!(" fb: {}", fb.join(", "))
        };
        println!(
            "  codec {pt:>3}    {}/{}{ch}{fmtp}{fb}",
            r.encoding_name, r.clock_rate
        );
    }
    let extmaps = m.extmaps().count();
    if extmaps > 0 {
        println!("  extmaps      {extmaps}");
    }
    for msid in m.msids() {
        println!(
            "  msid         {} {}",
            msid.stream_id,
            msid.track_id.as_deref().unwrap_or("")
        );
    }
    let ssrcs = m.ssrc_ids();
    if !ssrcs.is_empty() {
        let list: Vec<String> = ssrcs.iter().map(u32::to_string).collect();
        println!("  ssrcs        {}", list.join(" "));
    }
    for g in m.ssrc_groups() {
        let list: Vec<String> = g.ssrcs.iter().map(u32::to_string).collect();
        println!("  ssrc-group   {} {}", g.semantics.as_str(), list.join(" "));
    }
    for r in m.rids() {
        println!("  rid          {r}");
    }
    if let Some(s) = m.simulcast() {
        println!("  simulcast    {s}");
    }
    if let Some(p) = m.sctp_port() {
        println!("  sctp-port    {p}");
    }
    if let Some(s) = m.sctpmap() {
        println!("  sctpmap      {s} (legacy)");
    }
    if let Some(n) = m.max_message_size() {
        println!("  max-message-size {n}");
    }
    for c in m.candidates() {
        println!("  candidate    {c}");
    }
    if m.is_end_of_candidates() {
        println!("  end-of-candidates");
    }
}

fn hex_prefix(bytes: &[u8]) -> String {
    let head: Vec<String> = bytes.iter().take(4).map(|b| format!("{b:02X}")).collect();
    format!("{}:... ({} bytes)", head.join(":"), bytes.len())
}

/// Compares the written description with the input, line endings normalised to CRLF.
fn round_trip(text: &str, sd: &SessionDescription) -> ExitCode {
    let written = sd.to_string();
    let input: Vec<&str> = text
        .trim_end_matches(['\r', '\n'])
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let output: Vec<&str> = written.trim_end_matches("\r\n").split("\r\n").collect();
    if input == output {
        println!("round-trip: identical");
        return ExitCode::SUCCESS;
    }
    let line = input
        .iter()
        .zip(&output)
        .position(|(a, b)| a != b)
        .unwrap_or(input.len().min(output.len()));
    println!("round-trip: differs at line {}", line + 1);
    println!("  input:   {:?}", input.get(line));
    println!("  written: {:?}", output.get(line));
    ExitCode::from(3)
}
