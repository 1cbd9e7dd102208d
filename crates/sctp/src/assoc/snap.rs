//! SNAP, the SCTP Negotiation Acceleration Protocol (draft-hancke-tsvwg-snap-00): each side
//! serialises the INIT chunk it would send (§4.1: type, flags, length and value, without the
//! chunk's trailing padding) and carries it in SDP as `a=sctp-init:<base64>`; with both INIT
//! chunks known, the association is ESTABLISHED as soon as DTLS is (§6), skipping INIT, INIT
//! ACK, COOKIE ECHO and COOKIE ACK (RFC 9260 §5.1 steps A-E): two round trips saved.
//!
//! Each side's verification tag is its own Initiate Tag, the peer's is the peer's; initial
//! TSNs, receiver windows, stream counts and capabilities (partial reliability, stream reset,
//! I-DATA, zero checksum) come from the two INIT chunks exactly as from an INIT and INIT ACK.
//! Producing or reading an INIT chunk changes no state and starts no timer (§6).
//!
//! Falling back: without a remote INIT chunk, or with one that is malformed or is our own
//! echoed back (a peer that copies the attribute without supporting it), `connect` runs the
//! normal handshake. If only this side took the SNAP path, the peer's INIT (carrying the tag
//! and TSN of the INIT chunk it signalled) is answered like an INIT collision with our own tag
//! and TSN, so that its COOKIE ECHO lands on this very association (RFC 9260 §5.2.4 case D)
//! and both sides end up agreeing.

use bytes::Bytes;

use super::{Association, State};
use crate::base64;
use crate::wire::{InitChunk, WireError};

/// Why a remote `a=sctp-init` value was refused (SNAP then falls back to the handshake).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapError {
    /// The attribute value is not base64.
    #[error("a=sctp-init is not valid base64")]
    Base64,
    /// The bytes are not an SCTP INIT chunk.
    #[error("a=sctp-init is not an SCTP INIT chunk: {0}")]
    Malformed(#[from] WireError),
    /// The INIT chunk has a zero Initiate Tag or a zero stream count (RFC 9260 §3.3.2).
    #[error("a=sctp-init has a zero initiate tag or stream count")]
    Invalid,
    /// The remote INIT chunk is our own: the peer echoed the attribute back.
    #[error("a=sctp-init from the peer is our own INIT chunk")]
    Echoed,
    /// The association already started (connected, or closed).
    #[error("the association has already started")]
    AlreadyStarted,
}

/// SNAP state of an association.
#[derive(Debug, Default)]
pub(super) struct Snap {
    /// Our INIT chunk was handed out.
    offered: bool,
    /// The peer's INIT chunk, until `connect` uses it.
    remote: Option<Box<InitChunk>>,
    /// Established by SNAP: the peer's initial TSN, to recognise its INIT if it did not.
    pub(super) peer_initial_tsn: Option<u32>,
}

impl Association {
    /// SNAP: the INIT chunk this association would send (RFC 9260 §3.3.2), serialised for
    /// the SDP `a=sctp-init` attribute (draft-hancke-tsvwg-snap-00 §4.1; see
    /// [`local_sctp_init_base64`](Self::local_sctp_init_base64) for the attribute value).
    /// The same bytes every time; calling it changes no state and starts no timer.
    pub fn local_sctp_init(&mut self) -> Bytes {
        self.snap.offered = true;
        // The INIT chunk is far below the 64 KiB a chunk can hold: encoding cannot fail.
        self.make_init().to_chunk_bytes().unwrap_or_default()
    }

    /// [`local_sctp_init`](Self::local_sctp_init), base64-encoded: the value of
    /// `a=sctp-init`.
    pub fn local_sctp_init_base64(&mut self) -> String {
        base64::encode(&self.local_sctp_init())
    }

    /// SNAP: the peer's INIT chunk, from its `a=sctp-init`. Once ours was handed out too,
    /// [`connect`](Self::connect) establishes the association without a handshake. On error
    /// nothing changes and `connect` will run the normal handshake.
    pub fn set_remote_sctp_init(&mut self, chunk: &[u8]) -> Result<(), SnapError> {
        if self.state != State::Closed || self.closed.is_some() {
            return Err(SnapError::AlreadyStarted);
        }
        let init = InitChunk::from_chunk_bytes(chunk)?;
        if init.initiate_tag == 0 || init.outbound_streams == 0 || init.inbound_streams == 0 {
            return Err(SnapError::Invalid);
        }
        if init.initiate_tag == self.my_tag && init.initial_tsn == self.my_initial_tsn {
            return Err(SnapError::Echoed);
        }
        self.snap.remote = Some(Box::new(init));
        Ok(())
    }

    /// [`set_remote_sctp_init`](Self::set_remote_sctp_init) from the base64 value of
    /// `a=sctp-init`.
    pub fn set_remote_sctp_init_base64(&mut self, value: &str) -> Result<(), SnapError> {
        let bytes = base64::decode(value).ok_or(SnapError::Base64)?;
        self.set_remote_sctp_init(&bytes)
    }

    /// Whether the association was established by SNAP, without a handshake.
    pub fn established_by_snap(&self) -> bool {
        self.snap.peer_initial_tsn.is_some()
    }

    /// Establishes the association from the two INIT chunks, if both are known. Returns
    /// whether it did.
    pub(super) fn connect_snap(&mut self) -> bool {
        if !self.snap.offered {
            return false;
        }
        let Some(remote) = self.snap.remote.take() else {
            return false;
        };
        let (caps, _unrecognized) = self.peer_caps(&remote);
        self.caps = caps;
        self.peer_tag = remote.initiate_tag;
        self.set_peer(remote.initial_tsn, remote.a_rwnd, remote.inbound_streams);
        self.snap.peer_initial_tsn = Some(remote.initial_tsn);
        tracing::debug!("SCTP association established from exchanged INIT chunks (SNAP)");
        self.enter_established();
        true
    }

    /// Whether `init` is the INIT of a peer that did not take the SNAP path this
    /// association took (its tag and TSN are the ones of the INIT chunk it signalled).
    pub(super) fn is_snap_peer_init(&self, init: &InitChunk) -> bool {
        self.snap.peer_initial_tsn == Some(init.initial_tsn) && init.initiate_tag == self.peer_tag
    }
}
