"""`legalaid` loads only what the command given needs: help and `ask` start without the channels."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot import cli

CHANNELS = ("aiohttp", "telegram", "bot.channels", "bot.web")


def loaded_after(code: str) -> set[str]:
    """The top-level packages and our modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def channel_modules(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith(CHANNELS))


def test_building_the_parser_imports_no_channel():
    modules = loaded_after("from bot import cli\ncli._parser()")
    assert channel_modules(modules) == []
    assert "bot.channels.wechat" not in modules and "bot.staff_cli" not in modules


def test_help_imports_no_channel():
    code = "import contextlib, io\nfrom bot import cli\nwith contextlib.redirect_stdout(io.StringIO()):\n" \
           "    try:\n        cli.main(['--help'])\n    except SystemExit:\n        pass"
    assert channel_modules(loaded_after(code)) == []


def test_ask_answers_without_a_channel_or_the_web_console():
    code = "import contextlib, io\nfrom bot import cli\nout = io.StringIO()\n" \
           "with contextlib.redirect_stdout(out):\n    cli.main(['ask', '遗嘱公证要钱吗'])\nassert '免收' in out.getvalue()"
    modules = loaded_after(code)
    assert "bot.ask" in modules
    assert channel_modules(modules) == []


def test_a_cold_ask_without_a_database_loads_no_storage_and_no_numeral_or_pinyin_library(tmp_path, monkeypatch):
    """What keeps a cold `legalaid ask` short: storage only when there is a database to read,
    faq/numerals.py rather than cn2an, pypinyin's data file rather than the package."""
    monkeypatch.setenv("LEGALAID_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LEGALAID_DATABASE_URL", raising=False)
    code = "import contextlib, io\nfrom bot import cli\nout = io.StringIO()\n" \
           "with contextlib.redirect_stdout(out):\n    cli.main(['ask', '八十二岁的老人打官司要钱吗'])\nassert out.getvalue()"
    packages = {m.split(".")[0] for m in loaded_after(code)}
    assert "faq" in packages
    assert not packages & {"storage", "services", "cn2an", "proces", "pypinyin"}


def test_a_command_s_own_module_adds_its_real_arguments():
    wechat = loaded_after("from bot import cli\ncli._parser('wechat').parse_args(['wechat', '--port', '9'])")
    assert "bot.channels.wechat" in wechat and "bot.staff_cli" not in wechat


def help_lines(parser) -> dict[str, str]:
    subparsers = next(a for a in parser._actions if a.dest == "command")
    return {action.dest: action.help for action in subparsers._choices_actions}


@pytest.mark.parametrize("command", sorted(cli.ELSEWHERE))
def test_the_help_line_without_the_module_is_the_module_s_own(command):
    """`legalaid --help` shows cli.ELSEWHERE's line; it must say what the command's own parser says."""
    assert help_lines(cli._parser())[command] == help_lines(cli._parser(command))[command]


@pytest.mark.parametrize("command", sorted(cli.ELSEWHERE))
def test_a_command_is_parsed_by_its_own_module_in_the_order_of_help(command):
    placeholders, real = cli._parser(), cli._parser(command)
    subparsers = next(a for a in real._actions if a.dest == "command")
    assert len(subparsers.choices[command]._actions) > 1, "more than --help: the module's own arguments"
    assert list(help_lines(real)) == list(help_lines(placeholders))
