//! Error types of the crate: malformed DNS messages from the network ([`DecodeError`]), messages
//! that cannot be written ([`EncodeError`]), names that are not valid DNS names ([`NameError`]) or
//! not valid mDNS ICE candidate names ([`LocalNameError`]), and misuse of the resolver and the
//! responder by the caller ([`ResolveError`], [`PublishError`]).
//!
//! Misbehaviour of the network (the first one) is kept apart from misuse by the caller (the rest).

/// Why bytes from the network are not a DNS message (RFC 1035 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The message ends inside the header, a name, a question or a resource record.
    #[error("DNS message truncated at offset {offset}")]
    Truncated {
        /// Where more bytes were needed.
        offset: usize,
    },
    /// A label length byte uses the reserved `01` or `10` prefixes (RFC 1035 §4.1.4, RFC 6891 §5).
    #[error("unsupported label type {byte:#04x} at offset {offset}")]
    LabelType {
        /// The length byte.
        byte: u8,
        /// Where it is.
        offset: usize,
    },
    /// A compression pointer does not point strictly before the labels that led to it, so it
    /// could loop (RFC 1035 §4.1.4).
    #[error("compression pointer at offset {offset} to {target} does not point backwards")]
    BadPointer {
        /// Where the pointer is.
        offset: usize,
        /// Where it points.
        target: usize,
    },
    /// A name is longer than 255 bytes in wire form (RFC 1035 §2.3.4).
    #[error("name longer than 255 bytes at offset {offset}")]
    NameTooLong {
        /// Where the name starts.
        offset: usize,
    },
    /// The RDATA of a record does not have the length its type requires (4 for A, 16 for AAAA).
    #[error("RDATA of type {rtype} has length {len}")]
    BadRdataLength {
        /// The record type.
        rtype: u16,
        /// Its RDLENGTH.
        len: usize,
    },
}

/// Why a message could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A section has more than 65535 entries (its count is 16 bits).
    #[error("a section has {0} entries, more than 65535")]
    TooManyEntries(usize),
    /// A record's RDATA is longer than 65535 bytes.
    #[error("RDATA of {0} bytes is longer than 65535")]
    RdataTooLong(usize),
}

/// Why text or labels are not a DNS name (RFC 1035 §2.3.4, §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// A label is empty (two dots in a row, or a leading dot).
    #[error("empty label")]
    EmptyLabel,
    /// A label is longer than 63 bytes.
    #[error("label of {0} bytes is longer than 63")]
    LabelTooLong(usize),
    /// The name is longer than 255 bytes in wire form.
    #[error("name of {0} bytes is longer than 255 in wire form")]
    NameTooLong(usize),
}

/// Why a string is not an mDNS ICE candidate name: one label followed by `.local`
/// (draft-ietf-mmusic-mdns-ice-candidates §3.2.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocalNameError {
    /// The name does not end with `.local`.
    #[error("the name does not end with .local")]
    NotLocal,
    /// There is more than one label before `.local`.
    #[error("the name has more than one label before .local")]
    NotSingleLabel,
    /// The label before `.local` is empty.
    #[error("the label before .local is empty")]
    EmptyLabel,
    /// The label before `.local` is longer than 63 bytes.
    #[error("the label before .local has {0} bytes, more than 63")]
    LabelTooLong(usize),
    /// The label has a character other than a letter, digit or hyphen.
    #[error("the label has the character {0:?}, not a letter, digit or hyphen")]
    BadCharacter(char),
}

/// Why the resolver refused a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// As many lookups as [`ResolverConfig::max_lookups`](crate::ResolverConfig::max_lookups)
    /// are already running.
    #[error("too many lookups in progress (limit {0})")]
    TooManyLookups(usize),
    /// The resolver has no source address to send queries from.
    #[error("the resolver has no source address")]
    NoSource,
}

/// Why the responder refused to publish a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// As many names as [`ResponderConfig::max_names`](crate::ResponderConfig::max_names) are
    /// already published.
    #[error("too many published names (limit {0})")]
    TooManyNames(usize),
    /// The address is unspecified or multicast: not a host address to hide behind a name.
    #[error("not a unicast host address")]
    NotUnicast,
}
