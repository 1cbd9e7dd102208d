//! [`Channel`]: a client-side data channel with its event stream, collecting echoes as they
//! arrive (the `collector` of the other harness peers), and the echo checks
//! ([`check_sequence`] for ordered channels, [`check_multiset`] for unordered ones).

use std::time::Duration;

use rtcpeer::{
    DataChannelEvent, DataChannelEventKind, DataChannelMessage, EventStream, RtcDataChannel,
    RtcDataChannelState,
};

/// How often [`Channel::wait_open`] re-reads `readyState`.
const READY_STATE_POLL: Duration = Duration::from_millis(10);

/// Why a test failed: the `detail` of the result line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl Failure {
    /// A failure with this detail.
    pub fn new(detail: impl Into<String>) -> Self {
        Failure(detail.into())
    }
}

impl From<rtcpeer::RtcError> for Failure {
    fn from(e: rtcpeer::RtcError) -> Self {
        Failure(format!("{}: {}", e.name(), e.message()))
    }
}

/// A data channel of the client, with every message it received so far.
#[derive(Debug)]
pub struct Channel {
    /// The channel.
    pub dc: RtcDataChannel,
    events: EventStream<DataChannelEvent>,
    /// The messages received, in arrival order.
    pub got: Vec<DataChannelMessage>,
    opened: bool,
    closed: bool,
    low: bool,
}

impl Channel {
    /// Starts collecting the events of `dc` (call before the channel can open).
    pub fn new(dc: RtcDataChannel) -> Self {
        let events = dc.events();
        Channel {
            dc,
            events,
            got: Vec::new(),
            opened: false,
            closed: false,
            low: false,
        }
    }

    fn label(&self) -> &str {
        self.dc.label()
    }

    /// Takes the next event (cancel-safe: nothing is lost when the future is dropped).
    async fn next(&mut self) -> Result<(), Failure> {
        let Some(e) = self.events.recv().await else {
            return Err(Failure(format!(
                "channel \"{}\": the connection ended",
                self.label()
            )));
        };
        match e.kind() {
            DataChannelEventKind::Open => self.opened = true,
            DataChannelEventKind::Message(m) => self.got.push(m.clone()),
            DataChannelEventKind::BufferedAmountLow => self.low = true,
            DataChannelEventKind::Close => self.closed = true,
            _ => {}
        }
        Ok(())
    }

    /// Waits for `open`. The `readyState` is checked too, every few milliseconds: a channel
    /// created while the association is up can fire `open` before its event stream is
    /// subscribed (the peer.js `waitOpen` checks `readyState` first for the same reason).
    pub async fn wait_open(&mut self) -> Result<(), Failure> {
        loop {
            if self.opened || self.dc.ready_state() == RtcDataChannelState::Open {
                self.opened = true;
                return Ok(());
            }
            if self.closed {
                return Err(Failure(format!(
                    "channel \"{}\" closed before open",
                    self.label()
                )));
            }
            if let Ok(r) = tokio::time::timeout(READY_STATE_POLL, self.next()).await {
                r?;
            }
        }
    }

    /// Waits until `n` messages have arrived.
    pub async fn until(&mut self, n: usize) -> Result<(), Failure> {
        while self.got.len() < n {
            if self.closed {
                return Err(Failure(format!(
                    "channel \"{}\" closed after {} of {n} echoes",
                    self.label(),
                    self.got.len()
                )));
            }
            self.next().await?;
        }
        Ok(())
    }

    /// Waits for `close`.
    pub async fn wait_close(&mut self) -> Result<(), Failure> {
        while !self.closed {
            self.next().await?;
        }
        Ok(())
    }

    /// Waits for `bufferedamountlow`, or at most `poll` (the handle's `bufferedAmount` is a
    /// snapshot the driver publishes: it can lag behind the `send()` calls, so a wait for an
    /// event that the lag made unnecessary must not block forever).
    pub async fn wait_buffered_low(&mut self, poll: Duration) -> Result<(), Failure> {
        let deadline = tokio::time::Instant::now() + poll;
        while !self.low {
            match tokio::time::timeout_at(deadline, self.next()).await {
                Ok(r) => r?,
                Err(_) => break,
            }
        }
        self.low = false;
        Ok(())
    }
}

/// `"text of N B"`, `"binary of N B"`, or `"nothing"`.
pub fn describe(m: Option<&DataChannelMessage>) -> String {
    match m {
        None => "nothing".to_owned(),
        Some(DataChannelMessage::Text(s)) => format!("text of {} B", s.len()),
        Some(DataChannelMessage::Binary(b)) => format!("binary of {} B", b.len()),
    }
}

/// Every echo arrived intact, with its type, in order, and nothing more.
pub fn check_sequence(
    label: &str,
    expected: &[DataChannelMessage],
    got: &[DataChannelMessage],
) -> Result<(), Failure> {
    for (i, e) in expected.iter().enumerate() {
        let Some(g) = got.get(i) else {
            return Err(Failure(format!(
                "{label}: only {} of {} echoes arrived",
                got.len(),
                expected.len()
            )));
        };
        if g != e {
            return Err(Failure(format!(
                "{label}: echo #{i} differs: sent {}, got {}",
                describe(Some(e)),
                describe(Some(g))
            )));
        }
    }
    if got.len() > expected.len() {
        return Err(Failure(format!(
            "{label}: {} extra messages",
            got.len() - expected.len()
        )));
    }
    Ok(())
}

/// The echoes are the messages sent, in any order.
pub fn check_multiset(
    label: &str,
    expected: &[DataChannelMessage],
    got: &[DataChannelMessage],
) -> Result<(), Failure> {
    if got.len() != expected.len() {
        return Err(Failure(format!(
            "{label}: {} of {} echoes arrived",
            got.len(),
            expected.len()
        )));
    }
    let key = |m: &DataChannelMessage| match m {
        DataChannelMessage::Text(s) => (0u8, s.as_bytes().to_vec()),
        DataChannelMessage::Binary(b) => (1, b.to_vec()),
    };
    let mut a: Vec<_> = expected.iter().map(key).collect();
    let mut b: Vec<_> = got.iter().map(key).collect();
    a.sort_unstable();
    b.sort_unstable();
    if a != b {
        return Err(Failure(format!(
            "{label}: the echoes differ from what was sent"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn t(s: &str) -> DataChannelMessage {
        DataChannelMessage::Text(s.to_owned())
    }
    fn b(v: &[u8]) -> DataChannelMessage {
        DataChannelMessage::Binary(Bytes::copy_from_slice(v))
    }

    #[test]
    fn sequence_checks_order_type_and_count() {
        let sent = [t("a"), b(b"a"), t("")];
        assert!(check_sequence("x", &sent, &sent).is_ok());
        let swapped = [b(b"a"), t("a"), t("")];
        assert_eq!(
            check_sequence("x", &sent, &swapped),
            Err(Failure::new(
                "x: echo #0 differs: sent text of 1 B, got binary of 1 B"
            ))
        );
        assert_eq!(
            check_sequence("x", &sent, &sent[..2]),
            Err(Failure::new("x: only 2 of 3 echoes arrived"))
        );
        let extra = [t("a"), b(b"a"), t(""), t("")];
        assert_eq!(
            check_sequence("x", &sent, &extra),
            Err(Failure::new("x: 1 extra messages"))
        );
        // Empty text is not empty binary.
        assert!(check_sequence("x", &[t("")], &[b(b"")]).is_err());
    }

    #[test]
    fn multiset_ignores_order_but_not_type() {
        let sent = [t("a"), b(b"a"), t(""), b(b"")];
        let shuffled = [b(b""), t(""), b(b"a"), t("a")];
        assert!(check_multiset("x", &sent, &shuffled).is_ok());
        let retyped = [t(""), t(""), b(b"a"), t("a")];
        assert!(check_multiset("x", &sent, &retyped).is_err());
        assert!(check_multiset("x", &sent, &shuffled[..3]).is_err());
    }
}
