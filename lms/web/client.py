"""The client's address, believing X-Forwarded-For only from configured trusted proxies."""
from __future__ import annotations

import ipaddress

from flask import current_app, request


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address() -> str:
    networks = current_app.config["LMS_SECURITY_TRUSTED_PROXIES"]
    address = request.remote_addr or "unknown"
    if not networks or not _trusted(address, networks):
        return address
    # Walk the chain from the nearest hop; the first untrusted hop is the client.
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
        address = hop
    return address
