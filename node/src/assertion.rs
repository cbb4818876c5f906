//! The application's check of the identity assertion gatekey-authz sets
//! on an allowed request: gatekey_host::assertion does all of it; this
//! converts values and returns failures as the verifier's do (plain
//! objects node/lib turns into `AuthError`).

// The JsExternal/JsUnknown API, as the verifier's (see verifier.rs).
#![allow(deprecated)]

use gatekey_host::assertion::Checker;
use gatekey_host::options::{now as now_of, ChallengeParams};
use gatekey_host::{Failure, OptionValue};
use napi::{Env, JsExternal, JsUnknown};
use napi_derive::napi;

use crate::failure::{config_value, failure};
use crate::value::{absent, bytes, map_constructor, option_value, optional_bytes};

fn refused(env: Env, error: gatekey::Error) -> napi::Result<JsUnknown> {
    let f = Failure::from(error);
    let refusal = f.refusal(&ChallengeParams::default());
    Ok(failure(env, &f, &refusal)?.into_unknown())
}

/// A checker for `audience` with the deployment `key`, or a failure.
#[napi(js_name = "assertionCheckerNew")]
pub fn assertion_checker_new(
    env: Env,
    key: JsUnknown,
    audience: String,
    leeway: u32,
) -> napi::Result<JsUnknown> {
    let key = bytes(env, key, "key")?;
    match Checker::new(&key, &audience, leeway) {
        Ok(c) => Ok(env.create_external(c, None)?.into_unknown()),
        Err(e) => refused(env, e),
    }
}

/// `[subject, source]` of a valid assertion, or a failure object.
#[napi(js_name = "assertionVerify")]
pub fn assertion_verify(
    env: Env,
    checker: JsExternal,
    header: Option<JsUnknown>,
    credential: Option<JsUnknown>,
    now: Option<JsUnknown>,
) -> napi::Result<JsUnknown> {
    let checker = env.get_value_external::<Checker>(&checker)?;
    let header = optional_bytes(env, header, "the assertion")?;
    let credential = optional_bytes(env, credential, "credential")?;
    let now = match now {
        None => OptionValue::Absent,
        Some(v) if absent(&v)? => OptionValue::Absent,
        Some(v) => option_value(v, &map_constructor(env)?, 0)?,
    };
    let now = match now_of(&now) {
        Ok(n) => n,
        Err(e) => return config_value(env, &e),
    };
    match checker.check(header.as_deref(), credential.as_deref(), now) {
        Ok(a) => {
            let mut out = env.create_array_with_length(2)?;
            out.set_element(0, env.create_string_from_std(a.subject)?)?;
            out.set_element(1, env.create_string_from_std(a.source)?)?;
            Ok(out.into_unknown())
        }
        Err(e) => refused(env, e),
    }
}
