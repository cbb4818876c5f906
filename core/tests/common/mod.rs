//! Test helpers: minting tokens, reading the shared data files.
#![allow(
    dead_code,
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

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, Mac};
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use sha2::Sha256;

pub const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-gateway-secret";
pub const NOW: i64 = 1_750_000_000;

pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

pub fn signing_key() -> SigningKey {
    SigningKey::from_slice(&[7u8; 32]).unwrap()
}

/// The JWKS holding `signing_key()`'s public key as kid "ec1".
pub fn es256_jwks() -> String {
    let point = signing_key().verifying_key().to_encoded_point(false);
    format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"ec1","use":"sig","alg":"ES256","x":"{}","y":"{}"}}]}}"#,
        b64(point.x().unwrap()),
        b64(point.y().unwrap())
    )
}

pub fn es256_token(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig: Signature = signing_key().sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

pub fn hs256_sign(secret: &[u8], header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

pub fn hs256_token(payload: &str) -> String {
    hs256_sign(SECRET, r#"{"alg":"HS256","typ":"JWT"}"#, payload)
}

/// A realistic access token payload valid at NOW.
pub fn access_claims(sub: &str) -> String {
    format!(
        r#"{{"iss":"https://idp.example","sub":"{sub}","aud":["mcp","account"],"exp":{},"iat":{},"jti":"j-{sub}","scope":"tools:list tools:call","client_id":"gw"}}"#,
        NOW + 600,
        NOW - 10
    )
}

pub fn data_file(name: &str) -> String {
    let path = format!("{}/tests/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn shared_file(name: &str) -> String {
    let path = format!("{}/../tests/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
