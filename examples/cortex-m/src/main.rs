//! gatekey on a Cortex-M4F: authenticates sample requests (ES256 and HS256
//! tokens, by header, cookie and argument, good and hostile) against an
//! embedded JWKS, checks every outcome, and reports the stack high-water
//! mark of `authenticate`. Runs under QEMU (`make test-firmware`); the exit
//! status says whether every outcome was the expected one.
#![no_std]
#![no_main]

mod stack;

#[allow(dead_code)]
mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

use core::mem::size_of;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use gatekey::{
    authenticate, Conflict, Error, KeySet, Policy, Request, Source, Validation, DEFAULT_BUFFER,
};

use fixtures::*;

type Header = (&'static [u8], &'static [u8]);

/// What a case must give.
enum Expect {
    /// Authenticated by `source` as `subject`, with or without drift.
    Ok {
        source: Source,
        subject: &'static [u8],
        drift: bool,
    },
    Err(Error),
}

struct Case {
    name: &'static str,
    policy: fn() -> Policy,
    headers: &'static [Header],
    token: Option<&'static [u8]>,
    expect: Expect,
}

const fn ok(source: Source, subject: &'static [u8], drift: bool) -> Expect {
    Expect::Ok {
        source,
        subject,
        drift,
    }
}

fn agree() -> Policy {
    Policy::header_first().with_conflict(Conflict::Agree)
}

const AUTH: &[u8] = b"authorization";
const COOKIE: &[u8] = b"Cookie";

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { name: "ES256 bearer", policy: Policy::header_first,
           headers: &[(AUTH, BEARER_A)], token: None,
           expect: ok(Source::Bearer, b"alice", false) },
    Case { name: "HS256 cookie", policy: Policy::header_first,
           headers: &[(COOKIE, COOKIE_HS)], token: None,
           expect: ok(Source::Cookie, b"carol", false) },
    Case { name: "HS256 explicit token", policy: Policy::header_first,
           headers: &[], token: Some(TOKEN_HS),
           expect: ok(Source::Explicit, b"carol", false) },
    Case { name: "header_first: header beats cookie", policy: Policy::header_first,
           headers: &[(AUTH, BEARER_A), (COOKIE, COOKIE_B)], token: None,
           expect: ok(Source::Bearer, b"alice", true) },
    Case { name: "cookie_first: cookie beats header", policy: Policy::cookie_first,
           headers: &[(AUTH, BEARER_A), (COOKIE, COOKIE_B)], token: None,
           expect: ok(Source::Cookie, b"bob", true) },
    Case { name: "strict: two methods", policy: Policy::strict,
           headers: &[(AUTH, BEARER_A), (COOKIE, COOKIE_B)], token: None,
           expect: Expect::Err(Error::MultipleMethods) },
    Case { name: "agree: different tokens", policy: agree,
           headers: &[(AUTH, BEARER_A), (COOKIE, COOKIE_B)], token: None,
           expect: Expect::Err(Error::ConflictingCredentials) },
    Case { name: "two Authorization fields", policy: Policy::header_first,
           headers: &[(AUTH, BEARER_A), (AUTH, BEARER_B)], token: None,
           expect: Expect::Err(Error::AmbiguousAuthorization) },
    Case { name: "no credential", policy: Policy::header_first,
           headers: &[(b"accept", b"*/*"), (COOKIE, b"theme=dark")], token: None,
           expect: Expect::Err(Error::MissingCredential) },
    Case { name: "expired ES256", policy: Policy::header_first,
           headers: &[(AUTH, BEARER_EXPIRED)], token: None,
           expect: Expect::Err(Error::Expired) },
    Case { name: "tampered ES256 signature", policy: Policy::header_first,
           headers: &[(AUTH, BEARER_BAD_SIG)], token: None,
           expect: Expect::Err(Error::BadSignature) },
    Case { name: "alg none", policy: Policy::header_first,
           headers: &[(AUTH, BEARER_NONE)], token: None,
           expect: Expect::Err(Error::UnsecuredToken) },
    Case { name: "HS256 claimed on the EC key", policy: Policy::header_first,
           headers: &[(AUTH, BEARER_CONFUSED)], token: None,
           expect: Expect::Err(Error::AlgorithmMismatch) },
];

#[entry]
fn main() -> ! {
    let failures = run();
    debug::exit(if failures == 0 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::bkpt();
    }
}

fn run() -> usize {
    let keys = match KeySet::<2>::from_jwks(JWKS_BOTH) {
        Ok(keys) if keys.len() == 2 => keys,
        other => {
            hprintln!("FAIL: the embedded JWKS gave {:?}", other.map(|k| k.len()));
            return 1;
        }
    };
    let validation = match Validation::new()
        .with_issuer("https://idp.example")
        .and_then(|v| v.with_audience("mcp"))
    {
        Ok(v) => v,
        Err(e) => {
            hprintln!("FAIL: validation: {}", e);
            return 1;
        }
    };
    let mut buf = [0u8; DEFAULT_BUFFER];
    let (mut failures, mut worst) = (0, (0, ""));
    for case in CASES {
        let policy = (case.policy)();
        let mut request = Request::new(case.headers.iter().copied());
        if let Some(token) = case.token {
            request = request.with_token(token);
        }
        let (result, used) = stack::measure(|| {
            authenticate(request, &policy, keys.keys(), &validation, NOW, &mut buf)
        });
        worst = worst.max((used, case.name));
        let pass = match (&result, &case.expect) {
            (
                Ok(id),
                Expect::Ok {
                    source,
                    subject,
                    drift,
                },
            ) => {
                id.source == *source
                    && id.resolution.drift == *drift
                    && id.subject.is_some_and(|s| s.eq_bytes(subject))
            }
            (Err(e), Expect::Err(expected)) => e == expected,
            _ => false,
        };
        let outcome = result.as_ref().map(|id| id.source.name());
        if pass {
            hprintln!("ok   {} -> {:?} ({} B stack)", case.name, outcome, used);
        } else {
            hprintln!("FAIL {} -> {:?}", case.name, outcome);
            failures += 1;
        }
    }
    hprintln!(
        "stack high-water of authenticate: {} bytes ({})",
        worst.0,
        worst.1
    );
    hprintln!(
        "state: KeySet<2> {} B, Policy {} B, Validation {} B, token buffer {} B",
        size_of::<KeySet<2>>(),
        size_of::<Policy>(),
        size_of::<Validation>(),
        buf.len()
    );
    hprintln!(
        "{} of {} cases as expected",
        CASES.len() - failures,
        CASES.len()
    );
    failures
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("PANIC: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::bkpt();
    }
}
