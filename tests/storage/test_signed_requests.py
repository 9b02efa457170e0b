"""WeChat plain mode: a signed request is bound to the first body it came with, in the database."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from storage.store import Store

AT = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)


def sha(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


async def test_a_signed_request_takes_its_first_body_again_and_no_other(db):
    store = Store(db)
    key = "3f1c…:1732762800:n1"
    assert await store.bind_signed_body(key, sha("<xml>问</xml>"), AT)
    assert await store.bind_signed_body(key, sha("<xml>问</xml>"), AT)  # WeChat's retry
    assert not await store.bind_signed_body(key, sha("<xml>forged</xml>"), AT)
    assert await store.bind_signed_body("another:1732762800:n2", sha("<xml>forged</xml>"), AT)
    assert await db.fetchval("SELECT body_sha256 FROM signed_requests WHERE request_key = ?", key) == sha("<xml>问</xml>")
