//! Two `RtcPeerConnection`s in one process negotiating through the async API: a data channel
//! only, and audio + video + data; the attributes, handles and legacy stream members after it.

mod common;

use common::*;
use rtcpeer::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_channel_only() {
    let (a, b) = (pc(1), pc(2));
    assert_eq!(a.signaling_state(), RtcSignalingState::Stable);
    assert!(a.local_description().is_none() && a.remote_description().is_none());
    assert_eq!(a.can_trickle_ice_candidates(), None);
    assert!(a.sctp().is_none());

    let channel = a
        .create_data_channel("chat", RtcDataChannelInit::default())
        .await
        .unwrap();
    assert_eq!(channel.label(), "chat");
    assert!(channel.ordered());
    assert_eq!(channel.id(), None, "no id before the DTLS role is known");
    assert_eq!(channel.ready_state(), RtcDataChannelState::Connecting);

    let offer = a.create_offer(RtcOfferOptions::default()).await.unwrap();
    assert_eq!(offer.sdp_type, RtcSdpType::Offer);
    assert!(offer.sdp.contains("m=application"));
    let applied = a
        .set_local_description(Some(offer.clone().into()))
        .await
        .unwrap();
    // The local description is the offer plus what gathering has added since (candidates and,
    // with no interfaces to gather on, a=end-of-candidates at once).
    assert_eq!(
        without_candidates(applied.expect("the applied offer").sdp()),
        offer.sdp
    );
    assert_eq!(a.signaling_state(), RtcSignalingState::HaveLocalOffer);
    assert_eq!(
        without_candidates(a.pending_local_description().unwrap().sdp()),
        offer.sdp
    );
    assert!(a.current_local_description().is_none());

    b.set_remote_description(offer.clone()).await.unwrap();
    assert_eq!(b.signaling_state(), RtcSignalingState::HaveRemoteOffer);
    assert_eq!(b.pending_remote_description().unwrap().sdp(), offer.sdp);
    assert_eq!(b.can_trickle_ice_candidates(), Some(true));
    let answer = b.create_answer().await.unwrap();
    b.set_local_description(Some(answer.clone().into()))
        .await
        .unwrap();
    a.set_remote_description(answer.clone()).await.unwrap();

    for p in [&a, &b] {
        assert_eq!(p.signaling_state(), RtcSignalingState::Stable);
        assert!(p.pending_local_description().is_none());
        assert!(p.pending_remote_description().is_none());
        let sctp = p.sctp().expect("SCTP negotiated");
        assert_eq!(sctp.state, RtcSctpTransportState::Connecting);
        assert!(sctp.max_message_size > 0.0);
    }
    assert_eq!(
        without_candidates(a.current_local_description().unwrap().sdp()),
        offer.sdp
    );
    assert_eq!(a.current_remote_description().unwrap().sdp(), answer.sdp);
    assert_eq!(
        b.current_local_description().unwrap().sdp_type(),
        RtcSdpType::Answer
    );
    // The answerer is the DTLS client here or there; either way the channel has an id now.
    assert!(
        channel.id().is_some(),
        "the id is assigned once the DTLS role is known"
    );
    // No transport yet: the channel stays connecting and refuses to send, as the spec says.
    assert_eq!(channel.ready_state(), RtcDataChannelState::Connecting);
    assert_eq!(err_name(channel.send("hello")), "InvalidStateError");
    assert_eq!(channel.buffered_amount(), 0);
    a.close();
    b.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_video_and_data() {
    let (a, b) = (pc(3), pc(4));
    let log = Log::default();
    b.on_track(Some(logger(&log, "")));
    b.on_add_stream(Some(logger(&log, "")));
    b.on_signaling_state_change(Some(logger(&log, "")));

    let stream = MediaStream::new("stream-1");
    let mic = MediaStreamTrack::new("mic", TrackKind::Audio, "microphone");
    let cam = MediaStreamTrack::new("cam", TrackKind::Video, "camera");
    let audio = a
        .add_track(mic.clone(), std::slice::from_ref(&stream))
        .await
        .unwrap();
    let video = a
        .add_track(cam.clone(), std::slice::from_ref(&stream))
        .await
        .unwrap();
    let _dc = a
        .create_data_channel("data", RtcDataChannelInit::default())
        .await
        .unwrap();
    assert_eq!(audio.track(), Some(mic.clone()));
    assert_eq!(video.stream_ids(), vec!["stream-1".to_owned()]);
    assert_eq!(a.get_senders().len(), 2);
    assert_eq!(a.get_transceivers().len(), 2);
    assert_eq!(a.get_transceivers()[0].sender(), audio);

    negotiate(&a, &b).await;

    let offer = a.current_local_description().unwrap();
    for m in ["m=audio", "m=video", "m=application"] {
        assert!(offer.sdp().contains(m), "{m} in the offer");
    }
    // The answerer's view: two transceivers created by the offer, with remote tracks.
    let tb = b.get_transceivers();
    assert_eq!(tb.len(), 2);
    assert_eq!(tb[0].kind(), TrackKind::Audio);
    assert_eq!(tb[1].kind(), TrackKind::Video);
    assert_eq!(tb[0].mid(), a.get_transceivers()[0].mid());
    assert_eq!(
        tb[0].current_direction(),
        Some(RtcRtpTransceiverDirection::Recvonly)
    );
    assert_eq!(
        a.get_transceivers()[0].current_direction(),
        Some(RtcRtpTransceiverDirection::Sendonly)
    );
    assert!(
        !tb[1].receiver().codecs().is_empty(),
        "negotiated video codecs"
    );
    assert_eq!(b.get_receivers().len(), 2);
    assert_eq!(
        b.get_receivers()[0].remote_stream_ids(),
        vec!["stream-1".to_owned()]
    );

    // Events at the answerer, in spec order: the state change, the tracks, then the legacy
    // addstream for the new remote stream.
    assert_eq!(
        log.take(),
        [
            "signalingstatechange:have-remote-offer",
            "track:audio",
            "track:video",
            "addstream:stream-1",
            "signalingstatechange:stable",
        ]
    );

    // Legacy stream members.
    let local = a.get_local_streams();
    assert_eq!(local.len(), 1);
    assert_eq!(local[0].stream.id, "stream-1");
    assert_eq!(local[0].tracks, vec![mic.clone(), cam.clone()]);
    let remote = b.get_remote_streams();
    assert_eq!(remote.len(), 1);
    assert_eq!(remote[0].tracks.len(), 2);
    assert!(b.get_stream_by_id("stream-1").is_some());
    assert!(b.get_stream_by_id("nope").is_none());
    a.remove_stream(&stream).await.unwrap();
    assert!(a.get_local_streams().is_empty());
    assert_eq!(audio.track(), None, "removeStream removed the tracks");
    a.close();
    b.close();
}

#[tokio::test]
async fn add_stream_is_add_track_per_track() {
    let a = pc_no_sockets(5);
    let s = MediaStream::new("s");
    let tracks = [
        MediaStreamTrack::new("t1", TrackKind::Audio, "a"),
        MediaStreamTrack::new("t2", TrackKind::Video, "v"),
    ];
    a.add_stream(&s, &tracks).await.unwrap();
    assert_eq!(a.get_senders().len(), 2);
    assert_eq!(a.get_stream_by_id("s").unwrap().tracks, tracks.to_vec());
    // The same track again is addTrack's InvalidAccessError.
    assert_eq!(
        err_name(a.add_stream(&s, &tracks[..1]).await),
        "InvalidAccessError"
    );
    a.close();
}

#[tokio::test]
async fn transceivers_and_directions() {
    let a = pc_no_sockets(6);
    let t = a
        .add_transceiver(TrackKind::Video, RtcRtpTransceiverInit::default())
        .await
        .unwrap();
    assert_eq!(t.kind(), TrackKind::Video);
    assert_eq!(t.direction(), RtcRtpTransceiverDirection::Sendrecv);
    assert_eq!(t.current_direction(), None);
    assert_eq!(t.mid(), None);
    t.set_direction(RtcRtpTransceiverDirection::Recvonly)
        .await
        .unwrap();
    assert_eq!(t.direction(), RtcRtpTransceiverDirection::Recvonly);
    assert_eq!(
        err_name(t.set_direction(RtcRtpTransceiverDirection::Stopped).await),
        "TypeError"
    );
    t.stop().await.unwrap();
    assert_eq!(t.direction(), RtcRtpTransceiverDirection::Stopped);
    assert_eq!(
        err_name(t.set_direction(RtcRtpTransceiverDirection::Sendonly).await),
        "InvalidStateError"
    );
    assert_eq!(
        err_name(
            a.add_transceiver(
                TrackOrKind::Kind("banana".into()),
                RtcRtpTransceiverInit::default()
            )
            .await
        ),
        "TypeError"
    );
    // A sender of another connection.
    let b = pc_no_sockets(7);
    let foreign = b
        .add_track(MediaStreamTrack::new("x", TrackKind::Audio, "x"), &[])
        .await
        .unwrap();
    assert_eq!(
        err_name(a.remove_track(&foreign).await),
        "InvalidAccessError"
    );
    a.close();
    b.close();
}

/// An SDP without the lines ICE gathering adds to a local description.
fn without_candidates(sdp: &str) -> String {
    sdp.split_inclusive("\r\n")
        .filter(|l| !l.starts_with("a=candidate:") && !l.starts_with("a=end-of-candidates"))
        .collect()
}
