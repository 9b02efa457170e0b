"""SQLite storage behind a narrow interface: the flows call `Store` methods, never SQL."""

from storage.db import Database
from storage.store import Store

__all__ = ["Database", "Store"]
