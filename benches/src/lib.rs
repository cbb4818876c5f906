//! The fixtures every gatekey benchmark shares, so that all of them time the
//! same tokens and the same request: the access token of issue 7 (iss,
//! sub, aud array, exp, iat, jti, scope, client_id; `kid` and
//! `typ: at+jwt`), the same claims as an HS256 gateway token, and a
//! 12-field MCP POST with a 5-cookie `Cookie` field.
//!
//! The benchmarks are in `benches/` (criterion) and `examples/hot_path.rs`
//! (instruction counts); this crate is only their common ground.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::cache::{verify_cached, Cache};
use gatekey::{
    authenticate_with, verify, Error, Identity, Key, KeySet, Policy, Request, Validation,
};
use hmac::{Hmac, Mac};
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use sha2::Sha256;

/// The fixed clock of every benchmark (seconds since the epoch).
pub const NOW: i64 = 1_750_000_000;
/// The HS256 secret.
pub const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-gateway-secret";
/// The issuer the tokens name and the validation expects.
pub const ISS: &str = "https://idp.example.com/realms/mcp";
/// The audience the validation expects (the tokens name it among two).
pub const AUDIENCE: &str = "mcp-server";
/// The ES256 token's JOSE header.
pub const ES256_HEADER: &str = r#"{"alg":"ES256","typ":"at+jwt","kid":"idp-2025"}"#;
/// The HS256 token's JOSE header.
pub const HS256_HEADER: &str = r#"{"alg":"HS256","typ":"JWT","kid":"gw"}"#;

/// Unpadded base64url.
#[must_use]
pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// The claims of issue 7's access token, valid at [`NOW`].
#[must_use]
pub fn claims() -> String {
    format!(
        r#"{{"iss":"{ISS}","sub":"5f0c2a4e-8a1b-4c39-9d0e-2f6b7c8d9e0a","aud":["{AUDIENCE}","account"],"exp":{},"iat":{},"jti":"0b6f3c1e-4d2a-4f8b-9c7e-1a2b3c4d5e6f","scope":"openid profile tools:list tools:call","client_id":"mcp-gateway"}}"#,
        NOW + 3600,
        NOW - 60
    )
}

/// The identity provider's P-256 key (fixed, so runs are comparable).
#[must_use]
pub fn signing_key() -> SigningKey {
    SigningKey::from_slice(&[7u8; 32]).unwrap()
}

/// The JWKS with the public half of [`signing_key`] as `idp-2025`.
#[must_use]
pub fn jwks() -> String {
    let point = signing_key().verifying_key().to_encoded_point(false);
    format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"idp-2025","x":"{}","y":"{}"}}]}}"#,
        b64(point.x().unwrap()),
        b64(point.y().unwrap())
    )
}

/// The key set every gatekey benchmark verifies with: the JWKS key and
/// the HS256 secret as `gw`.
#[must_use]
pub fn keys<const N: usize>() -> KeySet<N> {
    let mut keys = KeySet::from_jwks(jwks().as_bytes()).unwrap();
    keys.push(Key::hs256(SECRET, Some(b"gw")).unwrap()).unwrap();
    keys
}

/// Issuer and audience checks, as a resource server configures them.
#[must_use]
pub fn validation() -> Validation {
    Validation::new()
        .with_issuer(ISS)
        .unwrap()
        .with_audience(AUDIENCE)
        .unwrap()
}

/// A compact JWS of `header` and `payload` signed with [`signing_key`].
#[must_use]
pub fn sign_es256(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let signature: Signature = signing_key().sign(input.as_bytes());
    format!("{input}.{}", b64(&signature.to_bytes()))
}

/// A compact JWS of `header` and `payload` MACed with [`SECRET`].
#[must_use]
pub fn sign_hs256(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

/// The ES256 access token.
#[must_use]
pub fn es256_token() -> String {
    sign_es256(ES256_HEADER, &claims())
}

/// The HS256 gateway token with the same claims.
#[must_use]
pub fn hs256_token() -> String {
    sign_hs256(HS256_HEADER, &claims())
}

/// A typical MCP POST carrying `Authorization: Bearer <token>`: 12 header
/// fields, among them a `Cookie` field with 5 cookies (none of them the
/// credential cookie).
#[must_use]
pub fn request(token: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("host", "gateway.example.com"),
        ("user-agent", "mcp-client/1.4 (python-httpx/0.27)"),
        ("accept", "application/json, text/event-stream"),
        ("accept-encoding", "gzip, deflate, br"),
        ("accept-language", "en-US,en;q=0.9"),
        ("content-type", "application/json"),
        ("content-length", "187"),
        ("mcp-protocol-version", "2025-06-18"),
        ("x-request-id", "5b3f0a2e-1c4d-4e6f-8a9b-0c1d2e3f4a5b"),
        ("x-forwarded-for", "203.0.113.7"),
        (
            "cookie",
            "theme=dark; lang=en; _ga=GA1.2.1234567890.1700000000; csrftoken=abc123; session_hint=1",
        ),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    fields.push(("authorization".into(), format!("Bearer {token}")));
    fields
}

/// `fields` as the byte pairs gatekey reads.
#[must_use]
pub fn pairs(fields: &[(String, String)]) -> Vec<(&[u8], &[u8])> {
    fields
        .iter()
        .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
        .collect()
}

/// One request authenticated through `cache` (a hit once the token is in
/// it): what the cached benchmark times and `make instructions` counts.
///
/// # Errors
/// As [`gatekey::authenticate_with`].
pub fn authenticate_through<'a, const K: usize, const N: usize>(
    headers: &'a [(&'a [u8], &'a [u8])],
    policy: &Policy,
    keys: &KeySet<K>,
    validation: &Validation,
    cache: &mut Cache<N>,
    buf: &'a mut [u8],
) -> Result<Identity<'a>, Error> {
    authenticate_with(
        Request::new(headers.iter().copied()),
        policy,
        buf,
        |token, buf| {
            verify_cached(
                cache,
                keys.generation(),
                token,
                validation,
                NOW,
                buf,
                |token, buf| verify(token, keys.keys(), validation, NOW, buf),
            )
        },
    )
}

/// The hosted verifier every binding calls, with the fixtures' keys and
/// checks and a cache of 1024 tokens.
#[cfg(feature = "hosted")]
#[must_use]
pub fn host_verifier() -> gatekey_host::Verifier {
    use gatekey_host::{Keys, OptionValue, Options, Verifier};
    let mut options = Options::default();
    options.set("issuer", OptionValue::Str(ISS.into())).unwrap();
    options
        .set("audience", OptionValue::Str(AUDIENCE.into()))
        .unwrap();
    options.set("cache_size", OptionValue::Int(1024)).unwrap();
    Verifier::new(Keys::One(Box::new(keys())), Policy::header_first(), options).unwrap()
}

/// One request authenticated by the hosted verifier (a cache hit once the
/// token is in its cache), as a binding calls it.
///
/// # Errors
/// As [`gatekey_host::Verifier::authenticate`].
#[cfg(feature = "hosted")]
pub fn authenticate_host<'a>(
    headers: &'a [(&'a [u8], &'a [u8])],
    verifier: &gatekey_host::Verifier,
    buf: &'a mut [u8],
) -> Result<Identity<'a>, gatekey_host::Failure> {
    verifier
        .authenticate(
            Request::new(headers.iter().copied()),
            NOW,
            buf,
            &gatekey_host::InPlace,
        )?
        .ok_or(gatekey_host::Failure::from(Error::MissingCredential))
}
