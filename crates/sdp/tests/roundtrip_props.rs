//! Property tests: for every value that follows the grammar, `parse(write(x)) == x`, for whole
//! session descriptions, single attributes and standalone candidates.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use rtcpeer_sdp::*;

const TOKEN: &str = "[A-Za-z0-9!#$%&'*+.^_`{|}~-]{1,10}";
const ICE: &str = "[A-Za-z0-9+/]{1,16}";
const NON_WS: &str = "[!-~]{1,12}";
const TEXT: &str = "[ -~éß漢]{0,16}";
/// Text that does not start with a space or tab (the parsers skip leading whitespace).
const TAIL: &str = "[!-~éß][ -~éß]{0,12}";

fn token() -> impl Strategy<Value = String> {
    TOKEN.prop_map(String::from)
}

/// A token that is none of `known`.
fn token_except(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    token().prop_filter("reserved name", move |t| !known.contains(&t.as_str()))
}

fn decimal() -> impl Strategy<Value = Decimal> {
    "[0-9]{1,4}(\\.[0-9]{1,3})?".prop_map(|s| s.parse().unwrap())
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::SendRecv),
        Just(Direction::SendOnly),
        Just(Direction::RecvOnly),
        Just(Direction::Inactive)
    ]
}

fn connection() -> impl Strategy<Value = Connection> {
    (
        prop_oneof![
            Just(NetworkType::In),
            token_except(&["IN"]).prop_map(NetworkType::Other)
        ],
        prop_oneof![
            Just(AddressType::Ip4),
            Just(AddressType::Ip6),
            token_except(&["IP4", "IP6"]).prop_map(AddressType::Other)
        ],
        NON_WS,
    )
        .prop_map(|(network_type, address_type, address)| Connection {
            network_type,
            address_type,
            address,
        })
}

fn fingerprint() -> impl Strategy<Value = Fingerprint> {
    let known = prop_oneof![
        Just(HashFunction::Sha1),
        Just(HashFunction::Sha224),
        Just(HashFunction::Sha256),
        Just(HashFunction::Sha384),
        Just(HashFunction::Sha512),
        Just(HashFunction::Md5),
        Just(HashFunction::Md2),
    ]
    .prop_flat_map(|h| {
        let len = h.digest_len().unwrap_or(1);
        (Just(h), vec(any::<u8>(), len))
    });
    let other = (
        token_except(&[
            "sha-1", "sha-224", "sha-256", "sha-384", "sha-512", "md5", "md2",
        ]),
        vec(any::<u8>(), 1..40),
    )
        .prop_map(|(n, v)| (HashFunction::Other(n), v));
    (prop_oneof![known, other], any::<bool>()).prop_map(|((hash_function, value), lowercase)| {
        // Letter case only shows when some hex digit is a letter.
        let has_letter = value.iter().any(|b| b >> 4 > 9 || b & 0xf > 9);
        Fingerprint {
            hash_function,
            value,
            lowercase: lowercase && has_letter,
        }
    })
}

fn candidate() -> impl Strategy<Value = Candidate> {
    let kind = prop_oneof![
        Just(CandidateType::Host),
        Just(CandidateType::ServerReflexive),
        Just(CandidateType::PeerReflexive),
        Just(CandidateType::Relay),
        token_except(&["host", "srflx", "prflx", "relay"]).prop_map(CandidateType::Other),
    ];
    let ext = prop_oneof![
        prop_oneof![
            Just(TcpType::Active),
            Just(TcpType::Passive),
            Just(TcpType::So)
        ]
        .prop_map(CandidateExtension::TcpType),
        any::<u32>().prop_map(CandidateExtension::Generation),
        ICE.prop_map(CandidateExtension::Ufrag),
        any::<u32>().prop_map(CandidateExtension::NetworkId),
        any::<u32>().prop_map(CandidateExtension::NetworkCost),
        (
            token_except(&[
                "raddr",
                "rport",
                "tcptype",
                "generation",
                "ufrag",
                "network-id",
                "network-cost"
            ]),
            NON_WS
        )
            .prop_map(|(name, value)| CandidateExtension::Other { name, value }),
    ];
    (
        (
            ICE,
            any::<u16>(),
            token(),
            any::<u32>(),
            NON_WS,
            any::<u16>(),
        ),
        (
            kind,
            option::of(NON_WS),
            option::of(any::<u16>()),
            vec(ext, 0..5),
        ),
    )
        .prop_map(
            |(
                (foundation, component, transport, priority, address, port),
                (candidate_type, related_address, related_port, extensions),
            )| Candidate {
                foundation,
                component,
                transport,
                priority,
                address,
                port,
                candidate_type,
                related_address,
                related_port,
                extensions,
            },
        )
}

fn rid() -> impl Strategy<Value = Rid> {
    let restriction = ("[A-Za-z0-9-]{1,8}", option::of("[ -:<-~]{0,8}"))
        .prop_filter("pt is the format list", |(n, _)| n != "pt")
        .prop_map(|(name, value)| RidRestriction { name, value });
    (
        "[A-Za-z0-9_-]{1,8}",
        prop_oneof![Just(RidDirection::Send), Just(RidDirection::Recv)],
        vec(0u8..=127, 0..4),
        vec(restriction, 0..4),
    )
        .prop_map(|(id, direction, payload_types, restrictions)| Rid {
            id,
            direction,
            payload_types,
            restrictions,
        })
}

fn simulcast() -> impl Strategy<Value = Simulcast> {
    let id =
        ("[A-Za-z0-9_-]{1,6}", any::<bool>()).prop_map(|(rid, paused)| SimulcastId { rid, paused });
    let streams = || vec(vec(id.clone(), 1..3), 0..3);
    (streams(), streams(), any::<bool>())
        .prop_filter("one direction at least", |(s, r, _)| {
            !s.is_empty() || !r.is_empty()
        })
        .prop_map(|(send, recv, first)| {
            let recv_first = match (send.is_empty(), recv.is_empty()) {
                (true, false) => true,
                (false, true) => false,
                _ => first,
            };
            Simulcast {
                send,
                recv,
                recv_first,
            }
        })
}

fn typed_attribute() -> impl Strategy<Value = Attribute> {
    let group = prop_oneof![
        (
            prop_oneof![
                Just(GroupSemantics::Bundle),
                Just(GroupSemantics::LipSync),
                Just(GroupSemantics::Fid),
                token_except(&["BUNDLE", "LS", "FID"]).prop_map(GroupSemantics::Other)
            ],
            vec(token(), 0..4)
        )
            .prop_map(|(semantics, mids)| Attribute::Group(Group { semantics, mids })),
        (any::<bool>(), token(), vec(token(), 0..3)).prop_map(
            |(leading_space, semantic, identifiers)| {
                Attribute::MsidSemantic(MsidSemantic {
                    leading_space,
                    semantic,
                    identifiers,
                })
            }
        ),
        token().prop_map(Attribute::Mid),
        (token(), option::of(token())).prop_map(|(stream_id, track_id)| Attribute::Msid(Msid {
            stream_id,
            track_id
        })),
    ];
    let ice = prop_oneof![
        ICE.prop_map(Attribute::IceUfrag),
        ICE.prop_map(Attribute::IcePwd),
        vec(token(), 1..4).prop_map(Attribute::IceOptions),
        Just(Attribute::IceLite),
        any::<u32>().prop_map(Attribute::IcePacing),
        candidate().prop_map(Attribute::Candidate),
        vec(
            (any::<u16>(), NON_WS, any::<u16>()).prop_map(|(component, address, port)| {
                RemoteCandidate {
                    component,
                    address,
                    port,
                }
            }),
            1..3
        )
        .prop_map(Attribute::RemoteCandidates),
        Just(Attribute::EndOfCandidates),
    ];
    let dtls = prop_oneof![
        fingerprint().prop_map(Attribute::Fingerprint),
        prop_oneof![
            Just(Setup::Active),
            Just(Setup::Passive),
            Just(Setup::ActPass),
            Just(Setup::HoldConn)
        ]
        .prop_map(Attribute::Setup),
        "[A-Za-z0-9+/_-]{1,24}".prop_map(Attribute::TlsId),
        prop_oneof![Just(ConnectionMode::New), Just(ConnectionMode::Existing)]
            .prop_map(Attribute::Connection),
        "[A-Za-z0-9+/=]{1,20}"
            .prop_flat_map(|assertion| (Just(assertion), vec(NON_WS, 0..3)))
            .prop_map(|(assertion, extensions)| Attribute::Identity(Identity {
                assertion,
                extensions
            })),
    ];
    let rtp = prop_oneof![
        (any::<u16>(), option::of(connection()))
            .prop_map(|(port, connection)| Attribute::Rtcp(Rtcp { port, connection })),
        Just(Attribute::RtcpMux),
        Just(Attribute::RtcpMuxOnly),
        Just(Attribute::RtcpRsize),
        (0u8..=127, token(), any::<u32>(), option::of(any::<u16>())).prop_map(
            |(payload_type, encoding_name, clock_rate, channels)| Attribute::RtpMap(RtpMap {
                payload_type,
                encoding_name,
                clock_rate,
                channels
            })
        ),
        (
            token(),
            prop_oneof![Just(String::new()), TAIL.prop_map(String::from)]
        )
            .prop_map(|(format, parameters)| Attribute::Fmtp(Fmtp { format, parameters })),
        (
            prop_oneof![
                Just(RtcpFbPayload::Any),
                (0u8..=127).prop_map(RtcpFbPayload::PayloadType)
            ],
            token(),
            option::of(TAIL)
        )
            .prop_map(
                |(payload, feedback_type, parameter)| Attribute::RtcpFb(RtcpFb {
                    payload,
                    feedback_type,
                    parameter
                })
            ),
        (
            prop_oneof![1u16..=255, 4096u16..=4351],
            option::of(direction()),
            NON_WS,
            option::of(TAIL)
        )
            .prop_map(
                |(id, direction, uri, attributes)| Attribute::Extmap(Extmap {
                    id,
                    direction,
                    uri,
                    attributes
                })
            ),
        Just(Attribute::ExtmapAllowMixed),
        (any::<u32>(), token(), option::of(TEXT)).prop_map(|(ssrc, attribute, value)| {
            Attribute::Ssrc(Ssrc {
                ssrc,
                attribute,
                value,
            })
        }),
        (
            prop_oneof![
                Just(SsrcGroupSemantics::Fid),
                Just(SsrcGroupSemantics::FecFr),
                Just(SsrcGroupSemantics::Fec),
                Just(SsrcGroupSemantics::Sim),
                token_except(&["FID", "FEC-FR", "FEC", "SIM"]).prop_map(SsrcGroupSemantics::Other)
            ],
            vec(any::<u32>(), 0..4)
        )
            .prop_map(|(semantics, ssrcs)| Attribute::SsrcGroup(SsrcGroup { semantics, ssrcs })),
        rid().prop_map(Attribute::Rid),
        simulcast().prop_map(Attribute::Simulcast),
    ];
    let misc = prop_oneof![
        any::<u16>().prop_map(Attribute::SctpPort),
        any::<u64>().prop_map(Attribute::MaxMessageSize),
        (any::<u16>(), token(), option::of(any::<u32>())).prop_map(|(port, protocol, streams)| {
            Attribute::SctpMap(SctpMap {
                port,
                protocol,
                streams,
            })
        }),
        direction().prop_map(Attribute::Direction),
        Just(Attribute::BundleOnly),
        decimal().prop_map(Attribute::Ptime),
        decimal().prop_map(Attribute::MaxPtime),
        decimal().prop_map(Attribute::Framerate),
        TEXT.prop_map(Attribute::Label),
        (
            token().prop_filter("typed", |n| !Attribute::is_typed_name(n)),
            option::of(TEXT)
        )
            .prop_map(|(name, value)| Attribute::Other { name, value }),
    ];
    prop_oneof![group, ice, dtls, rtp, misc]
}

/// An attribute-area line: typed, verbatim, or a line of a type not in `defined`.
fn area_line(defined: &'static str) -> impl Strategy<Value = Attribute> {
    let unknown = ("[A-Za-z]", TEXT)
        .prop_filter("defined type", move |(k, _)| !defined.contains(k.as_str()))
        .prop_map(|(k, text)| Attribute::UnknownLine {
            kind: k.chars().next().unwrap_or('x'),
            text,
        });
    prop_oneof![8 => typed_attribute(), 1 => unknown]
}

fn bandwidth() -> impl Strategy<Value = Bandwidth> {
    (token(), any::<u64>()).prop_map(|(bwtype, bandwidth)| Bandwidth { bwtype, bandwidth })
}

fn typed_time(min: u64) -> impl Strategy<Value = TypedTime> {
    (
        min..u64::MAX,
        option::of(prop_oneof![
            Just(TimeUnit::Days),
            Just(TimeUnit::Hours),
            Just(TimeUnit::Minutes),
            Just(TimeUnit::Seconds)
        ]),
    )
        .prop_map(|(value, unit)| TypedTime { value, unit })
}

fn time_description() -> impl Strategy<Value = TimeDescription> {
    let repeat = (typed_time(1), typed_time(0), vec(typed_time(0), 1..3)).prop_map(
        |(interval, duration, offsets)| RepeatTime {
            interval,
            duration,
            offsets,
        },
    );
    let zone = (any::<u64>(), any::<bool>(), typed_time(0)).prop_map(|(time, negative, offset)| {
        ZoneAdjustment {
            time,
            negative,
            offset,
        }
    });
    (
        any::<u64>(),
        any::<u64>(),
        vec(repeat, 0..2),
        vec(zone, 0..3),
    )
        .prop_map(|(start, stop, repeats, zone_adjustments)| TimeDescription {
            start,
            stop,
            repeats,
            zone_adjustments,
        })
}

fn media() -> impl Strategy<Value = MediaDescription> {
    let kind = prop_oneof![
        Just(MediaKind::Audio),
        Just(MediaKind::Video),
        Just(MediaKind::Application),
        Just(MediaKind::Text),
        Just(MediaKind::Message),
        Just(MediaKind::Image),
        token_except(&["audio", "video", "application", "text", "message", "image"])
            .prop_map(MediaKind::Other),
    ];
    (
        (
            kind,
            any::<u16>(),
            option::of(1u32..),
            vec(token(), 1..4),
            vec(token(), 0..5),
        ),
        (
            option::of(TEXT),
            vec(connection(), 0..2),
            vec(bandwidth(), 0..2),
            option::of(TEXT),
            vec(area_line("icbkam"), 0..12),
        ),
    )
        .prop_map(
            |(
                (kind, port, port_count, proto, formats),
                (title, connections, bandwidths, key, attributes),
            )| {
                MediaDescription {
                    kind,
                    port,
                    port_count,
                    protocol: proto.join("/"),
                    formats,
                    title,
                    connections,
                    bandwidths,
                    key,
                    attributes,
                }
            },
        )
}

fn session() -> impl Strategy<Value = SessionDescription> {
    let origin = (NON_WS, "[0-9]{1,20}", any::<u64>(), connection()).prop_map(
        |(username, session_id, session_version, c)| Origin {
            username,
            session_id,
            session_version,
            network_type: c.network_type,
            address_type: c.address_type,
            address: c.address,
        },
    );
    (
        (
            origin,
            TEXT,
            option::of(TEXT),
            option::of(TEXT),
            vec(TEXT, 0..2),
            vec(TEXT, 0..2),
        ),
        (
            option::of(connection()),
            vec(bandwidth(), 0..2),
            vec(time_description(), 1..3),
            option::of(TEXT),
            vec(area_line("vosiuepcbtrzkam"), 0..8),
            vec(media(), 0..4),
        ),
    )
        .prop_map(
            |(
                (origin, session_name, session_information, uri, emails, phones),
                (connection, bandwidths, times, key, attributes, media),
            )| SessionDescription {
                origin,
                session_name,
                session_information,
                uri,
                emails,
                phones,
                connection,
                bandwidths,
                times,
                key,
                attributes,
                media,
            },
        )
}

proptest! {
    #[test]
    fn session_round_trips(sd in session()) {
        let text = sd.to_string();
        let parsed = SessionDescription::parse(&text);
        prop_assert_eq!(parsed.as_ref(), Ok(&sd), "text:\n{}", text);
        // LF-only input is the same description.
        prop_assert_eq!(SessionDescription::parse(&text.replace("\r\n", "\n")), Ok(sd));
    }

    #[test]
    fn attribute_round_trips(a in typed_attribute()) {
        let line = a.to_string();
        prop_assert_eq!(line.parse::<Attribute>(), Ok(a), "line: {}", line);
    }

    #[test]
    fn candidate_round_trips(c in candidate()) {
        let text = c.to_string();
        prop_assert_eq!(text.parse::<Candidate>(), Ok(c.clone()));
        prop_assert_eq!(format!("a={text}\r\n").parse::<Candidate>(), Ok(c));
    }

    /// Arbitrary text never panics, and whatever parses writes back to an equal value.
    #[test]
    fn arbitrary_text_is_stable(text in "(([a-z]=[ -~]{0,30})?\r?\n){0,12}") {
        if let Ok(sd) = SessionDescription::parse(&text) {
            prop_assert_eq!(SessionDescription::parse(&sd.to_string()), Ok(sd));
        }
    }
}
