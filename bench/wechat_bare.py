"""The WeChat bench's baselines: bare aiohttp handlers on /wechat that return one fixed XML reply.

    python -m bench.wechat_bare --port N [--keep FILE]

The same server stack as `legalaid wechat` (aiohttp `web.run_app`, no access log, the same body
size limit); the handler reads the body and answers a fixed passive reply, with no signature
check, no parsing and no dialogue: the one thing that differs.

With --keep, the least a handler can do and keep our promise that a message acknowledged is never
lost: check WeChat's signature, take the sender and MsgId out of the XML, and commit the message to
a SQLite file set up as ours is (WAL, synchronous=NORMAL), then answer the fixed reply. No dialogue,
no state, no reply composed: a floor for what the endpoint's own work costs on top of the stack.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import re
import sqlite3

from aiohttp import web

# As in bot/channels/wechat_endpoint.py (tests/bench checks), not imported: this process loads nothing of ours.
PATH = "/wechat"
MAX_BODY_BYTES = 64 * 1024

FIXED = (
    "<xml><ToUserName><![CDATA[user]]></ToUserName><FromUserName><![CDATA[gh_bench]]></FromUserName>"
    "<CreateTime>0</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好]]></Content></xml>"
)
_FIELD = re.compile(r"<(FromUserName|MsgId|Event)>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))</\1>", re.S)


async def reply(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text=FIXED, content_type="application/xml")


def keeping(path: str, token: str):
    """The --keep handler: signature, two fields, one committed row."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS inbox (event_key TEXT PRIMARY KEY, sender TEXT, raw TEXT)")

    async def keep(request: web.Request) -> web.Response:
        q = request.query
        parts = sorted((token, q.get("timestamp", ""), q.get("nonce", "")))
        expected = hashlib.sha1("".join(parts).encode()).hexdigest()
        if not hmac.compare_digest(expected, q.get("signature", "")):
            raise web.HTTPForbidden()
        raw = (await request.read()).decode()
        fields = {m[1]: m[2] or m[3] for m in _FIELD.finditer(raw)}
        sender = fields.get("FromUserName", "")
        conn.execute("INSERT OR IGNORE INTO inbox VALUES (?, ?, ?)",
                     (sender + ":" + fields.get("MsgId", fields.get("Event", "")), sender, raw))
        return web.Response(text=FIXED, content_type="application/xml")

    return keep


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.wechat_bare", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--keep", metavar="FILE",
                        help="check the signature and commit each message to this SQLite file")
    parser.add_argument("--token", default="", help="WeChat's token, for the signature (with --keep)")
    args = parser.parse_args(argv)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(PATH, keeping(args.keep, args.token) if args.keep else reply)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
