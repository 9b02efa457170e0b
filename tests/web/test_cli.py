"""`legalaid users` and `legalaid web`, run as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.bot.test_cli import legalaid

# Real processes, each importing the whole bot: slow on a busy machine.
pytestmark = pytest.mark.timeout(180)


def test_the_first_account_is_created_from_the_command_line(tmp_path):
    done = legalaid("users", "add", "--name", "admin", "--role", "staff", "--password-stdin",
                    stdin="a-long-password\n", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "a-long-password" not in done.stdout + done.stderr
    assert legalaid("users", "disable", "admin", data_dir=tmp_path).returncode == 0
    assert legalaid("users", "list", data_dir=tmp_path).stdout.split() == ["admin", "staff", "disabled"]
    assert legalaid("users", "reset-password", "admin", stdin="another-password\n", data_dir=tmp_path).returncode == 0
    lifted = legalaid("users", "lift", "--all", data_dir=tmp_path)
    assert (lifted.returncode, lifted.stdout.strip()) == (0, "lifted: 0 failed sign-ins")
    assert legalaid("users", "lift", data_dir=tmp_path).returncode == 2  # a name or --all


@pytest.mark.parametrize(("args", "stdin", "says"), [
    (("--name", "x", "--role", "staff"), "short\n", "at least 10"),
    (("--name", "x", "--role", "lawyer"), "a-long-password\n", "--lawyer"),
    (("--name", "x", "--role", "lawyer", "--lawyer", "9"), "a-long-password\n", "no lawyer 9"),
    (("--name", "x", "--role", "boss"), "a-long-password\n", "invalid choice"),
])
def test_a_bad_account_is_refused_in_one_line_with_exit_2(tmp_path, args, stdin, says):
    done = legalaid("users", "add", *args, "--password-stdin", stdin=stdin, data_dir=tmp_path)
    assert done.returncode == 2 and says in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_legalaid_web_serves_the_sign_in_page(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env_cmd = [sys.executable, "-m", "bot.cli", "web", "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LEGALAID_"))}
    env["LEGALAID_DATA_DIR"] = str(tmp_path)
    server = subprocess.Popen(env_cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as page:
                    assert page.status == 200 and "csrf" in page.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the console did not start")
    finally:
        server.terminate()
        server.wait(timeout=20)
