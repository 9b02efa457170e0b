"""预约上门办申请: staff or a lawyer come to help an older person who cannot travel apply for legal
aid (衢市司发〔2020〕3号 三 预约提供上门服务, 实现特殊老年人申请法律援助"一次不用跑").

The quick check (80+? seriously ill? unable to get about?) → county → day → 上午/下午 → name →
phone and whose → township → address → access needs → the matter → a separate consent (PIPL
art. 29; refused, the draft is deleted) → review → confirm → a reference such as SM-20261126-0001.
Personal details live in the conversation only until the booking is confirmed or abandoned.
"""

from __future__ import annotations

import datetime as dt
import secrets
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import StringConstraints

from common.messages import Option, Payload, Reply
from common.privacy import mask_name
from handlers.booking_answers import (
    ACCESS_NEEDS,
    PHONE,
    read_access,
    read_county,
    read_illness,
    read_matter,
    read_mobility,
    read_name,
    read_owner,
    read_phone,
    read_place,
    read_quick_check,
    read_yes_no,
)
from handlers.choice import BACK_WORDS, CONFIRM_WORDS
from handlers.form import REVIEW, Choice, Draft, Form, Invalid, Question, fixed
from handlers.runon import said_in
from handlers.turn import Turn
from handlers.visit_request import read_visit_arg
from handlers.visit_time import DATE, WINDOW, read_day, save_date, time_params
from handlers.state import Told
from policy.eligibility import Condition, County
from policy.slots import resident_reminder_at
from services import visits, wording
from storage.bookings import BookingDraft
from storage.outbox import Topic, outbox_key

NAME = "book"
# 3号 三 其他行动不便的老年人: 失能 and 半失能 cannot get about either.
MOBILITY_CONDITIONS = frozenset({Condition.MOBILITY, Condition.DISABLED, Condition.SEMI_DISABLED})
# The questions at which a run-on is also read for the county and 3号 三's grounds (never the matter).
RUN_ON_KEYS = ("check_age", "check_illness", "check_mobility", "county")
Place = Annotated[str, StringConstraints(min_length=2, max_length=60)]


class VisitDraft(Draft):
    from_check: bool = False  # a finished 查资格 already found grounds for a visit
    check_age: bool | None = None
    check_illness: bool | None = None
    check_mobility: bool | None = None
    county: County | None = None
    date: dt.date | None = None
    window: str | None = None
    name: Annotated[str, StringConstraints(pattern=r"^[\u4e00-\u9fffA-Za-z·•. ]{1,20}$")] | None = None
    phone: Annotated[str, StringConstraints(pattern=PHONE.pattern)] | None = None
    phone_owner: Literal["self", "family"] | None = None
    township: Place | None = None
    address: Place | None = None
    access: list[Literal[ACCESS_NEEDS]] | None = None  # type: ignore[valid-type]
    access_note: Annotated[str, StringConstraints(max_length=100)] | None = None
    matter: Annotated[str, StringConstraints(min_length=2, max_length=200)] | None = None
    consent_at: datetime | None = None
    nonce: str | None = None  # one per draft: a double tap on 确认预约 books once
    wanted: Annotated[str, StringConstraints(max_length=20)] | None = None  # "12月1日上午" asked for at the menu

    @property
    def eligible(self) -> bool:
        return bool(self.from_check or self.check_age or self.check_illness or self.check_mobility)


def checked(key: str, last: bool = False):
    async def save(turn: Turn, draft: VisitDraft, value: str) -> bool:
        setattr(draft, key, value == "yes")
        if last and value != "yes":
            not_eligible(turn, undo=True)
            return True
        return False

    return save


async def save_county(turn: Turn, draft: VisitDraft, value: str) -> bool:
    if draft.county != value:
        draft.date = draft.window = None  # free days differ from county to county
    draft.county = County(value)
    return False


async def save_phone(turn: Turn, draft: VisitDraft, value: str) -> bool:
    if draft.phone != value:
        draft.phone_owner = None  # whose phone it is belongs to the number: a new one is asked about
    draft.phone = value
    return False


async def save_access(turn: Turn, draft: VisitDraft, value: list[str] | str) -> bool:
    if isinstance(value, str):  # typed: a note, added to those before; 好了 still ends the question
        draft.access_note = "；".join(filter(None, (draft.access_note, value)))[:100]
    else:
        draft.access = value
    return False


async def save_consent(turn: Turn, draft: VisitDraft, value: str) -> bool:
    if value == "yes":
        draft.consent_at, draft.nonce = turn.now, secrets.token_hex(8)
        return False
    # Without consent nothing personal is kept, not even in the conversation.
    turn.state.data.pop(NAME, None)
    turn.state.reset()
    turn.say(turn.t("book.no_consent"), (turn.option("menu.call", Payload("menu", "call")), turn.menu_option()))
    return True


async def counties(turn: Turn, draft: VisitDraft) -> list[Choice]:
    return [Choice(c.value, c.value) for c in County]


async def access_needs(turn: Turn, draft: VisitDraft) -> list[Choice]:
    return [Choice(turn.t(f"book.access.{need}"), need) for need in ACCESS_NEEDS]


YES_NO = fixed(("book.answer_yes", "yes"), ("book.answer_no", "no"))
QUESTIONS = (
    Question("check_age", "book.ask.check_age", YES_NO, read_quick_check, when=lambda d: not d.eligible,
             save=checked("check_age"), hint="book.invalid.check_age"),
    Question("check_illness", "book.ask.check_illness", YES_NO, read_illness,
             when=lambda d: d.check_age is False and not d.eligible,
             save=checked("check_illness"), hint="book.invalid.check_illness"),
    Question("check_mobility", "book.ask.check_mobility", YES_NO, read_mobility,
             when=lambda d: d.check_illness is False, save=checked("check_mobility", last=True),
             hint="book.invalid.check_mobility"),
    Question("county", "book.ask.county", counties, read_county, when=lambda d: d.eligible, save=save_county),
    DATE,
    WINDOW,
    Question("name", "book.ask.name", read=read_name, hint="book.invalid.name"),
    Question("phone", "book.ask.phone", read=read_phone, hint="book.invalid.phone", save=save_phone),
    Question("phone_owner", "book.ask.phone_owner", fixed(("book.phone_self", "self"), ("book.phone_family", "family")),
             read_owner, hint="book.invalid.phone_owner"),
    Question("township", "book.ask.township", read=read_place, hint="book.invalid.township"),
    Question("address", "book.ask.address", read=read_place, hint="book.invalid.address"),
    Question("access", "book.ask.access", access_needs, read_access, save=save_access, multi=True,
             noted="book.access_noted", writing=True),
    Question("matter", "book.ask.matter", read=read_matter, hint="book.invalid.matter", writing=True),
    Question("consent", "book.ask.consent", fixed(("book.consent_yes", "yes"), ("book.consent_no", "no"),
                                                  aliases={"yes": CONFIRM_WORDS}),
             read_yes_no, done=lambda d: d.consent_at is not None, save=save_consent),
)


def not_eligible(turn: Turn, offer_recheck: bool = False, undo: bool = False) -> None:
    """`undo`: the quick check's answers are kept (nothing personal yet) so 上一步 can change the last."""
    if not undo:
        turn.state.data.pop(NAME, None)
    turn.state.reset()
    options = [Option(turn.t("nav.back"), Payload(NAME, "undo").encode(), BACK_WORDS)] if undo else []
    options += [turn.option("book.recheck", Payload(NAME, "recheck"))] if offer_recheck else []
    options += [turn.option("menu.consult", Payload("consult", "start")),
                turn.option("menu.call", Payload("menu", "call")), turn.menu_option()]
    turn.say(turn.t("book.not_eligible"), options)


def access_text(turn: Turn, draft: VisitDraft) -> str:
    parts = [turn.t(f"book.access.{need}") for need in draft.access or ()]
    return "、".join(parts + ([draft.access_note] if draft.access_note else [])) or turn.t("eq.none")


class BookingFlow(Form[VisitDraft]):
    name = NAME
    draft = VisitDraft
    questions = QUESTIONS
    editable = ("county", "date", "name", "phone", "township", "address", "access", "matter")
    confirm_text = "book.confirm"
    texts = "book"
    edit_words = {"date": ("改日子", "改日期", "换一天", "改时间"), "phone": ("改电话", "改号码", "电话不对"),
                  "name": ("改名字", "名字不对"), "county": ("改县",), "access": ("改注意事项",),
                  "matter": ("改事情", "改要办的事情")}
    draft_ttl = timedelta(days=1)

    def routes(self):
        return super().routes() | {"recheck": lambda turn, _arg: self.begin(turn, VisitDraft()),
                                   "undo": lambda turn, _arg: self.undo(turn)}

    async def undo(self, turn: Turn) -> None:
        """上一步 from the refusal: the question that refused, asked again."""
        draft = self.load(turn)
        if draft is None or draft.step in (None, REVIEW):
            await self.restart(turn)
            return
        self.keep(turn, draft)
        await self.show(turn, draft, self.question(draft.step))

    def params(self, turn: Turn, draft: VisitDraft) -> dict[str, object]:
        return time_params(turn, draft) | {"days": turn.services.settings.retention_days,
                                           "note": draft.access_note or ""}

    def held(self, turn: Turn) -> list[str]:
        draft = self.load(turn)
        if draft is None or not (draft.name or draft.phone or draft.access_note or draft.matter):
            return []
        given = (draft.name, draft.phone, draft.township, draft.address, draft.access_note, draft.matter)
        return [turn.t("privacy.draft", fields="，".join(v for v in given if v))]

    async def start(self, turn: Turn, arg: str = "") -> None:
        mine = await turn.services.bookings.list_for_user(turn.ev.channel, turn.ev.user_id)
        active = [b for b in mine if b.status == "active"]
        if active and arg != "new":
            turn.state.reset()
            turn.say(turn.t("book.has_bookings", count=len(active)), (
                turn.option("book.new", Payload(NAME, "start", "new")),
                turn.option("book.mine", Payload("mine", "start")), turn.menu_option()))
            return
        if arg == "told" and turn.state.told is not None:
            await self.from_told(turn, turn.state.told)
            return
        if (visit := read_visit_arg(arg)) is not None:  # "12月1号上午能来我家吗" at the menu
            day, window, told = visit
            half_day = turn.t(f"book.window_name.{window}") if window else ""
            wanted = f"{day.month}.{day.day}{half_day}" if day else None  # read again as typed, by read_day
            if told and turn.state.told is not None:
                await self.from_told(turn, turn.state.told, wanted)
                return
            if wanted:
                await self.restart(turn, wanted=wanted)
                return
        await super().start(turn, arg)

    async def from_told(self, turn: Turn, told: Told, wanted: str | None = None) -> None:
        """Start with what the person's own words told (county, 3号 三's grounds); only the rest is
        asked, and the review shows it all to confirm."""
        conditions = set(told.conditions)
        draft = VisitDraft(
            county=told.county,
            check_age=None if told.age is None else told.age >= 80,
            check_illness=True if Condition.SERIOUS_ILLNESS in conditions else None,
            check_mobility=True if conditions & MOBILITY_CONDITIONS else None, wanted=wanted,
        )
        facts = [turn.t("book.told.county", county=told.county)] if told.county else []
        grounds = ((draft.check_age, "book.told.check_age"), (draft.check_illness, "book.told.check_illness"),
                   (draft.check_mobility, "book.told.check_mobility"))
        facts += [turn.t(text_id) for held, text_id in grounds if held]
        if facts:
            turn.say(turn.t("book.from_told", facts="，".join(facts)))
        await self.begin(turn, draft)

    async def accept(self, turn: Turn, draft: VisitDraft, question: Question, raw: str) -> None:
        # At the quick check typed text also answers what it clearly says of the county and the grounds
        # (我爸八十二了住在江山腿脚不好): said first; the county is shown on the review.
        if question.key in RUN_ON_KEYS and raw not in [c.value for c in await question.choices(turn, draft)]:
            said, facts = said_in(raw, turn.now.date()), []
            if question.key != "county" and draft.county is None and said.county:
                draft.county = said.county
                facts.append(turn.t("book.told.county", county=said.county))
            grounds = (("check_illness", {Condition.SERIOUS_ILLNESS}), ("check_mobility", MOBILITY_CONDITIONS))
            for key, named in grounds:
                if key != question.key and getattr(draft, key) is None and named & set(said.conditions):
                    setattr(draft, key, True)
                    facts.append(turn.t(f"book.told.{key}"))
            if facts:
                turn.say(turn.t("book.from_told", facts="，".join(facts)))
        await super().accept(turn, draft, question, raw)

    async def restart(self, turn: Turn, arg: str = "", wanted: str | None = None) -> None:
        # A finished 查资格 has already answered the quick check, one way or the other.
        home_visit = turn.state.home_visit
        if home_visit is False:
            not_eligible(turn, offer_recheck=True)
            return
        if home_visit:
            turn.say(turn.t("book.eligible_from_check"))
        await self.begin(turn, VisitDraft(from_check=bool(home_visit), wanted=wanted))

    async def ask(self, turn: Turn, draft: VisitDraft, question: Question, hint: str | None = None) -> None:
        """The day asked for at the menu is tried once the county is known: taken if it can be
        (the review shows it), or its reason said above the days that can."""
        if question.key != DATE.key or not draft.wanted or hint is not None:
            await super().ask(turn, draft, question, hint)
            return
        value, draft.wanted = await read_day(turn, draft, draft.wanted), None
        draft.asked.append(question.key)
        if isinstance(value, Invalid):
            self.keep(turn, draft)
            await self.show(turn, draft, question, value.hint, value.values)
            return
        await save_date(turn, draft, value)
        self.keep(turn, draft)
        await self.ask_next(turn, draft)

    async def review_text(self, turn: Turn, draft: VisitDraft) -> str:
        rules = turn.services.settings.slot_rules
        return turn.t(
            "book.review", county=draft.county, day=wording.day_label(turn.t, draft.date),
            window=wording.window_label(turn.t, rules, draft.window), name=draft.name, phone=draft.phone,
            owner=turn.t(f"book.phone_{draft.phone_owner}"), township=draft.township, address=draft.address,
            access=access_text(turn, draft), matter=draft.matter)

    async def confirm(self, turn: Turn, draft: VisitDraft) -> None:
        ev, services = turn.ev, turn.services
        booking_draft = BookingDraft(
            channel=ev.channel, user_id=ev.user_id, county=draft.county, visit_date=draft.date, window=draft.window,
            elder_name=draft.name, phone=draft.phone, phone_owner=draft.phone_owner, township=draft.township,
            address=draft.address, matter=draft.matter, consent_at=draft.consent_at,
            access_needs=access_text(turn, draft))
        result = await services.bookings.create(
            booking_draft, services.settings.slot_rules.capacity, f"{ev.channel}:{ev.user_id}:{draft.nonce}",
            turn.now, {"resident": resident_reminder_at(draft.date, services.settings.zone)},
            limit=services.settings.max_active_bookings)
        if result.status == "limit":
            self.keep(turn, draft)  # consented and complete: kept for a day, in case one is cancelled
            turn.state.reset()
            turn.say(turn.t("book.limit", limit=services.settings.max_active_bookings),
                     (turn.option("book.mine", Payload("mine", "start")),
                      turn.option("menu.call", Payload("menu", "call")), turn.menu_option()))
            return
        if result.status == "full":
            draft.date = draft.window = None  # only a new time is needed; everything else is kept
            self.keep(turn, draft)
            await self.ask_next(turn, draft, hint="book.taken_meanwhile")
            return
        booking = result.booking
        self.drop(turn)  # personal details now live only in the booking
        day = wording.day_label(turn.t, booking.visit_date)
        window = wording.window_label(turn.t, services.settings.slot_rules, booking.window)
        call_day = visits.call_by(services, booking.visit_date, turn.now)
        call_by = wording.day_label(turn.t, call_day) if call_day else turn.t("book.call_that_day", day=day)
        turn.say(turn.t("book.confirmed", ref=booking.ref, day=day, window=window, county=booking.county,
                        township=booking.township, address=booking.address, call_by=call_by),
                 (turn.option("book.mine", Payload("mine", "start")), turn.menu_option()))
        # Also on a duplicate: the booking may have been made by a turn that failed before it was
        # saved, whose notice was lost with it. The dedupe key keeps it to one notice either way.
        turn.notify_staff(
            Reply(turn.t("staff.new_booking", ref=booking.ref, county=booking.county, day=day, window=window,
                         name=mask_name(booking.elder_name),
                         call_by=call_by if call_day else turn.t("staff.call_that_day", day=day)),
                  (Option(turn.t("staff.details"), Payload("staff", "booking", booking.ref).encode()),)),
            dedupe_key=outbox_key(Topic.NEW_BOOKING, booking.ref), about=turn.sender,
        )

