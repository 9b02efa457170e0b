"""Who is on the other end of a request, through the reverse proxies the centre says it runs.

Behind a proxy every request comes from the proxy's address over plain HTTP: the sign-in
throttle would count one address for everybody (one outsider could lock every account out) and
cookies would never be Secure. Only a proxy listed in LEGALAID_WEB_TRUSTED_PROXIES is believed;
the client is the right-most X-Forwarded-For address that is not one of them (a client can put
anything on the left).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web


@dataclass(frozen=True)
class Client:
    address: str
    https: bool


def client_of(request: web.Request, trusted: frozenset[str]) -> Client:
    peer = request.remote or ""
    if peer not in trusted:
        return Client(peer, request.secure)
    forwarded = [a.strip() for a in ",".join(request.headers.getall("X-Forwarded-For", [])).split(",") if a.strip()]
    address = next((a for a in reversed(forwarded) if a not in trusted), peer)
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return Client(address, request.secure or proto == "https")
