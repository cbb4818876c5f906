//! gatekey-authz on 127.0.0.1:0, called directly: every row of
//! tests/precedence.json over HTTP forward auth decides as the host
//! Verifier does in-process; the gRPC Check; client-sent identity headers;
//! configuration errors that name the field; the ops endpoints.
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

use common::{config_text, in_process, outcome_of_check, request, rows, start, token};
use envoy_types::ext_authz::v3::pb::{CheckRequest, HttpResponse};
use envoy_types::pb::envoy::config::core::v3::{HeaderMap, HeaderValue};
use envoy_types::pb::envoy::service::auth::v3::attribute_context::{HttpRequest, Request};
use envoy_types::pb::envoy::service::auth::v3::authorization_client::AuthorizationClient;
use envoy_types::pb::envoy::service::auth::v3::AttributeContext;
use gatekey_authz::Config;

#[test]
fn every_row_over_http_decides_as_in_process() {
    let all = rows();
    let mut by_config: BTreeMap<&str, Vec<&common::Row>> = BTreeMap::new();
    for row in &all {
        by_config.entry(row.config.as_str()).or_default().push(row);
    }
    let mut checked = 0;
    for (config, group) in by_config {
        let server = start(config);
        for row in group {
            let want = in_process(config, &row.target, &row.headers);
            let got = outcome_of_check(&request(server.http, &row.target, &row.headers));
            assert_eq!(got, want, "{}", row.name());
            checked += 1;
        }
    }
    assert_eq!(checked, all.len());
}

#[test]
fn a_refusal_is_the_hosts_verbatim() {
    let config = config_text("header_first", None);
    let server = start(&config);
    let gate_config = Config::parse(&config, None).unwrap();
    let verifier = gatekey_host::Verifier::new(
        gatekey_host::Keys::One(Box::default()),
        gate_config.policy,
        gate_config.options,
    )
    .unwrap();
    let none = request(server.http, "/", &[]);
    let want = verifier.refusal(&gatekey_host::Failure::from(
        gatekey::Error::MissingCredential,
    ));
    assert_eq!(none.status, want.status);
    assert_eq!(none.body, want.body);
    assert_eq!(
        none.header("www-authenticate"),
        want.www_authenticate.as_deref()
    );
    assert_eq!(none.header("x-gatekey-reason"), Some("missing_credential"));
    let bad = request(
        server.http,
        "/",
        &[(
            "Authorization".into(),
            format!("Bearer {}x", token("alice")),
        )],
    );
    assert_eq!(bad.status, 401);
    assert!(
        bad.body.contains(r#""error":"invalid_token""#),
        "{}",
        bad.body
    );
}

#[test]
fn client_sent_identity_headers_are_never_read_and_always_removed() {
    let mut config = config_text("header_first", None);
    config = config.replace(
        "[policy]\n",
        "[policy]\nproxy_header = \"x-authenticated-user\"\n",
    );
    let server = start(&config);
    // A client claims to be mallory in every identity header.
    let forged: Vec<(String, String)> = [
        "x-gatekey-subject",
        "x-gatekey-source",
        "x-gatekey-drift",
        "x-gatekey-scopes",
    ]
    .iter()
    .map(|n| ((*n).to_owned(), "mallory".to_owned()))
    .collect();
    let mut headers = forged.clone();
    headers.push(("Authorization".into(), format!("Bearer {}", token("alice"))));
    let r = request(server.http, "/", &headers);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-gatekey-subject"), Some("alice"));
    assert_eq!(r.header("x-gatekey-source"), Some("bearer"));
    assert_eq!(r.header("x-gatekey-scopes"), Some("read write"));
    assert_eq!(r.header("x-envoy-auth-headers-to-remove"), None);
    // Only forged headers: no credential, refused.
    let r = request(server.http, "/", &forged);
    assert_eq!(r.status, 401);
    // A proxy identity without a token: no scopes, so that one is removed.
    let r = request(
        server.http,
        "/",
        &[("X-Authenticated-User".into(), "alice".into())],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-gatekey-source"), Some("proxy"));
    assert_eq!(
        r.header("x-envoy-auth-headers-to-remove"),
        Some("x-gatekey-scopes")
    );
    // The proxy header may not be one of the stripped identity headers.
    let bad = config.replace("x-authenticated-user", "x-gatekey-subject");
    assert_eq!(
        Config::parse(&bad, None).unwrap_err().field,
        "policy.proxy_header"
    );
}

fn check_request(path: &str, fields: &[(&str, &str)], raw: bool) -> CheckRequest {
    let mut http = HttpRequest {
        method: "GET".into(),
        path: path.into(),
        ..Default::default()
    };
    if raw {
        http.header_map = Some(HeaderMap {
            headers: fields
                .iter()
                .map(|(k, v)| HeaderValue {
                    key: (*k).into(),
                    value: String::new(),
                    raw_value: v.as_bytes().to_vec(),
                })
                .collect(),
        });
    } else {
        for (k, v) in fields {
            http.headers.insert((*k).into(), (*v).into());
        }
    }
    CheckRequest {
        attributes: Some(AttributeContext {
            request: Some(Request {
                http: Some(http),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_check_allows_refuses_and_reads_raw_fields() {
    let server = start(&config_text("header_first", None));
    let run = async {
        let mut client = AuthorizationClient::connect(format!("http://{}", server.grpc))
            .await
            .unwrap();
        let (a, b) = (
            format!("Bearer {}", token("alice")),
            format!("Bearer {}", token("bob")),
        );
        let ok = client
            .check(check_request(
                "/x",
                &[("authorization", &a), ("x-gatekey-subject", "mallory")],
                false,
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(ok.status.unwrap().code, 0);
        let Some(HttpResponse::OkResponse(ok)) = ok.http_response else {
            panic!("not ok")
        };
        let set: Vec<(String, String)> = ok
            .headers
            .iter()
            .map(|h| {
                h.header
                    .as_ref()
                    .map(|h| (h.key.clone(), h.value.clone()))
                    .unwrap()
            })
            .collect();
        assert!(
            set.contains(&("x-gatekey-subject".into(), "alice".into())),
            "{set:?}"
        );
        assert!(
            ok.headers_to_remove.is_empty(),
            "{:?}",
            ok.headers_to_remove
        );
        // Two Authorization fields kept apart in header_map: ambiguous.
        let two = client
            .check(check_request(
                "/x",
                &[("authorization", &a), ("authorization", &b)],
                true,
            ))
            .await
            .unwrap()
            .into_inner();
        let Some(HttpResponse::DeniedResponse(denied)) = two.http_response else {
            panic!("allowed")
        };
        assert_eq!(denied.status.unwrap().code, 400);
        assert!(
            denied.body.contains("ambiguous_authorization"),
            "{}",
            denied.body
        );
        // No credential: 401 with the challenge, UNAUTHENTICATED.
        let none = client
            .check(check_request("/x", &[], false))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(none.status.unwrap().code, 16);
        let Some(HttpResponse::DeniedResponse(denied)) = none.http_response else {
            panic!("allowed")
        };
        assert_eq!(denied.status.unwrap().code, 401);
        assert!(denied
            .headers
            .iter()
            .any(|h| h.header.as_ref().unwrap().key == "www-authenticate"));
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), run)
        .await
        .unwrap();
}

#[test]
fn configuration_errors_name_the_field() {
    let good = config_text("header_first", None);
    assert!(Config::parse(&good, None).is_ok());
    let cases = [
        (
            good.replace("preset = \"header_first\"", "preset = \"header_last\""),
            "policy.preset",
        ),
        (
            good.replace("cache_size = 256", "cache_size = 256\nleeway = -1"),
            "options.leeway",
        ),
        (
            good.replace("cache_size = 256", "cache_size = 256\nwhatever = 1"),
            "options.whatever",
        ),
        (
            good.replace("cache_size = 256", "cache_size = \"big\""),
            "options.cache_size",
        ),
        (
            good.replace("[policy]\n", "[policy]\npresett = \"strict\"\n"),
            "policy.presett",
        ),
        (
            good.replace("http = \"127.0.0.1:0\"", "http = \"nowhere\""),
            "listen.http",
        ),
        (
            good.replace("hs256_secret", "hs256_secrets"),
            "keys.hs256_secrets",
        ),
        (
            good.replace(
                "[keys]\n",
                "[keys]\njwks_url = \"https://idp.example/jwks\"\n",
            ),
            "keys",
        ),
        (
            good.replace(
                "[options]\n",
                "[identity]\nsubject = \"bad name\"\n[options]\n",
            ),
            "identity.subject",
        ),
        (
            good.replace(
                "[options]\n",
                "[identity]\nstrip = [\"x-gatekey-subject\"]\n[options]\n",
            ),
            "identity.strip",
        ),
        (
            good.replace("[options]\n", "[keys.refresh]\ncooldown = 0\n[options]\n"),
            "keys.refresh.cooldown",
        ),
    ];
    for (text, field) in cases {
        let err = Config::parse(&text, None).unwrap_err();
        assert_eq!(err.field, field, "{err}");
    }
}

#[test]
fn check_config_exits_0_or_1_naming_the_field() {
    let dir = std::env::temp_dir().join(format!("gatekey-authz-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    let bad = dir.join("bad.toml");
    std::fs::write(&good, config_text("strict", None)).unwrap();
    std::fs::write(
        &bad,
        config_text("strict", None).replace("cache_size = 256", "leeway = 99999"),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_gatekey-authz");
    let ok = std::process::Command::new(bin)
        .arg("--check-config")
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let no = std::process::Command::new(bin)
        .arg("--check-config")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(no.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&no.stderr).contains("options.leeway"),
        "{no:?}"
    );
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/gatekey-authz.example.toml");
    let ex = std::process::Command::new(bin)
        .arg("--check-config")
        .arg(example)
        .output()
        .unwrap();
    assert_eq!(ex.status.code(), Some(0), "{ex:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ops_endpoints() {
    let server = start(&config_text("header_first", None));
    assert_eq!(request(server.ops, "/healthz", &[]).status, 200);
    assert_eq!(request(server.ops, "/readyz", &[]).status, 200);
    let _ = request(server.http, "/", &[]);
    let _ = request(
        server.http,
        "/",
        &[("Authorization".into(), format!("Bearer {}", token("a")))],
    );
    let m = request(server.ops, "/metrics", &[]);
    assert_eq!(m.status, 200);
    assert!(
        m.body
            .contains("gatekey_authz_decisions_total{outcome=\"allowed\",reason=\"\"} 1"),
        "{}",
        m.body
    );
    assert!(
        m.body.contains("reason=\"missing_credential\"} 1"),
        "{}",
        m.body
    );
    // The check listener never serves them.
    assert_eq!(request(server.http, "/healthz", &[]).status, 401);
}

const DEPLOYMENT_KEY: &str = "deployment-key-for-the-orders-service";

#[test]
fn an_allowed_check_carries_an_assertion_the_application_checks() {
    use gatekey::Error;
    use gatekey_host::assertion::Checker;
    let config = format!(
        "{}[assertion]\nkey = \"{DEPLOYMENT_KEY}\"\naudience = \"orders\"\nlifetime = 20\n",
        config_text("header_first", None)
    );
    let server = start(&config);
    let alice = token("alice");
    // A client's own assertion is never read and always removed.
    let r = request(
        server.http,
        "/",
        &[
            ("x-gatekey-assertion".into(), "forged".into()),
            ("Authorization".into(), format!("Bearer {alice}")),
        ],
    );
    assert_eq!(r.status, 200);
    let assertion = r.header("x-gatekey-assertion").unwrap().to_owned();
    assert_ne!(assertion, "forged");
    let checker = Checker::new(DEPLOYMENT_KEY.as_bytes(), "orders", 0).unwrap();
    let now = gatekey::now_unix();
    let got = checker
        .check(Some(assertion.as_bytes()), Some(alice.as_bytes()), now)
        .unwrap();
    assert_eq!(
        (got.subject.as_str(), got.source.as_str()),
        ("alice", "bearer")
    );
    assert!(got.exp <= now + 20);
    // Bound to alice's token: not to bob's, not for another upstream,
    // not after its lifetime.
    assert_eq!(
        checker.check(
            Some(assertion.as_bytes()),
            Some(token("bob").as_bytes()),
            now
        ),
        Err(Error::ConflictingCredentials)
    );
    let billing = Checker::new(DEPLOYMENT_KEY.as_bytes(), "billing", 0).unwrap();
    assert_eq!(
        billing.check(Some(assertion.as_bytes()), None, now),
        Err(Error::WrongAudience)
    );
    assert_eq!(
        checker.check(Some(assertion.as_bytes()), None, now + 21),
        Err(Error::Expired)
    );
    // Refused: no assertion.
    let r = request(server.http, "/", &[]);
    assert_eq!(r.status, 401);
    assert_eq!(r.header("x-gatekey-assertion"), None);
    // The configuration names what is wrong.
    for (bad, field) in [
        (config.replace("lifetime = 20", "lifetime = 61"), "assertion.lifetime"),
        (config.replace(DEPLOYMENT_KEY, "short"), "assertion.key"),
        (
            config.replace("[identity]\n", "")
                + "[identity]\nstrip = [\"x-gatekey-subject\", \"x-gatekey-source\", \"x-gatekey-drift\", \"x-gatekey-scopes\"]\n",
            "identity.strip",
        ),
    ] {
        assert_eq!(Config::parse(&bad, None).unwrap_err().field, field, "{bad}");
    }
}
