"""Masking of personal data before it reaches a log line or an analytics table."""

from __future__ import annotations

import logging
import re

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


class RedactingFilter(logging.Filter):
    """Applied to every handler, so a stray phone number in an exception message is masked too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
