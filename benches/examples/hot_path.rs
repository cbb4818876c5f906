//! The request hot path, for instruction counting under callgrind
//! (`make instructions`): extract + resolve and authenticate on a cache hit
//! (the 12-field request of the criterion benches), and an HS256
//! verification. Instruction counts do not depend on what else the machine
//! is doing, so they show where a change moves the cost when wall-clock
//! timings are too noisy.
//!
//! `cargo run --release -p gatekey-benches --example hot_path -- resolve 100000`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::std_instead_of_core,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::hint::black_box;

use gatekey::cache::Cache;
use gatekey::{resolve, verify, KeySet, Policy, Request, Validation, DEFAULT_BUFFER};
use gatekey_benches::{
    authenticate_through, es256_token, hs256_token, keys, pairs, request, validation, NOW,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "resolve".into());
    let n: u32 = args.next().map_or(100_000, |s| s.parse().unwrap());

    let keys: KeySet<4> = keys();
    let validation: Validation = validation();
    let token = es256_token();
    let hs_token = hs256_token();
    let fields = request(&token);
    let headers = pairs(&fields);
    let policy = Policy::header_first();
    let mut cache = Cache::<64>::new();
    let mut buf = vec![0u8; DEFAULT_BUFFER];
    #[cfg(feature = "hosted")]
    let verifier = gatekey_benches::host_verifier();
    #[cfg(feature = "hosted")]
    let mut host_buf = vec![0u8; gatekey_host::BUFFER_LEN];
    let mut sink = 0usize;
    for _ in 0..n {
        match what.as_str() {
            "resolve" => {
                let r =
                    resolve(&policy, Request::new(black_box(&headers).iter().copied())).unwrap();
                sink = sink.wrapping_add(r.shadowed.len());
            }
            "cached" => {
                let id = authenticate_through(
                    black_box(&headers),
                    &policy,
                    &keys,
                    &validation,
                    &mut cache,
                    &mut buf,
                )
                .unwrap();
                sink = sink.wrapping_add(id.credential.len());
            }
            #[cfg(feature = "hosted")]
            "host-cached" => {
                let id = gatekey_benches::authenticate_host(
                    black_box(&headers),
                    &verifier,
                    &mut host_buf,
                )
                .unwrap();
                sink = sink.wrapping_add(id.credential.len());
            }
            "hs256" => {
                let v = verify(
                    black_box(hs_token.as_bytes()),
                    keys.keys(),
                    &validation,
                    NOW,
                    &mut buf,
                )
                .unwrap();
                sink = sink.wrapping_add(v.claims.json().len());
            }
            other => {
                eprintln!("unknown case {other}: resolve, cached, host-cached or hs256");
                std::process::exit(2);
            }
        }
    }
    println!("{what} x{n}: {sink}");
}
