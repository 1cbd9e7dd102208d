//! Transport-address attributes: MAPPED-ADDRESS (RFC 8489 §14.1), XOR-MAPPED-ADDRESS
//! (§14.2), ALTERNATE-SERVER (§14.15), and TURN's XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS
//! (RFC 8656 §18.3, §18.5).
//!
//! All share one layout: a reserved byte, the family (0x01 IPv4, 0x02 IPv6), the port and the
//! address. The XOR forms XOR the port with the top 16 bits of the magic cookie, an IPv4 address
//! with the cookie, and an IPv6 address with the cookie followed by the transaction id (§14.2),
//! so that NATs rewriting addresses in payloads leave them alone.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::{AttributeType, DecodeAttribute, EncodeAttribute};
use crate::error::{DecodeError, EncodeError};
use crate::header::{MAGIC_COOKIE, TransactionId};

/// An address family as STUN and TURN encode it (RFC 8489 §14.1, RFC 8656 §18.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// IPv4 (0x01).
    Ipv4,
    /// IPv6 (0x02).
    Ipv6,
}

impl AddressFamily {
    /// The wire value.
    pub const fn to_u8(self) -> u8 {
        match self {
            AddressFamily::Ipv4 => 0x01,
            AddressFamily::Ipv6 => 0x02,
        }
    }

    /// The family with this wire value, if it is one.
    pub const fn from_u8(value: u8) -> Option<AddressFamily> {
        match value {
            0x01 => Some(AddressFamily::Ipv4),
            0x02 => Some(AddressFamily::Ipv6),
            _ => None,
        }
    }

    /// The family of an address.
    pub const fn of(addr: &SocketAddr) -> AddressFamily {
        match addr {
            SocketAddr::V4(_) => AddressFamily::Ipv4,
            SocketAddr::V6(_) => AddressFamily::Ipv6,
        }
    }

    /// Reads a family byte of `attribute`.
    pub(crate) fn decode(attribute: AttributeType, value: u8) -> Result<Self, DecodeError> {
        AddressFamily::from_u8(value).ok_or(DecodeError::UnknownAddressFamily {
            attribute,
            family: value,
        })
    }
}

/// The XOR pad for an IPv6 address: magic cookie then transaction id.
fn ipv6_pad(transaction_id: &TransactionId) -> [u8; 16] {
    let mut pad = [0u8; 16];
    pad[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    pad[4..].copy_from_slice(transaction_id.as_bytes());
    pad
}

/// Reads the address layout, XOR-ing with the cookie and `xor` transaction id when given.
fn decode_address(
    attribute: AttributeType,
    value: &[u8],
    xor: Option<&TransactionId>,
) -> Result<SocketAddr, DecodeError> {
    let bad_length = || DecodeError::BadAttributeLength {
        attribute,
        length: value.len(),
    };
    let [_, family, p0, p1, address @ ..] = value else {
        return Err(bad_length());
    };
    let mut port = u16::from_be_bytes([*p0, *p1]);
    if xor.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    match AddressFamily::decode(attribute, *family)? {
        AddressFamily::Ipv4 => {
            let bytes: [u8; 4] = address.try_into().map_err(|_| bad_length())?;
            let mut ip = u32::from_be_bytes(bytes);
            if xor.is_some() {
                ip ^= MAGIC_COOKIE;
            }
            Ok(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(ip), port)))
        }
        AddressFamily::Ipv6 => {
            let mut bytes: [u8; 16] = address.try_into().map_err(|_| bad_length())?;
            if let Some(id) = xor {
                for (b, p) in bytes.iter_mut().zip(ipv6_pad(id)) {
                    *b ^= p;
                }
            }
            Ok(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(bytes),
                port,
                0,
                0,
            )))
        }
    }
}

/// Writes the address layout, XOR-ing with the cookie and `xor` transaction id when given.
fn encode_address(addr: &SocketAddr, xor: Option<&TransactionId>, out: &mut Vec<u8>) {
    let mut port = addr.port();
    if xor.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    out.push(0);
    out.push(AddressFamily::of(addr).to_u8());
    out.extend_from_slice(&port.to_be_bytes());
    match addr.ip() {
        IpAddr::V4(ip) => {
            let mut ip = u32::from(ip);
            if xor.is_some() {
                ip ^= MAGIC_COOKIE;
            }
            out.extend_from_slice(&ip.to_be_bytes());
        }
        IpAddr::V6(ip) => {
            let mut bytes = ip.octets();
            if let Some(id) = xor {
                for (b, p) in bytes.iter_mut().zip(ipv6_pad(id)) {
                    *b ^= p;
                }
            }
            out.extend_from_slice(&bytes);
        }
    }
}

macro_rules! address_attribute {
    ($(#[$doc:meta])* $ty:ident, $attr:ident, xor = $xor:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $ty(pub SocketAddr);

        impl<'a> DecodeAttribute<'a> for $ty {
            const TYPE: AttributeType = AttributeType::$attr;

            fn decode(value: &'a [u8], transaction_id: &TransactionId) -> Result<Self, DecodeError> {
                decode_address(Self::TYPE, value, $xor.then_some(transaction_id)).map($ty)
            }
        }

        impl EncodeAttribute for $ty {
            fn attribute_type(&self) -> AttributeType {
                AttributeType::$attr
            }

            fn encode_value(
                &self,
                transaction_id: &TransactionId,
                out: &mut Vec<u8>,
            ) -> Result<(), EncodeError> {
                encode_address(&self.0, $xor.then_some(transaction_id), out);
                Ok(())
            }
        }
    };
}

address_attribute!(
    /// MAPPED-ADDRESS (RFC 8489 §14.1): the reflexive address, in the clear (kept for RFC 3489
    /// servers; new servers send XOR-MAPPED-ADDRESS).
    MappedAddress, MAPPED_ADDRESS, xor = false
);
address_attribute!(
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2): the client's reflexive transport address as the
    /// server saw it.
    XorMappedAddress, XOR_MAPPED_ADDRESS, xor = true
);
address_attribute!(
    /// ALTERNATE-SERVER (RFC 8489 §14.15): the server to try instead, with a 300 error.
    AlternateServer, ALTERNATE_SERVER, xor = false
);
address_attribute!(
    /// XOR-PEER-ADDRESS (RFC 8656 §18.3): a peer's address as the TURN server sees it.
    XorPeerAddress, XOR_PEER_ADDRESS, xor = true
);
address_attribute!(
    /// XOR-RELAYED-ADDRESS (RFC 8656 §18.5): the relayed transport address the TURN server
    /// allocated.
    XorRelayedAddress, XOR_RELAYED_ADDRESS, xor = true
);

#[cfg(test)]
mod tests {
    use super::*;

    const ID: TransactionId = TransactionId::new([
        0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
    ]);

    #[test]
    fn xor_values_of_rfc_5769() {
        // RFC 5769 §2.2 and §2.3: 192.0.2.1:32853 and [2001:db8:1234:5678:11:2233:4455:6677]:32853.
        let v4: SocketAddr = "192.0.2.1:32853".parse().unwrap();
        let v4_wire = [0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43];
        assert_eq!(
            XorMappedAddress::decode(&v4_wire, &ID),
            Ok(XorMappedAddress(v4))
        );
        let mut out = Vec::new();
        XorMappedAddress(v4).encode_value(&ID, &mut out).unwrap();
        assert_eq!(out, v4_wire);

        let v6: SocketAddr = "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
            .parse()
            .unwrap();
        let v6_wire = [
            0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25,
            0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
        ];
        assert_eq!(
            XorMappedAddress::decode(&v6_wire, &ID),
            Ok(XorMappedAddress(v6))
        );
        let mut out = Vec::new();
        XorMappedAddress(v6).encode_value(&ID, &mut out).unwrap();
        assert_eq!(out, v6_wire);
    }

    #[test]
    fn plain_addresses_are_not_xored() {
        let addr: SocketAddr = "203.0.113.5:3478".parse().unwrap();
        let mut out = Vec::new();
        MappedAddress(addr).encode_value(&ID, &mut out).unwrap();
        assert_eq!(out, [0, 1, 0x0d, 0x96, 203, 0, 113, 5]);
        assert_eq!(MappedAddress::decode(&out, &ID), Ok(MappedAddress(addr)));
        assert_eq!(
            AlternateServer::decode(&out, &ID),
            Ok(AlternateServer(addr))
        );
    }

    #[test]
    fn bad_lengths_and_families_are_errors() {
        let t = AttributeType::XOR_PEER_ADDRESS;
        for bad in [
            &[][..],
            &[0, 1, 0],
            &[0, 1, 0, 0, 1, 2, 3],
            &[0, 2, 0, 0, 1, 2, 3, 4],
        ] {
            assert_eq!(
                XorPeerAddress::decode(bad, &ID),
                Err(DecodeError::BadAttributeLength {
                    attribute: t,
                    length: bad.len()
                })
            );
        }
        assert_eq!(
            XorPeerAddress::decode(&[0, 3, 0, 0, 1, 2, 3, 4], &ID),
            Err(DecodeError::UnknownAddressFamily {
                attribute: t,
                family: 3
            })
        );
    }
}
