"""The lawyer points scheme 衢州市律师参与法律援助工作积分管理办法(试行) (衢市司发〔2020〕4号).

The catalogue of awards, deductions and vetoes is data (AWARDS, DEDUCTIONS,
VETOES); the rest are the few rules that need a decision the text leaves open:
rating bands, group cases, and the correction deadline.

Sign convention: `Item.points` is always a magnitude (>= 0, or None). Whether
it adds or subtracts is given by the tuple the item is in: AWARDS add,
DEDUCTIONS subtract (see `signed_points`). VETOES carry no points; any one of
them makes the year 不合格 (二(三)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from policy.workdays import WorkCalendar


@dataclass(frozen=True)
class Item:
    """One line of the catalogue: its clause, a stable key, the source's words, and its points."""

    clause: str
    key: str
    title: str
    points: int | None  # None: 视情况 (二(一)12) or a veto (二(三))


# 二(一) 律师完成下列事项获得相应积分
AWARDS: tuple[Item, ...] = (
    Item("二(一)1", "case", "办理法律援助案件的,每件得20分", 20),
    Item("二(一)1", "legal_help", "提供法律帮助(单独指派)的,每件得5分", 5),
    Item("二(一)2", "document", "代拟法律文书,出具法律意见的,每份得5分", 5),
    Item("二(一)3", "duty_day", "参与法律援助值班的,每天得10分", 10),
    Item("二(一)4", "activity", "配合市法律援助中心组织各类活动,提供法律咨询、上门服务的,每次得10分", 10),
    Item("二(一)5", "quality_review", "参与案件质量评估活动的,每次得10分", 10),
    Item("二(一)6", "report_city", "报送法律援助案例和信息被衢州市级采用的,每篇得10分", 10),
    Item("二(一)6", "report_province", "报送法律援助案例和信息被省级采用的,每篇得20分", 20),
    Item("二(一)6", "report_ministry", "报送法律援助案例和信息被部级采用的,每篇得30分", 30),
    Item("二(一)7", "pre_aid_mediation", "律师参与法律援助案件援前调解工作的,每件得10分", 10),
    Item("二(一)8", "excellent_case", "年度案件质量抽查评估被评为优秀的,每件得10分", 10),
    Item("二(一)9", "non_workday_consult", "非工作日解答微信小程序或网络法律咨询的,每件得5分", 5),
    Item("二(一)10", "praise", "在承办法律援助案件中受到受援人表扬的,每件得10分", 10),
    Item("二(一)11", "major_event", "在处理群体性案件等重大、疑难、复杂或突发事件中发挥积极作用的,每件得10分", 10),
    Item("二(一)12", "other_award", "其他应该予以表彰奖励的事项,视情况得分", None),
)

# 二(二) 律师有下列事由的扣减相应积分 (magnitudes; they are subtracted)
DEDUCTIONS: tuple[Item, ...] = (
    Item("二(二)1", "duty_misconduct", "值班存在迟到、早退、擅自换人、中途离岗、态度恶劣等不当情形的,每发现一次扣2分", 2),
    Item("二(二)2", "late_upload", "案件材料未及时录入上传平台的,每件扣2分", 2),
    Item("二(二)2", "incomplete_upload", "案件材料录入不完整的扣3分", 3),
    Item("二(二)3", "late_archive", "案件结案后超过15天归档的,每件扣2分", 2),
    Item("二(二)4", "hearing_not_notified", "未通知法律援助中心开庭时间的,每件扣1分", 1),
)

# 二(三) 一票否决制,当年年度法律援助考核为不合格
VETOES: tuple[Item, ...] = (
    Item("二(三)1", "refused_case", "无正当理由拒绝接受或接受后拒绝承办案件的", None),
    Item("二(三)2", "harmed_client", "故意损害受援人利益的", None),
    Item("二(三)3", "complaint_upheld", "因违规办案被投诉,并经查证属实的", None),
    Item("二(三)4", "solicited_benefit", "索取受援人及其亲属钱、物或谋取其它不正当利益的", None),
    Item("二(三)5", "quality_failed", "案件质量评估结果为不合格的", None),
    Item("二(三)6", "lost_materials", "遗失案件重要材料的", None),
)

ITEMS_BY_KEY: Mapping[str, Item] = MappingProxyType({i.key: i for i in AWARDS + DEDUCTIONS + VETOES})

_DEDUCTION_KEYS = frozenset(i.key for i in DEDUCTIONS)
_VETO_KEYS = frozenset(i.key for i in VETOES)


def signed_points(key: str) -> int | None:
    """Points of one occurrence with their sign: awards positive, deductions negative.

    None for 二(一)12 (视情况) and for vetoes, which are not points.
    """
    item = ITEMS_BY_KEY[key]
    if item.points is None:
        return None
    return -item.points if key in _DEDUCTION_KEYS else item.points


def group_case_count(people: int) -> int:
    """How many cases a group case counts as (二(一)1: 群体性案件10人以下按2件计算,10人以上按三件计算).

    By 民法典第1259条 以上 and 以下 both include the number, so exactly 10 people
    fall under both halves. We count it as 3, the reading that favours the
    lawyer, as `rate` does for the shared band edges.

    A group needs at least two people; one person is an ordinary case, so
    `people` < 2 is a ValueError rather than a silent 1.
    """
    if people < 2:
        raise ValueError(f"a group case (群体性案件) needs at least 2 people, got {people}")
    return 2 if people < 10 else 3


class Rating(StrEnum):
    """Annual assessment grades (一(一))."""

    FAIL = "不合格"
    PASS = "合格"
    GOOD = "良好"
    EXCELLENT = "优秀"


@dataclass(frozen=True)
class Bands:
    """Lower edges of the 合格, 良好 and 优秀 bands, each edge inclusive.

    一(一) says: 60分以下 不合格, 60—70分 合格, 80—90分 良好, 90分以上 优秀. Read
    with 民法典第1259条 (以上、以下 include the number), 60 is both 不合格 and
    合格, and 90 both 良好 and 优秀; 70–80 belongs to no band. We resolve it here
    and nowhere else:
      [.., pass_from)               不合格
      [pass_from, good_from)        合格  (the 70–80 gap stays 合格: 良好 begins at 80)
      [good_from, excellent_from)   良好
      [excellent_from, ..)          优秀
    so a shared edge goes to the higher band (60 → 合格, 90 → 优秀), in favour of
    the person rated.
    """

    pass_from: int = 60
    good_from: int = 80
    excellent_from: int = 90

    def __post_init__(self) -> None:
        if not self.pass_from < self.good_from < self.excellent_from:
            raise ValueError(
                "band edges must ascend: "
                f"pass_from={self.pass_from}, good_from={self.good_from}, excellent_from={self.excellent_from}"
            )

    @classmethod
    def parse(cls, text: str) -> Bands:
        """Bands from configuration text such as "60,80,90"."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 3:
            raise ValueError(f"expected three comma-separated edges like '60,80,90', got {text!r}")
        try:
            edges = [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"band edges must be whole numbers, got {text!r}") from None
        return cls(*edges)


def rate(score: int, vetoed: bool, bands: Bands = Bands()) -> Rating:
    """The year's rating (一(一)); any veto (二(三)) makes it 不合格 whatever the score."""
    if vetoed or score < bands.pass_from:
        return Rating.FAIL
    if score < bands.good_from:
        return Rating.PASS
    if score < bands.excellent_from:
        return Rating.GOOD
    return Rating.EXCELLENT


def quarter_of(d: date) -> int:
    """The calendar quarter (1–4) of the centre's quarterly statement (二(四) 每季度进行一次统计)."""
    return (d.month - 1) // 3 + 1


def correction_deadline(discovered_on: date, cal: WorkCalendar | None = None) -> date:
    """Last day to report an omission (二(四): 统计有遗漏的,应在发现之日起5日内提出).

    Counted from the day the lawyer discovered the omission, which they state: the
    statement's date does not start the period. Under 民法典第201条 a period counted in
    days does not count its first day, and 5日内 includes the fifth day (第1259条), so
    the deadline is the end of discovery day + 5. With a `cal`, 第203条 also applies:
    a last day that is a 法定休假日 becomes the next working day.
    """
    last = discovered_on + timedelta(days=5)
    if cal is not None:
        while not cal.is_workday(last):
            last += timedelta(days=1)
    return last
