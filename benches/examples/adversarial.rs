//! The adversarial corpus of issue 17: inputs built to make gatekey work
//! hard before (or instead of) a signature check, each timed through
//! `authenticate` against a valid HS256 request in the same run. Prints
//! the ratios and exits non-zero when one exceeds `--max` (default 20).
//!
//! `make bench-adversarial` runs it (release build); timing belongs in a
//! benchmark, never in a unit test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::print_stdout,
    clippy::std_instead_of_core,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

use gatekey::{
    authenticate, authenticate_with, Issuer, Issuers, Key, KeySet, Policy, Request, Validation,
};
use gatekey_benches::{b64, claims, hs256_token, request, sign_hs256, NOW, SECRET};

/// Nanoseconds per call of `f`: the median of 15 batches.
fn time(mut f: impl FnMut()) -> f64 {
    let mut batch = 1u32;
    loop {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        if t.elapsed().as_micros() > 2000 {
            break;
        }
        batch *= 2;
    }
    let mut runs: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(batch)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

fn unsigned(header: &str, payload: &str) -> String {
    format!(
        "{}.{}.{}",
        b64(header.as_bytes()),
        b64(payload.as_bytes()),
        b64(&[0u8; 32])
    )
}

/// One input: its name, its header fields, its query string.
type Case = (&'static str, Vec<(String, String)>, Option<String>);

fn with_auth(token: &str) -> Vec<(String, String)> {
    request(token)
}

fn main() {
    let max: f64 = std::env::args()
        .skip_while(|a| a != "--max")
        .nth(1)
        .map_or(20.0, |v| v.parse().unwrap());
    let mut keys = KeySet::<4>::new();
    keys.push(Key::hs256(SECRET, Some(b"gw")).unwrap()).unwrap();
    let validation = Validation::new()
        .require_nothing()
        .with_audience("mcp-server")
        .unwrap();
    let policy = Policy::header_first().with_query(true);
    let mut buf = vec![0u8; gatekey::buffer_len(gatekey::MAX_FIELD_LEN)];

    let mut corpus: Vec<Case> = Vec::new();
    let valid = with_auth(&hs256_token());
    corpus.push(("valid HS256 request (baseline)", valid.clone(), None));
    // The JOSE header at its limits: 16 members whose names share a
    // filter bit pattern, 2 KiB of escapes, 15 levels of nesting.
    let members: Vec<String> = (0..15).map(|i| format!("\"a{i:0>3}\":0")).collect();
    let h = format!("{{\"alg\":\"HS256\",{}}}", members.join(","));
    corpus.push((
        "header of 16 members",
        with_auth(&unsigned(&h, &claims())),
        None,
    ));
    let h = format!("{{\"alg\":\"HS256\",\"x\":\"{}\"}}", "\\u0041".repeat(330));
    corpus.push((
        "header of 2 KiB of escapes",
        with_auth(&unsigned(&h, &claims())),
        None,
    ));
    let h = format!(
        "{{\"alg\":\"HS256\",\"x\":{}1{}}}",
        "[".repeat(14),
        "]".repeat(14)
    );
    corpus.push((
        "header nested 15 deep",
        with_auth(&unsigned(&h, &claims())),
        None,
    ));
    let h = format!("{{\"alg\":\"HS256\",\"x\":\"{}\"}}", "a".repeat(5000));
    corpus.push((
        "header past its limit (5 KB)",
        with_auth(&unsigned(&h, &claims())),
        None,
    ));
    let members: Vec<String> = (0..300).map(|i| format!("\"m{i}\":0")).collect();
    let h = format!("{{\"alg\":\"HS256\",{}}}", members.join(","));
    corpus.push((
        "header of 300 members",
        with_auth(&unsigned(&h, &claims())),
        None,
    ));
    // Maximum-size fields.
    let payload = format!("{{\"p\":\"{}\"}}", "x".repeat(11_500));
    let t = sign_hs256(r#"{"alg":"HS256","kid":"gw"}"#, &payload);
    let forged = format!(
        "{}{}",
        &t[..t.len() - 2],
        if t.ends_with("AA") { "BB" } else { "AA" }
    );
    corpus.push(("16 KiB token, bad signature", with_auth(&forged), None));
    corpus.push((
        "16 KiB of b64token junk",
        with_auth(&"a".repeat(16_000)),
        None,
    ));
    corpus.push(("a 1 MiB field", with_auth(&"a".repeat(1 << 20)), None));
    // Many cookies, many headers, many cookie fields.
    let mut r = valid.clone();
    let jar: Vec<String> = (0..1600).map(|i| format!("c{i}=v")).collect();
    r.push(("cookie".into(), jar.join("; ")));
    corpus.push(("1,600 cookies in one field", r, None));
    let mut r = valid.clone();
    for i in 0..200 {
        r.push(("cookie".into(), format!("k{i}=v{i}; jwt_tokex=1")));
    }
    corpus.push(("200 Cookie fields", r, None));
    let mut r = valid.clone();
    for i in 0..1000 {
        r.push((format!("x-junk-{i}"), "v".repeat(16)));
    }
    corpus.push(("1,000 header fields", r, None));
    let q: Vec<String> = (0..1000).map(|i| format!("p{i}=v")).collect();
    corpus.push((
        "a query of 1,000 parameters",
        valid.clone(),
        Some(q.join("&")),
    ));

    let mut results = Vec::new();
    for (name, fields, query) in &corpus {
        let pairs: Vec<(&[u8], &[u8])> = fields
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect();
        let ns = time(|| {
            let mut req = Request::new(pairs.iter().copied());
            if let Some(q) = query {
                req = req.with_query(q.as_bytes());
            }
            let _ = black_box(authenticate(
                req,
                &policy,
                keys.keys(),
                &validation,
                NOW,
                &mut buf,
            ));
        });
        results.push((name.to_string(), ns));
    }
    // Several issuers read `iss` before the signature: a payload of 255
    // distinct members (the most an object may have) fills the duplicate
    // filter and reaches the exact check.
    let mut issuers = Box::new(Issuers::<2, 4>::new());
    issuers
        .push(Issuer::new("https://idp.example", keys.clone(), validation.clone()).unwrap())
        .unwrap();
    let members: Vec<String> = (0..254).map(|i| format!("\"m{i}\":0")).collect();
    let payload = format!("{{\"iss\":\"https://idp.example\",{}}}", members.join(","));
    let wide = unsigned(r#"{"alg":"HS256","kid":"gw"}"#, &payload);
    let fields = with_auth(&wide);
    let pairs: Vec<(&[u8], &[u8])> = fields
        .iter()
        .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
        .collect();
    let ns = time(|| {
        let _ = black_box(authenticate_with(
            Request::new(pairs.iter().copied()),
            &policy,
            &mut buf,
            |token, buf| issuers.verify(token, NOW, buf),
        ));
    });
    results.push(("several issuers: payload of 255 members".into(), ns));

    let base = results[0].1;
    let mut worst = 0f64;
    println!("{:<44} {:>10} {:>8}", "input", "ns/call", "ratio");
    for (name, ns) in &results {
        let ratio = ns / base;
        worst = worst.max(ratio);
        println!("{name:<44} {ns:>10.0} {ratio:>7.1}x");
    }
    println!("worst: {worst:.1}x the valid HS256 request (limit {max}x)");
    if worst > max {
        std::process::exit(1);
    }
}
