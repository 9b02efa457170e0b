"""预约上门办申请 through the dialogue core: eligibility gate, slots, consent, review, 我的预约."""

from __future__ import annotations

import pytest

from bot.scheduler import send_due_reminders
from handlers.state import Conversation
from tests.auxil.chat import Chat
from tests.auxil.faults import fail_once
from tests.handlers.conftest import STAFF_CHAT, rt  # noqa: F401 - the staffed runtime fixture


async def to_the_name(chat, *, county="龙游县", day_index=0, window="上午"):
    """The quick check (满80周岁), a county, a day and a half-day; ends on the name question."""
    await chat.send("预约上门办申请")
    await chat.tap("是")
    await chat.tap(county)
    day = [o for o in chat.options if o.payload.startswith("book:answer:date=")][day_index]
    await chat.press(day.payload)
    await chat.tap(window)
    return day


async def to_the_access(chat, *, county="龙游县", day_index=0, window="上午", name="张桂英", phone="13812345678"):
    """The booking up to the question of what the visitors should know (access notes)."""
    day = await to_the_name(chat, county=county, day_index=day_index, window=window)
    await chat.send(name)
    await chat.send(phone)
    await chat.tap("家人的")
    await chat.send("石梁镇")
    await chat.send("某某村12号")
    return day


async def book(chat, *, county="龙游县", day_index=0, window="上午", name="张桂英", phone="13812345678"):
    """Walk the whole booking as an 82-year-old's daughter would; ends on the review screen."""
    day = await to_the_access(chat, county=county, day_index=day_index, window=window, name=name, phone=phone)
    await chat.tap("住楼上")
    await chat.tap("好了")
    await chat.send("想立遗嘱")
    await chat.tap("同意")
    return day


async def test_an_82_year_old_books_a_visit_and_gets_a_reference(chat, runtime):
    await book(chat)
    assert chat.says("book.review") and "张桂英" in chat.text and "住楼上，没有电梯" in chat.text
    await chat.tap("确认预约")
    assert chat.says("book.confirmed")
    bookings = await runtime.services.bookings.list_for_user("console", "elder-1")
    assert len(bookings) == 1 and bookings[0].ref in chat.text
    state = Conversation.model_validate_json(await runtime.services.store.load_state("console", "elder-1"))
    assert "book" not in state.data, "personal details leave the conversation once booked"


async def test_only_working_days_within_the_horizon_are_offered(chat, clock):
    # Thursday 2026-11-26: not today (minimum notice), then working days for 14 days.
    await chat.send("预约上门办申请")
    await chat.tap("是")
    await chat.tap("柯城区")
    offered = [o.payload.rsplit("=", 1)[1] for o in chat.options if "date=" in o.payload]
    assert "2026-11-26" not in offered
    assert offered[0] == "2026-11-27"
    assert "2026-11-28" not in offered and "2026-11-29" not in offered  # the weekend


async def test_a_double_tap_on_confirm_creates_one_booking(chat, runtime):
    await book(chat)
    confirm = chat.option("确认预约").payload
    await chat.press(confirm)
    await chat.press(confirm)
    assert len(await runtime.services.bookings.list_for_user("console", "elder-1")) == 1


async def test_staff_hear_of_a_booking_whose_first_confirm_failed_after_it_was_made(rt, monkeypatch):
    """The booking is committed, then the turn fails before it is saved (a busy database, a crash):
    the person taps 确认 again, is shown the same booking, and the centre is told of it once."""
    chat = Chat(rt, user_id="elder-9")
    await book(chat)
    confirm = chat.option("确认预约").payload
    fail_once(monkeypatch, rt.services.store, "save_turn", RuntimeError("database is locked"))
    with pytest.raises(RuntimeError):
        await chat.press(confirm)
    await chat.press(confirm)
    [booking] = await rt.services.bookings.list_for_user("console", "elder-9")
    assert booking.ref in chat.text
    told = [q for q in await rt.services.store.unsent({"telegram"}, rt.now()) if q.user_id == str(STAFF_CHAT)]
    assert len(told) == 1 and booking.ref in told[0].reply["text"]


async def test_without_consent_nothing_is_kept(chat, runtime):
    await to_the_name(chat, county="江山市", window="下午")
    await chat.send("李大爷")
    await chat.send("13900001111")
    await chat.tap("老人本人的")
    await chat.send("贺村镇")
    await chat.send("某村3号")
    await chat.tap("好了")
    await chat.send("房子纠纷")
    await chat.tap("不同意")
    assert chat.says("book.no_consent")
    state = await runtime.services.store.load_state("console", "elder-1")
    assert "李大爷" not in state and "13900001111" not in state
    assert await runtime.services.bookings.list_for_user("console", "elder-1") == []


async def test_someone_without_grounds_is_told_kindly_and_given_other_ways(chat):
    await chat.send("预约上门办申请")
    for _ in range(3):
        await chat.tap("不是")
    assert chat.says("book.not_eligible")
    assert "拨打12348" in chat.labels and "留言问律师" in chat.labels


async def test_an_eligibility_result_is_reused_instead_of_asking_again(chat):
    await chat.send("查资格")
    await chat.tap("替家人问")
    await chat.send("八十二")
    await chat.tap("龙游县")
    await chat.tap("好了")
    await chat.tap("没办过")
    await chat.tap("看结果")
    await chat.tap("预约上门办申请")
    assert chat.says("book.eligible_from_check") and chat.says("book.ask.county")


@pytest.mark.parametrize(("typed", "problem"), [("12345", "手机号"), ("张三3", "不要数字")])
async def test_bad_phone_or_name_is_asked_again_politely(chat, typed, problem):
    await to_the_name(chat, county="常山县")
    if problem == "手机号":
        await chat.send("王奶奶")
    await chat.send(typed)
    assert problem in chat.text


async def test_the_review_screen_edits_one_line(chat):
    await book(chat)
    await chat.tap("改：电话")
    await chat.send("+86 139-0000-2222")
    assert chat.says("book.ask.phone_owner")  # whose phone it is belongs to the number
    await chat.tap("家人的")
    assert chat.says("book.review") and "13900002222" in chat.text


async def test_cancel_asks_first_then_frees_the_seat_and_the_person_books_again(chat, runtime, settings):
    await book(chat)
    await chat.tap("确认预约")
    await chat.tap("我的预约")
    await chat.tap("取消 SM-")
    assert chat.says("book.cancel_confirm")
    await chat.tap("确定取消")
    assert chat.says("book.cancelled")
    await book(chat)
    await chat.tap("确认预约")
    assert chat.says("book.confirmed")
    mine = await runtime.services.bookings.list_for_user("console", "elder-1")
    assert [b.status for b in mine].count("active") == 1


async def test_reschedule_keeps_the_reference(chat, runtime):
    await book(chat)
    await chat.tap("确认预约")
    ref = (await runtime.services.bookings.list_for_user("console", "elder-1"))[0].ref
    await chat.tap("我的预约")
    await chat.tap("改时间")
    later = [o for o in chat.options if "date=" in o.payload][1]
    await chat.press(later.payload)
    await chat.tap("下午")
    assert chat.says("book.moved") and ref in chat.text and "下午" in chat.text


async def test_the_last_seat_cannot_be_taken_twice(runtime, settings):
    capacity = settings.slot_rules.capacity
    chats = [Chat(runtime, user_id=f"family-{i}") for i in range(capacity + 1)]
    for i, chat in enumerate(chats):
        await book(chat, phone=f"1381234560{i}")  # different families, all on the same first day, morning
    for chat in chats:
        await chat.tap("确认预约")
    confirmed = [c for c in chats if "预约好了" in c.text]
    assert len(confirmed) == capacity
    assert chats[-1].says("book.taken_meanwhile")


async def test_the_reminder_goes_out_the_evening_before_exactly_once(chat, runtime, clock):
    await book(chat)
    await chat.tap("确认预约")
    assert await send_due_reminders(runtime) == 0  # 2026-11-26 10:00: not yet
    clock.advance(hours=8, minutes=1)  # 18:01 the evening before the visit on 27 November
    assert await send_due_reminders(runtime) == 1
    assert await send_due_reminders(runtime) == 0
    queued = await runtime.services.store.unsent({"console"}, clock())
    assert len(queued) == 1 and "明天" in queued[0].reply["text"] and "SM-" in queued[0].reply["text"]


async def test_the_reminder_carries_the_my_bookings_button_it_tells_the_person_to_tap(chat, runtime, clock):
    await book(chat)
    await chat.tap("确认预约")
    clock.advance(hours=8, minutes=1)
    assert await send_due_reminders(runtime) == 1
    [queued] = await runtime.services.store.unsent({"console"}, clock())
    assert "我的预约" in queued.reply["text"]
    [mine] = [payload for label, payload in queued.reply["options"] if label == chat.texts("book.mine")]
    await chat.press(mine)
    assert chat.says("book.mine_title")


@pytest.mark.parametrize("typed", ["明天不在家", "明天不方便", "改天", "换个时间", "明天去不了了"])
async def test_answering_the_reminder_that_tomorrow_will_not_do_shows_my_bookings(chat, typed):
    await book(chat)
    await chat.tap("确认预约")
    await chat.send(typed)
    assert chat.says("book.mine_title")


@pytest.mark.parametrize("typed", ["取消", "要取消", "明天不用来了", "不用来了"])
async def test_cancelling_said_back_to_the_reminder_asks_to_confirm_cancelling_the_visit(chat, typed):
    await book(chat)
    await chat.tap("确认预约")
    await chat.send(typed)
    assert "确定要取消这个预约吗" in chat.text
    await chat.send("是")
    assert "已经取消" in chat.text


async def test_a_bare_cancel_at_the_menu_with_no_visit_is_the_menu(chat):
    await chat.send("取消")
    assert chat.says("menu.title")


@pytest.mark.parametrize("typed", ["换个时间", "改天", "明天不在家"])
async def test_reminder_words_typed_inside_a_booking_stay_with_its_question(chat, typed):
    await chat.send("预约上门办申请")
    await chat.tap("是")
    await chat.tap("龙游县")
    await chat.send(typed)
    assert not chat.says("book.mine_title") and "没有预约" not in chat.text


async def test_a_reminder_missed_while_down_is_dropped_once_the_visit_has_begun(chat, runtime, clock):
    await book(chat)
    await chat.tap("确认预约")
    clock.advance(days=1, hours=1)  # 27 November 11:00: the morning visit has started
    assert await send_due_reminders(runtime) == 0
    assert await runtime.services.store.unsent({"console"}, clock()) == []


async def test_booking_into_january_2027_works_beyond_the_calendar_package_and_warns_once(chat, clock, caplog):
    from datetime import datetime

    from tests.conftest import SHANGHAI

    clock.now = datetime(2026, 12, 28, 10, 0, tzinfo=SHANGHAI)  # a Monday; the horizon reaches 2027
    with caplog.at_level("WARNING"):
        await chat.send("预约上门办申请")
        await chat.tap("是")
        await chat.tap("开化县")
        await chat.tap("上一步")
        await chat.tap("开化县")
    offered = [o.payload.rsplit("=", 1)[1] for o in chat.options if "date=" in o.payload]
    assert "2027-01-04" in offered  # a Monday, from the Monday–Friday fallback
    assert "2027-01-02" not in offered and "2027-01-03" not in offered  # the weekend
    assert "2027-01-01" not in offered  # 元旦 is a statutory holiday every year, schedule or not
    assert caplog.text.count("no data for 2027") == 1


async def test_when_the_slot_goes_at_confirm_only_a_new_time_is_asked(runtime):
    capacity = runtime.services.settings.slot_rules.capacity
    others = [Chat(runtime, user_id=f"other-{i}") for i in range(capacity)]
    late = Chat(runtime, user_id="late")
    await book(late)
    for i, other in enumerate(others):
        await book(other, phone=f"1390000000{i}")
        await other.tap("确认预约")
    await late.tap("确认预约")
    assert late.says("book.taken_meanwhile")
    await late.press([o.payload for o in late.options if "date=" in o.payload][1])
    await late.tap("下午")
    assert late.says("book.review") and "张桂英" in late.text


async def test_the_booking_names_the_application_for_legal_aid_and_the_notary_office(chat):
    """3号 三 对…行动不便的老年人实行预约提供上门服务,实现特殊老年人申请法律援助"一次不用跑":
    the visit helps the person apply; a will's notarisation itself is the notary office's."""
    await to_the_name(chat)
    await chat.send("张桂英")
    await chat.send("13812345678")
    await chat.tap("家人的")
    await chat.send("石梁镇")
    await chat.send("某某村12号")
    await chat.tap("好了")
    assert chat.says("book.ask.matter") and "申请法律援助" in chat.text and "公证处" in chat.text


async def test_after_booking_the_centre_calls_before_the_visit_by_the_last_working_day(chat, clock):
    # Booked on Thursday 26 November for Monday 30 November: the call comes by Friday 27th.
    await book(chat, day_index=1)
    await chat.tap("确认预约")
    assert chat.says("book.confirmed", call_by="11月27日（周五）", day="11月30日（周一）")


async def test_a_booking_started_from_what_the_person_told_asks_only_the_rest(runtime, clock):
    """The county and 3号 三's grounds (80周岁以上, 患重病, 行动不便) from the person's own words are
    not asked again; the review shows them and the county can still be changed there."""
    from handlers.state import Told
    from policy.eligibility import Condition, County

    chat = Chat(runtime, channel="console", user_id="told-1")
    state = Conversation(told=Told(age=83, county=County("江山市"), conditions=[Condition.SERIOUS_ILLNESS]))
    await runtime.services.store.save_state("console", "told-1", state.model_dump_json(), clock())
    await chat.press("book:start:told")
    assert chat.says("book.from_told") and "江山市" in chat.text
    assert chat.says("book.ask.date", county="江山市")
    day = [o for o in chat.options if o.payload.startswith("book:answer:date=")][0]
    await chat.press(day.payload)
    await chat.tap("上午")
    for answer in ("张桂英", "13812345678"):
        await chat.send(answer)
    await chat.tap("家人的")
    await chat.send("贺村镇")
    await chat.send("某某村3号")
    await chat.tap("好了")
    await chat.send("邻居占了我家的地")
    await chat.tap("同意")
    assert chat.says("book.review") and "江山市" in chat.text
    assert runtime.services.texts("book.edit.county") in chat.labels


async def test_a_booking_from_what_was_told_without_grounds_still_asks_the_quick_check(runtime, clock):
    from handlers.state import Told
    from policy.eligibility import County

    chat = Chat(runtime, channel="console", user_id="told-2")
    state = Conversation(told=Told(age=72, county=County("柯城区")))
    await runtime.services.store.save_state("console", "told-2", state.model_dump_json(), clock())
    await chat.press("book:start:told")
    assert chat.says("book.ask.check_illness")


async def test_a_second_account_with_the_same_phone_is_told_the_limit_and_keeps_its_answers(settings, clock):
    from bot.runtime import Runtime

    rt = await Runtime.open(settings.model_copy(update={"max_active_bookings": 1}), clock)
    try:
        daughter, son = Chat(rt, user_id="daughter"), Chat(rt, user_id="son")
        await book(daughter)
        await daughter.tap("确认预约")
        assert daughter.says("book.confirmed")
        await book(son)  # the same elder's phone number
        await son.tap("确认预约")
        assert son.says("book.limit", limit=1)
        assert "我的预约" in son.labels
        assert len(await rt.services.bookings.list_for_user("console", "son")) == 0
    finally:
        await rt.close()


@pytest.mark.parametrize("typed", ["虚岁八十", "虚岁八十一，生日还没过"])
async def test_an_age_said_as_xusui_at_the_quick_check_is_asked_back_as_a_birth_year(chat, typed):
    await chat.send("预约上门办申请")
    await chat.send(typed)
    assert chat.says("eq.age_nominal")
    await chat.send("1944年")  # 82 周岁
    assert chat.says("book.ask.county")
