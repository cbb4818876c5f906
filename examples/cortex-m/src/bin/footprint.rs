//! The smallest firmware that authenticates a request: the embedded JWKS
//! parsed into a key set, then `authenticate` on one request, nothing else
//! (no output, no formatting). `make size` reports its flash and RAM;
//! `make panic-check` links it with a panic handler that calls an undefined
//! symbol, so the link fails if any panic path survives optimisation.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use gatekey::{authenticate, KeySet, Policy, Request, Validation, DEFAULT_BUFFER};

#[allow(dead_code)]
mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

#[entry]
fn main() -> ! {
    // The token buffer and the keys live in .bss (counted as RAM), not on
    // the stack.
    let Some(buf) = cortex_m::singleton!(: [u8; DEFAULT_BUFFER] = [0; DEFAULT_BUFFER]) else {
        halt()
    };
    let Some(keys) = cortex_m::singleton!(: KeySet<2> = KeySet::new()) else {
        halt()
    };
    // black_box: the inputs are opaque to the optimiser, as a request from
    // the network would be, so every path of the verifier is kept.
    let keys = keys
        .add_jwks(black_box(fixtures::JWKS_BOTH))
        .map(|()| &*keys);
    let headers: [(&[u8], &[u8]); 2] = [
        (b"authorization", black_box(fixtures::BEARER_A)),
        (b"cookie", black_box(fixtures::COOKIE_HS)),
    ];
    let ok = match keys {
        Ok(keys) => authenticate(
            Request::new(black_box(headers)),
            &black_box(Policy::header_first()),
            keys.keys(),
            &black_box(Validation::new()),
            black_box(fixtures::NOW),
            buf,
        )
        .is_ok(),
        Err(_) => false,
    };
    black_box(ok);
    halt()
}

fn halt() -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}

#[cfg(feature = "panic-check")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    extern "C" {
        /// Defined nowhere: referencing it makes the link fail.
        fn gatekey_panic_path_survived_optimisation() -> !;
    }
    // SAFETY: never runs; the link fails first if this is reachable.
    unsafe { gatekey_panic_path_survived_optimisation() }
}

#[cfg(not(feature = "panic-check"))]
#[panic_handler]
#[inline(never)]
fn panic(_: &core::panic::PanicInfo) -> ! {
    cortex_m::asm::udf()
}
