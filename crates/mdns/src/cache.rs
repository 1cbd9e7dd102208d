//! The resolver's cache of address records (RFC 6762 §10): each address lives until its TTL
//! runs out; a record with TTL 0 (a "goodbye") leaves a cached address one more second (§10.1)
//! and adds nothing; a record with
//! the cache-flush bit replaces the addresses of the same type received more than one second
//! earlier (§10.2). The number of names is bounded; the name closest to expiry makes room.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::local_name::LocalName;

/// How long a goodbye record stays (RFC 6762 §10.1).
const GOODBYE_GRACE: Duration = Duration::from_secs(1);
/// Records received within this long of a cache-flush record survive it (RFC 6762 §10.2).
const FLUSH_GRACE: Duration = Duration::from_secs(1);
/// Longest TTL honoured (one day), so that expiry times stay far from `Instant` overflow.
const MAX_TTL: u32 = 24 * 60 * 60;

#[derive(Debug, Clone, Copy)]
struct Entry {
    addr: IpAddr,
    received: Instant,
    expires: Instant,
}

/// Cached addresses by name.
#[derive(Debug)]
pub(crate) struct Cache {
    names: BTreeMap<LocalName, Vec<Entry>>,
    max_names: usize,
}

impl Cache {
    pub(crate) fn new(max_names: usize) -> Self {
        Cache {
            names: BTreeMap::new(),
            max_names: max_names.max(1),
        }
    }

    /// Stores an address record received at `now`.
    pub(crate) fn insert(
        &mut self,
        now: Instant,
        name: &LocalName,
        addr: IpAddr,
        ttl: u32,
        cache_flush: bool,
    ) {
        let lifetime = if ttl == 0 {
            GOODBYE_GRACE
        } else {
            Duration::from_secs(u64::from(ttl.min(MAX_TTL)))
        };
        let expires = now.checked_add(lifetime).unwrap_or(now);
        if ttl == 0 {
            // A goodbye only shortens what is cached; it never adds an address.
            if let Some(e) = self
                .names
                .get_mut(name)
                .and_then(|entries| entries.iter_mut().find(|e| e.addr == addr))
            {
                e.expires = e.expires.min(expires);
            }
            return;
        }
        if !self.names.contains_key(name) {
            self.purge(now);
            if self.names.len() >= self.max_names {
                self.evict_soonest();
            }
        }
        let entries = self.names.entry(name.clone()).or_default();
        if cache_flush {
            entries.retain(|e| {
                e.addr.is_ipv4() != addr.is_ipv4()
                    || now.saturating_duration_since(e.received) <= FLUSH_GRACE
            });
        }
        match entries.iter_mut().find(|e| e.addr == addr) {
            Some(e) => {
                e.received = now;
                e.expires = expires;
            }
            None => entries.push(Entry {
                addr,
                received: now,
                expires,
            }),
        }
    }

    /// The unexpired addresses of `name`, IPv4 first, in the order they were learned.
    pub(crate) fn lookup(&self, now: Instant, name: &LocalName) -> Vec<IpAddr> {
        let mut addrs: Vec<IpAddr> = self
            .names
            .get(name)
            .into_iter()
            .flatten()
            .filter(|e| e.expires > now)
            .map(|e| e.addr)
            .collect();
        addrs.sort_by_key(|a| a.is_ipv6());
        addrs
    }

    /// Whether `name` has an entry (expired or not).
    pub(crate) fn contains(&self, name: &LocalName) -> bool {
        self.names.contains_key(name)
    }

    /// Drops expired addresses and names left without any.
    pub(crate) fn purge(&mut self, now: Instant) {
        self.names.retain(|_, entries| {
            entries.retain(|e| e.expires > now);
            !entries.is_empty()
        });
    }

    /// Number of names held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    fn evict_soonest(&mut self) {
        let soonest = self
            .names
            .iter()
            .min_by_key(|(_, entries)| entries.iter().map(|e| e.expires).max())
            .map(|(name, _)| name.clone());
        if let Some(name) = soonest {
            self.names.remove(&name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::disallowed_methods)]
    fn t0() -> Instant {
        Instant::now()
    }

    fn name(s: &str) -> LocalName {
        LocalName::parse(s).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn ttl_expiry() {
        let t = t0();
        let mut c = Cache::new(8);
        let n = name("a.local");
        c.insert(t, &n, ip("10.0.0.1"), 10, false);
        c.insert(t + 5 * S, &n, ip("fe80::1"), 2, false);
        assert_eq!(c.lookup(t + 6 * S, &n), [ip("10.0.0.1"), ip("fe80::1")]);
        assert_eq!(c.lookup(t + 7 * S, &n), [ip("10.0.0.1")]);
        assert!(c.lookup(t + 10 * S, &n).is_empty());
        assert!(c.contains(&n));
        c.purge(t + 10 * S);
        assert!(!c.contains(&n));
    }

    #[test]
    fn refresh_extends_and_goodbye_shortens() {
        let t = t0();
        let mut c = Cache::new(8);
        let n = name("a.local");
        c.insert(t, &n, ip("10.0.0.1"), 10, false);
        c.insert(t + 8 * S, &n, ip("10.0.0.1"), 10, false);
        assert_eq!(c.lookup(t + 15 * S, &n), [ip("10.0.0.1")]);
        c.insert(t + 16 * S, &n, ip("10.0.0.1"), 0, false);
        assert_eq!(c.lookup(t + 16 * S, &n), [ip("10.0.0.1")]);
        assert!(c.lookup(t + 17 * S, &n).is_empty());
        // A goodbye for an address not cached adds nothing.
        c.insert(t + 17 * S, &n, ip("10.0.0.9"), 0, false);
        assert!(c.lookup(t + 17 * S, &n).is_empty());
    }

    #[test]
    fn cache_flush_replaces_older_records_of_the_same_type() {
        let t = t0();
        let mut c = Cache::new(8);
        let n = name("a.local");
        c.insert(t, &n, ip("10.0.0.1"), 120, false);
        c.insert(t, &n, ip("fe80::1"), 120, false);
        // Within a second: both survive (several records of one set in one burst).
        c.insert(t + S / 2, &n, ip("10.0.0.2"), 120, true);
        assert_eq!(
            c.lookup(t + S, &n),
            [ip("10.0.0.1"), ip("10.0.0.2"), ip("fe80::1")]
        );
        // Later: the older IPv4 ones go, IPv6 stays.
        c.insert(t + 3 * S, &n, ip("10.0.0.3"), 120, true);
        assert_eq!(c.lookup(t + 3 * S, &n), [ip("10.0.0.3"), ip("fe80::1")]);
    }

    #[test]
    fn bounded_names_evict_the_soonest_to_expire() {
        let t = t0();
        let mut c = Cache::new(2);
        c.insert(t, &name("a.local"), ip("10.0.0.1"), 100, false);
        c.insert(t, &name("b.local"), ip("10.0.0.2"), 50, false);
        c.insert(t, &name("c.local"), ip("10.0.0.3"), 70, false);
        assert_eq!(c.len(), 2);
        assert!(c.contains(&name("a.local")));
        assert!(!c.contains(&name("b.local")));
        assert!(c.contains(&name("c.local")));
        // Huge TTLs are capped, never overflow.
        c.insert(t, &name("d.local"), ip("10.0.0.4"), u32::MAX, false);
        assert_eq!(
            c.lookup(t + Duration::from_secs(86_399), &name("d.local")),
            [ip("10.0.0.4")]
        );
        assert!(
            c.lookup(t + Duration::from_secs(86_400), &name("d.local"))
                .is_empty()
        );
    }
}
