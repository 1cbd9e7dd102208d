//! [`IceConfig`]: what an [`IceAgent`](crate::IceAgent) is told before it starts: STUN servers,
//! TURN servers ([`TurnServer`], the W3C `RTCIceServer` entries with `turn:`/`turns:` URLs after
//! resolution), the transport policy (W3C `RTCIceTransportPolicy`), components, candidate options, the ICE
//! options (`ice-lite`, `ice2`), the candidate pool, and every timer of RFC 8445 §14 (Ta,
//! check RTO), RFC 8489 §6.2.1 (RTO, Rc, Rm), RFC 7675 (consent) and RFC 8445 §11 (keepalive), the
//! ICE-TCP limits (RFC 6544), whether remote mDNS candidates are resolved and whether our own
//! host addresses are hidden behind mDNS names (draft-ietf-mmusic-mdns-ice-candidates).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rtcpeer_turn::TurnTransport;

/// Which candidates the agent gathers and uses (W3C `RTCIceTransportPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IceTransportPolicy {
    /// Every type of candidate.
    #[default]
    All,
    /// Only relayed candidates: no host or server-reflexive candidate is gathered (so the
    /// host's addresses are never revealed) and checks go only from relayed candidates.
    Relay,
}

/// A TURN server the agent allocates relayed candidates on (RFC 8445 §5.1.1.2, RFC 8656): one
/// `turn:`/`turns:` URL of a W3C `RTCIceServer`, resolved to an address by the runtime.
///
/// `Debug` never shows the credential.
#[derive(Clone)]
pub struct TurnServer {
    /// The server's transport address.
    pub address: SocketAddr,
    /// How to reach it: UDP, TCP (`?transport=tcp`) or TLS (`turns:`).
    pub transport: TurnTransport,
    /// The long-term credential's username (W3C `RTCIceServer.username`).
    pub username: String,
    /// The long-term credential's password (W3C `RTCIceServer.credential`). Never logged.
    pub credential: String,
    /// The URL the application configured, reported in
    /// [`IceEvent::CandidateError`](crate::IceEvent::CandidateError); when `None`, one is
    /// written from the address and transport.
    pub url: Option<String>,
}

impl TurnServer {
    /// A TURN server reached over UDP.
    pub fn udp(address: SocketAddr, username: &str, credential: &str) -> Self {
        TurnServer {
            address,
            transport: TurnTransport::Udp,
            username: username.to_owned(),
            credential: credential.to_owned(),
            url: None,
        }
    }

    /// The same server over another transport.
    #[must_use]
    pub fn with_transport(mut self, transport: TurnTransport) -> Self {
        self.transport = transport;
        self
    }

    /// The same server with the URL the application gave.
    #[must_use]
    pub fn with_url(mut self, url: &str) -> Self {
        self.url = Some(url.to_owned());
        self
    }

    /// The URL identifying the server: the configured one, or `turn:<address>?transport=udp`,
    /// `turn:<address>?transport=tcp`, `turns:<address>?transport=tcp`.
    pub fn url(&self) -> String {
        if let Some(u) = &self.url {
            return u.clone();
        }
        match self.transport {
            TurnTransport::Udp => format!("turn:{}?transport=udp", self.address),
            TurnTransport::Tcp => format!("turn:{}?transport=tcp", self.address),
            TurnTransport::Tls(_) => format!("turns:{}?transport=tcp", self.address),
        }
    }
}

impl fmt::Debug for TurnServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TurnServer")
            .field("address", &rtcpeer_types::Pii(self.address))
            .field("transport", &self.transport)
            .field("username", &rtcpeer_types::Pii(&self.username))
            .field("credential", &"[secret]")
            .field("url", &self.url)
            .finish()
    }
}

impl PartialEq for TurnServer {
    /// Equal when address, credentials and URL are, and the transports are the same kind (two
    /// TLS transports only when they share one rustls configuration and name the same server).
    fn eq(&self, other: &Self) -> bool {
        let transport = match (&self.transport, &other.transport) {
            (TurnTransport::Udp, TurnTransport::Udp) | (TurnTransport::Tcp, TurnTransport::Tcp) => {
                true
            }
            (TurnTransport::Tls(a), TurnTransport::Tls(b)) => {
                Arc::ptr_eq(&a.config, &b.config) && a.server_name == b.server_name
            }
            _ => false,
        };
        transport
            && self.address == other.address
            && self.username == other.username
            && self.credential == other.credential
            && self.url == other.url
    }
}

impl Eq for TurnServer {}

/// The configuration of an [`IceAgent`](crate::IceAgent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceConfig {
    /// STUN servers to learn server-reflexive candidates from (RFC 8445 §5.1.1.2).
    pub stun_servers: Vec<SocketAddr>,
    /// TURN servers: the agent allocates a relayed candidate on each, from each local socket of
    /// the server's address family, through TURN clients it owns (RFC 8445 §5.1.1.2).
    pub turn_servers: Vec<TurnServer>,
    /// Which candidates to gather and use.
    pub transport_policy: IceTransportPolicy,
    /// How many components the data stream has: 1 (RTP and RTCP multiplexed, or data only) or
    /// 2 (RTCP on its own component).
    pub components: u16,
    /// Whether loopback interfaces become host candidates (tests, same-host peers).
    pub include_loopback: bool,
    /// Whether IPv6 link-local interfaces become host candidates.
    pub include_link_local: bool,
    /// Run as an ICE-lite agent (RFC 8445 §2.5): host candidates only, never send checks,
    /// always controlled, answer checks and accept the peer's nomination.
    pub ice_lite: bool,
    /// Advertise and follow RFC 8445 (`a=ice-options:ice2`, RFC 8445 §10); `false` for an
    /// agent that presents itself as RFC 5245 and, when controlling, nominates aggressively
    /// (USE-CANDIDATE on every check, RFC 5245 §8.1.1.2).
    pub ice2: bool,
    /// Whether relayed candidates are also expected from an external TURN glue
    /// ([`IceAgent::add_relay_candidate`](crate::IceAgent::add_relay_candidate)): gathering is
    /// then complete only once [`IceAgent::end_of_relay_candidates`](crate::IceAgent::end_of_relay_candidates)
    /// is called.
    pub expect_relay_candidates: bool,
    /// W3C `iceCandidatePoolSize`: when non-zero, [`IceAgent::pre_gather`](crate::IceAgent::pre_gather)
    /// may gather before candidates are wanted; they are announced by
    /// [`IceAgent::gather`](crate::IceAgent::gather). One agent holds one set of candidates (one
    /// transport); a pool of N sets is a [`CandidatePool`](crate::CandidatePool).
    pub candidate_pool_size: u8,
    /// Ta, the pacing of connectivity checks (RFC 8445 §14.2; 50 ms by default).
    pub ta: Duration,
    /// The initial RTO of STUN transactions to STUN servers (RFC 8489 §6.2.1: 500 ms).
    pub stun_rto: Duration,
    /// Rc: how many times a STUN request is sent at most (RFC 8489: 7).
    pub stun_max_transmits: u32,
    /// Rm: after the last request, how many initial RTOs to wait for a response (RFC 8489: 16).
    pub stun_rm: u32,
    /// The least RTO of a connectivity check (RFC 8445 §14.3: 500 ms). The RTO is this or
    /// `Ta * (waiting + in-progress pairs)`, whichever is larger.
    pub check_rto: Duration,
    /// The largest RTO a check's retransmissions back off to. RFC 8489 doubles without bound;
    /// a cap keeps checks responsive on lossy paths, as libnice and libwebrtc do.
    pub check_max_rto: Duration,
    /// How many times a connectivity check is sent before the pair fails.
    pub check_max_transmits: u32,
    /// The PAC timer (RFC 8863 §4, "Patiently Awaiting Connectivity"): the initial checks are
    /// not declared failed before this long after both sides' ICE parameters are known (unless
    /// no local candidate was gathered), since the peer may still find a pair with its own
    /// checks. RFC 8863 recommends the check transaction timeout, 39.5 s.
    pub pac_timeout: Duration,
    /// How long the controlling agent waits, after the first pair succeeds, for better pairs
    /// before nominating the best valid pair (it nominates earlier if no better pair is left).
    pub nomination_delay: Duration,
    /// The mean interval of consent freshness checks (RFC 7675 §5.1: 5 s, randomised to
    /// 0.8–1.2 times this).
    pub consent_interval: Duration,
    /// Consent is lost after this long without a response (RFC 7675 §5.1: 30 s).
    pub consent_timeout: Duration,
    /// The connection is reported `disconnected` after this long without any packet on the
    /// selected pair (W3C: implementation dependent).
    pub disconnected_timeout: Duration,
    /// Tr: a keepalive (Binding indication) is sent when nothing was sent on the selected pair
    /// for this long (RFC 8445 §11: at most 15 s).
    pub keepalive_interval: Duration,
    /// The most candidate pairs in the checklist (RFC 8445 §6.1.2.5: 100).
    pub max_pairs: usize,
    /// The most remote candidates kept (excess ones are ignored and counted).
    pub max_remote_candidates: usize,
    /// Whether remote candidates with mDNS `.local` names are resolved (one-shot mDNS queries
    /// from the first IPv4 local socket, draft-ietf-mmusic-mdns-ice-candidates §3.2.1); when
    /// `false` they are ignored and counted in `ignored_candidates`.
    pub mdns: bool,
    /// Hide the addresses of our host candidates behind random `<uuid>.local` names, as
    /// browsers do (draft-ietf-mmusic-mdns-ice-candidates §3.1): the candidates are signalled
    /// with the names, server-reflexive ones with `raddr 0.0.0.0 rport 0`, and an mDNS
    /// responder the agent owns answers queries for the names on the runtime's mDNS sockets
    /// ([`IceAgent::add_mdns_socket`](crate::IceAgent::add_mdns_socket)).
    pub mdns_host_names: bool,
    /// How long a TCP connection attempt, or a check over TCP (sent once, RFC 8489 §6.2.2),
    /// may take before its pair fails (RFC 6544).
    pub tcp_timeout: Duration,
    /// The most TCP connections the agent keeps (opened and accepted); more accepted ones are
    /// refused.
    pub max_tcp_connections: usize,
}

impl Default for IceConfig {
    fn default() -> Self {
        IceConfig {
            stun_servers: Vec::new(),
            turn_servers: Vec::new(),
            transport_policy: IceTransportPolicy::All,
            components: 1,
            include_loopback: false,
            include_link_local: false,
            ice_lite: false,
            ice2: true,
            expect_relay_candidates: false,
            candidate_pool_size: 0,
            ta: Duration::from_millis(50),
            stun_rto: Duration::from_millis(500),
            stun_max_transmits: 7,
            stun_rm: 16,
            check_rto: Duration::from_millis(500),
            check_max_rto: Duration::from_secs(3),
            check_max_transmits: 7,
            pac_timeout: Duration::from_millis(39_500),
            nomination_delay: Duration::from_millis(500),
            consent_interval: Duration::from_secs(5),
            consent_timeout: Duration::from_secs(30),
            disconnected_timeout: Duration::from_secs(7),
            keepalive_interval: Duration::from_secs(15),
            max_pairs: 100,
            max_remote_candidates: 200,
            mdns: true,
            mdns_host_names: false,
            tcp_timeout: Duration::from_secs(8),
            max_tcp_connections: 32,
        }
    }
}

impl IceConfig {
    /// The ICE options to advertise in SDP (`a=ice-options:`): always `trickle` (RFC 8840),
    /// and `ice2` unless configured otherwise.
    pub fn ice_options(&self) -> &'static [&'static str] {
        if self.ice2 {
            &["trickle", "ice2"]
        } else {
            &["trickle"]
        }
    }
}
