//! `Verifier(keys)` where `keys` is a `KeySet` or a mapping of issuer
//! names to `KeySet`s (several identity providers, each trusted only for
//! its own tokens): Python values to and from gatekey-host's [`Trust`].

use gatekey::Validation;
use gatekey_host::Trust;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use crate::errors::IntoPy;
use crate::keys::{PyKeySet, KEYS};

/// A `KeySet`, or a mapping of issuer names to `KeySet`s checked with
/// `validation`; `issuer_given` says whether `issuer=` was passed too,
/// which a mapping does not allow (it names the issuers itself).
pub(crate) fn from_py(
    py: Python<'_>,
    keys: &Bound<'_, PyAny>,
    validation: &Validation,
    issuer_given: bool,
) -> PyResult<Trust<KEYS>> {
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
    let mut list = Vec::new();
    for item in mapping.items()?.iter() {
        let (name, set): (String, PyRef<'_, PyKeySet>) = item
            .extract()
            .map_err(|_| PyTypeError::new_err("keys must map issuer names (str) to KeySets"))?;
        list.push((name, set.inner.clone()));
    }
    if list.is_empty() {
        return Err(PyValueError::new_err("keys: the mapping names no issuer"));
    }
    Trust::issuers(
        list.iter().map(|(n, k)| (n.as_str(), k.clone())),
        validation,
    )
    .py_err(py)
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
