//! `gatekey-authz`: gatekey at the proxy. One stateless server that
//! answers the external-authorization protocols of the proxies a gateway
//! already runs, deciding with the same `gatekey_host::Verifier`, policy
//! and refusal as the application behind them:
//!
//! - **HTTP forward auth** ([`http`]): nginx `auth_request`, Envoy's HTTP
//!   `ext_authz`, Traefik `ForwardAuth`, Caddy `forward_auth`. The check's
//!   request target and header fields are the original request's (or the
//!   target is in a configured header such as `X-Original-URI`); the answer
//!   is 200 with identity headers, or the host's refusal verbatim
//!   (400/401/403, `WWW-Authenticate`, the JSON body).
//! - **Envoy gRPC** ([`grpc`]): `envoy.service.auth.v3.Authorization/Check`.
//! - **Ops**: `/healthz`, `/readyz`, `/metrics` on their own listener.
//!
//! The configuration is one TOML file ([`config`]); see `README.md` and
//! `gatekey-authz.example.toml`.

use core::future::Future;
use core::net::SocketAddr;
use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub mod config;
pub mod gate;
pub mod grpc;
pub mod http;
pub mod metrics;

pub use config::{Config, ConfigError};
pub use gate::{Decision, Gate};

/// The bound listeners of a server.
#[derive(Debug)]
pub struct Listeners {
    /// Forward auth.
    pub http: Option<TcpListener>,
    /// Envoy gRPC.
    pub grpc: Option<TcpListener>,
    /// Ops endpoints.
    pub ops: Option<TcpListener>,
}

impl Listeners {
    /// Binds the configured addresses.
    ///
    /// # Errors
    /// The address that could not be bound, and why.
    pub async fn bind(config: &config::Listen) -> Result<Self, String> {
        async fn one(addr: Option<SocketAddr>, what: &str) -> Result<Option<TcpListener>, String> {
            match addr {
                None => Ok(None),
                Some(a) => TcpListener::bind(a)
                    .await
                    .map(Some)
                    .map_err(|e| format!("listen.{what} {a}: {e}")),
            }
        }
        Ok(Listeners {
            http: one(config.http, "http").await?,
            grpc: one(config.grpc, "grpc").await?,
            ops: one(config.ops, "ops").await?,
        })
    }
}

/// One JSON line on stderr per refusal: status, reason and path (never
/// the query, which may hold a token, nor any header value).
pub fn log_refusal(target: &[u8], refusal: &gatekey_host::Refusal, reason: &str) {
    let path = target.split(|&b| b == b'?').next().unwrap_or_default();
    let path: String = path
        .iter()
        .take(256)
        .map(|&b| {
            if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect();
    eprintln!(
        r#"{{"event":"refused","status":{},"reason":"{reason}","path":"{path}"}}"#,
        refusal.status
    );
}

type Handler = fn(
    Arc<Gate>,
    hyper::Request<hyper::body::Incoming>,
) -> core::pin::Pin<
    Box<
        dyn Future<
                Output = Result<
                    hyper::Response<http_body_util::Full<bytes::Bytes>>,
                    core::convert::Infallible,
                >,
            > + Send,
    >,
>;

/// Until the stop flag is set (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn serve_http(
    gate: Arc<Gate>,
    listener: TcpListener,
    handler: Handler,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let gate = Arc::clone(&gate);
                let mut stop = stop.clone();
                conns.spawn(async move {
                    let service = service_fn(move |req| handler(Arc::clone(&gate), req));
                    let builder = auto::Builder::new(TokioExecutor::new());
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        () = stopped(&mut stop) => {
                            // Finish the requests in flight, then close.
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            () = stopped(&mut stop) => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    while conns.join_next().await.is_some() {}
}

/// Serves every bound listener until `shutdown` completes, then stops
/// accepting and lets the requests in flight finish.
pub async fn serve(gate: Arc<Gate>, listeners: Listeners, shutdown: impl Future<Output = ()>) {
    let (tx, rx) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    if let Some(l) = listeners.http {
        tasks.spawn(serve_http(
            Arc::clone(&gate),
            l,
            |g, r| Box::pin(http::check(g, r)),
            rx.clone(),
        ));
    }
    if let Some(l) = listeners.ops {
        tasks.spawn(serve_http(
            Arc::clone(&gate),
            l,
            |g, r| Box::pin(http::ops(g, r)),
            rx.clone(),
        ));
    }
    if let Some(l) = listeners.grpc {
        let service = envoy_types::ext_authz::v3::pb::AuthorizationServer::new(grpc::Service(
            Arc::clone(&gate),
        ));
        let mut stop = rx.clone();
        tasks.spawn(async move {
            // tonic ignores its own `tcp_nodelay` for a caller's stream of
            // connections: set it on each, or Nagle holds back answers.
            let incoming = tokio_stream::StreamExt::map(
                tokio_stream::wrappers::TcpListenerStream::new(l),
                |accepted| {
                    if let Ok(stream) = &accepted {
                        let _ = stream.set_nodelay(true);
                    }
                    accepted
                },
            );
            let _ = tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming_shutdown(incoming, async move { stopped(&mut stop).await })
                .await;
        });
    }
    shutdown.await;
    let _ = tx.send(true);
    while tasks.join_next().await.is_some() {}
}
