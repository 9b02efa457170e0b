"""What a run-on typed at a question also says ("我爸今年八十二了住在江山腿脚不好" at 多大岁数):
the county and the conditions the words name, read as faq.extract reads a first message. Only
what the words clearly state; the form fills it where still unanswered and the review shows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from faq.extract import extract
from faq.normalize import to_simplified
from policy.eligibility import Asker, Condition, County

# 3号 三 其他行动不便: the plain words for it, besides those faq.extract reads (腿脚不好, 走不动 …).
_MOBILITY = re.compile(r"行动不便|行动不方便|行动困难|走路困难|走路不方便|不方便出门|拄拐")
_NEGATED = re.compile(r"(?:不是|没有|没|不算|并不|不)$")


@dataclass(frozen=True)
class Said:
    asker: Asker | None = None
    county: County | None = None
    conditions: list[Condition] = field(default_factory=list)
    dibao: bool = False

    def __bool__(self) -> bool:
        return bool(self.asker or self.county or self.conditions or self.dibao)


def _mobility(text: str) -> bool:
    return any(not _NEGATED.search(text[max(0, m.start() - 2): m.start()]) for m in _MOBILITY.finditer(text))


def said_in(text: str, today: date) -> Said:
    """The facts `text` states; a county only when it names one, or says which of several is lived in."""
    plain = to_simplified(unicodedata.normalize("NFKC", text))
    facts = extract(plain, today)
    conditions = list(facts.conditions)
    if Condition.MOBILITY not in conditions and _mobility(plain):
        conditions.append(Condition.MOBILITY)
    return Said(asker=facts.asker, county=facts.county,  # of two, the one lived in (faq.extract)
                conditions=conditions, dibao=facts.dibao)
