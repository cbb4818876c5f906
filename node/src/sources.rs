//! Verifiers whose keys come from an OIDC issuer, a JWKS URL or a JWKS
//! file, kept current by gatekey-host's [`Refresher`]. The first fetch
//! runs on libuv's thread pool (an [`AsyncTask`]: a Promise in
//! JavaScript), later ones on the refresher's own thread, so the event
//! loop never waits on the identity provider. This module converts
//! arguments and counters; the schedule, cooldown and last-known-good
//! keys are the host's.

// `JsExternal` is deprecated for `External<T>`, which cannot be read out of
// a `JsUnknown` without `unsafe`: this crate has none.
#![allow(deprecated)]

use core::time::Duration;
use std::path::PathBuf;
use std::sync::Arc;

use gatekey::Policy;
use gatekey_host::keys::{KeyStatus, RefreshOptions, Refresher, Source, SourceError, Sources};
use gatekey_host::{ConfigError, OptionValue, Options};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, JsExternal, JsObject, JsUnknown, Task};
use napi_derive::napi;

use crate::failure::config_value;
use crate::keys::policy;
use crate::value::{option_pairs, type_error};
use crate::verifier::{held, Held, Slot};

/// `[[name, value], ...]` split: the refresh settings (`minRefresh`,
/// `cooldown`, `timeout`, …) to the refresher, the rest to the verifier's
/// schema, each checked by the host.
fn split(pairs: Vec<(String, OptionValue)>) -> Result<(Options, RefreshOptions), ConfigError> {
    let mut verifier = Options::default();
    let mut refresh = RefreshOptions::default();
    for (name, value) in pairs {
        if RefreshOptions::canonical(&name).is_some() {
            refresh.set(&name, value)?;
        } else {
            verifier.set(&name, value)?;
        }
    }
    refresh.check()?;
    Ok((verifier, refresh))
}

/// A source with no usable keys, as the configuration error of `keys`
/// (as Python reports it).
fn fetch_error(location: String, message: &str) -> ConfigError {
    ConfigError {
        error: gatekey::Error::InvalidJwks,
        option: "keys",
        value: location,
        expected: format!("a source with usable keys ({message})"),
    }
}

/// The first fetch and the verifier, off the event loop.
pub struct Build {
    source: Option<Source>,
    policy: Policy,
    pairs: Vec<(String, OptionValue)>,
}

impl Task for Build {
    type Output = Result<Refresher, ConfigError>;
    type JsValue = JsUnknown;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let source = self
            .source
            .take()
            .ok_or_else(|| napi::Error::from_reason("gatekey: the source was already used"))?;
        let (options, refresh) = match split(core::mem::take(&mut self.pairs)) {
            Ok(split) => split,
            Err(e) => return Ok(Err(e)),
        };
        let built = Refresher::new(Sources::One(source), self.policy.clone(), options, refresh);
        Ok(built.map_err(|e| match e {
            SourceError::Config(e) => e,
            SourceError::Fetch { location, message } => fetch_error(location, &message),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<JsUnknown> {
        match output {
            Ok(refresher) => {
                let held = Held {
                    verifier: Arc::clone(refresher.verifier()),
                    refresher: Some(Arc::new(refresher)),
                };
                Ok(env
                    .create_external::<Slot>(Some(held), None)?
                    .into_unknown())
            }
            Err(e) => config_value(env, &e),
        }
    }
}

/// A verifier over `kind` (`issuer`, `jwksUrl`, `jwksFile`) at
/// `location`, under `policy`, with `options` as `[[name, value], ...]`
/// (the verifier's and the refresh settings): a Promise of the external
/// once the first fetch succeeded, or of a configuration error.
#[napi(js_name = "verifierFromSource", ts_return_type = "Promise<unknown>")]
pub fn verifier_from_source(
    env: Env,
    kind: String,
    location: String,
    policy_of: JsExternal,
    options: JsObject,
) -> napi::Result<AsyncTask<Build>> {
    let source = match kind.as_str() {
        "issuer" => Source::Issuer(location),
        "jwksUrl" => Source::JwksUrl(location),
        "jwksFile" => Source::File(PathBuf::from(location)),
        _ => return Err(type_error(env, "gatekey: unknown key source")),
    };
    let policy = policy(&env, &policy_of)?.clone();
    let pairs = option_pairs(env, &options)?;
    Ok(AsyncTask::new(Build {
        source: Some(source),
        policy,
        pairs,
    }))
}

/// A fetch of every source now, off the event loop.
pub struct Refresh(Option<Arc<Refresher>>);

impl Task for Refresh {
    type Output = bool;
    type JsValue = bool;

    fn compute(&mut self) -> napi::Result<bool> {
        Ok(self.0.take().is_some_and(|r| r.poll(true)))
    }

    fn resolve(&mut self, _env: Env, changed: bool) -> napi::Result<bool> {
        Ok(changed)
    }
}

/// Fetches the keys now (on the thread pool): a Promise of whether they
/// changed (`false` for keys given directly).
#[napi(js_name = "verifierRefresh", ts_return_type = "Promise<boolean>")]
pub fn verifier_refresh(env: Env, v: JsExternal) -> napi::Result<AsyncTask<Refresh>> {
    let refresher = held(&env, &v)?.refresher.clone();
    Ok(AsyncTask::new(Refresh(refresher)))
}

fn seconds(env: Env, d: Option<Duration>) -> napi::Result<JsUnknown> {
    match d {
        Some(d) => Ok(env.create_double(d.as_secs_f64())?.into_unknown()),
        None => Ok(env.get_null()?.into_unknown()),
    }
}

fn text(env: Env, s: Option<&str>) -> napi::Result<JsUnknown> {
    match s {
        Some(s) => Ok(env.create_string(s)?.into_unknown()),
        None => Ok(env.get_null()?.into_unknown()),
    }
}

// Counters past 2^53 lose precision as JavaScript numbers, harmlessly.
#[allow(clippy::cast_precision_loss)]
fn number(n: u64) -> f64 {
    n as f64
}

fn count(n: usize) -> f64 {
    number(u64::try_from(n).unwrap_or(u64::MAX))
}

/// The counters as Python's `key_status()`, in camelCase.
fn status(env: Env, status: &KeyStatus) -> napi::Result<JsObject> {
    let mut out = env.create_object()?;
    out.set_named_property("fresh", env.get_boolean(status.fresh)?)?;
    out.set_named_property("fetches", env.create_double(number(status.fetches()))?)?;
    out.set_named_property("keys", env.create_double(count(status.keys()))?)?;
    out.set_named_property(
        "unknownKidRefreshes",
        env.create_double(number(status.unknown_kid_refreshes))?,
    )?;
    let mut sources = env.create_array_with_length(status.sources.len())?;
    for (i, s) in (0u32..).zip(&status.sources) {
        let mut d = env.create_object()?;
        d.set_named_property("issuer", text(env, s.issuer.as_deref())?)?;
        d.set_named_property("location", env.create_string(&s.location)?)?;
        d.set_named_property("jwksUri", text(env, s.jwks_uri.as_deref())?)?;
        d.set_named_property("fetches", env.create_double(number(s.fetches))?)?;
        d.set_named_property("failures", env.create_double(number(s.failures))?)?;
        d.set_named_property("notModified", env.create_double(number(s.not_modified))?)?;
        d.set_named_property("lastSuccess", seconds(env, s.last_success)?)?;
        d.set_named_property("lastError", text(env, s.last_error.as_deref())?)?;
        d.set_named_property("keys", env.create_double(count(s.keys))?)?;
        let mut skipped = env.create_array_with_length(s.skipped.len())?;
        for (j, k) in (0u32..).zip(&s.skipped) {
            let mut entry = env.create_object()?;
            entry.set_named_property("kid", text(env, k.kid.as_deref())?)?;
            entry.set_named_property("reason", env.create_string(k.error.name())?)?;
            skipped.set_element(j, entry)?;
        }
        d.set_named_property("skipped", skipped)?;
        d.set_named_property("nextRefresh", seconds(env, s.next_refresh)?)?;
        sources.set_element(i, d)?;
    }
    out.set_named_property("sources", sources)?;
    Ok(out)
}

/// The key source's counters, or `null` for keys given directly.
#[napi(js_name = "verifierKeyStatus")]
pub fn verifier_key_status(env: Env, v: JsExternal) -> napi::Result<JsUnknown> {
    match &held(&env, &v)?.refresher {
        Some(r) => Ok(status(env, &r.status())?.into_unknown()),
        None => Ok(env.get_null()?.into_unknown()),
    }
}
