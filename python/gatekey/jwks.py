"""Deprecated: keys from a JWKS URL are now fetched and kept current by
gatekey-host, in Rust, on a background thread (``Verifier.from_jwks_url``,
``Verifier.from_issuer``): rotation, ``Cache-Control``/``ETag``, a cooldown
on unknown ``kid``s, single flight and last-known-good keys, with nothing
ever fetched inside a request or on the event loop.

``JWKSClient`` remains as a thin wrapper over that source so that old
code keeps working."""

from __future__ import annotations

import warnings
from typing import Any, Optional

from gatekey._gatekey import KeySet, Verifier


class JWKSClient:
    """Deprecated: use ``Verifier.from_jwks_url(url, **options)``."""

    def __init__(self, url: str, *, min_refresh_interval: float = 30, timeout: float = 5, **_ignored: Any) -> None:
        warnings.warn(
            "gatekey.jwks.JWKSClient is deprecated: use gatekey.Verifier.from_jwks_url",
            DeprecationWarning,
            stacklevel=2,
        )
        self.url = url
        self.cooldown = max(1.0, float(min_refresh_interval))
        self.timeout = float(timeout)
        self._verifier: Optional[Verifier] = None

    def verifier(self, **options: Any) -> Verifier:
        """A ``Verifier`` over the URL's keys, refreshed in the background."""
        options.setdefault("cooldown", self.cooldown)
        options.setdefault("timeout", self.timeout)
        options.setdefault("connect_timeout", min(self.timeout, 5.0))
        self._verifier = Verifier.from_jwks_url(self.url, **options)
        return self._verifier

    def keys(self) -> KeySet:
        """The keys in force."""
        if self._verifier is None:
            self.verifier()
        assert self._verifier is not None
        return self._verifier.keys

    def sync(self, verifier: Verifier, *, unknown_kid: bool = False) -> bool:
        """Does nothing: the verifier's keys refresh themselves."""
        return False
