//! EdDSA, HS384 and HS512 tokens end to end (`verify`), and the confusion
//! cases the key's fixed algorithm refuses (RFC 8725 §3.1): a token's
//! `alg` never chooses, so a header naming another algorithm than the
//! key's, of the same family or not, is refused before any signature
//! check.
#![cfg(all(feature = "eddsa", feature = "hs512"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core,
    clippy::arithmetic_side_effects
)]

mod common;

use common::{access_claims, b64, hex, NOW};
use ed25519_dalek::{Signer, SigningKey};
use gatekey::{verify, Algorithm, Error, Key, KeySet, Validation, DEFAULT_BUFFER};
use hmac::{Hmac, Mac};

/// RFC 8032 §7.1, TEST 1.
fn ed25519_signing_key() -> SigningKey {
    let secret: [u8; 32] = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        .try_into()
        .unwrap();
    SigningKey::from_bytes(&secret)
}

fn ed25519_jwk(kid: &str) -> String {
    let x = b64(ed25519_signing_key().verifying_key().as_bytes());
    format!(r#"{{"kty":"OKP","crv":"Ed25519","kid":"{kid}","alg":"EdDSA","x":"{x}"}}"#)
}

fn eddsa_token(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig = ed25519_signing_key().sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

macro_rules! mac {
    ($hash:ty, $secret:expr, $input:expr) => {{
        let mut m = Hmac::<$hash>::new_from_slice($secret).unwrap();
        m.update($input.as_bytes());
        m.finalize().into_bytes().to_vec()
    }};
}

fn hmac_token(alg: &str, secret: &[u8], payload: &str) -> String {
    let header = format!(r#"{{"alg":"{alg}"}}"#);
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let tag = match alg {
        "HS256" => mac!(sha2::Sha256, secret, input),
        "HS384" => mac!(sha2::Sha384, secret, input),
        _ => mac!(sha2::Sha512, secret, input),
    };
    format!("{input}.{}", b64(&tag))
}

fn check(token: &str, keys: &[Key]) -> Result<String, Error> {
    let validation = Validation::new().with_audience("mcp").unwrap();
    let mut buf = [0u8; DEFAULT_BUFFER];
    verify(token.as_bytes(), keys, &validation, NOW, &mut buf).map(|v| {
        v.claims
            .get("sub")
            .and_then(|s| s.as_str())
            .unwrap()
            .decode_into(&mut [0u8; 64])
            .unwrap()
            .to_owned()
    })
}

#[test]
fn eddsa_tokens_verify_with_an_okp_key_from_jwks() {
    let jwks = format!(r#"{{"keys":[{}]}}"#, ed25519_jwk("ed1"));
    let set = KeySet::<2>::from_jwks(jwks.as_bytes()).unwrap();
    assert_eq!(set.keys()[0].algorithm(), Algorithm::EdDsa);
    let token = eddsa_token(r#"{"alg":"EdDSA","kid":"ed1"}"#, &access_claims("alice"));
    assert_eq!(check(&token, set.keys()).as_deref(), Ok("alice"));
    // Without kid, the only EdDSA key is chosen.
    let bare = eddsa_token(r#"{"alg":"EdDSA"}"#, &access_claims("bob"));
    assert_eq!(check(&bare, set.keys()).as_deref(), Ok("bob"));
    // Any changed byte of the signature is refused.
    let mut forged = token.into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        check(core::str::from_utf8(&forged).unwrap(), set.keys()),
        Err(Error::BadSignature)
    );
    // A JWK with a private part is no verification key.
    let private = ed25519_jwk("ed2").replace(r#""x":"#, r#""d":"AAAA","x":"#);
    assert_eq!(
        Key::from_jwk(private.as_bytes()).err(),
        Some(Error::InvalidJwk)
    );
}

#[test]
fn hs384_and_hs512_verify_with_keys_of_their_size() {
    let secret = [7u8; 64];
    for (alg, algorithm) in [("HS384", Algorithm::Hs384), ("HS512", Algorithm::Hs512)] {
        let jwk = format!(r#"{{"kty":"oct","alg":"{alg}","k":"{}"}}"#, b64(&secret));
        let key = Key::from_jwk(jwk.as_bytes()).unwrap();
        assert_eq!(key.algorithm(), algorithm);
        let token = hmac_token(alg, &secret, &access_claims("carol"));
        assert_eq!(
            check(&token, core::slice::from_ref(&key)).as_deref(),
            Ok("carol"),
            "{alg}"
        );
        // Another secret of the same size: refused.
        let other = hmac_token(alg, &[8u8; 64], &access_claims("carol"));
        assert_eq!(check(&other, &[key]), Err(Error::BadSignature), "{alg}");
    }
    // RFC 7518 §3.2: the key is at least the hash's output.
    assert_eq!(
        Key::hmac(Algorithm::Hs384, &[7u8; 47], None).err(),
        Some(Error::WeakKey)
    );
    assert_eq!(
        Key::hmac(Algorithm::Hs512, &[7u8; 63], None).err(),
        Some(Error::WeakKey)
    );
    assert!(Key::hmac(Algorithm::Hs512, &[7u8; 64], None).is_ok());
    assert_eq!(
        Key::hmac(Algorithm::EdDsa, &[7u8; 64], None).err(),
        Some(Error::UnsupportedKey)
    );
}

#[test]
fn the_key_decides_the_algorithm_never_the_header() {
    let secret = [7u8; 64];
    let hs256 = Key::hmac(Algorithm::Hs256, &secret, None).unwrap();
    let hs512 = Key::hmac(Algorithm::Hs512, &secret, None).unwrap();
    let ed = Key::from_jwk(ed25519_jwk("ed1").as_bytes()).unwrap();
    let claims = access_claims("mallory");
    // Same secret, another hash: each key takes only its own.
    assert!(check(
        &hmac_token("HS512", &secret, &claims),
        core::slice::from_ref(&hs256)
    )
    .is_err());
    assert!(check(
        &hmac_token("HS256", &secret, &claims),
        core::slice::from_ref(&hs512)
    )
    .is_err());
    assert!(check(
        &hmac_token("HS384", &secret, &claims),
        core::slice::from_ref(&hs512)
    )
    .is_err());
    // EdDSA header against HMAC keys, and an HMAC made with the Ed25519
    // public key's bytes against the Ed25519 key.
    let eddsa = eddsa_token(r#"{"alg":"EdDSA"}"#, &claims);
    assert!(check(&eddsa, &[hs256.clone(), hs512.clone()]).is_err());
    let pk = ed25519_signing_key().verifying_key().to_bytes();
    let mut long_pk = pk.to_vec();
    long_pk.extend_from_slice(&pk); // 64 bytes, long enough for HS512
    for alg in ["HS256", "HS512"] {
        assert!(
            check(
                &hmac_token(alg, &long_pk, &claims),
                core::slice::from_ref(&ed)
            )
            .is_err(),
            "{alg}"
        );
    }
    // An ES256 header with an Ed25519 key, and an EdDSA header with an
    // ES256 key: refused, whatever the signature.
    let es_header = eddsa_token(r#"{"alg":"ES256"}"#, &claims);
    assert!(check(&es_header, core::slice::from_ref(&ed)).is_err());
    let es_jwks = common::es256_jwks();
    let es = KeySet::<1>::from_jwks(es_jwks.as_bytes()).unwrap();
    assert!(check(&eddsa, es.keys()).is_err());
    // The text of an Ed25519 public key is no HMAC secret.
    let ssh = b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk3bWZmZmZmZmZmZmZmZmZmZmZmZmZmZmZm user@host";
    assert_eq!(
        Key::hmac(Algorithm::Hs512, ssh, None).err(),
        Some(Error::PublicKeyAsSecret)
    );
    // And an OKP JWK naming another alg is unsupported, not reinterpreted.
    let relabelled = ed25519_jwk("ed1").replace(r#""alg":"EdDSA""#, r#""alg":"ES256""#);
    assert_eq!(
        Key::from_jwk(relabelled.as_bytes()).err(),
        Some(Error::UnsupportedKey)
    );
}
