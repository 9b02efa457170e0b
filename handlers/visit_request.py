"""A home visit asked for in so many words ("12月1号上午能来我家吗", "能不能上门", "我走不动，能上门吗"):
3号 三's short answer with the 预约上门办申请 button, carrying the day and half-day named (the booking
tries them once the county is known and the review shows them). Questions about home visits
(上门服务是什么, 哪些人可以上门) are not requests: the knowledge base answers them.
"""

from __future__ import annotations

import re
from datetime import date

from common.messages import Payload
from faq.extract import extract
from handlers.faq_told import told_of
from handlers.parse import parse_day, plain
from handlers.turn import Turn

# Asking the centre to come: 能来我家吗, 可以上门吗, 能不能到家里来, 上门吗.
_REQUEST_WORDS = (
    r"(能|可以|可不可以|能不能|会不会|可否|肯不肯)(派人)?(来|到|上)(我|我们|我爸|我妈|老人)?(家|家里|门)",
    r"上门(吗|么|嘛|不)",
    r"(来|到)(我|我们)?家(里)?(来)?(吗|么|嘛)",
)
_REQUEST = re.compile("|".join(_REQUEST_WORDS))
# Asking about home visits, not for one: the knowledge base answers these.
_ABOUT = re.compile(r"什么|哪些|哪种|谁|条件|怎么|如何|钱|收费|流程|规定")
# Someone else coming (公证处能上门办公证吗, 我儿子能不能来我家住): not a visit of ours, and no yes to give.
_OTHERS = "公证处|法院|派出所|公安|警察|银行|医院|医生|社区|儿子|女儿|孙子|孙女|亲戚|保姆"
_SOMEONE_ELSE = re.compile(rf"({_OTHERS})(的人)?(能|可以|可不可以|能不能|会不会|肯不肯|可否)|(来|到)(我家|家里)住")
WINDOW_WORDS = {"am": ("上午", "早上"), "pm": ("下午",)}
VISIT = "visit"  # the booking's start arg: "visit,told,2026-12-01,am"


def asks_for_visit(text: str) -> bool:
    typed = plain(text)
    return bool(_REQUEST.search(typed)) and not _ABOUT.search(typed) and not _SOMEONE_ELSE.search(typed)


def wanted_time(text: str, today: date) -> tuple[date | None, str | None]:
    """The day the text names (not before today), and its half-day when it names one."""
    typed = plain(text)
    day = parse_day(typed, today)
    named = [key for key, words in WINDOW_WORDS.items() if any(w in typed for w in words)]
    return day, named[0] if day and len(named) == 1 else None


def visit_arg(day: date | None, window: str | None, told: bool) -> str:
    return ",".join([VISIT, *(["told"] if told else []), *([day.isoformat()] if day else []),
                     *([window] if window else [])])


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d\d-\d\d", text) else None
    except ValueError:  # a forged button: no day rather than an error
        return None


def read_visit_arg(arg: str) -> tuple[date | None, str | None, bool] | None:
    """(day, half-day, told) from the booking's start arg, or None when it is not one."""
    parts = arg.split(",")
    if parts[0] != VISIT:
        return None
    day = next((_day(p) for p in parts[1:] if _day(p)), None)
    window = next((p for p in parts[1:] if p in WINDOW_WORDS), None)
    return day, window if day else None, "told" in parts[1:]


def answer(turn: Turn, text: str) -> bool:
    """Whether `text` asks for a home visit; if so the answer is said, and what the same message
    told of the person (我走不动, 住江山) is kept for the booking to fill in and confirm."""
    if not asks_for_visit(text):
        return False
    day, window = wanted_time(text, turn.today)
    facts = extract(text, turn.today)
    told = bool(facts.county or facts.conditions or facts.age is not None)
    if told:  # this message's own facts, never an older message's
        turn.state.told = told_of(facts)
    parts = [turn.t("book.request")]
    if day:
        # Here, not at the top: services.wording brings storage, which a cold `legalaid ask` never loads.
        from services import wording

        label = wording.day_label(turn.t, day) + (turn.t(f"book.window_name.{window}") if window else "")
        parts.append(turn.t("book.request_day", day=label))
    turn.say("\n".join(parts), (turn.option("menu.booking", Payload("book", "start", visit_arg(day, window, told))),
                                turn.option("menu.call", Payload("menu", "call")), turn.menu_option()))
    return True
