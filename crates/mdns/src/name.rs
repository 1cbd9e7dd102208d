//! [`Name`]: a DNS domain name, and its wire form (RFC 1035 §3.1, §4.1.4).
//!
//! A name is kept as its uncompressed wire form without the terminating root label: a sequence
//! of length-prefixed labels. Names compare, hash and order case-insensitively for ASCII letters
//! (RFC 1035 §2.3.3, RFC 4343, RFC 6762 §16), while keeping the case they were written with.
//!
//! Decoding follows compression pointers with loop protection: every pointer must point strictly
//! before the start of the label sequence that contains it, so offsets decrease and a name can
//! never loop; the decoded name must also fit in 255 bytes. Encoding compresses names against the
//! suffixes already written in the message.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::{DecodeError, NameError};

/// Longest name in wire form, root label included (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;
/// Longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;
/// Highest message offset a compression pointer can hold (14 bits).
const MAX_POINTER: usize = 0x3FFF;

/// A DNS domain name (RFC 1035 §3.1), compared case-insensitively.
#[derive(Clone, Default)]
pub struct Name {
    /// Length-prefixed labels, without the terminating zero.
    wire: Vec<u8>,
}

impl Name {
    /// The root name (`.`), which has no labels.
    pub fn root() -> Self {
        Name { wire: Vec::new() }
    }

    /// A name made of these labels, most specific first. Labels may hold any bytes.
    pub fn from_labels<I, L>(labels: I) -> Result<Self, NameError>
    where
        I: IntoIterator<Item = L>,
        L: AsRef<[u8]>,
    {
        let mut wire = Vec::new();
        for label in labels {
            let label = label.as_ref();
            if label.is_empty() {
                return Err(NameError::EmptyLabel);
            }
            if label.len() > MAX_LABEL_LEN {
                return Err(NameError::LabelTooLong(label.len()));
            }
            wire.push(label.len() as u8);
            wire.extend_from_slice(label);
            if wire.len() + 1 > MAX_NAME_LEN {
                return Err(NameError::NameTooLong(wire.len() + 1));
            }
        }
        Ok(Name { wire })
    }

    /// Parses dotted text (`host.local`, with or without the final dot; `.` is the root). There
    /// are no escapes: every byte between dots is part of a label.
    pub fn parse(text: &str) -> Result<Self, NameError> {
        if text == "." {
            return Ok(Name::root());
        }
        let text = text.strip_suffix('.').unwrap_or(text);
        Name::from_labels(text.split('.'))
    }

    /// The labels, most specific first.
    pub fn labels(&self) -> Labels<'_> {
        Labels { rest: &self.wire }
    }

    /// How many labels the name has (0 for the root).
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// Whether this is the root name.
    pub fn is_root(&self) -> bool {
        self.wire.is_empty()
    }

    /// Length in uncompressed wire form, including the terminating root label.
    pub fn wire_len(&self) -> usize {
        self.wire.len() + 1
    }

    /// The uncompressed wire form without the terminating zero, exactly as written (case kept).
    pub fn as_wire(&self) -> &[u8] {
        &self.wire
    }

    /// Whether both names have exactly the same bytes (case-sensitive, unlike `==`).
    pub fn eq_exact(&self, other: &Name) -> bool {
        self.wire == other.wire
    }

    /// The wire form from label `index` on (a suffix of the name).
    fn suffix(&self, index: usize) -> &[u8] {
        let mut rest: &[u8] = &self.wire;
        for _ in 0..index {
            let len = rest.first().map_or(0, |&l| usize::from(l));
            rest = rest.get(1 + len..).unwrap_or_default();
        }
        rest
    }
}

/// Iterator over the labels of a [`Name`].
#[derive(Debug, Clone)]
pub struct Labels<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, tail) = self.rest.split_first()?;
        let len = usize::from(len);
        let label = tail.get(..len)?;
        self.rest = tail.get(len..).unwrap_or_default();
        Some(label)
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        // Length bytes are at most 63, below every ASCII letter, so comparing the whole wire
        // form case-insensitively compares labels case-insensitively.
        self.wire.eq_ignore_ascii_case(&other.wire)
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.wire.len());
        for b in &self.wire {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Self) -> Ordering {
        let a = self.wire.iter().map(u8::to_ascii_lowercase);
        let b = other.wire.iter().map(u8::to_ascii_lowercase);
        a.cmp(b)
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Name {
    /// Dotted text without the final dot (`.` for the root). Bytes that are not printable ASCII,
    /// and `.` and `\` inside labels, are written as `\DDD` (RFC 4343 §2.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str(".");
        }
        for (i, label) in self.labels().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            for &b in label {
                if b.is_ascii_graphic() && b != b'.' && b != b'\\' {
                    write!(f, "{}", b as char)?;
                } else {
                    write!(f, "\\{b:03}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({self})")
    }
}

impl FromStr for Name {
    type Err = NameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Name::parse(s)
    }
}

/// Reads the name at `start` in `msg`, following compression pointers (RFC 1035 §4.1.4).
/// Returns the name and the offset just after it at its original place.
pub(crate) fn read_name(msg: &[u8], start: usize) -> Result<(Name, usize), DecodeError> {
    let mut wire = Vec::new();
    let mut pos = start;
    // Start of the label sequence being read: a pointer must point strictly before it.
    let mut segment_start = start;
    let mut end = None;
    loop {
        let len = *msg.get(pos).ok_or(DecodeError::Truncated { offset: pos })?;
        match len & 0xC0 {
            0x00 => {
                if len == 0 {
                    let after = end.unwrap_or(pos + 1);
                    return Ok((Name { wire }, after));
                }
                let l = usize::from(len);
                let label = msg
                    .get(pos + 1..pos + 1 + l)
                    .ok_or(DecodeError::Truncated { offset: pos + 1 })?;
                if wire.len() + 1 + l + 1 > MAX_NAME_LEN {
                    return Err(DecodeError::NameTooLong { offset: start });
                }
                wire.push(len);
                wire.extend_from_slice(label);
                pos += 1 + l;
            }
            0xC0 => {
                let low = *msg
                    .get(pos + 1)
                    .ok_or(DecodeError::Truncated { offset: pos + 1 })?;
                let target = (usize::from(len & 0x3F) << 8) | usize::from(low);
                if target >= segment_start {
                    return Err(DecodeError::BadPointer {
                        offset: pos,
                        target,
                    });
                }
                if end.is_none() {
                    end = Some(pos + 2);
                }
                segment_start = target;
                pos = target;
            }
            _ => {
                return Err(DecodeError::LabelType {
                    byte: len,
                    offset: pos,
                });
            }
        }
    }
}

/// Remembers where names were written in a message so later names can point to them.
#[derive(Debug, Default)]
pub(crate) struct Compressor {
    /// Suffixes already written (exact bytes) and their offsets.
    written: Vec<(Vec<u8>, u16)>,
}

impl Compressor {
    /// Appends `name` to `out` (the message so far), compressed against earlier names.
    pub(crate) fn write(&mut self, out: &mut Vec<u8>, name: &Name) {
        let count = name.label_count();
        for index in 0..count {
            let suffix = name.suffix(index);
            if let Some(&(_, offset)) = self.written.iter().find(|(s, _)| s == suffix) {
                out.extend_from_slice(&(0xC000 | offset).to_be_bytes());
                return;
            }
            let here = out.len();
            if here <= MAX_POINTER {
                self.written.push((suffix.to_vec(), here as u16));
            }
            let len = suffix.first().map_or(0, |&l| usize::from(l));
            out.extend_from_slice(suffix.get(..1 + len).unwrap_or_default());
        }
        out.push(0);
    }
}

/// Appends `name` to `out` uncompressed (for RDATA whose names must not be compressed).
pub(crate) fn write_uncompressed(out: &mut Vec<u8>, name: &Name) {
    out.extend_from_slice(&name.wire);
    out.push(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    #[test]
    fn parse_and_display() {
        let name = n("Abc-1.local.");
        assert_eq!(name.to_string(), "Abc-1.local");
        assert_eq!(name.label_count(), 2);
        assert_eq!(name.wire_len(), 13);
        assert_eq!(name.as_wire(), b"\x05Abc-1\x05local");
        assert_eq!(Name::parse(".").unwrap(), Name::root());
        assert_eq!(Name::root().to_string(), ".");
        assert_eq!(Name::parse(""), Err(NameError::EmptyLabel));
        assert_eq!(Name::parse("a..b"), Err(NameError::EmptyLabel));
        assert_eq!(
            Name::parse(&"x".repeat(64)),
            Err(NameError::LabelTooLong(64))
        );
        let long = vec!["a".repeat(63); 4].join(".");
        assert_eq!(Name::parse(&long), Err(NameError::NameTooLong(257)));
        let weird = Name::from_labels([&b"a.b\\\x00"[..], b"c"]).unwrap();
        assert_eq!(weird.to_string(), "a\\046b\\092\\000.c");
    }

    #[test]
    fn comparison_ignores_ascii_case_only() {
        use std::collections::hash_map::DefaultHasher;
        let a = n("HOST.Local");
        let b = n("host.local");
        assert_eq!(a, b);
        assert!(!a.eq_exact(&b));
        assert_eq!(a.cmp(&b), Ordering::Equal);
        let hash = |x: &Name| {
            let mut h = DefaultHasher::new();
            x.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&a), hash(&b));
        assert_ne!(n("host.local"), n("host.locam"));
        assert_ne!(n("ab.local"), n("a.blocal"));
    }

    #[test]
    fn pointer_decoding() {
        // "local" at 0, then "host" + pointer to 0 at 7, then a bare pointer to 7 at 14.
        let msg = b"\x05local\x00\x04host\xc0\x00\xc0\x07";
        let (a, next) = read_name(msg, 0).unwrap();
        assert_eq!((a.to_string().as_str(), next), ("local", 7));
        let (b, next) = read_name(msg, 7).unwrap();
        assert_eq!((b.to_string().as_str(), next), ("host.local", 14));
        let (c, next) = read_name(msg, 14).unwrap();
        assert_eq!((c.to_string().as_str(), next), ("host.local", 16));
    }

    #[test]
    fn pointer_loops_and_forward_pointers_are_rejected() {
        // A pointer to itself.
        assert_eq!(
            read_name(b"\xc0\x00", 0),
            Err(DecodeError::BadPointer {
                offset: 0,
                target: 0
            })
        );
        // A label then a pointer back to that label: would loop forever.
        assert!(matches!(
            read_name(b"\x01a\xc0\x00", 0),
            Err(DecodeError::BadPointer { .. })
        ));
        // Two pointers pointing at each other.
        assert!(matches!(
            read_name(b"\xc0\x02\xc0\x00", 2),
            Err(DecodeError::BadPointer { .. })
        ));
        // Jump back into a label sequence that reaches the pointer again.
        assert!(matches!(
            read_name(b"\x00\x01a\x01b\xc0\x03", 5),
            Err(DecodeError::BadPointer { .. })
        ));
        // Forward pointer.
        assert!(matches!(
            read_name(b"\xc0\x02\x00", 0),
            Err(DecodeError::BadPointer { .. })
        ));
    }

    #[test]
    fn malformed_names() {
        assert_eq!(
            read_name(b"\x03ab", 0),
            Err(DecodeError::Truncated { offset: 1 })
        );
        assert_eq!(read_name(b"", 0), Err(DecodeError::Truncated { offset: 0 }));
        assert_eq!(
            read_name(b"\xc0", 0),
            Err(DecodeError::Truncated { offset: 1 })
        );
        assert_eq!(
            read_name(b"\x41", 0),
            Err(DecodeError::LabelType {
                byte: 0x41,
                offset: 0
            })
        );
        // 5 labels of 63 bytes: 320 bytes.
        let mut msg = Vec::new();
        for _ in 0..5 {
            msg.push(63);
            msg.extend_from_slice(&[b'a'; 63]);
        }
        msg.push(0);
        assert_eq!(
            read_name(&msg, 0),
            Err(DecodeError::NameTooLong { offset: 0 })
        );
        // A long pointer chain that builds up a too-long name through repeated suffixes.
        let mut msg = vec![0u8];
        let mut prev = 0usize;
        for _ in 0..10 {
            let here = msg.len();
            msg.push(63);
            msg.extend_from_slice(&[b'b'; 63]);
            msg.extend_from_slice(&(0xC000u16 | prev as u16).to_be_bytes());
            prev = here;
        }
        assert_eq!(
            read_name(&msg, prev),
            Err(DecodeError::NameTooLong { offset: prev })
        );
    }

    #[test]
    fn compression_reuses_suffixes() {
        let mut out = vec![0u8; 12];
        let mut c = Compressor::default();
        c.write(&mut out, &n("a.host.local"));
        c.write(&mut out, &n("b.host.local"));
        c.write(&mut out, &n("host.local"));
        c.write(&mut out, &n("HOST.local"));
        assert_eq!(&out[12..26], b"\x01a\x04host\x05local\x00");
        assert_eq!(&out[26..30], b"\x01b\xc0\x0e");
        assert_eq!(&out[30..32], b"\xc0\x0e");
        // Compression is exact-case, so the differently written name keeps its bytes.
        assert_eq!(&out[32..39], b"\x04HOST\xc0\x13");
        let (b, _) = read_name(&out, 26).unwrap();
        assert!(b.eq_exact(&n("b.host.local")));
        let (h, _) = read_name(&out, 32).unwrap();
        assert!(h.eq_exact(&n("HOST.local")));
        let mut root = Vec::new();
        Compressor::default().write(&mut root, &Name::root());
        assert_eq!(root, [0]);
    }
}
