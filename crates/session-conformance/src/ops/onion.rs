//! §2.6: onion requests: hop encryption, building, the node's side and reply decoding.
//!
//! Randomized ops (`onion.hop_encrypt`, `onion.build`) draw from [`RequestRng`]: the operating
//! system, or a request's `rng_bytes` in the reference's draw order (vector replays).

use serde_json::{Map, Value};
use session_identity::{Ed25519PublicKey, X25519PublicKey, X25519SecretKey};
use session_onion::{
    hop_decrypt, hop_encrypt, BuildError, Destination, EncType, Hop, LayerError, LayerFrame,
    NodeKeys, OnionRequestBuilder, ResponseContext, Role, ServerDestination, V4Request,
    MAX_PATH_LEN,
};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::Request;
use crate::rng::RequestRng;

pub(crate) const OPS: &[(&str, Handler)] = &[
    ("onion.hop_encrypt", hop_encrypt_op),
    ("onion.hop_decrypt", hop_decrypt_op),
    ("onion.build", build),
    ("onion.parse", parse),
    ("onion.peel", peel),
    ("onion.decode_response", decode_response),
    ("onion.v4_payload", v4_payload),
];

fn enc_type(req: &Request<'_>) -> Result<EncType, OpError> {
    req.str("enc_type")?
        .parse()
        .map_err(|e| OpError::bad_request(format!("field `enc_type`: {e}")))
}

fn role(req: &Request<'_>) -> Result<Role, OpError> {
    match req.str("role")? {
        "client" => Ok(Role::Client),
        "server" => Ok(Role::Server),
        other => Err(OpError::bad_request(format!(
            "field `role` must be client or server, got {other:?}"
        ))),
    }
}

fn x25519_sk(req: &Request<'_>, name: &str) -> Result<X25519SecretKey, OpError> {
    req.hex_array::<32>(name).map(X25519SecretKey::from_bytes)
}

fn x25519_pk(req: &Request<'_>, name: &str) -> Result<X25519PublicKey, OpError> {
    req.hex_array::<32>(name).map(X25519PublicKey::from_bytes)
}

fn crypto(e: impl std::fmt::Display) -> OpError {
    OpError::crypto(e.to_string())
}

fn hop_encrypt_op(req: &Request<'_>) -> OpResult {
    let enc = enc_type(req)?;
    let role = role(req)?;
    let local = x25519_sk(req, "local_x25519_sk")?;
    let remote = x25519_pk(req, "remote_x25519_pk")?;
    let plaintext = req.hex("plaintext")?;
    let mut rng = RequestRng::for_request(req)?;
    let ciphertext =
        hop_encrypt(enc, role, &local, &remote, &plaintext, &mut rng).map_err(crypto)?;
    rng.finish()?;
    Ok(Output::new().hex("ciphertext", ciphertext))
}

fn hop_decrypt_op(req: &Request<'_>) -> OpResult {
    let enc = enc_type(req)?;
    let role = role(req)?;
    let local = x25519_sk(req, "local_x25519_sk")?;
    let remote = x25519_pk(req, "remote_x25519_pk")?;
    let ciphertext = req.hex("ciphertext")?;
    let plaintext = hop_decrypt(enc, role, &local, &remote, &ciphertext).map_err(crypto)?;
    Ok(Output::new().hex("plaintext", plaintext))
}

/// The fields of a nested object (`path` entries, `destination`), read with `Request`'s rules;
/// errors name the field as `outer.inner`.
fn nested<'a>(outer: &str, value: &'a Value) -> Result<Request<'a>, OpError> {
    match value {
        Value::Object(map) => Ok(Request::new(map)),
        _ => Err(OpError::bad_request(format!("`{outer}` must be an object"))),
    }
}

fn in_field(outer: &str) -> impl Fn(OpError) -> OpError + '_ {
    move |e| OpError::new(e.kind, format!("in `{outer}`: {}", e.message))
}

/// `{ed25519_pk, x25519_pk?}`; the X25519 key defaults to the Ed25519 key's conversion.
fn node(fields: &Request<'_>) -> Result<Hop, OpError> {
    let ed = Ed25519PublicKey::from_bytes(fields.hex_array::<32>("ed25519_pk")?);
    match fields.opt_hex("x25519_pk")? {
        Some(_) => Ok(Hop::new(ed, x25519_pk(fields, "x25519_pk")?)),
        None => Hop::from_ed25519(ed).map_err(crypto),
    }
}

fn destination(req: &Request<'_>) -> Result<Destination, OpError> {
    let fields = nested("destination", req.value("destination")?)?;
    let wrap = in_field("destination");
    match fields.str("kind").map_err(&wrap)? {
        "snode" => node(&fields).map(Destination::ServiceNode).map_err(&wrap),
        "server" => {
            let host = fields.str("host").map_err(&wrap)?;
            let target = fields.str("target").map_err(&wrap)?;
            let scheme = match fields.opt_str("scheme").map_err(&wrap)? {
                Some(scheme) => scheme,
                None => fields.str("protocol").map_err(|_| {
                    OpError::bad_request("in `destination`: missing field `scheme`")
                })?,
            };
            let port = match fields.opt_u64("port").map_err(&wrap)? {
                None => None,
                Some(port) => Some(u16::try_from(port).map_err(|_| {
                    OpError::bad_request("in `destination`: `port` must be at most 65535")
                })?),
            };
            let key = x25519_pk(&fields, "x25519_pk").map_err(&wrap)?;
            Ok(Destination::Server(ServerDestination::new(
                host, target, scheme, port, key,
            )))
        }
        other => Err(OpError::bad_request(format!(
            "`destination.kind` must be snode or server, got {other:?}"
        ))),
    }
}

fn build(req: &Request<'_>) -> OpResult {
    let enc = enc_type(req)?;
    let payload = req.hex("payload")?;
    let destination = destination(req)?;
    let entries = req.array("path")?;
    if entries.len() > MAX_PATH_LEN {
        return Err(OpError::bad_request(format!(
            "`path` has {} hops; at most {MAX_PATH_LEN}",
            entries.len()
        )));
    }
    let path = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let name = format!("path[{i}]");
            node(&nested(&name, entry)?).map_err(in_field(&name))
        })
        .collect::<Result<Vec<Hop>, OpError>>()?;
    let mut rng = RequestRng::for_request(req)?;
    // The checker's expected bytes come from libsession-util ≤ 1.2.0, which cuts a server
    // payload at its first NUL byte; the library's default sends it whole.
    let request = OnionRequestBuilder::new(destination, enc)
        .truncate_server_payload_at_nul(true)
        .path(path)
        .build(&payload, &mut rng)
        .map_err(|e| match e {
            BuildError::WeakKey { .. } | BuildError::UnconvertibleEd25519Key { .. } => crypto(e),
            _ => OpError::bad_request(e.to_string()),
        })?;
    rng.finish()?;
    let context = request.response_context();
    Ok(Output::new()
        .hex("request_body", request.body())
        .hex("guard_ed25519_pk", request.guard_ed25519())
        .hex("final_x25519_pk", context.final_x25519_public_key())
        .hex(
            "final_x25519_sk",
            context
                .expose_final_x25519_secret_key()
                .expose_secret_bytes(),
        ))
}

fn layer_error(e: LayerError) -> OpError {
    crypto(e)
}

fn parse(req: &Request<'_>) -> OpResult {
    let keys = NodeKeys::new(x25519_sk(req, "node_x25519_sk")?);
    let body = req.hex("body")?;
    let opened = keys.open(&body).map_err(layer_error)?;
    Ok(Output::new()
        .hex("payload", opened.payload())
        .hex("ephemeral_key", opened.ephemeral_key())
        .string("enc_type", opened.enc_type().as_str()))
}

fn peel(req: &Request<'_>) -> OpResult {
    let keys = NodeKeys::new(x25519_sk(req, "node_x25519_sk")?);
    let body = req.hex("body")?;
    let opened = keys.open(&body).map_err(layer_error)?;
    let frame =
        LayerFrame::parse(opened.payload()).map_err(|e| layer_error(LayerError::from(e)))?;
    let next: Map<String, Value> = match serde_json::from_str(frame.json_text()) {
        Ok(Value::Object(map)) => map,
        _ => return Err(OpError::crypto("layer JSON is not an object")),
    };
    Ok(Output::new()
        .hex("inner", frame.data())
        .value("next", Value::Object(next))
        .hex("ephemeral_key", opened.ephemeral_key())
        .string("enc_type", opened.enc_type().as_str()))
}

fn decode_response(req: &Request<'_>) -> OpResult {
    let server = match req.str("kind")? {
        "snode" => false,
        "server" => true,
        other => {
            return Err(OpError::bad_request(format!(
                "field `kind` must be snode or server, got {other:?}"
            )))
        }
    };
    let enc = enc_type(req)?;
    let destination = x25519_pk(req, "destination_x25519_pk")?;
    let final_secret = x25519_sk(req, "final_x25519_sk")?;
    let response = req.hex("response")?;
    let context = ResponseContext::new(enc, destination, final_secret);
    let (status, body) = if server {
        let decoded = context.decode_server_response(&response).map_err(crypto)?;
        (decoded.status, decoded.body)
    } else {
        let decoded = context
            .decode_service_node_response(&response)
            .map_err(crypto)?;
        (decoded.status, Some(decoded.body))
    };
    let body = match body {
        Some(body) => Value::String(hex::encode(body)),
        None => Value::Null,
    };
    Ok(Output::new()
        .value("status", Value::from(status))
        .value("body", body))
}

fn v4_payload(req: &Request<'_>) -> OpResult {
    let mut request = V4Request::new(req.str("method")?, req.str("endpoint")?);
    if req.get("headers").is_some() {
        for (name, value) in req.object("headers")? {
            let Value::String(value) = value else {
                return Err(OpError::bad_request(format!(
                    "header `{name}` must be a string"
                )));
            };
            request = request.header(name.clone(), value.clone());
        }
    }
    if let Some(body) = req.opt_hex("body")? {
        request = request.body(body);
    }
    Ok(Output::new().hex("payload", request.encode()))
}
