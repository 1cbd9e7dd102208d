//! [`Attribute`]: any attribute of a message, typed when this crate knows its type, raw
//! ([`RawAttribute`]) otherwise, so unknown comprehension-optional attributes survive a
//! decode/encode round trip (RFC 8489 §14: type, length, value, padding to 32 bits).

use super::address::{
    AlternateServer, MappedAddress, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use super::auth::{
    Fingerprint, MessageIntegrity, MessageIntegritySha256, Nonce, PasswordAlgorithm,
    PasswordAlgorithms, Realm, UserHash, Username,
};
use super::error_code::{AddressErrorCode, ErrorCode};
use super::general::{AlternateDomain, Software, UnknownAttributes};
use super::ice::{IceControlled, IceControlling, Priority, UseCandidate};
use super::turn::{
    AdditionalAddressFamily, ChannelNumber, Data, DontFragment, EvenPort, Icmp, Lifetime,
    RequestedAddressFamily, RequestedTransport, ReservationToken,
};
use super::{AttributeType, DecodeAttribute, EncodeAttribute};
use crate::error::{DecodeError, EncodeError};
use crate::header::TransactionId;

/// An attribute as it appears on the wire: its type and its value bytes (without padding).
///
/// Encoding one copies the value as it is, whatever the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawAttribute<'a> {
    /// The attribute type.
    pub attribute_type: AttributeType,
    /// The value, without padding.
    pub value: &'a [u8],
}

impl<'a> RawAttribute<'a> {
    /// Decodes the value into a typed [`Attribute`].
    pub fn decode(&self, transaction_id: &TransactionId) -> Result<Attribute<'a>, DecodeError> {
        Attribute::decode(self.attribute_type, self.value, transaction_id)
    }
}

impl EncodeAttribute for RawAttribute<'_> {
    fn attribute_type(&self) -> AttributeType {
        self.attribute_type
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self.value);
        Ok(())
    }
}

macro_rules! any_attribute {
    ($lt:lifetime; $($variant:ident($ty:ty) = $attr:ident,)*) => {
        /// Any attribute: one variant per attribute type this crate knows, and
        /// [`Attribute::Unknown`] for the others.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Attribute<$lt> {
            $(
                #[doc = concat!("`", stringify!($attr), "`: see [`", stringify!($variant), "`].")]
                $variant($ty),
            )*
            /// An attribute whose type this crate does not know, kept as received.
            Unknown(RawAttribute<$lt>),
        }

        impl<$lt> Attribute<$lt> {
            /// Decodes the value of an attribute of type `attribute_type`.
            pub fn decode(
                attribute_type: AttributeType,
                value: &$lt [u8],
                transaction_id: &TransactionId,
            ) -> Result<Self, DecodeError> {
                Ok(match attribute_type {
                    $(AttributeType::$attr => Attribute::$variant(
                        <$ty as DecodeAttribute<$lt>>::decode(value, transaction_id)?,
                    ),)*
                    _ => Attribute::Unknown(RawAttribute { attribute_type, value }),
                })
            }

            /// Checks that the value decodes, without building the attribute.
            pub(crate) fn validate(
                attribute_type: AttributeType,
                value: &$lt [u8],
                transaction_id: &TransactionId,
            ) -> Result<(), DecodeError> {
                match attribute_type {
                    $(AttributeType::$attr => {
                        <$ty as DecodeAttribute<$lt>>::validate(value, transaction_id)
                    })*
                    _ => Ok(()),
                }
            }

            /// The attribute's type.
            pub fn attribute_type(&self) -> AttributeType {
                match self {
                    $(Attribute::$variant(_) => AttributeType::$attr,)*
                    Attribute::Unknown(raw) => raw.attribute_type,
                }
            }
        }

        impl EncodeAttribute for Attribute<'_> {
            fn attribute_type(&self) -> AttributeType {
                Attribute::attribute_type(self)
            }

            fn encode_value(
                &self,
                transaction_id: &TransactionId,
                out: &mut Vec<u8>,
            ) -> Result<(), EncodeError> {
                match self {
                    $(Attribute::$variant(a) => a.encode_value(transaction_id, out),)*
                    Attribute::Unknown(raw) => raw.encode_value(transaction_id, out),
                }
            }
        }

        $(
            impl<$lt> From<$ty> for Attribute<$lt> {
                fn from(a: $ty) -> Self {
                    Attribute::$variant(a)
                }
            }
        )*
    };
}

any_attribute! { 'a;
    MappedAddress(MappedAddress) = MAPPED_ADDRESS,
    XorMappedAddress(XorMappedAddress) = XOR_MAPPED_ADDRESS,
    Username(Username<'a>) = USERNAME,
    UserHash(UserHash) = USERHASH,
    MessageIntegrity(MessageIntegrity) = MESSAGE_INTEGRITY,
    MessageIntegritySha256(MessageIntegritySha256<'a>) = MESSAGE_INTEGRITY_SHA256,
    Fingerprint(Fingerprint) = FINGERPRINT,
    ErrorCode(ErrorCode<'a>) = ERROR_CODE,
    Realm(Realm<'a>) = REALM,
    Nonce(Nonce<'a>) = NONCE,
    PasswordAlgorithms(PasswordAlgorithms<'a>) = PASSWORD_ALGORITHMS,
    PasswordAlgorithm(PasswordAlgorithm<'a>) = PASSWORD_ALGORITHM,
    UnknownAttributes(UnknownAttributes) = UNKNOWN_ATTRIBUTES,
    Software(Software<'a>) = SOFTWARE,
    AlternateServer(AlternateServer) = ALTERNATE_SERVER,
    AlternateDomain(AlternateDomain<'a>) = ALTERNATE_DOMAIN,
    Priority(Priority) = PRIORITY,
    UseCandidate(UseCandidate) = USE_CANDIDATE,
    IceControlled(IceControlled) = ICE_CONTROLLED,
    IceControlling(IceControlling) = ICE_CONTROLLING,
    ChannelNumber(ChannelNumber) = CHANNEL_NUMBER,
    Lifetime(Lifetime) = LIFETIME,
    XorPeerAddress(XorPeerAddress) = XOR_PEER_ADDRESS,
    Data(Data<'a>) = DATA,
    XorRelayedAddress(XorRelayedAddress) = XOR_RELAYED_ADDRESS,
    RequestedAddressFamily(RequestedAddressFamily) = REQUESTED_ADDRESS_FAMILY,
    EvenPort(EvenPort) = EVEN_PORT,
    RequestedTransport(RequestedTransport) = REQUESTED_TRANSPORT,
    DontFragment(DontFragment) = DONT_FRAGMENT,
    ReservationToken(ReservationToken) = RESERVATION_TOKEN,
    AdditionalAddressFamily(AdditionalAddressFamily) = ADDITIONAL_ADDRESS_FAMILY,
    AddressErrorCode(AddressErrorCode<'a>) = ADDRESS_ERROR_CODE,
    Icmp(Icmp) = ICMP,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: TransactionId = TransactionId::new([0; 12]);

    #[test]
    fn every_named_type_has_a_variant() {
        // A type with a name decodes to its own variant, never to Unknown.
        for t in 0..=u16::MAX {
            let t = AttributeType(t);
            if let Ok(a) = Attribute::decode(t, &[0; 64], &ID)
                .or_else(|_| Attribute::decode(t, &[0, 1, 0, 0, 0, 0, 0, 0], &ID))
                .or_else(|_| Attribute::decode(t, &[], &ID))
            {
                assert_eq!(a.attribute_type(), t);
                assert_eq!(matches!(a, Attribute::Unknown(_)), !t.is_known(), "{t}");
            }
        }
    }

    #[test]
    fn unknown_attributes_are_kept_raw() {
        let raw = RawAttribute {
            attribute_type: AttributeType::GOOG_NETWORK_INFO,
            value: &[1, 2, 3],
        };
        let a = Attribute::decode(raw.attribute_type, raw.value, &ID).unwrap();
        assert_eq!(a, Attribute::Unknown(raw));
        let mut out = Vec::new();
        a.encode_value(&ID, &mut out).unwrap();
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(
            Attribute::from(Priority(5)),
            raw_decode(AttributeType::PRIORITY, &[0, 0, 0, 5])
        );
    }

    fn raw_decode(t: AttributeType, v: &[u8]) -> Attribute<'_> {
        RawAttribute {
            attribute_type: t,
            value: v,
        }
        .decode(&ID)
        .unwrap()
    }
}
