"""The console's route table: every route says who may open it (see app.access)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from aiohttp import web

from services.actor import Actor
from services.context import Services
from storage.users import User

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SERVICES = web.AppKey("services", Services)
ROUTES = web.AppKey("routes", dict)
# What the session middleware puts on each request.
USER = web.RequestKey("user", User)  # absent when nobody is signed in
ACTOR = web.RequestKey("actor", Actor)  # the service-layer actor of that user
CSRF = web.RequestKey("csrf", str)  # the form token of the session (or of the sign-in page)


class Access(StrEnum):
    PUBLIC = "public"  # the sign-in page and the stylesheet
    SIGNED_IN = "signed_in"  # anyone signed in (sign out, the start page)
    STAFF = "staff"
    LAWYER = "lawyer"


@dataclass(frozen=True)
class RouteDef:
    method: str
    path: str
    access: Access


class Routes:
    """Collects (method, path) → handler with the access it needs."""

    def __init__(self, app: web.Application):
        self.app = app
        app[ROUTES] = {}

    def add(self, method: str, path: str, handler: Handler, access: Access) -> None:
        route = self.app.router.add_route(method, path, handler)
        self.app[ROUTES][(method, route.resource.canonical)] = RouteDef(method, path, access)

    def get(self, path: str, handler: Handler, access: Access) -> None:
        self.add("GET", path, handler, access)

    def post(self, path: str, handler: Handler, access: Access) -> None:
        self.add("POST", path, handler, access)


def route_of(request: web.Request) -> RouteDef | None:
    route = request.match_info.route
    if route.resource is None:
        return None
    method = "GET" if request.method == "HEAD" else request.method
    return request.app[ROUTES].get((method, route.resource.canonical))
