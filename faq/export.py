"""`legalaid faq export DIR`: the knowledge base in use written back as YAML files, so staff edits can
be committed to the repository. An entry nobody changed is copied as written (its comments too);
a changed or new one is written in the files' own layout. The result is read back and compared
before the command says it is done."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from faq.kb import Entry, KnowledgeBase, KnowledgeBaseError, default_dir, load_kb

_ENTRY_START = re.compile(r"^- id:", re.MULTILINE)
_FLOW_LISTS = ("related", "buttons", "keywords")


class _Flow(list):
    """A short list written on one line: [a, b, c]."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # "  phrasings:\n    - …", as the files have it


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def entry_yaml(entry: Entry) -> str:
    data = entry.model_dump(mode="json")
    for key in _FLOW_LISTS:
        data[key] = _Flow(data[key])
    return yaml.dump([data], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def _chunks(text: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """A file's opening comments, and each entry's own text and what trails it (blank and comment lines)."""
    starts = [m.start() for m in _ENTRY_START.finditer(text)]
    if not starts:
        return text, {}
    chunks = {}
    for begin, end in zip(starts, [*starts[1:], len(text)]):
        lines = text[begin:end].splitlines(keepends=True)
        cut = len(lines)
        while cut > 1 and (not lines[cut - 1].strip() or lines[cut - 1].startswith("#")):
            cut -= 1
        entry_id = lines[0].split(":", 1)[1].strip()
        chunks[entry_id] = ("".join(lines[:cut]), "".join(lines[cut:]))
    return text[: starts[0]], chunks


def export(kb: KnowledgeBase, target: Path, source: Path | None = None) -> list[Path]:
    """Write `kb` as YAML files under `target`; `source` is the folder the files were read from."""
    source = source or default_dir()
    shipped = load_kb(source)
    by_file: dict[str, list[Entry]] = {}
    for entry in kb.entries:
        by_file.setdefault(kb.files.get(entry.id) or f"{entry.audience.value}.yaml", []).append(entry)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, entries in by_file.items():
        original = source / name
        header, chunks = _chunks(original.read_text(encoding="utf-8")) if original.exists() else ("", {})
        parts = [header]
        for entry in entries:
            own, trailing = chunks.get(entry.id, ("", "\n"))
            if shipped.get(entry.id) == entry and own:
                parts.append(own + trailing)
            else:
                if parts[-1] and not parts[-1].endswith("\n\n"):
                    parts.append("\n")
                parts.append(entry_yaml(entry) + trailing)
        path = target / name
        path.write_text("".join(parts), encoding="utf-8")
        written.append(path)
    again = load_kb(target)
    if again.by_id != kb.by_id:
        raise KnowledgeBaseError(f"{target}: the files written do not read back as the knowledge base in use")
    return written
