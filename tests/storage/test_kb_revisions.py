"""Knowledge-base revisions: the newest of each entry, the history newest first, a version that
moves with every save, and nothing saved when the save's own check refuses."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from storage.kb_revisions import RETIRED, RevisionStore

AT = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def body(entry_id: str, answer: str) -> dict:
    return {"id": entry_id, "answer": answer}


async def test_the_newest_revision_of_each_entry_and_its_history(db):
    store = RevisionStore(db)
    assert await store.version() == 0 and await store.latest() == []
    seen = []
    for entry_id, answer in [("a", "一"), ("b", "二"), ("a", "三")]:
        saved = await store.add(entry_id, lambda latest, a=answer, e=entry_id: seen.append(latest) or body(e, a),
                                " 为什么 ", "web:admin", AT)
    assert [r.id for r in seen[2]] == [1, 2]  # the check sees what is saved so far
    assert saved.id == 3 and await store.version() == 3
    assert [(r.entry_id, r.body["answer"]) for r in await store.latest()] == [("b", "二"), ("a", "三")]
    history = await store.history("a")
    assert [(r.id, r.body["answer"], r.note, r.created_by) for r in history] == [(3, "三", "为什么", "web:admin"),
                                                                                (1, "一", "为什么", "web:admin")]
    assert history[0].created_at == AT


async def test_a_refused_save_leaves_nothing(db):
    store = RevisionStore(db)

    def refuse(latest):
        raise ValueError("does not validate")

    with pytest.raises(ValueError):
        await store.add("a", refuse, "", "web:admin", AT)
    assert await store.version() == 0 and await store.history("a") == []


async def test_a_retirement_is_a_revision_kept_in_the_history_and_a_later_save_undoes_it(db):
    store = RevisionStore(db)
    await store.add("a", lambda latest: body("a", "一"), "", "web:admin", AT)
    await store.add("a", lambda latest: body("a", "一") | {RETIRED: True}, "不再适用", "web:li", AT)
    [newest] = await store.latest()
    assert (newest.retired, newest.note, newest.created_by, newest.body["answer"]) == (True, "不再适用", "web:li", "一")
    await store.add("a", lambda latest: body("a", "一"), "恢复使用", "web:admin", AT)
    assert [(r.retired, r.note) for r in await store.history("a")] == [(False, "恢复使用"), (True, "不再适用"),
                                                                      (False, "")]
    assert not (await store.latest())[0].retired and await store.version() == 3
