"""Progress toward a target: the one computation behind the command, and later the dashboard,
exports and weekly summaries. Exactly DESIGN.md's "Progress" and "Counting by when it happened".

Estimated achievement on date D = the latest official figure on or before D + successful
outreach activations that happened after that figure's date, up to D (from the daily counts,
never the per-person rows). A paper list imported later with old dates is therefore already
inside the official figure that followed it.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from outreach import counts
from outreach.services import holiday_name
from regions.figures import RegionFigures, region_figures
from regions.models import Region

PACE_DAYS = 28
AT_RISK_SHARE = Decimal("0.75")
PROJECTION_YEARS = 10


class Status:
    REACHED = "reached"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    NO_TARGET = "no_target"


STATUS_LABELS = {
    Status.REACHED: _("tercapai"),
    Status.ON_TRACK: _("sesuai jalur"),
    Status.AT_RISK: _("berisiko"),
    Status.BEHIND: _("tertinggal"),
    Status.NO_TARGET: _("tidak ada target"),
}


class NoBase(Exception):
    """The region has no population figure (wajib KTP or children) on or before the date."""


@dataclass(frozen=True)
class Progress:
    region: Region
    indicator: str
    year: int
    as_of: datetime.date
    base: int
    base_is_partial: bool
    target_percent: Decimal | None
    target_source: str
    target_count: int | None
    achieved: int
    coverage_percent: Decimal
    remaining: int | None
    working_days_left: int | None
    required_per_day: int | None
    required_per_week: int | None
    pace_per_week: Decimal
    projected_date: datetime.date | None
    status: str
    # Where `achieved` starts: the latest official figure (None when there is none).
    official_count: int | None = None
    official_as_of: datetime.date | None = None
    target_due: datetime.date | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def past_due(self) -> bool:
        """The target's due date lies before the as-of date: no working day is left for it."""
        return self.target_due is not None and self.target_due < self.as_of

    def as_dict(self) -> dict:
        """Plain values for JSON and CSV: numbers stay numbers, dates become ISO strings."""
        def plain(value):
            if isinstance(value, Decimal):
                return float(value)
            if isinstance(value, datetime.date):
                return value.isoformat()
            return value

        return {
            "region_code": self.region.code,
            "region_name": self.region.name,
            **{name: plain(getattr(self, name)) for name in FIELDS[2:]},
        }


FIELDS = [
    "region_code", "region_name", "indicator", "year", "as_of", "base", "base_is_partial", "target_percent",
    "target_source", "target_count", "achieved", "coverage_percent", "remaining", "working_days_left",
    "required_per_day", "required_per_week", "pace_per_week", "projected_date", "status",
]


def working_days(after: datetime.date, through: datetime.date) -> int:
    """Monday–Friday after `after` up to and including `through`, less holidays and cuti bersama."""
    days = 0
    day = after + datetime.timedelta(days=1)
    while day <= through:
        if day.weekday() < 5 and not holiday_name(day):
            days += 1
        day += datetime.timedelta(days=1)
    return days


def successes_per_day(region: Region, indicator: str, after: datetime.date, through: datetime.date) -> dict[datetime.date, int]:
    """Successful outreach in the region's area per day in (after, through] (one query)."""
    return counts.successes_by_day([region], indicator, after=after, through=through)[region.pk]


def progress_for(
    regions: list[Region], *, indicator: str, year: int, as_of: datetime.date, skip_missing_base: bool = False,
    figures: dict[int, RegionFigures] | None = None,
) -> list[Progress]:
    """Progress of each region; raises NoBase naming the first region without a base, or leaves
    such regions out with `skip_missing_base`. A caller reporting several indicators passes the
    regions' `figures` (region_figures for the same year and date) to read them once."""
    if figures is None:
        figures = region_figures(regions, year=year, as_of=as_of)
    # Outreach after each region's latest official figure, and in the last PACE_DAYS days.
    official_dates = {region.pk: figures[region.pk].indicators[indicator].achieved.as_of for region in regions}
    outreach = counts.success_totals(regions, indicator, after=official_dates,
                                     recent=as_of - datetime.timedelta(days=PACE_DAYS), through=as_of)
    results = []
    for region in regions:
        item = figures[region.pk].indicators[indicator]
        if item.base.value is None:
            if skip_missing_base:
                continue
            raise NoBase(region)
        official = item.achieved
        since_official, recent = outreach[region.pk]
        achieved = (official.value or 0) + since_official
        pace = Decimal(recent) / 4
        coverage = (Decimal(achieved) * 100 / Decimal(item.base.value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) \
            if item.base.value else Decimal("0.00")
        target = item.target
        remaining = working = per_day = per_week = projected = None
        target_count = item.target_count
        if not target.exists:
            status = Status.NO_TARGET
        else:
            remaining = max(target_count - achieved, 0)
            working = working_days(as_of, target.due)
            if working:
                per_day = math.ceil(remaining / working)
                per_week = per_day * 5
            if remaining == 0:
                status, projected = Status.REACHED, as_of
            elif not working:
                status = Status.BEHIND
            elif pace >= per_week:
                status = Status.ON_TRACK
            elif pace >= per_week * AT_RISK_SHARE:
                status = Status.AT_RISK
            else:
                status = Status.BEHIND
            if remaining and pace > 0:
                days = math.ceil(remaining / pace * 7)
                # At a pace that would take longer than PROJECTION_YEARS there is no useful date.
                projected = as_of + datetime.timedelta(days=days) if days <= PROJECTION_YEARS * 366 else None
        results.append(Progress(
            region=region, indicator=indicator, year=year, as_of=as_of, base=item.base.value,
            base_is_partial=item.base.partial, target_percent=target.percent, target_source=target.source_label,
            target_count=target_count, achieved=achieved, coverage_percent=coverage, remaining=remaining,
            working_days_left=working, required_per_day=per_day, required_per_week=per_week,
            pace_per_week=pace.quantize(Decimal("0.01")), projected_date=projected, status=status,
            official_count=official.value, official_as_of=official.as_of, target_due=target.due,
        ))
    return results
