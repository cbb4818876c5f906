//! `gk_options`: the shared options schema (gatekey-host's `Options`, the
//! same names, types, defaults and limits as in Python and Node), set one
//! option at a time from C and checked as each is set.

use core::ffi::c_char;

use gatekey_host::keys::RefreshOptions;
use gatekey_host::{ConfigError, Keys, OptionValue, Options, Verifier};

use crate::boundary::{guard, obj, obj_mut, put, req_str};
use crate::{gk_keyset, gk_policy, gk_status, gk_verifier};

/// Verifier options by name: `issuers`, `audiences`, `leeway`, `require`,
/// `claims`, `scopes`, `authorized_parties`, `client_ids`, `typ`,
/// `cache_size`, `realm`, `resource_metadata`, `required` (and their
/// aliases `issuer`, `audience`, `scope`, `azp`, `client_id`). Each setter
/// checks its value and, on refusal, keeps a message naming the option
/// and the value for `gk_options_error`. Free it with `gk_options_free`.
///
/// The same options take the refresh settings of a key source (seconds:
/// `min_refresh`, `max_refresh`, `max_staleness`, `cooldown`,
/// `unknown_kid_wait`, `connect_timeout`, `timeout`; `unknown_kids`,
/// `max_body`; booleans `allow_http`, `background`), used by `gk_verifier_new_from_source`
/// only, as Python's and Node's constructors take them.
#[allow(non_camel_case_types)]
pub struct gk_options {
    pub(crate) options: Options,
    pub(crate) refresh: RefreshOptions,
    error: Option<ConfigError>,
}

impl gk_options {
    /// Applies `change`, remembering its error for `gk_options_error`.
    fn apply(
        &mut self,
        change: impl FnOnce(&mut Options, &mut RefreshOptions) -> Result<(), ConfigError>,
    ) -> Result<(), gk_status> {
        match change(&mut self.options, &mut self.refresh) {
            Ok(()) => {
                self.error = None;
                Ok(())
            }
            Err(e) => {
                let status = gk_status::from(e.error);
                self.error = Some(e);
                Err(status)
            }
        }
    }
}

/// Makes options holding the defaults (`require` = `exp`, no issuer or
/// audience, no cache, a credential required).
#[no_mangle]
pub extern "C" fn gk_options_new(out: *mut *mut gk_options) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let options = Box::into_raw(Box::new(gk_options {
            options: Options::default(),
            refresh: RefreshOptions::default(),
            error: None,
        }));
        // SAFETY: `out` is non-NULL (checked), the caller's out pointer.
        unsafe { put(out, options) }
    })
}

/// Frees options made by `gk_options_new`; NULL is ignored.
#[no_mangle]
pub extern "C" fn gk_options_free(options: *mut gk_options) {
    let _ = guard(|| {
        if !options.is_null() {
            // SAFETY: made by `gk_options_new` (Box::into_raw), not used again.
            drop(unsafe { Box::from_raw(options) });
        }
        Ok(())
    });
}

fn set(
    options: *mut gk_options,
    name: *const c_char,
    value: impl FnOnce() -> Result<OptionValue, gk_status>,
    append: bool,
) -> gk_status {
    guard(|| {
        // SAFETY: live options of this library, used by one thread.
        let o = unsafe { obj_mut(options) }?;
        // SAFETY: a NUL-terminated string (NULL is refused).
        let name = unsafe { req_str(name) }?;
        let value = value()?;
        o.apply(|opts, refresh| {
            if RefreshOptions::canonical(name).is_some() {
                refresh.set(name, value)
            } else if append {
                opts.add(name, value)
            } else {
                opts.set(name, value)
            }
        })
    })
}

/// Sets option `name` to the string `value` (a one-element list for list
/// options; `scopes` is split on spaces).
#[no_mangle]
pub extern "C" fn gk_options_set_str(
    options: *mut gk_options,
    name: *const c_char,
    value: *const c_char,
) -> gk_status {
    // SAFETY: a NUL-terminated string (NULL is refused).
    let value = || unsafe { req_str(value) }.map(|s| OptionValue::Str(s.to_owned()));
    set(options, name, value, false)
}

/// Appends the string `value` to the list option `name` (`issuers`,
/// `audiences`, `require`, `scopes`, `authorized_parties`, `client_ids`).
#[no_mangle]
pub extern "C" fn gk_options_add_str(
    options: *mut gk_options,
    name: *const c_char,
    value: *const c_char,
) -> gk_status {
    // SAFETY: a NUL-terminated string (NULL is refused).
    let value = || unsafe { req_str(value) }.map(|s| OptionValue::Str(s.to_owned()));
    set(options, name, value, true)
}

/// Requires the claim at `path` (`realm_access.roles`) to be `value` or an
/// array holding it (the `claims` option; call again for more values).
#[no_mangle]
pub extern "C" fn gk_options_add_claim(
    options: *mut gk_options,
    path: *const c_char,
    value: *const c_char,
) -> gk_status {
    let pair = || {
        // SAFETY: NUL-terminated strings (NULL is refused).
        let (path, value) = unsafe { (req_str(path)?, req_str(value)?) };
        Ok(OptionValue::Map(vec![(
            path.to_owned(),
            OptionValue::Str(value.to_owned()),
        )]))
    };
    set(options, c"claims".as_ptr(), pair, true)
}

/// Sets the integer option `name` (`leeway` in seconds, `cache_size` in
/// tokens, `cooldown` in seconds); a negative or too large value is refused.
#[no_mangle]
pub extern "C" fn gk_options_set_int(
    options: *mut gk_options,
    name: *const c_char,
    value: i64,
) -> gk_status {
    set(options, name, || Ok(OptionValue::Int(value.into())), false)
}

/// Sets the boolean option `name` (`required`, `background`, `allow_http`).
#[no_mangle]
pub extern "C" fn gk_options_set_bool(
    options: *mut gk_options,
    name: *const c_char,
    value: bool,
) -> gk_status {
    set(options, name, || Ok(OptionValue::Bool(value)), false)
}

/// Writes the message of the last refused setter (`option leeway:
/// expected a whole number of seconds from 0 to 3600, got -1`),
/// NUL-terminated, into `buf`, and its length into `*written`; an empty
/// string when the last call succeeded. `GK_ERR_BUFFER_TOO_SMALL` when
/// `cap` cannot hold it (512 bytes always can).
#[no_mangle]
pub extern "C" fn gk_options_error(
    options: *const gk_options,
    buf: *mut c_char,
    cap: usize,
    written: *mut usize,
) -> gk_status {
    guard(|| {
        // SAFETY: live options of this library, only read.
        let o = unsafe { obj(options) }?;
        if buf.is_null() || written.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        if isize::try_from(cap).is_err() {
            return Err(gk_status::GK_ERR_INVALID_ARGUMENT);
        }
        // SAFETY: non-NULL (checked), `cap` writable bytes by the contract.
        let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
        let message = o
            .error
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let n = crate::challenge::copy_out(&message, out)?;
        // SAFETY: the caller's out pointer (non-NULL, checked).
        unsafe { put(written, n) }
    })
}

/// Makes a verifier on the heap from a copy of `keyset`, `policy` and
/// `options` (every option of the shared schema, already checked). The
/// arguments may be freed afterwards. Free it with `gk_verifier_free`.
#[no_mangle]
pub extern "C" fn gk_verifier_new_with_options(
    keyset: *const gk_keyset,
    policy: *const gk_policy,
    options: *const gk_options,
    out: *mut *mut gk_verifier,
) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        // SAFETY: live objects of this library (NULL is refused), only read.
        let (keys, policy, options) = unsafe { (obj(keyset)?, obj(policy)?, obj(options)?) };
        let inner = Verifier::new(
            Keys::One(Box::new(keys.keys.clone())),
            policy.policy.clone(),
            options.options.clone(),
        )
        .map_err(|e| gk_status::from(e.error))?;
        let verifier = Box::into_raw(Box::new(gk_verifier::boxed(inner)));
        // SAFETY: `out` is non-NULL (checked), the caller's out pointer.
        unsafe { put(out, verifier) }
    })
}
