//! The listeners: one HTTPS server per node, the plain-HTTP seed, and their routes.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{json, Value};
use session_identity::Ed25519PublicKey;
use session_testnet::{HopOutcome, HttpReply};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::{Shared, MAX_REQUEST_BODY, RELAY_HEADER};

/// How long a connection may take to finish its TLS handshake or send a request's headers.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The answer a service gives hyper: a response, or `Err` to close the connection unanswered.
type Answer = Result<Response<Full<Bytes>>, Silent>;

/// Closes the connection without an answer (a stopped node, a lost reply).
#[derive(Debug)]
pub(crate) struct Silent;

impl core::fmt::Display for Silent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("connection dropped without an answer")
    }
}

impl std::error::Error for Silent {}

fn reply(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

fn text(status: u16, body: impl Into<String>) -> Answer {
    reply(status, "text/plain", body.into())
}

fn not_found(request: &Request<Incoming>) -> Answer {
    text(
        404,
        format!("{} {} Not Found", request.method(), request.uri()),
    )
}

/// The body, or the answer to give instead: 413 over [`MAX_REQUEST_BODY`] (checked on
/// `Content-Length` first, then while reading), a dropped connection if the body breaks off.
async fn read_body(request: Request<Incoming>) -> Result<Bytes, Answer> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BODY as u64) {
        return Err(text(413, "Request body too large"));
    }
    match Limited::new(request.into_body(), MAX_REQUEST_BODY)
        .collect()
        .await
    {
        Ok(body) => Ok(body.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            Err(text(413, "Request body too large"))
        }
        Err(_) => Err(Err(Silent)),
    }
}

/// Serves HTTP/1.1 on one accepted stream until it closes or the network stops.
async fn serve_connection<S, F, Fut>(stream: S, mut stop: watch::Receiver<bool>, handler: F)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    F: Fn(Request<Incoming>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Answer> + Send + 'static,
{
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HANDSHAKE_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service_fn(handler));
    tokio::select! {
        _ = connection => {}
        _ = stop.changed() => {}
    }
}

/// Accepts connections for node `index` until the network stops.
pub(crate) async fn node_listener(
    shared: Arc<Shared>,
    index: usize,
    listener: TcpListener,
    tls: TlsAcceptor,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let Ok((tcp, _)) = accepted else {
            // Out of file descriptors, say: wait a little rather than spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        if shared.slots[index].killed.load(Ordering::SeqCst) {
            drop(tcp);
            continue;
        }
        let shared = shared.clone();
        let tls = tls.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let Ok(Ok(stream)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(tcp)).await
            else {
                return;
            };
            serve_connection(stream, stop, move |request| {
                node_route(shared.clone(), index, request)
            })
            .await;
        });
    }
}

async fn node_route(shared: Arc<Shared>, index: usize, request: Request<Incoming>) -> Answer {
    let slot = &shared.slots[index];
    // A killed node answers nothing, also on connections opened before it was killed.
    if slot.killed.load(Ordering::SeqCst) {
        return Err(Silent);
    }
    let key = slot.info.ed25519;
    if request.method() != Method::POST {
        return not_found(&request);
    }
    let path = request.uri().path();
    if matches!(path, "/onion_req/v2" | "/storage_rpc/v1") && slot.garbage.load(Ordering::SeqCst) {
        // The body is read (and limited) as usual, then not looked at.
        return match read_body(request).await {
            Ok(_) => reply(200, "application/octet-stream", shared.draw_garbage()),
            Err(answer) => answer,
        };
    }
    match path {
        "/onion_req/v2" => {
            let from = request
                .headers()
                .get(RELAY_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| Ed25519PublicKey::from_hex(v).ok());
            let body = match read_body(request).await {
                Ok(body) => body,
                Err(answer) => return answer,
            };
            onion_hop(&shared, key, &body, from).await
        }
        "/storage_rpc/v1" => {
            let body = match read_body(request).await {
                Ok(body) => body,
                Err(answer) => return answer,
            };
            match shared.with_net(|net| net.handle_storage_rpc(&key, &body)) {
                Some(HttpReply { status, body }) => {
                    let kind = if body.first() == Some(&b'{') {
                        "application/json"
                    } else {
                        "text/plain"
                    };
                    reply(status, kind, body)
                }
                None => Err(Silent),
            }
        }
        _ => not_found(&request),
    }
}

/// One onion hop at `key`: the network peels the layer; a relay forwards it over HTTPS.
async fn onion_hop(
    shared: &Shared,
    key: Ed25519PublicKey,
    body: &[u8],
    from: Option<Ed25519PublicKey>,
) -> Answer {
    if from.is_none() && shared.draw_failure() {
        return text(503, format!("Snode not ready: {}", key.to_hex()));
    }
    let outcome = shared.with_net(|net| net.handle_onion_hop(&key, body, from.as_ref()));
    match outcome {
        HopOutcome::Forward { next, body } => {
            let url = format!("https://{}:{}/onion_req/v2", next.ip, next.https_port);
            let sent = shared
                .client
                .post(url)
                .header(RELAY_HEADER, key.to_hex())
                .body(body)
                .send()
                .await;
            let answer = match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    response.bytes().await.map(|body| (status, body))
                }
                Err(error) => Err(error),
            };
            match answer {
                Ok((status, body)) => {
                    let kind = if status == 200 {
                        "application/octet-stream"
                    } else {
                        "text/plain"
                    };
                    reply(status, kind, body)
                }
                Err(error) if error.is_timeout() => text(504, "Request time out"),
                Err(_) => text(
                    502,
                    format!("Next node not found: {}", next.ed25519.to_hex()),
                ),
            }
        }
        HopOutcome::Reply(HttpReply { status, body }) => {
            let kind = if status == 200 {
                "application/octet-stream"
            } else {
                "text/plain"
            };
            reply(status, kind, body)
        }
        // A variant added later, or no reply: answer nothing.
        _ => Err(Silent),
    }
}

/// Accepts plain-HTTP connections to the seed until the network stops.
pub(crate) async fn seed_listener(
    shared: Arc<Shared>,
    listener: TcpListener,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let Ok((tcp, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let shared = shared.clone();
        let stop = stop.clone();
        tokio::spawn(serve_connection(tcp, stop, move |request| {
            seed_route(shared.clone(), request)
        }));
    }
}

fn json_reply(value: &Value) -> Answer {
    reply(200, "application/json", value.to_string())
}

fn rpc_error(code: i64, message: &str) -> Answer {
    json_reply(
        &json!({ "jsonrpc": "2.0", "id": "0", "error": { "code": code, "message": message } }),
    )
}

async fn seed_route(shared: Arc<Shared>, request: Request<Incoming>) -> Answer {
    if request.method() != Method::POST {
        return not_found(&request);
    }
    let path = request.uri().path().to_owned();
    if !matches!(
        path.as_str(),
        "/json_rpc"
            | "/admin/kill"
            | "/admin/revive"
            | "/admin/garbage"
            | "/admin/honest"
            | "/admin/fail_rate"
    ) {
        return not_found(&request);
    }
    let body = match read_body(request).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    match path.as_str() {
        "/json_rpc" => {
            let Ok(Value::Object(call)) = serde_json::from_slice::<Value>(&body) else {
                return rpc_error(-32700, "Parse error");
            };
            match call.get("method").and_then(Value::as_str) {
                Some("get_n_service_nodes") => {
                    let directory = shared.with_net(|net| net.directory_json());
                    reply(200, "application/json", directory)
                }
                _ => rpc_error(-32601, "Method not found"),
            }
        }
        "/admin/fail_rate" => {
            let rate = core::str::from_utf8(&body)
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok());
            match rate.map(|rate| shared.set_fail_rate(rate)) {
                Some(Ok(())) => text(200, "OK"),
                _ => text(400, "fail rate must be a number between 0 and 1"),
            }
        }
        // /admin/kill, /admin/revive, /admin/garbage and /admin/honest
        _ => {
            let key = core::str::from_utf8(&body)
                .ok()
                .and_then(|s| Ed25519PublicKey::from_hex(s.trim()).ok());
            let Some(key) = key else {
                return text(400, "body must be a node's Ed25519 key in hex");
            };
            let done = match path.as_str() {
                "/admin/garbage" => shared.set_garbage(&key, true),
                "/admin/honest" => shared.set_garbage(&key, false),
                _ => shared.set_killed(&key, path == "/admin/kill"),
            };
            match done {
                Ok(()) => text(200, "OK"),
                Err(error) => text(404, error.to_string()),
            }
        }
    }
}
