//! The precedence matrix (tests/precedence.json, shared with the Python and
//! Node suites) through `resolve` and through `authenticate`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(
    clippy::std_instead_of_core,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

mod common;

use gatekey::{resolve, BasicCredentials, Conflict, Policy, Request, Resolution};
use serde_json::Value;

fn policy(preset: &str, options: Option<&Value>) -> Policy {
    let mut p = match preset {
        "header_first" => Policy::header_first(),
        "cookie_first" => Policy::cookie_first(),
        "strict" => Policy::strict(),
        "agree" => Policy::header_first().with_conflict(Conflict::Agree),
        other => panic!("unknown preset {other}"),
    };
    if let Some(o) = options {
        if let Some(h) = o.get("proxy_header").and_then(Value::as_str) {
            p = p.with_proxy_header(h.as_bytes()).unwrap();
        }
        if let Some(b) = o.get("basic").and_then(Value::as_array) {
            let (u, pw) = (b[0].as_str().unwrap(), b[1].as_str().unwrap());
            p = p.with_basic(BasicCredentials::new(u.as_bytes(), pw.as_bytes()).unwrap());
        }
        if o.get("query").and_then(Value::as_bool) == Some(true) {
            p = p.with_query(true);
        }
    }
    p
}

fn fill(s: &str, a: &str, b: &str) -> String {
    s.replace("{A}", a).replace("{B}", b)
}

fn summary(r: &Resolution<'_>) -> Value {
    serde_json::json!({
        "source": r.winner.map(|w| w.source.name()),
        "shadowed": r.shadowed_sources().map(|s| s.name()).collect::<Vec<_>>(),
        "drift": r.drift,
        "skipped": r.skipped.iter().map(|(s, k)| [s.name(), k.name()]).collect::<Vec<_>>(),
    })
}

fn run_table(
    check: impl Fn(&str, &Value, &Value, Policy, &[(Vec<u8>, Vec<u8>)], Option<&str>, Option<&str>),
) {
    let doc: Value = serde_json::from_str(&common::shared_file("precedence.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        for (preset, expect) in case["expect"].as_object().unwrap() {
            let p = policy(preset, case.get("policy"));
            let name = format!("{} / {preset}", case["name"].as_str().unwrap());
            let headers: Vec<(Vec<u8>, Vec<u8>)> = case["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().as_bytes().to_vec(),
                        h[1].as_str().unwrap().as_bytes().to_vec(),
                    )
                })
                .collect();
            check(
                &name,
                case,
                expect,
                p,
                &headers,
                case.get("query").and_then(Value::as_str),
                case.get("token").and_then(Value::as_str),
            );
        }
    }
}

#[test]
fn precedence_matrix_through_resolve() {
    run_table(|name, _case, expect, policy, headers, query, token| {
        let (a, b) = ("aaa.aaa.aaa", "bbb.bbb.bbb");
        let filled: Vec<(Vec<u8>, Vec<u8>)> = headers
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    fill(std::str::from_utf8(v).unwrap(), a, b).into_bytes(),
                )
            })
            .collect();
        let query = query.map(|q| fill(q, a, b));
        let token = token.map(|t| fill(t, a, b));
        let mut request = Request::new(filled.iter().map(|(n, v)| (n.as_slice(), v.as_slice())));
        if let Some(q) = &query {
            request = request.with_query(q.as_bytes());
        }
        if let Some(t) = &token {
            request = request.with_token(t.as_bytes());
        }
        let got = resolve(&policy, request);
        match (&got, expect.get("error")) {
            (Ok(r), None) => assert_eq!(summary(r), *expect, "{name}"),
            (Err(e), Some(want)) => assert_eq!(e.name(), want.as_str().unwrap(), "{name}"),
            _ => panic!("{name}: got {got:?}, expected {expect}"),
        };
    });
}

#[test]
fn result_does_not_depend_on_unrelated_header_order() {
    let headers: [(&[u8], &[u8]); 5] = [
        (b"Host", b"gw"),
        (b"Authorization", b"Bearer aaa.aaa.aaa"),
        (b"Accept", b"*/*"),
        (b"Cookie", b"jwt_token=bbb.bbb.bbb"),
        (b"X-Other", b"1"),
    ];
    let want = resolve(&Policy::header_first(), Request::new(headers)).unwrap();
    let mut shuffled = headers;
    shuffled.reverse();
    assert_eq!(
        resolve(&Policy::header_first(), Request::new(shuffled)).unwrap(),
        want
    );
}

/// security-core.md #6: an Authorization field gatekey cannot read
/// (`Bearer<TAB>x`, another scheme) is still a credential to a layer that
/// splits on any whitespace, so a cookie winning beside it is drift under
/// `first`, a conflict under `agree`, and two methods under `single`.
#[test]
fn an_unusable_authorization_beside_another_credential_is_reported() {
    let headers: [(&[u8], &[u8]); 2] = [
        (b"Authorization", b"Bearer\taaa.aaa.aaa"),
        (b"Cookie", b"jwt_token=bbb.bbb.bbb"),
    ];
    let first = resolve(&Policy::header_first(), Request::new(headers)).unwrap();
    assert_eq!(first.winner.unwrap().value, b"bbb.bbb.bbb");
    assert!(first.drift);
    let agree = Policy::header_first().with_conflict(Conflict::Agree);
    assert_eq!(
        resolve(&agree, Request::new(headers)).err(),
        Some(gatekey::Error::ConflictingCredentials)
    );
    let single = Policy::header_first().with_conflict(Conflict::Single);
    assert_eq!(
        resolve(&single, Request::new(headers)).err(),
        Some(gatekey::Error::MultipleMethods)
    );
    // An empty Bearer is nobody's credential: no drift.
    let empty: [(&[u8], &[u8]); 2] = [(b"Authorization", b"Bearer "), headers[1]];
    assert!(
        !resolve(&Policy::header_first(), Request::new(empty))
            .unwrap()
            .drift
    );
}
