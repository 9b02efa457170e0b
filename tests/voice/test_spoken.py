"""Citations read aloud: every form the knowledge base and the catalog use, as a person says it."""

from __future__ import annotations

import re

import pytest

from common.catalog import load_catalog
from common.spoken import chinese_number, spoken
from faq.kb import load_kb

CASES = [
    # faq/data sources, shown as "依据：{source}"
    ("依据：衢市司发〔2020〕3号 二", "依据：衢州市司法局2020年3号文件第二条"),
    ("依据：衢市司发〔2020〕3号 二、三", "依据：衢州市司法局2020年3号文件第二条、第三条"),
    ("依据：衢市司发〔2020〕3号 (施行日期)", "依据：衢州市司法局2020年3号文件关于施行日期的规定"),
    ("依据：衢市司发〔2020〕4号 一(三)", "依据：衢州市司法局2020年4号文件第一条第三款"),
    ("依据：衢市司发〔2020〕4号 二(一)9", "依据：衢州市司法局2020年4号文件第二条第一款第九项"),
    ("依据：衢市司发〔2020〕4号 二(一)12", "依据：衢州市司法局2020年4号文件第二条第一款第十二项"),
    ("依据：衢市司发〔2020〕4号 (序言)、一(二)", "依据：衢州市司法局2020年4号文件序言、第一条第二款"),
    ("这是一般性提示。（参考：衢市司发〔2020〕3号 五）", "这是一般性提示。（参考：衢州市司法局2020年3号文件第五条）"),
    # catalog texts: the short form in brackets, and the full form in a sentence
    ("申请时免于经济状况审查（3号 二）。", "申请时免于经济状况审查（依据衢州市司法局2020年3号文件第二条）。"),
    ("可以预约上门服务（3号 三）。", "可以预约上门服务（依据衢州市司法局2020年3号文件第三条）。"),
    ("（衢市司发〔2020〕4号 二(四)）", "（依据衢州市司法局2020年4号文件第二条第四款）"),
    ("按衢市司发〔2020〕3号：", "按衢州市司法局2020年3号文件："),
    # other documents an answer names keep their own issuer
    ("依据是浙政办发〔2018〕32号", "依据是浙政办发2018年32号文件"),
    # numbers that are not citations stay as they are
    ("请拨打12348，住在3号楼", "请拨打12348，住在3号楼"),
]


@pytest.mark.parametrize(("shown", "said"), CASES)
def test_a_citation_is_said_in_words(shown, said):
    assert spoken(shown) == said


@pytest.mark.parametrize(("n", "words"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一")])
def test_item_numbers_are_said_as_chinese_numerals(n, words):
    assert chinese_number(n) == words


def test_no_source_in_the_knowledge_base_is_read_out_as_brackets_or_bare_clause_letters():
    for entry in load_kb().entries:
        said = spoken(f"依据：{entry.source}")
        assert "〔" not in said and "(" not in said, said
        assert re.search(r"\d号 ", said) is None, said


def test_no_catalog_text_keeps_a_short_citation_when_read():
    catalog = load_catalog()
    for key in catalog.keys():
        template = catalog._texts[key]
        assert re.search(r"（[34]号 ", spoken(template)) is None, key
