//! Fuzz target: a running ICE agent (remote credentials and candidates known, gathering from a
//! STUN and a TURN server) is fed arbitrary datagrams and well-formed STUN built from the
//! input with the stun builder — connectivity checks with the right or wrong USERNAME,
//! MESSAGE-INTEGRITY and FINGERPRINT, responses to its own transactions, TURN answers signed
//! with the long-term key (so allocations, permissions and channels happen), Data indications
//! and ChannelData from the TURN server — interleaved with timeouts, sends, trickled
//! candidates, restarts and role changes. It also plays the runtime's ICE-TCP part: it accepts
//! connections on the agent's passive candidate, answers the connections the agent asks for
//! (established, failed), closes them, and feeds stream bytes (framed checks or garbage, cut
//! anywhere) on them; and it sends mDNS queries to the responder of the agent's own names.
//! Nothing may panic, and a timer handled at its deadline must move on (no busy loop).
#![no_main]
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use rtcpeer_ice::{
    Candidate, IceAgent, IceConfig, IceTransportPolicy, TcpCommand, TcpConnectionId, TurnServer,
};
use rtcpeer_stun::{
    ChannelData, ChannelNumber, Class, Data, ErrorCode, IntegrityKey, Lifetime, Message,
    MessageBuilder, Method, RawAttribute, AttributeType, TransactionId, XorMappedAddress,
    XorPeerAddress, XorRelayedAddress,
};
use rtcpeer_types::{Protocol, Receive, Rng, Transmit};

const LOCAL: &str = "192.0.2.1:5000";
const LISTENER: &str = "192.0.2.1:443";
const MDNS_SOCKET: &str = "192.0.2.1:5353";
const STUN: &str = "198.51.100.1:3478";
const TURN: &str = "198.51.100.2:3478";
const RELAYED: &str = "198.51.100.2:49152";
const REMOTE_UFRAG: &str = "rEmO";
const REMOTE_PWD: &str = "remotepasswordremotepass";
const TURN_USER: &str = "user";
const TURN_PASS: &str = "pass";
const REALM: &str = "realm";
const NONCE: &str = "nonce";

const REMOTES: [&str; 5] = [
    "192.0.2.2:6000",
    "203.0.113.5:7000",
    "198.51.100.9:50000",
    "192.0.2.3:6001",
    "[2001:db8::2]:6000",
];

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// Reads the fuzz input front to back; yields zeros when it runs out.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
    fn u64(&mut self) -> u64 {
        (u64::from(self.u32()) << 32) | u64::from(self.u32())
    }
    fn bool(&mut self) -> bool {
        self.byte() & 1 == 1
    }
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An address the datagram comes from or goes to: known ones mostly, sometimes any.
fn address(input: &mut Input, relayed: Option<SocketAddr>) -> SocketAddr {
    match input.byte() % 9 {
        i @ 0..=4 => sa(REMOTES[usize::from(i)]),
        5 => sa(STUN),
        6 => sa(TURN),
        7 => relayed.unwrap_or_else(|| sa(RELAYED)),
        _ => SocketAddr::from(([input.byte(), input.byte(), 0, 1], input.u16())),
    }
}

struct World {
    agent: IceAgent,
    now: Instant,
    /// The latest transmits, to answer.
    sent: Vec<Transmit>,
    local_pwd: String,
    /// Connections the agent asked for and the runtime has not answered.
    connecting: Vec<(TcpConnectionId, SocketAddr)>,
    /// Established connections: id, local, remote.
    connections: Vec<(TcpConnectionId, SocketAddr, SocketAddr)>,
}

impl World {
    fn drain(&mut self) {
        while let Some(t) = self.agent.poll_transmit() {
            if self.sent.len() >= 32 {
                self.sent.remove(0);
            }
            self.sent.push(t);
        }
        while self.agent.poll_event().is_some() {}
        while let Some(c) = self.agent.poll_tcp_command() {
            match c {
                TcpCommand::Connect { id, remote, .. } => {
                    if self.connecting.len() < 16 {
                        self.connecting.push((id, remote));
                    }
                }
                TcpCommand::Close { id } => self.connections.retain(|c| c.0 != id),
                _ => {}
            }
        }
    }

    fn receive(&mut self, protocol: Protocol, source: SocketAddr, destination: SocketAddr, b: Vec<u8>) {
        self.agent.handle_receive(
            self.now,
            Receive {
                protocol,
                source,
                destination,
                contents: Bytes::from(b),
            },
        );
        self.drain();
    }

    fn relayed(&self) -> Option<SocketAddr> {
        self.agent.relayed_addresses().first().copied()
    }

    /// A transmit to answer, picked by the input: the STUN one it names, decoded.
    fn pick(&self, input: &mut Input, to: Option<SocketAddr>) -> Option<Transmit> {
        let candidates: Vec<&Transmit> = self
            .sent
            .iter()
            .filter(|t| to.is_none_or(|a| t.destination == a))
            .filter(|t| Message::decode(&t.contents).is_ok())
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let i = usize::from(input.byte()) % candidates.len();
        candidates.get(i).map(|t| (*t).clone())
    }
}

/// Appends fuzz-chosen extra attributes (an unknown comprehension-optional or -required one).
fn extras(input: &mut Input, mut b: MessageBuilder) -> MessageBuilder {
    for _ in 0..input.byte() % 3 {
        let attribute_type = AttributeType(input.u16());
        let len = usize::from(input.byte() % 24);
        let value = input.take(len);
        b.push(RawAttribute {
            attribute_type,
            value,
        });
    }
    b
}

/// Integrity and fingerprint as the input says: right key, wrong key, none.
fn seal(input: &mut Input, mut b: MessageBuilder, key: &IntegrityKey) -> Option<Vec<u8>> {
    match input.byte() % 4 {
        0 | 1 => b = b.message_integrity(key),
        2 => b = b.message_integrity(&IntegrityKey::short_term("wrong")),
        _ => {}
    }
    if input.byte() % 4 != 0 {
        b = b.fingerprint();
    }
    b.build().ok()
}

/// A connectivity check for the agent, well-formed or not as the input says (the body of case 1).
fn check(w: &World, input: &mut Input) -> Option<Vec<u8>> {
    let id = TransactionId::new(input.take(12).try_into().unwrap_or([7; 12]));
    let mut b = MessageBuilder::binding_request(id);
    let username = match input.byte() % 4 {
        0 => None,
        1 => Some(format!("{}:x", String::from_utf8_lossy(input.take(6)))),
        _ => Some(format!("{}:{REMOTE_UFRAG}", w.agent.local_credentials().ufrag)),
    };
    if let Some(u) = &username {
        b = b.username(u);
    }
    if input.byte() % 4 != 0 {
        b = b.priority(input.u32());
    }
    match input.byte() % 4 {
        0 => b = b.ice_controlling(input.u64()),
        1 => b = b.ice_controlled(input.u64()),
        2 => b = b.ice_controlling(input.u64()).ice_controlled(input.u64()),
        _ => {}
    }
    if input.bool() {
        b = b.use_candidate();
    }
    b = extras(input, b);
    let key = IntegrityKey::short_term(&w.local_pwd);
    seal(input, b, &key)
}

fn step(w: &mut World, input: &mut Input) {
    match input.byte() % 15 {
        // The runtime's TCP side: accept a connection, answer a connect, close one.
        12 => {
            match input.byte() % 4 {
                0 => {
                    let remote = address(input, None);
                    let local = if input.byte() % 4 == 0 { address(input, None) } else { sa(LISTENER) };
                    if let Some(id) = w.agent.handle_tcp_accepted(w.now, local, remote) {
                        w.connections.push((id, local, remote));
                    }
                }
                1 if !w.connecting.is_empty() => {
                    let (id, remote) = w.connecting.remove(usize::from(input.byte()) % w.connecting.len());
                    let local = SocketAddr::from(([192, 0, 2, 1], 40000 + input.u16() % 1000));
                    w.agent.handle_tcp_connected(w.now, id, local);
                    w.connections.push((id, local, remote));
                }
                2 if !w.connecting.is_empty() => {
                    let (id, _) = w.connecting.remove(usize::from(input.byte()) % w.connecting.len());
                    w.agent.handle_tcp_connect_failed(w.now, id);
                }
                _ if !w.connections.is_empty() => {
                    let (id, _, _) = w.connections.remove(usize::from(input.byte()) % w.connections.len());
                    w.agent.handle_tcp_closed(w.now, id);
                }
                _ => w.agent.handle_tcp_closed(w.now, TcpConnectionId::new(input.u64())),
            }
            w.drain();
        }
        // Stream bytes on a connection: a framed check or garbage, cut in two anywhere.
        13 => {
            let Some(&(_, local, remote)) =
                w.connections.get(usize::from(input.byte()) % w.connections.len().max(1))
            else {
                return;
            };
            let stream = if input.bool() {
                let Some(m) = check(w, input) else { return };
                let mut s = (m.len() as u16).to_be_bytes().to_vec();
                s.extend_from_slice(&m);
                s
            } else {
                let len = usize::from(input.byte());
                input.take(len).to_vec()
            };
            let cut = usize::from(input.u16()) % (stream.len() + 1);
            let (head, tail) = stream.split_at(cut);
            w.receive(Protocol::Tcp, remote, local, head.to_vec());
            w.receive(Protocol::Tcp, remote, local, tail.to_vec());
        }
        // Anything to the mDNS socket or group (queries for the agent's names, or not).
        14 => {
            let mut m = vec![0u8, input.byte(), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
            if let Some((name, _)) = w.agent.local_mdns_names().first() {
                for label in name.to_string().split('.') {
                    m.push(label.len() as u8);
                    m.extend_from_slice(label.as_bytes());
                }
                m.extend_from_slice(&[0, 0, input.byte() % 2 * 27 + 1, 0, 1]);
            }
            let len = usize::from(input.byte() % 16);
            m.extend_from_slice(input.take(len));
            let destination = if input.bool() { sa(MDNS_SOCKET) } else { sa("224.0.0.251:5353") };
            let source = SocketAddr::from(([192, 0, 2, 9], if input.bool() { 5353 } else { 40000 }));
            w.receive(Protocol::Udp, source, destination, m);
        }
        // Any datagram, any transport.
        0 => {
            let protocol = match input.byte() % 5 {
                0 => Protocol::Tcp,
                1 => Protocol::Tls,
                _ => Protocol::Udp,
            };
            let source = address(input, w.relayed());
            let destination = if input.bool() { sa(LOCAL) } else { address(input, w.relayed()) };
            let len = usize::from(input.byte());
            let b = input.take(len).to_vec();
            w.receive(protocol, source, destination, b);
        }
        // A connectivity check from a remote candidate (or anywhere).
        1 => {
            let Some(bytes) = check(w, input) else { return };
            let source = address(input, w.relayed());
            let destination = if input.bool() {
                sa(LOCAL)
            } else {
                w.relayed().unwrap_or_else(|| sa(LOCAL))
            };
            w.receive(Protocol::Udp, source, destination, bytes);
        }
        // A response to one of the agent's STUN requests.
        2 => {
            let Some(t) = w.pick(input, None) else { return };
            let Ok(request) = Message::decode(&t.contents) else { return };
            let id = request.transaction_id();
            let method = request.method();
            let b = if input.byte() % 4 == 0 {
                let code = 300 + input.u16() % 400;
                MessageBuilder::error_response(method, id, ErrorCode::new(code, "fuzz"))
            } else {
                let mapped = address(input, w.relayed());
                MessageBuilder::success_response(method, id).with(XorMappedAddress(mapped))
            };
            let b = extras(input, b);
            let key = IntegrityKey::short_term(REMOTE_PWD);
            let Some(bytes) = seal(input, b, &key) else { return };
            let (source, destination) = if input.byte() % 8 == 0 {
                (address(input, w.relayed()), t.source)
            } else {
                (t.destination, t.source)
            };
            w.receive(t.protocol, source, destination, bytes);
        }
        // The TURN server answers the client's latest request: a 401 challenge or a signed
        // success (Allocate, Refresh, CreatePermission, ChannelBind) or error.
        3 => {
            let Some(t) = w.pick(input, Some(sa(TURN))) else { return };
            let Ok(request) = Message::decode(&t.contents) else { return };
            if request.class() != Class::Request {
                return;
            }
            let id = request.transaction_id();
            let method = request.method();
            let bytes = match input.byte() % 4 {
                0 => MessageBuilder::error_response(method, id, ErrorCode::new(401, "Unauthorized"))
                    .realm(REALM)
                    .nonce(NONCE)
                    .build()
                    .ok(),
                1 => {
                    let code = 300 + input.u16() % 400;
                    let key = IntegrityKey::long_term(TURN_USER, REALM, TURN_PASS);
                    let b = MessageBuilder::error_response(method, id, ErrorCode::new(code, "x"))
                        .realm(REALM)
                        .nonce(NONCE);
                    seal(input, b, &key)
                }
                _ => {
                    let key = IntegrityKey::long_term(TURN_USER, REALM, TURN_PASS);
                    let mut b = MessageBuilder::success_response(method, id);
                    if method == Method::ALLOCATE {
                        let relayed = if input.byte() % 8 == 0 {
                            address(input, None)
                        } else {
                            sa(RELAYED)
                        };
                        b = b
                            .with(XorRelayedAddress(relayed))
                            .with(XorMappedAddress(sa("203.0.113.9:40000")));
                    }
                    if method == Method::ALLOCATE || method == Method::REFRESH {
                        b = b.with(Lifetime(u32::from(input.u16())));
                    }
                    let b = extras(input, b);
                    seal(input, b, &key)
                }
            };
            let Some(bytes) = bytes else { return };
            w.receive(t.protocol, t.destination, t.source, bytes);
        }
        // Data from a peer through the TURN server: a Data indication or ChannelData, carrying
        // arbitrary bytes or a connectivity check.
        4 => {
            let peer = address(input, None);
            let len = usize::from(input.byte());
            let payload = input.take(len).to_vec();
            let bytes = if input.bool() {
                let id = TransactionId::new([input.byte(); 12]);
                MessageBuilder::indication(Method::DATA, id)
                    .with(XorPeerAddress(peer))
                    .with(Data(&payload))
                    .build()
                    .ok()
            } else {
                let channel = if input.bool() { ChannelNumber::MIN + u16::from(input.byte() % 4) } else { input.u16() };
                let mut out = Vec::new();
                ChannelData {
                    channel,
                    data: &payload,
                }
                .encode(false, &mut out)
                .ok()
                .map(|()| out)
            };
            let Some(bytes) = bytes else { return };
            w.receive(Protocol::Udp, sa(TURN), sa(LOCAL), bytes);
        }
        // Time passes.
        5 | 6 => {
            if input.bool() {
                w.now += Duration::from_millis(u64::from(input.u16()) * 4);
            } else if let Some(t) = w.agent.poll_timeout() {
                w.now = w.now.max(t);
            }
            w.agent.handle_timeout(w.now);
            w.drain();
            // A timer handled at its deadline moves on.
            let mut spins = 0;
            while w.agent.poll_timeout().is_some_and(|t| t <= w.now) {
                w.agent.handle_timeout(w.now);
                w.drain();
                spins += 1;
                assert!(spins < 16, "poll_timeout stays in the past: busy loop");
            }
        }
        // Application data.
        7 => {
            let len = usize::from(input.byte());
            let data = input.take(len).to_vec();
            let _ = w.agent.send_component(w.now, 1 + u16::from(input.byte() % 2), data);
            w.drain();
        }
        // A trickled candidate (arbitrary text, or a well-formed line).
        8 => {
            let line = if input.bool() {
                String::from_utf8_lossy(input.take(80)).into_owned()
            } else {
                let a = address(input, None);
                let typ = ["host", "srflx", "prflx", "relay"][usize::from(input.byte() % 4)];
                format!(
                    "candidate:{} {} udp {} {} {} typ {typ}",
                    input.byte(),
                    1 + input.byte() % 2,
                    1 + input.u32() / 2,
                    a.ip(),
                    a.port()
                )
            };
            if let Ok(c) = Candidate::parse(&line) {
                w.agent.add_remote_candidate(c);
            }
            w.drain();
        }
        // Signalling: end-of-candidates, role, restarts, new remote credentials, lite peer.
        9 => {
            match input.byte() % 8 {
                0 => w.agent.end_of_remote_candidates(),
                1 => w.agent.set_role(input.bool()),
                2 => {
                    w.agent.restart(w.now);
                    w.local_pwd = w.agent.local_credentials().pwd.clone();
                }
                3 => {
                    let _ = w.agent.set_remote_credentials("nEwU", "newremotepasswordnewrem");
                }
                4 => w.agent.set_remote_ice_lite(input.bool()),
                5 => w.agent.add_local_interface(address(input, None)),
                6 => w.agent.handle_relay_connection_closed(w.now, sa(LOCAL), sa(TURN)),
                _ => {
                    if input.byte() == 0 {
                        w.agent.close();
                    }
                }
            }
            w.drain();
        }
        // Echo one of the agent's own transmits back to it (loops, reflections).
        _ => {
            let Some(t) = w.sent.get(usize::from(input.byte()) % w.sent.len().max(1)).cloned() else {
                return;
            };
            w.receive(t.protocol, t.destination, t.source, t.contents.to_vec());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let flags = input.byte();
    let config = IceConfig {
        stun_servers: vec![sa(STUN)],
        turn_servers: vec![TurnServer::udp(sa(TURN), TURN_USER, TURN_PASS)],
        components: 1 + u16::from(flags & 1),
        transport_policy: if flags & 2 != 0 {
            IceTransportPolicy::Relay
        } else {
            IceTransportPolicy::All
        },
        ice_lite: flags & 4 != 0,
        ice2: flags & 8 == 0,
        mdns_host_names: flags & 32 != 0,
        max_pairs: 20,
        max_remote_candidates: 20,
        ..IceConfig::default()
    };
    let mut agent = IceAgent::new(config, Rng::from_seed(u64::from(input.byte())));
    agent.set_role(flags & 16 != 0);
    agent.add_local_interface(sa(LOCAL));
    agent.add_local_interface_for(2, sa("192.0.2.1:5001"));
    agent.add_local_tcp_listener(sa(LISTENER));
    agent.add_mdns_socket(sa(MDNS_SOCKET));
    let _ = agent.set_remote_credentials(REMOTE_UFRAG, REMOTE_PWD);
    let now = base();
    agent.gather(now);
    for (i, r) in REMOTES.iter().enumerate() {
        let typ = ["host", "srflx", "relay", "host", "host"][i];
        let line = format!("candidate:{i} 1 udp {} {} {} typ {typ}", 2_000_000_000 - i * 1000, sa(r).ip(), sa(r).port());
        if let Ok(c) = Candidate::parse(&line) {
            agent.add_remote_candidate(c);
        }
    }
    for line in [
        "candidate:7 1 tcp 1518214911 192.0.2.2 8443 typ host tcptype passive",
        "candidate:8 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active",
    ] {
        if let Ok(c) = Candidate::parse(line) {
            agent.add_remote_candidate(c);
        }
    }
    let local_pwd = agent.local_credentials().pwd.clone();
    let mut w = World {
        agent,
        now,
        sent: Vec::new(),
        local_pwd,
        connecting: Vec::new(),
        connections: Vec::new(),
    };
    w.drain();
    let mut steps = 0;
    while !input.is_empty() && steps < 400 {
        step(&mut w, &mut input);
        steps += 1;
    }
    let _ = w.agent.heap_size();
    let _ = w.agent.counters();
});
