"""Voice notes: the bot's own latency around a transcription, with 50 people speaking at once.

    python -m bench.voice [--users 50] [--rounds 4] [--asr-ms 200] [--json]

The real python-telegram-bot Application (`build_application`, Telegram's flood limit lifted)
long-polls a FakeBotApi, and transcribes through a FakeSpeech server that takes --asr-ms per
note (tests/auxil/), all on 127.0.0.1 in this process. Each round, every simulated person sends
one voice note at the same moment and waits for the answer. For each note:

    added = (push → the bot's first sendMessage for that chat) − the speech server's own time

is the whole turn without the server: waiting for a free slot among the other chats, the
update, getFile, the download, the multipart upload, reading the answer and the dialogue turn.
`around` is the narrower figure: the time inside the voice path (telegram_voice.heard: getFile,
download, the request and its answer) minus the server's own time. The same people typing (no
speech at all) are the baseline. The fakes share this process's event loop (and the machine
its cores), so the figures are an upper bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

from pydantic import SecretStr

FIRST_USER = 200_001
QUESTION = "遗嘱公证要钱吗"
TOKEN = "123456:BENCH-VOICE"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _round(api, users: list[int], voice: bool) -> dict[int, float]:
    """Everyone sends at once; seconds from each push to that chat's next message."""
    loop = asyncio.get_running_loop()
    before = {u: len(api.sent(u)) for u in users}
    started = {}
    for user in users:
        started[user] = loop.time()
        if voice:
            api.push_voice(user, content=b"OggS-" + str(user).encode())
        else:
            api.push_text(user, QUESTION)

    async def answered(user: int) -> float:
        await api.wait_for(lambda: len(api.sent(user)) > before[user], timeout=30)
        return loop.time() - started[user]

    times = await asyncio.gather(*(answered(u) for u in users))
    return dict(zip(users, times))


def timing_heard(telegram_voice, spent: dict[str, float]):
    """telegram_voice.heard, recording its wall time per voice note (by the person's id)."""
    original = telegram_voice.heard

    async def heard(update, ev, bot, runtime):
        started = time.perf_counter()
        try:
            return await original(update, ev, bot, runtime)
        finally:
            if update.effective_message and update.effective_message.voice:
                spent[update.effective_user.id] = time.perf_counter() - started

    return heard


async def run(users: int, rounds: int, asr_ms: int) -> dict[str, float]:
    from bot.channels import telegram_voice
    from bot.channels.telegram import build_application
    from bot.channels.telegram_run import polling, running
    from common.config import Settings
    from tests.auxil.fake_bot_api import FakeBotApi
    from tests.auxil.fake_speech import FakeSpeech

    people = list(range(FIRST_USER, FIRST_USER + users))
    with tempfile.TemporaryDirectory() as folder:
        async with FakeBotApi() as api, FakeSpeech(QUESTION) as speech:
            speech.delay = asr_ms / 1000
            settings = Settings(_env_file=None, LEGALAID_DATA_DIR=str(Path(folder)),
                                LEGALAID_RATE_LIMIT_PER_MINUTE=100_000).model_copy(update={
                "telegram_bot_token": SecretStr(TOKEN), "telegram_api_base_url": api.base_url.removesuffix("/bot"),
                **speech.settings(timeout=10.0)})
            app = build_application(settings, flood_limit=None)
            in_heard: dict[str, float] = {}
            original, telegram_voice.heard = telegram_voice.heard, timing_heard(telegram_voice, in_heard)
            try:
                async with running(app, partial(polling, timeout=1)):
                    await _round(api, people, voice=False)  # warm-up: first turns open every chat
                    typed: list[float] = []
                    added: list[float] = []
                    around: list[float] = []
                    for _ in range(rounds):
                        typed += (await _round(api, people, voice=False)).values()
                        served = len(speech.transcriptions)
                        in_heard.clear()
                        spent = await _round(api, people, voice=True)
                        server = {t.audio: t.seconds for t in speech.transcriptions[served:]}
                        own = {u: server[b"OggS-" + str(u).encode()] for u in people}
                        added += [spent[u] - own[u] for u in people]
                        around += [in_heard[u] - own[u] for u in people]
            finally:
                telegram_voice.heard = original
    return {
        "notes": len(added),
        "around_p50_ms": 1000 * statistics.median(around),
        "around_p99_ms": 1000 * percentile(around, 0.99),
        "voice_added_p50_ms": 1000 * statistics.median(added),
        "voice_added_p99_ms": 1000 * percentile(added, 0.99),
        "typed_p50_ms": 1000 * statistics.median(typed),
        "typed_p99_ms": 1000 * percentile(typed, 0.99),
    }


def report(figures: dict[str, float], users: int, asr_ms: int) -> str:
    return (f"voice notes — {users} at once, {figures['notes']} notes, speech server {asr_ms} ms each (excluded):\n"
            f"  around the call (getFile, download, request, answer)  p50 {figures['around_p50_ms']:.0f} ms  "
            f"p99 {figures['around_p99_ms']:.0f} ms\n"
            f"  the whole voice turn without the server's time         p50 {figures['voice_added_p50_ms']:.0f} ms  "
            f"p99 {figures['voice_added_p99_ms']:.0f} ms\n"
            f"  the same people typing (baseline)                      p50 {figures['typed_p50_ms']:.0f} ms  "
            f"p99 {figures['typed_p99_ms']:.0f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.voice", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--asr-ms", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    figures = asyncio.run(run(args.users, args.rounds, args.asr_ms))
    if args.json:
        print(json.dumps(figures | {"seconds": time.perf_counter() - started}))
    else:
        print(report(figures, args.users, args.asr_ms))


if __name__ == "__main__":
    main()
