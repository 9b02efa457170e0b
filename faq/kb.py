"""The knowledge base: YAML files under faq/data, validated by pydantic when loaded.

A broken file stops start-up with an error that names the file, the entry and the field.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SOURCES = ("衢市司发〔2020〕3号", "衢市司发〔2020〕4号")
MIN_PHRASINGS = 6

# Follow-up buttons an answer may offer, by the payload they start.
FOLLOW_UPS = {
    "check_eligibility": "elig:start",
    "book_visit": "book:start",
    "ask_lawyer": "consult:start",
    "call_12348": "menu:call",
}


class Audience(StrEnum):
    PUBLIC = "public"
    LAWYER = "lawyer"


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    audience: Audience
    question: str = Field(min_length=2)
    phrasings: list[str]
    answer: str = Field(min_length=2)
    source: str
    guidance: bool = False
    related: list[str] = Field(default_factory=list)
    buttons: list[Literal["check_eligibility", "book_visit", "ask_lawyer", "call_12348"]] = Field(
        default_factory=list
    )
    keywords: list[str] = Field(default_factory=list)

    @field_validator("phrasings")
    @classmethod
    def _enough_distinct(cls, value: list[str]) -> list[str]:
        cleaned = [p.strip() for p in value if p and p.strip()]
        if len(set(cleaned)) < MIN_PHRASINGS:
            raise ValueError(f"needs at least {MIN_PHRASINGS} different phrasings, has {len(set(cleaned))}")
        return cleaned

    @field_validator("source")
    @classmethod
    def _cites_a_source(cls, value: str) -> str:
        if not value.startswith(SOURCES):
            raise ValueError(f"must cite {' or '.join(SOURCES)} and a section")
        return value

    @field_validator("answer")
    @classmethod
    def _answer_is_plain(cls, value: str) -> str:
        return re.sub(r"\n{3,}", "\n\n", value.strip())


class KnowledgeBaseError(Exception):
    pass


class KnowledgeBase:
    def __init__(self, entries: list[Entry], files: dict[str, str] | None = None):
        self.entries = entries
        self.by_id = {e.id: e for e in entries}
        self.files = files or {}  # entry id -> the YAML file it belongs in (faq export)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        return self.by_id.get(entry_id)


@dataclass(frozen=True)
class RawEntry:
    """An entry as written, before validation: where it came from (for the error) and its file."""

    where: str  # "public.yaml", "revision 12"
    file: str  # the YAML file it is exported to
    data: object


def default_dir() -> Path:
    return Path(str(resources.files("faq") / "data"))


def file_for(audience: str) -> str:
    """The file a new entry goes to: public.yaml or lawyer.yaml."""
    return f"{audience}.yaml"


def read_files(folder: Path | None = None) -> list[RawEntry]:
    """Every entry of every *.yaml under `folder` (default: the packaged faq/data), unvalidated."""
    folder = folder or default_dir()
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise KnowledgeBaseError(f"{folder}: no *.yaml knowledge-base files")
    raw_entries: list[RawEntry] = []
    for path in files:
        # A copy: the caller may change what it is given, the next reader must get the file as written.
        raw_entries += [RawEntry(path.name, path.name, item) for item in copy.deepcopy(_parsed(path))]
    return raw_entries


# Parsed files by path, size and modification time: the console re-reads the files, and every
# runtime a process opens (the tests open hundreds) would parse them again (~20 ms) for nothing.
_PARSED: dict[Path, tuple[tuple[int, int, int], list]] = {}


def _parsed(path: Path) -> list:
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        # libyaml when present: ten times faster, and every start-up and `legalaid ask` reads these files.
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(raw, list):
        raise KnowledgeBaseError(f"{path.name}: expected a list of entries")
    _PARSED[path] = (stamp, raw)
    return raw


def overlaid(base: list[RawEntry], overlay: list[RawEntry]) -> list[RawEntry]:
    """The files with staff revisions on top: a revision replaces the entry of its id where it
    stands (keeping its file), or is added at the end."""
    merged = list(base)
    at = {item.data.get("id"): i for i, item in enumerate(merged) if isinstance(item.data, dict)}
    for item in overlay:
        entry_id = item.data.get("id") if isinstance(item.data, dict) else None
        if entry_id in at:
            merged[at[entry_id]] = RawEntry(item.where, merged[at[entry_id]].file, item.data)
        else:
            at[entry_id] = len(merged)
            merged.append(item)
    return merged


def validate(raw_entries: list[RawEntry]) -> KnowledgeBase:
    """The one validation, of the files and of the files with staff revisions alike: every entry
    against `Entry`, ids unique, related ids known, no phrasing in two entries."""
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(raw_entries):
        raw = item.data
        name = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        try:
            entry = Entry.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "(entry)"
            raise KnowledgeBaseError(f"{item.where}: entry {name}: {field}: {err['msg']}") from None
        if entry.id in seen:
            raise KnowledgeBaseError(f"{item.where}: entry {entry.id}: id already used in {seen[entry.id]}")
        seen[entry.id] = item.where
        entries.append(entry)
    _check_links(entries)
    return KnowledgeBase(entries, {e.id: item.file for e, item in zip(entries, raw_entries)})


def load_kb(folder: Path | None = None, overlay: list[RawEntry] = ()) -> KnowledgeBase:
    """Load and validate every *.yaml under `folder` (default: the packaged faq/data), with staff
    revisions (`overlay`) on top."""
    return validate(overlaid(read_files(folder), list(overlay)))


def _check_links(entries: list[Entry]) -> None:
    ids = {e.id for e in entries}
    owner: dict[str, str] = {}
    for e in entries:
        for rel in e.related:
            if rel not in ids:
                raise KnowledgeBaseError(f"entry {e.id}: related: unknown id {rel!r}")
        for p in [e.question, *e.phrasings]:
            if owner.setdefault(p, e.id) != e.id:
                raise KnowledgeBaseError(f"entry {e.id}: phrasings: {p!r} is also in {owner[p]}")
