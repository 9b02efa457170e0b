"""The keyboards we send as plain JSON are exactly what PTB's markup objects would send, byte for byte."""

import json

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.channels.telegram import WIDE_AFTER, keyboard
from common.messages import Option, Reply


def options(n: int) -> tuple[Option, ...]:
    return tuple(Option(f"选项{i}", f"flow:act:{i}") for i in range(n))


def test_inline_buttons_are_what_ptb_would_send_one_per_row_then_two():
    for n in (1, WIDE_AFTER, WIDE_AFTER + 1):
        opts = options(n)
        per_row = 2 if n > WIDE_AFTER else 1
        buttons = [InlineKeyboardButton(o.label, callback_data=o.payload) for o in opts]
        ptb = InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, n, per_row)])
        assert json.dumps(keyboard(Reply("问", opts))) == json.dumps(ptb.to_dict())


def test_the_main_menu_is_ptbs_persistent_reply_keyboard_two_labels_a_row():
    opts = options(5)
    labels = [KeyboardButton(o.label) for o in opts]
    ptb = ReplyKeyboardMarkup([labels[i : i + 2] for i in range(0, 5, 2)], resize_keyboard=True, is_persistent=True)
    assert json.dumps(keyboard(Reply("菜单", opts, main_menu=True))) == json.dumps(ptb.to_dict())


def test_no_options_no_keyboard():
    assert keyboard(Reply("好的")) is None
