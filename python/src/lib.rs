//! `gatekey._gatekey`: the native half of the Python package.
//!
//! Thin by design: it converts Python values to gatekey-host's options and
//! the core's types and back, releases the GIL while a public-key signature
//! is checked, and maps failures to exception classes. Every rule
//! (precedence, verification, options, the refusal) lives in the core
//! crate and in gatekey-host's one `Verifier`.

mod assertion;
mod claims;
mod errors;
mod input;
mod keys;
mod options;
mod policy;
mod sources;
mod trust;
mod verifier;

use pyo3::prelude::*;

/// The native module. `gatekey/__init__.py` re-exports what users need.
#[pymodule]
fn _gatekey(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    m.add_class::<keys::PyKeySet>()?;
    m.add_class::<policy::PyPolicy>()?;
    m.add_class::<verifier::PyVerifier>()?;
    m.add_class::<verifier::PyCacheInfo>()?;
    m.add_class::<verifier::PyIdentity>()?;
    m.add_class::<verifier::PyResolution>()?;
    m.add_class::<assertion::PyAssertionChecker>()?;
    m.add_function(wrap_pyfunction!(verifier::resolve, m)?)?;
    m.add_function(wrap_pyfunction!(errors::challenge, m)?)?;
    m.add_function(wrap_pyfunction!(errors::errors, m)?)?;
    m.add_function(wrap_pyfunction!(errors::raise_error, m)?)?;
    Ok(())
}
