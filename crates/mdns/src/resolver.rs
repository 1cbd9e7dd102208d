//! [`Resolver`]: a sans-IO mDNS querier that turns the `.local` names of remote ICE candidates
//! into addresses (draft-ietf-mmusic-mdns-ice-candidates §3.2.1, RFC 6762 §5).
//!
//! A lookup sends one query with A and AAAA questions for the name to the mDNS group of each
//! configured source (`224.0.0.251:5353`, `[ff02::fb]:5353`), with the unicast-response bit set in the
//! first query as the draft recommends (RFC 6762 §5.4), then retransmits (1 s, then doubling,
//! §5.2) until an answer arrives or the lookup deadline passes. Queries sent from a port other
//! than 5353 are one-shot queries (§5.1) that responders answer by unicast; from port 5353 the
//! query ID is 0 (§18.1). Answers are taken from any response (port 5353, §6; no questions
//! needed; opcode and rcode 0, §18.3, §18.11) that carries A or AAAA records for the name, in
//! any case (§16), in any section. Addresses are cached for their TTL ([`crate::cache`]).

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_types::{Pii, Protocol, Receive, Rng, Transmit, define_id};

use crate::cache::Cache;
use crate::error::ResolveError;
use crate::local_name::LocalName;
use crate::message::{Message, Question, RecordData, RecordType};
use crate::{MDNS_PORT, group_for};

define_id!(
    /// One lookup started by [`Resolver::query`].
    QueryId
);

/// Settings of a [`Resolver`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolverConfig {
    /// Local addresses to send queries from, one query per address to the mDNS group of its
    /// family. The runtime sends each [`Transmit`] from the socket bound to its `source`.
    pub sources: Vec<SocketAddr>,
    /// Ask for A records (IPv4).
    pub query_a: bool,
    /// Ask for AAAA records (IPv6).
    pub query_aaaa: bool,
    /// Set the unicast-response bit in the first query of a lookup (draft §3.2.1: SHOULD).
    pub unicast_response: bool,
    /// Time before the first retransmission; each later one waits twice as long (RFC 6762 §5.2).
    pub initial_interval: Duration,
    /// How long a lookup may take before it fails.
    pub timeout: Duration,
    /// Most lookups in progress at once (a remote peer decides how many `.local` candidates it
    /// sends, so this is bounded).
    pub max_lookups: usize,
    /// Most names kept in the cache.
    pub max_cached_names: usize,
}

impl ResolverConfig {
    /// Defaults sending from `source`: A and AAAA, unicast response asked, 1 s first
    /// retransmission, 5 s timeout (queries at 0, 1 and 3 s), 64 lookups, 256 cached names.
    pub fn new(source: SocketAddr) -> Self {
        ResolverConfig {
            sources: vec![source],
            query_a: true,
            query_aaaa: true,
            unicast_response: true,
            initial_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(5),
            max_lookups: 64,
            max_cached_names: 256,
        }
    }

    /// Also sends queries from `source` (e.g. an IPv6 socket next to an IPv4 one).
    #[must_use]
    pub fn with_source(mut self, source: SocketAddr) -> Self {
        self.sources.push(source);
        self
    }

    /// Sets [`timeout`](Self::timeout).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// What a [`Resolver`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolverEvent {
    /// The name has these addresses (IPv4 first). The draft (§3.2.1) says an ICE agent SHOULD
    /// ignore a candidate whose name resolves to more than one address; that choice is the
    /// caller's.
    Resolved {
        /// The lookup.
        id: QueryId,
        /// The name looked up.
        name: LocalName,
        /// Its addresses, at least one.
        addrs: Vec<IpAddr>,
    },
    /// No answer came before the lookup's deadline.
    Failed {
        /// The lookup.
        id: QueryId,
        /// The name looked up.
        name: LocalName,
    },
}

/// Counters of a [`Resolver`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolverStats {
    /// Query datagrams sent (first queries and retransmissions, per source).
    pub queries_sent: u64,
    /// Datagrams received.
    pub received: u64,
    /// Datagrams that were not DNS messages; dropped.
    pub malformed: u64,
    /// Messages that were not usable responses (queries, wrong source port, non-zero opcode or
    /// rcode); dropped.
    pub ignored: u64,
    /// Address records accepted for a name being looked up or cached.
    pub records_accepted: u64,
    /// Lookups answered (from the network or the cache).
    pub resolved: u64,
    /// Lookups that timed out.
    pub failed: u64,
}

#[derive(Debug)]
struct Lookup {
    name: LocalName,
    deadline: Instant,
    next_send: Instant,
    interval: Duration,
}

/// A sans-IO mDNS resolver for `.local` ICE candidate names.
///
/// ```
/// # use std::time::Instant;
/// use rtcpeer_mdns::{LocalName, Resolver, ResolverConfig};
/// use rtcpeer_types::Rng;
///
/// # #[allow(clippy::disallowed_methods)] let now = Instant::now();
/// let mut resolver = Resolver::new(ResolverConfig::new("192.168.1.10:5353".parse()?), Rng::from_seed(1));
/// let name = LocalName::parse("1f528a2c-36d4-4ffb-9a4d-51a8ad6ab0f3.local")?;
/// let id = resolver.query(now, &name)?;
/// let query = resolver.poll_transmit().unwrap();
/// assert_eq!(query.destination, "224.0.0.251:5353".parse()?);
/// // ... hand the runtime's datagrams to `handle_receive`, call `handle_timeout` at
/// // `poll_timeout`, and read `poll_event` for `Resolved` or `Failed` with this `id`.
/// # let _ = id;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Resolver {
    config: ResolverConfig,
    rng: Rng,
    next_id: QueryId,
    lookups: BTreeMap<QueryId, Lookup>,
    cache: Cache,
    transmits: VecDeque<Transmit>,
    events: VecDeque<ResolverEvent>,
    stats: ResolverStats,
}

impl Resolver {
    /// A resolver with these settings, drawing query IDs from `rng`.
    pub fn new(config: ResolverConfig, rng: Rng) -> Self {
        let cache = Cache::new(config.max_cached_names);
        Resolver {
            config,
            rng,
            next_id: QueryId::new(1),
            lookups: BTreeMap::new(),
            cache,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            stats: ResolverStats::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    /// Starts looking up `name`. If the cache knows it, `Resolved` is ready at once and nothing
    /// is sent; if a lookup for it is already running, its id is returned.
    pub fn query(&mut self, now: Instant, name: &LocalName) -> Result<QueryId, ResolveError> {
        if let Some((&id, _)) = self.lookups.iter().find(|(_, l)| &l.name == name) {
            return Ok(id);
        }
        let id = self.next_id;
        let cached = self.cache.lookup(now, name);
        if !cached.is_empty() {
            self.next_id = id.next();
            self.stats.resolved += 1;
            tracing::debug!(%name, "mDNS name answered from the cache");
            self.events.push_back(ResolverEvent::Resolved {
                id,
                name: name.clone(),
                addrs: cached,
            });
            return Ok(id);
        }
        if self.config.sources.is_empty() {
            return Err(ResolveError::NoSource);
        }
        if self.lookups.len() >= self.config.max_lookups {
            return Err(ResolveError::TooManyLookups(self.config.max_lookups));
        }
        self.next_id = id.next();
        tracing::debug!(%name, %id, "mDNS lookup started");
        self.send_query(name, self.config.unicast_response);
        self.lookups.insert(
            id,
            Lookup {
                name: name.clone(),
                deadline: now + self.config.timeout,
                next_send: now + self.config.initial_interval,
                interval: self.config.initial_interval,
            },
        );
        Ok(id)
    }

    /// Stops a lookup; no event will come for it. Returns whether it was running.
    pub fn cancel(&mut self, id: QueryId) -> bool {
        self.lookups.remove(&id).is_some()
    }

    /// The cached, unexpired addresses of `name` (IPv4 first), without sending anything.
    pub fn lookup(&self, now: Instant, name: &LocalName) -> Vec<IpAddr> {
        self.cache.lookup(now, name)
    }

    /// Number of lookups in progress.
    pub fn pending(&self) -> usize {
        self.lookups.len()
    }

    /// The counters.
    pub fn stats(&self) -> ResolverStats {
        self.stats
    }

    /// A datagram arrived on one of the sockets the resolver sends from (or on the mDNS socket,
    /// which also carries multicast responses). Anything that is not a usable mDNS response is
    /// counted and dropped.
    pub fn handle_receive(&mut self, now: Instant, rx: &Receive) {
        self.stats.received += 1;
        let message = match Message::decode(&rx.contents) {
            Ok(m) => m,
            Err(e) => {
                self.stats.malformed += 1;
                tracing::trace!(source = %Pii(rx.source), error = %e, "malformed mDNS datagram dropped");
                return;
            }
        };
        let flags = message.header.flags;
        if !flags.is_response()
            || flags.opcode() != 0
            || flags.rcode() != 0
            || rx.source.port() != MDNS_PORT
        {
            self.stats.ignored += 1;
            return;
        }
        for record in message.records() {
            let addr = match record.data {
                RecordData::A(a) => IpAddr::V4(a),
                RecordData::Aaaa(a) => IpAddr::V6(a),
                RecordData::Other { .. } => continue,
            };
            let Some(name) = LocalName::from_name(&record.name) else {
                continue;
            };
            let wanted =
                self.cache.contains(&name) || self.lookups.values().any(|l| l.name == name);
            if !wanted || addr.is_unspecified() || addr.is_multicast() {
                continue;
            }
            self.stats.records_accepted += 1;
            self.cache
                .insert(now, &name, addr, record.ttl, record.cache_flush);
        }
        self.complete_lookups(now);
    }

    /// Emits `Resolved` for every lookup whose name the cache now answers.
    fn complete_lookups(&mut self, now: Instant) {
        let done: Vec<(QueryId, Vec<IpAddr>)> = self
            .lookups
            .iter()
            .filter_map(|(&id, l)| {
                let addrs = self.cache.lookup(now, &l.name);
                (!addrs.is_empty()).then_some((id, addrs))
            })
            .collect();
        for (id, addrs) in done {
            if let Some(l) = self.lookups.remove(&id) {
                self.stats.resolved += 1;
                tracing::debug!(name = %l.name, %id, count = addrs.len(), "mDNS name resolved");
                self.events.push_back(ResolverEvent::Resolved {
                    id,
                    name: l.name,
                    addrs,
                });
            }
        }
    }

    /// Retransmits queries that are due and fails lookups past their deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        let mut failed = Vec::new();
        let mut resend = Vec::new();
        for (&id, l) in &mut self.lookups {
            if now >= l.deadline {
                failed.push(id);
            } else if now >= l.next_send {
                l.interval = l.interval.saturating_mul(2);
                l.next_send = now + l.interval;
                resend.push(l.name.clone());
            }
        }
        for name in resend {
            // Retransmissions ask for multicast answers (RFC 6762 §5.4).
            self.send_query(&name, false);
        }
        for id in failed {
            if let Some(l) = self.lookups.remove(&id) {
                self.stats.failed += 1;
                tracing::debug!(name = %l.name, %id, "mDNS lookup timed out");
                self.events
                    .push_back(ResolverEvent::Failed { id, name: l.name });
            }
        }
        self.cache.purge(now);
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ResolverEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due, if any lookup is running.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.lookups
            .values()
            .map(|l| l.next_send.min(l.deadline))
            .min()
    }

    fn send_query(&mut self, name: &LocalName, unicast_response: bool) {
        let mut questions = Vec::with_capacity(2);
        for (wanted, qtype) in [
            (self.config.query_a, RecordType::A),
            (self.config.query_aaaa, RecordType::AAAA),
        ] {
            if wanted {
                let mut q = Question::new(name.name().clone(), qtype);
                q.unicast_response = unicast_response;
                questions.push(q);
            }
        }
        for &source in &self.config.sources {
            // Multicast queries from port 5353 carry ID 0; one-shot queries a random one that the
            // unicast answer repeats (RFC 6762 §18.1, §6.7).
            let id = if source.port() == MDNS_PORT {
                0
            } else {
                (self.rng.u32() >> 16) as u16
            };
            let message = Message::query(id, questions.clone());
            let Ok(bytes) = message.encode() else {
                continue;
            };
            self.stats.queries_sent += 1;
            tracing::trace!(%name, source = %Pii(source), "mDNS query sent");
            self.transmits.push_back(Transmit {
                protocol: Protocol::Udp,
                source,
                destination: group_for(source),
                contents: Bytes::from(bytes),
            });
        }
    }
}
