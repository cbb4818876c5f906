//! The shared validation matrix (tests/validation.json, run by the C,
//! Python and Node suites too) through the host Verifier: options checked
//! when it is built, verdicts, named claims, challenges and bodies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use gatekey::{Key, Policy, Request};
use gatekey_host::{with_buffer, HostKeySet, InPlace, Keys, OptionValue, Options, Verifier};
use serde_json::Value;

fn matrix() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/validation.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A JSON value as a binding would hand it over.
fn option_value(v: &Value) -> OptionValue {
    match v {
        Value::Null => OptionValue::Absent,
        Value::Bool(b) => OptionValue::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => OptionValue::Int(i.into()),
            None => OptionValue::Float(n.as_f64().unwrap()),
        },
        Value::String(s) => OptionValue::Str(s.clone()),
        Value::Array(a) => OptionValue::List(a.iter().map(option_value).collect()),
        Value::Object(o) => OptionValue::Map(
            o.iter()
                .map(|(k, v)| (k.clone(), option_value(v)))
                .collect(),
        ),
    }
}

fn build(doc: &Value, options: &Value) -> Result<Verifier, gatekey_host::ConfigError> {
    let options = Options::from_pairs(
        options
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), option_value(v))),
    )?;
    let mut keys = HostKeySet::new();
    let secret = doc["secret"].as_str().unwrap().as_bytes();
    let kid = doc["kid"].as_str().unwrap().as_bytes();
    keys.push(Key::hs256(secret, Some(kid)).unwrap()).unwrap();
    Verifier::new(Keys::One(Box::new(keys)), Policy::header_first(), options)
}

fn run(verifier: &Verifier, token: Option<&str>, now: i64) -> Value {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&[u8], &[u8])> = auth
        .iter()
        .map(|a| (&b"Authorization"[..], a.as_bytes()))
        .collect();
    with_buffer(
        |buf| match verifier.authenticate(Request::new(headers), now, buf, &InPlace) {
            Ok(Some(id)) => serde_json::json!({
                "subject": id.subject.map(|s| s.as_str().unwrap().to_owned()),
            }),
            Ok(None) => serde_json::json!({ "anonymous": true }),
            Err(failure) => {
                let refusal = verifier.refusal(&failure);
                serde_json::json!({
                    "error": failure.error.name(),
                    "claim": failure.claim,
                    "kid": failure.kid,
                    "issuer": failure.issuer,
                    "status": refusal.status,
                    "www_authenticate": refusal.www_authenticate,
                    "body": refusal.body,
                })
            }
        },
    )
}

#[test]
fn every_case_of_the_validation_matrix() {
    let doc = matrix();
    let top_now = doc["now"].as_i64().unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let expect = &case["expect"];
        let built = build(&doc, &case["options"]);
        if let Some(option) = expect.get("config_error") {
            let error = built.err().unwrap_or_else(|| panic!("{name}: built"));
            assert_eq!(error.option, option.as_str().unwrap(), "{name}: {error}");
            assert_eq!(
                error.error.name(),
                expect["error"].as_str().unwrap(),
                "{name}"
            );
            assert!(error.to_string().contains(error.option), "{name}: {error}");
            continue;
        }
        let verifier = built.unwrap_or_else(|e| panic!("{name}: {e}"));
        let token = case["token"]
            .as_str()
            .map(|t| doc["tokens"][t].as_str().unwrap());
        if case.get("warm").and_then(Value::as_bool) == Some(true) {
            run(&verifier, token, top_now);
            assert_eq!(verifier.cache_info().misses, 1, "{name}: warmed");
        }
        let now = case.get("now").and_then(Value::as_i64).unwrap_or(top_now);
        let got = run(&verifier, token, now);
        assert_eq!(&got, expect, "{name}");
    }
}
