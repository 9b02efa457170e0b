"""What one message tells about the person it is about: who, age, county, conditions, matters.

People lead with their situation ("我爸八十三了 中风瘫在床上 住江山 想立个遗嘱"), not with a question.
Each fact is read only from words that say it; nothing is guessed, so an age is always one the
text states (or a birth year it states). The questionnaires confirm every fact before using it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from faq.normalize import to_simplified
from policy.eligibility import Asker, Condition, County


class Relation(StrEnum):
    """Whom a family member asks about (only for addressing them: "您父亲")."""

    SELF = "self"
    FATHER = "father"
    MOTHER = "mother"
    ELDER = "elder"


class Matter(StrEnum):
    WILL = "will"
    WAGES = "wages"
    NEIGHBOURS = "neighbours"
    SUPPORT = "support"
    PROPERTY = "property"
    PENSION = "pension"


# The knowledge-base entry that says what to do about each matter.
MATTER_ENTRIES: dict[Matter, str] = {
    Matter.WILL: "will_notary_fee",
    Matter.WAGES: "unpaid_wages",
    Matter.NEIGHBOURS: "neighbour_dispute",
    Matter.SUPPORT: "support_from_children",
    Matter.PROPERTY: "family_took_property",
    Matter.PENSION: "family_took_property",
}

_RELATIONS: tuple[tuple[Relation, str], ...] = (
    (Relation.FATHER, r"我爸|我父亲|老爸|我爹|爸爸|老父亲"),
    (Relation.MOTHER, r"我妈|我母亲|老妈|妈妈|我娘|老母亲"),
    (Relation.ELDER, r"爷爷|奶奶|外公|外婆|姥姥|姥爷|公公|婆婆|岳父|岳母|丈人|丈母娘|老头子|老伴|"
                     r"老太太|我家老人|家里老人|老人家|老爷子|父母|我舅|我姑|我叔|我伯"),
)
_SELF = re.compile(r"我(?:今年|已经|都|也|才)?(?:\d{2,3}|[一二三四五六七八九]?十[一二三四五六七八九]?|一百)(?:周岁|岁|了|多)|本人")

_COUNTIES: dict[County, str] = {
    County.KECHENG: r"柯城",
    County.QUJIANG: r"衢江",
    County.LONGYOU: r"龙游",
    County.JIANGSHAN: r"江山",
    County.CHANGSHAN: r"常山",
    County.KAIHUA: r"开化",
}

# How the opinion reads them: 三 offers a home visit to 患重病 and 其他行动不便; 二 waives the means
# test for 重大疾病, 失能半失能 and 城乡特困. Being bedridden is 行动不便 on its face; whether it is
# also 失能 is an assessment, so the questionnaire asks.
_CONDITIONS: tuple[tuple[Condition, str], ...] = (
    (Condition.SERIOUS_ILLNESS, r"中风|脑梗|癌|尿毒症|白血病|重病|大病|晚期|透析|肿瘤"),
    (Condition.MOBILITY, r"瘫|卧床|躺在床上|走不了|走不动|腿脚不便|腿脚不好|腿脚不方便|坐轮椅|出不了门|下不了床"),
    (Condition.SEMI_DISABLED, r"半失能"),
    (Condition.DISABLED, r"(?<!半)失能"),
    (Condition.HARDSHIP, r"特困|五保"),  # 五保 became 特困人员供养 (社会救助暂行办法, 2014)
)
# 低保 is not 城乡特困 (3号 二 names only the latter): kept apart, so 查资格 asks rather than ticks.
_DIBAO = r"低保"
_NEGATED = re.compile(r"(?:不是|没有|没|不算|不)$")

_MATTERS: tuple[tuple[Matter, str], ...] = (
    (Matter.WILL, r"遗嘱"),
    (Matter.PENSION, r"养老金|退休金|退休工资|养老钱"),
    (Matter.WAGES, r"(?<!退休)工资|工钱|欠薪|讨薪|薪水|包工头"),
    (Matter.NEIGHBOURS, r"邻居|邻里|隔壁"),
    (Matter.SUPPORT, r"赡养|生活费|不管我|不管他|不管她|不肯养|不养"),
    (Matter.PROPERTY, r"房子|房产|宅基地|存款"),
)

_DIGITS = "零一二三四五六七八九"
_CN_AGE = r"一百零?[一二三四五六七八九]?|[一二三四五六七八九]十[一二三四五六七八九]?"
# An age says so: a number followed by 岁/周岁/了/多, or led by 今年/已经/年纪.
_AGE = re.compile(
    rf"(?:今年|已经|年纪|年龄)?(?<![\d万千百])(\d{{2,3}}|{_CN_AGE})(?:周岁|岁|了|多)"
    rf"|(?:今年|已经|年纪|年龄)(\d{{2,3}}|{_CN_AGE})(?![\d万千百块元])"
)
_A_BOUND = re.compile(r"(?:满|到|过|超|于)$")
_A_BOUND_AFTER = re.compile(r"(?:以上|以下|及以|及其以|之前|之后|的人|的老人|岁以)")
# The age said may not be the 周岁 the rules count (3号 二 "70周岁及以上"): a 虚岁, or this year's age before the
# birthday (我妈今年七十，生日还没过 is 69 周岁). No age is read then: the texts' rule is not asserted on it.
_NOT_FULL_YEARS = re.compile(r"虚岁|生日还?没有?[过到]|还?没有?过生日")
_BORN = re.compile(r"(19\d\d|20[0-2]\d)年?(?:出生|生的|生人|生)")
_YOUNGEST, _OLDEST = 50, 115


@dataclass(frozen=True)
class Facts:
    asker: Asker | None = None
    relation: Relation | None = None
    age: int | None = None
    county: County | None = None
    conditions: list[Condition] = field(default_factory=list)
    matters: list[Matter] = field(default_factory=list)
    dibao: bool = False
    age_unsure: bool = False  # an age was said as 虚岁 or before this year's birthday (not read)

    @property
    def about_person(self) -> bool:
        """The message describes someone (an age or a condition), not only asks."""
        return self.relation is not None and (self.age is not None or bool(self.conditions))

    @property
    def home_visit_may_fit(self) -> bool:
        """3号 三: 患重病、80周岁以上的高龄老人和其他行动不便的老年人."""
        return (self.age is not None and self.age >= 80) or bool(
            {Condition.SERIOUS_ILLNESS, Condition.MOBILITY, Condition.DISABLED, Condition.SEMI_DISABLED}
            & set(self.conditions)
        )


def chinese_number(text: str) -> int:
    """八十三 → 83, 七十 → 70, 一百零二 → 102 (the spellings _CN_AGE accepts), digits as they are."""
    if text.isdigit():
        return int(text)
    value = 0
    if text.startswith("一百"):
        value, text = 100, text[2:].lstrip("零")
    if "十" in text:
        tens, _, ones = text.partition("十")
        value += 10 * (_DIGITS.index(tens) if tens else 1) + (_DIGITS.index(ones) if ones else 0)
    elif text:
        value += _DIGITS.index(text)
    return value


def _age(text: str, today: date) -> int | None:
    for m in _AGE.finditer(text):
        age = chinese_number(m.group(1) or m.group(2))
        if _A_BOUND.search(text[max(0, m.start() - 2): m.start()]) or _A_BOUND_AFTER.match(text, m.end()):
            continue  # 满70周岁 / 70岁以上 name a rule's threshold, not this person's age
        if _YOUNGEST <= age <= _OLDEST:
            return age
    born = _BORN.search(text)
    if born:
        # The lower bound: whether this year's birthday has passed is not said (周岁 counts it).
        age = today.year - int(born.group(1)) - 1
        if _YOUNGEST <= age <= _OLDEST:
            return age
    return None


def _found(pattern: str, text: str) -> bool:
    return any(not _NEGATED.search(text[max(0, m.start() - 2): m.start()]) for m in re.finditer(pattern, text))


# Where the person lives, when a message names more than one county (住在江山，儿子在龙游).
_LIVES_IN = re.compile(r"(?:住在?|家在|住的是|老家在?|户口在)(?:衢州市?)?(" + "|".join(_COUNTIES.values()) + ")")
_LIVES_IN_BY_NAME = {pattern: county for county, pattern in _COUNTIES.items()}


def _county(text: str) -> County | None:
    """The one county the text names; of several, the one the person lives in (住在江山), else none:
    a visit booked in the wrong county is worse than the county asked."""
    named = [c for c, pattern in _COUNTIES.items() if re.search(pattern, text)]
    if len(named) <= 1:
        return named[0] if named else None
    lives = {_LIVES_IN_BY_NAME[m.group(1)] for m in _LIVES_IN.finditer(text)}
    return lives.pop() if len(lives) == 1 else None


def extract(message: str, today: date) -> Facts:
    text = to_simplified(unicodedata.normalize("NFKC", message))
    relation = next((r for r, pattern in _RELATIONS if re.search(pattern, text)), None)
    if relation is None and _SELF.search(text):
        relation = Relation.SELF
    asker = None if relation is None else Asker.SELF if relation is Relation.SELF else Asker.FAMILY
    unsure = bool(_NOT_FULL_YEARS.search(text))
    return Facts(
        asker=asker,
        relation=relation,
        age=None if unsure else _age(text, today),
        age_unsure=unsure,
        county=_county(text),
        conditions=[c for c, pattern in _CONDITIONS if _found(pattern, text)],
        matters=[m for m, pattern in _MATTERS if _found(pattern, text)],
        dibao=_found(_DIBAO, text),
    )
