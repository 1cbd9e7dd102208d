//! What a [`TransportStack`](super::TransportStack) is built from and fed with.
//!
//! - [`TransportConfig`]: the local side, fixed at creation — the ICE agent's configuration
//!   (STUN servers, policy, timers), the DTLS configuration (certificate, versions, timers;
//!   RFC 8827 §6.5) and the SCTP configuration (local port, local maximum message size, timers;
//!   RFC 8841).
//! - [`TransportParameters`]: what the signaling layer learns from the remote description and
//!   the offer/answer exchange (RFC 9429 §5.10, §5.11) and hands down: the remote ICE
//!   credentials, candidates and ICE-lite flag (RFC 8839), the ICE role (RFC 8445 §6.1.1), the
//!   remote certificate fingerprints (RFC 8122), the local DTLS role chosen by `a=setup`
//!   (RFC 8842 §5) and the remote SCTP port and `a=max-message-size` (RFC 8841 §5, §6).

use std::time::SystemTime;

use rtcpeer_dtls::{Certificate, DtlsConfig, DtlsRole, Fingerprint};
use rtcpeer_ice::{Candidate, IceConfig};
use rtcpeer_sctp::Config as SctpConfig;

use crate::enums::RtcIceRole;

/// The local configuration of one transport stack.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// The ICE agent's configuration.
    pub ice: IceConfig,
    /// The DTLS configuration. Its `remote_fingerprints` are replaced by those of
    /// [`TransportParameters::fingerprints`].
    pub dtls: DtlsConfig,
    /// The SCTP configuration. Its `remote_port` is replaced by
    /// [`RemoteSctpParameters::port`]; its `max_message_size` is the largest message this side
    /// sends or accepts (W3C "canSendSize", and the local `a=max-message-size`).
    pub sctp: SctpConfig,
}

impl TransportConfig {
    /// A configuration with every default: no STUN server, DTLS 1.2 and 1.3 with `certificate`,
    /// SCTP on port 5000 with a 256 KiB maximum message size. `wall_clock` is the caller-read
    /// wall-clock time the certificate's expiry is checked against.
    pub fn new(certificate: Certificate, wall_clock: SystemTime) -> Self {
        TransportConfig {
            ice: IceConfig::default(),
            dtls: DtlsConfig::new(certificate, wall_clock),
            sctp: SctpConfig::default(),
        }
    }
}

/// The remote side's SCTP parameters (RFC 8841 `a=sctp-port`, `a=max-message-size`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteSctpParameters {
    /// The remote SCTP port (`a=sctp-port`; 5000 by default).
    pub port: u16,
    /// The remote `a=max-message-size`: 64 KiB when the attribute is absent (RFC 8841 §6), and
    /// 0 for "no limit".
    pub max_message_size: u64,
}

impl Default for RemoteSctpParameters {
    fn default() -> Self {
        RemoteSctpParameters {
            port: 5000,
            max_message_size: 65536,
        }
    }
}

/// What the signaling layer tells the stack after applying a description.
///
/// Hand it to [`TransportStack::set_parameters`](super::TransportStack::set_parameters) after
/// each description that changes it; fields not known yet stay at their defaults
/// (`None`, empty, [`RtcIceRole::Unknown`]). Trickled candidates go to
/// [`TransportStack::add_remote_candidate`](super::TransportStack::add_remote_candidate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportParameters {
    /// The remote `a=ice-ufrag`.
    pub ice_ufrag: String,
    /// The remote `a=ice-pwd`. Never logged.
    pub ice_pwd: String,
    /// The remote side is an ICE-lite agent (`a=ice-lite`): this side then controls.
    pub ice_lite: bool,
    /// The remote side advertised `a=ice-options:ice2` (RFC 8445); `false` for an RFC 5245 peer.
    pub ice2: bool,
    /// The remote candidates in the description.
    pub candidates: Vec<Candidate>,
    /// The description carried `a=end-of-candidates` (RFC 8840 §8.2).
    pub end_of_candidates: bool,
    /// This side's ICE role: the offerer controls (RFC 8445 §6.1.1, RFC 9429 §5.10).
    pub ice_role: RtcIceRole,
    /// The remote `a=fingerprint`s (RFC 8122), checked against the peer's certificate.
    pub fingerprints: Vec<Fingerprint>,
    /// This side's DTLS role once `a=setup` is settled (RFC 8842 §5: `active` → client,
    /// `passive` → server); `None` while undecided (an offerer's `actpass` before the answer).
    pub dtls_role: Option<DtlsRole>,
    /// The remote SCTP parameters, when the transport carries the data channel section.
    pub sctp: Option<RemoteSctpParameters>,
}

impl TransportParameters {
    /// Parameters with the remote ICE credentials and everything else unknown.
    pub fn new(ice_ufrag: impl Into<String>, ice_pwd: impl Into<String>) -> Self {
        TransportParameters {
            ice_ufrag: ice_ufrag.into(),
            ice_pwd: ice_pwd.into(),
            ice_lite: false,
            ice2: true,
            candidates: Vec::new(),
            end_of_candidates: false,
            ice_role: RtcIceRole::Unknown,
            fingerprints: Vec::new(),
            dtls_role: None,
            sctp: None,
        }
    }
}
