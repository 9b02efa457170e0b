"""`legalaid faq check` and `legalaid faq export` read the staff edits saved in the database."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from faq.kb import load_kb
from storage.db import opened
from storage.kb_revisions import RETIRED, RevisionStore
from tests.bot.test_cli import legalaid

pytestmark = pytest.mark.timeout(120)
AT = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
MISS = "帮老人写材料要钱不"


async def revise(data_dir, entry_id="document_drafting", **changes) -> None:
    body = load_kb().get(entry_id).model_dump(mode="json") | changes
    async with opened(f"sqlite:///{data_dir / 'legalaid.sqlite3'}") as db:
        await RevisionStore(db).add(entry_id, lambda latest: body, "", "web:admin", AT)


async def test_check_and_export_include_the_staff_edits(tmp_path):
    drafting = load_kb().get("document_drafting")
    await revise(tmp_path, phrasings=[*drafting.phrasings, MISS])
    done = legalaid("faq", "check", data_dir=tmp_path)
    assert done.returncode == 0 and "1 staff revisions" in done.stdout, done.stderr
    done = legalaid("faq", "export", str(tmp_path / "out"), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    exported = load_kb(tmp_path / "out")
    assert exported.get("document_drafting").phrasings[-1] == MISS
    assert {k: v for k, v in exported.by_id.items() if k != "document_drafting"} == {
        k: v for k, v in load_kb().by_id.items() if k != "document_drafting"}


async def test_export_leaves_a_retired_entry_out(tmp_path):
    await revise(tmp_path, "unpaid_wages", **{RETIRED: True})
    done = legalaid("faq", "export", str(tmp_path / "out"), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    exported = load_kb(tmp_path / "out")
    assert "unpaid_wages" not in exported.by_id and "id: unpaid_wages" not in (tmp_path / "out" / "public.yaml").read_text()
    assert exported.by_id == {k: v for k, v in load_kb().by_id.items() if k != "unpaid_wages"}


async def test_check_names_a_revision_that_no_longer_validates(tmp_path):
    await revise(tmp_path, related=["nowhere"], source="网上看到的")
    done = legalaid("faq", "check", data_dir=tmp_path)
    assert done.returncode == 1 and "revision 1" in done.stderr and "source" in done.stderr


def test_check_without_a_database_checks_the_files_and_creates_nothing(tmp_path):
    done = legalaid("faq", "check", data_dir=tmp_path / "none")
    assert done.returncode == 0 and done.stdout.startswith("ok: ") and not (tmp_path / "none").exists()
