"""Masking of personal data before it reaches a log line or an analytics table."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from pathlib import Path

# Mainland mobiles (optionally +86), landlines with area code, and 18-digit resident ID numbers.
_ID_NUMBER = re.compile(r"(?<!\d)\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def mask_phone(phone: str) -> str:
    """138****5678: enough for a person to recognise their number, useless to anyone else."""
    digits = re.sub(r"\D", "", phone)[-11:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    """张** : the family name only."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def redact(text: str) -> str:
    text = _ID_NUMBER.sub("[身份证号]", text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    return _LANDLINE.sub("[电话]", text)


PSEUDONYM_KEY_FILE = "pseudonym.key"


def pseudonym_key(data_dir: Path) -> bytes:
    """The secret that keys pseudonyms, kept in the data folder (mode 0600), made on first use."""
    path = data_dir / PSEUDONYM_KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key


def pseudonym(key: bytes, account: str) -> str:
    """A stable name for an account in log lines that nobody can reverse by trying every chat id
    (an unsalted hash of "telegram:<id>" can be): HMAC-SHA256 under the deployment's own key."""
    return hmac.new(key, account.encode(), hashlib.sha256).hexdigest()[:12]


class RedactingFilter(logging.Filter):
    """Applied to every handler, so a stray phone number in an exception message is masked too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
