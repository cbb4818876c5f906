//! What the integration tests share: signed tokens, the rows of
//! tests/precedence.json as configurations and requests, the server on
//! 127.0.0.1:0, a raw HTTP/1.1 client (it sends repeated fields as
//! given), an echo upstream, and the in-process verdict to compare with.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::std_instead_of_core,
    dead_code,
    missing_docs
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::{Key, Request};
use gatekey_authz::{serve, Config, Gate, Listeners};
use gatekey_host::{with_buffer, HostKeySet, InPlace, Keys, Verifier};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

pub const SECRET: &str = "authz-matrix-secret-0123456789abcdef";
pub const PRESETS: [&str; 4] = ["header_first", "cookie_first", "strict", "agree"];

pub fn token(sub: &str) -> String {
    let exp = gatekey::now_unix() + 3600;
    let claims = format!(r#"{{"sub":"{sub}","aud":"mcp","exp":{exp},"scope":"read write"}}"#);
    sign(&claims, SECRET)
}

/// An HS256 token of the JSON `claims` under `secret`.
pub fn sign(claims: &str, secret: &str) -> String {
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256"}"#);
    let input = format!(
        "{header}.{}",
        Base64UrlUnpadded::encode_string(claims.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let sig = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    format!("{input}.{sig}")
}

/// The configuration file of one preset with a row's policy options.
pub fn config_text(preset: &str, policy: Option<&Value>) -> String {
    let mut p = match preset {
        "agree" => "preset = \"header_first\"\nconflict = \"agree\"\n".to_owned(),
        other => format!("preset = \"{other}\"\n"),
    };
    if let Some(o) = policy {
        if let Some(h) = o.get("proxy_header").and_then(Value::as_str) {
            p.push_str(&format!("proxy_header = \"{h}\"\n"));
        }
        if let Some(b) = o.get("basic").and_then(Value::as_array) {
            p.push_str(&format!(
                "basic = {{ user = {}, password = {} }}\n",
                b[0], b[1]
            ));
        }
        if o.get("query").and_then(Value::as_bool) == Some(true) {
            p.push_str("query = true\n");
        }
    }
    format!(
        "[listen]\nhttp = \"127.0.0.1:0\"\ngrpc = \"127.0.0.1:0\"\nops = \"127.0.0.1:0\"\n\
         [policy]\n{p}\
         [keys]\nhs256_secret = \"{SECRET}\"\n\
         [options]\naudience = \"mcp\"\ncache_size = 256\n\
         [http]\noriginal_uri_header = \"x-original-uri\"\n"
    )
}

/// One row: a case under one preset.
#[derive(Clone, Debug)]
pub struct Row {
    pub case: String,
    pub preset: String,
    pub config: String,
    /// The request target (path and query).
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The explicit token of the case, which no proxy can send.
    pub explicit: Option<String>,
}

impl Row {
    pub fn name(&self) -> String {
        format!("{} / {}", self.case, self.preset)
    }
}

pub fn rows() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/precedence.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (a, b) = (token("alice"), token("bob"));
    let fill = |s: &str| s.replace("{A}", &a).replace("{B}", &b);
    let mut out = Vec::new();
    for case in doc["cases"].as_array().unwrap() {
        for preset in case["expect"].as_object().unwrap().keys() {
            let query = case.get("query").and_then(Value::as_str).map(fill);
            out.push(Row {
                case: case["name"].as_str().unwrap().to_owned(),
                preset: preset.clone(),
                config: config_text(preset, case.get("policy")),
                target: match query {
                    Some(q) => format!("/echo?{q}"),
                    None => "/echo".to_owned(),
                },
                headers: case["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| {
                        (
                            h[0].as_str().unwrap().to_owned(),
                            fill(h[1].as_str().unwrap()),
                        )
                    })
                    .collect(),
                explicit: case.get("token").and_then(Value::as_str).map(fill),
            });
        }
    }
    assert!(out.len() >= 90, "{} rows", out.len());
    out
}

/// What a check decided, as the tests compare it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: u16,
    /// On 200: the source, drift and subject headers.
    pub source: Option<String>,
    pub drift: Option<String>,
    pub subject: Option<String>,
    /// On a refusal: gatekey's reason.
    pub reason: Option<String>,
}

/// The in-process verdict of the host Verifier, built from the same file,
/// for `headers` and `target` (no explicit token: no proxy sends one).
pub fn in_process(config: &str, target: &str, headers: &[(String, String)]) -> Outcome {
    let config = Config::parse(config, None).unwrap();
    let mut keys = HostKeySet::new();
    keys.push(Key::hs256(SECRET.as_bytes(), None).unwrap())
        .unwrap();
    let verifier = Verifier::new(Keys::One(Box::new(keys)), config.policy, config.options).unwrap();
    let query = target.split_once('?').map(|(_, q)| q);
    with_buffer(|buf| {
        let mut request = Request::new(headers.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())));
        if let Some(q) = query {
            request = request.with_query(q.as_bytes());
        }
        match verifier.authenticate(request, gatekey::now_unix(), buf, &InPlace) {
            Ok(Some(id)) => Outcome {
                status: 200,
                source: Some(id.source.name().to_owned()),
                drift: Some(id.resolution.drift.to_string()),
                subject: id.subject.and_then(|s| s.as_str()).map(str::to_owned),
                reason: None,
            },
            Ok(None) => panic!("required is the default"),
            Err(f) => Outcome {
                status: verifier.refusal(&f).status,
                source: None,
                drift: None,
                subject: None,
                reason: Some(f.error.name().to_owned()),
            },
        }
    })
}

/// A running gatekey-authz; dropping it stops the server.
pub struct Server {
    pub http: SocketAddr,
    pub grpc: SocketAddr,
    pub ops: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn start(config: &str) -> Server {
    let config = Config::parse(config, None).unwrap();
    let listen = config.listen.clone();
    let gate = Arc::new(Gate::new(config).unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listeners = Listeners::bind(&listen).await.unwrap();
            let addr =
                |l: &Option<tokio::net::TcpListener>| l.as_ref().unwrap().local_addr().unwrap();
            addr_tx
                .send((
                    addr(&listeners.http),
                    addr(&listeners.grpc),
                    addr(&listeners.ops),
                ))
                .unwrap();
            serve(gate, listeners, async {
                let _ = rx.await;
            })
            .await;
        });
    });
    let (http, grpc, ops) = addr_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    Server {
        http,
        grpc,
        ops,
        stop: Some(tx),
        thread: Some(thread),
    }
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request with these fields exactly (repeated ones kept
/// apart), `Connection: close`, read to the end within 10 s.
pub fn request(addr: SocketAddr, target: &str, headers: &[(String, String)]) -> Response {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!("GET {target} HTTP/1.1\r\nHost: gatekey.test\r\nConnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// The outcome of a direct check answer (200 with identity headers, or a
/// refusal with its JSON body).
pub fn outcome_of_check(r: &Response) -> Outcome {
    identity_outcome(r.status, &r.headers, r)
}

/// The outcome through a proxy: on 200 the identity headers the echo
/// upstream received, else the refusal the client got.
pub fn outcome_through_proxy(r: &Response) -> Outcome {
    if r.status == 200 {
        let upstream = upstream_headers(&r.body);
        identity_outcome(200, &upstream, r)
    } else {
        identity_outcome(r.status, &r.headers, r)
    }
}

fn identity_outcome(status: u16, headers: &[(String, String)], r: &Response) -> Outcome {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if status == 200 {
        Outcome {
            status,
            source: get("x-gatekey-source"),
            drift: get("x-gatekey-drift"),
            subject: get("x-gatekey-subject"),
            reason: None,
        }
    } else {
        let from_body = serde_json::from_str::<Value>(&r.body)
            .ok()
            .and_then(|v| v["reason"].as_str().map(str::to_owned));
        Outcome {
            status,
            source: None,
            drift: None,
            subject: None,
            reason: from_body.or_else(|| r.header("x-gatekey-reason").map(str::to_owned)),
        }
    }
}

/// The header fields of the request the echo upstream received.
pub fn upstream_headers(echo_body: &str) -> Vec<(String, String)> {
    echo_body
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// An upstream that answers every request with its request head as the
/// body; it stops when dropped (its thread is detached and idle).
pub struct Echo {
    pub addr: SocketAddr,
}

pub fn echo() -> Echo {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                loop {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && head.len() < 256 * 1024 {
                        match stream.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n",
                        head.len()
                    );
                    if stream.write_all(reply.as_bytes()).is_err()
                        || stream.write_all(&head).is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Echo { addr }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `addr` accepts a connection, at most `limit`.
pub fn wait_listening(addr: SocketAddr, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A child process killed (and reaped) when dropped, even on a failed
/// assertion.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `text` with every `@NAME@` replaced.
pub fn fill(text: &str, values: &[(&str, String)]) -> String {
    let mut out = text.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("@{k}@"), v);
    }
    assert!(
        !out.contains("@ENVOY") && !out.contains("@AUTHZ"),
        "unfilled template"
    );
    out
}
