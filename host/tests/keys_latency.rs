//! A request never waits on the network: a flood of random `kid`s makes
//! at most one fetch per cooldown window, and a dripping or hanging
//! identity provider does not delay requests on a current key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    clippy::std_instead_of_core,
    missing_docs
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use gatekey::{Error, Policy};
use gatekey_host::keys::{RefreshOptions, Refresher, Source, Sources};
use gatekey_host::Options;

fn background(cooldown: Duration) -> RefreshOptions {
    RefreshOptions {
        cooldown,
        timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(1),
        ..RefreshOptions::default()
    }
}

fn start(idp: &Idp, options: RefreshOptions) -> Refresher {
    Refresher::new(
        Sources::One(Source::JwksUrl(idp.jwks_url())),
        Policy::header_first(),
        Options::default(),
        options,
    )
    .unwrap()
}

/// Tokens with random kids (their signatures do not matter: no key has them).
fn random_kid_tokens(n: usize) -> Vec<String> {
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    let template = token("k1");
    let rest = template.split_once('.').unwrap().1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let header = format!(r#"{{"alg":"HS256","kid":"r{x:016x}"}}"#);
            use base64ct::{Base64UrlUnpadded, Encoding};
            format!(
                "{}.{rest}",
                Base64UrlUnpadded::encode_string(header.as_bytes())
            )
        })
        .collect()
}

fn flood(cooldown: Duration, n: usize) -> (usize, Duration) {
    let idp = Idp::start(&["k1"]);
    let r = start(&idp, background(cooldown));
    let v = Arc::clone(r.verifier());
    let tokens = random_kid_tokens(n);
    let before = idp.hits();
    let started = Instant::now();
    for t in &tokens {
        assert_eq!(check(&v, t).unwrap_err().error, Error::UnknownKey);
    }
    let elapsed = started.elapsed();
    std::thread::sleep(Duration::from_millis(500)); // let a fetch asked for land
    let fetches = idp.hits() - before;
    assert_eq!(check(&v, &token("k1")).unwrap(), "alice");
    (fetches, elapsed)
}

#[test]
fn a_random_kid_flood_makes_one_fetch_per_cooldown_window() {
    let (fetches, elapsed) = flood(Duration::from_secs(30), 100_000);
    eprintln!("100000 random-kid requests in {elapsed:?}: {fetches} fetch(es), cooldown 30 s");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert_eq!(fetches, 1, "one fetch for the whole flood");
    // A 1 s cooldown: at most one fetch per second of flood (plus the first).
    let (fetches, elapsed) = flood(Duration::from_secs(1), 100_000);
    let windows = elapsed.as_secs() as usize + 1;
    eprintln!("100000 random-kid requests in {elapsed:?}: {fetches} fetch(es), cooldown 1 s");
    assert!(
        fetches >= 1 && fetches <= windows + 1,
        "{fetches} fetches in {elapsed:?}"
    );
}

/// Requests on a current key while the provider misbehaves during a
/// fetch: the latencies, sorted.
fn latencies_while(mode: Mode) -> Vec<Duration> {
    let idp = Idp::start(&["k1"]);
    let r = start(&idp, background(Duration::from_secs(1)));
    let v = Arc::clone(r.verifier());
    let good = token("k1");
    assert!(check(&v, &good).is_ok());
    idp.set(|s| s.mode = mode);
    let before = idp.hits();
    // An unknown kid asks for a fetch, which now drips or hangs for the
    // whole 3 s timeout.
    assert_eq!(
        check(&v, &token("new")).unwrap_err().error,
        Error::UnknownKey
    );
    let deadline = Instant::now() + Duration::from_secs(2);
    while idp.hits() == before {
        assert!(Instant::now() < deadline, "no fetch was made");
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut latencies = Vec::new();
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        let t = Instant::now();
        assert_eq!(check(&v, &good).unwrap(), "alice");
        // Unknown kids keep asking; none may wait either.
        let _ = check(&v, &token("another"));
        latencies.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(2));
    }
    let s = r.status();
    assert!(s.fresh);
    latencies.sort();
    latencies
}

fn report(mode: Mode, l: &[Duration]) {
    let p = |q: f64| l[((l.len() as f64 * q) as usize).min(l.len() - 1)];
    eprintln!(
        "{mode:?}: {} requests during the fetch: median {:?}, p99 {:?}, max {:?}",
        l.len(),
        p(0.5),
        p(0.99),
        l[l.len() - 1]
    );
    // A request blocked on the fetch would wait seconds; scheduling noise
    // on a shared machine is what the max allows for.
    assert!(p(0.99) < Duration::from_millis(10), "{mode:?}");
    assert!(l[l.len() - 1] < Duration::from_millis(100), "{mode:?}");
}

#[test]
fn a_dripping_provider_never_delays_a_request() {
    let l = latencies_while(Mode::Drip);
    report(Mode::Drip, &l);
}

#[test]
fn a_hanging_provider_never_delays_a_request() {
    let l = latencies_while(Mode::Hang);
    report(Mode::Hang, &l);
}

/// The provider adds `k2` (and a new ETag): the first token signed with it.
fn rotate(idp: &Idp) {
    idp.set(|s| {
        s.keys.push(oct("k2"));
        s.etag = Some("\"v2\"".into());
    });
}

#[test]
fn by_default_a_token_with_a_new_kid_does_not_wait() {
    let idp = Idp::start(&["k1"]);
    let r = start(&idp, background(Duration::from_secs(1)));
    let v = Arc::clone(r.verifier());
    rotate(&idp);
    let t = Instant::now();
    assert_eq!(
        check(&v, &token("k2")).unwrap_err().error,
        Error::UnknownKey
    );
    assert!(
        t.elapsed() < Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn a_token_with_a_new_kid_waits_for_its_fetch_within_the_bound() {
    let idp = Idp::start(&["k1"]);
    let options = RefreshOptions {
        unknown_kid_wait: Duration::from_secs(2),
        ..background(Duration::from_secs(1))
    };
    let r = start(&idp, options);
    let v = Arc::clone(r.verifier());
    rotate(&idp);
    // The first token with the new kid verifies: it waited for the fetch
    // it asked for, then was tried again with the new keys.
    let t = Instant::now();
    assert_eq!(check(&v, &token("k2")).unwrap(), "alice");
    let waited = t.elapsed();
    eprintln!("a new kid waited {waited:?} for its fetch");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    // Through verify too, on the next rotation.
    idp.set(|s| {
        s.keys.push(oct("k3"));
        s.etag = Some("\"v3\"".into());
    });
    std::thread::sleep(Duration::from_millis(1100)); // past the cooldown
    let k3 = token("k3");
    let verified = gatekey_host::with_buffer(|buf| {
        v.verify(k3.as_bytes(), now(), buf, &gatekey_host::InPlace)
            .map(drop)
    });
    assert!(verified.is_ok(), "{verified:?}");
    // A kid no fetch brings waits at most once, and only for its own fetch:
    // asked again at once (a fetch already looked for it), it does not wait.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(
        check(&v, &token("never")).unwrap_err().error,
        Error::UnknownKey
    );
    let t = Instant::now();
    assert_eq!(
        check(&v, &token("never")).unwrap_err().error,
        Error::UnknownKey
    );
    assert!(
        t.elapsed() < Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn a_waiting_token_gives_up_at_the_bound_when_the_provider_hangs() {
    let idp = Idp::start(&["k1"]);
    let options = RefreshOptions {
        unknown_kid_wait: Duration::from_millis(300),
        ..background(Duration::from_secs(1))
    };
    let r = start(&idp, options);
    let v = Arc::clone(r.verifier());
    idp.set(|s| s.mode = Mode::Hang);
    let t = Instant::now();
    assert_eq!(
        check(&v, &token("k2")).unwrap_err().error,
        Error::UnknownKey
    );
    let waited = t.elapsed();
    eprintln!("a new kid gave up after {waited:?} (bound 300 ms)");
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_millis(800), "{waited:?}");
    // Tokens on a current key never wait, even while that fetch hangs.
    let t = Instant::now();
    assert_eq!(check(&v, &token("k1")).unwrap(), "alice");
    assert!(
        t.elapsed() < Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );
}
