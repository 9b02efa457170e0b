"""预约: visits by date and county with the places left, a visit's details (contact masked until
显示, each showing logged), assign a lawyer or a member of staff, move, cancel with a reason, done (+10 under 4号 二(一)4) or
no-show, and the printable A4 day sheet per county. The person is told on their own channel
through the outbox."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.web.pages import actor_of, day_arg, form_of, number, queue, redirect, refusals, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from policy.county_status import County
from services import accounts, lawyers, overview, visits
from services.wording import day_label
from storage.bookings import BookingStatus, Change
from storage.users import WebRole

# The free-places grid covers at most this many days; the list below it any range.
GRID_DAYS = 14


def _county(text: str | None) -> County | None:
    if not text:
        return None
    try:
        return County(text)
    except ValueError:
        raise web.HTTPBadRequest() from None


async def listing(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    today = services.today()
    start = day_arg(request.query.get("from"), today)
    end = day_arg(request.query.get("to"), start + timedelta(days=6))
    if end < start:
        raise web.HTTPBadRequest()
    county = _county(request.query.get("county"))
    found = await overview.bookings(services, actor, start, end, county)
    days = [start + timedelta(days=n) for n in range(min((end - start).days + 1, GRID_DAYS))]
    free = await overview.free_places(services, actor, days)
    windows = [w.key for w in services.settings.slot_rules.windows]
    t = services.texts
    # Each label once, not once per row: a page of 1,000 visits stays well under 200 ms.
    labels = {"day": {d: day_label(t, d) for d in {b.visit_date for b in found} | set(days)},
              "window": {w: t(f"book.window_name.{w}") for w in windows},
              "status": {s: t(f"book.status.{s}") for s in BookingStatus}}
    return render(request, "bookings.html", bookings=found, start=start, end=end, county=county,
                  counties=list(County), days=days, free=free, windows=windows, labels=labels,
                  limited=len(found) >= overview.MAX_LISTED, who=await overview.who_goes(services, actor, found))


async def _detail_page(request: web.Request, shown: bool) -> web.StreamResponse:
    services, actor, ref = services_of(request), actor_of(request), request.match_info["ref"]
    if shown:
        found = await visits.detail(services, actor, ref, services.clock())
    else:
        found = await overview.visit(services, actor, ref)
    if found is None:
        raise web.HTTPNotFound()
    booking, lawyer = found
    roster = [x for x in await lawyers.roster(services, actor) if x.active]
    staff = [u for u in await accounts.list_users(services, actor) if u.role == WebRole.STAFF and u.active]
    result = request.query.get("result")
    return render(request, "booking.html", b=booking, lawyer=lawyer, shown=shown, roster=roster, staff=staff,
                  who=await overview.who_goes(services, actor, [booking]),
                  result=result if result in set(Change) else None,
                  windows=[w.key for w in services.settings.slot_rules.windows])


async def detail(request: web.Request) -> web.StreamResponse:
    return await _detail_page(request, shown=False)


async def show(request: web.Request) -> web.StreamResponse:
    """显示: the contact details in full, and the read recorded in the access log."""
    return await _detail_page(request, shown=True)


@refusals
async def act(request: web.Request) -> web.StreamResponse:
    services, actor, ref = services_of(request), actor_of(request), request.match_info["ref"]
    action, form, now = request.match_info["action"], await form_of(request), services.clock()
    notices = []
    if action == "complete":
        outcome = await visits.complete(services, actor, ref, now)
    elif action == "no-show":
        outcome = await visits.no_show(services, actor, ref, now)
    elif action == "cancel":
        done = await visits.cancel(services, actor, ref, form.get("reason", ""), now)
        outcome, notices = done.value, done.notices
    elif action == "assign":
        done = await visits.assign_lawyer(services, actor, ref, number(form.get("lawyer")), now)
        outcome, notices = done.value, done.notices
    elif action == "assign-staff":
        done = await visits.assign_staff(services, actor, ref, number(form.get("user")), now)
        outcome, notices = done.value, done.notices
    elif action == "move":
        day = day_arg(form.get("day"), now.date())
        done = await visits.move(services, actor, ref, day, form.get("window", ""), now)
        outcome, notices = done.value, done.notices
    else:
        raise web.HTTPNotFound()
    if outcome.status == Change.NOT_FOUND and outcome.booking is None:
        raise web.HTTPNotFound()
    await queue(services, notices)
    return redirect(f"/bookings/{ref}", result=outcome.status.value)


async def sheet(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    today = services.today()
    day = day_arg(request.query.get("day"), today)
    county = _county(request.query.get("county"))
    if county is None:
        return render(request, "sheet_choose.html", day=day, counties=list(County))
    visits_of_day = await overview.day_sheet(services, actor, day, county, services.clock())
    who = await overview.who_goes(services, actor, [b for b, _ in visits_of_day])
    return render(request, "sheet.html", day=day, county=county, visits=visits_of_day, who=who)


def add_routes(routes: Routes) -> None:
    routes.get("/bookings", listing, Access.STAFF)
    routes.get("/bookings/sheet", sheet, Access.STAFF)
    routes.get("/bookings/{ref}", detail, Access.STAFF)
    routes.post("/bookings/{ref}/show", show, Access.STAFF)
    routes.post("/bookings/{ref}/{action:complete|no-show|cancel|assign|assign-staff|move}", act, Access.STAFF)
