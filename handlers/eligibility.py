"""查资格: a questionnaire an 80-year-old can finish, then what the opinion gives them.

One question per message, buttons for every answer that can be a button, typed answers
understood too, 上一步 on every step, a review screen, and answers saved after each step
(so a restart, or coming back tomorrow, continues where the person was).
Rules: policy.eligibility (衢市司发〔2020〕3号 二、三).
"""

from __future__ import annotations

import re
from typing import Any

from faq.normalize import to_simplified
from handlers import menu
from common.messages import Option
from handlers.parse import AgeAnswer, ages_for_year, expand_short_year, parse_age_answer
from handlers.turn import Flow, Turn
from policy.eligibility import Asker, Assessment, Condition, County, Facts, assess

NAME = "elig"
# The questions in order; 上一步 walks this list backwards.
STEPS = ("asker", "age", "county", "conditions", "will", "review")
# Sub-questions of the age step (confirming a year); 上一步 from them goes to "age".
AGE_STEPS = ("age_short_year", "age_birthday")

# Age buttons: a representative age in each band the rules distinguish (60, 70, 80).
AGE_BANDS = (("eq.age_band.under60", 59), ("eq.age_band.60s", 65), ("eq.age_band.70s", 75), ("eq.age_band.80plus", 80))
AGE_THRESHOLDS = (60, 70, 80)

CONDITION_WORDS = {
    Condition.HARDSHIP: ("特困", "低保", "五保"),
    Condition.SEMI_DISABLED: ("半失能",),
    Condition.DISABLED: ("失能", "不能自理", "瘫痪", "卧床"),
    Condition.SERIOUS_ILLNESS: ("重病", "大病", "重大疾病", "癌", "肿瘤", "尿毒症", "中风"),
    Condition.MOBILITY: ("行动不便", "走不动", "腿脚", "轮椅", "走路不方便", "出不了门"),
}
NEGATION = re.compile(r"^(没有|没|无|不是|不)")
DONE_WORDS = ("好了", "没有", "都没有", "完成", "没了", "就这些", "没")
YES_WORDS = ("是", "对", "嗯", "没错", "好")
NOMINAL_AGE_WORD = "虚岁"  # counts from 1 at birth: not the 周岁 the rules use
NO_WORDS = ("不是", "不对", "错了")


def who(data: dict[str, Any], turn: Turn) -> str:
    return turn.t("eq.who_family" if data.get("asker") == Asker.FAMILY else "eq.who_self")


def facts_from(data: dict[str, Any]) -> Facts:
    county = data.get("county") or None
    return Facts(
        age=int(data["age"]),
        county=County(county) if county else None,
        conditions=frozenset(Condition(c) for c in data.get("conditions", [])),
        will_notarised_before=bool(data.get("will_before")),
        asker=Asker(data.get("asker", Asker.SELF)),
    )


def scope_switches(turn: Turn) -> dict[County, bool]:
    return {County(name): False for name in turn.services.settings.scope_off_counties}


class EligibilityFlow(Flow):
    name = NAME

    # --- entry points ---------------------------------------------------------
    async def start(self, turn: Turn, arg: str = "") -> None:
        data = turn.state.data.get(NAME)
        if data and not data.get("done") and data.get("step") not in (None, "asker"):
            turn.state.flow, turn.state.step = NAME, data["step"]
            turn.say(
                turn.t("eq.resume_offer"),
                (
                    turn.option("resume.continue", f"{NAME}:resume"),
                    turn.option("resume.restart", f"{NAME}:restart"),
                    turn.menu_option(),
                ),
            )
            return
        await self.restart(turn)

    async def restart(self, turn: Turn) -> None:
        turn.state.data[NAME] = {"step": "asker", "conditions": []}
        await self.ask(turn, "asker")

    async def resume(self, turn: Turn) -> None:
        data = turn.state.data.get(NAME)
        if not data:
            await self.restart(turn)
            return
        await self.ask(turn, data.get("step", "asker"))

    # --- routing ---------------------------------------------------------------
    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "start":
            await self.start(turn)
            return
        if action == "restart":
            await self.restart(turn)
            return
        if action == "resume":
            await self.resume(turn)
            return
        data = turn.state.data.get(NAME)
        if data is None:
            await self.start(turn)
            return
        if action == "back":
            await self.back(turn, data)
        elif action == "edit" and arg in STEPS[:-1]:
            data["editing"] = True
            await self.ask(turn, arg)
        elif action == "answer" and data.get("step") == arg.partition("=")[0]:
            step, _, value = arg.partition("=")
            await self.answer(turn, data, step, value)
        elif action == "result" and data.get("step") == "review":
            await self.result(turn, data)
        else:
            await self.stale(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        data = turn.state.data.get(NAME)
        if data is None:
            await self.start(turn)
            return
        step = data.get("step", "asker")
        value = self.read_text(turn, data, step, to_simplified(text).strip())
        if value is None:
            turn.say(turn.t("eq.not_understood"))
            await self.ask(turn, step)
            return
        await self.answer(turn, data, step, value)

    # --- answers -----------------------------------------------------------------
    def read_text(self, turn: Turn, data: dict[str, Any], step: str, text: str) -> str | None:
        """A typed answer as the value its button would carry, or None if not understood."""
        if step == "asker":
            if re.search(r"本人|我自己|自己", text):
                return Asker.SELF.value
            if re.search(r"家|替|帮|父|母|爸|妈|爷|奶|公|婆|老人", text):
                return Asker.FAMILY.value
            return None
        if step == "age":
            return "text:" + text
        if step in ("age_short_year",):
            if any(w in text for w in NO_WORDS):
                return "no"
            return "yes" if any(w in text for w in YES_WORDS) else None
        if step == "age_birthday":
            if re.search(r"没过|还没|没有", text):
                return "no"
            return "yes" if re.search(r"过了|过完|已经", text) else None
        if step == "county":
            for county in County:
                if county.value[:2] in text:
                    return county.value
            return "" if re.search(r"不清楚|不知道|不在", text) else None
        if step == "conditions":
            if NEGATION.match(text):
                return "done"  # "没有重病" must not tick 重病
            for condition, words in CONDITION_WORDS.items():
                if any(w in text for w in words):
                    return "toggle:" + condition.value
            return "done" if any(w in text for w in DONE_WORDS) else None
        if step == "will":
            if re.search(r"没办|没做|没有|没", text):
                return "no"
            if re.search(r"办过|做过|有过|有", text):
                return "yes"
            return "unknown" if re.search(r"不清楚|不知道|忘", text) else None
        return None

    async def answer(self, turn: Turn, data: dict[str, Any], step: str, value: str) -> None:
        if step == "asker":
            data["asker"] = Asker(value).value
            await self.advance(turn, data, "asker")
        elif step == "age":
            await self.answer_age(turn, data, value)
        elif step == "age_short_year":
            if value == "yes":
                data["age_year"] = data.pop("short_year")
                await self.after_year(turn, data)
            else:
                data.pop("short_year", None)
                await self.ask(turn, "age")
        elif step == "age_birthday":
            await self.settle_year(turn, data, had_birthday=value == "yes")
        elif step == "county":
            if value and value not in {c.value for c in County}:
                await self.stale(turn)
                return
            data["county"] = value
            await self.advance(turn, data, "county")
        elif step == "conditions":
            if value.startswith("toggle:"):
                condition = Condition(value.removeprefix("toggle:")).value
                chosen = data.setdefault("conditions", [])
                chosen.remove(condition) if condition in chosen else chosen.append(condition)
                await self.ask(turn, "conditions")
            else:
                await self.advance(turn, data, "conditions")
        elif step == "will":
            data["will_before"] = value == "yes"
            data["will_answer"] = value
            await self.advance(turn, data, "will")

    async def answer_age(self, turn: Turn, data: dict[str, Any], value: str) -> None:
        today = turn.now.date()
        if value.startswith("text:"):
            typed = value.removeprefix("text:")
            if NOMINAL_AGE_WORD in typed:
                turn.say(turn.t("eq.age_nominal"))
                await self.ask(turn, "age")
                return
            parsed = parse_age_answer(typed, today)
        else:
            parsed = AgeAnswer(age=int(value)) if value.isdigit() else AgeAnswer(error="unreadable")
        if parsed.error:
            turn.say(turn.t(f"eq.age_{parsed.error}", who=who(data, turn)))
            await self.ask(turn, "age")
        elif parsed.age is not None:
            data["age"] = parsed.age
            data.pop("age_year", None)
            await self.advance(turn, data, "age")
        elif parsed.year is not None:
            data["age_year"] = parsed.year
            await self.after_year(turn, data)
        else:
            data["short_year"] = expand_short_year(parsed.short_year, today)
            await self.ask(turn, "age_short_year")

    async def after_year(self, turn: Turn, data: dict[str, Any]) -> None:
        """A birth year is known: ask about this year's birthday only if it decides a threshold."""
        if self.year_is_ambiguous(turn, data["age_year"]):
            await self.ask(turn, "age_birthday")
        else:
            await self.settle_year(turn, data, had_birthday=True)

    def year_is_ambiguous(self, turn: Turn, year: int) -> bool:
        """Whether the birthday decides a threshold (60, 70 or 80) this year."""
        before, after = ages_for_year(year, turn.now.date())
        return any(before < limit <= after for limit in AGE_THRESHOLDS)

    async def settle_year(self, turn: Turn, data: dict[str, Any], had_birthday: bool) -> None:
        before, after = ages_for_year(data.pop("age_year"), turn.now.date())
        age = after if had_birthday else before
        if not 0 <= age <= 130:
            turn.say(turn.t("eq.age_too_old"))
            await self.ask(turn, "age")
            return
        data["age"] = max(age, 0)
        await self.advance(turn, data, "age")

    async def advance(self, turn: Turn, data: dict[str, Any], step: str) -> None:
        if data.pop("editing", False):
            await self.ask(turn, "review")
            return
        await self.ask(turn, STEPS[STEPS.index(step) + 1])

    async def back(self, turn: Turn, data: dict[str, Any]) -> None:
        step = data.get("step", "asker")
        data.pop("editing", None)
        if step in AGE_STEPS:
            await self.ask(turn, "age")
        elif step == "asker":
            menu.show_menu(turn)
        else:
            await self.ask(turn, STEPS[STEPS.index(step) - 1])

    # --- questions -------------------------------------------------------------------
    async def ask(self, turn: Turn, step: str) -> None:
        data = turn.state.data.setdefault(NAME, {"conditions": []})
        data["step"] = step
        turn.state.flow, turn.state.step = NAME, step
        t, w = turn.t, who(data, turn)

        def answer(text_id: str, value: str, **kw: object) -> Option:
            return Option(t(text_id, **kw), f"{NAME}:answer:{step}={value}")

        nav = (Option(t("nav.back"), f"{NAME}:back"), turn.menu_option())
        if step == "asker":
            options = [answer("eq.asker_self", Asker.SELF.value), answer("eq.asker_family", Asker.FAMILY.value)]
            turn.say(t("eq.ask_asker"), [*options, turn.menu_option()])
        elif step == "age":
            options = [answer(text_id, str(age)) for text_id, age in AGE_BANDS]
            turn.say(t("eq.ask_age", who=w), [*options, *nav])
        elif step == "age_short_year":
            options = [answer("eq.confirm_yes", "yes"), answer("eq.confirm_no", "no")]
            turn.say(t("eq.confirm_short_year", year=data["short_year"]), [*options, *nav])
        elif step == "age_birthday":
            options = [answer("eq.birthday_passed", "yes"), answer("eq.birthday_not_yet", "no")]
            turn.say(t("eq.ask_birthday", who=w, year=data["age_year"]), [*options, *nav])
        elif step == "county":
            options = [answer("eq.county_label", c.value, county=c.value) for c in County]
            options.append(answer("eq.county_unknown", ""))
            turn.say(t("eq.ask_county", who=w), [*options, *nav])
        elif step == "conditions":
            chosen = data.get("conditions", [])
            options = [
                answer("eq.cond_chosen" if c.value in chosen else "eq.cond_open", "toggle:" + c.value,
                       label=t(f"eq.cond.{c.value}"))
                for c in Condition
            ]
            options.append(answer("eq.cond_done", "done"))
            listed = "、".join(t(f"eq.cond.{c}") for c in chosen) or t("eq.none")
            turn.say(t("eq.ask_conditions", who=w, chosen=listed), [*options, *nav])
        elif step == "will":
            options = [answer("eq.will_yes", "yes"), answer("eq.will_no", "no"), answer("eq.will_unknown", "unknown")]
            turn.say(t("eq.ask_will", who=w), [*options, *nav])
        elif step == "review":
            self.review(turn, data)

    def review(self, turn: Turn, data: dict[str, Any]) -> None:
        t = turn.t
        chosen = data.get("conditions", [])
        text = t(
            "eq.review",
            asker=t("eq.asker_family" if data.get("asker") == Asker.FAMILY else "eq.asker_self"),
            age=t("eq.age_value", age=data.get("age", "?")),
            county=data.get("county") or t("eq.county_unknown"),
            conditions="、".join(t(f"eq.cond.{c}") for c in chosen) or t("eq.none"),
            will=t(f"eq.will_{data.get('will_answer', 'unknown')}"),
        )
        options = [Option(t("eq.see_result"), f"{NAME}:result")]
        options += [Option(t(f"eq.edit.{step}"), f"{NAME}:edit:{step}") for step in STEPS[:-1]]
        options += [Option(t("nav.back"), f"{NAME}:back"), turn.menu_option()]
        turn.say(text, options)

    # --- the result ---------------------------------------------------------------------
    async def result(self, turn: Turn, data: dict[str, Any]) -> None:
        assessment = assess(facts_from(data), scope_switches(turn))
        data["done"] = True
        data["step"] = "done"
        data["result"] = {"home_visit": assessment.home_visit, "age": assessment.age}
        turn.state.reset()
        headline, details = render_result(turn, assessment, who(data, turn))
        turn.say(headline)
        options = []
        if assessment.home_visit:
            options.append(turn.option("menu.booking", "book:start"))
        options += [
            turn.option("menu.consult", "consult:start"),
            turn.option("menu.call", "menu:call"),
            turn.option("eq.again", f"{NAME}:restart"),
            turn.menu_option(),
        ]
        turn.say(details, options)


def render_result(turn: Turn, a: Assessment, who_text: str) -> tuple[str, str]:
    """Short headline lines, then the reasons with sources, services and what would change it."""
    t = turn.t
    if not a.older_person:
        lines = [t("eq.head.not_older", who=who_text)]
    else:
        lines = [
            t("eq.head.means_yes" if a.means_test_exempt else "eq.head.means_no"),
            t("eq.head.scope_yes" if a.scope_unrestricted else "eq.head.scope_no"),
            t(f"eq.head.will_{a.will_notary_fee.value}"),
            t("eq.head.visit_yes" if a.home_visit else "eq.head.visit_no"),
        ]
    lines.append(t("eq.final_decision"))
    headline = "\n".join(lines)

    def block(title_id: str, findings) -> list[str]:
        if not findings:
            return []
        rows = [t(title_id)]
        rows += [t("eq.finding_line", text=t(f"elig.{f.code}", who=who_text), source=f.source) for f in findings]
        return rows

    details = block("eq.why", a.reasons) + block("eq.services", a.services) + block("eq.changes", a.changes)
    return headline, "\n".join(details)

