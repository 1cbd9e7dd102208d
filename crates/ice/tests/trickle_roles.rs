//! Trickle ICE (RFC 8838) in every order of signaling, role conflicts (RFC 8445 §7.3.1.1),
//! ICE-lite peers (§2.5) and aggressive nomination from RFC 5245 peers, under netsim.

mod support;

use std::time::Duration;

use rtcpeer_ice::{IceConfig, IceConnectionState, IceRole};
use rtcpeer_netsim::{HostId, NatConfig, Network, Zone};
use support::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    CredsToA,
    CredsToB,
    GatherA,
    GatherB,
    CandsAToB,
    CandsBToA,
    EocAToB,
    EocBToA,
    Wait(u64),
}

struct Trickle {
    sent_a: usize,
    sent_b: usize,
}

impl Trickle {
    fn step(&mut self, net: &mut Network, a: HostId, b: HostId, step: Step) {
        match step {
            Step::CredsToA => {
                let c = agent(net, b).local_credentials().clone();
                agent_mut(net, a)
                    .set_remote_credentials(&c.ufrag, &c.pwd)
                    .unwrap();
            }
            Step::CredsToB => {
                let c = agent(net, a).local_credentials().clone();
                agent_mut(net, b)
                    .set_remote_credentials(&c.ufrag, &c.pwd)
                    .unwrap();
            }
            Step::GatherA => gather(net, &[a]),
            Step::GatherB => gather(net, &[b]),
            Step::CandsAToB => {
                let new: Vec<_> = peer(net, a).candidates[self.sent_a..].to_vec();
                self.sent_a += new.len();
                for c in new {
                    agent_mut(net, b).add_remote_candidate(c);
                }
            }
            Step::CandsBToA => {
                let new: Vec<_> = peer(net, b).candidates[self.sent_b..].to_vec();
                self.sent_b += new.len();
                for c in new {
                    agent_mut(net, a).add_remote_candidate(c);
                }
            }
            Step::EocAToB => agent_mut(net, b).end_of_remote_candidates(),
            Step::EocBToA => agent_mut(net, a).end_of_remote_candidates(),
            Step::Wait(n) => net.run_for(ms(n)).unwrap(),
        }
        // Zero-delay follow-ups (first checks) go out before the next step.
        net.run_for(ms(1)).unwrap();
    }
}

/// Runs the signaling steps in order (both peers behind port-restricted NATs, so their
/// server-reflexive candidates are what connects them), then keeps trickling until both are
/// connected; with both end-of-candidates sent, until both are completed.
fn trickle(steps: &[Step]) {
    let (mut net, _g) = network();
    let a = add_natted_peer(
        &mut net,
        "a",
        NatConfig::port_restricted_cone(ip("203.0.113.1")),
        "10.0.0.2:5000",
        config(),
    );
    let b = add_natted_peer(
        &mut net,
        "b",
        NatConfig::port_restricted_cone(ip("203.0.113.2")),
        "10.1.0.2:6000",
        config(),
    );
    agent_mut(&mut net, a).set_role(true);
    let mut t = Trickle {
        sent_a: 0,
        sent_b: 0,
    };
    for &s in steps {
        t.step(&mut net, a, b, s);
    }
    let eoc = steps.contains(&Step::EocAToB) && steps.contains(&Step::EocBToA);
    let r = net.run_until(
        |n| {
            t.step(n, a, b, Step::CandsAToB);
            t.step(n, a, b, Step::CandsBToA);
            let want = |h| {
                let s = agent(n, h).connection_state();
                if eoc {
                    s == IceConnectionState::Completed
                } else {
                    s == IceConnectionState::Connected
                }
            };
            want(a) && want(b)
        },
        Duration::from_secs(30),
    );
    r.unwrap_or_else(|e| {
        panic!(
            "{steps:?}: {e}: a {:?} b {:?}",
            peer(&net, a).states(),
            peer(&net, b).states()
        )
    });
    for h in [a, b] {
        let states = peer(&net, h).states();
        assert!(!states.contains(&IceConnectionState::Failed), "{states:?}");
        if !eoc {
            assert!(
                !states.contains(&IceConnectionState::Completed),
                "{states:?}"
            );
        }
    }
}

use Step::*;

#[test]
fn trickle_candidates_after_credentials_and_gathering() {
    trickle(&[
        CredsToA,
        CredsToB,
        GatherA,
        GatherB,
        CandsAToB,
        CandsBToA,
        Wait(500),
        EocAToB,
        EocBToA,
    ]);
}

#[test]
fn trickle_remote_candidates_before_credentials() {
    trickle(&[
        GatherA,
        GatherB,
        Wait(300),
        CandsAToB,
        CandsBToA,
        Wait(500),
        CredsToA,
        CredsToB,
        EocAToB,
        EocBToA,
    ]);
}

#[test]
fn trickle_remote_candidates_before_local_gathering() {
    trickle(&[
        CredsToA,
        CredsToB,
        GatherA,
        Wait(300),
        CandsAToB,
        Wait(300),
        GatherB,
        CandsBToA,
        EocAToB,
        EocBToA,
    ]);
}

#[test]
fn trickle_checks_arrive_before_the_offer_reaches_the_answerer() {
    // A knows everything and checks at once; B learns A's credentials and candidates later and
    // answers A's checks meanwhile.
    trickle(&[
        CredsToA,
        GatherA,
        GatherB,
        Wait(300),
        CandsBToA,
        Wait(1000),
        CredsToB,
        Wait(500),
        CandsAToB,
        EocAToB,
        EocBToA,
    ]);
}

#[test]
fn trickle_end_of_candidates_early() {
    trickle(&[
        CredsToA,
        CredsToB,
        GatherA,
        GatherB,
        Wait(300),
        CandsAToB,
        CandsBToA,
        EocAToB,
        EocBToA,
    ]);
}

#[test]
fn trickle_end_of_candidates_late_and_never() {
    // Without end-of-candidates the state stops at "connected".
    trickle(&[CredsToA, CredsToB, GatherA, GatherB]);
    // With it long after the connection, "completed" follows.
    trickle(&[
        CredsToA,
        CredsToB,
        GatherA,
        GatherB,
        Wait(5000),
        EocAToB,
        Wait(5000),
        EocBToA,
    ]);
}

fn both_roles(a_controlling: bool, b_controlling: bool) {
    let (mut net, _g) = network();
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000", config());
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config());
    agent_mut(&mut net, a).set_role(a_controlling);
    agent_mut(&mut net, b).set_role(b_controlling);
    exchange_credentials(&mut net, a, b);
    gather(&mut net, &[a, b]);
    let mut relay = Relay::new();
    run_until_connected(&mut net, &mut relay, a, b, Duration::from_secs(10));
    let roles = [agent(&net, a).role(), agent(&net, b).role()];
    assert!(roles.contains(&IceRole::Controlling) && roles.contains(&IceRole::Controlled));
    let conflicts =
        agent(&net, a).counters().role_conflicts + agent(&net, b).counters().role_conflicts;
    assert!(conflicts > 0);
    // The larger tie-breaker wins the controlling role when both claimed it, the smaller
    // ... gives in when both were controlled (RFC 8445 §7.3.1.1).
    let (ta, tb) = (agent(&net, a).tie_breaker(), agent(&net, b).tie_breaker());
    let a_wins = ta >= tb;
    if a_controlling {
        assert_eq!(roles[0] == IceRole::Controlling, a_wins);
    }
}

#[test]
fn role_conflict_both_controlling() {
    both_roles(true, true);
}

#[test]
fn role_conflict_both_controlled() {
    both_roles(false, false);
}

#[test]
fn ice_lite_peer_is_checked_and_nominated_by_the_full_agent() {
    let (mut net, _g) = network();
    let a = add_natted_peer(
        &mut net,
        "a",
        NatConfig::port_restricted_cone(ip("203.0.113.1")),
        "10.0.0.2:5000",
        config(),
    );
    let lite = IceConfig {
        ice_lite: true,
        ..IceConfig::default()
    };
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", lite);
    agent_mut(&mut net, a).set_remote_ice_lite(true);
    agent_mut(&mut net, b).set_role(true); // ignored: a lite agent stays controlled
    assert_eq!(agent(&net, a).role(), IceRole::Controlling);
    assert_eq!(agent(&net, b).role(), IceRole::Controlled);
    exchange_credentials(&mut net, a, b);
    gather(&mut net, &[a, b]);
    let mut relay = Relay::new();
    run_until_connected(&mut net, &mut relay, a, b, Duration::from_secs(10));
    assert_eq!(agent(&net, b).counters().checks_sent, 0);
    assert!(agent(&net, b).counters().responses_sent > 0);
    // The lite agent only has its host candidate and gathers nothing else.
    assert_eq!(peer(&net, b).candidates.len(), 1);
    // Data flows both ways, and the lite side stays connected with the full side's consent
    // checks as its only sign of life.
    net.run_for(Duration::from_secs(40)).unwrap();
    assert!(connected(&net, a) && connected(&net, b));
    // The lite agent answered the full agent's consent checks all along.
    assert!(agent(&net, b).counters().responses_sent >= 8);
    let now = net.now();
    agent_mut(&mut net, b).send(now, vec![23u8, 9]).unwrap();
    net.run_for(ms(5)).unwrap();
    assert_eq!(peer(&net, a).received.last().unwrap().as_ref(), [23, 9]);
}

#[test]
fn aggressive_nomination_from_an_rfc_5245_peer_is_accepted() {
    let (mut net, _g) = network();
    let legacy = IceConfig {
        ice2: false,
        ..config()
    };
    assert_eq!(legacy.ice_options(), ["trickle"]);
    let a = add_peer(&mut net, "a", Zone::Internet, "192.0.2.10:5000", legacy);
    let b = add_peer(&mut net, "b", Zone::Internet, "192.0.2.20:6000", config());
    agent_mut(&mut net, b).set_remote_ice2(false);
    connect(&mut net, a, b, Duration::from_secs(10));
    assert_eq!(
        agent(&net, b).selected_path(1),
        Some((sa("192.0.2.20:6000"), sa("192.0.2.10:5000")))
    );
}
