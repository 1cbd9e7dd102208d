//! The socket layer under a real connection: datagrams sent to a bound port reach the
//! driver's receive path (counted in the socket stats; the core has no transport to take them
//! yet, so they are counted as dropped), and interface selection.

mod common;

use std::net::{SocketAddr, UdpSocket};

use common::*;
use rtcpeer::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datagrams_reach_the_driver() {
    let a = pc(40);
    let stats = a.socket_stats();
    let v4: Vec<SocketAddr> = stats
        .local_addrs
        .iter()
        .copied()
        .filter(SocketAddr::is_ipv4)
        .collect();
    assert_eq!(
        v4.len(),
        1,
        "one IPv4 loopback socket: {:?}",
        stats.local_addrs
    );
    assert!(v4[0].ip().is_loopback() && v4[0].port() != 0);
    assert!(stats.local_addrs.iter().all(|a| a.ip().is_loopback()));
    assert_eq!(stats.datagrams_received, 0);

    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    // A STUN-looking datagram and a DTLS-looking one (RFC 7983 first bytes).
    peer.send_to(&[0x00, 0x01, 0x00, 0x00], v4[0]).unwrap();
    peer.send_to(&[22u8; 40], v4[0]).unwrap();
    for _ in 0..98 {
        peer.send_to(&[0x80; 200], v4[0]).unwrap();
    }
    wait_until("100 datagrams", || {
        a.socket_stats().datagrams_received == 100
    })
    .await;
    let s = a.socket_stats();
    assert_eq!(s.bytes_received, 4 + 40 + 98 * 200);
    assert_eq!(s.datagrams_dropped, 100, "no transport takes them yet");
    assert_eq!((s.datagrams_sent, s.send_errors), (0, 0));
    // The connection still answers while datagrams arrive.
    a.create_offer(RtcOfferOptions::default()).await.unwrap();
    a.close();
}

#[tokio::test]
async fn explicit_and_no_interfaces() {
    let a = RtcPeerConnection::builder(RtcConfiguration::default())
        .interfaces(Interfaces::Addresses(vec!["127.0.0.1".parse().unwrap()]))
        .build()
        .unwrap();
    let addrs = a.socket_stats().local_addrs;
    assert_eq!(addrs.len(), 1);
    assert_eq!(addrs[0].ip().to_string(), "127.0.0.1");
    let b = pc_no_sockets(41);
    assert!(b.socket_stats().local_addrs.is_empty());
    // Signaling works without sockets.
    negotiate(&a, &b).await;
    a.close();
    b.close();
}
