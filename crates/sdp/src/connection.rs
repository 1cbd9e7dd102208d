//! Connection data and bandwidth: the `c=` line (RFC 8866 §5.7), also reused by `a=rtcp`
//! (RFC 3605), and the `b=` line (RFC 8866 §5.8).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::ValueError;
use crate::lex::{digits, is_non_ws, is_token};

/// The network type of a connection address (`nettype`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NetworkType {
    /// `IN`: Internet.
    In,
    /// Any other token, kept as written.
    Other(String),
}

impl NetworkType {
    /// The token as written.
    pub fn as_str(&self) -> &str {
        match self {
            NetworkType::In => "IN",
            NetworkType::Other(s) => s,
        }
    }

    fn parse(s: &str) -> Result<NetworkType, ValueError> {
        match s {
            "IN" => Ok(NetworkType::In),
            t if is_token(t) => Ok(NetworkType::Other(t.to_owned())),
            _ => Err(ValueError::Invalid("nettype")),
        }
    }
}

/// The address type of a connection address (`addrtype`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AddressType {
    /// `IP4`
    Ip4,
    /// `IP6`
    Ip6,
    /// Any other token, kept as written.
    Other(String),
}

impl AddressType {
    /// The token as written.
    pub fn as_str(&self) -> &str {
        match self {
            AddressType::Ip4 => "IP4",
            AddressType::Ip6 => "IP6",
            AddressType::Other(s) => s,
        }
    }

    fn parse(s: &str) -> Result<AddressType, ValueError> {
        match s {
            "IP4" => Ok(AddressType::Ip4),
            "IP6" => Ok(AddressType::Ip6),
            t if is_token(t) => Ok(AddressType::Other(t.to_owned())),
            _ => Err(ValueError::Invalid("addrtype")),
        }
    }
}

/// `c=<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    /// The network type, normally `IN`.
    pub network_type: NetworkType,
    /// The address type, `IP4` or `IP6`.
    pub address_type: AddressType,
    /// The address as written: an IP address, a host name, or a multicast address with its
    /// `/ttl[/count]` suffix.
    pub address: String,
}

impl Connection {
    /// `IN IP4`/`IN IP6` with the given address.
    pub fn new(ip: IpAddr) -> Connection {
        Connection {
            network_type: NetworkType::In,
            address_type: match ip {
                IpAddr::V4(_) => AddressType::Ip4,
                IpAddr::V6(_) => AddressType::Ip6,
            },
            address: ip.to_string(),
        }
    }

    /// The address as an IP address, without any multicast suffix, if it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        let base = self.address.split('/').next().unwrap_or_default();
        base.parse().ok()
    }

    /// Parses the three fields of a `c=` value (or of the tail of `a=rtcp`).
    pub(crate) fn from_fields(
        nettype: &str,
        addrtype: &str,
        address: &str,
    ) -> Result<Connection, ValueError> {
        if !is_non_ws(address) {
            return Err(ValueError::Invalid("connection-address"));
        }
        Ok(Connection {
            network_type: NetworkType::parse(nettype)?,
            address_type: AddressType::parse(addrtype)?,
            address: address.to_owned(),
        })
    }
}

impl FromStr for Connection {
    type Err = ValueError;

    /// Parses the value of a `c=` line: exactly three fields separated by single spaces.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut it = s.split(' ');
        let nettype = it.next().ok_or(ValueError::Missing("nettype"))?;
        let addrtype = it.next().ok_or(ValueError::Missing("addrtype"))?;
        let address = it.next().ok_or(ValueError::Missing("connection-address"))?;
        if it.next().is_some() {
            return Err(ValueError::Trailing);
        }
        Connection::from_fields(nettype, addrtype, address)
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.network_type.as_str(),
            self.address_type.as_str(),
            self.address
        )
    }
}

/// `b=<bwtype>:<bandwidth>` (RFC 8866 §5.8), e.g. `AS:2000` or `TIAS:1000000`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bandwidth {
    /// The modifier: `CT`, `AS`, `TIAS` (RFC 3890), `RS`/`RR` (RFC 3556), or another token.
    pub bwtype: String,
    /// The value (kilobits per second for `AS`/`CT`, bits per second for `TIAS`).
    pub bandwidth: u64,
}

impl FromStr for Bandwidth {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let (bwtype, value) = s.split_once(':').ok_or(ValueError::Missing("bandwidth"))?;
        if !is_token(bwtype) {
            return Err(ValueError::Invalid("bwtype"));
        }
        Ok(Bandwidth {
            bwtype: bwtype.to_owned(),
            bandwidth: digits(value).ok_or(ValueError::Invalid("bandwidth"))?,
        })
    }
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bwtype, self.bandwidth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_line() {
        let c: Connection = "IN IP4 0.0.0.0".parse().unwrap();
        assert_eq!(c, Connection::new("0.0.0.0".parse().unwrap()));
        assert_eq!(c.to_string(), "IN IP4 0.0.0.0");
        let m: Connection = "IN IP4 233.252.0.1/127/3".parse().unwrap();
        assert_eq!(m.ip(), Some("233.252.0.1".parse().unwrap()));
        let v6: Connection = "IN IP6 ::1".parse().unwrap();
        assert_eq!(v6.address_type, AddressType::Ip6);
        assert!("IN IP4".parse::<Connection>().is_err());
        assert!("IN  IP4 1.2.3.4".parse::<Connection>().is_err());
        assert!("IN IP4 1.2.3.4 x".parse::<Connection>().is_err());
    }

    #[test]
    fn bandwidth_line() {
        let b: Bandwidth = "AS:30".parse().unwrap();
        assert_eq!((b.bwtype.as_str(), b.bandwidth), ("AS", 30));
        assert_eq!(b.to_string(), "AS:30");
        assert!("AS".parse::<Bandwidth>().is_err());
        assert!("AS:-1".parse::<Bandwidth>().is_err());
        assert!(":1".parse::<Bandwidth>().is_err());
    }
}
