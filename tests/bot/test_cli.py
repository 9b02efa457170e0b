"""The `legalaid` command line, run as a person would run it (a real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(60)


def legalaid(*args: str, stdin: str = "", env_extra: dict[str, str] | None = None, data_dir=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LEGALAID_"))}
    if data_dir is not None:
        env["LEGALAID_DATA_DIR"] = str(data_dir)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=50,
    )


def test_console_chat_reads_a_pipe_prints_replies_and_exits_cleanly(tmp_path):
    done = legalaid("chat", stdin="/start\n1\n", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1. 问政策" in done.stdout and "请直接打字问您的问题" in done.stdout


def test_run_without_a_token_starts_the_console(tmp_path):
    done = legalaid("run", stdin="拨打12348\n", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "24小时" in done.stdout


def test_ask_json_prints_exactly_one_object_with_the_documented_keys():
    done = legalaid("ask", "我爸八十二岁了，做遗嘱公证要钱吗", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"kind", "faq_id", "score", "text", "suggestions"}
    assert result["kind"] == "answer" and result["faq_id"] == "will_notary_fee"
    assert "80周岁及以上" in result["text"]


def test_ask_out_of_scope_falls_back_with_12348():
    result = json.loads(legalaid("ask", "明天衢州下雨吗", "--json").stdout)
    assert result["kind"] == "fallback" and result["faq_id"] is None
    assert "12348" in result["text"]


def test_ask_lawyer_questions_are_answered_by_default():
    result = json.loads(legalaid("ask", "节假日在线解答咨询能加几分", "--json").stdout)
    assert result["faq_id"] == "pts_online_nonworkday"


def test_check_json_for_a_father_of_82_with_mobility_problems():
    done = legalaid("check", "--age", "82", "--condition", "mobility", "--json")
    result = json.loads(done.stdout)
    assert result["home_visit"] and result["will_notary_fee"] == "free"
    # 3号 二 leaves the waiver to 有条件的县(市、区): without a recorded county it is to be confirmed.
    assert result["means_test_exempt"] == "to_confirm" and result["county_status"] == "unconfirmed"
    assert all({"text", "source"} <= set(r) for r in result["reasons"])
    assert len(result["summary"]) <= 6


def test_check_by_birth_date_counts_whole_years_on_the_given_day():
    day_before = json.loads(legalaid("check", "--birth-date", "1946-12-01", "--on", "2026-11-30", "--json").stdout)
    birthday = json.loads(legalaid("check", "--birth-date", "1946-12-01", "--on", "2026-12-01", "--json").stdout)
    assert (day_before["age"], day_before["will_notary_fee"]) == (79, "half")
    assert (birthday["age"], birthday["will_notary_fee"]) == (80, "free")


def test_counties_set_by_staff_decides_what_check_says_for_that_county(tmp_path):
    assert legalaid("counties", "list", data_dir=tmp_path).stdout.count("未确认") == 6
    done = legalaid("counties", "set", "--county", "常山县", "--status", "not_applied", "--since", "2020-01-01",
                    "--source", "常山县司法局答复", "--by", "王", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "常山县  未实行（2020-01-01起）  常山县司法局答复" in legalaid("counties", "list", data_dir=tmp_path).stdout
    result = json.loads(legalaid("check", "--age", "75", "--county", "常山县", "--json", data_dir=tmp_path).stdout)
    assert (result["means_test_exempt"], result["scope_unrestricted"]) == ("no", "no")
    legalaid("counties", "set", "--county", "常山县", "--status", "applies", "--source", "通知", "--by", "王",
             data_dir=tmp_path)
    result = json.loads(legalaid("check", "--age", "75", "--county", "常山县", "--json", data_dir=tmp_path).stdout)
    assert (result["means_test_exempt"], result["scope_unrestricted"]) == ("yes", "yes")


def test_the_scope_setting_is_gone_from_the_configuration():
    done = legalaid("check", "--age", "75", "--county", "常山县", "--json",
                    env_extra={"LEGALAID_SCOPE_OFF_COUNTIES": "常山县"})
    assert json.loads(done.stdout)["scope_unrestricted"] == "to_confirm"


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--age", "131"),
        ("check", "--age", "-1"),
        ("check", "--age", "abc"),
        ("check",),
        ("check", "--age", "70", "--birth-date", "1950-01-01"),
        ("check", "--birth-date", "2099-01-01"),
        ("check", "--birth-date", "1950-13-01"),
        ("check", "--age", "75", "--county", "杭州"),
        ("check", "--age", "75", "--condition", "tired"),
        ("check", "--on", "2026-01-01", "--age", "70"),
        ("check", "--age", "70", "--surprise"),
        ("counties", "set", "--county", "开化县", "--status", "maybe", "--source", "x", "--by", "王"),
        ("counties", "set", "--county", "开化县", "--status", "applies", "--source", " ", "--by", "王"),
        ("counties", "set", "--county", "开化县", "--status", "applies", "--by", "王"),
    ],
)
def test_bad_check_and_counties_arguments_exit_2_with_one_clear_line(args, tmp_path):
    done = legalaid(*args, data_dir=tmp_path)
    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1


def test_invalid_configuration_names_the_variable_and_exits_2():
    done = legalaid("faq", "check", env_extra={"LEGALAID_TZ": "Mars/Olympus"})
    assert done.returncode == 2
    assert "LEGALAID_TZ" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_faq_check_validates_the_knowledge_base():
    done = legalaid("faq", "check")
    assert done.returncode == 0 and done.stdout.startswith("ok: ")


def test_faq_check_reports_a_broken_file(tmp_path):
    (tmp_path / "bad.yaml").write_text("- id: x\n  audience: public\n", encoding="utf-8")
    done = legalaid("faq", "check", env_extra={"LEGALAID_FAQ_DIR": str(tmp_path)})
    assert done.returncode == 1 and "bad.yaml" in done.stderr and "entry x" in done.stderr


def test_misses_lists_what_the_console_could_not_answer(tmp_path):
    legalaid("chat", stdin="明天天气怎么样\n明天天气怎么样\n", data_dir=tmp_path)
    done = legalaid("faq", "misses", data_dir=tmp_path)
    assert "明天天气怎么样" in done.stdout and done.stdout.split()[0] == "2"


def test_db_migrate_and_backup(tmp_path):
    assert legalaid("db", "migrate", data_dir=tmp_path).returncode == 0
    done = legalaid("db", "backup", str(tmp_path / "copy.sqlite3"), data_dir=tmp_path)
    assert done.returncode == 0 and (tmp_path / "copy.sqlite3").exists()


def test_health_is_ok_on_a_sound_database_and_fails_without_one(tmp_path):
    assert legalaid("health", data_dir=tmp_path).returncode == 1  # nothing created yet
    legalaid("db", "migrate", data_dir=tmp_path)
    done = legalaid("health", data_dir=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "healthy"


@pytest.mark.parametrize(
    "args",
    [
        ("points", "add", "--lawyer", "1", "--item", "nonexistent", "--on", "2026-11-02", "--by", "王"),
        ("points", "add", "--lawyer", "x", "--item", "case", "--on", "2026-11-02", "--by", "王"),
        ("points", "add", "--lawyer", "1", "--item", "case", "--on", "2026-13-02", "--by", "王"),
        ("points", "add", "--lawyer", "1", "--item", "case", "--on", "2020-01-19", "--by", "王"),
        ("points", "report", "--year", "2026", "--quarter", "5"),
    ],
)
def test_bad_points_arguments_exit_2_with_one_clear_line(args, tmp_path):
    legalaid("lawyers", "add", "--name", "王律师", "--firm", "某所", data_dir=tmp_path)
    done = legalaid(*args, data_dir=tmp_path)
    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("points", "report", "--year", "2026", "--format", "xlsx"),
        ("bookings", "export", "--from", "2026-11-01", "--to", "2026-11-30"),
    ],
)
def test_exports_are_written_readable_by_their_owner_only(args, tmp_path):
    # An export holds names, phones and addresses; a file already there at 0644 is narrowed too.
    fresh, existing = tmp_path / "fresh.out", tmp_path / "existing.out"
    existing.write_bytes(b"old")
    existing.chmod(0o644)
    for target in (fresh, existing):
        done = legalaid(*args, "--output", str(target), data_dir=tmp_path / "data")
        assert done.returncode == 0, done.stderr
        assert target.stat().st_mode & 0o777 == 0o600
        assert target.read_bytes() != b"old"


def test_an_export_refuses_to_follow_a_link(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "link.csv").symlink_to(victim)
    done = legalaid("points", "report", "--year", "2026", "--output", str(tmp_path / "link.csv"),
                    data_dir=tmp_path / "data")
    assert done.returncode != 0 and victim.read_text() == "keep"
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_db_purge_applies_the_retention_periods_and_says_what_it_did(tmp_path):
    import sqlite3

    assert legalaid("chat", stdin="查资格\n", data_dir=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "legalaid.sqlite3") as conn:  # as if nobody came back for a year
        conn.execute("UPDATE conversations SET updated_at = '2025-01-01T00:00:00+00:00'")
    done = legalaid("db", "purge", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("purged: 0 visits, 0 questions, 1 conversations")
    with sqlite3.connect(tmp_path / "legalaid.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM conversations").fetchone() == (0,)
