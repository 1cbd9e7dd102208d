//! `rtcpeer connect URL --test NAME`: the client role of the interop contract
//! (tests/interop/README.md, "Client"). One peer connection without ICE servers; the test's
//! channels are created before the offer; the offer is POSTed once ICE gathering is complete;
//! the answer is applied; once every channel is open the test runs (see [`crate::cases`]).
//! The result is one JSON line ([`TestResult`]); a hard timeout bounds the whole test, and a
//! connection that reaches `failed` fails it at once.

use std::time::{Duration, Instant};

use rtcpeer::{
    Event, EventStream, Interfaces, RtcConfiguration, RtcIceGatheringState, RtcOfferOptions,
    RtcPeerConnection, RtcPeerConnectionState, RtcSdpType, RtcSessionDescriptionInit,
};
use serde::Serialize;
use tokio::sync::watch;

use crate::cases::{self, Outcome, Test};
use crate::channel::{Channel, Failure};
use crate::diag::{Diagnostics, Recorder};
use crate::http;
use crate::serve::Description;

/// How the client runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// The local addresses to gather host candidates on.
    pub interfaces: Interfaces,
    /// The hard timeout of the whole test, from creating the connection.
    pub timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            interfaces: Interfaces::LoopbackOnly,
            timeout: Duration::from_secs(30),
        }
    }
}

impl ConnectOptions {
    /// Options with these interfaces and timeout.
    pub fn new(interfaces: Interfaces, timeout: Duration) -> Self {
        ConnectOptions {
            interfaces,
            timeout,
        }
    }
}

/// How long the client waits for its own ICE gathering.
const GATHER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the signaling POST may take.
const POST_TIMEOUT: Duration = Duration::from_secs(20);

/// The result line: `{"test":NAME,"ok":BOOL,"ms_to_open":INT|null,"detail":STRING}`, with
/// `"mb_per_s"` for `dc-bulk`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestResult {
    /// The test's name.
    pub test: String,
    /// Whether it passed.
    pub ok: bool,
    /// Milliseconds from creating the connection to all the test's channels open.
    pub ms_to_open: Option<u64>,
    /// What passed, or why it failed.
    pub detail: String,
    /// `dc-bulk`: MB/s from the first send to the last echo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mb_per_s: Option<f64>,
}

impl TestResult {
    /// A failed result of `test` with this detail.
    pub fn failed(test: &str, detail: impl Into<String>) -> Self {
        TestResult {
            test: test.to_owned(),
            ok: false,
            ms_to_open: None,
            detail: detail.into(),
            mb_per_s: None,
        }
    }

    /// The JSON line.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(r#"{{"test":"?","ok":false,"ms_to_open":null,"detail":"cannot write the result: {e}"}}"#)
        })
    }
}

/// A test's result and what the client saw (printed on stderr when it failed).
#[derive(Debug, Clone)]
pub struct Report {
    /// The result line.
    pub result: TestResult,
    /// The offer, the answer, the timed events and the final states.
    pub diagnostics: Diagnostics,
}

/// Runs `test` against the server whose offer URL is `url`.
pub async fn run_test(url: &str, test: Test, options: &ConnectOptions) -> Report {
    let started = Instant::now();
    let rec = Recorder::new(started);
    let mut diag = Diagnostics::default();
    let mut result = TestResult::failed(test.name(), "");
    let pc = match RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(options.interfaces.clone())
        .build()
    {
        Ok(pc) => pc,
        Err(e) => {
            result.detail = Failure::from(e).0;
            return Report {
                result,
                diagnostics: diag,
            };
        }
    };
    rec.watch(&pc);
    // Fail fast: a failed connection never recovers without an ICE restart.
    let (failed_tx, mut failed_rx) = watch::channel(false);
    pc.on_connection_state_change(Some(Box::new(move |e: &Event| {
        if let rtcpeer::EventKind::ConnectionStateChange(RtcPeerConnectionState::Failed) = e.kind()
        {
            failed_tx.send_replace(true);
        }
    })));
    let mut ms_to_open = None;
    let body = client(url, test, &pc, &rec, &mut diag, &mut ms_to_open, started);
    let failed = async {
        let _ = failed_rx.wait_for(|f| *f).await;
        Err(Failure::new("connectionState became failed"))
    };
    let outcome = tokio::time::timeout(options.timeout, async {
        tokio::select! {
            r = body => r,
            r = failed => r,
        }
    })
    .await
    .unwrap_or_else(|_| {
        Err(Failure(format!(
            "timeout after {} ms",
            options.timeout.as_millis()
        )))
    });
    result.ms_to_open = ms_to_open;
    match outcome {
        Ok(Outcome { detail, mb_per_s }) => {
            result.ok = true;
            result.detail = detail;
            result.mb_per_s = mb_per_s;
        }
        Err(Failure(detail)) => {
            result.detail = detail;
            diag.capture_states(&pc);
        }
    }
    diag.log = rec.lines();
    crate::capture::write(diag.offer.as_deref(), diag.answer.as_deref());
    pc.close();
    Report {
        result,
        diagnostics: diag,
    }
}

/// Signaling, then the test.
async fn client(
    url: &str,
    test: Test,
    pc: &RtcPeerConnection,
    rec: &Recorder,
    diag: &mut Diagnostics,
    ms_to_open: &mut Option<u64>,
    started: Instant,
) -> Result<Outcome, Failure> {
    let mut chans = Vec::new();
    for (label, init) in test.channels() {
        let dc = pc.create_data_channel(label, init).await?;
        rec.watch_channel(&dc);
        chans.push(Channel::new(dc));
    }
    let mut events = pc.events();
    let offer = pc.create_offer(RtcOfferOptions::default()).await?;
    pc.set_local_description(Some(offer.into())).await?;
    gathered(pc, &mut events).await?;
    drop(events);
    let offer = pc
        .local_description()
        .map(|d| d.sdp().to_owned())
        .ok_or_else(|| Failure::new("no local description after setLocalDescription"))?;
    diag.offer = Some(offer.clone());
    let body = serde_json::json!({ "type": "offer", "sdp": offer }).to_string();
    let reply = http::post_json(url, body, POST_TIMEOUT)
        .await
        .map_err(|e| Failure(e.to_string()))?;
    rec.rec(format!("POST {url} -> HTTP {}", reply.status));
    let head = |n: usize| reply.body.chars().take(n).collect::<String>();
    if reply.status != 200 {
        return Err(Failure(format!(
            "POST {url}: HTTP {}: {}",
            reply.status,
            head(500)
        )));
    }
    let answer: Description = serde_json::from_str(&reply.body)
        .map_err(|_| Failure(format!("POST {url}: not an answer: {}", head(200))))?;
    if answer.sdp_type != "answer" {
        return Err(Failure(format!("POST {url}: not an answer: {}", head(200))));
    }
    diag.answer = Some(answer.sdp.clone());
    pc.set_remote_description(RtcSessionDescriptionInit::new(
        RtcSdpType::Answer,
        answer.sdp,
    ))
    .await?;
    for ch in &mut chans {
        ch.wait_open().await?;
    }
    *ms_to_open = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    rec.rec("all channels open");
    cases::run(test, pc, &mut chans, rec).await
}

/// Waits until `iceGatheringState` is `complete`.
async fn gathered(pc: &RtcPeerConnection, events: &mut EventStream<Event>) -> Result<(), Failure> {
    let wait = async {
        while pc.ice_gathering_state() != RtcIceGatheringState::Complete {
            if events.recv().await.is_none() {
                return Err(Failure::new("the connection ended while gathering"));
            }
        }
        Ok(())
    };
    tokio::time::timeout(GATHER_TIMEOUT, wait)
        .await
        .unwrap_or_else(|_| {
            Err(Failure(format!(
                "ICE gathering not complete after {} ms (state {})",
                GATHER_TIMEOUT.as_millis(),
                pc.ice_gathering_state()
            )))
        })
}
