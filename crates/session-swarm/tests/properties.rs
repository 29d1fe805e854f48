//! Properties: swarm choice against brute force, path invariants, bounded decisions.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;

use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use session_identity::{Ed25519PublicKey, Prefix, SessionId};
use session_onion::{PathFailure, ResponseError};
use session_swarm::{
    select_swarm, Attempt, AttemptError, ClockOffset, Decision, NodePool, Outcome, RequestState,
    RetryLimits, ServiceNode, SwarmId, SwarmMap, SwarmRequest, Timestamp, UsageError, PATH_LENGTH,
};

/// Nearest by ring distance; on equal distance the one reached going down (left) wins.
fn brute_force(position: u64, ids: &[u64]) -> Option<u64> {
    ids.iter()
        .map(|&id| {
            let up = id.wrapping_sub(position);
            let down = position.wrapping_sub(id);
            let distance = up.min(down);
            (distance, u8::from(down != distance), id)
        })
        .min()
        .map(|(_, _, id)| id)
}

fn ids_near(position: u64) -> impl Strategy<Value = Vec<u64>> {
    // Mix ids anywhere on the ring with ids a few steps from the key, so ties and exact hits
    // are common.
    let near = (-4i64..=4).prop_map(move |d| position.wrapping_add_signed(d));
    prop::collection::vec(
        prop_oneof![any::<u64>(), near, Just(0), Just(u64::MAX)],
        1..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn selection_matches_brute_force((position, ids) in any::<u64>().prop_flat_map(|p| (Just(p), ids_near(p)))) {
        let swarm_ids: Vec<SwarmId> = ids.iter().copied().map(SwarmId::new).collect();
        let chosen = select_swarm(position, &swarm_ids).unwrap();
        prop_assert_eq!(Some(chosen.get()), brute_force(position, &ids));
        // The map agrees, once decommissioned (2^64-1) nodes are left out.
        let nodes: Vec<ServiceNode> = ids.iter().enumerate()
            .map(|(i, &id)| common::node_at(i as u32, [10, 0, 0, i as u8], Some(id)))
            .collect();
        let valid: Vec<u64> = ids.iter().copied().filter(|&i| i != u64::MAX).collect();
        let map = SwarmMap::new(&nodes);
        prop_assert_eq!(map.swarm_for_position(position).map(|s| s.id.get()), brute_force(position, &valid));
    }

    #[test]
    fn paths_never_repeat_a_node_or_subnet(seed in any::<[u8; 32]>(), count in 8usize..40, subnets in 4u8..30) {
        // Several nodes per /24 so the subnet rule has work to do.
        let nodes: Vec<ServiceNode> = (0..count as u32)
            .map(|i| common::node_at(i, [10, 1, (i as u8) % subnets, i as u8], None))
            .collect();
        let pool = NodePool::new(&nodes);
        let mut rng = ChaCha20Rng::from_seed(seed);
        let Ok(paths) = pool.build_paths(&mut rng) else {
            // Only when there are too few subnets for 2 disjoint paths of 3 (6 subnets needed
            // at most; fewer may do when guards share none).
            prop_assert!(subnets < 6 || count < 6);
            return Ok(());
        };
        let mut all_nodes = HashSet::new();
        for path in paths.paths() {
            let hops = path.hops();
            prop_assert_eq!(hops.len(), PATH_LENGTH);
            let keys: HashSet<_> = hops.iter().map(|n| n.ed25519).collect();
            let nets: HashSet<_> = hops.iter().map(ServiceNode::subnet24).collect();
            prop_assert_eq!(keys.len(), PATH_LENGTH);
            prop_assert_eq!(nets.len(), PATH_LENGTH);
            for key in keys {
                prop_assert!(all_nodes.insert(key), "paths share a node");
            }
        }
        prop_assert_eq!(paths.paths().len(), 2);
        // Deterministic under the same RNG.
        let again = pool.build_paths(&mut ChaCha20Rng::from_seed(seed)).unwrap();
        prop_assert_eq!(again, paths);
    }

    #[test]
    fn decisions_end_within_the_bound(seed in any::<[u8; 32]>(), outcomes in prop::collection::vec(0u8..14, 0..64), limit in 1u8..10) {
        let members: Vec<ServiceNode> = (0..5).map(common::node).collect();
        let target = SessionId::new(Prefix::User, [9; 32]);
        let limits = RetryLimits { max_attempts: limit, ..RetryLimits::default() };
        let mut request = SwarmRequest::with_limits(target, &members, ClockOffset::ZERO, limits);
        let mut rng = ChaCha20Rng::from_seed(seed);
        let now = Timestamp::from_millis(1_700_000_000_000);
        let mut steps = 0usize;
        let mut finished = false;
        for code in outcomes.iter().cycle().take(1000) {
            let Ok(attempt) = request.next_attempt(&mut rng) else { finished = true; break };
            steps += 1;
            match request.handle(outcome(*code, &members, &attempt.node), now).unwrap() {
                Decision::Done(_) | Decision::Fail(_) => { finished = true; break }
                _ => {}
            }
        }
        if outcomes.is_empty() {
            return Ok(());
        }
        prop_assert!(finished, "request still alive after {steps} steps");
        prop_assert!(steps <= usize::from(limit), "{steps} attempts > limit {limit}");
        prop_assert!(request.next_attempt(&mut rng).is_err());
    }

    /// The request as a state machine, driven by any sequence of calls, the wrong ones
    /// included, against a model of its states.
    #[test]
    fn request_state_machine(seed in any::<[u8; 32]>(), ops in prop::collection::vec((0u8..4, 0u8..14), 0..80)) {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Model { Ready, InFlight(Attempt), Finished }
        let members: Vec<ServiceNode> = (0..5).map(common::node).collect();
        let target = SessionId::new(Prefix::User, [9; 32]);
        let limits = RetryLimits::default();
        let mut request = SwarmRequest::with_limits(target, &members, ClockOffset::ZERO, limits);
        let mut rng = ChaCha20Rng::from_seed(seed);
        let now = Timestamp::from_millis(1_700_000_000_000);
        let mut model = Model::Ready;
        // Members a decision said not to retry, until the swarm is replaced.
        let mut excluded: Vec<Ed25519PublicKey> = Vec::new();
        let mut attempts = 0u8;
        for (op, code) in ops {
            let before = request.state().clone();
            if op == 0 {
                // Hand an outcome over, in flight or not.
                let result = match model {
                    Model::InFlight(attempt) => request.handle(outcome(code, &members, &attempt.node), now),
                    _ => request.handle(Outcome::Timeout, now),
                };
                match (model, result) {
                    (Model::Ready, Err(e)) => {
                        prop_assert_eq!(e, UsageError::NoAttemptInFlight);
                        prop_assert_eq!(request.state(), &before);
                    }
                    (Model::Finished, Err(e)) => {
                        prop_assert_eq!(e, UsageError::Finished);
                        prop_assert_eq!(request.state(), &before);
                    }
                    (Model::InFlight(attempt), Ok(decision)) => {
                        model = match &decision {
                            Decision::Done(reply) => {
                                prop_assert!((200..300).contains(&reply.status));
                                prop_assert_eq!(request.state(), &RequestState::Succeeded);
                                Model::Finished
                            }
                            Decision::Fail(failure) => {
                                prop_assert_eq!(request.state(), &RequestState::Failed(failure.clone()));
                                Model::Finished
                            }
                            _ => {
                                prop_assert_eq!(request.state(), &RequestState::Ready);
                                Model::Ready
                            }
                        };
                        match decision {
                            Decision::RetryOtherMember { failed } => {
                                prop_assert_eq!(failed, attempt.node.ed25519);
                                excluded.push(failed);
                            }
                            Decision::MarkNodeBad { node } if node == attempt.node.ed25519 => excluded.push(node),
                            // An unreadable reply (outcome 11): the member counts as tried.
                            Decision::MarkPathBad if code == 11 => excluded.push(attempt.node.ed25519),
                            Decision::ReplaceSwarmAndRetry { members: new, .. } => {
                                prop_assert_eq!(request.members(), &new[..]);
                                excluded.clear();
                            }
                            _ => {}
                        }
                    }
                    (model, result) => prop_assert!(false, "{model:?} gave {result:?}"),
                }
            } else {
                let result = request.next_attempt(&mut rng);
                match (model, result) {
                    (Model::Ready, Ok(attempt)) => {
                        attempts += 1;
                        prop_assert_eq!(attempt.number, attempts);
                        prop_assert!(attempts <= limits.max_attempts);
                        prop_assert!(request.members().contains(&attempt.node));
                        prop_assert!(!excluded.contains(&attempt.node.ed25519), "retried an excluded member");
                        prop_assert_eq!(request.state(), &RequestState::InFlight(attempt));
                        model = Model::InFlight(attempt);
                    }
                    (Model::Ready, Err(AttemptError::GaveUp(failure))) => {
                        let exhausted = attempts >= limits.max_attempts
                            || request.members().iter().all(|m| excluded.contains(&m.ed25519));
                        prop_assert!(exhausted, "gave up early: {failure:?}");
                        prop_assert_eq!(request.state(), &RequestState::Failed(failure));
                        model = Model::Finished;
                    }
                    (Model::InFlight(_), Err(e)) => {
                        prop_assert_eq!(e, AttemptError::Usage(UsageError::AttemptInFlight));
                        prop_assert_eq!(request.state(), &before);
                    }
                    (Model::Finished, Err(e)) => {
                        prop_assert_eq!(e, AttemptError::Usage(UsageError::Finished));
                        prop_assert_eq!(request.state(), &before);
                    }
                    (model, result) => prop_assert!(false, "{model:?} gave {result:?}"),
                }
            }
            prop_assert_eq!(request.is_finished(), model == Model::Finished);
        }
    }
}

/// Outcome number `code` for an attempt to `node`.
fn outcome(code: u8, members: &[ServiceNode], node: &ServiceNode) -> Outcome {
    let other: Vec<ServiceNode> = (10..13).map(common::node).collect();
    match code {
        0 => Outcome::reply(200, r#"{"t":1700000000500}"#),
        1 => Outcome::reply(
            421,
            serde_json::json!({
                "swarm": "1f", "t": 1_700_000_030_000u64,
                "snodes": other.iter().map(common::swarm_entry).collect::<Vec<_>>(),
            })
            .to_string(),
        ),
        2 => Outcome::reply(406, r#"{"t":1700000090000}"#),
        3 => Outcome::reply(500, ""),
        4 => Outcome::reply(503, ""),
        5 => Outcome::PathFailure(PathFailure::classify(
            Some(502),
            format!("Next node not found: {}", members[0].ed25519.to_hex()).as_bytes(),
        )),
        6 => Outcome::PathFailure(PathFailure::classify(Some(504), b"Request time out")),
        7 => Outcome::Timeout,
        8 => Outcome::reply(421, "garbage"),
        9 => Outcome::reply(401, "no"),
        10 => Outcome::reply(425, ""),
        11 => Outcome::Unreadable(ResponseError::NotBase64),
        12 => Outcome::PathFailure(PathFailure::classify(
            Some(502),
            format!("Next node not found: {}", node.ed25519.to_hex()).as_bytes(),
        )),
        _ => Outcome::reply(299 + u16::from(code), ""),
    }
}
