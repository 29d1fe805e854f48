//! The retry decisions of one storage request, as a sans-IO state machine.

use rand_core::CryptoRng;
use session_identity::{Ed25519PublicKey, SessionId};

use session_onion::{OnionFailure, PathFailure, ResponseError, ServiceNodeResponse};

use crate::node::ServiceNode;
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

/// A service node's answer to a storage request: its status, body and clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageReply {
    /// The storage server's status code.
    pub status: u16,
    /// The body (JSON for every defined status but some error texts).
    pub body: Vec<u8>,
    /// The node's clock, the body's integer `t` when it has one.
    pub server_time: Option<Timestamp>,
}

impl StorageReply {
    /// A reply from its status and body; reads the body's `t` once, here.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        let server_time = match serde_json::from_slice(&body) {
            Ok(serde_json::Value::Object(map)) => map
                .get("t")
                .and_then(serde_json::Value::as_u64)
                .map(Timestamp::from_millis),
            _ => None,
        };
        Self {
            status,
            body,
            server_time,
        }
    }
}

/// What came back for one attempt: the one result type a driver hands to
/// [`SwarmRequest::handle`].
///
/// Build it from what the onion layer read ([`Outcome::from_onion`], or `From`), from a direct
/// HTTP answer of a node ([`Outcome::reply`]), or as [`Outcome::Timeout`] when nothing came back
/// in time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The destination node answered.
    Reply(StorageReply),
    /// A node on the onion path answered with a plain-text failure instead (read once by
    /// [`PathFailure::classify`]).
    PathFailure(PathFailure),
    /// The guard answered 200, but the reply did not decrypt or parse.
    Unreadable(ResponseError),
    /// Nothing came back in time.
    Timeout,
}

impl Outcome {
    /// The outcome of an onion request, as
    /// [`ResponseContext::read_service_node_reply`](session_onion::ResponseContext::read_service_node_reply)
    /// read the guard's answer.
    pub fn from_onion(result: Result<ServiceNodeResponse, OnionFailure>) -> Self {
        match result {
            Ok(response) => Self::Reply(StorageReply::new(response.status, response.body)),
            Err(OnionFailure::Path(failure)) => Self::PathFailure(failure),
            Err(OnionFailure::Unreadable(error)) => Self::Unreadable(error),
            // A failure kind added later: the path is the safe thing to blame.
            Err(other) => Self::PathFailure(PathFailure::Other {
                status: None,
                text: other.to_string(),
            }),
        }
    }

    /// A node's direct (not onion-routed) HTTP answer.
    pub fn reply(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::Reply(StorageReply::new(status, body))
    }
}

impl From<Result<ServiceNodeResponse, OnionFailure>> for Outcome {
    fn from(result: Result<ServiceNodeResponse, OnionFailure>) -> Self {
        Self::from_onion(result)
    }
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
}

/// A call that does not fit the request's state; the state is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// [`SwarmRequest::next_attempt`] while an attempt is in flight: hand its outcome to
    /// [`SwarmRequest::handle`] first (an [`Outcome::Timeout`] if it is abandoned).
    #[error("an attempt is already in flight")]
    AttemptInFlight,
    /// [`SwarmRequest::handle`] with no attempt in flight.
    #[error("no attempt is in flight")]
    NoAttemptInFlight,
    /// The request already succeeded or failed.
    #[error("the request is finished")]
    Finished,
}

/// Why [`SwarmRequest::next_attempt`] gave no attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttemptError {
    /// The request failed for good just now (attempt limit reached, swarm exhausted).
    #[error(transparent)]
    GaveUp(#[from] RequestFailure),
    /// The call does not fit the request's state.
    #[error(transparent)]
    Usage(#[from] UsageError),
}

/// Where a [`SwarmRequest`] stands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestState {
    /// Waiting for [`SwarmRequest::next_attempt`].
    Ready,
    /// An attempt was sent; its outcome goes to [`SwarmRequest::handle`].
    InFlight(Attempt),
    /// Finished: a member answered with success.
    Succeeded,
    /// Finished: given up.
    Failed(RequestFailure),
}

/// What to do after an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Success (a 2xx reply): parse the reply's body with the method's reply parser.
    Done(StorageReply),
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
    /// The path failed without naming a node (a relay's error, an unreadable reply): count
    /// it in the [`PathSet`](crate::PathSet), then retry (on another path; after an unreadable
    /// reply, to another member too).
    MarkPathBad,
    /// Nothing came back: stop using the path (its guard may be gone): remove it from the
    /// [`PathSet`](crate::PathSet), count the guard's failure in the
    /// [`NodePool`](crate::NodePool), then retry on another path.
    DropPath,
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
/// A driver loops: [`next_attempt`](SwarmRequest::next_attempt) names the member to send to;
/// it sends (usually through an onion path that avoids that member), turns what came back into
/// an [`Outcome`] and hands it to [`handle`](SwarmRequest::handle), which answers with the
/// [`Decision`] to carry out, until [`Decision::Done`] or [`Decision::Fail`].
///
/// ```
/// use session_swarm::{Decision, Outcome, RequestState, SwarmRequest, ClockOffset, Timestamp};
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
/// let decision = request.handle(Outcome::reply(500, "busy"), now)?;
/// assert!(matches!(decision, Decision::RetryOtherMember { .. }));
/// let second = request.next_attempt(&mut rand::rng())?;
/// assert_ne!(second.node, first.node);
/// let Decision::Done(reply) = request.handle(Outcome::reply(200, r#"{"t":1700000000100}"#), now)? else {
///     panic!("a 200 finishes the request");
/// };
/// assert_eq!(reply.server_time, Some(Timestamp::from_millis(1_700_000_000_100)));
/// assert_eq!(request.state(), &RequestState::Succeeded);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SwarmRequest {
    target: SessionId,
    members: Vec<ServiceNode>,
    tried: Vec<Ed25519PublicKey>,
    state: RequestState,
    attempts: u8,
    swarm_replacements: u8,
    clock_adjustments: u8,
    clock_offset: ClockOffset,
    observed_offset: Option<ClockOffset>,
    limits: RetryLimits,
}

/// Longest reason text kept from an error body.
const MAX_REASON_LEN: usize = 256;

fn reason(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(MAX_REASON_LEN)]).into_owned()
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
            state: RequestState::Ready,
            attempts: 0,
            swarm_replacements: 0,
            clock_adjustments: 0,
            clock_offset,
            observed_offset: None,
            limits,
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

    /// Where the request stands.
    pub fn state(&self) -> &RequestState {
        &self.state
    }

    /// Whether the request succeeded or failed.
    pub fn is_finished(&self) -> bool {
        matches!(
            self.state,
            RequestState::Succeeded | RequestState::Failed(_)
        )
    }

    /// Records a server clock reading (a reply's `t`, an `info` timestamp) taken at local time
    /// `now`; used if a node later says the clock is off.
    pub fn observe_server_time(&mut self, server_time: Timestamp, now: Timestamp) {
        self.observed_offset = Some(ClockOffset::estimate(server_time, now));
    }

    fn fail(&mut self, failure: RequestFailure) -> RequestFailure {
        self.state = RequestState::Failed(failure.clone());
        failure
    }

    /// The member to send to next: a random member not yet tried. Fails for good
    /// ([`AttemptError::GaveUp`]) once the attempt limit is reached or every member was tried.
    pub fn next_attempt(&mut self, rng: &mut impl CryptoRng) -> Result<Attempt, AttemptError> {
        match self.state {
            RequestState::Ready => {}
            RequestState::InFlight(_) => return Err(UsageError::AttemptInFlight.into()),
            _ => return Err(UsageError::Finished.into()),
        }
        if self.attempts >= self.limits.max_attempts {
            return Err(self
                .fail(RequestFailure::RetriesExhausted(self.attempts))
                .into());
        }
        let untried: Vec<&ServiceNode> = self
            .members
            .iter()
            .filter(|m| !self.tried.contains(&m.ed25519))
            .collect();
        if untried.is_empty() {
            return Err(self.fail(RequestFailure::SwarmExhausted).into());
        }
        let node = *untried[random_index(rng, untried.len())];
        self.attempts += 1;
        let attempt = Attempt {
            node,
            number: self.attempts,
        };
        self.state = RequestState::InFlight(attempt);
        Ok(attempt)
    }

    /// What to do about the outcome of the attempt in flight, at local time `now`.
    pub fn handle(&mut self, outcome: Outcome, now: Timestamp) -> Result<Decision, UsageError> {
        let node = match self.state {
            RequestState::InFlight(attempt) => attempt.node,
            RequestState::Ready => return Err(UsageError::NoAttemptInFlight),
            _ => return Err(UsageError::Finished),
        };
        self.state = RequestState::Ready;
        Ok(match outcome {
            Outcome::Reply(reply) => self.handle_reply(node, reply, now),
            Outcome::PathFailure(failure) => self.handle_path_failure(node, &failure),
            // Any hop of the path, or the member itself, may have garbled the reply: the path
            // takes a strike and the retry goes to another member, so that one broken member
            // cannot take every attempt.
            Outcome::Unreadable(_) => {
                self.tried.push(node.ed25519);
                Decision::MarkPathBad
            }
            Outcome::Timeout => Decision::DropPath,
        })
    }

    fn handle_path_failure(&mut self, node: ServiceNode, failure: &PathFailure) -> Decision {
        let named = match failure {
            PathFailure::NextNodeNotFound { ed25519 } => *ed25519,
            PathFailure::NodeNotReady {
                ed25519: Some(ed25519),
            } => *ed25519,
            _ => return Decision::MarkPathBad,
        };
        if named == node.ed25519 {
            self.tried.push(node.ed25519);
        }
        Decision::MarkNodeBad { node: named }
    }

    fn handle_reply(&mut self, node: ServiceNode, reply: StorageReply, now: Timestamp) -> Decision {
        if let Some(t) = reply.server_time {
            self.observe_server_time(t, now);
        }
        let failure = match StatusClass::of(reply.status) {
            StatusClass::Success => {
                self.state = RequestState::Succeeded;
                return Decision::Done(reply);
            }
            StatusClass::WrongSwarm => return self.wrong_swarm(node, &reply.body),
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
            StatusClass::BadRequest => RequestFailure::BadRequest(reason(&reply.body)),
            StatusClass::Unauthorized => RequestFailure::Unauthorized(reason(&reply.body)),
            StatusClass::Forbidden => RequestFailure::Forbidden(reason(&reply.body)),
            StatusClass::NotFound => RequestFailure::NotFound,
            _ => RequestFailure::UnexpectedStatus(reply.status),
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
