//! What a refresher has done: the counters every surface shows.

use core::time::Duration;

use super::Skipped;

/// The state of one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceStatus {
    /// The issuer it is for, when keys are per issuer (or it is an issuer).
    pub issuer: Option<String>,
    /// The URL, file or `"static"`.
    pub location: String,
    /// The JWKS URL (discovered, for an issuer).
    pub jwks_uri: Option<String>,
    /// Fetches made (a file: looks at it), successful or not.
    pub fetches: u64,
    /// Fetches that failed.
    pub failures: u64,
    /// Fetches answered `304 Not Modified` (or an unchanged file).
    pub not_modified: u64,
    /// When a fetch last succeeded (since the Unix epoch).
    pub last_success: Option<Duration>,
    /// Why the last fetch failed, if it did.
    pub last_error: Option<String>,
    /// Keys in force.
    pub keys: usize,
    /// Keys of the last JWKS left out (RFC 7517 §5), with why.
    pub skipped: Vec<Skipped>,
    /// When the next scheduled fetch is due (`None`: never).
    pub next_refresh: Option<Duration>,
}

/// The state of every source of a refresher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyStatus {
    /// One per source, in the order given.
    pub sources: Vec<SourceStatus>,
    /// Fetches asked for by unknown `kid`s (each after the cooldown).
    pub unknown_kid_refreshes: u64,
    /// Whether the keys of every source are within their maximum
    /// staleness (with a source per issuer, a stale one refuses only its
    /// own issuer's tokens).
    pub fresh: bool,
}

impl KeyStatus {
    /// Fetches made by all sources.
    #[must_use]
    pub fn fetches(&self) -> u64 {
        self.sources.iter().map(|s| s.fetches).sum()
    }

    /// Fetches that failed, of all sources.
    #[must_use]
    pub fn failures(&self) -> u64 {
        self.sources.iter().map(|s| s.failures).sum()
    }

    /// Keys in force in all sources.
    #[must_use]
    pub fn keys(&self) -> usize {
        self.sources.iter().map(|s| s.keys).sum()
    }
}
