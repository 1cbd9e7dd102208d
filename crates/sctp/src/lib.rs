//! SCTP (RFC 9260) over DTLS (RFC 8261) and DCEP (RFC 8832) for WebRTC data channels, sans-IO.
//!
//! * [`wire`]: the packet format, every chunk and parameter, the CRC32c checksum.
//! * [`Association`]: the SCTP association machine (handshake or SNAP, data transfer with
//!   DATA or RFC 8260 I-DATA, RACK-TLP loss detection and congestion control, partial
//!   reliability, stream reset, shutdown).
//! * [`Config`]: its tunables, with the timer choices explained.
//! * [`datachannel`]: DCEP (RFC 8832) and [`DataChannels`], W3C data channels on top.

mod assoc;
mod base64;
mod config;
pub mod datachannel;
mod hash;
mod serial;
pub mod wire;

pub use assoc::{
    Association, CloseReason, Event, Message, Reliability, ResetError, SendError, SnapError, State,
    Stats,
};
pub use config::Config;
pub use datachannel::DataChannels;
