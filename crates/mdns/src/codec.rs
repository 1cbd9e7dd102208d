//! Reading and writing [`Message`]s in wire form (RFC 1035 §4.1, RFC 6762 §18).
//!
//! Decoding takes any bytes and either returns a message or a [`DecodeError`]; it never panics
//! and allocates no more than the input justifies. Bytes after the last counted record are
//! ignored. Encoding compresses owner names (RFC 1035 §4.1.4) and writes RDATA of unknown types
//! back as it was received.

use std::net::{Ipv4Addr, Ipv6Addr};

use bytes::Bytes;

use crate::error::{DecodeError, EncodeError};
use crate::message::{Class, Flags, Header, Message, Question, Record, RecordData, RecordType};
use crate::name::{Compressor, read_name};

/// Length of the fixed header (RFC 1035 §4.1.1).
pub const HEADER_LEN: usize = 12;
/// The top bit of a class field: QU in questions, cache-flush in records (RFC 6762 §18.12-13).
const CLASS_TOP_BIT: u16 = 0x8000;
/// Smallest possible question: root name, QTYPE, QCLASS.
const MIN_QUESTION_LEN: usize = 5;
/// Smallest possible record: root name, TYPE, CLASS, TTL, RDLENGTH.
const MIN_RECORD_LEN: usize = 11;

fn u16_at(buf: &[u8], pos: usize) -> Result<u16, DecodeError> {
    buf.get(pos..pos + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(DecodeError::Truncated { offset: pos })
}

fn u32_at(buf: &[u8], pos: usize) -> Result<u32, DecodeError> {
    buf.get(pos..pos + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(DecodeError::Truncated { offset: pos })
}

/// A vector for `count` entries of at least `min_len` bytes each, no bigger than the remaining
/// input could fill.
fn section<T>(count: u16, min_len: usize, remaining: usize) -> Vec<T> {
    Vec::with_capacity(usize::from(count).min(remaining / min_len))
}

fn read_question(buf: &[u8], pos: usize) -> Result<(Question, usize), DecodeError> {
    let (name, pos) = read_name(buf, pos)?;
    let qtype = u16_at(buf, pos)?;
    let qclass = u16_at(buf, pos + 2)?;
    let question = Question {
        name,
        qtype: RecordType(qtype),
        qclass: Class(qclass & !CLASS_TOP_BIT),
        unicast_response: qclass & CLASS_TOP_BIT != 0,
    };
    Ok((question, pos + 4))
}

fn read_record(buf: &[u8], pos: usize) -> Result<(Record, usize), DecodeError> {
    let (name, pos) = read_name(buf, pos)?;
    let rtype = RecordType(u16_at(buf, pos)?);
    let class = u16_at(buf, pos + 2)?;
    let ttl = u32_at(buf, pos + 4)?;
    let len = usize::from(u16_at(buf, pos + 8)?);
    let start = pos + 10;
    let rdata = buf
        .get(start..start + len)
        .ok_or(DecodeError::Truncated { offset: start })?;
    let data = match rtype {
        RecordType::A => <[u8; 4]>::try_from(rdata)
            .map(|b| RecordData::A(Ipv4Addr::from(b)))
            .map_err(|_| DecodeError::BadRdataLength {
                rtype: rtype.0,
                len,
            })?,
        RecordType::AAAA => <[u8; 16]>::try_from(rdata)
            .map(|b| RecordData::Aaaa(Ipv6Addr::from(b)))
            .map_err(|_| DecodeError::BadRdataLength {
                rtype: rtype.0,
                len,
            })?,
        _ => RecordData::Other {
            rtype,
            data: Bytes::copy_from_slice(rdata),
        },
    };
    let record = Record {
        name,
        class: Class(class & !CLASS_TOP_BIT),
        cache_flush: class & CLASS_TOP_BIT != 0,
        ttl,
        data,
    };
    Ok((record, start + len))
}

fn read_records(
    buf: &[u8],
    pos: &mut usize,
    count: u16,
    out: &mut Vec<Record>,
) -> Result<(), DecodeError> {
    for _ in 0..count {
        let (record, next) = read_record(buf, *pos)?;
        out.push(record);
        *pos = next;
    }
    Ok(())
}

fn count(len: usize) -> Result<u16, EncodeError> {
    u16::try_from(len).map_err(|_| EncodeError::TooManyEntries(len))
}

fn write_record(out: &mut Vec<u8>, names: &mut Compressor, r: &Record) -> Result<(), EncodeError> {
    names.write(out, &r.name);
    out.extend_from_slice(&r.rtype().0.to_be_bytes());
    let class = (r.class.0 & !CLASS_TOP_BIT) | if r.cache_flush { CLASS_TOP_BIT } else { 0 };
    out.extend_from_slice(&class.to_be_bytes());
    out.extend_from_slice(&r.ttl.to_be_bytes());
    match &r.data {
        RecordData::A(a) => {
            out.extend_from_slice(&4u16.to_be_bytes());
            out.extend_from_slice(&a.octets());
        }
        RecordData::Aaaa(a) => {
            out.extend_from_slice(&16u16.to_be_bytes());
            out.extend_from_slice(&a.octets());
        }
        RecordData::Other { data, .. } => {
            let len =
                u16::try_from(data.len()).map_err(|_| EncodeError::RdataTooLong(data.len()))?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(data);
        }
    }
    Ok(())
}

impl Message {
    /// Reads a message from a datagram. Never panics; bytes after the last record are ignored.
    pub fn decode(buf: &[u8]) -> Result<Message, DecodeError> {
        let id = u16_at(buf, 0)?;
        let flags = Flags(u16_at(buf, 2)?);
        let qd = u16_at(buf, 4)?;
        let an = u16_at(buf, 6)?;
        let ns = u16_at(buf, 8)?;
        let ar = u16_at(buf, 10)?;
        let mut pos = HEADER_LEN;
        let remaining = buf.len().saturating_sub(HEADER_LEN);
        let mut questions = section(qd, MIN_QUESTION_LEN, remaining);
        for _ in 0..qd {
            let (q, next) = read_question(buf, pos)?;
            questions.push(q);
            pos = next;
        }
        let remaining = buf.len().saturating_sub(pos);
        let mut answers = section(an, MIN_RECORD_LEN, remaining);
        read_records(buf, &mut pos, an, &mut answers)?;
        let mut authorities = section(ns, MIN_RECORD_LEN, buf.len().saturating_sub(pos));
        read_records(buf, &mut pos, ns, &mut authorities)?;
        let mut additionals = section(ar, MIN_RECORD_LEN, buf.len().saturating_sub(pos));
        read_records(buf, &mut pos, ar, &mut additionals)?;
        Ok(Message {
            header: Header { id, flags },
            questions,
            answers,
            authorities,
            additionals,
        })
    }

    /// Writes the message in wire form, compressing names.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(&self.header.id.to_be_bytes());
        out.extend_from_slice(&self.header.flags.0.to_be_bytes());
        for len in [
            self.questions.len(),
            self.answers.len(),
            self.authorities.len(),
            self.additionals.len(),
        ] {
            out.extend_from_slice(&count(len)?.to_be_bytes());
        }
        let mut names = Compressor::default();
        for q in &self.questions {
            names.write(&mut out, &q.name);
            out.extend_from_slice(&q.qtype.0.to_be_bytes());
            let class =
                (q.qclass.0 & !CLASS_TOP_BIT) | if q.unicast_response { CLASS_TOP_BIT } else { 0 };
            out.extend_from_slice(&class.to_be_bytes());
        }
        for r in self.records() {
            write_record(&mut out, &mut names, r)?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::Name;
    use proptest::prelude::*;

    fn n(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    /// A one-shot query as Chrome sends it for a remote candidate: ID 0, one question for the
    /// A record of a UUID name with the unicast-response bit set (RFC 6762 §5.4).
    const CHROME_QUERY: &[u8] = b"\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\
        \x24c4a8f2e6-1b3d-4e5f-9a7b-0c1d2e3f4a5b\x05local\x00\
        \x00\x01\x80\x01";

    #[test]
    fn decodes_a_query_with_the_qu_bit() {
        let m = Message::decode(CHROME_QUERY).unwrap();
        assert_eq!(m.header.id, 0);
        assert!(!m.is_response());
        assert_eq!(m.questions.len(), 1);
        let q = &m.questions[0];
        assert_eq!(q.name, n("C4A8F2E6-1B3D-4E5F-9A7B-0C1D2E3F4A5B.local"));
        assert_eq!(q.qtype, RecordType::A);
        assert_eq!(q.qclass, Class::IN);
        assert!(q.unicast_response);
        assert_eq!(m.encode().unwrap(), CHROME_QUERY);
    }

    /// A response as an mDNS responder multicasts it: ID 0, QR and AA set, one A record with
    /// the cache-flush bit and TTL 120, and an NSEC record (RFC 6762 §6.1) in the additional
    /// section whose owner name is a compression pointer to the answer's name at offset 12.
    const RESPONSE: &[u8] = b"\x00\x00\x84\x00\x00\x00\x00\x01\x00\x00\x00\x01\
        \x24c4a8f2e6-1b3d-4e5f-9a7b-0c1d2e3f4a5b\x05local\x00\
        \x00\x01\x80\x01\x00\x00\x00\x78\x00\x04\xc0\xa8\x01\x17\
        \xc0\x0c\x00\x2f\x80\x01\x00\x00\x00\x78\x00\x05\xc0\x0c\x00\x01\x40";

    #[test]
    fn decodes_a_response_with_cache_flush_and_pointer() {
        let m = Message::decode(RESPONSE).unwrap();
        assert!(m.is_response());
        assert!(m.header.flags.is_authoritative());
        assert_eq!(m.header.flags.opcode(), 0);
        assert_eq!(m.header.flags.rcode(), 0);
        assert!(m.questions.is_empty());
        assert_eq!(m.answers.len(), 1);
        let a = &m.answers[0];
        assert_eq!(a.name, n("c4a8f2e6-1b3d-4e5f-9a7b-0c1d2e3f4a5b.local"));
        assert!(a.cache_flush);
        assert_eq!(a.class, Class::IN);
        assert_eq!(a.ttl, 120);
        assert_eq!(a.data, RecordData::A(Ipv4Addr::new(192, 168, 1, 23)));
        let nsec = &m.additionals[0];
        assert_eq!(nsec.name, a.name);
        assert_eq!(nsec.rtype(), RecordType::NSEC);
        // Writing it back compresses the NSEC owner name the same way.
        assert_eq!(m.encode().unwrap(), RESPONSE);
    }

    /// An AAAA answer for a host name, as Apple's responder announces it (RFC 6762 §8.3):
    /// `MyMac.local` AAAA fe80::1c2d:3e4f:5a6b:7c8d, cache-flush, TTL 120.
    #[test]
    fn decodes_an_aaaa_announcement() {
        let bytes = b"\x00\x00\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00\
            \x05MyMac\x05local\x00\x00\x1c\x80\x01\x00\x00\x00\x78\x00\x10\
            \xfe\x80\x00\x00\x00\x00\x00\x00\x1c\x2d\x3e\x4f\x5a\x6b\x7c\x8d";
        let m = Message::decode(bytes).unwrap();
        let r = &m.answers[0];
        assert_eq!(r.name.to_string(), "MyMac.local");
        assert_eq!(
            r.data,
            RecordData::Aaaa("fe80::1c2d:3e4f:5a6b:7c8d".parse().unwrap())
        );
        assert!(r.cache_flush);
        assert_eq!(m.encode().unwrap(), bytes);
    }

    /// The compression example of RFC 1035 §4.1.4: F.ISI.ARPA at offset 20, FOO.F.ISI.ARPA at
    /// 40 as `FOO` plus a pointer to 20, and ARPA at 64 as a lone pointer to 26. Here the three
    /// names are the owner names of three A records placed at exactly those offsets.
    #[test]
    fn rfc1035_compression_example() {
        let mut msg = vec![0u8; 12];
        msg[7] = 3; // ANCOUNT
        // One 8-byte question brings the first answer's name to offset 20, as in the RFC.
        msg[5] = 1; // QDCOUNT
        msg.extend_from_slice(b"\x02ab\x00\x00\x01\x00\x01"); // 12..20
        assert_eq!(msg.len(), 20);
        msg.extend_from_slice(b"\x01F\x03ISI\x04ARPA\x00"); // 20..32
        msg.extend_from_slice(b"\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x0a\x00\x00\x01"); // ..46
        // The RFC puts FOO at 40; ours sits at 46 because of the record fields between.
        let foo = msg.len();
        msg.extend_from_slice(b"\x03FOO\xc0\x14");
        msg.extend_from_slice(b"\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x0a\x00\x00\x02");
        let arpa = msg.len();
        msg.extend_from_slice(b"\xc0\x1a");
        msg.extend_from_slice(b"\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x0a\x00\x00\x03");
        let m = Message::decode(&msg).unwrap();
        assert_eq!(m.answers[0].name.to_string(), "F.ISI.ARPA");
        assert_eq!(m.answers[1].name.to_string(), "FOO.F.ISI.ARPA");
        assert_eq!(m.answers[2].name.to_string(), "ARPA");
        // Our encoder finds the same suffixes.
        let out = m.encode().unwrap();
        assert_eq!(&out[foo..foo + 6], b"\x03FOO\xc0\x14");
        assert_eq!(&out[arpa..arpa + 2], b"\xc0\x1a");
        assert_eq!(out, msg);
    }

    #[test]
    fn malformed_messages_are_errors() {
        assert_eq!(
            Message::decode(&RESPONSE[..11]),
            Err(DecodeError::Truncated { offset: 10 })
        );
        // Cut inside the A record.
        assert!(matches!(
            Message::decode(&RESPONSE[..RESPONSE.len() - 30]),
            Err(DecodeError::Truncated { .. })
        ));
        // An A record with a 3-byte RDATA.
        let mut bad = RESPONSE.to_vec();
        bad[12 + 44 + 9] = 3;
        assert_eq!(
            Message::decode(&bad),
            Err(DecodeError::BadRdataLength { rtype: 1, len: 3 })
        );
        // An AAAA record with a 4-byte RDATA.
        let mut bad = RESPONSE.to_vec();
        bad[12 + 44 + 1] = 28;
        assert_eq!(
            Message::decode(&bad),
            Err(DecodeError::BadRdataLength { rtype: 28, len: 4 })
        );
        // Counts promising far more than the datagram holds.
        assert!(Message::decode(b"\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff").is_err());
        // Trailing bytes are ignored.
        let mut long = CHROME_QUERY.to_vec();
        long.extend_from_slice(b"junk");
        assert_eq!(
            Message::decode(&long).unwrap(),
            Message::decode(CHROME_QUERY).unwrap()
        );
    }

    #[test]
    fn flags_accessors() {
        let f = Flags(0x8000 | (5 << 11) | Flags::AA | Flags::TC | 3);
        assert!(f.is_response());
        assert_eq!(f.opcode(), 5);
        assert!(f.is_authoritative());
        assert!(f.is_truncated());
        assert_eq!(f.rcode(), 3);
        assert_eq!(Flags::response().0, 0x8400);
        assert_eq!(RecordType::AAAA.to_string(), "AAAA");
        assert_eq!(RecordType(99).to_string(), "TYPE99");
    }

    #[test]
    fn oversized_rdata_is_an_encode_error() {
        let mut m = Message::response(0, Vec::new());
        m.answers.push(Record {
            name: n("x.local"),
            class: Class::IN,
            cache_flush: false,
            ttl: 1,
            data: RecordData::Other {
                rtype: RecordType::TXT,
                data: Bytes::from(vec![0u8; 70_000]),
            },
        });
        assert_eq!(m.encode(), Err(EncodeError::RdataTooLong(70_000)));
    }

    fn label() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            // A few shared labels so compression gets exercised, in both cases.
            prop::sample::select(vec![
                b"local".to_vec(),
                b"LOCAL".to_vec(),
                b"a".to_vec(),
                b"host".to_vec(),
                vec![b'x'; 63],
            ]),
            prop::collection::vec(any::<u8>(), 1..12),
        ]
    }

    fn name() -> impl Strategy<Value = Name> {
        // Four 63-byte labels exceed the 255-byte limit; such draws are discarded, not unwrapped.
        prop::collection::vec(label(), 0..5).prop_filter_map("name over 255 bytes", |labels| {
            Name::from_labels(labels).ok()
        })
    }

    fn question() -> impl Strategy<Value = Question> {
        (name(), any::<u16>(), 0u16..0x8000, any::<bool>()).prop_map(|(name, t, c, qu)| Question {
            name,
            qtype: RecordType(t),
            qclass: Class(c),
            unicast_response: qu,
        })
    }

    fn data() -> impl Strategy<Value = RecordData> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(|b| RecordData::A(Ipv4Addr::from(b))),
            any::<[u8; 16]>().prop_map(|b| RecordData::Aaaa(Ipv6Addr::from(b))),
            (
                any::<u16>().prop_filter("not an address type", |t| *t != 1 && *t != 28),
                prop::collection::vec(any::<u8>(), 0..40)
            )
                .prop_map(|(t, d)| RecordData::Other {
                    rtype: RecordType(t),
                    data: Bytes::from(d),
                }),
        ]
    }

    fn record() -> impl Strategy<Value = Record> {
        (name(), 0u16..0x8000, any::<bool>(), any::<u32>(), data()).prop_map(
            |(name, c, cache_flush, ttl, data)| Record {
                name,
                class: Class(c),
                cache_flush,
                ttl,
                data,
            },
        )
    }

    fn message() -> impl Strategy<Value = Message> {
        (
            any::<u16>(),
            any::<u16>(),
            prop::collection::vec(question(), 0..4),
            prop::collection::vec(record(), 0..4),
            prop::collection::vec(record(), 0..3),
            prop::collection::vec(record(), 0..4),
        )
            .prop_map(
                |(id, flags, questions, answers, authorities, additionals)| Message {
                    header: Header {
                        id,
                        flags: Flags(flags),
                    },
                    questions,
                    answers,
                    authorities,
                    additionals,
                },
            )
    }

    fn all_names(m: &Message) -> Vec<&Name> {
        m.questions
            .iter()
            .map(|q| &q.name)
            .chain(m.records().map(|r| &r.name))
            .collect()
    }

    proptest! {
        #[test]
        fn decode_encode_round_trip(m in message()) {
            let bytes = m.encode().unwrap();
            let back = Message::decode(&bytes).unwrap();
            prop_assert_eq!(&back, &m);
            // Names keep their exact case through compression.
            for (a, b) in all_names(&back).into_iter().zip(all_names(&m)) {
                prop_assert!(a.eq_exact(b));
            }
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(m) = Message::decode(&bytes) {
                let again = Message::decode(&m.encode().unwrap()).unwrap();
                prop_assert_eq!(again, m);
            }
        }

        #[test]
        fn decoding_mutated_messages_never_panics(
            m in message(),
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        ) {
            let mut bytes = m.encode().unwrap();
            for (i, b) in flips {
                let at = i.index(bytes.len());
                bytes[at] = b;
            }
            if let Ok(m) = Message::decode(&bytes) {
                let again = Message::decode(&m.encode().unwrap()).unwrap();
                prop_assert_eq!(again, m);
            }
        }
    }
}
