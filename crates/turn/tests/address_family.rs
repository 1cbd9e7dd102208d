//! The relayed address family (RFC 8656 §7.1, §7.2) against the simulated TURN server: IPv6
//! relays asked for with REQUESTED-ADDRESS-FAMILY by IPv6 and IPv4 clients, data relayed to
//! an IPv6 peer over UDP and TCP, IPv4 when nothing is asked, 440 from a server without the
//! family, and the client refusing peers of the other family.

mod support;

use std::net::SocketAddr;

use rtcpeer_netsim::{HostId, LinkConditions, Network, Probe, TurnServer, Zone};
use rtcpeer_stun::{AttributeType, Message};
use rtcpeer_turn::{
    AddressFamily, TurnClient, TurnConfig, TurnError, TurnEvent, TurnTransport, UsageError,
};
use support::*;

const SERVER4: &str = "192.0.2.1:3478";
const SERVER6: &str = "[2001:db8::1]:3478";
const PEER6: &str = "[2001:db8:2::7]:7000";
const PEER4: &str = "198.51.100.1:7000";

struct V6World {
    net: Network,
    client: HostId,
    peer6: HostId,
}

/// A dual-stack server (relaying on both families when `dual`), a client at `local` talking to
/// `server` over `transport` and asking for `family`, and an IPv6 and an IPv4 peer.
fn v6_world(
    local: &str,
    server: &str,
    transport: TurnTransport,
    family: Option<AddressFamily>,
    dual: bool,
) -> V6World {
    let mut net = Network::new(rtcpeer_netsim::seed());
    let mut config = rtcpeer_netsim::TurnServerConfig::new(sa(server), sa(server).ip(), REALM)
        .with_user(USER, PASS);
    if dual {
        let other = if sa(server).is_ipv4() {
            sa(SERVER6).ip()
        } else {
            sa(SERVER4).ip()
        };
        config = config.with_relay_ip(other);
    }
    let rng = net.fork_rng();
    let turn = net
        .add_host(
            "turn",
            Zone::Internet,
            &[sa(SERVER4).ip(), sa(SERVER6).ip()],
            TurnServer::new(config, rng),
        )
        .unwrap();
    let mut c = TurnConfig::new(sa(server), sa(local), USER, PASS).with_transport(transport);
    if let Some(f) = family {
        c = c.with_requested_family(f);
    }
    let client = TurnClient::new(c, net.fork_rng()).unwrap();
    let client = net
        .add_host(
            "client",
            Zone::Internet,
            &[sa(local).ip()],
            ClientHost::new(client),
        )
        .unwrap();
    let peer6 = net
        .add_host("peer6", Zone::Internet, &[sa(PEER6).ip()], Probe::new())
        .unwrap();
    let peer4 = net
        .add_host("peer4", Zone::Internet, &[sa(PEER4).ip()], Probe::new())
        .unwrap();
    for h in [turn, client, peer6, peer4] {
        net.set_link(
            h,
            LinkConditions::with_delay(std::time::Duration::from_millis(10)),
        )
        .unwrap();
    }
    V6World { net, client, peer6 }
}

impl V6World {
    fn host_mut(&mut self) -> &mut ClientHost {
        self.net.endpoint_mut::<ClientHost>(self.client).unwrap()
    }

    fn allocate(&mut self) -> TurnEvent {
        let now = self.net.now();
        self.host_mut().client.allocate(now).unwrap();
        let client = self.client;
        let done = |net: &Network| {
            net.endpoint::<ClientHost>(client)
                .unwrap()
                .events
                .iter()
                .map(|(_, e)| e.clone())
                .find(|e| {
                    matches!(
                        e,
                        TurnEvent::Allocated { .. } | TurnEvent::AllocationFailed(_)
                    )
                })
        };
        self.net.run_until(|n| done(n).is_some(), secs(10)).unwrap();
        done(&self.net).unwrap()
    }

    fn relay_both_ways(&mut self, relayed: SocketAddr) {
        let now = self.net.now();
        self.host_mut()
            .client
            .create_permission(now, sa(PEER6).ip())
            .unwrap();
        self.net.run_for(secs(1)).unwrap();
        let now = self.net.now();
        self.host_mut()
            .client
            .send_to(now, sa(PEER6), b"to v6")
            .unwrap();
        let peer6 = self.peer6;
        self.net.endpoint_mut::<Probe>(peer6).unwrap().send_udp(
            sa(PEER6),
            relayed,
            &b"from v6"[..],
        );
        self.net.run_for(secs(1)).unwrap();
        let got: Vec<(SocketAddr, Vec<u8>)> = self
            .net
            .endpoint::<Probe>(peer6)
            .unwrap()
            .received()
            .iter()
            .map(|(_, r)| (r.source, r.contents.to_vec()))
            .collect();
        assert_eq!(got, [(relayed, b"to v6".to_vec())]);
        let data: Vec<_> = self
            .net
            .endpoint::<ClientHost>(self.client)
            .unwrap()
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                TurnEvent::Data { peer, data } => Some((*peer, data.to_vec())),
                _ => None,
            })
            .collect();
        assert_eq!(data, [(sa(PEER6), b"from v6".to_vec())]);
    }
}

#[test]
fn ipv6_client_gets_an_ipv6_relay_over_udp_and_tcp() {
    for transport in [TurnTransport::Udp, TurnTransport::Tcp] {
        let mut w = v6_world(
            "[2001:db8:1::5]:5000",
            SERVER6,
            transport.clone(),
            Some(AddressFamily::Ipv6),
            true,
        );
        let TurnEvent::Allocated {
            relayed, mapped, ..
        } = w.allocate()
        else {
            panic!("not allocated over {transport:?}");
        };
        assert_eq!(relayed.ip(), sa(SERVER6).ip(), "{transport:?}");
        assert_eq!(mapped, Some(sa("[2001:db8:1::5]:5000")));
        w.relay_both_ways(relayed);
    }
}

#[test]
fn ipv4_client_can_ask_for_an_ipv6_relay() {
    let mut w = v6_world(
        "203.0.113.5:5000",
        SERVER4,
        TurnTransport::Udp,
        Some(AddressFamily::Ipv6),
        true,
    );
    let TurnEvent::Allocated { relayed, .. } = w.allocate() else {
        panic!("not allocated");
    };
    assert!(relayed.is_ipv6(), "{relayed}");
    w.relay_both_ways(relayed);
    // A peer of the other family is refused locally (RFC 8656 §9.1 would get 443).
    let now = w.net.now();
    assert_eq!(
        w.host_mut().client.create_permission(now, sa(PEER4).ip()),
        Err(UsageError::PeerFamilyMismatch)
    );
}

#[test]
fn without_the_attribute_the_relay_is_ipv4() {
    let mut w = v6_world(
        "[2001:db8:1::5]:5000",
        SERVER6,
        TurnTransport::Udp,
        None,
        true,
    );
    let TurnEvent::Allocated { relayed, .. } = w.allocate() else {
        panic!("not allocated");
    };
    assert_eq!(relayed.ip(), sa(SERVER4).ip());
}

#[test]
fn a_server_without_the_family_answers_440() {
    let mut w = v6_world(
        "203.0.113.5:5000",
        SERVER4,
        TurnTransport::Udp,
        Some(AddressFamily::Ipv6),
        false,
    );
    match w.allocate() {
        TurnEvent::AllocationFailed(TurnError::Server { code, .. }) => assert_eq!(code, 440),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_allocate_request_carries_the_family() {
    let config = TurnConfig::new(sa(SERVER6), sa("[2001:db8:1::5]:5000"), USER, PASS)
        .with_requested_family(AddressFamily::Ipv6);
    let mut client = TurnClient::new(config, rtcpeer_types::Rng::from_seed(1)).unwrap();
    #[allow(clippy::disallowed_methods)]
    let now = std::time::Instant::now();
    client.allocate(now).unwrap();
    let t = client.poll_transmit().unwrap();
    let m = Message::decode(&t.contents).unwrap();
    let family = m
        .raw_attributes()
        .find(|a| a.attribute_type == AttributeType::REQUESTED_ADDRESS_FAMILY)
        .map(|a| a.value.to_vec());
    assert_eq!(family, Some(vec![2, 0, 0, 0]), "IPv6 is family 0x02");
    let plain = TurnConfig::new(sa(SERVER4), sa("203.0.113.5:5000"), USER, PASS);
    let mut client = TurnClient::new(plain, rtcpeer_types::Rng::from_seed(1)).unwrap();
    client.allocate(now).unwrap();
    let t = client.poll_transmit().unwrap();
    let m = Message::decode(&t.contents).unwrap();
    assert!(
        m.raw_attributes()
            .all(|a| a.attribute_type != AttributeType::REQUESTED_ADDRESS_FAMILY)
    );
}
