"""Messages about danger get 110 and 12348 at once, before any policy matching.

Deliberately a word list, not a model: it must be predictable, fast and easy for staff to
extend, and a false alarm (an extra line with two phone numbers) costs far less than a miss.
"""

from __future__ import annotations

import re

from faq.normalize import normalize

# Each pattern is checked against the normalised text (简体, no punctuation, 我爸 → 老人 …).
URGENT_PATTERNS = (
    # violence and threats
    r"打我|打老人|打人|揍我|动手打|被打|挨打|家暴|虐待|殴打|踢我|推倒|掐我|拿刀|砍我|要杀|杀了我|弄死|威胁|恐吓|吓唬我",
    # abandonment, neglect, confinement
    r"不管我|不管老人|没人管|不给饭|不给吃|饿着|饿肚子|饿了好几天|赶出|赶我出|赶老人出|扔下不管|遗弃|丢下我|不让出门|关在|锁在|锁起来|关起来|不让我出|不给看病|不给药|不赡养|不养我|不养老人",
    # money taken, scams
    r"骗了|被骗|骗子|诈骗|骗钱|骗我|保健品|拿走.{0,4}(养老金|退休金|存折|银行卡|钱)|抢走|抢了|逼我.{0,6}(签|转|过户|写)|逼老人|强迫",
    # self-harm
    r"不想活|活不下去|自杀|寻死|跳楼|喝农药|想死",
)
_URGENT = re.compile("|".join(f"(?:{p})" for p in URGENT_PATTERNS))


def is_urgent(text: str) -> bool:
    return bool(_URGENT.search(normalize(text)) or _URGENT.search(text))
