//! RFC 7517 §5: a JWKS with keys gatekey cannot use, or whose values are
//! out of its range, yields its usable keys and reports the others.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::arithmetic_side_effects)]

mod common;

use common::*;
use gatekey::{verify, Error, KeySet, Validation, DEFAULT_BUFFER};

/// One JWK per skip reason, each with its kid and the error it is skipped for.
fn unusable() -> Vec<(String, &'static str, Error)> {
    let mut n1024 = vec![0xc5u8; 128];
    n1024[127] = 0x01;
    vec![
        (
            format!(
                r#"{{"kty":"RSA","kid":"rsa1024","n":"{}","e":"AQAB"}}"#,
                b64(&n1024)
            ),
            "rsa1024",
            if cfg!(feature = "rsa") {
                Error::WeakRsaKey
            } else {
                Error::UnsupportedKey
            },
        ),
        (
            format!(r#"{{"kty":"oct","kid":"short","k":"{}"}}"#, b64(&[7u8; 16])),
            "short",
            Error::WeakKey,
        ),
        (
            format!(
                r#"{{"kty":"EC","crv":"P-256","kid":"offcurve","x":"{0}","y":"{0}"}}"#,
                b64(&[1u8; 32])
            ),
            "offcurve",
            Error::InvalidKey,
        ),
        (
            r#"{"kty":"OKP","crv":"Ed25519","kid":"okp","x":"AA"}"#.to_owned(),
            "okp",
            // Read as Ed25519 and refused for its length; without the
            // feature, an unsupported key type.
            if cfg!(feature = "eddsa") {
                Error::InvalidJwk
            } else {
                Error::UnsupportedKey
            },
        ),
        (
            r#"{"kty":"OKP","crv":"Ed448","kid":"ed448","x":"AA"}"#.to_owned(),
            "ed448",
            Error::UnsupportedKey,
        ),
        (
            // RFC 7518 §3.2: an HS512 key is at least 64 bytes.
            format!(
                r#"{{"kty":"oct","alg":"HS512","kid":"hs512","k":"{}"}}"#,
                b64(SECRET)
            ),
            "hs512",
            if cfg!(feature = "hs512") {
                Error::WeakKey
            } else {
                Error::UnsupportedKey
            },
        ),
        (
            format!(
                r#"{{"kty":"oct","alg":"HS1024","kid":"hs1024","k":"{}"}}"#,
                b64(SECRET)
            ),
            "hs1024",
            Error::UnsupportedKey,
        ),
        (
            format!(
                r#"{{"kty":"oct","use":"enc","kid":"enc","k":"{}"}}"#,
                b64(SECRET)
            ),
            "enc",
            Error::UnsupportedKey,
        ),
        (
            r#"{"kty":"oct","kid":"b64","k":"*not base64*"}"#.to_owned(),
            "b64",
            Error::InvalidJwk,
        ),
        (r#"{"kid":"nokty"}"#.to_owned(), "nokty", Error::InvalidJwk),
    ]
}

fn good() -> String {
    format!(
        r#"{{"kty":"oct","alg":"HS256","kid":"gw","k":"{}"}}"#,
        b64(SECRET)
    )
}

#[test]
fn each_unusable_key_is_skipped_and_reported() {
    for (jwk, kid, error) in unusable() {
        let doc = format!(r#"{{"keys":[{jwk},{}]}}"#, good());
        let mut set = KeySet::<4>::new();
        let mut seen = Vec::new();
        set.add_jwks_reporting(doc.as_bytes(), |k, e| seen.push((k.map(<[u8]>::to_vec), e)))
            .unwrap_or_else(|e| panic!("{kid}: {e:?}"));
        assert_eq!(seen, [(Some(kid.as_bytes().to_vec()), error)], "{kid}");
        assert_eq!((set.len(), set.skipped()), (1, 1), "{kid}");
        assert_eq!(set.keys()[0].kid(), Some(&b"gw"[..]));
        // Alone, the key's own error is the document's.
        let alone = format!(r#"{{"keys":[{jwk}]}}"#);
        assert_eq!(
            KeySet::<4>::from_jwks(alone.as_bytes()).err(),
            Some(error),
            "{kid}"
        );
    }
}

#[test]
fn usable_keys_verify_beside_every_unusable_one() {
    let mut entries: Vec<String> = unusable().into_iter().map(|(j, _, _)| j).collect();
    entries.insert(3, good());
    entries.push("42".to_owned()); // not an object: skipped, no kid
    let doc = format!(r#"{{"keys":[{}]}}"#, entries.join(","));
    let mut kids = Vec::new();
    let mut set = KeySet::<4>::new();
    set.add_jwks_reporting(doc.as_bytes(), |k, e| kids.push((k.is_some(), e)))
        .unwrap();
    assert_eq!((set.len(), set.skipped()), (1, 11));
    assert_eq!(kids.last(), Some(&(false, Error::InvalidJwk)));
    // from_jwks skips the same keys.
    let plain = KeySet::<4>::from_jwks(doc.as_bytes()).unwrap();
    assert_eq!((plain.len(), plain.skipped()), (1, 11));

    let token = hs256_sign(
        SECRET,
        r#"{"alg":"HS256","kid":"gw"}"#,
        r#"{"sub":"alice","exp":4102444800}"#,
    );
    let mut buf = [0u8; DEFAULT_BUFFER];
    let verified = verify(
        token.as_bytes(),
        set.keys(),
        &Validation::new(),
        1_700_000_000,
        &mut buf,
    );
    assert!(verified.is_ok(), "{:?}", verified.err());
}

#[test]
fn structural_errors_still_fail_the_document() {
    for doc in [
        &b"[]"[..],
        b"{}",
        b"{\"keys\":{}}",
        b"{\"keys\":[]}",
        b"{\"keys\":[",
        b"not json",
    ] {
        let mut calls = 0;
        let mut set = KeySet::<4>::new();
        assert_eq!(
            set.add_jwks_reporting(doc, |_, _| calls += 1),
            Err(Error::InvalidJwks),
            "{}",
            String::from_utf8_lossy(doc)
        );
        assert_eq!((calls, set.len(), set.skipped()), (0, 0, 0));
    }
    // Past the capacity is an error, never a truncation; the set is unchanged.
    let two = format!(
        r#"{{"keys":[{},{}]}}"#,
        good(),
        good().replace("\"gw\"", "\"gw2\"")
    );
    let mut one = KeySet::<1>::new();
    assert_eq!(one.add_jwks(two.as_bytes()), Err(Error::KeySetFull));
    assert!(one.is_empty());
}
