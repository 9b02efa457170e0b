"""问政策: typed questions answered from the knowledge base, clarified, or honestly not known."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from common.catalog import Catalog
from common.messages import Option, Payload
from common.privacy import redact
from faq.extract import MATTER_ENTRIES, Facts, extract
from faq.kb import FOLLOW_UPS, Audience, Entry, KnowledgeBase
from faq.matcher import Kind, Match
from handlers import menu, visit_request
from handlers.faq_told import county_line, render_told, told_of
from handlers.turn import MENU, Flow, Route, Turn

# How many clarifying suggestions to show: enough to contain the right one, few enough to read.
SUGGESTIONS = 3
# Popular starting points shown when someone taps 问政策 (ids of public entries).
STARTERS = ("will_notary_fee", "means_test_exempt", "home_visit", "how_to_apply")
# Questions up to this long are matched on the event loop (p99 under 2 ms at the knowledge base's size).
INLINE_MATCH_CHARS = 80
TOLD_STARTS = {Payload(f, "start").encode(): Payload(f, "start", "told").encode() for f in ("book", "elig")}
# Entries whose answer turns on "有条件的县" (3号 二): a known county adds its recorded status.
COUNTY_BOUND = frozenset({"scope_70_no_limit", "means_test_exempt", "benefits_70", "benefits_80"})
# How 周岁 are counted (3号 二、三): the answer to an age said as 虚岁 or before this year's birthday.
AGE_COUNTING = "age_counting"
# Declined because the texts do not say it (faq.topics.ASPECTS): said so, naming what.
UNSTATED = {"court_costs": "faq.unstated_court_costs", "how_long": "faq.unstated_how_long"}


def render_answer(
    t: Catalog, kb: KnowledgeBase, entry: Entry, runner_up: Entry | None = None, also: tuple[Entry, ...] = ()
) -> tuple[str, tuple[Option, ...]]:
    """The answer text as the person sees it, and its follow-up buttons (the runner-up first:
    answering the likelier question and offering the other beats asking "您是想问"; then the entries
    the question also named, Match.also)."""
    line_id = "faq.guidance_line" if entry.guidance else "faq.source_line"
    text = f"{entry.answer}\n\n{t(line_id, source=entry.source)}"
    options = [Option(t(f"faq.follow_up.{b}"), FOLLOW_UPS[b]) for b in entry.buttons]
    offered = [*([runner_up] if runner_up is not None else []), *(e for e in also if e.audience is entry.audience)]
    offered = [e for e in offered if e.id != entry.id]
    offered = list({e.id: e for e in offered}.values())
    options[:0] = [Option(e.question, Payload("faq", "show", e.id).encode()) for e in offered]
    for rel in entry.related[:2]:
        if rel in {e.id for e in offered}:
            continue
        related = kb.get(rel)
        if related is not None and related.audience is entry.audience:
            options.append(Option(related.question, Payload("faq", "show", rel).encode()))
    options.append(Option(t("nav.menu"), MENU))
    return text, tuple(options)


def render_match(t: Catalog, kb: KnowledgeBase, match: Match) -> tuple[str, tuple[Option, ...]]:
    """What the person sees for a match: the answer, "您是想问", or an honest "I don't know"."""
    if match.kind is Kind.ANSWER:
        return render_answer(t, kb, match.candidates[0].entry, match.runner_up, match.also)
    if match.kind is Kind.CLARIFY:
        options = [Option(c.entry.question, Payload("faq", "show", c.entry.id).encode()) for c in match.candidates[:SUGGESTIONS]]
        options.append(Option(t("faq.none_of_these"), Payload("faq", "none").encode()))
        return t("faq.clarify"), tuple(options)
    if match.kind is Kind.GREETING:
        return t("menu.greeting"), menu.main_menu_options(t)
    return fallback_text(t, match), fallback_options(t)


def fallback_text(t: Catalog, match: Match) -> str:
    """答不好, and what the texts do not say when that is known (高龄津贴, 诉讼费, 多久)."""
    if match.not_in_texts is None:
        return t("faq.fallback")
    if match.aspect:
        return t(UNSTATED[match.not_in_texts])
    return t("faq.outside", subject=match.not_in_texts)


def merged(first: tuple[Option, ...], then: tuple[Option, ...]) -> tuple[Option, ...]:
    """Two replies' buttons as one reply's: each once, 返回菜单 last."""
    options: list[Option] = []
    last: list[Option] = []
    for option in (*first, *then):
        if option.payload == MENU:
            last = last or [option]
        elif option.payload not in {o.payload for o in options}:
            options.append(option)
    return (*options, *last)


def fallback_options(t: Catalog) -> tuple[Option, ...]:
    return (
        Option(t("menu.call"), Payload("menu", "call").encode()),
        Option(t("faq.ask_lawyer"), Payload("consult", "start").encode()),
        Option(t("nav.menu"), MENU),
    )


class FaqFlow(Flow):
    name = "faq"

    def __init__(self, audience: Audience = Audience.PUBLIC,
                 lawyer_words: Callable[[Turn, str], Awaitable[bool]] | None = None):
        self.audience = audience
        # What a registered lawyer types at the menu (接单 Q00001, 待接留言) is the lawyers' flow's first
        # (handlers.lawyer.LawyerFlow.typed, given by the runtime: this module stays free of services).
        self.lawyer_words = lawyer_words

    async def start(self, turn: Turn, arg: str = "") -> None:
        turn.state.reset()  # typed text at the menu already goes to the questions
        kb = turn.services.matcher.kb
        options = [Option(kb.by_id[i].question, Payload("faq", "show", i).encode()) for i in STARTERS if i in kb.by_id]
        options.append(turn.menu_option())
        turn.say(turn.t("faq.prompt"), options)

    def routes(self) -> dict[str, Route]:
        return super().routes() | {"show": self.show, "none": self.none}

    async def show(self, turn: Turn, entry_id: str) -> None:
        entry = turn.services.matcher.kb.get(entry_id)
        if entry is None:
            await self.stale(turn)
            return
        turn.say(*render_answer(turn.t, turn.services.matcher.kb, entry), readable=True)

    async def none(self, turn: Turn, arg: str = "") -> None:
        turn.say(turn.t("faq.fallback"), fallback_options(turn.t))

    async def on_text(self, turn: Turn, text: str) -> None:
        if turn.lawyer and self.lawyer_words is not None and await self.lawyer_words(turn, text):
            return
        facts = extract(text, turn.now.date())
        told_now = bool(facts.relation or facts.age is not None or facts.conditions or facts.matters or facts.county)
        if told_now:
            turn.state.told = told_of(facts)
        if not turn.lawyer and visit_request.answer(turn, text):  # 12月1号上午能来我家吗: asked for, not about
            return
        # A registered lawyer's near-ties lean towards the points-scheme answers.
        audience = Audience.LAWYER if turn.lawyer else self.audience
        # Matching a 300-character run-on takes several ms of CPU (bench/matcher.py): on a worker
        # thread, so the other chats' turns are not held up behind it. A short question takes well
        # under a millisecond, less than the hand-off to a thread and back.
        if len(text) > INLINE_MATCH_CHARS:
            match = await asyncio.to_thread(turn.services.matcher.match, text, audience)
        else:
            match = turn.services.matcher.match(text, audience)
        if facts.age_unsure and not turn.lawyer and self.counting_told(turn, match):
            return
        if self.tells_more(facts, match):
            measures = await turn.services.counties.get(facts.county) if facts.county else None
            told, told_options = render_told(turn.t, turn.services.matcher.kb, facts, measures)
            declined = match.kind is Kind.FALLBACK or match.kind is Kind.CLARIFY and match.aspect
            if facts.about_person and (match.kind is Kind.ANSWER or declined) and len(facts.matters) < 2:
                # 高龄津贴怎么领？我妈九十一了: the question first (answered, or declined as not in the texts),
                # then what the texts say for the person described.
                if declined:
                    await self._record_miss(turn, text, match)
                    reply, options = fallback_text(turn.t, match), fallback_options(turn.t)
                else:
                    reply, options = render_match(turn.t, turn.services.matcher.kb, match)
                turn.say(f"{reply}\n\n{told}", merged(options, told_options), readable=match.kind is Kind.ANSWER)
                return
            turn.say(told, told_options)
            return
        if match.kind in (Kind.CLARIFY, Kind.FALLBACK):
            await self._record_miss(turn, text, match)
        if match.kind is Kind.GREETING:
            turn.state.reset()
            turn.say(turn.t("menu.greeting"), menu.main_menu_options(turn.t), main_menu=True)
            return
        reply, options = render_match(turn.t, turn.services.matcher.kb, match)
        if told_now:  # 我父亲八十二岁了，住在江山，想预约上门: the answer's 预约上门 / 查资格 start from what was told
            options = tuple(Option(o.label, TOLD_STARTS.get(o.payload, o.payload)) for o in options)
        county = turn.state.told.county if turn.state.told else None
        if match.entry is not None and match.entry.id in COUNTY_BOUND and county is not None:
            reply += "\n" + county_line(turn.t, await turn.services.counties.get(county))
        turn.say(reply, options, readable=match.kind is Kind.ANSWER)

    @staticmethod
    def counting_told(turn: Turn, match: Match) -> bool:
        """我妈今年七十，虚岁七十一，生日还没过，算七十周岁吗: how 周岁 are counted, never 已满70周岁 asserted;
        what the question matched best is offered beside it."""
        kb = turn.services.matcher.kb
        entry = kb.get(AGE_COUNTING)
        if entry is None:
            return False
        top = match.candidates[0].entry if match.candidates else None
        runner_up = top if top is not None and top.id != entry.id and top.audience is entry.audience else None
        turn.say(*render_answer(turn.t, kb, entry, runner_up), readable=True)
        return True

    @staticmethod
    async def _record_miss(turn: Turn, text: str, match: Match) -> None:
        await turn.services.store.record_miss(
            match.kind.value,
            redact(text)[:200],
            [c.entry.id for c in match.candidates],
            [c.score for c in match.candidates],
            turn.now,
        )

    @staticmethod
    def tells_more(facts: Facts, match: Match) -> bool:
        """Several matters, or a person described whom one entry does not answer outright (or answers
        about something they did not raise): the facts that fit them say more than one entry would."""
        if len(facts.matters) >= 2:
            return True
        if not facts.about_person:
            return False
        if match.entry is None:
            return True
        return bool(facts.matters) and match.entry.id not in {MATTER_ENTRIES[m] for m in facts.matters}

    async def resume(self, turn: Turn) -> None:
        await self.start(turn)

    async def stale(self, turn: Turn) -> None:
        turn.say(turn.t("nav.stale_button"))
        menu.show_menu(turn)
