//! One connection of `rtcpeer serve`, from its offer to its end:
//!
//! - before applying the offer, a negotiated channel (id 42, label `negotiated`) that echoes;
//! - every channel the remote opens echoes each message back on the same channel with the
//!   same type (text stays text, binary stays binary, empty stays empty);
//! - the answer is returned once ICE gathering is complete (non-trickle);
//! - a watcher task owns the connection and frees it (`close()`, drop) when it fails or
//!   closes, stays `disconnected` past a grace period, never connects, loses its SCTP
//!   association, or the server shuts down.
//!
//! Every state change, channel open/close and the offer and answer are logged (target
//! `rtcpeer_cli`, level info), as the interop harness expects of a server.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use rtcpeer::{
    DataChannelEventKind, DataChannelEventType, Event, EventKind, EventStream, RtcConfiguration,
    RtcDataChannel, RtcDataChannelInit, RtcIceGatheringState, RtcPeerConnection,
    RtcPeerConnectionState, RtcSctpTransportState, RtcSdpType, RtcSessionDescriptionInit,
};
use tokio::sync::watch;

use crate::serve::{ApiError, ServeConfig, ServerState};

/// The id and label of the channel every connection pre-creates.
pub const NEGOTIATED_ID: u16 = 42;
/// See [`NEGOTIATED_ID`].
pub const NEGOTIATED_LABEL: &str = "negotiated";

/// Keeps one connection alive and counted; dropping it closes and frees the connection.
struct Connection {
    id: u64,
    pc: RtcPeerConnection,
    live: Arc<AtomicUsize>,
}

impl Connection {
    fn new(id: u64, pc: RtcPeerConnection, live: &Arc<AtomicUsize>) -> Self {
        live.fetch_add(1, Ordering::AcqRel);
        Connection {
            id,
            pc,
            live: Arc::clone(live),
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.pc.close();
        self.live.fetch_sub(1, Ordering::AcqRel);
        tracing::info!("conn {}: freed", self.id);
    }
}

/// Applies `offer` on a new connection and returns the answer SDP once gathering completed;
/// the connection then lives on in its watcher task.
pub(crate) async fn answer(
    id: u64,
    offer: String,
    state: &ServerState,
) -> Result<String, ApiError> {
    let config = &state.config;
    let pc = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(config.interfaces.clone())
        .build()
        .map_err(|e| ApiError::from_rtc(StatusCode::INTERNAL_SERVER_ERROR, &e))?;
    let conn = Connection::new(id, pc.clone(), &state.live);
    let started = Instant::now();
    let events = pc.events();
    log_states(id, &pc, started);
    pc.on_data_channel(Some(Box::new(move |e: &Event| {
        if let EventKind::DataChannel(c) = e.kind() {
            tracing::info!(
                "conn {id}: {}ms datachannel \"{}\" id={:?}",
                started.elapsed().as_millis(),
                c.label(),
                c.id()
            );
            echo(id, c, started);
        }
    })));
    let negotiated = pc
        .create_data_channel(
            NEGOTIATED_LABEL,
            RtcDataChannelInit {
                negotiated: true,
                id: Some(NEGOTIATED_ID),
                ..RtcDataChannelInit::default()
            },
        )
        .await
        .map_err(|e| ApiError::from_rtc(StatusCode::INTERNAL_SERVER_ERROR, &e))?;
    echo(id, &negotiated, started);
    tracing::info!("conn {id}: offer:\n{offer}");
    let offer_copy = offer.clone();
    let rejected = |e: rtcpeer::RtcError| {
        tracing::info!("conn {id}: rejected: {}: {}", e.name(), e.message());
        ApiError::from_rtc(StatusCode::BAD_REQUEST, &e)
    };
    pc.set_remote_description(RtcSessionDescriptionInit::new(RtcSdpType::Offer, offer))
        .await
        .map_err(rejected)?;
    let answer = pc.create_answer().await.map_err(rejected)?;
    pc.set_local_description(Some(answer.into()))
        .await
        .map_err(rejected)?;
    let mut events = events;
    // An offer without m-sections has nothing to gather for.
    if pc.sctp().is_some() || !pc.get_transceivers().is_empty() {
        gathered(&pc, &mut events, config.gather_timeout)
            .await
            .map_err(|message| {
                tracing::warn!("conn {id}: {message}");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    name: "OperationError",
                    message,
                }
            })?;
    }
    let sdp = pc
        .local_description()
        .map(|d| d.sdp().to_owned())
        .ok_or_else(|| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            name: "InvalidStateError",
            message: "no local description after setLocalDescription".to_owned(),
        })?;
    tracing::info!("conn {id}: answer:\n{sdp}");
    crate::capture::write(Some(&offer_copy), Some(&sdp));
    drop(pc);
    tokio::spawn(watch_connection(
        conn,
        events,
        config.clone(),
        state.shutdown.subscribe(),
    ));
    Ok(sdp)
}

/// Waits until `iceGatheringState` is `complete`.
async fn gathered(
    pc: &RtcPeerConnection,
    events: &mut EventStream<Event>,
    timeout: Duration,
) -> Result<(), String> {
    let wait = async {
        while pc.ice_gathering_state() != RtcIceGatheringState::Complete {
            if events.recv().await.is_none() {
                return Err("the connection ended while gathering".to_owned());
            }
        }
        Ok(())
    };
    tokio::time::timeout(timeout, wait)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "ICE gathering not complete after {timeout:?} (state {})",
                pc.ice_gathering_state()
            ))
        })
}

/// Logs the connection's state changes as they happen.
fn log_states(id: u64, pc: &RtcPeerConnection, started: Instant) {
    for ty in [
        rtcpeer::EventType::ConnectionStateChange,
        rtcpeer::EventType::IceConnectionStateChange,
        rtcpeer::EventType::IceGatheringStateChange,
        rtcpeer::EventType::SignalingStateChange,
    ] {
        pc.add_event_listener(
            ty,
            Box::new(move |e: &Event| {
                let ms = started.elapsed().as_millis();
                match e.kind() {
                    EventKind::ConnectionStateChange(s) => {
                        tracing::info!("conn {id}: {ms}ms connectionState={s}")
                    }
                    EventKind::IceConnectionStateChange(s) => {
                        tracing::info!("conn {id}: {ms}ms iceConnectionState={s}")
                    }
                    EventKind::IceGatheringStateChange(s) => {
                        tracing::info!("conn {id}: {ms}ms iceGatheringState={s}")
                    }
                    EventKind::SignalingStateChange(s) => {
                        tracing::info!("conn {id}: {ms}ms signalingState={s}")
                    }
                    _ => {}
                }
            }),
        );
    }
}

/// Echoes every message of `channel` back on it, with the same type, and logs its open and
/// close.
fn echo(id: u64, channel: &RtcDataChannel, started: Instant) {
    let counts = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
    let seen = Arc::clone(&counts);
    channel.on_message(Some(Box::new(move |e| {
        if let DataChannelEventKind::Message(m) = e.kind() {
            seen.0.fetch_add(1, Ordering::Relaxed);
            seen.1.fetch_add(m.len() as u64, Ordering::Relaxed);
            if let Err(err) = e.target().send(m.clone()) {
                let c = e.target();
                tracing::warn!(
                    "conn {id}: channel \"{}\" id={:?} echo failed: {err}",
                    c.label(),
                    c.id()
                );
            }
        }
    })));
    channel.add_event_listener(
        DataChannelEventType::Open,
        Box::new(move |e| {
            let c = e.target();
            tracing::info!(
                "conn {id}: {}ms channel \"{}\" id={:?} open (ordered={} maxRetransmits={:?} \
                 maxPacketLifeTime={:?} protocol=\"{}\")",
                started.elapsed().as_millis(),
                c.label(),
                c.id(),
                c.ordered(),
                c.max_retransmits(),
                c.max_packet_life_time(),
                c.protocol()
            );
        }),
    );
    channel.add_event_listener(
        DataChannelEventType::Close,
        Box::new(move |e| {
            let c = e.target();
            tracing::info!(
                "conn {id}: {}ms channel \"{}\" id={:?} closed after echoing {} messages, {} B",
                started.elapsed().as_millis(),
                c.label(),
                c.id(),
                counts.0.load(Ordering::Relaxed),
                counts.1.load(Ordering::Relaxed)
            );
        }),
    );
}

/// Owns the connection until it ends, then frees it (dropping `conn` closes it).
async fn watch_connection(
    conn: Connection,
    mut events: EventStream<Event>,
    config: ServeConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let started = Instant::now();
    let mut connected = false;
    let mut disconnected_since: Option<Instant> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let why = loop {
        tokio::select! {
            e = events.recv() => if e.is_none() { break "the driver ended" },
            _ = tick.tick() => {}
            r = shutdown.changed() => if r.is_err() { break "the server is gone" },
        }
        if *shutdown.borrow() {
            break "server shutdown";
        }
        match conn.pc.connection_state() {
            RtcPeerConnectionState::Failed => break "connectionState failed",
            RtcPeerConnectionState::Closed => break "connectionState closed",
            RtcPeerConnectionState::Connected => {
                connected = true;
                disconnected_since = None;
            }
            RtcPeerConnectionState::Disconnected => {
                let since = *disconnected_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= config.disconnected_grace {
                    break "disconnected for too long";
                }
            }
            _ => {}
        }
        if !connected && started.elapsed() >= config.connect_timeout {
            break "never connected";
        }
        if connected
            && conn
                .pc
                .sctp()
                .is_some_and(|s| s.state == RtcSctpTransportState::Closed)
        {
            break "the SCTP association closed";
        }
    };
    tracing::info!("conn {}: ending: {why}", conn.id);
    drop(events);
    drop(conn);
}
