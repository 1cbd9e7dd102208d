//! The DNS message as mDNS uses it: header, questions and resource records (RFC 1035 §4.1), with
//! the mDNS meaning of the top bit of the class fields: the unicast-response (QU) bit of a
//! question (RFC 6762 §5.4, §18.12) and the cache-flush bit of a record (RFC 6762 §10.2, §18.13).
//!
//! This file owns the types; [`crate::codec`] reads and writes them.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use bytes::Bytes;

use crate::name::Name;

/// A resource record TYPE or question QTYPE (RFC 1035 §3.2.2, §3.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordType(pub u16);

impl RecordType {
    /// IPv4 host address (RFC 1035 §3.4.1).
    pub const A: RecordType = RecordType(1);
    /// Domain name pointer (RFC 1035 §3.3.12).
    pub const PTR: RecordType = RecordType(12);
    /// Text strings (RFC 1035 §3.3.14).
    pub const TXT: RecordType = RecordType(16);
    /// IPv6 host address (RFC 3596 §2.1).
    pub const AAAA: RecordType = RecordType(28);
    /// Service location (RFC 2782).
    pub const SRV: RecordType = RecordType(33);
    /// Next secure record, used by mDNS for negative answers (RFC 4034 §4, RFC 6762 §6.1).
    pub const NSEC: RecordType = RecordType(47);
    /// Any type (QTYPE `*`, RFC 1035 §3.2.3).
    pub const ANY: RecordType = RecordType(255);
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RecordType::A => f.write_str("A"),
            RecordType::PTR => f.write_str("PTR"),
            RecordType::TXT => f.write_str("TXT"),
            RecordType::AAAA => f.write_str("AAAA"),
            RecordType::SRV => f.write_str("SRV"),
            RecordType::NSEC => f.write_str("NSEC"),
            RecordType::ANY => f.write_str("ANY"),
            RecordType(n) => write!(f, "TYPE{n}"),
        }
    }
}

/// A CLASS or QCLASS (RFC 1035 §3.2.4, §3.2.5) without the mDNS top bit, so at most `0x7FFF`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Class(pub u16);

impl Class {
    /// The Internet class, the only one mDNS uses.
    pub const IN: Class = Class(1);
    /// Any class (QCLASS `*`).
    pub const ANY: Class = Class(255);
}

/// The flags word of the header (RFC 1035 §4.1.1): QR, OPCODE, AA, TC, RD, RA, Z, RCODE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u16);

impl Flags {
    /// QR bit: the message is a response.
    pub const QR: u16 = 0x8000;
    /// AA bit: authoritative answer (always set in mDNS responses, RFC 6762 §18.4).
    pub const AA: u16 = 0x0400;
    /// TC bit: truncated; in mDNS queries, more known answers follow (RFC 6762 §18.5).
    pub const TC: u16 = 0x0200;
    /// RD bit: recursion desired.
    pub const RD: u16 = 0x0100;
    /// RA bit: recursion available.
    pub const RA: u16 = 0x0080;

    /// The flags of an mDNS query: everything zero (RFC 6762 §18.2-§18.11).
    pub const fn query() -> Flags {
        Flags(0)
    }

    /// The flags of an mDNS response: QR and AA set, everything else zero (RFC 6762 §18.2-§18.4).
    pub const fn response() -> Flags {
        Flags(Self::QR | Self::AA)
    }

    /// Whether QR is set (a response).
    pub const fn is_response(self) -> bool {
        self.0 & Self::QR != 0
    }

    /// The 4-bit OPCODE (0 is a standard query, the only one mDNS uses).
    pub const fn opcode(self) -> u8 {
        ((self.0 >> 11) & 0x0F) as u8
    }

    /// Whether AA is set.
    pub const fn is_authoritative(self) -> bool {
        self.0 & Self::AA != 0
    }

    /// Whether TC is set.
    pub const fn is_truncated(self) -> bool {
        self.0 & Self::TC != 0
    }

    /// The 4-bit RCODE (0 is no error).
    pub const fn rcode(self) -> u8 {
        (self.0 & 0x000F) as u8
    }
}

/// The message header without its counts, which the sections' lengths give (RFC 1035 §4.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    /// The ID. Zero in multicast mDNS messages; repeated from the query in unicast responses
    /// (RFC 6762 §18.1).
    pub id: u16,
    /// The flags word.
    pub flags: Flags,
}

/// An entry of the question section (RFC 1035 §4.1.2, RFC 6762 §5.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Question {
    /// QNAME.
    pub name: Name,
    /// QTYPE.
    pub qtype: RecordType,
    /// QCLASS without the top bit.
    pub qclass: Class,
    /// The top bit of QCLASS: the querier asks for a unicast response ("QU", RFC 6762 §5.4).
    pub unicast_response: bool,
}

impl Question {
    /// A question of class IN asking for a multicast ("QM") response.
    pub fn new(name: Name, qtype: RecordType) -> Self {
        Question {
            name,
            qtype,
            qclass: Class::IN,
            unicast_response: false,
        }
    }
}

/// The RDATA of a resource record: addresses decoded, everything else kept as bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordData {
    /// An A record (RFC 1035 §3.4.1).
    A(Ipv4Addr),
    /// An AAAA record (RFC 3596 §2.2).
    Aaaa(Ipv6Addr),
    /// Any other type, RDATA as received. Names inside it may be compression pointers into the
    /// message it came from, so only write it back into messages where that does not matter
    /// (or where it holds no compressed names, like NSEC in mDNS, RFC 6762 §18.14).
    Other {
        /// The TYPE.
        rtype: RecordType,
        /// The RDATA.
        data: Bytes,
    },
}

impl RecordData {
    /// The record TYPE this data belongs to.
    pub fn rtype(&self) -> RecordType {
        match self {
            RecordData::A(_) => RecordType::A,
            RecordData::Aaaa(_) => RecordType::AAAA,
            RecordData::Other { rtype, .. } => *rtype,
        }
    }
}

/// A resource record (RFC 1035 §4.1.3, RFC 6762 §10.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Record {
    /// NAME.
    pub name: Name,
    /// CLASS without the top bit.
    pub class: Class,
    /// The top bit of CLASS: the record is unique and replaces cached records of the same name,
    /// type and class ("cache-flush", RFC 6762 §10.2).
    pub cache_flush: bool,
    /// TTL in seconds (0 announces that the record goes away, RFC 6762 §10.1).
    pub ttl: u32,
    /// TYPE and RDATA.
    pub data: RecordData,
}

impl Record {
    /// The record TYPE.
    pub fn rtype(&self) -> RecordType {
        self.data.rtype()
    }
}

/// A DNS message (RFC 1035 §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Message {
    /// ID and flags.
    pub header: Header,
    /// The question section.
    pub questions: Vec<Question>,
    /// The answer section.
    pub answers: Vec<Record>,
    /// The authority section (mDNS probes put proposed records here, RFC 6762 §8.2).
    pub authorities: Vec<Record>,
    /// The additional section.
    pub additionals: Vec<Record>,
}

impl Message {
    /// An mDNS query with this ID (0 for multicast queries from port 5353, RFC 6762 §18.1).
    pub fn query(id: u16, questions: Vec<Question>) -> Self {
        Message {
            header: Header {
                id,
                flags: Flags::query(),
            },
            questions,
            ..Message::default()
        }
    }

    /// An mDNS response (QR and AA set) with this ID and these answers.
    pub fn response(id: u16, answers: Vec<Record>) -> Self {
        Message {
            header: Header {
                id,
                flags: Flags::response(),
            },
            answers,
            ..Message::default()
        }
    }

    /// Whether the message is a response (QR set).
    pub fn is_response(&self) -> bool {
        self.header.flags.is_response()
    }

    /// Every record of the answer, authority and additional sections.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.answers
            .iter()
            .chain(&self.authorities)
            .chain(&self.additionals)
    }
}
