//! `a=simulcast` (RFC 8853 §5.1): the RTP streams sent and received as simulcast, each stream a
//! list of alternative rids, a rid prefixed by `~` being paused.

use std::fmt;
use std::str::FromStr;

use super::RidDirection;
use crate::ValueError;
use crate::lex::{Fields, is_rid_id};

/// One `sc-id`: a rid, possibly paused (`~`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastId {
    /// The rid.
    pub rid: String,
    /// Whether the stream is paused (`~rid`).
    pub paused: bool,
}

impl SimulcastId {
    /// An active (not paused) stream.
    pub fn new(rid: impl Into<String>) -> SimulcastId {
        SimulcastId {
            rid: rid.into(),
            paused: false,
        }
    }
}

/// One simulcast stream: its alternative rids in order of preference (`sc-alt-list`).
pub type SimulcastStream = Vec<SimulcastId>;

/// `a=simulcast:<send|recv> <streams> [<recv|send> <streams>]` (RFC 8853 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Simulcast {
    /// The streams in the send direction (empty: no `send` part).
    pub send: Vec<SimulcastStream>,
    /// The streams in the receive direction (empty: no `recv` part).
    pub recv: Vec<SimulcastStream>,
    /// Whether `recv` is written before `send` (kept so that writing reproduces the line).
    pub recv_first: bool,
}

impl Simulcast {
    /// Sending the given rids as simulcast streams, one rid per stream.
    pub fn send<I, S>(rids: I) -> Simulcast
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Simulcast {
            send: rids
                .into_iter()
                .map(|r| vec![SimulcastId::new(r)])
                .collect(),
            recv: Vec::new(),
            recv_first: false,
        }
    }

    /// Receiving the given rids as simulcast streams, one rid per stream.
    pub fn recv<I, S>(rids: I) -> Simulcast
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Simulcast {
            send: Vec::new(),
            recv: rids
                .into_iter()
                .map(|r| vec![SimulcastId::new(r)])
                .collect(),
            recv_first: true,
        }
    }

    /// The streams of one direction.
    pub fn streams(&self, direction: RidDirection) -> &[SimulcastStream] {
        match direction {
            RidDirection::Send => &self.send,
            RidDirection::Recv => &self.recv,
        }
    }
}

fn parse_streams(s: &str) -> Result<Vec<SimulcastStream>, ValueError> {
    s.split(';')
        .map(|alt| {
            alt.split(',')
                .map(|id| {
                    let (rid, paused) = match id.strip_prefix('~') {
                        Some(r) => (r, true),
                        None => (id, false),
                    };
                    if !is_rid_id(rid) {
                        return Err(ValueError::Invalid("simulcast rid"));
                    }
                    Ok(SimulcastId {
                        rid: rid.to_owned(),
                        paused,
                    })
                })
                .collect()
        })
        .collect()
}

fn write_streams(f: &mut fmt::Formatter<'_>, streams: &[SimulcastStream]) -> fmt::Result {
    for (i, alt) in streams.iter().enumerate() {
        if i > 0 {
            f.write_str(";")?;
        }
        for (j, id) in alt.iter().enumerate() {
            if j > 0 {
                f.write_str(",")?;
            }
            if id.paused {
                f.write_str("~")?;
            }
            f.write_str(&id.rid)?;
        }
    }
    Ok(())
}

impl FromStr for Simulcast {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let mut sc = Simulcast {
            send: Vec::new(),
            recv: Vec::new(),
            recv_first: false,
        };
        let mut first = true;
        while let Some(dir) = f.next_field() {
            let dir = RidDirection::parse(dir)?;
            let list = f
                .next_field()
                .ok_or(ValueError::Missing("simulcast streams"))?;
            let streams = parse_streams(list)?;
            let slot = match dir {
                RidDirection::Send => &mut sc.send,
                RidDirection::Recv => &mut sc.recv,
            };
            if !slot.is_empty() {
                return Err(ValueError::Invalid("repeated simulcast direction"));
            }
            *slot = streams;
            if first {
                sc.recv_first = dir == RidDirection::Recv;
                first = false;
            }
        }
        if first {
            return Err(ValueError::Missing("simulcast direction"));
        }
        Ok(sc)
    }
}

impl fmt::Display for Simulcast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: [(&str, &[SimulcastStream]); 2] = if self.recv_first {
            [("recv", &self.recv), ("send", &self.send)]
        } else {
            [("send", &self.send), ("recv", &self.recv)]
        };
        let mut sep = "";
        for (name, streams) in parts {
            if streams.is_empty() {
                continue;
            }
            write!(f, "{sep}{name} ")?;
            write_streams(f, streams)?;
            sep = " ";
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8853_examples() {
        // RFC 8853 §5.1: "a=simulcast:send 1;2,3 recv 4"
        let sc: Simulcast = "send 1;2,3 recv 4".parse().unwrap();
        assert_eq!(sc.send.len(), 2);
        assert_eq!(sc.send[1].len(), 2);
        assert_eq!(sc.recv, vec![vec![SimulcastId::new("4")]]);
        assert!(!sc.recv_first);
        assert_eq!(sc.to_string(), "send 1;2,3 recv 4");
        // Paused streams.
        let sc: Simulcast = "recv ~h;m;l".parse().unwrap();
        assert!(sc.recv[0][0].paused);
        assert!(sc.recv_first);
        assert_eq!(sc.to_string(), "recv ~h;m;l");
        assert_eq!(Simulcast::recv(["a", "b"]).to_string(), "recv a;b");
        assert_eq!(Simulcast::send(["a"]).streams(RidDirection::Send).len(), 1);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "send",
            "send a;;b",
            "send a recv",
            "send a send b",
            "both a",
            "send ~",
            "send rid=a",
            "send a,",
        ] {
            assert!(bad.parse::<Simulcast>().is_err(), "{bad}");
        }
    }
}
