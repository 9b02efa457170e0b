"""问政策: typed questions answered from the knowledge base, clarified, or honestly not known."""

from __future__ import annotations

import asyncio

from common.catalog import Catalog
from common.messages import Option, Payload
from common.privacy import redact
from faq.extract import MATTER_ENTRIES, Facts, extract
from faq.kb import FOLLOW_UPS, Audience, Entry, KnowledgeBase
from faq.matcher import Kind, Match
from handlers import menu, visit_request
from handlers.faq_told import county_line, render_told, told_of
from handlers.lawyer import LawyerFlow
from handlers.turn import MENU, Flow, Route, Turn

# How many clarifying suggestions to show: enough to contain the right one, few enough to read.
SUGGESTIONS = 3
# Popular starting points shown when someone taps 问政策 (ids of public entries).
STARTERS = ("will_notary_fee", "means_test_exempt", "home_visit", "how_to_apply")
# Questions up to this long are matched on the event loop (p99 under 2 ms at the knowledge base's size).
INLINE_MATCH_CHARS = 80
LAWYER = LawyerFlow()  # stateless: what a registered lawyer types at the menu is asked there first
# Entries whose answer turns on "有条件的县" (3号 二): a known county adds its recorded status.
COUNTY_BOUND = frozenset({"scope_70_no_limit", "means_test_exempt", "benefits_70", "benefits_80"})


def render_answer(
    t: Catalog, kb: KnowledgeBase, entry: Entry, runner_up: Entry | None = None
) -> tuple[str, tuple[Option, ...]]:
    """The answer text as the person sees it, and its follow-up buttons (the runner-up first:
    answering the likelier question and offering the other beats asking "您是想问")."""
    line_id = "faq.guidance_line" if entry.guidance else "faq.source_line"
    text = f"{entry.answer}\n\n{t(line_id, source=entry.source)}"
    options = [Option(t(f"faq.follow_up.{b}"), FOLLOW_UPS[b]) for b in entry.buttons]
    if runner_up is not None:
        options.insert(0, Option(runner_up.question, Payload("faq", "show", runner_up.id).encode()))
    for rel in entry.related[:2]:
        if runner_up is not None and rel == runner_up.id:
            continue
        related = kb.get(rel)
        if related is not None and related.audience is entry.audience:
            options.append(Option(related.question, Payload("faq", "show", rel).encode()))
    options.append(Option(t("nav.menu"), MENU))
    return text, tuple(options)


def render_match(t: Catalog, kb: KnowledgeBase, match: Match) -> tuple[str, tuple[Option, ...]]:
    """What the person sees for a match: the answer, "您是想问", or an honest "I don't know"."""
    if match.kind is Kind.ANSWER:
        return render_answer(t, kb, match.candidates[0].entry, match.runner_up)
    if match.kind is Kind.CLARIFY:
        options = [Option(c.entry.question, Payload("faq", "show", c.entry.id).encode()) for c in match.candidates[:SUGGESTIONS]]
        options.append(Option(t("faq.none_of_these"), Payload("faq", "none").encode()))
        return t("faq.clarify"), tuple(options)
    if match.kind is Kind.GREETING:
        return t("menu.greeting"), menu.main_menu_options(t)
    return t("faq.fallback"), fallback_options(t)


def fallback_options(t: Catalog) -> tuple[Option, ...]:
    return (
        Option(t("menu.call"), Payload("menu", "call").encode()),
        Option(t("faq.ask_lawyer"), Payload("consult", "start").encode()),
        Option(t("nav.menu"), MENU),
    )


class FaqFlow(Flow):
    name = "faq"

    def __init__(self, audience: Audience = Audience.PUBLIC):
        self.audience = audience

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
        if turn.lawyer and await LAWYER.typed(turn, text):  # 接单 Q00001, 待接留言: a lawyer's words, not a question
            return
        facts = extract(text, turn.now.date())
        if facts.relation or facts.age is not None or facts.conditions or facts.matters or facts.county:
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
        if self.tells_more(facts, match):
            measures = await turn.services.counties.get(facts.county) if facts.county else None
            turn.say(*render_told(turn.t, turn.services.matcher.kb, facts, measures))
            return
        if match.kind in (Kind.CLARIFY, Kind.FALLBACK):
            await turn.services.store.record_miss(
                match.kind.value,
                redact(text)[:200],
                [c.entry.id for c in match.candidates],
                [c.score for c in match.candidates],
                turn.now,
            )
        if match.kind is Kind.GREETING:
            turn.state.reset()
            turn.say(turn.t("menu.greeting"), menu.main_menu_options(turn.t), main_menu=True)
            return
        reply, options = render_match(turn.t, turn.services.matcher.kb, match)
        county = turn.state.told.county if turn.state.told else None
        if match.entry is not None and match.entry.id in COUNTY_BOUND and county is not None:
            reply += "\n" + county_line(turn.t, await turn.services.counties.get(county))
        turn.say(reply, options, readable=match.kind is Kind.ANSWER)

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
