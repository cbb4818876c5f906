#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(any(test, feature = "std"))]
extern crate std;

mod alg;
mod authenticate;
mod b64;
mod bytes;
pub mod cache;
mod challenge;
pub mod claims;
mod error;
pub mod extract;
mod issuer;
pub mod jose;
pub mod json;
mod jws;
pub mod key;
pub mod mcp;
mod policy;
mod resolve;
mod source;
mod verify;

pub use alg::Algorithm;
pub use authenticate::{authenticate, authenticate_with, Identity};
pub use challenge::Challenge;
pub use claims::{Claims, Validation};
pub use error::{Error, Family, HttpAnswer};
pub use extract::{Request, MAX_FIELD_LEN};
pub use issuer::{Issuer, Issuers, DEFAULT_ISSUERS};
pub use key::{Key, KeySet};
pub use policy::{
    BasicCredentials, Conflict, Policy, Preset, DEFAULT_COOKIE, MAX_BASIC_PASSWORD_LEN,
    MAX_BASIC_USER_LEN, MAX_NAME_LEN,
};
pub use resolve::{resolve, Resolution};
pub use source::{Credential, Skip, Source, SOURCE_COUNT};
pub use verify::{buffer_len, explain, verify, Explanation, Verified, DEFAULT_BUFFER};

/// Seconds since the Unix epoch from the system clock (with `std`).
#[cfg(feature = "std")]
#[must_use]
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
