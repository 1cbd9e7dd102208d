//! `rtcpeer serve`: the HTTP side of the echo server (tests/interop/README.md, "Server").
//!
//! - `GET /` (and `/demo.js`): the demo page, embedded in the binary.
//! - `POST /offer` with `{"type":"offer","sdp":"..."}` answers `{"type":"answer","sdp":"..."}`
//!   once ICE gathering is complete (non-trickle), one peer connection per offer (see
//!   [`crate::session`] for what each connection does).
//! - Bad input gets a 4xx with `{"error": NAME, "message": TEXT}`: `SyntaxError` for a body that
//!   is not JSON, `TypeError` for JSON that is not an offer, and the `RtcError`'s DOMException
//!   name for SDP the stack rejects.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rtcpeer::{Interfaces, RtcError};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::session;

/// The demo page served at `/`.
const DEMO_HTML: &str = include_str!("demo.html");
/// The demo page's script, served at `/demo.js`.
const DEMO_JS: &str = include_str!("demo.js");

/// How the server builds and keeps its connections.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeConfig {
    /// The local addresses each connection gathers host candidates on.
    pub interfaces: Interfaces,
    /// How long an offer may wait for ICE gathering to complete before it fails with 500.
    pub gather_timeout: Duration,
    /// A connection that is not `connected` this long after its answer is freed.
    pub connect_timeout: Duration,
    /// A connection `disconnected` this long is freed (the client went away).
    pub disconnected_grace: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            interfaces: Interfaces::LoopbackOnly,
            gather_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(30),
            disconnected_grace: Duration::from_secs(5),
        }
    }
}

impl ServeConfig {
    /// The default configuration with these interfaces.
    pub fn with_interfaces(interfaces: Interfaces) -> Self {
        ServeConfig {
            interfaces,
            ..Self::default()
        }
    }
}

/// What the handlers share: the configuration, the connection counters and the shutdown
/// signal that every connection's watcher listens to.
#[derive(Debug)]
pub(crate) struct ServerState {
    pub(crate) config: ServeConfig,
    next_id: AtomicU64,
    pub(crate) live: Arc<AtomicUsize>,
    /// Set to `true` to close every connection.
    pub(crate) shutdown: watch::Sender<bool>,
}

/// The echo server: build it, take its [`router`](Server::router) (or [`run`](Server::run)
/// it on a listener), and watch its connections with [`live_connections`](Server::live_connections).
#[derive(Debug, Clone)]
pub struct Server {
    state: Arc<ServerState>,
}

impl Server {
    /// A server with this configuration.
    pub fn new(config: ServeConfig) -> Self {
        Server {
            state: Arc::new(ServerState {
                config,
                next_id: AtomicU64::new(1),
                live: Arc::new(AtomicUsize::new(0)),
                shutdown: watch::Sender::new(false),
            }),
        }
    }

    /// The routes: `GET /`, `GET /demo.js`, `POST /offer` (and an empty `GET /favicon.ico`).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(demo_page))
            .route("/demo.js", get(demo_script))
            .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
            .route("/offer", post(offer))
            .with_state(Arc::clone(&self.state))
    }

    /// Peer connections created and not yet freed.
    pub fn live_connections(&self) -> usize {
        self.state.live.load(Ordering::Acquire)
    }

    /// Closes every connection (their watchers close and free them shortly after).
    pub fn close_all(&self) {
        self.state.shutdown.send_replace(true);
    }

    /// Serves on `listener` until `stop` resolves, then closes every connection.
    pub async fn run(
        self,
        listener: TcpListener,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = self.router();
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await;
        self.close_all();
        // Let the watchers send their close (DTLS close_notify) before the runtime ends.
        let give_up = tokio::time::Instant::now() + Duration::from_secs(1);
        while self.live_connections() > 0 && tokio::time::Instant::now() < give_up {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        result
    }
}

/// The routes of a server with this configuration (see [`Server::router`]).
pub fn router(config: ServeConfig) -> Router {
    Server::new(config).router()
}

/// Binds `listen` and serves until `stop` resolves. The port accepts connections only once
/// the server is ready.
pub async fn run(
    listen: SocketAddr,
    config: ServeConfig,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    tracing::info!("serving http://{}/ (POST /offer)", listener.local_addr()?);
    Server::new(config).run(listener, stop).await
}

async fn demo_page() -> Html<&'static str> {
    Html(DEMO_HTML)
}

async fn demo_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        DEMO_JS,
    )
}

/// The `RTCSessionDescriptionInit` of a request or a response, as JSON.
#[derive(Debug, Serialize, Deserialize)]
pub struct Description {
    /// `"offer"` or `"answer"`.
    #[serde(rename = "type")]
    pub sdp_type: String,
    /// The SDP.
    pub sdp: String,
}

/// An error answer: `{"error": NAME, "message": TEXT}` with a status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) name: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn bad_request(name: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            name,
            message: message.into(),
        }
    }

    /// An error of the stack: a 4xx for what the offer caused, a 500 for the rest.
    pub(crate) fn from_rtc(status: StatusCode, e: &RtcError) -> Self {
        ApiError {
            status,
            name: e.name(),
            message: e.message().to_owned(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.name, "message": self.message });
        (self.status, axum::Json(body)).into_response()
    }
}

/// Reads an offer from a request body.
pub(crate) fn parse_offer(body: &[u8]) -> Result<String, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("SyntaxError", format!("body is not JSON: {e}")))?;
    let wrong = || ApiError::bad_request("TypeError", r#"expected {"type":"offer","sdp":"..."}"#);
    let desc: Description = serde_json::from_value(value).map_err(|_| wrong())?;
    if desc.sdp_type != "offer" {
        return Err(ApiError::bad_request(
            "TypeError",
            format!(
                r#"expected {{"type":"offer","sdp":"..."}}, got type "{}""#,
                desc.sdp_type
            ),
        ));
    }
    Ok(desc.sdp)
}

async fn offer(State(state): State<Arc<ServerState>>, body: Bytes) -> Response {
    let sdp = match parse_offer(&body) {
        Ok(sdp) => sdp,
        Err(e) => {
            tracing::info!("rejected a request: {}: {}", e.name, e.message);
            return e.into_response();
        }
    };
    let id = state.next_id.fetch_add(1, Ordering::Relaxed);
    match session::answer(id, sdp, &state).await {
        Ok(answer) => axum::Json(Description {
            sdp_type: "answer".to_owned(),
            sdp: answer,
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_offer_names_the_errors() {
        assert_eq!(parse_offer(b"not json").unwrap_err().name, "SyntaxError");
        assert_eq!(parse_offer(b"[1,2]").unwrap_err().name, "TypeError");
        assert_eq!(
            parse_offer(br#"{"type":"offer"}"#).unwrap_err().name,
            "TypeError"
        );
        let answer = parse_offer(br#"{"type":"answer","sdp":"v=0"}"#).unwrap_err();
        assert_eq!((answer.name, answer.status.as_u16()), ("TypeError", 400));
        assert_eq!(
            parse_offer(br#"{"type":"offer","sdp":"v=0\r\n"}"#).unwrap(),
            "v=0\r\n"
        );
    }
}
