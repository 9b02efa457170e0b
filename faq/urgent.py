"""Messages about danger get 110 and 12348 at once, before any policy matching.

Deliberately a word list, not a model: it must be predictable, fast and easy for staff to
extend, and a false alarm (an extra line with two phone numbers) costs far less than a miss.
The kind of danger found is reported too, so the chat can add what fits it: for self-harm,
the national psychological assistance hotline (Danger.text_id).
"""

from __future__ import annotations

import re
from enum import StrEnum

from faq.normalize import normalize


class Danger(StrEnum):
    HELP = "help"
    VIOLENCE = "violence"
    NEGLECT = "neglect"
    MONEY = "money"
    SELF_HARM = "self_harm"

    @property
    def text_id(self) -> str | None:
        """A catalog text to show after urgent.text for this kind of danger, if any."""
        return _EXTRA_TEXT.get(self)

    @property
    def ongoing(self) -> bool:
        """Danger now (a blow, a cry for help, self-harm, no food): the safety screen comes first.
        A scam or money taken (被骗了钱) has mostly happened already: the person also needs their
        question answered, or it kept as the matter of a booking, after the 110 line."""
        return self is not Danger.MONEY

    @property
    def may_be_told(self) -> bool:
        """Whether a message of this kind may be what a form's written answer is about (the matter
        of a visit: 被骗了钱, 儿子打我, 不给饭吃). A cry for help or self-harm never is."""
        return self not in (Danger.HELP, Danger.SELF_HARM)


# 12356 is the national unified psychological assistance hotline set by the National Health
# Commission (国家卫生健康委 notice of 25 December 2024, every region connected before 1 May 2025;
# verified in the Xinhua/People's Daily report and the Commission's press conference of
# 26 December 2025 as reported by 中国新闻网, found with the search tool on this date's work).
_EXTRA_TEXT = {"self_harm": "urgent.self_harm"}

# 不赡养 alone is a question about support (赡养) for the knowledge base, not an emergency.
# Checked in this order; the first kind that matches is reported. Self-harm comes first so that
# "儿子不管我 我不想活了" also gets the crisis line. Patterns see the normalised text (简体,
# no punctuation, 我爸 → 老人 …) and the text as typed.
_PATTERNS: tuple[tuple[Danger, str], ...] = (
    (Danger.SELF_HARM,
     r"不想活|活不下去|活不成|自杀|寻死|轻生|跳楼|跳河|跳江|喝农药|上吊|想死(?!你)|(?<!笑|热|累|气|饿)死了算了|一了百了|活着没意思"),
    (Danger.HELP, r"救命|救救|救我|救老人|快来人|来人啊|来人救"),
    (Danger.MONEY,
     r"(?<!防)(?<!防止被)(?<!防诈)骗|(?<!防)诈|拿走.{0,8}(卡|存折|养老金|退休金|钱|低保|工资)"
     r"|(把|被).{0,8}(存折|养老金|退休金|低保卡|银行卡|工资卡|房子|房产证|钱).{0,6}(拿走|抢|取走|领走|偷|卖了|霸占|骗走)"
     r"|(存折|养老金|退休金|钱|卡).{0,4}(被|给).{0,6}(拿走|抢|取走|领走|偷)"
     r"|(拿|抢|偷|扣)了.{0,6}(卡|存折|养老金|退休金)|取走|抢走|抢了|安全账户|冒充|洗钱|涉嫌|(交|付).{0,2}手续费"
     r"|(说|通知).{0,4}中奖|保健品|转.{0,3}\d+(万|千|块)|打了.{0,4}\d*万|要钱不给|逼(我|老人).{0,8}(过户|签字|给钱|交钱)"
     r"|房子.{0,3}(被|给).{0,6}霸占|偷偷.{0,6}卖了"),
    (Danger.VIOLENCE,
     r"被.{0,8}打(?!电话|官司|得通|疫苗|车|麻将)|打(我|伤|人|老人|她|他|断|死)(?!官司)|打得(我|鼻|头|满|浑|住院|骨折|不敢)"
     r"|头破血流|挨打|揍|家暴|虐待|殴打|踢我|推倒|掐|扇.{0,2}耳光|拿刀|菜刀|砍(?!柴)|(?<!抹)杀(?!猪|毒|菌)|弄死|动手"
     r"|流血|流雪|鼻青脸肿|有伤|受伤|都是伤|砸东西|砸门|威胁(?!到)|恐吓|吓唬|堵着|老不死|放火|烧.{0,3}房子"),
    (Danger.NEGLECT,
     r"不管我(?!生活费|的生活费)|不管老人|没人管|不给.{0,3}(饭|吃|水|药|看病)|不让.{0,3}吃|吃不(上|饱|伤)|没吃东西|没.{0,2}饭吃|没米了"
     r"|(?<!还)饿了(?!吃)|饿着|挨饿|饿肚子|赶出|赶我|赶到|扔下|扔在|遗弃|丢下|丢在|不让.{0,4}(出门|进门|回家|出来)"
     r"|在外面过夜|无家可归|没地方住|关在|锁在|锁起来|关起来|儿女都不来|没人照顾我|没人照顾(?!的)"),
)
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _PATTERNS)


def danger_in(text: str) -> Danger | None:
    """The kind of danger a message speaks of, or None for an ordinary message."""
    norm = normalize(text)
    for kind, pattern in _COMPILED:
        if pattern.search(norm) or pattern.search(text):
            return kind
    return None
