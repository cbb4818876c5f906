use super::*;

fn parse(s: &str) -> Result<Object<'_>, Error> {
    Object::parse(s.as_bytes())
}

#[test]
fn accepts_valid_documents() {
    for doc in [
        "{}",
        " { } ",
        r#"{"a":1,"b":[1,2,{"c":null}],"d":"x","e":true,"f":false,"g":-0.5e-3}"#,
        "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}",
        r#"{"s":"\u00e9\ud83d\ude00\/\"\\\b\f\n\r\t"}"#,
        r#"{"a":{"a":{"a":1}}}"#,
    ] {
        assert!(parse(doc).is_ok(), "{doc}");
    }
}

#[test]
fn refuses_invalid_documents() {
    for doc in [
        "",
        "[]",
        "\"x\"",
        "1",
        "{",
        "}",
        "{]",
        r#"{"a"}"#,
        r#"{"a":}"#,
        r#"{"a":1,}"#,
        r#"{,"a":1}"#,
        r#"{"a":01}"#,
        r#"{"a":1.}"#,
        r#"{"a":.5}"#,
        r#"{"a":1e}"#,
        r#"{"a":+1}"#,
        r#"{"a":tru}"#,
        r#"{"a":"\x"}"#,
        r#"{"a":"\u12"}"#,
        r#"{"a":"\ud800"}"#,
        r#"{"a":"\udc00"}"#,
        r#"{"a":"\ud800\u0041"}"#,
        "{\"a\":\"\n\"}",
        r#"{"a":1} {}"#,
        r#"{a:1}"#,
        "{'a':1}",
        r#"{"a":[1,]}"#,
        r#"{"a":[1 2]}"#,
        r#"{"a":NaN}"#,
    ] {
        assert_eq!(parse(doc).err(), Some(Error::InvalidJson), "{doc}");
    }
    assert_eq!(
        Object::parse(b"{\"a\":\"\xff\"}").err(),
        Some(Error::InvalidJson)
    );
}

#[test]
fn refuses_duplicate_members_at_any_depth_and_under_escapes() {
    for doc in [
        r#"{"alg":"ES256","alg":"none"}"#,
        r#"{"alg":"ES256","\u0061lg":"none"}"#,
        r#"{"a":1,"b":2,"c":3,"a":4}"#,
        r#"{"x":{"k":1,"k":2}}"#,
        r#"{"x":[{"k":1,"k":2}]}"#,
    ] {
        assert_eq!(parse(doc).err(), Some(Error::DuplicateMember), "{doc}");
    }
    // Many distinct names (filter collisions are resolved by the exact check).
    let many = |n: usize| {
        let mut doc = std::string::String::from("{");
        for i in 0..n {
            doc.push_str(&std::format!("\"m{i}\":{i},"));
        }
        doc.push_str("\"end\":0}");
        doc
    };
    assert!(parse(&many(MAX_MEMBERS - 1)).is_ok());
    // The sorted exact check finds a duplicate among many, escaped or not.
    let mut dup = many(200);
    dup.insert_str(1, "\"m\\u00317\":0,");
    assert_eq!(parse(&dup).err(), Some(Error::DuplicateMember), "m17 twice");
    let mut dup = many(200);
    dup.insert_str(1, "\"end\":1,");
    assert_eq!(parse(&dup).err(), Some(Error::DuplicateMember), "end twice");
    // One more is refused before the exact check, whose cost is quadratic
    // once the filter is full (security-core.md #1).
    assert_eq!(parse(&many(MAX_MEMBERS)).err(), Some(Error::TooManyMembers));
    assert_eq!(
        parse(&std::format!("{{\"x\":{}}}", many(400))).err(),
        Some(Error::TooManyMembers)
    );
}

#[test]
fn limits_depth() {
    let ok = std::format!(
        "{}{}",
        "{\"a\":".repeat(MAX_DEPTH - 1) + "1",
        "}".repeat(MAX_DEPTH - 1)
    );
    assert!(parse(&ok).is_ok());
    let deep = std::format!(
        "{}{}",
        "{\"a\":".repeat(MAX_DEPTH + 1) + "1",
        "}".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(parse(&deep).err(), Some(Error::JsonTooDeep));
    let deep_arrays = std::format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100));
    assert_eq!(parse(&deep_arrays).err(), Some(Error::JsonTooDeep));
}

#[test]
fn lookups() {
    let o = parse(r#"{ "iss" : "https:\/\/idp", "aud":["a","b"], "exp":1700000000, "n":{"r":{"roles":["x"]}}, "t":true }"#).unwrap();
    assert!(o
        .get("iss")
        .unwrap()
        .as_str()
        .unwrap()
        .eq_bytes(b"https://idp"));
    let aud: std::vec::Vec<_> = o
        .get("aud")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().raw())
        .collect();
    assert_eq!(aud, [&b"a"[..], b"b"]);
    assert_eq!(o.get("exp").unwrap().as_i64(), Some(1_700_000_000));
    assert_eq!(o.get("t").unwrap().as_bool(), Some(true));
    assert_eq!(o.path(&["n", "r", "roles"]).unwrap().kind(), Kind::Array);
    assert!(o.path(&["n", "x"]).is_none());
    assert!(o.get("missing").is_none());
    assert_eq!(o.members().count(), 5);
}

#[test]
fn numeric_dates() {
    let n = |s: &'static str| {
        Value {
            kind: Kind::Number,
            raw: s.as_bytes(),
        }
        .as_i64()
    };
    assert_eq!(n("0"), Some(0));
    assert_eq!(n("-12"), Some(-12));
    assert_eq!(n("12.9"), Some(12));
    assert_eq!(n("-12.5"), Some(-13));
    assert_eq!(n("-12.0"), Some(-12));
    assert_eq!(n("9223372036854775807"), Some(i64::MAX));
    assert_eq!(n("9223372036854775808"), None);
    assert_eq!(n("-9223372036854775808"), Some(i64::MIN));
    // security-core.md #13: RFC 7519 §2 allows any JSON number.
    assert_eq!(n("1e3"), Some(1000));
    assert_eq!(n("1E+3"), Some(1000));
    assert_eq!(n("1e10"), Some(10_000_000_000));
    assert_eq!(n("1.75e9"), Some(1_750_000_000));
    assert_eq!(n("17500000000e-1"), Some(1_750_000_000));
    assert_eq!(n("1.5e0"), Some(1));
    assert_eq!(n("-1.5e0"), Some(-2));
    assert_eq!(n("-15e-1"), Some(-2));
    assert_eq!(n("5e-1"), Some(0));
    assert_eq!(n("-5e-1"), Some(-1));
    assert_eq!(n("0e400"), Some(0));
    assert_eq!(n("1e19"), None);
    assert_eq!(n("1e400"), None);
    assert_eq!(n("1e-400"), Some(0));
    assert_eq!(n("9.223372036854775807e18"), Some(i64::MAX));
    assert_eq!(n("1e99999999999999999999"), None);
}

/// Whether `v` is in order.
fn sorted(v: &[u32]) -> bool {
    v.windows(2).all(|w| w[0] <= w[1])
}

#[test]
fn sorts_every_small_arrangement_and_larger_runs() {
    // Every arrangement of up to 7 elements drawn from 0..len (so with
    // repeats), then longer pseudo-random runs; the multiset is kept.
    for len in 0..=7u32 {
        for code in 0..len.pow(len).max(1) {
            let mut v = [0u32; 7];
            let v = &mut v[..len as usize];
            let mut rest = code;
            for x in v.iter_mut() {
                *x = rest % len;
                rest /= len;
            }
            let sum: u32 = v.iter().sum();
            sort_by(v, |a, b| a < b);
            let mut w = [0u32; 7];
            let w = &mut w[..v.len()];
            w.copy_from_slice(v);
            w.reverse();
            heapsort_by(w, |a, b| a < b);
            assert_eq!(w, v);
            assert!(sorted(v), "{v:?}");
            assert_eq!(v.iter().sum::<u32>(), sum);
        }
    }
    let mut x = 0x2545_f491_u32;
    let mut v = [0u32; 1000];
    for len in [8usize, 16, 17, 31, 256, 1000] {
        let v = &mut v[..len];
        let mut counts = [0usize; 50];
        for slot in v.iter_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *slot = x % 50;
            counts[*slot as usize] += 1;
        }
        sort_by(v, |a, b| a < b);
        assert!(sorted(v));
        for (value, count) in counts.iter().enumerate() {
            assert_eq!(v.iter().filter(|&&x| x as usize == value).count(), *count);
        }
    }
}
