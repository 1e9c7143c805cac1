"""The scorecard as a pure function: the sum of the answers and the band that holds it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verivali.models import ClassBand, Indicator
from verivali.scoring import IncompleteAnswers, classify, score_answers

BANDS = [
    ClassBand(welfare_class="very_poor", min_score=16, max_score=32),
    ClassBand(welfare_class="poor", min_score=33, max_score=40),
    ClassBand(welfare_class="near_poor", min_score=41, max_score=48),
    ClassBand(welfare_class="not_poor", min_score=49, max_score=64),
]
INDICATORS = [
    Indicator(
        position=n,
        code=f"X{n:02d}",
        text=f"Question {n}",
        option_1="worst",
        option_2="bad",
        option_3="fair",
        option_4="good",
    )
    for n in range(1, 17)
]
# The default bands' edges (16–32 very poor, 33–40 poor, 41–48 near poor, 49–64 not poor).
EDGES = [
    (16, "very_poor"),
    (32, "very_poor"),
    (33, "poor"),
    (40, "poor"),
    (41, "near_poor"),
    (48, "near_poor"),
    (49, "not_poor"),
    (64, "not_poor"),
]


@pytest.mark.parametrize(("score", "expected"), EDGES)
def test_band_edges_classify_inclusively(score, expected):
    assert classify(score, BANDS) == expected


@pytest.mark.parametrize("score", [15, 65])
def test_score_outside_every_band_is_an_error(score):
    with pytest.raises(ValueError):
        classify(score, BANDS)


def _answers_summing_to(total: int) -> dict[str, int]:
    values = [1] * 16
    rest = total - 16
    for index in range(16):
        step = min(3, rest)
        values[index] += step
        rest -= step
    return {i.code: v for i, v in zip(INDICATORS, values, strict=True)}


@pytest.mark.parametrize(("total", "expected"), EDGES)
def test_answers_on_the_band_edges_get_their_class(total, expected):
    result = score_answers(INDICATORS, _answers_summing_to(total), BANDS)
    assert result.score == total
    assert result.welfare_class == expected


def test_breakdown_names_every_answer_and_its_contribution():
    answers = {i.code: 1 + (i.position % 4) for i in INDICATORS}
    result = score_answers(INDICATORS, answers, BANDS)
    assert [line.code for line in result.lines] == [i.code for i in INDICATORS]
    assert result.lines[0].value == 2 and result.lines[0].answer == "bad"
    assert result.lines[2].value == 4 and result.lines[2].answer == "good"
    assert sum(line.value for line in result.lines) == result.score


def test_a_missing_answer_is_named():
    answers = {i.code: 2 for i in INDICATORS[:-1]}
    with pytest.raises(IncompleteAnswers) as error:
        score_answers(INDICATORS, answers, BANDS)
    assert error.value.missing == ["X16"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=4), min_size=16, max_size=16))
def test_score_is_the_sum_and_class_matches_the_bands(values):
    answers = {i.code: v for i, v in zip(INDICATORS, values, strict=True)}
    result = score_answers(INDICATORS, answers, BANDS)
    assert result.score == sum(values)
    assert 16 <= result.score <= 64
    band = next(b for b in BANDS if b.min_score <= result.score <= b.max_score)
    assert result.welfare_class == band.welfare_class
    assert [line.value for line in result.lines] == values
