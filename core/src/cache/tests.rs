use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::*;
use crate::{verify, Key, KeySet};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn token(sub: &str, exp: i64) -> std::string::String {
    let b64 = |s: &str| Base64UrlUnpadded::encode_string(s.as_bytes());
    let input = std::format!(
        "{}.{}",
        b64(r#"{"alg":"HS256"}"#),
        b64(&std::format!(r#"{{"sub":"{sub}","exp":{exp}}}"#))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    std::format!(
        "{input}.{}",
        Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes())
    )
}

fn keys() -> KeySet<1> {
    let mut k = KeySet::new();
    k.push(Key::hs256(SECRET, None).unwrap()).unwrap();
    k
}

/// Verifies through the cache and says whether the signature was checked.
fn run<const N: usize>(
    cache: &mut Cache<N>,
    keys: &KeySet<1>,
    token: &[u8],
    now: i64,
) -> (Result<(), Error>, bool) {
    let v = Validation::new();
    let mut buf = [0u8; 512];
    let mut verified_fully = false;
    let result = verify_cached(
        cache,
        keys.generation(),
        token,
        &v,
        now,
        &mut buf,
        |t, b| {
            verified_fully = true;
            verify(t, keys.keys(), &v, now, b)
        },
    );
    let result = result.map(|id| assert!(id.claims.sub().is_some()));
    (result, verified_fully)
}

#[test]
fn a_second_request_is_a_hit_with_the_same_claims() {
    let (keys, t) = (keys(), token("alice", 1000));
    let mut cache = Cache::<8>::new();
    assert_eq!(run(&mut cache, &keys, t.as_bytes(), 10), (Ok(()), true));
    assert_eq!(run(&mut cache, &keys, t.as_bytes(), 11), (Ok(()), false));
    let mut buf = [0u8; 512];
    let Lookup::Hit(hit) = cache.lookup(t.as_bytes(), keys.generation()) else {
        panic!("miss")
    };
    let v = hit.open(&Validation::new(), 12, &mut buf).unwrap();
    assert!(v.claims.sub().unwrap().eq_bytes(b"alice"));
    assert!(v.header.alg.eq_bytes(b"HS256"));
}

#[test]
fn an_expired_cached_token_is_refused() {
    let (keys, t) = (keys(), token("alice", 1000));
    let mut cache = Cache::<8>::new();
    assert_eq!(run(&mut cache, &keys, t.as_bytes(), 999), (Ok(()), true));
    assert_eq!(
        run(&mut cache, &keys, t.as_bytes(), 1000),
        (Err(Error::Expired), false)
    );
    assert_eq!(
        run(&mut cache, &keys, t.as_bytes(), 5000),
        (Err(Error::Expired), false)
    );
}

#[test]
fn a_token_differing_by_one_byte_is_a_miss() {
    let (keys, t) = (keys(), token("alice", 1000));
    let mut cache = Cache::<8>::new();
    assert_eq!(run(&mut cache, &keys, t.as_bytes(), 10), (Ok(()), true));
    let mut other = t.clone().into_bytes();
    let last = other.len() - 1;
    other[last] = if other[last] == b'A' { b'B' } else { b'A' };
    assert!(run(&mut cache, &keys, &other, 10).1);
    assert!(run(&mut cache, &keys, &other, 10).0.is_err());
    // Failures are never cached.
    assert_eq!(cache.len(), 1);
}

#[test]
fn capacity_is_respected_and_eviction_is_lru() {
    let keys = keys();
    let mut cache = Cache::<8>::new();
    let tokens: std::vec::Vec<_> = (0..100)
        .map(|i| token(&std::format!("u{i}"), 1000))
        .collect();
    for t in &tokens {
        assert_eq!(run(&mut cache, &keys, t.as_bytes(), 10), (Ok(()), true));
        assert!(cache.len() <= 8);
    }
    assert_eq!(cache.len(), 8);
    assert_eq!(cache.capacity(), 8);
    // The most recent token is still there.
    assert_eq!(
        run(&mut cache, &keys, tokens[99].as_bytes(), 10),
        (Ok(()), false)
    );
}

#[test]
fn a_key_set_change_empties_the_cache() {
    let (mut keys, t) = (keys(), token("alice", 1000));
    let mut cache = Cache::<8>::new();
    assert_eq!(run(&mut cache, &keys, t.as_bytes(), 10), (Ok(()), true));
    keys = {
        let mut k = KeySet::new();
        k.push(Key::hs256(b"another-secret-of-at-least-32-bytes!", None).unwrap())
            .unwrap();
        k
    };
    // The new keys do not verify the token: it must not come from the cache.
    assert_eq!(
        run(&mut cache, &keys, t.as_bytes(), 10),
        (Err(Error::BadSignature), true)
    );
    assert!(cache.is_empty());
}
