//! Static strings and HTTP answers for statuses.

use core::ffi::{c_char, c_uint};

use crate::gk_status;

fn status_of(code: c_uint) -> Option<gk_status> {
    gk_status::ALL
        .iter()
        .copied()
        .find(|s| *s as c_uint == code)
}

/// A one-line, static, NUL-terminated description of a status (never NULL;
/// "unknown status" for a number that is not a `gk_status`).
#[no_mangle]
pub extern "C" fn gk_status_str(status: c_uint) -> *const c_char {
    status_of(status)
        .map_or(c"unknown status", |s| s.strings().1)
        .as_ptr()
}

/// The stable snake_case name of a status ("expired"), the same as the
/// Rust and Python layers use; "unknown" for a number that is not one.
#[no_mangle]
pub extern "C" fn gk_status_name(status: c_uint) -> *const c_char {
    status_of(status)
        .map_or(c"unknown", |s| s.strings().0)
        .as_ptr()
}

/// The HTTP status a request failing with `status` should get: 200 for
/// `GK_OK`, 400, 401 or 403 for request and token errors, 500 for
/// configuration errors and the 9xx statuses of the C boundary.
#[no_mangle]
pub extern "C" fn gk_status_http(status: c_uint) -> u16 {
    if status == 0 {
        return 200;
    }
    u16::try_from(status)
        .ok()
        .and_then(gatekey::Error::from_code)
        .map_or(500, |e| e.http().status)
}

/// The library version, e.g. "0.1.0" (static, NUL-terminated).
#[no_mangle]
pub extern "C" fn gk_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::ffi::CStr;

    fn text(p: *const c_char) -> &'static str {
        // SAFETY: the functions under test return static NUL-terminated strings.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("<utf8>")
    }

    /// The C enum cannot drift from the core: same numbers, same strings.
    #[test]
    fn every_core_error_has_its_status() {
        for &e in gatekey::Error::ALL {
            let s = gk_status::from_error(e);
            assert_eq!(s as u32, u32::from(e.code()), "{e:?}");
            assert_eq!(text(gk_status_name(s as c_uint)), e.name());
            assert_eq!(text(gk_status_str(s as c_uint)), e.message());
            assert_eq!(gk_status_http(s as c_uint), e.http().status);
        }
        // and nothing else but GK_OK and the 9xx of the boundary
        for s in gk_status::ALL {
            let code = *s as u32;
            let core = u16::try_from(code).ok().and_then(gatekey::Error::from_code);
            assert!(
                code == 0 || core.is_some() || (900..1000).contains(&code),
                "{s:?}"
            );
        }
        assert_eq!(gk_status::ALL.len(), gatekey::Error::ALL.len() + 5);
    }

    #[test]
    fn unknown_numbers_have_strings_too() {
        assert_eq!(text(gk_status_str(12345)), "unknown status");
        assert_eq!(text(gk_status_name(0)), "ok");
        assert_eq!(gk_status_http(0), 200);
        assert_eq!(gk_status_http(400), 401);
        assert_eq!(gk_status_http(900), 500);
        assert_eq!(text(gk_version()), env!("CARGO_PKG_VERSION"));
    }
}
