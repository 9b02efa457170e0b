"""The home screen, help, the 12348 card and the polite "not yet" for unbuilt entries."""

from __future__ import annotations

from common.catalog import Catalog
from common.messages import Option, Payload
from handlers.choice import BACK_WORDS, normalise
from handlers.turn import Flow, Route, Turn

# Main menu entries in display order: (text id, payload). Typed labels map to the same payloads.
MAIN_MENU = (
    ("menu.faq", Payload("faq", "start").encode()),
    ("menu.eligibility", Payload("elig", "start").encode()),
    ("menu.booking", Payload("book", "start").encode()),
    ("menu.consult", Payload("consult", "start").encode()),
    ("menu.call", Payload("menu", "call").encode()),
)
MY_BOOKINGS = Payload("mine", "start").encode()
MENU = Payload("menu", "show").encode()  # 上一步 where there is no step to go back to
# What people type for a menu entry besides its label (the booking's label was 预约律师上门 until
# it said what the visit is for: applying for legal aid without travelling, 3号 三).
ALIASES = {
    "menu.booking": ("预约律师上门", "预约上门", "上门服务", "请律师上门", "预约", "律师上门", "预约上门服务"),
    "menu.eligibility": ("查我的资格", "我能享受什么", "查一下资格", "查查资格", "查一查资格", "查我家老人的资格"),
    "menu.consult": ("问律师", "找律师", "问问律师", "问一下律师", "咨询律师"),
    "menu.faq": ("问问政策", "问一下政策"),
}

# A home visit asked for in so many words (能不能上门, 你们能来家里吗): the booking, as its label would
# (3号 三). Whole messages only, so 哪些人可以上门 and 上门服务是什么 still reach the knowledge base; a request
# with a day or a story in it (12月1号上午能来我家吗) is for visit_request.answer where the policy questions read it.
_CAN = ("能", "可以", "能不能", "可不可以", "会不会", "可否")
_COME = ("上门", "上门来", "派人上门", "来我家", "来家里", "来我家里", "到我家", "到家里", "到我家里")
_COME_TOO = ("派人来我家", "派人来家里", "上门服务", "上门帮忙", "来我家帮忙")
VISIT_WORDS = dict.fromkeys([who + can + come + end for who in ("你们", "") for can in _CAN for come in _COME + _COME_TOO
                             for end in ("吗", "") if end or len(can) > 2 or can == "可否"]
                            + [who + "上门" + end for who in ("你们", "") for end in ("吗", "不")],
                            MAIN_MENU[2][1])

# Commands and words that start something directly, as if its button were tapped.
COMMAND_PAYLOADS = {"/book": MAIN_MENU[2][1], "/mybookings": MY_BOOKINGS, "/ask": MAIN_MENU[3][1],
                    "/check": MAIN_MENU[1][1]}
# 改时间 and 取消预约 typed anywhere but on a screen that offers them: what 我的预约 offers.
MY_BOOKINGS_WORDS = ("我的预约", "我的预约单", "改时间", "改预约", "改预约时间", "换时间", "预约改时间")
# Said back to the evening reminder (the visit is tomorrow), at the menu only: inside a form 换个时间 is
# about the form's own question. Not tomorrow → 我的预约 (change the time or cancel); 取消 → cancel it.
NOT_TOMORROW_WORDS = ("改天", "改个时间", "换个时间", "明天不在家", "明天不方便", "明天没空", "明天家里没人")
NOT_TOMORROW_WORDS += ("明天去不了了", "明天有事", "明天来不了", "明天不行")
CANCEL_VISIT_WORDS = ("取消", "取消吧", "要取消", "明天不用来了", "不用来了", "明天别来了", "不要来了")
CANCEL_BOOKING = Payload("mine", "cancel_which").encode()
CANCEL_VISIT = Payload("mine", "cancel_which", "said").encode()  # 取消 at the menu: nothing to cancel → the menu
_AT_MENU = {normalise(w): MY_BOOKINGS for w in NOT_TOMORROW_WORDS}
_AT_MENU |= {normalise(w): CANCEL_VISIT for w in CANCEL_VISIT_WORDS}
CANCEL_BOOKING_WORDS = ("取消预约", "取消我的预约", "预约取消", "取消上门", "取消上门预约", "不要上门了")
SHOW_DATA, FORGET = Payload("data", "show").encode(), Payload("data", "forget").encode()
ASKED_DATA = Payload("data", "show", "asked").encode()  # 我的数据 with a line answering who sees it
# 删除我的信息 as people say it (删掉/把…删了, 资料/资讯/个人资料, 电话), in both scripts after normalise;
# a list, not a pattern, so that a question about privacy (你们会保存我的信息吗) is not taken for one.
_MINE = ("我的", "")
_DATA = ("信息", "资料", "资讯", "数据", "个人信息", "个人资料", "个人资讯", "电话")
_FORGET_PHRASES = (
    [verb + mine + data for verb in ("删除", "删掉", "删了", "清除") for mine in _MINE for data in _DATA]
    + ["把" + mine + data + verb for verb in ("删了", "删掉", "删除") for mine in _MINE for data in _DATA]
    + [lead + keep + "我的" + data for lead in ("不想你们", "不要", "别", "不要你们")
       for keep in ("保存", "存", "留着") for data in _DATA]
)
# A question about what we keep (你们会保存我的信息吗, 我的信息存多久, 我的电话会给别人看吗, 会不会泄露): the
# 我的数据 screen answers it (what, who sees it, how long, how to delete); nothing is deleted by asking.
_ASKED = ["我的" + data for data in (*_DATA, "电话号码", "地址", "隐私")] + [*_DATA[:-1], "隐私"]  # 留电话: not without 我的
_KEEP = ("保存", "存", "留", "存着", "留着", "记录", "保留")
_SHARE = ("泄露", "泄漏", "外泄", "透露", "传出去", "给别人", "给别人看", "告诉别人", "卖给别人")
_SAFE = ("安全吗", "保密吗", "安全不安全", "谁能看到", "谁能看", "谁看得到", "给谁看", "有谁能看到", "谁会看到", "你们给谁看")
_ASKED_PHRASES = (  # asked, not told: 会/会不会 or 吗 (我的信息被泄露了 is a matter to ask a lawyer about)
    [who + will + verb + data + end for who in ("你们", "") for will in ("会", "") for verb in (*_KEEP, *_SHARE)
     for data in _ASKED for end in ("吗", "") if will or end]
    + [who + "会不会" + verb + data for who in ("你们", "") for verb in (*_KEEP, *_SHARE) for data in _ASKED]
    + [who + will + "把" + data + share + end for who in ("你们", "") for will in ("会", "会不会")
       for data in _ASKED for share in _SHARE[5:] for end in ("吗", "")]
    + [data + who + will + keep + long for data in _ASKED for who in ("你们", "") for will in ("会", "要", "")
       for keep in _KEEP for long in ("多久", "多长时间", "几天", "多少天")]
    + [data + will + harm + end for data in _ASKED for will in ("会", "会不会", "")
       for harm in ("被泄露", "泄露", "外泄", "给别人看", "被别人看到", "被别人看", "给别人", "传出去", "被卖")
       for end in ("吗", "") if will or end]
    + [data + safe for data in _ASKED for safe in _SAFE]
    + [who + data for who in ("谁能看到", "谁能看", "谁看得到") for data in _ASKED]
)
PRIVACY_WORDS = ({"我的数据": SHOW_DATA, "我的信息": SHOW_DATA} | dict.fromkeys(_ASKED_PHRASES, ASKED_DATA)
                 | dict.fromkeys(_FORGET_PHRASES, FORGET))
SETTINGS_WORDS = dict.fromkeys(("设置", "朗读设置", "读给我听设置"), Payload("settings", "start").encode())

# Words that always work, whatever flow the person is in (compared after choice.normalise).
MENU_WORDS = frozenset({"/start", "/menu", "菜单", "主菜单", "返回", "返回菜单", "首页", "开始"})
HELP_WORDS = frozenset({"/help", "帮助", "怎么用", "使用说明"})
CANCEL_WORDS = frozenset({"/cancel", "取消", "退出", "不问了", "算了"})


def main_menu_options(t: Catalog) -> tuple[Option, ...]:
    return tuple(Option(t(text_id), payload, ALIASES.get(text_id, ())) for text_id, payload in MAIN_MENU)


def label_payloads(t: Catalog) -> dict[str, str]:
    """Main-menu labels and words as typed (in any script), normalised, to their payloads."""
    typed = {word: MY_BOOKINGS for word in MY_BOOKINGS_WORDS} | PRIVACY_WORDS | SETTINGS_WORDS | VISIT_WORDS
    typed |= dict.fromkeys(CANCEL_BOOKING_WORDS, CANCEL_BOOKING) | dict.fromkeys(BACK_WORDS, MENU)
    labels = {t(text_id): payload for text_id, payload in MAIN_MENU} | typed
    labels |= {alias: payload for text_id, payload in MAIN_MENU for alias in ALIASES.get(text_id, ())}
    return {normalise(word): payload for word, payload in labels.items()}


def at_menu_payload(text: str) -> str | None:
    """What a reply to the evening reminder asks for, typed where no form is open."""
    return _AT_MENU.get(normalise(text))


def word_in(text: str, words: frozenset[str]) -> bool:
    return text.lower() in words or normalise(text) in {normalise(w) for w in words}


def always_word(text: str) -> bool:
    """菜单, 帮助, 取消 and their kin: they work everywhere, spoken or typed."""
    return any(word_in(text, words) for words in (MENU_WORDS, HELP_WORDS, CANCEL_WORDS))


def show_menu(turn: Turn, text_id: str = "menu.title") -> None:
    turn.state.reset()
    turn.say(turn.t(text_id), main_menu_options(turn.t), main_menu=True)


def show_help(turn: Turn) -> None:
    turn.state.reset()
    turn.say(turn.t("help.text"), main_menu_options(turn.t), main_menu=True)


def not_yet(turn: Turn) -> None:
    turn.state.reset()
    turn.say(turn.t("menu.not_yet"), main_menu_options(turn.t), main_menu=True)


class MenuFlow(Flow):
    """Buttons addressed to the menu itself: show, help, call."""

    name = "menu"

    async def start(self, turn: Turn, arg: str = "") -> None:
        show_menu(turn)

    async def call(self, turn: Turn, arg: str = "") -> None:
        turn.say(turn.t("call.text"), (turn.menu_option(),))

    async def help(self, turn: Turn, arg: str = "") -> None:
        show_help(turn)

    def routes(self) -> dict[str, Route]:
        return super().routes() | {"show": self.start, "help": self.help, "call": self.call}

    async def stale(self, turn: Turn) -> None:
        show_menu(turn)
