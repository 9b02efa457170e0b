"""留言问律师 through the service layer: who is told, under which key, about whom."""

from __future__ import annotations

from common.messages import Address
from services import consultations
from storage.consultations import Claim
from storage.outbox import Topic, outbox_key


async def test_a_question_with_nobody_on_duty_goes_to_staff_about_the_resident(rt):
    resident = Address("console", "elder-9")
    asked = await consultations.ask(rt.services, resident, "儿子不给赡养费怎么办", rt.now())
    [notice] = asked.notices
    assert notice.about == resident
    assert notice.dedupe_key == outbox_key(Topic.NO_DUTY_LAWYER, asked.value.id)
    assert notice.reply.text == rt.services.texts("staff.no_duty_lawyer", ref=asked.value.ref)


async def test_staff_hand_a_stalled_question_to_another_lawyer(rt, staff, lawyer):
    resident = Address("console", "elder-9")
    asked = await consultations.ask(rt.services, resident, "邻居占地怎么办", rt.now())
    assert await consultations.claim(rt.services, lawyer, asked.value.id, rt.now()) == Claim.CLAIMED
    other, code = await rt.services.ledger.add_lawyer("李律师", "所", rt.now())
    await rt.services.ledger.bind(code, "wechat", "o-li", rt.now())
    done = await consultations.reassign(rt.services, staff, asked.value.id, other.id, rt.now())
    assert done.value
    [notice] = done.notices
    assert (notice.channel, notice.user_id, notice.about) == ("wechat", "o-li", resident)
    assert notice.reply.options[0].payload == f"law:answer:{asked.value.id}"
    assert (await rt.services.consultations.get(asked.value.id)).lawyer_id == other.id


async def test_an_open_question_cannot_be_reassigned(rt, staff, lawyer):
    asked = await consultations.ask(rt.services, Address("console", "elder-9"), "怎么立遗嘱呢", rt.now())
    assert not (await consultations.reassign(rt.services, staff, asked.value.id, lawyer.lawyer.id, rt.now())).value


async def test_two_schedulers_at_once_resend_an_unclaimed_question_once(rt, clock, lawyer):
    """Two processes run the scheduler: both see the question unclaimed, only one re-sends it."""
    import asyncio
    from datetime import timedelta

    from services.actor import SYSTEM

    await rt.services.ledger.set_on_duty(lawyer.lawyer.id, True)
    asked = await consultations.ask(rt.services, Address("console", "elder-9"), "儿子不给赡养费怎么办", rt.now())
    clock.advance(minutes=rt.settings.claim_timeout_minutes + 1)
    first, second = await asyncio.gather(
        consultations.renotify_unclaimed(rt.services, SYSTEM, rt.now()),
        consultations.renotify_unclaimed(rt.services, SYSTEM, rt.now() + timedelta(minutes=1)),
    )
    resent = [n for n in first.notices + second.notices if n.dedupe_key.startswith(Topic.RENOTIFY.value)]
    assert [n.user_id for n in resent] == ["501"]
    assert await rt.db.fetchval("SELECT renotify_count FROM consultations WHERE id = ?", asked.value.id) == 1
