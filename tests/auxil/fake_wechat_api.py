"""A fake WeChat Official Account API on 127.0.0.1, for end-to-end tests of the WeChat channel.

    async with FakeWeChatApi(app_id="wx…", secret="…") as api:
        settings = WeChatSettings(..., WECHAT_API_BASE_URL=api.base_url)
        ...
        [text] = await api.wait_for_messages("openid-1", 1)

What it imitates, because clients get it wrong against the real API:

* ``GET /cgi-bin/token``: a new access_token with ``expires_in``; a wrong appid or secret is
  errcode 40013 / 40125; fetching a new token does not revoke the old one here (the real API
  keeps the old one valid for a few minutes too).
* every other call needs a current ``access_token`` in the query: an unknown one is 40001, an
  expired one 42001 (``expire_tokens()`` expires every token issued so far, as if two hours
  had passed);
* ``POST /cgi-bin/message/custom/send``: only ``msgtype`` text is accepted here; content over
  2048 UTF-8 bytes is 45002 (the real limit); messages are recorded in order;
* ``POST /cgi-bin/menu/create``: WeChat's limits — at most 3 top-level buttons of at most 16
  bytes, at most 5 sub-buttons of at most 60 bytes, CLICK keys of at most 128 bytes —
  otherwise errcode 40016 / 40017 / 40018 / 40019 / 40023;
* ``GET /cgi-bin/media/get``: the bytes of a media file a user sent (``add_media``), with its
  content type; an unknown media_id is errcode 40007 as JSON;
* ``POST /cgi-bin/media/upload?type=voice``: multipart field ``media``, at most 2 MB for voice
  (40006 otherwise); answers ``{"type", "media_id", "created_at"}``;
* customer-service ``msgtype`` voice with an uploaded ``media_id`` (40007 for any other id),
  recorded in ``voices``;
* ``fail_next(path, errcode)`` answers the next call to ``path`` with that errcode.

Errors come back as HTTP 200 with ``{"errcode": N, "errmsg": "..."}``, as on the real API.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

HOST = "127.0.0.1"
MAX_TEXT_BYTES = 2048
MEDIA_PIECE = 1024  # bytes per write of a media file
TOKEN_ERRORS = {40001: "invalid credential, access_token is invalid or not latest",
                42001: "access_token expired"}


@dataclass(frozen=True)
class CustomMessage:
    touser: str
    content: str
    access_token: str


@dataclass(frozen=True)
class VoiceMessage:
    touser: str
    media_id: str
    audio: bytes


@dataclass(frozen=True)
class ApiCall:
    path: str
    errcode: int


class FakeWeChatApi:
    def __init__(self, app_id: str = "wx-fake-app", secret: str = "fake-secret", expires_in: int = 7200):
        self.app_id = app_id
        self.secret = secret
        self.expires_in = expires_in
        self.messages: list[CustomMessage] = []
        self.menus: list[dict[str, Any]] = []
        self.calls: list[ApiCall] = []
        self.voices: list[VoiceMessage] = []
        self.media_gets: list[str] = []
        self._media: dict[str, tuple[bytes, str]] = {}  # media_id -> (content, content type)
        self._uploaded: dict[str, bytes] = {}
        self.token_requests = 0
        self._tokens: dict[str, float] = {}  # token -> monotonic expiry
        self._serial = itertools.count(1)
        self._faults: dict[str, list[int]] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port = 0

    async def __aenter__(self) -> FakeWeChatApi:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/menu/create", self._menu_create)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        app.router.add_post("/cgi-bin/media/upload", self._media_upload)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self._port}"

    # ------------------------------------------------------------------ fault injection

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (42001 on its next use)."""
        for token in self._tokens:
            self._tokens[token] = 0.0

    def fail_next(self, path: str, errcode: int) -> None:
        self._faults.setdefault(path, []).append(errcode)

    def add_media(self, content: bytes, content_type: str = "audio/amr") -> str:
        """Media a user sent (a voice message's AMR): its media_id, for the message's MediaId."""
        media_id = f"MEDIA-{next(self._serial)}"
        self._media[media_id] = (content, content_type)
        return media_id

    # ------------------------------------------------------------------ assertions

    async def wait_for_voices(self, touser: str, count: int, timeout: float = 5.0) -> list[VoiceMessage]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len([v for v in self.voices if v.touser == touser]) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            raise AssertionError(f"expected {count} voice messages to {touser}, got {self.voices}") from None
        return [v for v in self.voices if v.touser == touser]

    def sent_to(self, touser: str) -> list[str]:
        return [m.content for m in self.messages if m.touser == touser]

    async def wait_for_messages(self, touser: str, count: int, timeout: float = 5.0) -> list[str]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.sent_to(touser)) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"expected {count} messages to {touser}, got {self.sent_to(touser)}"
            ) from None
        return self.sent_to(touser)

    # ------------------------------------------------------------------ the API

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        faults = self._faults.get(request.path)
        if faults:
            return _error(faults.pop(0), "injected fault")
        q = request.query
        if q.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        if q.get("appid") != self.app_id:
            return _error(40013, "invalid appid")
        if q.get("secret") != self.secret:
            return _error(40125, "invalid appsecret")
        token = f"TOKEN-{next(self._serial)}"
        self._tokens[token] = time.monotonic() + self.expires_in
        return web.json_response({"access_token": token, "expires_in": self.expires_in})

    def _check_token(self, request: web.Request) -> int:
        token = request.query.get("access_token", "")
        if token not in self._tokens:
            return 40001
        if time.monotonic() >= self._tokens[token]:
            return 42001
        return 0

    async def _record(self, path: str, errcode: int) -> None:
        async with self._changed:
            self.calls.append(ApiCall(path, errcode))
            self._changed.notify_all()

    async def _body(self, request: web.Request) -> dict[str, Any] | None:
        try:
            body = json.loads(await request.read())
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        return body if isinstance(body, dict) else None

    async def _precheck(self, request: web.Request) -> web.Response | None:
        path = request.path
        faults = self._faults.get(path)
        errcode = faults.pop(0) if faults else self._check_token(request)
        if errcode:
            await self._record(path, errcode)
            return _error(errcode, TOKEN_ERRORS.get(errcode, "injected fault"))
        return None

    async def _custom_send(self, request: web.Request) -> web.Response:
        if (refused := await self._precheck(request)) is not None:
            return refused
        body = await self._body(request)
        if body is not None and body.get("msgtype") == "voice":
            return await self._voice_send(request, body)
        if body is None or body.get("msgtype") != "text" or not isinstance(body.get("text"), dict):
            await self._record(request.path, 40008)
            return _error(40008, "invalid message type")
        content = body["text"].get("content", "")
        if not isinstance(content, str) or not content:
            await self._record(request.path, 44003)
            return _error(44003, "empty content")
        if len(content.encode("utf-8")) > MAX_TEXT_BYTES:
            await self._record(request.path, 45002)
            return _error(45002, "content size out of limit")
        async with self._changed:
            self.messages.append(CustomMessage(str(body.get("touser", "")), content,
                                               request.query["access_token"]))
            self.calls.append(ApiCall(request.path, 0))
            self._changed.notify_all()
        return _error(0, "ok")

    async def _voice_send(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        media_id = (body.get("voice") or {}).get("media_id", "")
        if media_id not in self._uploaded:
            await self._record(request.path, 40007)
            return _error(40007, "invalid media_id")
        async with self._changed:
            self.voices.append(VoiceMessage(str(body.get("touser", "")), media_id, self._uploaded[media_id]))
            self.calls.append(ApiCall(request.path, 0))
            self._changed.notify_all()
        return _error(0, "ok")

    async def _media_get(self, request: web.Request) -> web.Response:
        if (refused := await self._precheck(request)) is not None:
            return refused
        media_id = request.query.get("media_id", "")
        await self._record(request.path, 0 if media_id in self._media else 40007)
        if media_id not in self._media:
            return _error(40007, "invalid media_id")
        self.media_gets.append(media_id)
        content, content_type = self._media[media_id]
        # In pieces, without a length, as a real network delivers it: a client reading only what has
        # arrived so far gets the first piece, not the recording.
        response = web.StreamResponse(headers={"Content-disposition": f'attachment; filename="{media_id}.amr"'})
        response.content_type = content_type
        await response.prepare(request)
        try:
            for start in range(0, len(content), MEDIA_PIECE):
                await response.write(content[start:start + MEDIA_PIECE])
                await asyncio.sleep(0.001)
            await response.write_eof()
        except ConnectionResetError:  # the client stopped reading (a recording over its limit)
            pass
        return response

    async def _media_upload(self, request: web.Request) -> web.Response:
        if (refused := await self._precheck(request)) is not None:
            return refused
        form = await request.post()
        media = form.get("media")
        if request.query.get("type") != "voice" or not isinstance(media, web.FileField):
            await self._record(request.path, 40004)
            return _error(40004, "invalid media type")
        content = media.file.read()
        if not content or len(content) > 2 * 1024 * 1024:
            await self._record(request.path, 40006)
            return _error(40006, "invalid meida size")
        media_id = f"UPLOADED-{next(self._serial)}"
        self._uploaded[media_id] = content
        await self._record(request.path, 0)
        return web.json_response({"type": "voice", "media_id": media_id, "created_at": int(time.time())})

    async def _menu_create(self, request: web.Request) -> web.Response:
        if (refused := await self._precheck(request)) is not None:
            return refused
        body = await self._body(request)
        errcode = _menu_errcode(body)
        await self._record(request.path, errcode)
        if errcode:
            return _error(errcode, "invalid menu")
        self.menus.append(body)
        return _error(0, "ok")


def _menu_errcode(body: dict[str, Any] | None) -> int:
    buttons = (body or {}).get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return 40016  # invalid button size
    for button in buttons:
        if not 0 < _bytes(button.get("name")) <= 16:
            return 40018  # invalid button name size
        subs = button.get("sub_button")
        if subs is not None:
            if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
                return 40023  # invalid sub button size
            for sub in subs:
                if not 0 < _bytes(sub.get("name")) <= 60:
                    return 40018
                if (code := _click_errcode(sub)) != 0:
                    return code
        elif (code := _click_errcode(button)) != 0:
            return code
    return 0


def _click_errcode(button: dict[str, Any]) -> int:
    if button.get("type") != "click":
        return 40017  # invalid button type (only CLICK is modelled here)
    if not 0 < _bytes(button.get("key")) <= 128:
        return 40019  # invalid button key size
    return 0


def _bytes(value: object) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else 0


def _error(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})
