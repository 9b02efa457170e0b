"""Messages about danger get 110 and 12348 at once, before any policy matching.

Deliberately a word list, not a model: it must be predictable, fast and easy for staff to
extend, and a false alarm (an extra line with two phone numbers) costs far less than a miss.
"""

from __future__ import annotations

import re

from faq.normalize import normalize

# Each pattern is checked against the normalised text (简体, no punctuation, 我爸 → 老人 …).
URGENT_PATTERNS = (
    # violence, injuries and threats ("打官司"/"打电话" must not match)
    r"被.{0,8}打(?!电话|官司|得通)|打(我|伤|人|老人|她|他|断|死)|打得(我|鼻|头|满|浑|住院|骨折|不敢)|头破血流|挨打|揍|家暴|虐待|殴打|踢我|推倒|掐|拿刀|菜刀|砍|杀|弄死"
    r"|流血|流雪|鼻青脸肿|有伤|受伤|砸东西|砸门|威胁|恐吓|吓唬|堵着|老不死",
    # abandonment, neglect, confinement
    r"不管我|不管老人|没人管|不给.{0,3}(饭|吃|水|药|看病)|不让.{0,3}吃|吃不(上|饱|伤)|没吃东西|没.{0,2}饭吃"
    r"|饿了|饿着|挨饿|饿肚子|赶出|赶我|扔下|遗弃|丢下|不让.{0,4}(出门|进门|回家)|在外面过夜|无家可归"
    r"|关在|锁在|锁起来|关起来|不赡养|不养我|不养老人|儿女都不来|没人照顾",
    # money taken, scams
    r"骗|诈|拿走.{0,8}(卡|存折|养老金|退休金|钱|低保|工资)|把.{0,6}(存折|养老金|退休金|低保卡|银行卡).{0,4}拿走"
    r"|取走|抢走|抢了|安全账户|冒充|洗钱|涉嫌|手续费|中奖|保健品|转.{0,3}\d+(万|千|块)|打了.{0,4}\d*万"
    r"|要钱不给|逼我|逼老人|强迫",
    # self-harm
    r"不想活|活不下去|自杀|寻死|跳楼|喝农药|想死|活着没意思",
)
_URGENT = re.compile("|".join(f"(?:{p})" for p in URGENT_PATTERNS))


def is_urgent(text: str) -> bool:
    return bool(_URGENT.search(normalize(text)) or _URGENT.search(text))
