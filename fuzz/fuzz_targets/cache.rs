//! The verified-token cache, differentially: a sequence of requests (valid,
//! expiring, not-yet-valid and arbitrary tokens, the clock moving forward,
//! the verification context changing) goes through `verify_cached` on a
//! small cache (so sets fill and evict) and through plain `verify`; both
//! must give the same outcome and the same claims every time.
#![no_main]

use arbitrary::Arbitrary;
use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::cache::{verify_cached, Cache};
use gatekey::{verify, KeySet, DEFAULT_BUFFER};
use gatekey_fuzz::{keys, validation, NOW, SECRET};
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
enum Token {
    /// An HS256 token valid from NOW + nbf to NOW + exp (seconds).
    Signed {
        exp: i16,
        nbf: Option<i16>,
        sub: u8,
    },
    /// One of the C tests' fixed tokens.
    Fixture(u8),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Request { token: Token, advance: u16 },
    Context(u8),
}

const FIXTURES: &[&str] = &[
    include_str!("../corpus/verify/seed-es256-a"),
    include_str!("../corpus/verify/seed-hs256"),
    include_str!("../corpus/verify/seed-expired"),
    include_str!("../corpus/verify/seed-bad-sig"),
];

fn sign(exp: i64, nbf: Option<i64>, sub: u8) -> Vec<u8> {
    let nbf = nbf.map(|n| format!(",\"nbf\":{n}")).unwrap_or_default();
    let payload = format!(
        "{{\"iss\":\"https://idp.example\",\"aud\":\"mcp\",\"sub\":\"u{sub}\",\"exp\":{exp}{nbf}}}"
    );
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(br#"{"alg":"HS256","kid":"hs1"}"#),
        Base64UrlUnpadded::encode_string(payload.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes())
    )
    .into_bytes()
}

fuzz_target!(|ops: Vec<Op>| {
    static KEYS: OnceLock<KeySet<4>> = OnceLock::new();
    let keys = KEYS.get_or_init(keys);
    let rules = validation();
    let mut cache = Cache::<8>::new();
    let (mut now, mut context) = (NOW, 0u32);
    let (mut a, mut b) = (vec![0u8; DEFAULT_BUFFER], vec![0u8; DEFAULT_BUFFER]);
    for op in ops.iter().take(64) {
        let (token, advance) = match op {
            Op::Context(c) => {
                context = u32::from(*c);
                continue;
            }
            Op::Request { token, advance } => (token, advance),
        };
        // The clock only moves forward, as a server's does.
        now += i64::from(*advance);
        let token = match token {
            Token::Signed { exp, nbf, sub } => sign(
                NOW + i64::from(*exp),
                nbf.map(|n| NOW + i64::from(n)),
                *sub % 4,
            ),
            Token::Fixture(i) => {
                // Drop the verify seeds' key-set selector byte.
                FIXTURES[usize::from(*i) % FIXTURES.len()].as_bytes()[1..].to_vec()
            }
            Token::Raw(bytes) => bytes.clone(),
        };
        let cached = verify_cached(
            &mut cache,
            context,
            &token,
            &rules,
            now,
            &mut a,
            |t, buf| verify(t, keys.keys(), &rules, now, buf),
        );
        let plain = verify(&token, keys.keys(), &rules, now, &mut b);
        match (&cached, &plain) {
            (Ok(c), Ok(p)) => {
                assert_eq!(c.claims.json(), p.claims.json());
                assert_eq!(c.header, p.header);
            }
            (Err(c), Err(p)) => assert_eq!(c, p, "different errors"),
            _ => panic!("cached {cached:?} but verify gives {plain:?}"),
        }
        assert!(cache.len() <= cache.capacity());
    }
});
