"""gatekey: one credential resolver and JWT verifier for every layer of a gateway.

Every rule (which credential wins, how a token is verified, what the
``WWW-Authenticate`` challenge says) lives in the Rust core; this package
converts types, releases the GIL while a public-key signature is checked,
and maps errors.

>>> import gatekey
>>> verifier = gatekey.Verifier(gatekey.KeySet.hs256(b"0" * 32), policy=gatekey.Policy.header_first())
>>> identity = verifier.authenticate(request_headers)   # doctest: +SKIP
"""

from gatekey._gatekey import (
    AssertionChecker,
    AuthError,
    CacheInfo,
    ConfigurationError,
    CredentialConflict,
    ExpiredToken,
    Identity,
    InsufficientScope,
    InvalidRequest,
    InvalidToken,
    KeySet,
    MissingCredential,
    Policy,
    Refusal,
    Resolution,
    Verifier,
    __version__,
    challenge,
    errors,
    resolve,
)

__all__ = [
    "AssertionChecker",
    "AuthError",
    "CacheInfo",
    "ConfigurationError",
    "CredentialConflict",
    "ExpiredToken",
    "Identity",
    "InsufficientScope",
    "InvalidRequest",
    "InvalidToken",
    "KeySet",
    "MissingCredential",
    "Policy",
    "Refusal",
    "Resolution",
    "Verifier",
    "__version__",
    "challenge",
    "errors",
    "resolve",
]
