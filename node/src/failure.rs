//! Failures out: a refused request or a refused configuration as a plain
//! object the JavaScript layer turns into an `AuthError` or `ConfigError`
//! (the classes live in JavaScript, so that `instanceof` works across the
//! ESM and CommonJS entries).

use gatekey::Error;
use gatekey_host::options::{camel_case, ChallengeParams};
use gatekey_host::{ConfigError, Failure, Refusal};
use napi::{Env, JsObject, JsUnknown};

fn optional(env: Env, object: &mut JsObject, name: &str, value: Option<&str>) -> napi::Result<()> {
    match value {
        Some(v) => object.set_named_property(name, env.create_string(v)?),
        None => object.set_named_property(name, env.get_null()?),
    }
}

/// `{code, reason, message, status, wwwAuthenticate, claim, kid, issuer,
/// scope, body}` for `failure`, answered as `refusal` says.
pub(crate) fn failure(env: Env, failure: &Failure, refusal: &Refusal) -> napi::Result<JsObject> {
    let mut o = env.create_object()?;
    o.set_named_property("code", env.create_uint32(u32::from(failure.error.code()))?)?;
    o.set_named_property("reason", env.create_string(failure.error.name())?)?;
    o.set_named_property("message", env.create_string_from_std(failure.message())?)?;
    o.set_named_property("status", env.create_uint32(u32::from(refusal.status))?)?;
    optional(
        env,
        &mut o,
        "wwwAuthenticate",
        refusal.www_authenticate.as_deref(),
    )?;
    optional(env, &mut o, "claim", failure.claim.as_deref())?;
    optional(env, &mut o, "kid", failure.kid.as_deref())?;
    optional(env, &mut o, "issuer", failure.issuer.as_deref())?;
    optional(env, &mut o, "scope", failure.scope.as_deref())?;
    o.set_named_property("body", env.create_string(&refusal.body)?)?;
    Ok(o)
}

/// A configuration error as [`failure`]'s object plus `option` (the
/// canonical name, the same in every language), `value` and `expected`.
pub(crate) fn config(env: Env, error: &ConfigError) -> napi::Result<JsObject> {
    let named = Failure::from(error.error);
    let refusal = Refusal::new(&named, &ChallengeParams::default());
    let mut o = failure(env, &named, &refusal)?;
    let message = format!(
        "option {}: expected {}, got {}",
        camel_case(error.option),
        error.expected,
        error.value
    );
    o.set_named_property("message", env.create_string_from_std(message)?)?;
    o.set_named_property("option", env.create_string(error.option)?)?;
    o.set_named_property("value", env.create_string(&error.value)?)?;
    o.set_named_property("expected", env.create_string(&error.expected)?)?;
    Ok(o)
}

/// A configuration error of the core (a weak key, a malformed JWKS, a bad
/// cookie name) about `option`.
pub(crate) fn core_config(env: Env, error: Error, option: &'static str) -> napi::Result<JsUnknown> {
    let config = ConfigError {
        error,
        option,
        value: String::new(),
        expected: String::new(),
    };
    let mut o = config_object(env, &config)?;
    let message = format!("{}: {}", error.message(), camel_case(option));
    o.set_named_property("message", env.create_string_from_std(message)?)?;
    o.set_named_property("value", env.get_null()?)?;
    o.set_named_property("expected", env.get_null()?)?;
    Ok(o.into_unknown())
}

fn config_object(env: Env, error: &ConfigError) -> napi::Result<JsObject> {
    config(env, error)
}

/// `config(env, error)` as a value to return.
pub(crate) fn config_value(env: Env, error: &ConfigError) -> napi::Result<JsUnknown> {
    Ok(config(env, error)?.into_unknown())
}
