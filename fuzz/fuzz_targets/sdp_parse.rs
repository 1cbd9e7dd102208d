//! Fuzzes the SDP parser (rtcpeer-sdp): no input may panic, and whatever parses must write back
//! to text that parses to the same value and writes identically (a fixed point). The standalone
//! candidate parser (addIceCandidate strings) and single attribute lines get the same check.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcpeer_sdp::{Attribute, Candidate, SessionDescription};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    if let Ok(sd) = SessionDescription::parse(&text) {
        let written = sd.to_string();
        let again = match SessionDescription::parse(&written) {
            Ok(again) => again,
            Err(e) => panic!("written SDP does not parse: {e}\n{written}"),
        };
        assert_eq!(again, sd, "round trip changed the value:\n{written}");
        assert_eq!(again.to_string(), written);
        // The look-ups must not panic either.
        for m in &sd.media {
            let _ = (
                sd.ice_credentials(m),
                sd.fingerprints_for(m),
                sd.setup_for(m),
            );
            let _ = (sd.direction_for(m), sd.extmaps_for(m), m.is_rejected());
            let _ = (
                m.payload_types().count(),
                m.ssrc_ids(),
                m.mid(),
                m.simulcast(),
            );
            for pt in m.payload_types() {
                let _ = (m.rtpmap(pt), m.fmtp(pt), m.rtcp_feedback(pt).count());
            }
            for f in m.fmtps() {
                let _ = f.params().count();
            }
            for r in m.rids() {
                let _ = (r.max_width(), r.max_fps(), r.depend().count());
            }
        }
    }

    if let Ok(c) = text.parse::<Candidate>() {
        let written = c.to_string();
        assert_eq!(written.parse::<Candidate>(), Ok(c), "{written}");
    }

    if let Ok(a) = text.parse::<Attribute>() {
        if !matches!(a, Attribute::UnknownLine { .. }) {
            let written = a.to_string();
            assert_eq!(written.parse::<Attribute>(), Ok(a), "{written}");
        }
    }
});
