//! Keys that stay right by themselves: where a verifier's keys come from
//! ([`Source`]: static keys, a JWKS file, a JWKS URL, an OIDC issuer) and
//! the [`Refresher`] that keeps them current, shared by every surface.
//!
//! The model, written once here so that Python, C and Node behave alike:
//!
//! - **A request never waits on the network.** Fetches run on one
//!   background thread per [`Refresher`] (or in [`Refresher::poll`], for a
//!   host with its own loop); a request reads the keys in force, an atomic
//!   swap away from the newest.
//! - **Refresh before stale**: every source is fetched again after the
//!   JWKS's `Cache-Control: max-age`, bounded to
//!   [`min_refresh`, `max_refresh`] ([`RefreshOptions`]), with
//!   `If-None-Match` (a `304` keeps the keys and their cache entries).
//! - **Unknown kid**: the [`Verifier`](crate::Verifier) reports a token
//!   whose `kid` no key has; that wakes the thread for one fetch, at most
//!   once per `cooldown` (default 30 s) however many requests ask, and a
//!   `kid` already seen recently asks nothing (a bounded memory).
//! - **Last known good**: a failed fetch keeps the keys; once no fetch has
//!   succeeded for `max_staleness` (default 24 h), the verifier refuses
//!   every token with [`Error::KeysUnavailable`](gatekey::Error) rather
//!   than trust keys the provider may have revoked. A key the provider
//!   removed stops verifying at the first fetch that sees it gone, and the
//!   verified-token cache forgets what it vouched for with it.
//! - **RFC 7517 §5**: unusable keys in a JWKS are skipped and reported in
//!   [`KeyStatus`], never fatal while one key is usable.

mod clock;
mod config;
mod fetch;
mod jwks;
mod refresher;
mod source;
mod status;

pub use clock::{Clock, FakeClock, SystemClock};
pub use config::RefreshOptions;
pub use fetch::{is_loopback, FetchError};
pub use jwks::{parse_jwks, Skipped};
pub use refresher::{KeyWatch, Refresher, SourceError};
pub use source::{Source, Sources};
pub use status::{KeyStatus, SourceStatus};
