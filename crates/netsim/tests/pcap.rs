//! pcap capture of a simulated run: written to a file in a temporary directory (or to memory),
//! read back, and checked record by record.

mod support;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::time::Duration;

use rtcpeer_netsim::pcap::{self, LINKTYPE_RAW};
use rtcpeer_netsim::{
    CaptureScope, Direction, Echo, LinkConditions, LinkId, NatConfig, Network, Probe, Zone, packet,
};
use rtcpeer_types::{Protocol, Transmit};
use support::*;

/// A `Write` the test can read after the network took it.
#[derive(Clone, Default)]
struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A host behind a NAT asks an echo server twice; links 10 ms.
fn nat_scenario(net: &mut Network) -> (rtcpeer_netsim::HostId, rtcpeer_netsim::NatId) {
    let nat = net
        .add_nat(
            "nat",
            Zone::Internet,
            NatConfig::port_restricted_cone(ip("203.0.113.1")),
        )
        .unwrap();
    let h = net
        .add_host("h", Zone::Nat(nat), &[ip("10.0.0.2")], Probe::new())
        .unwrap();
    net.add_host("echo", Zone::Internet, &[ip("192.0.2.10")], Echo::new())
        .unwrap();
    net.set_link(h, LinkConditions::with_delay(ms(10))).unwrap();
    (h, nat)
}

#[test]
fn capture_everywhere_to_a_file() {
    let dir = std::env::temp_dir().join(format!("netsim-pcap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("run.pcap");

    let mut net = Network::new(rtcpeer_netsim::seed());
    let (h, _) = nat_scenario(&mut net);
    net.start_capture(
        std::fs::File::create(&path).unwrap(),
        CaptureScope::Everywhere,
    )
    .unwrap();
    let start = net.start();
    probe_mut(&mut net, h).send_udp(sa("10.0.0.2:5000"), sa("192.0.2.10:3478"), "one");
    probe_mut(&mut net, h).send_at(
        start + ms(100),
        rtcpeer_netsim::probe::udp(sa("10.0.0.2:5000"), sa("192.0.2.10:3478"), "two"),
    );
    net.run_until_idle(Duration::from_secs(1)).unwrap();
    // Each request crosses h's link, the NAT's link and the server's link; so does each answer.
    assert_eq!(net.finish_capture().unwrap(), 12);

    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let file = pcap::read(&bytes).unwrap();
    assert_eq!(file.version, (2, 4));
    assert!(file.nanosecond);
    assert_eq!(file.link_type, LINKTYPE_RAW);
    assert_eq!(file.records.len(), 12);
    let mut last = Duration::ZERO;
    let mut hops = Vec::new();
    for r in &file.records {
        assert!(r.at >= last, "timestamps in order");
        last = r.at;
        assert_eq!(r.orig_len as usize, r.data.len());
        let d = packet::parse(&r.data).unwrap();
        assert_eq!(d.protocol, Protocol::Udp);
        hops.push((r.at, d.source, d.destination, d.payload));
    }
    let req = |s: &str| s.as_bytes().to_vec();
    let ans = Echo::encode(sa("203.0.113.1:5000")).to_vec();
    assert_eq!(
        hops,
        [
            // Request: h's link at 0 ms, after the NAT and on the server's link at 10 ms.
            (
                ms(0),
                sa("10.0.0.2:5000"),
                sa("192.0.2.10:3478"),
                req("one")
            ),
            (
                ms(10),
                sa("203.0.113.1:5000"),
                sa("192.0.2.10:3478"),
                req("one")
            ),
            (
                ms(10),
                sa("203.0.113.1:5000"),
                sa("192.0.2.10:3478"),
                req("one")
            ),
            // Answer: server's link, NAT's link (both untranslated), h's link after the NAT.
            (
                ms(10),
                sa("192.0.2.10:3478"),
                sa("203.0.113.1:5000"),
                ans.clone()
            ),
            (
                ms(10),
                sa("192.0.2.10:3478"),
                sa("203.0.113.1:5000"),
                ans.clone()
            ),
            (
                ms(10),
                sa("192.0.2.10:3478"),
                sa("10.0.0.2:5000"),
                ans.clone()
            ),
            (
                ms(100),
                sa("10.0.0.2:5000"),
                sa("192.0.2.10:3478"),
                req("two")
            ),
            (
                ms(110),
                sa("203.0.113.1:5000"),
                sa("192.0.2.10:3478"),
                req("two")
            ),
            (
                ms(110),
                sa("203.0.113.1:5000"),
                sa("192.0.2.10:3478"),
                req("two")
            ),
            (
                ms(110),
                sa("192.0.2.10:3478"),
                sa("203.0.113.1:5000"),
                ans.clone()
            ),
            (
                ms(110),
                sa("192.0.2.10:3478"),
                sa("203.0.113.1:5000"),
                ans.clone()
            ),
            (ms(110), sa("192.0.2.10:3478"), sa("10.0.0.2:5000"), ans),
        ]
    );
}

#[test]
fn capture_one_link_in_memory() {
    let mut net = Network::new(3);
    let (h, nat) = nat_scenario(&mut net);
    net.set_link_direction(nat, Direction::Up, LinkConditions::default().mtu(100))
        .unwrap();
    let buf = SharedBuf::default();
    net.start_capture(buf.clone(), CaptureScope::Links(vec![LinkId::Nat(nat)]))
        .unwrap();
    probe_mut(&mut net, h).send_udp(sa("10.0.0.2:5000"), sa("192.0.2.10:3478"), vec![1u8; 72]);
    // Too big for the NAT's uplink (72 + 28 > 100): dropped before capture.
    probe_mut(&mut net, h).send_udp(sa("10.0.0.2:5000"), sa("192.0.2.10:3478"), vec![2u8; 73]);
    probe_mut(&mut net, h).send(Transmit {
        protocol: Protocol::Tcp,
        source: sa("10.0.0.2:5001"),
        destination: sa("192.0.2.10:443"),
        contents: vec![3u8; 10].into(),
    });
    net.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(net.finish_capture().unwrap(), 4);
    let file = pcap::read(&buf.0.borrow()).unwrap();
    let got: Vec<_> = file
        .records
        .iter()
        .map(|r| {
            let d = packet::parse(&r.data).unwrap();
            (d.protocol, d.source, d.destination, d.payload.len())
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                Protocol::Udp,
                sa("203.0.113.1:5000"),
                sa("192.0.2.10:3478"),
                72
            ),
            (
                Protocol::Tcp,
                sa("203.0.113.1:5001"),
                sa("192.0.2.10:443"),
                10
            ),
            (
                Protocol::Udp,
                sa("192.0.2.10:3478"),
                sa("203.0.113.1:5000"),
                16
            ),
            (
                Protocol::Tcp,
                sa("192.0.2.10:443"),
                sa("203.0.113.1:5001"),
                16
            ),
        ]
    );
    // Nothing more is written after finishing.
    let len = buf.0.borrow().len();
    probe_mut(&mut net, h).send_udp(sa("10.0.0.2:5000"), sa("192.0.2.10:3478"), "late");
    net.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(buf.0.borrow().len(), len);
    assert_eq!(net.finish_capture().unwrap(), 0);
}

/// A writer that fails after `ok` bytes.
struct Failing {
    ok: usize,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.ok < buf.len() {
            return Err(std::io::Error::other("disk full"));
        }
        self.ok -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn write_errors_surface_at_finish() {
    let mut net = Network::new(3);
    let (h, _) = nat_scenario(&mut net);
    net.start_capture(Failing { ok: 40 }, CaptureScope::Everywhere)
        .unwrap();
    probe_mut(&mut net, h).send_udp(sa("10.0.0.2:5000"), sa("192.0.2.10:3478"), "x");
    net.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(net.finish_capture().unwrap_err().to_string(), "disk full");
    // The simulation itself went on.
    assert_eq!(probe(&net, h).received().len(), 1);
    assert!(
        net.start_capture(Failing { ok: 0 }, CaptureScope::Everywhere)
            .is_err()
    );
    let bad = rtcpeer_netsim::HostId::new(99);
    assert!(
        net.start_capture(Vec::new(), CaptureScope::Links(vec![bad.into()]))
            .is_err()
    );
}
