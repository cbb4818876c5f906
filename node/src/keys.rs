//! `KeySet` and `Policy`: native objects held by the JavaScript classes as
//! externals, built through the core's own constructors.

// `JsExternal` is deprecated for `External<T>`, which cannot be read out of
// a `JsUnknown` (an issuers list) without `unsafe`: this crate has none.
#![allow(deprecated)]

use gatekey::{BasicCredentials, Conflict, Key, Policy};
use gatekey_host::HostKeySet;
use napi::{Env, JsExternal, JsUnknown};
use napi_derive::napi;

use crate::failure::core_config;
use crate::value::{bytes, optional_bytes, type_error};

/// The key set behind an external made by [`keyset_new`], or a `TypeError`.
pub(crate) fn keyset<'e>(env: &'e Env, external: &JsExternal) -> napi::Result<&'e mut HostKeySet> {
    env.get_value_external::<HostKeySet>(external)
        .map_err(|_| type_error(*env, "gatekey: expected a KeySet"))
}

/// An empty key set.
#[napi(js_name = "keysetNew")]
pub fn keyset_new(env: Env) -> napi::Result<JsExternal> {
    env.create_external(HostKeySet::new(), None)
}

/// Adds the usable keys of a JWKS document (text or bytes); `null`, or a
/// configuration error (the set unchanged).
#[napi(js_name = "keysetAddJwks")]
pub fn keyset_add_jwks(env: Env, set: JsExternal, jwks: JsUnknown) -> napi::Result<JsUnknown> {
    let json = bytes(env, jwks, "the JWKS")?;
    let set = keyset(&env, &set)?;
    // On error the set is unchanged: the keys are added to a copy.
    let mut grown = set.clone();
    match grown.add_jwks(&json) {
        Ok(()) => {
            *set = grown;
            Ok(env.get_null()?.into_unknown())
        }
        Err(e) => core_config(env, e, "keys"),
    }
}

/// Adds an HS256 secret with an optional `kid`; `null`, or a configuration
/// error (a secret under 32 bytes is `weak_key`).
#[napi(js_name = "keysetAddHs256")]
pub fn keyset_add_hs256(
    env: Env,
    set: JsExternal,
    secret: JsUnknown,
    kid: Option<JsUnknown>,
) -> napi::Result<JsUnknown> {
    let secret = bytes(env, secret, "the secret")?;
    let kid = optional_bytes(env, kid, "the kid")?;
    let set = keyset(&env, &set)?;
    match Key::hs256(&secret, kid.as_deref()).and_then(|key| set.push(key)) {
        Ok(()) => Ok(env.get_null()?.into_unknown()),
        Err(e) => core_config(env, e, "keys"),
    }
}

/// The number of keys.
#[napi(js_name = "keysetSize")]
pub fn keyset_size(env: Env, set: JsExternal) -> napi::Result<u32> {
    Ok(u32::try_from(keyset(&env, &set)?.len()).unwrap_or(u32::MAX))
}

/// The policy behind an external made by [`policy_new`], or a `TypeError`.
pub(crate) fn policy<'e>(env: &'e Env, external: &JsExternal) -> napi::Result<&'e mut Policy> {
    env.get_value_external::<Policy>(external)
        .map_err(|_| type_error(*env, "gatekey: policy must be a Policy"))
}

/// A preset (`headerFirst`, `cookieFirst`, `strict`) with its options;
/// the external, or a configuration error. `query` is already a boolean
/// or absent, `conflict` a string or absent (checked here).
#[napi(js_name = "policyNew")]
#[allow(clippy::too_many_arguments)] // one per policy option, as the JS layer has them
pub fn policy_new(
    env: Env,
    preset: String,
    cookie: Option<JsUnknown>,
    proxy_header: Option<JsUnknown>,
    basic_user: Option<JsUnknown>,
    basic_password: Option<JsUnknown>,
    query: Option<bool>,
    conflict: Option<String>,
) -> napi::Result<JsUnknown> {
    let mut policy = match preset.as_str() {
        "headerFirst" => Policy::header_first(),
        "cookieFirst" => Policy::cookie_first(),
        "strict" => Policy::strict(),
        _ => return Err(type_error(env, "gatekey: unknown preset")),
    };
    if let Some(name) = optional_bytes(env, cookie, "cookie")? {
        policy = match policy.with_cookie_name(&name) {
            Ok(p) => p,
            Err(e) => return core_config(env, e, "cookie"),
        };
    }
    if let Some(name) = optional_bytes(env, proxy_header, "proxyHeader")? {
        policy = match policy.with_proxy_header(&name) {
            Ok(p) => p,
            Err(e) => return core_config(env, e, "proxy_header"),
        };
    }
    let user = optional_bytes(env, basic_user, "the Basic user")?;
    let password = optional_bytes(env, basic_password, "the Basic password")?;
    match (user, password) {
        (None, None) => {}
        (Some(user), Some(password)) => match BasicCredentials::new(&user, &password) {
            Ok(basic) => policy = policy.with_basic(basic),
            Err(e) => return core_config(env, e, "basic"),
        },
        _ => {
            return Err(type_error(
                env,
                "gatekey: basic needs a user and a password",
            ))
        }
    }
    if let Some(on) = query {
        policy = policy.with_query(on);
    }
    if let Some(conflict) = conflict {
        let conflict = match conflict.as_str() {
            "first" => Conflict::First,
            "agree" => Conflict::Agree,
            "single" => Conflict::Single,
            _ => {
                return Err(type_error(
                    env,
                    "gatekey: conflict must be first, agree or single",
                ))
            }
        };
        policy = policy.with_conflict(conflict);
    }
    Ok(env.create_external(policy, None)?.into_unknown())
}
