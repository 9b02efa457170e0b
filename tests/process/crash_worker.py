"""A bot process that books visits and answers questions in a loop, printing what it confirmed.

Run by tests/process/test_sigkill.py, which kills it with SIGKILL at a random moment.
Each line it prints is a promise made to a user ("BOOKED ref" was shown as 预约好了).
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from common.config import Settings
from bot.runtime import Runtime
from tests.auxil.chat import Chat
from tests.handlers.test_booking_flow import book

HOLIDAY = datetime(2026, 10, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def main(data_dir: str, start: int) -> None:
    settings = Settings(_env_file=None, LEGALAID_DATA_DIR=data_dir, LEGALAID_VISIT_CAPACITY=50,
                        LEGALAID_RATE_LIMIT_PER_MINUTE=100_000)
    runtime = await Runtime.open(settings, lambda: HOLIDAY)
    ledger = runtime.services.ledger
    lawyer_chat = Chat(runtime, channel="telegram", user_id="lawyer-1")
    if await ledger.lawyer_for("telegram", "lawyer-1") is None:
        _, code = await ledger.add_lawyer("王律师", "某所", HOLIDAY)
        await lawyer_chat.send(f"/register {code}")
    # One person stops half-way through a booking: after the crash they must resume at the same step.
    halfway = Chat(runtime, user_id="halfway")
    if (await runtime.services.store.load_state("console", "halfway")) is None:
        await halfway.send("预约上门办申请")
        await halfway.tap("是")
        await halfway.tap("衢江区")
        print("HALFWAY county-chosen", flush=True)
    for i in range(start, start + 10_000):
        family = Chat(runtime, user_id=f"family-{i}")
        await book(family, phone=f"13{i:09d}")  # a family of its own: its own phone number
        await family.tap("确认预约")
        ref = next(line.split("：")[1] for line in family.text.splitlines() if line.startswith("预约编号"))
        print(f"BOOKED {ref}", flush=True)
        resident = Chat(runtime, channel="telegram", user_id=f"resident-{i}")
        await resident.send("/ask")
        await resident.send(f"第{i}个问题：儿子不给生活费怎么办")
        consultation = (await runtime.services.consultations.list_for_user("telegram", f"resident-{i}"))[0]
        await lawyer_chat.press(f"law:claim:{consultation.id}")
        await lawyer_chat.send("可以申请法律援助，先调解。")
        if "已发给居民" in lawyer_chat.text:
            print(f"ANSWERED {consultation.id}", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
