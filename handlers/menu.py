"""The home screen, help, the 12348 card and the polite "not yet" for unbuilt entries."""

from __future__ import annotations

from common.catalog import Catalog
from common.messages import Option
from handlers.turn import MENU, Turn

# Main menu entries in display order: (text id, payload). Typed labels map to the same payloads.
MAIN_MENU = (
    ("menu.faq", "faq:start"),
    ("menu.eligibility", "elig:start"),
    ("menu.booking", "book:start"),
    ("menu.consult", "consult:start"),
    ("menu.call", "menu:call"),
)

# Commands and words that start something directly, as if its button were tapped.
COMMAND_PAYLOADS = {"/book": "book:start", "/mybookings": "book:mine", "/ask": "consult:start", "/check": "elig:start"}
MY_BOOKINGS_WORDS = ("我的预约", "我的预约单")  # typed, not tapped: people say it this way
PRIVACY_WORDS = {"我的数据": "data:show", "我的信息": "data:show", "删除我的信息": "data:forget", "删除我的数据": "data:forget"}

# Words that always work, whatever flow the person is in.
MENU_WORDS = frozenset({"/start", "/menu", "菜单", "主菜单", "返回", "返回菜单", "首页", "开始"})
HELP_WORDS = frozenset({"/help", "帮助", "怎么用", "使用说明"})
CANCEL_WORDS = frozenset({"/cancel", "取消", "退出", "不问了", "算了"})


def main_menu_options(t: Catalog) -> tuple[Option, ...]:
    return tuple(Option(t(text_id), payload) for text_id, payload in MAIN_MENU)


def label_payloads(t: Catalog) -> dict[str, str]:
    """Main-menu labels as typed (Telegram's reply keyboard sends the label as text), and commands."""
    typed = {word: "book:mine" for word in MY_BOOKINGS_WORDS} | PRIVACY_WORDS
    return {t(text_id): payload for text_id, payload in MAIN_MENU} | COMMAND_PAYLOADS | typed


def show_menu(turn: Turn, text_id: str = "menu.title") -> None:
    turn.state.reset()
    turn.say(turn.t(text_id), main_menu_options(turn.t), main_menu=True)


def show_help(turn: Turn) -> None:
    turn.state.reset()
    turn.say(turn.t("help.text"), main_menu_options(turn.t), main_menu=True)


def show_call(turn: Turn) -> None:
    turn.say(turn.t("call.text"), (turn.option("nav.menu", MENU),))


def not_yet(turn: Turn) -> None:
    turn.state.reset()
    turn.say(turn.t("menu.not_yet"), main_menu_options(turn.t), main_menu=True)


async def on_button(turn: Turn, action: str, arg: str) -> None:
    if action == "help":
        show_help(turn)
    elif action == "call":
        show_call(turn)
    else:
        show_menu(turn)
