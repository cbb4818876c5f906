//! One shard of the hosted verified-token cache, which has a heap: each
//! entry keeps the token's bytes and its decoded header and payload, so a
//! hit is a keyed hash, an exact comparison and a copy, where the core's
//! no-heap [`Cache`](gatekey::cache::Cache) hashes the token with SHA-256
//! and decodes it again.
//!
//! - The hash (foldhash, seeded at random per process) only picks the
//!   shard and the set; a hit needs the stored bytes to equal the token's,
//!   so a chosen collision costs an eviction, never a wrong answer, and
//!   only tokens that verified are ever stored.
//! - The header's members (`alg`, `kid`, `typ`) are kept as places in
//!   its JSON, so a hit does not read the JSON again.
//! - A token longer than [`INLINE_MAX`] is kept as its SHA-256 and its
//!   times only, and decoded again on a hit (the core's way), so that an
//!   entry never holds more than about 3.6 KiB.
//! - `exp`, `nbf` and `iat` are kept with the entry and checked on every
//!   hit by [`Validation::check_times`](gatekey::Validation::check_times),
//!   the rule of a miss.
//! - `N` slots in sets of [`WAYS`], the least recently used slot of a set
//!   evicted; slots are made once, so the cache never grows.
//! - The shard belongs to one context (a key generation); a lookup or an
//!   insertion under another empties it first.
//!
//! The entries hold bearer tokens, as the requests that carried them did:
//! `Debug` prints how many, never what.

use gatekey::cache::{decoded_parts, HeaderSpans, TokenDigest};
use gatekey::{buffer_len, Claims, Error};

/// The cache's keyed hash, seeded at random per process. Its `Debug`
/// hides the seed (foldhash's own prints it), so a logged verifier does
/// not give away what would let someone aim tokens at one set.
#[derive(Clone, Default)]
pub struct Seeded(foldhash::quality::RandomState);

impl Seeded {
    /// The hash of `token`.
    pub fn hash(&self, token: &[u8]) -> u64 {
        core::hash::BuildHasher::hash_one(&self.0, token)
    }
}

impl core::fmt::Debug for Seeded {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Seeded(..)")
    }
}

/// Tokens up to this many bytes are kept whole; longer ones as a digest.
pub const INLINE_MAX: usize = 2048;

/// Slots per set.
pub const WAYS: usize = 4;

/// A token's `exp`, `nbf` and `iat`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Times {
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub iat: Option<i64>,
}

impl Times {
    pub fn of(claims: &Claims<'_>) -> Self {
        Times {
            exp: claims.exp(),
            nbf: claims.nbf(),
            iat: claims.iat(),
        }
    }
}

/// How an entry knows its token.
enum Key {
    /// The token itself, and its header and payload decoded, one after
    /// the other; `header` is the header's length.
    Whole {
        token: Box<[u8]>,
        decoded: Box<[u8]>,
        header: usize,
        spans: HeaderSpans,
    },
    /// The SHA-256 of a token longer than [`INLINE_MAX`].
    Digest(TokenDigest),
}

/// What to store for a token that has just verified: made outside the
/// lock (it decodes and allocates).
pub struct Entry {
    hash: u64,
    key: Key,
    times: Times,
}

impl Entry {
    /// The entry of `token`, whose claims are `claims`.
    pub fn new(token: &[u8], hash: u64, claims: &Claims<'_>) -> Self {
        let times = Times::of(claims);
        let whole = (token.len() <= INLINE_MAX)
            .then(|| {
                let mut buf = vec![0u8; buffer_len(token.len())];
                let (header, payload) = decoded_parts(token, &mut buf).ok()?;
                let spans = HeaderSpans::of(header).ok()?;
                let mut decoded = Vec::with_capacity(header.len().saturating_add(payload.len()));
                decoded.extend_from_slice(header);
                decoded.extend_from_slice(payload);
                Some(Key::Whole {
                    token: token.into(),
                    spans,
                    header: header.len(),
                    decoded: decoded.into_boxed_slice(),
                })
            })
            .flatten();
        Entry {
            hash,
            key: whole.unwrap_or_else(|| Key::Digest(TokenDigest::of(token))),
            times,
        }
    }
}

/// Where a hit copied a token's header and payload in the caller's
/// buffer: the header's length, the total, and the header's members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    header: usize,
    total: usize,
    spans: HeaderSpans,
}

/// What a lookup found.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// Verified before: its times, and where its header and payload now
    /// are in the caller's buffer (`None`: they must be decoded from the
    /// token, which is long or the buffer short).
    Hit(Times, Option<Layout>),
    /// Not in the cache.
    Miss,
}

struct Slot {
    entry: Entry,
    stamp: u32,
}

/// One shard: `N` slots in sets of [`WAYS`].
pub struct Shard<const N: usize> {
    slots: Box<[Option<Slot>]>,
    context: u32,
    clock: u32,
}

impl<const N: usize> core::fmt::Debug for Shard<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Shard")
            .field("len", &self.len())
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl<const N: usize> Default for Shard<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Shard<N> {
    const SETS: usize = {
        assert!(
            N >= WAYS && N % WAYS == 0,
            "the capacity must be a non-zero multiple of WAYS"
        );
        N / WAYS
    };

    pub fn new() -> Self {
        Shard {
            slots: (0..N).map(|_| None).collect(),
            context: 0,
            clock: 0,
        }
    }

    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = None);
    }

    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    fn enter(&mut self, context: u32) {
        if context != self.context {
            self.clear();
            self.context = context;
        }
    }

    fn tick(&mut self) -> u32 {
        self.clock = self.clock.wrapping_add(1);
        self.clock
    }

    fn set_mut(&mut self, hash: u64) -> &mut [Option<Slot>] {
        // The low bits pick the shard (lib.rs), the high ones the set.
        let sets = u64::try_from(Self::SETS).unwrap_or(1);
        let set = usize::try_from((hash >> 32).checked_rem(sets).unwrap_or(0)).unwrap_or(0);
        let start = set.saturating_mul(WAYS);
        self.slots
            .get_mut(start..start.saturating_add(WAYS))
            .unwrap_or_default()
    }

    /// Looks `token` (whose hash is `hash`) up under `context`; on a hit of
    /// a token kept whole, copies its decoded header and payload into
    /// `buf` when it is long enough for the token (as a miss needs).
    pub fn lookup(&mut self, token: &[u8], hash: u64, context: u32, buf: &mut [u8]) -> Found {
        self.enter(context);
        let stamp = self.tick();
        let digest = (token.len() > INLINE_MAX).then(|| TokenDigest::of(token));
        let fits = buffer_len(token.len()) <= buf.len();
        for slot in self.set_mut(hash).iter_mut().flatten() {
            if slot.entry.hash != hash {
                continue;
            }
            let layout = match (&slot.entry.key, &digest) {
                (
                    Key::Whole {
                        token: kept,
                        decoded,
                        header,
                        spans,
                    },
                    None,
                ) if **kept == *token => {
                    let copied = fits
                        .then(|| buf.get_mut(..decoded.len()))
                        .flatten()
                        .map(|out| out.copy_from_slice(decoded));
                    copied.map(|()| Layout {
                        header: *header,
                        total: decoded.len(),
                        spans: *spans,
                    })
                }
                (Key::Digest(kept), Some(d)) if kept == d => None,
                _ => continue,
            };
            slot.stamp = stamp;
            return Found::Hit(slot.entry.times, layout);
        }
        Found::Miss
    }

    /// Stores `entry` under `context`, in place of the same token or the
    /// least recently used slot of its set.
    pub fn insert(&mut self, entry: Entry, context: u32) {
        self.enter(context);
        let stamp = self.tick();
        let set = self.set_mut(entry.hash);
        let same = |s: &Option<Slot>| {
            s.as_ref().is_some_and(|s| {
                s.entry.hash == entry.hash
                    && match (&s.entry.key, &entry.key) {
                        (Key::Whole { token: a, .. }, Key::Whole { token: b, .. }) => a == b,
                        (Key::Digest(a), Key::Digest(b)) => a == b,
                        _ => false,
                    }
            })
        };
        let victim = set
            .iter()
            .position(same)
            .or_else(|| set.iter().position(Option::is_none))
            .or_else(|| {
                // Oldest by wrapping distance from now, so the clock may wrap.
                (0..set.len()).max_by_key(|&i| {
                    set.get(i)
                        .and_then(Option::as_ref)
                        .map_or(0, |s| stamp.wrapping_sub(s.stamp))
                })
            });
        if let Some(slot) = victim.and_then(|i| set.get_mut(i)) {
            *slot = Some(Slot { entry, stamp });
        }
    }
}

/// The header and payload a hit copied into `buf` (`layout`), or decoded
/// from `token` again, as a verified token.
///
/// # Errors
/// [`Error::TokenTooLarge`] when `buf` is too small for the token.
pub fn open<'b>(
    token: &[u8],
    layout: Option<Layout>,
    buf: &'b mut [u8],
) -> Result<gatekey::Verified<'b>, Error> {
    match layout {
        Some(at) => {
            let buf: &'b [u8] = buf;
            let copied = buf.get(..at.total).ok_or(Error::TokenTooLarge)?;
            let (header, payload) = copied
                .split_at_checked(at.header)
                .ok_or(Error::TokenTooLarge)?;
            gatekey::cache::reopen_with(header, &at.spans, payload)
        }
        None => {
            let (header, payload) = decoded_parts(token, buf)?;
            gatekey::cache::reopen(header, payload)
        }
    }
}
