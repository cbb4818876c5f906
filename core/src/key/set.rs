//! A fixed-capacity set of keys, filled from a JWKS document (RFC 7517 §5).

use core::sync::atomic::{AtomicU32, Ordering};

use heapless::Vec;

use super::{jwk, Key, MAX_KID_LEN};
use crate::json::{JsonStr, Object};
use crate::Error;

/// The default capacity of a [`KeySet`]: identity providers publish two or
/// three keys at a time (current, next, previous).
pub const DEFAULT_KEYS: usize = 8;

/// Up to `N` keys, selected by `kid`.
#[derive(Clone, Debug, Default)]
pub struct KeySet<const N: usize = DEFAULT_KEYS> {
    keys: Vec<Key, N>,
    skipped: usize,
    generation: u32,
}

/// Hands out key-set generations, so that a cache can tell when the keys
/// it vouched with have changed.
static GENERATION: AtomicU32 = AtomicU32::new(1);

impl<const N: usize> KeySet<N> {
    /// An empty set.
    #[must_use]
    pub const fn new() -> Self {
        KeySet {
            keys: Vec::new(),
            skipped: 0,
            generation: 0,
        }
    }

    /// The keys of a JWKS document `{"keys": [...]}`, read as RFC 7517 §5
    /// asks: keys gatekey cannot use (other key types, curves or
    /// algorithms, `use: enc`) and keys whose values are out of its range
    /// (an RSA modulus under 2048 bits, a secret under 32 bytes, a point
    /// off the curve, bad base64) are skipped and counted in
    /// [`skipped`](KeySet::skipped), so that one legacy or broken key
    /// published beside the current ones never takes them down.
    /// [`add_jwks_reporting`](KeySet::add_jwks_reporting) says which were
    /// skipped and why.
    ///
    /// # Errors
    /// [`Error::InvalidJwks`] when the document is not a JWKS or lists no
    /// key; the error of the first skipped key when none was usable;
    /// [`Error::KeySetFull`] past `N` usable keys.
    pub fn from_jwks(json: &[u8]) -> Result<Self, Error> {
        let mut set = KeySet::new();
        set.add_jwks(json)?;
        Ok(set)
    }

    /// Adds the usable keys of a JWKS document, skipping the others (see
    /// [`from_jwks`](KeySet::from_jwks)).
    ///
    /// # Errors
    /// As [`from_jwks`](KeySet::from_jwks); on error the set is unchanged.
    pub fn add_jwks(&mut self, json: &[u8]) -> Result<(), Error> {
        self.add_jwks_reporting(json, |_, _| {})
    }

    /// [`add_jwks`](KeySet::add_jwks), calling `skip(kid, error)` for each
    /// JWK skipped: its `kid` (raw bytes, `None` when it has none or it is
    /// not a string) and why (an entry that is not a JSON object is
    /// [`Error::InvalidJwk`]). The calls are made in document order, also
    /// when the document is refused in the end.
    ///
    /// # Errors
    /// As [`from_jwks`](KeySet::from_jwks); on error the set is unchanged.
    pub fn add_jwks_reporting(
        &mut self,
        json: &[u8],
        mut skip: impl FnMut(Option<&[u8]>, Error),
    ) -> Result<(), Error> {
        let doc = Object::parse(json).map_err(|_| Error::InvalidJwks)?;
        let keys = doc
            .get("keys")
            .and_then(|v| v.as_array())
            .ok_or(Error::InvalidJwks)?;
        let mut next = self.clone();
        let mut added = false;
        let mut first_skip = None;
        for entry in keys.iter() {
            let result = match entry.as_object() {
                Some(jwk) => jwk::key_from_object(&jwk).map_err(|e| (e, Some(jwk))),
                None => Err((Error::InvalidJwk, None)),
            };
            match result {
                Ok(key) => {
                    next.push(key)?;
                    added = true;
                }
                Err((error, jwk)) => {
                    let mut kid_buf = [0u8; MAX_KID_LEN];
                    let kid = jwk.as_ref().and_then(|j| jwk::kid(j, &mut kid_buf));
                    skip(kid, error);
                    next.skipped = next.skipped.saturating_add(1);
                    first_skip.get_or_insert(error);
                }
            }
        }
        if !added {
            return Err(first_skip.unwrap_or(Error::InvalidJwks));
        }
        *self = next;
        Ok(())
    }

    /// Adds one key.
    ///
    /// # Errors
    /// [`Error::KeySetFull`] when the set holds `N` keys.
    pub fn push(&mut self, key: Key) -> Result<(), Error> {
        self.keys.push(key).map_err(|_| Error::KeySetFull)?;
        self.generation = GENERATION.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// A number that changes whenever keys are added, unique across the
    /// key sets of the process (until it wraps after 2^32 changes). The
    /// verified-token cache forgets everything when it changes.
    #[must_use]
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// How many keys the set holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set holds no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// How many JWKs were skipped as unusable.
    #[must_use]
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The key for a token with this `kid`, with no `alg` to prefer among
    /// keys sharing the `kid`: the key with that id; in a one-key set whose
    /// key has none, that key (a `kid` is a hint, RFC 7515 §4.1.4); with
    /// no `kid`, the only key of a one-key set.
    ///
    /// # Errors
    /// [`Error::UnknownKey`] or [`Error::KeyIdRequired`].
    pub fn select(&self, kid: Option<&JsonStr<'_>>) -> Result<&Key, Error> {
        select(&self.keys, kid, None)
    }
}

/// Key selection over a slice (shared with callers that keep keys elsewhere):
///
/// - a token `kid` picks the keys with that id; among several (RFC 7517
///   §4.5 lets keys of different types share one), the one whose algorithm
///   is the token's `alg`, else the first (whose algorithm then refuses the
///   token). The key still decides the algorithm: `alg` only breaks a tie.
/// - a `kid` that no key has is [`Error::UnknownKey`], except in a one-key
///   set whose key has no id: there the `kid` is only a hint (RFC 7515
///   §4.1.4), as a provider's single PEM key meets tokens that name it.
/// - no `kid`: the only key of a one-key set, else [`Error::KeyIdRequired`].
pub(crate) fn select<'k>(
    keys: &'k [Key],
    kid: Option<&JsonStr<'_>>,
    alg: Option<&JsonStr<'_>>,
) -> Result<&'k Key, Error> {
    match kid {
        Some(kid) => {
            let mut named = keys.iter().filter(|k| k.matches_kid(kid));
            let first = named.clone().next();
            let fitting =
                alg.and_then(|alg| named.find(|k| alg.eq_bytes(k.algorithm().name().as_bytes())));
            match (fitting.or(first), keys) {
                (Some(key), _) => Ok(key),
                (None, [only]) if only.kid().is_none() => Ok(only),
                _ => Err(Error::UnknownKey),
            }
        }
        None => match keys {
            [only] => Ok(only),
            [] => Err(Error::UnknownKey),
            _ => Err(Error::KeyIdRequired),
        },
    }
}
