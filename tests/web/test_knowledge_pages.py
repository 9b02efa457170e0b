"""知识库 through the console: a miss added as a phrasing in one click, entries found, edited and added
(a refused save keeps what was typed), each entry's history, and the county status table."""

from __future__ import annotations

import asyncio
import html

import pytest
from aiohttp.test_utils import TestServer

from bot.web.app import create_app
from policy.county_status import County, CountyStatus
from services import knowledge
from services.actor import Actor
from services.context import Services
from storage.db import opened
from tests.auxil.chat import Chat

MISS = "帮老人写材料要钱不"


async def missed(rt, text: str = MISS) -> None:
    await Chat(rt, user_id="elder-3").send(text)
    assert [m.question for m in await rt.services.store.misses()] == [text]


def page(console) -> str:
    return html.unescape(console.last)


async def test_each_miss_offers_the_matcher_s_first_three_entries_and_one_adds_it_as_a_phrasing(rt, staff):
    t = rt.services.texts
    await missed(rt)
    await staff.get("/knowledge")
    candidates = [c.entry for c in rt.services.matcher.match(MISS).candidates]
    assert len(candidates) == 3
    for entry in candidates:
        assert f'data-entry="{entry.id}"' in staff.last and entry.question in page(staff)
    assert page(staff).count(t("web.kb.add_phrasing")) == 3
    response = await staff.post("/knowledge/phrasing", {"question": MISS, "entry": "document_drafting", "days": "30"})
    assert response.status == 303 and response.headers["Location"] == "/knowledge?days=30&result=added"
    await staff.get(response.headers["Location"])
    assert t("web.kb.phrasing_added") in page(staff)
    chat = Chat(rt, user_id="elder-4")
    await chat.send(MISS)
    assert rt.services.matcher.kb.get("document_drafting").answer.splitlines()[0] in chat.text


async def test_a_miss_that_is_already_another_entry_s_phrasing_is_politely_refused(rt, staff):
    taken = rt.services.matcher.kb.get("legal_aid_free")
    await staff.get("/knowledge")
    response = await staff.post("/knowledge/phrasing", {"question": taken.phrasings[0], "entry": "document_drafting"})
    assert response.status == 400
    assert rt.services.texts("web.kb.already_phrasing", entry_id=taken.id, question=taken.question) in page(staff)
    assert await rt.services.revisions.version() == 0


async def test_entries_are_found_by_any_of_their_words(rt, staff):
    await staff.get("/knowledge/entries?q=遗嘱")
    found = page(staff)
    assert rt.services.matcher.kb.get("will_notary_fee").question in found
    assert rt.services.matcher.kb.get("document_drafting").question not in found


def edit_form(entry, **changes) -> dict:
    form = {"question": entry.question, "phrasings": "\n".join(entry.phrasings), "answer": entry.answer,
            "source": entry.source, "keywords": "\n".join(entry.keywords), "related": " ".join(entry.related),
            "note": "", "based_on": "0"}
    form |= {f"button_{b}": "1" for b in entry.buttons}
    return form | changes


async def test_an_edit_is_answered_at_once_and_kept_in_the_history_with_who_when_and_what(rt, staff):
    t = rt.services.texts
    entry = rt.services.matcher.kb.get("document_drafting")
    await staff.get(f"/knowledge/entries/{entry.id}")
    assert t("web.kb.source_rule") in page(staff) and t("web.kb.no_history") in page(staff)
    form = edit_form(entry, phrasings="\n".join([*entry.phrasings[1:], MISS]), answer=entry.answer + "\n可以先打12348问一问。",
                     note="补充问法")
    response = await staff.post(f"/knowledge/entries/{entry.id}", form)
    assert response.status == 303
    await staff.get(response.headers["Location"])
    shown = page(staff)
    assert t("web.kb.saved") in shown and "web:admin" in shown and "补充问法" in shown
    assert f"+ {MISS}" in shown and f"− {entry.phrasings[0]}" in shown and "+ 可以先打12348问一问。" in shown
    assert rt.services.matcher.match(MISS).entry.id == entry.id


async def test_an_edit_that_breaks_validation_is_refused_and_the_form_keeps_what_was_typed(rt, staff):
    entry = rt.services.matcher.kb.get("document_drafting")
    await staff.get(f"/knowledge/entries/{entry.id}")
    typed = entry.answer + "\n这是刚打的一句。"
    response = await staff.post(f"/knowledge/entries/{entry.id}", edit_form(entry, answer=typed, source="网上看到的"))
    assert response.status == 400
    shown = page(staff)
    assert rt.services.texts("web.kb.invalid", detail="")[:8] in shown and "must cite" in shown
    assert "这是刚打的一句。" in shown and 'value="网上看到的"' in html.unescape(staff.last)
    assert await rt.services.revisions.version() == 0


NEW_ENTRY = {"id": "station_office", "audience": "public", "question": "乡镇法律援助工作站在哪里办公？",
             "phrasings": "工作站在哪\n乡里的法援站在哪里\n镇上法律援助站地址\n工作站办公地点\n去哪个工作站\n法援工作站的位置",
             "answer": "请向当地司法所询问，或拨打12348。", "source": "衢市司发〔2020〕3号 三", "button_call_12348": "1"}


async def test_staff_add_an_entry_and_the_same_id_is_refused(rt, staff):
    await staff.get("/knowledge/new")
    form = NEW_ENTRY
    response = await staff.post("/knowledge/new", form)
    assert response.status == 303 and response.headers["Location"] == "/knowledge/entries/station_office?result=added"
    assert rt.services.matcher.kb.get("station_office").buttons == ["call_12348"]
    await staff.get("/knowledge/new")
    response = await staff.post("/knowledge/new", form)
    assert response.status == 400
    assert rt.services.texts("web.kb.id_taken", entry_id="station_office") in page(staff)


async def test_the_county_table_shows_and_records_each_county_with_who_and_when(rt, staff):
    t = rt.services.texts
    await staff.get("/knowledge/counties")
    assert page(staff).count(t("counties.unconfirmed")) >= len(County)
    response = await staff.post("/knowledge/counties", {"county": "开化县", "status": "applies", "since": "2020-03-01",
                                                        "source": "开化县司法局2020年通知"})
    assert response.status == 303
    measures = await rt.services.counties.get(County.KAIHUA)
    assert (measures.status, measures.source) == (CountyStatus.APPLIES, "开化县司法局2020年通知")
    await staff.get(response.headers["Location"])
    shown = page(staff)
    assert t("web.kb.county_saved", county="开化县") in shown and "web:admin" in shown and "2020-03-01" in shown
    response = await staff.post("/knowledge/counties", {"county": "龙游县", "status": "applies", "source": ""})
    assert response.status == 400 and (await rt.services.counties.get(County.LONGYOU)).status is CountyStatus.UNCONFIRMED


async def test_a_lawyer_cannot_edit_the_knowledge_base(rt, lawyer):
    entry = rt.services.matcher.kb.get("document_drafting")
    for path, form in [("/knowledge/phrasing", {"question": MISS, "entry": entry.id}),
                       (f"/knowledge/entries/{entry.id}", edit_form(entry, answer="律师改的")),
                       ("/knowledge/counties", {"county": "开化县", "status": "applies", "source": "x"})]:
        assert (await lawyer.post(path, form)).status == 403
    assert await rt.services.revisions.version() == 0
    assert (await rt.services.counties.get(County.KAIHUA)).status is CountyStatus.UNCONFIRMED


WAGES = "讨工资能找法律援助吗"  # a phrasing of unpaid_wages, which no other entry lists as related


async def test_staff_retire_an_entry_after_a_confirm_step_with_a_reason_and_restore_it(rt, staff):
    t, entry = rt.services.texts, rt.services.matcher.kb.get("unpaid_wages")
    await staff.get(f"/knowledge/entries/{entry.id}")
    assert f'action="/knowledge/entries/{entry.id}/retire"' in staff.last and t("web.kb.retire") in page(staff)
    assert 'method="get"' in staff.last.split(f'action="/knowledge/entries/{entry.id}/retire"')[0][-40:]  # one click: a page
    await staff.get(f"/knowledge/entries/{entry.id}/retire")
    assert t("web.kb.retire_explain") in page(staff) and t("web.kb.retire_confirm") in page(staff)
    assert rt.services.matcher.match(WAGES).entry.id == entry.id  # opening the confirm page changes nothing
    response = await staff.post(f"/knowledge/entries/{entry.id}/retire", {"reason": " "})
    assert response.status == 400 and t("web.kb.reason_required") in page(staff)
    response = await staff.post(f"/knowledge/entries/{entry.id}/retire", {"reason": "不属于老年人法律援助"})
    assert response.status == 303 and response.headers["Location"] == f"/knowledge/entries/{entry.id}?result=retired"
    assert rt.services.matcher.kb.get(entry.id) is None
    chat = Chat(rt, user_id="elder-5")
    await chat.send(WAGES)
    assert entry.answer.splitlines()[0] not in chat.text and entry.question not in chat.labels
    await staff.get(response.headers["Location"])
    shown = page(staff)
    assert t("web.kb.retired") in shown and t("web.kb.retired_banner") in shown and t("web.kb.restore") in shown
    assert t("web.kb.history_retired") in shown and "不属于老年人法律援助" in shown and "web:admin" in shown
    assert t("web.kb.save") not in shown  # no editing a retired entry: restore it first
    await staff.get("/knowledge/entries")
    assert t("web.kb.retired_title") in page(staff) and f'href="/knowledge/entries/{entry.id}"' in staff.last
    await staff.get(f"/knowledge/entries/{entry.id}")
    response = await staff.post(f"/knowledge/entries/{entry.id}/restore", {"note": "还是有人问"})
    assert response.status == 303 and response.headers["Location"] == f"/knowledge/entries/{entry.id}?result=restored"
    assert rt.services.matcher.match(WAGES).entry.id == entry.id
    await staff.get(response.headers["Location"])
    assert t("web.kb.history_restored") in page(staff) and "还是有人问" in page(staff)


async def test_retiring_an_entry_others_link_to_is_refused_naming_them(rt, staff):
    t, kb = rt.services.texts, rt.services.matcher.kb
    linking = [e for e in kb.entries if "will_notary_fee" in e.related]
    await staff.get("/knowledge/entries/will_notary_fee/retire")
    assert t("web.kb.pointing") in page(staff) and all(e.question in page(staff) for e in linking)
    response = await staff.post("/knowledge/entries/will_notary_fee/retire", {"reason": "重复"})
    assert response.status == 400
    assert t("web.kb.retire_linked", entry_id="will_notary_fee", entries="、".join(e.id for e in linking)) in page(staff)
    assert await rt.services.revisions.version() == 0


async def test_a_lawyer_can_neither_retire_nor_restore(rt, lawyer, staff):
    assert (await lawyer.get("/knowledge/entries/unpaid_wages/retire")).status == 403
    assert (await lawyer.post("/knowledge/entries/unpaid_wages/retire", {"reason": "律师"})).status == 403
    assert await rt.services.revisions.version() == 0
    await staff.get("/knowledge/entries/unpaid_wages/retire")
    await staff.post("/knowledge/entries/unpaid_wages/retire", {"reason": "不用了"})
    assert (await lawyer.post("/knowledge/entries/unpaid_wages/restore", {})).status == 403
    assert rt.services.matcher.kb.get("unpaid_wages") is None


def valid_forms(rt) -> dict[str, dict]:
    """A form for each knowledge POST that saves a change when it carries its token."""
    entry = rt.services.matcher.kb.get("document_drafting")
    return {
        "/knowledge/phrasing": {"question": MISS, "entry": entry.id},
        f"/knowledge/entries/{entry.id}": edit_form(entry, answer=entry.answer + "\n补一句。"),
        "/knowledge/new": NEW_ENTRY,
        "/knowledge/counties": {"county": "开化县", "status": "applies", "source": "开化县司法局2020年通知"},
        "/knowledge/entries/unpaid_wages/retire": {"reason": "不用了"},
    }


@pytest.mark.parametrize("path", ["/knowledge/phrasing", "/knowledge/entries/document_drafting", "/knowledge/new",
                                  "/knowledge/counties", "/knowledge/entries/unpaid_wages/retire"])
async def test_every_knowledge_form_needs_its_token(rt, staff, path):
    form = valid_forms(rt)[path]
    assert (await staff.post(path, form, csrf=False)).status == 403
    assert await rt.services.revisions.version() == 0
    assert (await rt.services.counties.get(County.KAIHUA)).status is CountyStatus.UNCONFIRMED
    assert (await staff.post(path, form)).status == 303  # the same form with its token is saved


async def test_the_console_on_its_own_builds_its_matcher_and_follows_the_bot_s_edits(rt, settings, monkeypatch):
    """`legalaid web` apart from the bot: its own matcher at start-up, and another process's edit in
    it after the next check, with no request needed."""
    monkeypatch.setattr(knowledge, "CHECK_SECONDS", 0.05)
    async with opened(settings.database) as db:
        alone = Services.over(db, settings, rt.services.clock)
        server = TestServer(create_app(alone), host="127.0.0.1")
        await server.start_server()
        try:
            assert alone.matcher is not None and alone.edition.version == 0
            await knowledge.add_phrasing(rt.services, Actor.staff("web:admin"), "document_drafting", MISS, rt.now())
            for _ in range(400):  # a shared machine may be slow: up to 20 s
                if alone.edition.version == 1:
                    break
                await asyncio.sleep(0.05)
            assert alone.matcher.match(MISS).entry.id == "document_drafting"
        finally:
            await server.close()

