//! The client's tables of permissions (RFC 8656 §9) and channel bindings (§12), with their
//! refresh and expiry timers.
//!
//! A permission lasts 300 s at the server (§9) and is refreshed every 240 s; a channel binding
//! lasts 600 s (§12) and is refreshed after 540 s. Both are timed from when the request that
//! installed or refreshed them was sent, so the client's view never outlives the server's. A
//! successful ChannelBind also installs or refreshes the permission for the peer's IP (§12.2),
//! and the client keeps that permission refreshed, since the channel outlives it.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rtcpeer_stun::ChannelNumber;

/// How long a permission lives at the server (RFC 8656 §9).
pub const PERMISSION_LIFETIME: Duration = Duration::from_secs(300);
/// When the client refreshes a permission, after the request that installed it.
pub const PERMISSION_REFRESH: Duration = Duration::from_secs(240);
/// How long a channel binding lives at the server (RFC 8656 §12).
pub const CHANNEL_LIFETIME: Duration = Duration::from_secs(600);
/// When the client refreshes a channel binding, after the request that bound it.
pub const CHANNEL_REFRESH: Duration = Duration::from_secs(540);

/// One installed or requested permission.
#[derive(Debug, Clone)]
pub struct Permission {
    /// The server confirmed it at least once.
    pub installed: bool,
    /// A CreatePermission for it is outstanding.
    pub in_flight: bool,
    /// Report `PermissionCreated` at the next success (the caller asked for it).
    pub announce: bool,
    /// When to refresh it (when installed).
    pub refresh_at: Option<Instant>,
    /// When the server drops it (when installed).
    pub expires: Option<Instant>,
}

impl Permission {
    fn new(announce: bool) -> Permission {
        Permission {
            installed: false,
            in_flight: false,
            announce,
            refresh_at: None,
            expires: None,
        }
    }

    /// Records a success for a request sent at `sent`.
    pub fn confirm(&mut self, sent: Instant) {
        self.installed = true;
        self.in_flight = false;
        self.refresh_at = Some(sent + PERMISSION_REFRESH);
        self.expires = Some(sent + PERMISSION_LIFETIME);
    }

    /// The next instant this permission needs attention.
    pub fn deadline(&self) -> Option<Instant> {
        let refresh = self.refresh_at.filter(|_| !self.in_flight);
        match (refresh, self.expires) {
            (Some(r), Some(e)) => Some(r.min(e)),
            (r, e) => r.or(e),
        }
    }
}

/// One channel binding, bound or being bound.
#[derive(Debug, Clone)]
pub struct Channel {
    /// The channel number.
    pub number: u16,
    /// The server confirmed it at least once: data may go as ChannelData.
    pub bound: bool,
    /// A ChannelBind for it is outstanding.
    pub in_flight: bool,
    /// When to refresh it (when bound).
    pub refresh_at: Option<Instant>,
    /// When the server drops it (when bound).
    pub expires: Option<Instant>,
}

impl Channel {
    /// Records a success for a request sent at `sent`.
    pub fn confirm(&mut self, sent: Instant) {
        self.bound = true;
        self.in_flight = false;
        self.refresh_at = Some(sent + CHANNEL_REFRESH);
        self.expires = Some(sent + CHANNEL_LIFETIME);
    }

    /// The next instant this binding needs attention.
    pub fn deadline(&self) -> Option<Instant> {
        let refresh = self.refresh_at.filter(|_| !self.in_flight);
        match (refresh, self.expires) {
            (Some(r), Some(e)) => Some(r.min(e)),
            (r, e) => r.or(e),
        }
    }
}

/// Permissions by peer IP and channels by peer address and by number.
#[derive(Debug, Default)]
pub struct Bindings {
    /// Permissions by peer IP.
    pub permissions: BTreeMap<IpAddr, Permission>,
    /// Channels by peer transport address.
    pub channels: BTreeMap<SocketAddr, Channel>,
    /// Peer transport address by channel number.
    pub by_number: BTreeMap<u16, SocketAddr>,
    next_number: u16,
}

impl Bindings {
    /// The permission for `peer`, created (not installed) if missing.
    pub fn permission(&mut self, peer: IpAddr, announce: bool) -> &mut Permission {
        let p = self
            .permissions
            .entry(peer)
            .or_insert_with(|| Permission::new(announce));
        p.announce |= announce;
        p
    }

    /// A free channel number for a new binding, or `None` if all 4096 are taken.
    pub fn free_number(&mut self) -> Option<u16> {
        let span = ChannelNumber::MAX - ChannelNumber::MIN + 1;
        for _ in 0..span {
            let n = ChannelNumber::MIN + self.next_number % span;
            self.next_number = (self.next_number + 1) % span;
            if !self.by_number.contains_key(&n) {
                return Some(n);
            }
        }
        None
    }

    /// Adds a channel (not yet bound).
    pub fn add_channel(&mut self, peer: SocketAddr, number: u16) {
        self.by_number.insert(number, peer);
        self.channels.insert(
            peer,
            Channel {
                number,
                bound: false,
                in_flight: false,
                refresh_at: None,
                expires: None,
            },
        );
    }

    /// Removes a channel.
    pub fn remove_channel(&mut self, peer: SocketAddr) {
        if let Some(c) = self.channels.remove(&peer) {
            self.by_number.remove(&c.number);
        }
    }

    /// The bound channel to `peer`, if any: data to it goes as ChannelData.
    pub fn bound_channel(&self, peer: SocketAddr) -> Option<u16> {
        self.channels
            .get(&peer)
            .filter(|c| c.bound)
            .map(|c| c.number)
    }

    /// The peer whose ChannelData may arrive on channel `number`: a bound channel, or one whose
    /// ChannelBind was sent and not yet answered. The server relays on a channel from the
    /// moment it binds it, so its ChannelData can overtake (or outlive the loss of) the success
    /// response; the client accepts it, but only for the peer the bind named (RFC 8656 §12.1,
    /// §12.3: only sending waits for the confirmation).
    pub fn receiving_peer_of(&self, number: u16) -> Option<SocketAddr> {
        let peer = *self.by_number.get(&number)?;
        self.channels
            .get(&peer)
            .filter(|c| c.bound || c.in_flight)
            .map(|_| peer)
    }

    /// The earliest deadline of any permission or channel.
    pub fn deadline(&self) -> Option<Instant> {
        let p = self.permissions.values().filter_map(Permission::deadline);
        let c = self.channels.values().filter_map(Channel::deadline);
        p.chain(c).min()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.permissions.clear();
        self.channels.clear();
        self.by_number.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_numbers_cycle_through_the_range_and_run_out() {
        let mut b = Bindings::default();
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..4096u32 {
            let n = b.free_number().unwrap();
            assert!((0x4000..=0x4fff).contains(&n));
            assert!(seen.insert(n));
            let peer = SocketAddr::new([192, 0, 2, 1].into(), 1024 + i as u16);
            b.add_channel(peer, n);
        }
        assert_eq!(b.free_number(), None);
        let peer = SocketAddr::new([192, 0, 2, 1].into(), 1024);
        b.remove_channel(peer);
        assert_eq!(b.free_number(), Some(0x4000));
    }

    #[test]
    #[allow(clippy::disallowed_methods)]
    fn deadlines_skip_in_flight_refreshes() {
        let t0 = Instant::now();
        let mut b = Bindings::default();
        let ip: IpAddr = [192, 0, 2, 9].into();
        assert_eq!(b.deadline(), None);
        b.permission(ip, true).confirm(t0);
        assert_eq!(b.deadline(), Some(t0 + PERMISSION_REFRESH));
        b.permission(ip, false).in_flight = true;
        assert_eq!(b.deadline(), Some(t0 + PERMISSION_LIFETIME));
        assert!(b.permissions[&ip].announce);
        let peer = SocketAddr::new(ip, 9);
        b.add_channel(peer, 0x4001);
        assert_eq!(b.bound_channel(peer), None);
        assert_eq!(b.receiving_peer_of(0x4001), None);
        b.channels.get_mut(&peer).unwrap().in_flight = true;
        assert_eq!(b.receiving_peer_of(0x4001), Some(peer));
        assert_eq!(b.bound_channel(peer), None);
        b.channels.get_mut(&peer).unwrap().confirm(t0);
        assert_eq!(b.receiving_peer_of(0x4001), Some(peer));
        assert_eq!(b.bound_channel(peer), Some(0x4001));
        b.clear();
        assert_eq!(b.deadline(), None);
    }
}
