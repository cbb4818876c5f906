//! Published test vectors: RFC 7515 appendix A and Wycheproof
//! (vectors/README.md gives their sources).
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

use gatekey::{verify, Error, Key, Validation, DEFAULT_BUFFER};
use serde_json::Value;

/// Checks `got`, the verdict on one Wycheproof signature case `t`: a
/// "valid" case verifies, one whose `result` is in `refused` does not;
/// counts it in `valid` or `rejected`. `file` names the vectors in messages.
fn count_verdict(
    t: &Value,
    got: Result<(), Error>,
    refused: &[&str],
    file: &str,
    (valid, rejected): (&mut usize, &mut usize),
) {
    let (id, comment) = (&t["tcId"], &t["comment"]);
    match t["result"].as_str().unwrap() {
        "valid" => {
            assert_eq!(got, Ok(()), "{file} tcId {id} ({comment})");
            *valid += 1;
        }
        result if refused.contains(&result) => {
            assert!(got.is_err(), "{file} tcId {id} ({comment}) accepted");
            *rejected += 1;
        }
        other => panic!("{file} tcId {id}: result {other}"),
    }
}

fn rfc_vectors() -> Vec<Value> {
    let doc: Value = serde_json::from_str(&common::data_file("vectors/rfc7515.json")).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

#[test]
fn rfc7515_examples_verify_and_every_bit_flip_fails() {
    let mut checked = 0;
    for v in rfc_vectors() {
        let name = v["name"].as_str().unwrap();
        // RFC 7515 A.2 is RS256: without the `rsa` feature its JWK is an
        // unsupported key, and the example is skipped.
        if !cfg!(feature = "rsa") && v["jwk"]["kty"] == "RSA" {
            let jwk = serde_json::to_string(&v["jwk"]).unwrap();
            assert_eq!(
                Key::from_jwk(jwk.as_bytes()).err(),
                Some(Error::UnsupportedKey)
            );
            checked += 1;
            continue;
        }
        let jwk = serde_json::to_string(&v["jwk"]).unwrap();
        let key = Key::from_jwk(jwk.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(Some(key.algorithm().name()), v["alg"].as_str(), "{name}");
        let keys = [key];
        let token = v["token"].as_str().unwrap().as_bytes();
        let validation = Validation::new().with_issuer("joe").unwrap();
        let now = 1_300_819_379; // one second before the vectors' exp
        let mut buf = [0u8; DEFAULT_BUFFER];
        let verified = verify(token, &keys, &validation, now, &mut buf)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(
            verified.claims.json(),
            v["payload_json"].as_str().unwrap().as_bytes(),
            "{name}"
        );
        assert_eq!(
            verified
                .claims
                .get("http://example.com/is_root")
                .unwrap()
                .as_bool(),
            Some(true)
        );
        assert_eq!(
            verify(token, &keys, &validation, now + 1, &mut buf).err(),
            Some(Error::Expired)
        );

        let mut mutated = token.to_vec();
        for i in 0..mutated.len() {
            for bit in 0..8 {
                mutated[i] ^= 1 << bit;
                assert!(
                    verify(&mutated, &keys, &validation, now, &mut buf).is_err(),
                    "{name}: byte {i} bit {bit}"
                );
                mutated[i] ^= 1 << bit;
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn wycheproof_ecdsa_p256_sha256_p1363() {
    let doc: Value = serde_json::from_str(&common::data_file(
        "vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json",
    ))
    .unwrap();
    let (mut valid, mut invalid) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        // Not every group has a JWK form; the SEC1 point always exists.
        let point = common::hex(group["publicKey"]["uncompressed"].as_str().unwrap());
        let key = Key::es256_sec1(&point, None).unwrap();
        if let Some(jwk) = group.get("publicKeyJwk") {
            let from_jwk = Key::from_jwk(serde_json::to_string(jwk).unwrap().as_bytes()).unwrap();
            assert_eq!(from_jwk.es256_coordinates(), key.es256_coordinates());
        }
        for t in group["tests"].as_array().unwrap() {
            let msg = common::hex(t["msg"].as_str().unwrap());
            let sig = common::hex(t["sig"].as_str().unwrap());
            let got = key.verify_signature(&msg, &sig);
            count_verdict(t, got, &["invalid"], "", (&mut valid, &mut invalid));
        }
    }
    assert_eq!(
        u64::try_from(valid + invalid).unwrap(),
        doc["numberOfTests"].as_u64().unwrap()
    );
    assert!(valid > 100 && invalid > 50);
}

/// Runs one Wycheproof RSA file (PKCS#1 v1.5 or PSS) and returns
/// (valid, rejected) counts; "acceptable" cases (tcId 8 of the PKCS#1
/// files, DigestInfo without the NULL) must be rejected: gatekey compares
/// against the one canonical encoding.
#[cfg(feature = "rsa")]
fn wycheproof_rsa(file: &str, pss: bool, bits: usize) -> (usize, usize) {
    let doc: Value = serde_json::from_str(&common::data_file(file)).unwrap();
    let (mut valid, mut rejected) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        let n = common::hex(group["publicKey"]["modulus"].as_str().unwrap());
        let e = common::hex(group["publicKey"]["publicExponent"].as_str().unwrap());
        let key = if pss {
            Key::ps256(&n, &e, None)
        } else {
            Key::rs256(&n, &e, None)
        }
        .unwrap();
        assert_eq!(key.rsa_bits(), Some(bits));
        let jwk = group.get("publicKeyJwk").or_else(|| group.get("keyJwk"));
        if let Some(jwk) = jwk {
            let mut jwk = jwk.clone();
            jwk.as_object_mut().unwrap().remove("kid");
            let from_jwk = Key::from_jwk(jwk.to_string().as_bytes()).unwrap();
            assert_eq!(from_jwk.algorithm(), key.algorithm(), "{file}");
            assert_eq!(from_jwk.rsa_bits(), Some(bits));
        }
        for t in group["tests"].as_array().unwrap() {
            let msg = common::hex(t["msg"].as_str().unwrap());
            let sig = common::hex(t["sig"].as_str().unwrap());
            let got = key.verify_signature(&msg, &sig);
            let refused = ["invalid", "acceptable"];
            count_verdict(t, got, &refused, file, (&mut valid, &mut rejected));
        }
    }
    assert_eq!(
        u64::try_from(valid + rejected).unwrap(),
        doc["numberOfTests"].as_u64().unwrap()
    );
    (valid, rejected)
}

#[test]
#[cfg(feature = "rsa")]
fn wycheproof_rsa_pkcs1v15_sha256() {
    for (bits, expect_valid) in [(2048, 9), (3072, 8), (4096, 7)] {
        let file = format!("vectors/wycheproof/rsa_signature_{bits}_sha256_test.json");
        let (valid, rejected) = wycheproof_rsa(&file, false, bits);
        assert_eq!(valid, expect_valid, "{file}");
        assert!(rejected >= 250, "{file}");
    }
}

#[test]
#[cfg(feature = "rsa")]
fn wycheproof_rsa_pss_sha256_mgf1_32() {
    for bits in [2048, 3072, 4096] {
        let file = format!("vectors/wycheproof/rsa_pss_{bits}_sha256_mgf1_32_test.json");
        assert_eq!(wycheproof_rsa(&file, true, bits), (63, 45), "{file}");
    }
}

/// Wycheproof's Ed25519 verification vectors (RFC 8032 §5.1.7, with the
/// strict checks of `verify_strict`: every "invalid" case is refused,
/// every "valid" one verifies), through the key as a JWK (RFC 8037 §2).
#[test]
#[cfg(feature = "eddsa")]
fn wycheproof_ed25519() {
    let doc: Value =
        serde_json::from_str(&common::data_file("vectors/wycheproof/ed25519_test.json")).unwrap();
    let (mut valid, mut invalid) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        let pk: [u8; 32] = common::hex(group["publicKey"]["pk"].as_str().unwrap())
            .try_into()
            .unwrap();
        let key = Key::ed25519(&pk, None).unwrap();
        assert_eq!(key.algorithm().name(), "EdDSA");
        let jwk = serde_json::to_string(&group["publicKeyJwk"]).unwrap();
        let from_jwk = Key::from_jwk(jwk.as_bytes()).unwrap();
        assert_eq!(from_jwk.ed25519_bytes(), Some(pk));
        for t in group["tests"].as_array().unwrap() {
            let msg = common::hex(t["msg"].as_str().unwrap());
            let sig = common::hex(t["sig"].as_str().unwrap());
            let got = from_jwk.verify_signature(&msg, &sig);
            count_verdict(t, got, &["invalid"], "", (&mut valid, &mut invalid));
        }
    }
    assert_eq!(
        u64::try_from(valid + invalid).unwrap(),
        doc["numberOfTests"].as_u64().unwrap()
    );
    assert_eq!((valid, invalid), (88, 63));
}

/// Wycheproof's HMAC-SHA-384 and HMAC-SHA-512 vectors as HS384 and HS512
/// keys. JWS takes the full tag (RFC 7518 §3.2) and a key at least the
/// hash's size: a truncated tag is refused for its length whatever the
/// vector says, a shorter key cannot be made (`WeakKey`), and with the
/// full tag and a long enough key the verdict is Wycheproof's.
#[test]
#[cfg(feature = "hs512")]
fn wycheproof_hmac_sha384_sha512() {
    for (file, alg, bits) in [
        (
            "vectors/wycheproof/hmac_sha384_test.json",
            gatekey::Algorithm::Hs384,
            384,
        ),
        (
            "vectors/wycheproof/hmac_sha512_test.json",
            gatekey::Algorithm::Hs512,
            512,
        ),
    ] {
        let doc: Value = serde_json::from_str(&common::data_file(file)).unwrap();
        let (mut valid, mut invalid, mut weak, mut truncated) = (0, 0, 0, 0);
        for group in doc["testGroups"].as_array().unwrap() {
            let key_bits = group["keySize"].as_u64().unwrap();
            let tag_bits = group["tagSize"].as_u64().unwrap();
            for t in group["tests"].as_array().unwrap() {
                let id = &t["tcId"];
                let secret = common::hex(t["key"].as_str().unwrap());
                let msg = common::hex(t["msg"].as_str().unwrap());
                let tag = common::hex(t["tag"].as_str().unwrap());
                let key = match Key::hmac(alg, &secret, None) {
                    Ok(key) => key,
                    Err(e) => {
                        assert!(key_bits < bits, "{file} tcId {id}: {e:?}");
                        assert_eq!(e, Error::WeakKey, "{file} tcId {id}");
                        weak += 1;
                        continue;
                    }
                };
                assert!(key_bits >= bits, "{file} tcId {id}: a short key was made");
                assert_eq!(key.algorithm(), alg);
                let got = key.verify_signature(&msg, &tag);
                if tag_bits < bits {
                    assert!(got.is_err(), "{file} tcId {id}: a truncated tag accepted");
                    truncated += 1;
                } else if t["result"] == "valid" {
                    assert_eq!(got, Ok(()), "{file} tcId {id}");
                    valid += 1;
                } else {
                    assert_eq!(got, Err(Error::BadSignature), "{file} tcId {id}");
                    invalid += 1;
                }
            }
        }
        assert_eq!(
            u64::try_from(valid + invalid + weak + truncated).unwrap(),
            doc["numberOfTests"].as_u64().unwrap()
        );
        assert!(
            valid > 20 && invalid > 40 && weak == 6 && truncated > 80,
            "{file}: {valid} {invalid} {weak} {truncated}"
        );
    }
}
