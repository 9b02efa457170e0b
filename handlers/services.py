"""The long-lived services a flow may use, handed to it rather than imported as globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.catalog import Catalog
from bot.config import Settings
from storage.store import Store

if TYPE_CHECKING:
    from faq.matcher import Matcher


@dataclass
class Services:
    settings: Settings
    store: Store
    texts: Catalog
    clock: Callable[[], datetime]
    matcher: Matcher
