//! What a [`TransportStack`](super::TransportStack) reports ([`TransportEvent`]), why a transport
//! failed ([`TransportFailure`], with its W3C `RTCErrorDetailType`), and why a command was
//! refused ([`TransportError`]).
//!
//! The events carry the changes the W3C API turns into its events (webrtc-pc §4.4.1.6,
//! §5.5, §5.6, §6.1, §6.2): `icecandidate`, `icegatheringstatechange`,
//! `iceconnectionstatechange`, `connectionstatechange`, `selectedcandidatepairchange`, the DTLS
//! and SCTP transports' `statechange`, the data channel events, and `error` with an `RTCError`.

use bytes::Bytes;
use rtcpeer_dtls::{DtlsError, DtlsFailure, SrtpKeyingMaterial};
use rtcpeer_ice::{Candidate, IceError};
use rtcpeer_sctp::CloseReason;
use rtcpeer_sctp::datachannel::{ChannelError, ChannelInfo, ChannelMessage};
use rtcpeer_sctp::wire::ErrorCause;

use crate::enums::{
    RtcDtlsTransportState, RtcErrorDetailType, RtcIceConnectionState, RtcIceGathererState,
    RtcIceRole, RtcIceTransportState, RtcPeerConnectionState, RtcSctpTransportState,
};
use crate::error::{RtcError, RtcErrorInit};

/// Something that changed in the transport stack, in the order it happened.
///
/// Large payloads (candidates, SRTP keys) are boxed so that the event, which waits in the
/// stack's queue, stays small.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportEvent {
    /// The ICE gatherer's state changed (`RTCIceTransport` `gatheringstatechange`).
    IceGathererStateChange(RtcIceGathererState),
    /// A local candidate to signal (`icecandidate`).
    LocalCandidate(Box<Candidate>),
    /// Gathering is over for this generation (`icecandidate` with a `null` candidate).
    LocalEndOfCandidates,
    /// The ICE transport's state changed (`RTCIceTransport` `statechange`).
    IceTransportStateChange(RtcIceTransportState),
    /// The pair data travels on changed (`selectedcandidatepairchange`).
    SelectedCandidatePairChange {
        /// The local candidate.
        local: Box<Candidate>,
        /// The remote candidate.
        remote: Box<Candidate>,
    },
    /// The ICE role changed after a role conflict (RFC 8445 §7.3.1.1).
    IceRoleChange(RtcIceRole),
    /// The DTLS transport's state changed (`RTCDtlsTransport` `statechange`).
    DtlsStateChange(RtcDtlsTransportState),
    /// DTLS is connected and the peer's certificate matched a remote fingerprint.
    DtlsConnected {
        /// The peer's certificate, DER (`getRemoteCertificates()`).
        remote_certificate: Bytes,
        /// The SRTP keys, when `use_srtp` was negotiated (RFC 5764), for the media layer.
        srtp: Option<Box<SrtpKeyingMaterial>>,
    },
    /// The SCTP transport's state changed (`RTCSctpTransport` `statechange`).
    SctpStateChange(RtcSctpTransportState),
    /// `RTCSctpTransport.maxMessageSize` changed (webrtc-pc §6.1.1.2): the largest message
    /// that may be sent, the smaller of the remote `a=max-message-size` and the local limit.
    SctpMaxMessageSize(u64),
    /// The peer opened a channel with DCEP (`datachannel`); an
    /// [`DataChannelOpen`](Self::DataChannelOpen) follows.
    DataChannelIncoming {
        /// The stream id.
        id: u16,
        /// Its label, protocol and reliability.
        info: ChannelInfo,
    },
    /// A channel is open (`open`).
    DataChannelOpen {
        /// The stream id.
        id: u16,
    },
    /// A message arrived on a channel (`message`).
    DataChannelMessage {
        /// The stream id.
        id: u16,
        /// The text or binary message.
        message: ChannelMessage,
    },
    /// The channel's `bufferedAmount` fell to its low threshold (`bufferedamountlow`).
    DataChannelBufferedAmountLow {
        /// The stream id.
        id: u16,
    },
    /// The peer started closing the channel (`closing`).
    DataChannelClosing {
        /// The stream id.
        id: u16,
    },
    /// The channel is closed (`close`); its id is free again.
    DataChannelClosed {
        /// The stream id.
        id: u16,
    },
    /// The aggregate `iceConnectionState` changed (`iceconnectionstatechange`).
    IceConnectionStateChange(RtcIceConnectionState),
    /// The aggregate `connectionState` changed (`connectionstatechange`).
    PeerConnectionStateChange(RtcPeerConnectionState),
    /// A transport failed (`error` on the `RTCDtlsTransport` or the `RTCSctpTransport`).
    Error(TransportFailure),
    /// Gathering from a STUN or TURN server failed (`icecandidateerror`); gathering goes on.
    IceCandidateError {
        /// The local IP address used, when exposed in a local candidate.
        address: Option<std::net::IpAddr>,
        /// The local port used (`None` with `address`).
        port: Option<u16>,
        /// The server's STUN or TURN URL.
        url: String,
        /// The STUN error code (RFC 8489 §14.8), or 701 when the server was unreachable.
        error_code: u16,
        /// The reason phrase or a description of the failure.
        error_text: String,
    },
}

/// Why a transport failed: what the peer or the network did.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportFailure {
    /// The DTLS transport failed: a fingerprint mismatch (`fingerprint-failure`), a fatal alert,
    /// a handshake timeout or another protocol error (`dtls-failure`).
    #[error(transparent)]
    Dtls(DtlsFailure),
    /// The DTLS transport could not be created (an expired certificate, a configuration the
    /// engine refuses): `dtls-failure`.
    #[error("dtls-failure: cannot start DTLS: {0}")]
    DtlsSetup(DtlsError),
    /// The SCTP association ended abnormally: the peer aborted it, it could not be set up, the
    /// peer stopped answering, or the peer broke the protocol (`sctp-failure`).
    #[error("sctp-failure: the SCTP association ended: {0:?}")]
    Sctp(CloseReason),
}

impl TransportFailure {
    /// The W3C `RTCErrorDetailType`.
    pub fn error_detail(&self) -> RtcErrorDetailType {
        match self {
            TransportFailure::Dtls(f) if f.error_detail() == "fingerprint-failure" => {
                RtcErrorDetailType::FingerprintFailure
            }
            TransportFailure::Dtls(_) | TransportFailure::DtlsSetup(_) => {
                RtcErrorDetailType::DtlsFailure
            }
            TransportFailure::Sctp(_) => RtcErrorDetailType::SctpFailure,
        }
    }

    /// The `RTCError` the `error` event carries: its detail, the received alert of a
    /// `dtls-failure`, the cause code of an `sctp-failure` (webrtc-pc §11.1).
    pub fn to_rtc_error(&self) -> RtcError {
        let mut init = RtcErrorInit::new(self.error_detail());
        match self {
            TransportFailure::Dtls(DtlsFailure::FatalAlert { description }) => {
                init.received_alert = Some(u32::from(*description));
            }
            TransportFailure::Sctp(CloseReason::PeerAbort { causes }) => {
                init.sctp_cause_code = causes.first().map(|c| i32::from(c.code()));
            }
            _ => {}
        }
        RtcError::rtc(init, self.to_string())
    }

    /// Whether an association close is a failure worth an `error` event: everything but a
    /// graceful shutdown, our own abort, and a peer's user-initiated abort (cause 12, what a
    /// peer's `close()` sends).
    pub(crate) fn from_sctp_close(reason: &CloseReason) -> Option<TransportFailure> {
        match reason {
            CloseReason::Shutdown | CloseReason::LocalAbort => None,
            CloseReason::PeerAbort { causes }
                if causes
                    .iter()
                    .any(|c| matches!(c, ErrorCause::UserInitiatedAbort { .. })) =>
            {
                None
            }
            other => Some(TransportFailure::Sctp(other.clone())),
        }
    }
}

/// A command the stack refused; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The stack is closed (W3C `InvalidStateError`).
    #[error("the transport is closed")]
    Closed,
    /// No SCTP transport yet: the DTLS role or the remote SCTP parameters are not known
    /// (W3C: a channel waits for `[[SctpTransport]]`).
    #[error("no SCTP transport: the data section is not negotiated yet")]
    NoSctpTransport,
    /// A message larger than `maxMessageSize` (W3C `TypeError`).
    #[error("message of {size} bytes exceeds maxMessageSize {max}")]
    MessageTooLarge {
        /// The message size.
        size: usize,
        /// `maxMessageSize`.
        max: u64,
    },
    /// ICE refused the credentials or candidate.
    #[error(transparent)]
    Ice(#[from] IceError),
    /// The data channel layer refused the command.
    #[error(transparent)]
    Channel(#[from] ChannelError),
}
