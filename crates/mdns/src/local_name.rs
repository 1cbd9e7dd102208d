//! [`LocalName`]: the `.local` host names that stand for IP addresses in ICE candidates
//! (draft-ietf-mmusic-mdns-ice-candidates), and [`random_local_name`], which makes one from a
//! version 4 UUID (draft §3.1.1, RFC 4122 §4.4).
//!
//! A candidate address is treated as an mDNS name when it ends with `.local` and has exactly one
//! label before it (draft §3.2.1 step 1). Browsers use a UUID for that label, but any single
//! label of letters, digits and hyphens is accepted here.

use std::fmt;
use std::str::FromStr;

use rtcpeer_types::Rng;

use crate::error::LocalNameError;
use crate::name::{MAX_LABEL_LEN, Name};

/// The mDNS top-level domain (RFC 6762 §3).
const LOCAL: &str = "local";

/// A single-label `.local` name such as `1f528a2c-36d4-4ffb-9a4d-51a8ad6ab0f3.local`, compared
/// case-insensitively.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalName {
    name: Name,
}

impl LocalName {
    /// Parses a candidate address as an mDNS name: `<label>.local`, with an optional final dot,
    /// `local` in any case, the label 1 to 63 letters, digits or hyphens.
    pub fn parse(text: &str) -> Result<Self, LocalNameError> {
        let text = text.strip_suffix('.').unwrap_or(text);
        let (label, tld) = text.rsplit_once('.').ok_or(LocalNameError::NotLocal)?;
        if !tld.eq_ignore_ascii_case(LOCAL) {
            return Err(LocalNameError::NotLocal);
        }
        if label.contains('.') {
            return Err(LocalNameError::NotSingleLabel);
        }
        Self::from_label(label)
    }

    /// The name `<label>.local`.
    pub fn from_label(label: &str) -> Result<Self, LocalNameError> {
        if label.is_empty() {
            return Err(LocalNameError::EmptyLabel);
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(LocalNameError::LabelTooLong(label.len()));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(LocalNameError::BadCharacter(c));
        }
        let name = Name::from_labels([label, LOCAL])
            .map_err(|_| LocalNameError::LabelTooLong(label.len()))?;
        Ok(LocalName { name })
    }

    /// The name as it appears in messages, if `name` is a valid single-label `.local` name.
    pub fn from_name(name: &Name) -> Option<Self> {
        let mut labels = name.labels();
        let label = std::str::from_utf8(labels.next()?).ok()?;
        let tld = labels.next()?;
        if labels.next().is_some() || !tld.eq_ignore_ascii_case(LOCAL.as_bytes()) {
            return None;
        }
        Self::from_label(label).ok()
    }

    /// The DNS name.
    pub fn name(&self) -> &Name {
        &self.name
    }

    /// The label before `.local`.
    pub fn label(&self) -> &str {
        self.name
            .labels()
            .next()
            .and_then(|l| std::str::from_utf8(l).ok())
            .unwrap_or_default()
    }

    /// Whether the label is a version 4 UUID in the RFC 4122 text form (any case), as
    /// draft-ietf-mmusic-mdns-ice-candidates §3.1.1 generates.
    pub fn is_uuid_v4(&self) -> bool {
        let b = self.label().as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, &c)| match i {
                8 | 13 | 18 | 23 => c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
            && b.get(14) == Some(&b'4')
            && matches!(b.get(19), Some(b'8' | b'9' | b'a' | b'b' | b'A' | b'B'))
    }
}

impl fmt::Display for LocalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{LOCAL}", self.label())
    }
}

impl fmt::Debug for LocalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalName({self})")
    }
}

impl FromStr for LocalName {
    type Err = LocalNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LocalName::parse(s)
    }
}

/// A fresh name `<uuid>.local` whose label is a random version 4 UUID in lower-case text form
/// (draft-ietf-mmusic-mdns-ice-candidates §3.1.1, RFC 4122 §4.4).
pub fn random_local_name(rng: &mut Rng) -> LocalName {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    b[6] = (b[6] & 0x0F) | 0x40; // version 4
    b[8] = (b[8] & 0x3F) | 0x80; // variant 10xx (RFC 4122)
    let mut label = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            label.push('-');
        }
        label.push_str(&format!("{byte:02x}"));
    }
    let name = Name::from_labels([label.as_str(), LOCAL]).unwrap_or_default();
    LocalName { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_candidate_addresses() {
        let n = LocalName::parse("1F528A2C-36d4-4ffb-9a4d-51a8ad6ab0f3.LOCAL.").unwrap();
        assert_eq!(n.label(), "1F528A2C-36d4-4ffb-9a4d-51a8ad6ab0f3");
        assert_eq!(n.to_string(), "1F528A2C-36d4-4ffb-9a4d-51a8ad6ab0f3.local");
        assert!(n.is_uuid_v4());
        assert_eq!(
            n,
            LocalName::parse("1f528a2c-36d4-4ffb-9a4d-51a8ad6ab0f3.local").unwrap()
        );
        let plain: LocalName = "my-laptop.local".parse().unwrap();
        assert!(!plain.is_uuid_v4());
        assert_eq!(plain.name().to_string(), "my-laptop.local");
        assert_eq!(
            LocalName::from_name(&Name::parse("MY-LAPTOP.Local").unwrap()),
            Some(plain)
        );
    }

    #[test]
    fn rejects_what_the_draft_does_not_resolve() {
        use LocalNameError::*;
        assert_eq!(LocalName::parse("192.168.1.2"), Err(NotLocal));
        assert_eq!(LocalName::parse("local"), Err(NotLocal));
        assert_eq!(LocalName::parse("host.example"), Err(NotLocal));
        assert_eq!(LocalName::parse("a.b.local"), Err(NotSingleLabel));
        assert_eq!(LocalName::parse(".local"), Err(EmptyLabel));
        assert_eq!(
            LocalName::parse(&format!("{}.local", "a".repeat(64))),
            Err(LabelTooLong(64))
        );
        assert_eq!(LocalName::parse("a_b.local"), Err(BadCharacter('_')));
        assert_eq!(
            LocalName::parse("caf\u{e9}.local"),
            Err(BadCharacter('\u{e9}'))
        );
        assert_eq!(
            LocalName::from_name(&Name::parse("a.b.local").unwrap()),
            None
        );
        assert_eq!(LocalName::from_name(&Name::parse("local").unwrap()), None);
        assert_eq!(LocalName::from_name(&Name::root()), None);
    }

    #[test]
    fn random_names_are_uuid_v4() {
        let mut rng = Rng::from_seed(42);
        let a = random_local_name(&mut rng);
        let b = random_local_name(&mut rng);
        assert_ne!(a, b);
        for n in [&a, &b] {
            assert!(n.is_uuid_v4(), "{n}");
            assert_eq!(n.to_string().len(), 36 + 6);
            assert_eq!(n.label(), n.label().to_ascii_lowercase());
            assert_eq!(LocalName::parse(&n.to_string()).as_ref(), Ok(n));
        }
        // Same seed, same name.
        assert_eq!(random_local_name(&mut Rng::from_seed(42)), a);
        // Version and variant nibbles hold over many draws.
        let mut rng = Rng::from_seed(7);
        for _ in 0..500 {
            assert!(random_local_name(&mut rng).is_uuid_v4());
        }
    }
}
