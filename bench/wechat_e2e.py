"""WeChat end to end: `legalaid wechat` against a bare aiohttp handler, both posted signed XML as WeChat does.

    python -m bench.wechat_e2e [--quick] [--runs 3] [--json]

Ours is the real endpoint process (`legalaid wechat`, WECHAT_API_BASE_URL pointing at
tests/auxil/fake_wechat_api.py on 127.0.0.1, settings as shipped); the baseline is
bench/wechat_bare.py, the same aiohttp server stack answering one fixed XML; beside it, for
information, the same handler with `--keep` (checks the signature and commits each message to SQLite
before answering: the least that keeps "an acknowledged message is never lost"). Two phases per
process: 200 people × 5 messages (each sent when the last was answered), then 1,000 new people
posting one question each at the same moment. WeChat waits 5 s for a passive reply and discards
a later one, so a passive reply that arrives after 5 s is a message the person never sees
(unless it was also answered through the customer-service API), and any answer after 5 s
(even "success") comes after WeChat has given up on the request and posted it again. "success" means the endpoint
gave up on a passive reply and pushes the answer through the customer-service API instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.procs import MARK, child_env, cpu_seconds, legalaid_command, median, percentile, rss_mb, spread
from bench.telegram_load import devset_questions

TOKEN = "bench-wechat-token"
APP_ID = "wx-bench"
SECRET = "bench-secret"
WECHAT_WAIT = 5.0  # seconds WeChat waits for a passive reply
TARGET_RATIO = 0.5  # issue 17: ours >= 0.5x the bare handler's requests/s
KINDS = ("bare", "keep", "ours")  # the baseline, the baseline that commits each message, ours
SEQUENCE = ("subscribe", "1", "?", "查资格", "?")  # one person's five messages; "?" is a question


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Poster:
    """Posts messages to /wechat as WeChat does: signed query, XML body, a new nonce each time."""

    def __init__(self, session: aiohttp.ClientSession, url: str):
        from bot.channels.wechat_protocol import sign

        self.session, self.url, self.sign = session, url, sign
        self.serial = itertools.count(1)
        self.questions = devset_questions()

    def body(self, user: str, n: int, text: str) -> str:
        head = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime>")
        if text == "subscribe":
            return head + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>"
        if text == "?":
            text = self.questions[n % len(self.questions)]
        return (head + f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
                f"<MsgId>{n}</MsgId></xml>")

    async def post(self, user: str, text: str, record: dict[str, list]) -> None:
        n = next(self.serial)
        timestamp, nonce = str(int(time.time())), f"n{n}"
        query = {"signature": self.sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        started = time.perf_counter()
        try:
            async with self.session.post(self.url, params=query, data=self.body(user, n, text).encode()) as response:
                answer = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            record["errors"].append(1)
            return
        seconds = time.perf_counter() - started
        record["seconds"].append(seconds)
        if status != 200:
            record["errors"].append(status)
        elif answer.startswith("<xml>"):
            record["passive"].append(seconds)
        else:
            record["success"].append(seconds)


def phase_figures(record: dict[str, list], wall: float) -> dict[str, Any]:
    times = record["seconds"]
    return {
        "requests": len(times),
        "requests_per_s": round(len(times) / wall, 1),
        "p50_ms": round(percentile(times, 0.5) * 1000, 1),
        "p99_ms": round(percentile(times, 0.99) * 1000, 1),
        "passive": len(record["passive"]),
        "passive_late": sum(1 for s in record["passive"] if s > WECHAT_WAIT),
        "late": sum(1 for s in times if s > WECHAT_WAIT),
        "success": len(record["success"]),
        "errors": len(record["errors"]),
    }


async def sequential(poster: Poster, people: int, messages: int) -> dict[str, Any]:
    record: dict[str, list] = {"seconds": [], "passive": [], "success": [], "errors": []}

    async def person(i: int) -> None:
        for text in SEQUENCE[:messages]:
            await poster.post(f"o-seq-{i}", text, record)

    started = time.perf_counter()
    await asyncio.gather(*(person(i) for i in range(people)))
    return phase_figures(record, time.perf_counter() - started)


async def at_once(poster: Poster, people: int) -> dict[str, Any]:
    record: dict[str, list] = {"seconds": [], "passive": [], "success": [], "errors": []}
    started = time.perf_counter()
    await asyncio.gather(*(poster.post(f"o-burst-{i}", "?", record) for i in range(people)))
    return phase_figures(record, time.perf_counter() - started)


async def wait_listening(port: int, proc: asyncio.subprocess.Process, log: Path) -> None:
    for _ in range(1200):
        if proc.returncode is not None:
            break
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError(f"the server on {port} did not start:\n{log.read_text(errors='replace')[-2000:]}")


async def stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM, and SIGKILL if the server has not stopped 20 s later: a stuck server must not hang the bench."""
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def one_run(kind: str, work: Path, people: int, messages: int, burst: int,
                  sampler: Any = None) -> dict[str, Any]:
    """`sampler(pid)`: a context manager entered around the phases (bench/profile.py's py-spy)."""
    from tests.auxil.fake_wechat_api import FakeWeChatApi

    port = free_port()
    work.mkdir(parents=True)
    async with FakeWeChatApi(app_id=APP_ID, secret=SECRET) as api:
        if kind == "ours":
            command = [*legalaid_command(), "wechat", "--listen", "127.0.0.1", "--port", str(port)]
        else:
            command = [sys.executable, "-m", "bench.wechat_bare", "--port", str(port)]
            if kind == "keep":
                command += ["--keep", str(work / "keep.sqlite3"), "--token", TOKEN]
        env = child_env(WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET=SECRET,
                        WECHAT_API_BASE_URL=api.base_url, LEGALAID_DATA_DIR=str(work / "data"))
        with open(work / "server.log", "wb") as log:
            proc = await asyncio.create_subprocess_exec(*command, cwd=work, env=env, stdin=asyncio.subprocess.DEVNULL,
                                                        stdout=log, stderr=log)
            try:
                await wait_listening(port, proc, work / "server.log")
                await asyncio.sleep(1.0)
                result: dict[str, Any] = {"idle_rss_mb": rss_mb(proc.pid)}
                timeout = aiohttp.ClientTimeout(total=60)
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
                    poster = Poster(session, f"http://127.0.0.1:{port}/wechat")
                    phases = (("sequential", lambda: sequential(poster, people, messages)),
                              ("burst", lambda: at_once(poster, burst)))
                    for phase, load in phases if burst else phases[:1]:
                        cpu = cpu_seconds(proc.pid)
                        async with sampler(proc.pid) if sampler else contextlib.nullcontext():
                            result[phase] = await load()
                        spent = cpu_seconds(proc.pid) - cpu
                        result[phase]["cpu_ms_per_request"] = round(spent * 1000 / max(1, result[phase]["requests"]), 2)
                result["rss_mb"] = rss_mb(proc.pid)
            finally:
                await stop(proc)
    return result


async def run(runs: int, people: int, messages: int, burst: int,
              kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    figures: dict[str, Any] = {"people": people, "messages": messages, "burst": burst, **{k: [] for k in KINDS}}
    with tempfile.TemporaryDirectory(prefix="bench-wechat-") as tmp:
        for i in range(runs):
            for kind in kinds:
                figures[kind].append(await one_run(kind, Path(tmp) / f"{kind}{i}", people, messages, burst))
    return figures


ROWS = (("requests_per_s", "requests/s", 1), ("cpu_ms_per_request", "server CPU ms per request", 2),
        ("p50_ms", "response p50 ms", 0), ("p99_ms", "response p99 ms", 0), ("passive", "passive replies", 0),
        ("passive_late", "passive replies after 5 s (lost)", 0), ("success", '"success" (reply pushed instead)', 0),
        ("late", "any answer after 5 s (WeChat retries)", 0), ("errors", "errors", 0))


def report(f: dict[str, Any]) -> str:
    bare, keep, ours = f["bare"], f["keep"], f["ours"]
    lines = [
        "WeChat end to end — ours: `legalaid wechat`, settings as shipped (pushed replies go to the fake WeChat",
        "API on 127.0.0.1); baseline: a bare aiohttp handler on the same server stack returning a fixed XML;",
        "only the handler differs. \"bare + keep\": the bare handler that also checks the signature and commits",
        f"each message to SQLite first (for information). Median of {len(ours)} run(s) [min–max].",
    ]
    titles = {"sequential": f"{f['people']} people × {f['messages']} messages, each after the last answer",
              "burst": f"{f['burst']:,} people posting at the same moment"}
    for phase, title in titles.items():
        lines += [f"  {title}", f"    {'':<40}{'bare handler':<30}{'bare + keep':<30}ours"]
        for key, name, digits in ROWS:
            cells = [spread((r[phase][key] for r in runs), digits) for runs in (bare, keep, ours)]
            lines.append(f"    {name:<40}{cells[0]:<30}{cells[1]:<30}{cells[2]}")
        ratios = [o[phase]["requests_per_s"] / b[phase]["requests_per_s"] for b, o in zip(bare, ours, strict=True)]
        met = MARK[median(ratios) >= TARGET_RATIO]
        lines.append(f"    ours ÷ bare in requests/s: {spread(ratios, 2)} (target ≥ {TARGET_RATIO}: {met})")
        kept = [k[phase]["requests_per_s"] / b[phase]["requests_per_s"] for b, k in zip(bare, keep, strict=True)]
        over = [o[phase]["requests_per_s"] / k[phase]["requests_per_s"] for k, o in zip(keep, ours, strict=True)]
        lines.append(f"    bare + keep ÷ bare: {spread(kept, 2)}; ours ÷ (bare + keep): {spread(over, 2)}")
    late = median(r["burst"]["passive_late"] for r in ours)
    lines.append(f"  ours: passive replies after 5 s with {f['burst']:,} at once: {late:.0f} "
                 f"(target 0: {MARK[late == 0]})")
    lines.append(f"  ours: RSS MB idle {spread(r['idle_rss_mb'] for r in ours)}, "
                 f"after both phases {spread(r['rss_mb'] for r in ours)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wechat_e2e", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run, 20 people × 2 messages, 50 at once")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", type=int, default=200, help="people in the first phase (5 messages each)")
    parser.add_argument("--burst", type=int, default=1000, help="people posting at once in the second phase (0: none)")
    parser.add_argument("--only", choices=KINDS, help="run one server only (no ratio)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sizes = (1, 20, 2, 50) if args.quick else (args.runs, args.people, len(SEQUENCE), args.burst)
    if args.only:
        figures = asyncio.run(run(*sizes, kinds=(args.only,)))
        print(json.dumps(figures))
        return 0
    figures = asyncio.run(run(*sizes))
    print(json.dumps(figures) if args.json else report(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
