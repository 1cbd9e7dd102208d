//! The signaling client of `rtcpeer connect`: one HTTP/1.1 `POST` of a JSON body over a fresh
//! TCP connection (hyper's client connection, no pool), returning the status and the body; and
//! [`post_offer`], the whole offer/answer exchange with `rtcpeer serve` for applications.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::Uri;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use rtcpeer::{RtcSdpType, RtcSessionDescription, RtcSessionDescriptionInit};
use tokio::net::TcpStream;

/// The largest response body read (an answer SDP is a few KiB).
const MAX_BODY: usize = 1 << 20;
/// How long [`post_offer`] waits for the answer.
const OFFER_TIMEOUT: Duration = Duration::from_secs(15);

/// What went wrong with a `POST`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostError {
    /// The URL is not an `http://host[:port]/path` URL.
    #[error("bad URL {0}: {1}")]
    Url(String, String),
    /// Connecting, sending or receiving failed.
    #[error("POST {0}: {1}")]
    Io(String, String),
    /// No complete response in time.
    #[error("POST {0}: no response within {1:?}")]
    Timeout(String, Duration),
    /// The server answered with an error status (its body says why).
    #[error("POST {0}: status {1}: {2}")]
    Status(String, u16, String),
    /// The server's answer is not `{"type":"answer","sdp":"..."}`.
    #[error("POST {0}: not an answer: {1}")]
    NotAnAnswer(String, String),
}

/// A response: the status code and the body as text (lossy UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The body.
    pub body: String,
}

/// `POST url` with this JSON body, within `timeout`.
pub async fn post_json(url: &str, body: String, timeout: Duration) -> Result<Response, PostError> {
    match tokio::time::timeout(timeout, post(url, body)).await {
        Ok(r) => r,
        Err(_) => Err(PostError::Timeout(url.to_owned(), timeout)),
    }
}

/// Signaling with `rtcpeer serve` (non-trickle): `POST url` with `offer` (the local
/// description, once ICE gathering is complete) as `{"type":"offer","sdp":"..."}`, and returns
/// the server's answer, ready for `set_remote_description`.
pub async fn post_offer(
    url: &str,
    offer: &RtcSessionDescription,
) -> Result<RtcSessionDescriptionInit, PostError> {
    let body =
        serde_json::to_string(offer).map_err(|e| PostError::Io(url.to_owned(), e.to_string()))?;
    let response = post_json(url, body, OFFER_TIMEOUT).await?;
    if !(200..300).contains(&response.status) {
        return Err(PostError::Status(
            url.to_owned(),
            response.status,
            response.body,
        ));
    }
    let not_answer = |why: String| PostError::NotAnAnswer(url.to_owned(), why);
    let answer: RtcSessionDescriptionInit =
        serde_json::from_str(&response.body).map_err(|e| not_answer(e.to_string()))?;
    if answer.sdp_type != RtcSdpType::Answer {
        return Err(not_answer(format!("type {}", answer.sdp_type)));
    }
    Ok(answer)
}

async fn post(url: &str, body: String) -> Result<Response, PostError> {
    let bad_url = |why: &str| PostError::Url(url.to_owned(), why.to_owned());
    let io = |e: &dyn std::fmt::Display| PostError::Io(url.to_owned(), e.to_string());
    let uri: Uri = url
        .parse()
        .map_err(|e: hyper::http::uri::InvalidUri| bad_url(&e.to_string()))?;
    if uri.scheme_str() != Some("http") {
        return Err(bad_url("only http:// URLs are supported"));
    }
    let authority = uri.authority().ok_or_else(|| bad_url("no host"))?.clone();
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port = authority.port_u16().unwrap_or(80);
    let stream = TcpStream::connect((host, port)).await.map_err(|e| io(&e))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| io(&e))?;
    // The connection future drives the socket; it ends when the exchange is over.
    let driver = tokio::spawn(connection);
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let request = Request::post(path)
        .header(HOST, authority.as_str())
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| io(&e))?;
    let response = sender.send_request(request).await.map_err(|e| io(&e))?;
    let status = response.status().as_u16();
    let limited = http_body_util::Limited::new(response.into_body(), MAX_BODY);
    let bytes = limited.collect().await.map_err(|e| io(&e))?.to_bytes();
    drop(sender);
    driver.abort();
    Ok(Response {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}
