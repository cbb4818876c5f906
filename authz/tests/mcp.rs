//! tests/mcp.json at the proxy: gatekey-authz over HTTP forward auth
//! decides each call's scopes from `Mcp-Method` and `Mcp-Name`, as the
//! application's verifier does. The body check stays with the server: a
//! row whose body lies (`body_only`) passes here and is refused there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::std_instead_of_core,
    missing_docs
)]

mod common;

use common::{request, sign, start};
use serde_json::{json, Value};

fn matrix() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/mcp.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The matrix's options as the `[options]` table of a configuration file.
fn config(doc: &Value) -> String {
    let mut options = String::new();
    for (name, value) in doc["options"].as_object().unwrap() {
        options.push_str(&format!("{name} = {value}\n"));
    }
    format!(
        "[listen]\nhttp = \"127.0.0.1:0\"\ngrpc = \"127.0.0.1:0\"\nops = \"127.0.0.1:0\"\n\
         [policy]\npreset = \"header_first\"\n\
         [keys]\nhs256_secret = {}\n\
         [options]\n{options}",
        doc["secret"]
    )
}

#[test]
fn every_row_decides_at_the_proxy_as_in_the_application() {
    let doc = matrix();
    let server = start(&config(&doc));
    let secret = doc["secret"].as_str().unwrap();
    let mut checked = 0;
    for row in doc["rows"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let mut claims = json!({"sub": "alice", "exp": gatekey::now_unix() + 600});
        for (k, v) in row["claims"].as_object().unwrap() {
            claims[k] = v.clone();
        }
        let mut headers = vec![(
            "authorization".to_owned(),
            format!("Bearer {}", sign(&claims.to_string(), secret)),
        )];
        for (field, value) in row["headers"].as_object().unwrap() {
            let values = value
                .as_array()
                .cloned()
                .unwrap_or_else(|| vec![value.clone()]);
            for v in values {
                headers.push((field.clone(), v.as_str().unwrap().to_owned()));
            }
        }
        let answer = request(server.http, "/mcp", &headers);
        let body_only = row["body_only"].as_bool() == Some(true);
        let want = if body_only {
            200
        } else {
            row["expect"].as_u64().unwrap()
        };
        assert_eq!(u64::from(answer.status), want, "{name}: {}", answer.body);
        if !body_only {
            assert_eq!(
                answer.header("x-gatekey-reason"),
                row["reason"].as_str(),
                "{name}"
            );
            let scope = answer.header("www-authenticate").and_then(|c| {
                let at = c.find("scope=\"")? + 7;
                Some(c[at..].split('"').next()?.to_owned())
            });
            assert_eq!(scope.as_deref(), row["scope"].as_str(), "{name}");
        }
        checked += 1;
    }
    assert!(checked >= 10);
}
