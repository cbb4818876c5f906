//! Verifiers whose keys come from a JWKS file, a JWKS URL or an OIDC
//! issuer, kept current by gatekey-host's `Refresher`: on its own thread
//! by default, or by `gk_verifier_refresh` calls for hosts that run their
//! own loop (the `background` option off). This module converts
//! arguments and counters; the schedule, cooldown, single flight and
//! last-known-good keys are the host's.

use core::ffi::c_char;
use core::time::Duration;
use std::path::PathBuf;
use std::sync::Arc;

use gatekey_host::keys::{Refresher, Source, SourceError, Sources};

use crate::boundary::{guard, obj, put, req_str};
use crate::{gk_options, gk_policy, gk_status, gk_verifier};

/// Where a verifier's keys come from (`gk_verifier_new_from_source`).
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum gk_key_source {
    /// A JWKS file, read again when its modification time or size changes.
    GK_KEYS_JWKS_FILE = 0,
    /// A JWKS URL (`https://`; plain `http://` on loopback or with `allow_http`).
    GK_KEYS_JWKS_URL = 1,
    /// An OIDC issuer: its `jwks_uri` from
    /// `{issuer}/.well-known/openid-configuration`, whose `issuer` must be
    /// this one exactly; the issuer is then trusted unless `issuers` is set.
    GK_KEYS_ISSUER = 2,
}

/// What a verifier's key source has done (`gk_verifier_key_status`).
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Default)]
pub struct gk_key_status {
    /// Whether the keys are within their maximum staleness (else every
    /// token is refused with `GK_ERR_KEYS_UNAVAILABLE`).
    pub fresh: bool,
    /// Fetches made (a file: looks at it), successful or not.
    pub fetches: u64,
    /// Fetches that failed.
    pub failures: u64,
    /// Fetches answered `304 Not Modified` (or an unchanged file).
    pub not_modified: u64,
    /// Fetches asked for by tokens with an unknown `kid` (at most one per cooldown).
    pub unknown_kid_refreshes: u64,
    /// Keys in force.
    pub keys: usize,
    /// Keys of the last JWKS left out as unusable (RFC 7517 §5).
    pub skipped: usize,
    /// When a fetch last succeeded, in Unix seconds (0: never).
    pub last_success: i64,
    /// When the next scheduled fetch is due, in Unix seconds (0: never).
    pub next_refresh: i64,
}

fn unix(d: Option<Duration>) -> i64 {
    d.map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The refresher of a verifier made by `gk_verifier_new_from_source`.
fn refresher<'a>(verifier: *const gk_verifier) -> Result<&'a Refresher, gk_status> {
    // SAFETY: a live verifier of this library, only read (the caller
    // keeps it alive for the call, as documented).
    let verifier: &'a gk_verifier = unsafe { obj(verifier) }?;
    verifier
        .refresher
        .as_ref()
        .ok_or(gk_status::GK_ERR_INVALID_ARGUMENT)
}

/// Makes a verifier on the heap whose keys come from `location` (a path
/// or a URL, as `kind` says), under copies of `policy` and `options`
/// (NULL: the defaults). `options` holds the verifier's options and the
/// refresh settings (`cooldown`, `max_staleness`, `timeout`,
/// `background`, …; see `gk_options`). The arguments may be freed
/// afterwards.
///
/// The first fetch happens here, on the calling thread (bounded by the
/// `timeout` option): a source with no usable keys is
/// `GK_ERR_INVALID_JWKS`, a bad option its own status. Afterwards, unless
/// `background` is false, a thread of the library keeps the keys current
/// (a scheduled refresh honouring `Cache-Control: max-age`, and a refresh
/// on an unknown `kid` at most once per cooldown); `gk_authenticate`
/// never waits on the network. With `background` false nothing runs
/// behind the caller's back: call `gk_verifier_refresh` from your loop.
///
/// Threads: the verifier may be shared by any number of threads, and
/// `gk_verifier_refresh` / `gk_verifier_key_status` may be called from
/// any of them while others authenticate. `gk_verifier_free` stops the
/// thread (after a fetch in progress) and frees everything;
/// `gk_verifier_set_cache` is refused on it (use the `cache_size` option).
#[no_mangle]
pub extern "C" fn gk_verifier_new_from_source(
    kind: gk_key_source,
    location: *const c_char,
    policy: *const gk_policy,
    options: *const gk_options,
    out: *mut *mut gk_verifier,
) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        // SAFETY: a NUL-terminated string (NULL is refused).
        let location = unsafe { req_str(location) }?.to_owned();
        // SAFETY: a live policy of this library (NULL is refused).
        let policy = unsafe { obj(policy) }?.policy.clone();
        let (options, refresh) = if options.is_null() {
            Default::default()
        } else {
            // SAFETY: live options of this library, only read.
            let o = unsafe { obj(options) }?;
            (o.options.clone(), o.refresh.clone())
        };
        let source = match kind {
            gk_key_source::GK_KEYS_JWKS_FILE => Source::File(PathBuf::from(location)),
            gk_key_source::GK_KEYS_JWKS_URL => Source::JwksUrl(location),
            gk_key_source::GK_KEYS_ISSUER => Source::Issuer(location),
        };
        let refresher = Refresher::new(Sources::One(source), policy, options, refresh).map_err(
            |e| match e {
                SourceError::Config(e) => gk_status::from(e.error),
                SourceError::Fetch { .. } => gk_status::from(gatekey::Error::InvalidJwks),
            },
        )?;
        let verifier = Box::into_raw(Box::new(gk_verifier {
            boxed: true,
            inner: Arc::clone(refresher.verifier()),
            refresher: Some(refresher),
        }));
        // SAFETY: `out` is non-NULL (checked), the caller's out pointer.
        unsafe { put(out, verifier) }
    })
}

/// Fetches the keys of a verifier made by `gk_verifier_new_from_source`
/// now, on the calling thread: every source with `force`, else only those
/// due (what a host loop calls, e.g. once a second, with `background`
/// false). Waits if a fetch is already under way. `*changed` (may be
/// NULL) says whether the keys changed. A failed fetch keeps the last
/// good keys (see `gk_verifier_key_status`) and still returns `GK_OK`.
/// `GK_ERR_INVALID_ARGUMENT` for a verifier made from keys.
#[no_mangle]
pub extern "C" fn gk_verifier_refresh(
    verifier: *const gk_verifier,
    force: bool,
    changed: *mut bool,
) -> gk_status {
    guard(|| {
        let now_changed = refresher(verifier)?.poll(force);
        if !changed.is_null() {
            // SAFETY: non-NULL (checked), the caller's out pointer.
            unsafe { put(changed, now_changed) }?;
        }
        Ok(())
    })
}

/// The counters of a verifier's key source, summed over its sources.
/// `GK_ERR_INVALID_ARGUMENT` for a verifier made from keys.
#[no_mangle]
pub extern "C" fn gk_verifier_key_status(
    verifier: *const gk_verifier,
    out: *mut gk_key_status,
) -> gk_status {
    guard(|| {
        let status = refresher(verifier)?.status();
        let sum = |f: fn(&gatekey_host::keys::SourceStatus) -> u64| {
            status.sources.iter().map(f).sum::<u64>()
        };
        let value = gk_key_status {
            fresh: status.fresh,
            fetches: sum(|s| s.fetches),
            failures: sum(|s| s.failures),
            not_modified: sum(|s| s.not_modified),
            unknown_kid_refreshes: status.unknown_kid_refreshes,
            keys: status.keys(),
            skipped: status.sources.iter().map(|s| s.skipped.len()).sum(),
            last_success: status
                .sources
                .iter()
                .map(|s| unix(s.last_success))
                .min()
                .unwrap_or(0),
            next_refresh: status
                .sources
                .iter()
                .filter_map(|s| s.next_refresh)
                .min()
                .map_or(0, |d| unix(Some(d))),
        };
        // SAFETY: the caller's out pointer (NULL is refused by `put`).
        unsafe { put(out, value) }
    })
}

/// Writes why the last fetch of a verifier's key source failed,
/// NUL-terminated, into `buf`, and its length into `*written`: an empty
/// string when it succeeded. `GK_ERR_BUFFER_TOO_SMALL` when `cap` cannot
/// hold it (512 bytes almost always can); `GK_ERR_INVALID_ARGUMENT` for a
/// verifier made from keys.
#[no_mangle]
pub extern "C" fn gk_verifier_key_error(
    verifier: *const gk_verifier,
    buf: *mut c_char,
    cap: usize,
    written: *mut usize,
) -> gk_status {
    guard(|| {
        if buf.is_null() || written.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        if isize::try_from(cap).is_err() {
            return Err(gk_status::GK_ERR_INVALID_ARGUMENT);
        }
        let status = refresher(verifier)?.status();
        let message: Vec<&str> = status
            .sources
            .iter()
            .filter_map(|s| s.last_error.as_deref())
            .collect();
        // SAFETY: non-NULL (checked), `cap` writable bytes by the contract.
        let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
        let n = crate::challenge::copy_out(&message.join("; "), out)?;
        // SAFETY: the caller's out pointer (non-NULL, checked).
        unsafe { put(written, n) }
    })
}
