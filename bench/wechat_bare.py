"""The WeChat bench's baseline: a bare aiohttp handler on /wechat that returns one fixed XML reply.

    python -m bench.wechat_bare --port N

The same server stack as `legalaid wechat` (aiohttp `web.run_app`, no access log, the same body
size limit); the handler reads the body and answers a fixed passive reply, with no signature
check, no parsing and no dialogue: the one thing that differs.
"""

from __future__ import annotations

import argparse

from aiohttp import web

# As in bot/channels/wechat_endpoint.py (tests/bench checks), not imported: this process loads nothing of ours.
PATH = "/wechat"
MAX_BODY_BYTES = 64 * 1024

FIXED = (
    "<xml><ToUserName><![CDATA[user]]></ToUserName><FromUserName><![CDATA[gh_bench]]></FromUserName>"
    "<CreateTime>0</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好]]></Content></xml>"
)


async def reply(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text=FIXED, content_type="application/xml")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.wechat_bare", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(PATH, reply)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
