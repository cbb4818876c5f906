"""A JWKS client on the standard library: fetch, cache, refetch on an
unknown ``kid`` at most once per interval, keep the last good set when the
identity provider is down."""

from __future__ import annotations

import threading
import time
import urllib.request
from typing import Callable, Optional

from gatekey._gatekey import KeySet, Verifier


class JWKSClient:
    def __init__(
        self,
        url: str,
        *,
        ttl: float = 300,
        min_refresh_interval: float = 30,
        timeout: float = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.ttl = ttl
        self.min_refresh_interval = min_refresh_interval
        self.timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: Optional[KeySet] = None
        self._fetched = float("-inf")  # when the last good set arrived
        self._attempted = float("-inf")  # when the last fetch was tried
        self.last_error: Optional[Exception] = None
        self.fetches = 0

    def _fetch(self) -> bool:
        self._attempted = self._clock()
        self.fetches += 1
        try:
            request = urllib.request.Request(self.url, headers={"accept": "application/json"})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                keys = KeySet.from_jwks(response.read())
        except Exception as error:  # the IdP is down or serves garbage: keep the last good set
            self.last_error = error
            return False
        self._keys, self._fetched, self.last_error = keys, self._attempted, None
        return True

    def keys(self) -> KeySet:
        """The current key set, refetched when older than ``ttl``.

        Raises the fetch error only when no set was ever fetched."""
        with self._lock:
            now = self._clock()
            stale = now - self._fetched >= self.ttl
            if self._keys is None or (stale and now - self._attempted >= self.min_refresh_interval):
                self._fetch()
            if self._keys is None:
                raise self.last_error or RuntimeError(f"no JWKS from {self.url}")
            return self._keys

    def refresh(self, *, unknown_kid: bool = False) -> bool:
        """Refetches now, unless one was tried within ``min_refresh_interval``
        (always for the first fetch). Returns whether a new set arrived."""
        with self._lock:
            if self._keys is not None and self._clock() - self._attempted < self.min_refresh_interval:
                return False
            return self._fetch()

    def sync(self, verifier: Verifier, *, unknown_kid: bool = False) -> bool:
        """Gives ``verifier`` the current keys; with ``unknown_kid``, refetches
        first (rate-limited). Returns whether the verifier got new keys."""
        before = self._keys
        if unknown_kid:
            self.refresh(unknown_kid=True)
        keys = self.keys()
        if keys is before and not unknown_kid:
            return False
        verifier.set_keys(keys)
        return keys is not before

    def verifier(self, **options: object) -> Verifier:
        """A ``Verifier`` over the current keys (options as ``Verifier``)."""
        return Verifier(self.keys(), **options)  # type: ignore[arg-type]
