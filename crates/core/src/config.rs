//! The connection's configuration: the `RTCConfiguration` (webrtc-pc §4.2.1, with
//! webrtc-identity's `peerIdentity`) and `RTCIceServer` (webrtc-pc §4.2.2) dictionaries, and
//! their validation as the `RTCPeerConnection` constructor (webrtc-pc §4.4.1.1) and
//! "set a configuration" (webrtc-pc §4.4.1.5, used by the constructor and `setConfiguration`)
//! require.
//!
//! Validation yields the ICE agent's "ICE servers list": one [`IceServer`] per URL, parsed by
//! [`crate::ice_server`], with the TURN credentials it needs.
//!
//! JSON uses the W3C member names (`iceServers`, `bundlePolicy`, ...), written in WebIDL's
//! dictionary order (lexicographic) like a browser's `JSON.stringify(pc.getConfiguration())`.
//! Members this crate does not know (Chrome's `sdpSemantics`, ...) are ignored on input, as WebIDL
//! dictionary conversion ignores them. `certificates` hold private keys and are never written to
//! or read from JSON.

use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::RtcError;
use crate::enums::{RtcBundlePolicy, RtcIceTransportPolicy, RtcRtcpMuxPolicy};
use crate::ice_server::{IceServerScheme, IceServerUrl};

/// The most `RTCIceServer` entries used; "set a configuration" truncates the list to the
/// "maximum number of supported elements" (webrtc-pc §4.4.1.5).
pub const MAX_ICE_SERVERS: usize = 32;

/// The most bytes a TURN username may have: "fewer than 509 bytes" (RFC 8489 §14.3).
pub const MAX_USERNAME_BYTES: usize = 508;

rtcpeer_types::define_id!(
    /// Identifies one `RTCCertificate` object: two [`CertificateRef`]s are "the same ECMAScript
    /// object" (webrtc-pc §4.4.1.5) exactly when their ids are equal.
    CertificateId
);

/// A reference to an `RTCCertificate` (webrtc-pc §4.9.3) in a configuration.
///
/// This is a stand-in until the DTLS crate's certificate type is wired in: it carries what the
/// configuration rules need, the object's identity and its `expires` time. The certificate and
/// key themselves live in the DTLS layer, looked up by [`CertificateId`].
#[doc(alias = "RTCCertificate")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertificateRef {
    id: CertificateId,
    expires: SystemTime,
}

impl CertificateRef {
    /// A reference to certificate `id`, which expires at `expires`.
    pub const fn new(id: CertificateId, expires: SystemTime) -> Self {
        Self { id, expires }
    }

    /// The certificate's identity.
    pub const fn id(&self) -> CertificateId {
        self.id
    }

    /// `RTCCertificate.expires`.
    pub const fn expires(&self) -> SystemTime {
        self.expires
    }

    /// Whether `expires` is before `now` (webrtc-pc §4.4.1.1 step 4).
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expires < now
    }
}

/// `RTCIceServer.urls`: `(USVString or sequence<USVString>)`. Kept in the form it was given, so
/// JSON round-trips unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RtcIceServerUrls {
    /// A single URL string.
    One(String),
    /// A list of URL strings.
    Many(Vec<String>),
}

impl RtcIceServerUrls {
    /// The URLs as a list (a single string is a list of one, webrtc-pc §4.4.1.5).
    pub fn as_slice(&self) -> &[String] {
        match self {
            Self::One(url) => std::slice::from_ref(url),
            Self::Many(urls) => urls,
        }
    }
}

impl From<&str> for RtcIceServerUrls {
    fn from(url: &str) -> Self {
        Self::One(url.to_owned())
    }
}

impl From<String> for RtcIceServerUrls {
    fn from(url: String) -> Self {
        Self::One(url)
    }
}

impl From<Vec<String>> for RtcIceServerUrls {
    fn from(urls: Vec<String>) -> Self {
        Self::Many(urls)
    }
}

impl From<&[&str]> for RtcIceServerUrls {
    fn from(urls: &[&str]) -> Self {
        Self::Many(urls.iter().map(|&u| u.to_owned()).collect())
    }
}

/// A STUN or TURN server (the `RTCIceServer` dictionary, webrtc-pc §4.2.2).
///
/// `Debug` never shows the credential.
#[doc(alias = "RTCIceServer")]
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcIceServer {
    /// `credential`: the TURN long-term password (RFC 8489 §9.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// `urls` (required): STUN or TURN URLs (RFC 7064, RFC 7065).
    pub urls: RtcIceServerUrls,
    /// `username`: the TURN username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl RtcIceServer {
    /// A server without credentials (STUN).
    pub fn new(urls: impl Into<RtcIceServerUrls>) -> Self {
        Self {
            credential: None,
            urls: urls.into(),
            username: None,
        }
    }

    /// A server with TURN credentials.
    pub fn with_credentials(
        urls: impl Into<RtcIceServerUrls>,
        username: impl Into<String>,
        credential: impl Into<String>,
    ) -> Self {
        Self {
            credential: Some(credential.into()),
            urls: urls.into(),
            username: Some(username.into()),
        }
    }

    /// Validates this server's URLs and credentials (webrtc-pc §4.4.1.5, the per-server steps
    /// and "validate an ICE server URL"), appending one [`IceServer`] per URL to `out`.
    ///
    /// Errors: `SyntaxError` for an empty `urls` or an invalid URL, `NotSupportedError` for a
    /// scheme not in `implemented`, `InvalidAccessError` for a TURN URL whose `username` or
    /// `credential` is missing or does not conform (see [`TurnCredentials::new`]).
    pub fn validate_into(
        &self,
        implemented: &[IceServerScheme],
        out: &mut Vec<IceServer>,
    ) -> Result<(), RtcError> {
        let urls = self.urls.as_slice();
        if urls.is_empty() {
            return Err(RtcError::syntax("an RTCIceServer has an empty urls list"));
        }
        for url in urls {
            let parsed =
                IceServerUrl::parse_with(url, implemented).map_err(|e| e.to_rtc_error(url))?;
            let credentials = if parsed.scheme().is_turn() {
                let (Some(username), Some(credential)) = (&self.username, &self.credential) else {
                    return Err(RtcError::invalid_access(format!(
                        "the TURN server '{url}' needs both a username and a credential"
                    )));
                };
                Some(TurnCredentials::new(username, credential)?)
            } else {
                None
            };
            out.push(IceServer {
                url: parsed,
                credentials,
            });
        }
        Ok(())
    }
}

impl fmt::Debug for RtcIceServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtcIceServer")
            .field("urls", &self.urls)
            .field("username", &self.username)
            .field(
                "credential",
                &self.credential.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// TURN long-term credentials (RFC 8489 §9.2). `Debug` never shows the credential.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TurnCredentials {
    username: String,
    credential: String,
}

impl TurnCredentials {
    /// Checks the credentials as webrtc-pc §4.4.1.5 asks: the username must conform to
    /// RFC 8489 §14.3 (fewer than 509 bytes of UTF-8, OpaqueString profile) and the credential
    /// to RFC 8265 §4.1 (OpaqueString). `InvalidAccessError` otherwise.
    ///
    /// The OpaqueString check refuses control characters (FreeformClass disallows them); the
    /// profile's width and NFC mappings are not applied. Empty strings are accepted, as browsers
    /// and the web-platform tests do.
    pub fn new(username: &str, credential: &str) -> Result<Self, RtcError> {
        if username.len() > MAX_USERNAME_BYTES {
            return Err(RtcError::invalid_access(format!(
                "the TURN username has {} bytes; at most {MAX_USERNAME_BYTES} are allowed",
                username.len()
            )));
        }
        if username.chars().any(char::is_control) {
            return Err(RtcError::invalid_access(
                "the TURN username contains a control character",
            ));
        }
        if credential.chars().any(char::is_control) {
            return Err(RtcError::invalid_access(
                "the TURN credential contains a control character",
            ));
        }
        Ok(Self {
            username: username.to_owned(),
            credential: credential.to_owned(),
        })
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The credential (password). Never log it.
    pub fn credential(&self) -> &str {
        &self.credential
    }
}

impl fmt::Debug for TurnCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TurnCredentials")
            .field("username", &self.username)
            .field("credential", &"<redacted>")
            .finish()
    }
}

/// One entry of the ICE agent's ICE servers list: a valid URL and, for TURN, its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IceServer {
    /// The server's URL.
    pub url: IceServerUrl,
    /// The TURN credentials; `None` for STUN URLs.
    pub credentials: Option<TurnCredentials>,
}

/// The `RTCConfiguration` dictionary (webrtc-pc §4.2.1, plus webrtc-identity's
/// `peerIdentity`). `Default` gives the spec's defaults: no ICE servers, `iceTransportPolicy`
/// `"all"`, `bundlePolicy` `"balanced"`, `rtcpMuxPolicy` `"require"`, no certificates,
/// `iceCandidatePoolSize` 0.
///
/// Fields are declared in WebIDL's dictionary order (lexicographic), which is the order of
/// the JSON members.
#[doc(alias = "RTCConfiguration")]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RtcConfiguration {
    /// `bundlePolicy`: how media is bundled when the remote endpoint is not bundle-aware.
    pub bundle_policy: RtcBundlePolicy,
    /// `certificates`: the certificates to authenticate with. Empty means "generate them"; the
    /// generated ones are kept by the connection, not stored here (webrtc-pc §4.4.1.1 step 4).
    /// Not part of the JSON form.
    #[serde(skip)]
    pub certificates: Vec<CertificateRef>,
    /// `iceCandidatePoolSize`: how many candidates to pre-gather (`[EnforceRange] octet`).
    #[serde(deserialize_with = "crate::webidl::de_octet")]
    pub ice_candidate_pool_size: u8,
    /// `iceServers`: STUN and TURN servers.
    pub ice_servers: Vec<RtcIceServer>,
    /// `iceTransportPolicy`: which candidates may be used.
    pub ice_transport_policy: RtcIceTransportPolicy,
    /// `peerIdentity` (webrtc-identity): the identity the remote peer must prove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_identity: Option<String>,
    /// `rtcpMuxPolicy`: whether RTCP must be multiplexed with RTP.
    pub rtcp_mux_policy: RtcRtcpMuxPolicy,
}

/// What [`validate_update`] needs to know about the connection besides its old configuration.
#[derive(Debug, Clone, Copy)]
pub struct SetConfigurationContext<'a> {
    /// The connection's `[[IsClosed]]` slot.
    pub is_closed: bool,
    /// Whether `setLocalDescription` has already been called (it freezes
    /// `iceCandidatePoolSize`).
    pub local_description_set: bool,
    /// The ICE server schemes the ICE agent implements.
    pub implemented_schemes: &'a [IceServerScheme],
}

impl RtcConfiguration {
    /// Validates a configuration given to the `RTCPeerConnection` constructor
    /// (webrtc-pc §4.4.1.1 step 4: `InvalidAccessError` for a certificate whose `expires` is
    /// before `now`; then "set a configuration" with no old configuration, see
    /// [`ice_servers_list`](Self::ice_servers_list)). Returns the ICE servers list.
    pub fn validate_new(
        &self,
        now: SystemTime,
        implemented: &[IceServerScheme],
    ) -> Result<Vec<IceServer>, RtcError> {
        if let Some(expired) = self.certificates.iter().find(|c| c.is_expired(now)) {
            return Err(RtcError::invalid_access(format!(
                "certificate {} has expired",
                expired.id()
            )));
        }
        self.ice_servers_list(implemented)
    }

    /// The ICE-server steps of "set a configuration" (webrtc-pc §4.4.1.5): truncate
    /// `iceServers` to [`MAX_ICE_SERVERS`], then validate every server in order
    /// ([`RtcIceServer::validate_into`]). Returns the ICE agent's ICE servers list.
    pub fn ice_servers_list(
        &self,
        implemented: &[IceServerScheme],
    ) -> Result<Vec<IceServer>, RtcError> {
        let mut list = Vec::new();
        for server in self.ice_servers.iter().take(MAX_ICE_SERVERS) {
            server.validate_into(implemented, &mut list)?;
        }
        Ok(list)
    }
}

/// Validates `setConfiguration(new)` on a connection whose stored configuration is `old`
/// (webrtc-pc §4.4.2.2 `setConfiguration` and §4.4.1.5 "set a configuration", with the
/// webrtc-identity `peerIdentity` step). Returns the new ICE servers list; on error nothing may
/// change.
///
/// In order:
/// 1. a closed connection: `InvalidStateError`;
/// 2. a `peerIdentity` given that differs from the old target identity:
///    `InvalidModificationError`;
/// 3. `InvalidModificationError` when the certificates differ (length, or identity at any
///    index), `bundlePolicy` or `rtcpMuxPolicy` differ, or `iceCandidatePoolSize` differs after
///    `setLocalDescription` was called;
/// 4. the ICE servers ([`RtcConfiguration::ice_servers_list`]).
pub fn validate_update(
    old: &RtcConfiguration,
    new: &RtcConfiguration,
    ctx: &SetConfigurationContext<'_>,
) -> Result<Vec<IceServer>, RtcError> {
    if ctx.is_closed {
        return Err(RtcError::invalid_state(
            "setConfiguration on a closed RTCPeerConnection",
        ));
    }
    if let Some(identity) = &new.peer_identity
        && old.peer_identity.as_ref() != Some(identity)
    {
        return Err(RtcError::invalid_modification(
            "peerIdentity cannot be changed",
        ));
    }
    if new.certificates.len() != old.certificates.len()
        || new
            .certificates
            .iter()
            .zip(&old.certificates)
            .any(|(n, o)| n.id() != o.id())
    {
        return Err(RtcError::invalid_modification(
            "certificates cannot be changed",
        ));
    }
    if new.bundle_policy != old.bundle_policy {
        return Err(RtcError::invalid_modification(format!(
            "bundlePolicy cannot be changed from '{}' to '{}'",
            old.bundle_policy, new.bundle_policy
        )));
    }
    if new.rtcp_mux_policy != old.rtcp_mux_policy {
        return Err(RtcError::invalid_modification(format!(
            "rtcpMuxPolicy cannot be changed from '{}' to '{}'",
            old.rtcp_mux_policy, new.rtcp_mux_policy
        )));
    }
    if new.ice_candidate_pool_size != old.ice_candidate_pool_size && ctx.local_description_set {
        return Err(RtcError::invalid_modification(
            "iceCandidatePoolSize cannot be changed after setLocalDescription",
        ));
    }
    new.ice_servers_list(ctx.implemented_schemes)
}
