//! `INTEROP_CAPTURE=PREFIX` (tests/interop/run.sh): the SDP a peer sent and received is written
//! to `PREFIX.offer.sdp` and `PREFIX.answer.sdp`, as the other harness peers do, so a run
//! leaves the real offers and answers of every pairing behind.

/// Writes the offer and/or answer under `$INTEROP_CAPTURE`, if set. Failing to write only
/// logs a warning.
pub fn write(offer: Option<&str>, answer: Option<&str>) {
    let Some(prefix) = std::env::var_os("INTEROP_CAPTURE") else {
        return;
    };
    let prefix = prefix.to_string_lossy();
    for (what, sdp) in [("offer", offer), ("answer", answer)] {
        if let Some(sdp) = sdp {
            let path = format!("{prefix}.{what}.sdp");
            if let Err(e) = std::fs::write(&path, sdp) {
                tracing::warn!("cannot write {path}: {e}");
            }
        }
    }
}
