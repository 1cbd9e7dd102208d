//! The agent's lifecycle: the W3C `RTCIceTransportState` it reports (webrtc-pc §5.6, computed
//! from the checklist, gathering, end-of-candidates, consent and received traffic, with the
//! PAC timer of RFC 8863 holding off `failed`), and ICE
//! restarts (RFC 8445 §9), local ([`IceAgent::restart`]) or by the peer (new remote
//! credentials), during which the old selected pair keeps carrying data (on a TCP pair, its
//! connection stays open; the others are closed).

use std::time::Instant;

use rtcpeer_stun::IntegrityKey;

use crate::agent::{ChecklistState, Credentials, GatherPhase, IceAgent, PreviousPath};
use crate::error::IceError;
use crate::event::IceEvent;
use crate::pair::PairState;
use crate::state::{IceConnectionState, IceGatheringState};
use crate::transaction::TxKind;

impl IceAgent {
    /// The W3C state from what the agent knows now.
    pub(crate) fn compute_state(&self) -> IceConnectionState {
        if self.closed {
            return IceConnectionState::Closed;
        }
        if self.state == IceConnectionState::Failed {
            // webrtc-pc §5.6 (RTCIceTransportState): "a terminal state until ICE is restarted".
            // A pair the peer nominates afterwards is still selected and carries data (failed
            // does not close DTLS or SCTP), but the state stays failed until a restart.
            return IceConnectionState::Failed;
        }
        let now = self.now;
        let components = 1..=self.config.components;
        let done_gathering = self.phase == GatherPhase::Complete;
        let all_selected = components.clone().all(|c| self.selected_index(c).is_some());
        if all_selected {
            let stale = components.clone().any(|c| {
                self.selected_index(c)
                    .and_then(|p| self.pairs.get(p))
                    .is_some_and(|p| match (p.last_received, now) {
                        (Some(t), Some(now)) => now >= t + self.config.disconnected_timeout,
                        _ => false,
                    })
            });
            return if stale {
                IceConnectionState::Disconnected
            } else if self.checklist == ChecklistState::Completed
                && done_gathering
                && self.remote_eoc
            {
                IceConnectionState::Completed
            } else {
                IceConnectionState::Connected
            };
        }
        if !self.previous_paths.is_empty() {
            // An ICE restart is under way; the old pair still carries data.
            return IceConnectionState::Connected;
        }
        // W3C `connected`: "found a usable connection, but is still checking". A valid pair
        // carries data before it is nominated (`send_component` uses it), so every component
        // having one is connected, as libwebrtc reports once a pair is writable. Without this,
        // a controlling agent waiting for a better pair reported `checking` while DTLS and SCTP
        // already ran over the valid pair.
        if components.clone().all(|c| {
            self.pairs
                .iter()
                .any(|p| p.component == c && p.valid && p.state == PairState::Succeeded)
        }) {
            return IceConnectionState::Connected;
        }
        let running = self.checklist == ChecklistState::Running;
        let checking = self.pairs.iter().any(|p| {
            p.state == PairState::InProgress
                || (running && matches!(p.state, PairState::Waiting | PairState::Frozen))
                || (p.valid && p.state == PairState::Succeeded)
        }) || self
            .transactions
            .iter()
            .any(|t| matches!(t.kind, TxKind::Check { .. }));
        if checking {
            return IceConnectionState::Checking;
        }
        // RFC 8863 §4 (and W3C `failed`): the initial checks may not fail while the PAC timer
        // runs, unless no local candidate was gathered: the peer may still be checking a
        // candidate we just announced (a late server-reflexive one, say), and its checks would
        // give us the pair. Losing consent (RFC 7675) on an established pair is not delayed.
        let patient = !self.consent_lost && !self.local.is_empty() && !self.pac_expired();
        if self.pairs.is_empty() && !self.consent_lost {
            return if self.remote_eoc
                && done_gathering
                && self.remote_creds.is_some()
                && !self.remote.is_empty()
                && !patient
            {
                IceConnectionState::Failed
            } else {
                IceConnectionState::New
            };
        }
        if done_gathering && self.remote_eoc && !patient {
            IceConnectionState::Failed
        } else {
            IceConnectionState::Disconnected
        }
    }

    /// Whether the PAC timer (RFC 8863 §4) has expired. It starts once both sides' ICE
    /// parameters are known (the agent is gathering and has the remote credentials).
    pub(crate) fn pac_expired(&self) -> bool {
        match (self.pac_deadline(), self.now) {
            (Some(deadline), Some(now)) => now >= deadline,
            _ => false,
        }
    }

    /// When the PAC timer expires, once started.
    pub(crate) fn pac_deadline(&self) -> Option<Instant> {
        self.pac_started.map(|t| t + self.config.pac_timeout)
    }

    /// Starts the PAC timer if both sides' parameters are now known.
    fn start_pac_timer(&mut self) {
        if self.pac_started.is_none()
            && self.remote_creds.is_some()
            && self.phase != GatherPhase::New
        {
            self.pac_started = self.now;
        }
    }

    /// Recomputes the state and reports a change.
    pub(crate) fn update_state(&mut self) {
        self.start_pac_timer();
        let state = self.compute_state();
        self.set_state(state);
    }

    pub(crate) fn set_state(&mut self, state: IceConnectionState) {
        if state != self.state {
            tracing::debug!(from = %self.state, to = %state, "ICE connection state");
            self.state = state;
            self.emit(IceEvent::ConnectionStateChange(state));
        }
    }

    /// Keeps the selected pairs as data paths while new pairs are found.
    fn keep_previous_paths(&mut self) {
        for component in 1..=self.config.components {
            let path = self
                .selected_index(component)
                .and_then(|p| self.pair_path(p));
            if let Some((protocol, local, remote)) = path {
                self.previous_paths.retain(|p| p.component != component);
                self.previous_paths.push(PreviousPath {
                    component,
                    protocol,
                    local,
                    remote,
                });
            }
        }
    }

    /// Forgets every pair and check (both sides' candidates stay unless the caller clears them).
    fn reset_checks(&mut self) {
        self.keep_previous_paths();
        self.pairs.clear();
        self.triggered.clear();
        self.transactions
            .retain(|t| matches!(t.kind, TxKind::Gather { .. }));
        self.selected = [None; crate::agent::MAX_COMPONENTS];
        self.checklist = ChecklistState::Running;
        self.first_valid = None;
        self.consent_next = None;
        self.consent_lost = false;
        self.next_check = None;
        // A restart is a new round of checks: patience starts over (RFC 8863 §4).
        self.pac_started = None;
        if self.state == IceConnectionState::Failed {
            self.state = IceConnectionState::Checking;
        }
    }

    /// ICE restart (RFC 8445 §9, W3C `restartIce`): new local credentials, a new generation
    /// of candidates gathered again, new checks. The old selected pair keeps carrying data
    /// (and the old ufrag is still answered) until a new pair is selected.
    pub fn restart(&mut self, now: Instant) {
        let creds = Credentials::random(&mut self.rng);
        self.restart_generation(now, creds);
    }

    /// ICE restart with the new local credentials given (those the new offer or answer
    /// signals), so that the new generation's candidates carry the right ufrag from the
    /// start. Invalid credentials (RFC 8839 §5.4) change nothing.
    pub fn restart_with_credentials(
        &mut self,
        now: Instant,
        ufrag: &str,
        pwd: &str,
    ) -> Result<(), IceError> {
        let creds = Credentials {
            ufrag: ufrag.to_owned(),
            pwd: pwd.to_owned(),
        };
        creds.validate()?;
        self.restart_generation(now, creds);
        Ok(())
    }

    fn restart_generation(&mut self, now: Instant, creds: Credentials) {
        if self.closed {
            return;
        }
        self.now = Some(now);
        self.reset_checks();
        let old = std::mem::replace(&mut self.local_creds, creds);
        let old_key = std::mem::replace(
            &mut self.local_key,
            IntegrityKey::short_term_compact(&self.local_creds.pwd),
        );
        self.previous_local = Some((old, old_key));
        self.generation = self.generation.wrapping_add(1);
        self.close_connections_for_restart();
        self.local.clear();
        self.transactions.clear();
        self.relay_done = false;
        self.phase = GatherPhase::New;
        if self.announce {
            self.gathering_state = IceGatheringState::New;
            self.gather(now);
        }
        self.wake_checks();
        self.update_state();
    }

    /// The peer restarted (new remote credentials): its candidates and all pairs go.
    pub(crate) fn remote_restarted(&mut self) {
        self.reset_checks();
        self.close_connections_for_restart();
        self.remote.clear();
        self.mdns.clear();
        self.remote_eoc = false;
    }
}
