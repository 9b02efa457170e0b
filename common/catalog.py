"""The text catalog: every user-facing Chinese sentence, by id, from `common/texts.yaml`.

Validated at start-up so a typo in the file stops the bot with a clear message, not a user.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources
from typing import Any

import yaml


class CatalogError(Exception):
    pass


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Catalog:
    def __init__(self, texts: dict[str, str], source: str = "texts.yaml"):
        for key, value in texts.items():
            if not isinstance(value, str) or not value.strip():
                raise CatalogError(f"{source}: {key}: text must be a non-empty string")
            try:
                _fields(value)
            except ValueError as exc:
                raise CatalogError(f"{source}: {key}: bad placeholder: {exc}") from None
        self._texts = texts
        self._numbered: Catalog | None = None

    def __call__(self, key: str, **values: Any) -> str:
        """The text for `key` with its {placeholders} filled in."""
        try:
            template = self._texts[key]
        except KeyError:
            raise KeyError(f"no text {key!r} in the catalog") from None
        return template.format(**values) if values or "{" in template else template

    def __contains__(self, key: str) -> bool:
        return key in self._texts

    def numbered(self) -> Catalog:
        """The catalog as a channel without buttons (WeChat, the console) reads it: a text with a
        `<id>_numbered` wording says 回复数字 there instead of 点下面的按钮."""
        if self._numbered is None:
            self._numbered = Catalog({key: self._texts.get(f"{key}_numbered", text) for key, text in self._texts.items()})
        return self._numbered

    def keys(self) -> set[str]:
        return set(self._texts)

    def fields(self, key: str) -> set[str]:
        return _fields(self._texts[key])


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if not isinstance(key, str):  # YAML reads a bare yes/no/on/off key as a boolean
            raise CatalogError(f"common/texts.yaml: key {key!r} under {prefix or 'the top'} must be quoted")
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = value
    return flat


@cache
def load_catalog() -> Catalog:
    raw = (resources.files("common") / "texts.yaml").read_text(encoding="utf-8")
    try:
        # libyaml's loader where PyYAML has it: a tenth of the pure-Python one's time on a cold start.
        tree = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe
    except yaml.YAMLError as exc:
        raise CatalogError(f"common/texts.yaml: {exc}") from None
    if not isinstance(tree, dict):
        raise CatalogError("common/texts.yaml: expected a mapping of ids to texts")
    return Catalog(_flatten(tree), "common/texts.yaml")
