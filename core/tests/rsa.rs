//! RS256/PS256 tokens end to end, several trusted issuers, `azp`, nested
//! claims and token sizes, and the RSA additions to the attack corpus.
//!
//! Tokens are signed here with the test keys of `vectors/rsa_test_keys.json`
//! (generated once with Python `cryptography`), using crypto-bigint for the
//! private-key operation; the Python suite checks the same verifier against
//! PyJWT-minted tokens.
#![cfg(feature = "rsa")]
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

use common::*;
use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Encoding, U2048};
use gatekey::{
    buffer_len, verify, Error, Issuer, Issuers, Key, KeySet, Validation, DEFAULT_BUFFER,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

const KC_ISS: &str = "https://sso.example.com/realms/mcp";
const GW_ISS: &str = "https://gateway.example";
const OTHER_ISS: &str = "https://login.other.example/tenant";

struct TestKey {
    n: Vec<u8>,
    e: Vec<u8>,
    d: Vec<u8>,
    pem: String,
}

fn test_key(name: &str) -> TestKey {
    let doc: Value = serde_json::from_str(&data_file("vectors/rsa_test_keys.json")).unwrap();
    let k = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == name)
        .unwrap();
    TestKey {
        n: hex(k["n"].as_str().unwrap()),
        e: hex(k["e"].as_str().unwrap()),
        d: hex(k["d"].as_str().unwrap()),
        pem: k["pem"].as_str().unwrap().to_owned(),
    }
}

fn jwk(key: &TestKey, kid: &str, alg: &str) -> String {
    format!(
        r#"{{"kty":"RSA","kid":"{kid}","use":"sig","alg":"{alg}","n":"{}","e":"{}"}}"#,
        b64(&key.n),
        b64(&key.e)
    )
}

fn left_pad(bytes: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len - bytes.len()];
    out.extend_from_slice(bytes);
    out
}

/// The RSA private operation `em^d mod n` on a 2048-bit test key.
fn rsa_private(key: &TestKey, em: &[u8]) -> Vec<u8> {
    assert_eq!(key.n.len(), 256);
    let n = U2048::from_be_slice(&key.n);
    let d = U2048::from_be_slice(&left_pad(&key.d, 256));
    let m = U2048::from_be_slice(&left_pad(em, 256));
    let params = DynResidueParams::new(&n);
    DynResidue::new(&m, params)
        .pow(&d)
        .retrieve()
        .to_be_bytes()
        .to_vec()
}

fn pkcs1v15_em(input: &[u8]) -> Vec<u8> {
    let mut em = vec![0x00, 0x01];
    em.extend(std::iter::repeat_n(0xff, 256 - 3 - 19 - 32));
    em.push(0x00);
    em.extend_from_slice(&[
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ]);
    em.extend_from_slice(&Sha256::digest(input));
    em
}

/// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) for a 2048-bit key, fixed salt.
fn pss_em(input: &[u8]) -> Vec<u8> {
    let salt = [0x5au8; 32];
    let m_hash = Sha256::digest(input);
    let h = Sha256::new()
        .chain_update([0u8; 8])
        .chain_update(m_hash)
        .chain_update(salt)
        .finalize();
    let db_len = 256 - 32 - 1;
    let mut db = vec![0u8; db_len - 33];
    db.push(0x01);
    db.extend_from_slice(&salt);
    let mut counter = 0u32;
    let mut offset = 0;
    while offset < db_len {
        let mask = Sha256::new()
            .chain_update(h)
            .chain_update(counter.to_be_bytes())
            .finalize();
        for (i, m) in mask.iter().enumerate() {
            if offset + i < db_len {
                db[offset + i] ^= m;
            }
        }
        offset += 32;
        counter += 1;
    }
    db[0] &= 0x7f;
    db.extend_from_slice(&h);
    db.push(0xbc);
    db
}

fn rsa_token(key: &TestKey, header: &str, payload: &str, pss: bool) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let em = if pss {
        pss_em(input.as_bytes())
    } else {
        pkcs1v15_em(input.as_bytes())
    };
    format!("{input}.{}", b64(&rsa_private(key, &em)))
}

fn rs256(key: &TestKey, kid: &str, payload: &str) -> String {
    rsa_token(
        key,
        &format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{kid}"}}"#),
        payload,
        false,
    )
}

/// A Keycloak access token's claims (the shape of Keycloak 24's default
/// client scopes), valid at NOW, from `iss` for client `azp`.
fn keycloak_claims(iss: &str, azp: &str) -> String {
    format!(
        r#"{{"exp":{exp},"iat":{iat},"auth_time":{iat},"jti":"onrtac:6f1c2b8e-3a4d-4e5f-8a9b-0c1d2e3f4a5b","iss":"{iss}","aud":["account","mcp-oauth"],"sub":"8d2f7c1e-5b3a-4c9d-a1e2-f3b4c5d6e7f8","typ":"Bearer","azp":"{azp}","sid":"2b9e4f6a-1c3d-4e5f-9a8b-7c6d5e4f3a2b","acr":"1","allowed-origins":["https://mcp.example.com","https://inspector.example.com"],"realm_access":{{"roles":["offline_access","uma_authorization","default-roles-mcp","mcp-user"]}},"resource_access":{{"mcp-oauth":{{"roles":["tools:list","tools:call","resources:read"]}},"account":{{"roles":["manage-account","manage-account-links","view-profile"]}}}},"scope":"openid profile email tools:list tools:call","email_verified":true,"name":"Alice Example","preferred_username":"alice","given_name":"Alice","family_name":"Example","email":"alice@example.com"}}"#,
        exp = NOW + 300,
        iat = NOW - 5,
    )
}

fn keycloak_issuer() -> Issuer<TEST_KEYS> {
    let a = test_key("issuer-a");
    let jwks = format!(r#"{{"keys":[{}]}}"#, jwk(&a, "kc-rs", "RS256"));
    let validation = Validation::new()
        .with_audience("mcp-oauth")
        .unwrap()
        .with_authorized_party("mcp-oauth")
        .unwrap()
        .with_leeway(30);
    Issuer::new(
        KC_ISS,
        KeySet::from_jwks(jwks.as_bytes()).unwrap(),
        validation,
    )
    .unwrap()
}

/// Small capacities: with the `es256-table` feature every key slot holds
/// an ES256 table (12 KiB), and the default `Issuers<4, 8>` would not fit
/// a test thread's stack in a debug build.
const TEST_KEYS: usize = 2;

fn issuers() -> Issuers<3, TEST_KEYS> {
    let b = test_key("issuer-b");
    let mut issuers = Issuers::new();
    issuers.push(keycloak_issuer()).unwrap();
    let other = format!(r#"{{"keys":[{}]}}"#, jwk(&b, "other-rs", "RS256"));
    let other_validation = Validation::new().with_audience("mcp-oauth").unwrap();
    issuers
        .push(
            Issuer::new(
                OTHER_ISS,
                KeySet::from_jwks(other.as_bytes()).unwrap(),
                other_validation,
            )
            .unwrap(),
        )
        .unwrap();
    let gateway = KeySet::from_jwks(
        format!(
            r#"{{"keys":[{{"kty":"oct","kid":"gw","k":"{}"}}]}}"#,
            b64(SECRET)
        )
        .as_bytes(),
    )
    .unwrap();
    let gw_validation = Validation::new().with_audience("mcp").unwrap();
    issuers
        .push(Issuer::new(GW_ISS, gateway, gw_validation).unwrap())
        .unwrap();
    issuers
}

fn check(issuers: &Issuers<3, TEST_KEYS>, token: &str) -> Result<(), Error> {
    let mut buf = [0u8; DEFAULT_BUFFER];
    issuers.verify(token.as_bytes(), NOW, &mut buf).map(|_| ())
}

#[test]
fn keycloak_token_verifies_with_roles_by_path() {
    let a = test_key("issuer-a");
    let token = rs256(&a, "kc-rs", &keycloak_claims(KC_ISS, "mcp-oauth"));
    assert!((1300..2000).contains(&token.len()), "{}", token.len());
    let issuers = issuers();
    let mut buf = [0u8; DEFAULT_BUFFER];
    let verified = issuers.verify(token.as_bytes(), NOW, &mut buf).unwrap();
    let claims = verified.claims;
    assert_eq!(claims.iss().unwrap().as_str(), Some(KC_ISS));
    let username = claims.get("preferred_username").unwrap().as_str().unwrap();
    assert!(username.eq_bytes(b"alice"));
    let roles = claims.path(&["realm_access", "roles"]).unwrap();
    let roles: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "offline_access",
            "uma_authorization",
            "default-roles-mcp",
            "mcp-user"
        ]
    );
    let client_roles = claims
        .path(&["resource_access", "mcp-oauth", "roles"])
        .unwrap();
    assert!(client_roles
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().is_some_and(|r| r.eq_bytes(b"tools:call"))));
    assert!(claims.path(&["resource_access", "nope", "roles"]).is_none());

    // The single-issuer API verifies the same token too.
    let v = keycloak_issuer().validation().clone();
    let keys = keycloak_issuer().keys().clone();
    assert!(verify(token.as_bytes(), keys.keys(), &v, NOW, &mut buf).is_ok());
}

#[test]
fn foreign_azp_is_refused() {
    let a = test_key("issuer-a");
    let token = rs256(&a, "kc-rs", &keycloak_claims(KC_ISS, "some-other-client"));
    assert_eq!(check(&issuers(), &token), Err(Error::WrongAuthorizedParty));
}

#[test]
fn a_key_of_another_trusted_issuer_never_verifies() {
    let a = test_key("issuer-a");
    let b = test_key("issuer-b");
    let issuers = issuers();
    // B's key, B's kid, claiming to be the Keycloak realm: the realm's
    // key set does not even have that kid.
    let forged = rs256(&b, "other-rs", &keycloak_claims(KC_ISS, "mcp-oauth"));
    assert_eq!(check(&issuers, &forged), Err(Error::UnknownKey));
    // B's key under the realm's kid: the realm's key rejects it.
    let forged = rs256(&b, "kc-rs", &keycloak_claims(KC_ISS, "mcp-oauth"));
    assert_eq!(check(&issuers, &forged), Err(Error::BadSignature));
    // And the other way round: A's key claiming to be B.
    let forged = rs256(&a, "kc-rs", &keycloak_claims(OTHER_ISS, "mcp-oauth"));
    assert_eq!(check(&issuers, &forged), Err(Error::UnknownKey));
    // B's own token for B verifies.
    let genuine = rs256(&b, "other-rs", &keycloak_claims(OTHER_ISS, "mcp-oauth"));
    assert_eq!(check(&issuers, &genuine), Ok(()));
    // The gateway's HS256 tokens are an issuer of their own.
    let gw = hs256_sign(
        SECRET,
        r#"{"alg":"HS256","kid":"gw"}"#,
        &access_claims("bob").replace("https://idp.example", GW_ISS),
    );
    assert_eq!(check(&issuers, &gw), Ok(()));
    // An HS256 token signed with the gateway secret claiming the realm.
    let gw_as_kc = hs256_sign(
        SECRET,
        r#"{"alg":"HS256","kid":"gw"}"#,
        &keycloak_claims(KC_ISS, "mcp-oauth"),
    );
    assert_eq!(check(&issuers, &gw_as_kc), Err(Error::UnknownKey));
}

#[test]
fn unknown_missing_or_mistyped_issuer() {
    let a = test_key("issuer-a");
    let issuers = issuers();
    let token = rs256(
        &a,
        "kc-rs",
        &keycloak_claims("https://evil.example", "mcp-oauth"),
    );
    assert_eq!(check(&issuers, &token), Err(Error::UnknownIssuer));
    // Prefix and case are not the issuer.
    let token = rs256(
        &a,
        "kc-rs",
        &keycloak_claims(&KC_ISS.to_uppercase(), "mcp-oauth"),
    );
    assert_eq!(check(&issuers, &token), Err(Error::UnknownIssuer));
    let token = rs256(&a, "kc-rs", r#"{"exp":9999999999,"aud":"mcp-oauth"}"#);
    assert_eq!(check(&issuers, &token), Err(Error::MissingClaim));
    let token = rs256(&a, "kc-rs", r#"{"exp":9999999999,"iss":7}"#);
    assert_eq!(check(&issuers, &token), Err(Error::InvalidClaim));
    // A duplicated iss cannot name one issuer for selection and another later.
    let dup = format!(r#"{{"iss":"{OTHER_ISS}","iss":"{KC_ISS}","exp":9999999999}}"#);
    assert_eq!(
        check(&issuers, &rs256(&a, "kc-rs", &dup)),
        Err(Error::DuplicateMember)
    );
    // Configuration: no duplicate issuer names, a bounded list.
    let mut again = self::issuers();
    assert_eq!(
        again.push(keycloak_issuer()).err(),
        Some(Error::InvalidConfig)
    );
    let mut small: Issuers<1, TEST_KEYS> = Issuers::new();
    small.push(keycloak_issuer()).unwrap();
    let b = test_key("issuer-b");
    let other = Issuer::new(
        OTHER_ISS,
        KeySet::from_jwks(format!(r#"{{"keys":[{}]}}"#, jwk(&b, "x", "RS256")).as_bytes()).unwrap(),
        Validation::new(),
    )
    .unwrap();
    assert_eq!(small.push(other).err(), Some(Error::ConfigListFull));
    assert_eq!(
        Issuer::<8>::new("", KeySet::new(), Validation::new()).err(),
        Some(Error::InvalidConfig)
    );
}

#[test]
fn ps256_tokens_and_the_key_decides_the_scheme() {
    let a = test_key("issuer-a");
    let rs_key = Key::from_jwk(jwk(&a, "k", "RS256").as_bytes()).unwrap();
    let ps_key = Key::from_jwk(jwk(&a, "k", "PS256").as_bytes()).unwrap();
    let payload = access_claims("carol");
    let ps_token = rsa_token(&a, r#"{"alg":"PS256","kid":"k"}"#, &payload, true);
    let rs_token = rsa_token(&a, r#"{"alg":"RS256","kid":"k"}"#, &payload, false);
    let v = Validation::new().with_audience("mcp").unwrap();
    let mut buf = [0u8; DEFAULT_BUFFER];
    let run = |t: &str, k: &Key, buf: &mut [u8]| {
        verify(t.as_bytes(), std::slice::from_ref(k), &v, NOW, buf).map(|_| ())
    };
    assert_eq!(run(&ps_token, &ps_key, &mut buf), Ok(()));
    assert_eq!(run(&rs_token, &rs_key, &mut buf), Ok(()));
    assert_eq!(
        run(&ps_token, &rs_key, &mut buf),
        Err(Error::AlgorithmMismatch)
    );
    assert_eq!(
        run(&rs_token, &ps_key, &mut buf),
        Err(Error::AlgorithmMismatch)
    );
    // A PSS signature relabelled RS256 (and the reverse) does not verify.
    let relabel = |t: &str, alg: &str| {
        let sig = t.rsplit('.').next().unwrap();
        let input = format!(
            "{}.{}",
            b64(format!(r#"{{"alg":"{alg}","kid":"k"}}"#).as_bytes()),
            b64(payload.as_bytes())
        );
        format!("{input}.{sig}")
    };
    assert_eq!(
        run(&relabel(&ps_token, "RS256"), &rs_key, &mut buf),
        Err(Error::BadSignature)
    );
    assert_eq!(
        run(&relabel(&rs_token, "PS256"), &ps_key, &mut buf),
        Err(Error::BadSignature)
    );
    // Every single-bit flip of the PS256 token fails.
    let mut mutated = ps_token.clone().into_bytes();
    for i in (0..mutated.len()).step_by(7) {
        for bit in [0, 3, 6] {
            mutated[i] ^= 1 << bit;
            assert!(
                verify(&mutated, std::slice::from_ref(&ps_key), &v, NOW, &mut buf).is_err(),
                "byte {i} bit {bit}"
            );
            mutated[i] ^= 1 << bit;
        }
    }
}

#[test]
fn mixed_jwks_selects_by_kid() {
    let a = test_key("issuer-a");
    let b = test_key("issuer-b");
    let ec = es256_jwks();
    let ec_key = &ec[ec.find('[').unwrap() + 1..ec.rfind(']').unwrap()];
    let jwks = format!(
        r#"{{"keys":[{},{ec_key},{{"kty":"oct","kid":"hs","k":"{}"}},{},{{"kty":"RSA","kid":"enc","use":"enc","n":"{}","e":"AQAB"}},{{"kty":"RSA","kid":"rs512","alg":"RS512","n":"{}","e":"AQAB"}}]}}"#,
        jwk(&a, "rsa-a", "RS256"),
        b64(SECRET),
        jwk(&b, "rsa-b", "PS256"),
        b64(&a.n),
        b64(&a.n),
    );
    let set = KeySet::<8>::from_jwks(jwks.as_bytes()).unwrap();
    assert_eq!((set.len(), set.skipped()), (4, 2));
    let v = Validation::new().with_audience("mcp").unwrap();
    let payload = access_claims("dave");
    let mut buf = [0u8; DEFAULT_BUFFER];
    for token in [
        rsa_token(&a, r#"{"alg":"RS256","kid":"rsa-a"}"#, &payload, false),
        rsa_token(&b, r#"{"alg":"PS256","kid":"rsa-b"}"#, &payload, true),
        es256_token(r#"{"alg":"ES256","kid":"ec1"}"#, &payload),
        hs256_sign(SECRET, r#"{"alg":"HS256","kid":"hs"}"#, &payload),
    ] {
        assert_eq!(
            verify(token.as_bytes(), set.keys(), &v, NOW, &mut buf).map(|_| ()),
            Ok(()),
            "{token}"
        );
    }
    // A's signature under B's kid, and an unknown kid.
    let wrong = rsa_token(&a, r#"{"alg":"PS256","kid":"rsa-b"}"#, &payload, true);
    assert_eq!(
        verify(wrong.as_bytes(), set.keys(), &v, NOW, &mut buf).err(),
        Some(Error::BadSignature)
    );
    let unknown = rsa_token(&a, r#"{"alg":"RS256","kid":"enc"}"#, &payload, false);
    assert_eq!(
        verify(unknown.as_bytes(), set.keys(), &v, NOW, &mut buf).err(),
        Some(Error::UnknownKey)
    );
}

#[test]
fn tokens_up_to_8_kib_by_default_and_more_when_configured() {
    let a = test_key("issuer-a");
    let issuers = issuers();
    let roles = |count: usize| {
        (0..count)
            .map(|i| format!(r#""group-{i:04}-with-a-longish-role-name""#))
            .collect::<Vec<_>>()
            .join(",")
    };
    let with_roles = |count: usize| {
        keycloak_claims(KC_ISS, "mcp-oauth").replace(
            r#""mcp-user"]"#,
            &format!(r#""mcp-user",{}]"#, roles(count)),
        )
    };
    let big = rs256(&a, "kc-rs", &with_roles(120));
    assert!((7 * 1024..8 * 1024).contains(&big.len()), "{}", big.len());
    assert_eq!(check(&issuers, &big), Ok(()));
    let too_big = rs256(&a, "kc-rs", &with_roles(160));
    assert!(too_big.len() > 8 * 1024);
    assert_eq!(check(&issuers, &too_big), Err(Error::TokenTooLarge));
    let mut larger = vec![0u8; buffer_len(16 * 1024)];
    assert!(issuers.verify(too_big.as_bytes(), NOW, &mut larger).is_ok());
}

// --- the attack corpus, RSA additions ---

fn rsa_set(kid: &str, alg: &str) -> KeySet {
    KeySet::from_jwks(
        format!(r#"{{"keys":[{}]}}"#, jwk(&test_key("issuer-a"), kid, alg)).as_bytes(),
    )
    .unwrap()
}

fn run(token: &str, keys: &KeySet) -> Result<(), Error> {
    let mut buf = [0u8; DEFAULT_BUFFER];
    let v = Validation::new().with_audience("mcp").unwrap();
    verify(token.as_bytes(), keys.keys(), &v, NOW, &mut buf).map(|_| ())
}

#[test]
fn rs256_against_an_ec_key_and_es256_against_an_rsa_key() {
    let a = test_key("issuer-a");
    let payload = access_claims("eve");
    let ec_keys = KeySet::from_jwks(es256_jwks().as_bytes()).unwrap();
    let rs = rsa_token(&a, r#"{"alg":"RS256","kid":"ec1"}"#, &payload, false);
    assert_eq!(run(&rs, &ec_keys), Err(Error::AlgorithmMismatch));
    let es = es256_token(r#"{"alg":"ES256","kid":"r"}"#, &payload);
    assert_eq!(
        run(&es, &rsa_set("r", "RS256")),
        Err(Error::AlgorithmMismatch)
    );
    // Even with the signature bytes of the other algorithm's length.
    let es_as_rs = es256_token(r#"{"alg":"RS256","kid":"r"}"#, &payload);
    assert_eq!(
        run(&es_as_rs, &rsa_set("r", "RS256")),
        Err(Error::InvalidSignatureLength)
    );
}

#[test]
fn hs256_signed_with_the_rsa_public_key_is_refused() {
    let a = test_key("issuer-a");
    let keys = rsa_set("r", "RS256");
    let payload = access_claims("mallory");
    let jwk_text = jwk(&a, "r", "RS256");
    for secret in [
        a.pem.as_bytes(),
        a.pem.trim_end().as_bytes(),
        jwk_text.as_bytes(),
        &a.n[..],
    ] {
        for header in [
            r#"{"alg":"HS256","kid":"r"}"#,
            r#"{"alg":"HS256"}"#,
            r#"{"alg":"RS256","kid":"r"}"#,
        ] {
            let token = hs256_sign(secret, header, &payload);
            let got = run(&token, &keys);
            assert!(
                matches!(
                    got,
                    Err(Error::AlgorithmMismatch | Error::InvalidSignatureLength)
                ),
                "{header}: {got:?}"
            );
        }
    }
}

fn with_sig(token: &str, sig: &[u8]) -> String {
    let input = &token[..token.rfind('.').unwrap()];
    format!("{input}.{}", b64(sig))
}

fn raw_sig(token: &str) -> Vec<u8> {
    use base64ct::{Base64UrlUnpadded, Encoding as _};
    Base64UrlUnpadded::decode_vec(token.rsplit('.').next().unwrap()).unwrap()
}

#[test]
fn signature_one_byte_short_or_long_and_s_equal_to_n() {
    let a = test_key("issuer-a");
    let keys = rsa_set("r", "RS256");
    let token = rsa_token(
        &a,
        r#"{"alg":"RS256","kid":"r"}"#,
        &access_claims("x"),
        false,
    );
    assert_eq!(run(&token, &keys), Ok(()));
    let sig = raw_sig(&token);
    assert_eq!(
        run(&with_sig(&token, &sig[1..]), &keys),
        Err(Error::InvalidSignatureLength)
    );
    assert_eq!(
        run(&with_sig(&token, &sig[..255]), &keys),
        Err(Error::InvalidSignatureLength)
    );
    let mut long = vec![0u8];
    long.extend_from_slice(&sig);
    assert_eq!(
        run(&with_sig(&token, &long), &keys),
        Err(Error::InvalidSignatureLength)
    );
    let mut long = sig.clone();
    long.push(0);
    assert_eq!(
        run(&with_sig(&token, &long), &keys),
        Err(Error::InvalidSignatureLength)
    );
    // s = n, s = n + 1 (s + n would also be "the same" signature mod n),
    // s = 0, s = 1, s = n - 1.
    let n = U2048::from_be_slice(&a.n);
    for s in [
        n,
        n.wrapping_add(&U2048::ONE),
        U2048::ZERO,
        U2048::ONE,
        n.wrapping_sub(&U2048::ONE),
        U2048::MAX,
    ] {
        assert_eq!(
            run(&with_sig(&token, &s.to_be_bytes()), &keys),
            Err(Error::BadSignature),
            "{s}"
        );
    }
    // The valid signature plus n is as long but not below n.
    let plus_n = U2048::from_be_slice(&sig).wrapping_add(&n);
    if plus_n > n {
        assert_eq!(
            run(&with_sig(&token, &plus_n.to_be_bytes()), &keys),
            Err(Error::BadSignature)
        );
    }
}

#[test]
fn weak_and_odd_rsa_keys_are_refused() {
    let weak = test_key("weak-1024");
    assert_eq!(
        Key::from_jwk(jwk(&weak, "w", "RS256").as_bytes()).err(),
        Some(Error::WeakRsaKey)
    );
    assert_eq!(
        Key::rs256(&weak.n, &weak.e, None).err(),
        Some(Error::WeakRsaKey)
    );
    // A weak key beside a usable one is skipped (RFC 7517 §5); alone, its
    // error is the document's.
    let a = test_key("issuer-a");
    let jwks = format!(
        r#"{{"keys":[{},{}]}}"#,
        jwk(&a, "a", "RS256"),
        jwk(&weak, "w", "RS256")
    );
    let mut skips = Vec::new();
    let mut set = KeySet::<8>::new();
    set.add_jwks_reporting(jwks.as_bytes(), |kid, e| {
        skips.push((kid.map(<[u8]>::to_vec), e))
    })
    .unwrap();
    assert_eq!((set.len(), set.skipped()), (1, 1));
    assert_eq!(skips, [(Some(b"w".to_vec()), Error::WeakRsaKey)]);
    let alone = format!(r#"{{"keys":[{}]}}"#, jwk(&weak, "w", "RS256"));
    assert_eq!(
        KeySet::<8>::from_jwks(alone.as_bytes()).err(),
        Some(Error::WeakRsaKey)
    );
    for e in ["AQ", "Ag", "AQAA", "AQAAAAE", "AQAAAAAAAAAB", ""] {
        let j = format!(r#"{{"kty":"RSA","n":"{}","e":"{e}"}}"#, b64(&a.n));
        assert_eq!(
            Key::from_jwk(j.as_bytes()).err(),
            Some(Error::UnsupportedRsaExponent),
            "e={e}"
        );
    }
    let j = format!(r#"{{"kty":"RSA","n":"{}","e":"Aw"}}"#, b64(&a.n));
    assert!(Key::from_jwk(j.as_bytes()).is_ok());
    let mut even = a.n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    assert_eq!(Key::rs256(&even, &a.e, None).err(), Some(Error::InvalidKey));
    // A leading zero byte in n (some encoders add one) is the same key.
    let mut padded = vec![0u8];
    padded.extend_from_slice(&a.n);
    assert_eq!(
        Key::rs256(&padded, &a.e, None).unwrap().rsa_bits(),
        Some(2048)
    );
    // Larger than 4096 bits: unsupported, so skipped in a JWKS.
    let huge = format!(
        r#"{{"kty":"RSA","kid":"h","n":"{}","e":"AQAB"}}"#,
        b64(&[0xff; 513])
    );
    assert_eq!(
        Key::from_jwk(huge.as_bytes()).err(),
        Some(Error::UnsupportedKey)
    );
    assert_eq!(
        KeySet::<2>::from_jwks(format!(r#"{{"keys":[{huge}]}}"#).as_bytes()).err(),
        Some(Error::UnsupportedKey)
    );
    for bad in [
        r#"{"kty":"RSA","e":"AQAB"}"#,
        r#"{"kty":"RSA","n":"AQAB"}"#,
        r#"{"kty":"RSA","n":"*","e":"AQAB"}"#,
        r#"{"kty":"RSA","n":1,"e":"AQAB"}"#,
    ] {
        assert!(Key::from_jwk(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn larger_moduli_verify_through_jwks() {
    for name in ["rsa-3072", "rsa-4096"] {
        let k = test_key(name);
        let key = Key::from_jwk(jwk(&k, name, "RS256").as_bytes()).unwrap();
        assert_eq!(key.signature_len(), k.n.len());
    }
}

#[test]
fn authenticate_with_several_issuers() {
    let a = test_key("issuer-a");
    let issuers = issuers();
    let token = rs256(&a, "kc-rs", &keycloak_claims(KC_ISS, "mcp-oauth"));
    let bearer = format!("Bearer {token}");
    let headers = [(&b"authorization"[..], bearer.as_bytes())];
    let policy = gatekey::Policy::header_first();
    let mut buf = [0u8; DEFAULT_BUFFER];
    let identity = gatekey::authenticate_with(
        gatekey::Request::new(headers.iter().copied()),
        &policy,
        &mut buf,
        |t, b| issuers.verify(t, NOW, b),
    )
    .unwrap();
    assert!(identity
        .subject
        .unwrap()
        .eq_bytes(b"8d2f7c1e-5b3a-4c9d-a1e2-f3b4c5d6e7f8"));
}
