//! ES256 and HS256 from token to claims: gatekey (ring backend) next to the
//! JWT libraries that cannot share a build with benches/benches/es256.rs —
//! jsonwebtoken on its aws_lc_rs backend, jwt-simple and jwt-compact — and
//! ring's raw P-256 verification as the floor. One run, same tokens: the
//! token and the checks are those of es256.rs (signature, exp, iss, aud at a
//! fixed clock `NOW`, claims deserialised into a small struct).
//!
//! Before anything is timed, every verifier must accept the token and reject
//! it with one flipped signature byte, with the wrong audience, the wrong
//! issuer and an expired `exp`, so no line can silently time a failing path.
#![allow(missing_docs)]

use std::collections::HashSet;
use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{criterion_group, criterion_main, Criterion};
use gatekey::{verify, Key, KeySet, Validation, DEFAULT_BUFFER};
use jwt_compact::AlgorithmExt as _;
use jwt_simple::prelude::{
    ECDSAP256PublicKeyLike as _, ES256PublicKey, HS256Key, MACLike as _, NoCustomClaims,
    UnixTimeStamp, VerificationOptions,
};
use p256::ecdsa::{signature::Signer, Signature, SigningKey};

const NOW: i64 = 1_750_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-gateway-secret";
const ISS: &str = "https://idp.example.com/realms/mcp";
const AUD: &str = "mcp-server";
const ES_HEADER: &str = r#"{"alg":"ES256","typ":"at+jwt","kid":"idp-2025"}"#;
const HS_HEADER: &str = r#"{"alg":"HS256","typ":"JWT","kid":"gw"}"#;

fn b64(b: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(b)
}

/// The ~400-byte access token of issue 7, byte for byte that of es256.rs;
/// `claims_with` varies iss, the first aud and exp for the rejection checks.
fn claims() -> String {
    claims_with(ISS, AUD, NOW + 3600)
}

fn claims_with(iss: &str, aud: &str, exp: i64) -> String {
    format!(
        r#"{{"iss":"{iss}","sub":"5f0c2a4e-8a1b-4c39-9d0e-2f6b7c8d9e0a","aud":["{aud}","account"],"exp":{exp},"iat":{},"jti":"0b6f3c1e-4d2a-4f8b-9c7e-1a2b3c4d5e6f","scope":"openid profile tools:list tools:call","client_id":"mcp-gateway"}}"#,
        NOW - 60
    )
}

fn sign_es256(sk: &SigningKey, payload: &str) -> String {
    let input = format!("{}.{}", b64(ES_HEADER.as_bytes()), b64(payload.as_bytes()));
    let sig: Signature = sk.sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

fn sign_hs256(payload: &str) -> String {
    let input = format!("{}.{}", b64(HS_HEADER.as_bytes()), b64(payload.as_bytes()));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET);
    let tag = ring::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

/// `token` with one bit of one signature byte flipped (decoded, flipped,
/// re-encoded, so the base64url stays canonical).
fn flip_signature_byte(token: &str) -> String {
    let (input, sig) = token.rsplit_once('.').unwrap();
    let mut sig = Base64UrlUnpadded::decode_vec(sig).unwrap();
    sig[10] ^= 0x01;
    format!("{input}.{}", b64(&sig))
}

/// What jsonwebtoken deserialises (as in es256.rs); it checks iss and aud
/// itself from its own borrowed parse of the payload.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct JwtClaims {
    iss: String,
    sub: String,
    exp: i64,
}

/// What jwt-compact deserialises next to its exp/nbf/iat: it leaves iss, sub
/// and aud to the caller.
#[derive(serde::Deserialize)]
struct CompactClaims {
    iss: String,
    #[allow(dead_code)]
    sub: String,
    aud: Vec<String>,
}

/// Why a verifier said no; read through `Debug` when an `unwrap` fails.
#[derive(Debug)]
#[allow(dead_code)]
struct Rejected(&'static str);

/// The verifiers under test, set up once; each method does the whole job
/// (signature, exp at `NOW` with no leeway, iss, aud, claims out).
struct Peers {
    keys: KeySet<4>,
    validation: Validation,
    ring_es: ring::signature::UnparsedPublicKey<Vec<u8>>,
    ring_hs: ring::hmac::Key,
    jwt_es_key: jsonwebtoken::DecodingKey,
    jwt_es_validation: jsonwebtoken::Validation,
    jwt_hs_key: jsonwebtoken::DecodingKey,
    jwt_hs_validation: jsonwebtoken::Validation,
    simple_es_key: ES256PublicKey,
    simple_hs_key: HS256Key,
    simple_options: VerificationOptions,
    compact_es_key: p256::ecdsa::VerifyingKey,
    compact_hs_key: jwt_compact::alg::Hs256Key,
    compact_time: jwt_compact::TimeOptions<fn() -> chrono::DateTime<chrono::Utc>>,
}

fn fixed_clock() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(NOW, 0).unwrap()
}

impl Peers {
    fn new(sk: &SigningKey) -> Self {
        let vk = *sk.verifying_key();
        let point = vk.to_encoded_point(false);
        let (x, y) = (b64(point.x().unwrap()), b64(point.y().unwrap()));
        let jwks = format!(
            r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"idp-2025","x":"{x}","y":"{y}"}}]}}"#
        );
        let mut keys = KeySet::<4>::from_jwks(jwks.as_bytes()).unwrap();
        keys.push(Key::hs256(SECRET, Some(b"gw")).unwrap()).unwrap();
        let validation = Validation::new()
            .with_issuer(ISS)
            .unwrap()
            .with_audience(AUD)
            .unwrap();

        let mut jwt_es_validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        jwt_es_validation.set_issuer(&[ISS]);
        jwt_es_validation.set_audience(&[AUD]);
        // jsonwebtoken reads the system clock; the fixture's clock is NOW, so
        // exp is compared with NOW after decode (still required by
        // `required_spec_claims`, which defaults to exp).
        jwt_es_validation.validate_exp = false;
        jwt_es_validation.leeway = 0;
        let mut jwt_hs_validation = jwt_es_validation.clone();
        jwt_hs_validation.algorithms = vec![jsonwebtoken::Algorithm::HS256];

        let simple_options = VerificationOptions {
            allowed_issuers: Some(HashSet::from([ISS.to_owned()])),
            allowed_audiences: Some(HashSet::from([AUD.to_owned()])),
            time_tolerance: Some(jwt_simple::prelude::Duration::from_secs(0)),
            artificial_time: Some(UnixTimeStamp::from_secs(NOW as u64)),
            ..VerificationOptions::default()
        };

        Peers {
            keys,
            validation,
            ring_es: ring::signature::UnparsedPublicKey::new(
                &ring::signature::ECDSA_P256_SHA256_FIXED,
                point.as_bytes().to_vec(),
            ),
            ring_hs: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET),
            jwt_es_key: jsonwebtoken::DecodingKey::from_ec_components(&x, &y).unwrap(),
            jwt_es_validation,
            jwt_hs_key: jsonwebtoken::DecodingKey::from_secret(SECRET),
            jwt_hs_validation,
            simple_es_key: ES256PublicKey::from_bytes(point.as_bytes()).unwrap(),
            simple_hs_key: HS256Key::from_bytes(SECRET),
            simple_options,
            compact_es_key: vk,
            compact_hs_key: jwt_compact::alg::Hs256Key::new(SECRET),
            compact_time: jwt_compact::TimeOptions::new(chrono::Duration::zero(), fixed_clock),
        }
    }

    /// The floors for the sanity check (the timed floors skip the decoding).
    fn ring_es256(&self, token: &str) -> Result<(), Rejected> {
        let (input, sig) = token.rsplit_once('.').ok_or(Rejected("form"))?;
        let sig = Base64UrlUnpadded::decode_vec(sig).map_err(|_| Rejected("b64"))?;
        self.ring_es
            .verify(input.as_bytes(), &sig)
            .map_err(|_| Rejected("signature"))
    }

    fn ring_hs256(&self, token: &str) -> Result<(), Rejected> {
        let (input, tag) = token.rsplit_once('.').ok_or(Rejected("form"))?;
        let tag = Base64UrlUnpadded::decode_vec(tag).map_err(|_| Rejected("b64"))?;
        ring::hmac::verify(&self.ring_hs, input.as_bytes(), &tag).map_err(|_| Rejected("tag"))
    }

    fn gatekey(&self, token: &str, buf: &mut [u8]) -> Result<(), Rejected> {
        verify(
            token.as_bytes(),
            self.keys.keys(),
            &self.validation,
            NOW,
            buf,
        )
        .map(|_| ())
        .map_err(|_| Rejected("gatekey"))
    }

    fn jsonwebtoken(&self, token: &str, hs: bool) -> Result<JwtClaims, Rejected> {
        let (key, validation) = if hs {
            (&self.jwt_hs_key, &self.jwt_hs_validation)
        } else {
            (&self.jwt_es_key, &self.jwt_es_validation)
        };
        let data = jsonwebtoken::decode::<JwtClaims>(token, key, validation)
            .map_err(|_| Rejected("jsonwebtoken"))?;
        if data.claims.exp <= NOW {
            return Err(Rejected("exp"));
        }
        Ok(data.claims)
    }

    /// jwt-simple takes its options by value, so each call clones them (two
    /// one-element HashSets), as a caller holding them must.
    fn jwt_simple(
        &self,
        token: &str,
        hs: bool,
    ) -> Result<jwt_simple::prelude::JWTClaims<NoCustomClaims>, Rejected> {
        let options = Some(self.simple_options.clone());
        if hs {
            self.simple_hs_key
                .verify_token::<NoCustomClaims>(token, options)
        } else {
            self.simple_es_key
                .verify_token::<NoCustomClaims>(token, options)
        }
        .map_err(|_| Rejected("jwt-simple"))
    }

    fn jwt_compact(&self, token: &str, hs: bool) -> Result<CompactClaims, Rejected> {
        let untrusted =
            jwt_compact::UntrustedToken::new(token).map_err(|_| Rejected("jwt-compact form"))?;
        let token = if hs {
            jwt_compact::alg::Hs256
                .validator::<CompactClaims>(&self.compact_hs_key)
                .validate(&untrusted)
        } else {
            jwt_compact::alg::Es256
                .validator::<CompactClaims>(&self.compact_es_key)
                .validate(&untrusted)
        }
        .map_err(|_| Rejected("jwt-compact"))?;
        let claims = token
            .claims()
            .validate_expiration(&self.compact_time)
            .map_err(|_| Rejected("exp"))?;
        if claims.custom.iss != ISS {
            return Err(Rejected("iss"));
        }
        if !claims.custom.aud.iter().any(|a| a == AUD) {
            return Err(Rejected("aud"));
        }
        Ok(token.into_parts().1.custom)
    }
}

/// Every verifier accepts the token and rejects it with one flipped
/// signature byte, the wrong audience, the wrong issuer or an expired exp.
fn sanity(p: &Peers, sk: &SigningKey) {
    let mut buf = [0u8; DEFAULT_BUFFER];
    let bad_claims = [
        ("wrong aud", claims_with(ISS, "other-server", NOW + 3600)),
        (
            "wrong iss",
            claims_with("https://evil.example.com", AUD, NOW + 3600),
        ),
        ("expired", claims_with(ISS, AUD, NOW - 3600)),
    ];
    for hs in [false, true] {
        let sign = |payload: &str| {
            if hs {
                sign_hs256(payload)
            } else {
                sign_es256(sk, payload)
            }
        };
        let alg = if hs { "HS256" } else { "ES256" };
        let good = sign(&claims());
        let mut bad = vec![("flipped signature byte", flip_signature_byte(&good))];
        bad.extend(bad_claims.iter().map(|(why, c)| (*why, sign(c))));

        let floor = |t: &str| {
            if hs {
                p.ring_hs256(t)
            } else {
                p.ring_es256(t)
            }
        };
        floor(&good).unwrap();
        floor(&bad[0].1).unwrap_err();
        p.gatekey(&good, &mut buf).unwrap();
        p.jsonwebtoken(&good, hs).unwrap();
        p.jwt_simple(&good, hs).unwrap();
        p.jwt_compact(&good, hs).unwrap();
        for (why, t) in &bad {
            let rejected = [
                ("gatekey", p.gatekey(t, &mut buf).is_err()),
                ("jsonwebtoken", p.jsonwebtoken(t, hs).is_err()),
                ("jwt-simple", p.jwt_simple(t, hs).is_err()),
                ("jwt-compact", p.jwt_compact(t, hs).is_err()),
            ];
            for (lib, rejected) in rejected {
                assert!(rejected, "{lib} accepted the {alg} token with {why}");
            }
        }
    }
    println!("sanity: every verifier accepts the tokens and rejects a flipped signature byte, wrong aud, wrong iss, expired exp");
}

fn benches(c: &mut Criterion) {
    let sk = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let es = sign_es256(&sk, &claims());
    let hs = sign_hs256(&claims());
    let p = Peers::new(&sk);
    println!(
        "backend: ring; ES256 token {} bytes; HS256 token {} bytes",
        es.len(),
        hs.len()
    );
    sanity(&p, &sk);

    let mut g = c.benchmark_group("es256");
    // The floors time the signature alone, over bytes decoded beforehand.
    let (es_input, es_sig) = es.rsplit_once('.').unwrap();
    let es_sig = Base64UrlUnpadded::decode_vec(es_sig).unwrap();
    g.bench_function("floor: ring verify", |b| {
        b.iter(|| {
            p.ring_es
                .verify(black_box(es_input.as_bytes()), &es_sig)
                .unwrap()
        });
    });
    g.bench_function("gatekey verify [hosted: table]", |b| {
        let mut buf = [0u8; DEFAULT_BUFFER];
        b.iter(|| p.gatekey(black_box(&es), &mut buf).unwrap());
    });
    g.bench_function("jsonwebtoken decode (aws_lc_rs)", |b| {
        b.iter(|| p.jsonwebtoken(black_box(&es), false).unwrap());
    });
    g.bench_function("jwt-simple verify_token", |b| {
        b.iter(|| p.jwt_simple(black_box(&es), false).unwrap());
    });
    g.bench_function("jwt-compact validate + exp", |b| {
        b.iter(|| p.jwt_compact(black_box(&es), false).unwrap());
    });
    g.finish();

    let mut g = c.benchmark_group("hs256");
    let (hs_input, hs_tag) = hs.rsplit_once('.').unwrap();
    let hs_tag = Base64UrlUnpadded::decode_vec(hs_tag).unwrap();
    g.bench_function("floor: ring hmac verify", |b| {
        b.iter(|| ring::hmac::verify(&p.ring_hs, black_box(hs_input.as_bytes()), &hs_tag).unwrap());
    });
    g.bench_function("gatekey verify", |b| {
        let mut buf = [0u8; DEFAULT_BUFFER];
        b.iter(|| p.gatekey(black_box(&hs), &mut buf).unwrap());
    });
    g.bench_function("jsonwebtoken decode (aws_lc_rs)", |b| {
        b.iter(|| p.jsonwebtoken(black_box(&hs), true).unwrap());
    });
    g.bench_function("jwt-simple verify_token", |b| {
        b.iter(|| p.jwt_simple(black_box(&hs), true).unwrap());
    });
    g.bench_function("jwt-compact validate + exp", |b| {
        b.iter(|| p.jwt_compact(black_box(&hs), true).unwrap());
    });
    g.finish();
}

criterion_group!(name = group; config = Criterion::default().sample_size(40).measurement_time(std::time::Duration::from_secs(3)); targets = benches);
criterion_main!(group);
