//! The request hot path, for instruction counting under callgrind
//! (`make profile`): extract + resolve, and authenticate on a cache hit,
//! on the same 12-header request as the criterion benches, and an HS256
//! verification. Instruction
//! counts do not depend on what else the machine is doing, so they show
//! where a change moves the cost when wall-clock timings are too noisy.
//!
//! `cargo run --release -p gatekey-benches --example hot_path -- resolve 100000`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::std_instead_of_core,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::cache::{verify_cached, Cache};
use gatekey::{
    authenticate_with, resolve, verify, Key, KeySet, Policy, Request, Validation, DEFAULT_BUFFER,
};
use hmac::{Hmac, Mac};
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use sha2::Sha256;

const NOW: i64 = 1_750_000_000;

fn b64(b: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(b)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "resolve".into());
    let n: u32 = args.next().map_or(100_000, |s| s.parse().unwrap());

    let sk = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let point = sk.verifying_key().to_encoded_point(false);
    let jwks = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"idp-2025","x":"{}","y":"{}"}}]}}"#,
        b64(point.x().unwrap()),
        b64(point.y().unwrap())
    );
    let keys: KeySet = KeySet::from_jwks(jwks.as_bytes()).unwrap();
    let iss = "https://idp.example.com/realms/mcp";
    let header = r#"{"alg":"ES256","typ":"at+jwt","kid":"idp-2025"}"#;
    let payload = format!(
        r#"{{"iss":"{iss}","sub":"5f0c2a4e-8a1b-4c39-9d0e-2f6b7c8d9e0a","aud":["mcp-server","account"],"exp":{},"iat":{},"jti":"0b6f3c1e-4d2a-4f8b-9c7e-1a2b3c4d5e6f","scope":"openid profile tools:list tools:call","client_id":"mcp-gateway"}}"#,
        NOW + 3600,
        NOW - 60
    );
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig: Signature = sk.sign(input.as_bytes());
    let token = format!("{input}.{}", b64(&sig.to_bytes()));
    let validation = Validation::new()
        .with_issuer(iss)
        .unwrap()
        .with_audience("mcp-server")
        .unwrap();

    let auth = format!("Bearer {token}");
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
        (
            b"cookie",
            b"theme=dark; lang=en; _ga=GA1.2.1234567890.1700000000; csrftoken=abc123; session_hint=1",
        ),
        (b"authorization", auth.as_bytes()),
    ];
    let secret = b"0123456789abcdef0123456789abcdef-gateway-secret";
    let hs_keys = [Key::hs256(secret, None).unwrap()];
    let hs_input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(payload.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(hs_input.as_bytes());
    let hs_token = format!("{hs_input}.{}", b64(&mac.finalize().into_bytes()));
    let policy = Policy::header_first();
    let mut cache = Cache::<64>::new();
    let mut buf = vec![0u8; DEFAULT_BUFFER];
    let mut sink = 0usize;
    for _ in 0..n {
        match what.as_str() {
            "resolve" => {
                let r =
                    resolve(&policy, Request::new(black_box(&headers).iter().copied())).unwrap();
                sink = sink.wrapping_add(r.shadowed.len());
            }
            "cached" => {
                let id = authenticate_with(
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
                .unwrap();
                sink = sink.wrapping_add(id.credential.len());
            }
            "hs256" => {
                let v = verify(
                    black_box(hs_token.as_bytes()),
                    &hs_keys,
                    &validation,
                    NOW,
                    &mut buf,
                )
                .unwrap();
                sink = sink.wrapping_add(v.claims.json().len());
            }
            other => {
                eprintln!("unknown case {other}: resolve, cached or hs256");
                std::process::exit(2);
            }
        }
    }
    println!("{what} x{n}: {sink}");
}
