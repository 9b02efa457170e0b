"""The few WeChat API calls the channel makes (custom send, menu create), with one cached access_token."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.channels.wechat_settings import WeChatSettings
from bot.courier import Unreachable
from common.retry import Backoff, retrying

log = logging.getLogger(__name__)

# Refreshing a token this long before WeChat says it expires avoids using one that just lapsed.
TOKEN_MARGIN_SECONDS = 300
# Errcodes that mean "this access_token is no longer good": fetch a new one and try once more.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# Customer-service messages refused for this person until they write again: 45015, nothing from
# them for 48 hours; 43004, they unfollowed the account.
UNREACHABLE_ERRCODES = frozenset({43004, 45015})
# Fetching a token when WeChat is busy (-1), unreachable or answering 5xx: a few quick retries.
TOKEN_RETRY = Backoff(first=0.5, factor=2, cap=4, retries=3)
SYSTEM_BUSY = -1


def busy(exc: Exception) -> bool:
    """Worth another try: WeChat busy, the network, or a 5xx (a bad app secret is not)."""
    return isinstance(exc, WeChatApiError) and (exc.errcode == SYSTEM_BUSY or exc.errcode <= -500)


class WeChatApiError(Exception):
    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"WeChat API errcode {errcode}: {errmsg}")
        self.errcode = errcode


class WeChatApi:
    """The few API calls the channel makes, with one cached access_token.

    Tokens and secrets travel in query strings, so errors are re-raised without the URL.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        settings: WeChatSettings,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.session = session
        self.settings = settings
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()  # one token fetch at a time

    async def access_token(self) -> str:
        async with self._lock:
            if self._token is not None and self.clock() < self._expires_at:
                return self._token
            data = await retrying(self._fetch_token, busy, TOKEN_RETRY, "wechat token")
            expires_in = int(data.get("expires_in", 7200))
            self._token = data["access_token"]
            self._expires_at = self.clock() + expires_in - min(TOKEN_MARGIN_SECONDS, expires_in / 2)
            log.info("wechat: new access_token, valid %d s", expires_in)
            return self._token

    async def _fetch_token(self) -> dict[str, Any]:
        params = {
            "grant_type": "client_credential",
            "appid": self.settings.app_id,
            "secret": self.settings.app_secret.get_secret_value(),
        }
        data = await self._request("GET", "/cgi-bin/token", params=params)
        if not isinstance(data.get("access_token"), str):
            raise WeChatApiError(int(data.get("errcode", SYSTEM_BUSY)), str(data.get("errmsg", "no access_token")))
        return data

    def _forget(self, token: str) -> None:
        if self._token == token:  # another call may have fetched a fresh one already
            self._token = None

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST a JSON call; a stale token is refreshed and the call made once more."""
        for attempt in range(2):
            token = await self.access_token()
            data = await self._request("POST", path, params={"access_token": token}, payload=payload)
            errcode = int(data.get("errcode", 0))
            if errcode == 0:
                return data
            if errcode in TOKEN_ERRCODES and attempt == 0:
                log.info("wechat: access_token refused (%d); fetching a new one", errcode)
                self._forget(token)
                continue
            raise WeChatApiError(errcode, str(data.get("errmsg", "")))
        raise AssertionError("unreachable")

    async def _request(
        self, method: str, path: str, params: dict[str, str], payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        # Chinese goes as UTF-8 rather than \u escapes, as wechatpy sends it.
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else None
        try:
            async with self.session.request(
                method, self.settings.api_base_url + path, params=params, data=body, headers=headers
            ) as resp:
                if resp.status != 200:
                    raise WeChatApiError(-resp.status, f"HTTP {resp.status} from {path}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise WeChatApiError(-1, f"{type(exc).__name__} calling {path}") from None
        if not isinstance(data, dict):
            raise WeChatApiError(-1, f"unexpected answer from {path}")
        return data

    async def send_text(self, openid: str, text: str) -> None:
        try:
            await self.call("/cgi-bin/message/custom/send",
                            {"touser": openid, "msgtype": "text", "text": {"content": text}})
        except WeChatApiError as exc:
            if exc.errcode in UNREACHABLE_ERRCODES:
                raise Unreachable() from exc
            raise

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self.call("/cgi-bin/menu/create", menu)
