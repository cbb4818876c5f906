//! The borrowing JSON reader on arbitrary bytes: parse an object, then walk
//! every member and element, decoding strings and numbers, recursively.
#![no_main]

use gatekey::json::{Kind, Object, Value, MAX_DEPTH};
use libfuzzer_sys::fuzz_target;

fn walk(v: &Value<'_>, depth: usize) {
    assert!(depth <= MAX_DEPTH + 1, "deeper than the parser allows");
    let _ = v.raw();
    let _ = v.as_bool();
    let _ = v.as_i64();
    if let Some(s) = v.as_str() {
        let _ = s.as_str();
        let mut buf = vec![0u8; s.decoded_len()];
        if let Ok(text) = s.decode_into(&mut buf) {
            assert_eq!(text.len(), s.decoded_len());
        }
        let _ = s.bytes().count();
    }
    match v.kind() {
        Kind::Object => {
            if let Some(o) = v.as_object() {
                for (_, m) in o.members() {
                    walk(&m, depth + 1);
                }
            }
        }
        Kind::Array => {
            if let Some(a) = v.as_array() {
                for e in a.iter() {
                    walk(&e, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(obj) = Object::parse(data) {
        for (name, value) in obj.members() {
            let _ = name.as_str();
            walk(&value, 0);
        }
        let _ = obj.get("exp");
        let _ = obj.path(&["a", "b", "c"]);
    }
});
