//! TURN attributes of RFC 8656 §18 (other than the two XOR addresses, which live in
//! [`super::address`], and ADDRESS-ERROR-CODE, in [`super::error_code`]): CHANNEL-NUMBER
//! (§18.1), LIFETIME (§18.2), DATA (§18.4), REQUESTED-ADDRESS-FAMILY (§18.6), EVEN-PORT
//! (§18.7), REQUESTED-TRANSPORT (§18.8), DONT-FRAGMENT (§18.9), RESERVATION-TOKEN (§18.10),
//! ADDITIONAL-ADDRESS-FAMILY (§18.11) and ICMP (§18.13).
//!
//! RFFU ("reserved for future use") bits are written as zero and ignored when read.

use std::time::Duration;

use super::address::AddressFamily;
use super::ice::integer_attribute;
use super::{AttributeType, DecodeAttribute, EncodeAttribute, exact, flag_attribute};
use crate::error::{DecodeError, EncodeError};
use crate::header::TransactionId;

/// CHANNEL-NUMBER (RFC 8656 §18.1): the channel a ChannelBind binds. Any 16-bit value decodes;
/// [`ChannelNumber::is_valid`] tells whether it is in the 0x4000–0x4FFF range a server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelNumber(pub u16);

impl ChannelNumber {
    /// The first channel number a client may bind.
    pub const MIN: u16 = 0x4000;
    /// The last channel number a client may bind.
    pub const MAX: u16 = 0x4FFF;

    /// Whether the number is in 0x4000–0x4FFF (RFC 8656 §12).
    pub const fn is_valid(self) -> bool {
        self.0 >= Self::MIN && self.0 <= Self::MAX
    }
}

impl<'a> DecodeAttribute<'a> for ChannelNumber {
    const TYPE: AttributeType = AttributeType::CHANNEL_NUMBER;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        let [n0, n1, _, _] = exact(Self::TYPE, value)?;
        Ok(ChannelNumber(u16::from_be_bytes([*n0, *n1])))
    }
}

impl EncodeAttribute for ChannelNumber {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::CHANNEL_NUMBER
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        Ok(())
    }
}

/// LIFETIME (RFC 8656 §18.2): seconds until an allocation expires; 0 in a Refresh deletes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lifetime(pub u32);
integer_attribute!(Lifetime, LIFETIME, u32);

impl Lifetime {
    /// The lifetime as a duration.
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0 as u64)
    }

    /// A lifetime of whole seconds (rounded down; saturating at `u32::MAX`).
    pub fn from_duration(d: Duration) -> Lifetime {
        Lifetime(u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
    }
}

/// DATA (RFC 8656 §18.4): the application data of a Send or Data indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Data<'a>(pub &'a [u8]);

impl<'a> DecodeAttribute<'a> for Data<'a> {
    const TYPE: AttributeType = AttributeType::DATA;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        Ok(Data(value))
    }
}

impl EncodeAttribute for Data<'_> {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::DATA
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self.0);
        Ok(())
    }
}

macro_rules! family_attribute {
    ($(#[$doc:meta])* $ty:ident, $attr:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $ty(pub AddressFamily);

        impl<'a> DecodeAttribute<'a> for $ty {
            const TYPE: AttributeType = AttributeType::$attr;

            fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
                let [family, _, _, _] = exact(Self::TYPE, value)?;
                AddressFamily::decode(Self::TYPE, *family).map($ty)
            }
        }

        impl EncodeAttribute for $ty {
            fn attribute_type(&self) -> AttributeType {
                AttributeType::$attr
            }

            fn encode_value(
                &self,
                _: &TransactionId,
                out: &mut Vec<u8>,
            ) -> Result<(), EncodeError> {
                out.extend_from_slice(&[self.0.to_u8(), 0, 0, 0]);
                Ok(())
            }
        }
    };
}

family_attribute!(
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6): the family of relayed address an Allocate
    /// asks for (IPv4 if absent).
    RequestedAddressFamily, REQUESTED_ADDRESS_FAMILY
);
family_attribute!(
    /// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11): ask for a second relayed address, of this
    /// family (IPv6), besides the IPv4 one.
    AdditionalAddressFamily, ADDITIONAL_ADDRESS_FAMILY
);

/// EVEN-PORT (RFC 8656 §18.7): ask for an even relayed port; with `reserve`, also reserve the
/// next port up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EvenPort {
    /// The R bit: reserve the next higher port too.
    pub reserve: bool,
}

impl<'a> DecodeAttribute<'a> for EvenPort {
    const TYPE: AttributeType = AttributeType::EVEN_PORT;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        let [flags] = exact(Self::TYPE, value)?;
        Ok(EvenPort {
            reserve: flags & 0x80 != 0,
        })
    }
}

impl EncodeAttribute for EvenPort {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::EVEN_PORT
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(if self.reserve { 0x80 } else { 0 });
        Ok(())
    }
}

/// REQUESTED-TRANSPORT (RFC 8656 §18.8): the IP protocol of the allocation (17 = UDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestedTransport(pub u8);

impl RequestedTransport {
    /// UDP (IP protocol 17), the only transport RFC 8656 defines.
    pub const UDP: RequestedTransport = RequestedTransport(17);
    /// TCP (IP protocol 6), for RFC 6062 TCP allocations.
    pub const TCP: RequestedTransport = RequestedTransport(6);
}

impl<'a> DecodeAttribute<'a> for RequestedTransport {
    const TYPE: AttributeType = AttributeType::REQUESTED_TRANSPORT;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        let [protocol, _, _, _] = exact(Self::TYPE, value)?;
        Ok(RequestedTransport(*protocol))
    }
}

impl EncodeAttribute for RequestedTransport {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::REQUESTED_TRANSPORT
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[self.0, 0, 0, 0]);
        Ok(())
    }
}

/// DONT-FRAGMENT (RFC 8656 §18.9): set the DF bit on datagrams relayed to the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DontFragment;
flag_attribute!(DontFragment, DONT_FRAGMENT);

/// RESERVATION-TOKEN (RFC 8656 §18.10): names a relayed port reserved by an earlier EVEN-PORT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReservationToken(pub [u8; 8]);

impl<'a> DecodeAttribute<'a> for ReservationToken {
    const TYPE: AttributeType = AttributeType::RESERVATION_TOKEN;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        exact(Self::TYPE, value).map(|v| ReservationToken(*v))
    }
}

impl EncodeAttribute for ReservationToken {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::RESERVATION_TOKEN
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0);
        Ok(())
    }
}

/// ICMP (RFC 8656 §18.13): an ICMP error the relay received for a datagram it sent to the peer,
/// carried in a Data indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Icmp {
    /// The ICMP (or ICMPv6) type.
    pub icmp_type: u8,
    /// The ICMP code.
    pub icmp_code: u8,
    /// Type-specific data (the MTU for "fragmentation needed" / "packet too big").
    pub error_data: u32,
}

impl<'a> DecodeAttribute<'a> for Icmp {
    const TYPE: AttributeType = AttributeType::ICMP;

    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, DecodeError> {
        let [_, _, icmp_type, icmp_code, d0, d1, d2, d3] = exact(Self::TYPE, value)?;
        Ok(Icmp {
            icmp_type: *icmp_type,
            icmp_code: *icmp_code,
            error_data: u32::from_be_bytes([*d0, *d1, *d2, *d3]),
        })
    }
}

impl EncodeAttribute for Icmp {
    fn attribute_type(&self) -> AttributeType {
        AttributeType::ICMP
    }

    fn encode_value(&self, _: &TransactionId, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[0, 0, self.icmp_type, self.icmp_code]);
        out.extend_from_slice(&self.error_data.to_be_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: TransactionId = TransactionId::new([0; 12]);

    fn encode(attr: &impl EncodeAttribute) -> Vec<u8> {
        let mut out = Vec::new();
        attr.encode_value(&ID, &mut out).unwrap();
        out
    }

    #[test]
    fn layouts() {
        assert_eq!(encode(&ChannelNumber(0x4001)), [0x40, 0x01, 0, 0]);
        assert_eq!(encode(&Lifetime(600)), [0, 0, 0x02, 0x58]);
        assert_eq!(encode(&RequestedTransport::UDP), [17, 0, 0, 0]);
        assert_eq!(
            encode(&RequestedAddressFamily(AddressFamily::Ipv6)),
            [2, 0, 0, 0]
        );
        assert_eq!(encode(&EvenPort { reserve: true }), [0x80]);
        assert_eq!(encode(&DontFragment), [0u8; 0]);
        assert_eq!(
            encode(&Icmp {
                icmp_type: 3,
                icmp_code: 4,
                error_data: 1400
            }),
            [0, 0, 3, 4, 0, 0, 0x05, 0x78]
        );
    }

    #[test]
    fn decoding_ignores_rffu_bits() {
        assert_eq!(
            ChannelNumber::decode(&[0x40, 0x10, 0xff, 0xff], &ID),
            Ok(ChannelNumber(0x4010))
        );
        assert_eq!(
            EvenPort::decode(&[0x7f], &ID),
            Ok(EvenPort { reserve: false })
        );
        assert_eq!(
            RequestedTransport::decode(&[6, 1, 2, 3], &ID),
            Ok(RequestedTransport::TCP)
        );
        assert!(AdditionalAddressFamily::decode(&[3, 0, 0, 0], &ID).is_err());
        assert!(ReservationToken::decode(&[0; 7], &ID).is_err());
        assert!(DontFragment::decode(&[0], &ID).is_err());
    }

    #[test]
    fn channel_range_and_lifetime() {
        assert!(!ChannelNumber(0x3FFF).is_valid());
        assert!(ChannelNumber(0x4000).is_valid());
        assert!(ChannelNumber(0x4FFF).is_valid());
        assert!(!ChannelNumber(0x5000).is_valid());
        assert_eq!(Lifetime(600).as_duration(), Duration::from_secs(600));
        assert_eq!(
            Lifetime::from_duration(Duration::from_secs(u64::MAX)),
            Lifetime(u32::MAX)
        );
    }
}
