"""`make bench`: every benchmark, each printing its own figures and its baseline from the same run."""

from __future__ import annotations

from bench import matcher


def main() -> None:
    print(matcher.report(matcher.run()))


if __name__ == "__main__":
    main()
