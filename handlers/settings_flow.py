"""设置: a person's own choices, kept in their conversation (so "删除我的信息" removes them too).

One choice so far: 总是读给我听 — answers come as a voice message as well as text.
"""

from __future__ import annotations

from common.messages import Payload
from handlers import menu
from handlers.turn import Flow, Route, Turn

NAME = "settings"


class SettingsFlow(Flow):
    name = NAME
    commands = {"/settings": "start"}

    def routes(self) -> dict[str, Route]:
        return super().routes() | {"always": self.always}

    def held(self, turn: Turn) -> list[str]:
        return [turn.t("settings.held_always")] if turn.state.read_aloud else []

    async def start(self, turn: Turn, arg: str = "") -> None:
        turn.state.reset()
        if not turn.services.settings.speaks:
            turn.say(turn.t("settings.no_voice"), (turn.menu_option(),))
            return
        if turn.state.read_aloud:
            state, toggle = turn.t("settings.state_on"), turn.option("settings.always_off", Payload(NAME, "always", "off"))
        else:
            state, toggle = turn.t("settings.state_off"), turn.option("settings.always_on", Payload(NAME, "always", "on"))
        turn.say(turn.t("settings.title", state=state), (toggle, turn.menu_option()))

    async def always(self, turn: Turn, arg: str) -> None:
        if arg not in ("on", "off") or not turn.services.settings.speaks:
            await self.stale(turn)
            return
        turn.state.read_aloud = arg == "on"
        turn.state.reset()
        turn.say(turn.t("settings.now_on" if turn.state.read_aloud else "settings.now_off"),
                 menu.main_menu_options(turn.t), main_menu=True)
