"""A fake Telegram Bot API server on 127.0.0.1: the real python-telegram-bot talks to it over real HTTP.

It keeps chats and messages in memory, hands updates out by long polling (getUpdates with offset and timeout)
or posts them to a webhook (retrying until the bot's server listens), and checks what the bot sends the way
Telegram does: HTML parse mode with only Telegram's tags and entities, balanced tags, at most 4096 characters
(UTF-16) after parsing, callback data of at most 64 bytes, callback queries answered once.

The server runs in its own thread and event loop, so both subprocess tests and in-process tests can drive it:
`say()`, `send_sticker()` and `press()` play the user; `wait_for()` (or `await until()`) waits for the bot.

Faults, as Telegram and the network produce them: `fail_next()` makes the next call of a method fail with a given
error; `inject_faults()` makes a share of calls fail at random with 429 (retry_after), 500, 502, a timeout (the
request hangs until the client gives up) or a dropped connection. A faulty call is never carried out, as when
Telegram refuses it, so a retry that succeeds sends the message exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

MESSAGE_LIMIT = 4096
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
CALLBACK_DATA_LIMIT = 64
# Parameters PTB sends as plain strings; every other form field is JSON-encoded.
_STRING_FIELDS = {"text", "caption", "url", "secret_token", "callback_query_id", "action", "parse_mode", "ip_address"}
_TAG_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                 "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}  # fmt: skip
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_MENTION = re.compile(r"(?<![\w@])@\w{5,32}")
_BOT_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(@\w{5,32})?")
FAULT_KINDS = ("429", "500", "502", "timeout", "drop")


def local_env(environ: dict[str, str]) -> dict[str, str]:
    """`environ` without proxy settings, so httpx and aiohttp reach 127.0.0.1 directly."""
    clean = {key: value for key, value in environ.items() if key.lower() not in {"http_proxy", "https_proxy", "all_proxy"}}
    return {**clean, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


class ApiError(Exception):
    """A Bot API error reply: {"ok": false, "error_code": code, "description": description}."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def reply(self) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.code)


def fault_error(kind: str) -> ApiError:
    """The error reply Telegram gives for a fault kind (429, 500 or 502)."""
    if kind == "429":
        return ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
    if kind == "500":
        return ApiError(500, "Internal Server Error")
    return ApiError(502, "Bad Gateway")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TelegramHTML(HTMLParser):
    """Telegram's HTML parse mode: text plus entities, or ApiError for what Telegram would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.text = ""
        self.entities: list[dict] = []
        self._open: list[tuple[str, int, dict]] = []

    @classmethod
    def parse(cls, markup: str) -> tuple[str, list[dict]]:
        parser = cls()
        parser.feed(markup)
        parser.close()
        if parser._open:
            parser._fail(f'Can\'t find end tag corresponding to start tag "{parser._open[-1][0]}"')
        return parser.text, sorted(parser.entities, key=lambda entity: (entity["offset"], -entity["length"]))

    def _fail(self, why: str) -> None:
        raise ApiError(400, f"Bad Request: can't parse entities: {why}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAG_ENTITIES:
            self._fail(f'Unsupported start tag "{tag}"')
        attributes = dict(attrs)
        entity: dict[str, Any] = {"type": _TAG_ENTITIES[tag]}
        if tag == "a":
            if not attributes.get("href"):
                self._fail('Tag "a" must have attribute "href"')
            entity["url"] = attributes["href"]
        elif tag == "span" and attributes.get("class") != "tg-spoiler":
            self._fail('Tag "span" must have class "tg-spoiler"')
        elif tag == "blockquote":
            if "expandable" in attributes:
                entity["type"] = "expandable_blockquote"
            if any(open_tag == "blockquote" for open_tag, _, _ in self._open):
                self._fail("Blockquote entities can't be nested")
        self._open.append((tag, utf16_length(self.text), entity))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            self._fail(f'Unexpected end tag "{tag}"')
        _, start, entity = self._open.pop()
        length = utf16_length(self.text) - start
        if length:
            self.entities.append({**entity, "offset": start, "length": length})

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._fail(f'Unsupported self-closing tag "{tag}"')

    def handle_data(self, data: str) -> None:
        for char in "<>&":
            if char in data:
                self._fail(f'Unescaped "{char}" in text: use &lt; &gt; &amp;')
        self.text += data

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED_ENTITIES:
            self._fail(f'Unsupported HTML entity "&{name};"')
        self.text += _NAMED_ENTITIES[name]

    def handle_charref(self, name: str) -> None:
        try:
            self.text += chr(int(name[1:], 16) if name.lower().startswith("x") else int(name))
        except (ValueError, OverflowError):
            self._fail(f'Bad character reference "&#{name};"')

    def handle_comment(self, data: str) -> None:
        self._fail("Comments are not supported")

    def handle_decl(self, decl: str) -> None:
        self._fail("Declarations are not supported")

    def handle_pi(self, data: str) -> None:
        self._fail("Processing instructions are not supported")

    def unknown_decl(self, data: str) -> None:
        self._fail("Declarations are not supported")


def auto_entities(text: str) -> list[dict]:
    """The bot_command and mention entities Telegram's clients attach to a typed message."""
    entities = []
    for pattern, kind in ((_BOT_COMMAND, "bot_command"), (_MENTION, "mention")):
        for match in pattern.finditer(text):
            offset = utf16_length(text[: match.start()])
            entities.append({"type": kind, "offset": offset, "length": utf16_length(match.group())})
    return sorted(entities, key=lambda entity: entity["offset"])


@dataclass
class Call:
    """One request the bot made: the method, its decoded parameters, and what the fake answered."""

    method: str
    params: dict
    ok: bool
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)  # when the fake answered (time.monotonic)


class FakeTelegram:
    """The fake Bot API for one bot token. Use as a context manager, or call start() and stop()."""

    def __init__(
        self,
        token: str = "123456:TEST-token_for_the_fake-api",
        username: str = "newsqa_test_bot",
        unique_message_ids: bool = False,
    ) -> None:
        """`unique_message_ids`: number messages across all chats (as a user's account does), so a reply sent to
        the wrong chat points at a message that chat does not have."""
        self.token = token
        self.me = {"id": 4242, "is_bot": True, "first_name": "News QA", "username": username,
                   "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}  # fmt: skip
        self.user = {"id": 1001, "is_bot": False, "first_name": "Ada", "username": "ada"}
        self.calls: list[Call] = []
        self.commands: dict[str, list[dict]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file name, bytes) of documents users sent
        self.webhook: dict | None = None
        self.deliveries: list[tuple[int, int | str]] = []  # (update_id, HTTP status or error) per webhook attempt
        self._updates: list[dict] = []
        self._chats: dict[int, dict] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._html: dict[tuple[int, int], str] = {}
        self._open_queries: set[str] = set()
        self._faults: dict[str, list[str | tuple[int, str]]] = {}
        self._fault_rate: dict[str, float] = {}
        self._fault_kinds: tuple[str, ...] = FAULT_KINDS
        self._random = random.Random(0)
        self.faults_injected: dict[str, int] = {}  # "method kind" -> count
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._global_message_ids = itertools.count(1) if unique_message_ids else None
        self._query_ids = itertools.count(1)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-telegram", daemon=True)
        self._wake: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._delivery: asyncio.Task | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What the bot's --api-base-url should be."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def _serve(self) -> None:
        self._wake = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, handler_cancellation=True)  # don't wait on open long polls at teardown
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        if self._delivery:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
        if self._runner:
            await self._runner.cleanup()

    def _notify(self) -> None:
        """Wake long polls and the webhook sender (callable from any thread)."""
        with self._changed:
            self._changed.notify_all()

        def wake() -> None:
            if self._wake:
                self._wake.set()
                self._wake = asyncio.Event()

        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(wake)

    # --- the user's side: what tests do -----------------------------------------------------------------------

    def private_chat(self, user: dict | None = None) -> dict:
        user = user or self.user
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    def group_chat(self, chat_id: int = -1001234567890, title: str = "Newsroom") -> dict:
        return {"id": chat_id, "type": "supergroup", "title": title}

    def _next_message_id(self, chat_id: int) -> int:
        if self._global_message_ids is not None:
            return next(self._global_message_ids)
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _push(self, kind: str, payload: dict) -> dict:
        with self._lock:
            update = {"update_id": next(self._update_ids), kind: payload}
            self._updates.append(update)
        self._notify()
        return update

    def _user_message(self, chat: dict | None, user: dict | None, reply_to: dict | None, **content: Any) -> dict:
        user = user or self.user
        chat = chat or self.private_chat(user)
        with self._lock:
            message = {"message_id": self._next_message_id(chat["id"]), "date": int(time.time()), "chat": chat,
                       "from": user, **content}  # fmt: skip
            if reply_to is not None:
                message["reply_to_message"] = self._messages[(reply_to["chat"]["id"], reply_to["message_id"])]
            self._messages[(chat["id"], message["message_id"])] = message
            self._chats[chat["id"]] = chat
        self._push("message", message)
        return message

    def say(self, text: str, chat: dict | None = None, user: dict | None = None, reply_to: dict | None = None) -> dict:
        """The user types `text` (commands and @mentions get their entities, as Telegram's apps send them)."""
        entities = auto_entities(text)
        content: dict[str, Any] = {"text": text, **({"entities": entities} if entities else {})}
        return self._user_message(chat, user, reply_to, **content)

    def send_sticker(self, chat: dict | None = None, user: dict | None = None) -> dict:
        sticker = {"file_id": "CAACAgIAAxk-sticker", "file_unique_id": "AgADsticker", "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False, "emoji": "🐱"}  # fmt: skip
        return self._user_message(chat, user, None, sticker=sticker)

    def send_document(self, name: str, data: bytes, chat: dict | None = None, user: dict | None = None) -> dict:
        """The user sends a file; the bot can getFile it and download it from /file/bot<token>/<file_path>."""
        with self._lock:
            file_id = f"BQACAgIAAxk-document-{len(self.files) + 1}"
            self.files[file_id] = (name, data)
        document = {"file_id": file_id, "file_unique_id": file_id[-12:], "file_name": name, "file_size": len(data)}
        return self._user_message(chat, user, None, document=document)

    def press(self, message: dict, data: str, user: dict | None = None) -> str:
        """The user presses the inline button with callback `data` under the bot's `message`; returns the query id."""
        with self._lock:
            query_id = str(next(self._query_ids))
            self._open_queries.add(query_id)
            current = self._messages[(message["chat"]["id"], message["message_id"])]
        query = {"id": query_id, "from": user or self.user, "message": current, "chat_instance": "42", "data": data}
        self._push("callback_query", query)
        return query_id

    def inline_query(self, query: str, user: dict | None = None) -> dict:
        """The user types `@bot query` in any chat (inline mode)."""
        payload = {"id": str(next(self._query_ids)), "from": user or self.user, "query": query, "offset": ""}
        return self._push("inline_query", payload)

    def push_update(self, kind: str, payload: dict) -> dict:
        """Queue any other update (edited_message, channel_post, ...) as Telegram would send it."""
        return self._push(kind, payload)

    def fail_next(self, method: str, code: int | str = 400, description: str = "Bad Request: injected fault") -> None:
        """The next call of `method` fails with this error, as Telegram sometimes does.

        `code` may also be a fault kind: "429", "500", "502", "timeout" or "drop".
        """
        with self._lock:
            fault = code if isinstance(code, str) else (code, description)
            self._faults.setdefault(method, []).append(fault)

    def inject_faults(self, rate: float, methods: tuple[str, ...], kinds: tuple[str, ...] = FAULT_KINDS, seed: int = 0) -> None:
        """From now on, each call of `methods` fails with probability `rate`, with a kind drawn from `kinds`."""
        with self._lock:
            self._random = random.Random(seed)
            self._fault_kinds = kinds
            self._fault_rate = dict.fromkeys(methods, rate)

    def _take_fault(self, method: str) -> str | tuple[int, str] | None:
        with self._lock:
            queued = self._faults.get(method)
            if queued:
                fault = queued.pop(0)
            elif self._random.random() < self._fault_rate.get(method, 0.0):
                fault = self._random.choice(self._fault_kinds)
            else:
                return None
            name = f"{method} {fault if isinstance(fault, str) else fault[0]}"
            self.faults_injected[name] = self.faults_injected.get(name, 0) + 1
            return fault

    # --- what the bot did: what tests check --------------------------------------------------------------------

    def bot_messages(self, chat_id: int) -> list[dict]:
        """The bot's messages in a chat as they are now (after edits), oldest first, each with its sent `html`."""
        with self._lock:
            return [
                {**message, "html": self._html.get(key)}
                for key, message in sorted(self._messages.items())
                if key[0] == chat_id and message["from"]["id"] == self.me["id"]
            ]

    def _matching(self, method: str, where: Callable[[dict], bool] | None) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.ok and call.method == method and (where is None or where(call.params))]

    def wait_for(
        self, method: str, where: Callable[[dict], bool] | None = None, count: int = 1, timeout: float = 20
    ) -> list[Call]:
        """Block until `count` calls of `method` (matching `where`) have succeeded; return those calls."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := self._matching(method, where)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = [(call.method, call.error or "ok") for call in self.calls[-8:]]
                    raise AssertionError(f"the bot made {len(found)} of {count} {method} calls in {timeout}s; last: {recent}")
                self._changed.wait(remaining)
        return found

    async def until(
        self, method: str, where: Callable[[dict], bool] | None = None, count: int = 1, timeout: float = 20
    ) -> list[Call]:
        """wait_for() for tests whose bot runs in the test's own event loop."""
        deadline = time.monotonic() + timeout
        while len(found := self._matching(method, where)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot made {len(found)} of {count} {method} calls in {timeout}s")
            await asyncio.sleep(0.01)
        return found

    # --- the Bot API ---------------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        handler = getattr(self, f"_api_{method}", None)
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            fault = self._take_fault(method)
            if fault == "timeout":  # hang until the client gives up (aiohttp then cancels this handler)
                self._record(Call(method, params, False, error="timeout"))
                await asyncio.sleep(3600)
            if fault == "drop":  # close the connection without an answer
                self._record(Call(method, params, False, error="dropped connection"))
                if request.transport:
                    request.transport.close()
                return web.Response(status=500)
            if isinstance(fault, str):
                raise fault_error(fault)
            if fault:
                raise ApiError(*fault)
            result = await handler(params) if asyncio.iscoroutinefunction(handler) else handler(params)
        except ApiError as error:
            self._record(Call(method, params, False, error=error.description))
            return error.reply()
        self._record(Call(method, params, True, result=result))
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    @staticmethod
    async def _params(request: web.Request) -> dict:
        """Query string and body (JSON or form; PTB JSON-encodes every non-string form field)."""
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        if request.can_read_body:
            params.update(await request.post())
        for key, value in params.items():
            if key not in _STRING_FIELDS and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        return params

    def _api_getFile(self, params: dict) -> dict:
        if params.get("file_id") not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        name, data = self.files[params["file_id"]]
        return {"file_id": params["file_id"], "file_unique_id": params["file_id"][-12:], "file_size": len(data),
                "file_path": f"documents/{params['file_id']}/{name}"}  # fmt: skip

    async def _download(self, request: web.Request) -> web.Response:
        """A file's bytes, at the address getFile pointed to (the Bot API's file server)."""
        parts = request.match_info["path"].split("/")
        if request.match_info["token"] != self.token or len(parts) < 2 or parts[1] not in self.files:
            return web.Response(status=404)
        self._record(Call("downloadFile", {"file_path": request.match_info["path"]}, True))
        return web.Response(body=self.files[parts[1]][1])

    def _api_getMe(self, params: dict) -> dict:
        return self.me

    def _api_logOut(self, params: dict) -> bool:
        return True

    async def _api_getUpdates(self, params: dict) -> list[dict]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook first")
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates") or None
        while True:
            with self._lock:
                if offset:
                    self._updates = [update for update in self._updates if update["update_id"] >= offset]
                pending = [u for u in self._updates if allowed is None or any(kind in u for kind in allowed)][:limit]
                wake = self._wake
            remaining = deadline - time.monotonic()
            if pending or remaining <= 0 or wake is None:
                return pending
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(wake.wait(), remaining)

    def _chat_id(self, params: dict) -> int:
        try:
            return int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None

    def _stored(self, params: dict) -> tuple[tuple[int, int], dict]:
        key = (self._chat_id(params), int(params.get("message_id") or 0))
        message = self._messages.get(key)
        if message is None or message["from"]["id"] != self.me["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return key, message

    @staticmethod
    def _formatted(params: dict) -> tuple[str, list[dict]]:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        mode = (params.get("parse_mode") or "").upper()
        if mode == "HTML":
            text, entities = TelegramHTML.parse(text)
        elif mode:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']!r} in this fake")
        else:
            entities = params.get("entities") or []
        stripped = text.strip()
        if not stripped:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(stripped) > MESSAGE_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    @staticmethod
    def _markup(params: dict) -> dict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list):
            raise ApiError(400, "Bad Request: unsupported reply_markup in this fake (inline keyboards only)")
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup if rows else None

    def _api_sendMessage(self, params: dict) -> dict:
        chat_id = self._chat_id(params)
        text, entities = self._formatted(params)
        markup = self._markup(params)
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id") or params.get("reply_to_message_id")
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise ApiError(400, "Bad Request: chat not found")
            message = {"message_id": self._next_message_id(chat_id), "date": int(time.time()), "chat": chat,
                       "from": self.me, "text": text}  # fmt: skip
            if entities:
                message["entities"] = entities
            if markup:
                message["reply_markup"] = markup
            if reply_to:
                replied = self._messages.get((chat_id, int(reply_to)))
                if replied is None and not reply.get("allow_sending_without_reply"):
                    raise ApiError(400, "Bad Request: message to be replied not found")
                if replied is not None:
                    message["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
            self._messages[(chat_id, message["message_id"])] = message
            self._html[(chat_id, message["message_id"])] = params["text"]
        return message

    def _api_editMessageText(self, params: dict) -> dict:
        text, entities = self._formatted(params)
        markup = self._markup(params)
        with self._lock:
            key, message = self._stored(params)
            if (message["text"], message.get("entities", []), message.get("reply_markup")) == (text, entities, markup):
                raise ApiError(400, NOT_MODIFIED)
            edited = {k: v for k, v in message.items() if k not in ("entities", "reply_markup")}
            edited.update({"text": text, "edit_date": int(time.time())})
            if entities:
                edited["entities"] = entities
            if markup:
                edited["reply_markup"] = markup
            self._messages[key] = edited
            self._html[key] = params["text"]
        return edited

    def _api_editMessageReplyMarkup(self, params: dict) -> dict:
        markup = self._markup(params)
        with self._lock:
            key, message = self._stored(params)
            if message.get("reply_markup") == markup:
                raise ApiError(400, NOT_MODIFIED)
            edited = {k: v for k, v in message.items() if k != "reply_markup"}
            if markup:
                edited["reply_markup"] = markup
            self._messages[key] = edited
        return edited

    def _api_sendChatAction(self, params: dict) -> bool:
        self._chat_id(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _api_answerCallbackQuery(self, params: dict) -> bool:
        query_id = str(params.get("callback_query_id"))
        with self._lock:
            if query_id not in self._open_queries:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self._open_queries.discard(query_id)
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _api_setMyCommands(self, params: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 commands")
        for command in commands:
            if not _COMMAND.fullmatch(command.get("command", "")) or not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        with self._lock:
            self.commands[scope] = commands
        return True

    def _api_setWebhook(self, params: dict) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if not url:
            return self._api_deleteWebhook(params)
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        with self._lock:
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self.webhook = {"url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates")}
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.get_running_loop().create_task(self._deliver())
        return True

    def _api_deleteWebhook(self, params: dict) -> bool:
        with self._lock:
            self.webhook = None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        if self._delivery:
            self._delivery.cancel()
            self._delivery = None
        return True

    def _api_getWebhookInfo(self, params: dict) -> dict:
        with self._lock:
            return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)}  # fmt: skip

    async def _deliver(self) -> None:
        """Post pending updates to the webhook in order, retrying each until the bot's server takes it (200)."""
        async with ClientSession(trust_env=False, timeout=ClientTimeout(total=10)) as session:
            while True:
                with self._lock:
                    webhook, update, wake = self.webhook, (self._updates[0] if self._updates else None), self._wake
                if webhook is None:
                    return
                if update is None:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(wake.wait(), 1)  # type: ignore[union-attr]
                    continue
                headers = {"Content-Type": "application/json"}
                if webhook["secret_token"]:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
                try:
                    async with session.post(webhook["url"], data=json.dumps(update), headers=headers) as response:
                        status: int | str = response.status
                except (ClientError, asyncio.TimeoutError, OSError) as error:
                    status = type(error).__name__
                with self._lock:
                    self.deliveries.append((update["update_id"], status))
                    if status == 200 and self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                if status != 200:
                    await asyncio.sleep(0.05)  # not listening yet, or refused: try again, as Telegram does
