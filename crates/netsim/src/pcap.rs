//! Classic pcap files (the libpcap format Wireshark reads) of a simulated run.
//!
//! Files are written little-endian with nanosecond timestamps (magic `0xa1b23c4d`) and link type
//! `LINKTYPE_RAW` (101): each record is an IPv4 or IPv6 packet built by [`crate::packet::build`].
//! Timestamps are virtual time since the start of the simulation (so the capture starts at the
//! Unix epoch). [`read`] parses a file back (either byte order, micro- or nanosecond magic) for
//! tests; it never panics on malformed input.

use std::io::{self, Write};
use std::time::Duration;

/// `LINKTYPE_RAW`: records are raw IPv4 or IPv6 packets.
pub const LINKTYPE_RAW: u32 = 101;
/// Magic number of microsecond-resolution files.
pub const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
/// Magic number of nanosecond-resolution files.
pub const MAGIC_NANOS: u32 = 0xa1b2_3c4d;
/// The snapshot length written in the header (no record is truncated below it).
pub const SNAPLEN: u32 = 262_144;

const GLOBAL_HEADER_LEN: usize = 24;
const RECORD_HEADER_LEN: usize = 16;

/// Writes a pcap stream.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    records: u64,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the global header and returns the writer.
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut h = Vec::with_capacity(GLOBAL_HEADER_LEN);
        h.extend_from_slice(&MAGIC_NANOS.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        h.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        h.extend_from_slice(&SNAPLEN.to_le_bytes());
        h.extend_from_slice(&LINKTYPE_RAW.to_le_bytes());
        out.write_all(&h)?;
        Ok(PcapWriter { out, records: 0 })
    }

    /// Appends one packet captured at `at` (time since the start of the capture).
    pub fn write_packet(&mut self, at: Duration, packet: &[u8]) -> io::Result<()> {
        let orig = u32::try_from(packet.len()).unwrap_or(u32::MAX);
        let incl = orig.min(SNAPLEN);
        let data = packet.get(..incl as usize).unwrap_or(packet);
        let secs = u32::try_from(at.as_secs()).unwrap_or(u32::MAX);
        let mut h = [0u8; RECORD_HEADER_LEN];
        h[0..4].copy_from_slice(&secs.to_le_bytes());
        h[4..8].copy_from_slice(&at.subsec_nanos().to_le_bytes());
        h[8..12].copy_from_slice(&incl.to_le_bytes());
        h[12..16].copy_from_slice(&orig.to_le_bytes());
        self.out.write_all(&h)?;
        self.out.write_all(data)?;
        self.records += 1;
        Ok(())
    }

    /// Records written so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A parsed pcap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcapFile {
    /// Format version (major, minor).
    pub version: (u16, u16),
    /// Whether timestamps have nanosecond resolution.
    pub nanosecond: bool,
    /// Snapshot length from the header.
    pub snaplen: u32,
    /// Link type (101 for files this crate writes).
    pub link_type: u32,
    /// The records in file order.
    pub records: Vec<PcapRecord>,
}

/// One captured packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcapRecord {
    /// Timestamp.
    pub at: Duration,
    /// Length of the packet on the wire.
    pub orig_len: u32,
    /// The captured bytes.
    pub data: Vec<u8>,
}

/// Why a pcap file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PcapError {
    /// The file ends inside a header or record.
    #[error("truncated pcap file")]
    Truncated,
    /// The magic number is not a classic pcap one.
    #[error("not a classic pcap file (magic {0:#010x})")]
    BadMagic(u32),
    /// A record claims more bytes than the snapshot length allows.
    #[error("record of {0} bytes exceeds the snapshot length")]
    RecordTooLong(u32),
}

/// Parses a classic pcap file.
pub fn read(bytes: &[u8]) -> Result<PcapFile, PcapError> {
    let magic_bytes: [u8; 4] = take(bytes, 0)?;
    let (le, nanosecond) = match (
        u32::from_le_bytes(magic_bytes),
        u32::from_be_bytes(magic_bytes),
    ) {
        (MAGIC_MICROS, _) => (true, false),
        (MAGIC_NANOS, _) => (true, true),
        (_, MAGIC_MICROS) => (false, false),
        (_, MAGIC_NANOS) => (false, true),
        (m, _) => return Err(PcapError::BadMagic(m)),
    };
    let u16_at = |at| -> Result<u16, PcapError> {
        let b = take(bytes, at)?;
        Ok(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at| -> Result<u32, PcapError> {
        let b = take(bytes, at)?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let version = (u16_at(4)?, u16_at(6)?);
    let snaplen = u32_at(16)?;
    let link_type = u32_at(20)?;
    let mut records = Vec::new();
    let mut at = GLOBAL_HEADER_LEN;
    while at < bytes.len() {
        let secs = u32_at(at)?;
        let frac = u32_at(at + 4)?;
        let incl = u32_at(at + 8)?;
        let orig_len = u32_at(at + 12)?;
        if incl > snaplen.max(SNAPLEN) {
            return Err(PcapError::RecordTooLong(incl));
        }
        let start = at + RECORD_HEADER_LEN;
        let end = start + incl as usize;
        let data = bytes.get(start..end).ok_or(PcapError::Truncated)?.to_vec();
        let nanos = if nanosecond {
            frac
        } else {
            frac.saturating_mul(1000)
        };
        records.push(PcapRecord {
            at: Duration::from_secs(u64::from(secs)) + Duration::from_nanos(u64::from(nanos)),
            orig_len,
            data,
        });
        at = end;
    }
    Ok(PcapFile {
        version,
        nanosecond,
        snaplen,
        link_type,
        records,
    })
}

fn take<const N: usize>(b: &[u8], at: usize) -> Result<[u8; N], PcapError> {
    b.get(at..at + N)
        .and_then(|s| s.try_into().ok())
        .ok_or(PcapError::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn header_layout() {
        let w = PcapWriter::new(Vec::new()).unwrap();
        let b = w.into_inner();
        assert_eq!(
            b,
            [
                0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 101, 0, 0,
                0
            ]
        );
        let f = read(&b).unwrap();
        assert_eq!(f.version, (2, 4));
        assert!(f.nanosecond);
        assert_eq!(f.link_type, LINKTYPE_RAW);
        assert!(f.records.is_empty());
    }

    #[test]
    fn reads_big_endian_microsecond_files() {
        let mut b = Vec::new();
        b.extend_from_slice(&MAGIC_MICROS.to_be_bytes());
        b.extend_from_slice(&[
            0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1,
        ]);
        b.extend_from_slice(&[0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 9, 0xaa, 0xbb]);
        let f = read(&b).unwrap();
        assert!(!f.nanosecond);
        assert_eq!(f.link_type, 1);
        assert_eq!(
            f.records,
            [PcapRecord {
                at: Duration::new(3, 5000),
                orig_len: 9,
                data: vec![0xaa, 0xbb]
            }]
        );
    }

    #[test]
    fn malformed_files_are_errors() {
        assert_eq!(read(&[]), Err(PcapError::Truncated));
        assert_eq!(read(&[0; 24]), Err(PcapError::BadMagic(0)));
        let mut w = PcapWriter::new(Vec::new()).unwrap();
        w.write_packet(Duration::from_millis(1), &[1, 2, 3])
            .unwrap();
        let b = w.into_inner();
        for cut in 1..b.len() {
            if cut != GLOBAL_HEADER_LEN {
                assert!(read(&b[..cut]).is_err(), "cut at {cut}");
            }
        }
    }

    proptest! {
        #[test]
        fn write_read_round_trip(
            packets in proptest::collection::vec(
                (0u64..4_000_000_000_000_000, proptest::collection::vec(any::<u8>(), 0..300)),
                0..20,
            )
        ) {
            let mut w = PcapWriter::new(Vec::new()).unwrap();
            for (nanos, data) in &packets {
                w.write_packet(Duration::from_nanos(*nanos), data).unwrap();
            }
            prop_assert_eq!(w.records(), packets.len() as u64);
            let f = read(&w.into_inner()).unwrap();
            let expected: Vec<PcapRecord> = packets
                .into_iter()
                .map(|(nanos, data)| PcapRecord {
                    at: Duration::from_nanos(nanos),
                    orig_len: data.len() as u32,
                    data,
                })
                .collect();
            prop_assert_eq!(f.records, expected);
        }

        #[test]
        fn read_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = read(&data);
        }
    }
}
