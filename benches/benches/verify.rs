//! RS256/PS256 next to jsonwebtoken, and the per-request costs (extract +
//! resolve, authenticate) on the shared 12-field request, in one run:
//! `make bench`. ES256 and HS256 are in `es256.rs`.
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
use gatekey_benches::{
    b64, claims, hs256_token, keys, pairs, request, validation, AUDIENCE, ISS, NOW,
};

struct Fixture {
    keys: KeySet,
    validation: Validation,
    hs256: String,
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
    let mut keys = keys();
    let rsa = rsa_fixture(&mut keys);
    Fixture {
        keys,
        validation: validation(),
        hs256: hs256_token(),
        rsa,
    }
}

fn benches(c: &mut Criterion) {
    let f = fixture();
    // RSA: gatekey's whole verify next to jsonwebtoken's decode (signature,
    // claims into serde_json), same tokens, same rules.
    let mut jwt_rules = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    jwt_rules.set_issuer(&[ISS]);
    jwt_rules.set_audience(&[AUDIENCE]);
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

    let fields = request(&f.hs256);
    let pairs = pairs(&fields);
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
