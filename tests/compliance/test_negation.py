"""A negated claim and a quoted mention are legal uses; a claim is still a claim."""

from __future__ import annotations

import pytest

from contentgen.compliance.context import mentioned, negated
from contentgen.compliance.normalize import normalize


@pytest.mark.parametrize(("fam", "text", "term", "expected"), [
    ("zh", "本品不能治疗腹泻", "治疗", True),
    ("zh", "这只基金不保本", "保本", True),
    ("zh", "我们不承诺保本保收益", "保收益", True),
    ("zh", "并非保本产品", "保本", True),
    ("zh", "不节食也能瘦", "也能瘦", False),  # 不节食 does not negate 也能瘦
    ("zh", "非常有效", "有效", False),  # 非常 is "very"
    ("zh", "这个不错，效果最好", "最好", False),
    ("zh", "不用犹豫，保本又高收益", "保本", False),  # another clause
    ("ja", "元本保証ではありません", "元本保証", True),
    ("ja", "シミが消えるわけではありません", "シミが消える", True),
    ("ja", "病気が治りません", "治", True),
    ("ja", "シミが消える美容液", "シミが消える", False),
    ("ja", "必ず儲かる、間違いない", "必ず儲かる", False),
    ("default", "returns are not guaranteed", "guaranteed", True),
    ("default", "it does not cure colds", "cure", True),
    ("default", "there is no guarantee of profit", "guarantee", True),
    ("default", "it will cure colds", "cure", False),
    ("default", "don't miss our #1 pick", "#1", False),
    ("default", "not only safe but guaranteed", "guaranteed", False),
])
def test_negation(fam: str, text: str, term: str, expected: bool) -> None:
    t = normalize(text, fam).text
    i = t.index(normalize(term, fam).text)
    assert negated(t, i, i + len(normalize(term, fam).text), fam) is expected


@pytest.mark.parametrize(("text", "term", "expected"), [
    ("请警惕“稳赚不赔”这类宣传", "稳赚不赔", True),
    ("不讲“药妆”“医学护肤”这种说法", "医学护肤", True),
    ("所谓“根治”，其实并不存在", "根治", True),
    ("「必ず儲かる」といった勧誘にご注意ください", "必ず儲かる", True),
    ('beware of "guaranteed returns" pitches', "guaranteed returns", True),
    ("我们的产品“最好”", "最好", False),  # quoted, but claimed
    ("这款面霜是“药妆”", "药妆", False),
    ('Our "guaranteed" plan', "guaranteed", False),
    ("三等奖神秘好礼等你拿", "三等奖", False),  # no quote at the text's start is no quote
])
def test_mention(text: str, term: str, expected: bool) -> None:
    i = text.index(term)
    assert mentioned(text, i, i + len(term)) is expected
