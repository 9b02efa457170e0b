"""`legalaid ask` and `legalaid health` see the knowledge base in use: the files with the edits staff
saved in the configured database (SQLite and PostgreSQL); `--files-only` the files alone."""

from __future__ import annotations

import json

import pytest

from bot.runtime import Runtime
from services import knowledge
from services.actor import Actor
from tests.bot.test_cli import legalaid

pytestmark = pytest.mark.timeout(120)
ADDED = "遗嘱公证的具体收费，可以到公证处窗口问。"
STAFF = Actor.staff("web:admin")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


def env_of(settings) -> dict[str, str]:
    env = {"LEGALAID_DATA_DIR": str(settings.data_dir)}
    if settings.database_url is not None:
        env["LEGALAID_DATABASE_URL"] = settings.database_url.get_secret_value()
    return env


def ask(settings, *extra: str) -> dict:
    done = legalaid("ask", "遗嘱公证要钱吗", "--json", *extra, env_extra=env_of(settings))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_ask_answers_with_the_staff_edit_and_files_only_without_it(settings, clock):
    runtime = await Runtime.open(settings, clock)
    try:
        entry = runtime.services.matcher.kb.get("will_notary_fee")
        await knowledge.save_entry(runtime.services, STAFF, {"id": entry.id, "answer": f"{entry.answer}\n{ADDED}"},
                                   "补一句", runtime.now(), based_on=0)
    finally:
        await runtime.close()
    edited = ask(settings)
    assert edited["faq_id"] == "will_notary_fee" and ADDED in edited["text"]
    files = ask(settings, "--files-only")
    assert files["faq_id"] == "will_notary_fee" and ADDED not in files["text"]


async def test_ask_no_longer_answers_with_a_retired_entry(settings, clock):
    runtime = await Runtime.open(settings, clock)
    try:
        await knowledge.retire(runtime.services, STAFF, "unpaid_wages", "不用了", runtime.now())
    finally:
        await runtime.close()
    done = legalaid("ask", "讨工资能找法律援助吗", "--json", env_extra=env_of(settings))
    assert json.loads(done.stdout)["faq_id"] != "unpaid_wages"
    done = legalaid("ask", "讨工资能找法律援助吗", "--json", "--files-only", env_extra=env_of(settings))
    assert json.loads(done.stdout)["faq_id"] == "unpaid_wages"


async def test_health_fails_naming_a_staff_edit_that_no_longer_fits_the_files(settings, clock):
    runtime = await Runtime.open(settings, clock)
    try:
        broken = runtime.services.matcher.kb.get("document_drafting").model_dump(mode="json") | {"related": ["nowhere"]}
        await runtime.services.revisions.add("document_drafting", lambda latest: broken, "", "another version",
                                             runtime.now())
    finally:
        await runtime.close()
    done = legalaid("health", env_extra=env_of(settings))
    assert done.returncode == 1 and "document_drafting" in done.stderr and "nowhere" in done.stderr
    done = legalaid("health", "--files-only", env_extra=env_of(settings))
    assert done.returncode == 0 and done.stdout.strip() == "healthy"


def test_ask_without_a_database_answers_from_the_files_and_creates_nothing(tmp_path):
    done = legalaid("ask", "遗嘱公证要钱吗", "--json", data_dir=tmp_path / "none")
    assert json.loads(done.stdout)["faq_id"] == "will_notary_fee" and not (tmp_path / "none").exists()
