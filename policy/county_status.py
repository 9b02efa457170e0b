"""Which counties apply the measures 衢市司发〔2020〕3号 二 leaves to "有条件的县(市、区)".

"有条件的县(市、区)司法局自2020年起要对70周岁及以上老年人不设法律援助事项范围限制, … 免于经济状况审查":
the opinion does not say which counties have the conditions, so that is a fact staff record, per county,
with its date and source. Until they do, a county is UNCONFIRMED and the bot says what the text says and
asks the person to confirm with the county's 司法局 or 12348.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class County(StrEnum):
    """The six counties (市、区) of Quzhou the opinion addresses (衢市司发〔2020〕3号, 各县(市、区)司法局)."""

    KECHENG = "柯城区"
    QUJIANG = "衢江区"
    LONGYOU = "龙游县"
    JIANGSHAN = "江山市"
    CHANGSHAN = "常山县"
    KAIHUA = "开化县"


class CountyStatus(StrEnum):
    APPLIES = "applies"
    NOT_APPLIED = "not_applied"
    UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class CountyMeasures:
    county: County
    status: CountyStatus = CountyStatus.UNCONFIRMED
    since: date | None = None
    source: str = ""
