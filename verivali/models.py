from django.db import models
from django.utils.translation import gettext_lazy as _

from pandu.models import TimeStampedModel


class ScorecardVersion(TimeStampedModel):
    """A version of the local poverty scorecard. Once an assessment uses it, it is never edited."""

    number = models.PositiveSmallIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    notes = models.TextField(_("notes"), blank=True)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="scorecard_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number} · {self.name}"


class Indicator(models.Model):
    class Group(models.TextChoices):
        HOUSE = "house", _("House")
        SOCIOECONOMIC = "socioeconomic", _("Socio-economic")

    version = models.ForeignKey(ScorecardVersion, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"))
    group = models.CharField(_("group"), max_length=15, choices=Group.choices)
    code = models.CharField(_("code"), max_length=10)
    text = models.CharField(_("question"), max_length=200)
    option_1 = models.CharField(_("answer scored 1 (poorest)"), max_length=150)
    option_2 = models.CharField(_("answer scored 2"), max_length=150)
    option_3 = models.CharField(_("answer scored 3"), max_length=150)
    option_4 = models.CharField(_("answer scored 4 (least poor)"), max_length=150)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="indicator_code_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def options(self) -> list[tuple[int, str]]:
        return [(1, self.option_1), (2, self.option_2), (3, self.option_3), (4, self.option_4)]


class ClassBand(models.Model):
    """A welfare class of a version: an inclusive score range (default 16–32 very poor, …)."""

    class WelfareClass(models.TextChoices):
        VERY_POOR = "very_poor", _("Very poor")
        POOR = "poor", _("Poor")
        NEAR_POOR = "near_poor", _("Near poor")
        NOT_POOR = "not_poor", _("Not poor")

    version = models.ForeignKey(ScorecardVersion, on_delete=models.CASCADE, related_name="bands")
    welfare_class = models.CharField(_("class"), max_length=10, choices=WelfareClass.choices)
    min_score = models.PositiveSmallIntegerField(_("lowest score"))
    max_score = models.PositiveSmallIntegerField(_("highest score"))

    class Meta:
        ordering = ["version", "min_score"]
        verbose_name = _("class band")
        verbose_name_plural = _("class bands")
        constraints = [
            models.UniqueConstraint(fields=["version", "welfare_class"], name="band_class_per_version"),
            models.CheckConstraint(condition=models.Q(min_score__lte=models.F("max_score")), name="band_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_welfare_class_display()} {self.min_score}–{self.max_score}"
