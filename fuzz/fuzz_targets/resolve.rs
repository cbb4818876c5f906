//! Extraction and resolution from arbitrary header lists, query strings and
//! explicit tokens, under every preset and option (see `Selector`); then
//! the whole of `authenticate` on the same request, which adds Basic
//! decoding and token verification.
#![no_main]

use gatekey::{authenticate, resolve, Request, Source, DEFAULT_BUFFER};
use gatekey_fuzz::{keys, validation, RequestText, Selector, NOW};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static KEYS: OnceLock<gatekey::KeySet<4>> = OnceLock::new();
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let policy = Selector(sel).policy();
    let req = RequestText::parse(text);
    let request = || {
        let mut r = Request::new(req.headers.iter().copied());
        if let Some(q) = req.query {
            r = r.with_query(q);
        }
        if let Some(t) = req.token {
            r = r.with_token(t);
        }
        r
    };
    if let Ok(res) = resolve(&policy, request()) {
        // The winner and everything shadowed borrow the request's bytes,
        // come from sources the policy accepts, and appear once each.
        let within = |v: &[u8]| {
            let (lo, hi) = (text.as_ptr() as usize, text.as_ptr() as usize + text.len());
            let p = v.as_ptr() as usize;
            v.is_empty() || (p >= lo && p + v.len() <= hi)
        };
        let mut seen = Vec::new();
        for c in res.winner.iter().chain(res.shadowed.iter()) {
            assert!(
                within(c.value),
                "{:?} does not borrow the request",
                c.source
            );
            assert!(policy.accepts(c.source), "{:?} is not accepted", c.source);
            assert!(!seen.contains(&c.source), "{:?} twice", c.source);
            seen.push(c.source);
        }
        if res.winner.is_none() {
            assert!(res.shadowed.is_empty() && !res.drift);
        }
        if res.winner.map(|w| w.source) == Some(Source::Proxy) {
            assert!(policy.proxy_header().is_some());
        }
    }
    let keys = KEYS.get_or_init(keys);
    let mut buf = vec![0u8; DEFAULT_BUFFER];
    let _ = authenticate(
        request(),
        &policy,
        keys.keys(),
        &validation(),
        NOW,
        &mut buf,
    );
});
