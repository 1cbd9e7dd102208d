//! Packet capture of a simulated run: which links to record and the pcap stream they go to.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::time::Duration;

use crate::pcap::PcapWriter;
use crate::topology::LinkId;

/// Which datagrams a capture records.
///
/// A datagram is recorded each time it is offered to a captured link (after the MTU check, before
/// queueing and loss), with the addresses it has on that link and the virtual time it was sent
/// onto it, like `tcpdump` on the sending side of the link. Capturing everywhere therefore shows a
/// datagram once per hop: on the sender's link, after each NAT, and on the receiver's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureScope {
    /// Every link in both directions.
    Everywhere,
    /// These links, both directions ([`LinkId::Host`] means the interfaces the host has when the
    /// capture starts).
    Links(Vec<LinkId>),
}

/// A running capture.
pub(crate) struct Capture {
    writer: PcapWriter<Box<dyn Write>>,
    /// Link indices captured; `None`: all.
    links: Option<BTreeSet<usize>>,
    error: Option<io::Error>,
}

impl Capture {
    pub(crate) fn new(writer: Box<dyn Write>, links: Option<BTreeSet<usize>>) -> io::Result<Self> {
        Ok(Capture {
            writer: PcapWriter::new(writer)?,
            links,
            error: None,
        })
    }

    pub(crate) fn wants(&self, link: usize) -> bool {
        self.error.is_none() && self.links.as_ref().is_none_or(|l| l.contains(&link))
    }

    /// Records a packet; the first write error stops the capture and is kept for `finish`.
    pub(crate) fn record(&mut self, at: Duration, packet: &[u8]) {
        if let Err(e) = self.writer.write_packet(at, packet) {
            self.error = Some(e);
        }
    }

    /// Flushes, and returns the number of records or the first error.
    pub(crate) fn finish(mut self) -> io::Result<u64> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.writer.flush()?;
        Ok(self.writer.records())
    }
}
