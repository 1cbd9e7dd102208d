//! Quick start: a data channel to a running `rtcpeer serve`, one message and its echo.
//! `rtcpeer serve &` then `cargo run -p rtcpeer-cli --example hello [-- URL]`.
use rtcpeer::{DataChannelEventKind as Dc, Interfaces, RtcIceGatheringState, RtcPeerConnection};

/// Connects to the server whose offer URL is `url`, sends a message, returns its echo.
pub async fn hello(url: &str) -> Result<String, Box<dyn std::error::Error>> {
    let pc = RtcPeerConnection::builder(Default::default())
        .interfaces(Interfaces::LoopbackOnly)
        .build()?;
    let channel = pc.create_data_channel("chat", Default::default()).await?;
    let (mut pc_events, mut channel_events) = (pc.events(), channel.events());
    let offer = pc.create_offer(Default::default()).await?;
    pc.set_local_description(Some(offer.into())).await?;
    while pc.ice_gathering_state() != RtcIceGatheringState::Complete {
        pc_events.recv().await.ok_or("connection closed")?;
    }
    let offer = pc.local_description().ok_or("no offer")?;
    let answer = rtcpeer_cli::http::post_offer(url, &offer).await?;
    pc.set_remote_description(answer).await?;
    while let Some(event) = channel_events.recv().await {
        match event.kind() {
            Dc::Open => channel.send("hello, rtcpeer")?,
            Dc::Message(echo) => return Ok(format!("echo: {echo:?}")),
            _ => {}
        }
    }
    Err("the channel ended".into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args().nth(1);
    println!(
        "{}",
        hello(url.as_deref().unwrap_or("http://127.0.0.1:8080/offer")).await?
    );
    Ok(())
}
