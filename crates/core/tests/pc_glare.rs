//! Glare under the simulated network (issue 5's netsim scenario): both sides create a data
//! channel and offer at the same moment over lossy links (10 % loss, 100 ms round trip). The
//! perfect negotiation pattern (webrtc-pc §10.7) resolves it: the impolite peer ignores the
//! colliding offer, the polite one applies it with an implicit rollback of its own
//! (webrtc-pc §4.4.1.5 "set the RTCSessionDescription", rollback step), both end `stable`, and
//! both channels open and carry messages both ways.

use std::time::Duration;

use rtcpeer_core::pc::ChannelMessage;
use rtcpeer_core::*;
use rtcpeer_netsim::{LinkConditions, Loss};

mod pc_support;
use pc_support::*;

fn lossy() -> LinkConditions {
    LinkConditions::with_delay(ms(25)).loss(Loss::Random(0.10))
}

fn signaling_states(p: &Peer) -> Vec<RtcSignalingState> {
    p.log
        .iter()
        .filter_map(|e| match e {
            PeerConnectionEvent::SignalingStateChange(s) => Some(*s),
            _ => None,
        })
        .collect()
}

#[test]
fn glare_resolved_by_perfect_negotiation_under_loss() {
    let (mut net, _g) = network();
    let a = add_peer(&mut net, "a", "192.0.2.10:5000", lossy()); // impolite
    let b = add_peer(&mut net, "b", "192.0.2.20:6000", lossy()); // polite
    let from_a = pc_mut(&mut net, a)
        .create_data_channel("from-a", RtcDataChannelInit::default())
        .unwrap();
    let from_b = pc_mut(&mut net, b)
        .create_data_channel("from-b", RtcDataChannelInit::default())
        .unwrap();

    // Both offer at once: each applies its own offer before the other's arrives.
    let now = net.now();
    let mut offers = Vec::new();
    for h in [a, b] {
        let p = peer_mut(&mut net, h);
        p.pc.handle_timeout(now);
        p.drain();
        assert!(
            p.log.contains(&PeerConnectionEvent::NegotiationNeeded),
            "a new channel needs negotiation"
        );
        let offer = p.pc.create_offer(RtcOfferOptions::default()).unwrap();
        p.pc.set_local_description(Some(offer.clone().into()))
            .unwrap();
        p.drain();
        assert_eq!(p.pc.signaling_state(), RtcSignalingState::HaveLocalOffer);
        offers.push(offer);
    }
    let (offer_a, offer_b) = (offers.remove(0), offers.remove(0));

    // The impolite peer ignores the colliding offer: its state does not change.
    assert_eq!(
        pc_mut(&mut net, a).signaling_state(),
        RtcSignalingState::HaveLocalOffer
    );
    let _ignored = offer_b;

    // The polite peer applies it: an implicit rollback, then have-remote-offer, then answers.
    let answer = {
        let p = peer_mut(&mut net, b);
        p.pc.set_remote_description(offer_a).unwrap();
        p.drain();
        assert_eq!(p.pc.signaling_state(), RtcSignalingState::HaveRemoteOffer);
        let answer = p.pc.create_answer().unwrap();
        p.pc.set_local_description(Some(answer.clone().into()))
            .unwrap();
        p.drain();
        answer
    };
    {
        let p = peer_mut(&mut net, a);
        p.pc.set_remote_description(answer).unwrap();
        p.drain();
    }
    assert_eq!(
        signaling_states(peer(&net, b)),
        [
            RtcSignalingState::HaveLocalOffer,
            RtcSignalingState::Stable, // the implicit rollback
            RtcSignalingState::HaveRemoteOffer,
            RtcSignalingState::Stable,
        ]
    );
    assert_eq!(
        signaling_states(peer(&net, a)),
        [RtcSignalingState::HaveLocalOffer, RtcSignalingState::Stable]
    );

    // The polite peer's own change was rolled back; if it still needs negotiation, it offers
    // again (its channel rides on the data section a's offer created, so it may not).
    if pc_mut(&mut net, b).negotiation_needed() {
        offer_answer(&mut net, b, a);
    }

    run_until(&mut net, a, b, Duration::from_secs(120), |n| {
        peer(n, a).opened(from_a)
            && peer(n, b).opened(from_b)
            && peer(n, a).announced("from-b").is_some()
            && peer(n, b).announced("from-a").is_some()
    });
    let (a_from_b, b_from_a) = (
        peer(&net, a).announced("from-b").unwrap(),
        peer(&net, b).announced("from-a").unwrap(),
    );
    for (h, c) in [(a, a_from_b), (b, b_from_a)] {
        assert!(peer(&net, h).opened(c));
    }
    assert_ne!(
        peer(&net, a).pc.data_channel(from_a).unwrap().id(),
        peer(&net, b).pc.data_channel(from_b).unwrap().id(),
        "one stream id per channel"
    );

    // Messages both ways on both channels, through the loss.
    let texts: Vec<String> = (0..20).map(|i| format!("message {i}")).collect();
    for t in &texts {
        pc_mut(&mut net, a).send_text(from_a, t).unwrap();
        pc_mut(&mut net, b).send_text(from_b, t).unwrap();
    }
    run_until(&mut net, a, b, Duration::from_secs(120), |n| {
        peer(n, b).received(b_from_a).len() == texts.len()
            && peer(n, a).received(a_from_b).len() == texts.len()
    });
    let want: Vec<ChannelMessage> = texts.iter().cloned().map(ChannelMessage::Text).collect();
    assert_eq!(peer(&net, b).received(b_from_a), want);
    assert_eq!(peer(&net, a).received(a_from_b), want);
    for h in [a, b] {
        assert_eq!(
            pc_mut(&mut net, h).signaling_state(),
            RtcSignalingState::Stable
        );
        assert_eq!(
            pc_mut(&mut net, h).connection_state(),
            RtcPeerConnectionState::Connected
        );
    }
}
