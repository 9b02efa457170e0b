"""Pseudonyms in log lines: keyed, so an account cannot be found by hashing every chat id."""

from __future__ import annotations

import hashlib
import os
import stat

from common.privacy import PSEUDONYM_KEY_FILE, pseudonym, pseudonym_key


def test_the_key_is_made_once_private_and_kept(tmp_path):
    key = pseudonym_key(tmp_path / "data")
    path = tmp_path / "data" / PSEUDONYM_KEY_FILE
    assert len(key) == 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert pseudonym_key(tmp_path / "data") == key


def test_a_pseudonym_is_stable_per_key_and_not_the_plain_hash_of_the_account(tmp_path):
    one, other = pseudonym_key(tmp_path / "a"), pseudonym_key(tmp_path / "b")
    account = "telegram:123456789"
    assert pseudonym(one, account) == pseudonym(one, account)
    assert pseudonym(one, account) != pseudonym(other, account)
    assert pseudonym(one, account) not in hashlib.sha256(account.encode()).hexdigest()
