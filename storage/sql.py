"""SQL is written once, with `?` placeholders; asyncpg wants `$1, $2 …`. This is the whole dialect gap
the storage modules see: everything else they write is SQL both backends read the same way."""

from __future__ import annotations


def numbered(sql: str) -> str:
    """`?` → `$1`, `$2` … outside string literals, quoted identifiers and comments."""
    out: list[str] = []
    number = 0
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # '' or "" inside: an escaped quote
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i:end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif ch == "?":
            number += 1
            out.append(f"${number}")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def rowcount(status: str) -> int:
    """The number of rows in a PostgreSQL command tag: 'UPDATE 3', 'INSERT 0 1', 'DELETE 0'."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0
