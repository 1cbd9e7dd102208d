//! `rtcpeer serve` over HTTP: the demo page, bad input answered with a 4xx and the error JSON
//! (nothing crashes, nothing leaks), and concurrent offers all answered.

mod common;

use std::time::Duration;

use rtcpeer::{
    Interfaces, RtcConfiguration, RtcDataChannelInit, RtcIceGatheringState, RtcOfferOptions,
    RtcPeerConnection, RtcSdpType, RtcSessionDescriptionInit,
};
use rtcpeer_cli::ServeConfig;
use rtcpeer_cli::http::post_json;
use serde_json::Value;

const T: Duration = Duration::from_secs(10);

/// POSTs `body`; returns the status and the parsed JSON body.
async fn post(url: &str, body: &str) -> (u16, Value) {
    let r = post_json(url, body.to_owned(), T).await.expect("POST");
    let json = serde_json::from_str(&r.body)
        .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", r.body));
    (r.status, json)
}

fn assert_error(what: &str, (status, body): (u16, Value), name: &str) {
    assert!((400..500).contains(&status), "{what}: status {status}");
    assert_eq!(body["error"], name, "{what}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_page_is_served() {
    let (_server, url) = common::start(ServeConfig::default()).await;
    let page = common::get(&url, "/").await;
    assert!(
        page.starts_with("HTTP/1.0 200") || page.starts_with("HTTP/1.1 200"),
        "{page}"
    );
    assert!(page.contains("text/html"));
    assert!(page.contains("<script src=\"/demo.js\">"));
    let js = common::get(&url, "/demo.js").await;
    assert!(js.contains("text/javascript"));
    assert!(js.contains("fetch('/offer'"));
    let missing = common::get(&url, "/nothing").await;
    assert!(missing.contains(" 404 "), "{missing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_4xx_with_the_error_json() {
    let (server, url) = common::start(ServeConfig::default()).await;
    assert_error(
        "not JSON",
        post(&url, "this is not json").await,
        "SyntaxError",
    );
    assert_error(
        "truncated JSON",
        post(&url, r#"{"type":"offer","sdp":"#).await,
        "SyntaxError",
    );
    assert_error("an array", post(&url, "[1, 2, 3]").await, "TypeError");
    assert_error(
        "no sdp",
        post(&url, r#"{"type":"offer"}"#).await,
        "TypeError",
    );
    assert_error(
        "an answer",
        post(&url, r#"{"type":"answer","sdp":"v=0\r\n"}"#).await,
        "TypeError",
    );
    // SDP the stack rejects: the RtcError's name (an RTCError "sdp-syntax-error" is an
    // OperationError, webrtc-pc §4.4.1.6).
    assert_error(
        "garbage SDP",
        post(&url, r#"{"type":"offer","sdp":"garbage"}"#).await,
        "OperationError",
    );
    let empty = post(&url, r#"{"type":"offer","sdp":""}"#).await;
    let name = empty.1["error"].as_str().unwrap_or_default().to_owned();
    assert_error("empty SDP", empty, &name);
    let half =
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP\r\n";
    let body = serde_json::json!({"type": "offer", "sdp": half}).to_string();
    let bad_m = post(&url, &body).await;
    let name = bad_m.1["error"].as_str().unwrap_or_default().to_owned();
    assert_error("bad m-line", bad_m, &name);
    // The rejected offers' connections are gone, and the server still answers.
    assert_eq!(server.live_connections(), 0);
    let page = common::get(&url, "/").await;
    assert!(page.contains(" 200 "));
}

/// A client connection with a channel, its offer complete with candidates.
async fn offerer() -> (RtcPeerConnection, String) {
    let pc = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::LoopbackOnly)
        .build()
        .expect("pc");
    pc.create_data_channel("c", RtcDataChannelInit::default())
        .await
        .expect("channel");
    let offer = pc
        .create_offer(RtcOfferOptions::default())
        .await
        .expect("offer");
    pc.set_local_description(Some(offer.into()))
        .await
        .expect("sLD");
    common::wait_until("gathering complete", 10, || {
        pc.ice_gathering_state() == RtcIceGatheringState::Complete
    })
    .await;
    let sdp = pc
        .local_description()
        .expect("local description")
        .sdp()
        .to_owned();
    (pc, sdp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_concurrent_offers_are_all_answered() {
    let (server, url) = common::start(ServeConfig::default()).await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let (pc, offer) = offerer().await;
            let body = serde_json::json!({"type": "offer", "sdp": offer}).to_string();
            let (status, answer) = post(&url, &body).await;
            assert_eq!(status, 200, "{answer}");
            assert_eq!(answer["type"], "answer");
            let sdp = answer["sdp"].as_str().expect("sdp").to_owned();
            // Non-trickle: the answer holds the server's candidates.
            assert!(sdp.contains("a=candidate:"), "no candidate in {sdp}");
            assert!(sdp.contains("a=end-of-candidates") || sdp.contains("127.0.0.1"));
            pc.set_remote_description(RtcSessionDescriptionInit::new(RtcSdpType::Answer, sdp))
                .await
                .expect("sRD(answer)");
            pc
        }));
    }
    let mut pcs = Vec::new();
    for t in tasks {
        pcs.push(t.await.expect("task"));
    }
    assert_eq!(server.live_connections(), 10);
    for pc in &pcs {
        pc.close();
    }
    server.close_all();
    common::wait_until("all connections freed", 10, || {
        server.live_connections() == 0
    })
    .await;
}
