"""PTB's HTTP layer (`telegram.request.BaseRequest`) on aiohttp, instead of PTB's own httpx one.

Why: the bot's CPU per update. Through PTB + httpx a Bot API call costs about twice the CPU it
costs through aiohttp (httpcore scans its pool and checks every idle socket on each request), and
a turn makes one to three calls (bench/telegram_e2e.py: echo and ours, before and after).

Behaviour follows PTB's `HTTPXRequest.do_request`, so the retry policy (`telegram_requests.
transient`) and the rate limiter see the same errors: a timeout of any kind raises TimedOut, any
other transport failure NetworkError, and PTB itself turns the status codes into BadRequest,
RetryAfter and the rest. aiohttp has no write timeout of its own, so a request as a whole is
bounded by the sum of its four timeouts (for getUpdates PTB adds the long-poll time to the read
timeout). Unlike httpx's form fields, a call without a file goes as one JSON body (PTB's
`RequestData.parameters`), which the Bot API accepts alike. HTTP_PROXY / HTTPS_PROXY / ALL_PROXY
and NO_PROXY are honoured as httpx honours them; a SOCKS proxy is refused at start-up (PTB's
httpx needs an extra that is not installed either).
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.request
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.usage import UsageError

PROXY_SCHEMES = ("http", "https")
JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One aiohttp ClientSession per request object, its connections capped at the pool size."""

    __slots__ = ("_pool_size", "_timeouts", "_media_write_timeout", "_session", "_proxies")

    def __init__(
        self,
        *,
        connection_pool_size: int,
        read_timeout: float | None,
        write_timeout: float | None,
        connect_timeout: float | None,
        pool_timeout: float | None,
        media_write_timeout: float | None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}
        environment_proxies()  # a SOCKS proxy is refused now, not at the first call

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts[0]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # The certificate authorities PTB's httpx trusts: certifi's, or SSL_CERT_FILE's.
            trusted = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or certifi.where())
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=trusted),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read, write, connect, pool = self._timeouts
        if files:
            write = self._media_write_timeout
        timeout = client_timeout(
            read if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout,
            write if write_timeout is BaseRequest.DEFAULT_NONE else write_timeout,
            connect if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout,
            pool if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout,
        )
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if files:
            # quote_fields=False: file names go as UTF-8, as httpx sends them; percent-encoded
            # names would be shown to people as "%E6%B3%95…".
            body = aiohttp.FormData(request_data.json_parameters, quote_fields=False)  # type: ignore[union-attr]
            for name, (filename, content, mime_type) in files.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
        elif request_data is not None:
            # Everything else as one JSON body (the Bot API takes application/json): one C-level
            # json.dumps, where a form would JSON-encode each nested field, then percent-encode
            # every byte of the text in Python (aiohttp's FormData): about a tenth of a reply's CPU.
            body = json.dumps(request_data.parameters).encode()
            headers = JSON_HEADERS
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        # `from None`: aiohttp's messages and causes quote the request URL, which holds the bot token.
        except TimeoutError:  # aiohttp's timeouts (connect, pool, read, total) all subclass it
            raise TimedOut from None
        except (aiohttp.ClientError, OSError) as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}") from None

    def _proxy(self, url: str) -> str | None:
        """The proxy for the URL's scheme and host, looked up once per host (not per call)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxies = environment_proxies()
            bypassed = bool(parts.hostname) and urllib.request.proxy_bypass(parts.hostname)
            self._proxies[key] = None if bypassed else proxies.get(parts.scheme) or proxies.get("all")
        return self._proxies[key]


@lru_cache(maxsize=64)
def client_timeout(read: float | None, write: float | None, connect: float | None,
                   pool: float | None) -> aiohttp.ClientTimeout:
    """aiohttp's form of PTB's four timeouts; `connect` there includes waiting for a free connection."""
    parts = (read, write, connect, pool)
    return aiohttp.ClientTimeout(
        total=None if None in parts else sum(parts),  # type: ignore[arg-type]
        connect=None if connect is None or pool is None else connect + pool,
        sock_connect=connect,
        sock_read=read,
    )


def environment_proxies() -> dict[str, str]:
    """HTTP(S)_PROXY and ALL_PROXY from the environment; a scheme aiohttp cannot speak is a usage error."""
    proxies = {scheme: proxy for scheme, proxy in urllib.request.getproxies().items()
               if scheme in ("http", "https", "all")}
    for name, proxy in proxies.items():
        if urlsplit(proxy).scheme not in PROXY_SCHEMES:
            raise UsageError(f"{name.upper()}_PROXY: only http:// and https:// proxies are supported"
                             f" for the Telegram connection, not {urlsplit(proxy).scheme}://")
    return proxies
