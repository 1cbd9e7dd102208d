//! [`CandidatePool`]: the W3C ICE candidate pool (`iceCandidatePoolSize`, webrtc-pc §4.4.1.6
//! "set a configuration"; RFC 9429 §3.5.4): up to N candidate sets gathered before any local
//! description asks for them, each held by an [`IceAgent`] that pre-gathers
//! ([`IceAgent::pre_gather`]) on its own local sockets and announces nothing.
//!
//! When a transport needs candidates (`setLocalDescription`), it [`take`](CandidatePool::take)s
//! the oldest set and calls [`IceAgent::gather`], which announces the pooled candidates at once;
//! an empty pool means gathering as usual. The size changes with the configuration: a larger
//! pool asks the runtime for more sets ([`missing`](CandidatePool::missing), then
//! [`fill`](CandidatePool::fill) with the new agent's sockets), a smaller one discards the
//! newest sets, and other ICE servers or another policy discard them all (they were gathered
//! from the old ones). After the first local description the size is frozen (a change is the
//! W3C `InvalidModificationError`, [`PoolError::SizeFrozen`]), and after the first offer/answer
//! exchange the pool is emptied for good ([`clear`](CandidatePool::clear)). A discarded set's
//! agent is closed, so its TURN allocations are deleted: the pool keeps sending those last
//! transmits.
//!
//! The pool is a sans-IO machine like the agents it holds: what arrives on a pooled agent's
//! socket goes in through [`handle_receive`](CandidatePool::handle_receive), and its STUN and TURN
//! traffic comes out of [`poll_transmit`](CandidatePool::poll_transmit) and
//! [`poll_timeout`](CandidatePool::poll_timeout).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use rtcpeer_types::{Receive, Rng, Transmit};

use crate::agent::IceAgent;
use crate::config::IceConfig;

/// Why the pool refused a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// The size cannot change once a local description was set (webrtc-pc §4.4.1.6: the
    /// caller throws `InvalidModificationError`).
    #[error("the ICE candidate pool size is frozen once a local description is set")]
    SizeFrozen,
}

/// The W3C candidate pool: pre-gathered candidate sets, one [`IceAgent`] each.
#[derive(Debug)]
pub struct CandidatePool {
    config: IceConfig,
    rng: Rng,
    agents: VecDeque<IceAgent>,
    /// The last transmits of discarded agents (TURN deallocations, mDNS goodbyes).
    transmits: VecDeque<Transmit>,
    frozen: bool,
    cleared: bool,
}

impl CandidatePool {
    /// An empty pool of `config.candidate_pool_size` sets; the agents it makes take `config`
    /// and generators forked from `rng`.
    pub fn new(config: IceConfig, rng: Rng) -> Self {
        CandidatePool {
            config,
            rng,
            agents: VecDeque::new(),
            transmits: VecDeque::new(),
            frozen: false,
            cleared: false,
        }
    }

    /// The configured size (W3C `iceCandidatePoolSize`).
    pub fn size(&self) -> usize {
        usize::from(self.config.candidate_pool_size)
    }

    /// How many sets the pool holds now.
    pub fn len(&self) -> usize {
        self.agents.len()
    }

    /// Whether the pool holds no set.
    pub fn is_empty(&self) -> bool {
        self.agents.is_empty()
    }

    /// How many sets the pool still wants: each needs local sockets from the runtime
    /// ([`fill`](Self::fill)). None once frozen or cleared.
    pub fn missing(&self) -> usize {
        if self.frozen || self.cleared {
            return 0;
        }
        self.size().saturating_sub(self.agents.len())
    }

    /// Adds one set: a new agent that `setup` gives its local sockets (with
    /// [`IceAgent::add_local_interface`], [`IceAgent::add_local_tcp_listener`], ...), then
    /// pre-gathers. Returns `false`, without calling `setup`, when no set is
    /// [`missing`](Self::missing).
    pub fn fill(&mut self, now: Instant, setup: impl FnOnce(&mut IceAgent)) -> bool {
        if self.missing() == 0 {
            return false;
        }
        let mut agent = IceAgent::new(self.config.clone(), self.rng.fork());
        setup(&mut agent);
        agent.pre_gather(now);
        self.agents.push_back(agent);
        true
    }

    /// A new configuration (webrtc-pc §4.4.1.6). Before the size is frozen, a smaller size
    /// discards the newest sets and other ICE servers, another policy or other candidate
    /// options discard every set; a larger size leaves sets [`missing`](Self::missing).
    /// Once frozen, a different size is refused and the sets are kept as they are.
    pub fn set_configuration(&mut self, now: Instant, config: IceConfig) -> Result<(), PoolError> {
        if self.frozen {
            if config.candidate_pool_size != self.config.candidate_pool_size {
                return Err(PoolError::SizeFrozen);
            }
            self.config = config;
            return Ok(());
        }
        let same_sets = IceConfig {
            candidate_pool_size: self.config.candidate_pool_size,
            ..config.clone()
        } == self.config;
        self.config = config;
        if !same_sets {
            while let Some(agent) = self.agents.pop_back() {
                self.discard(now, agent);
            }
        }
        while self.agents.len() > self.size() {
            if let Some(agent) = self.agents.pop_back() {
                self.discard(now, agent);
            }
        }
        Ok(())
    }

    /// The oldest set, for a transport that needs candidates (JSEP: at `setLocalDescription`):
    /// call [`IceAgent::gather`] on it to announce its candidates. `None` when the pool is
    /// empty: gather on a fresh agent.
    pub fn take(&mut self) -> Option<IceAgent> {
        self.agents.pop_front()
    }

    /// A local description was set: the size is frozen (RFC 9429 §3.5.4: the pool serves the
    /// first offer/answer exchange only).
    pub fn freeze(&mut self) {
        self.frozen = true;
    }

    /// The first offer/answer exchange is over: the sets left are discarded and no more are
    /// made.
    pub fn clear(&mut self, now: Instant) {
        self.cleared = true;
        self.frozen = true;
        while let Some(agent) = self.agents.pop_front() {
            self.discard(now, agent);
        }
    }

    /// The pooled agents, oldest first.
    pub fn agents(&self) -> impl Iterator<Item = &IceAgent> {
        self.agents.iter()
    }

    /// What arrived on a local socket: to the pooled agent that owns it. Returns it back if
    /// none does.
    pub fn handle_receive(&mut self, now: Instant, rx: Receive) -> Option<Receive> {
        match self
            .agents
            .iter_mut()
            .find(|a| a.is_local_socket(rx.destination))
        {
            Some(agent) => {
                agent.handle_receive(now, rx);
                None
            }
            None => Some(rx),
        }
    }

    /// Runs the pooled agents' timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        for agent in &mut self.agents {
            if agent.poll_timeout().is_some_and(|t| t <= now) {
                agent.handle_timeout(now);
            }
        }
    }

    /// The next datagram a pooled (or discarded) agent sends.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        if let Some(t) = self.transmits.pop_front() {
            return Some(t);
        }
        self.agents.iter_mut().find_map(IceAgent::poll_transmit)
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.agents.iter().filter_map(IceAgent::poll_timeout).min()
    }

    /// Closes a discarded agent and keeps its last transmits.
    fn discard(&mut self, _now: Instant, mut agent: IceAgent) {
        agent.close();
        while let Some(t) = agent.poll_transmit() {
            self.transmits.push_back(t);
        }
        tracing::debug!("pooled candidate set discarded");
    }
}

impl IceAgent {
    /// Whether `addr` is one of the agent's local UDP sockets (or the local address of its
    /// connections to TURN servers).
    pub fn is_local_socket(&self, addr: SocketAddr) -> bool {
        self.interfaces.iter().any(|&(_, a)| a == addr)
    }
}
