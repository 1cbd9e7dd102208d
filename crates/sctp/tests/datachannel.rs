//! Data channel scenarios (RFC 8831, RFC 8832, W3C RTCDataChannel) over the in-memory network.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use common::{Link, Net, base_time};
use rtcpeer_sctp::datachannel::{
    ChannelEvent, ChannelMessage, DataChannelInit, DtlsRole, ReadyState,
};
use rtcpeer_sctp::{Config, DataChannels};
use rtcpeer_types::Rng;

fn pair(link: Link, seed: u64) -> Net<DataChannels> {
    let now = base_time();
    let a = DataChannels::new(
        Config::default(),
        DtlsRole::Client,
        now,
        Rng::from_seed(seed * 2 + 1),
    );
    let b = DataChannels::new(
        Config::default(),
        DtlsRole::Server,
        now,
        Rng::from_seed(seed * 2 + 2),
    );
    Net::new(a, b, now, link, seed)
}

#[derive(Default, Debug)]
struct Log {
    connected: bool,
    incoming: Vec<u16>,
    open: Vec<u16>,
    closing: Vec<u16>,
    closed: Vec<u16>,
    low: Vec<u16>,
    messages: Vec<(u16, ChannelMessage)>,
}

fn drain(dc: &mut DataChannels, log: &mut Log) {
    while let Some(e) = dc.poll_event() {
        match e {
            ChannelEvent::Connected => log.connected = true,
            ChannelEvent::Incoming { id } => log.incoming.push(id),
            ChannelEvent::Open { id } => log.open.push(id),
            ChannelEvent::Closing { id } => log.closing.push(id),
            ChannelEvent::Closed { id } => log.closed.push(id),
            ChannelEvent::BufferedAmountLow { id } => log.low.push(id),
            ChannelEvent::Message { id, message } => log.messages.push((id, message)),
            _ => {}
        }
    }
}

fn connected(link: Link, seed: u64) -> (Net<DataChannels>, Log, Log) {
    let mut net = pair(link, seed);
    net.a.connect();
    net.b.connect();
    let (mut la, mut lb) = (Log::default(), Log::default());
    assert!(net.run_until(Duration::from_secs(30), |n| {
        drain(&mut n.a, &mut la);
        drain(&mut n.b, &mut lb);
        la.connected && lb.connected
    }));
    (net, la, lb)
}

#[test]
fn open_with_dcep_and_exchange_all_message_kinds() {
    let (mut net, mut la, mut lb) = connected(Link::lossy(0.05), 1);
    let init = DataChannelInit {
        label: "chat".into(),
        protocol: "json".into(),
        ..Default::default()
    };
    let id = net.a.create_channel(init).unwrap();
    assert_eq!(id % 2, 0, "DTLS client picks even ids");
    assert_eq!(net.a.ready_state(id), Some(ReadyState::Open));
    let server_id = net.b.create_channel(DataChannelInit::default()).unwrap();
    assert_eq!(server_id % 2, 1, "DTLS server picks odd ids");
    net.a.send_text(id, "héllo").unwrap();
    net.a.send_text(id, "").unwrap();
    net.a
        .send_binary(id, Bytes::from_static(&[1, 2, 3]))
        .unwrap();
    net.a.send_binary(id, Bytes::new()).unwrap();
    assert!(net.run_until(Duration::from_secs(30), |n| {
        drain(&mut n.a, &mut la);
        drain(&mut n.b, &mut lb);
        lb.messages.len() == 4 && la.incoming.contains(&server_id)
    }));
    assert_eq!(lb.incoming, vec![id]);
    let info = net.b.channel(id).unwrap();
    assert_eq!(
        (info.label.as_str(), info.protocol.as_str(), info.ordered),
        ("chat", "json", true)
    );
    assert!(!info.negotiated);
    let got: Vec<_> = lb.messages.iter().map(|(i, m)| (*i, m.clone())).collect();
    assert_eq!(
        got,
        vec![
            (id, ChannelMessage::Text("héllo".into())),
            (id, ChannelMessage::Text(String::new())),
            (id, ChannelMessage::Binary(Bytes::from_static(&[1, 2, 3]))),
            (id, ChannelMessage::Binary(Bytes::new())),
        ]
    );
    // And back on the channel the peer announced.
    net.b.send_text(id, "reply").unwrap();
    assert!(net.run_until(Duration::from_secs(30), |n| {
        drain(&mut n.a, &mut la);
        !la.messages.is_empty()
    }));
    assert_eq!(la.messages[0], (id, ChannelMessage::Text("reply".into())));
}

#[test]
fn channels_created_before_connect_open_after() {
    let mut net = pair(Link::perfect(), 2);
    let id = net
        .a
        .create_channel(DataChannelInit {
            label: "early".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(net.a.ready_state(id), Some(ReadyState::Connecting));
    assert!(
        net.a.send_text(id, "too early").is_err(),
        "InvalidStateError before open"
    );
    net.a.connect();
    net.b.connect();
    let (mut la, mut lb) = (Log::default(), Log::default());
    assert!(net.run_until(Duration::from_secs(30), |n| {
        drain(&mut n.a, &mut la);
        drain(&mut n.b, &mut lb);
        la.open.contains(&id) && lb.open.contains(&id)
    }));
    assert_eq!(net.b.channel(id).unwrap().label, "early");
}

#[test]
fn negotiated_channels_skip_dcep() {
    let (mut net, mut la, mut lb) = connected(Link::perfect(), 3);
    let init = DataChannelInit {
        negotiated_id: Some(42),
        ordered: false,
        ..Default::default()
    };
    assert_eq!(net.a.create_channel(init.clone()).unwrap(), 42);
    assert_eq!(net.b.create_channel(init.clone()).unwrap(), 42);
    assert!(net.a.create_channel(init).is_err(), "id in use");
    net.a.send_binary(42, Bytes::from_static(b"n")).unwrap();
    assert!(net.run_until(Duration::from_secs(5), |n| {
        drain(&mut n.a, &mut la);
        drain(&mut n.b, &mut lb);
        !lb.messages.is_empty()
    }));
    assert!(
        lb.incoming.is_empty(),
        "no datachannel event for negotiated channels"
    );
    assert_eq!(
        lb.messages[0],
        (42, ChannelMessage::Binary(Bytes::from_static(b"n")))
    );
}

#[test]
fn buffered_amount_counts_like_the_w3c() {
    let (mut net, mut la, _) = connected(Link::perfect(), 4);
    let id = net.a.create_channel(DataChannelInit::default()).unwrap();
    // The DCEP OPEN is not counted.
    assert_eq!(net.a.buffered_amount(id), 0);
    net.a.set_buffered_amount_low_threshold(id, 1000);
    for _ in 0..100 {
        net.a
            .send_binary(id, Bytes::from(vec![7u8; 10_000]))
            .unwrap();
    }
    net.a.send_text(id, "").unwrap();
    net.a.send_binary(id, Bytes::new()).unwrap();
    // Empty messages add nothing.
    assert_eq!(net.a.buffered_amount(id), 1_000_000);
    // One packet goes out: the amount drops by what it carried, never below 0.
    let before = net.a.buffered_amount(id);
    let _ = net.a.poll_transmit(net.now).unwrap();
    let after = net.a.buffered_amount(id);
    assert!(
        after < before && before - after <= 1200,
        "{before} -> {after}"
    );
    assert!(la.low.is_empty());
    assert!(net.run_until(Duration::from_secs(60), |n| {
        drain(&mut n.a, &mut la);
        n.a.buffered_amount(id) == 0
    }));
    drain(&mut net.a, &mut la);
    assert_eq!(
        la.low,
        vec![id],
        "bufferedamountlow fires once, when crossing the threshold"
    );
}

#[test]
fn close_from_one_side_closes_both() {
    let (mut net, mut la, mut lb) = connected(Link::lossy(0.1), 5);
    let id = net.a.create_channel(DataChannelInit::default()).unwrap();
    for i in 0..30 {
        net.a.send_text(id, &format!("msg {i}")).unwrap();
    }
    net.a.close(id).unwrap();
    assert_eq!(net.a.ready_state(id), Some(ReadyState::Closing));
    assert!(net.a.send_text(id, "late").is_err());
    assert!(net.run_until(Duration::from_secs(60), |n| {
        drain(&mut n.a, &mut la);
        drain(&mut n.b, &mut lb);
        la.closed.contains(&id) && lb.closed.contains(&id)
    }));
    // Queued messages were delivered before the close.
    assert_eq!(lb.messages.len(), 30);
    assert_eq!(lb.closing, vec![id], "the remote side sees closing");
    assert!(
        la.closing.is_empty(),
        "the closing side does not get a closing event"
    );
    assert_eq!(net.a.ready_state(id), None);
    // The id can be used again: a new channel on it works.
    let again = net.a.create_channel(DataChannelInit {
        negotiated_id: Some(id),
        ..Default::default()
    });
    assert_eq!(again, Ok(id));
}

#[test]
fn thousand_channels_open_and_close() {
    let (mut net, mut la, mut lb) = connected(Link::lossy(0.02), 6);
    let mut ids = Vec::new();
    for i in 0..1000 {
        let id = net
            .a
            .create_channel(DataChannelInit {
                label: format!("c{i}"),
                ..Default::default()
            })
            .unwrap();
        net.a.send_text(id, &format!("hello {i}")).unwrap();
        ids.push(id);
    }
    assert!(net.run_until(Duration::from_secs(120), |n| {
        drain(&mut n.a, &mut la);
        drain(&mut n.b, &mut lb);
        lb.open.len() == 1000 && lb.messages.len() == 1000
    }));
    let labels: HashMap<u16, String> = ids
        .iter()
        .map(|id| (*id, net.b.channel(*id).unwrap().label.clone()))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(labels[id], format!("c{i}"));
    }
    for id in &ids {
        net.a.close(*id).unwrap();
    }
    assert!(net.run_until(Duration::from_secs(300), |n| {
        drain(&mut n.a, &mut la);
        drain(&mut n.b, &mut lb);
        la.closed.len() == 1000 && lb.closed.len() == 1000
    }));
    assert_eq!(net.a.channel_ids().count(), 0);
    assert_eq!(net.b.channel_ids().count(), 0);
    assert!(net.a.association().is_established());
}

#[test]
fn partial_reliable_channel_types_reach_the_peer() {
    let (mut net, mut la, mut lb) = connected(Link::perfect(), 7);
    let rexmit = net
        .a
        .create_channel(DataChannelInit {
            ordered: false,
            max_retransmits: Some(3),
            ..Default::default()
        })
        .unwrap();
    let timed = net
        .a
        .create_channel(DataChannelInit {
            max_packet_life_time: Some(150),
            ..Default::default()
        })
        .unwrap();
    assert!(
        net.a
            .create_channel(DataChannelInit {
                max_packet_life_time: Some(1),
                max_retransmits: Some(1),
                ..Default::default()
            })
            .is_err()
    );
    assert!(net.run_until(Duration::from_secs(5), |n| {
        drain(&mut n.a, &mut la);
        drain(&mut n.b, &mut lb);
        lb.open.len() == 2
    }));
    let r = net.b.channel(rexmit).unwrap();
    assert_eq!(
        (r.ordered, r.max_retransmits, r.max_packet_life_time),
        (false, Some(3), None)
    );
    let t = net.b.channel(timed).unwrap();
    assert_eq!(
        (t.ordered, t.max_retransmits, t.max_packet_life_time),
        (true, None, Some(150))
    );
}

#[test]
fn association_loss_closes_every_channel() {
    let (mut net, mut la, _) = connected(Link::perfect(), 8);
    let ids: Vec<u16> = (0..3)
        .map(|_| net.a.create_channel(DataChannelInit::default()).unwrap())
        .collect();
    net.run_until(Duration::from_secs(1), |_| false);
    net.b_gone = true;
    net.a.send_text(ids[0], "anyone?").unwrap();
    assert!(net.run_until(Duration::from_secs(600), |n| {
        drain(&mut n.a, &mut la);
        la.closed.len() == 3
    }));
}
