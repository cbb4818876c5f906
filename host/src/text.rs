//! Owned strings from the core's borrowed views, as every binding hands
//! them to its language.

use gatekey::json::JsonStr;

/// The decoded text of a JSON string from a verified token (RFC 8259 §7
/// escapes resolved). The core has validated the string; should an escape
/// still not decode to UTF-8 (a lone surrogate, `\ud800`), the bytes it
/// stands for come out as U+FFFD rather than the whole string being lost.
#[must_use]
pub fn json_text(s: &JsonStr<'_>) -> String {
    if let Some(plain) = s.as_str() {
        return plain.to_owned();
    }
    let decoded: Vec<u8> = s.bytes().collect();
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::json_text;
    use gatekey::json::JsonStr;

    fn text_of(raw: &str) -> String {
        let doc = format!(r#"{{"s":{raw}}}"#);
        let object = gatekey::json::Object::parse(doc.as_bytes()).expect("valid JSON");
        let s: JsonStr<'_> = object.get("s").and_then(|v| v.as_str()).expect("a string");
        json_text(&s)
    }

    #[test]
    fn plain_and_escaped_strings_decode() {
        assert_eq!(text_of(r#""alice""#), "alice");
        assert_eq!(text_of(r#""a\"b\u00e9""#), "a\"bé");
    }
}
