//! The verified-token cache: a token that arrives on every request of a
//! session is verified once, then costs a SHA-256 and a lookup.
//!
//! It maps the SHA-256 of the whole token to the token's times (`exp`,
//! `nbf`, `iat`). On every hit they are checked again against the caller's
//! `now` by the same rule as a miss ([`Validation::check_times`]), so a
//! cached token expires exactly when it would have, and a clock that steps
//! back refuses a token "issued in the future" cached or not;
//! and the header and payload are decoded again from the token itself, which
//! the digest proves to be the bytes that were verified. Nothing but the
//! digest and two numbers is stored, so the cache holds no secrets and no
//! personal data.
//!
//! The cache is fixed-capacity and never grows: `N` slots in sets of
//! [`WAYS`], the least recently used slot of a set evicted. It belongs to
//! one verification context: a [`KeySet`](crate::KeySet) generation, or
//! any `u32` the caller changes whenever its keys or rules change; a
//! lookup under another context empties it first.
//!
//! Lookups and insertions take `&mut self`; a threaded caller keeps it
//! behind a lock held only for [`Cache::lookup`] and [`Cache::insert`],
//! never while verifying (see [`verify_cached`] for the single-threaded
//! shape).

use sha2::{Digest, Sha256};

use crate::claims::Claims;
use crate::json::Object;
use crate::verify::{decode_with, Trust};
use crate::{Error, Validation, Verified};

/// Slots per set: a token can live in one of this many slots.
pub const WAYS: usize = 4;

/// The SHA-256 of a whole token: the cache key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    /// Hashes `token`.
    #[must_use]
    pub fn of(token: &[u8]) -> Self {
        TokenDigest(Sha256::digest(token).into())
    }

    fn set(&self, sets: usize) -> usize {
        let [a, b, c, d, ..] = self.0;
        usize::try_from(u32::from_le_bytes([a, b, c, d]))
            .unwrap_or(0)
            .checked_rem(sets)
            .unwrap_or(0)
    }
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    digest: TokenDigest,
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
    stamp: u32,
    used: bool,
}

const EMPTY: Slot = Slot {
    digest: TokenDigest([0; 32]),
    exp: None,
    nbf: None,
    iat: None,
    stamp: 0,
    used: false,
};

/// What the cache knows of a token.
#[derive(Debug)]
pub enum Lookup<'t> {
    /// Verified before, under the same context.
    Hit(Hit<'t>),
    /// Not in the cache: verify it, then [`Cache::insert`] the digest.
    Miss(TokenDigest),
}

/// A token the cache vouches for. [`Hit::open`] checks its window at `now`
/// and decodes it without verifying the signature again.
#[derive(Debug)]
pub struct Hit<'t> {
    token: &'t [u8],
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
}

impl Hit<'_> {
    /// The token's `exp`, `nbf` and `iat`, checked against `now` with the
    /// validation's leeway as a miss checks them, then its header and
    /// claims, decoded into `buf`
    /// (which needs [`buffer_len`](crate::buffer_len)`(token.len())` bytes).
    ///
    /// # Errors
    /// [`Error::Expired`], [`Error::NotYetValid`] or
    /// [`Error::IssuedInFuture`]; [`Error::TokenTooLarge`]
    /// when `buf` is too small.
    pub fn open<'b>(
        &self,
        validation: &Validation,
        now: i64,
        buf: &'b mut [u8],
    ) -> Result<Verified<'b>, Error> {
        validation.check_times(self.exp, self.nbf, self.iat, now)?;
        // The digest proves these are the bytes that were verified.
        let decoded = decode_with(self.token, buf, Trust::Verified, usize::MAX)?;
        Ok(Verified {
            header: decoded.header,
            claims: Claims::new(Object::assume_valid(decoded.payload)),
        })
    }
}

/// A fixed-capacity cache of `N` verified tokens (`N` a multiple of [`WAYS`]).
#[derive(Clone, Debug)]
pub struct Cache<const N: usize> {
    slots: [Slot; N],
    context: u32,
    clock: u32,
}

impl<const N: usize> Default for Cache<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Cache<N> {
    const SETS: usize = {
        assert!(
            N >= WAYS && N % WAYS == 0,
            "the capacity must be a non-zero multiple of WAYS"
        );
        N / WAYS
    };

    /// An empty cache.
    #[must_use]
    pub const fn new() -> Self {
        #[allow(clippy::let_unit_value)]
        let _ = Self::SETS;
        Cache {
            slots: [EMPTY; N],
            context: 0,
            clock: 0,
        }
    }

    /// Forgets every token.
    pub fn clear(&mut self) {
        self.slots = [EMPTY; N];
    }

    /// How many tokens it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.used).count()
    }

    /// Whether it holds no token.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        N
    }

    fn set_mut(&mut self, digest: &TokenDigest) -> &mut [Slot] {
        let start = digest.set(Self::SETS).saturating_mul(WAYS);
        self.slots
            .get_mut(start..start.saturating_add(WAYS))
            .unwrap_or_default()
    }

    fn tick(&mut self) -> u32 {
        self.clock = self.clock.wrapping_add(1);
        self.clock
    }

    fn enter(&mut self, context: u32) {
        if context != self.context {
            self.clear();
            self.context = context;
        }
    }

    /// Looks `token` up under `context`.
    pub fn lookup<'t>(&mut self, token: &'t [u8], context: u32) -> Lookup<'t> {
        self.enter(context);
        let digest = TokenDigest::of(token);
        let stamp = self.tick();
        match self
            .set_mut(&digest)
            .iter_mut()
            .find(|s| s.used && s.digest == digest)
        {
            Some(slot) => {
                slot.stamp = stamp;
                Lookup::Hit(Hit {
                    token,
                    exp: slot.exp,
                    nbf: slot.nbf,
                    iat: slot.iat,
                })
            }
            None => Lookup::Miss(digest),
        }
    }

    /// Records that the token with `digest` verified, under `context`, with
    /// these claims; evicts the least recently used token of its set.
    pub fn insert(&mut self, digest: TokenDigest, context: u32, claims: &Claims<'_>) {
        self.enter(context);
        let stamp = self.tick();
        let entry = Slot {
            digest,
            exp: claims.exp(),
            nbf: claims.nbf(),
            iat: claims.iat(),
            stamp,
            used: true,
        };
        let set = self.set_mut(&digest);
        let victim = set
            .iter()
            .position(|s| s.used && s.digest == digest)
            .or_else(|| set.iter().position(|s| !s.used))
            .or_else(|| {
                // Oldest by wrapping distance from now, so the clock may wrap.
                (0..set.len())
                    .max_by_key(|&i| set.get(i).map_or(0, |s| stamp.wrapping_sub(s.stamp)))
            });
        if let Some(slot) = victim.and_then(|i| set.get_mut(i)) {
            *slot = entry;
        }
    }
}

/// The decoded header and payload JSON of `token`, a token that has just
/// verified, for a hosted cache that keeps them (it has a heap) so that a
/// hit copies them back instead of decoding the token again; [`reopen`]
/// reads them. `buf` as for [`verify`](crate::verify).
///
/// # Errors
/// [`Error::TokenTooLarge`] when `buf` is too small, as a miss would say;
/// a decoding error for a token that is not a compact JWS.
pub fn decoded_parts<'b>(token: &[u8], buf: &'b mut [u8]) -> Result<(&'b [u8], &'b [u8]), Error> {
    if crate::buffer_len(token.len()) > buf.len() {
        return Err(Error::TokenTooLarge);
    }
    let parts = crate::jws::split(token)?;
    let (header_buf, payload_buf) = buf
        .split_at_mut_checked(crate::b64::decoded_len(parts.header.len()))
        .ok_or(Error::TokenTooLarge)?;
    let header = crate::b64::decode_public(parts.header, header_buf)?;
    let payload = crate::b64::decode_public(parts.payload, payload_buf)?;
    Ok((header, payload))
}

/// A verified token again from what [`decoded_parts`] returned for it.
/// The JSON is not validated again: the caller vouches that `header` and
/// `payload` are those of a token that verified under the same keys and
/// rules (an exact comparison of the token bytes, or its SHA-256), and
/// checks its times with [`Validation::check_times`] first.
///
/// # Errors
/// [`Error::InvalidHeader`] and the header errors of
/// [`Header::from_object`](crate::jose::Header::from_object), which a
/// token that verified never has.
pub fn reopen<'b>(header: &'b [u8], payload: &'b [u8]) -> Result<Verified<'b>, Error> {
    Ok(Verified {
        header: crate::jose::Header::from_object(&Object::assume_valid(header))?,
        claims: Claims::new(Object::assume_valid(payload)),
    })
}

/// Where one string member of a verified header lies in the header's JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    escaped: bool,
}

/// Where the members the core reads (`alg`, `kid`, `typ`) lie in a
/// verified header's JSON: what a hosted cache keeps beside the JSON so
/// that a hit rebuilds the header without reading the JSON again
/// ([`reopen_with`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeaderSpans {
    alg: Span,
    kid: Option<Span>,
    typ: Option<Span>,
}

impl HeaderSpans {
    /// The spans of `header`, the header JSON [`decoded_parts`] returned
    /// for a token that verified.
    ///
    /// # Errors
    /// As [`reopen`] for the header.
    pub fn of(header: &[u8]) -> Result<Self, Error> {
        let parsed = crate::jose::Header::from_object(&Object::assume_valid(header))?;
        let base = header.as_ptr() as usize;
        let span = |s: crate::json::JsonStr<'_>| -> Result<Span, Error> {
            let start = (s.raw().as_ptr() as usize)
                .checked_sub(base)
                .ok_or(Error::InvalidHeader)?;
            let end = start
                .checked_add(s.raw().len())
                .ok_or(Error::InvalidHeader)?;
            Ok(Span {
                start,
                end,
                escaped: s.is_escaped(),
            })
        };
        Ok(HeaderSpans {
            alg: span(parsed.alg)?,
            kid: parsed.kid.map(span).transpose()?,
            typ: parsed.typ.map(span).transpose()?,
        })
    }
}

/// [`reopen`] with the header's members where [`HeaderSpans::of`] found
/// them in the same `header` bytes, without reading its JSON again.
///
/// # Errors
/// [`Error::InvalidHeader`] for spans outside `header`.
pub fn reopen_with<'b>(
    header: &'b [u8],
    spans: &HeaderSpans,
    payload: &'b [u8],
) -> Result<Verified<'b>, Error> {
    let at = |s: Span| {
        header
            .get(s.start..s.end)
            .map(|raw| crate::json::JsonStr::from_scanned(raw, s.escaped))
            .ok_or(Error::InvalidHeader)
    };
    Ok(Verified {
        header: crate::jose::Header {
            alg: at(spans.alg)?,
            kid: spans.kid.map(at).transpose()?,
            typ: spans.typ.map(at).transpose()?,
        },
        claims: Claims::new(Object::assume_valid(payload)),
    })
}

/// [`verify`](crate::verify) through a cache: a hit costs a SHA-256, a
/// lookup, the window check and decoding; a miss calls `verify_miss` and
/// remembers the token if it verified. `context` as for [`Cache::lookup`].
///
/// # Errors
/// As `verify_miss` (on a miss) or [`Hit::open`] (on a hit).
pub fn verify_cached<'b, const N: usize, F>(
    cache: &mut Cache<N>,
    context: u32,
    token: &[u8],
    validation: &Validation,
    now: i64,
    buf: &'b mut [u8],
    verify_miss: F,
) -> Result<Verified<'b>, Error>
where
    F: FnOnce(&[u8], &'b mut [u8]) -> Result<Verified<'b>, Error>,
{
    match cache.lookup(token, context) {
        Lookup::Hit(hit) => hit.open(validation, now, buf),
        Lookup::Miss(digest) => {
            let verified = verify_miss(token, buf)?;
            cache.insert(digest, context, &verified.claims);
            Ok(verified)
        }
    }
}

#[cfg(test)]
mod tests;
