//! The typed values of the attributes WebRTC uses, one file per family. Each value type parses
//! the text after `a=<name>:` with `FromStr` and writes it back with `Display`;
//! [`crate::Attribute`] dispatches on the name.

mod candidate;
mod decimal;
mod direction;
mod dtls;
mod group;
mod identity;
mod rid;
mod rtp;
mod sctp;
mod simulcast;
mod ssrc;

pub use candidate::{Candidate, CandidateExtension, CandidateType, RemoteCandidate, TcpType};
pub use decimal::Decimal;
pub use direction::Direction;
pub use dtls::{ConnectionMode, Fingerprint, HashFunction, Setup};
pub use group::{Group, GroupSemantics, Msid, MsidSemantic};
pub use identity::Identity;
pub use rid::{Rid, RidDirection, RidRestriction};
pub use rtp::{Extmap, Fmtp, Rtcp, RtcpFb, RtcpFbPayload, RtpMap};
pub use sctp::SctpMap;
pub use simulcast::{Simulcast, SimulcastId, SimulcastStream};
pub use ssrc::{Ssrc, SsrcGroup, SsrcGroupSemantics};

pub(crate) use candidate::{fmt_remote_candidates, parse_remote_candidates};
pub(crate) use dtls::is_tls_id;
pub(crate) use rtp::is_fmt;
