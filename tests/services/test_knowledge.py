"""Editing the knowledge base: a change is validated as `legalaid faq check` validates the files,
kept with who and when, answered by this process's matcher at once and by another process's after
its version check; a change that breaks a rule, or that someone else overtook, is refused."""

from __future__ import annotations

import pytest

from bot import scheduler
from bot.runtime import Runtime
from faq.matcher import Kind
from services import knowledge
from services.actor import PermissionDenied
from services.knowledge import KnowledgeRefused
from tests.auxil.chat import Chat

MISS = "帮老人写材料要钱不"  # today: "您是想问" document_drafting, legal_aid_free …


def answered_by(rt, text: str) -> str | None:
    match = rt.services.matcher.match(text)
    return match.entry.id if match.kind is Kind.ANSWER else None


async def test_a_miss_added_as_a_phrasing_is_answered_outright_at_once(rt, staff):
    assert answered_by(rt, MISS) is None
    assert await knowledge.add_phrasing(rt.services, staff, "document_drafting", MISS, rt.now()) is True
    assert answered_by(rt, MISS) == "document_drafting"
    [revision] = await knowledge.history(rt.services, staff, "document_drafting")
    assert (revision.created_by, revision.note) == (staff.name, rt.services.texts("web.kb.note_from_miss"))
    assert revision.body["phrasings"][-1] == MISS
    chat = Chat(rt)
    await chat.send(MISS)
    assert rt.services.matcher.kb.get("document_drafting").answer.splitlines()[0] in chat.text


async def test_a_phrasing_another_entry_has_is_refused_naming_that_entry(rt, staff):
    taken = rt.services.matcher.kb.get("legal_aid_free").phrasings[0]
    with pytest.raises(KnowledgeRefused) as refused:
        await knowledge.add_phrasing(rt.services, staff, "document_drafting", taken, rt.now())
    assert refused.value.text_id == "web.kb.already_phrasing" and refused.value.fields["entry_id"] == "legal_aid_free"
    assert await rt.services.revisions.version() == 0


async def test_an_edit_that_breaks_validation_is_refused_with_the_validator_s_words(rt, staff):
    with pytest.raises(KnowledgeRefused) as refused:
        await knowledge.save_entry(rt.services, staff, {"id": "document_drafting", "source": "网上看到的"}, "",
                                   rt.now(), based_on=0)
    assert refused.value.text_id == "web.kb.invalid"
    assert "source" in refused.value.fields["detail"] and "衢市司发〔2020〕3号" in refused.value.fields["detail"]
    assert await rt.services.revisions.version() == 0


async def test_an_edit_overtaken_by_another_is_refused(rt, staff):
    entry = rt.services.matcher.kb.get("document_drafting")
    await knowledge.save_entry(rt.services, staff, {"id": entry.id, "answer": entry.answer + "\n第一次改。"}, "",
                               rt.now(), based_on=0)
    with pytest.raises(KnowledgeRefused) as refused:  # a form opened before that save
        await knowledge.save_entry(rt.services, staff, {"id": entry.id, "answer": entry.answer + "\n第二次改。"}, "",
                                   rt.now(), based_on=0)
    assert refused.value.text_id == "web.kb.changed_meanwhile"
    assert "第一次改" in rt.services.matcher.kb.get(entry.id).answer


async def test_a_new_entry_is_answered_and_its_id_cannot_be_taken_twice(rt, staff):
    fields = {"id": "staff_added", "audience": "public", "question": "乡镇法律援助工作站在哪里办公？",
              "phrasings": ["工作站在哪", "乡里的法援站在哪里", "镇上法律援助站地址", "工作站办公地点",
                            "去哪个工作站", "法援工作站的位置"],
              "answer": "请向当地司法所询问，或拨打12348。", "source": "衢市司发〔2020〕3号 三"}
    await knowledge.save_entry(rt.services, staff, fields, "新条目", rt.now(), based_on=None)
    assert answered_by(rt, "乡里的法援站在哪里") == "staff_added"
    with pytest.raises(KnowledgeRefused) as refused:
        await knowledge.save_entry(rt.services, staff, fields, "", rt.now(), based_on=None)
    assert refused.value.text_id == "web.kb.id_taken"


async def test_a_lawyer_cannot_edit(rt, lawyer):
    with pytest.raises(PermissionDenied):
        await knowledge.add_phrasing(rt.services, lawyer, "document_drafting", MISS, rt.now())
    assert await rt.services.revisions.version() == 0


async def test_another_process_answers_the_change_after_its_version_check(rt, staff, clock):
    other = await Runtime.open(rt.settings, clock)  # a second process on the same database
    try:
        before = other.services.matcher
        await knowledge.add_phrasing(rt.services, staff, "document_drafting", MISS, rt.now())
        assert other.services.matcher is before  # nothing read per turn
        await scheduler.tick(other)  # its first check: the version moved
        assert answered_by(other, MISS) == "document_drafting"
        replaced = other.services.matcher
        await scheduler.tick(other)  # within the half minute: not even the version is read again
        assert other.services.matcher is replaced
    finally:
        await other.close()


async def test_a_rebuild_that_fails_keeps_the_matcher_in_use(rt, staff):
    before = rt.services.matcher
    broken = before.kb.get("document_drafting").model_dump(mode="json") | {"related": ["nowhere"]}
    await rt.services.revisions.add("document_drafting", lambda latest: broken, "", "another version", rt.now())
    assert await knowledge.refresh(rt.services, every=0) is False
    assert rt.services.matcher is before and rt.services.edition.failed_at == 1


WAGES = "讨工资能找法律援助吗"  # a phrasing of unpaid_wages, which no other entry lists as related
WAGES_72 = "我今年72岁了包工头欠我工资不给 能不能免费帮我打官司"  # told: its next step is unpaid_wages


def offered(rt, text: str) -> set[str]:
    """Every entry the matcher answers with or suggests for `text`."""
    match = rt.services.matcher.match(text)
    return {c.entry.id for c in match.candidates} | ({match.entry.id} if match.entry else set())


async def test_a_retired_entry_is_no_longer_answered_suggested_or_offered_as_a_next_step(rt, staff):
    assert answered_by(rt, WAGES) == "unpaid_wages"
    revision = await knowledge.retire(rt.services, staff, "unpaid_wages", " 与3号文件无关 ", rt.now())
    assert "unpaid_wages" not in offered(rt, WAGES) and rt.services.matcher.kb.get("unpaid_wages") is None
    assert all("unpaid_wages" not in offered(rt, p) for p in revision.body["phrasings"])
    chat = Chat(rt)
    await chat.send(WAGES_72)
    assert chat.says("told.matters") and "faq:show:unpaid_wages" not in [o.payload for o in chat.options]
    await chat.press("faq:show:unpaid_wages")  # a button sent before it was retired
    assert chat.says("nav.stale_button") and revision.body["answer"].splitlines()[0] not in chat.text
    assert [e.id for e in knowledge.find(rt.services, staff, "工资")] == []
    assert [e.id for e in await knowledge.retired(rt.services, staff)] == ["unpaid_wages"]
    [kept] = await knowledge.history(rt.services, staff, "unpaid_wages")
    assert (kept.retired, kept.note, kept.created_by) == (True, "与3号文件无关", staff.name)
    assert knowledge.as_entry(kept).answer == knowledge.shipped(rt.services, "unpaid_wages")["answer"]


async def test_a_retired_entry_is_restored_as_it_was_by_a_later_save(rt, staff):
    await knowledge.retire(rt.services, staff, "unpaid_wages", "试一下", rt.now())
    await knowledge.restore(rt.services, staff, "unpaid_wages", "", rt.now())
    assert answered_by(rt, WAGES) == "unpaid_wages"
    restored, retired = await knowledge.history(rt.services, staff, "unpaid_wages")
    assert (restored.retired, retired.retired) == (False, True)
    assert restored.note == rt.services.texts("web.kb.note_restored")
    with pytest.raises(KnowledgeRefused) as refused:
        await knowledge.restore(rt.services, staff, "unpaid_wages", "", rt.now())
    assert refused.value.text_id == "web.kb.not_retired"


async def test_retiring_an_entry_others_link_to_is_refused_naming_every_one(rt, staff):
    kb = rt.services.matcher.kb
    linking = [e.id for e in kb.entries if "will_notary_fee" in e.related]
    assert len(linking) > 1
    with pytest.raises(KnowledgeRefused) as refused:
        await knowledge.retire(rt.services, staff, "will_notary_fee", "重复了", rt.now())
    assert refused.value.text_id == "web.kb.retire_linked"
    assert refused.value.fields["entries"].split("、") == linking
    assert await rt.services.revisions.version() == 0 and answered_by(rt, "遗嘱公证要钱吗") == "will_notary_fee"


async def test_retiring_needs_a_reason_and_staff_and_its_id_cannot_be_taken_by_a_new_entry(rt, staff, lawyer):
    with pytest.raises(KnowledgeRefused) as refused:
        await knowledge.retire(rt.services, staff, "unpaid_wages", "  ", rt.now())
    assert refused.value.text_id == "web.kb.reason_required"
    with pytest.raises(PermissionDenied):
        await knowledge.retire(rt.services, lawyer, "unpaid_wages", "律师想停用", rt.now())
    assert await rt.services.revisions.version() == 0
    retired = await knowledge.retire(rt.services, staff, "unpaid_wages", "不用了", rt.now())
    fields = knowledge.as_entry(retired).model_dump(mode="json") | {"question": "新问题？"}
    with pytest.raises(KnowledgeRefused) as refused:
        await knowledge.save_entry(rt.services, staff, fields, "", rt.now(), based_on=None)
    assert refused.value.text_id == "web.kb.id_retired"


async def test_another_process_stops_answering_a_retired_entry_after_its_version_check(rt, staff, clock):
    other = await Runtime.open(rt.settings, clock)
    try:
        await knowledge.retire(rt.services, staff, "unpaid_wages", "不用了", rt.now())
        assert answered_by(other, WAGES) == "unpaid_wages"  # nothing read per turn
        await scheduler.tick(other)
        assert "unpaid_wages" not in offered(other, WAGES)
    finally:
        await other.close()
