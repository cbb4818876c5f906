//! The host Verifier as every binding uses it: shared between threads,
//! 64 keys, tokens up to a full header field, keys replaced atomically,
//! one schema in either spelling, one refusal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::{Error, Key, Policy, Request, MAX_FIELD_LEN};
use gatekey_host::{
    with_buffer, Failure, HostKeySet, InPlace, Keys, OptionValue, Options, Refusal, Verifier, KEYS,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const NOW: i64 = 1_750_000_000;

fn secret(i: usize) -> Vec<u8> {
    format!("host-verifier-test-secret-{i:04}-0123456789abcdef").into_bytes()
}

fn token(secret: &[u8], kid: &str, payload: &str) -> String {
    let header =
        Base64UrlUnpadded::encode_string(format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#).as_bytes());
    let input = format!(
        "{header}.{}",
        Base64UrlUnpadded::encode_string(payload.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    let sig = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    format!("{input}.{sig}")
}

fn jwks(n: usize) -> String {
    let keys: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"kty":"oct","alg":"HS256","kid":"k{i}","k":"{}"}}"#,
                Base64UrlUnpadded::encode_string(&secret(i))
            )
        })
        .collect();
    format!(r#"{{"keys":[{}]}}"#, keys.join(","))
}

fn verifier(keys: HostKeySet, options: &[(&str, OptionValue)]) -> Verifier {
    let options = Options::from_pairs(options.iter().cloned()).unwrap();
    Verifier::new(Keys::One(Box::new(keys)), Policy::header_first(), options).unwrap()
}

fn subject(v: &Verifier, token: &str, now: i64) -> Result<String, Failure> {
    let auth = format!("Bearer {token}");
    let headers = [(&b"authorization"[..], auth.as_bytes())];
    with_buffer(|buf| {
        let id = v.authenticate(Request::new(headers), now, buf, &InPlace)?;
        Ok(id.unwrap().subject.unwrap().as_str().unwrap().to_owned())
    })
}

fn payload(sub: &str) -> String {
    format!(r#"{{"sub":"{sub}","exp":{}}}"#, NOW + 60)
}

#[test]
fn is_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Verifier>();
    let v = verifier(HostKeySet::from_jwks(jwks(2).as_bytes()).unwrap(), &[]);
    let t = token(&secret(1), "k1", &payload("alice"));
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(subject(&v, &t, NOW).unwrap(), "alice"));
        }
    });
}

#[test]
fn a_jwks_of_64_keys_loads_and_every_key_verifies() {
    assert_eq!(KEYS, 64);
    let keys = HostKeySet::from_jwks(jwks(64).as_bytes()).unwrap();
    assert_eq!(keys.len(), 64);
    let v = verifier(keys, &[]);
    for i in [0, 31, 63] {
        let t = token(&secret(i), &format!("k{i}"), &payload("alice"));
        assert_eq!(subject(&v, &t, NOW).unwrap(), "alice");
    }
    assert_eq!(
        HostKeySet::from_jwks(jwks(65).as_bytes()).err(),
        Some(Error::KeySetFull)
    );
}

#[test]
fn a_token_filling_a_header_field_verifies() {
    let mut keys = HostKeySet::new();
    keys.push(Key::hs256(&secret(0), Some(b"k0")).unwrap())
        .unwrap();
    let v = verifier(keys, &[]);
    // The longest payload whose Authorization field still fits.
    let mut pad = 11_000;
    let mut t = token(
        &secret(0),
        "k0",
        &format!(
            r#"{{"sub":"a","exp":{},"p":"{}"}}"#,
            NOW + 60,
            "x".repeat(pad)
        ),
    );
    while "Bearer ".len() + t.len() <= MAX_FIELD_LEN {
        pad += 1;
        let next = token(
            &secret(0),
            "k0",
            &format!(
                r#"{{"sub":"a","exp":{},"p":"{}"}}"#,
                NOW + 60,
                "x".repeat(pad)
            ),
        );
        if "Bearer ".len() + next.len() > MAX_FIELD_LEN {
            break;
        }
        t = next;
    }
    assert!("Bearer ".len() + t.len() > MAX_FIELD_LEN - 4);
    assert_eq!(subject(&v, &t, NOW).unwrap(), "a");
    // And through verify, where a longer token is refused, not decoded.
    with_buffer(|buf| assert!(v.verify(t.as_bytes(), NOW, buf, &InPlace).is_ok()));
    let long = "a".repeat(MAX_FIELD_LEN + 1);
    with_buffer(|buf| {
        assert_eq!(
            v.verify(long.as_bytes(), NOW, buf, &InPlace)
                .unwrap_err()
                .error,
            Error::TokenTooLarge
        );
    });
}

#[test]
fn replacing_keys_retires_the_old_ones_and_their_cache_entries() {
    let one = |i: usize| {
        let mut keys = HostKeySet::new();
        keys.push(Key::hs256(&secret(i), Some(format!("k{i}").as_bytes())).unwrap())
            .unwrap();
        keys
    };
    let v = verifier(one(1), &[("cacheSize", OptionValue::Int(64))]);
    let old = token(&secret(1), "k1", &payload("old"));
    let new = token(&secret(2), "k2", &payload("new"));
    assert_eq!(subject(&v, &old, NOW).unwrap(), "old");
    assert_eq!(subject(&v, &old, NOW).unwrap(), "old");
    assert_eq!(v.cache_info().hits, 1);
    let before = v.trust();
    v.replace_keys(Keys::One(Box::new(one(2)))).unwrap();
    // A request that started before keeps its trust.
    assert_eq!(before.len(), 1);
    let failure = subject(&v, &old, NOW).unwrap_err();
    assert_eq!(failure.error, Error::UnknownKey);
    assert_eq!(failure.kid.as_deref(), Some("k1"));
    assert_eq!(subject(&v, &new, NOW).unwrap(), "new");
}

#[test]
fn options_in_either_spelling_are_one_option() {
    let snake = Options::from_pairs([("cache_size", OptionValue::Int(64))]).unwrap();
    let camel = Options::from_pairs([("cacheSize", OptionValue::Int(64))]).unwrap();
    assert_eq!(snake, camel);
    let a = Options::from_pairs([("resourceMetadata", OptionValue::Str("https://x/m".into()))])
        .unwrap();
    assert_eq!(a.resource_metadata.as_deref(), Some("https://x/m"));
    let e = Options::from_pairs([("cache-size", OptionValue::Int(1))]).unwrap_err();
    assert_eq!(e.option, "options");
    assert!(e.to_string().contains("cache_size"), "{e}");
    // Absent restores the default.
    let mut o = Options::default();
    o.set("leeway", OptionValue::Int(30)).unwrap();
    o.set("leeway", OptionValue::Absent).unwrap();
    assert_eq!(o.leeway, 0);
}

#[test]
fn config_errors_name_option_value_and_expectation() {
    let e = Options::from_pairs([("leeway", OptionValue::Int(-1))]).unwrap_err();
    assert_eq!((e.option, e.error), ("leeway", Error::InvalidConfig));
    assert_eq!(
        e.to_string(),
        "option leeway: expected a whole number of seconds from 0 to 3600, got -1"
    );
    let e = Options::from_pairs([("leeway", OptionValue::Other("symbol".into()))]).unwrap_err();
    assert!(e.to_string().ends_with("got a symbol"), "{e}");
    let long = OptionValue::Str("y".repeat(500));
    let e = Options::from_pairs([("audience", long)]).unwrap_err();
    assert_eq!(e.error, Error::ConfigTooLong);
    assert!(e.value.chars().count() <= 61, "{}", e.value);
    for bad in [
        OptionValue::Int(-1),
        OptionValue::Float(f64::NAN),
        OptionValue::Int(gatekey_host::options::MAX_NOW as i128 + 1),
        OptionValue::Str("1750000000".into()),
    ] {
        let e = gatekey_host::options::now(&bad).unwrap_err();
        assert_eq!(e.option, "now");
    }
    assert_eq!(gatekey_host::options::now(&OptionValue::Int(0)).unwrap(), 0);
    assert!(gatekey_host::options::now(&OptionValue::Absent).unwrap() > NOW);
}

#[test]
fn refusals_are_one_shape() {
    let params = Options::from_pairs([
        ("realm", OptionValue::Str("r\"q".into())),
        ("scopes", OptionValue::Str("a b".into())),
    ])
    .unwrap()
    .challenge();
    let scope = Refusal::new(
        &Failure {
            claim: Some("b".into()),
            ..Failure::from(Error::InsufficientScope)
        },
        &params,
    );
    assert_eq!(scope.status, 403);
    assert_eq!(
        scope.www_authenticate.as_deref(),
        Some(
            r#"Bearer realm="r\"q", error="insufficient_scope", error_description="the token lacks a required scope", scope="a b""#
        )
    );
    assert_eq!(
        scope.body,
        r#"{"error":"insufficient_scope","error_description":"the token lacks a required scope: b","reason":"insufficient_scope","claim":"b"}"#
    );
    let config = Refusal::new(&Failure::from(Error::KeySetFull), &params);
    assert_eq!(config.status, 500);
    assert_eq!(config.www_authenticate, None);
    assert!(config.body.starts_with(r#"{"error":"server_error","#));
    // A kid is repeated printable and bounded, never raw.
    let kid = gatekey_host::printable("\u{7}\"é".bytes().chain(core::iter::repeat_n(b'k', 200)));
    assert!(kid.starts_with(r#"\x07"\xc3\xa9k"#), "{kid}");
    assert!(kid.chars().count() <= 65);
}

#[test]
fn list_options_take_one_element_at_a_time() {
    let mut o = Options::default();
    o.add("audience", OptionValue::Str("a".into())).unwrap();
    o.add("audiences", OptionValue::Str("b".into())).unwrap();
    assert_eq!(o.audiences, ["a", "b"]);
    o.add("require", OptionValue::Str("jti".into())).unwrap();
    assert_eq!(o.require, ["exp", "jti"]);
    let pair = |p: &str, v: &str| OptionValue::Map(vec![(p.into(), OptionValue::Str(v.into()))]);
    o.add("claims", pair("realm_access.roles", "x")).unwrap();
    o.add("claims", pair("realm_access.roles", "y")).unwrap();
    assert_eq!(o.claims.len(), 2);
    let e = o.add("leeway", OptionValue::Int(1)).unwrap_err();
    assert_eq!(e.option, "leeway");
    for _ in 0..2 {
        o.add("audiences", OptionValue::Str("c".into())).unwrap();
    }
    let e = o
        .add("audiences", OptionValue::Str("e".into()))
        .unwrap_err();
    assert_eq!(e.error, Error::ConfigListFull);
    assert_eq!(o.get("cacheSize"), Some(OptionValue::Int(0)));
    assert_eq!(o.get("nope"), None);
}

#[test]
fn keys_are_replaced_by_keys_of_the_same_kind() {
    let mut keys = HostKeySet::new();
    keys.push(Key::hs256(&secret(0), Some(b"k0")).unwrap())
        .unwrap();
    let v = verifier(keys.clone(), &[]);
    let issuers = Keys::Issuers(vec![("https://idp".to_owned(), keys)]);
    assert_eq!(v.replace_keys(issuers).unwrap_err().option, "keys");
}
