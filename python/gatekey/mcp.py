"""``TokenVerifier`` for the MCP Python SDK (``mcp.server.auth``)."""

from __future__ import annotations

from typing import Any, Optional

from gatekey._gatekey import AuthError, Verifier


def _scopes(claims: dict[str, Any]) -> list[str]:
    scope = claims.get("scope")
    if isinstance(scope, str):
        return scope.split()
    scp = claims.get("scp")
    if isinstance(scp, list):
        return [s for s in scp if isinstance(s, str)]
    return []


class TokenVerifier:
    """Implements ``mcp.server.auth.provider.TokenVerifier``: every call
    verifies the token (signature and ``exp``) again; nothing is cached past
    the token's lifetime."""

    def __init__(self, verifier: Verifier, *, jwks: Optional[Any] = None, resource: Optional[str] = None) -> None:
        self.verifier = verifier
        self.jwks = jwks
        self.resource = resource

    def _verify(self, token: str) -> dict[str, Any]:
        try:
            return self.verifier.verify(token)
        except AuthError as error:
            if self.jwks is None or error.name != "unknown_key" or not self.jwks.sync(self.verifier, unknown_kid=True):
                raise
            return self.verifier.verify(token)

    async def verify_token(self, token: str) -> Any:
        from mcp.server.auth.provider import AccessToken

        try:
            claims = self._verify(token)
        except AuthError:
            return None
        client_id = claims.get("client_id") or claims.get("azp") or claims.get("sub") or ""
        exp = claims.get("exp")
        fields: dict[str, Any] = {
            "token": token,
            "client_id": str(client_id),
            "scopes": _scopes(claims),
            "expires_at": int(exp) if isinstance(exp, (int, float)) else None,
        }
        aud = claims.get("aud")
        resource = self.resource if self.resource and (aud == self.resource or (isinstance(aud, list) and self.resource in aud)) else aud if isinstance(aud, str) else None
        known = getattr(AccessToken, "model_fields", {})
        for name, value in (("resource", resource), ("subject", claims.get("sub")), ("claims", claims)):
            if name in known:
                fields[name] = value
        return AccessToken(**fields)
