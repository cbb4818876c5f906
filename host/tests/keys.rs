//! Key sources against a loopback identity provider, on a fake clock:
//! rotation, removal, ETags, an hour-long outage, unusable keys, the
//! fetch bounds, OIDC discovery, files and several issuers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::std_instead_of_core,
    missing_docs
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use gatekey::{Error, Policy};
use gatekey_host::keys::{FakeClock, RefreshOptions, Refresher, Source, SourceError, Sources};
use gatekey_host::{with_buffer, InPlace, OptionValue, Options};

const START: Duration = Duration::from_secs(1_750_000_000);

fn manual() -> RefreshOptions {
    RefreshOptions {
        background: false,
        timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(1),
        ..RefreshOptions::default()
    }
}

fn refresher(sources: Sources, options: &[(&str, OptionValue)]) -> (Refresher, Arc<FakeClock>) {
    let clock = Arc::new(FakeClock::new(START));
    let options = Options::from_pairs(options.iter().cloned()).unwrap();
    let r = Refresher::with_clock(
        sources,
        Policy::header_first(),
        options,
        manual(),
        clock.clone(),
    )
    .unwrap();
    (r, clock)
}

fn url_source(idp: &Idp) -> Sources {
    Sources::One(Source::JwksUrl(idp.jwks_url()))
}

#[test]
fn rotation_is_picked_up_on_an_unknown_kid_and_on_schedule() {
    let idp = Idp::start(&["k1"]);
    let (r, clock) = refresher(url_source(&idp), &[]);
    let v = Arc::clone(r.verifier());
    assert_eq!(check(&v, &token("k1")).unwrap(), "alice");
    idp.set(|s| {
        s.keys.push(oct("k2"));
        s.etag = Some("\"v2\"".into());
    });
    // The request does not wait: it is refused and asks for a fetch.
    assert_eq!(
        check(&v, &token("k2")).unwrap_err().error,
        Error::UnknownKey
    );
    assert_eq!(r.status().unknown_kid_refreshes, 1);
    assert!(r.poll(false), "the unknown kid forced a fetch");
    assert_eq!(check(&v, &token("k2")).unwrap(), "alice");
    // On schedule: after max_refresh (no max-age sent).
    idp.set(|s| {
        s.keys = vec![oct("k2"), oct("k3")];
        s.etag = Some("\"v3\"".into());
    });
    assert!(!r.poll(false), "not due yet");
    clock.advance(Duration::from_secs(601));
    assert!(r.poll(false));
    assert_eq!(check(&v, &token("k3")).unwrap(), "alice");
    assert_eq!(r.status().fetches(), 3);
}

#[test]
fn a_removed_key_is_refused_after_the_next_fetch_and_leaves_the_cache() {
    let idp = Idp::start(&["old", "new"]);
    let (r, clock) = refresher(url_source(&idp), &[("cache_size", OptionValue::Int(64))]);
    let v = Arc::clone(r.verifier());
    let old = token("old");
    assert!(check(&v, &old).is_ok());
    assert!(check(&v, &old).is_ok());
    assert_eq!(v.cache_info().hits, 1);
    idp.set(|s| {
        s.keys = vec![oct("new")];
        s.etag = Some("\"v2\"".into());
    });
    assert!(check(&v, &old).is_ok(), "until a fetch has seen it gone");
    clock.advance(Duration::from_secs(601));
    assert!(r.poll(false));
    assert_eq!(check(&v, &old).unwrap_err().error, Error::UnknownKey);
    assert_eq!(
        v.cache_info().size,
        0,
        "the cache forgot the old key's tokens"
    );
    assert!(check(&v, &token("new")).is_ok());
    assert_eq!(r.status().keys(), 1);
}

#[test]
fn etag_and_max_age() {
    let idp = Idp::start(&["k1"]);
    idp.set(|s| s.max_age = Some(120));
    let (r, clock) = refresher(url_source(&idp), &[("cache_size", OptionValue::Int(64))]);
    let v = Arc::clone(r.verifier());
    assert!(check(&v, &token("k1")).is_ok());
    // max-age=120 within [60, 600]: due after 120 s, answered 304.
    clock.advance(Duration::from_secs(100));
    assert!(!r.poll(false));
    assert_eq!(idp.hits(), 1);
    clock.advance(Duration::from_secs(21));
    assert!(!r.poll(false));
    assert_eq!(idp.hits(), 2);
    let s = r.status();
    assert_eq!((s.sources[0].not_modified, s.keys()), (1, 1));
    // A new ETag over the same keys: fetched whole, nothing swapped, so
    // the cache keeps vouching.
    assert!(check(&v, &token("k1")).is_ok());
    idp.set(|s| s.etag = Some("\"v2\"".into()));
    clock.advance(Duration::from_secs(121));
    assert!(!r.poll(false));
    assert!(check(&v, &token("k1")).is_ok());
    assert_eq!(v.cache_info().hits, 2);
    // ...and the new ETag is the one sent next: 304 again.
    clock.advance(Duration::from_secs(121));
    r.poll(false);
    assert_eq!(r.status().sources[0].not_modified, 2);
}

#[test]
fn an_hour_long_outage_rejects_no_valid_token_then_staleness_refuses() {
    let idp = Idp::start(&["k1"]);
    let (r, clock) = refresher(url_source(&idp), &[]);
    let v = Arc::clone(r.verifier());
    let t = token("k1");
    idp.set(|s| s.mode = Mode::Error500);
    for _minute in 0..60 {
        clock.advance(Duration::from_secs(60));
        r.poll(false);
        assert_eq!(check(&v, &t).unwrap(), "alice");
    }
    let s = r.status();
    assert!(s.sources[0].failures >= 50, "{s:?}");
    assert!(
        s.sources[0].last_error.as_deref().unwrap().contains("500"),
        "{s:?}"
    );
    assert!(s.fresh);
    // Past the maximum staleness (24 h), every token is refused clearly.
    clock.advance(Duration::from_secs(86_400));
    assert_eq!(check(&v, &t).unwrap_err().error, Error::KeysUnavailable);
    assert!(!r.status().fresh);
    r.poll(false);
    assert_eq!(check(&v, &t).unwrap_err().error, Error::KeysUnavailable);
    // The provider is back: so are the keys.
    idp.set(|s| s.mode = Mode::Normal);
    clock.advance(Duration::from_secs(61));
    r.poll(false);
    assert_eq!(check(&v, &t).unwrap(), "alice");
    assert!(r.status().sources[0].last_error.is_none());
}

#[test]
fn unusable_keys_never_fail_the_usable_ones() {
    let idp = Idp::start(&["k1"]);
    let weak_rsa = format!(
        r#"{{"kty":"RSA","kid":"rsa1024","n":"{}","e":"AQAB"}}"#,
        "x".repeat(171) + "w"
    );
    let short = r#"{"kty":"oct","kid":"short","k":"c2hvcnQtc2VjcmV0"}"#.to_owned();
    let curve = r#"{"kty":"EC","crv":"P-256","kid":"off","x":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE","y":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"}"#.to_owned();
    idp.set(|s| {
        s.keys.insert(0, weak_rsa);
        s.keys.insert(1, short);
        s.keys.push(curve);
        s.keys
            .push(r#"{"kty":"OKP","kid":"ed","crv":"Ed448","x":"AA"}"#.to_owned());
        s.keys
            .push(r#"{"kty":"OKP","kid":"ed-short","crv":"Ed25519","x":"AA"}"#.to_owned());
    });
    let (r, _clock) = refresher(url_source(&idp), &[]);
    assert_eq!(check(r.verifier(), &token("k1")).unwrap(), "alice");
    let s = r.status();
    let skipped: Vec<(Option<&str>, Error)> = s.sources[0]
        .skipped
        .iter()
        .map(|k| (k.kid.as_deref(), k.error))
        .collect();
    assert_eq!(
        skipped,
        [
            (Some("rsa1024"), Error::WeakRsaKey),
            (Some("short"), Error::WeakKey),
            (Some("off"), Error::InvalidKey),
            (Some("ed"), Error::UnsupportedKey),
            (Some("ed-short"), Error::InvalidJwk),
        ]
    );
    assert_eq!(s.keys(), 1);
}

#[test]
fn bounded_fetches_keep_the_last_good_keys() {
    let idp = Idp::start(&["k1"]);
    let (r, clock) = refresher(url_source(&idp), &[]);
    let v = Arc::clone(r.verifier());
    for (mode, says) in [
        (Mode::Oversized, "max_body"),
        (Mode::Redirect, "redirect"),
        (Mode::Hang, "imeout"),
        (Mode::Drip, "imeout"),
        (Mode::DripHead, "imeout"),
        (Mode::Error500, "500"),
    ] {
        idp.set(|s| s.mode = mode);
        clock.advance(Duration::from_secs(601));
        let started = std::time::Instant::now();
        assert!(!r.poll(false));
        // The global timeout (2 s here) bounds a hanging or dripping server
        // (which, unbounded, would take minutes); the margin is for a
        // loaded CI machine, where the loopback server itself runs late.
        assert!(started.elapsed() < Duration::from_secs(8), "{mode:?}");
        let error = r.status().sources[0].last_error.clone().unwrap();
        assert!(error.contains(says), "{mode:?}: {error}");
        assert_eq!(check(&v, &token("k1")).unwrap(), "alice", "{mode:?}");
    }
}

#[test]
fn first_fetch_errors_and_plain_http() {
    let idp = Idp::start(&["k1"]);
    idp.set(|s| s.mode = Mode::Redirect);
    let clock = Arc::new(FakeClock::new(START));
    let build = |sources| {
        Refresher::with_clock(
            sources,
            Policy::header_first(),
            Options::default(),
            manual(),
            clock.clone(),
        )
    };
    let Err(SourceError::Fetch { location, message }) = build(url_source(&idp)) else {
        panic!("a redirect is no JWKS")
    };
    assert_eq!(location, idp.jwks_url());
    assert!(message.contains("302"), "{message}");
    // Plain http beyond loopback: refused before any connection.
    let Err(e) = build(Sources::One(Source::JwksUrl(
        "http://idp.example/jwks".into(),
    ))) else {
        panic!()
    };
    assert!(e.to_string().contains("loopback"), "{e}");
    // Bad refresh options name the option.
    let bad = RefreshOptions {
        max_staleness: Duration::from_secs(10),
        ..manual()
    };
    let Err(SourceError::Config(e)) = Refresher::with_clock(
        url_source(&idp),
        Policy::header_first(),
        Options::default(),
        bad,
        clock.clone(),
    ) else {
        panic!()
    };
    assert_eq!(e.option, "max_staleness");
}

#[test]
fn oidc_issuer_discovery() {
    let idp = Idp::start(&["k1"]);
    let (r, _clock) = refresher(Sources::One(Source::Issuer(idp.url.clone())), &[]);
    let v = r.verifier();
    // The issuer is the one trusted: iss must name it.
    let good = token_for("k1", &secret("k1"), Some(&idp.url));
    assert_eq!(check(v, &good).unwrap(), "alice");
    let other = token_for("k1", &secret("k1"), Some("https://other.example"));
    assert_eq!(check(v, &other).unwrap_err().error, Error::WrongIssuer);
    assert_eq!(
        idp.discovery_hits.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(
        r.status().sources[0].jwks_uri.as_deref(),
        Some(idp.jwks_url().as_str())
    );
    // OIDC Discovery §4.3: a document naming another issuer is refused.
    idp.set(|s| s.issuer = Some(format!("{}/", idp.url)));
    let clock = Arc::new(FakeClock::new(START));
    let e = Refresher::with_clock(
        Sources::One(Source::Issuer(idp.url.clone())),
        Policy::header_first(),
        Options::default(),
        manual(),
        clock,
    )
    .unwrap_err();
    assert!(e.to_string().contains("§4.3"), "{e}");
}

#[test]
fn a_jwks_file_is_read_again_when_it_changes() {
    let dir = std::env::temp_dir().join(format!("gatekey-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("jwks.json");
    std::fs::write(&path, format!(r#"{{"keys":[{}]}}"#, oct("f1"))).unwrap();
    let (r, clock) = refresher(Sources::One(Source::File(path.clone())), &[]);
    let v = Arc::clone(r.verifier());
    assert!(check(&v, &token("f1")).is_ok());
    // Written elsewhere and renamed in: the swap is atomic for readers too.
    let tmp = dir.join("jwks.json.tmp");
    std::fs::write(&tmp, format!(r#"{{"keys":[{},{}]}}"#, oct("f2"), oct("f3"))).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    clock.advance(Duration::from_secs(3));
    assert!(r.poll(false));
    assert!(check(&v, &token("f3")).is_ok());
    assert_eq!(
        check(&v, &token("f1")).unwrap_err().error,
        Error::UnknownKey
    );
    // A broken file keeps the keys.
    std::fs::write(&path, "{not json").unwrap();
    clock.advance(Duration::from_secs(3));
    assert!(!r.poll(false));
    assert!(check(&v, &token("f3")).is_ok());
    assert!(r.status().sources[0].last_error.is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn one_source_per_issuer() {
    let (a, b) = (Idp::start(&["a1"]), Idp::start(&["b1"]));
    let sources = Sources::Issuers(vec![
        ("https://a.example".into(), Source::JwksUrl(a.jwks_url())),
        ("https://b.example".into(), Source::JwksUrl(b.jwks_url())),
    ]);
    let (r, clock) = refresher(sources, &[]);
    let v = Arc::clone(r.verifier());
    let ta = token_for("a1", &secret("a1"), Some("https://a.example"));
    assert!(check(&v, &ta).is_ok());
    // b's key never verifies a token claiming a.
    let forged = token_for("b1", &secret("b1"), Some("https://a.example"));
    assert_eq!(check(&v, &forged).unwrap_err().error, Error::UnknownKey);
    b.set(|s| {
        s.keys.push(oct("b2"));
        s.etag = Some("\"v2\"".into());
    });
    clock.advance(Duration::from_secs(601));
    assert!(r.poll(false));
    let tb = token_for("b2", &secret("b2"), Some("https://b.example"));
    assert!(check(&v, &tb).is_ok());
    assert!(check(&v, &ta).is_ok());
    assert_eq!(r.status().sources.len(), 2);
}

#[test]
fn one_issuers_outage_past_staleness_refuses_only_its_tokens() {
    let (a, b) = (Idp::start(&["a1"]), Idp::start(&["b1"]));
    let sources = Sources::Issuers(vec![
        ("https://a.example".into(), Source::JwksUrl(a.jwks_url())),
        ("https://b.example".into(), Source::JwksUrl(b.jwks_url())),
    ]);
    let (r, clock) = refresher(sources, &[]);
    let v = Arc::clone(r.verifier());
    let ta = token_for("a1", &secret("a1"), Some("https://a.example"));
    let tb = token_for("b1", &secret("b1"), Some("https://b.example"));
    b.set(|s| s.mode = Mode::Error500);
    // Within the maximum staleness (24 h) b's last good keys still verify.
    for _hour in 0..23 {
        clock.advance(Duration::from_secs(3600));
        r.poll(false);
        assert!(check(&v, &ta).is_ok());
        assert!(check(&v, &tb).is_ok());
    }
    // Past it b's tokens are refused, naming b; a's are not touched.
    clock.advance(Duration::from_secs(2 * 3600));
    r.poll(false);
    assert!(check(&v, &ta).is_ok());
    let refused = check(&v, &tb).unwrap_err();
    assert_eq!(refused.error, Error::KeysUnavailable);
    assert_eq!(refused.issuer.as_deref(), Some("https://b.example"));
    assert!(!r.status().fresh);
    // Through verify too.
    let verify =
        |t: &str| with_buffer(|buf| v.verify(t.as_bytes(), now(), buf, &InPlace).map(drop));
    assert!(verify(&ta).is_ok());
    assert_eq!(verify(&tb).unwrap_err().error, Error::KeysUnavailable);
    // b is back: so are its tokens.
    b.set(|s| s.mode = Mode::Normal);
    clock.advance(Duration::from_secs(601));
    r.poll(false);
    assert!(check(&v, &tb).is_ok());
    assert!(r.status().fresh);
}
