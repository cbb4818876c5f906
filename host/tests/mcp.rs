//! The shared MCP matrix (tests/mcp.json, run by the Python suite through
//! a real MCP server too) through the host Verifier: the scope decision
//! from `Mcp-Method` / `Mcp-Name`, the header-versus-body check, the
//! canonical audience and the ID-token refusal, with their refusals.
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

use gatekey::{Key, Policy, Request};
use gatekey_host::{mcp, with_buffer, HostKeySet, InPlace, Keys, OptionValue, Options, Verifier};
use serde_json::{json, Value};

fn matrix() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/mcp.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn option_value(v: &Value) -> OptionValue {
    match v {
        Value::String(s) => OptionValue::Str(s.clone()),
        Value::Array(a) => OptionValue::List(a.iter().map(option_value).collect()),
        Value::Bool(b) => OptionValue::Bool(*b),
        other => panic!("no such option value in the matrix: {other}"),
    }
}

fn verifier(doc: &Value) -> Verifier {
    let options = Options::from_pairs(
        doc["options"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), option_value(v))),
    )
    .unwrap();
    let mut keys = HostKeySet::new();
    let secret = doc["secret"].as_str().unwrap().as_bytes();
    keys.push(Key::hs256(secret, None).unwrap()).unwrap();
    Verifier::new(Keys::One(Box::new(keys)), Policy::header_first(), options).unwrap()
}

fn token(doc: &Value, row: &Value) -> String {
    let mut claims = json!({"sub": "alice", "exp": common::now() + 600});
    for (k, v) in row["claims"].as_object().unwrap() {
        claims[k] = v.clone();
    }
    let secret = doc["secret"].as_str().unwrap().as_bytes();
    common::sign_hs256(r#"{"alg":"HS256"}"#, &claims.to_string(), secret)
}

/// The header fields of `row`, a list value giving the field twice.
fn fields(row: &Value, auth: &str) -> Vec<(String, String)> {
    let mut fields = vec![("authorization".to_owned(), auth.to_owned())];
    for (name, value) in row["headers"].as_object().unwrap() {
        match value {
            Value::Array(values) => {
                for v in values {
                    fields.push((name.clone(), v.as_str().unwrap().to_owned()));
                }
            }
            v => fields.push((name.clone(), v.as_str().unwrap().to_owned())),
        }
    }
    fields
}

/// `(status, reason, challenge scope)` of one row: the verifier's
/// decision, then the body check.
fn decide(v: &Verifier, doc: &Value, row: &Value) -> (u16, Option<String>, Option<String>) {
    let auth = format!("Bearer {}", token(doc, row));
    let owned = fields(row, &auth);
    let views: Vec<(&[u8], &[u8])> = owned
        .iter()
        .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
        .collect();
    let decided = with_buffer(|buf| {
        v.authenticate(
            Request::new(views.iter().copied()),
            common::now(),
            buf,
            &InPlace,
        )
        .map(|_| ())
    });
    let body = &row["body"];
    let method = body["method"].as_str().unwrap();
    let name = body["name"].as_str();
    let checked = decided.and_then(|()| {
        mcp::check_body(
            views.iter().copied(),
            method.as_bytes(),
            name.map(str::as_bytes),
        )
    });
    match checked {
        Ok(()) => (200, None, None),
        Err(failure) => {
            let refusal = v.refusal(&failure);
            let scope = refusal.www_authenticate.as_deref().and_then(|c| {
                let at = c.find("scope=\"")? + 7;
                Some(c[at..].split('"').next()?.to_owned())
            });
            if failure.error == gatekey::Error::HeaderMismatch {
                let body: Value = serde_json::from_str(&refusal.body).unwrap();
                assert_eq!(body["error"]["code"], -32020, "{}", refusal.body);
                assert_eq!(refusal.www_authenticate, None);
            }
            (refusal.status, Some(failure.error.name().to_owned()), scope)
        }
    }
}

#[test]
fn every_row_of_the_mcp_matrix() {
    let doc = matrix();
    let v = verifier(&doc);
    let rows = doc["rows"].as_array().unwrap();
    assert!(rows.len() >= 10);
    for row in rows {
        let name = row["name"].as_str().unwrap();
        let (status, reason, scope) = decide(&v, &doc, row);
        assert_eq!(
            u64::from(status),
            row["expect"].as_u64().unwrap(),
            "{name}: {reason:?}"
        );
        assert_eq!(reason.as_deref(), row["reason"].as_str(), "{name}");
        assert_eq!(scope.as_deref(), row["scope"].as_str(), "{name}");
    }
}

#[test]
fn scope_rules_and_resource_are_checked_when_built() {
    let bad = |name: &str, value: OptionValue| Options::from_pairs([(name, value)]).unwrap_err();
    let e = bad(
        "scope_rules",
        OptionValue::Str("* : mcp\ntools/list weather : x".into()),
    );
    assert_eq!(
        (e.option, e.error),
        ("scope_rules", gatekey::Error::InvalidConfig)
    );
    assert!(e.expected.contains("line 2"), "{e}");
    assert!(e.value.contains("tools/list weather"), "{e}");
    let many = OptionValue::List(vec![OptionValue::Str("* : a".into()); 65]);
    assert_eq!(
        bad("scopePolicy", many).error,
        gatekey::Error::ConfigListFull
    );
    for uri in [
        "mcp.example.com",
        "https://",
        "https://a/#frag",
        "ftp://a/b",
        "https://a b/",
    ] {
        let e = bad("resource", OptionValue::Str(uri.into()));
        assert_eq!(e.option, "resource", "{uri}");
    }
    assert_eq!(
        bad("refuse_id_tokens", OptionValue::Int(1)).option,
        "refuse_id_tokens"
    );
    let o = Options::from_pairs([("resource", OptionValue::Str("https://a.example/mcp".into()))])
        .unwrap();
    assert!(o.refuses_id_tokens(), "on by default with a resource");
    assert!(!Options::default().refuses_id_tokens());
    let off = Options::from_pairs([
        ("resource", OptionValue::Str("https://a.example/mcp".into())),
        ("refuseIdTokens", OptionValue::Bool(false)),
    ])
    .unwrap();
    assert!(!off.refuses_id_tokens());
}

#[test]
fn the_metadata_scopes_are_those_the_rules_name() {
    let v = verifier(&matrix());
    assert_eq!(
        v.scopes_named(),
        ["mcp", "weather:read", "admin", "private"]
    );
}

#[test]
fn an_anonymous_call_that_needs_scopes_is_asked_for_a_credential() {
    let doc = matrix();
    let options = Options::from_pairs([
        (
            "scope_rules",
            OptionValue::Str("tools/call delete_all : admin".into()),
        ),
        ("required", OptionValue::Bool(false)),
    ])
    .unwrap();
    let mut keys = HostKeySet::new();
    keys.push(Key::hs256(doc["secret"].as_str().unwrap().as_bytes(), None).unwrap())
        .unwrap();
    let v = Verifier::new(Keys::One(Box::new(keys)), Policy::header_first(), options).unwrap();
    let ask = |name: &str| {
        let headers = [
            (&b"mcp-method"[..], &b"tools/call"[..]),
            (&b"mcp-name"[..], name.as_bytes()),
        ];
        with_buffer(|buf| {
            v.authenticate(Request::new(headers), common::now(), buf, &InPlace)
                .map(|id| id.is_none())
        })
    };
    assert_eq!(
        ask("weather_now"),
        Ok(true),
        "a call that needs nothing stays anonymous"
    );
    let refused = ask("delete_all").unwrap_err();
    assert_eq!(refused.error, gatekey::Error::MissingCredential);
    assert_eq!(v.refusal(&refused).status, 401);
}

#[test]
fn a_route_s_scopes_follow_the_hierarchy_and_implications_decide_no_call() {
    let doc = matrix();
    let options = Options::from_pairs([(
        "scope_rules",
        OptionValue::List(vec![
            OptionValue::Str("admin > write".into()),
            OptionValue::Str("write > read".into()),
        ]),
    )])
    .unwrap();
    let secret = doc["secret"].as_str().unwrap().as_bytes();
    let mut keys = HostKeySet::new();
    keys.push(Key::hs256(secret, None).unwrap()).unwrap();
    let v = Verifier::new(Keys::One(Box::new(keys)), Policy::header_first(), options).unwrap();
    let decide = |scope: &str, needed: &[&str]| {
        let claims = json!({"sub": "alice", "exp": common::now() + 600, "scope": scope});
        let jwt = common::sign_hs256(r#"{"alg":"HS256"}"#, &claims.to_string(), secret);
        let auth = format!("Bearer {jwt}");
        let headers = [
            (&b"authorization"[..], auth.as_bytes()),
            (&b"mcp-method"[..], &b"tools/call"[..]),
            (&b"mcp-name"[..], &b"anything"[..]),
        ];
        let needed: Vec<String> = needed.iter().map(|s| (*s).to_owned()).collect();
        with_buffer(|buf| {
            let id = v
                .authenticate(Request::new(headers), common::now(), buf, &InPlace)
                .expect("implications alone decide no call")
                .expect("a bearer identity");
            v.require_scopes(Some(mcp::granted_to(&id)), &needed)
        })
    };
    assert_eq!(decide("admin", &["read", "write"]), Ok(()));
    let refused = decide("write", &["read", "admin", "read"]).unwrap_err();
    assert_eq!(refused.error, gatekey::Error::InsufficientScope);
    assert_eq!(refused.claim.as_deref(), Some("admin"));
    assert_eq!(refused.scope.as_deref(), Some("read admin"));
    assert_eq!(v.refusal(&refused).status, 403);
    let anonymous = v.require_scopes(None, &["read".to_owned()]).unwrap_err();
    assert_eq!(anonymous.error, gatekey::Error::MissingCredential);
    assert_eq!(v.require_scopes(None, &[]), Ok(()));
}
