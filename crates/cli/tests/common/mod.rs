//! Shared by the rtcpeer-cli tests: an in-process `rtcpeer serve` on 127.0.0.1:0, and a raw
//! HTTP GET.
#![allow(dead_code)]

use std::time::Duration;

use rtcpeer_cli::{ServeConfig, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A server on an ephemeral loopback port, and its offer URL.
pub async fn start(config: ServeConfig) -> (Server, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let server = Server::new(config);
    tokio::spawn(server.clone().run(listener, std::future::pending()));
    (server, format!("http://{addr}/offer"))
}

/// `GET path` over HTTP/1.0: the whole response, head and body.
pub async fn get(offer_url: &str, path: &str) -> String {
    let host = offer_url
        .trim_start_matches("http://")
        .trim_end_matches("/offer");
    let mut s = TcpStream::connect(host).await.expect("connect");
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_string(&mut out))
        .await
        .expect("response in time")
        .expect("read");
    out
}

/// Waits (at most `secs`) until `cond` holds.
pub async fn wait_until(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let give_up = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(tokio::time::Instant::now() < give_up, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
