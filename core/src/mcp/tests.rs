use super::*;

const POLICY: &[&str] = &[
    "# per tool, per resource, per method family, for all",
    "tools/call weather_* : weather:read",
    "tools/call delete_all : admin weather:write",
    "resources/read file:///docs/* : docs",
    "tools/* : mcp",
    "",
    "admin > weather:write ops",
    "ops > weather:read",
];

fn granted(scopes: &'static [&'static str]) -> impl Fn(&[u8]) -> bool {
    move |s: &[u8]| scopes.iter().any(|g| g.as_bytes() == s)
}

fn required<'a>(
    p: &'a ScopePolicy<&[&str]>,
    method: &'a str,
    name: Option<&'a str>,
) -> std::vec::Vec<&'a str> {
    p.required(method.as_bytes(), name.map(str::as_bytes))
        .collect()
}

#[test]
fn every_matching_rule_adds_its_scopes() {
    let p = ScopePolicy::new(POLICY).unwrap();
    assert_eq!(
        required(&p, "tools/call", Some("weather_now")),
        ["weather:read", "mcp"]
    );
    assert_eq!(
        required(&p, "tools/call", Some("delete_all")),
        ["admin", "weather:write", "mcp"]
    );
    assert_eq!(required(&p, "tools/call", Some("other")), ["mcp"]);
    assert_eq!(required(&p, "tools/list", None), ["mcp"]);
    // A name only counts for the name-bearing methods.
    assert_eq!(required(&p, "tools/list", Some("weather_now")), ["mcp"]);
    assert_eq!(
        required(&p, "resources/read", Some("file:///docs/a.md")),
        ["docs"]
    );
    assert_eq!(
        required(&p, "resources/read", Some("file:///etc/passwd")),
        [] as [&str; 0]
    );
    assert_eq!(required(&p, "ping", None), [] as [&str; 0]);
    assert!(!p.is_empty());
    assert!(ScopePolicy::new(&["# nothing", "a > b"][..])
        .unwrap()
        .is_empty());
}

#[test]
fn broader_scopes_imply_narrower_ones() {
    let p = ScopePolicy::new(POLICY).unwrap();
    let call = |name: &'static str, scopes: &'static [&'static str]| {
        p.check(b"tools/call", Some(name.as_bytes()), &granted(scopes))
    };
    assert_eq!(call("weather_now", &["weather:read", "mcp"]), Ok(()));
    assert_eq!(call("weather_now", &["ops", "mcp"]), Ok(()));
    // admin > ops > weather:read, two steps.
    assert_eq!(call("weather_now", &["admin", "mcp"]), Ok(()));
    assert_eq!(
        call("weather_now", &["weather:write", "mcp"]),
        Err((Error::InsufficientScope, "weather:read"))
    );
    assert_eq!(
        call("weather_now", &["weather:read"]),
        Err((Error::InsufficientScope, "mcp"))
    );
    assert_eq!(
        call("delete_all", &["ops", "mcp"]),
        Err((Error::InsufficientScope, "admin"))
    );
    assert_eq!(call("delete_all", &["admin", "mcp"]), Ok(()));
    // Implication goes one way only.
    assert!(!p.holds("admin", &granted(&["weather:write", "ops"])));
}

#[test]
fn implication_cycles_and_long_chains_are_bounded() {
    let cycle = ["a > b", "b > a", "tools/call : c"];
    let p = ScopePolicy::new(&cycle[..]).unwrap();
    assert!(!p.holds("c", &granted(&["x"])));
    assert!(p.holds("b", &granted(&["a"])));
    let chain = [
        "s0 > s1", "s1 > s2", "s2 > s3", "s3 > s4", "s4 > s5", "s5 > s6", "s6 > s7", "s7 > s8",
        "s8 > s9",
    ];
    let p = ScopePolicy::new(&chain[..]).unwrap();
    assert!(p.holds("s8", &granted(&["s0"])), "eight steps");
    assert!(
        !p.holds("s9", &granted(&["s0"])),
        "nine steps are past the bound"
    );
}

#[test]
fn malformed_lines_are_refused_with_their_index() {
    for (bad, why) in [
        ("tools/call", "no scopes"),
        ("tools/call :", "empty scope list"),
        ("tools/call weather", "no separator"),
        ("tools/call weather weather:read", "no separator"),
        ("tools/list weather : mcp", "a name on a method without one"),
        ("tools/call a : b : c", "a second separator"),
        ("a > b > c", "a second separator"),
        ("> a", "no broad scope"),
        ("tools/call : a\u{7f}", "a control character"),
        ("tools/call : \"quoted\"", "a quote (not an NQCHAR)"),
        ("tools/call : caf\u{e9}", "non-ASCII"),
        ("tools/call\t: a", "a tab"),
    ] {
        let lines = ["* : mcp", bad];
        assert_eq!(
            ScopePolicy::new(&lines[..]).err(),
            Some((1, Error::InvalidConfig)),
            "{why}: {bad}"
        );
    }
    let long = std::format!("* : {}", "s".repeat(MAX_LINE));
    assert!(ScopePolicy::new(&[long.as_str()][..]).is_err());
    assert!(ScopePolicy::new(&["  tools/call   x  :  a   b  "][..]).is_ok());
    assert!(ScopePolicy::new(&["tools/* x* : a"][..]).is_ok());
}

#[test]
fn the_headers_must_name_what_the_body_calls() {
    let ok = |hm: Option<&str>, hn: Option<&str>, bm: &str, bn: Option<&str>| {
        check_body(
            hm.map(str::as_bytes),
            hn.map(str::as_bytes),
            bm.as_bytes(),
            bn.map(str::as_bytes),
        )
    };
    assert_eq!(
        ok(Some("tools/call"), Some("add"), "tools/call", Some("add")),
        Ok(())
    );
    assert_eq!(ok(Some("tools/list"), None, "tools/list", None), Ok(()));
    // Mcp-Name means nothing for a method that names nothing.
    assert_eq!(
        ok(Some("tools/list"), Some("x"), "tools/list", None),
        Ok(())
    );
    assert_eq!(
        ok(
            Some("resources/read"),
            Some("file:///a"),
            "resources/read",
            Some("file:///a")
        ),
        Ok(())
    );
    let mismatch = Err(Error::HeaderMismatch);
    assert_eq!(
        ok(
            Some("tools/call"),
            Some("add"),
            "tools/call",
            Some("delete_all")
        ),
        mismatch
    );
    assert_eq!(
        ok(Some("tools/list"), None, "tools/call", Some("add")),
        mismatch
    );
    assert_eq!(ok(None, None, "tools/list", None), mismatch);
    assert_eq!(
        ok(Some("tools/call"), None, "tools/call", Some("add")),
        mismatch
    );
    assert_eq!(
        ok(Some("tools/call"), Some("add"), "tools/call", None),
        mismatch
    );
    assert_eq!(
        ok(Some("Tools/Call"), Some("add"), "tools/call", Some("add")),
        mismatch
    );
    assert_eq!(
        ok(Some("tools/call"), Some("Add"), "tools/call", Some("add")),
        mismatch
    );
}

#[test]
fn encoded_names_are_compared_decoded() {
    // "café" in UTF-8 is 63 61 66 c3 a9: Y2Fmw6k= .
    assert!(name_equals(b"=?base64?Y2Fmw6k=?=", "café".as_bytes()));
    assert!(name_equals(b"=?base64?YWRk?=", b"add"));
    assert!(name_equals(b"=?base64?YQ==?=", b"a"));
    assert!(name_equals(b"add", b"add"));
    assert!(!name_equals(b"=?base64?YWRk?=", b"ad"));
    assert!(!name_equals(b"=?base64?YWRk?=", b"addd"));
    assert!(
        !name_equals(b"=?base64?YR==?=", b"a"),
        "non-zero trailing bits"
    );
    assert!(!name_equals(b"=?base64?YQ?=", b"a"), "unpadded");
    assert!(
        !name_equals(b"=?base64?YQ==YQ==?=", b"aa"),
        "padding inside"
    );
    assert!(!name_equals(b"=?base64?Y===?=", b""), "three pads");
    assert!(
        !name_equals(b"=?base64?YW-k?=", b"add"),
        "base64url is not base64"
    );
    assert!(name_equals(b"=?base64??=", b""));
}

#[test]
fn encoded_names_decode_for_the_scope_decision() {
    let mut buf = [0u8; 8];
    assert_eq!(decoded_name(b"add", &mut buf), Ok(&b"add"[..]));
    assert_eq!(
        decoded_name(b"=?base64?Y2Fmw6k=?=", &mut buf),
        Ok("café".as_bytes())
    );
    assert_eq!(
        decoded_name(b"=?base64?YR==?=", &mut buf),
        Err(Error::HeaderMismatch)
    );
    let mut tiny = [0u8; 2];
    assert_eq!(
        decoded_name(b"=?base64?YWRk?=", &mut tiny),
        Err(Error::BufferTooSmall)
    );
}
