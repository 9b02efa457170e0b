"""Topic words: what a question is about, read from the entries' keywords, and topic clashes.

A keyword an entry lists is strong evidence for it (it names the entry's subject), matched
on the characters or, for typing slips (林居, 欠新), on the pinyin. A guarded topic is a
subject people lead with that must never be answered from an entry about something else:
a question about wages mentions 工资, and no entry about notarisation owns that word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from faq.kb import Entry
from faq.normalize import normalize, to_pinyin

# Subjects that decide which entries may answer. Each spelling is normalised first.
GUARDED_TOPICS: dict[str, tuple[str, ...]] = {
    "wages": ("工资", "欠薪", "讨薪", "工钱", "薪水"),
    "neighbours": ("邻居", "邻里", "隔壁"),
    "support": ("赡养", "生活费", "不养"),
    # Who pays the lawyers (3号 四), not whether the older person pays.
    "funding": ("经费", "补贴", "钱谁出", "钱谁给", "谁出钱", "谁给钱"),
    # When a text takes effect (3号 and 4号 each end with their date); not 生效 or 实行 alone,
    # which also speak of judgments in force and of counties applying a measure.
    "in_force": ("施行", "开始执行", "开始实施", "开始实行"),
    # Applying near home: 3号 三 names the 乡镇法律援助工作站 (not 乡下 or 村里, said in passing).
    "township": ("乡镇", "镇上", "镇里", "工作站"),
    "notary": ("公证",),
    "will": ("遗嘱",),
}


# The matters people lead with, whose entries share one frame ("…要不回来能申请法援吗"): such an
# entry is asserted only when the question names its matter.
MATTERS = frozenset({"wages", "neighbours", "support", "notary", "will"})


def _syllables(text: str) -> str:
    """Pinyin as a searchable string, each syllable fenced so 'an' never matches inside 'nan'."""
    return "|" + "|".join(to_pinyin(text)) + "|"


# An age the normaliser left as a decade (70多, 80岁) or a whole number of years.
_AGE = re.compile(r"(?<!\d)([6-9]0)(?=多|岁|周岁|以上)")


def below_age(text: str) -> int | None:
    """The age a normalised text says someone has not reached: 不到70岁 → 70."""
    found = re.search(r"(?:不到|不满|未满|没到)(\d+)", text)
    return int(found.group(1)) if found else None


# Which of the two texts a question names: 衢市司发〔2020〕3号 (normalised 衢市司发2020年3号), 4号文,
# or by its title as people shorten it (normalised: 老年人 → 老人, 法援 → 法律援助): 3号 is the
# 关于进一步加强老年人法律援助工作的实施意见 (老人法援意见, 实施意见), 4号 the
# 衢州市律师参与法律援助工作积分管理办法(试行) (积分办法, 积分管理办法, 积分制度).
_DOCUMENT = re.compile(
    r"司发(?:2020年?)?(?P<n>[34])号|(?<!\d)(?P<m>[34])号文"
    r"|(?P<three>老人法律援助(?:工作)?的?(?:实施)?意见|实施意见)"
    r"|(?P<four>积分的?(?:管理)?(?:办法|制度|规定|规则|细则))"
)


def document_named(text: str) -> str | None:
    """"3" or "4": the text a normalised question names by number or by title, if any."""
    found = _DOCUMENT.search(text)
    if found is None:
        return None
    return found.group("n") or found.group("m") or ("3" if found.group("three") else "4")


# A part of a text named by its number: 第三条 / 第3部分 (normalised to digits). Both texts number their
# parts 一、二、三…; an entry cites them ("3号 二、三", "4号 一(三)").
_SECTION_ASKED = re.compile(r"第([1-9])(?:条|部分|点|章|节|款)")
_SECTION_NUMERALS = "一二三四五六七八九"
_SECTION_CITED = re.compile(rf"(?:^|[、\s])([{_SECTION_NUMERALS}])(?=[(（、]|$)")


def section_named(text: str) -> int | None:
    """The part a normalised question names (第三条 → 3), if any."""
    found = _SECTION_ASKED.search(text)
    return int(found.group(1)) if found else None


def sections_cited(source: str) -> frozenset[int]:
    """The numbered parts an entry cites: "衢市司发〔2020〕3号 二、三" → {2, 3}; "4号 一(三)" → {1}."""
    cited = source.split("号", 1)[-1]
    return frozenset(_SECTION_NUMERALS.index(n) + 1 for n in _SECTION_CITED.findall(cited.strip()))


def youngest_age(text: str) -> int | None:
    """The lowest age a normalised text names, if any: 八十多 → 80 (不到70 names no lower bound)."""
    if re.search("不到|不满|未满|没到", text):
        return None
    ages = [int(a) for a in _AGE.findall(text)]
    return min(ages) if ages else None


@dataclass(frozen=True)
class Keyword:
    text: str
    pinyin: str

    def found_in(self, norm: str, norm_pinyin: str) -> bool:
        return self.text in norm or (len(self.text) >= 2 and self.pinyin in norm_pinyin)


def keywords_of(entry: Entry) -> tuple[Keyword, ...]:
    words = dict.fromkeys(n for n in (normalize(w) for w in entry.keywords) if n)
    return tuple(Keyword(w, _syllables(w)) for w in words)


_TOPIC_SOUNDS = {t: tuple(_syllables(normalize(w)) for w in words) for t, words in GUARDED_TOPICS.items()}


def topics_in(norm: str) -> frozenset[str]:
    """The guarded topics a normalised text names, by sound too (善养费 is 赡养费 mistyped)."""
    fenced = _syllables(norm)
    return frozenset(t for t, sounds in _TOPIC_SOUNDS.items() if any(s in fenced for s in sounds))


# What a question asks that 3号 never states, whatever the matter: what going to court costs (诉讼费, 立案)
# and how long something takes (多久). Only an entry that speaks of it itself answers such a question (4号's
# deadlines do: 几天内要报承办律师名单); 诉讼费能减免吗 is not the will-notarisation fee (3号 二), nor is
# 申请多久能批下来 what to bring. Each spelling is normalised first; matched by sound too.
ASPECTS: dict[str, tuple[str, ...]] = {
    "court_costs": ("诉讼费", "受理费", "立案", "打官司的费用"),
    "how_long": ("多久", "多长时间", "几天", "多少天", "几个月", "多少时间", "批下来", "批得下来"),
}
_ASPECT_SOUNDS = {a: tuple(_syllables(normalize(w)) for w in words) for a, words in ASPECTS.items()}


def aspects_in(norm: str) -> frozenset[str]:
    """The aspects (ASPECTS) a normalised text asks about or, for an entry, speaks of."""
    fenced = _syllables(norm.replace("好几", ""))  # 病了好几天 says how long it has been, not asks
    return frozenset(a for a, sounds in _ASPECT_SOUNDS.items() if any(s in fenced for s in sounds))


def query_pinyin(norm: str) -> str:
    return _syllables(norm)
