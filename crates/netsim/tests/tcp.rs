//! Simulated TCP connections: connect, accept, refuse and time out; byte streams that arrive
//! intact and in order but in arbitrary pieces; closing; connections through NATs; firewalls
//! that block a protocol or incoming connections.

mod support;

use std::time::Duration;

use bytes::Bytes;
use rtcpeer_netsim::{
    ConnectError, DropReason, Firewall, HostId, LinkConditions, NatConfig, Network, Probe,
    TcpCommand, TcpEvent, TraceKind, Zone,
};
use rtcpeer_types::{Protocol, Transmit};
use support::*;

const A: &str = "192.0.2.1";
const B: &str = "198.51.100.7";

/// Two public hosts running probes, 10 ms each way on each host link (20 ms one way).
fn pair(seed: u64) -> (Network, HostId, HostId) {
    let mut net = Network::new(seed);
    let a = net
        .add_host("a", Zone::Internet, &[ip(A)], Probe::new())
        .unwrap();
    let b = net
        .add_host("b", Zone::Internet, &[ip(B)], Probe::new())
        .unwrap();
    for h in [a, b] {
        net.set_link(h, LinkConditions::with_delay(ms(10))).unwrap();
    }
    (net, a, b)
}

fn events(net: &Network, h: HostId) -> Vec<TcpEvent> {
    probe(net, h)
        .tcp_events()
        .iter()
        .map(|(_, e)| e.clone())
        .collect()
}

fn tcp(source: std::net::SocketAddr, destination: std::net::SocketAddr, b: &[u8]) -> Transmit {
    Transmit {
        protocol: Protocol::Tcp,
        source,
        destination,
        contents: Bytes::copy_from_slice(b),
    }
}

/// B listens on :443, A connects; returns A's local address once connected.
fn connect(net: &mut Network, a: HostId, b: HostId) -> std::net::SocketAddr {
    probe_mut(net, b).tcp(TcpCommand::Listen {
        local: sa(&format!("{B}:443")),
    });
    probe_mut(net, a).tcp(TcpCommand::Connect {
        token: 7,
        local: sa(&format!("{A}:0")),
        remote: sa(&format!("{B}:443")),
    });
    net.run_until(|n| !probe(n, a).tcp_events().is_empty(), ms(500))
        .unwrap();
    match events(net, a).first() {
        Some(TcpEvent::Connected {
            token: 7,
            local,
            remote,
        }) => {
            assert_eq!(*remote, sa(&format!("{B}:443")));
            *local
        }
        other => panic!("not connected: {other:?}"),
    }
}

#[test]
fn connect_accept_and_exchange_bytes() {
    let (mut net, a, b) = pair(rtcpeer_netsim::seed());
    let start = net.now();
    let local = connect(&mut net, a, b);
    // One round trip: SYN there, SYN-ACK back.
    assert_eq!(net.now() - start, ms(40));
    assert_eq!(local.ip(), ip(A));
    assert!(local.port() >= 49152, "{local}");
    let server = sa(&format!("{B}:443"));
    assert_eq!(
        events(&net, b),
        [TcpEvent::Accepted {
            local: server,
            remote: local
        }]
    );
    assert_eq!(net.tcp_connections(a), [(local, server)]);
    assert_eq!(net.tcp_connections(b), [(server, local)]);
    probe_mut(&mut net, a).send(tcp(local, server, b"hello"));
    probe_mut(&mut net, b).send(tcp(server, local, b"world!"));
    net.run_for(ms(100)).unwrap();
    assert_eq!(probe(&net, b).stream(server, local), b"hello");
    assert_eq!(probe(&net, a).stream(local, server), b"world!");
}

#[test]
fn streams_arrive_intact_in_arbitrary_pieces() {
    for seed in 0..20u64 {
        let (mut net, a, b) = pair(seed.wrapping_mul(0x9e37_79b9) ^ rtcpeer_netsim::seed());
        let local = connect(&mut net, a, b);
        let server = sa(&format!("{B}:443"));
        let mut sent = Vec::new();
        for i in 0..40u32 {
            let len = 1 + (i as usize * 37) % 300;
            let chunk: Vec<u8> = (0..len).map(|j| (i as usize + j) as u8).collect();
            sent.extend_from_slice(&chunk);
            let at = net.now() + Duration::from_micros(u64::from(i) * 300);
            probe_mut(&mut net, a).send_at(at, tcp(local, server, &chunk));
        }
        net.run_for(ms(200)).unwrap();
        assert_eq!(probe(&net, b).stream(server, local), sent, "seed {seed}");
        let pieces = probe(&net, b)
            .received()
            .iter()
            .filter(|(_, r)| r.protocol == Protocol::Tcp)
            .count();
        assert_ne!(pieces, 40, "seed {seed}: neither split nor coalesced");
    }
}

#[test]
fn segmentation_can_be_turned_off() {
    let (mut net, a, b) = pair(rtcpeer_netsim::seed());
    net.set_tcp_segmentation(false);
    let local = connect(&mut net, a, b);
    let server = sa(&format!("{B}:443"));
    for i in 0..10u8 {
        probe_mut(&mut net, a).send(tcp(local, server, &[i; 100]));
        net.run_for(ms(1)).unwrap();
    }
    net.run_for(ms(100)).unwrap();
    let got: Vec<usize> = probe(&net, b)
        .received()
        .iter()
        .map(|(_, r)| r.contents.len())
        .collect();
    assert_eq!(got, [100; 10]);
}

#[test]
fn same_seed_same_pieces() {
    let run = || {
        let (mut net, a, b) = pair(42);
        let local = connect(&mut net, a, b);
        let server = sa(&format!("{B}:443"));
        for i in 0..20u8 {
            probe_mut(&mut net, a).send(tcp(local, server, &[i; 50]));
            net.run_for(ms(1)).unwrap();
        }
        net.run_for(ms(100)).unwrap();
        probe(&net, b)
            .received()
            .iter()
            .map(|(t, r)| (*t - net.start(), r.contents.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn no_listener_refuses_and_silence_times_out() {
    let (mut net, a, b) = pair(rtcpeer_netsim::seed());
    probe_mut(&mut net, a).tcp(TcpCommand::Connect {
        token: 1,
        local: sa(&format!("{A}:0")),
        remote: sa(&format!("{B}:80")),
    });
    let start = net.now();
    net.run_until(|n| !probe(n, a).tcp_events().is_empty(), ms(500))
        .unwrap();
    assert_eq!(net.now() - start, ms(40));
    assert_eq!(
        events(&net, a),
        [TcpEvent::ConnectFailed {
            token: 1,
            error: ConnectError::Refused
        }]
    );
    assert!(events(&net, b).is_empty());
    // Nobody at all at the address: the SYN goes nowhere and the connect times out.
    net.set_tcp_connect_timeout(Duration::from_secs(2));
    probe_mut(&mut net, a).tcp(TcpCommand::Connect {
        token: 2,
        local: sa(&format!("{A}:0")),
        remote: sa("203.0.113.50:80"),
    });
    let start = net.now();
    net.run_until(
        |n| probe(n, a).tcp_events().len() == 2,
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(net.now() - start, Duration::from_secs(2));
    assert_eq!(
        events(&net, a)[1],
        TcpEvent::ConnectFailed {
            token: 2,
            error: ConnectError::TimedOut
        }
    );
    // A local address the host does not have.
    probe_mut(&mut net, a).tcp(TcpCommand::Connect {
        token: 3,
        local: sa("10.9.9.9:0"),
        remote: sa(&format!("{B}:80")),
    });
    net.run_for(ms(1)).unwrap();
    assert_eq!(
        events(&net, a)[2],
        TcpEvent::ConnectFailed {
            token: 3,
            error: ConnectError::BadAddress
        }
    );
}

#[test]
fn close_delivers_what_was_written_then_the_fin() {
    let (mut net, a, b) = pair(rtcpeer_netsim::seed());
    let local = connect(&mut net, a, b);
    let server = sa(&format!("{B}:443"));
    probe_mut(&mut net, a).send(tcp(local, server, b"last words"));
    probe_mut(&mut net, a).tcp(TcpCommand::Close {
        local,
        remote: server,
    });
    net.run_for(ms(100)).unwrap();
    assert_eq!(probe(&net, b).stream(server, local), b"last words");
    assert_eq!(
        events(&net, b).last(),
        Some(&TcpEvent::Closed {
            local: server,
            remote: local
        })
    );
    assert!(net.tcp_connections(a).is_empty());
    assert!(net.tcp_connections(b).is_empty());
    // Writing on the closed connection is dropped and counted, from either side.
    probe_mut(&mut net, b).send(tcp(server, local, b"too late"));
    probe_mut(&mut net, a).send(tcp(local, server, b"too late"));
    net.run_for(ms(100)).unwrap();
    assert_eq!(net.stats().dropped_tcp, 2);
    assert!(probe(&net, a).stream(local, server).is_empty());
}

#[test]
fn connections_cross_a_nat_outward_only() {
    let mut net = Network::new(rtcpeer_netsim::seed());
    let nat = net
        .add_nat(
            "nat",
            Zone::Internet,
            NatConfig::port_restricted_cone(ip("203.0.113.1")),
        )
        .unwrap();
    let inside = net
        .add_host("inside", Zone::Nat(nat), &[ip("10.0.0.2")], Probe::new())
        .unwrap();
    let outside = net
        .add_host("outside", Zone::Internet, &[ip(B)], Probe::new())
        .unwrap();
    net.set_tcp_connect_timeout(Duration::from_secs(1));
    probe_mut(&mut net, outside).tcp(TcpCommand::Listen {
        local: sa("0.0.0.0:443"),
    });
    probe_mut(&mut net, inside).tcp(TcpCommand::Listen {
        local: sa("10.0.0.2:443"),
    });
    probe_mut(&mut net, inside).tcp(TcpCommand::Connect {
        token: 1,
        local: sa("0.0.0.0:0"),
        remote: sa(&format!("{B}:443")),
    });
    net.run_for(ms(10)).unwrap();
    let Some(TcpEvent::Connected { local, .. }) = events(&net, inside).first().cloned() else {
        panic!("{:?}", events(&net, inside));
    };
    assert_eq!(local.ip(), ip("10.0.0.2"));
    // The listener sees the NAT's external address.
    let Some(TcpEvent::Accepted { remote, local: l }) = events(&net, outside).first().cloned()
    else {
        panic!("{:?}", events(&net, outside));
    };
    assert_eq!(remote.ip(), ip("203.0.113.1"));
    assert_eq!(l, sa(&format!("{B}:443")));
    probe_mut(&mut net, outside).send(tcp(l, remote, b"through the NAT"));
    net.run_for(ms(10)).unwrap();
    assert_eq!(
        probe(&net, inside).stream(local, sa(&format!("{B}:443"))),
        b"through the NAT"
    );
    // From outside, the NAT has no mapping for the inside listener: the connect times out.
    probe_mut(&mut net, outside).tcp(TcpCommand::Connect {
        token: 2,
        local: sa(&format!("{B}:0")),
        remote: sa("203.0.113.1:443"),
    });
    net.run_for(Duration::from_secs(2)).unwrap();
    assert_eq!(
        events(&net, outside).last(),
        Some(&TcpEvent::ConnectFailed {
            token: 2,
            error: ConnectError::TimedOut
        })
    );
    assert_eq!(events(&net, inside).len(), 1, "nothing reached the inside");
}

#[test]
fn firewall_blocks_udp_and_incoming_connections() {
    let (mut net, a, b) = pair(rtcpeer_netsim::seed());
    net.record_trace(true);
    net.set_firewall(
        a,
        Firewall::default()
            .block(Protocol::Udp)
            .block_inbound_connections(),
    )
    .unwrap();
    net.set_tcp_connect_timeout(Duration::from_secs(1));
    // UDP is dropped both ways.
    send_and_run(
        &mut net,
        a,
        &format!("{A}:1000"),
        &format!("{B}:2000"),
        "x",
        ms(50),
    );
    send_and_run(
        &mut net,
        b,
        &format!("{B}:2000"),
        &format!("{A}:1000"),
        "y",
        ms(50),
    );
    assert!(probe(&net, a).received().is_empty());
    assert!(probe(&net, b).received().is_empty());
    assert_eq!(net.stats().dropped_firewall, 2);
    assert!(net.trace().iter().any(|e| matches!(
        e.kind,
        TraceKind::Dropped {
            reason: DropReason::Firewall,
            ..
        }
    )));
    // A can open a connection out, and it carries bytes both ways.
    let local = connect(&mut net, a, b);
    let server = sa(&format!("{B}:443"));
    probe_mut(&mut net, b).send(tcp(server, local, b"reply"));
    net.run_for(ms(50)).unwrap();
    assert_eq!(probe(&net, a).stream(local, server), b"reply");
    // B cannot open one to A's listener.
    probe_mut(&mut net, a).tcp(TcpCommand::Listen {
        local: sa(&format!("{A}:443")),
    });
    probe_mut(&mut net, b).tcp(TcpCommand::Connect {
        token: 9,
        local: sa(&format!("{B}:0")),
        remote: sa(&format!("{A}:443")),
    });
    net.run_for(Duration::from_secs(2)).unwrap();
    assert_eq!(
        events(&net, b).last(),
        Some(&TcpEvent::ConnectFailed {
            token: 9,
            error: ConnectError::TimedOut
        })
    );
    let link = net
        .link_stats(a, rtcpeer_netsim::Direction::Down)
        .unwrap()
        .dropped_firewall;
    assert_eq!(link, 2, "the UDP datagram and the SYN, on A's downlink");
}

#[test]
fn tcp_outside_a_connection_is_still_a_reliable_datagram() {
    let (mut net, a, b) = pair(rtcpeer_netsim::seed());
    probe_mut(&mut net, a).send(tcp(
        sa(&format!("{A}:5000")),
        sa(&format!("{B}:3478")),
        b"x",
    ));
    net.run_for(ms(50)).unwrap();
    let got = probe(&net, b).received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1.protocol, Protocol::Tcp);
    assert_eq!(&got[0].1.contents[..], b"x");
}
