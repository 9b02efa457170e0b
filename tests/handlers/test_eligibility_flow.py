"""查资格 through the dialogue core: one question at a time, back, review, resume, result."""

from __future__ import annotations

from datetime import date

from bot.runtime import Runtime
from common.messages import Payload
from handlers.state import Conversation, Told
from policy.county_status import County, CountyStatus
from policy.eligibility import Asker, Condition
from tests.auxil.chat import Chat


async def answer_all(chat, *, asker="替家人问", age="八十二", county="龙游县", conditions=("行动不便",), will="没办过"):
    await chat.send("查资格")
    await chat.tap(asker)
    await chat.send(age)
    await chat.tap(county)
    for condition in conditions:
        await chat.tap(condition)
    await chat.tap("好了")
    await chat.tap(will)


async def test_a_family_member_answers_for_a_father_of_82_who_cannot_get_about(chat):
    await answer_all(chat)
    assert chat.says("eq.review") and "82周岁" in chat.text and "行动不便" in chat.text
    await chat.tap("看结果")
    assert chat.says("eq.head.means_to_confirm", county="龙游县")  # nobody recorded 龙游县 yet
    assert chat.says("eq.head.will_free")
    assert chat.says("eq.head.visit_yes")
    assert chat.says("eq.to_confirm")
    assert "预约上门办申请" in chat.labels and "返回菜单" in chat.labels
    await chat.tap("看详细说明")
    assert chat.says("elig.home_visit_age80", who=chat.runtime.services.texts("eq.who_family"))
    assert "衢市司发〔2020〕3号 二" in chat.text
    assert "预约上门办申请" in chat.labels and "返回菜单" in chat.labels


async def test_questions_address_the_family_member_or_the_person_themselves(chat):
    await chat.send("查资格")
    await chat.tap("我本人")
    assert chat.says("eq.ask_age", who=chat.runtime.services.texts("eq.who_self"))
    await chat.tap("上一步")
    await chat.tap("替家人问")
    assert chat.says("eq.ask_age", who=chat.runtime.services.texts("eq.who_family"))


async def test_every_step_has_back_and_menu(chat):
    def has_nav():
        return "上一步" in chat.labels and "返回菜单" in chat.labels

    await chat.send("查资格")
    await chat.tap("我本人")
    assert has_nav()
    await chat.send("75")
    assert has_nav()
    await chat.tap("柯城区")
    assert has_nav()
    await chat.tap("好了")
    assert has_nav()
    await chat.tap("没办过")
    assert chat.says("eq.review") and has_nav()


async def test_back_returns_to_the_previous_question_with_answers_kept(chat):
    await chat.send("查资格")
    await chat.tap("我本人")
    await chat.send("75")
    await chat.tap("上一步")
    assert chat.says("eq.ask_age")


async def test_the_review_screen_changes_one_answer_and_returns_to_review(chat):
    await answer_all(chat, age="75", conditions=())
    await chat.tap("改：年龄")
    assert chat.says("eq.ask_age")
    await chat.send("85")
    assert chat.says("eq.review") and "85周岁" in chat.text
    await chat.tap("看结果")
    assert chat.says("eq.head.will_free")


async def test_seventy_five_without_conditions_gets_half_fee_and_no_home_visit(chat):
    await answer_all(chat, age="75", conditions=(), will="没办过")
    await chat.tap("看结果")
    assert chat.says("eq.head.will_half")
    assert chat.says("eq.head.visit_no")
    assert "预约上门办申请" not in chat.labels
    await chat.tap("看详细说明")
    assert chat.says("elig.change_turn80_will_free")  # what would change the result


async def test_a_previous_will_notarisation_gets_no_reduction_and_no_fee_the_text_does_not_set(chat):
    await answer_all(chat, will="办过")
    await chat.tap("看结果")
    assert chat.says("eq.head.will_not_first")
    await chat.tap("看详细说明")
    assert chat.says("elig.will_fee_full_not_first", who=chat.runtime.services.texts("eq.who_family"))


async def test_under_sixty_is_told_plainly(chat):
    await answer_all(chat, age="55", conditions=())
    await chat.tap("看结果")
    assert chat.says("eq.head.not_older")


async def test_a_birth_year_on_the_threshold_asks_about_the_birthday(chat, clock):
    await chat.send("查资格")
    await chat.tap("我本人")
    await chat.send("1956年出生")  # 69 or 70 in 2026
    assert chat.says("eq.ask_birthday")
    await chat.tap("过了")
    assert chat.says("eq.ask_county")
    await chat.send("菜单")
    await chat.send("查资格")
    await chat.tap("继续")
    assert chat.says("eq.ask_county")


async def test_a_two_digit_year_is_confirmed_before_use(chat):
    await chat.send("查资格")
    await chat.tap("我本人")
    await chat.send("40年")
    assert chat.says("eq.confirm_short_year", year=1940)
    await chat.tap("是")
    assert chat.says("eq.ask_county")  # 1940 → 85 or 86: no threshold in between, no birthday question


async def test_unreadable_and_impossible_ages_are_asked_again_politely(chat):
    await chat.send("查资格")
    await chat.tap("我本人")
    await chat.send("不记得了")
    assert chat.says("eq.age_unreadable") and chat.says("eq.ask_age")
    await chat.send("2030年")
    assert chat.says("eq.age_future")
    await chat.send("虚岁八十")
    assert chat.says("eq.age_nominal")


async def test_conditions_are_several_taps_then_done(chat):
    await chat.send("查资格")
    await chat.tap("我本人")
    await chat.send("65")
    await chat.tap("开化县")
    await chat.tap("城乡特困")
    await chat.tap("患重大疾病")
    assert "已选：城乡特困、患重大疾病（重病）" in chat.text
    await chat.tap("✓ 城乡特困")  # tapping again removes it
    assert "已选：患重大疾病（重病）" in chat.text
    await chat.send("好了")
    await chat.tap("没办过")
    await chat.tap("看结果")
    assert chat.says("eq.head.means_to_confirm", county="开化县") and chat.says("eq.head.visit_yes")


async def test_a_stale_answer_button_from_an_earlier_step_is_not_applied(chat):
    await chat.send("查资格")
    await chat.tap("我本人")
    stale_age_button = chat.option("80岁及以上").payload
    await chat.send("65")
    await chat.press(stale_age_button)
    assert chat.says("nav.stale_button")
    assert chat.says("eq.ask_county")


async def test_after_30_minutes_the_next_message_offers_to_continue(chat, clock):
    await chat.send("查资格")
    await chat.tap("我本人")
    clock.advance(minutes=31)
    await chat.send("75")
    assert "继续上次的问题" in chat.labels and "重新开始" in chat.labels
    await chat.tap("继续上次的问题")
    assert chat.says("eq.ask_age")


async def test_a_restart_in_the_middle_resumes_at_the_same_step(settings, clock):
    first = await Runtime.open(settings, clock)
    chat = Chat(first, user_id="restart-1")
    await chat.send("查资格")
    await chat.tap("替家人问")
    await chat.send("82")
    assert chat.says("eq.ask_county")
    await first.close()

    second = await Runtime.open(settings, clock)
    try:
        chat = Chat(second, user_id="restart-1")
        await chat.send("龙游")
        assert chat.says("eq.ask_conditions")  # the county answer was taken at the county step
        state = Conversation.model_validate_json(await second.services.store.load_state("console", "restart-1"))
        assert state.data["elig"]["age"] == 82 and state.data["elig"]["county"] == "龙游县"
    finally:
        await second.close()


async def test_denying_a_condition_does_not_tick_it(chat):
    await chat.send("查资格")
    await chat.tap("我本人")
    await chat.send("75")
    await chat.tap("柯城区")
    await chat.send("没有重病")
    assert chat.says("eq.ask_will")
    await chat.tap("没办过")
    assert "情况：没有" in chat.text


# --- 3号 二 有条件的县(市、区): the county's status as staff recorded it -----------------------------


async def record(chat, county: County, status: CountyStatus, source: str = "县司法局通知") -> None:
    await chat.runtime.services.counties.set(county, status, date(2020, 1, 1), source, "staff:test", chat.runtime.now())


async def test_in_a_county_that_applies_the_measures_both_are_granted_with_the_source_staff_recorded(chat):
    await record(chat, County.LONGYOU, CountyStatus.APPLIES, "龙游县司法局2020年通知")
    await answer_all(chat)
    await chat.tap("看结果")
    assert chat.says("eq.head.means_yes", county="龙游县") and chat.says("eq.head.scope_yes", county="龙游县")
    assert chat.says("eq.final_decision") and not chat.says("eq.to_confirm")
    await chat.tap("看详细说明")
    assert chat.says("elig.county_applies", county="龙游县", source="龙游县司法局2020年通知")


async def test_in_a_county_that_does_not_apply_them_the_ordinary_rules_are_said(chat):
    await record(chat, County.LONGYOU, CountyStatus.NOT_APPLIED)
    await answer_all(chat)
    await chat.tap("看结果")
    assert chat.says("eq.head.means_no_county", county="龙游县")
    assert chat.says("eq.head.scope_no_county", county="龙游县")
    assert chat.says("eq.head.visit_yes")  # 三 is not left to the county
    await chat.tap("看详细说明")
    assert chat.says("elig.county_not_applied", county="龙游县")


async def test_without_a_county_the_text_is_quoted_and_the_person_asked_to_confirm(chat):
    await answer_all(chat, county="不清楚")
    await chat.tap("看结果")
    your_county = chat.runtime.services.texts("eq.your_county")
    assert chat.says("eq.head.means_to_confirm", county=your_county) and chat.says("eq.to_confirm")
    await chat.tap("看详细说明")
    assert chat.says("elig.county_unconfirmed", county=your_county)


async def test_the_result_is_at_most_six_lines_and_the_details_are_behind_a_button(chat):
    await answer_all(chat, conditions=("城乡特困", "失能", "患重大疾病", "行动不便"))
    await chat.tap("看结果")
    result = chat.last.replies[-1].text
    assert len(result.splitlines()) <= 6
    assert not chat.says("eq.why") and "看详细说明" in chat.labels
    await chat.tap("看详细说明")
    assert chat.says("eq.why") and chat.says("eq.services")


# --- what a person's own words told (Conversation.told) --------------------------------------------


async def start_from_told(chat, told: Told) -> None:
    await chat.send("菜单")
    state = Conversation(told=told)
    await chat.runtime.services.store.save_turn(chat.channel, chat.user_id, state.model_dump_json(), [],
                                                chat.runtime.now())
    await chat.press(Payload("elig", "start", "told").encode())


async def test_what_was_told_is_not_asked_again_and_is_reviewed_before_the_result(chat):
    await start_from_told(chat, Told(asker=Asker.FAMILY, age=83, county=County.JIANGSHAN,
                                     conditions=[Condition.SERIOUS_ILLNESS], matters=["will"]))
    assert chat.says("eq.ask_will", who=chat.runtime.services.texts("eq.who_family"))  # the one thing not told
    await chat.tap("没办过")
    assert chat.says("eq.review") and "83周岁" in chat.text and "江山市" in chat.text
    await chat.tap("看结果")
    assert chat.says("eq.head.will_free") and chat.says("eq.head.visit_yes")


async def test_only_what_is_missing_is_asked(chat):
    await start_from_told(chat, Told(age=72))
    assert chat.says("eq.ask_asker")
    await chat.tap("我本人")
    assert chat.says("eq.ask_county")  # the age was told
