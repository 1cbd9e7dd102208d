//! Two peer connections of one process connected over loopback (127.0.0.1 only), with one
//! data channel open on both ends: what every `rtcpeer bench` part starts from.
//!
//! The offer/answer is exchanged in process, as an application's signaling would carry it:
//! either trickled ([`Signaling::Trickle`]: the descriptions go at once, each candidate follows
//! through `icecandidate` → `addIceCandidate`) or complete ([`Signaling::Gathered`]: each side
//! waits for `iceGatheringState` `complete` and sends its description with every candidate in
//! it). The open of each channel end is timed in its event handler, on the driver that fires
//! it, so the figure does not include a waiting task's wake-up.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use rtcpeer::{
    DataChannelEventType, Event, EventKind, EventStream, Interfaces, RtcCertificate,
    RtcConfiguration, RtcDataChannel, RtcDataChannelInit, RtcDataChannelState, RtcIceCandidateInit,
    RtcIceGatheringState, RtcPeerConnection, RtcSessionDescriptionInit,
};
use tokio::sync::{mpsc, oneshot};

use super::BenchError;

/// The longest a pair may take to connect before the bench gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How often a channel's `readyState` is re-read when its `open` event may have been missed.
const READY_STATE_POLL: Duration = Duration::from_millis(1);

/// How the two peers exchange their descriptions and candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Signaling {
    /// Descriptions at once, candidates trickled as they are gathered.
    #[default]
    Trickle,
    /// Each description once gathering is complete, with its candidates (non-trickle).
    Gathered,
}

impl Signaling {
    /// The name used in the table and the JSON: `trickle` or `gathered`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Signaling::Trickle => "trickle",
            Signaling::Gathered => "gathered",
        }
    }
}

/// Two connected peer connections and their channel's two ends.
#[derive(Debug)]
pub(crate) struct Pair {
    /// The offerer.
    pub(crate) a: RtcPeerConnection,
    /// The answerer.
    pub(crate) b: RtcPeerConnection,
    /// The channel the offerer created.
    pub(crate) a_channel: RtcDataChannel,
    /// Its end at the answerer (from `datachannel`).
    pub(crate) b_channel: RtcDataChannel,
    /// When the later of the two ends fired `open`.
    pub(crate) open_at: Instant,
}

impl Pair {
    /// Closes both connections.
    pub(crate) fn close(&self) {
        self.a.close();
        self.b.close();
    }
}

fn rtc(what: &'static str) -> impl Fn(rtcpeer::RtcError) -> BenchError {
    move |e| BenchError::Rtc(format!("{what}: {}: {}", e.name(), e.message()))
}

/// A connection gathering on 127.0.0.1 only, with `certificate` or a new one.
pub(crate) fn peer(certificate: Option<&RtcCertificate>) -> Result<RtcPeerConnection, BenchError> {
    let mut builder = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::Addresses(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]));
    if let Some(c) = certificate {
        builder = builder.certificate(c.clone());
    }
    builder.build().map_err(rtc("build"))
}

/// Forwards every candidate `from` gathers into a queue (the end-of-candidates mark is not
/// needed by the remote and is left out).
fn trickle_out(from: &RtcPeerConnection) -> mpsc::UnboundedReceiver<RtcIceCandidateInit> {
    let (tx, rx) = mpsc::unbounded_channel();
    from.on_ice_candidate(Some(Box::new(move |e: &Event| {
        if let EventKind::IceCandidate(c) = e.kind()
            && let Some(init) = &c.candidate
        {
            let _ = tx.send(init.clone());
        }
    })));
    rx
}

/// Applies every candidate of `rx` to `to` until the queue ends or `to` is closed.
async fn trickle_in(to: RtcPeerConnection, mut rx: mpsc::UnboundedReceiver<RtcIceCandidateInit>) {
    while let Some(c) = rx.recv().await {
        if to.add_ice_candidate(c).await.is_err() {
            break;
        }
    }
}

/// Waits until `pc`'s gathering is complete.
async fn gathered(pc: &RtcPeerConnection, events: &mut EventStream<Event>) {
    while pc.ice_gathering_state() != RtcIceGatheringState::Complete {
        if events.recv().await.is_none() {
            return;
        }
    }
}

/// The local description `pc` would send now.
fn local(pc: &RtcPeerConnection) -> Result<RtcSessionDescriptionInit, BenchError> {
    pc.local_description()
        .map(Into::into)
        .ok_or_else(|| BenchError::Rtc("no local description after setLocalDescription".into()))
}

/// Sends the instant of the first `open` of `channel` on `tx`; the `readyState` is checked
/// first, for a channel already open when handed over.
fn time_open(channel: &RtcDataChannel, tx: oneshot::Sender<Instant>) {
    if channel.ready_state() == RtcDataChannelState::Open {
        let _ = tx.send(Instant::now());
        return;
    }
    let mut tx = Some(tx);
    channel.add_event_listener(
        DataChannelEventType::Open,
        Box::new(move |_| {
            if let Some(tx) = tx.take() {
                let _ = tx.send(Instant::now());
            }
        }),
    );
}

/// Waits for the instant sent by [`time_open`]; a listener registered after the event fired
/// never sends, so the `readyState` is polled too (the instant is then the poll's).
async fn wait_open(channel: &RtcDataChannel, mut rx: oneshot::Receiver<Instant>) -> Instant {
    loop {
        match tokio::time::timeout(READY_STATE_POLL, &mut rx).await {
            Ok(Ok(at)) => return at,
            Ok(Err(_)) | Err(_) => {
                if channel.ready_state() == RtcDataChannelState::Open {
                    return Instant::now();
                }
                if channel.ready_state() == RtcDataChannelState::Closed {
                    // Reported by the caller as a failure to open.
                    return Instant::now();
                }
            }
        }
    }
}

/// Builds and connects a pair; `certificate` is shared by both (None: each generates its own).
pub(crate) async fn connect(
    certificate: Option<&RtcCertificate>,
    signaling: Signaling,
) -> Result<Pair, BenchError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, connect_inner(certificate, signaling)).await {
        Ok(r) => r,
        Err(_) => Err(BenchError::Timeout("a pair did not connect")),
    }
}

async fn connect_inner(
    certificate: Option<&RtcCertificate>,
    signaling: Signaling,
) -> Result<Pair, BenchError> {
    let a = peer(certificate)?;
    let b = peer(certificate)?;
    let (a_open_tx, a_open_rx) = oneshot::channel();
    let a_channel = a
        .create_data_channel("bench", RtcDataChannelInit::default())
        .await
        .map_err(rtc("createDataChannel"))?;
    time_open(&a_channel, a_open_tx);
    let (b_tx, mut b_rx) = mpsc::unbounded_channel();
    b.on_data_channel(Some(Box::new(move |e: &Event| {
        if let EventKind::DataChannel(c) = e.kind() {
            let (tx, rx) = oneshot::channel();
            time_open(c, tx);
            let _ = b_tx.send((c.clone(), rx));
        }
    })));
    let forwarders = match signaling {
        Signaling::Trickle => {
            let (a_out, b_out) = (trickle_out(&a), trickle_out(&b));
            let offer = a
                .create_offer(Default::default())
                .await
                .map_err(rtc("createOffer"))?;
            a.set_local_description(Some(offer.clone().into()))
                .await
                .map_err(rtc("setLocalDescription(offer)"))?;
            b.set_remote_description(offer)
                .await
                .map_err(rtc("setRemoteDescription(offer)"))?;
            // b may apply a's candidates from now on.
            let to_b = tokio::spawn(trickle_in(b.clone(), a_out));
            let answer = b.create_answer().await.map_err(rtc("createAnswer"))?;
            b.set_local_description(Some(answer.clone().into()))
                .await
                .map_err(rtc("setLocalDescription(answer)"))?;
            a.set_remote_description(answer)
                .await
                .map_err(rtc("setRemoteDescription(answer)"))?;
            let to_a = tokio::spawn(trickle_in(a.clone(), b_out));
            Some((to_a, to_b))
        }
        Signaling::Gathered => {
            let (mut a_events, mut b_events) = (a.events(), b.events());
            let offer = a
                .create_offer(Default::default())
                .await
                .map_err(rtc("createOffer"))?;
            a.set_local_description(Some(offer.into()))
                .await
                .map_err(rtc("setLocalDescription(offer)"))?;
            gathered(&a, &mut a_events).await;
            b.set_remote_description(local(&a)?)
                .await
                .map_err(rtc("setRemoteDescription(offer)"))?;
            let answer = b.create_answer().await.map_err(rtc("createAnswer"))?;
            b.set_local_description(Some(answer.into()))
                .await
                .map_err(rtc("setLocalDescription(answer)"))?;
            gathered(&b, &mut b_events).await;
            a.set_remote_description(local(&b)?)
                .await
                .map_err(rtc("setRemoteDescription(answer)"))?;
            None
        }
    };
    let a_open = wait_open(&a_channel, a_open_rx).await;
    let (b_channel, b_open_rx) = b_rx.recv().await.ok_or(BenchError::Rtc(
        "the answerer ended before datachannel".into(),
    ))?;
    let b_open = wait_open(&b_channel, b_open_rx).await;
    if let Some((to_a, to_b)) = forwarders {
        to_a.abort();
        to_b.abort();
    }
    for c in [&a_channel, &b_channel] {
        if c.ready_state() != RtcDataChannelState::Open {
            return Err(BenchError::Rtc(format!(
                "channel end closed before open (readyState {})",
                c.ready_state()
            )));
        }
    }
    Ok(Pair {
        a,
        b,
        a_channel,
        b_channel,
        open_at: a_open.max(b_open),
    })
}

/// Waits (at most 2 s) until no driver task of this process is left, so that one
/// measurement does not pay for the closing of the previous one.
pub(crate) async fn drained() {
    let give_up = Instant::now() + Duration::from_secs(2);
    while rtcpeer::live_driver_tasks() > 0 && Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
