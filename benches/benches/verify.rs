//! gatekey's per-request costs next to the raw signature floor, on the
//! same realistic tokens, in one run: `make bench`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::std_instead_of_core,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{criterion_group, criterion_main, Criterion};
use gatekey::{
    authenticate, resolve, verify, Key, KeySet, Policy, Request, Validation, DEFAULT_BUFFER,
};
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{signature::Signer, Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

const NOW: i64 = 1_750_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-gateway-secret";

fn b64(b: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(b)
}

/// A ~400-byte access token payload: iss, aud, exp, iat, jti, scope, client_id.
fn claims() -> String {
    format!(
        r#"{{"iss":"https://idp.example.com/realms/mcp","sub":"5f0c2a4e-8a1b-4c39-9d0e-2f6b7c8d9e0a","aud":["mcp-server","account"],"exp":{},"iat":{},"jti":"0b6f3c1e-4d2a-4f8b-9c7e-1a2b3c4d5e6f","scope":"openid profile tools:list tools:call","client_id":"mcp-gateway"}}"#,
        NOW + 3600,
        NOW - 60
    )
}

struct Fixture {
    keys: KeySet,
    validation: Validation,
    es256: String,
    hs256: String,
    vk: VerifyingKey,
    rsa: Rsa,
}

/// RSA tokens minted by jsonwebtoken with the core's test keys, and the
/// same keys as jsonwebtoken decoding keys.
struct Rsa {
    rs256: String,
    ps256: String,
    rs256_4096: String,
    jwt_key: jsonwebtoken::DecodingKey,
    jwt_key_4096: jsonwebtoken::DecodingKey,
}

fn test_key(name: &str) -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/vectors/rsa_test_keys.json"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == name)
        .unwrap()
        .clone()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn rsa_fixture(keys: &mut KeySet) -> Rsa {
    use jsonwebtoken::{encode, Algorithm, DecodingKey, EncodingKey, Header};
    let claims: serde_json::Value = serde_json::from_str(&claims()).unwrap();
    let mut mint = |name: &str, kid: &str, alg: Algorithm| {
        let k = test_key(name);
        let (n, e) = (hex(k["n"].as_str().unwrap()), hex(k["e"].as_str().unwrap()));
        let key = match alg {
            Algorithm::PS256 => Key::ps256(&n, &e, Some(kid.as_bytes())),
            _ => Key::rs256(&n, &e, Some(kid.as_bytes())),
        };
        keys.push(key.unwrap()).unwrap();
        let mut header = Header::new(alg);
        header.kid = Some(kid.into());
        let private = EncodingKey::from_rsa_pem(k["private_pem"].as_str().unwrap().as_bytes());
        let token = encode(&header, &claims, &private.unwrap()).unwrap();
        let public = DecodingKey::from_rsa_components(&b64(&n), &b64(&e)).unwrap();
        (token, public)
    };
    let (rs256, jwt_key) = mint("issuer-a", "rsa-a", Algorithm::RS256);
    let (ps256, _) = mint("issuer-a", "rsa-a-pss", Algorithm::PS256);
    let (rs256_4096, jwt_key_4096) = mint("rsa-4096", "rsa-4096", Algorithm::RS256);
    Rsa {
        rs256,
        ps256,
        rs256_4096,
        jwt_key,
        jwt_key_4096,
    }
}

fn fixture() -> Fixture {
    let sk = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let vk = *sk.verifying_key();
    let point = vk.to_encoded_point(false);
    let jwks = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"idp-2025","x":"{}","y":"{}"}}]}}"#,
        b64(point.x().unwrap()),
        b64(point.y().unwrap())
    );
    let mut keys = KeySet::from_jwks(jwks.as_bytes()).unwrap();
    keys.push(Key::hs256(SECRET, Some(b"gw")).unwrap()).unwrap();
    let rsa = rsa_fixture(&mut keys);

    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"ES256","typ":"at+jwt","kid":"idp-2025"}"#),
        b64(claims().as_bytes())
    );
    let sig: Signature = sk.sign(input.as_bytes());
    let es256 = format!("{input}.{}", b64(&sig.to_bytes()));

    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT","kid":"gw"}"#),
        b64(claims().as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    let hs256 = format!("{input}.{}", b64(&mac.finalize().into_bytes()));

    let validation = Validation::new()
        .with_issuer("https://idp.example.com/realms/mcp")
        .unwrap()
        .with_audience("mcp-server")
        .unwrap();
    Fixture {
        keys,
        validation,
        es256,
        hs256,
        vk,
        rsa,
    }
}

fn request_headers(token: &str) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = [
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
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    h.push((
        "cookie".into(),
        "theme=dark; lang=en; _ga=GA1.2.1234567890.1700000000; csrftoken=abc123; session_hint=1"
            .into(),
    ));
    h.push(("authorization".into(), format!("Bearer {token}")));
    h
}

fn benches(c: &mut Criterion) {
    let f = fixture();
    println!(
        "ES256 token: {} bytes; HS256 token: {} bytes",
        f.es256.len(),
        f.hs256.len()
    );

    let mut g = c.benchmark_group("es256");
    g.bench_function("p256 verify_prehash (floor: signature only)", |b| {
        let parts: Vec<&str> = f.es256.rsplitn(2, '.').collect();
        let sig = Signature::from_slice(&Base64UrlUnpadded::decode_vec(parts[0]).unwrap()).unwrap();
        let input = parts[1].as_bytes();
        b.iter(|| {
            f.vk.verify_prehash(&Sha256::digest(black_box(input)), &sig)
                .unwrap()
        });
    });
    g.bench_function(
        "gatekey verify (parse + base64 + signature + claims)",
        |b| {
            let mut buf = [0u8; DEFAULT_BUFFER];
            b.iter(|| {
                verify(
                    black_box(f.es256.as_bytes()),
                    f.keys.keys(),
                    &f.validation,
                    NOW,
                    &mut buf,
                )
                .unwrap();
            });
        },
    );
    g.finish();

    let mut g = c.benchmark_group("hs256");
    g.bench_function("gatekey verify", |b| {
        let mut buf = [0u8; DEFAULT_BUFFER];
        b.iter(|| {
            verify(
                black_box(f.hs256.as_bytes()),
                f.keys.keys(),
                &f.validation,
                NOW,
                &mut buf,
            )
            .unwrap();
        });
    });
    g.finish();

    // RSA: gatekey's whole verify next to jsonwebtoken's decode (signature,
    // claims into serde_json), same tokens, same rules.
    let mut jwt_rules = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    jwt_rules.set_issuer(&["https://idp.example.com/realms/mcp"]);
    jwt_rules.set_audience(&["mcp-server"]);
    jwt_rules.leeway = 0;
    // The fixture's `exp` is relative to the fixed NOW, jsonwebtoken checks the
    // system clock: it skips `exp` (a comparison), gatekey does not.
    jwt_rules.validate_exp = false;
    let mut jwt_pss_rules = jwt_rules.clone();
    jwt_pss_rules.algorithms = vec![jsonwebtoken::Algorithm::PS256];
    let rsa_cases = [
        ("rs256", "2048", &f.rsa.rs256, &f.rsa.jwt_key, &jwt_rules),
        (
            "ps256",
            "2048",
            &f.rsa.ps256,
            &f.rsa.jwt_key,
            &jwt_pss_rules,
        ),
        (
            "rs256",
            "4096",
            &f.rsa.rs256_4096,
            &f.rsa.jwt_key_4096,
            &jwt_rules,
        ),
    ];
    for (group, bits, token, jwt_key, rules) in rsa_cases {
        let mut g = c.benchmark_group(format!("{group}-{bits}"));
        g.bench_function("gatekey verify", |b| {
            let mut buf = [0u8; DEFAULT_BUFFER];
            b.iter(|| {
                verify(
                    black_box(token.as_bytes()),
                    f.keys.keys(),
                    &f.validation,
                    NOW,
                    &mut buf,
                )
                .unwrap();
            });
        });
        // The signature alone: ring's RSA when gatekey has `ring` and `std`
        // (`--features ring` or `hosted`), crypto-bigint's otherwise.
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = Base64UrlUnpadded::decode_vec(sig).unwrap();
        let key = f
            .keys
            .keys()
            .iter()
            .find(|k| k.verify_signature(input.as_bytes(), &sig).is_ok())
            .unwrap();
        g.bench_function("gatekey signature only", |b| {
            b.iter(|| {
                key.verify_signature(black_box(input.as_bytes()), &sig)
                    .unwrap();
            });
        });
        g.bench_function("jsonwebtoken decode (rust_crypto)", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<serde_json::Value>(
                    black_box(token.as_str()),
                    jwt_key,
                    rules,
                )
                .unwrap();
            });
        });
        g.finish();
    }

    let headers = request_headers(&f.hs256);
    let pairs: Vec<(&[u8], &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
        .collect();
    let policy = Policy::header_first();
    let mut g = c.benchmark_group("request");
    g.bench_function("extract + resolve (12 headers, 5 cookies)", |b| {
        b.iter(|| resolve(&policy, Request::new(black_box(&pairs).iter().copied())).unwrap());
    });
    g.bench_function("authenticate HS256 (12 headers)", |b| {
        let mut buf = [0u8; DEFAULT_BUFFER];
        b.iter(|| {
            authenticate(
                Request::new(black_box(&pairs).iter().copied()),
                &policy,
                f.keys.keys(),
                &f.validation,
                NOW,
                &mut buf,
            )
            .unwrap();
        });
    });
    g.finish();
}

criterion_group!(name = group; config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(3)); targets = benches);
criterion_main!(group);
