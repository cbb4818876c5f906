#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::Error;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{credential_hash, Asserted, Checker, Signer, HEADER_B64, MAX_LIFETIME};

const KEY: &[u8] = b"deployment-key-0123456789abcdef-0123";
const NOW: i64 = 1_800_000_000;

fn pair() -> (Signer, Checker) {
    (
        Signer::new(KEY, "orders", 30).unwrap(),
        Checker::new(KEY, "orders", 0).unwrap(),
    )
}

/// An assertion with any claims, signed with `key`.
fn mint(key: &[u8], header_b64: &str, claims: &str) -> String {
    let input = format!(
        "{header_b64}.{}",
        Base64UrlUnpadded::encode_string(claims.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    let sig = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    format!("{input}.{sig}")
}

#[test]
fn header_constant_is_the_header() {
    let json = Base64UrlUnpadded::decode_vec(HEADER_B64).unwrap();
    assert_eq!(json, br#"{"alg":"HS256","typ":"gatekey-assertion+jwt"}"#);
}

#[test]
fn round_trip_bound_and_unbound() {
    let (signer, checker) = pair();
    let a = signer.sign("alice \"a\"\n", "cookie", b"tok.en.x", NOW);
    let want = Asserted {
        subject: "alice \"a\"\n".into(),
        source: "cookie".into(),
        exp: NOW + 30,
    };
    assert_eq!(
        checker.check(Some(a.as_bytes()), None, NOW),
        Ok(want.clone())
    );
    assert_eq!(
        checker.check(Some(a.as_bytes()), Some(b"tok.en.x"), NOW + 29),
        Ok(want)
    );
}

#[test]
fn refuses_missing_forged_expired_wrong_audience_and_rebound() {
    let (signer, checker) = pair();
    let a = signer.sign("alice", "bearer", b"T1", NOW);
    assert_eq!(
        checker.check(None, None, NOW),
        Err(Error::MissingCredential)
    );
    assert_eq!(
        checker.check(Some(b""), None, NOW),
        Err(Error::MissingCredential)
    );
    // Another key.
    let other = Signer::new(b"another-deployment-key-0123456789ab", "orders", 30).unwrap();
    let forged = other.sign("alice", "bearer", b"T1", NOW);
    assert_eq!(
        checker.check(Some(forged.as_bytes()), None, NOW),
        Err(Error::BadSignature)
    );
    // A flipped bit anywhere.
    for i in 0..a.len() {
        let mut bytes = a.clone().into_bytes();
        bytes[i] ^= 1;
        assert!(checker.check(Some(&bytes), None, NOW).is_err(), "byte {i}");
    }
    assert_eq!(
        checker.check(Some(a.as_bytes()), None, NOW + 31),
        Err(Error::Expired)
    );
    let billing = Checker::new(KEY, "billing", 0).unwrap();
    assert_eq!(
        billing.check(Some(a.as_bytes()), None, NOW),
        Err(Error::WrongAudience)
    );
    assert_eq!(
        checker.check(Some(a.as_bytes()), Some(b"T2"), NOW),
        Err(Error::ConflictingCredentials)
    );
}

#[test]
fn refuses_a_long_life_an_access_token_and_missing_claims() {
    let checker = Checker::new(KEY, "orders", 0).unwrap();
    let cnf = credential_hash(b"T");
    let long = mint(
        KEY,
        HEADER_B64,
        &format!(
            r#"{{"aud":"orders","iat":{NOW},"exp":{},"sub":"a","src":"bearer","cnf":{{"cred#S256":"{cnf}"}}}}"#,
            NOW + i64::from(MAX_LIFETIME) + 1
        ),
    );
    assert_eq!(
        checker.check(Some(long.as_bytes()), None, NOW),
        Err(Error::InvalidClaim)
    );
    // An access token signed with the same key is not an assertion.
    let plain = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256"}"#);
    let token = mint(
        KEY,
        &plain,
        &format!(
            r#"{{"aud":"orders","iat":{NOW},"exp":{},"sub":"a","src":"bearer","cnf":{{"cred#S256":"{cnf}"}}}}"#,
            NOW + 10
        ),
    );
    assert!(checker.check(Some(token.as_bytes()), None, NOW).is_err());
    let no_src = mint(
        KEY,
        HEADER_B64,
        &format!(
            r#"{{"aud":"orders","iat":{NOW},"exp":{},"sub":"a","cnf":{{"cred#S256":"{cnf}"}}}}"#,
            NOW + 10
        ),
    );
    assert_eq!(
        checker.check(Some(no_src.as_bytes()), None, NOW),
        Err(Error::MissingClaim)
    );
}

#[test]
fn refuses_weak_keys_and_bad_lifetimes() {
    assert_eq!(Signer::new(b"short", "a", 30).err(), Some(Error::WeakKey));
    assert_eq!(Checker::new(b"short", "a", 0).err(), Some(Error::WeakKey));
    assert_eq!(Signer::new(KEY, "a", 61).err(), Some(Error::InvalidConfig));
    assert_eq!(Signer::new(KEY, "a", 0).err(), Some(Error::InvalidConfig));
    assert_eq!(Signer::new(KEY, "", 30).err(), Some(Error::InvalidConfig));
}
