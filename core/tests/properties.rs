//! Properties over arbitrary inputs: no panics, and only the exact signed
//! bytes verify.
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

use common::*;
use gatekey::{
    authenticate, resolve, verify, Key, KeySet, Policy, Request, Validation, DEFAULT_BUFFER,
};
use proptest::prelude::*;

fn keys() -> KeySet {
    let mut k = KeySet::from_jwks(es256_jwks().as_bytes()).unwrap();
    k.push(Key::hs256(SECRET, Some(b"gw")).unwrap()).unwrap();
    k
}

fn header_name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"Authorization".to_vec()),
        Just(b"cookie".to_vec()),
        Just(b"X-Authenticated-User".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..12),
    ]
}

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        "(Bearer|bearer|Basic|Token)? ?[ -~]{0,40}".prop_map(String::into_bytes),
        "(jwt_token=[ -~]{0,20}; ?){0,3}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn extraction_never_panics(headers in proptest::collection::vec((header_name(), header_value()), 0..8),
                               query in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
                               token in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40))) {
        let policies = [
            Policy::header_first().with_proxy_header(b"x-authenticated-user").unwrap().with_query(true),
            Policy::cookie_first(),
            Policy::strict(),
        ];
        for policy in &policies {
            let mut req = Request::new(headers.iter().map(|(n, v)| (n.as_slice(), v.as_slice())));
            if let Some(q) = &query { req = req.with_query(q); }
            if let Some(t) = &token { req = req.with_token(t); }
            let _ = resolve(policy, req.clone());
            let mut buf = [0u8; 512];
            let _ = authenticate(req, policy, keys().keys(), &Validation::new(), NOW, &mut buf);
        }
    }

    #[test]
    fn unrelated_headers_do_not_change_the_outcome(extra in proptest::collection::vec(("x-[a-z]{1,8}", "[ -~]{0,20}"), 0..6), at in 0usize..6) {
        let base: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (b"Authorization".to_vec(), b"Bearer aaa.aaa.aaa".to_vec()),
            (b"Cookie".to_vec(), b"jwt_token=bbb.bbb.bbb".to_vec()),
        ];
        let want = resolve(&Policy::header_first(), Request::new(base.iter().map(|(n, v)| (n.as_slice(), v.as_slice())))).unwrap();
        let mut mixed = base.clone();
        for (n, v) in &extra {
            mixed.insert(at.min(mixed.len()), (n.clone().into_bytes(), v.clone().into_bytes()));
        }
        let got = resolve(&Policy::header_first(), Request::new(mixed.iter().map(|(n, v)| (n.as_slice(), v.as_slice())))).unwrap();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn verify_never_panics_on_arbitrary_bytes(token in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut buf = [0u8; DEFAULT_BUFFER];
        prop_assert!(verify(&token, keys().keys(), &Validation::new(), NOW, &mut buf).is_err());
    }

    #[test]
    fn verify_never_panics_on_dotted_base64(a in "[A-Za-z0-9_-]{0,60}", b in "[A-Za-z0-9_-]{0,60}", c in "[A-Za-z0-9_-]{0,90}") {
        let token = format!("{a}.{b}.{c}");
        let mut buf = [0u8; DEFAULT_BUFFER];
        prop_assert!(verify(token.as_bytes(), keys().keys(), &Validation::new(), NOW, &mut buf).is_err());
    }

    #[test]
    fn mutated_valid_tokens_are_refused(pos in any::<prop::sample::Index>(), byte in any::<u8>(), es in any::<bool>()) {
        let claims = access_claims("alice");
        let token = if es { es256_token(r#"{"alg":"ES256","kid":"ec1"}"#, &claims) } else { hs256_sign(SECRET, r#"{"alg":"HS256","kid":"gw"}"#, &claims) };
        let mut mutated = token.clone().into_bytes();
        let i = pos.index(mutated.len());
        prop_assume!(mutated[i] != byte);
        mutated[i] = byte;
        let v = Validation::new().with_audience("mcp").unwrap();
        let mut buf = [0u8; DEFAULT_BUFFER];
        prop_assert!(verify(token.as_bytes(), keys().keys(), &v, NOW, &mut buf).is_ok());
        prop_assert!(verify(&mutated, keys().keys(), &v, NOW, &mut buf).is_err());
    }

    #[test]
    fn valid_token_verifies_at_every_moment_of_its_window(offset in 0i64..600, nbf_gap in 0i64..100) {
        let nbf = NOW;
        let exp = NOW + nbf_gap + 600;
        let token = hs256_sign(SECRET, r#"{"alg":"HS256","kid":"gw"}"#, &format!(r#"{{"sub":"a","nbf":{nbf},"iat":{nbf},"exp":{exp}}}"#));
        let mut buf = [0u8; DEFAULT_BUFFER];
        prop_assert!(verify(token.as_bytes(), keys().keys(), &Validation::new(), nbf + offset, &mut buf).is_ok());
        prop_assert!(verify(token.as_bytes(), keys().keys(), &Validation::new(), exp + offset, &mut buf).is_err());
        prop_assert!(verify(token.as_bytes(), keys().keys(), &Validation::new(), nbf - 1 - offset, &mut buf).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    /// security-core.md #4: a cache hit decides exactly what a miss decides,
    /// whichever way the clock moves (`iat` in the future included).
    #[test]
    fn a_cache_hit_decides_what_a_miss_decides(
        exp in proptest::option::of(990i64..1030),
        nbf in proptest::option::of(970i64..1010),
        iat in proptest::option::of(970i64..1030),
        leeway in 0u32..8,
        first in 960i64..1040,
        nows in proptest::collection::vec(960i64..1040, 1..12),
    ) {
        let mut claims = std::vec::Vec::new();
        claims.push(r#""sub":"a""#.to_owned());
        for (name, value) in [("exp", exp), ("nbf", nbf), ("iat", iat)] {
            if let Some(v) = value {
                claims.push(format!(r#""{name}":{v}"#));
            }
        }
        let token = hs256_token(&format!("{{{}}}", claims.join(",")));
        let mut keys = KeySet::<2>::new();
        keys.push(Key::hs256(SECRET, None).unwrap()).unwrap();
        let validation = Validation::new().require_nothing().with_leeway(leeway);
        let mut cache = gatekey::cache::Cache::<8>::new();
        let mut buf = [0u8; DEFAULT_BUFFER];
        let mut cached = |now: i64, buf: &mut [u8]| {
            gatekey::cache::verify_cached(&mut cache, 1, token.as_bytes(), &validation, now, buf, |t, buf| {
                verify(t, keys.keys(), &validation, now, buf)
            })
            .map(|_| ())
        };
        // Warm the cache at `first` (a miss), then move the clock around.
        let _ = cached(first, &mut buf);
        for now in nows {
            let miss = verify(token.as_bytes(), keys.keys(), &validation, now, &mut [0u8; DEFAULT_BUFFER]).map(|_| ());
            prop_assert_eq!(cached(now, &mut buf), miss, "now {}", now);
        }
    }
}
