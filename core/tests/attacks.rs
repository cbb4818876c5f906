//! The attack corpus: one test per known way to fool a JWT verifier.
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
use gatekey::{verify, Error, Key, KeySet, Validation, DEFAULT_BUFFER};

fn ec_keys() -> KeySet {
    KeySet::from_jwks(es256_jwks().as_bytes()).unwrap()
}

fn check(token: &str, keys: &KeySet, validation: &Validation, now: i64) -> Result<(), Error> {
    let mut buf = [0u8; DEFAULT_BUFFER];
    verify(token.as_bytes(), keys.keys(), validation, now, &mut buf).map(|_| ())
}

fn ec(token: &str) -> Result<(), Error> {
    check(token, &ec_keys(), &Validation::new(), NOW)
}

const EC_HEADER: &str = r#"{"alg":"ES256","kid":"ec1"}"#;

#[test]
fn baseline_token_verifies() {
    assert_eq!(
        ec(&es256_token(EC_HEADER, &access_claims("alice"))),
        Err(Error::WrongAudience)
    );
    let v = Validation::new().with_audience("mcp").unwrap();
    assert_eq!(
        check(
            &es256_token(EC_HEADER, &access_claims("alice")),
            &ec_keys(),
            &v,
            NOW
        ),
        Ok(())
    );
}

#[test]
fn alg_none_in_any_case() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}","kid":"ec1"}}"#);
        let token = format!(
            "{}.{}.",
            b64(header.as_bytes()),
            b64(br#"{"exp":9999999999}"#)
        );
        // security-core review: reported as what it is, so logs count it.
        assert_eq!(
            ec(&token),
            Err(Error::UnsecuredToken),
            "{alg} with empty signature"
        );
        let token = format!("{token}AAAA");
        assert_eq!(ec(&token), Err(Error::UnsecuredToken), "{alg}");
    }
}

#[test]
fn an_empty_signature_is_malformed_for_any_other_alg() {
    let token = format!(
        "{}.{}.",
        b64(EC_HEADER.as_bytes()),
        b64(br#"{"exp":9999999999}"#)
    );
    assert_eq!(ec(&token), Err(Error::MalformedToken));
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    // Key confusion: the attacker uses the EC public key's bytes (JWK text,
    // SEC1 point, x coordinate) as an HMAC secret and claims HS256.
    let point = signing_key().verifying_key().to_encoded_point(false);
    let payload = format!(r#"{{"sub":"admin","exp":{}}}"#, NOW + 60);
    for secret in [
        es256_jwks().into_bytes(),
        point.as_bytes().to_vec(),
        point.x().unwrap().to_vec(),
    ] {
        let token = hs256_sign(&secret, r#"{"alg":"HS256","kid":"ec1"}"#, &payload);
        assert_eq!(ec(&token), Err(Error::AlgorithmMismatch));
    }
}

#[test]
fn es256_token_against_an_hmac_key_is_refused() {
    let keys = {
        let mut k = KeySet::<8>::new();
        k.push(Key::hs256(SECRET, Some(b"ec1")).unwrap()).unwrap();
        k
    };
    let token = es256_token(EC_HEADER, &format!(r#"{{"exp":{}}}"#, NOW + 60));
    assert_eq!(
        check(&token, &keys, &Validation::new(), NOW),
        Err(Error::AlgorithmMismatch)
    );
}

fn with_signature(sig: &[u8]) -> String {
    let token = es256_token(EC_HEADER, &format!(r#"{{"exp":{}}}"#, NOW + 60));
    let dot = token.rfind('.').unwrap();
    format!("{}.{}", &token[..dot], b64(sig))
}

#[test]
fn psychic_signature_of_zeros() {
    // CVE-2022-21449: r = s = 0 satisfies a verifier that skips range checks.
    assert_eq!(ec(&with_signature(&[0u8; 64])), Err(Error::BadSignature));
}

#[test]
fn r_or_s_equal_to_n() {
    let n = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let good = es256_token(EC_HEADER, &format!(r#"{{"exp":{}}}"#, NOW + 60));
    let sig = <base64ct::Base64UrlUnpadded as base64ct::Encoding>::decode_vec(
        good.rsplit('.').next().unwrap(),
    )
    .unwrap();
    let (r, s) = sig.split_at(32);
    for bad in [
        [&n[..], s].concat(),
        [r, &n[..]].concat(),
        [&n[..], &n[..]].concat(),
    ] {
        assert_eq!(ec(&with_signature(&bad)), Err(Error::BadSignature));
    }
}

#[test]
fn signatures_of_the_wrong_length() {
    let good = es256_token(EC_HEADER, &format!(r#"{{"exp":{}}}"#, NOW + 60));
    let sig = <base64ct::Base64UrlUnpadded as base64ct::Encoding>::decode_vec(
        good.rsplit('.').next().unwrap(),
    )
    .unwrap();
    // One byte short, one long, and a DER encoding (30 44 02 20 r 02 20 s).
    let der = [
        &[0x30, 0x44, 0x02, 0x20][..],
        &sig[..32],
        &[0x02, 0x20],
        &sig[32..],
    ]
    .concat();
    for bad in [&sig[..63], &[&sig[..], &[0]].concat()[..], &der[..]] {
        assert_eq!(
            ec(&with_signature(bad)),
            Err(Error::InvalidSignatureLength),
            "{} bytes",
            bad.len()
        );
    }
}

#[test]
fn kid_with_path_or_sql_content_matches_nothing() {
    for kid in [
        "../../../../dev/null",
        "' OR '1'='1",
        "ec1\\u0000",
        "ec1 ",
        "EC1",
        "ec1/../ec1",
    ] {
        let token = es256_token(
            &format!(r#"{{"alg":"ES256","kid":"{kid}"}}"#),
            &format!(r#"{{"exp":{}}}"#, NOW + 60),
        );
        assert_eq!(ec(&token), Err(Error::UnknownKey), "{kid}");
    }
}

#[test]
fn unknown_crit_is_refused() {
    let token = es256_token(
        r#"{"alg":"ES256","kid":"ec1","crit":["x-sneaky"],"x-sneaky":1}"#,
        &format!(r#"{{"exp":{}}}"#, NOW + 60),
    );
    assert_eq!(ec(&token), Err(Error::UnsupportedCritical));
}

#[test]
fn duplicated_members_are_refused() {
    let token = es256_token(
        r#"{"alg":"ES256","kid":"ec1","alg":"HS256"}"#,
        &format!(r#"{{"exp":{}}}"#, NOW + 60),
    );
    assert_eq!(ec(&token), Err(Error::DuplicateMember));
    let token = es256_token(
        EC_HEADER,
        &format!(r#"{{"sub":"alice","exp":{},"sub":"admin"}}"#, NOW + 60),
    );
    assert_eq!(ec(&token), Err(Error::DuplicateMember));
}

fn sign_input(input: &str) -> String {
    use p256::ecdsa::{signature::Signer, Signature};
    let sig: Signature = signing_key().sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

#[test]
fn padded_or_non_canonical_base64url() {
    let good = es256_token(EC_HEADER, &format!(r#"{{"exp":{}}}"#, NOW + 60));
    let parts: Vec<&str> = good.split('.').collect();
    // Padding on a segment.
    assert_eq!(
        ec(&format!("{}=.{}.{}", parts[0], parts[1], parts[2])),
        Err(Error::InvalidBase64)
    );
    assert_eq!(
        ec(&format!("{}.{}.{}==", parts[0], parts[1], parts[2])),
        Err(Error::InvalidBase64)
    );
    // Standard-alphabet characters and whitespace.
    // Signed over the altered text, so that only the decoding can object.
    for first in ['+', '/'] {
        let input = format!("{}.{first}{}", parts[0], &parts[1][1..]);
        assert_eq!(
            ec(&sign_input(&input)),
            Err(Error::InvalidBase64),
            "{first}"
        );
    }
    assert_eq!(
        ec(&format!("{} .{}.{}", parts[0], parts[1], parts[2])),
        Err(Error::InvalidBase64)
    );
    // Non-zero trailing bits: the 86-character signature's last character
    // carries 4 unused bits; setting one gives the same bytes, non-canonically.
    let sig = parts[2];
    let last = sig.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.find(last).unwrap();
    let twin = alphabet.chars().nth(idx | 1).unwrap();
    assert_ne!(twin, last);
    let token = format!(
        "{}.{}.{}{}",
        parts[0],
        parts[1],
        &sig[..sig.len() - 1],
        twin
    );
    assert_eq!(ec(&token), Err(Error::InvalidBase64));
}

#[test]
fn empty_segments_and_jwe() {
    assert_eq!(ec(".."), Err(Error::MalformedToken));
    assert_eq!(ec("a..c"), Err(Error::MalformedToken));
    assert_eq!(
        ec("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"),
        Err(Error::EncryptedToken)
    );
    assert_eq!(
        ec(r#"{"payload":"x","signatures":[]}"#),
        Err(Error::JsonSerialization)
    );
}

#[test]
fn expiry_at_and_past_the_leeway_boundary() {
    let exp = NOW;
    let token = es256_token(EC_HEADER, &format!(r#"{{"exp":{exp}}}"#));
    let v = Validation::new().with_leeway(30);
    let keys = ec_keys();
    assert_eq!(check(&token, &keys, &v, exp + 29), Ok(()));
    // RFC 7519 §4.1.4: "on or after" exp it must not be accepted.
    assert_eq!(
        check(&token, &keys, &v, exp + 30),
        Err(Error::Expired),
        "exactly at the boundary"
    );
    assert_eq!(
        check(&token, &keys, &v, exp + 31),
        Err(Error::Expired),
        "one second past"
    );
}

#[test]
fn audience_array_without_ours() {
    let token = es256_token(
        EC_HEADER,
        &format!(r#"{{"aud":["other","account"],"exp":{}}}"#, NOW + 60),
    );
    let v = Validation::new().with_audience("mcp").unwrap();
    assert_eq!(
        check(&token, &ec_keys(), &v, NOW),
        Err(Error::WrongAudience)
    );
}

#[test]
fn a_one_megabyte_token() {
    let token = format!(
        "{}.{}.{}",
        "a".repeat(10),
        "b".repeat(1 << 20),
        "c".repeat(86)
    );
    assert_eq!(ec(&token), Err(Error::TokenTooLarge));
}

#[test]
fn claims_with_the_wrong_type() {
    for payload in [
        r#"{"exp":"9999999999"}"#,
        // An exponent is a NumericDate (RFC 7519 §2) unless out of range.
        r#"{"exp":1e400}"#,
        r#"{"exp":99999999999,"nbf":true}"#,
        r#"{"exp":99999999999,"sub":1}"#,
        r#"{"exp":99999999999,"aud":["a",1]}"#,
    ] {
        assert_eq!(
            ec(&es256_token(EC_HEADER, payload)),
            Err(Error::InvalidClaim),
            "{payload}"
        );
    }
}

#[test]
fn payload_that_is_not_an_object() {
    for payload in ["[]", "\"x\"", "", "{"] {
        let token = es256_token(EC_HEADER, payload);
        let got = ec(&token);
        assert!(
            matches!(got, Err(Error::InvalidJson) | Err(Error::MalformedToken)),
            "{payload}: {got:?}"
        );
    }
}

/// security-core.md #1: work before the signature is bounded. An unsigned
/// header of 1,200 distinct members (~10 ms through the quadratic exact
/// duplicate check before) is refused by the member limit, a long header
/// by the header limit, and a 105 KB token by the token limit, each before
/// anything costly.
#[test]
fn work_before_the_signature_is_bounded() {
    let hs = {
        let mut keys = KeySet::<4>::new();
        keys.push(Key::hs256(&[7u8; 32], None).unwrap()).unwrap();
        keys
    };
    let mut buf = vec![0u8; gatekey::buffer_len(200_000)];
    let mut run = |header: &str, v: &Validation| {
        let token = format!(
            "{}.{}.{}",
            b64(header.as_bytes()),
            b64(b"{}"),
            b64(&[0u8; 32])
        );
        verify(token.as_bytes(), hs.keys(), v, NOW, &mut buf).map(|_| ())
    };
    let names: Vec<String> = (0..1200).map(|i| format!("\"m{i}\":0")).collect();
    let wide = format!("{{\"alg\":\"HS256\",{}}}", names.join(","));
    let roomy = Validation::new()
        .with_limits(gatekey::claims::Limits {
            max_header_len: 16 * 1024,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(run(&wide, &roomy), Err(Error::TooManyMembers));
    assert_eq!(run(&wide, &Validation::new()), Err(Error::HeaderTooLarge));
    let long = format!("{{\"alg\":\"HS256\",\"x\":\"{}\"}}", "a".repeat(3000));
    assert_eq!(run(&long, &Validation::new()), Err(Error::HeaderTooLarge));
    assert_eq!(run(&long, &roomy), Err(Error::BadSignature));
    let huge = format!("{{\"alg\":\"HS256\",\"x\":\"{}\"}}", "a".repeat(100_000));
    assert_eq!(run(&huge, &roomy), Err(Error::TokenTooLarge));
    // Seventeen members is one past the default JOSE header limit.
    let seventeen: Vec<String> = (0..16).map(|i| format!("\"h{i}\":0")).collect();
    let header = format!("{{\"alg\":\"HS256\",{}}}", seventeen.join(","));
    assert_eq!(run(&header, &Validation::new()), Err(Error::TooManyMembers));
    assert!(Validation::new()
        .with_limits(gatekey::claims::Limits {
            max_header_members: 257,
            ..Default::default()
        })
        .is_err());
}

/// jsonwebtoken CVE-2026-25537: a wrongly typed `nbf` or `exp` was read as
/// "absent" and the token passed. Here every wrong type is `invalid_claim`,
/// required or not, on a miss and through the cache.
#[test]
fn cve_2026_25537_mistyped_times_never_pass() {
    let mut keys = KeySet::new();
    keys.push(Key::hs256(SECRET, None).unwrap()).unwrap();
    let loose = Validation::new().require_nothing();
    for claim in ["exp", "nbf", "iat"] {
        for value in [
            r#""9999999999""#,
            "true",
            "null",
            "[1]",
            r#"{"t":1}"#,
            "1e400",
        ] {
            let token = hs256_token(&format!(r#"{{"sub":"a","{claim}":{value}}}"#));
            for v in [&loose, &Validation::new()] {
                assert_eq!(
                    check(&token, &keys, v, NOW),
                    Err(Error::InvalidClaim),
                    "{claim}: {value}"
                );
            }
            let mut cache = gatekey::cache::Cache::<4>::new();
            let mut buf = [0u8; DEFAULT_BUFFER];
            let cached = gatekey::cache::verify_cached(
                &mut cache,
                1,
                token.as_bytes(),
                &loose,
                NOW,
                &mut buf,
                |t, b| verify(t, keys.keys(), &loose, NOW, b),
            );
            assert_eq!(cached.err(), Some(Error::InvalidClaim), "{claim} cached");
        }
    }
}

/// PyJWT's rule (RFC 7518 §3.4): the curve must match the algorithm. A
/// JWK whose `crv` is not P-256 never verifies an ES256 token, and an
/// ES256 key never verifies a token claiming another ECDSA algorithm.
#[test]
fn the_curve_must_match_the_algorithm() {
    let jwk = |crv: &str, alg: &str| {
        let point = signing_key().verifying_key().to_encoded_point(false);
        format!(
            r#"{{"keys":[{{"kty":"EC","crv":"{crv}","alg":"{alg}","kid":"ec1","x":"{}","y":"{}"}}]}}"#,
            b64(point.x().unwrap()),
            b64(point.y().unwrap())
        )
    };
    let token = es256_token(EC_HEADER, &format!(r#"{{"exp":{}}}"#, NOW + 60));
    // The P-256 point published as P-384 or P-521, or for ES384: unusable.
    for (crv, alg) in [("P-384", "ES256"), ("P-521", "ES256"), ("P-256", "ES384")] {
        match KeySet::from_jwks(jwk(crv, alg).as_bytes()) {
            Ok(keys) => assert_eq!(
                check(&token, &keys, &Validation::new(), NOW),
                Err(Error::UnknownKey),
                "{crv}/{alg}"
            ),
            Err(e) => assert!(
                matches!(e, Error::InvalidJwks | Error::UnsupportedKey),
                "{crv}/{alg}: {e:?}"
            ),
        }
    }
    // An ES256 key and a token that says ES384 or ES512.
    for alg in ["ES384", "ES512"] {
        let header = format!(r#"{{"alg":"{alg}","kid":"ec1"}}"#);
        let forged = es256_token(&header, &format!(r#"{{"exp":{}}}"#, NOW + 60));
        assert_eq!(ec(&forged), Err(Error::AlgorithmMismatch), "{alg}");
    }
}

/// security-core.md #7 and #8: a kid is a hint to a one-key set whose key
/// has none; keys sharing a kid are told apart by the token's alg (the
/// key still decides the algorithm: alg only breaks the tie).
#[test]
fn kid_selection_follows_rfc_7515_and_7517() {
    let payload = format!(r#"{{"exp":{}}}"#, NOW + 60);
    let mut one = KeySet::new();
    one.push(Key::hs256(SECRET, None).unwrap()).unwrap();
    let named = hs256_sign(SECRET, r#"{"alg":"HS256","kid":"kc-2026"}"#, &payload);
    assert_eq!(check(&named, &one, &Validation::new(), NOW), Ok(()));
    // Not once a second key is there, nor when the one key has a kid.
    let mut two = one.clone();
    two.push(Key::hs256(&[9u8; 32], Some(b"other")).unwrap())
        .unwrap();
    assert_eq!(
        check(&named, &two, &Validation::new(), NOW),
        Err(Error::UnknownKey)
    );
    let mut other = KeySet::new();
    other
        .push(Key::hs256(SECRET, Some(b"other")).unwrap())
        .unwrap();
    assert_eq!(
        check(&named, &other, &Validation::new(), NOW),
        Err(Error::UnknownKey)
    );

    // One kid, two key types.
    let mut shared = KeySet::from_jwks(es256_jwks().replace("ec1", "k").as_bytes()).unwrap();
    shared
        .push(Key::hs256(SECRET, Some(b"k")).unwrap())
        .unwrap();
    let es = es256_token(r#"{"alg":"ES256","kid":"k"}"#, &payload);
    let hs = hs256_sign(SECRET, r#"{"alg":"HS256","kid":"k"}"#, &payload);
    assert_eq!(check(&es, &shared, &Validation::new(), NOW), Ok(()));
    assert_eq!(check(&hs, &shared, &Validation::new(), NOW), Ok(()));
    let rs = hs256_sign(SECRET, r#"{"alg":"RS256","kid":"k"}"#, &payload);
    assert_eq!(
        check(&rs, &shared, &Validation::new(), NOW),
        Err(Error::AlgorithmMismatch)
    );
}

/// security-core.md #9 and #11: public-key text is no HMAC secret, and a
/// JWK whose key_ops leave out "verify" is not a verification key.
#[test]
fn key_hygiene() {
    let pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEexample\n-----END PUBLIC KEY-----\n";
    assert_eq!(
        Key::hs256(pem.as_bytes(), None).err(),
        Some(Error::PublicKeyAsSecret)
    );
    assert_eq!(
        Key::hs256(es256_jwks().as_bytes(), None).err(),
        Some(Error::PublicKeyAsSecret)
    );
    let with_ops = |ops: &str| {
        es256_jwks().replace(r#""kid":"ec1""#, &format!(r#""kid":"ec1","key_ops":{ops}"#))
    };
    let usable = |jwks: String| KeySet::<2>::from_jwks(jwks.as_bytes()).map(|k| k.len());
    assert_eq!(usable(with_ops(r#"["verify"]"#)), Ok(1));
    assert_eq!(usable(with_ops(r#"["sign","verify"]"#)), Ok(1));
    assert_ne!(usable(with_ops(r#"["encrypt"]"#)), Ok(1));
    assert_ne!(usable(with_ops(r#""verify""#)), Ok(1));
}
