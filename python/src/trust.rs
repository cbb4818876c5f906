//! `Verifier(keys)` where `keys` is a `KeySet` or a mapping of issuer
//! names to `KeySet`s (several identity providers, each trusted only for
//! its own tokens): Python values to gatekey-host's [`Keys`] and back from
//! its [`Trust`]. Whether the issuers are acceptable is the host's call.

use gatekey_host::{Keys, Trust, KEYS};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use crate::keys::PyKeySet;

/// A `KeySet`, or a mapping of issuer names to `KeySet`s, as given.
pub(crate) fn from_py(keys: &Bound<'_, PyAny>) -> PyResult<Keys> {
    if let Ok(set) = keys.cast::<PyKeySet>() {
        return Ok(Keys::One(Box::new(set.borrow().inner.clone())));
    }
    let Ok(mapping) = keys.cast::<PyMapping>() else {
        return Err(PyTypeError::new_err(
            "keys must be a KeySet or a mapping of issuer names to KeySets",
        ));
    };
    let mut list = Vec::new();
    for item in mapping.items()?.iter() {
        let (name, set): (String, PyRef<'_, PyKeySet>) = item
            .extract()
            .map_err(|_| PyTypeError::new_err("keys must map issuer names (str) to KeySets"))?;
        list.push((name, set.inner.clone()));
    }
    Ok(Keys::Issuers(list))
}

/// `{issuer: KeySet}` for several issuers, else `None`.
pub(crate) fn issuers<'py>(
    py: Python<'py>,
    trust: &Trust<KEYS>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    if trust.keys().is_some() {
        return Ok(None);
    }
    let out = PyDict::new(py);
    for issuer in trust.issuer_list() {
        let set = PyKeySet {
            inner: issuer.keys().clone(),
        };
        out.set_item(issuer.name(), Py::new(py, set)?)?;
    }
    Ok(Some(out))
}
