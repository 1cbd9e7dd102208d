//! The JSEP building blocks (RFC 9429) that do not depend on the connection's state: codec and
//! header extension negotiation, and the checks and transport parameters of remote
//! descriptions. The state machine that uses them is [`crate::pc`].

pub mod codecs;
pub mod extensions;
pub mod remote;
