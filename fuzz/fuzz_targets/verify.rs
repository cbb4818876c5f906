//! JWS/JWT parsing and verification of arbitrary bytes with a fixed key
//! set. The first byte picks the keys: all of them, or one alone (so that
//! kid-less tokens such as RFC 7515's reach the signature check).
#![no_main]

use gatekey::{verify, KeySet, DEFAULT_BUFFER};
use gatekey_fuzz::{keys, validation, NOW};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static SETS: OnceLock<Vec<KeySet<4>>> = OnceLock::new();
    let sets = SETS.get_or_init(|| {
        let all = keys();
        let mut sets = vec![all.clone()];
        for key in all.keys() {
            let mut one = KeySet::new();
            one.push(key.clone()).expect("room for one key");
            sets.push(one);
        }
        sets
    });
    let Some((&sel, token)) = data.split_first() else {
        return;
    };
    let keys = &sets[usize::from(sel) % sets.len()];
    let mut buf = vec![0u8; DEFAULT_BUFFER];
    if let Ok(v) = verify(token, keys.keys(), &validation(), NOW, &mut buf) {
        // Whatever verified is in its validity window at NOW.
        assert!(v.claims.exp().is_some_and(|exp| exp > NOW));
    }
    // A short buffer is an error, never a panic or an overrun.
    let mut small = vec![0u8; token.len() / 2];
    let _ = verify(token, keys.keys(), &validation(), NOW, &mut small);
});
