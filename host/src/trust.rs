//! What a verifier trusts: one key set, or several issuers each with its
//! own keys. With several, the token's `iss` picks the issuer before its
//! `kid` picks a key, so one issuer's key never verifies a token claiming
//! another (RFC 8725 §3.11; the core's [`Issuers`]). The wheel and the C
//! library both hold one of these.

use core::sync::atomic::{AtomicU32, Ordering};

use gatekey::{Error, Issuer, Issuers, KeySet, Validation, Verified};

use crate::{verify_cached, Context, Offload, Rules, TokenCache};

/// How many issuers one verifier trusts at most.
pub const ISSUERS: usize = 8;

/// Cache contexts of issuer lists: a new one for every list, so that a
/// verifier given new issuer keys verifies its cached tokens again.
static CONTEXTS: AtomicU32 = AtomicU32::new(1);

/// One key set, or several issuers with their own keys.
// Always behind a pointer in the bindings (one heap block either way), so
// the sizes of the variants do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Trust<const K: usize> {
    /// One key set: any configured issuer, any of these keys.
    Keys(KeySet<K>),
    /// Several issuers, each with its own keys.
    Issuers {
        /// The issuers, in the order given.
        issuers: Box<Issuers<ISSUERS, K>>,
        /// This list's cache context.
        context: u32,
    },
}

impl<const K: usize> Trust<K> {
    /// Several issuers: `(iss, keys)` pairs, each checked with `validation`
    /// (whose own issuer list is replaced by that issuer).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for no issuer or an empty name,
    /// [`Error::ConfigListFull`] past [`ISSUERS`], [`Error::ConfigTooLong`]
    /// for a name too long.
    pub fn issuers<'n>(
        list: impl IntoIterator<Item = (&'n str, KeySet<K>)>,
        validation: &Validation,
    ) -> Result<Self, Error> {
        let mut issuers = Box::new(Issuers::new());
        for (name, keys) in list {
            issuers.push(Issuer::new(name, keys, validation.clone())?)?;
        }
        if issuers.issuers().is_empty() {
            return Err(Error::InvalidConfig);
        }
        Ok(Trust::Issuers {
            issuers,
            context: CONTEXTS.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Whether `other` is the same kind of trust (a key set for a key set,
    /// issuers for issuers): what replacing keys may change.
    #[must_use]
    pub fn same_kind(&self, other: &Self) -> bool {
        matches!(
            (self, other),
            (Trust::Keys(_), Trust::Keys(_)) | (Trust::Issuers { .. }, Trust::Issuers { .. })
        )
    }

    /// Whether any key checks a public-key signature (tens of µs, worth
    /// handing to an [`Offload`]).
    #[must_use]
    pub fn has_public_keys(&self) -> bool {
        let public = |keys: &KeySet<K>| keys.keys().iter().any(|k| !k.algorithm().is_symmetric());
        match self {
            Trust::Keys(keys) => public(keys),
            Trust::Issuers { issuers, .. } => issuers.issuers().iter().any(|i| public(i.keys())),
        }
    }

    /// Verifies `token` with `validation` at `now`, through `cache` when
    /// there is one; the signature check of a miss runs through `offload`.
    ///
    /// # Errors
    /// As [`gatekey::verify`] or [`Issuers::verify`].
    pub fn verify<'b>(
        &self,
        token: &[u8],
        validation: &Validation,
        cache: Option<&TokenCache>,
        now: i64,
        buf: &'b mut [u8],
        offload: &impl Offload,
    ) -> Result<Verified<'b>, Error> {
        match self {
            Trust::Keys(keys) => {
                let rules = Rules {
                    keys,
                    validation,
                    cache,
                };
                verify_cached(rules, token, now, buf, offload)
            }
            Trust::Issuers { issuers, context } => {
                let miss = |buf| issuers.verify(token, now, buf);
                match cache {
                    Some(cache) => {
                        let context = Context {
                            id: *context,
                            validation,
                            now,
                        };
                        cache.verify_with(token, context, buf, offload, miss)
                    }
                    None => offload.run(|| miss(buf)),
                }
            }
        }
    }

    /// The key set, when there is one.
    #[must_use]
    pub fn keys(&self) -> Option<&KeySet<K>> {
        match self {
            Trust::Keys(keys) => Some(keys),
            Trust::Issuers { .. } => None,
        }
    }

    /// The issuers, when there are several.
    #[must_use]
    pub fn issuer_list(&self) -> &[Issuer<K>] {
        match self {
            Trust::Keys(_) => &[],
            Trust::Issuers { issuers, .. } => issuers.issuers(),
        }
    }

    /// How many keys in all.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Trust::Keys(keys) => keys.len(),
            Trust::Issuers { issuers, .. } => {
                issuers.issuers().iter().map(|i| i.keys().len()).sum()
            }
        }
    }

    /// Whether there is no key at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
