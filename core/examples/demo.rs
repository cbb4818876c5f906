//! `make demo`: the identity-drift bug and its cure, on built-in sample data.
//!
//! Mints an ES256 token for alice (sent in the `Authorization` header) and
//! an HS256 token for bob (sent in the `jwt_token` cookie), then
//! authenticates a set of requests under each preset and prints who each
//! request is. One policy value per gateway means one answer per request.
#![allow(clippy::std_instead_of_core)]

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::{authenticate, Conflict, Key, KeySet, Policy, Request, Validation, DEFAULT_BUFFER};
use hmac::{Hmac, Mac};
use p256::ecdsa::{signature::Signer, Signature, SigningKey};

const SECRET: &[u8] = b"demo-gateway-secret-of-32-bytes-or-more";

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn claims(sub: &str, now: i64, ttl: i64) -> String {
    format!(
        r#"{{"iss":"https://idp.example","sub":"{sub}","aud":"mcp","exp":{},"iat":{now},"jti":"{sub}-1"}}"#,
        now.saturating_add(ttl)
    )
}

fn es256(key: &SigningKey, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"ES256","kid":"idp-1","typ":"at+jwt"}"#),
        b64(payload.as_bytes())
    );
    let sig: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

fn hs256(payload: &str) -> Result<String, Box<dyn std::error::Error>> {
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","kid":"gw"}"#),
        b64(payload.as_bytes())
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET).map_err(|_| "hmac key")?;
    mac.update(input.as_bytes());
    Ok(format!("{input}.{}", b64(&mac.finalize().into_bytes())))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = gatekey::now_unix();
    let idp_key = SigningKey::from_slice(&[7u8; 32]).map_err(|_| "signing key")?;
    let point = idp_key.verifying_key().to_encoded_point(false);
    let (x, y) = (point.x().ok_or("no x")?, point.y().ok_or("no y")?);
    let jwks = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"idp-1","x":"{}","y":"{}"}}]}}"#,
        b64(x),
        b64(y)
    );
    let mut keys = KeySet::<4>::from_jwks(jwks.as_bytes())?;
    keys.push(Key::hs256(SECRET, Some(b"gw"))?)?;
    let validation = Validation::new()
        .with_issuer("https://idp.example")?
        .with_audience("mcp")?;

    let alice = format!("Bearer {}", es256(&idp_key, &claims("alice", now, 300)));
    let bob = format!("jwt_token={}", hs256(&claims("bob", now, 300))?);
    let expired = format!(
        "Bearer {}",
        es256(&idp_key, &claims("alice", now.saturating_sub(600), 300))
    );
    let mut tampered = alice.clone().into_bytes();
    let in_payload = tampered.len().saturating_sub(100);
    if let Some(b) = tampered.get_mut(in_payload) {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    let tampered = String::from_utf8(tampered)?;

    let requests: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("header A only", vec![("authorization", alice.as_str())]),
        ("cookie B only", vec![("cookie", bob.as_str())]),
        (
            "header A + cookie B",
            vec![("authorization", alice.as_str()), ("cookie", bob.as_str())],
        ),
        ("expired header", vec![("authorization", expired.as_str())]),
        (
            "tampered header",
            vec![("authorization", tampered.as_str())],
        ),
        ("no credential", vec![("accept", "*/*")]),
    ];
    let policies = [
        ("header_first", Policy::header_first()),
        ("cookie_first", Policy::cookie_first()),
        ("strict", Policy::strict()),
        (
            "agree",
            Policy::header_first().with_conflict(Conflict::Agree),
        ),
    ];

    println!("gatekey demo: one resolver, one named policy, every layer\n");
    println!(
        "{:<22} {:<13} {:<9} {:<8} {:<7} outcome",
        "request", "policy", "source", "subject", "drift"
    );
    println!("{}", "-".repeat(84));
    for (label, headers) in &requests {
        for (name, policy) in &policies {
            let pairs = headers.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes()));
            let mut buf = [0u8; DEFAULT_BUFFER];
            let row = match authenticate(
                Request::new(pairs),
                policy,
                keys.keys(),
                &validation,
                now,
                &mut buf,
            ) {
                Ok(id) => {
                    let subject: String = id
                        .subject
                        .map(|s| s.bytes().map(char::from).collect())
                        .unwrap_or_default();
                    let drift = if id.resolution.drift { "yes" } else { "no" };
                    format!("{:<9} {:<8} {:<7} ok", id.source.name(), subject, drift)
                }
                Err(e) => format!(
                    "{:<9} {:<8} {:<7} {} {} ({})",
                    "-",
                    "-",
                    "-",
                    e.http().status,
                    e.name(),
                    e.message()
                ),
            };
            println!("{label:<22} {name:<13} {row}");
        }
    }
    println!(
        "\nheader_first and cookie_first disagree on 'header A + cookie B': that is the drift a"
    );
    println!("gateway gets when two layers use different orders. With one Policy value, every");
    println!("layer gives the same answer; `strict` and `agree` refuse the ambiguous request.");
    Ok(())
}
