//! Forward auth over HTTP (nginx `auth_request`, Envoy's HTTP ext_authz,
//! Traefik `ForwardAuth`, Caddy `forward_auth`): every request to this
//! listener is a check of the request it describes, and is answered 200
//! with identity headers or with the host's refusal. The ops endpoints
//! live on their own listener so that no original path can reach them.

use core::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{Request, Response, StatusCode};

use crate::gate::{Decision, Gate};

/// Envoy removes these from the upstream request on an allowed check
/// (its HTTP ext_authz has no other way to drop a header).
const ENVOY_REMOVE: &str = "x-envoy-auth-headers-to-remove";

fn respond(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(body.into()));
    *res.status_mut() = status;
    res
}

fn set(res: &mut Response<Full<Bytes>>, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        res.headers_mut().append(n, v);
    }
}

/// The answer to one check.
#[must_use]
pub fn answer(decision: Decision, reason_header: &str) -> Response<Full<Bytes>> {
    match decision {
        Decision::Allow { headers, remove } => {
            let mut res = respond(StatusCode::OK, Bytes::new());
            for (name, value) in &headers {
                set(&mut res, name, value);
            }
            if !remove.is_empty() {
                set(&mut res, ENVOY_REMOVE, &remove.join(","));
            }
            res
        }
        Decision::Deny { refusal, reason } => {
            let status =
                StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut res = respond(status, refusal.body);
            res.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            if let Some(challenge) = &refusal.www_authenticate {
                if let Ok(v) = HeaderValue::from_str(challenge) {
                    res.headers_mut().insert(WWW_AUTHENTICATE, v);
                }
            }
            set(&mut res, reason_header, reason);
            res
        }
    }
}

/// Handles one forward-auth check.
///
/// # Errors
/// Never: every outcome is a response.
pub async fn check(
    gate: Arc<Gate>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let target = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .as_bytes();
    let fields = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().as_bytes(), v.as_bytes()));
    let decision = gate.decide(target, fields, gatekey::now_unix());
    Ok(answer(decision, &gate.identity().reason))
}

/// Handles one ops request: `/healthz`, `/readyz`, `/metrics`.
///
/// # Errors
/// Never.
pub async fn ops(
    gate: Arc<Gate>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(match req.uri().path() {
        "/healthz" => respond(StatusCode::OK, "ok\n"),
        "/readyz" => {
            if gate.refresher().status().keys() > 0 {
                respond(StatusCode::OK, "ready\n")
            } else {
                respond(StatusCode::SERVICE_UNAVAILABLE, "no keys\n")
            }
        }
        "/metrics" => {
            let mut res = respond(StatusCode::OK, crate::metrics::render(&gate));
            res.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            res
        }
        _ => respond(StatusCode::NOT_FOUND, "not found\n"),
    })
}
