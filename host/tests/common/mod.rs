//! A loopback identity provider for the key-source tests, and HS256 tokens.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::Request;
use gatekey_host::{with_buffer, Failure, InPlace, Verifier};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What the provider does when asked for its JWKS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Error500,
    /// Accepts, reads the request, answers nothing for a minute.
    Hang,
    /// Sends the JWKS one byte every 100 ms.
    Drip,
    /// Sends the status line, then headers one byte every 100 ms.
    DripHead,
    /// A 2 MiB body.
    Oversized,
    /// 302 to another host.
    Redirect,
}

#[derive(Debug)]
pub struct State {
    pub keys: Vec<String>,
    pub etag: Option<String>,
    pub max_age: Option<u64>,
    pub mode: Mode,
    /// The `issuer` the discovery document claims (default: its own URL).
    pub issuer: Option<String>,
}

/// A tiny HTTP/1.1 identity provider on 127.0.0.1, one thread per connection.
pub struct Idp {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    /// JWKS requests answered (any mode), and discovery requests.
    pub jwks_hits: Arc<AtomicUsize>,
    pub discovery_hits: Arc<AtomicUsize>,
}

pub fn secret(name: &str) -> Vec<u8> {
    format!("keys-test-secret-{name}-0123456789abcdef0123456789").into_bytes()
}

/// An HS256 JWK for `kid`.
pub fn oct(kid: &str) -> String {
    format!(
        r#"{{"kty":"oct","alg":"HS256","kid":"{kid}","k":"{}"}}"#,
        Base64UrlUnpadded::encode_string(&secret(kid))
    )
}

pub fn token_for(kid: &str, secret: &[u8], iss: Option<&str>) -> String {
    let iss = iss.map(|i| format!(r#","iss":"{i}""#)).unwrap_or_default();
    let payload = format!(r#"{{"sub":"alice","exp":4102444800{iss}}}"#);
    sign_hs256(
        &format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#),
        &payload,
        secret,
    )
}

/// The compact JWS of `header` and `payload` (JSON texts), HS256 with `secret`.
pub fn sign_hs256(header: &str, payload: &str, secret: &[u8]) -> String {
    let header = Base64UrlUnpadded::encode_string(header.as_bytes());
    let input = format!(
        "{header}.{}",
        Base64UrlUnpadded::encode_string(payload.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    let sig = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    format!("{input}.{sig}")
}

/// A token signed by `kid`'s key.
pub fn token(kid: &str) -> String {
    token_for(kid, &secret(kid), None)
}

pub fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// Authenticates a request bearing `token`: the subject, or the failure.
pub fn check(v: &Verifier, token: &str) -> Result<String, Failure> {
    let auth = format!("Bearer {token}");
    let headers = [(&b"authorization"[..], auth.as_bytes())];
    with_buffer(|buf| {
        let id = v.authenticate(Request::new(headers), now(), buf, &InPlace)?;
        Ok(id.unwrap().subject.unwrap().as_str().unwrap().to_owned())
    })
}

impl Idp {
    pub fn start(keys: &[&str]) -> Idp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            keys: keys.iter().map(|k| oct(k)).collect(),
            etag: Some("\"v1\"".to_owned()),
            max_age: None,
            mode: Mode::Normal,
            issuer: None,
        }));
        let idp = Idp {
            url: url.clone(),
            state: Arc::clone(&state),
            jwks_hits: Arc::new(AtomicUsize::new(0)),
            discovery_hits: Arc::new(AtomicUsize::new(0)),
        };
        let (jwks_hits, discovery_hits) =
            (Arc::clone(&idp.jwks_hits), Arc::clone(&idp.discovery_hits));
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (state, url) = (Arc::clone(&state), url.clone());
                let (j, d) = (Arc::clone(&jwks_hits), Arc::clone(&discovery_hits));
                thread::spawn(move || {
                    let _ = serve(stream, &state, &url, &j, &d);
                });
            }
        });
        idp
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/jwks", self.url)
    }

    pub fn set(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.state.lock().unwrap());
    }

    pub fn hits(&self) -> usize {
        self.jwks_hits.load(Ordering::SeqCst)
    }
}

fn serve(
    mut stream: TcpStream,
    state: &Mutex<State>,
    url: &str,
    jwks_hits: &AtomicUsize,
    discovery_hits: &AtomicUsize,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut request = Vec::new();
    let mut byte = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut byte)?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&byte[..n]);
    }
    let text = String::from_utf8_lossy(&request).to_string();
    let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
    let inm = text.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("if-none-match:")
            .map(|v| v.trim().to_owned())
    });
    let (body, etag, max_age, mode) = {
        let s = state.lock().unwrap();
        if path == "/.well-known/openid-configuration" {
            discovery_hits.fetch_add(1, Ordering::SeqCst);
            let issuer = s.issuer.clone().unwrap_or_else(|| url.to_owned());
            let body = format!(r#"{{"issuer":"{issuer}","jwks_uri":"{url}/jwks"}}"#);
            (body, None, None, Mode::Normal)
        } else {
            jwks_hits.fetch_add(1, Ordering::SeqCst);
            let body = format!(r#"{{"keys":[{}]}}"#, s.keys.join(","));
            (body, s.etag.clone(), s.max_age, s.mode)
        }
    };
    let mut head = String::new();
    if let Some(age) = max_age {
        head.push_str(&format!("cache-control: max-age={age}\r\n"));
    }
    if let Some(tag) = &etag {
        head.push_str(&format!("etag: {tag}\r\n"));
    }
    match mode {
        Mode::Normal if etag.is_some() && inm.as_deref() == etag.as_deref().map(str::to_ascii_lowercase).as_deref() => {
            write!(stream, "HTTP/1.1 304 Not Modified\r\n{head}connection: close\r\n\r\n")
        }
        Mode::Normal => write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{head}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ),
        Mode::Error500 => write!(stream, "HTTP/1.1 500 Oops\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
        Mode::Hang => {
            thread::sleep(Duration::from_secs(60));
            Ok(())
        }
        Mode::Drip => {
            write!(stream, "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len())?;
            for b in body.bytes() {
                stream.write_all(&[b])?;
                stream.flush()?;
                thread::sleep(Duration::from_millis(100));
            }
            Ok(())
        }
        Mode::DripHead => {
            write!(stream, "HTTP/1.1 200 OK\r\n")?;
            for b in "x-pad: ".bytes().chain(core::iter::repeat_n(b'x', 600)) {
                stream.write_all(&[b])?;
                stream.flush()?;
                thread::sleep(Duration::from_millis(100));
            }
            Ok(())
        }
        Mode::Oversized => {
            let big = format!(r#"{{"keys":[{}],"pad":"{}"}}"#, oct("big"), "x".repeat(2 << 20));
            write!(stream, "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{big}", big.len())
        }
        Mode::Redirect => write!(
            stream,
            "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.2:1/jwks\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        ),
    }
}
