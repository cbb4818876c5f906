//! Structure-aware: `arbitrary` builds near-valid tokens (a JOSE header and
//! claims as JSON values, a few byte-level edits of the JSON and of the
//! encoded token, then a real HS256 or ES256 signature or arbitrary bytes),
//! so that inputs get past base64, JSON and the signature into the claims
//! logic. Oracle: a token verifies only if it was really signed by the key
//! its header names, was not edited after signing, and its claims hold.
#![no_main]

use arbitrary::Arbitrary;
use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::{verify, KeySet, DEFAULT_BUFFER};
use gatekey_fuzz::{keys, validation, EC_SCALAR, NOW, SECRET};
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use sha2::Sha256;
use std::fmt::Write as _;
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A number written as digits, possibly huge or with an exponent.
    Digits(String),
    Str(String),
    /// A string with JSON escapes, possibly broken ones.
    Escaped(Vec<Escape>),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

#[derive(Arbitrary, Debug)]
enum Escape {
    Char(char),
    Unicode(u16),
    Simple(u8),
}

#[derive(Arbitrary, Debug)]
enum Alg {
    Es256,
    Hs256,
    Rs256,
    Ps256,
    None,
    Other(Json),
}

#[derive(Arbitrary, Debug)]
enum Kid {
    Ec1,
    Hs1,
    Rsa1,
    Other(Json),
}

#[derive(Arbitrary, Debug)]
enum Time {
    Offset(i32),
    Abs(i64),
    Other(Json),
}

#[derive(Arbitrary, Debug)]
enum Aud {
    Mcp,
    Other(Json),
}

#[derive(Arbitrary, Debug)]
enum Sign {
    Hs256,
    Es256,
    Bytes(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Edit {
    Header(u16, u8),
    Payload(u16, u8),
    Token(u16, u8),
    InsertToken(u16, u8),
    TruncateToken(u16),
}

#[derive(Arbitrary, Debug)]
struct Token {
    alg: Option<Alg>,
    kid: Option<Kid>,
    typ: Option<Json>,
    crit: Option<Json>,
    header_extra: Vec<(String, Json)>,
    exp: Option<Time>,
    nbf: Option<Time>,
    iat: Option<Time>,
    iss: Option<Json>,
    aud: Option<Aud>,
    sub: Option<Json>,
    claims_extra: Vec<(String, Json)>,
    /// Repeat the first member of the payload (a duplicate name).
    duplicate: bool,
    sign: Sign,
    edits: Vec<Edit>,
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json(out: &mut String, v: &Json) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Json::Float(f) => {
            let _ = write!(out, "{f:e}");
        }
        Json::Digits(d) => out.push_str(d),
        Json::Str(s) => string(out, s),
        Json::Escaped(parts) => {
            out.push('"');
            for p in parts {
                match p {
                    Escape::Char(c) => out.push(*c),
                    Escape::Unicode(u) => {
                        let _ = write!(out, "\\u{u:04x}");
                    }
                    Escape::Simple(b) => {
                        out.push('\\');
                        out.push(char::from(b"\"\\/bfnrtx"[usize::from(*b) % 9]));
                    }
                }
            }
            out.push('"');
        }
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(out, item);
            }
            out.push(']');
        }
        Json::Object(members) => object(out, members.iter().map(|(k, v)| (k.as_str(), v))),
    }
}

fn object<'a>(out: &mut String, members: impl Iterator<Item = (&'a str, &'a Json)>) {
    out.push('{');
    for (i, (k, v)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, k);
        out.push(':');
        json(out, v);
    }
    out.push('}');
}

/// Builds one object from fixed members written as text and extra ones.
fn members(fixed: &[(&str, String)], extra: &[(String, Json)], duplicate: bool) -> String {
    let mut out = String::from("{");
    let mut first = None;
    for (k, v) in fixed {
        if out.len() > 1 {
            out.push(',');
        }
        let start = out.len();
        string(&mut out, k);
        out.push(':');
        out.push_str(v);
        first.get_or_insert_with(|| out[start..].to_string());
    }
    for (k, v) in extra {
        if out.len() > 1 {
            out.push(',');
        }
        string(&mut out, k);
        out.push(':');
        json(&mut out, v);
    }
    if let (true, Some(first)) = (duplicate, first) {
        out.push(',');
        out.push_str(&first);
    }
    out.push('}');
    out
}

fn text(v: &Json) -> String {
    let mut s = String::new();
    json(&mut s, v);
    s
}

fn time(t: &Time) -> String {
    match t {
        Time::Offset(o) => (NOW + i64::from(*o)).to_string(),
        Time::Abs(a) => a.to_string(),
        Time::Other(j) => text(j),
    }
}

fn edit(bytes: &mut [u8], at: u16, byte: u8) {
    if !bytes.is_empty() {
        let i = usize::from(at) % bytes.len();
        bytes[i] = byte;
    }
}

fuzz_target!(|t: Token| {
    static KEYS: OnceLock<KeySet<4>> = OnceLock::new();
    let keys = KEYS.get_or_init(keys);

    let mut header: Vec<(&str, String)> = Vec::new();
    match &t.alg {
        Some(Alg::Es256) => header.push(("alg", "\"ES256\"".into())),
        Some(Alg::Hs256) => header.push(("alg", "\"HS256\"".into())),
        Some(Alg::Rs256) => header.push(("alg", "\"RS256\"".into())),
        Some(Alg::Ps256) => header.push(("alg", "\"PS256\"".into())),
        Some(Alg::None) => header.push(("alg", "\"none\"".into())),
        Some(Alg::Other(j)) => header.push(("alg", text(j))),
        None => {}
    }
    match &t.kid {
        Some(Kid::Ec1) => header.push(("kid", "\"ec1\"".into())),
        Some(Kid::Hs1) => header.push(("kid", "\"hs1\"".into())),
        Some(Kid::Rsa1) => header.push(("kid", "\"rsa1\"".into())),
        Some(Kid::Other(j)) => header.push(("kid", text(j))),
        None => {}
    }
    if let Some(j) = &t.typ {
        header.push(("typ", text(j)));
    }
    if let Some(j) = &t.crit {
        header.push(("crit", text(j)));
    }
    let mut payload: Vec<(&str, String)> = Vec::new();
    for (name, v) in [("exp", &t.exp), ("nbf", &t.nbf), ("iat", &t.iat)] {
        if let Some(v) = v {
            payload.push((name, time(v)));
        }
    }
    if let Some(j) = &t.iss {
        payload.push(("iss", text(j)));
    }
    match &t.aud {
        Some(Aud::Mcp) => payload.push(("aud", "[\"account\",\"mcp\"]".into())),
        Some(Aud::Other(j)) => payload.push(("aud", text(j))),
        None => {}
    }
    if let Some(j) = &t.sub {
        payload.push(("sub", text(j)));
    }
    let mut header = members(&header, &t.header_extra, false).into_bytes();
    let mut payload = members(&payload, &t.claims_extra, t.duplicate).into_bytes();
    for e in &t.edits {
        match *e {
            Edit::Header(at, b) => edit(&mut header, at, b),
            Edit::Payload(at, b) => edit(&mut payload, at, b),
            _ => {}
        }
    }
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(&header),
        Base64UrlUnpadded::encode_string(&payload)
    );
    let signature = match &t.sign {
        Sign::Hs256 => {
            let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Sign::Es256 => {
            let key = SigningKey::from_slice(&EC_SCALAR).expect("a valid scalar");
            let sig: Signature = key.sign(input.as_bytes());
            sig.to_bytes().to_vec()
        }
        Sign::Bytes(b) => b.clone(),
    };
    let signed = format!("{input}.{}", Base64UrlUnpadded::encode_string(&signature)).into_bytes();
    let mut token = signed.clone();
    for e in &t.edits {
        match *e {
            Edit::Token(at, b) => edit(&mut token, at, b),
            Edit::InsertToken(at, b) => {
                let i = usize::from(at) % (token.len() + 1);
                token.insert(i, b);
            }
            Edit::TruncateToken(at) => token.truncate(usize::from(at) % (token.len() + 1)),
            _ => {}
        }
    }

    let mut buf = vec![0u8; DEFAULT_BUFFER];
    let Ok(v) = verify(&token, keys.keys(), &validation(), NOW, &mut buf) else {
        return;
    };
    // It verified: it must be what we signed, with the key it names.
    assert_eq!(token, signed, "an edited token verified");
    let kid = v.header.kid.map(|k| k.raw().to_vec());
    match t.sign {
        Sign::Hs256 => assert_eq!(kid.as_deref(), Some(&b"hs1"[..])),
        Sign::Es256 => assert_eq!(kid.as_deref(), Some(&b"ec1"[..])),
        Sign::Bytes(_) => panic!("a token with an arbitrary signature verified"),
    }
    // And its claims hold at NOW.
    assert!(v.claims.exp().is_some_and(|exp| exp > NOW), "exp");
    assert!(v.claims.nbf().is_none_or(|nbf| nbf <= NOW), "nbf");
    assert!(
        v.claims
            .iss()
            .is_some_and(|i| i.eq_bytes(b"https://idp.example")),
        "iss"
    );
});
