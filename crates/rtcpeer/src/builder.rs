//! [`RtcPeerConnectionBuilder`]: the `RTCPeerConnection` constructor (webrtc-pc §4.4.1.1) with
//! rtcpeer's extensions beside the `RTCConfiguration`: the certificates as objects, which local
//! interfaces to bind ([`Interfaces`]), whether to use ICE-TCP, and a seed for the connection's random generator
//! (reproducible ICE credentials and ids in tests).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime};

use rtcpeer_core::{PeerConnection, RtcConfiguration, RtcError};
use rtcpeer_types::Rng;
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::certificate::RtcCertificate;
use crate::command::Link;
use crate::driver::Driver;
use crate::machine::Core;
use crate::net::{Interfaces, Sockets, host_interfaces, select};
use crate::peer_connection::RtcPeerConnection;
use crate::shared::Shared;
use crate::tcp::TcpLayer;

/// Connection numbers, for the per-connection tracing span.
static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// Builds an [`RtcPeerConnection`]: `RtcPeerConnection::builder(config)....build()`.
#[derive(Debug, Clone, Default)]
pub struct RtcPeerConnectionBuilder {
    config: RtcConfiguration,
    certificate: Option<RtcCertificate>,
    interfaces: Interfaces,
    seed: Option<u64>,
    /// `None`: the default, on.
    ice_tcp: Option<bool>,
}

impl RtcPeerConnectionBuilder {
    /// A builder for this configuration.
    pub fn new(config: RtcConfiguration) -> Self {
        RtcPeerConnectionBuilder {
            config,
            ..Self::default()
        }
    }

    /// Authenticate with this certificate (`configuration.certificates`, webrtc-pc §4.4.1.1
    /// step 4): its reference replaces `certificates` in the configuration. Without one a
    /// certificate is generated. An expired certificate makes `build` fail with
    /// `InvalidAccessError`.
    pub fn certificate(mut self, certificate: RtcCertificate) -> Self {
        self.config.certificates = vec![certificate.reference()];
        self.certificate = Some(certificate);
        self
    }

    /// Which local addresses to bind sockets on (default [`Interfaces::NonLoopback`]).
    pub fn interfaces(mut self, interfaces: Interfaces) -> Self {
        self.interfaces = interfaces;
        self
    }

    /// Whether to offer ICE-TCP host candidates (RFC 6544): a TCP listener per local address
    /// (passive candidates) and connections opened from those addresses to the peer's passive
    /// candidates (active ones). On by default, as in browsers; TCP candidates rank below UDP
    /// ones, so they carry the connection only when UDP does not get through.
    pub fn ice_tcp(mut self, enabled: bool) -> Self {
        self.ice_tcp = Some(enabled);
        self
    }

    /// Seeds the connection's random generator (ICE credentials, ids, session id) for
    /// reproducible tests. Without it the generator is seeded from the operating system.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Creates the connection: validates the configuration, binds the sockets and starts the
    /// driver task on the current tokio runtime.
    ///
    /// Errors: those of the constructor (`InvalidAccessError` for an expired certificate or a
    /// TURN server without credentials, `SyntaxError` / `NotSupportedError` for ICE server
    /// URLs, ...); `InvalidAccessError` when `configuration.certificates` names a certificate
    /// not given to [`certificate`](Self::certificate); `UnknownError` outside a tokio runtime
    /// or when the interfaces cannot be listed.
    pub fn build(self) -> Result<RtcPeerConnection, RtcError> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| RtcError::unknown(format!("no tokio runtime: {e}")))?;
        let rng = self.seed.map_or_else(Rng::from_entropy, Rng::from_seed);
        let (now, wall) = (Instant::now(), SystemTime::now());
        let pc = match (&self.certificate, self.config.certificates.as_slice()) {
            (Some(cert), [r]) if r.id() == cert.id() => PeerConnection::with_certificate(
                self.config,
                cert.certificate().clone(),
                rng,
                now,
                wall,
            )?,
            (_, []) => PeerConnection::new(self.config, rng, now, wall)?,
            (_, refs) => {
                // Expiry is checked first, as the constructor does.
                if let Some(r) = refs.iter().find(|r| r.is_expired(wall)) {
                    return Err(RtcError::invalid_access(format!(
                        "certificate {} has expired",
                        r.id()
                    )));
                }
                return Err(RtcError::invalid_access(
                    "configuration.certificates must hold the one certificate given to \
                     RtcPeerConnectionBuilder::certificate",
                ));
            }
        };
        let addrs = select(&self.interfaces, host_interfaces)
            .map_err(|e| RtcError::unknown(format!("cannot list the network interfaces: {e}")))?;
        let number = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed);
        let span = tracing::debug_span!("rtcpeer", pc = number);
        let _entered = runtime.enter();
        let sockets = span.in_scope(|| Sockets::bind(&addrs));
        let tcp = if self.ice_tcp.unwrap_or(true) {
            span.in_scope(|| TcpLayer::listen(&sockets.local_addrs()))
        } else {
            TcpLayer::default()
        };
        let core = Core::new(pc);
        let shared = Arc::new(Shared::new(
            Driver::snapshot(&core),
            sockets.local_addrs(),
            number,
        ));
        let (tx, rx) = mpsc::unbounded_channel();
        let link = Link { tx, shared };
        let driver = Driver::new(core, rx, link.downgrade(), sockets, tcp);
        runtime.spawn(driver.run().instrument(span));
        Ok(RtcPeerConnection::from_link(link))
    }
}
