//! The five interop client tests (`rtcpeer connect`) against an in-process `rtcpeer serve`,
//! both sides rtcpeer, over 127.0.0.1: every test must pass, with the result line the harness
//! reads.

mod common;

use std::time::Duration;

use rtcpeer_cli::{ConnectOptions, ServeConfig, Test, run_test};

async fn passes(test: Test) {
    let (server, url) = common::start(ServeConfig::default()).await;
    let report = run_test(&url, test, &ConnectOptions::default()).await;
    let r = &report.result;
    assert!(r.ok, "{test} failed: {}\n{}", r.detail, report.diagnostics);
    assert_eq!(r.test, test.name());
    assert!(r.ms_to_open.is_some(), "ms_to_open missing");
    let line: serde_json::Value = serde_json::from_str(&r.to_json_line()).expect("JSON line");
    assert_eq!(line["test"], test.name());
    assert_eq!(line["ok"], true);
    assert!(line["ms_to_open"].is_u64());
    assert!(line["detail"].is_string());
    assert_eq!(line.get("mb_per_s").is_some(), test == Test::DcBulk);
    // The client closed its connection: the server frees its side.
    common::wait_until("the server frees the connection", 20, || {
        server.live_connections() == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dc_echo() {
    passes(Test::DcEcho).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dc_multi() {
    passes(Test::DcMulti).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dc_large() {
    passes(Test::DcLarge).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dc_bulk() {
    passes(Test::DcBulk).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close() {
    passes(Test::Close).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_fails_with_a_result_line() {
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    let options = ConnectOptions::new(rtcpeer::Interfaces::LoopbackOnly, Duration::from_secs(5));
    let report = run_test("http://127.0.0.1:9/offer", Test::DcEcho, &options).await;
    assert!(!report.result.ok);
    assert!(
        report.result.detail.contains("POST"),
        "{}",
        report.result.detail
    );
    assert!(
        report.diagnostics.offer.is_some(),
        "the offer is in the dump"
    );
    assert_eq!(report.result.ms_to_open, None);
}
