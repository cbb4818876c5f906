//! JWKS and JWK parsing of arbitrary bytes into a small key set (so that
//! `KeySetFull` is reachable), then key selection by every kid it holds.
#![no_main]

use gatekey::{Key, KeySet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(set) = KeySet::<3>::from_jwks(data) {
        assert!(set.len() <= 3);
        for key in set.keys() {
            let _ = key.algorithm();
            let _ = key.es256_coordinates();
        }
    }
    let mut set = KeySet::<2>::new();
    let before = set.len();
    if set.add_jwks(data).is_err() {
        assert_eq!(set.len(), before, "a failed add_jwks changed the set");
    }
    let _ = Key::from_jwk(data);
});
