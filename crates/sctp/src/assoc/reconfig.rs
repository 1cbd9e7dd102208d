//! Stream reset (RFC 6525): our Outgoing SSN Reset Requests (§5.1.2) sent once the streams'
//! queued data has been handed out, retransmitted on timeout and completed by the peer's
//! Re-configuration Response (§5.2.7); the peer's requests answered (§5.2.2), deferred with
//! "In progress" until every TSN before the reset has arrived; request sequence numbers
//! checked (§5.2.1). Data channels close by resetting their streams (RFC 8831 §6.7).

use super::timer::Timer;
use super::{Association, Event, State};
use crate::wire::{Chunk, ReConfigChunk, ReConfigParam, ReConfigResult};

#[derive(Debug, Clone)]
struct Request {
    seq: u32,
    streams: Vec<u16>,
    last_tsn: u32,
}

/// The stream-reset state of an association.
#[derive(Debug)]
pub(crate) struct ReConfig {
    next_seq: u32,
    pending: Vec<u16>,
    in_flight: Option<Request>,
    pub(crate) send_request: bool,
    pub(crate) timer: Timer,
    /// The next request sequence number expected from the peer.
    peer_next_seq: u32,
    /// The answer to the peer's last request, for retransmissions of it.
    last_result: Option<(u32, ReConfigResult)>,
    /// The peer's last request, waiting for its TSN: (seq, last TSN, streams).
    deferred: Option<(u32, u32, Vec<u16>)>,
    responses: Vec<ReConfigParam>,
}

impl ReConfig {
    pub(crate) fn new(my_initial_tsn: u32) -> Self {
        ReConfig {
            // §5.1.1: the first request sequence number is the initial TSN.
            next_seq: my_initial_tsn,
            pending: Vec::new(),
            in_flight: None,
            send_request: false,
            timer: Timer::default(),
            peer_next_seq: 0,
            last_result: None,
            deferred: None,
            responses: Vec::new(),
        }
    }

    pub(crate) fn set_peer_initial_tsn(&mut self, tsn: u32) {
        self.peer_next_seq = tsn;
        self.last_result = None;
        self.deferred = None;
    }

    pub(crate) fn queue(&mut self, streams: &[u16]) {
        for s in streams {
            let in_flight = self
                .in_flight
                .as_ref()
                .is_some_and(|r| r.streams.contains(s));
            if !self.pending.contains(s) && !in_flight {
                self.pending.push(*s);
            }
        }
    }

    /// Puts back the responses of a chunk that did not fit (the request is re-flagged).
    pub(crate) fn requeue(&mut self, chunk: ReConfigChunk) {
        for p in chunk.params {
            if matches!(p, ReConfigParam::Response { .. }) {
                self.responses.push(p);
            }
        }
    }

    /// The RE-CONFIG chunk to send now, if any.
    pub(crate) fn take_chunk(&mut self) -> Option<Chunk> {
        let mut params = std::mem::take(&mut self.responses);
        if self.send_request {
            self.send_request = false;
            if let Some(r) = &self.in_flight {
                params.push(ReConfigParam::OutgoingSsnReset {
                    request_seq: r.seq,
                    response_seq: self.peer_next_seq.wrapping_sub(1),
                    last_assigned_tsn: r.last_tsn,
                    streams: r.streams.clone(),
                });
            }
        }
        if params.is_empty() {
            return None;
        }
        Some(Chunk::ReConfig(ReConfigChunk { params }))
    }
}

impl Association {
    /// Starts a request for the pending streams whose queues are drained (called before
    /// building packets).
    pub(super) fn maybe_start_reset(&mut self) {
        if self.reconf.in_flight.is_some() || self.reconf.pending.is_empty() {
            return;
        }
        if self.state != State::Established {
            return;
        }
        let (ready, waiting): (Vec<u16>, Vec<u16>) = self
            .reconf
            .pending
            .iter()
            .partition(|s| self.tx.stream_drained(**s));
        if ready.is_empty() {
            return;
        }
        self.reconf.pending = waiting;
        let seq = self.reconf.next_seq;
        self.reconf.next_seq = seq.wrapping_add(1);
        self.reconf.in_flight = Some(Request {
            seq,
            streams: ready,
            last_tsn: self.tx.last_assigned_tsn(),
        });
        self.reconf.send_request = true;
        self.reconf.timer.stop();
        self.reconf.timer.start(self.now, self.rto.get());
    }

    pub(super) fn on_reconfig_timer(&mut self) {
        if self.reconf.in_flight.is_none() {
            return;
        }
        self.reconf.timer.count += 1;
        if self.count_error() {
            return;
        }
        self.reconf.send_request = true;
        self.reconf.timer.start(self.now, self.rto.get());
    }

    pub(super) fn on_reconfig(&mut self, chunk: ReConfigChunk) {
        if !matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownReceived
                | State::ShutdownSent
        ) {
            return;
        }
        for p in chunk.params {
            match p {
                ReConfigParam::OutgoingSsnReset {
                    request_seq,
                    last_assigned_tsn,
                    streams,
                    ..
                } => self.on_outgoing_reset_request(request_seq, last_assigned_tsn, streams),
                ReConfigParam::IncomingSsnReset {
                    request_seq,
                    streams,
                } => {
                    // The peer asks us to reset our outgoing streams: do so, like a local
                    // reset, once their queues drain.
                    let result = self.check_seq(request_seq).unwrap_or_else(|| {
                        self.tx.close_streams(&streams);
                        self.reconf.queue(&streams);
                        ReConfigResult::SuccessPerformed
                    });
                    self.respond(request_seq, result);
                }
                ReConfigParam::SsnTsnReset { request_seq }
                | ReConfigParam::AddOutgoingStreams { request_seq, .. }
                | ReConfigParam::AddIncomingStreams { request_seq, .. } => {
                    let result = self
                        .check_seq(request_seq)
                        .unwrap_or(ReConfigResult::Denied);
                    self.respond(request_seq, result);
                }
                ReConfigParam::Response {
                    response_seq,
                    result,
                    ..
                } => self.on_reconfig_response(response_seq, result),
                _ => {}
            }
        }
    }

    /// Checks a request sequence number (§5.2.1): `None` if it is the expected one (which is
    /// then consumed), otherwise the answer to give.
    fn check_seq(&mut self, seq: u32) -> Option<ReConfigResult> {
        if seq == self.reconf.peer_next_seq {
            self.reconf.peer_next_seq = seq.wrapping_add(1);
            return None;
        }
        if seq == self.reconf.peer_next_seq.wrapping_sub(1)
            && let Some((s, r)) = self.reconf.last_result
            && s == seq
        {
            return Some(r);
        }
        Some(ReConfigResult::ErrorBadSequenceNumber)
    }

    fn respond(&mut self, seq: u32, result: ReConfigResult) {
        self.reconf.last_result = Some((seq, result));
        self.reconf.responses.push(ReConfigParam::Response {
            response_seq: seq,
            result,
            next_tsns: None,
        });
    }

    fn on_outgoing_reset_request(&mut self, seq: u32, last_tsn: u32, streams: Vec<u16>) {
        // A retransmission of a deferred request: maybe it can be performed now.
        if self
            .reconf
            .deferred
            .as_ref()
            .is_some_and(|(s, _, _)| *s == seq)
        {
            self.perform_deferred_reset();
            let result = self
                .reconf
                .last_result
                .filter(|(s, _)| *s == seq)
                .map_or(ReConfigResult::InProgress, |(_, r)| r);
            self.respond(seq, result);
            return;
        }
        if let Some(result) = self.check_seq(seq) {
            self.respond(seq, result);
            return;
        }
        self.reconf.deferred = Some((seq, last_tsn, streams));
        self.reconf.last_result = Some((seq, ReConfigResult::InProgress));
        self.perform_deferred_reset();
        let result = self
            .reconf
            .last_result
            .map_or(ReConfigResult::InProgress, |(_, r)| r);
        self.respond(seq, result);
    }

    /// Performs the peer's deferred reset once every TSN before it has arrived (§5.2.2).
    fn perform_deferred_reset(&mut self) {
        let Some((seq, last_tsn, _)) = &self.reconf.deferred else {
            return;
        };
        let (seq, last_tsn) = (*seq, *last_tsn);
        let Some(rx) = &mut self.rx else { return };
        if !rx.has_received_up_to(last_tsn) {
            return;
        }
        let Some((_, _, streams)) = self.reconf.deferred.take() else {
            return;
        };
        // Deliver what arrived before the reset, then reset.
        self.push_delivered();
        if let Some(rx) = &mut self.rx {
            rx.reset_streams(&streams);
        }
        self.reconf.last_result = Some((seq, ReConfigResult::SuccessPerformed));
        self.events
            .push_back(Event::IncomingStreamsReset { streams });
    }

    /// After DATA or FORWARD-TSN: a deferred reset may now be possible.
    pub(super) fn reconf_after_receive(&mut self) {
        if self.reconf.deferred.is_some() {
            self.perform_deferred_reset();
        }
    }

    fn on_reconfig_response(&mut self, seq: u32, result: ReConfigResult) {
        let Some(req) = self.reconf.in_flight.as_ref().filter(|r| r.seq == seq) else {
            return;
        };
        match result {
            ReConfigResult::InProgress => {
                // Ask again after a while (§5.2.7).
                self.reconf.timer.stop();
                self.reconf.timer.start(self.now, self.rto.get());
                return;
            }
            ReConfigResult::SuccessPerformed | ReConfigResult::SuccessNothingToDo => {
                let streams = req.streams.clone();
                self.tx.reset_streams(&streams);
                self.events
                    .push_back(Event::OutgoingStreamsReset { streams });
            }
            _ => {
                let streams = req.streams.clone();
                self.tx.reopen_streams(&streams);
                self.events.push_back(Event::StreamResetFailed { streams });
            }
        }
        self.reconf.in_flight = None;
        self.reconf.timer.stop();
        self.error_count = 0;
    }
}
