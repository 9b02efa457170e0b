"""我的数据 lists every personal field kept for the person: the booking's notes (health) and
matter, the 查资格 answers, what their own words told, a draft's contents."""

from __future__ import annotations

from tests.auxil.chat import Chat


async def test_a_booking_with_notes_and_matter_is_listed_in_full(runtime):
    chat = Chat(runtime, channel="telegram", user_id="typist")
    for answer in ("预约上门办申请", "是", "龙游", "12月1日", "上午", "李大爷", "0570-8012345", "家人的", "贺村镇",
                   "某村3号", "住二楼没电梯，他耳朵背", "好了", "儿子不给赡养费", "同意", "确认预约"):
        await chat.send(answer)
    await chat.send("我的数据")
    for kept in ("李大爷", "0570-8012345", runtime.services.texts("book.phone_family"), "贺村镇 某村3号",
                 "住二楼没电梯，他耳朵背", "儿子不给赡养费"):
        assert kept in chat.text, kept


async def test_a_half_filled_booking_shows_what_it_holds(runtime):
    chat = Chat(runtime, channel="telegram", user_id="typist")
    for answer in ("预约上门办申请", "是", "龙游", "12月1日", "上午", "李大爷", "13900001111", "家人的", "贺村镇",
                   "某村3号", "他耳朵背"):
        await chat.send(answer)
    await chat.send("我的数据")
    assert chat.says("privacy.draft", fields="李大爷，13900001111，贺村镇，某村3号，他耳朵背")


async def test_the_eligibility_answers_are_listed_in_full(chat, runtime):
    texts = runtime.services.texts
    for answer in ("查资格", "替家人问", "82", "龙游县", "低保", "不会走路", "好了", "办过", "没问题"):
        await chat.send(answer)
    await chat.send("我的数据")
    assert chat.says("privacy.answers", asker=texts("eq.asker_family"), age=82, county="龙游县",
                     will=texts("eq.will_yes"))
    assert texts("eq.dibao_label") in chat.text and texts("eq.cond.mobility") in chat.text


async def test_what_a_first_message_told_is_listed(chat, runtime):
    await chat.send("我爸七十五岁，住柯城区，不会走路，想立遗嘱")
    await chat.send("我的数据")
    assert chat.says("privacy.told")
    assert "柯城区" in chat.text and runtime.services.texts("eq.age_value", age=75) in chat.text
