"""The words that name 衢市司发〔2020〕3号's conditions, one table read by 查资格 (which conditions)
and 预约上门 (患重病吗, 行动不便吗), so both forms understand the same answers (walk 05:40 item 3:
偏瘫 was 行动不便 in the booking and 没看懂 in 查资格).

Only what the words state: lying in bed or paralysed is 行动不便 (3号 三); whether it is also 失能 or
半失能 (3号 二, a means-test exemption) the text does not say how to judge, so it is asked, not ticked.
Words the text names under no condition (老年痴呆, 眼睛看不见) are asked about, never mapped.
"""

from __future__ import annotations

import re

from policy.eligibility import Condition

HARDSHIP_WORDS = ("特困", "五保")  # 五保 was merged into 特困人员供养 (社会救助暂行办法, 2014)
SEMI_DISABLED_WORDS = ("半失能",)
DISABLED_WORDS = ("失能", "不能自理")  # read after 半失能
SERIOUS_ILLNESS_WORDS = ("重病", "大病", "重大疾病", "癌", "肿瘤", "尿毒症", "中风", "脑梗", "白血病", "透析")
# Cannot get up or about: 行动不便 for certain; 失能 perhaps (asked).
BEDRIDDEN_WORDS = ("瘫", "卧床", "躺在床", "下不了床", "下不来床", "起不来", "起不了床")
WALKING_WORDS = tuple("行动不便 行动困难 走不动 走不了 走不稳 不会走 不能走 没法走 走路不方便 走路困难".split())
GOING_OUT_WORDS = tuple("腿脚 腿不好 腿不行 脚不好 轮椅 拐杖 拄拐 出不了门 出不去 不方便出门".split())
MOBILITY_WORDS = (*WALKING_WORDS, *GOING_OUT_WORDS, *BEDRIDDEN_WORDS)
# Saying the body is fine (腿脚还利索): no condition, whatever body part is named with it.
# Not 还好 (还好，就是走不动 names the difficulty), and 不利索 is a difficulty.
FINE = re.compile(r"(?<!不)(?<!不太)(?<!不大)(?:利索|利落|灵活|硬朗)|好好的")
# Named by no condition of 3号: what the person meant is asked.
UNCLEAR_WORDS = ("老年痴呆", "痴呆", "阿尔茨海默", "失智", "眼睛看不见", "看不见", "看不清", "失明", "瞎")

CONDITION_WORDS: dict[Condition, tuple[str, ...]] = {
    Condition.HARDSHIP: HARDSHIP_WORDS,
    Condition.SEMI_DISABLED: SEMI_DISABLED_WORDS,
    Condition.DISABLED: DISABLED_WORDS,
    Condition.SERIOUS_ILLNESS: SERIOUS_ILLNESS_WORDS,
    Condition.MOBILITY: MOBILITY_WORDS,
}


def pattern(*words: str) -> str:
    return "|".join(re.escape(w) for w in words)


def fine(text: str) -> bool:
    return FINE.search(text) is not None


def bedridden(text: str) -> bool:
    return any(w in text for w in BEDRIDDEN_WORDS)


def unclear_word(text: str) -> str | None:
    return next((w for w in UNCLEAR_WORDS if w in text), None)
