#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::*;
use gatekey::{Key, Source, DEFAULT_BUFFER};

const NOW: i64 = 1_750_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-host-test";

fn token(sub: &str, exp: i64) -> String {
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload =
        Base64UrlUnpadded::encode_string(format!(r#"{{"sub":"{sub}","exp":{exp}}}"#).as_bytes());
    let input = format!("{header}.{payload}");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    let sig = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    format!("{input}.{sig}")
}

fn keys() -> KeySet {
    let mut keys = KeySet::new();
    keys.push(Key::hs256(SECRET, None).unwrap()).unwrap();
    keys
}

fn subject(
    cache: Option<&TokenCache>,
    keys: &KeySet,
    token: &str,
    now: i64,
) -> Result<String, Error> {
    let auth = format!("Bearer {token}");
    let headers: [(&[u8], &[u8]); 1] = [(b"authorization", auth.as_bytes())];
    let mut buf = [0u8; DEFAULT_BUFFER];
    let rules = Rules {
        keys,
        validation: &Validation::new(),
        cache,
    };
    let id = authenticate_cached(
        Request::new(headers),
        &Policy::strict(),
        rules,
        now,
        &mut buf,
        &InPlace,
    )?;
    assert_eq!(id.source, Source::Bearer);
    Ok(id.subject.unwrap().as_str().unwrap().to_owned())
}

#[test]
fn capacity_is_rounded_up_to_whole_shards() {
    assert!(TokenCache::new(0).unwrap().is_none());
    assert_eq!(TokenCache::new(1).unwrap().unwrap().capacity(), 64);
    assert_eq!(TokenCache::new(64).unwrap().unwrap().capacity(), 64);
    assert_eq!(TokenCache::new(65).unwrap().unwrap().capacity(), 128);
    assert_eq!(
        TokenCache::new(MAX_CAPACITY).unwrap().unwrap().capacity(),
        MAX_CAPACITY
    );
    assert_eq!(
        TokenCache::new(MAX_CAPACITY + 1).unwrap_err(),
        CapacityError
    );
}

#[test]
fn a_hit_rechecks_expiry() {
    let cache = TokenCache::new(100).unwrap().unwrap();
    let keys = keys();
    let t = token("alice", NOW + 600);
    assert_eq!(subject(Some(&cache), &keys, &t, NOW).unwrap(), "alice");
    assert_eq!(subject(Some(&cache), &keys, &t, NOW + 1).unwrap(), "alice");
    assert_eq!(
        subject(Some(&cache), &keys, &t, NOW + 601),
        Err(Error::Expired)
    );
    let info = cache.info();
    assert_eq!((info.hits, info.misses, info.size), (2, 1, 1));
}

#[test]
fn a_token_one_byte_off_is_a_miss_and_refused() {
    let cache = TokenCache::new(64).unwrap().unwrap();
    let keys = keys();
    let t = token("alice", NOW + 600);
    subject(Some(&cache), &keys, &t, NOW).unwrap();
    let mut forged = t.clone().into_bytes();
    let i = forged.len() - 3;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(
        subject(Some(&cache), &keys, &forged, NOW),
        Err(Error::BadSignature)
    );
    let info = cache.info();
    assert_eq!((info.hits, info.misses, info.size), (0, 2, 1));
}

#[test]
fn new_keys_empty_the_cache() {
    let cache = TokenCache::new(64).unwrap().unwrap();
    let t = token("alice", NOW + 600);
    let old = keys();
    subject(Some(&cache), &old, &t, NOW).unwrap();
    subject(Some(&cache), &old, &t, NOW).unwrap();
    // The same secret in a new set: a new generation, so verified again.
    let new = keys();
    subject(Some(&cache), &new, &t, NOW).unwrap();
    assert_eq!((cache.info().hits, cache.info().misses), (1, 2));
    // Keys that no longer verify the token refuse it, cached or not.
    let mut other = KeySet::new();
    other
        .push(Key::hs256(b"another secret, 32 bytes or more!!", None).unwrap())
        .unwrap();
    assert_eq!(
        subject(Some(&cache), &other, &t, NOW),
        Err(Error::BadSignature)
    );
}

#[test]
fn it_never_grows_past_its_capacity() {
    let cache = TokenCache::new(128).unwrap().unwrap();
    let keys = keys();
    for i in 0..1000 {
        subject(
            Some(&cache),
            &keys,
            &token(&format!("u{i}"), NOW + 600),
            NOW,
        )
        .unwrap();
    }
    let info = cache.info();
    assert!(info.size <= 128 && info.size > 64, "{info:?}");
    cache.clear();
    assert_eq!(cache.info().size, 0);
}

#[test]
fn no_cache_verifies_every_time() {
    let keys = keys();
    let t = token("alice", NOW + 600);
    assert_eq!(subject(None, &keys, &t, NOW).unwrap(), "alice");
    assert_eq!(subject(None, &keys, &t, NOW + 601), Err(Error::Expired));
}

#[test]
fn threads_share_one_cache() {
    let cache = TokenCache::new(256).unwrap().unwrap();
    let keys = keys();
    let tokens: Vec<String> = (0..16)
        .map(|i| token(&format!("u{i}"), NOW + 600))
        .collect();
    std::thread::scope(|s| {
        for n in 0..8 {
            let (cache, keys, tokens) = (&cache, &keys, &tokens);
            s.spawn(move || {
                for round in 0..200 {
                    let i = (n + round) % tokens.len();
                    let got = subject(Some(cache), keys, &tokens[i], NOW).unwrap();
                    assert_eq!(got, format!("u{i}"));
                }
            });
        }
    });
    let info = cache.info();
    assert_eq!(info.hits + info.misses, 8 * 200);
    // Each token is verified at most once per thread that raced for it.
    assert!(info.misses >= 16 && info.misses <= 16 * 8, "{info:?}");
}

/// Counts the slow steps it runs.
#[derive(Default)]
struct Counting(core::sync::atomic::AtomicUsize);

impl Offload for Counting {
    fn run<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        self.0.fetch_add(1, Ordering::Relaxed);
        work()
    }
}

#[test]
fn only_a_miss_is_offloaded() {
    let cache = TokenCache::new(64).unwrap().unwrap();
    let keys = keys();
    let validation = Validation::new();
    let t = token("alice", NOW + 600);
    let offload = Counting::default();
    let mut buf = [0u8; DEFAULT_BUFFER];
    let rules = Rules {
        keys: &keys,
        validation: &validation,
        cache: Some(&cache),
    };
    for _ in 0..3 {
        verify_cached(rules, t.as_bytes(), NOW, &mut buf, &offload).unwrap();
    }
    assert_eq!(offload.0.load(Ordering::Relaxed), 1);
    let uncached = Rules {
        cache: None,
        ..rules
    };
    verify_cached(uncached, t.as_bytes(), NOW, &mut buf, &offload).unwrap();
    assert_eq!(offload.0.load(Ordering::Relaxed), 2);
}

fn token_of(iss: &str, secret: &[u8]) -> String {
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256"}"#);
    let payload = Base64UrlUnpadded::encode_string(
        format!(r#"{{"iss":"{iss}","sub":"u","exp":{}}}"#, NOW + 600).as_bytes(),
    );
    let input = format!("{header}.{payload}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    let sig = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    format!("{input}.{sig}")
}

#[test]
fn several_issuers_keep_their_keys_apart_cached_or_not() {
    let other = b"another-secret-of-at-least-32-bytes-long!";
    let keys_of = |secret: &[u8]| {
        let mut k = KeySet::new();
        k.push(Key::hs256(secret, None).unwrap()).unwrap();
        k
    };
    let validation = Validation::new();
    let trust: Trust<8> = Trust::issuers(
        [
            ("https://a", keys_of(SECRET)),
            ("https://b", keys_of(other)),
        ],
        &validation,
    )
    .unwrap();
    assert!(!trust.has_public_keys());
    assert_eq!((trust.len(), trust.issuer_list().len()), (2, 2));
    let cache = TokenCache::new(64).unwrap().unwrap();
    let mut buf = [0u8; DEFAULT_BUFFER];
    for cache in [None, Some(&cache), Some(&cache)] {
        let check = |token: &str, buf: &mut [u8]| {
            trust
                .verify(token.as_bytes(), &validation, cache, NOW, buf, &InPlace)
                .map(|v| v.claims.iss().unwrap().as_str().unwrap().to_owned())
        };
        assert_eq!(
            check(&token_of("https://a", SECRET), &mut buf).unwrap(),
            "https://a"
        );
        assert_eq!(
            check(&token_of("https://b", other), &mut buf).unwrap(),
            "https://b"
        );
        // A's secret signing a token that claims B.
        assert_eq!(
            check(&token_of("https://b", SECRET), &mut buf).err(),
            Some(Error::BadSignature)
        );
        assert_eq!(
            check(&token_of("https://c", SECRET), &mut buf).err(),
            Some(Error::UnknownIssuer)
        );
    }
    assert_eq!(cache.info().hits, 2);
    // A new list is a new cache context: the cached tokens are verified again.
    let again: Trust<8> = Trust::issuers([("https://a", keys_of(other))], &validation).unwrap();
    assert!(again.same_kind(&trust) && !again.same_kind(&Trust::Keys(keys_of(SECRET))));
    let token = token_of("https://a", SECRET);
    assert_eq!(
        again
            .verify(
                token.as_bytes(),
                &validation,
                Some(&cache),
                NOW,
                &mut buf,
                &InPlace
            )
            .err(),
        Some(Error::BadSignature)
    );
    assert!(Trust::<8>::issuers([], &validation).is_err());
}

fn signed(header: &str, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        Base64UrlUnpadded::encode_string(payload.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    let sig = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    format!("{input}.{sig}")
}

/// `verify` through `cache` (or without one), as what can be compared:
/// the header, the claims' JSON, or the error.
fn verdict(
    keys: &KeySet,
    cache: Option<&TokenCache>,
    token: &str,
    validation: &Validation,
    now: i64,
    buf: &mut [u8],
) -> Result<(String, Vec<u8>), Error> {
    let rules = Rules {
        keys,
        validation,
        cache,
    };
    verify_cached(rules, token.as_bytes(), now, buf, &InPlace)
        .map(|v| (format!("{:?}", v.header), v.claims.json().to_vec()))
}

#[test]
fn a_hit_gives_back_the_header_and_claims_of_the_miss() {
    let cache = TokenCache::new(64).unwrap().unwrap();
    let keys = keys();
    let long_role = "r".repeat(INLINE_MAX);
    for payload in [
        format!(r#"{{"sub":"a\u00e9\"b","exp":{},"roles":["x"]}}"#, NOW + 60),
        // Longer than INLINE_MAX: kept as a digest, decoded on a hit.
        format!(r#"{{"sub":"b","exp":{},"role":"{long_role}"}}"#, NOW + 60),
    ] {
        let t = signed(r#"{"alg":"HS256","kid":"k\/1","typ":"at+jwt"}"#, &payload);
        let v = Validation::new();
        let mut buf = vec![0u8; DEFAULT_BUFFER];
        let miss = verdict(&keys, None, &t, &v, NOW, &mut buf).unwrap();
        assert_eq!(miss.1, payload.as_bytes());
        let before = cache.info().hits;
        for _ in 0..3 {
            assert_eq!(
                verdict(&keys, Some(&cache), &t, &v, NOW, &mut buf),
                Ok(miss.clone())
            );
        }
        assert_eq!(cache.info().hits, before + 2);
        // A buffer too short for the token: a hit says what a miss says.
        let mut short = vec![0u8; gatekey::buffer_len(t.len()) - 1];
        let refused = verdict(&keys, None, &t, &v, NOW, &mut short);
        assert_eq!(refused, Err(Error::TokenTooLarge));
        assert_eq!(
            verdict(&keys, Some(&cache), &t, &v, NOW, &mut short),
            refused
        );
    }
}

#[test]
fn same_hash_different_bytes_is_a_miss() {
    // Two tokens in one set: only exact bytes hit.
    let cache = TokenCache::new(64).unwrap().unwrap();
    let keys = keys();
    let a = token("alice", NOW + 600);
    let b = token("bob", NOW + 600);
    subject(Some(&cache), &keys, &a, NOW).unwrap();
    assert_eq!(subject(Some(&cache), &keys, &b, NOW).unwrap(), "bob");
    assert_eq!(subject(Some(&cache), &keys, &a, NOW).unwrap(), "alice");
    assert_eq!(subject(Some(&cache), &keys, &b, NOW).unwrap(), "bob");
    assert_eq!((cache.info().hits, cache.info().misses), (2, 2));
    // A prefix of a cached token is no hit.
    let (cut, _) = a.split_at(a.len() - 1);
    assert!(subject(Some(&cache), &keys, cut, NOW).is_err());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 400, ..Default::default() })]

    /// The host cache's hit decides exactly what a miss decides, whichever
    /// way the clock moves (core/tests/properties.rs has the core's).
    #[test]
    fn a_host_cache_hit_decides_what_a_miss_decides(
        exp in proptest::option::of(990i64..1030),
        nbf in proptest::option::of(970i64..1010),
        iat in proptest::option::of(970i64..1030),
        leeway in 0u32..8,
        long in proptest::bool::ANY,
        first in 960i64..1040,
        nows in proptest::collection::vec(960i64..1040, 1..12),
    ) {
        let mut claims = vec![r#""sub":"a""#.to_owned()];
        if long {
            claims.push(format!(r#""pad":"{}""#, "p".repeat(INLINE_MAX)));
        }
        for (name, value) in [("exp", exp), ("nbf", nbf), ("iat", iat)] {
            if let Some(v) = value {
                claims.push(format!(r#""{name}":{v}"#));
            }
        }
        let t = signed(r#"{"alg":"HS256"}"#, &format!("{{{}}}", claims.join(",")));
        let v = Validation::new().require_nothing().with_leeway(leeway);
        let cache = TokenCache::new(64).unwrap().unwrap();
        let keys = keys();
        let mut buf = vec![0u8; DEFAULT_BUFFER];
        let _ = verdict(&keys, Some(&cache), &t, &v, first, &mut buf);
        for now in nows {
            let miss = verdict(&keys, None, &t, &v, now, &mut vec![0u8; DEFAULT_BUFFER]);
            proptest::prop_assert_eq!(verdict(&keys, Some(&cache), &t, &v, now, &mut buf), miss, "now {}", now);
        }
    }
}

#[test]
fn debug_shows_neither_tokens_nor_the_seed() {
    let cache = TokenCache::new(64).unwrap().unwrap();
    let t = token("alice", NOW + 600);
    subject(Some(&cache), &keys(), &t, NOW).unwrap();
    let shown = format!("{cache:?}");
    assert!(
        shown.contains("Seeded(..)") && shown.contains("len: 1"),
        "{shown}"
    );
    assert!(!shown.contains(&t[..20]), "{shown}");
}
