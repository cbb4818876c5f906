"""Records of gatekey's decisions on the standard ``logging`` logger
``gatekey``: one per refusal (INFO) and one per accepted request whose
credentials drift (WARNING: two sources carried different credentials and
the policy picked one), so that drift is visible without application code.

Each record carries structured fields as attributes (for a JSON formatter,
or ``%(reason)s`` in a format string): ``outcome`` (``"refused"`` or
``"accepted"``), ``reason`` (the stable error name, for a refusal),
``status``, ``source``, ``shadowed``, ``claim``, ``kid``, ``issuer``,
``scope`` and ``where`` (the surface that decided). Never a token, a
secret or a claim's value: ``kid`` and ``issuer`` come escaped and bounded
from gatekey-host, and the subject is left out.

Nothing is formatted unless the logger is enabled for the level.
"""

from __future__ import annotations

import logging

from typing import Optional

from gatekey._gatekey import AuthError, Identity

__all__ = ["logger", "refused", "accepted"]

#: The logger every gatekey surface writes to.
logger = logging.getLogger("gatekey")


def refused(error: AuthError, where: str) -> None:
    """Records the refusal ``error`` decided by ``where``."""
    if not logger.isEnabledFor(logging.INFO):
        return
    fields = {
        "outcome": "refused",
        "reason": error.name,
        "status": error.status,
        "source": None,
        "shadowed": [],
        "claim": error.claim,
        "kid": error.kid,
        "issuer": error.issuer,
        "scope": error.scope,
        "where": where,
    }
    logger.info("gatekey refused a request: %s (%s)", error.name, error, extra=fields)


def accepted(identity: Optional[Identity], where: str) -> None:
    """Records an accepted request when its credentials drift."""
    if identity is None or not identity.drift or not logger.isEnabledFor(logging.WARNING):
        return
    fields = {
        "outcome": "accepted",
        "reason": "drift",
        "status": None,
        "source": identity.source,
        "shadowed": identity.shadowed,
        "claim": None,
        "kid": None,
        "issuer": None,
        "scope": None,
        "where": where,
    }
    shadowed = ", ".join(identity.shadowed)
    logger.warning(
        "gatekey accepted a request whose credentials drift: %s won over a different %s", identity.source, shadowed, extra=fields
    )
