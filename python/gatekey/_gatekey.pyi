"""Type stubs of the native module, checked with ``python -m mypy.stubtest gatekey._gatekey``."""

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional, Union, final

__all__ = [
    "__version__",
    "AssertionChecker",
    "AuthError",
    "MissingCredential",
    "CredentialConflict",
    "InvalidRequest",
    "InvalidToken",
    "ExpiredToken",
    "InsufficientScope",
    "ConfigurationError",
    "KeySet",
    "Policy",
    "Verifier",
    "CacheInfo",
    "Identity",
    "Resolution",
    "Refusal",
    "resolve",
    "challenge",
    "errors",
    "raise_error",
]

__version__: str

_Bytes = Union[str, bytes]
_Headers = Union[
    Mapping[str, str],
    Mapping[bytes, bytes],
    Iterable[tuple[str, str]],
    Iterable[tuple[bytes, bytes]],
]

@final
class Refusal:
    """The HTTP answer to a refused request, as gatekey-host writes it."""

    @property
    def status(self) -> int: ...
    @property
    def www_authenticate(self) -> Optional[str]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def headers(self) -> list[tuple[bytes, bytes]]: ...

class AuthError(Exception):
    """A request could not be authenticated."""

    code: int
    name: str
    status: int
    error: Optional[str]
    www_authenticate: str
    claim: Optional[str]
    kid: Optional[str]
    issuer: Optional[str]
    scope: Optional[str]
    refusal: Optional[Refusal]

class MissingCredential(AuthError): ...
class CredentialConflict(AuthError): ...
class InvalidRequest(AuthError): ...
class InvalidToken(AuthError): ...
class ExpiredToken(InvalidToken): ...
class InsufficientScope(AuthError): ...

class ConfigurationError(AuthError):
    option: Optional[str]
    value: Optional[str]
    expected: Optional[str]

@final
class KeySet:
    def __new__(cls) -> KeySet: ...
    @staticmethod
    def from_jwks(data: Union[str, bytes, Mapping[str, Any]]) -> KeySet: ...
    @staticmethod
    def hs256(secret: _Bytes, kid: Optional[str] = None) -> KeySet: ...
    @staticmethod
    def from_pem(pem: _Bytes, kid: Optional[str] = None) -> KeySet: ...
    def union(self, other: KeySet) -> KeySet: ...
    def __or__(self, other: KeySet, /) -> KeySet: ...
    def __ror__(self, other: KeySet, /) -> KeySet: ...
    def __len__(self) -> int: ...
    def __contains__(self, kid: str, /) -> bool: ...
    @property
    def kids(self) -> list[Optional[str]]: ...
    @property
    def algorithms(self) -> list[str]: ...
    @property
    def skipped(self) -> int: ...

@final
class Policy:
    @staticmethod
    def header_first(
        *,
        cookie: str = "jwt_token",
        proxy_header: Optional[str] = None,
        basic: Optional[tuple[str, str]] = None,
        query: bool = False,
        conflict: Optional[str] = None,
    ) -> Policy: ...
    @staticmethod
    def cookie_first(
        *,
        cookie: str = "jwt_token",
        proxy_header: Optional[str] = None,
        basic: Optional[tuple[str, str]] = None,
        query: bool = False,
        conflict: Optional[str] = None,
    ) -> Policy: ...
    @staticmethod
    def strict() -> Policy: ...
    @property
    def name(self) -> str: ...
    @property
    def order(self) -> list[str]: ...
    @property
    def conflict(self) -> str: ...
    @property
    def cookie(self) -> str: ...
    @property
    def proxy_header(self) -> Optional[str]: ...
    def accepts(self, source: str) -> bool: ...

@final
class Identity:
    @property
    def source(self) -> str: ...
    @property
    def subject(self) -> Optional[str]: ...
    @property
    def claims(self) -> dict[str, Any]: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def token(self) -> Optional[str]: ...
    @property
    def shadowed(self) -> list[str]: ...
    @property
    def skipped(self) -> list[tuple[str, str]]: ...
    @property
    def drift(self) -> bool: ...

@final
class Resolution:
    @property
    def source(self) -> Optional[str]: ...
    @property
    def credential(self) -> Optional[str]: ...
    @property
    def shadowed(self) -> list[str]: ...
    @property
    def skipped(self) -> list[tuple[str, str]]: ...
    @property
    def drift(self) -> bool: ...

@final
class CacheInfo:
    @property
    def hits(self) -> int: ...
    @property
    def misses(self) -> int: ...
    @property
    def maxsize(self) -> int: ...
    @property
    def currsize(self) -> int: ...

@final
class Verifier:
    def __new__(
        cls,
        keys: Union[KeySet, Mapping[str, KeySet]],
        *,
        policy: Optional[Policy] = None,
        issuer: Union[str, Sequence[str], None] = None,
        audience: Union[str, Sequence[str], None] = None,
        leeway: int = 0,
        require: Sequence[str] = ...,
        required: bool = True,
        cache_size: int = 0,
        scope: Union[str, Sequence[str], None] = None,
        typ: Optional[str] = None,
        issuers: Union[str, Sequence[str], None] = None,
        audiences: Union[str, Sequence[str], None] = None,
        scopes: Union[str, Sequence[str], None] = None,
        claims: Optional[Mapping[str, Union[str, Sequence[str]]]] = None,
        claim_values: Optional[Mapping[str, Union[str, Sequence[str]]]] = None,
        authorized_parties: Union[str, Sequence[str], None] = None,
        azp: Union[str, Sequence[str], None] = None,
        client_ids: Union[str, Sequence[str], None] = None,
        client_id: Union[str, Sequence[str], None] = None,
        realm: Optional[str] = None,
        resource_metadata: Optional[str] = None,
        resource: Optional[str] = None,
        refuse_id_tokens: Optional[bool] = None,
        scope_rules: Union[str, Sequence[str], None] = None,
        scope_policy: Union[str, Sequence[str], None] = None,
    ) -> Verifier: ...
    def verify(self, token: _Bytes, *, now: Optional[int] = None) -> dict[str, Any]: ...
    def verify_with_scopes(self, token: _Bytes, *, now: Optional[int] = None) -> tuple[dict[str, Any], list[str]]: ...
    def authenticate(
        self,
        headers: _Headers,
        *,
        query: Optional[_Bytes] = None,
        token: Optional[_Bytes] = None,
        now: Optional[int] = None,
    ) -> Optional[Identity]: ...
    def check_call(self, headers: _Headers, method: str, name: Optional[str] = None) -> None: ...
    def require_scopes(self, identity: Optional[Identity], scopes: Union[str, Sequence[str]]) -> None: ...
    def resolve(
        self,
        headers: _Headers,
        *,
        query: Optional[_Bytes] = None,
        token: Optional[_Bytes] = None,
    ) -> Resolution: ...
    def refusal(
        self,
        error: AuthError,
        *,
        realm: Optional[str] = None,
        resource_metadata: Optional[str] = None,
    ) -> Refusal: ...
    def set_keys(self, keys: Union[KeySet, Mapping[str, KeySet]]) -> None: ...
    def cache_info(self) -> CacheInfo: ...
    def cache_clear(self) -> None: ...
    @staticmethod
    def from_jwks_url(url: str, *, policy: Optional[Policy] = None, **options: Any) -> Verifier: ...
    @staticmethod
    def from_issuer(issuer: str, *, policy: Optional[Policy] = None, **options: Any) -> Verifier: ...
    @staticmethod
    def from_jwks_file(path: Union[str, os.PathLike[str]], *, policy: Optional[Policy] = None, **options: Any) -> Verifier: ...
    def key_status(self) -> Optional[dict[str, Any]]: ...
    def refresh(self) -> bool: ...
    @property
    def keys(self) -> KeySet: ...
    @property
    def issuers(self) -> Optional[dict[str, KeySet]]: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def required(self) -> bool: ...
    @property
    def resource(self) -> Optional[str]: ...
    @property
    def resource_metadata(self) -> Optional[str]: ...
    @property
    def scopes_supported(self) -> list[str]: ...
    @property
    def scope_rules(self) -> list[str]: ...

@final
class AssertionChecker:
    def __new__(cls, key: _Bytes, *, audience: str, leeway: int = 0) -> AssertionChecker: ...
    def verify_assertion(
        self,
        header_value: Optional[_Bytes],
        *,
        credential: Optional[_Bytes] = None,
        now: Optional[int] = None,
    ) -> tuple[str, str]: ...

def resolve(
    headers: _Headers,
    policy: Policy,
    *,
    query: Optional[_Bytes] = None,
    token: Optional[_Bytes] = None,
) -> Resolution: ...
def challenge(
    code: Optional[int] = None,
    *,
    realm: Optional[str] = None,
    scope: Optional[str] = None,
    resource_metadata: Optional[str] = None,
) -> str: ...
def errors() -> list[tuple[int, str, int, str]]: ...
def raise_error(code: int) -> None: ...
