"""What every page handler shares: the services and actor of the request, redirects after a
change, the notices a change brings (queued in the outbox, delivered by the bot's courier), and
refusals of the rules shown as a page rather than raised."""

from __future__ import annotations

import functools
from datetime import date
from urllib.parse import urlencode

from aiohttp import web

from bot.web.render import render
from bot.web.routing import ACTOR, SERVICES, Handler
from common.messages import Notice
from policy.ledger import LedgerError, UnknownRecord
from services.actor import Actor, PermissionDenied
from services.context import Services


def services_of(request: web.Request) -> Services:
    return request.app[SERVICES]


def actor_of(request: web.Request) -> Actor:
    return request[ACTOR]


def redirect(path: str, **query: object) -> web.Response:
    """303 after a change; the query holds catalog ids and dates, never personal data."""
    location = f"{path}?{urlencode(query)}" if query else path
    return web.Response(status=303, headers={"Location": location})


async def queue(services: Services, notices: list[Notice]) -> None:
    now = services.clock()
    for notice in notices:
        await services.store.enqueue(notice, now)


async def form_of(request: web.Request) -> dict[str, str]:
    return {k: v.strip() for k, v in (await request.post()).items() if isinstance(v, str)}


def day_arg(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        raise web.HTTPBadRequest() from None


def number(text: str | None) -> int:
    if not text or not text.isdecimal():
        raise web.HTTPBadRequest()
    return int(text)


def refusals(handler: Handler) -> Handler:
    """A rule that refuses (the ledger's, a role's, a bad value) is shown with a way back."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        t = services_of(request).texts
        try:
            return await handler(request)
        except (LedgerError, UnknownRecord) as exc:
            return render(request, "problem.html", status=400, problem=t(exc.text_id, **exc.fields))
        except PermissionDenied:
            return render(request, "refused.html", status=403)
        except ValueError:
            return render(request, "problem.html", status=400, problem=t("web.problem.invalid"))

    return wrapped
