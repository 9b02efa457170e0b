"""Words that move about a form rather than answer it (回去, 上一页, 回主菜单, 不填了): typed at any
question they are navigation, never a name, a place or the matter (walk 05:40: 回去 was stored as the
elder's name). 上一步, 返回, 菜单 and 取消 are caught before a form reads text (the options on screen,
then the words that work everywhere); these are their kin that reach the form."""

from __future__ import annotations

import re

from handlers.choice import normalise

BACK = "back"
MENU = "menu"
QUIT = "quit"

# Compared with the whole message as handlers.choice.normalise leaves it (我想…, …吧, punctuation gone).
_WORDS = (
    (BACK, re.compile(r"(回去|返回去|退回去?|回退|后退|往回走?|倒回去|前一步|上一?[步个题页]|(返回|回到?)上一?[步个题页])")),
    (MENU, re.compile(r"((返回|回到?|去)主?(菜单|首页|主页)|主页)")),
    (QUIT, re.compile(r"先?不(想|要)?(填|约|预约|查|弄|办|做)")),
)


def nav_word(text: str) -> str | None:
    """BACK, MENU or QUIT when the whole message is such a word; else None."""
    key = normalise(text)
    return next((move for move, words in _WORDS if words.fullmatch(key)), None)
