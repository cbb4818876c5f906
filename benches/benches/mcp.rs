//! MCP 2026-07-28's per-request decision: find `Mcp-Method` and
//! `Mcp-Name` among the shared request's 12 header fields and decide the
//! call under an 8-line scope policy (with implications) for the token's
//! scopes, and the header-versus-body check; next to the HS256
//! verification every request pays anyway, in the same run (issue 20's
//! bound: the decision within 300 ns).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::std_instead_of_core,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use gatekey::mcp::{check_body, ScopePolicy};
use gatekey::{verify, KeySet, DEFAULT_BUFFER};
use gatekey_benches::{hs256_token, keys, request, validation, NOW};

const POLICY: &[&str] = &[
    "* : tools:list",
    "tools/call * : tools:call",
    "tools/call weather_* : weather:read",
    "tools/call delete_all : admin",
    "resources/read file:///private/* : private",
    "prompts/get * : prompts",
    "admin > weather:read private",
    "tools:call > weather:read",
];

fn bench(c: &mut Criterion) {
    let keys: KeySet = keys();
    let validation = validation();
    let token = hs256_token();
    let mut fields = request(&token);
    fields.push(("mcp-method".into(), "tools/call".into()));
    fields.push(("mcp-name".into(), "weather_now".into()));
    let views: Vec<(&[u8], &[u8])> = fields
        .iter()
        .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
        .collect();
    let policy = ScopePolicy::new(POLICY).unwrap();
    let mut buf = [0u8; DEFAULT_BUFFER];
    let verified = verify(token.as_bytes(), keys.keys(), &validation, NOW, &mut buf).unwrap();
    let scopes = verified.claims.granted();
    let granted = |s: &[u8]| scopes.has(s);

    let mut group = c.benchmark_group("mcp");
    group.bench_function(
        "decide: headers of 14 fields + 8-rule policy, tools/call",
        |b| {
            b.iter(|| {
                let (method, name) =
                    gatekey_host::mcp::call_headers(black_box(&views).iter().copied()).unwrap();
                let decided = policy.check(method.unwrap_or_default(), name, &granted);
                assert!(decided.is_ok());
            });
        },
    );
    group.bench_function(
        "check_body: headers against the body's method and name",
        |b| {
            b.iter(|| {
                check_body(
                    black_box(Some(&b"tools/call"[..])),
                    black_box(Some(&b"weather_now"[..])),
                    black_box(b"tools/call"),
                    black_box(Some(&b"weather_now"[..])),
                )
                .unwrap();
            });
        },
    );
    let mut buf2 = [0u8; DEFAULT_BUFFER];
    group.bench_function("peer: HS256 verify of the same token", |b| {
        b.iter(|| {
            verify(
                black_box(token.as_bytes()),
                keys.keys(),
                &validation,
                NOW,
                &mut buf2,
            )
            .unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
