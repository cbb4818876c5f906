//! The one error type of the crate: every failure is a unit variant with a
//! stable numeric code, a static message, and the HTTP answer it implies.
//!
//! Codes are grouped by family and are never reused once released:
//!
//! | range | family | HTTP |
//! |---|---|---|
//! | 100–199 | the request's credentials (extraction, resolution) | 400 / 401 |
//! | 200–299 | the token's form (JWS, base64url, JSON, JOSE header) | 401 |
//! | 300–399 | keys and signatures | 401 |
//! | 400–499 | claims | 401 / 403 |
//! | 500–599 | configuration (keys, policies, buffers) | 500 |

use core::fmt;

/// Everything that can go wrong, one variant per failure.
///
/// The numeric [`code`](Error::code) of a variant never changes; the C
/// `gk_status` and the Python exceptions use the same numbers.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    // --- 1xx: the request's credentials ---
    /// The request carries no credential the policy accepts.
    MissingCredential,
    /// The request has more than one `Authorization` field.
    AmbiguousAuthorization,
    /// The credential cookie appears more than once with different values.
    AmbiguousCookie,
    /// The trusted proxy header appears more than once.
    AmbiguousProxyHeader,
    /// The query string has more than one `access_token` parameter.
    AmbiguousQueryToken,
    /// More than one method carries a credential (RFC 6750 §2, `single` mode).
    MultipleMethods,
    /// Several sources carry different credentials (`agree` mode).
    ConflictingCredentials,
    /// A header field gatekey reads is longer than [`MAX_FIELD_LEN`](crate::MAX_FIELD_LEN).
    FieldTooLong,
    /// `Authorization: Bearer` is followed by something that is not a `b64token` (RFC 6750 §2.1).
    MalformedBearer,
    /// `Authorization: Basic` is not valid base64 of `user:password` (RFC 7617 §2).
    MalformedBasic,
    /// The `access_token` query parameter is not a plain `b64token`.
    MalformedQueryToken,
    /// The trusted proxy header is present but empty or not visible ASCII.
    MalformedProxyHeader,
    /// Basic user name or password does not match the configured ones.
    BasicRejected,
    /// The `Mcp-Method` or `Mcp-Name` header does not match the JSON-RPC
    /// body (MCP 2026-07-28: HTTP 400, JSON-RPC error `-32020`).
    HeaderMismatch,

    // --- 2xx: the token's form ---
    /// The token is not three non-empty dot-separated base64url segments.
    MalformedToken,
    /// The token has five segments: an encrypted JWE, which is not accepted.
    EncryptedToken,
    /// The token is a JWS JSON serialization, which is not accepted.
    JsonSerialization,
    /// A segment is not canonical unpadded base64url (RFC 7515 §2).
    InvalidBase64,
    /// The header or payload is not valid JSON (or is not a JSON object).
    InvalidJson,
    /// The JSON nests deeper than gatekey's limit.
    JsonTooDeep,
    /// A JSON object has the same member name twice.
    DuplicateMember,
    /// The token (or a decoded segment) exceeds the verification buffer.
    TokenTooLarge,
    /// The JOSE header lacks `alg`.
    MissingAlgorithm,
    /// The JOSE header says `alg: none` (an unsecured JWS, RFC 7519 §6).
    UnsecuredToken,
    /// The JOSE header names extensions in `crit`, none of which are understood (RFC 7515 §4.1.11).
    UnsupportedCritical,
    /// The JOSE header `typ` is not the one required.
    WrongType,
    /// The JOSE header has a member of the wrong JSON type (e.g. a numeric `kid`).
    InvalidHeader,
    /// The JOSE header is longer than the configured limit.
    HeaderTooLarge,
    /// A JSON object has more members than allowed (the JOSE header's
    /// configured limit, or 256 for any object).
    TooManyMembers,

    // --- 3xx: keys and signatures ---
    /// No key in the set has the token's `kid`.
    UnknownKey,
    /// The token has no `kid` and the key set holds more than one key.
    KeyIdRequired,
    /// The token's `alg` is not the algorithm of the selected key.
    AlgorithmMismatch,
    /// The signature has the wrong length for the key's algorithm.
    InvalidSignatureLength,
    /// The signature does not verify.
    BadSignature,
    /// The keys could not be fetched for longer than the maximum staleness
    /// the key source allows, so no token is verified (a hosted key source).
    KeysUnavailable,

    // --- 4xx: claims ---
    /// The token has expired (`exp`, RFC 7519 §4.1.4).
    Expired,
    /// The token is not valid yet (`nbf`, RFC 7519 §4.1.5).
    NotYetValid,
    /// The token was issued in the future (`iat`, RFC 7519 §4.1.6).
    IssuedInFuture,
    /// The `iss` claim is not a trusted issuer.
    WrongIssuer,
    /// The `aud` claim does not name this service (RFC 7519 §4.1.3).
    WrongAudience,
    /// A required claim is absent.
    MissingClaim,
    /// A registered claim has the wrong JSON type (e.g. `exp` as a string).
    InvalidClaim,
    /// The token lacks a scope the resource requires (RFC 6750 §3.1).
    InsufficientScope,
    /// The token's `iss` is none of the trusted issuers (several-issuer verification).
    UnknownIssuer,
    /// The token's `azp` or `client_id` is not an allowed client.
    WrongAuthorizedParty,
    /// A claim required to hold a value (`realm_access.roles` containing
    /// `mcp-user`, say) holds another.
    WrongClaimValue,
    /// An OpenID Connect ID token (`nonce` or `at_hash`, OIDC Core §2 and
    /// §3.1.3.6) presented as an access token (RFC 9068 §4; MCP: accept
    /// only tokens issued for this server).
    IdToken,

    // --- 5xx: configuration ---
    /// A JWK is malformed or lacks a required member.
    InvalidJwk,
    /// A JWKS document is not `{"keys": [...]}`.
    InvalidJwks,
    /// A public key is invalid: not a P-256 point, or an even RSA modulus.
    InvalidKey,
    /// An HMAC secret is shorter than 32 bytes (RFC 7518 §3.2).
    WeakKey,
    /// The key type, curve, algorithm or RSA size (above 4096 bits) is not supported.
    UnsupportedKey,
    /// The key set is full.
    KeySetFull,
    /// A configured name or value is longer than its fixed capacity.
    ConfigTooLong,
    /// A configuration list (issuers, audiences, required claims) is full.
    ConfigListFull,
    /// The output buffer is too small.
    BufferTooSmall,
    /// A configured value has characters it may not contain.
    InvalidConfig,
    /// An RSA modulus is shorter than 2048 bits (RFC 7518 §3.3).
    WeakRsaKey,
    /// An RSA public exponent is not an odd number from 3 to 2^32.
    UnsupportedRsaExponent,
    /// An HMAC secret is public-key text (PEM, OpenSSH or a JWK): a key
    /// meant for a signature, never a shared secret.
    PublicKeyAsSecret,
}

/// What the HTTP answer to an error is: status and RFC 6750 §3 error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HttpAnswer {
    /// HTTP status code: 400, 401, 403 or 500.
    pub status: u16,
    /// The RFC 6750 §3.1 `error` value, if the challenge carries one.
    pub error: Option<&'static str>,
}

/// The family an error belongs to, for mapping to exception classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Family {
    /// No credential at all.
    Missing,
    /// The request's credentials are ambiguous or conflict.
    Conflict,
    /// The request is malformed.
    InvalidRequest,
    /// The token is not acceptable (form, key, signature or claims).
    InvalidToken,
    /// The token's time window does not contain now.
    Expired,
    /// The token lacks a required scope.
    InsufficientScope,
    /// The library was configured with something unusable.
    Configuration,
}

macro_rules! error_table {
    ($($variant:ident = $code:literal, $name:literal, $family:ident, $msg:literal;)*) => {
        impl Error {
            /// Every variant, in code order (for generating bindings and tests).
            pub const ALL: &'static [Error] = &[$(Error::$variant),*];

            /// The stable numeric code of this error.
            #[must_use]
            pub const fn code(self) -> u16 {
                match self { $(Error::$variant => $code),* }
            }

            /// A stable, snake_case name of this error (`"expired"`).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $(Error::$variant => $name),* }
            }

            /// A one-line, human-readable description.
            #[must_use]
            pub const fn message(self) -> &'static str {
                match self { $(Error::$variant => $msg),* }
            }

            /// The family this error belongs to.
            #[must_use]
            pub const fn family(self) -> Family {
                match self { $(Error::$variant => Family::$family),* }
            }

            /// The error with this code, if any.
            #[must_use]
            pub fn from_code(code: u16) -> Option<Error> {
                match code { $($code => Some(Error::$variant),)* _ => None }
            }
        }
    };
}

error_table! {
    MissingCredential = 100, "missing_credential", Missing, "the request carries no credential";
    AmbiguousAuthorization = 101, "ambiguous_authorization", Conflict, "the request has more than one Authorization header";
    AmbiguousCookie = 102, "ambiguous_cookie", Conflict, "the credential cookie appears twice with different values";
    AmbiguousProxyHeader = 103, "ambiguous_proxy_header", Conflict, "the trusted proxy header appears more than once";
    AmbiguousQueryToken = 104, "ambiguous_query_token", Conflict, "the query has more than one access_token";
    MultipleMethods = 105, "multiple_methods", Conflict, "more than one method carries a credential";
    ConflictingCredentials = 106, "conflicting_credentials", Conflict, "sources carry different credentials";
    FieldTooLong = 107, "field_too_long", InvalidRequest, "a credential header field is too long";
    MalformedBearer = 108, "malformed_bearer", InvalidRequest, "the Bearer credential is not a valid b64token";
    MalformedBasic = 109, "malformed_basic", InvalidRequest, "the Basic credential is not base64 of user:password";
    MalformedQueryToken = 110, "malformed_query_token", InvalidRequest, "the access_token query parameter is malformed";
    MalformedProxyHeader = 111, "malformed_proxy_header", InvalidRequest, "the trusted proxy header is empty or malformed";
    BasicRejected = 112, "basic_rejected", InvalidToken, "the Basic user name or password is wrong";
    HeaderMismatch = 113, "header_mismatch", InvalidRequest, "the Mcp-Method or Mcp-Name header does not match the request body";
    MalformedToken = 200, "malformed_token", InvalidToken, "the token is not a compact JWS with three segments";
    EncryptedToken = 201, "encrypted_token", InvalidToken, "encrypted tokens (JWE) are not accepted";
    JsonSerialization = 202, "json_serialization", InvalidToken, "JWS JSON serialization is not accepted";
    InvalidBase64 = 203, "invalid_base64", InvalidToken, "a token segment is not canonical base64url";
    InvalidJson = 204, "invalid_json", InvalidToken, "the token header or payload is not a JSON object";
    JsonTooDeep = 205, "json_too_deep", InvalidToken, "the token's JSON nests too deeply";
    DuplicateMember = 206, "duplicate_member", InvalidToken, "a JSON object has a duplicate member name";
    TokenTooLarge = 207, "token_too_large", InvalidToken, "the token is larger than allowed";
    MissingAlgorithm = 208, "missing_algorithm", InvalidToken, "the token header has no alg";
    UnsecuredToken = 209, "unsecured_token", InvalidToken, "unsecured tokens (alg none) are not accepted";
    UnsupportedCritical = 210, "unsupported_critical", InvalidToken, "the token header has critical extensions";
    WrongType = 211, "wrong_type", InvalidToken, "the token header typ is not the required one";
    InvalidHeader = 212, "invalid_header", InvalidToken, "the token header has a member of the wrong type";
    HeaderTooLarge = 213, "header_too_large", InvalidToken, "the token header is longer than allowed";
    TooManyMembers = 214, "too_many_members", InvalidToken, "a JSON object in the token has too many members";
    UnknownKey = 300, "unknown_key", InvalidToken, "no key matches the token's kid";
    KeyIdRequired = 301, "key_id_required", InvalidToken, "the token has no kid and several keys could match";
    AlgorithmMismatch = 302, "algorithm_mismatch", InvalidToken, "the token's alg is not the key's algorithm";
    InvalidSignatureLength = 303, "invalid_signature_length", InvalidToken, "the signature has the wrong length";
    BadSignature = 304, "bad_signature", InvalidToken, "the signature does not verify";
    KeysUnavailable = 305, "keys_unavailable", InvalidToken, "the keys could not be refreshed within their maximum staleness";
    Expired = 400, "expired", Expired, "the token has expired";
    NotYetValid = 401, "not_yet_valid", Expired, "the token is not valid yet";
    IssuedInFuture = 402, "issued_in_future", InvalidToken, "the token was issued in the future";
    WrongIssuer = 403, "wrong_issuer", InvalidToken, "the token's issuer is not trusted";
    WrongAudience = 404, "wrong_audience", InvalidToken, "the token's audience does not include this service";
    MissingClaim = 405, "missing_claim", InvalidToken, "the token lacks a required claim";
    InvalidClaim = 406, "invalid_claim", InvalidToken, "a registered claim has the wrong type";
    InsufficientScope = 407, "insufficient_scope", InsufficientScope, "the token lacks a required scope";
    UnknownIssuer = 408, "unknown_issuer", InvalidToken, "the token's issuer is none of the trusted issuers";
    WrongAuthorizedParty = 409, "wrong_authorized_party", InvalidToken, "the token's azp or client_id is not an allowed client";
    WrongClaimValue = 410, "wrong_claim_value", InvalidToken, "a claim does not hold the required value";
    IdToken = 411, "id_token", InvalidToken, "the token is an OpenID Connect ID token (it has nonce or at_hash), not an access token";
    InvalidJwk = 500, "invalid_jwk", Configuration, "a JWK is malformed";
    InvalidJwks = 501, "invalid_jwks", Configuration, "the JWKS document is malformed";
    InvalidKey = 502, "invalid_key", Configuration, "the public key is invalid (not a point of its curve, an Ed25519 point of small order, or an even RSA modulus)";
    WeakKey = 503, "weak_key", Configuration, "the HMAC secret is shorter than 32 bytes";
    UnsupportedKey = 504, "unsupported_key", Configuration, "the key type or curve is not supported";
    KeySetFull = 505, "key_set_full", Configuration, "the key set is full";
    ConfigTooLong = 506, "config_too_long", Configuration, "a configured value is longer than its capacity";
    ConfigListFull = 507, "config_list_full", Configuration, "a configured list is full";
    BufferTooSmall = 508, "buffer_too_small", Configuration, "the output buffer is too small";
    InvalidConfig = 509, "invalid_config", Configuration, "a configured value has invalid characters";
    WeakRsaKey = 510, "weak_rsa_key", Configuration, "the RSA key is shorter than 2048 bits";
    UnsupportedRsaExponent = 511, "unsupported_rsa_exponent", Configuration, "the RSA public exponent is not an odd number from 3 to 2^32";
    PublicKeyAsSecret = 512, "public_key_as_secret", Configuration, "the HMAC secret is public-key text (PEM, OpenSSH or JWK)";
}

impl Error {
    /// The HTTP answer this error implies (RFC 6750 §3.1).
    ///
    /// A request with no credential gets a bare challenge with no `error`
    /// (RFC 6750 §3.1: "the resource server SHOULD NOT include an error
    /// code"); malformed or ambiguous requests are `400 invalid_request`;
    /// unacceptable tokens `401 invalid_token`; a missing scope
    /// `403 insufficient_scope`; configuration errors are the server's own
    /// fault, `500`.
    #[must_use]
    pub const fn http(self) -> HttpAnswer {
        let (status, error) = match self.family() {
            Family::Missing => (401, None),
            Family::Conflict | Family::InvalidRequest => (400, Some("invalid_request")),
            Family::InvalidToken | Family::Expired => (401, Some("invalid_token")),
            Family::InsufficientScope => (403, Some("insufficient_scope")),
            Family::Configuration => (500, None),
        };
        HttpAnswer { status, error }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for (i, a) in Error::ALL.iter().enumerate() {
            assert_eq!(Error::from_code(a.code()), Some(*a));
            for b in Error::ALL.iter().skip(i + 1) {
                assert_ne!(a.code(), b.code(), "{a:?} and {b:?} share a code");
                assert_ne!(a.name(), b.name());
            }
        }
        assert_eq!(Error::from_code(0), None);
        assert_eq!(Error::from_code(999), None);
    }

    #[test]
    fn http_answers_follow_rfc6750() {
        assert_eq!(
            Error::MissingCredential.http(),
            HttpAnswer {
                status: 401,
                error: None
            }
        );
        assert_eq!(Error::MultipleMethods.http().status, 400);
        assert_eq!(Error::MultipleMethods.http().error, Some("invalid_request"));
        assert_eq!(Error::Expired.http().error, Some("invalid_token"));
        assert_eq!(Error::InsufficientScope.http().status, 403);
        assert_eq!(Error::KeySetFull.http().status, 500);
    }

    #[test]
    fn codes_sit_in_their_family_range() {
        for e in Error::ALL {
            let range = match e.family() {
                Family::Missing | Family::Conflict | Family::InvalidRequest => 100..200,
                Family::InvalidToken | Family::Expired => 100..500,
                Family::InsufficientScope => 400..500,
                Family::Configuration => 500..600,
            };
            assert!(range.contains(&e.code()), "{e:?}");
        }
    }
}
