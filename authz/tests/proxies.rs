//! gatekey-authz behind real proxies on 127.0.0.1: Envoy 1.40 (HTTP and
//! gRPC ext_authz listeners, authz/tests/envoy/envoy.yaml) and nginx
//! `auth_request` (authz/tests/nginx/nginx.conf), each in front of an echo
//! upstream. Every row of tests/precedence.json must reach the verdict,
//! source, drift and subject the host Verifier reaches in-process, except
//! the rows of [`CHANGED`], where the proxy changes the request on its way
//! and the verdict is the in-process one *of the request as delivered*
//! (or the proxy's own refusal).
//! The explicit-token rows are sent without their token (no proxy carries
//! one) and compared with the in-process verdict without it.
//! A third Envoy listener runs Envoy's own `jwt_authn` on the same key;
//! what it decides for each case is recorded in [`JWT_AUTHN`] and the
//! rows where that differs from gatekey in [`JWT_AUTHN_DIFFERS`], both
//! asserted, so a change on either side shows.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::std_instead_of_core,
    missing_docs
)]

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{
    echo, fill, free_port, in_process, outcome_through_proxy, request, rows, start,
    upstream_headers, wait_listening, Child, Row,
};

/// How a proxy changes a row on its way.
#[derive(Clone, Copy, Debug)]
enum Change {
    /// It joins the repeated fields of this name with ",".
    Joins(&'static str),
    /// It refuses the request itself with this status, before any check.
    Refuses(u16),
}

/// The rows a proxy delivers differently, by (proxy listener, case), and
/// why. Every other row must decide as in-process, as sent.
const CHANGED: &[(&str, &str, Change)] = &[
    // Envoy's HTTP ext_authz joins repeated Cookie fields with "," (HTTP/2
    // clients split cookies): "theme=dark,jwt_token=…" is one cookie
    // named "theme" whose value runs on, so RFC 6265 parsing finds no
    // jwt_token; two jwt_token cookies become one value with a comma. The
    // gRPC listener, with encode_raw_headers, sees them apart and agrees.
    (
        "envoy-http",
        "two Cookie fields (HTTP/2 split)",
        Change::Joins("cookie"),
    ),
    (
        "envoy-http",
        "the credential cookie twice with different values",
        Change::Joins("cookie"),
    ),
    // Envoy joins two Authorization fields into "Bearer A,Bearer B" on
    // both listeners; the core reads that form as ambiguous_authorization,
    // so those rows agree and are not listed. nginx refuses a repeated
    // Authorization itself ("client sent duplicate header line"): 400,
    // the same status, but no check and so no reason.
    ("nginx", "two Authorization fields", Change::Refuses(400)),
];

/// What Envoy's `jwt_authn` decided for each case (the request is the
/// same under every preset): status, then the `sub` it forwarded on 200
/// or its own refusal text otherwise.
const JWT_AUTHN: &[(&str, u16, &str)] = &[
    ("header only", 200, "alice"),
    ("cookie only", 200, "bob"),
    ("header and cookie, same token", 200, "alice"),
    ("header and cookie, different tokens (drift)", 200, "bob"),
    ("empty Bearer and cookie", 200, "bob"),
    ("other scheme and cookie", 200, "bob"),
    ("Bearer and a tab, and cookie", 200, "bob"),
    ("lowercase bearer scheme", 401, "Jwt is missing"),
    ("explicit token alone", 401, "Jwt is missing"),
    ("explicit token shadowed by header", 200, "alice"),
    ("explicit token shadowed by cookie", 200, "alice"),
    ("no credential at all", 401, "Jwt is missing"),
    ("proxy header present but proxy not enabled", 200, "alice"),
    ("proxy header with proxy enabled", 200, "alice"),
    ("Basic with Basic enabled", 401, "Jwt is missing"),
    ("Basic with Basic disabled", 401, "Jwt is missing"),
    ("Basic and cookie with Basic enabled", 200, "bob"),
    (
        "two Authorization fields",
        401,
        "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections",
    ),
    (
        "two Authorization fields joined by a comma (WHATWG Headers, Envoy)",
        401,
        "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections",
    ),
    ("two Cookie fields (HTTP/2 split)", 200, "bob"),
    (
        "the credential cookie twice with different values",
        200,
        "alice",
    ),
    (
        "cookie value with quotes and spaces around it",
        401,
        "Jwt is missing",
    ),
    ("query token, query not enabled", 200, "alice"),
    ("query token with query enabled and a header", 200, "alice"),
    (
        "malformed Bearer token",
        401,
        "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections",
    ),
];

/// The (case, preset) rows where `jwt_authn` decides differently from
/// gatekey: another status, another subject, or a drift gatekey reports
/// and `jwt_authn` cannot. authz/README.md explains each.
const JWT_AUTHN_DIFFERS: &[(&str, &str)] = &[
    ("Basic and cookie with Basic enabled", "agree"),
    ("Basic and cookie with Basic enabled", "cookie_first"),
    ("Basic and cookie with Basic enabled", "header_first"),
    ("Basic and cookie with Basic enabled", "strict"),
    ("Basic with Basic enabled", "agree"),
    ("Basic with Basic enabled", "cookie_first"),
    ("Basic with Basic enabled", "header_first"),
    ("Bearer and a tab, and cookie", "agree"),
    ("Bearer and a tab, and cookie", "cookie_first"),
    ("Bearer and a tab, and cookie", "header_first"),
    ("Bearer and a tab, and cookie", "strict"),
    ("cookie only", "strict"),
    ("cookie value with quotes and spaces around it", "agree"),
    (
        "cookie value with quotes and spaces around it",
        "cookie_first",
    ),
    (
        "cookie value with quotes and spaces around it",
        "header_first",
    ),
    ("empty Bearer and cookie", "strict"),
    ("explicit token shadowed by cookie", "strict"),
    ("header and cookie, different tokens (drift)", "agree"),
    (
        "header and cookie, different tokens (drift)",
        "cookie_first",
    ),
    (
        "header and cookie, different tokens (drift)",
        "header_first",
    ),
    ("header and cookie, different tokens (drift)", "strict"),
    ("header and cookie, same token", "strict"),
    ("lowercase bearer scheme", "agree"),
    ("lowercase bearer scheme", "cookie_first"),
    ("lowercase bearer scheme", "header_first"),
    ("lowercase bearer scheme", "strict"),
    ("malformed Bearer token", "agree"),
    ("malformed Bearer token", "cookie_first"),
    ("malformed Bearer token", "header_first"),
    ("malformed Bearer token", "strict"),
    ("other scheme and cookie", "agree"),
    ("other scheme and cookie", "cookie_first"),
    ("other scheme and cookie", "header_first"),
    ("other scheme and cookie", "strict"),
    ("proxy header with proxy enabled", "agree"),
    ("proxy header with proxy enabled", "cookie_first"),
    ("proxy header with proxy enabled", "header_first"),
    ("query token with query enabled and a header", "agree"),
    (
        "query token with query enabled and a header",
        "cookie_first",
    ),
    (
        "query token with query enabled and a header",
        "header_first",
    ),
    ("query token with query enabled and a header", "strict"),
    ("query token, query not enabled", "agree"),
    ("query token, query not enabled", "cookie_first"),
    ("query token, query not enabled", "header_first"),
    ("query token, query not enabled", "strict"),
    ("the credential cookie twice with different values", "agree"),
    (
        "the credential cookie twice with different values",
        "cookie_first",
    ),
    (
        "the credential cookie twice with different values",
        "header_first",
    ),
    (
        "the credential cookie twice with different values",
        "strict",
    ),
    ("two Authorization fields", "agree"),
    ("two Authorization fields", "cookie_first"),
    ("two Authorization fields", "header_first"),
    ("two Authorization fields", "strict"),
    (
        "two Authorization fields joined by a comma (WHATWG Headers, Envoy)",
        "agree",
    ),
    (
        "two Authorization fields joined by a comma (WHATWG Headers, Envoy)",
        "cookie_first",
    ),
    (
        "two Authorization fields joined by a comma (WHATWG Headers, Envoy)",
        "header_first",
    ),
    (
        "two Authorization fields joined by a comma (WHATWG Headers, Envoy)",
        "strict",
    ),
    ("two Cookie fields (HTTP/2 split)", "strict"),
];

/// The HS256 secret as the JWK set jwt_authn reads (RFC 7517 `oct`),
/// quoted as a YAML string.
fn oct_jwks() -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let k = Base64UrlUnpadded::encode_string(common::SECRET.as_bytes());
    let jwks = format!(r#"{{"keys":[{{"kty":"oct","alg":"HS256","k":"{k}"}}]}}"#);
    serde_json::to_string(&jwks).unwrap()
}

/// jwt_authn's verdict on `row`: status, and the forwarded subject or
/// the refusal's body.
fn jwt_authn_row(addr: SocketAddr, row: &Row) -> (u16, String) {
    let response = request(addr, &row.target, &row.headers);
    if response.status == 200 {
        let upstream = upstream_headers(&response.body);
        let sub = upstream
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-jwt-sub"))
            .map_or_else(String::new, |(_, v)| v.clone());
        (200, sub)
    } else {
        (response.status, response.body.trim().to_owned())
    }
}

/// Whether gatekey's verdict on a row differs from jwt_authn's.
fn differs(gatekey: &common::Outcome, jwt: &(u16, String)) -> bool {
    if gatekey.status != jwt.0 {
        return true;
    }
    gatekey.status == 200
        && (gatekey.subject.as_deref() != Some(jwt.1.as_str())
            || gatekey.drift.as_deref() == Some("true"))
}

fn envoy_bin() -> PathBuf {
    std::env::var_os("GATEKEY_ENVOY").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../.venv-envoy/bin/envoy"
            ))
        },
        PathBuf::from,
    )
}

fn nginx_bin() -> PathBuf {
    std::env::var_os("GATEKEY_NGINX")
        .map_or_else(|| PathBuf::from("/usr/sbin/nginx"), PathBuf::from)
}

fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gatekey-authz-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The fields as a proxy that joins repeated `name` fields with ","
/// delivers them.
fn joined(headers: &[(String, String)], name: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, v) in headers {
        if n.eq_ignore_ascii_case(name) {
            if let Some(first) = out.iter_mut().find(|(m, _)| m.eq_ignore_ascii_case(name)) {
                first.1 = format!("{},{v}", first.1);
                continue;
            }
        }
        out.push((n.clone(), v.clone()));
    }
    out
}

fn expected(via: &str, row: &Row) -> common::Outcome {
    let change = CHANGED
        .iter()
        .find(|(v, case, _)| *v == via && *case == row.case)
        .map(|(_, _, change)| *change);
    match change {
        None => in_process(&row.config, &row.target, &row.headers),
        Some(Change::Joins(field)) => {
            in_process(&row.config, &row.target, &joined(&row.headers, field))
        }
        Some(Change::Refuses(status)) => common::Outcome {
            status,
            source: None,
            drift: None,
            subject: None,
            reason: None,
        },
    }
}

/// Forged identity headers every request also carries: none may reach
/// the upstream.
fn with_forged(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut h = headers.to_vec();
    h.push(("X-Gatekey-Subject".into(), "forged-mallory".into()));
    h.push(("X-Gatekey-Scopes".into(), "forged-admin".into()));
    h
}

/// Runs `row` through the proxy listener at `addr` and checks it.
fn check_row(via: &str, addr: SocketAddr, row: &Row) -> Option<String> {
    let want = expected(via, row);
    let response = request(addr, &row.target, &with_forged(&row.headers));
    let got = outcome_through_proxy(&response);
    if response.status == 200 {
        let upstream = upstream_headers(&response.body);
        let forged = upstream.iter().any(|(n, v)| {
            n.to_ascii_lowercase().starts_with("x-gatekey-") && v.starts_with("forged-")
        });
        assert!(
            !forged,
            "{via} {}: a forged identity header reached the upstream: {upstream:?}",
            row.name()
        );
    }
    (got != want).then(|| format!("{via} {}:\n  got  {got:?}\n  want {want:?}", row.name()))
}

fn groups(all: &[Row]) -> BTreeMap<&str, Vec<&Row>> {
    let mut by_config: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for row in all {
        by_config.entry(row.config.as_str()).or_default().push(row);
    }
    by_config
}

#[test]
fn every_row_through_envoy_http_and_grpc_ext_authz() {
    let bin = envoy_bin();
    assert!(
        bin.exists(),
        "no Envoy at {} (make test-authz installs it)",
        bin.display()
    );
    let template = include_str!("envoy/envoy.yaml");
    let upstream = echo();
    let dir = temp_dir("envoy");
    let all = rows();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut jwt_cases: BTreeMap<String, (u16, String)> = BTreeMap::new();
    let mut jwt_differs: Vec<(String, String)> = Vec::new();
    for (i, (config, group)) in groups(&all).into_iter().enumerate() {
        let server = start(config);
        // A free port may be taken again before Envoy binds it (the nginx
        // test runs alongside): a few attempts, each with new ports.
        let mut started = None;
        let mut last_log = String::new();
        for attempt in 0..4 {
            let (http, grpc, jwt) = (free_port(), free_port(), free_port());
            let yaml = fill(
                template,
                &[
                    ("ADMIN", free_port().to_string()),
                    ("ENVOY_HTTP", http.to_string()),
                    ("ENVOY_GRPC", grpc.to_string()),
                    ("ENVOY_JWT", jwt.to_string()),
                    ("ENVOY_PLAIN", free_port().to_string()),
                    ("JWKS", oct_jwks()),
                    ("ECHO", upstream.addr.port().to_string()),
                    ("AUTHZ_HTTP", server.http.port().to_string()),
                    ("AUTHZ_GRPC", server.grpc.port().to_string()),
                ],
            );
            let path = dir.join(format!("envoy-{i}-{attempt}.yaml"));
            let log_path = dir.join(format!("envoy-{i}-{attempt}.log"));
            std::fs::write(&path, yaml).unwrap();
            let log = std::fs::File::create(&log_path).unwrap();
            let mut envoy = Child(
                Command::new(&bin)
                    .arg("-c")
                    .arg(&path)
                    .args([
                        "--use-dynamic-base-id",
                        "--log-level",
                        "warn",
                        "--concurrency",
                        "1",
                    ])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(log)
                    .spawn()
                    .unwrap(),
            );
            let at = |port: u16| -> SocketAddr { format!("127.0.0.1:{port}").parse().unwrap() };
            let (http, grpc, jwt) = (at(http), at(grpc), at(jwt));
            let up = || {
                wait_listening(http, Duration::from_secs(30))
                    && wait_listening(grpc, Duration::from_secs(10))
                    && wait_listening(jwt, Duration::from_secs(10))
            };
            if envoy.0.try_wait().unwrap().is_none()
                && up()
                && envoy.0.try_wait().unwrap().is_none()
            {
                started = Some((envoy, http, grpc, jwt));
                break;
            }
            last_log = std::fs::read_to_string(&log_path).unwrap_or_default();
        }
        let Some((_envoy, http, grpc, jwt)) = started else {
            panic!("Envoy did not listen: {last_log}");
        };
        for row in group {
            failures.extend(check_row("envoy-http", http, row));
            failures.extend(check_row("envoy-grpc", grpc, row));
            checked += 2;
            let verdict = jwt_authn_row(jwt, row);
            if differs(&expected("envoy-jwt", row), &verdict) {
                jwt_differs.push((row.case.clone(), row.preset.clone()));
            }
            let before = jwt_cases.insert(row.case.clone(), verdict.clone());
            assert!(
                before.is_none_or(|b| b == verdict),
                "jwt_authn decided {} differently under two presets",
                row.case
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} of {checked} rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, all.len() * 2);
    // gatekey's own listeners first; then jwt_authn against the record,
    // printed on a difference in the file's order, ready to paste.
    let recorded: BTreeMap<String, (u16, String)> = JWT_AUTHN
        .iter()
        .map(|(case, status, said)| ((*case).to_owned(), (*status, (*said).to_owned())))
        .collect();
    let mut recorded_differs: Vec<(String, String)> = JWT_AUTHN_DIFFERS
        .iter()
        .map(|(c, p)| ((*c).to_owned(), (*p).to_owned()))
        .collect();
    recorded_differs.sort();
    jwt_differs.sort();
    if jwt_cases != recorded || jwt_differs != recorded_differs {
        let mut table = String::new();
        for row in &all {
            if let Some((status, said)) = jwt_cases.remove(&row.case) {
                table.push_str(&format!("    ({:?}, {status}, {said:?}),\n", row.case));
            }
        }
        let rows: String = jwt_differs
            .iter()
            .map(|(c, p)| format!("    ({c:?}, {p:?}),\n"))
            .collect();
        panic!("jwt_authn decides otherwise than recorded; observed:\nJWT_AUTHN:\n{table}JWT_AUTHN_DIFFERS:\n{rows}");
    }
}

#[test]
fn every_row_through_nginx_auth_request() {
    let bin = nginx_bin();
    assert!(
        bin.exists(),
        "no nginx at {} (make test-authz installs it)",
        bin.display()
    );
    let template = include_str!("nginx/nginx.conf");
    let upstream = echo();
    let all = rows();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (i, (config, group)) in groups(&all).into_iter().enumerate() {
        let dir = temp_dir(&format!("nginx-{i}"));
        let server = start(config);
        let port = free_port();
        let conf = fill(
            template,
            &[
                ("PREFIX", dir.display().to_string()),
                ("NGINX", port.to_string()),
                ("ECHO", upstream.addr.port().to_string()),
                ("AUTHZ_HTTP", server.http.port().to_string()),
            ],
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        let _nginx = Child(
            Command::new(&bin)
                .arg("-p")
                .arg(&dir)
                .arg("-c")
                .arg(&path)
                .args(["-e", "stderr"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        assert!(
            wait_listening(addr, Duration::from_secs(20)),
            "nginx did not listen: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        for row in group {
            failures.extend(check_row("nginx", addr, row));
            checked += 1;
        }
        drop(_nginx);
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, all.len());
}
