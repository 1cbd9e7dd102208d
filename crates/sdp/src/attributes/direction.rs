//! Media direction (RFC 8866 §6.7: `sendrecv`, `sendonly`, `recvonly`, `inactive`), used as an
//! attribute of its own and inside `a=extmap` (RFC 8285).

use std::fmt;
use std::str::FromStr;

use crate::ValueError;

/// The direction of a media stream, from the point of view of the description's author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `sendrecv`: sends and receives (the default when no direction is given).
    SendRecv,
    /// `sendonly`: only sends.
    SendOnly,
    /// `recvonly`: only receives.
    RecvOnly,
    /// `inactive`: neither sends nor receives.
    Inactive,
}

impl Direction {
    /// The SDP name (`sendrecv`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction as the other side sees it (`sendonly` ⇄ `recvonly`).
    pub fn reverse(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }

    /// Whether this direction includes sending.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether this direction includes receiving.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    /// The direction with the given sending and receiving halves.
    pub fn from_parts(send: bool, recv: bool) -> Direction {
        match (send, recv) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Direction {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        match s {
            "sendrecv" => Ok(Direction::SendRecv),
            "sendonly" => Ok(Direction::SendOnly),
            "recvonly" => Ok(Direction::RecvOnly),
            "inactive" => Ok(Direction::Inactive),
            _ => Err(ValueError::Invalid("direction")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_reverse() {
        for d in [
            Direction::SendRecv,
            Direction::SendOnly,
            Direction::RecvOnly,
            Direction::Inactive,
        ] {
            assert_eq!(d.as_str().parse::<Direction>(), Ok(d));
            assert_eq!(d.reverse().reverse(), d);
            assert_eq!(Direction::from_parts(d.sends(), d.receives()), d);
        }
        assert_eq!(Direction::SendOnly.reverse(), Direction::RecvOnly);
        assert!("SENDRECV".parse::<Direction>().is_err());
    }
}
