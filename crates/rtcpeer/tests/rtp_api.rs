//! The async RTP media API (webrtc-pc §5.2–§5.4) through the driver: the static
//! `getCapabilities`, `setCodecPreferences` (seen in the next offer's m= line),
//! `replaceTrack` (no `negotiationneeded`), and `getParameters`/`setParameters`.

mod common;

use common::*;
use rtcpeer::core::{RtcRtpCodec, RtcRtpEncodingParameters};
use rtcpeer::*;

fn video_cap(mime: &str, fmtp_has: &str) -> RtcRtpCodec {
    RtcRtpSender::get_capabilities("video")
        .unwrap()
        .codecs
        .into_iter()
        .find(|c| {
            c.mime_type == mime && c.sdp_fmtp_line.as_deref().unwrap_or("").contains(fmtp_has)
        })
        .unwrap()
}

/// The encoding names of the first m= section, in m= line order (from its `a=rtpmap` lines).
fn first_m_line(sdp: &str) -> Vec<String> {
    let lines: Vec<&str> = sdp.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("m=")).unwrap();
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("m="))
        .map_or(lines.len(), |e| start + 1 + e);
    let section = &lines[start..end];
    section[0]
        .split(' ')
        .skip(3)
        .map(|pt| {
            let prefix = format!("a=rtpmap:{pt} ");
            let map = section
                .iter()
                .find_map(|l| l.strip_prefix(&prefix))
                .unwrap();
            map.split('/').next().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn capabilities_and_codec_preferences() {
    assert!(RtcRtpSender::get_capabilities("data").is_none());
    assert!(
        RtcRtpReceiver::get_capabilities("audio")
            .is_some_and(|c| c.codecs.iter().any(|c| c.mime_type == "audio/opus"))
    );
    let a = pc_no_sockets(1);
    let t = a
        .add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    let bad = RtcRtpCodec {
        mime_type: "video/VP8".into(),
        clock_rate: 48000,
        channels: None,
        sdp_fmtp_line: None,
    };
    let e = t.set_codec_preferences(&[bad]).await.unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidModificationError);
    let prefs = [
        video_cap("video/AV1", ""),
        video_cap("video/VP8", ""),
        video_cap("video/rtx", ""),
    ];
    t.set_codec_preferences(&prefs).await.unwrap();
    assert_eq!(t.codec_preferences(), prefs);
    let offer = a.create_offer(RtcOfferOptions::default()).await.unwrap();
    assert_eq!(first_m_line(&offer.sdp), ["AV1", "rtx", "VP8", "rtx"]);
    t.set_codec_preferences(&[]).await.unwrap();
    let offer = a.create_offer(RtcOfferOptions::default()).await.unwrap();
    assert_eq!(first_m_line(&offer.sdp)[0], "VP8");
}

#[tokio::test]
async fn replace_track_and_parameters() {
    let (a, b) = (pc_no_sockets(2), pc_no_sockets(3));
    let mic = MediaStreamTrack::new("mic", TrackKind::Audio, "mic");
    let cam = MediaStreamTrack::new("cam", TrackKind::Video, "cam");
    let audio = a.add_track(mic, &[]).await.unwrap();
    let video = a.add_track(cam.clone(), &[]).await.unwrap();
    negotiate(&a, &b).await;
    let log = Log::default();
    a.add_event_listener(EventType::NegotiationNeeded, logger(&log, ""));

    let e = audio.replace_track(Some(cam)).await.unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::TypeError);
    let mic2 = MediaStreamTrack::new("mic2", TrackKind::Audio, "mic2");
    audio.replace_track(Some(mic2)).await.unwrap();
    assert_eq!(audio.track().unwrap().id, "mic2");
    audio.replace_track(None).await.unwrap();
    assert!(audio.track().is_none());

    let e = video
        .set_parameters(video.get_parameters().await.unwrap())
        .await;
    assert!(e.is_ok(), "an unchanged round trip is accepted: {e:?}");
    let e = video
        .set_parameters(
            video
                .get_parameters()
                .await
                .map(|mut p| {
                    p.transaction_id.push('!');
                    p
                })
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidModificationError);
    let mut p = video.get_parameters().await.unwrap();
    assert!(!p.codecs.is_empty());
    assert!(p.rtcp.cname.is_some());
    p.encodings[0] = RtcRtpEncodingParameters {
        active: false,
        max_bitrate: Some(250_000),
        ..p.encodings[0].clone()
    };
    video.set_parameters(p.clone()).await.unwrap();
    assert!(!video.encodings()[0].active);
    assert_eq!(video.encodings()[0].max_bitrate, Some(250_000));
    let e = video.set_parameters(p).await.unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidStateError, "already used");
    let mut p = video.get_parameters().await.unwrap();
    p.encodings[0].scale_resolution_down_by = Some(0.25);
    let e = video.set_parameters(p).await.unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::RangeError);

    let receiver = a
        .get_transceivers()
        .into_iter()
        .find(|t| t.sender() == audio)
        .unwrap()
        .receiver();
    let rp = receiver.get_parameters().await.unwrap();
    assert_eq!(rp.codecs, receiver.codecs());
    assert!(log.take().is_empty(), "no negotiationneeded");

    a.close();
    let mic3 = MediaStreamTrack::new("mic3", TrackKind::Audio, "mic3");
    let e = audio.replace_track(Some(mic3)).await.unwrap_err();
    assert_eq!(e.kind(), RtcErrorKind::InvalidStateError);
}
