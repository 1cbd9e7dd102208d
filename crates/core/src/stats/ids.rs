//! Stats object ids (webrtc-pc §8.4 `RTCStats.id`): the same monitored object gets the same id
//! in every report of a connection, and ids are not predictable by an application. Each id is
//! a short readable prefix (the one Chromium uses for the type) followed by a 64-bit keyed hash
//! of what identifies the object, keyed with a secret salt drawn once per connection, as the
//! spec suggests ("a hash function ... with a salt that is unique to the peer connection").
//!
//! | object | prefix | identified by |
//! |---|---|---|
//! | peer connection | `P` | the connection |
//! | transport | `T` | its index in the BUNDLE group |
//! | local candidate | `I` | its SDP form (address, type, priority, foundation, ufrag, ...) |
//! | remote candidate | `I` | its SDP form and the remote ufrag it belongs to |
//! | candidate pair | `CP` | its two candidates |
//! | certificate | `CF` | its fingerprint |
//! | data channel | `D` | the channel (never reused within a connection) |
//!
//! The hash is std's SipHash (`DefaultHasher`), whose fixed algorithm within a process keeps
//! ids stable for the connection's lifetime.

use std::hash::{DefaultHasher, Hasher};

use rtcpeer_dtls::Fingerprint;
use rtcpeer_ice::Candidate;

use crate::pc::DataChannelId;

/// Makes the stats ids of one connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatsIds {
    salt: u64,
}

impl StatsIds {
    pub(crate) fn new(salt: u64) -> Self {
        StatsIds { salt }
    }

    fn hash(&self, kind: &str, parts: &[&[u8]]) -> u64 {
        let mut h = DefaultHasher::new();
        h.write_u64(self.salt);
        h.write(kind.as_bytes());
        for p in parts {
            h.write_usize(p.len());
            h.write(p);
        }
        h.finish()
    }

    fn id(&self, prefix: &str, parts: &[&[u8]]) -> String {
        format!("{prefix}{:016x}", self.hash(prefix, parts))
    }

    pub(crate) fn peer_connection(&self) -> String {
        self.id("P", &[])
    }

    pub(crate) fn transport(&self, index: usize) -> String {
        self.id("T", &[&index.to_be_bytes()])
    }

    pub(crate) fn local_candidate(&self, c: &Candidate) -> String {
        self.id("I", &[b"local", c.to_sdp_string().as_bytes()])
    }

    pub(crate) fn remote_candidate(&self, c: &Candidate, ufrag: Option<&str>) -> String {
        self.id(
            "I",
            &[
                b"remote",
                c.to_sdp_string().as_bytes(),
                ufrag.unwrap_or_default().as_bytes(),
            ],
        )
    }

    pub(crate) fn candidate_pair(&self, local_id: &str, remote_id: &str) -> String {
        self.id("CP", &[local_id.as_bytes(), remote_id.as_bytes()])
    }

    pub(crate) fn certificate(&self, fingerprint: &Fingerprint) -> String {
        self.id(
            "CF",
            &[
                fingerprint.algorithm().as_str().as_bytes(),
                fingerprint.value(),
            ],
        )
    }

    pub(crate) fn data_channel(&self, channel: DataChannelId) -> String {
        self.id("D", &[&channel.get().to_be_bytes()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_per_salt_distinct_across_objects_and_salts() {
        let a = StatsIds::new(1);
        let b = StatsIds::new(2);
        assert_eq!(a.transport(0), StatsIds::new(1).transport(0));
        assert_ne!(a.transport(0), b.transport(0));
        assert_ne!(a.transport(0), a.transport(1));
        assert_ne!(
            a.data_channel(DataChannelId::new(1)),
            a.data_channel(DataChannelId::new(2))
        );
        let c = Candidate::parse("candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host").unwrap();
        assert_ne!(a.local_candidate(&c), a.remote_candidate(&c, None));
        assert_ne!(
            a.remote_candidate(&c, Some("abcd")),
            a.remote_candidate(&c, Some("efgh"))
        );
        let (l, r) = (a.local_candidate(&c), a.remote_candidate(&c, None));
        assert_ne!(a.candidate_pair(&l, &r), a.candidate_pair(&r, &l));
        assert!(a.peer_connection().starts_with('P'));
        assert!(a.candidate_pair(&l, &r).starts_with("CP"));
        assert_eq!(a.transport(0).len(), 17);
    }
}
