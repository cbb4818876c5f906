//! Verifiers whose keys come from a JWKS URL, an OIDC issuer or a JWKS
//! file, kept current by gatekey-host's [`Refresher`] on its own thread:
//! nothing here fetches inline, so no request and no event loop waits on
//! the identity provider. This module converts arguments and counters.

use std::sync::Arc;

use gatekey_host::keys::{KeyStatus, RefreshOptions, Refresher, Source, SourceError, Sources};
use gatekey_host::{ConfigError, Options};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{config_to_py, ConfigIntoPy};
use crate::options::value;
use crate::policy::PyPolicy;

/// `**options` split: the refresh settings (`min_refresh`, `cooldown`,
/// `timeout`, …) to the refresher, the rest to the verifier's schema.
fn split(
    py: Python<'_>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<(Options, RefreshOptions)> {
    let mut verifier = Options::default();
    let mut refresh = RefreshOptions::default();
    if let Some(options) = options {
        for (name, v) in options.iter() {
            let name: String = name.extract()?;
            if RefreshOptions::canonical(&name).is_some() {
                refresh.set(&name, value(&v)).config_err(py)?;
            } else {
                verifier.set(&name, value(&v)).config_err(py)?;
            }
        }
    }
    refresh.check().config_err(py)?;
    Ok((verifier, refresh))
}

/// Builds the refresher (the first fetch, with the GIL released).
pub(crate) fn build(
    py: Python<'_>,
    source: Source,
    policy: Option<&PyPolicy>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Refresher> {
    let (verifier, refresh) = split(py, options)?;
    let policy = policy.map_or_else(gatekey::Policy::header_first, |p| p.inner.clone());
    let built = py.detach(|| Refresher::new(Sources::One(source), policy, verifier, refresh));
    built.map_err(|e| match e {
        SourceError::Config(e) => config_to_py(py, &e),
        SourceError::Fetch { location, message } => config_to_py(
            py,
            &ConfigError {
                error: gatekey::Error::InvalidJwks,
                option: "keys",
                value: location,
                expected: format!("a source with usable keys ({message})"),
            },
        ),
    })
}

fn seconds(d: Option<core::time::Duration>) -> Option<f64> {
    d.map(|d| d.as_secs_f64())
}

/// The refresher's counters as a dict (see `Verifier.key_status`).
pub(crate) fn status<'py>(py: Python<'py>, status: &KeyStatus) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("fresh", status.fresh)?;
    out.set_item("fetches", status.fetches())?;
    out.set_item("keys", status.keys())?;
    out.set_item("unknown_kid_refreshes", status.unknown_kid_refreshes)?;
    let sources = PyList::empty(py);
    for s in &status.sources {
        let d = PyDict::new(py);
        d.set_item("issuer", s.issuer.as_deref())?;
        d.set_item("location", &s.location)?;
        d.set_item("jwks_uri", s.jwks_uri.as_deref())?;
        d.set_item("fetches", s.fetches)?;
        d.set_item("failures", s.failures)?;
        d.set_item("not_modified", s.not_modified)?;
        d.set_item("last_success", seconds(s.last_success))?;
        d.set_item("last_error", s.last_error.as_deref())?;
        d.set_item("keys", s.keys)?;
        let skipped: Vec<(Option<&str>, &str)> = s
            .skipped
            .iter()
            .map(|k| (k.kid.as_deref(), k.error.name()))
            .collect();
        d.set_item("skipped", skipped)?;
        d.set_item("next_refresh", seconds(s.next_refresh))?;
        sources.append(d)?;
    }
    out.set_item("sources", sources)?;
    Ok(out)
}

/// The verifier a refresher made, shared with it.
pub(crate) fn verifier(r: &Refresher) -> Arc<gatekey_host::Verifier> {
    Arc::clone(r.verifier())
}
