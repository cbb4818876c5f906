//! The `WWW-Authenticate: Bearer` challenge (RFC 6750 §3), written into a
//! caller buffer without allocation.

use crate::Error;

/// The parameters of a challenge other than the error itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Challenge<'a> {
    /// `realm` (RFC 9110 §11.5), omitted when `None`.
    pub realm: Option<&'a str>,
    /// `scope` the resource requires (RFC 6750 §3), for `insufficient_scope`.
    pub scope: Option<&'a str>,
    /// `resource_metadata`: the URL of the OAuth protected resource metadata
    /// (RFC 9728 §5.1), which MCP clients use to find the authorization server.
    pub resource_metadata: Option<&'a str>,
}

impl Challenge<'_> {
    /// Writes the field value of `WWW-Authenticate` for `error` into `out`
    /// and returns the number of bytes written.
    ///
    /// `None`, or [`Error::MissingCredential`], gives a bare challenge with no
    /// `error` parameter, as RFC 6750 §3.1 asks when the request carried no
    /// credential. Other errors add `error` and `error_description`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` cannot hold the value (nothing
    /// useful is left in `out`), [`Error::InvalidConfig`] when a parameter has
    /// a control character or non-ASCII byte.
    pub fn write(&self, error: Option<Error>, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer { out, len: 0 };
        w.raw(b"Bearer")?;
        let mut first = true;
        let mut param = |w: &mut Writer<'_>, name: &str, value: &str| -> Result<(), Error> {
            w.raw(if first { b" " } else { b", " })?;
            first = false;
            w.raw(name.as_bytes())?;
            w.raw(b"=\"")?;
            w.quoted(value.as_bytes())?;
            w.raw(b"\"")
        };
        if let Some(realm) = self.realm {
            param(&mut w, "realm", realm)?;
        }
        if let Some(e) = error {
            if let Some(code) = e.http().error {
                param(&mut w, "error", code)?;
                param(&mut w, "error_description", e.message())?;
            }
            if e == Error::InsufficientScope {
                if let Some(scope) = self.scope {
                    param(&mut w, "scope", scope)?;
                }
            }
        }
        if let Some(url) = self.resource_metadata {
            param(&mut w, "resource_metadata", url)?;
        }
        Ok(w.len)
    }
}

struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn byte(&mut self, b: u8) -> Result<(), Error> {
        let slot = self.out.get_mut(self.len).ok_or(Error::BufferTooSmall)?;
        *slot = b;
        self.len = self.len.checked_add(1).ok_or(Error::BufferTooSmall)?;
        Ok(())
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        bytes.iter().try_for_each(|&b| self.byte(b))
    }

    /// The inside of an RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped,
    /// control characters and non-ASCII refused.
    fn quoted(&mut self, bytes: &[u8]) -> Result<(), Error> {
        for &b in bytes {
            if !(0x20..0x7f).contains(&b) {
                return Err(Error::InvalidConfig);
            }
            if b == b'"' || b == b'\\' {
                self.byte(b'\\')?;
            }
            self.byte(b)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(c: &Challenge<'_>, e: Option<Error>) -> Result<std::string::String, Error> {
        let mut buf = [0u8; 256];
        let n = c.write(e, &mut buf)?;
        Ok(std::string::String::from_utf8(buf[..n].to_vec()).unwrap())
    }

    #[test]
    fn missing_credential_has_no_error_code() {
        let c = Challenge {
            realm: Some("mcp"),
            ..Challenge::default()
        };
        assert_eq!(
            write(&c, Some(Error::MissingCredential)).unwrap(),
            r#"Bearer realm="mcp""#
        );
        assert_eq!(write(&Challenge::default(), None).unwrap(), "Bearer");
    }

    #[test]
    fn invalid_token_carries_error_and_description() {
        let c = Challenge {
            realm: Some("a\"b"),
            ..Challenge::default()
        };
        assert_eq!(
            write(&c, Some(Error::Expired)).unwrap(),
            r#"Bearer realm="a\"b", error="invalid_token", error_description="the token has expired""#
        );
    }

    #[test]
    fn scope_and_resource_metadata() {
        let c = Challenge {
            realm: None,
            scope: Some("tools:call"),
            resource_metadata: Some("https://mcp.example/.well-known/oauth-protected-resource"),
        };
        let s = write(&c, Some(Error::InsufficientScope)).unwrap();
        assert!(
            s.starts_with(r#"Bearer error="insufficient_scope", error_description="#),
            "{s}"
        );
        assert!(s.contains(r#", scope="tools:call""#));
        assert!(s.ends_with(
            r#"resource_metadata="https://mcp.example/.well-known/oauth-protected-resource""#
        ));
        // scope only accompanies insufficient_scope
        assert!(!write(&c, Some(Error::Expired))
            .unwrap()
            .contains("scope=\"tools"));
    }

    #[test]
    fn small_buffer_and_bad_characters_are_errors() {
        let c = Challenge {
            realm: Some("mcp"),
            ..Challenge::default()
        };
        for cap in 0..16 {
            let mut buf = [0u8; 16];
            assert_eq!(
                c.write(Some(Error::Expired), &mut buf[..cap]),
                Err(Error::BufferTooSmall)
            );
        }
        let bad = Challenge {
            realm: Some("a\r\nb"),
            ..Challenge::default()
        };
        assert_eq!(write(&bad, None), Err(Error::InvalidConfig));
    }
}
