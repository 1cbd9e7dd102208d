//! The five client tests of the interop contract (tests/interop/README.md, "The tests"), the
//! same channels, options, payloads, sequencing and checks as `node/peer.js` and
//! `aiortc_peer.py`: `dc-echo`, `dc-multi`, `dc-large`, `dc-bulk` and `close`.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer::{
    DataChannelMessage, RtcDataChannelInit, RtcDataChannelState, RtcPeerConnection,
    RtcPeerConnectionState,
};

use crate::channel::{Channel, Failure, check_multiset, check_sequence, describe};
use crate::diag::Recorder;
use crate::payload::{echo_size, payload, text};

/// One of the five interop tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Test {
    /// `dc-echo`: 101 messages of 1 B to 64 KiB on one reliable ordered channel.
    DcEcho,
    /// `dc-multi`: six channels with different options, 20 messages each, interleaved.
    DcMulti,
    /// `dc-large`: one 256 KiB message.
    DcLarge,
    /// `dc-bulk`: 8 MiB in 16 KiB messages under `bufferedAmount` flow control.
    DcBulk,
    /// `close`: closing a channel closes the remote side; the association keeps working.
    Close,
}

impl Test {
    /// Every test, in the harness's order.
    pub const ALL: [Test; 5] = [
        Test::DcEcho,
        Test::DcMulti,
        Test::DcLarge,
        Test::DcBulk,
        Test::Close,
    ];

    /// The test's name on the command line and in the result line.
    pub const fn name(self) -> &'static str {
        match self {
            Test::DcEcho => "dc-echo",
            Test::DcMulti => "dc-multi",
            Test::DcLarge => "dc-large",
            Test::DcBulk => "dc-bulk",
            Test::Close => "close",
        }
    }

    /// The channels the test creates before the offer: label and options.
    pub fn channels(self) -> Vec<(&'static str, RtcDataChannelInit)> {
        let init = |f: fn(&mut RtcDataChannelInit)| {
            let mut i = RtcDataChannelInit::default();
            f(&mut i);
            i
        };
        match self {
            Test::DcEcho | Test::DcLarge | Test::DcBulk | Test::Close => {
                vec![(self.name(), RtcDataChannelInit::default())]
            }
            Test::DcMulti => vec![
                ("ordered", RtcDataChannelInit::default()),
                ("unordered", init(|i| i.ordered = false)),
                (
                    "max-retransmits-0",
                    init(|i| {
                        i.ordered = false;
                        i.max_retransmits = Some(0);
                    }),
                ),
                (
                    "max-packet-lifetime-100",
                    init(|i| i.max_packet_life_time = Some(100)),
                ),
                (
                    "negotiated",
                    init(|i| {
                        i.negotiated = true;
                        i.id = Some(42);
                    }),
                ),
                (
                    "\u{fc}nicode-\u{3bb}",
                    init(|i| i.protocol = "interop.v1".to_owned()),
                ),
            ],
        }
    }
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A test name that is not one of [`Test::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown test {0}; known: dc-echo, dc-multi, dc-large, dc-bulk, close")]
pub struct UnknownTest(pub String);

impl FromStr for Test {
    type Err = UnknownTest;
    fn from_str(s: &str) -> Result<Self, UnknownTest> {
        Test::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| UnknownTest(s.to_owned()))
    }
}

/// What a passing test reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The result line's `detail`.
    pub detail: String,
    /// `dc-bulk`'s throughput.
    pub mb_per_s: Option<f64>,
}

impl Outcome {
    fn detail(detail: String) -> Self {
        Outcome {
            detail,
            mb_per_s: None,
        }
    }
}

/// Runs `test` on its open channels (in [`Test::channels`] order).
pub(crate) async fn run(
    test: Test,
    pc: &RtcPeerConnection,
    chans: &mut [Channel],
    rec: &Recorder,
) -> Result<Outcome, Failure> {
    let [first, ..] = chans else {
        return Err(Failure::new("no channel"));
    };
    match test {
        Test::DcEcho => dc_echo(first).await,
        Test::DcMulti => dc_multi(chans).await,
        Test::DcLarge => dc_large(first).await,
        Test::DcBulk => dc_bulk(first).await,
        Test::Close => close(pc, first, rec).await,
    }
}

fn bin(seed: u64, n: usize) -> DataChannelMessage {
    DataChannelMessage::Binary(Bytes::from(payload(seed, n)))
}

fn txt(seed: u64, n: usize) -> DataChannelMessage {
    DataChannelMessage::Text(text(seed, n))
}

async fn dc_echo(ch: &mut Channel) -> Result<Outcome, Failure> {
    let mut sent = Vec::with_capacity(101);
    for i in 0..50 {
        sent.push(txt(i, echo_size(i)));
        sent.push(bin(1000 + i, echo_size(i)));
    }
    sent.push(bin(2000, 65_536));
    let start = Instant::now();
    for m in &sent {
        ch.dc.send(m.clone())?;
    }
    ch.until(sent.len()).await?;
    check_sequence("dc-echo", &sent, &ch.got)?;
    Ok(Outcome::detail(format!(
        "101 messages (50 text, 50 binary of 1..16384 B, 1 binary of 65536 B) echoed intact \
         and in order in {} ms",
        start.elapsed().as_millis()
    )))
}

/// `null` or the number, as the other peers print W3C nullable attributes.
fn nullable(v: Option<u16>) -> String {
    v.map_or_else(|| "null".to_owned(), |v| v.to_string())
}

/// The attributes a `dc-multi` channel must have.
struct Expected {
    ordered: bool,
    max_retransmits: Option<u16>,
    max_packet_life_time: Option<u16>,
    protocol: &'static str,
    /// The negotiated channel's id.
    negotiated_id: Option<u16>,
}

impl Expected {
    const fn new(ordered: bool) -> Self {
        Expected {
            ordered,
            max_retransmits: None,
            max_packet_life_time: None,
            protocol: "",
            negotiated_id: None,
        }
    }
}

/// The expected attributes of the six `dc-multi` channels, in [`Test::channels`] order.
const MULTI_EXPECT: [Expected; 6] = [
    Expected::new(true),
    Expected::new(false),
    Expected {
        max_retransmits: Some(0),
        ..Expected::new(false)
    },
    Expected {
        max_packet_life_time: Some(100),
        ..Expected::new(true)
    },
    Expected {
        negotiated_id: Some(42),
        ..Expected::new(true)
    },
    Expected {
        protocol: "interop.v1",
        ..Expected::new(true)
    },
];

fn check_multi_properties(chans: &[Channel]) -> Result<(), Failure> {
    for (ch, want) in chans.iter().zip(&MULTI_EXPECT) {
        let dc = &ch.dc;
        let wrong = |what: &str, is: String, expected: String| {
            Err(Failure(format!(
                "channel \"{}\": {what} is {is}, expected {expected}",
                dc.label()
            )))
        };
        if dc.ordered() != want.ordered {
            return wrong(
                "ordered",
                dc.ordered().to_string(),
                want.ordered.to_string(),
            );
        }
        if dc.max_retransmits() != want.max_retransmits {
            return wrong(
                "maxRetransmits",
                nullable(dc.max_retransmits()),
                nullable(want.max_retransmits),
            );
        }
        if dc.max_packet_life_time() != want.max_packet_life_time {
            return wrong(
                "maxPacketLifeTime",
                nullable(dc.max_packet_life_time()),
                nullable(want.max_packet_life_time),
            );
        }
        if dc.protocol() != want.protocol {
            return wrong(
                "protocol",
                dc.protocol().to_owned(),
                want.protocol.to_owned(),
            );
        }
        if let Some(id) = want.negotiated_id {
            if dc.id() != Some(id) {
                return wrong("id", nullable(dc.id()), id.to_string());
            }
            if !dc.negotiated() {
                return wrong("negotiated", "false".to_owned(), "true".to_owned());
            }
        }
    }
    Ok(())
}

async fn dc_multi(chans: &mut [Channel]) -> Result<Outcome, Failure> {
    if chans.len() != MULTI_EXPECT.len() {
        return Err(Failure(format!(
            "dc-multi: {} channels, expected 6",
            chans.len()
        )));
    }
    check_multi_properties(chans)?;
    let sent: Vec<Vec<DataChannelMessage>> = (0..chans.len() as u64)
        .map(|c| {
            let mut msgs: Vec<DataChannelMessage> = (0..18u64)
                .map(|k| {
                    let (seed, n) = (100 * (c + 1) + k, (1 + 50 * k) as usize);
                    if k % 2 == 0 {
                        txt(seed, n)
                    } else {
                        bin(seed, n)
                    }
                })
                .collect();
            msgs.push(DataChannelMessage::Text(String::new()));
            msgs.push(DataChannelMessage::Binary(Bytes::new()));
            msgs
        })
        .collect();
    // Interleave the sends across the channels so that all are in flight at once.
    for k in 0..20 {
        for (ch, msgs) in chans.iter().zip(&sent) {
            if let Some(m) = msgs.get(k) {
                ch.dc.send(m.clone())?;
            }
        }
    }
    for (ch, msgs) in chans.iter_mut().zip(&sent) {
        ch.until(msgs.len()).await?;
    }
    for (ch, msgs) in chans.iter().zip(&sent) {
        let label = format!("dc-multi \"{}\"", ch.dc.label());
        if ch.dc.ordered() {
            check_sequence(&label, msgs, &ch.got)?;
        } else {
            check_multiset(&label, msgs, &ch.got)?;
        }
    }
    Ok(Outcome::detail(
        "6 channels (ordered, unordered, maxRetransmits 0, maxPacketLifeTime 100, negotiated id \
         42, protocol+UTF-8 label) x 20 messages echoed"
            .to_owned(),
    ))
}

async fn dc_large(ch: &mut Channel) -> Result<Outcome, Failure> {
    let msg = bin(3000, 262_144);
    let start = Instant::now();
    ch.dc.send(msg.clone())?;
    ch.until(1).await?;
    check_sequence("dc-large", &[msg], &ch.got)?;
    Ok(Outcome::detail(format!(
        "one 262144 B binary message echoed intact in {} ms",
        start.elapsed().as_millis()
    )))
}

async fn dc_bulk(ch: &mut Channel) -> Result<Outcome, Failure> {
    const N: u64 = 512;
    const SIZE: usize = 16_384;
    const LOW: u64 = 256 * 1024;
    const HIGH: u64 = 1024 * 1024;
    ch.dc.set_buffered_amount_low_threshold(LOW);
    let start = Instant::now();
    let mut sent = 0;
    // bufferedAmount as the W3C API would have it right after send(): the published
    // snapshot plus what was sent since it was read.
    let mut buffered = ch.dc.buffered_amount();
    while sent < N {
        while sent < N && buffered <= HIGH {
            ch.dc.send(Bytes::from(payload(sent, SIZE)))?;
            sent += 1;
            buffered += SIZE as u64;
        }
        if sent < N {
            ch.wait_buffered_low(Duration::from_millis(20)).await?;
            buffered = ch.dc.buffered_amount();
        }
    }
    ch.until(N as usize).await?;
    let secs = start.elapsed().as_secs_f64();
    for (i, m) in (0..N).zip(&ch.got) {
        let ok = matches!(m, DataChannelMessage::Binary(b) if b.len() == SIZE && b[..] == payload(i, SIZE)[..]);
        if !ok {
            return Err(Failure(format!(
                "dc-bulk: echo #{i} differs: got {}",
                describe(Some(m))
            )));
        }
    }
    if ch.got.len() as u64 != N {
        return Err(Failure(format!(
            "dc-bulk: {} extra messages",
            ch.got.len() as u64 - N
        )));
    }
    let mbps = ((N as f64 * SIZE as f64) / 1e6 / secs * 100.0).round() / 100.0;
    Ok(Outcome {
        detail: format!(
            "8388608 B in 512 x 16384 B messages echoed in order in {} ms: {mbps} MB/s",
            (secs * 1000.0).round()
        ),
        mb_per_s: Some(mbps),
    })
}

async fn close(
    pc: &RtcPeerConnection,
    ch: &mut Channel,
    rec: &Recorder,
) -> Result<Outcome, Failure> {
    let before = DataChannelMessage::Text("before-close".to_owned());
    ch.dc.send(before.clone())?;
    ch.until(1).await?;
    check_sequence("close", &[before], &ch.got)?;
    let start = Instant::now();
    ch.dc.close();
    ch.wait_close().await?;
    let close_ms = start.elapsed().as_millis();
    if ch.dc.ready_state() != RtcDataChannelState::Closed {
        return Err(Failure(format!(
            "close: readyState {} after close event",
            ch.dc.ready_state()
        )));
    }
    // The association must still work: a new channel opens and echoes.
    let dc2 = pc
        .create_data_channel("after-close", RtcDataChannelInit::default())
        .await?;
    rec.watch_channel(&dc2);
    let mut ch2 = Channel::new(dc2);
    ch2.wait_open().await?;
    let after = DataChannelMessage::Text("after-close".to_owned());
    ch2.dc.send(after.clone())?;
    ch2.until(1).await?;
    check_sequence("close/after-close", &[after], &ch2.got)?;
    if pc.connection_state() != RtcPeerConnectionState::Connected {
        return Err(Failure(format!(
            "close: connectionState {}",
            pc.connection_state()
        )));
    }
    Ok(Outcome::detail(format!(
        "channel closed on both sides {close_ms} ms after close(); a new channel then opened \
         and echoed"
    )))
}
