//! [`TurnServer`]: a simulated TURN server (RFC 8656) built on the `rtcpeer-stun` codec, for
//! testing TURN clients and ICE relayed candidates under the simulated network.
//!
//! It serves UDP allocations to clients over UDP or TCP (RFC 8656 §12.5 stream framing) at one
//! listening address: long-term credentials with a nonce (RFC 8489 §9.2: 401 with REALM and
//! NONCE, 438 Stale Nonce for an unknown or expired nonce, 441 when the username does not
//! match the allocation's), Allocate with retransmission detection (§7.2), Refresh and deletion
//! (§8), permissions (§9), Send and Data indications (§10, §11), channel bindings (§12) and
//! ChannelData, and the expiry of allocations, permissions and channels. Relayed addresses are
//! `relay_ip` with ports counting up from `first_relay_port`; datagrams from peers to them are
//! relayed only from IPs with a permission, and dropped and counted otherwise. A server given a
//! relay address of the other family too ([`TurnServerConfig::with_relay_ip`]) hands out the
//! family a client asks for with REQUESTED-ADDRESS-FAMILY (RFC 8656 §7.2), IPv4 when it does not
//! ask, and 440 (Address Family not Supported) for a family it has no address of.
//!
//! Test knobs: [`TurnServer::expire_nonces`] (the next signed request gets 438),
//! [`TurnServer::drop_allocations`] (a server restart: the next refresh gets 437) and
//! [`TurnServer::redirect_to`] (answer Allocate with 300 Try Alternate). Not simulated: TLS,
//! TCP relays (RFC 6062), dual allocations (ADDITIONAL-ADDRESS-FAMILY is ignored), bandwidth
//! quotas, the security features of RFC 8489 §9.2.1.

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtcpeer_stun::{
    AddressFamily, AlternateServer, ChannelData, ChannelNumber, Class, Data, ErrorCode,
    IntegrityKey, Lifetime, Message, MessageBuilder, Method, RequestedAddressFamily,
    RequestedTransport, TransactionId, UnknownAttributes, XorMappedAddress, XorPeerAddress,
    XorRelayedAddress, stream_frame_len,
};
use rtcpeer_types::{Protocol, Receive, Rng, Transmit};

use crate::endpoint::Endpoint;

/// How a [`TurnServer`] is set up.
#[derive(Debug, Clone)]
pub struct TurnServerConfig {
    /// The address clients send to, over UDP and TCP.
    pub listen: SocketAddr,
    /// The IP of relayed addresses (one of the host's addresses).
    pub relay_ip: IpAddr,
    /// A relay IP of the other family, handed out to clients that ask for that family with
    /// REQUESTED-ADDRESS-FAMILY.
    pub other_family_relay_ip: Option<IpAddr>,
    /// The first relayed port handed out.
    pub first_relay_port: u16,
    /// The REALM of the long-term credentials.
    pub realm: String,
    /// Usernames and passwords.
    pub users: Vec<(String, String)>,
    /// The lifetime granted when the client asks for less or nothing (RFC 8656 §3.5: 600 s).
    pub default_lifetime: Duration,
    /// The longest lifetime granted (RFC 8656 §7.2: 3600 s recommended).
    pub max_lifetime: Duration,
    /// How long a permission lasts (RFC 8656 §9: 300 s).
    pub permission_lifetime: Duration,
    /// How long a channel binding lasts (RFC 8656 §12: 600 s).
    pub channel_lifetime: Duration,
    /// How long a nonce stays valid before requests with it get 438.
    pub nonce_lifetime: Duration,
}

impl TurnServerConfig {
    /// A server at `listen` relaying on `relay_ip`, realm `realm`, no users yet, RFC timers,
    /// nonces valid for an hour.
    pub fn new(listen: SocketAddr, relay_ip: IpAddr, realm: &str) -> Self {
        TurnServerConfig {
            listen,
            relay_ip,
            other_family_relay_ip: None,
            first_relay_port: 49152,
            realm: realm.to_owned(),
            users: Vec::new(),
            default_lifetime: Duration::from_secs(600),
            max_lifetime: Duration::from_secs(3600),
            permission_lifetime: Duration::from_secs(300),
            channel_lifetime: Duration::from_secs(600),
            nonce_lifetime: Duration::from_secs(3600),
        }
    }

    /// Adds a user.
    #[must_use]
    pub fn with_user(mut self, username: &str, password: &str) -> Self {
        self.users.push((username.to_owned(), password.to_owned()));
        self
    }

    /// Adds a relay IP of the other family than `relay_ip` (ignored if it is the same family).
    #[must_use]
    pub fn with_relay_ip(mut self, ip: IpAddr) -> Self {
        if ip.is_ipv4() != self.relay_ip.is_ipv4() {
            self.other_family_relay_ip = Some(ip);
        }
        self
    }

    /// The relay IP of a family, if the server has one.
    fn relay_ip_of(&self, ipv4: bool) -> Option<IpAddr> {
        [Some(self.relay_ip), self.other_family_relay_ip]
            .into_iter()
            .flatten()
            .find(|ip| ip.is_ipv4() == ipv4)
    }

    fn is_relay_ip(&self, ip: IpAddr) -> bool {
        ip == self.relay_ip || Some(ip) == self.other_family_relay_ip
    }
}

/// Counters of a [`TurnServer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TurnServerStats {
    /// Allocations created.
    pub allocations: u64,
    /// Allocate requests answered again from the cached response (retransmissions).
    pub allocate_retransmissions: u64,
    /// Successful Refresh requests (deletions included).
    pub refreshes: u64,
    /// Successful CreatePermission requests.
    pub permissions: u64,
    /// Successful ChannelBind requests.
    pub channel_binds: u64,
    /// 401 answers (challenges and rejected credentials).
    pub unauthenticated: u64,
    /// 438 Stale Nonce answers.
    pub stale_nonces: u64,
    /// Other error responses.
    pub errors: u64,
    /// Datagrams relayed from clients to peers.
    pub relayed_to_peers: u64,
    /// Datagrams relayed from peers to clients (Data indications and ChannelData).
    pub relayed_to_clients: u64,
    /// Datagrams from peers dropped for want of a permission.
    pub dropped_no_permission: u64,
    /// Anything else dropped: malformed, unknown channel, no allocation, wrong address.
    pub dropped: u64,
}

/// A client's 5-tuple as the server tells them apart: transport and source address (the
/// server side is always `listen`).
type ClientId = (Protocol, SocketAddr);

#[derive(Debug)]
struct Allocation {
    relayed: SocketAddr,
    expires: Instant,
    username: String,
    /// The Allocate that created it, and the response, for retransmissions (RFC 8656 §7.2).
    transaction: TransactionId,
    response: Bytes,
    permissions: BTreeMap<IpAddr, Instant>,
    /// Channel number to (peer, expiry).
    channels: BTreeMap<u16, (SocketAddr, Instant)>,
}

impl Allocation {
    fn permits(&self, now: Instant, ip: IpAddr) -> bool {
        self.permissions.get(&ip).is_some_and(|&e| e > now)
    }

    fn channel_of(&self, now: Instant, peer: SocketAddr) -> Option<u16> {
        self.channels
            .iter()
            .find(|(_, (p, e))| *p == peer && *e > now)
            .map(|(n, _)| *n)
    }
}

/// Why a request is refused: an error code (the response is signed if the request was).
type Refusal = u16;

/// A simulated TURN server endpoint.
#[derive(Debug)]
pub struct TurnServer {
    config: TurnServerConfig,
    rng: Rng,
    keys: BTreeMap<String, IntegrityKey>,
    nonces: BTreeMap<String, Instant>,
    allocations: BTreeMap<ClientId, Allocation>,
    relays: BTreeMap<u16, ClientId>,
    streams: BTreeMap<SocketAddr, BytesMut>,
    next_port: u16,
    redirect: Option<SocketAddr>,
    out: VecDeque<Transmit>,
    stats: TurnServerStats,
}

impl TurnServer {
    /// A server with this configuration, drawing nonces from `rng`.
    pub fn new(config: TurnServerConfig, rng: Rng) -> Self {
        let keys = config
            .users
            .iter()
            .map(|(u, p)| (u.clone(), IntegrityKey::long_term(u, &config.realm, p)))
            .collect();
        TurnServer {
            next_port: config.first_relay_port,
            config,
            rng,
            keys,
            nonces: BTreeMap::new(),
            allocations: BTreeMap::new(),
            relays: BTreeMap::new(),
            streams: BTreeMap::new(),
            redirect: None,
            out: VecDeque::new(),
            stats: TurnServerStats::default(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> TurnServerStats {
        self.stats
    }

    /// The live allocations: client address (as the server sees it) and relayed address.
    pub fn allocations(&self) -> Vec<(SocketAddr, SocketAddr)> {
        self.allocations
            .iter()
            .map(|((_, client), a)| (*client, a.relayed))
            .collect()
    }

    /// Whether the allocation at `relayed` has a live permission for `peer`.
    pub fn has_permission(&self, now: Instant, relayed: SocketAddr, peer: IpAddr) -> bool {
        self.allocations
            .values()
            .any(|a| a.relayed == relayed && a.permits(now, peer))
    }

    /// Forgets every nonce: the next signed request gets 438 Stale Nonce.
    pub fn expire_nonces(&mut self) {
        self.nonces.clear();
    }

    /// Forgets every allocation, as a restarted server would.
    pub fn drop_allocations(&mut self) {
        self.allocations.clear();
        self.relays.clear();
    }

    /// Answers Allocate requests with 300 Try Alternate to `alternate` (or stops, with `None`).
    pub fn redirect_to(&mut self, alternate: Option<SocketAddr>) {
        self.redirect = alternate;
    }

    fn new_nonce(&mut self, now: Instant) -> String {
        let nonce = format!("{:016x}", self.rng.u64());
        self.nonces
            .insert(nonce.clone(), now + self.config.nonce_lifetime);
        nonce
    }

    fn send(&mut self, client: ClientId, contents: Bytes) {
        self.out.push_back(Transmit {
            protocol: client.0,
            source: self.config.listen,
            destination: client.1,
            contents,
        });
    }

    // ---- from clients ---------------------------------------------------------------------

    fn on_client_stream(&mut self, now: Instant, source: SocketAddr, contents: &[u8]) {
        let buf = self.streams.entry(source).or_default();
        buf.extend_from_slice(contents);
        let mut frames = Vec::new();
        loop {
            match stream_frame_len(buf) {
                Ok(Some(len)) if len <= buf.len() => frames.push(buf.split_to(len).freeze()),
                Ok(_) => break,
                Err(_) => {
                    // Not STUN framing: a real server would close the connection.
                    buf.clear();
                    self.stats.dropped += 1;
                    break;
                }
            }
        }
        for frame in frames {
            self.on_client(now, (Protocol::Tcp, source), &frame);
        }
    }

    fn on_client(&mut self, now: Instant, client: ClientId, frame: &[u8]) {
        if ChannelData::is_channel_data(frame) {
            return self.channel_data_from_client(now, client, frame);
        }
        let Ok(message) = Message::decode(frame) else {
            self.stats.dropped += 1;
            return;
        };
        match message.class() {
            Class::Request => self.request(now, client, &message),
            Class::Indication if message.method() == Method::SEND => {
                self.send_indication(now, client, &message);
            }
            _ => self.stats.dropped += 1,
        }
    }

    fn channel_data_from_client(&mut self, now: Instant, client: ClientId, frame: &[u8]) {
        let target = ChannelData::decode(frame).ok().and_then(|cd| {
            let a = self.allocations.get(&client)?;
            let &(peer, expires) = a.channels.get(&cd.channel)?;
            (expires > now && a.permits(now, peer.ip()))
                .then(|| (a.relayed, peer, Bytes::copy_from_slice(cd.data)))
        });
        match target {
            Some((relayed, peer, data)) => self.relay_to_peer(relayed, peer, data),
            None => self.stats.dropped += 1,
        }
    }

    fn send_indication(&mut self, now: Instant, client: ClientId, message: &Message<'_>) {
        let target = (|| {
            let a = self.allocations.get(&client)?;
            let peer = message.xor_peer_address()?;
            let data = message.data()?;
            a.permits(now, peer.ip())
                .then(|| (a.relayed, peer, Bytes::copy_from_slice(data)))
        })();
        match target {
            Some((relayed, peer, data)) => self.relay_to_peer(relayed, peer, data),
            None => self.stats.dropped += 1,
        }
    }

    fn relay_to_peer(&mut self, relayed: SocketAddr, peer: SocketAddr, data: Bytes) {
        self.stats.relayed_to_peers += 1;
        self.out.push_back(Transmit {
            protocol: Protocol::Udp,
            source: relayed,
            destination: peer,
            contents: data,
        });
    }

    fn request(&mut self, now: Instant, client: ClientId, message: &Message<'_>) {
        if message.method() == Method::BINDING {
            if let Ok(r) = message
                .success_response()
                .xor_mapped_address(client.1)
                .build()
            {
                self.send(client, Bytes::from(r));
            }
            return;
        }
        let Some((username, key)) = self.authenticate(now, client, message) else {
            return;
        };
        if message.has_unknown_comprehension_required() {
            let unknown: Vec<_> = message.unknown_comprehension_required().collect();
            let response = message
                .error_response(ErrorCode::with_default_reason(ErrorCode::UNKNOWN_ATTRIBUTE))
                .with(UnknownAttributes(unknown))
                .message_integrity(&key)
                .build();
            self.stats.errors += 1;
            if let Ok(r) = response {
                self.send(client, Bytes::from(r));
            }
            return;
        }
        let result = match message.method() {
            Method::ALLOCATE => self.allocate(now, client, message, &username, &key),
            Method::REFRESH => self.refresh(now, client, message, &username),
            Method::CREATE_PERMISSION => self.create_permission(now, client, message, &username),
            Method::CHANNEL_BIND => self.channel_bind(now, client, message, &username),
            _ => Err(ErrorCode::BAD_REQUEST),
        };
        let response = match result {
            Ok(Some(builder)) => builder.message_integrity(&key).build(),
            Ok(None) => return,
            Err(code) => {
                self.stats.errors += 1;
                let mut b = message.error_response(ErrorCode::with_default_reason(code));
                if code == ErrorCode::TRY_ALTERNATE
                    && let Some(alternate) = self.redirect
                {
                    b = b.with(AlternateServer(alternate));
                }
                b.message_integrity(&key).build()
            }
        };
        if let Ok(r) = response {
            self.send(client, Bytes::from(r));
        }
    }

    /// Checks the long-term credentials (RFC 8489 §9.2.4): the username and key, or `None`
    /// after answering 400, 401 or 438.
    fn authenticate(
        &mut self,
        now: Instant,
        client: ClientId,
        message: &Message<'_>,
    ) -> Option<(String, IntegrityKey)> {
        let challenge = |server: &mut TurnServer, code: u16| {
            let nonce = server.new_nonce(now);
            let response = message
                .error_response(ErrorCode::with_default_reason(code))
                .realm(&server.config.realm)
                .nonce(&nonce)
                .build();
            if code == ErrorCode::STALE_NONCE {
                server.stats.stale_nonces += 1;
            } else {
                server.stats.unauthenticated += 1;
            }
            if let Ok(r) = response {
                server.send(client, Bytes::from(r));
            }
            None
        };
        if !message.has_message_integrity() {
            return challenge(self, ErrorCode::UNAUTHENTICATED);
        }
        let (Some(username), Some(realm), Some(nonce)) =
            (message.username(), message.realm(), message.nonce())
        else {
            self.stats.errors += 1;
            if let Ok(r) = message
                .error_response(ErrorCode::with_default_reason(ErrorCode::BAD_REQUEST))
                .build()
            {
                self.send(client, Bytes::from(r));
            }
            return None;
        };
        if self.nonces.get(nonce).is_none_or(|&e| e <= now) {
            return challenge(self, ErrorCode::STALE_NONCE);
        }
        let key = match self.keys.get(username) {
            Some(k) if realm == self.config.realm && message.verify_integrity(k).is_ok() => {
                k.clone()
            }
            _ => return challenge(self, ErrorCode::UNAUTHENTICATED),
        };
        Some((username.to_owned(), key))
    }

    /// The lifetime to grant for a requested one (RFC 8656 §7.2, §8).
    fn grant(&self, requested: Option<Duration>) -> Duration {
        requested
            .unwrap_or(self.config.default_lifetime)
            .min(self.config.max_lifetime)
            .max(self.config.default_lifetime)
    }

    fn free_port(&mut self) -> Option<u16> {
        let first = self.config.first_relay_port;
        let span = u32::from(u16::MAX - first) + 1;
        for _ in 0..span {
            let port = self.next_port;
            self.next_port = if port == u16::MAX { first } else { port + 1 };
            if !self.relays.contains_key(&port) {
                return Some(port);
            }
        }
        None
    }

    fn allocate(
        &mut self,
        now: Instant,
        client: ClientId,
        message: &Message<'_>,
        username: &str,
        key: &IntegrityKey,
    ) -> Result<Option<MessageBuilder>, Refusal> {
        if let Some(a) = self.allocations.get(&client) {
            if a.transaction == message.transaction_id() {
                self.stats.allocate_retransmissions += 1;
                let response = a.response.clone();
                self.send(client, response);
                return Ok(None);
            }
            return Err(ErrorCode::ALLOCATION_MISMATCH);
        }
        if self.redirect.is_some() {
            return Err(ErrorCode::TRY_ALTERNATE);
        }
        match message.get::<RequestedTransport>() {
            None => return Err(ErrorCode::BAD_REQUEST),
            Some(t) if t != RequestedTransport::UDP => {
                return Err(ErrorCode::UNSUPPORTED_TRANSPORT_PROTOCOL);
            }
            Some(_) => {}
        }
        // RFC 8656 §7.2: the family asked for, else IPv4 (this server falls back to its one
        // relay address when it has no IPv4 one).
        let relay_ip = match message.get::<RequestedAddressFamily>() {
            Some(RequestedAddressFamily(family)) => self
                .config
                .relay_ip_of(family == AddressFamily::Ipv4)
                .ok_or(ErrorCode::ADDRESS_FAMILY_NOT_SUPPORTED)?,
            None => self
                .config
                .relay_ip_of(true)
                .unwrap_or(self.config.relay_ip),
        };
        let port = self.free_port().ok_or(ErrorCode::INSUFFICIENT_CAPACITY)?;
        let relayed = SocketAddr::new(relay_ip, port);
        let lifetime = self.grant(message.lifetime());
        let response = message
            .success_response()
            .with(XorRelayedAddress(relayed))
            .with(Lifetime::from_duration(lifetime))
            .with(XorMappedAddress(client.1))
            .message_integrity(key)
            .build()
            .map_err(|_| ErrorCode::SERVER_ERROR)?;
        let response = Bytes::from(response);
        self.relays.insert(port, client);
        self.allocations.insert(
            client,
            Allocation {
                relayed,
                expires: now + lifetime,
                username: username.to_owned(),
                transaction: message.transaction_id(),
                response: response.clone(),
                permissions: BTreeMap::new(),
                channels: BTreeMap::new(),
            },
        );
        self.stats.allocations += 1;
        self.send(client, response);
        Ok(None)
    }

    /// The client's allocation, checking that the same user made it (RFC 8656 §5: 441).
    fn allocation_of(
        &mut self,
        now: Instant,
        client: ClientId,
        username: &str,
    ) -> Result<&mut Allocation, Refusal> {
        let a = self
            .allocations
            .get_mut(&client)
            .filter(|a| a.expires > now)
            .ok_or(ErrorCode::ALLOCATION_MISMATCH)?;
        if a.username != username {
            return Err(ErrorCode::WRONG_CREDENTIALS);
        }
        Ok(a)
    }

    fn refresh(
        &mut self,
        now: Instant,
        client: ClientId,
        message: &Message<'_>,
        username: &str,
    ) -> Result<Option<MessageBuilder>, Refusal> {
        let requested = message.lifetime();
        let lifetime = self.grant(requested);
        let a = self.allocation_of(now, client, username)?;
        let granted = if requested == Some(Duration::ZERO) {
            let port = a.relayed.port();
            self.allocations.remove(&client);
            self.relays.remove(&port);
            Duration::ZERO
        } else {
            a.expires = now + lifetime;
            lifetime
        };
        self.stats.refreshes += 1;
        Ok(Some(
            message
                .success_response()
                .with(Lifetime::from_duration(granted)),
        ))
    }

    fn create_permission(
        &mut self,
        now: Instant,
        client: ClientId,
        message: &Message<'_>,
        username: &str,
    ) -> Result<Option<MessageBuilder>, Refusal> {
        let lifetime = self.config.permission_lifetime;
        let a = self.allocation_of(now, client, username)?;
        let peers: Vec<SocketAddr> = message.get_all::<XorPeerAddress>().map(|p| p.0).collect();
        if peers.is_empty() {
            return Err(ErrorCode::BAD_REQUEST);
        }
        if peers.iter().any(|p| p.is_ipv4() != a.relayed.is_ipv4()) {
            return Err(ErrorCode::PEER_ADDRESS_FAMILY_MISMATCH);
        }
        for p in peers {
            a.permissions.insert(p.ip(), now + lifetime);
        }
        self.stats.permissions += 1;
        Ok(Some(message.success_response()))
    }

    fn channel_bind(
        &mut self,
        now: Instant,
        client: ClientId,
        message: &Message<'_>,
        username: &str,
    ) -> Result<Option<MessageBuilder>, Refusal> {
        let (channel_life, permission_life) = (
            self.config.channel_lifetime,
            self.config.permission_lifetime,
        );
        let a = self.allocation_of(now, client, username)?;
        let (Some(ChannelNumber(number)), Some(peer)) =
            (message.channel_number(), message.xor_peer_address())
        else {
            return Err(ErrorCode::BAD_REQUEST);
        };
        if !ChannelNumber(number).is_valid() {
            return Err(ErrorCode::BAD_REQUEST);
        }
        if peer.is_ipv4() != a.relayed.is_ipv4() {
            return Err(ErrorCode::PEER_ADDRESS_FAMILY_MISMATCH);
        }
        let other_peer = a
            .channels
            .get(&number)
            .is_some_and(|&(p, e)| p != peer && e > now);
        let other_number = a.channel_of(now, peer).is_some_and(|n| n != number);
        if other_peer || other_number {
            return Err(ErrorCode::BAD_REQUEST);
        }
        a.channels.insert(number, (peer, now + channel_life));
        a.permissions.insert(peer.ip(), now + permission_life);
        self.stats.channel_binds += 1;
        Ok(Some(message.success_response()))
    }

    // ---- from peers -----------------------------------------------------------------------

    fn on_peer(&mut self, now: Instant, rx: &Receive) {
        let Some(&client) = self.relays.get(&rx.destination.port()) else {
            self.stats.dropped += 1;
            return;
        };
        let Some(a) = self
            .allocations
            .get(&client)
            .filter(|a| a.expires > now && a.relayed == rx.destination)
        else {
            self.stats.dropped += 1;
            return;
        };
        if !a.permits(now, rx.source.ip()) {
            self.stats.dropped_no_permission += 1;
            return;
        }
        let message = match a.channel_of(now, rx.source) {
            Some(channel) => {
                let mut out = Vec::new();
                let pad = client.0 != Protocol::Udp;
                ChannelData {
                    channel,
                    data: &rx.contents,
                }
                .encode(pad, &mut out)
                .map(|()| out)
                .ok()
            }
            None => {
                let mut id = [0u8; 12];
                self.rng.fill(&mut id);
                MessageBuilder::indication(Method::DATA, TransactionId::new(id))
                    .with(XorPeerAddress(rx.source))
                    .with(Data(&rx.contents))
                    .build()
                    .ok()
            }
        };
        match message {
            Some(m) => {
                self.stats.relayed_to_clients += 1;
                self.send(client, Bytes::from(m));
            }
            None => self.stats.dropped += 1,
        }
    }

    fn expire(&mut self, now: Instant) {
        let dead: Vec<ClientId> = self
            .allocations
            .iter()
            .filter(|(_, a)| a.expires <= now)
            .map(|(c, _)| *c)
            .collect();
        for c in dead {
            if let Some(a) = self.allocations.remove(&c) {
                self.relays.remove(&a.relayed.port());
            }
        }
        for a in self.allocations.values_mut() {
            a.permissions.retain(|_, e| *e > now);
            a.channels.retain(|_, (_, e)| *e > now);
        }
        self.nonces.retain(|_, e| *e > now);
    }
}

impl Endpoint for TurnServer {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        if rx.destination == self.config.listen {
            match rx.protocol {
                Protocol::Udp => self.on_client(now, (Protocol::Udp, rx.source), &rx.contents),
                Protocol::Tcp => self.on_client_stream(now, rx.source, &rx.contents),
                Protocol::Tls => self.stats.dropped += 1,
            }
        } else if rx.protocol == Protocol::Udp && self.config.is_relay_ip(rx.destination.ip()) {
            self.on_peer(now, &rx);
        } else {
            self.stats.dropped += 1;
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.expire(now);
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.out.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.allocations
            .values()
            .flat_map(|a| {
                let permissions = a.permissions.values().copied();
                let channels = a.channels.values().map(|(_, e)| *e);
                std::iter::once(a.expires)
                    .chain(permissions)
                    .chain(channels)
            })
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> TurnServer {
        let config = TurnServerConfig::new(
            "192.0.2.1:3478".parse().unwrap(),
            "192.0.2.1".parse().unwrap(),
            "sim",
        )
        .with_user("u", "p");
        TurnServer::new(config, Rng::from_seed(1))
    }

    fn udp(contents: Vec<u8>) -> Receive {
        Receive {
            protocol: Protocol::Udp,
            source: "198.51.100.7:5000".parse().unwrap(),
            destination: "192.0.2.1:3478".parse().unwrap(),
            contents: Bytes::from(contents),
        }
    }

    #[test]
    #[allow(clippy::disallowed_methods)]
    fn challenge_then_allocate() {
        let now = Instant::now();
        let mut s = server();
        let id = TransactionId::new([1; 12]);
        let request = MessageBuilder::request(Method::ALLOCATE, id)
            .with(RequestedTransport::UDP)
            .build()
            .unwrap();
        s.handle_receive(now, udp(request));
        let reply = s.poll_transmit(now).unwrap();
        let m = Message::decode(&reply.contents).unwrap();
        assert_eq!(m.error_code().map(|e| e.code), Some(401));
        let nonce = m.nonce().unwrap().to_owned();
        assert_eq!(m.realm(), Some("sim"));

        let key = IntegrityKey::long_term("u", "sim", "p");
        let id = TransactionId::new([2; 12]);
        let request = MessageBuilder::request(Method::ALLOCATE, id)
            .with(RequestedTransport::UDP)
            .username("u")
            .realm("sim")
            .nonce(&nonce)
            .message_integrity(&key)
            .build()
            .unwrap();
        s.handle_receive(now, udp(request.clone()));
        let reply = s.poll_transmit(now).unwrap();
        let m = Message::decode(&reply.contents).unwrap();
        m.verify_integrity(&key).unwrap();
        assert_eq!(m.class(), Class::SuccessResponse);
        assert_eq!(
            m.xor_relayed_address(),
            Some("192.0.2.1:49152".parse().unwrap())
        );
        assert_eq!(m.lifetime(), Some(Duration::from_secs(600)));
        // A retransmission gets the same answer, not 437.
        s.handle_receive(now, udp(request));
        assert_eq!(s.poll_transmit(now).unwrap().contents, reply.contents);
        assert_eq!(s.stats().allocate_retransmissions, 1);
        assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(600)));
        s.handle_timeout(now + Duration::from_secs(600));
        assert!(s.allocations().is_empty());

        s.handle_receive(now, udp(vec![0x00, 0x01, 0x00]));
        s.handle_receive(now, udp(vec![0x40, 0x00, 0x00, 0x01, 7]));
        assert_eq!(s.stats().dropped, 2);
        assert!(s.poll_transmit(now).is_none());
    }
}
