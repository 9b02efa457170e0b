"""Bad input, floods and random events: the core always answers and its saved state stays valid."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from bot.runtime import Runtime
from handlers.events import Incoming, Kind
from handlers.state import Conversation
from tests.auxil.chat import Chat

NASTY_TEXTS = [
    "a" * 5000,
    "遗嘱" * 2100,
    "😀😀😀",
    "\u202e\u202dتحية",
    "'; DROP TABLE bookings; --",
    "<b>粗体</b> *markdown* _x_ [link](http://x)",
    "\x00\x01\x02",
    "/",
    "/unknowncommand",
    "   ",
    "1" * 30,
]


@pytest.mark.parametrize("text", NASTY_TEXTS)
async def test_strange_text_gets_a_polite_answer_and_breaks_nothing(chat, runtime, text):
    await chat.send(text)
    assert chat.last.replies and all(r.text.strip() for r in chat.last.replies)
    assert chat.text != chat.texts("error.apology")
    await chat.send("/start")
    assert chat.labels[0] == "问政策"
    tables = await runtime.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    assert "bookings" in {row[0] for row in tables}


async def test_messages_accepted_ahead_and_then_slowed_down_are_not_run_again_after_a_restart(settings, clock):
    """WeChat answers "success" and keeps a message before its turn runs; a turn the flood limit
    refuses is still a turn that ran, or a restart would replay the flood days later."""
    limited = settings.model_copy(update={"rate_limit_per_minute": 1})
    rt = await Runtime.open(limited, clock)
    try:
        store = rt.services.store
        for n in range(3):
            await store.accept_event("telegram", f"msg:{n}", "{}", clock())
        replies = [await rt.dialogue.handle(Incoming("telegram", "flooder", clock(), kind=Kind.TEXT,
                                                     text="遗嘱公证要钱吗", key=f"msg:{n}")) for n in range(3)]
        assert await store.waiting_events("telegram") == []
        assert [r.text for r in replies[1].replies] == [rt.services.texts("input.slow_down")]
        assert replies[1].queued and not replies[2].replies
    finally:
        await rt.close()


async def test_a_flood_gets_one_calm_message_not_silence_and_not_a_reply_each(settings, clock):
    limited = settings.model_copy(update={"rate_limit_per_minute": 20})
    rt = await Runtime.open(limited, clock)
    try:
        chat = Chat(rt, channel="telegram", user_id="flooder")
        answered = []
        for _ in range(25):
            await chat.send("遗嘱公证要钱吗")
            answered.append(chat.text)
        assert sum("遗嘱" in a for a in answered) == 20
        assert sum(a == rt.services.texts("input.slow_down") for a in answered) == 1
        assert answered[-1] == ""
        other = Chat(rt, channel="telegram", user_id="neighbour")
        await other.send("遗嘱公证要钱吗")
        assert "遗嘱" in other.text, "one person's flood does not silence anyone else"
        clock.advance(minutes=1, seconds=1)
        await chat.send("遗嘱公证要钱吗")
        assert "遗嘱" in chat.text
        console = Chat(rt, channel="console", user_id="operator")  # one person at the keyboard
        for _ in range(25):
            await console.send("遗嘱公证要钱吗")
            assert "遗嘱" in console.text
    finally:
        await rt.close()


PAYLOADS = st.sampled_from([
    "menu:show", "menu:call", "menu:help", "faq:start", "faq:show:will_notary_fee", "faq:show:nope", "faq:none",
    "elig:start", "elig:back", "elig:restart", "elig:resume", "elig:answer:asker=family", "elig:answer:age=80",
    "elig:answer:county=龙游县", "elig:answer:conditions=done",
    "elig:answer:will=no", "elig:result", "elig:edit:age", "book:start", "book:answer:check_age=yes",
    "book:answer:county=柯城区", "book:answer:date=2026-11-27", "book:answer:window=am", "book:back",
    "book:confirm", "mine:start", "mine:cancel:SM-20261126-0001", "mine:cancel_yes:SM-20261126-0001",
    "mine:move:SM-20261126-0001", "mine:answer:date=2026-11-27", "mine:back", "book:answer:consent=yes",
    "book:answer:phone=000", "book:answer:phone_owner=evil", "book:edit:phone", "book:answer:access=stairs",
    "elig:answer:county=", "elig:answer:conditions=mobility", "elig:answer:age_birthday=yes", "consult:start", "consult:follow:1",
    "consult:praise:1", "law:claim:1", "law:answer:1", "staff:visited:SM-1", "data:show", "data:forget",
    "data:forget_yes", "nonsense", "elig:answer:age=abc", "book:answer:date=2099-01-01", ":::", "",
])
TEXTS = st.one_of(
    st.sampled_from(["查资格", "八十二", "1948年", "48年", "龙游", "好了", "没办过", "是", "不是", "张桂英",
                     "13812345678", "石梁镇", "某村1号", "同意", "菜单", "取消", "/help", "1", "2", "9",
                     "我的预约", "预约上门办申请", "取消", "确定", "上午吧", "周二", "2 5", "不知道", "菜單", "留言问律师", "遗嘱公证要钱吗", "儿子打我", "/register ABC"]),
    st.text(max_size=40),
)
EVENTS = st.one_of(
    st.builds(lambda p: ("button", p), PAYLOADS),
    st.builds(lambda t: ("text", t), TEXTS),
    st.sampled_from([("voice", ""), ("photo", ""), ("sticker", ""), ("location", "")]),
)


@pytest.mark.timeout(300)
@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(EVENTS, min_size=1, max_size=50), channel=st.sampled_from(["console", "telegram"]))
async def test_random_events_always_get_a_reply_and_leave_valid_state(runtime, events, channel):
    user, texts = "fuzz", runtime.services.texts
    for kind, value in events:
        if kind == "button":
            ev = Incoming(channel, user, runtime.now(), kind=Kind.BUTTON, payload=value)
        elif kind == "text":
            ev = Incoming(channel, user, runtime.now(), kind=Kind.TEXT, text=value)
        else:
            ev = Incoming(channel, user, runtime.now(), kind=Kind(kind))
        outcome = await runtime.dialogue.handle(ev)
        assert outcome.replies, f"no reply to {kind} {value!r}"
        assert outcome.replies[0].text not in {texts("error.apology"), texts.numbered()("error.apology")}, f"a flow failed on {kind} {value!r}"
        raw = await runtime.services.store.load_state(channel, user)
        Conversation.model_validate_json(raw)  # the saved state always parses
