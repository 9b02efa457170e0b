"""查资格: a questionnaire an 80-year-old can finish, then what the opinion gives them.

Who asks → age (a number, 八十二, 1948年; 48年 is confirmed; the birthday is asked only when it
decides 60/70/80) → county (or 不清楚) → conditions (several) → a will notarised before →
review → the result (six lines, details behind a button). Rules: policy.eligibility (衢市司发〔2020〕3号 二、三).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from common.messages import Option, Payload
from handlers.choice import UNKNOWN_WORDS
from handlers.eligibility_answers import (
    DIBAO,
    read_age,
    read_asker,
    read_birthday,
    read_conditions,
    read_confirm,
    read_county,
    read_will,
)
from handlers.eligibility_result import details, finding_values, headline
from handlers.form import DONE, Choice, Draft, Form, Question, fixed
from handlers.parse import AgeAnswer, ages_for_year, expand_short_year
from handlers.runon import said_in
from handlers.turn import Route, Turn
from policy.county_status import CountyMeasures, CountyStatus
from policy.eligibility import Assessment, Asker, Condition, County, Facts, assess

NAME = "elig"
# Age buttons: a representative age in each band the rules distinguish (60, 70, 80).
AGE_BANDS = (("eq.age_band.under60", "59"), ("eq.age_band.60s", "65"), ("eq.age_band.70s", "75"),
             ("eq.age_band.80plus", "80"))
AGE_THRESHOLDS = (60, 70, 80)


class CheckDraft(Draft):
    asker: Asker | None = None
    age: Annotated[int, Field(ge=0, le=130)] | None = None
    short_year: int | None = None  # "48年": 1948? asked before it is used
    age_year: int | None = None  # a birth year whose birthday may decide a threshold
    county: County | Literal[""] | None = None  # "": 不清楚
    conditions: list[Condition] | None = None
    will: Literal["yes", "no", "unknown"] | None = None
    dibao: bool | None = None  # said 低保: not 城乡特困 (3号 二); the result says to ask


async def save_conditions(turn: Turn, draft: CheckDraft, value: list[str] | str) -> bool:
    if value == DIBAO:
        draft.dibao = True
    else:
        draft.conditions = value
    return False


async def save_age(turn: Turn, draft: CheckDraft, value: AgeAnswer | str) -> bool:
    answer = AgeAnswer(age=int(value)) if isinstance(value, str) else value
    draft.age = answer.age
    draft.age_year = answer.year
    draft.short_year = expand_short_year(answer.short_year, turn.now.date()) if answer.short_year else None
    if answer.year is not None and not year_is_ambiguous(turn, answer.year):
        settle_year(turn, draft, had_birthday=True)
    return False


async def save_short_year(turn: Turn, draft: CheckDraft, value: str) -> bool:
    year, draft.short_year = draft.short_year, None
    if value == "yes":
        await save_age(turn, draft, AgeAnswer(year=year))
    return False


async def save_birthday(turn: Turn, draft: CheckDraft, value: str) -> bool:
    settle_year(turn, draft, had_birthday=value == "yes")
    return False


def year_is_ambiguous(turn: Turn, year: int) -> bool:
    """Whether this year's birthday decides a threshold (60, 70 or 80)."""
    before, after = ages_for_year(year, turn.now.date())
    return any(before < limit <= after for limit in AGE_THRESHOLDS)


def settle_year(turn: Turn, draft: CheckDraft, had_birthday: bool) -> None:
    before, after = ages_for_year(draft.age_year, turn.now.date())
    draft.age, draft.age_year = max(after if had_birthday else before, 0), None


async def counties(turn: Turn, draft: CheckDraft) -> list[Choice]:
    named = [Choice(turn.t("eq.county_label", county=c.value), c.value) for c in County]
    return [*named, Choice(turn.t("eq.county_unknown"), "", UNKNOWN_WORDS)]


async def conditions(turn: Turn, draft: CheckDraft) -> list[Choice]:
    return [Choice(turn.t(f"eq.cond.{c.value}"), c.value) for c in Condition]


def never(draft: CheckDraft) -> bool:
    return False


QUESTIONS = (
    Question("asker", "eq.ask_asker", fixed(("eq.asker_self", "self"), ("eq.asker_family", "family")), read_asker),
    Question("age", "eq.ask_age", fixed(*AGE_BANDS), read_age, save=save_age, hint="eq.age_unreadable",
             when=lambda d: d.short_year is None and d.age_year is None),
    Question("age_short_year", "eq.confirm_short_year", fixed(("eq.confirm_yes", "yes"), ("eq.confirm_no", "no")),
             read_confirm, when=lambda d: d.short_year is not None, done=never, save=save_short_year),
    Question("age_birthday", "eq.ask_birthday", fixed(("eq.birthday_passed", "yes"), ("eq.birthday_not_yet", "no")),
             read_birthday, when=lambda d: d.age_year is not None, done=never, save=save_birthday),
    Question("county", "eq.ask_county", counties, read_county),
    Question("conditions", "eq.ask_conditions", conditions, read_conditions, multi=True, save=save_conditions,
             noted="eq.dibao_noted"),
    Question("will", "eq.ask_will", fixed(("eq.will_yes", "yes"), ("eq.will_no", "no"), ("eq.will_unknown", "unknown"),
                                          aliases={"unknown": UNKNOWN_WORDS}), read_will),
)


def who(turn: Turn, draft: CheckDraft) -> str:
    return turn.t("eq.who_family" if draft.asker == Asker.FAMILY else "eq.who_self")


def listed(turn: Turn, chosen, dibao: bool | None = None) -> str:
    names = [turn.t(f"eq.cond.{c}") for c in chosen] + ([turn.t("eq.dibao_label")] if dibao else [])
    return "、".join(names) or turn.t("eq.none")


class EligibilityFlow(Form[CheckDraft]):
    name = NAME
    draft = CheckDraft
    questions = QUESTIONS
    editable = ("asker", "age", "county", "conditions", "will")
    confirm_text = "eq.see_result"
    texts = "eq"
    edit_words = {"conditions": ("改身体情况", "改情况", "身体情况", "改身体", "改生活情况", "改病情"),
                  "age": ("改岁数", "岁数不对", "年龄不对"), "county": ("改县", "改住址", "改地方", "改住的地方"),
                  "will": ("改遗嘱",), "asker": ("改问的人",)}

    def params(self, turn: Turn, draft: CheckDraft) -> dict[str, object]:
        return {"who": who(turn, draft), "year": draft.short_year or draft.age_year or "",
                "chosen": listed(turn, draft.picked, draft.dibao)}

    def held(self, turn: Turn) -> list[str]:
        draft = self.load(turn)
        if draft is None or draft.age is None:
            return []
        return [turn.t("privacy.answers", asker=turn.t(f"eq.asker_{draft.asker or 'self'}"), age=draft.age,
                       county=draft.county or "-", conditions=listed(turn, draft.conditions or (), draft.dibao),
                       will=turn.t(f"eq.will_{draft.will}") if draft.will else "-")]

    async def review_text(self, turn: Turn, draft: CheckDraft) -> str:
        return turn.t(
            "eq.review", asker=turn.t(f"eq.asker_{draft.asker or 'self'}"), age=turn.t("eq.age_value", age=draft.age),
            county=draft.county or turn.t("eq.county_unknown"),
            conditions=listed(turn, draft.conditions or (), draft.dibao),
            will=turn.t(f"eq.will_{draft.will}"))

    def routes(self) -> dict[str, Route]:
        return super().routes() | {"details": lambda turn, _arg: self.show_details(turn)}

    async def start(self, turn: Turn, arg: str = "") -> None:
        """arg "told": what the person's own words told fills the draft; the rest is asked, then reviewed."""
        told = turn.state.told
        if arg != "told" or told is None:
            await super().start(turn, arg)
            return
        draft = CheckDraft(asker=told.asker, age=told.age, county=told.county,
                           conditions=list(told.conditions) or None, dibao=told.dibao or None)
        await self.begin(turn, draft)

    async def accept(self, turn: Turn, draft: CheckDraft, question: Question, raw: str) -> None:
        """Typed text also answers the questions still to come that it clearly answers ("我爸今年八十二了
        住在江山腿脚不好" at 本人/家人 or 岁数: the age, 江山市, 行动不便); said, then shown on the review."""
        offered = [c.value for c in await question.choices(turn, draft)] if question.choices else []
        if raw not in offered and raw != DONE:
            filled = self.fill_said(turn, draft, question.key, raw)
            if filled:
                turn.say(turn.t("eq.runon_noted", facts="，".join(filled)))
        await super().accept(turn, draft, question, raw)

    def fill_said(self, turn: Turn, draft: CheckDraft, key: str, text: str) -> list[str]:
        """Fill the unanswered questions other than `key` (its own reader reads that) from `text`."""
        said, filled = said_in(text, turn.now.date()), []
        if key != "asker" and draft.asker is None and said.asker:
            draft.asker = said.asker
        if key not in ("age", "age_short_year", "age_birthday") and draft.age is None and draft.age_year is None \
                and draft.short_year is None:
            parsed = read_age(turn, draft, text)
            if isinstance(parsed, AgeAnswer) and parsed.age is not None and parsed.year is None \
                    and not parsed.short_year:
                draft.age = parsed.age
                filled.append(turn.t("eq.age_value", age=parsed.age))
        if key != "county" and draft.county is None and said.county:
            draft.county = said.county
            filled.append(said.county.value)
        if key != "conditions" and draft.conditions is None and (said.conditions or said.dibao):
            draft.conditions = list(said.conditions) or None
            draft.dibao = said.dibao or draft.dibao
            filled.append(listed(turn, said.conditions, said.dibao))
        return filled

    async def confirm(self, turn: Turn, draft: CheckDraft) -> None:
        assessment, values = await self.assessment(turn, draft)
        turn.state.home_visit, draft.asked = assessment.home_visit, []
        self.keep(turn, draft)
        turn.state.reset()
        options = [turn.option("eq.details", Payload(NAME, "details")), *self.next_steps(turn, assessment)]
        turn.say(headline(turn.t, assessment, values, self.unsure(draft)), options, readable=True)

    def unsure(self, draft: CheckDraft) -> tuple[str, ...]:
        """❓ lines for what the text does not settle for this person."""
        return ("eq.head.dibao",) if draft.dibao else ()

    async def show_details(self, turn: Turn) -> None:
        draft = self.load(turn)
        if draft is None or draft.age is None or any(q.pending(draft) for q in self.questions):
            await self.stale(turn)
            return
        assessment, values = await self.assessment(turn, draft)
        turn.say(details(turn.t, assessment, values), self.next_steps(turn, assessment), readable=True)

    async def assessment(self, turn: Turn, draft: CheckDraft) -> tuple[Assessment, dict[str, str]]:
        """The rules applied to the draft, with the county's status as staff recorded it."""
        measures: CountyMeasures | None = None
        if draft.county:
            measures = await turn.services.counties.get(County(draft.county))
        facts = Facts(age=draft.age, county=draft.county or None, conditions=frozenset(draft.conditions or ()),
                      will_notarised_before=draft.will == "yes", asker=draft.asker or Asker.SELF)
        status = measures.status if measures else CountyStatus.UNCONFIRMED
        return assess(facts, status), finding_values(turn.t, who(turn, draft), measures)

    def next_steps(self, turn: Turn, assessment: Assessment) -> list[Option]:
        options = [turn.option("menu.booking", Payload("book", "start"))] if assessment.home_visit else []
        return [*options, turn.option("menu.consult", Payload("consult", "start")),
                turn.option("menu.call", Payload("menu", "call")),
                turn.option("eq.again", Payload(NAME, "restart")), turn.menu_option()]
