"""`legalaid bench booking`: the race across processes, through its command line."""

from __future__ import annotations

import json

import pytest

from bench import booking_race


@pytest.mark.timeout(300)
def test_two_processes_book_exactly_the_places_there_are(tmp_path, capsys):
    db = tmp_path / "race.sqlite3"
    assert booking_race.main(["--users", "30", "--seats", "10", "--processes", "2", "--db", str(db), "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert (result["created"], result["in_database"], result["full"], result["errors"]) == (10, 10, 20, 0)


def test_a_database_that_exists_is_refused_not_written_into(tmp_path, capsys):
    db = tmp_path / "real.sqlite3"
    db.write_bytes(b"")
    with pytest.raises(SystemExit) as exit_:
        booking_race.main(["--db", str(db), "--processes", "2"])
    assert exit_.value.code == 2
    assert "exists" in capsys.readouterr().err
    assert db.read_bytes() == b""


def test_a_postgresql_url_opens_the_postgresql_backend_and_an_unknown_one_is_refused():
    assert booking_race.open_database("postgresql://localhost/legalaid").kind == "postgresql"
    assert booking_race.open_database("/tmp/race.sqlite3").kind == "sqlite"
    with pytest.raises(ValueError, match="sqlite:/// or postgresql://"):
        booking_race.open_database("mysql://localhost/legalaid")
