//! What a `Verifier` trusts: one key set, or several issuers each with its
//! own keys (`Verifier({"https://a": keys_a, "https://b": keys_b})`). With
//! several, the token's `iss` picks the issuer before its `kid` picks a
//! key, so one issuer's key never verifies a token claiming another
//! (RFC 8725 §3.11; the core's `Issuers`).

use core::sync::atomic::{AtomicU32, Ordering};

use gatekey::{Algorithm, Error, Issuer, Issuers, KeySet, Validation, Verified};
use gatekey_host::{verify_cached, Context, Offload, Rules, TokenCache};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use crate::errors::IntoPy;
use crate::keys::{PyKeySet, KEYS};

/// How many issuers one verifier trusts at most.
pub(crate) const ISSUERS: usize = 8;

/// Cache contexts of issuer lists: a new one for every list a verifier is
/// given, so that replacing any issuer's keys empties its cache.
static CONTEXTS: AtomicU32 = AtomicU32::new(1);

// Always behind an `Arc` (one heap block either way), so the sizes of the
// variants do not matter.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Trust {
    /// One key set: any configured issuer, any of these keys.
    Keys(KeySet<KEYS>),
    /// Several issuers, each with its own keys.
    Issuers {
        issuers: Box<Issuers<ISSUERS, KEYS>>,
        context: u32,
    },
}

impl Trust {
    /// A `KeySet`, or a mapping of issuer names to `KeySet`s checked with
    /// `validation` (whose issuer list must then be empty).
    pub(crate) fn from_py(
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        validation: &Validation,
        issuer_given: bool,
    ) -> PyResult<Self> {
        if let Ok(set) = keys.cast::<PyKeySet>() {
            return Ok(Trust::Keys(set.borrow().inner.clone()));
        }
        let Ok(mapping) = keys.cast::<PyMapping>() else {
            return Err(PyTypeError::new_err(
                "keys must be a KeySet or a mapping of issuer names to KeySets",
            ));
        };
        if issuer_given {
            return Err(PyValueError::new_err(
                "issuer: the mapping of keys already names the trusted issuers",
            ));
        }
        let mut issuers = Box::new(Issuers::new());
        for item in mapping.items()?.iter() {
            let (name, set): (String, PyRef<'_, PyKeySet>) = item
                .extract()
                .map_err(|_| PyTypeError::new_err("keys must map issuer names (str) to KeySets"))?;
            let issuer = Issuer::new(&name, set.inner.clone(), validation.clone()).py_err(py)?;
            issuers.push(issuer).py_err(py)?;
        }
        if issuers.issuers().is_empty() {
            return Err(PyValueError::new_err("keys: the mapping names no issuer"));
        }
        Ok(Trust::Issuers {
            issuers,
            context: CONTEXTS.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Whether `other` can replace this one (`Verifier.set_keys`): the same
    /// kind of trust.
    pub(crate) fn same_kind(&self, other: &Trust) -> bool {
        matches!(
            (self, other),
            (Trust::Keys(_), Trust::Keys(_)) | (Trust::Issuers { .. }, Trust::Issuers { .. })
        )
    }

    /// Whether any key checks a public-key signature (tens of µs: worth
    /// releasing the GIL for).
    pub(crate) fn has_public_keys(&self) -> bool {
        let public = |keys: &KeySet<KEYS>| {
            keys.keys()
                .iter()
                .any(|k| k.algorithm() != Algorithm::Hs256)
        };
        match self {
            Trust::Keys(keys) => public(keys),
            Trust::Issuers { issuers, .. } => issuers.issuers().iter().any(|i| public(i.keys())),
        }
    }

    /// Verifies `token`, through `cache` when there is one.
    pub(crate) fn verify<'b>(
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
    pub(crate) fn keys(&self) -> Option<&KeySet<KEYS>> {
        match self {
            Trust::Keys(keys) => Some(keys),
            Trust::Issuers { .. } => None,
        }
    }

    /// `{issuer: KeySet}` for several issuers, else `None`.
    pub(crate) fn issuers<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Trust::Issuers { issuers, .. } = self else {
            return Ok(None);
        };
        let out = PyDict::new(py);
        for issuer in issuers.issuers() {
            let set = PyKeySet {
                inner: issuer.keys().clone(),
            };
            out.set_item(issuer.name(), Py::new(py, set)?)?;
        }
        Ok(Some(out))
    }

    /// How many keys in all.
    pub(crate) fn len(&self) -> usize {
        match self {
            Trust::Keys(keys) => keys.len(),
            Trust::Issuers { issuers, .. } => {
                issuers.issuers().iter().map(|i| i.keys().len()).sum()
            }
        }
    }
}
