//! STUN (RFC 8489), TURN (RFC 8656) and ICE (RFC 8445) message codec.
//!
//! This crate owns the wire format and nothing else (no transactions, no retransmission, no
//! sockets): the message header ([`header`]), typed attributes for every attribute of those three
//! RFCs ([`attributes`]), decoding that borrows from the received bytes ([`Message`]), encoding
//! ([`MessageBuilder`]), the MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
//! computations with short-term and long-term keys ([`integrity`]), and TURN ChannelData
//! ([`channel_data`]), and the preparation of credential strings (OpaqueString, SASLprep:
//! [`prep`]).
//!
//! ```
//! use rtcpeer_stun::{IntegrityKey, Message, MessageBuilder, TransactionId};
//! use rtcpeer_types::Rng;
//!
//! let mut rng = Rng::from_seed(1);
//! let key = IntegrityKey::short_term("peer-ice-pwd");
//! let request = MessageBuilder::binding_request(TransactionId::random(&mut rng))
//!     .username("peerufrag:myufrag")
//!     .priority(1_853_824_767)
//!     .ice_controlled(rng.u64())
//!     .message_integrity(&key)
//!     .fingerprint()
//!     .build()?;
//!
//! assert!(rtcpeer_stun::is_stun(&request));
//! let received = Message::decode(&request)?;
//! received.verify_fingerprint()?;
//! received.verify_integrity(&key)?;
//! assert_eq!(received.username(), Some("peerufrag:myufrag"));
//!
//! let response = received
//!     .success_response()
//!     .xor_mapped_address("192.0.2.7:50000".parse().unwrap())
//!     .message_integrity(&key)
//!     .fingerprint()
//!     .build()?;
//! let response = Message::decode(&response)?;
//! assert_eq!(response.transaction_id(), received.transaction_id());
//! assert_eq!(response.xor_mapped_address(), Some("192.0.2.7:50000".parse().unwrap()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Unknown comprehension-optional attributes (0x8000–0xFFFF) are kept raw
//! ([`Attribute::Unknown`]) and re-encode unchanged; unknown comprehension-required ones
//! (0x0000–0x7FFF) are reported by [`Message::unknown_comprehension_required`] so the receiver
//! can answer 420 with [`UnknownAttributes`]. Text attributes obey RFC 8489's length limits
//! (see [`attributes`] for what is enforced on sending and on receipt). Credentials are hashed
//! as given by [`IntegrityKey::long_term`]; [`IntegrityKey::long_term_prepared`] applies
//! OpaqueString first (see [`integrity`] and [`prep`]).

pub mod attributes;
mod builder;
pub mod channel_data;
mod error;
pub mod header;
pub mod integrity;
mod message;
pub mod prep;

pub use attributes::address::{
    AddressFamily, AlternateServer, MappedAddress, XorMappedAddress, XorPeerAddress,
    XorRelayedAddress,
};
pub use attributes::any::{Attribute, RawAttribute};
pub use attributes::auth::{
    Fingerprint, MessageIntegrity, MessageIntegritySha256, Nonce, PasswordAlgorithm,
    PasswordAlgorithmId, PasswordAlgorithms, Realm, UserHash, Username,
};
pub use attributes::error_code::{AddressErrorCode, ErrorCode};
pub use attributes::general::{AlternateDomain, Software, UnknownAttributes};
pub use attributes::ice::{IceControlled, IceControlling, Priority, UseCandidate};
pub use attributes::turn::{
    AdditionalAddressFamily, ChannelNumber, Data, DontFragment, EvenPort, Icmp, Lifetime,
    RequestedAddressFamily, RequestedTransport, ReservationToken,
};
pub use attributes::{AttributeType, DecodeAttribute, EncodeAttribute};
pub use builder::MessageBuilder;
pub use channel_data::{ChannelData, stream_frame_len};
pub use error::{DecodeError, EncodeError};
pub use header::{Class, Header, MAGIC_COOKIE, MessageType, Method, TransactionId, is_stun};
pub use integrity::IntegrityKey;
pub use message::{Message, RawAttributes};
pub use prep::PrepError;
