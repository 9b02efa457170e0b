"""Reading WeChat's XML: the flat shape WeChat sends is read by a pattern, everything else by defusedxml.

Wherever the pattern answers it must agree with the parser, and no body the parser would refuse
(entities, a DOCTYPE, characters XML cannot carry) may be read by the pattern.
"""

from __future__ import annotations

import defusedxml.ElementTree as SafeET
import pytest
from defusedxml import DefusedXmlException
from hypothesis import given, settings
from hypothesis import strategies as st
from xml.etree.ElementTree import ParseError

from bot.channels.wechat_protocol import ProtocolError, _flat_fields, cdata, parse_xml
from tests.bot.test_wechat import BILLION_LAUGHS, XXE

TEXT = ("<xml><ToUserName><![CDATA[gh_quzhou]]></ToUserName>\n<FromUserName><![CDATA[oElder1]]></FromUserName>\n"
        "<CreateTime>1348831860</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n"
        "<Content><![CDATA[我爸八十二岁 a<b & c]]></Content>\n<MsgId>1234567890123456</MsgId>\n</xml>")


def parsed(body: str) -> dict[str, str] | None:
    """What defusedxml reads, as parse_xml reports it; None where it refuses the body."""
    try:
        root = SafeET.fromstring(body.encode("utf-8", "surrogatepass"), forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError):
        return None
    return {child.tag: (child.text or "") for child in root} if root.tag == "xml" else None


def test_a_text_message_is_read_by_the_pattern_as_the_parser_reads_it():
    assert _flat_fields(TEXT.encode()) == parsed(TEXT) == {
        "ToUserName": "gh_quzhou", "FromUserName": "oElder1", "CreateTime": "1348831860", "MsgType": "text",
        "Content": "我爸八十二岁 a<b & c", "MsgId": "1234567890123456"}


@pytest.mark.parametrize("body", [
    XXE, BILLION_LAUGHS,
    TEXT.replace("<xml>", "<!DOCTYPE xml><xml>"),
    TEXT.replace("1348831860", "&#49;348831860"),  # a character reference: the parser's business
    TEXT.replace("<MsgId>", '<MsgId kind="x">'),
    TEXT.replace("\n", "\r\n"),  # the parser turns line ends into \n
    TEXT.replace("a<b", "a\x01b"),  # a character XML cannot carry
    TEXT.replace("<![CDATA[我爸", "<![CDATA[]]]]><![CDATA[>我爸"),  # two CDATA sections in one field
    TEXT.replace("<MsgId>1234567890123456</MsgId>", "<Info><Item>1</Item></Info>"),  # nested
])
def test_anything_but_the_flat_shape_goes_to_the_parser(body):
    assert _flat_fields(body.encode("utf-8")) is None


@pytest.mark.parametrize("body", [XXE, BILLION_LAUGHS])
def test_entity_attacks_are_still_refused(body):
    with pytest.raises(ProtocolError):
        parse_xml(body.encode())


NAMES = st.sampled_from(["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "A"])
VALUES = st.lists(st.sampled_from(list("ab 1<>&]\r\n\t\x00\x0b\u3000\x85\ufffe你") + ["]]>", "<![CDATA[", "&amp;"]),
                  max_size=10).map("".join)
GAPS = st.sampled_from(["", "\n", " ", "\t", "\r\n", "\u3000", "\x0c"])


@st.composite
def bodies(draw) -> str:
    fields = []
    for _ in range(draw(st.integers(0, 5))):
        name, value, how = draw(NAMES), draw(VALUES), draw(st.sampled_from(["cdata", "escaped", "raw", "plain"]))
        inner = {"cdata": f"<![CDATA[{value}]]>", "escaped": cdata(value), "raw": value,
                 "plain": value.replace("<", "").replace("&", "")}[how]
        fields.append(f"{draw(GAPS)}<{name}>{inner}</{name}>")
    return "<xml>" + "".join(fields) + draw(GAPS) + "</xml>" + draw(GAPS)


@settings(max_examples=400, deadline=None)
@given(bodies())
def test_where_the_pattern_answers_the_parser_reads_the_same(body):
    fields = _flat_fields(body.encode("utf-8", "surrogatepass"))
    if fields is not None:
        assert fields == parsed(body)
