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
use gatekey::cache::Cache;
use gatekey::{verify, KeySet, Policy, DEFAULT_BUFFER};
use gatekey_benches::{
    authenticate_through, b64, es256_token, hs256_token, keys, pairs, request, signing_key,
    validation, AUDIENCE, ISS, NOW, SECRET,
};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

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

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct PeerClaims {
    iss: String,
    sub: String,
    exp: i64,
}

fn benches(c: &mut Criterion) {
    let vk: VerifyingKey = *signing_key().verifying_key();
    let point = vk.to_encoded_point(false);
    let keys: KeySet<4> = keys();
    let validation = validation();
    let es = es256_token();
    let hs = hs256_token();
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
    jwt_validation.set_audience(&[AUDIENCE]);
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

    let fields = request(&es);
    let headers = pairs(&fields);
    let policy = Policy::header_first();
    let mut g = c.benchmark_group("cached");
    g.bench_function("gatekey authenticate ES256, cache hit (12 headers)", |b| {
        let mut cache = Cache::<64>::new();
        // One buffer per worker, reused across requests, as servers do.
        let mut buf = vec![0u8; DEFAULT_BUFFER];
        b.iter(|| {
            authenticate_through(
                black_box(&headers),
                &policy,
                &keys,
                &validation,
                &mut cache,
                &mut buf,
            )
            .map(|id| id.source)
            .unwrap()
        });
    });
    // What every binding calls: the host Verifier, its cache keeping the
    // token's bytes and decoded header and payload (host/src/stored.rs).
    #[cfg(feature = "hosted")]
    g.bench_function(
        "gatekey-host Verifier authenticate ES256, cache hit (12 headers)",
        |b| {
            let verifier = gatekey_benches::host_verifier();
            let mut buf = vec![0u8; gatekey_host::BUFFER_LEN];
            b.iter(|| {
                gatekey_benches::authenticate_host(black_box(&headers), &verifier, &mut buf)
                    .map(|id| id.source)
                    .unwrap()
            });
        },
    );
    g.finish();
}

criterion_group!(name = group; config = Criterion::default().sample_size(40).measurement_time(std::time::Duration::from_secs(3)); targets = benches);
criterion_main!(group);
