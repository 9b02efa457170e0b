"""A fake Telegram Bot API HTTP server for end-to-end tests of python-telegram-bot bots.

The real ``telegram.ext.Application`` runs unchanged in polling mode against 127.0.0.1::

    async with FakeBotApi() as api:
        app = (
            ApplicationBuilder().token("123:ABC")
            .base_url(api.base_url).base_file_url(api.base_file_url).build()
        )
        ...
        api.push_text(42, "你好")
        [reply] = await api.wait_for_messages(42, 1)

PTB posts to ``base_url + token + "/" + method``. Its HTTPXRequest sends every parameter as a
form field (multipart when a file is uploaded) whose value is the string itself for ``str`` and
``json.dumps(value)`` for anything else, so ``reply_markup`` arrives as a JSON string and
``chat_id`` as ``"42"``. The server decodes those back (see ``_decode_param``) and also accepts
JSON bodies and query strings.

What the fake imitates because bots get it wrong against the real API:

* getUpdates long polling, offset confirmation, ``allowed_updates``, the 409 conflicts
  (a second poller; polling while a webhook is set);
* per-chat message ids shared by user and bot messages;
* only inline keyboards are echoed in the returned Message (reply keyboards are not);
* callback queries must be answered once, with an id Telegram issued;
* text over 4096 characters and callback_data over 64 bytes are 400 errors;
* files a user sent (``push_voice``…) are fetched as Telegram serves them: ``getFile`` gives a
  ``file_path``, then ``GET /file/bot<token>/<file_path>`` the bytes (recorded in ``downloads``);
  ``sendVoice`` takes an upload (recorded like a document).

Only the methods this bot calls are served; the bot sends plain text, so no markup is parsed.

Unknown methods get Telegram's ``404 Not Found``; note that PTB turns any 404 into
``InvalidToken`` (``EndPointNotFound`` only via ``Bot.do_api_request``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal, NamedTuple

from aiohttp import web

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]
ChatId = int | str

HOST = "127.0.0.1"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
# Telegram only delivers these update types when they are asked for explicitly.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Parameters whose values are free text or opaque ids: never JSON-decode them, or a user
# typing "123" or "true" would come back as a number or a bool.
_STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "action", "callback_query_id", "inline_message_id",
        "url", "secret_token", "ip_address", "title", "address", "phone_number", "first_name",
        "last_name", "vcard", "description", "short_description", "name", "query", "emoji",
        "file_id", "document", "photo", "voice", "audio", "video", "animation", "sticker",
        "thumbnail", "video_note", "business_connection_id", "message_effect_id",
        "foursquare_id", "foursquare_type", "google_place_id", "google_place_type",
        "language_code", "question", "explanation", "payload", "provider_token", "currency",
        "start_parameter", "custom_title", "invite_link", "switch_pm_text", "next_offset",
    }
)
_QUERY_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
_DEFAULT_ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class Call(NamedTuple):
    """One request the server received, in arrival order; params are decoded."""

    method: str
    params: dict[str, Any]


@dataclass
class UploadedFile:
    """A file the bot uploaded, or one a fake user sent; servable through getFile."""

    file_id: str
    file_unique_id: str
    filename: str | None
    content: bytes
    mime_type: str | None

    def as_document(self) -> JSONDict:
        doc: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.filename:
            doc["file_name"] = self.filename
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc


@dataclass
class SentMessage:
    """A message the bot sent."""

    chat_id: ChatId
    message_id: int
    method: str
    payload: JSONDict  # the Message object as Telegram would now return it
    params: dict[str, Any]  # parameters of the call that created it
    reply_markup: JSONDict | None  # as sent: inline, reply keyboard, ForceReply or remove
    document: UploadedFile | None = None

    @property
    def text(self) -> str | None:
        return self.payload.get("text")

    @property
    def caption(self) -> str | None:
        return self.payload.get("caption")


    @property
    def inline_buttons(self) -> list[JSONDict]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    @property
    def button_texts(self) -> list[str]:
        """Texts of every inline or reply-keyboard button, row by row."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [b if isinstance(b, str) else b["text"] for row in rows for b in row]

    def callback_data(self, button_text: str) -> str:
        """The callback_data of the inline button whose text equals (or else contains) it."""
        button = _find_button(self.inline_buttons, button_text)
        if button is None or "callback_data" not in button:
            raise AssertionError(
                f"message {self.message_id} has no inline callback button {button_text!r}; "
                f"buttons: {self.button_texts}"
            )
        return str(button["callback_data"])


class ApiError(Exception):
    """Raised by a method implementation to answer with a Telegram error."""

    def __init__(
        self, status: int, description: str, parameters: JSONDict | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class _Fault:
    status: int
    description: str
    retry_after: int
    remaining: int

    def error(self) -> ApiError:
        parameters = {"retry_after": self.retry_after} if self.status == 429 else None
        return ApiError(self.status, self.description, parameters)


Handler = Callable[[dict[str, Any], str], Any]


class FakeBotApi:
    """An in-process Telegram Bot API server; use it as ``async with FakeBotApi() as api``."""

    def __init__(
        self,
        *,
        bot_username: str = "legalaid_test_bot",
        bot_first_name: str = "法律援助测试机器人",
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name

        self.calls: list[Call] = []
        self.request_counts: Counter[str] = Counter()
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.unknown_methods: list[str] = []

        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._closing = False
        self._outage: Literal["refuse", "hang"] | None = None
        self._answering = asyncio.Event()
        self._answering.set()
        self._held = 0
        self._waiters: set[asyncio.Future[None]] = set()

        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] = []
        self._poll_serial = 0
        self._webhook: JSONDict = {"url": ""}
        self._token = "123:ABC"

        self._users: dict[int, JSONDict] = {}
        self._chats: dict[ChatId, JSONDict] = {}
        self._message_counters: dict[ChatId, int] = {}
        self._messages: dict[tuple[ChatId, int], JSONDict] = {}  # user and bot messages
        self._sent: dict[ChatId, list[SentMessage]] = {}
        self._bot_messages: dict[tuple[ChatId, int], SentMessage] = {}
        self._pending_queries: set[str] = set()
        self._query_by_update: dict[int, str] = {}
        self._blocked: set[ChatId] = set()
        self._files: dict[str, UploadedFile] = {}
        self.downloads: list[str] = []  # file_ids whose content the bot fetched from the file endpoint
        self._file_ids = itertools.count(1)

        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}

        self._methods: dict[str, Handler] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendVoice": self._send_voice,
                "getFile": self._get_file,
                "answerCallbackQuery": self._answer_callback_query,
                "setMyCommands": self._set_my_commands,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)  # Telegram allows 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: when PTB gives up on a request (stop, read timeout), the
        # server-side handler is cancelled too instead of lingering in a long poll.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, HOST, 0)
        await self._site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        self._closing = True
        self._answering.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started; use `async with FakeBotApi()`")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{HOST}:{self.port}/file/bot"

    # ------------------------------------------------------------------ feeding updates

    def push_update(self, update: JSONDict) -> int:
        """Queue a raw Update (``update_id`` is assigned if missing) and return its id."""
        update = dict(update)
        update_id = update.setdefault("update_id", self._next_update_id)
        if update_id < self._next_update_id:
            raise ValueError(f"update_id {update_id} is not above {self._next_update_id - 1}")
        self._next_update_id = update_id + 1
        query = update.get("callback_query")
        if query is not None:
            self._pending_queries.add(query["id"])
            self._query_by_update[update_id] = query["id"]
        self._updates.append(update)
        self._notify()
        return update_id

    def push_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: ChatId | None = None,
        chat_type: str = "private",
        first_name: str = "测试",
        message_id: int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> int:
        """A user sends ``text``. Like real clients, a leading /command gets a bot_command
        entity unless ``entities`` is given (pass ``[]`` for none)."""
        if entities is None:
            entities = _command_entities(text)
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._push_message(
            user_id, content, chat_id=chat_id, chat_type=chat_type,
            first_name=first_name, message_id=message_id,
        )

    def push_command(self, user_id: int, text: str, **kwargs: Any) -> int:
        """A user sends a command: ``"/start"`` or ``"start arg"`` (the slash is added)."""
        if not text.startswith("/"):
            text = "/" + text
        kwargs.pop("entities", None)
        return self.push_text(user_id, text, **kwargs)

    def push_edited_text(
        self,
        user_id: int,
        message_id: int,
        text: str,
        *,
        chat_id: ChatId | None = None,
        chat_type: str = "private",
        first_name: str = "测试",
    ) -> int:
        """A user edits their earlier message ``message_id`` to read ``text``."""
        chat_key = user_id if chat_id is None else chat_id
        chat = self._chats.get(chat_key) or self._ensure_chat(
            chat_key, chat_type, user_id, first_name
        )
        original = self._messages.get((chat["id"], message_id))
        message: JSONDict = {
            "message_id": message_id,
            "from": self._ensure_user(user_id, first_name),
            "chat": chat,
            "date": original["date"] if original else _now(),
            "edit_date": _now(),
            "text": text,
        }
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        self._messages[(chat["id"], message_id)] = message
        return self.push_update({"edited_message": message})

    def push_voice(
        self,
        user_id: int,
        *,
        duration: int = 3,
        content: bytes = b"OggS\x00fake-opus",
        **kwargs: Any,
    ) -> int:
        upload = self._store_file(None, content, "audio/ogg")
        voice = {
            "file_id": upload.file_id,
            "file_unique_id": upload.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(content),
        }
        return self._push_message(user_id, {"voice": voice}, **kwargs)

    def push_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        content: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        **kwargs: Any,
    ) -> int:
        content_fields: JSONDict = {"photo": self._photo_sizes(content)}
        if caption is not None:
            content_fields["caption"] = caption
        return self._push_message(user_id, content_fields, **kwargs)

    def push_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        **kwargs: Any,
    ) -> int:
        upload = self._store_file(filename, content, mime_type)
        content_fields: JSONDict = {"document": upload.as_document()}
        if caption is not None:
            content_fields["caption"] = caption
        return self._push_message(user_id, content_fields, **kwargs)

    def push_sticker(self, user_id: int, *, emoji: str = "👍", **kwargs: Any) -> int:
        upload = self._store_file(None, b"RIFFfake-webp", "image/webp")
        sticker = {
            "file_id": upload.file_id,
            "file_unique_id": upload.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(upload.content),
        }
        return self._push_message(user_id, {"sticker": sticker}, **kwargs)

    def push_location(
        self, user_id: int, latitude: float, longitude: float, **kwargs: Any
    ) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self._push_message(user_id, {"location": location}, **kwargs)

    def push_contact(
        self,
        user_id: int,
        phone_number: str,
        *,
        contact_first_name: str = "测试",
        contact_user_id: int | None = None,
        **kwargs: Any,
    ) -> int:
        """A user shares a contact; by default their own (as a request_contact button does)."""
        contact = {
            "phone_number": phone_number,
            "first_name": contact_first_name,
            "user_id": user_id if contact_user_id is None else contact_user_id,
        }
        return self._push_message(user_id, {"contact": contact}, **kwargs)

    def push_callback(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int | None = None,
        chat_id: ChatId | None = None,
        first_name: str = "测试",
        check_button: bool = True,
    ) -> int:
        """A user presses an inline button carrying ``data`` on a bot message (default: the
        bot's latest message in the chat). With ``check_button`` the message must show a
        button with that data, as it must for a real user to press it."""
        chat_key = user_id if chat_id is None else chat_id
        chat = self._chats.get(chat_key) or self._ensure_chat(
            chat_key, "private", user_id, first_name
        )
        if message_id is None:
            live = self._sent.get(chat["id"], [])
            if not live:
                raise AssertionError(f"the bot has sent no message to chat {chat['id']} yet")
            message_id = live[-1].message_id
        sent = self._bot_messages.get((chat["id"], message_id))
        if sent is not None:
            message: JSONDict = sent.payload
            datas = [b.get("callback_data") for b in sent.inline_buttons]
            if check_button and data not in datas:
                raise AssertionError(
                    f"message {message_id} in chat {chat['id']} has no button with "
                    f"callback_data {data!r}; it has {datas}"
                )
        else:  # Telegram sends an InaccessibleMessage for messages it no longer has
            message = {"chat": chat, "message_id": message_id, "date": 0}
        update_id = self._next_update_id
        query = {
            "id": f"{user_id}{update_id:06d}",
            "from": self._ensure_user(user_id, first_name),
            "message": message,
            "chat_instance": f"-{abs(hash(chat['id'])) % 10**18}",
            "data": data,
        }
        return self.push_update({"update_id": update_id, "callback_query": query})

    def push_button(
        self,
        user_id: int,
        button_text: str,
        *,
        chat_id: ChatId | None = None,
        message_id: int | None = None,
        first_name: str = "测试",
    ) -> int:
        """A user presses the inline button labelled ``button_text`` (exact, else substring)
        on the newest bot message in the chat that shows one."""
        chat_key = user_id if chat_id is None else chat_id
        candidates = [
            m for m in reversed(self._sent.get(chat_key, []))
            if message_id is None or m.message_id == message_id
        ]
        for sent in candidates:
            button = _find_button(sent.inline_buttons, button_text)
            if button is not None and "callback_data" in button:
                return self.push_callback(
                    user_id, button["callback_data"], message_id=sent.message_id,
                    chat_id=chat_id, first_name=first_name,
                )
        shown = {m.message_id: m.button_texts for m in candidates}
        raise AssertionError(f"no inline button {button_text!r} in chat {chat_key}: {shown}")

    # ------------------------------------------------------------------ observing

    def sent(self, chat_id: ChatId) -> list[SentMessage]:
        """Every message the bot sent to the chat, oldest first."""
        return list(self._sent.get(chat_id, []))

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Params of every request to ``method`` (case-insensitive), in order."""
        return [c.params for c in self.calls if c.method.lower() == method.lower()]

    @property
    def held_requests(self) -> int:
        """Requests held by a ``hang`` outage whose client is still waiting."""
        return self._held

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,
        *,
        description: str | None = None,
    ) -> Any:
        """Return the predicate's first truthy value. It is re-evaluated whenever the fake's
        state changes (and every 50 ms, for predicates on state outside the fake)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    self.describe(f"Timed out after {timeout}s waiting for "
                                  f"{description or _describe_callable(predicate)}")
                )
            await self._wait_change(min(remaining, 0.05))

    async def wait_for_messages(
        self, chat_id: ChatId, count: int, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` messages to the chat; return all."""
        await self.wait_for(
            lambda: len(self._sent.get(chat_id, [])) >= count,
            timeout,
            description=f"{count} message(s) to chat {chat_id}",
        )
        return self.sent(chat_id)

    async def say(
        self,
        user_id: int,
        text: str,
        *,
        replies: int = 1,
        timeout: float = 5.0,
        **push_kwargs: Any,
    ) -> list[SentMessage]:
        """Push a text and return the new messages once the bot sent at least ``replies``."""
        chat_id = push_kwargs.get("chat_id") or user_id
        before = len(self._sent.get(chat_id, []))
        self.push_text(user_id, text, **push_kwargs)
        messages = await self.wait_for_messages(chat_id, before + replies, timeout)
        return messages[before:]

    async def wait_for_callback_answer(
        self, update_id: int, timeout: float = 5.0
    ) -> dict[str, Any]:
        """Wait until the callback query pushed as ``update_id`` is answered; return the
        answerCallbackQuery params."""
        query_id = self._query_by_update.get(update_id)
        if query_id is None:
            raise ValueError(f"update {update_id} is not a callback query pushed to this fake")
        return await self.wait_for(
            lambda: self.callback_answers.get(query_id),
            timeout,
            description=f"an answer to callback query {query_id} (update {update_id})",
        )

    def describe(self, headline: str = "FakeBotApi state") -> str:
        """A readable dump of requests, sent messages and pending updates."""
        lines = [headline, f"Requests ({len(self.calls)}, last 40 shown):"]
        for index, call in list(enumerate(self.calls))[-40:]:
            lines.append(f"  #{index} {call.method} {_short(call.params)}")
        lines.append("Messages sent by the bot:")
        for chat_id, messages in self._sent.items():
            for m in messages:
                body = m.text if m.text is not None else f"<{m.method}> {m.caption or ''}"
                buttons = f" buttons={m.button_texts}" if m.button_texts else ""
                lines.append(f"  chat {chat_id} #{m.message_id}: {body!r}{buttons}")
        if not self._sent:
            lines.append("  (none)")
        lines.append(f"Pending updates: {[u['update_id'] for u in self._updates]}")
        if self.unknown_methods:
            lines.append(f"Unknown methods called (answered 404): {self.unknown_methods}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" for any) with an error.
        429 carries ``parameters.retry_after`` as Telegram's flood control does."""
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429
                else _DEFAULT_ERROR_DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
            )
        fault = _Fault(status, description, retry_after, times)
        self._faults.setdefault(method.lower(), []).append(fault)

    def delay(self, method: str, seconds: float) -> None:
        """Hold every call of ``method`` ("*" for any) for ``seconds``; 0 removes it."""
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    def block(self, chat_id: ChatId) -> None:
        """The user blocked the bot: sends to the chat get 403 Forbidden."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: ChatId) -> None:
        self._blocked.discard(chat_id)

    async def stop_answering(self, mode: Literal["refuse", "hang"] = "refuse") -> None:
        """Simulate Telegram being unreachable until :meth:`resume`.

        ``refuse``: stop listening and drop open connections (PTB sees NetworkError).
        ``hang``: accept requests but hold them (PTB sees TimedOut after its read timeout);
        requests whose client is still waiting are served on resume.
        """
        self._outage = mode
        self._answering.clear()
        if mode == "refuse" and self._site is not None and self._runner is not None:
            await self._site.stop()
            self._site = None
            server = self._runner.server
            for connection in server.connections if server is not None else []:
                if connection.transport is not None:
                    connection.transport.abort()

    async def resume(self) -> None:
        if self._outage == "refuse" and self._runner is not None:
            self._site = web.TCPSite(self._runner, HOST, self.port)
            await self._site.start()
        self._outage = None
        self._answering.set()
        self._notify()

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        self._token = request.match_info["token"]
        if self._outage == "refuse" and request.transport is not None:
            request.transport.abort()  # a request on a connection opened before the outage
            return web.Response(status=503)
        params = await self._read_params(request)
        self.calls.append(Call(method, params))
        self.request_counts[method] += 1
        self._notify()
        await self._hold_during_outage()
        seconds = self._delays.get(method.lower(), self._delays.get("*", 0))
        if seconds:
            await asyncio.sleep(seconds)
        try:
            fault = self._take_fault(method)
            if fault is not None:
                raise fault.error()
            result = await self._dispatch(method, params)
        except ApiError as error:
            return _json_response(error.body(), error.status)
        finally:
            self._notify()
        return _json_response({"ok": True, "result": result}, 200)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """The file endpoint: GET /file/bot<token>/<file_path> as getFile gave it."""
        file_id = request.match_info["path"].rsplit("/", 1)[-1].split(".", 1)[0]
        upload = self._files.get(file_id)
        if upload is None or request.match_info["token"] != self._token:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(file_id)
        self._notify()
        return web.Response(body=upload.content, content_type=upload.mime_type or "application/octet-stream")

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        handler = self._methods.get(method.lower())
        if handler is None:
            _LOGGER.warning("FakeBotApi: unknown method %s answered with 404", method)
            self.unknown_methods.append(method)
            raise ApiError(404, "Not Found")
        chat_id = params.get("chat_id")
        if chat_id in self._blocked and method.lower().startswith("send"):
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        result = handler(params, self._token)
        if isinstance(result, Awaitable):
            result = await result
        return result


    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
            if not isinstance(body, dict):
                raise web.HTTPBadRequest(text="JSON body must be an object")
            raw.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    raw[name] = self._store_file(
                        value.filename, value.file.read(), value.content_type
                    )
                else:
                    raw[name] = value
        return {name: _decode_param(name, value) for name, value in raw.items()}

    async def _hold_during_outage(self) -> None:
        if self._answering.is_set():
            return
        self._held += 1
        try:
            await self._answering.wait()
        finally:  # also reached when the client hangs up and aiohttp cancels the handler
            self._held -= 1
            self._notify()

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method.lower(), "*"):
            faults = self._faults.get(key)
            if faults:
                fault = faults[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    faults.pop(0)
                return fault
        return None

    def _notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def _wait_change(self, timeout: float | None) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    # ------------------------------------------------------------------ chats and files

    def _bot_user(self, token: str) -> JSONDict:
        head = token.split(":", 1)[0]
        return {
            "id": int(head) if head.isdigit() else 123,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _ensure_user(self, user_id: int, first_name: str) -> JSONDict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name,
                "language_code": "zh-hans"}
        self._users[user_id] = user
        return user

    def _ensure_chat(
        self, chat_id: ChatId, chat_type: str, user_id: int | None, first_name: str
    ) -> JSONDict:
        if chat_type == "private":
            if user_id is not None and chat_id != user_id:
                raise ValueError("a private chat's id is the user's id")
            chat: JSONDict = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            if not isinstance(chat_id, int) or chat_id >= 0:
                raise ValueError(f"{chat_type} chat ids are negative integers, not {chat_id!r}")
            chat = {"id": chat_id, "type": chat_type, "title": "测试群"}
        self._chats[chat_id] = chat
        return chat

    def _chat_for_bot(self, chat_id: Any) -> JSONDict:
        """The chat the bot addresses; Telegram would say "chat not found" for strangers,
        but tests often message staff chats no update came from, so invent one."""
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        chat = self._chats.get(chat_id)
        if chat is None:
            if isinstance(chat_id, int) and chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": "测试"}
            else:
                chat = {"id": chat_id, "type": "supergroup", "title": "测试群"}
            self._chats[chat_id] = chat
        return chat

    def _new_message_id(self, chat_id: ChatId, wanted: int | None = None) -> int:
        # Private-chat message ids are per chat and shared by both sides, as in Telegram.
        current = self._message_counters.get(chat_id, 0)
        message_id = current + 1 if wanted is None else wanted
        self._message_counters[chat_id] = max(current, message_id)
        return message_id

    def _push_message(
        self,
        user_id: int,
        content: JSONDict,
        *,
        chat_id: ChatId | None = None,
        chat_type: str = "private",
        first_name: str = "测试",
        message_id: int | None = None,
    ) -> int:
        chat = self._ensure_chat(
            user_id if chat_id is None else chat_id, chat_type, user_id, first_name
        )
        message = {
            "message_id": self._new_message_id(chat["id"], message_id),
            "from": self._ensure_user(user_id, first_name),
            "chat": chat,
            "date": _now(),
            **content,
        }
        self._messages[(chat["id"], message["message_id"])] = message
        return self.push_update({"message": message})

    def _store_file(self, filename: str | None, content: bytes, mime_type: str | None
                    ) -> UploadedFile:
        number = next(self._file_ids)
        upload = UploadedFile(
            file_id=f"BQACAgUAAxkBAAI{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            filename=filename,
            content=content,
            mime_type=mime_type,
        )
        self._files[upload.file_id] = upload
        return upload

    def _file_reference(self, value: Any, kind: str) -> UploadedFile:
        """A sendX file parameter: an upload, a known file_id, or a URL."""
        if isinstance(value, UploadedFile):
            return value
        if not value:
            raise _bad_request(f"there is no {kind} in the request")
        known = self._files.get(str(value))
        if known is not None:
            return known
        name = str(value).rsplit("/", 1)[-1] if "://" in str(value) else None
        return self._store_file(name, b"", None)

    def _photo_sizes(self, content: bytes) -> list[JSONDict]:
        upload = self._store_file(None, content, "image/jpeg")
        small = {"file_id": upload.file_id + "s", "file_unique_id": upload.file_unique_id + "s",
                 "width": 90, "height": 67, "file_size": max(1, len(content) // 10)}
        large = {"file_id": upload.file_id, "file_unique_id": upload.file_unique_id,
                 "width": 800, "height": 600, "file_size": len(content)}
        return [small, large]

    # ------------------------------------------------------------------ methods


    def _get_me(self, params: dict[str, Any], token: str) -> JSONDict:
        return {
            **self._bot_user(token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any], token: str) -> list[JSONDict]:
        if self._webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                "active; use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset", 0))
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = float(params.get("timeout", 0))
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = params["allowed_updates"]
        if offset > 0:  # confirms (forgets) every update below offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        # A newer getUpdates terminates an older one still waiting, as Telegram does.
        self._poll_serial += 1
        serial = self._poll_serial
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if serial != self._poll_serial:
                raise ApiError(409, _DEFAULT_ERROR_DESCRIPTIONS[409])
            self._drop_unwanted_updates()
            if not self._answering.is_set():  # an outage began while this poll waited
                await self._hold_during_outage()
                continue
            remaining = deadline - loop.time()
            if self._updates or remaining <= 0 or self._closing:
                return self._updates[:limit]
            await self._wait_change(remaining)

    def _drop_unwanted_updates(self) -> None:
        allowed = set(self._allowed_updates)

        def wanted(update: JSONDict) -> bool:
            kind = next((k for k in update if k != "update_id"), None)
            return kind in allowed if allowed else kind not in _OPT_IN_UPDATE_TYPES

        self._updates = [u for u in self._updates if wanted(u)]

    def _set_webhook(self, params: dict[str, Any], token: str) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {
            "url": params.get("url", ""),
            "max_connections": params.get("max_connections", 40),
        }
        if params.get("allowed_updates") is not None:
            self._webhook["allowed_updates"] = params["allowed_updates"]
        return True

    def _delete_webhook(self, params: dict[str, Any], token: str) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {"url": ""}
        return True


    def _record_sent(
        self,
        method: str,
        params: dict[str, Any],
        content: JSONDict,
        token: str,
        document: UploadedFile | None = None,
    ) -> JSONDict:
        chat = self._chat_for_bot(params.get("chat_id"))
        markup = params.get("reply_markup")
        _check_reply_markup(markup)
        message: JSONDict = {
            "message_id": self._new_message_id(chat["id"]),
            "from": self._bot_user(token),
            "chat": chat,
            "date": _now(),
            **content,
        }
        if _is_inline(markup):  # Telegram never echoes reply keyboards
            message["reply_markup"] = markup
        reply_to = (params.get("reply_parameters") or {}).get("message_id") or params.get(
            "reply_to_message_id"
        )
        if reply_to and (chat["id"], reply_to) in self._messages:
            message["reply_to_message"] = self._messages[(chat["id"], reply_to)]
        sent = SentMessage(
            chat_id=chat["id"],
            message_id=message["message_id"],
            method=method,
            payload=message,
            params=params,
            reply_markup=markup,
            document=document,
        )
        self._messages[(chat["id"], sent.message_id)] = message
        self._bot_messages[(chat["id"], sent.message_id)] = sent
        self._sent.setdefault(chat["id"], []).append(sent)
        return message

    def _send_message(self, params: dict[str, Any], token: str) -> JSONDict:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        if _utf16_len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        return self._record_sent("sendMessage", params, {"text": text}, token)

    def _caption_content(self, params: dict[str, Any]) -> JSONDict:
        caption = params.get("caption")
        if not caption:
            return {}
        if _utf16_len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return {"caption": caption}

    def _send_document(self, params: dict[str, Any], token: str) -> JSONDict:
        document = self._file_reference(params.get("document"), "document")
        content = {"document": document.as_document(), **self._caption_content(params)}
        return self._record_sent("sendDocument", params, content, token, document)


    def _send_voice(self, params: dict[str, Any], token: str) -> JSONDict:
        voice = self._file_reference(params.get("voice"), "voice")
        if not voice.content:
            raise _bad_request("file must be non-empty")
        meta = {"file_id": voice.file_id, "file_unique_id": voice.file_unique_id,
                "duration": int(params.get("duration") or 1), "mime_type": "audio/ogg",
                "file_size": len(voice.content)}
        content = {"voice": meta, **self._caption_content(params)}
        return self._record_sent("sendVoice", params, content, token, voice)

    def _get_file(self, params: dict[str, Any], token: str) -> JSONDict:
        upload = self._files.get(str(params.get("file_id", "")))
        if upload is None:
            raise _bad_request("invalid file_id")
        return {"file_id": upload.file_id, "file_unique_id": upload.file_unique_id,
                "file_size": len(upload.content), "file_path": f"voice/{upload.file_id}.oga"}

    def _answer_callback_query(self, params: dict[str, Any], token: str) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self._pending_queries:
            raise _bad_request(_QUERY_INVALID.removeprefix("Bad Request: "))
        if len(str(params.get("text", ""))) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._pending_queries.discard(query_id)
        self.callback_answers[query_id] = params
        return True

    def _set_my_commands(self, params: dict[str, Any], token: str) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("parameter \"commands\" is required")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        return True


    # ------------------------------------------------------------------ formatting


# ---------------------------------------------------------------------- helpers


def _now() -> int:
    return int(time.time())


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _json_response(body: JSONDict, status: int) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _decode_param(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _command_entities(text: str) -> list[JSONDict]:
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]


def _is_inline(markup: Any) -> bool:
    return isinstance(markup, dict) and "inline_keyboard" in markup


def _check_reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise _bad_request("BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise _bad_request("text buttons are unallowed in the inline keyboard")


def _find_button(buttons: Iterable[JSONDict], text: str) -> JSONDict | None:
    buttons = list(buttons)
    for match in (lambda b: b.get("text") == text, lambda b: text in b.get("text", "")):
        for button in buttons:
            if match(button):
                return button
    return None


def _short(params: dict[str, Any], limit: int = 160) -> str:
    shown = {k: (f"<file {v.filename!r} {len(v.content)}B>" if isinstance(v, UploadedFile)
                 else v) for k, v in params.items()}
    text = json.dumps(shown, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_callable(predicate: Callable[[], Any]) -> str:
    code = getattr(predicate, "__code__", None)
    where = f" ({code.co_filename.rsplit('/', 1)[-1]}:{code.co_firstlineno})" if code else ""
    return f"{getattr(predicate, '__qualname__', repr(predicate))}{where}"


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_ENTITY_NAMES = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough",
                      "||": "Spoiler", "`": "Code", "```": "Pre"}


