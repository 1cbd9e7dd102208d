//! [`Responder`]: a sans-IO mDNS responder for the `.local` names that hide our own host
//! candidates' addresses (draft-ietf-mmusic-mdns-ice-candidates §3.1.1, RFC 6762 §6-§10).
//!
//! It owns names that are unique by construction (random UUIDs), so it skips probing (draft
//! §3.1.1) and, if configured, announces a name twice one second apart (RFC 6762 §8.3). It
//! answers A, AAAA and ANY questions of class IN for its names:
//! - legacy one-shot queries (source port not 5353) by unicast, repeating the ID and questions,
//!   without the cache-flush bit and with a TTL of at most 10 s (§6.7);
//! - questions with the unicast-response bit, and queries sent straight to our unicast address,
//!   by unicast to the querier (§5.4, §5.5);
//! - everything else by multicast to the group the query came on, at most once per second per
//!   name and group (§6), with ID 0 and no questions (§18.1, §6).
//!
//! Records the querier already knows with at least half their TTL left are left out (known-answer
//! suppression, §7.1). Addresses of the other family go to the additional section, and a name
//! that lacks one family gets an NSEC record saying so (§6.1, §6.2). Unpublishing a name that was
//! multicast sends a goodbye with TTL 0 (§10.1). Responses and probes of other hosts are ignored
//! (no conflict resolution: UUID names do not collide).

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_types::{Pii, Protocol, Receive, Rng, Transmit};

use crate::error::PublishError;
use crate::local_name::{LocalName, random_local_name};
use crate::message::{Class, Message, Record, RecordData, RecordType};
use crate::name::{Name, write_uncompressed};
use crate::{MDNS_PORT, group_for};

/// TTL of host address records (RFC 6762 §10: 120 s for records with a host name).
pub const DEFAULT_TTL: u32 = 120;
/// Most TTL in legacy unicast responses (RFC 6762 §6.7).
const LEGACY_MAX_TTL: u32 = 10;
/// Least time between two multicasts of a name's records on one group (RFC 6762 §6).
const MULTICAST_INTERVAL: Duration = Duration::from_secs(1);
/// Announcements per name (RFC 6762 §8.3: at least two) and their spacing.
const ANNOUNCEMENTS: u8 = 2;
const ANNOUNCE_INTERVAL: Duration = Duration::from_secs(1);

/// Settings of a [`Responder`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponderConfig {
    /// Local addresses of the mDNS sockets (port 5353), used as the source of multicast
    /// responses, announcements and goodbyes, one per family.
    pub sources: Vec<SocketAddr>,
    /// TTL of the address records, in seconds.
    pub ttl: u32,
    /// Announce a name when it is published (draft §3.1.1: SHOULD).
    pub announce: bool,
    /// Most names published at once.
    pub max_names: usize,
}

impl ResponderConfig {
    /// Defaults for the mDNS socket at `source`: TTL 120 s, announcements on, 64 names.
    pub fn new(source: SocketAddr) -> Self {
        ResponderConfig {
            sources: vec![source],
            ttl: DEFAULT_TTL,
            announce: true,
            max_names: 64,
        }
    }

    /// Also sends from `source` (e.g. the IPv6 mDNS socket next to the IPv4 one).
    #[must_use]
    pub fn with_source(mut self, source: SocketAddr) -> Self {
        self.sources.push(source);
        self
    }

    /// Sets [`announce`](Self::announce).
    #[must_use]
    pub fn with_announce(mut self, announce: bool) -> Self {
        self.announce = announce;
        self
    }
}

/// Counters of a [`Responder`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponderStats {
    /// Datagrams received.
    pub received: u64,
    /// Datagrams that were not DNS messages; dropped.
    pub malformed: u64,
    /// Messages that were not standard queries (responses, other opcodes); dropped.
    pub ignored: u64,
    /// Queries with at least one question for a published name.
    pub queries_matched: u64,
    /// Responses to queries sent (unicast, legacy unicast and multicast).
    pub responses_sent: u64,
    /// Records left out because the querier listed them as known answers.
    pub known_answers_suppressed: u64,
    /// Multicast responses not sent because the name was multicast less than a second ago.
    pub rate_limited: u64,
    /// Announcements sent (per group).
    pub announcements_sent: u64,
    /// Goodbyes sent (per group).
    pub goodbyes_sent: u64,
}

#[derive(Debug)]
struct Published {
    addrs: Vec<IpAddr>,
    /// Last multicast of the name's records on the IPv4 and the IPv6 group.
    last_multicast: [Option<Instant>; 2],
    next_announcement: Option<Instant>,
    announcements_left: u8,
}

impl Published {
    fn ever_multicast(&self) -> bool {
        self.last_multicast.iter().any(Option::is_some)
    }
}

/// Which family's group an address belongs to, as an index into `last_multicast`.
fn family(addr: SocketAddr) -> usize {
    usize::from(addr.is_ipv6())
}

/// How a response goes out.
enum Reply {
    /// Unicast to a one-shot querier (§6.7).
    Legacy,
    /// Unicast to a querier on port 5353 (§5.4, §5.5).
    Unicast,
    /// Multicast to the group (§6).
    Multicast,
}

/// A sans-IO mDNS responder for our own `.local` candidate names.
///
/// ```
/// # use std::time::Instant;
/// use rtcpeer_mdns::{Responder, ResponderConfig};
/// use rtcpeer_types::Rng;
///
/// # #[allow(clippy::disallowed_methods)] let now = Instant::now();
/// let mut responder = Responder::new(ResponderConfig::new("192.168.1.10:5353".parse()?), Rng::from_seed(1));
/// let name = responder.publish_address(now, "192.168.1.10".parse()?)?;
/// assert!(name.is_uuid_v4());
/// // The first announcement is ready; the second is due a second later.
/// assert_eq!(responder.poll_transmit().unwrap().destination, "224.0.0.251:5353".parse()?);
/// assert_eq!(responder.poll_timeout(), Some(now + std::time::Duration::from_secs(1)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Responder {
    config: ResponderConfig,
    rng: Rng,
    names: BTreeMap<LocalName, Published>,
    transmits: VecDeque<Transmit>,
    stats: ResponderStats,
}

impl Responder {
    /// A responder with these settings, drawing new names from `rng`.
    pub fn new(config: ResponderConfig, rng: Rng) -> Self {
        Responder {
            config,
            rng,
            names: BTreeMap::new(),
            transmits: VecDeque::new(),
            stats: ResponderStats::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &ResponderConfig {
        &self.config
    }

    /// Also sends multicast responses, announcements and goodbyes from `source` (an mDNS
    /// socket the runtime opened after the responder was made).
    pub fn add_source(&mut self, source: SocketAddr) {
        if !self.config.sources.contains(&source) {
            self.config.sources.push(source);
        }
    }

    /// The counters.
    pub fn stats(&self) -> ResponderStats {
        self.stats
    }

    /// The name hiding `addr`: the one already published for it, or a new random UUID name
    /// (draft §3.1.1) published now. Host candidates sharing an address share its name.
    pub fn publish_address(
        &mut self,
        now: Instant,
        addr: IpAddr,
    ) -> Result<LocalName, PublishError> {
        if let Some(name) = self.name_for(addr) {
            return Ok(name.clone());
        }
        let name = random_local_name(&mut self.rng);
        self.publish(now, name.clone(), addr)?;
        Ok(name)
    }

    /// Publishes `name` for `addr` (adding to the name's addresses if it is already published)
    /// and announces it if configured.
    pub fn publish(
        &mut self,
        now: Instant,
        name: LocalName,
        addr: IpAddr,
    ) -> Result<(), PublishError> {
        if addr.is_unspecified() || addr.is_multicast() {
            return Err(PublishError::NotUnicast);
        }
        if !self.names.contains_key(&name) && self.names.len() >= self.config.max_names {
            return Err(PublishError::TooManyNames(self.config.max_names));
        }
        let announce = self.config.announce;
        let entry = self.names.entry(name.clone()).or_insert(Published {
            addrs: Vec::new(),
            last_multicast: [None; 2],
            next_announcement: None,
            announcements_left: 0,
        });
        if entry.addrs.contains(&addr) {
            return Ok(());
        }
        entry.addrs.push(addr);
        tracing::debug!(%name, addr = %Pii(addr), "mDNS name published");
        if announce {
            entry.announcements_left = ANNOUNCEMENTS;
            entry.next_announcement = Some(now);
            self.handle_timeout(now);
        }
        Ok(())
    }

    /// Stops answering for `name`, sending a goodbye (TTL 0) if its records were ever multicast.
    /// Returns whether it was published.
    pub fn unpublish(&mut self, name: &LocalName) -> bool {
        let Some(p) = self.names.remove(name) else {
            return false;
        };
        if p.ever_multicast() {
            let records = self.records(name, &p.addrs, 0, true);
            let message = Message::response(0, records);
            for source in self.config.sources.clone() {
                self.stats.goodbyes_sent += 1;
                self.send(source, group_for(source), &message);
            }
        }
        tracing::debug!(%name, "mDNS name unpublished");
        true
    }

    /// The name published for `addr`, if any.
    pub fn name_for(&self, addr: IpAddr) -> Option<&LocalName> {
        self.names
            .iter()
            .find(|(_, p)| p.addrs.contains(&addr))
            .map(|(n, _)| n)
    }

    /// The addresses published under `name` (empty if it is not ours).
    pub fn addrs(&self, name: &LocalName) -> &[IpAddr] {
        self.names.get(name).map_or(&[], |p| p.addrs.as_slice())
    }

    /// A datagram arrived on the mDNS socket. Queries for our names are answered; everything
    /// else is counted and dropped.
    pub fn handle_receive(&mut self, now: Instant, rx: &Receive) {
        self.stats.received += 1;
        let query = match Message::decode(&rx.contents) {
            Ok(m) => m,
            Err(e) => {
                self.stats.malformed += 1;
                tracing::trace!(source = %Pii(rx.source), error = %e, "malformed mDNS datagram dropped");
                return;
            }
        };
        if query.is_response() || query.header.flags.opcode() != 0 {
            self.stats.ignored += 1;
            return;
        }
        let mut answers: Vec<Record> = Vec::new();
        let mut additionals: Vec<Record> = Vec::new();
        let mut questions = Vec::new();
        let mut matched: Vec<LocalName> = Vec::new();
        let mut all_unicast = true;
        for q in &query.questions {
            if q.qclass != Class::IN && q.qclass != Class::ANY {
                continue;
            }
            let (want_v4, want_v6) = match q.qtype {
                RecordType::A => (true, false),
                RecordType::AAAA => (false, true),
                RecordType::ANY => (true, true),
                _ => continue,
            };
            let Some(name) = LocalName::from_name(&q.name) else {
                continue;
            };
            let Some(p) = self.names.get(&name) else {
                continue;
            };
            questions.push(q.clone());
            all_unicast &= q.unicast_response;
            if !matched.contains(&name) {
                matched.push(name.clone());
            }
            let all = self.records(&name, &p.addrs, self.config.ttl, true);
            let (mut wanted, other): (Vec<Record>, Vec<Record>) =
                all.into_iter().partition(|r| match r.data {
                    RecordData::A(_) => want_v4,
                    RecordData::Aaaa(_) => want_v6,
                    RecordData::Other { .. } => false,
                });
            let has_v4 = p.addrs.iter().any(IpAddr::is_ipv4);
            let has_v6 = p.addrs.iter().any(IpAddr::is_ipv6);
            let lacks_wanted = (want_v4 && !has_v4) || (want_v6 && !has_v6);
            // Negative answer: the name exists but not with this type (§6.1).
            let negative = lacks_wanted && wanted.is_empty();
            if negative {
                wanted.push(self.nsec(&name, has_v4, has_v6));
            }
            for r in wanted {
                if self.known_answer(&query, &r) {
                    self.stats.known_answers_suppressed += 1;
                } else if !answers.contains(&r) {
                    answers.push(r);
                }
            }
            for r in other {
                if !additionals.contains(&r) {
                    additionals.push(r);
                }
            }
            // The other family is missing: say so in the additional section (§6.2).
            let complete = has_v4 && has_v6;
            if !negative && !complete {
                let nsec = self.nsec(&name, has_v4, has_v6);
                if !additionals.contains(&nsec) {
                    additionals.push(nsec);
                }
            }
        }
        if matched.is_empty() {
            return;
        }
        self.stats.queries_matched += 1;
        additionals.retain(|r| !answers.contains(r));
        if answers.is_empty() {
            return;
        }
        let reply = if rx.source.port() != MDNS_PORT {
            Reply::Legacy
        } else if all_unicast || !rx.destination.ip().is_multicast() {
            Reply::Unicast
        } else {
            Reply::Multicast
        };
        let Some(source) = self.source_for(rx) else {
            tracing::trace!("no local address to answer an mDNS query from");
            return;
        };
        match reply {
            Reply::Legacy => {
                for r in answers.iter_mut().chain(additionals.iter_mut()) {
                    r.cache_flush = false;
                    r.ttl = r.ttl.min(LEGACY_MAX_TTL);
                }
                let mut message = Message::response(query.header.id, answers);
                message.questions = questions;
                message.additionals = additionals;
                self.stats.responses_sent += 1;
                self.send(source, rx.source, &message);
            }
            Reply::Unicast => {
                let mut message = Message::response(query.header.id, answers);
                message.additionals = additionals;
                self.stats.responses_sent += 1;
                self.send(source, rx.source, &message);
            }
            Reply::Multicast => {
                let group = family(rx.destination);
                let recent = |p: &Published| {
                    p.last_multicast[group].is_some_and(|t| now < t + MULTICAST_INTERVAL)
                };
                let limited: Vec<&LocalName> = matched
                    .iter()
                    .filter(|n| self.names.get(*n).is_some_and(recent))
                    .collect();
                if !limited.is_empty() {
                    self.stats.rate_limited += 1;
                    let names: Vec<Name> = limited.iter().map(|n| n.name().clone()).collect();
                    answers.retain(|r| !names.contains(&r.name));
                    additionals.retain(|r| !names.contains(&r.name));
                    if answers.is_empty() {
                        return;
                    }
                }
                for name in &matched {
                    if let Some(p) = self.names.get_mut(name) {
                        p.last_multicast[group] = Some(now);
                    }
                }
                let mut message = Message::response(0, answers);
                message.additionals = additionals;
                self.stats.responses_sent += 1;
                self.send(source, group_for(source), &message);
            }
        }
    }

    /// Sends announcements that are due.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<LocalName> = self
            .names
            .iter()
            .filter(|(_, p)| p.next_announcement.is_some_and(|t| t <= now))
            .map(|(n, _)| n.clone())
            .collect();
        for name in due {
            let Some(p) = self.names.get_mut(&name) else {
                continue;
            };
            p.announcements_left = p.announcements_left.saturating_sub(1);
            p.next_announcement = (p.announcements_left > 0).then_some(now + ANNOUNCE_INTERVAL);
            let addrs = p.addrs.clone();
            for source in &self.config.sources {
                p.last_multicast[family(*source)] = Some(now);
            }
            let records = self.records(&name, &addrs, self.config.ttl, true);
            let message = Message::response(0, records);
            for source in self.config.sources.clone() {
                self.stats.announcements_sent += 1;
                self.send(source, group_for(source), &message);
            }
        }
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due (a pending announcement).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.names
            .values()
            .filter_map(|p| p.next_announcement)
            .min()
    }

    /// The address records of a name.
    fn records(
        &self,
        name: &LocalName,
        addrs: &[IpAddr],
        ttl: u32,
        cache_flush: bool,
    ) -> Vec<Record> {
        addrs
            .iter()
            .map(|addr| Record {
                name: name.name().clone(),
                class: Class::IN,
                cache_flush,
                ttl,
                data: match addr {
                    IpAddr::V4(a) => RecordData::A(*a),
                    IpAddr::V6(a) => RecordData::Aaaa(*a),
                },
            })
            .collect()
    }

    /// An NSEC record listing the address types the name has (RFC 6762 §6.1, RFC 4034 §4.1):
    /// next domain name is the name itself, uncompressed, then the window-0 type bitmap.
    fn nsec(&self, name: &LocalName, has_v4: bool, has_v6: bool) -> Record {
        let mut data = Vec::with_capacity(name.name().wire_len() + 6);
        write_uncompressed(&mut data, name.name());
        let mut bitmap = [0u8; 4];
        if has_v4 {
            bitmap[0] |= 0x40; // type 1
        }
        if has_v6 {
            bitmap[3] |= 0x08; // type 28
        }
        let len = if has_v6 { 4 } else { 1 };
        data.extend_from_slice(&[0, len as u8]);
        data.extend_from_slice(bitmap.get(..len).unwrap_or_default());
        Record {
            name: name.name().clone(),
            class: Class::IN,
            cache_flush: true,
            ttl: self.config.ttl,
            data: RecordData::Other {
                rtype: RecordType::NSEC,
                data: Bytes::from(data),
            },
        }
    }

    /// Whether the query lists `record` as a known answer with at least half its TTL left.
    fn known_answer(&self, query: &Message, record: &Record) -> bool {
        query
            .answers
            .iter()
            .any(|k| k.name == record.name && k.data == record.data && k.ttl >= record.ttl / 2)
    }

    /// The local address to answer `rx` from: where it arrived if that is unicast, else our
    /// mDNS socket of its family.
    fn source_for(&self, rx: &Receive) -> Option<SocketAddr> {
        let to = rx.destination;
        if !to.ip().is_multicast() && !to.ip().is_unspecified() {
            return Some(to);
        }
        self.config
            .sources
            .iter()
            .copied()
            .find(|s| s.is_ipv4() == to.is_ipv4())
    }

    fn send(&mut self, source: SocketAddr, destination: SocketAddr, message: &Message) {
        let Ok(bytes) = message.encode() else {
            return;
        };
        tracing::trace!(to = %Pii(destination), "mDNS response sent");
        self.transmits.push_back(Transmit {
            protocol: Protocol::Udp,
            source,
            destination,
            contents: Bytes::from(bytes),
        });
    }
}
