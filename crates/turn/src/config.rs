//! [`TurnConfig`]: which TURN server to use, how to reach it ([`TurnTransport`]: UDP, TCP or
//! TLS, RFC 8656 §3.1) and with which long-term credentials (RFC 8489 §9.2), the address family
//! of the relayed address to ask for (REQUESTED-ADDRESS-FAMILY, RFC 8656 §7.1), plus the timing
//! knobs (requested allocation lifetime, RFC 8656 §7.1; initial RTO, RFC 8489 §6.2.1).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rtcpeer_stun::AddressFamily;
use rtcpeer_types::Protocol;
use rustls::pki_types::ServerName;

use crate::error::UsageError;

/// The allocation lifetime a client asks for by default: the server's default, 10 minutes
/// (RFC 8656 §3.5).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(600);

/// How long a UDP client stays silent toward the server before it sends a keepalive, by
/// default: short enough for NATs that drop idle UDP bindings after 30 s.
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(15);

/// The default initial retransmission timeout over UDP (RFC 8489 §6.2.1: 500 ms).
pub const DEFAULT_RTO: Duration = Duration::from_millis(500);

/// How the client reaches the TURN server (RFC 8656 §3.1).
#[derive(Clone)]
pub enum TurnTransport {
    /// `turn:` over UDP: each message is one datagram.
    Udp,
    /// `turn:?transport=tcp`: STUN and padded ChannelData framed in one TCP stream (RFC 8656
    /// §12.5). The runtime opens the connection and passes the stream's bytes in and out.
    Tcp,
    /// `turns:`: the TCP framing inside TLS, run by rustls over the stream's bytes.
    Tls(TlsSettings),
}

impl TurnTransport {
    /// The [`Protocol`] of the transmits and receives on this transport.
    pub fn protocol(&self) -> Protocol {
        match self {
            TurnTransport::Udp => Protocol::Udp,
            TurnTransport::Tcp => Protocol::Tcp,
            TurnTransport::Tls(_) => Protocol::Tls,
        }
    }

    /// Whether the transport is a reliable byte stream (no retransmissions, RFC 8489 §6.2.2).
    pub fn is_stream(&self) -> bool {
        !matches!(self, TurnTransport::Udp)
    }
}

impl fmt::Debug for TurnTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TurnTransport::Udp => f.write_str("Udp"),
            TurnTransport::Tcp => f.write_str("Tcp"),
            TurnTransport::Tls(s) => f.debug_tuple("Tls").field(&s.server_name).finish(),
        }
    }
}

/// The TLS side of a `turns:` server: the rustls client configuration (root store, versions,
/// the aws-lc-rs provider) and the name its certificate must carry.
#[derive(Clone)]
pub struct TlsSettings {
    /// The rustls client configuration.
    pub config: Arc<rustls::ClientConfig>,
    /// The name (DNS name or IP address) the server's certificate is verified against.
    pub server_name: ServerName<'static>,
}

impl TlsSettings {
    /// Settings that verify the server's certificate against `roots`, with rustls's safe
    /// default protocol versions on the aws-lc-rs provider and no client certificate.
    pub fn new(
        roots: rustls::RootCertStore,
        server_name: ServerName<'static>,
    ) -> Result<TlsSettings, UsageError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| UsageError::InvalidConfig(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(TlsSettings {
            config: Arc::new(config),
            server_name,
        })
    }
}

/// Everything a [`crate::TurnClient`] needs to know about its server.
///
/// `Debug` never shows the password.
#[derive(Clone)]
pub struct TurnConfig {
    /// The server's address (after DNS resolution, which is the runtime's job).
    pub server: SocketAddr,
    /// The local address the runtime sends from: the UDP socket's or the TCP connection's
    /// local address. Transmits carry it as their source.
    pub local: SocketAddr,
    /// UDP, TCP or TLS.
    pub transport: TurnTransport,
    /// The long-term credential's username.
    pub username: String,
    /// The long-term credential's password (never logged).
    pub password: String,
    /// A SOFTWARE attribute to put in requests, if any.
    pub software: Option<String>,
    /// The allocation lifetime to ask for; the server may grant less or more (RFC 8656 §7.2).
    pub lifetime: Duration,
    /// The initial retransmission timeout over UDP (RFC 8489 §6.2.1).
    pub initial_rto: Duration,
    /// Over UDP, after this long without sending anything to the server, send a Binding
    /// indication so NATs on the way keep the binding (`None`: never).
    pub keepalive: Option<Duration>,
    /// The family of the relayed address to ask for with REQUESTED-ADDRESS-FAMILY (RFC 8656
    /// §7.1); `None` sends no such attribute, and the server then allocates an IPv4 address.
    pub requested_family: Option<AddressFamily>,
}

impl TurnConfig {
    /// A UDP configuration with the default lifetime and RTO and no SOFTWARE.
    pub fn new(
        server: SocketAddr,
        local: SocketAddr,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> TurnConfig {
        TurnConfig {
            server,
            local,
            transport: TurnTransport::Udp,
            username: username.into(),
            password: password.into(),
            software: None,
            lifetime: DEFAULT_LIFETIME,
            initial_rto: DEFAULT_RTO,
            keepalive: Some(DEFAULT_KEEPALIVE),
            requested_family: None,
        }
    }

    /// The same configuration over another transport.
    #[must_use]
    pub fn with_transport(mut self, transport: TurnTransport) -> TurnConfig {
        self.transport = transport;
        self
    }

    /// The same configuration with a SOFTWARE attribute.
    #[must_use]
    pub fn with_software(mut self, software: impl Into<String>) -> TurnConfig {
        self.software = Some(software.into());
        self
    }

    /// The same configuration asking for another allocation lifetime.
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Duration) -> TurnConfig {
        self.lifetime = lifetime;
        self
    }

    /// The same configuration with another keepalive interval (`None`: no keepalives).
    #[must_use]
    pub fn with_keepalive(mut self, keepalive: Option<Duration>) -> TurnConfig {
        self.keepalive = keepalive;
        self
    }

    /// The same configuration asking for a relayed address of `family` (RFC 8656 §7.1; a
    /// server without one answers 440, Address Family not Supported).
    #[must_use]
    pub fn with_requested_family(mut self, family: AddressFamily) -> TurnConfig {
        self.requested_family = Some(family);
        self
    }

    /// The same configuration with another initial RTO.
    #[must_use]
    pub fn with_initial_rto(mut self, rto: Duration) -> TurnConfig {
        self.initial_rto = rto;
        self
    }
}

impl fmt::Debug for TurnConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TurnConfig")
            .field("server", &rtcpeer_types::Pii(self.server))
            .field("local", &rtcpeer_types::Pii(self.local))
            .field("transport", &self.transport)
            .field("username", &rtcpeer_types::Pii(&self.username))
            .field("password", &"[secret]")
            .field("software", &self.software)
            .field("lifetime", &self.lifetime)
            .field("initial_rto", &self.initial_rto)
            .field("keepalive", &self.keepalive)
            .field("requested_family", &self.requested_family)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        let c = TurnConfig::new(
            "192.0.2.1:3478".parse().unwrap(),
            "10.0.0.1:5000".parse().unwrap(),
            "user",
            "hunter2",
        )
        .with_software("rtcpeer")
        .with_lifetime(Duration::from_secs(60));
        let s = format!("{c:?}");
        assert!(!s.contains("hunter2"), "{s}");
        assert!(!s.contains("192.0.2.1"), "{s}");
        assert_eq!(c.transport.protocol(), Protocol::Udp);
        assert!(!c.transport.is_stream());
        assert!(TurnTransport::Tcp.is_stream());
        assert_eq!(c.lifetime, Duration::from_secs(60));
    }

    #[test]
    fn tls_settings_build_with_empty_roots() {
        let s = TlsSettings::new(
            rustls::RootCertStore::empty(),
            ServerName::try_from("turn.example").unwrap(),
        )
        .unwrap();
        let t = TurnTransport::Tls(s);
        assert_eq!(t.protocol(), Protocol::Tls);
        assert!(format!("{t:?}").contains("turn.example"));
    }
}
