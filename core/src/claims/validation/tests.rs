use super::*;
use crate::json::Object;

fn check(v: &Validation, payload: &str, now: i64) -> Result<(), Error> {
    let obj = Object::parse(payload.as_bytes())?;
    v.check(&Claims::new(obj), now)
}

#[test]
fn exp_is_required_by_default() {
    let v = Validation::new();
    assert_eq!(check(&v, r#"{"sub":"a"}"#, 0), Err(Error::MissingClaim));
    assert_eq!(check(&v, r#"{"exp":10}"#, 9), Ok(()));
    assert_eq!(
        check(&v.clone().require_nothing(), r#"{"sub":"a"}"#, 0),
        Ok(())
    );
}

#[test]
fn time_window_with_leeway() {
    let v = Validation::new().with_leeway(5);
    assert_eq!(check(&v, r#"{"exp":100}"#, 104), Ok(()));
    assert_eq!(check(&v, r#"{"exp":100}"#, 105), Err(Error::Expired));
    assert_eq!(check(&v, r#"{"exp":1000,"nbf":100}"#, 95), Ok(()));
    assert_eq!(
        check(&v, r#"{"exp":1000,"nbf":100}"#, 94),
        Err(Error::NotYetValid)
    );
    assert_eq!(check(&v, r#"{"exp":1000,"iat":105}"#, 100), Ok(()));
    assert_eq!(
        check(&v, r#"{"exp":1000,"iat":106}"#, 100),
        Err(Error::IssuedInFuture)
    );
    // Saturation instead of overflow at the edges of i64.
    assert_eq!(
        check(&v, r#"{"exp":9223372036854775807}"#, i64::MAX),
        Err(Error::Expired)
    );
    assert_eq!(
        check(&v, r#"{"exp":-9223372036854775808}"#, i64::MIN),
        Ok(())
    );
    assert_eq!(
        check(&v, r#"{"exp":-9223372036854775808}"#, i64::MIN + 5),
        Err(Error::Expired)
    );
}

#[test]
fn issuer_one_of_several() {
    let v = Validation::new()
        .require_nothing()
        .with_issuer("https://a")
        .unwrap()
        .with_issuer("https://b")
        .unwrap();
    assert_eq!(check(&v, r#"{"iss":"https://b"}"#, 0), Ok(()));
    assert_eq!(check(&v, r#"{"iss":"https:\/\/a"}"#, 0), Ok(()));
    assert_eq!(
        check(&v, r#"{"iss":"https://c"}"#, 0),
        Err(Error::WrongIssuer)
    );
    assert_eq!(check(&v, r#"{}"#, 0), Err(Error::MissingClaim));
    assert_eq!(
        check(&v, r#"{"iss":["https://a"]}"#, 0),
        Err(Error::InvalidClaim)
    );
}

#[test]
fn audience_string_or_array() {
    let v = Validation::new()
        .require_nothing()
        .with_audience("mcp")
        .unwrap();
    assert_eq!(check(&v, r#"{"aud":"mcp"}"#, 0), Ok(()));
    assert_eq!(check(&v, r#"{"aud":["account","mcp"]}"#, 0), Ok(()));
    assert_eq!(
        check(&v, r#"{"aud":["account"]}"#, 0),
        Err(Error::WrongAudience)
    );
    assert_eq!(check(&v, r#"{"aud":[]}"#, 0), Err(Error::WrongAudience));
    assert_eq!(check(&v, r#"{}"#, 0), Err(Error::MissingClaim));
    // A token that names an audience is refused by a verifier that expects none.
    assert_eq!(
        check(&Validation::new().require_nothing(), r#"{"aud":"mcp"}"#, 0),
        Err(Error::WrongAudience)
    );
}

#[test]
fn required_claims_and_scopes() {
    let v = Validation::new()
        .require("jti")
        .unwrap()
        .with_scope("tools:call")
        .unwrap();
    assert_eq!(
        check(&v, r#"{"exp":9,"jti":"1","scope":"a tools:call b"}"#, 0),
        Ok(())
    );
    assert_eq!(
        check(&v, r#"{"exp":9,"scope":"tools:call"}"#, 0),
        Err(Error::MissingClaim)
    );
    assert_eq!(
        check(
            &v,
            r#"{"exp":9,"jti":"1","scope":"tools:calls tools:cal"}"#,
            0
        ),
        Err(Error::InsufficientScope)
    );
    assert_eq!(
        check(&v, r#"{"exp":9,"jti":"1"}"#, 0),
        Err(Error::InsufficientScope)
    );
}

#[test]
fn configuration_limits() {
    let long = "x".repeat(MAX_VALUE + 1);
    assert_eq!(
        Validation::new().with_issuer(&long).err(),
        Some(Error::ConfigTooLong)
    );
    let mut v = Validation::new();
    for i in 0..MAX_LIST {
        v = v.with_audience(&std::format!("a{i}")).unwrap();
    }
    assert_eq!(
        v.with_audience("one-more").err(),
        Some(Error::ConfigListFull)
    );
}

#[test]
fn authorized_party_and_client_id_allow_lists() {
    let none = Validation::new();
    // Unconfigured: any azp / client_id, or none, is fine.
    assert_eq!(
        check(&none, r#"{"exp":9,"azp":"x","client_id":"y"}"#, 0),
        Ok(())
    );

    let v = Validation::new()
        .with_authorized_party("mcp-oauth")
        .unwrap()
        .with_authorized_party("cli")
        .unwrap();
    assert_eq!(
        v.authorized_parties().collect::<std::vec::Vec<_>>(),
        ["mcp-oauth", "cli"]
    );
    assert_eq!(check(&v, r#"{"exp":9,"azp":"mcp-oauth"}"#, 0), Ok(()));
    assert_eq!(check(&v, r#"{"exp":9,"azp":"cli"}"#, 0), Ok(()));
    assert_eq!(
        check(&v, r#"{"exp":9,"azp":"evil-client"}"#, 0),
        Err(Error::WrongAuthorizedParty)
    );
    assert_eq!(check(&v, r#"{"exp":9}"#, 0), Err(Error::MissingClaim));
    assert_eq!(
        check(&v, r#"{"exp":9,"azp":7}"#, 0),
        Err(Error::InvalidClaim)
    );
    // client_id is its own list; azp does not stand in for it.
    let c = Validation::new().with_client_id("svc").unwrap();
    assert_eq!(check(&c, r#"{"exp":9,"client_id":"svc"}"#, 0), Ok(()));
    assert_eq!(
        check(&c, r#"{"exp":9,"client_id":"other","azp":"svc"}"#, 0),
        Err(Error::WrongAuthorizedParty)
    );
    assert_eq!(
        check(&c, r#"{"exp":9,"azp":"svc"}"#, 0),
        Err(Error::MissingClaim)
    );
    // Escapes compare by value.
    assert_eq!(check(&c, r#"{"exp":9,"client_id":"sv\u0063"}"#, 0), Ok(()));
}

#[test]
fn registered_names_are_compared_after_decoding_escapes() {
    let v = Validation::new().require_nothing();
    assert_eq!(check(&v, r#"{"\u0065xp":10}"#, 10), Err(Error::Expired));
    assert_eq!(
        check(&v, r#"{"\u0065xp":"10"}"#, 0),
        Err(Error::InvalidClaim)
    );
    let long_names = r#"{"a_claim_name_longer_than_sixteen":1,"exp":10}"#;
    assert_eq!(check(&v, long_names, 10), Err(Error::Expired));
}

fn explained(v: &Validation, payload: &str, now: i64) -> Result<(), (Error, std::string::String)> {
    let obj = Object::parse(payload.as_bytes()).map_err(|e| (e, std::string::String::new()))?;
    v.check_explained(&Claims::new(obj), now)
        .map_err(|(e, name)| (e, std::string::String::from(name)))
}

#[test]
fn scopes_follow_one_rule_scope_then_scp() {
    let v = Validation::new()
        .require_nothing()
        .with_scope("read")
        .and_then(|v| v.with_scope("write"))
        .unwrap_or_default();
    assert_eq!(check(&v, r#"{"scope":"read write"}"#, 0), Ok(()));
    // RFC 6749 §3.3: tokens are separated by single spaces, nothing else.
    assert_eq!(
        check(&v, "{\"scope\":\"read\\twrite\"}", 0),
        Err(Error::InsufficientScope)
    );
    assert_eq!(check(&v, r#"{"scope":"  write   read "}"#, 0), Ok(()));
    assert_eq!(check(&v, r#"{"scp":["write","read"]}"#, 0), Ok(()));
    assert_eq!(check(&v, r#"{"scp":"read write"}"#, 0), Ok(()));
    // `scope` wins over `scp` when both are present.
    assert_eq!(
        check(&v, r#"{"scope":"read","scp":["read","write"]}"#, 0),
        Err(Error::InsufficientScope)
    );
    // Escapes are decoded before comparing.
    assert_eq!(check(&v, r#"{"scope":"re\u0061d write"}"#, 0), Ok(()));
    assert_eq!(
        check(&v, r#"{"scp":["read write"]}"#, 0),
        Err(Error::InsufficientScope)
    );
}

#[test]
fn claim_values_by_path() {
    let v = Validation::new()
        .require_nothing()
        .with_claim_value("realm_access.roles", "mcp-user")
        .unwrap_or_default();
    assert_eq!(
        check(&v, r#"{"realm_access":{"roles":["a","mcp-user"]}}"#, 0),
        Ok(())
    );
    assert_eq!(
        check(&v, r#"{"realm_access":{"roles":"mcp-user"}}"#, 0),
        Ok(())
    );
    assert_eq!(
        check(&v, r#"{"realm_access":{"roles":["a"]}}"#, 0),
        Err(Error::WrongClaimValue)
    );
    assert_eq!(
        check(&v, r#"{"realm_access":{"roles":[1]}}"#, 0),
        Err(Error::WrongClaimValue)
    );
    assert_eq!(
        check(&v, r#"{"roles":["mcp-user"]}"#, 0),
        Err(Error::MissingClaim)
    );
    for bad in ["", ".", "a..b", "a.", "a.b.c.d.e"] {
        assert_eq!(
            Validation::new().with_claim_value(bad, "x").err(),
            Some(Error::InvalidConfig),
            "{bad:?}"
        );
    }
}

#[test]
fn failures_name_their_claim() {
    let v = Validation::new()
        .require("jti")
        .and_then(|v| v.with_audience("mcp"))
        .and_then(|v| v.with_scope("admin"))
        .unwrap_or_default();
    let name = |payload: &str| explained(&v, payload, 100).err().map(|(_, n)| n);
    assert_eq!(name(r#"{"exp":200,"aud":"mcp"}"#).as_deref(), Some("jti"));
    assert_eq!(name(r#"{"jti":"x","aud":"mcp"}"#).as_deref(), Some("exp"));
    assert_eq!(
        name(r#"{"jti":"x","exp":50,"aud":"mcp"}"#).as_deref(),
        Some("exp")
    );
    assert_eq!(name(r#"{"jti":"x","exp":200}"#).as_deref(), Some("aud"));
    assert_eq!(
        name(r#"{"jti":"x","exp":"200","aud":"mcp"}"#).as_deref(),
        Some("exp")
    );
    assert_eq!(
        name(r#"{"jti":"x","exp":200,"aud":"mcp"}"#).as_deref(),
        Some("admin")
    );
    assert_eq!(
        explained(
            &v,
            r#"{"jti":"x","exp":200,"aud":"mcp","scope":"admin"}"#,
            100
        ),
        Ok(())
    );
}

#[test]
fn a_required_claim_set_to_null_is_missing() {
    let v = Validation::new().require("tenant").unwrap_or_default();
    assert_eq!(
        check(&v, r#"{"exp":10,"tenant":null}"#, 0),
        Err(Error::MissingClaim)
    );
    assert_eq!(check(&v, r#"{"exp":10,"tenant":"t"}"#, 0), Ok(()));
    assert_eq!(check(&v, r#"{"exp":10,"tenant":false}"#, 0), Ok(()));
    // A registered claim set to null stays a type error.
    assert_eq!(
        check(&Validation::new(), r#"{"exp":null}"#, 0),
        Err(Error::InvalidClaim)
    );
}

#[test]
fn numeric_dates_in_exponent_form() {
    let v = Validation::new();
    assert_eq!(check(&v, r#"{"exp":1e10}"#, 9_999_999_999), Ok(()));
    assert_eq!(
        check(&v, r#"{"exp":1e10}"#, 10_000_000_000),
        Err(Error::Expired)
    );
    assert_eq!(check(&v, r#"{"exp":1e400}"#, 0), Err(Error::InvalidClaim));
}

#[test]
fn a_resource_audience_is_compared_as_a_uri() {
    let v = Validation::new()
        .require_nothing()
        .with_audience("https://mcp.example.com/mcp")
        .unwrap()
        .with_audience("https://api.example.com")
        .unwrap();
    for aud in [
        r#""https://mcp.example.com/mcp""#,
        r#""HTTPS://MCP.Example.COM/mcp""#,
        r#""https:\/\/mcp.example.com\/mcp""#,
        r#"["other","https://Mcp.example.com/mcp"]"#,
        r#""https://api.example.com/""#,
        r#""https://API.example.com""#,
    ] {
        let payload = std::format!(r#"{{"aud":{aud}}}"#);
        assert_eq!(check(&v, &payload, 0), Ok(()), "{aud}");
    }
    for aud in [
        r#""https://mcp.example.com/mcp/""#,
        r#""https://mcp.example.com/MCP""#,
        r#""http://mcp.example.com/mcp""#,
        r#""https://mcp.example.com:8443/mcp""#,
        r#""https://user@mcp.example.com/mcp""#,
        r#""https://evil.example/https://mcp.example.com/mcp""#,
        r#""https://api.example.com/x""#,
        r#""https://api.example.com?""#,
    ] {
        let payload = std::format!(r#"{{"aud":{aud}}}"#);
        assert_eq!(check(&v, &payload, 0), Err(Error::WrongAudience), "{aud}");
    }
    // Not a URI: compared byte for byte.
    let plain = Validation::new()
        .require_nothing()
        .with_audience("Account")
        .unwrap();
    assert_eq!(
        check(&plain, r#"{"aud":"account"}"#, 0),
        Err(Error::WrongAudience)
    );
}

#[test]
fn id_tokens_are_refused_when_asked() {
    let v = Validation::new().require_nothing();
    let id_token = r#"{"sub":"a","nonce":"n-0S6_WzA2Mj"}"#;
    let hashed = r#"{"sub":"a","at_hash":"77QmUPtjPfzWtF2AnpK9RQ"}"#;
    assert_eq!(check(&v, id_token, 0), Ok(()));
    assert!(!v.refuses_id_tokens());
    let v = v.with_id_tokens_refused(true);
    assert!(v.refuses_id_tokens());
    assert_eq!(check(&v, id_token, 0), Err(Error::IdToken));
    assert_eq!(check(&v, hashed, 0), Err(Error::IdToken));
    assert_eq!(check(&v, r#"{"sub":"a","scope":"x"}"#, 0), Ok(()));
    let obj = Object::parse(hashed.as_bytes()).unwrap();
    assert_eq!(
        v.check_explained(&Claims::new(obj), 0),
        Err((Error::IdToken, "at_hash"))
    );
}
