"""Jinja2 templates, with the catalog as `t(id, **kw)`: templates hold markup, the catalog the words."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import jinja2
from aiohttp import web

from common.catalog import Catalog
from common.privacy import mask_name, mask_phone
from bot.web.routing import CSRF, SERVICES, USER
from services.wording import day_label, window_label

TEMPLATES = Path(__file__).parent / "templates"


class Renderer:
    def __init__(self, texts: Catalog):
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
            trim_blocks=True, lstrip_blocks=True, auto_reload=False,
        )
        self.env.globals["t"] = texts
        self.env.filters["day"] = lambda d: day_label(texts, d)
        self.env.filters["phone_masked"] = mask_phone
        self.env.filters["name_masked"] = mask_name

    def page(self, template: str, context: dict) -> str:
        return self.env.get_template(template).render(context)


RENDERER = web.AppKey("renderer", Renderer)


def render(request: web.Request, template: str, status: int = 200, **context: object) -> web.Response:
    services = request.app[SERVICES]
    settings = services.settings
    local_now = services.clock().astimezone(settings.zone)
    base = {
        "user": request.get(USER), "csrf": request.get(CSRF, ""), "path": request.path,
        "window": lambda key: window_label(services.texts, settings.slot_rules, key),
        "local": lambda at: at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M") if at else "",
        "age": lambda at: _age(services.texts, local_now, at), "today": local_now.date(),
        "message": request.get("message"),
    }
    text = request.app[RENDERER].page(template, base | context)
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _age(t: Catalog, now: datetime, at: datetime | date | None) -> str:
    if not isinstance(at, datetime):
        return ""
    minutes = max(0, int((now - at).total_seconds() // 60))
    if minutes < 60:
        return t("web.age.minutes", n=minutes)
    if minutes < 48 * 60:
        return t("web.age.hours", n=minutes // 60)
    return t("web.age.days", n=minutes // 1440)
