"""Which address a request came from, behind the deployment's own proxies.

A load balancer or TLS proxy in front appends the address it saw to X-Forwarded-For, so the
connection's own address is the proxy's. With `trusted_proxies` such proxies (`limits:` in
config/clinic.yml, or INTAKE_TRUSTED_PROXIES, which the deployment sets), the client is the entry
the outermost trusted proxy wrote; entries further left are what the client itself claimed and are
never believed. The sign-in waits and the message rate limits count by this address.
"""
from __future__ import annotations

import os
from typing import Optional

from intake.settings import settings

TRUSTED_PROXIES_ENV = "INTAKE_TRUSTED_PROXIES"
LOOPBACK = ("127.", "::1", "localhost")


def trusted_proxies() -> int:
    configured = os.environ.get(TRUSTED_PROXIES_ENV, "").strip()
    value = int(configured) if configured else int(settings().section("limits").get("trusted_proxies", 0))
    if value < 0:
        raise ValueError(f"{TRUSTED_PROXIES_ENV} / limits.trusted_proxies must be 0 or more")
    return value


def client_address(forwarded_for: Optional[str], peer: Optional[str], proxies: Optional[int] = None) -> str:
    """The client's address from the X-Forwarded-For header and the connection's own address."""
    proxies = trusted_proxies() if proxies is None else proxies
    chain = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    chain.append(peer or "unknown")
    return chain[max(0, len(chain) - 1 - proxies)]


def counted_address(forwarded_for: Optional[str], peer: Optional[str], proxies: Optional[int] = None) -> Optional[str]:
    """The address to count a request under, or None for a client on this machine itself (the
    embedded default, the tests): only when the connection is from loopback and no trusted proxy
    reported another address. An address a client writes itself is never enough to go uncounted."""
    proxies = trusted_proxies() if proxies is None else proxies
    address = client_address(forwarded_for, peer, proxies)
    reported_by_proxy = proxies > 0 and bool((forwarded_for or "").strip())
    if not reported_by_proxy and (peer or "").startswith(LOOPBACK):
        return None
    return address
