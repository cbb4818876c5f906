//! The C entry point: `gk_authenticate` / `gk_authenticate_token` through
//! the `gk_` functions themselves (ffi/src), with a verifier made by the C
//! API from the test JWKS and a policy from the selector byte, then every
//! identity accessor. A panic caught at the boundary (`GK_ERR_INTERNAL`)
//! is a crash here.
#![no_main]

use std::ffi::CStr;
use std::ptr;
use std::sync::Mutex;

use gatekey_ffi::*;
use gatekey_fuzz::{RequestText, Selector, JWKS, NOW};
use libfuzzer_sys::fuzz_target;

fn ok(status: gk_status) {
    assert!(
        !matches!(status, gk_status::GK_ERR_INTERNAL),
        "a panic was caught at the C boundary"
    );
}

fn policy(sel: Selector) -> *mut gk_policy {
    let preset = match sel.preset() {
        1 => gk_preset::GK_POLICY_COOKIE_FIRST,
        2 => gk_preset::GK_POLICY_STRICT,
        _ => gk_preset::GK_POLICY_HEADER_FIRST,
    };
    let mut p = ptr::null_mut();
    assert!(matches!(
        gk_policy_new(preset as u32, &mut p),
        gk_status::GK_OK
    ));
    if let Some(c) = sel.conflict() {
        let c = match c {
            gatekey::Conflict::First => gk_conflict::GK_CONFLICT_FIRST,
            gatekey::Conflict::Agree => gk_conflict::GK_CONFLICT_AGREE,
            gatekey::Conflict::Single => gk_conflict::GK_CONFLICT_SINGLE,
        };
        ok(gk_policy_set_conflict(p, c as u32));
    }
    if sel.bit(4) {
        ok(gk_policy_set_query(p, true));
    }
    if sel.bit(5) {
        ok(gk_policy_set_basic(
            p,
            b"admin".as_ptr(),
            5,
            b"s3cret".as_ptr(),
            6,
        ));
    }
    if sel.bit(6) {
        let name = b"X-Authenticated-User";
        ok(gk_policy_set_proxy_header(p, name.as_ptr(), name.len()));
    }
    if sel.bit(7) {
        ok(gk_policy_set_cookie_name(p, b"session".as_ptr(), 7));
    }
    p
}

fn read_all(id: *mut gk_identity) {
    let (mut p, mut n) = (ptr::null(), 0usize);
    let check = |status: gk_status, p: *const u8, n: usize| {
        ok(status);
        if matches!(status, gk_status::GK_OK) && n > 0 {
            // Readable for n bytes (ASan checks this read).
            // SAFETY: the library gave this span of the identity.
            let bytes = unsafe { std::slice::from_raw_parts(p, n) };
            std::hint::black_box(bytes.iter().fold(0u8, |a, &b| a ^ b));
        }
    };
    check(gk_identity_credential(id, &mut p, &mut n), p, n);
    check(gk_identity_subject(id, &mut p, &mut n), p, n);
    check(gk_identity_issuer(id, &mut p, &mut n), p, n);
    check(gk_identity_jti(id, &mut p, &mut n), p, n);
    check(gk_identity_claims_json(id, &mut p, &mut n), p, n);
    for name in [c"sub", c"name", c"roles", c"aud", c""] {
        check(gk_identity_claim(id, name.as_ptr(), &mut p, &mut n), p, n);
        check(
            gk_identity_claim_str(id, name.as_ptr(), &mut p, &mut n),
            p,
            n,
        );
    }
    let (mut source, mut shadowed, mut drift, mut exp) =
        (gk_source::GK_SOURCE_NONE, 0u32, false, 0i64);
    ok(gk_identity_source(id, &mut source));
    ok(gk_identity_shadowed(id, &mut shadowed));
    ok(gk_identity_drift(id, &mut drift));
    let _ = gk_identity_expires(id, &mut exp);
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let req = RequestText::parse(text);
    let headers: Vec<gk_header> = req
        .headers
        .iter()
        .map(|(name, value)| gk_header {
            name: name.as_ptr(),
            name_len: name.len(),
            value: value.as_ptr(),
            value_len: value.len(),
        })
        .collect();

    // One verifier per selector value, made on first use through the C API
    // (building one parses the JWKS and checks the EC point: slow per input).
    static VERIFIERS: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    let mut verifiers = VERIFIERS.lock().expect("not poisoned");
    if verifiers.is_empty() {
        verifiers.resize(256, 0);
    }
    let slot = &mut verifiers[usize::from(sel)];
    if *slot == 0 {
        let mut keys = ptr::null_mut();
        assert!(matches!(
            gk_keyset_from_jwks(JWKS.as_ptr(), JWKS.len(), &mut keys),
            gk_status::GK_OK
        ));
        let policy = policy(Selector(sel));
        let mut verifier = ptr::null_mut();
        assert!(matches!(
            gk_verifier_new(keys, policy, ptr::null(), &mut verifier),
            gk_status::GK_OK
        ));
        gk_keyset_free(keys);
        gk_policy_free(policy);
        *slot = verifier as usize;
    }
    let verifier = *slot as *const gk_verifier;
    drop(verifiers);
    let mut id = ptr::null_mut();
    assert!(matches!(gk_identity_new(&mut id), gk_status::GK_OK));

    let (q, q_len) = req
        .query
        .map_or((ptr::null(), 0), |q| (q.as_ptr(), q.len()));
    let status = match req.token {
        Some(t) => gk_authenticate_token(
            verifier,
            headers.as_ptr(),
            headers.len(),
            q,
            q_len,
            t.as_ptr(),
            t.len(),
            NOW,
            id,
        ),
        None => gk_authenticate(verifier, headers.as_ptr(), headers.len(), q, q_len, NOW, id),
    };
    ok(status);
    // Every status has a name, a message and an HTTP answer.
    let code = status as u32;
    // SAFETY: static NUL-terminated strings of the library.
    unsafe {
        assert!(!CStr::from_ptr(gk_status_str(code)).to_bytes().is_empty());
        assert!(!CStr::from_ptr(gk_status_name(code)).to_bytes().is_empty());
    }
    let _ = gk_status_http(code);
    read_all(id);

    gk_identity_free(id);
});
