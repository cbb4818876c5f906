//! The precedence matrix (tests/precedence.json, shared with the core's
//! `resolve` test and the C, Python and Node suites) through the host
//! Verifier's `authenticate`, with real signed tokens: the winner, what it
//! shadowed, drift, skipped sources, and whose identity came out.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::{BasicCredentials, Conflict, Key, Policy, Request};
use gatekey_host::{with_buffer, HostKeySet, InPlace, Keys, OptionValue, Options, Verifier};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const NOW: i64 = 1_750_000_000;
const SECRET: &[u8] = b"precedence-matrix-secret-0123456789abcdef";

fn token(sub: &str) -> String {
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256"}"#);
    let claims = format!(r#"{{"sub":"{sub}","aud":"mcp","exp":{}}}"#, NOW + 600);
    let input = format!(
        "{header}.{}",
        Base64UrlUnpadded::encode_string(claims.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    let sig = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    format!("{input}.{sig}")
}

fn policy(preset: &str, options: Option<&Value>) -> Policy {
    let mut p = match preset {
        "header_first" => Policy::header_first(),
        "cookie_first" => Policy::cookie_first(),
        "strict" => return Policy::strict(),
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

#[test]
fn precedence_matrix_through_authenticate() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/precedence.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (a, b) = (token("alice"), token("bob"));
    let fill = |s: &str| s.replace("{A}", &a).replace("{B}", &b);
    let mut keys = HostKeySet::new();
    keys.push(Key::hs256(SECRET, None).unwrap()).unwrap();
    let mut rows = 0;
    for case in doc["cases"].as_array().unwrap() {
        for (preset, expect) in case["expect"].as_object().unwrap() {
            let name = format!("{} / {preset}", case["name"].as_str().unwrap());
            let options = Options::from_pairs([("audience", OptionValue::Str("mcp".into()))]);
            let verifier = Verifier::new(
                Keys::One(Box::new(keys.clone())),
                policy(preset, case.get("policy")),
                options.unwrap(),
            )
            .unwrap();
            let headers: Vec<(String, String)> = case["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_owned(),
                        fill(h[1].as_str().unwrap()),
                    )
                })
                .collect();
            let query = case.get("query").and_then(Value::as_str).map(fill);
            let explicit = case.get("token").and_then(Value::as_str).map(fill);
            with_buffer(|buf| {
                let mut request =
                    Request::new(headers.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())));
                if let Some(q) = &query {
                    request = request.with_query(q.as_bytes());
                }
                if let Some(t) = &explicit {
                    request = request.with_token(t.as_bytes());
                }
                let got = verifier.authenticate(request, NOW, buf, &InPlace);
                match (got, expect.get("error")) {
                    (Ok(Some(id)), None) => {
                        let r = &id.resolution;
                        let summary = serde_json::json!({
                            "source": id.source.name(),
                            "shadowed": r.shadowed_sources().map(|s| s.name()).collect::<Vec<_>>(),
                            "drift": r.drift,
                            "skipped": r.skipped.iter().map(|(s, k)| [s.name(), k.name()]).collect::<Vec<_>>(),
                        });
                        assert_eq!(summary, *expect, "{name}");
                        // Whose identity: the winning credential's.
                        let subject = id.subject.unwrap().as_str().unwrap().to_owned();
                        if id.credential == a.as_bytes() {
                            assert_eq!(subject, "alice", "{name}");
                        } else if id.credential == b.as_bytes() {
                            assert_eq!(subject, "bob", "{name}");
                        } else {
                            assert!(matches!(id.source.name(), "basic" | "proxy"), "{name}");
                        }
                    }
                    (Err(f), Some(want)) => {
                        assert_eq!(f.error.name(), want.as_str().unwrap(), "{name}");
                    }
                    // No winner: resolve reports the skipped sources,
                    // authenticate refuses the request as carrying none.
                    (Err(f), None) if expect["source"].is_null() => {
                        assert_eq!(f.error.name(), "missing_credential", "{name}");
                    }
                    (got, _) => panic!("{name}: got {got:?}, expected {expect}"),
                }
            });
            rows += 1;
        }
    }
    assert!(rows >= 90, "{rows} rows");
}
