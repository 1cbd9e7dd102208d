//! The driver's resolver of ICE server host names (webrtc-pc §4.4.1.1: an `RTCIceServer` URL's
//! host may be a domain name, RFC 7064 §3.1 / RFC 7065 §3.1). The core asks for names
//! (`PeerConnection::poll_ice_server_host`) and holds its transport back until every name is
//! answered (`handle_ice_server_host_resolved`); this module does the lookups.
//!
//! - Each name is looked up once with `tokio::net::lookup_host` (the system resolver, on
//!   tokio's blocking pool), bounded by [`LOOKUP_TIMEOUT`]: a failed or timed-out lookup is
//!   answered with no address, which the core turns into an `icecandidateerror` 701.
//! - Names under `.invalid` are answered at once with no address, without a query (RFC 6761
//!   §6.4: resolvers should treat them as never existing).
//! - The lookups are tasks of a `JoinSet` owned by the driver: they end with it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::task::{Id, JoinSet};

/// How long one lookup may take before it counts as failed: gathering waits for the answers,
/// so this bounds how late it can start.
pub(crate) const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// The lookups under way.
#[derive(Debug, Default)]
pub(crate) struct Resolver {
    lookups: JoinSet<(String, Vec<IpAddr>)>,
    /// The name of each lookup task, to answer it even when the task failed.
    names: HashMap<Id, String>,
}

impl Resolver {
    /// Starts looking `host` up.
    pub(crate) fn start(&mut self, host: String) {
        let name = host.clone();
        let handle = self.lookups.spawn(async move {
            let addrs = lookup(&host).await;
            (host, addrs)
        });
        self.names.insert(handle.id(), name);
    }

    /// The next answer: a name with its addresses (none when it did not resolve). Pending
    /// while no lookup is under way (a lookup is only started between two polls).
    pub(crate) fn poll_answer(&mut self, cx: &mut Context<'_>) -> Poll<(String, Vec<IpAddr>)> {
        match self.lookups.poll_join_next_with_id(cx) {
            Poll::Ready(Some(Ok((id, answer)))) => {
                self.names.remove(&id);
                Poll::Ready(answer)
            }
            Poll::Ready(Some(Err(e))) => {
                tracing::debug!(error = %e, "host name lookup task failed");
                match self.names.remove(&e.id()) {
                    Some(name) => Poll::Ready((name, Vec::new())),
                    None => {
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    }
                }
            }
            Poll::Ready(None) | Poll::Pending => Poll::Pending,
        }
    }
}

/// Whether `host` is under the special-use `invalid` TLD (RFC 6761 §6.4).
fn is_invalid_tld(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    let last = host.rsplit('.').next().unwrap_or(host);
    last.eq_ignore_ascii_case("invalid")
}

/// The addresses of `host`, none when it does not resolve in time.
async fn lookup(host: &str) -> Vec<IpAddr> {
    if is_invalid_tld(host) {
        tracing::debug!(host = %rtcpeer_types::Pii(host), "`.invalid` name: not resolved");
        return Vec::new();
    }
    match tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((host, 0))).await {
        Ok(Ok(addrs)) => {
            let mut ips: Vec<IpAddr> = Vec::new();
            for a in addrs {
                if !ips.contains(&a.ip()) {
                    ips.push(a.ip());
                }
            }
            ips
        }
        Ok(Err(e)) => {
            tracing::debug!(host = %rtcpeer_types::Pii(host), error = %e, "host name not resolved");
            Vec::new()
        }
        Err(_) => {
            tracing::debug!(host = %rtcpeer_types::Pii(host), "host name lookup timed out");
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_invalid_tld_is_special() {
        assert!(is_invalid_tld("nonexistent.invalid"));
        assert!(is_invalid_tld("a.b.INVALID."));
        assert!(is_invalid_tld("invalid"));
        assert!(!is_invalid_tld("invalid.example.org"));
        assert!(!is_invalid_tld("localhost"));
    }

    #[tokio::test]
    async fn an_invalid_name_is_answered_without_addresses() {
        let mut resolver = Resolver::default();
        resolver.start("stun.invalid".to_owned());
        let answer = std::future::poll_fn(|cx| resolver.poll_answer(cx)).await;
        assert_eq!(answer, ("stun.invalid".to_owned(), Vec::new()));
    }

    #[tokio::test]
    async fn localhost_resolves_to_loopback() {
        let mut resolver = Resolver::default();
        resolver.start("localhost".to_owned());
        let (name, addrs) = std::future::poll_fn(|cx| resolver.poll_answer(cx)).await;
        assert_eq!(name, "localhost");
        assert!(!addrs.is_empty());
        assert!(addrs.iter().all(IpAddr::is_loopback), "{addrs:?}");
    }
}
