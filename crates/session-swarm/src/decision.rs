//! The retry decisions of one storage request, as a sans-IO state machine.

use rand_core::CryptoRng;
use session_identity::{Ed25519PublicKey, SessionId};

use crate::node::{parse_key_text, ServiceNode};
use crate::path::random_index;
use crate::reply::{parse_wrong_swarm_reply, StatusClass};
use crate::space::SwarmId;
use crate::time::{ClockOffset, Timestamp};

/// Bounds on retries. Every [`SwarmRequest::handle`] follows one [`SwarmRequest::next_attempt`],
/// and attempts are capped, so no sequence of outcomes keeps a request alive forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryLimits {
    /// Most attempts (sends) in total.
    pub max_attempts: u8,
    /// Most swarm replacements (421 replies) followed.
    pub max_swarm_replacements: u8,
    /// Most clock corrections (406/425 replies) followed.
    pub max_clock_adjustments: u8,
}

impl Default for RetryLimits {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            max_swarm_replacements: 2,
            max_clock_adjustments: 1,
        }
    }
}

/// What came back for an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// The destination node answered (directly, or the decrypted onion reply) with `status`
    /// and `body`.
    Reply {
        /// The storage server's status code.
        status: u16,
        /// The body.
        body: &'a [u8],
    },
    /// A node on the onion path answered with a plain-text HTTP error instead (e.g. 502
    /// `Next node not found: <ed25519 hex>`, 504 `Request time out`).
    PathError {
        /// The HTTP status.
        status: u16,
        /// The body.
        body: &'a [u8],
    },
    /// Nothing came back in time.
    Timeout,
}

/// Why a request failed for good.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestFailure {
    /// 400: the server refused the request as malformed.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401: signature or authorisation refused (retrying would not help).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// 403: TTL/expiry refused or a feature not active yet.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: nothing matched (`delete` with `required`).
    #[error("not found")]
    NotFound,
    /// 406/425 and the clock could not be corrected (no server time known, or already
    /// corrected once).
    #[error("clock out of sync with the network (offset in use: {offset_ms} ms)")]
    ClockOutOfSync {
        /// The offset that was in use.
        offset_ms: i64,
    },
    /// Too many 421 replies in a row.
    #[error("the network kept redirecting to other swarms")]
    WrongSwarmLoop,
    /// Every member of the swarm was tried.
    #[error("no untried member of the swarm is left")]
    SwarmExhausted,
    /// The attempt limit was reached.
    #[error("gave up after {0} attempts")]
    RetriesExhausted(u8),
    /// A status the protocol does not define.
    #[error("unexpected status {0}")]
    UnexpectedStatus(u16),
    /// `handle` was called with no attempt in flight, or after the request finished.
    #[error("no attempt is in flight")]
    NoAttemptInFlight,
}

/// What to do after an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Success: parse the body with the method's reply parser.
    Done {
        /// The success status (2xx).
        status: u16,
    },
    /// Send again to another member ([`SwarmRequest::next_attempt`]).
    RetryOtherMember {
        /// The member that failed.
        failed: Ed25519PublicKey,
    },
    /// The node said the account lives elsewhere: cache this swarm for the target, then
    /// retry there.
    ReplaceSwarmAndRetry {
        /// The new swarm.
        swarm_id: SwarmId,
        /// Its members.
        members: Vec<ServiceNode>,
    },
    /// The request's timestamp was out of the node's window: sign again with
    /// `now.adjusted(offset)` (also [`SwarmRequest::signing_time`]) and retry.
    AdjustClockAndResign {
        /// The clock offset to use from now on.
        offset: ClockOffset,
    },
    /// A node is failing: count it in the [`NodePool`](crate::NodePool) (and rebuild paths
    /// through it), then retry.
    MarkNodeBad {
        /// The failing node.
        node: Ed25519PublicKey,
    },
    /// The path failed without naming a node: count it in the [`PathSet`](crate::PathSet),
    /// then retry (on another path).
    MarkPathBad,
    /// Give up.
    Fail(RequestFailure),
}

/// One attempt: send the (re-)signed request to `node`, usually through an onion path chosen
/// with [`PathSet::choose`](crate::PathSet::choose) that avoids `node`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// The destination swarm member.
    pub node: ServiceNode,
    /// 1 for the first attempt, 2 for the second, …
    pub number: u8,
}

/// The decisions for one request to one account's swarm.
///
/// ```
/// use session_swarm::{Decision, Outcome, SwarmRequest, ClockOffset, Timestamp};
/// # use session_swarm::ServiceNode;
/// # use session_identity::{Ed25519PublicKey, X25519PublicKey, SessionId};
/// # let node = |i: u8| ServiceNode { ed25519: Ed25519PublicKey::from_bytes([i; 32]),
/// #   x25519: X25519PublicKey::from_bytes([i; 32]), ip: [10, i, 0, 1].into(), https_port: 443,
/// #   omq_port: None, swarm_id: None };
/// # let target = SessionId::new(session_identity::Prefix::User, [1; 32]);
/// let members = [node(1), node(2), node(3)];
/// let mut request = SwarmRequest::new(target, &members, ClockOffset::ZERO);
/// let now = Timestamp::from_millis(1_700_000_000_000);
/// let first = request.next_attempt(&mut rand::rng())?;
/// // The node is overloaded: try another member.
/// let decision = request.handle(Outcome::Reply { status: 500, body: b"" }, now);
/// assert!(matches!(decision, Decision::RetryOtherMember { .. }));
/// let second = request.next_attempt(&mut rand::rng())?;
/// assert_ne!(second.node, first.node);
/// assert_eq!(request.handle(Outcome::Reply { status: 200, body: b"{}" }, now), Decision::Done { status: 200 });
/// # Ok::<(), session_swarm::RequestFailure>(())
/// ```
#[derive(Debug, Clone)]
pub struct SwarmRequest {
    target: SessionId,
    members: Vec<ServiceNode>,
    tried: Vec<Ed25519PublicKey>,
    in_flight: Option<ServiceNode>,
    attempts: u8,
    swarm_replacements: u8,
    clock_adjustments: u8,
    clock_offset: ClockOffset,
    observed_offset: Option<ClockOffset>,
    limits: RetryLimits,
    finished: bool,
}

/// Longest reason text kept from an error body.
const MAX_REASON_LEN: usize = 256;

fn reason(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(MAX_REASON_LEN)]).into_owned()
}

/// The node named by a relay's `Next node not found: <ed25519 hex>` error.
fn missing_next_node(body: &[u8]) -> Option<Ed25519PublicKey> {
    let text = core::str::from_utf8(body).ok()?;
    let key = text.trim().strip_prefix("Next node not found: ")?;
    parse_key_text(key.trim())
}

impl SwarmRequest {
    /// A request to `target`, whose swarm is believed to be `members`, signing with `now`
    /// shifted by `clock_offset`. Uses [`RetryLimits::default`].
    pub fn new(target: SessionId, members: &[ServiceNode], clock_offset: ClockOffset) -> Self {
        Self::with_limits(target, members, clock_offset, RetryLimits::default())
    }

    /// As [`SwarmRequest::new`] with explicit limits.
    pub fn with_limits(
        target: SessionId,
        members: &[ServiceNode],
        clock_offset: ClockOffset,
        limits: RetryLimits,
    ) -> Self {
        Self {
            target,
            members: members.to_vec(),
            tried: Vec::new(),
            in_flight: None,
            attempts: 0,
            swarm_replacements: 0,
            clock_adjustments: 0,
            clock_offset,
            observed_offset: None,
            limits,
            finished: false,
        }
    }

    /// The account the request is for.
    pub fn target(&self) -> &SessionId {
        &self.target
    }

    /// The swarm members currently believed to hold the target.
    pub fn members(&self) -> &[ServiceNode] {
        &self.members
    }

    /// The clock offset requests are signed with.
    pub fn clock_offset(&self) -> ClockOffset {
        self.clock_offset
    }

    /// The timestamp to sign with at local time `now`.
    pub fn signing_time(&self, now: Timestamp) -> Timestamp {
        now.adjusted(self.clock_offset)
    }

    /// Attempts made so far.
    pub fn attempts(&self) -> u8 {
        self.attempts
    }

    /// Records a server clock reading (a reply's `t`, an `info` timestamp) taken at local time
    /// `now`; used if a node later says the clock is off.
    pub fn observe_server_time(&mut self, server_time: Timestamp, now: Timestamp) {
        self.observed_offset = Some(ClockOffset::estimate(server_time, now));
    }

    fn fail(&mut self, failure: RequestFailure) -> RequestFailure {
        self.finished = true;
        self.in_flight = None;
        failure
    }

    /// The member to send to next: a random member not yet tried. Fails once the attempt
    /// limit is reached, every member was tried, or the request is finished.
    pub fn next_attempt(&mut self, rng: &mut impl CryptoRng) -> Result<Attempt, RequestFailure> {
        if self.finished {
            return Err(RequestFailure::NoAttemptInFlight);
        }
        if self.attempts >= self.limits.max_attempts {
            return Err(self.fail(RequestFailure::RetriesExhausted(self.attempts)));
        }
        let untried: Vec<&ServiceNode> = self
            .members
            .iter()
            .filter(|m| !self.tried.contains(&m.ed25519))
            .collect();
        if untried.is_empty() {
            return Err(self.fail(RequestFailure::SwarmExhausted));
        }
        let node = *untried[random_index(rng, untried.len())];
        self.attempts += 1;
        self.in_flight = Some(node);
        Ok(Attempt {
            node,
            number: self.attempts,
        })
    }

    /// What to do about the outcome of the attempt in flight, at local time `now`.
    pub fn handle(&mut self, outcome: Outcome<'_>, now: Timestamp) -> Decision {
        let Some(node) = self.in_flight.take() else {
            return Decision::Fail(RequestFailure::NoAttemptInFlight);
        };
        if self.finished {
            return Decision::Fail(RequestFailure::NoAttemptInFlight);
        }
        match outcome {
            Outcome::Reply { status, body } => self.handle_reply(node, status, body, now),
            Outcome::PathError { status, body } => {
                if status == 502 {
                    if let Some(missing) = missing_next_node(body) {
                        if missing == node.ed25519 {
                            self.tried.push(node.ed25519);
                        }
                        return Decision::MarkNodeBad { node: missing };
                    }
                }
                Decision::MarkPathBad
            }
            Outcome::Timeout => Decision::MarkPathBad,
        }
    }

    fn handle_reply(
        &mut self,
        node: ServiceNode,
        status: u16,
        body: &[u8],
        now: Timestamp,
    ) -> Decision {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) {
            if let Some(t) = map.get("t").and_then(serde_json::Value::as_u64) {
                self.observe_server_time(Timestamp::from_millis(t), now);
            }
        }
        let failure = match StatusClass::of(status) {
            StatusClass::Success => {
                self.finished = true;
                return Decision::Done { status };
            }
            StatusClass::WrongSwarm => return self.wrong_swarm(node, body),
            StatusClass::ClockOutOfSync => match self.observed_offset {
                Some(offset)
                    if self.clock_adjustments < self.limits.max_clock_adjustments
                        && offset != self.clock_offset =>
                {
                    self.clock_adjustments += 1;
                    self.clock_offset = offset;
                    return Decision::AdjustClockAndResign { offset };
                }
                _ => RequestFailure::ClockOutOfSync {
                    offset_ms: self.clock_offset.as_millis(),
                },
            },
            StatusClass::ServerError | StatusClass::BadGateway | StatusClass::GatewayTimeout => {
                self.tried.push(node.ed25519);
                return Decision::RetryOtherMember {
                    failed: node.ed25519,
                };
            }
            StatusClass::Unavailable => {
                self.tried.push(node.ed25519);
                return Decision::MarkNodeBad { node: node.ed25519 };
            }
            StatusClass::BadRequest => RequestFailure::BadRequest(reason(body)),
            StatusClass::Unauthorized => RequestFailure::Unauthorized(reason(body)),
            StatusClass::Forbidden => RequestFailure::Forbidden(reason(body)),
            StatusClass::NotFound => RequestFailure::NotFound,
            _ => RequestFailure::UnexpectedStatus(status),
        };
        Decision::Fail(self.fail(failure))
    }

    fn wrong_swarm(&mut self, node: ServiceNode, body: &[u8]) -> Decision {
        if self.swarm_replacements >= self.limits.max_swarm_replacements {
            return Decision::Fail(self.fail(RequestFailure::WrongSwarmLoop));
        }
        match parse_wrong_swarm_reply(body) {
            Ok(reply) if reply.swarm_id.is_valid() && !reply.members.nodes.is_empty() => {
                self.swarm_replacements += 1;
                self.members = reply.members.nodes.clone();
                self.tried.clear();
                Decision::ReplaceSwarmAndRetry {
                    swarm_id: reply.swarm_id,
                    members: reply.members.nodes,
                }
            }
            // A 421 that names no usable swarm: that node is confused; ask another member.
            _ => {
                self.tried.push(node.ed25519);
                Decision::RetryOtherMember {
                    failed: node.ed25519,
                }
            }
        }
    }
}
