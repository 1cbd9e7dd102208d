//! Candidate pairs (RFC 8445 §6.1.2): the pair priority formula (§6.1.2.3), pair states
//! (§6.1.2.6) and the per-pair bookkeeping of checks, nomination (§8.1), consent (RFC 7675) and,
//! for TCP pairs, the connection they run on (RFC 6544 §7).

use std::time::Instant;

use crate::tcp::TcpConnectionId;

/// The state of a candidate pair (RFC 8445 §6.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PairState {
    /// Waiting for a check of a pair with the same foundation to succeed.
    Frozen,
    /// Ready to be checked.
    Waiting,
    /// A check is in flight.
    InProgress,
    /// A check succeeded.
    Succeeded,
    /// Checks failed (or consent was lost).
    Failed,
}

/// RFC 8445 §6.1.2.3: `2^32 * MIN(G, D) + 2 * MAX(G, D) + (G > D ? 1 : 0)`, with `G` the
/// controlling agent's candidate priority and `D` the controlled agent's.
pub fn pair_priority(controlling: u32, controlled: u32) -> u64 {
    let (g, d) = (u64::from(controlling), u64::from(controlled));
    // Valid priorities are below 2^31, so this cannot overflow; a peer's PRIORITY attribute
    // can be anything, so saturate rather than wrap.
    (g.min(d) << 32)
        .saturating_add(2 * g.max(d))
        .saturating_add(u64::from(g > d))
}

/// A candidate pair: indices into the agent's local and remote candidate lists.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    pub local: usize,
    pub remote: usize,
    pub component: u16,
    pub priority: u64,
    pub state: PairState,
    /// In the valid list (RFC 8445 §7.2.5.3.2).
    pub valid: bool,
    /// Nominated (RFC 8445 §8.1.1): valid and confirmed by USE-CANDIDATE.
    pub nominated: bool,
    /// Controlling: a check with USE-CANDIDATE is queued or in flight on this pair.
    pub nominating: bool,
    /// Controlled: the peer sent USE-CANDIDATE before our own check succeeded (§7.3.1.5).
    pub nominate_on_success: bool,
    /// The valid pair a successful check of this pair produced (itself, or a pair with a
    /// peer-reflexive local candidate).
    pub valid_pair: Option<usize>,
    /// The last time anything arrived on the pair's 5-tuple.
    pub last_received: Option<Instant>,
    /// The last time we sent anything on the pair's 5-tuple.
    pub last_sent: Option<Instant>,
    /// The last authenticated response on the pair (RFC 7675 consent).
    pub last_response: Option<Instant>,
    /// Counters for the W3C stats (`RTCIceCandidatePairStats`).
    pub stats: crate::pair_stats::PairCounters,
    /// A TCP pair's connection (opened for its checks, or accepted with the peer's check).
    pub conn: Option<TcpConnectionId>,
    /// A TCP pair's check waits for its connection to be established.
    pub awaiting_connection: bool,
}

impl Pair {
    pub(crate) fn new(local: usize, remote: usize, component: u16, priority: u64) -> Self {
        Pair {
            local,
            remote,
            component,
            priority,
            state: PairState::Frozen,
            valid: false,
            nominated: false,
            nominating: false,
            nominate_on_success: false,
            valid_pair: None,
            last_received: None,
            last_sent: None,
            last_response: None,
            stats: crate::pair_stats::PairCounters::default(),
            conn: None,
            awaiting_connection: false,
        }
    }

    /// Whether a check of this pair may still change the outcome.
    pub(crate) fn is_pending(&self) -> bool {
        matches!(
            self.state,
            PairState::Frozen | PairState::Waiting | PairState::InProgress
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::candidate::candidate_priority;

    #[test]
    fn pair_priority_formula_rfc_8445_6_1_2_3() {
        let host = candidate_priority(126, 65535, 1);
        let srflx = candidate_priority(100, 65535, 1);
        // G > D: the extra 1.
        assert_eq!(
            pair_priority(host, srflx),
            (u64::from(srflx) << 32) + 2 * u64::from(host) + 1
        );
        assert_eq!(
            pair_priority(srflx, host),
            (u64::from(srflx) << 32) + 2 * u64::from(host)
        );
        // The two agents order pairs the same way: each computes with the same G and D.
        assert!(pair_priority(host, host) > pair_priority(host, srflx));
        assert!(pair_priority(host, srflx) > pair_priority(srflx, srflx));
        assert_eq!(pair_priority(u32::MAX, u32::MAX), u64::MAX);
    }

    #[test]
    fn ordering_prefers_host_then_prflx_then_srflx_then_relay() {
        let p = |t| candidate_priority(t, 65535, 1);
        let mut pairs = [
            pair_priority(p(0), p(0)),
            pair_priority(p(126), p(126)),
            pair_priority(p(100), p(126)),
            pair_priority(p(110), p(126)),
        ];
        pairs.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(
            pairs,
            [
                pair_priority(p(126), p(126)),
                pair_priority(p(110), p(126)),
                pair_priority(p(100), p(126)),
                pair_priority(p(0), p(0)),
            ]
        );
        // Component 1 is checked before component 2 of the same candidates.
        let c2 = candidate_priority(126, 65535, 2);
        assert!(pair_priority(p(126), p(126)) > pair_priority(c2, c2));
    }
}
