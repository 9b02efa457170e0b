"""Logs never carry the bot token or what people wrote, whatever LEGALAID_LOG_LEVEL says."""

from __future__ import annotations

import logging

from bot.cli import setup_logging


def test_debug_logging_keeps_the_telegram_library_at_info(settings):
    setup_logging(settings.model_copy(update={"log_level": "DEBUG"}))
    try:
        assert logging.getLogger().level == logging.DEBUG
        for name in ("telegram", "telegram.ext", "httpx"):
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
    finally:
        setup_logging(settings)
