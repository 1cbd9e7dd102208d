//! [`Config`]: the tunables of an association, with WebRTC-minded defaults.
//!
//! # Timer choices (RFC 9260 §6.3 and §16)
//!
//! RFC 9260 recommends RTO.Initial = 1 s, RTO.Min = 1 s and RTO.Max = 60 s, values made for
//! the open Internet of 2000 and the ones usrsctp still uses. A WebRTC association runs over a
//! path ICE has just measured, and a one-second floor makes every loss on a 20 ms path stall
//! the channel for a second. The defaults here follow what Chrome's dcSCTP ships:
//!
//! * `rto_initial` = 500 ms: the handshake and the first data are retransmitted after half a
//!   second instead of one;
//! * `rto_min` = 300 ms: it must stay above the peer's delayed-SACK timer (200 ms, RFC 9260
//!   §6.2) plus a round trip, or a lone packet whose SACK the peer delays would be
//!   retransmitted spuriously and halve the congestion window;
//! * `rto_max` = 6 s: with Association.Max.Retrans = 10, a vanished peer is detected in well
//!   under a minute instead of the RFC's many minutes (ICE consent freshness, 30 s, usually
//!   notices first anyway).
//!
//! # Extensions on by default
//!
//! * `interleaving` (RFC 8260 I-DATA): offered in the Supported Extensions parameter and used
//!   only when the peer lists I-DATA too, so offering it is safe: a peer without it (every
//!   browser as shipped today) sees one more chunk type in a list it ignores, and the
//!   association keeps using DATA exactly as before. With it, a large message on one stream
//!   no longer holds up the messages of the others.
//! * `rack` (RFC 8985 RACK-TLP adapted to SCTP): purely local sender behaviour (it only
//!   decides when to retransmit), so it needs no negotiation. It replaces the three-miss fast
//!   retransmit rule of RFC 9260 §7.2.4, which stays in use when `rack` is off.

use std::time::Duration;

/// Configuration of an [`Association`](crate::Association).
///
/// Build it with struct update syntax: `Config { mtu: 1400, ..Config::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Our SCTP port (RFC 8841 `a=sctp-port`, 5000 by default).
    pub local_port: u16,
    /// The peer's SCTP port.
    pub remote_port: u16,
    /// The largest SCTP packet we send (the DTLS record payload), common header included.
    pub mtu: usize,
    /// The largest message we send or accept (RFC 8841 `a=max-message-size`; 256 KiB).
    pub max_message_size: usize,
    /// Bytes we buffer for reassembly and reordering: the receiver window we advertise
    /// (raised to at least `max_message_size` so that one whole message always fits).
    pub max_receive_buffer: usize,
    /// Bytes the sender queues before [`send`](crate::Association::send) refuses more.
    pub max_send_buffer: usize,
    /// Outbound streams we ask for (OS).
    pub outbound_streams: u16,
    /// Inbound streams we accept (MIS).
    pub inbound_streams: u16,
    /// RTO.Initial (see the module documentation for the choice).
    pub rto_initial: Duration,
    /// RTO.Min.
    pub rto_min: Duration,
    /// RTO.Max.
    pub rto_max: Duration,
    /// Max.Init.Retransmits: INIT and COOKIE ECHO retransmissions before giving up.
    pub max_init_retransmits: u32,
    /// Association.Max.Retrans: consecutive unanswered retransmissions and heartbeats before
    /// the peer is declared unreachable and the association aborted.
    pub max_retransmissions: u32,
    /// HB.interval: heartbeat period on an idle association.
    pub heartbeat_interval: Duration,
    /// Longest delay before a SACK (RFC 9260 §6.2: at most 500 ms, 200 ms recommended).
    pub delayed_ack_timeout: Duration,
    /// Valid.Cookie.Life.
    pub valid_cookie_life: Duration,
    /// Announce and use RFC 9653 zero checksums (SCTP over DTLS, method 1).
    pub zero_checksum: bool,
    /// Offer RFC 8260 user message interleaving (I-DATA, I-FORWARD-TSN); it is used when
    /// the peer offers it too.
    pub interleaving: bool,
    /// Detect losses by time (RACK) and probe tail losses (TLP), RFC 8985 adapted to SCTP;
    /// off, the RFC 9260 three-miss rule decides fast retransmissions.
    pub rack: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            local_port: 5000,
            remote_port: 5000,
            mtu: 1200,
            max_message_size: 256 * 1024,
            max_receive_buffer: 1024 * 1024,
            max_send_buffer: 64 * 1024 * 1024,
            outbound_streams: u16::MAX,
            inbound_streams: u16::MAX,
            rto_initial: Duration::from_millis(500),
            rto_min: Duration::from_millis(300),
            rto_max: Duration::from_secs(6),
            max_init_retransmits: 8,
            max_retransmissions: 10,
            heartbeat_interval: Duration::from_secs(30),
            delayed_ack_timeout: Duration::from_millis(200),
            valid_cookie_life: Duration::from_secs(60),
            zero_checksum: false,
            interleaving: true,
            rack: true,
        }
    }
}

impl Config {
    /// The receive buffer actually used: at least one maximum-size message plus some room.
    pub(crate) fn receive_buffer(&self) -> usize {
        self.max_receive_buffer
            .max(self.max_message_size + 64 * 1024)
            .min(u32::MAX as usize)
    }
}
