#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(test, feature = "std"))]
extern crate std;

mod challenge;
mod error;
pub mod extract;
mod policy;
mod resolve;
mod source;

pub use challenge::Challenge;
pub use error::{Error, Family, HttpAnswer};
pub use extract::{Request, MAX_FIELD_LEN};
pub use policy::{BasicCredentials, Conflict, Policy, Preset, DEFAULT_COOKIE};
pub use resolve::{resolve, Resolution};
pub use source::{Credential, Skip, Source, SOURCE_COUNT};
