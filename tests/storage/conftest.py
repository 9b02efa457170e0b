"""Every storage test runs on SQLite and on PostgreSQL (skipped, saying why, without its binaries)."""

from __future__ import annotations

import pytest

from storage.db import opened


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
async def db(database_url):
    async with opened(database_url) as database:
        yield database
