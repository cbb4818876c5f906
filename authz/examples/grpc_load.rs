//! Closed-loop load on gatekey-authz's gRPC `Authorization/Check`: one
//! HTTP/2 connection per worker, each worker a loop of Checks carrying the
//! same bearer token, for a fixed time; prints decisions per second and the
//! share that were allowed. Used by `authz/bench/bench.sh` (`make
//! bench-authz`); no gRPC load tool ships with Debian.
//!
//! `grpc_load ADDR TOKEN SECONDS WORKERS IN_FLIGHT`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::cast_precision_loss,
    clippy::std_instead_of_core,
    missing_docs
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use envoy_types::ext_authz::v3::pb::CheckRequest;
use envoy_types::pb::envoy::service::auth::v3::attribute_context::{HttpRequest, Request};
use envoy_types::pb::envoy::service::auth::v3::authorization_client::AuthorizationClient;
use envoy_types::pb::envoy::service::auth::v3::AttributeContext;

fn check_request(token: &str) -> CheckRequest {
    let mut http = HttpRequest {
        method: "GET".into(),
        path: "/mcp".into(),
        ..Default::default()
    };
    http.headers
        .insert("authorization".into(), format!("Bearer {token}"));
    CheckRequest {
        attributes: Some(AttributeContext {
            request: Some(Request {
                http: Some(http),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, token, secs, workers, in_flight] = args.as_slice() else {
        panic!("usage: grpc_load ADDR TOKEN SECONDS WORKERS IN_FLIGHT");
    };
    let secs: u64 = secs.parse().expect("SECONDS");
    let workers: usize = workers.parse().expect("WORKERS");
    let in_flight: usize = in_flight.parse().expect("IN_FLIGHT");
    let request = check_request(token);
    let (done, allowed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let client = AuthorizationClient::connect(format!("http://{addr}"))
            .await
            .expect("connect");
        // Several requests in flight on each connection (HTTP/2 streams).
        for _ in 0..in_flight {
            let (mut client, request) = (client.clone(), request.clone());
            let (done, allowed) = (done.clone(), allowed.clone());
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let answer = client.check(request.clone()).await.expect("check");
                    if answer.into_inner().status.is_some_and(|s| s.code == 0) {
                        allowed.fetch_add(1, Ordering::Relaxed);
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
    }
    let started = Instant::now();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (done, allowed) = (
        done.load(Ordering::Relaxed),
        allowed.load(Ordering::Relaxed),
    );
    println!(
        "grpc: {done} checks in {elapsed:.1} s = {:.0} decisions/s ({allowed} allowed)",
        done as f64 / elapsed
    );
    assert_eq!(done, allowed, "a check of the valid token was refused");
}
