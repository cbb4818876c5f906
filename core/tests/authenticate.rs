//! `authenticate`: extraction, resolution and verification in one call.
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
    authenticate, BasicCredentials, Error, Key, KeySet, Policy, Request, Source, Validation,
    DEFAULT_BUFFER,
};

fn keys() -> KeySet {
    let mut k = KeySet::from_jwks(es256_jwks().as_bytes()).unwrap();
    k.push(Key::hs256(SECRET, Some(b"gw")).unwrap()).unwrap();
    k
}

fn validation() -> Validation {
    Validation::new()
        .with_issuer("https://idp.example")
        .unwrap()
        .with_audience("mcp")
        .unwrap()
}

#[test]
fn bearer_es256_identity() {
    let token = es256_token(
        r#"{"alg":"ES256","kid":"ec1","typ":"at+jwt"}"#,
        &access_claims("alice"),
    );
    let auth = format!("Bearer {token}");
    let headers: [(&[u8], &[u8]); 2] = [(b"host", b"gw"), (b"authorization", auth.as_bytes())];
    let mut buf = [0u8; DEFAULT_BUFFER];
    let id = authenticate(
        Request::new(headers),
        &Policy::strict(),
        keys().keys(),
        &validation(),
        NOW,
        &mut buf,
    )
    .unwrap();
    assert_eq!(id.source, Source::Bearer);
    assert!(id.subject.unwrap().eq_bytes(b"alice"));
    let claims = id.token.unwrap().claims;
    assert!(claims.jti().unwrap().eq_bytes(b"j-alice"));
    assert!(claims.has_scope(b"tools:call"));
    assert_eq!(claims.exp(), Some(NOW + 600));
}

#[test]
fn hs256_cookie_with_drift_reported() {
    let cookie_token = hs256_sign(
        SECRET,
        r#"{"alg":"HS256","kid":"gw"}"#,
        &access_claims("bob"),
    );
    let header_token = es256_token(r#"{"alg":"ES256","kid":"ec1"}"#, &access_claims("alice"));
    let auth = format!("Bearer {header_token}");
    let cookie = format!("jwt_token={cookie_token}");
    let headers: [(&[u8], &[u8]); 2] = [
        (b"Authorization", auth.as_bytes()),
        (b"Cookie", cookie.as_bytes()),
    ];
    let mut buf = [0u8; DEFAULT_BUFFER];
    let id = authenticate(
        Request::new(headers),
        &Policy::cookie_first(),
        keys().keys(),
        &validation(),
        NOW,
        &mut buf,
    )
    .unwrap();
    assert_eq!(id.source, Source::Cookie);
    assert!(id.subject.unwrap().eq_bytes(b"bob"));
    assert!(id.resolution.drift);
    let mut buf = [0u8; DEFAULT_BUFFER];
    let id = authenticate(
        Request::new(headers),
        &Policy::header_first(),
        keys().keys(),
        &validation(),
        NOW,
        &mut buf,
    )
    .unwrap();
    assert!(id.subject.unwrap().eq_bytes(b"alice"));
}

#[test]
fn expired_token_is_refused_on_every_call() {
    let token = hs256_token(&format!(r#"{{"sub":"a","exp":{}}}"#, NOW + 1));
    let keys = KeySet::<1>::from_jwks(
        format!(r#"{{"keys":[{{"kty":"oct","k":"{}"}}]}}"#, b64(SECRET)).as_bytes(),
    )
    .unwrap();
    for (now, want) in [
        (NOW, Ok(())),
        (NOW + 1, Err(Error::Expired)),
        (NOW + 2, Err(Error::Expired)),
    ] {
        let mut buf = [0u8; DEFAULT_BUFFER];
        let got = authenticate(
            Request::new([]).with_token(token.as_bytes()),
            &Policy::header_first(),
            keys.keys(),
            &Validation::new(),
            now,
            &mut buf,
        );
        assert_eq!(got.map(|_| ()), want, "now = {now}");
    }
}

#[test]
fn basic_and_proxy_sources() {
    let policy = Policy::header_first()
        .with_basic(BasicCredentials::new(b"admin", b"s3cret").unwrap())
        .with_proxy_header(b"X-Authenticated-User")
        .unwrap();
    let run = |headers: &[(&[u8], &[u8])]| {
        let mut buf = [0u8; DEFAULT_BUFFER];
        authenticate(
            Request::new(headers.iter().copied()),
            &policy,
            keys().keys(),
            &validation(),
            NOW,
            &mut buf,
        )
        .map(|id| {
            (
                id.source,
                std::string::String::from_utf8(id.subject.unwrap().bytes().collect()).unwrap(),
            )
        })
    };
    assert_eq!(
        run(&[(b"Authorization", b"Basic YWRtaW46czNjcmV0")]),
        Ok((Source::Basic, "admin".into()))
    );
    assert_eq!(
        run(&[(b"Authorization", b"Basic YWRtaW46d3Jvbmc=")]),
        Err(Error::BasicRejected)
    );
    assert_eq!(
        run(&[(b"Authorization", b"Basic !!!")]),
        Err(Error::MalformedBasic)
    );
    assert_eq!(
        run(&[(b"x-authenticated-user", b"carol")]),
        Ok((Source::Proxy, "carol".into()))
    );
    assert_eq!(
        run(&[(b"x-authenticated-user", b"")]),
        Err(Error::MalformedProxyHeader)
    );
    assert_eq!(run(&[]), Err(Error::MissingCredential));
}

#[test]
fn keyset_from_a_mixed_jwks() {
    let jwks = format!(
        r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"ed1","x":"AA"}},{{"kty":"EC","crv":"P-384","kid":"p384","x":"AA","y":"AA"}},{{"kty":"EC","crv":"P-256","use":"enc","x":"AA","y":"AA"}},{}]}}"#,
        es256_jwks()
            .trim_start_matches(r#"{"keys":["#)
            .trim_end_matches("]}")
    );
    let set = KeySet::<4>::from_jwks(jwks.as_bytes()).unwrap();
    assert_eq!((set.len(), set.skipped()), (1, 3));
    assert_eq!(set.keys()[0].kid(), Some(&b"ec1"[..]));
    assert_eq!(
        KeySet::<4>::from_jwks(b"{\"keys\":{}}").err(),
        Some(Error::InvalidJwks)
    );
    assert_eq!(
        KeySet::<4>::from_jwks(b"[]").err(),
        Some(Error::InvalidJwks)
    );
    // Alone, a broken key's own error is the document's (beside a usable
    // key it is skipped: tests/jwks.rs).
    let bad = r#"{"keys":[{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}"#;
    assert_eq!(
        KeySet::<4>::from_jwks(bad.as_bytes()).err(),
        Some(Error::InvalidKey)
    );
    let weak = format!(r#"{{"keys":[{{"kty":"oct","k":"{}"}}]}}"#, b64(b"short"));
    assert_eq!(
        KeySet::<4>::from_jwks(weak.as_bytes()).err(),
        Some(Error::WeakKey)
    );
    // Capacity.
    let two = format!(
        r#"{{"keys":[{{"kty":"oct","k":"{0}","kid":"a"}},{{"kty":"oct","k":"{0}","kid":"b"}}]}}"#,
        b64(SECRET)
    );
    assert_eq!(
        KeySet::<1>::from_jwks(two.as_bytes()).err(),
        Some(Error::KeySetFull)
    );
}

#[test]
fn kid_selection() {
    let keys = keys();
    let mut buf = [0u8; DEFAULT_BUFFER];
    // No kid with two keys in the set.
    let token = hs256_sign(SECRET, r#"{"alg":"HS256"}"#, &access_claims("a"));
    let got =
        gatekey::verify(token.as_bytes(), keys.keys(), &validation(), NOW, &mut buf).map(|_| ());
    assert_eq!(got, Err(Error::KeyIdRequired));
    // Without kid, a one-key set matches.
    let one = [Key::hs256(SECRET, None).unwrap()];
    assert!(gatekey::verify(token.as_bytes(), &one, &validation(), NOW, &mut buf).is_ok());
    // The kid may be written with escapes.
    let token = hs256_sign(
        SECRET,
        r#"{"alg":"HS256","kid":"\u0067w"}"#,
        &access_claims("a"),
    );
    assert!(gatekey::verify(token.as_bytes(), keys.keys(), &validation(), NOW, &mut buf).is_ok());
}

#[test]
fn typ_requirement() {
    let v = validation().with_typ("at+jwt").unwrap();
    let mut buf = [0u8; DEFAULT_BUFFER];
    let ok = es256_token(
        r#"{"alg":"ES256","kid":"ec1","typ":"application/at+jwt"}"#,
        &access_claims("a"),
    );
    assert!(gatekey::verify(ok.as_bytes(), keys().keys(), &v, NOW, &mut buf).is_ok());
    let jwt = es256_token(
        r#"{"alg":"ES256","kid":"ec1","typ":"JWT"}"#,
        &access_claims("a"),
    );
    assert_eq!(
        gatekey::verify(jwt.as_bytes(), keys().keys(), &v, NOW, &mut buf).map(|_| ()),
        Err(Error::WrongType)
    );
}

#[test]
fn cached_authentication_rechecks_expiry_on_every_request() {
    use gatekey::cache::{verify_cached, Cache};
    let keys = keys();
    let v = validation();
    let token = es256_token(r#"{"alg":"ES256","kid":"ec1"}"#, &access_claims("alice"));
    let auth = format!("Bearer {token}");
    let headers: [(&[u8], &[u8]); 1] = [(b"authorization", auth.as_bytes())];
    let mut cache = Cache::<16>::new();
    let mut full = 0;
    let mut run = |now: i64| {
        let mut buf = [0u8; DEFAULT_BUFFER];
        gatekey::authenticate_with(
            Request::new(headers),
            &Policy::strict(),
            &mut buf,
            |t, b| {
                verify_cached(&mut cache, keys.generation(), t, &v, now, b, |t, b| {
                    full += 1;
                    gatekey::verify(t, keys.keys(), &v, now, b)
                })
            },
        )
        .map(|id| id.subject.unwrap().as_str().unwrap().to_owned())
    };
    assert_eq!(run(NOW), Ok("alice".to_owned()));
    assert_eq!(run(NOW + 1), Ok("alice".to_owned()));
    assert_eq!(run(NOW + 600), Err(Error::Expired));
    assert_eq!(full, 1, "one full verification, then hits");
}
