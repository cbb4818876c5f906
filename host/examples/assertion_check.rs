//! How long the application's check of an identity assertion takes
//! (issue 18's target: at most 2 µs): `cargo run --release -p
//! gatekey-host --example assertion_check`. Prints ns per check, bound
//! to the credential and not, as the median of five rounds, next to the
//! core's own HS256 `verify` of a token of the same size in the same run
//! (on a loaded machine the ratio is the figure to read).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::std_instead_of_core
)]

use std::hint::black_box;
use std::time::Instant;

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey_host::assertion::{Checker, Signer};
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn main() {
    let key = b"deployment-key-0123456789abcdef-0123";
    let signer = Signer::new(key, "orders", 30).unwrap();
    let checker = Checker::new(key, "orders", 0).unwrap();
    let now = gatekey::now_unix();
    let credential = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    let assertion = signer.sign("alice@example.com", "bearer", credential, now);
    let rounds = 200_000_u32;
    for (name, bound) in [("unbound", None), ("bound", Some(&credential[..]))] {
        let mut per = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            for _ in 0..rounds {
                black_box(
                    checker
                        .check(black_box(Some(assertion.as_bytes())), bound, now)
                        .unwrap(),
                );
            }
            per.push(start.elapsed().as_nanos() / u128::from(rounds));
        }
        per.sort_unstable();
        println!("assertion check ({name}): {} ns", per[2]);
    }
    // The baseline: the core verifying an HS256 token of the same size
    // (an assertion is one, with another typ).
    let payload = assertion.split('.').nth(1).unwrap();
    let input = format!("eyJhbGciOiJIUzI1NiJ9.{payload}");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    let sig = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    let token = format!("{input}.{sig}");
    let keys = [gatekey::Key::hs256(key, None).unwrap()];
    let validation = gatekey::Validation::new().with_audience("orders").unwrap();
    let mut buf = [0u8; 2048];
    let mut per = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..rounds {
            black_box(
                gatekey::verify(
                    black_box(token.as_bytes()),
                    &keys,
                    &validation,
                    now,
                    &mut buf,
                )
                .unwrap(),
            );
        }
        per.push(start.elapsed().as_nanos() / u128::from(rounds));
    }
    per.sort_unstable();
    println!("core HS256 verify, same size (baseline): {} ns", per[2]);
    let start = Instant::now();
    for _ in 0..rounds {
        black_box(signer.sign("alice@example.com", "bearer", credential, now));
    }
    println!(
        "assertion sign: {} ns",
        start.elapsed().as_nanos() / u128::from(rounds)
    );
}
