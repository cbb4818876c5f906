//! The `WWW-Authenticate` value for a failed request (RFC 6750 §3).

use core::ffi::{c_char, c_uint};

use gatekey::{Challenge, Error};

use crate::boundary::{guard, opt_str, put};
use crate::gk_status;

/// Writes the `WWW-Authenticate: Bearer` field value (RFC 6750 §3) for a
/// request that failed with `status` into `buf`, NUL-terminated, and its
/// length (without the NUL) into `*written`. `realm`, `scope` (sent with
/// `GK_ERR_INSUFFICIENT_SCOPE`) and `resource_metadata` (RFC 9728, which MCP
/// clients follow) are optional, NUL-terminated, printable ASCII.
///
/// `GK_ERR_MISSING_CREDENTIAL` (and `GK_OK` or a 9xx status) gives a bare
/// challenge without `error`. `GK_ERR_BUFFER_TOO_SMALL` when `cap` cannot
/// hold the value and its NUL (`buf` then holds an empty string).
#[no_mangle]
pub extern "C" fn gk_www_authenticate(
    status: c_uint,
    realm: *const c_char,
    scope: *const c_char,
    resource_metadata: *const c_char,
    buf: *mut c_char,
    cap: usize,
    written: *mut usize,
) -> gk_status {
    guard(|| {
        if buf.is_null() || written.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        if cap == 0 || isize::try_from(cap).is_err() {
            return Err(gk_status::GK_ERR_BUFFER_TOO_SMALL);
        }
        // SAFETY: `buf` is non-NULL (checked) and `cap` writable bytes by
        // the caller's contract.
        let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
        out.fill(0);
        let challenge = Challenge {
            // SAFETY: NULL or NUL-terminated strings (caller contract).
            realm: unsafe { opt_str(realm) }?,
            // SAFETY: as above.
            scope: unsafe { opt_str(scope) }?,
            // SAFETY: as above.
            resource_metadata: unsafe { opt_str(resource_metadata) }?,
        };
        let error = u16::try_from(status).ok().and_then(Error::from_code);
        // Keep the last byte for the NUL.
        let room = out.len().saturating_sub(1);
        let body = out
            .get_mut(..room)
            .ok_or(gk_status::GK_ERR_BUFFER_TOO_SMALL)?;
        let n = match challenge.write(error, body) {
            Ok(n) => n,
            Err(e) => {
                out.fill(0);
                return Err(e.into());
            }
        };
        // SAFETY: the caller's out pointer, non-NULL (checked).
        unsafe { put(written, n) }
    })
}
