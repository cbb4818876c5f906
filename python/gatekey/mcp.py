"""``TokenVerifier`` for the MCP Python SDK (``mcp.server.auth``)."""

from __future__ import annotations

import warnings

from typing import Any, Optional

from gatekey import log
from gatekey._gatekey import AuthError, Verifier


class TokenVerifier:
    """Implements ``mcp.server.auth.provider.TokenVerifier``: every call
    verifies the token (signature and ``exp``) again; nothing is cached past
    the token's lifetime."""

    def __init__(self, verifier: Verifier, *, jwks: Optional[Any] = None, resource: Optional[str] = None) -> None:
        self.verifier = verifier
        if jwks is not None:
            warnings.warn(
                "TokenVerifier(jwks=...) is deprecated and ignored: build the verifier with "
                "Verifier.from_jwks_url or Verifier.from_issuer, which refresh in the background",
                DeprecationWarning,
                stacklevel=2,
            )
        self.jwks = jwks
        # The verifier's `resource` option is the one that checks `aud`
        # (as a URI, RFC 8707) and refuses ID tokens.
        self.resource = resource if resource is not None else verifier.resource

    def _verify(self, token: str) -> tuple[dict[str, Any], list[str]]:
        # The scopes come from the core's one rule (``scope`` split on
        # single spaces, else ``scp``), the one the ``scopes`` option checks.
        # No fetch inline: a verifier from a key source refreshes itself.
        return self.verifier.verify_with_scopes(token)

    async def verify_token(self, token: str) -> Any:
        from mcp.server.auth.provider import AccessToken

        try:
            claims, scopes = self._verify(token)
        except AuthError as error:
            # The SDK's protocol has no room for the reason: it answers
            # invalid_token. The record keeps the precise one.
            log.refused(error, "mcp.TokenVerifier")
            return None
        client_id = claims.get("client_id") or claims.get("azp") or claims.get("sub") or ""
        exp = claims.get("exp")
        fields: dict[str, Any] = {
            "token": token,
            "client_id": str(client_id),
            "scopes": scopes,
            "expires_at": int(exp) if isinstance(exp, (int, float)) else None,
        }
        aud = claims.get("aud")
        resource = self.resource if self.resource and (aud == self.resource or (isinstance(aud, list) and self.resource in aud)) else aud if isinstance(aud, str) else None
        known = getattr(AccessToken, "model_fields", {})
        for name, value in (("resource", resource), ("subject", claims.get("sub")), ("claims", claims)):
            if name in known:
                fields[name] = value
        return AccessToken(**fields)
