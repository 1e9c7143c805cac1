"""The local poverty scorecard as a pure function: no database, no side effects.

A household's score is the sum of its answers (each 1 = poorest … 4), so 16–64 with
16 indicators, as a local scorecard has them; its class is the version's band that holds the score. The
breakdown lists every indicator's answer and contribution, so a citizen can be told why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class IndicatorLike(Protocol):
    code: str
    position: int
    text: str

    @property
    def options(self) -> list[tuple[int, str]]: ...


class BandLike(Protocol):
    welfare_class: str
    min_score: int
    max_score: int


@dataclass(frozen=True)
class BreakdownLine:
    position: int
    code: str
    question: str
    value: int
    answer: str


@dataclass(frozen=True)
class ScoreResult:
    score: int
    welfare_class: str
    lines: tuple[BreakdownLine, ...]


class IncompleteAnswers(ValueError):
    """Some indicators have no answer (or an answer outside 1–4)."""

    def __init__(self, missing: list[str]):
        super().__init__(", ".join(missing))
        self.missing = missing


def classify(score: int, bands: Iterable[BandLike]) -> str:
    """The class whose inclusive range holds the score; ValueError when no band does."""
    for band in bands:
        if band.min_score <= score <= band.max_score:
            return band.welfare_class
    raise ValueError(f"no class band holds the score {score}")


def score_answers(
    indicators: Sequence[IndicatorLike], answers: Mapping[str, int], bands: Iterable[BandLike]
) -> ScoreResult:
    """Score answers given by indicator code. Every indicator must have an answer 1–4."""
    missing = [i.code for i in indicators if answers.get(i.code) not in (1, 2, 3, 4)]
    if missing:
        raise IncompleteAnswers(missing)
    lines = tuple(
        BreakdownLine(
            position=i.position,
            code=i.code,
            question=i.text,
            value=answers[i.code],
            answer=dict(i.options)[answers[i.code]],
        )
        for i in sorted(indicators, key=lambda i: i.position)
    )
    score = sum(line.value for line in lines)
    return ScoreResult(score=score, welfare_class=classify(score, bands), lines=lines)
