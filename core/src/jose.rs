//! The JOSE header (RFC 7515 §4): `alg`, `kid`, `typ`, `crit`.

use crate::json::{JsonStr, Object, Value};
use crate::Error;

/// The members of a JOSE header gatekey acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header<'a> {
    /// `alg`, as the token states it (checked against the key, never trusted).
    pub alg: JsonStr<'a>,
    /// `kid`, which selects the key.
    pub kid: Option<JsonStr<'a>>,
    /// `typ` (RFC 7515 §4.1.9; `at+jwt` for RFC 9068 access tokens).
    pub typ: Option<JsonStr<'a>>,
}

impl<'a> Header<'a> {
    /// Reads the header from its validated JSON.
    ///
    /// Any `crit` is refused: gatekey understands no extension, and RFC 7515
    /// §4.1.11 says a recipient MUST reject a JWS whose critical extensions
    /// it does not understand; a `b64` member outside `crit` is malformed
    /// (RFC 7797 §6). `alg: none` in any letter case is refused
    /// before any key is looked at. Members that point at keys (`jku`,
    /// `jwk`, `x5u`, `x5c`) are ignored: keys come only from the caller
    /// (RFC 8725 §3.10).
    ///
    /// # Errors
    /// [`Error::UnsupportedCritical`], [`Error::MissingAlgorithm`],
    /// [`Error::UnsecuredToken`], [`Error::InvalidHeader`].
    pub fn from_object(obj: &Object<'a>) -> Result<Self, Error> {
        // One pass over the members; names compare after decoding escapes.
        let (mut crit, mut b64, mut alg, mut kid, mut typ) = (false, false, None, None, None);
        for (name, value) in obj.members() {
            if name.eq_bytes(b"alg") {
                alg = Some(value);
            } else if name.eq_bytes(b"kid") {
                kid = Some(value);
            } else if name.eq_bytes(b"typ") {
                typ = Some(value);
            } else if name.eq_bytes(b"crit") {
                crit = true;
            } else if name.eq_bytes(b"b64") {
                b64 = true;
            }
        }
        if crit {
            return Err(Error::UnsupportedCritical);
        }
        // RFC 7797 §6: `b64` MUST be listed in `crit`. Outside it, one
        // reader would take the payload as base64url and another as raw
        // bytes: the same token, two payloads.
        if b64 {
            return Err(Error::InvalidHeader);
        }
        let string = |value: Option<Value<'a>>| {
            value
                .map(|v| v.as_str().ok_or(Error::InvalidHeader))
                .transpose()
        };
        let alg = string(alg)?.ok_or(Error::MissingAlgorithm)?;
        if alg
            .bytes()
            .map(|b| b.to_ascii_lowercase())
            .eq(b"none".iter().copied())
        {
            return Err(Error::UnsecuredToken);
        }
        Ok(Header {
            alg,
            kid: string(kid)?,
            typ: string(typ)?,
        })
    }

    /// Whether `typ` is `expected`, compared as RFC 7515 §4.1.9 asks: case-
    /// insensitively, with an omitted `application/` prefix allowed.
    #[must_use]
    pub fn typ_is(&self, expected: &[u8]) -> bool {
        let Some(typ) = self.typ else { return false };
        let lower = |b: u8| b.to_ascii_lowercase();
        let prefix = b"application/";
        let has_prefix = typ
            .bytes()
            .take(prefix.len())
            .map(lower)
            .eq(prefix.iter().copied());
        let want = match expected.get(..prefix.len()) {
            Some(p) if p.eq_ignore_ascii_case(prefix) => {
                expected.get(prefix.len()..).unwrap_or_default()
            }
            _ => expected,
        };
        let skip = if has_prefix { prefix.len() } else { 0 };
        typ.bytes()
            .skip(skip)
            .map(lower)
            .eq(want.iter().map(|&b| lower(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(json: &str) -> Result<Header<'_>, Error> {
        Header::from_object(&Object::parse(json.as_bytes())?)
    }

    #[test]
    fn b64_outside_crit_is_refused() {
        // security-core.md #10.
        assert_eq!(
            header(r#"{"alg":"HS256","b64":false}"#).err(),
            Some(Error::InvalidHeader)
        );
        assert_eq!(
            header(r#"{"alg":"HS256","b64":true}"#).err(),
            Some(Error::InvalidHeader)
        );
        assert_eq!(
            header(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#).err(),
            Some(Error::UnsupportedCritical)
        );
    }

    #[test]
    fn reads_members() {
        let h =
            header(r#"{"alg":"ES256","kid":"k1","typ":"at+jwt","jku":"https://evil"}"#).unwrap();
        assert!(h.alg.eq_bytes(b"ES256"));
        assert!(h.kid.unwrap().eq_bytes(b"k1"));
        assert!(h.typ_is(b"at+jwt") && h.typ_is(b"application/at+jwt") && h.typ_is(b"AT+JWT"));
        assert!(!h.typ_is(b"jwt"));
        let h = header(r#"{"alg":"ES256","typ":"application/at+jwt"}"#).unwrap();
        assert!(h.typ_is(b"at+jwt"));
        assert!(!header(r#"{"alg":"ES256"}"#).unwrap().typ_is(b"at+jwt"));
    }

    #[test]
    fn refuses_unsafe_headers() {
        for none in ["none", "None", "NONE", "n\\u006fne"] {
            assert_eq!(
                header(&std::format!(r#"{{"alg":"{none}"}}"#)).err(),
                Some(Error::UnsecuredToken),
                "{none}"
            );
        }
        assert_eq!(
            header(r#"{"alg":"ES256","crit":["exp"],"exp":1}"#).err(),
            Some(Error::UnsupportedCritical)
        );
        assert_eq!(
            header(r#"{"alg":"ES256","crit":[]}"#).err(),
            Some(Error::UnsupportedCritical)
        );
        assert_eq!(
            header(r#"{"kid":"a"}"#).err(),
            Some(Error::MissingAlgorithm)
        );
        assert_eq!(header(r#"{"alg":256}"#).err(), Some(Error::InvalidHeader));
        assert_eq!(
            header(r#"{"alg":"ES256","kid":1}"#).err(),
            Some(Error::InvalidHeader)
        );
        assert_eq!(
            header(r#"{"alg":"ES256","alg":"HS256"}"#).err(),
            Some(Error::DuplicateMember)
        );
    }
}
