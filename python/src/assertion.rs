//! `AssertionChecker`: the application's check of the identity assertion
//! gatekey-authz sets on an allowed request (gatekey_host::assertion does
//! all of it; this converts and maps the error).

use gatekey_host::assertion::Checker;
use gatekey_host::options as host_options;
use pyo3::prelude::*;

use crate::errors::{to_py, ConfigIntoPy};
use crate::input::{borrow_bytes, borrow_optional};
use crate::options::optional;

/// Checks identity assertions made for one upstream with a deployment key.
#[pyclass(name = "AssertionChecker", module = "gatekey._gatekey", frozen)]
pub(crate) struct PyAssertionChecker {
    inner: Checker,
}

#[pymethods]
impl PyAssertionChecker {
    #[new]
    #[pyo3(signature = (key, *, audience, leeway=0))]
    fn new(py: Python<'_>, key: &Bound<'_, PyAny>, audience: &str, leeway: u32) -> PyResult<Self> {
        let key = borrow_bytes(key, "key")?;
        Checker::new(key, audience, leeway)
            .map(|inner| PyAssertionChecker { inner })
            .map_err(|e| to_py(py, e))
    }

    /// `(subject, source)` of a valid assertion (the header's value, or
    /// `None` when absent), bound to `credential` when given; else raises
    /// the `AuthError` of every surface.
    #[pyo3(signature = (header_value, *, credential=None, now=None))]
    fn verify_assertion(
        &self,
        py: Python<'_>,
        header_value: Option<&Bound<'_, PyAny>>,
        credential: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(String, String)> {
        let now = host_options::now(&optional(now)).config_err(py)?;
        let assertion = borrow_optional(header_value, "header_value")?;
        let credential = borrow_optional(credential, "credential")?;
        self.inner
            .check(assertion, credential, now)
            .map(|a| (a.subject, a.source))
            .map_err(|e| to_py(py, e))
    }
}
