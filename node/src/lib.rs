//! The Node-API addon of the npm package `gatekey`: thin conversions over
//! gatekey-host's one [`Verifier`](gatekey_host::Verifier). JavaScript
//! values come in as bytes and [`OptionValue`](gatekey_host::OptionValue)s
//! (the host's schema checks every option), identities and failures go
//! out as plain objects the JavaScript layer (node/lib) wraps; every rule
//! is the core's.

// napi-derive registers the exported functions only outside `cfg(test)`, so
// a test build (clippy --all-targets) sees them as unused.
#![cfg_attr(test, allow(dead_code))]

mod assertion;
mod failure;
mod keys;
mod sources;
mod value;
mod verifier;

use napi_derive::napi;

/// The version of the addon (the workspace's).
#[napi]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
