//! ES256 and HS256 from token to claims: gatekey (on the backend this
//! build selects, see `make bench`) next to the raw signature floors (p256,
//! ring) and jsonwebtoken, plus the verified-token cache. One run, same
//! tokens; BENCHMARKS.md reads the ratios.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::std_instead_of_core,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{criterion_group, criterion_main, Criterion};
use gatekey::cache::{verify_cached, Cache};
use gatekey::{
    authenticate_with, verify, Key, KeySet, Policy, Request, Validation, DEFAULT_BUFFER,
};
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{signature::Signer, Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

const NOW: i64 = 1_750_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-gateway-secret";
const ISS: &str = "https://idp.example.com/realms/mcp";

fn backend() -> &'static str {
    if cfg!(feature = "hosted") {
        "hosted: large tables"
    } else if cfg!(feature = "ring") {
        "ring"
    } else if cfg!(feature = "table") {
        "no_std: small tables"
    } else {
        "p256"
    }
}

fn b64(b: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(b)
}

/// The ~400-byte access token of issue 7: iss, aud, exp, iat, jti, scope, client_id, kid.
fn claims() -> String {
    format!(
        r#"{{"iss":"{ISS}","sub":"5f0c2a4e-8a1b-4c39-9d0e-2f6b7c8d9e0a","aud":["mcp-server","account"],"exp":{},"iat":{},"jti":"0b6f3c1e-4d2a-4f8b-9c7e-1a2b3c4d5e6f","scope":"openid profile tools:list tools:call","client_id":"mcp-gateway"}}"#,
        NOW + 3600,
        NOW - 60
    )
}

fn sign_es256(sk: &SigningKey, header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig: Signature = sk.sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

fn sign_hs256(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct PeerClaims {
    iss: String,
    sub: String,
    exp: i64,
}

fn benches(c: &mut Criterion) {
    let sk = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let vk: VerifyingKey = *sk.verifying_key();
    let point = vk.to_encoded_point(false);
    let jwks = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"idp-2025","x":"{}","y":"{}"}}]}}"#,
        b64(point.x().unwrap()),
        b64(point.y().unwrap())
    );
    let mut keys = KeySet::<4>::from_jwks(jwks.as_bytes()).unwrap();
    keys.push(Key::hs256(SECRET, Some(b"gw")).unwrap()).unwrap();
    let validation = Validation::new()
        .with_issuer(ISS)
        .unwrap()
        .with_audience("mcp-server")
        .unwrap();
    let es = sign_es256(
        &sk,
        r#"{"alg":"ES256","typ":"at+jwt","kid":"idp-2025"}"#,
        &claims(),
    );
    let hs = sign_hs256(r#"{"alg":"HS256","typ":"JWT","kid":"gw"}"#, &claims());
    println!(
        "backend: {}; ES256 token {} bytes; HS256 token {} bytes",
        backend(),
        es.len(),
        hs.len()
    );

    let (input, sig_b64) = es.rsplit_once('.').unwrap();
    let sig_bytes = Base64UrlUnpadded::decode_vec(sig_b64).unwrap();

    let mut jwt_validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    jwt_validation.set_issuer(&[ISS]);
    jwt_validation.set_audience(&["mcp-server"]);
    jwt_validation.validate_exp = false; // fixed clock in the fixture; gatekey checks exp against NOW
    let jwt_es_key = jsonwebtoken::DecodingKey::from_ec_components(
        &b64(point.x().unwrap()),
        &b64(point.y().unwrap()),
    )
    .unwrap();
    let mut jwt_hs_validation = jwt_validation.clone();
    jwt_hs_validation.algorithms = vec![jsonwebtoken::Algorithm::HS256];
    let jwt_hs_key = jsonwebtoken::DecodingKey::from_secret(SECRET);

    let mut g = c.benchmark_group("es256");
    g.bench_function("floor: p256 verify_prehash", |b| {
        let sig = Signature::from_slice(&sig_bytes).unwrap();
        b.iter(|| {
            vk.verify_prehash(&Sha256::digest(black_box(input.as_bytes())), &sig)
                .unwrap()
        });
    });
    g.bench_function("floor: ring verify", |b| {
        let key = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            point.as_bytes(),
        );
        b.iter(|| key.verify(black_box(input.as_bytes()), &sig_bytes).unwrap());
    });
    g.bench_function(format!("gatekey verify [{}]", backend()), |b| {
        let mut buf = [0u8; DEFAULT_BUFFER];
        b.iter(|| {
            verify(
                black_box(es.as_bytes()),
                keys.keys(),
                &validation,
                NOW,
                &mut buf,
            )
            .unwrap();
        });
    });
    g.bench_function("jsonwebtoken decode (rust_crypto)", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<PeerClaims>(black_box(&es), &jwt_es_key, &jwt_validation)
                .unwrap()
        });
    });
    g.finish();

    let mut g = c.benchmark_group("hs256");
    g.bench_function("gatekey verify", |b| {
        let mut buf = [0u8; DEFAULT_BUFFER];
        b.iter(|| {
            verify(
                black_box(hs.as_bytes()),
                keys.keys(),
                &validation,
                NOW,
                &mut buf,
            )
            .unwrap();
        });
    });
    g.bench_function("jsonwebtoken decode (rust_crypto)", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<PeerClaims>(black_box(&hs), &jwt_hs_key, &jwt_hs_validation)
                .unwrap()
        });
    });
    g.finish();

    let auth = format!("Bearer {es}");
    // The 12-field request of the extract + resolve bench.
    let headers: Vec<(&[u8], &[u8])> = vec![
        (b"host", b"gateway.example.com"),
        (b"user-agent", b"mcp-client/1.4 (python-httpx/0.27)"),
        (b"accept", b"application/json, text/event-stream"),
        (b"accept-encoding", b"gzip, deflate, br"),
        (b"accept-language", b"en-US,en;q=0.9"),
        (b"content-type", b"application/json"),
        (b"content-length", b"187"),
        (b"mcp-protocol-version", b"2025-06-18"),
        (b"x-request-id", b"5b3f0a2e-1c4d-4e6f-8a9b-0c1d2e3f4a5b"),
        (b"x-forwarded-for", b"203.0.113.7"),
        (b"cookie", b"theme=dark; lang=en; _ga=GA1.2.1234567890.1700000000; csrftoken=abc123; session_hint=1"),
        (b"authorization", auth.as_bytes()),
    ];
    let policy = Policy::header_first();
    let mut g = c.benchmark_group("cached");
    g.bench_function("gatekey authenticate ES256, cache hit (12 headers)", |b| {
        let mut cache = Cache::<64>::new();
        // One buffer per worker, reused across requests, as servers do.
        let mut buf = vec![0u8; DEFAULT_BUFFER];
        b.iter(|| {
            authenticate_with(
                Request::new(black_box(&headers).iter().copied()),
                &policy,
                &mut buf,
                |t, buf| {
                    verify_cached(
                        &mut cache,
                        keys.generation(),
                        t,
                        &validation,
                        NOW,
                        buf,
                        |t, buf| verify(t, keys.keys(), &validation, NOW, buf),
                    )
                },
            )
            .map(|id| id.source)
            .unwrap()
        });
    });
    g.finish();
}

criterion_group!(name = group; config = Criterion::default().sample_size(40).measurement_time(std::time::Duration::from_secs(3)); targets = benches);
criterion_main!(group);
