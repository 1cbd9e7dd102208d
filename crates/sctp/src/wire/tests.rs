//! Wire-format tests: RFC 3720 Appendix B.4 CRC32c vectors, hand-checked encodings, the
//! unknown chunk/parameter rules, and property tests (decode(encode(x)) == x, decode never
//! panics).

use std::net::{Ipv4Addr, Ipv6Addr};

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;

use super::*;

/// RFC 3720 Appendix B.4: CRC32c results, as the bytes that go on the wire.
#[test]
fn crc32c_rfc3720_vectors() {
    let zeros = [0u8; 32];
    let ones = [0xffu8; 32];
    let inc: Vec<u8> = (0u8..32).collect();
    let dec: Vec<u8> = (0u8..32).rev().collect();
    let iscsi: [u8; 48] = [
        0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00,
        0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00,
    ];
    let wire = |b: &[u8]| crc32c::crc32c(b).to_le_bytes();
    assert_eq!(wire(&zeros), [0xaa, 0x36, 0x91, 0x8a]);
    assert_eq!(wire(&ones), [0x43, 0xab, 0xa8, 0x62]);
    assert_eq!(wire(&inc), [0x4e, 0x79, 0xdd, 0x46]);
    assert_eq!(wire(&dec), [0x5c, 0xdb, 0x3f, 0x11]);
    assert_eq!(wire(&iscsi), [0x56, 0x3a, 0x96, 0xd9]);
}

/// The packet checksum is the CRC32c of the packet with a zeroed checksum field, stored
/// least significant byte first, so a 32-byte packet of zeros (checksum field included)
/// carries the RFC 3720 "32 bytes of zeros" value.
#[test]
fn packet_checksum_matches_rfc3720_zero_vector() {
    let mut p = [0u8; 32];
    assert_eq!(checksum(&p).to_le_bytes(), [0xaa, 0x36, 0x91, 0x8a]);
    p[8..12].copy_from_slice(&[0xaa, 0x36, 0x91, 0x8a]);
    assert!(verify_checksum(&p, false));
    p[20] = 1;
    assert!(!verify_checksum(&p, false));
    p[8..12].fill(0);
    assert!(!verify_checksum(&p, false));
    assert!(
        verify_checksum(&p, true),
        "RFC 9653 zero checksum accepted when agreed"
    );
    assert!(!verify_checksum(&p[..11], true));
}

#[test]
fn writer_bundles_chunks_and_checksums() {
    let header = CommonHeader {
        source_port: 5000,
        destination_port: 5000,
        verification_tag: 0x0102_0304,
        checksum: 0,
    };
    let mut buf = BytesMut::new();
    let mut w = PacketWriter::new(&mut buf, &header, 1200);
    w.push(&Chunk::CookieAck).unwrap();
    w.push_data(7, 1, 2, 51, 0x03, b"hello");
    let p = w.finish(false);
    assert_eq!(p.len(), 12 + 4 + 16 + 8);
    assert!(verify_checksum(&p, false));
    // DATA: type 0, flags B|E, length 21, then padding to 24.
    assert_eq!(&p[16..20], &[0, 0x03, 0, 21]);
    let decoded = Packet::decode(p).unwrap();
    assert_eq!(decoded.header.verification_tag, 0x0102_0304);
    assert_eq!(
        decoded.chunks,
        vec![
            Chunk::CookieAck,
            Chunk::Data(DataChunk {
                tsn: 7,
                stream_id: 1,
                ssn: 2,
                ppid: 51,
                unordered: false,
                beginning: true,
                ending: true,
                immediate: false,
                user_data: Bytes::from_static(b"hello"),
            })
        ]
    );
    // The buffer is reused for the next packet.
    let w = PacketWriter::new(&mut buf, &header, 1200);
    assert!(w.is_empty());
}

#[test]
fn init_known_bytes() {
    // INIT with tag 1, a_rwnd 0x10000, 10/10 streams, TSN 5, Forward-TSN-Supported and
    // Supported Extensions [192, 130].
    let bytes: &[u8] = &[
        1, 0, 0, 32, 0, 0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 5, 0xc0, 0, 0, 4, 0x80, 8, 0,
        6, 192, 130, 0, 0,
    ];
    let mut packet = vec![0u8; 12];
    packet.extend_from_slice(bytes);
    let p = Packet::decode(Bytes::from(packet)).unwrap();
    let Chunk::Init(init) = &p.chunks[0] else {
        panic!("not INIT: {:?}", p.chunks)
    };
    assert_eq!(init.initiate_tag, 1);
    assert_eq!(init.a_rwnd, 0x10000);
    assert_eq!(
        (
            init.outbound_streams,
            init.inbound_streams,
            init.initial_tsn
        ),
        (10, 10, 5)
    );
    assert_eq!(
        init.params,
        vec![
            InitParam::ForwardTsnSupported,
            InitParam::SupportedExtensions(vec![192, 130])
        ]
    );
    // Re-encoded, the chunk length leaves out the last parameter's padding (RFC 9260 §3.2:
    // 30, not the 32 this sender wrote); the padding bytes still follow.
    let mut out = BytesMut::new();
    p.chunks[0].encode(&mut out).unwrap();
    let mut want = bytes.to_vec();
    want[3] = 30;
    assert_eq!(&out[..], &want[..]);
}

/// The INIT chunk of draft-hancke-tsvwg-snap-00 §4.1 (its `a=sctp-init` example, decoded
/// from base64): tag 0x896cdd1d, a_rwnd 0x500000, 65535/65535 streams, TSN 0xe079651d,
/// Forward-TSN-Supported and Supported Extensions [RE-CONFIG, FORWARD-TSN]; 30 bytes, the
/// last parameter unpadded.
#[test]
fn snap_draft_init_chunk_round_trips() {
    let bytes: &[u8] = &[
        0x01, 0x00, 0x00, 0x1e, 0x89, 0x6c, 0xdd, 0x1d, 0x00, 0x50, 0x00, 0x00, 0xff, 0xff, 0xff,
        0xff, 0xe0, 0x79, 0x65, 0x1d, 0xc0, 0x00, 0x00, 0x04, 0x80, 0x08, 0x00, 0x06, 0x82, 0xc0,
    ];
    let init = InitChunk::from_chunk_bytes(bytes).unwrap();
    assert_eq!(init.initiate_tag, 0x896c_dd1d);
    assert_eq!(init.a_rwnd, 0x0050_0000);
    assert_eq!(
        (init.outbound_streams, init.inbound_streams),
        (65535, 65535)
    );
    assert_eq!(init.initial_tsn, 0xe079_651d);
    assert_eq!(
        init.params,
        vec![
            InitParam::ForwardTsnSupported,
            InitParam::SupportedExtensions(vec![0x82, 0xc0])
        ]
    );
    assert_eq!(&init.to_chunk_bytes().unwrap()[..], bytes);
    // Trailing padding is accepted; anything else after the chunk, or another type, is not.
    let mut padded = bytes.to_vec();
    padded.extend_from_slice(&[0, 0]);
    assert_eq!(InitChunk::from_chunk_bytes(&padded).unwrap(), init);
    padded.push(1);
    assert!(InitChunk::from_chunk_bytes(&padded).is_err());
    let mut ack = bytes.to_vec();
    ack[0] = 2;
    assert!(InitChunk::from_chunk_bytes(&ack).is_err());
    assert!(InitChunk::from_chunk_bytes(&bytes[..19]).is_err());
    let mut short = bytes.to_vec();
    short[3] = 40;
    assert!(InitChunk::from_chunk_bytes(&short).is_err());
}

#[test]
fn unknown_chunk_actions() {
    assert_eq!(UnknownAction::of(0x3f), UnknownAction::Discard);
    assert_eq!(UnknownAction::of(0x41), UnknownAction::DiscardAndReport);
    assert_eq!(UnknownAction::of(0x81), UnknownAction::Skip);
    assert_eq!(UnknownAction::of(0xc1), UnknownAction::SkipAndReport);
    let make = |ty: u8| {
        let mut p = vec![0u8; 12];
        p.extend_from_slice(&[ty, 0, 0, 5, 9, 0, 0, 0]);
        p.extend_from_slice(&[11, 0, 0, 4]); // COOKIE ACK after it
        Bytes::from(p)
    };
    // 10 and 11: skip, keep going.
    for ty in [0x81, 0xc1] {
        let chunks: Vec<_> = ChunkIter::new(make(ty)).collect::<Result<_, _>>().unwrap();
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[1], Chunk::CookieAck);
    }
    // 00 and 01: the rest of the packet is discarded.
    for ty in [0x3f, 0x41] {
        let chunks: Vec<_> = ChunkIter::new(make(ty)).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            chunks,
            vec![Chunk::Unknown {
                chunk_type: ty,
                flags: 0,
                value: Bytes::from_static(&[9])
            }]
        );
    }
}

#[test]
fn unknown_param_actions() {
    let init = InitChunk {
        initiate_tag: 1,
        a_rwnd: 1,
        outbound_streams: 1,
        inbound_streams: 1,
        initial_tsn: 1,
        params: vec![
            InitParam::ForwardTsnSupported,
            InitParam::Unknown {
                param_type: 0x8123,
                value: Bytes::from_static(b"a"),
            },
            InitParam::Unknown {
                param_type: 0xc123,
                value: Bytes::from_static(b"b"),
            },
            InitParam::Unknown {
                param_type: 0x4123,
                value: Bytes::from_static(b"c"),
            },
            InitParam::SupportedExtensions(vec![130]),
        ],
    };
    let (process, report) = init.recognized_params();
    assert_eq!(process, vec![&InitParam::ForwardTsnSupported]);
    assert_eq!(
        report,
        vec![
            Bytes::from_static(&[0xc1, 0x23, 0, 5, b'b', 0, 0, 0]),
            Bytes::from_static(&[0x41, 0x23, 0, 5, b'c', 0, 0, 0]),
        ]
    );
    assert_eq!(UnknownParamAction::of(0x0001), UnknownParamAction::Stop);
}

#[test]
fn malformed_inputs_are_errors() {
    let with = |chunk: &[u8]| {
        let mut p = vec![0u8; 12];
        p.extend_from_slice(chunk);
        Packet::decode(Bytes::from(p))
    };
    assert_eq!(
        Packet::decode(Bytes::from_static(&[0; 11])),
        Err(WireError::ShortPacket)
    );
    assert_eq!(with(&[0, 0, 0, 3]), Err(WireError::BadChunkLength(3)));
    assert_eq!(with(&[0, 0, 0, 40]), Err(WireError::BadChunkLength(40)));
    assert_eq!(
        with(&[0, 0, 0, 8, 0, 0, 0, 0]),
        Err(WireError::MalformedChunk("DATA"))
    );
    assert_eq!(
        with(&[3, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
        Err(WireError::MalformedChunk("SACK"))
    );
    assert_eq!(
        with(&[7, 0, 0, 4]),
        Err(WireError::MalformedChunk("SHUTDOWN"))
    );
    assert!(
        with(&[
            1, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 0, 9
        ])
        .is_err()
    );
}

fn bytes_strategy(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

fn cause_strategy() -> impl Strategy<Value = ErrorCause> {
    prop_oneof![
        any::<u16>().prop_map(|stream_id| ErrorCause::InvalidStreamIdentifier { stream_id }),
        proptest::collection::vec(any::<u16>(), 0..5)
            .prop_map(|param_types| ErrorCause::MissingMandatoryParameter { param_types }),
        any::<u32>().prop_map(|staleness_us| ErrorCause::StaleCookie { staleness_us }),
        Just(ErrorCause::OutOfResource),
        bytes_strategy(20).prop_map(|address| ErrorCause::UnresolvableAddress { address }),
        bytes_strategy(20).prop_map(|chunk| ErrorCause::UnrecognizedChunkType { chunk }),
        Just(ErrorCause::InvalidMandatoryParameter),
        bytes_strategy(20).prop_map(|params| ErrorCause::UnrecognizedParameters { params }),
        any::<u32>().prop_map(|tsn| ErrorCause::NoUserData { tsn }),
        Just(ErrorCause::CookieReceivedWhileShuttingDown),
        bytes_strategy(20).prop_map(|addresses| ErrorCause::RestartWithNewAddresses { addresses }),
        bytes_strategy(20).prop_map(|reason| ErrorCause::UserInitiatedAbort { reason }),
        bytes_strategy(20).prop_map(|info| ErrorCause::ProtocolViolation { info }),
        (14u16.., bytes_strategy(20)).prop_map(|(code, info)| ErrorCause::Other { code, info }),
    ]
}

fn init_param_strategy() -> impl Strategy<Value = InitParam> {
    const KNOWN: [u16; 11] = [5, 6, 7, 8, 9, 11, 12, 0x8000, 0x8001, 0x8008, 0xc000];
    prop_oneof![
        any::<[u8; 4]>().prop_map(|a| InitParam::Ipv4Address(Ipv4Addr::from(a))),
        any::<[u8; 16]>().prop_map(|a| InitParam::Ipv6Address(Ipv6Addr::from(a))),
        bytes_strategy(64).prop_map(InitParam::StateCookie),
        bytes_strategy(16).prop_map(InitParam::UnrecognizedParameter),
        any::<u32>().prop_map(|increment_ms| InitParam::CookiePreservative { increment_ms }),
        bytes_strategy(16).prop_map(InitParam::HostName),
        proptest::collection::vec(any::<u16>(), 0..4).prop_map(InitParam::SupportedAddressTypes),
        Just(InitParam::EcnCapable),
        any::<u32>().prop_map(|edmid| InitParam::ZeroChecksumAcceptable { edmid }),
        proptest::collection::vec(any::<u8>(), 0..6).prop_map(InitParam::SupportedExtensions),
        Just(InitParam::ForwardTsnSupported),
        (
            any::<u16>().prop_filter("unknown type", |t| !KNOWN.contains(t)),
            bytes_strategy(16)
        )
            .prop_map(|(param_type, value)| InitParam::Unknown { param_type, value }),
    ]
}

fn reconfig_param_strategy() -> impl Strategy<Value = ReConfigParam> {
    let streams = || proptest::collection::vec(any::<u16>(), 0..7);
    prop_oneof![
        (any::<u32>(), any::<u32>(), any::<u32>(), streams()).prop_map(|(a, b, c, s)| {
            ReConfigParam::OutgoingSsnReset {
                request_seq: a,
                response_seq: b,
                last_assigned_tsn: c,
                streams: s,
            }
        }),
        (any::<u32>(), streams()).prop_map(|(a, s)| ReConfigParam::IncomingSsnReset {
            request_seq: a,
            streams: s
        }),
        any::<u32>().prop_map(|request_seq| ReConfigParam::SsnTsnReset { request_seq }),
        (
            any::<u32>(),
            any::<u32>(),
            proptest::option::of(any::<(u32, u32)>())
        )
            .prop_map(|(a, r, next_tsns)| ReConfigParam::Response {
                response_seq: a,
                result: ReConfigResult::from_value(r),
                next_tsns,
            }),
        (any::<u32>(), any::<u16>()).prop_map(|(request_seq, new_streams)| {
            ReConfigParam::AddOutgoingStreams {
                request_seq,
                new_streams,
            }
        }),
        (any::<u32>(), any::<u16>()).prop_map(|(request_seq, new_streams)| {
            ReConfigParam::AddIncomingStreams {
                request_seq,
                new_streams,
            }
        }),
        (19u16.., bytes_strategy(12))
            .prop_map(|(param_type, value)| ReConfigParam::Unknown { param_type, value }),
    ]
}

fn init_strategy() -> impl Strategy<Value = InitChunk> {
    (
        any::<(u32, u32, u16, u16, u32)>(),
        proptest::collection::vec(init_param_strategy(), 0..5),
    )
        .prop_map(|((tag, rwnd, os, mis, tsn), params)| InitChunk {
            initiate_tag: tag,
            a_rwnd: rwnd,
            outbound_streams: os,
            inbound_streams: mis,
            initial_tsn: tsn,
            params,
        })
}

fn chunk_strategy() -> impl Strategy<Value = Chunk> {
    const KNOWN: [u8; 17] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 64, 130, 192, 194];
    prop_oneof![
        (
            any::<(u32, u16, u16, u32)>(),
            any::<[bool; 4]>(),
            bytes_strategy(100)
        )
            .prop_map(|((tsn, stream_id, ssn, ppid), f, user_data)| Chunk::Data(
                DataChunk {
                    tsn,
                    stream_id,
                    ssn,
                    ppid,
                    unordered: f[0],
                    beginning: f[1],
                    ending: f[2],
                    immediate: f[3],
                    user_data,
                }
            )),
        (
            any::<(u32, u16, u32, u32)>(),
            any::<[bool; 4]>(),
            bytes_strategy(100)
        )
            .prop_map(
                |((tsn, stream_id, mid, ppid_or_fsn), f, user_data)| Chunk::IData(IDataChunk {
                    tsn,
                    stream_id,
                    mid,
                    ppid_or_fsn,
                    unordered: f[0],
                    beginning: f[1],
                    ending: f[2],
                    immediate: f[3],
                    user_data,
                })
            ),
        init_strategy().prop_map(Chunk::Init),
        init_strategy().prop_map(Chunk::InitAck),
        (
            any::<(u32, u32)>(),
            proptest::collection::vec(any::<(u16, u16)>(), 0..6),
            proptest::collection::vec(any::<u32>(), 0..6)
        )
            .prop_map(|((c, r), g, d)| Chunk::Sack(SackChunk {
                cumulative_tsn_ack: c,
                a_rwnd: r,
                gap_blocks: g
                    .into_iter()
                    .map(|(start, end)| GapAckBlock { start, end })
                    .collect(),
                duplicate_tsns: d,
            })),
        bytes_strategy(40).prop_map(|info| Chunk::Heartbeat { info }),
        bytes_strategy(40).prop_map(|info| Chunk::HeartbeatAck { info }),
        (
            any::<bool>(),
            proptest::collection::vec(cause_strategy(), 0..4)
        )
            .prop_map(|(reflected_tag, causes)| Chunk::Abort {
                reflected_tag,
                causes
            }),
        any::<u32>().prop_map(|cumulative_tsn_ack| Chunk::Shutdown { cumulative_tsn_ack }),
        Just(Chunk::ShutdownAck),
        proptest::collection::vec(cause_strategy(), 0..4)
            .prop_map(|causes| Chunk::Error { causes }),
        bytes_strategy(80).prop_map(|cookie| Chunk::CookieEcho { cookie }),
        Just(Chunk::CookieAck),
        any::<bool>().prop_map(|reflected_tag| Chunk::ShutdownComplete { reflected_tag }),
        proptest::collection::vec(reconfig_param_strategy(), 0..3)
            .prop_map(|params| Chunk::ReConfig(ReConfigChunk { params })),
        (
            any::<u32>(),
            proptest::collection::vec(any::<(u16, u16)>(), 0..5)
        )
            .prop_map(|(t, s)| {
                Chunk::ForwardTsn(ForwardTsnChunk {
                    new_cumulative_tsn: t,
                    streams: s
                        .into_iter()
                        .map(|(stream_id, ssn)| ForwardTsnStream { stream_id, ssn })
                        .collect(),
                })
            }),
        (
            any::<u32>(),
            proptest::collection::vec(any::<(u16, bool, u32)>(), 0..5)
        )
            .prop_map(|(t, s)| Chunk::IForwardTsn(IForwardTsnChunk {
                new_cumulative_tsn: t,
                streams: s
                    .into_iter()
                    .map(|(stream_id, unordered, mid)| IForwardTsnStream {
                        stream_id,
                        unordered,
                        mid
                    })
                    .collect(),
            })),
        // Unknown chunks that do not stop the packet, so that several round-trip in one.
        (0x80u8.., any::<u8>(), bytes_strategy(30))
            .prop_filter("unknown type", |(t, _, _)| !KNOWN.contains(t))
            .prop_map(|(chunk_type, flags, value)| Chunk::Unknown {
                chunk_type,
                flags,
                value
            }),
    ]
}

proptest! {
    #[test]
    fn packets_round_trip(
        chunks in proptest::collection::vec(chunk_strategy(), 0..6),
        ports in any::<(u16, u16, u32)>(),
        zero in any::<bool>(),
    ) {
        let packet = Packet {
            header: CommonHeader {
                source_port: ports.0,
                destination_port: ports.1,
                verification_tag: ports.2,
                checksum: 0,
            },
            chunks,
        };
        let bytes = packet.encode(zero).unwrap();
        prop_assert_eq!(bytes.len() % 4, 0);
        prop_assert!(verify_checksum(&bytes, zero));
        let mut decoded = Packet::decode(bytes.clone()).unwrap();
        prop_assert_eq!(decoded.header.checksum, if zero { 0 } else { checksum(&bytes) });
        decoded.header.checksum = 0;
        prop_assert_eq!(decoded, packet);
    }

    /// The stand-alone INIT chunk of SNAP (`a=sctp-init`) round-trips, is exactly the
    /// chunk's header and value (no trailing padding), and matches the chunk as it goes into
    /// a packet.
    #[test]
    fn snap_init_chunk_round_trips(init in init_strategy()) {
        let bytes = init.to_chunk_bytes().unwrap();
        prop_assert_eq!(usize::from(u16::from_be_bytes([bytes[2], bytes[3]])), bytes.len());
        prop_assert_eq!(InitChunk::from_chunk_bytes(&bytes).unwrap(), init.clone());
        let mut in_packet = BytesMut::new();
        Chunk::Init(init).encode(&mut in_packet).unwrap();
        prop_assert_eq!(&in_packet[..bytes.len()], &bytes[..]);
        prop_assert!(in_packet[bytes.len()..].iter().all(|&b| b == 0));
    }

    #[test]
    fn decode_never_panics(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let b = Bytes::from(data);
        let _ = Packet::decode(b.clone());
        let _ = verify_checksum(&b, true);
        for c in ChunkIter::new(b) {
            let _ = c;
        }
    }

    #[test]
    fn chunk_bodies_never_panic(ty in any::<u8>(), flags in any::<u8>(), data in proptest::collection::vec(any::<u8>(), 0..120)) {
        if let Ok(c) = Chunk::decode(ty, flags, Bytes::from(data)) {
            // Whatever decodes re-encodes.
            let mut out = BytesMut::new();
            c.encode(&mut out).unwrap();
            prop_assert_eq!(out.len(), c.encoded_len());
        }
    }
}
