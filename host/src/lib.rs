//! gatekey for threaded hosts: the one [`Verifier`] beneath every hosted
//! surface (the Python wheel, the C library, the Node addon, the proxy
//! server), with its options schema ([`Options`]), its refusal
//! ([`Refusal`]) and the verified-token cache it shares between threads.
//!
//! A binding converts its values into [`OptionValue`]s and [`Keys`],
//! builds a [`Verifier`], calls [`Verifier::authenticate`] with a
//! [`with_buffer`] buffer, and maps a [`Failure`] to its own error type;
//! every check, name and answer is made here or in the core.
//!
//! ## The cache
//!
//! The core's [`Cache`] has its capacity as a const generic and takes
//! `&mut self`. The Python wheel and the C library are multi-threaded and
//! take the capacity from their users at run time, so both use this crate,
//! and the sharding, locking and counting are written once:
//!
//! - [`TokenCache`] is `ceil(capacity / 64)` shards of 64 slots, each
//!   behind its own mutex. Unlike the core's, whose entries are a SHA-256
//!   and three numbers, an entry here keeps the token's bytes and its
//!   decoded header and payload: a hit is a keyed hash (foldhash, seeded
//!   per process) that picks the shard and set, an exact comparison of the
//!   bytes and a copy, a few hundred nanoseconds where SHA-256 and decoding
//!   again took a microsecond. Tokens above [`INLINE_MAX`] bytes are
//!   kept as their SHA-256 and decoded on a hit, so that an entry stays
//!   under 4 KiB (at most about 230 MiB at [`MAX_CAPACITY`]).
//! - A shard's lock is held only to look up (and copy out) and to insert,
//!   never while a signature is checked, so threads verifying different
//!   tokens never wait on each other.
//! - The context of every lookup is the [`KeySet::generation`], so replacing
//!   the keys (a JWKS refresh) empties the cache; `exp`, `nbf` and `iat` are
//!   checked against `now` on every hit by
//!   [`Validation::check_times`](gatekey::Validation::check_times), the rule
//!   of a miss.
//!
//! ## Keys
//!
//! [`keys`] holds the key sources (static, a JWKS file, a JWKS URL, an
//! OIDC issuer) and the [`keys::Refresher`] that keeps a verifier's keys
//! current in the background, for every surface.
//!
//! [`authenticate_cached`] and [`verify_cached`] are the core's
//! [`authenticate`](gatekey::authenticate) and [`verify`](gatekey::verify)
//! through an optional cache: `None` verifies every time. The one slow
//! step, verifying a token the cache does not vouch for, runs through an
//! [`Offload`]: the Python layer releases the GIL for it (and only for it),
//! C and Node run it in place.

use core::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

pub mod assertion;
pub mod keys;
pub mod mcp;
pub mod options;
mod refusal;
mod stored;
mod text;
mod trust;
mod verifier;

pub use options::{ConfigError, OptionValue, Options};
pub use refusal::{challenge, printable, Failure, Refusal, MAX_NAMED};
pub use stored::INLINE_MAX;
pub use text::json_text;
pub use trust::{Trust, ISSUERS};
pub use verifier::{with_buffer, HostKeySet, KeyWatch, Keys, Verifier, BUFFER_LEN, KEYS};

use gatekey::{Error, Identity, KeySet, Policy, Request, Validation, Verified};
use stored::{Entry, Found, Shard};

/// Where the slow step of a verification runs: checking the signature of
/// a token the cache does not vouch for. Everything else (extraction, a
/// cache hit) takes about a microsecond, less than handing a lock over.
pub trait Offload {
    /// Runs `work` and returns its result.
    fn run<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T;
}

/// Runs the slow step on the calling thread, as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct InPlace;

impl Offload for InPlace {
    fn run<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        work()
    }
}

/// Slots per shard.
pub const SHARD: usize = 64;

/// The largest capacity [`TokenCache::new`] accepts.
pub const MAX_CAPACITY: usize = 1 << 16;

/// A verified-token cache shared by threads: `capacity` rounded up to a
/// multiple of [`SHARD`] tokens, in shards behind their own mutexes.
#[derive(Debug)]
pub struct TokenCache {
    shards: Box<[Mutex<Shard<SHARD>>]>,
    hasher: stored::Seeded,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What a [`TokenCache`] has done so far (like `functools.lru_cache`'s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheInfo {
    /// Lookups that found the token (even if it had expired since).
    pub hits: u64,
    /// Lookups that did not, and so verified the token.
    pub misses: u64,
    /// How many tokens it can hold.
    pub capacity: usize,
    /// How many tokens it holds.
    pub size: usize,
}

impl TokenCache {
    /// A cache for at least `capacity` tokens (rounded up to a multiple of
    /// [`SHARD`]), or `None` for 0 (no cache).
    ///
    /// # Errors
    /// [`CapacityError`] above [`MAX_CAPACITY`].
    pub fn new(capacity: usize) -> Result<Option<Self>, CapacityError> {
        if capacity > MAX_CAPACITY {
            return Err(CapacityError);
        }
        if capacity == 0 {
            return Ok(None);
        }
        let shards = capacity.div_ceil(SHARD);
        Ok(Some(TokenCache {
            shards: (0..shards).map(|_| Mutex::new(Shard::new())).collect(),
            hasher: stored::Seeded::default(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }))
    }

    /// How many tokens it can hold.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.shards.len().saturating_mul(SHARD)
    }

    /// The counters and the occupancy.
    #[must_use]
    pub fn info(&self) -> CacheInfo {
        CacheInfo {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            capacity: self.capacity(),
            size: self.shards.iter().map(|s| lock(s).len()).sum(),
        }
    }

    /// Forgets every token (the counters stay).
    pub fn clear(&self) {
        for shard in self.shards.iter() {
            lock(shard).clear();
        }
    }

    /// The token's hash and its shard: the hash's low bits pick the
    /// shard, its high bits the set (stored.rs).
    fn shard(&self, token: &[u8]) -> (u64, Option<&Mutex<Shard<SHARD>>>) {
        let hash = self.hasher.hash(token);
        let len = u64::try_from(self.shards.len()).unwrap_or(1);
        let index = usize::try_from(hash.checked_rem(len).unwrap_or(0)).unwrap_or(0);
        (hash, self.shards.get(index))
    }

    /// [`gatekey::verify`] through the cache: a hit checks the window at
    /// `now` and decodes the token into `buf`; a miss verifies it with
    /// `keys` outside any lock, through `offload`, and remembers it if it
    /// verified.
    ///
    /// # Errors
    /// As [`gatekey::verify`] on a miss; on a hit, the times as
    /// [`Validation::check_times`] judges them.
    pub fn verify<'b, const K: usize>(
        &self,
        token: &[u8],
        keys: &KeySet<K>,
        validation: &Validation,
        now: i64,
        buf: &'b mut [u8],
        offload: &impl Offload,
    ) -> Result<Verified<'b>, Error> {
        let context = Context {
            id: keys.generation(),
            validation,
            now,
        };
        self.verify_with(token, context, buf, offload, |buf| {
            gatekey::verify(token, keys.keys(), validation, now, buf)
        })
    }

    /// Any verification through the cache ([`gatekey::Issuers::verify`],
    /// say): `miss` runs, through `offload`, only when the cache does not
    /// vouch for `token` under `context`.
    ///
    /// # Errors
    /// As `miss` on a miss; on a hit, the times as
    /// [`Validation::check_times`] judges them.
    pub fn verify_with<'b>(
        &self,
        token: &[u8],
        context: Context<'_>,
        buf: &'b mut [u8],
        offload: &impl Offload,
        miss: impl FnOnce(&'b mut [u8]) -> Result<Verified<'b>, Error> + Send,
    ) -> Result<Verified<'b>, Error> {
        let (hash, Some(shard)) = self.shard(token) else {
            // Unreachable: `new` makes at least one shard.
            return offload.run(|| miss(buf));
        };
        // The guard is a temporary: the lock is released before verifying.
        let found = lock(shard).lookup(token, hash, context.id, buf);
        match found {
            Found::Hit(times, layout) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                context
                    .validation
                    .check_times(times.exp, times.nbf, times.iat, context.now)?;
                stored::open(token, layout, buf)
            }
            Found::Miss => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                let verified = offload.run(|| miss(buf))?;
                // Decoded and allocated outside the lock.
                let entry = Entry::new(token, hash, &verified.claims);
                lock(shard).insert(entry, context.id);
                Ok(verified)
            }
        }
    }
}

/// What a cache lookup is made under.
#[derive(Clone, Copy, Debug)]
pub struct Context<'v> {
    /// Names the keys and rules: tokens cached under another id are
    /// verified again (a [`KeySet::generation`], or any `u32` the caller
    /// changes whenever its keys or rules change).
    pub id: u32,
    /// The rules whose leeway a hit's `exp` and `nbf` are checked with.
    pub validation: &'v Validation,
    /// The caller's clock, seconds since the epoch.
    pub now: i64,
}

/// A poisoned shard is still a consistent cache (its methods do not panic
/// half-way), so a panic elsewhere must not disable it.
fn lock(shard: &Mutex<Shard<SHARD>>) -> MutexGuard<'_, Shard<SHARD>> {
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A capacity above [`MAX_CAPACITY`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityError;

impl core::fmt::Display for CapacityError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "the cache capacity must be at most {MAX_CAPACITY} tokens"
        )
    }
}

impl core::error::Error for CapacityError {}

/// What a token is checked against: the keys, the claim rules, and the
/// cache that may vouch for it.
#[derive(Clone, Copy, Debug)]
pub struct Rules<'r, const K: usize> {
    /// The trusted keys; their generation is the cache's context.
    pub keys: &'r KeySet<K>,
    /// The claim rules.
    pub validation: &'r Validation,
    /// The verified-token cache, or `None` to verify every time.
    pub cache: Option<&'r TokenCache>,
}

/// [`gatekey::verify`], through the cache of `rules` when there is one.
///
/// # Errors
/// As [`TokenCache::verify`].
pub fn verify_cached<'b, const K: usize>(
    rules: Rules<'_, K>,
    token: &[u8],
    now: i64,
    buf: &'b mut [u8],
    offload: &impl Offload,
) -> Result<Verified<'b>, Error> {
    let Rules {
        keys,
        validation,
        cache,
    } = rules;
    match cache {
        Some(cache) => cache.verify(token, keys, validation, now, buf, offload),
        None => offload.run(|| gatekey::verify(token, keys.keys(), validation, now, buf)),
    }
}

/// [`gatekey::authenticate`] with the token step through the cache of
/// `rules` when there is one: extraction, resolution, Basic and proxy are
/// the core's.
///
/// # Errors
/// As [`gatekey::authenticate`].
pub fn authenticate_cached<'a, H, const K: usize>(
    request: Request<'a, H>,
    policy: &Policy,
    rules: Rules<'_, K>,
    now: i64,
    buf: &'a mut [u8],
    offload: &impl Offload,
) -> Result<Identity<'a>, Error>
where
    H: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    gatekey::authenticate_with(request, policy, buf, |token, buf| {
        verify_cached(rules, token, now, buf, offload)
    })
}

#[cfg(test)]
mod tests;
