"""Reading a region's figures: population bases, targets and where they come from, official counts.

One place answers "what is this region's wajib KTP, its IKD target, its coverage on a date",
for the region browser now and for progress reports and exports later. Everything is read
for a page of regions at once (a region and its children) in a fixed number of queries.

Roll-up: a region without its own figure takes the sum of its children's own figures; the
sum is `partial` when some current children have none. Only one level is summed, so a
province without a figure is the sum of its regencies, not of 83,762 villages.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from regions.models import Indicator, OfficialFigure, Population, Region, Target

POPULATION_FIELDS = ("population", "male", "female", "wajib_ktp", "children")


@dataclass(frozen=True)
class Figure:
    """A number with its provenance: the region's own, or a (possibly partial) sum of its children."""

    value: int | None = None
    as_of: date | None = None
    summed: bool = False
    partial: bool = False

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class ResolvedTarget:
    """The target that applies to a region: its own, an ancestor's, the national default, or none."""

    percent: Decimal | None = None
    due: date | None = None
    source: Region | None = None
    national: bool = False

    @property
    def exists(self) -> bool:
        return self.percent is not None

    @property
    def source_label(self) -> str:
        if not self.exists:
            return _("tidak ada target")
        if self.national:
            return _("target nasional")
        return self.source.name


@dataclass(frozen=True)
class IndicatorFigures:
    indicator: Indicator
    base: Figure
    target: ResolvedTarget
    achieved: Figure

    @property
    def target_count(self) -> int | None:
        if not self.target.exists or self.base.value is None:
            return None
        return math.ceil(self.base.value * self.target.percent / Decimal(100))

    @property
    def coverage(self) -> Decimal | None:
        if self.achieved.value is None or not self.base.value:
            return None
        return (Decimal(self.achieved.value) * 100 / Decimal(self.base.value)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def remaining(self) -> int | None:
        if self.target_count is None:
            return None
        return max(self.target_count - (self.achieved.value or 0), 0)


@dataclass
class RegionFigures:
    region: Region
    population: dict[str, Figure] = field(default_factory=dict)
    indicators: dict[str, IndicatorFigures] = field(default_factory=dict)

    def coverage(self, indicator: str) -> Decimal | None:
        return self.indicators[indicator].coverage


def _latest_population(region_ids: set[int], as_of: date) -> dict[int, dict[str, Figure]]:
    """Each region's own latest non-blank value of every population field on or before `as_of`."""
    latest: dict[int, dict[str, Figure]] = defaultdict(dict)
    rows = Population.objects.filter(region_id__any_of=region_ids, as_of__lte=as_of).order_by("region_id", "-as_of")
    for row in rows.values("region_id", "as_of", *POPULATION_FIELDS):
        own = latest[row["region_id"]]
        for name in POPULATION_FIELDS:
            if name not in own and row[name] is not None:
                own[name] = Figure(row[name], row["as_of"])
    return latest


def _latest_official(region_ids: set[int], as_of: date) -> dict[int, dict[str, Figure]]:
    latest: dict[int, dict[str, Figure]] = defaultdict(dict)
    rows = OfficialFigure.objects.filter(region_id__any_of=region_ids, as_of__lte=as_of).order_by("region_id", "-as_of")
    for row in rows.values("region_id", "indicator", "as_of", "count"):
        latest[row["region_id"]].setdefault(row["indicator"], Figure(row["count"], row["as_of"]))
    return latest


def _rolled_up(own: Figure | None, children: list[Figure | None]) -> Figure:
    if own is not None:
        return own
    known = [figure for figure in children if figure is not None]
    if not known:
        return Figure()
    return Figure(
        value=sum(figure.value for figure in known),
        as_of=max(figure.as_of for figure in known),
        summed=True,
        partial=len(known) < len(children),
    )


def _targets(regions: list[Region], year: int) -> dict[tuple[str, str], Target]:
    """Targets of the year keyed by (region code or "", indicator) for the regions and their ancestors."""
    codes = {code for region in regions for code in [region.code, *region.ancestor_codes()]}
    rows = Target.objects.filter(Q(region__isnull=True) | Q(region__code__in=codes), year=year).select_related("region")
    return {(t.region.code if t.region_id else "", t.indicator): t for t in rows}


def resolve_target(region: Region, indicator: str, targets: dict[tuple[str, str], Target]) -> ResolvedTarget:
    """The region's own target, else the nearest ancestor's, else the national default."""
    for code in [region.code, *reversed(region.ancestor_codes())]:
        target = targets.get((code, indicator))
        if target is not None:
            return ResolvedTarget(target.percent, target.due, target.region, national=False)
    national = targets.get(("", indicator))
    if national is not None:
        return ResolvedTarget(national.percent, national.due, None, national=True)
    return ResolvedTarget()


def region_figures(regions: list[Region], *, year: int, as_of: date) -> dict[int, RegionFigures]:
    """Figures of each region in `regions` on `as_of`, with targets for `year` (five queries)."""
    if not regions:
        return {}
    page_ids = {region.pk for region in regions}
    children: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in Region.objects.filter(parent_id__in=page_ids, is_current=True).values_list(
        "id", "parent_id"
    ):
        children[parent_id].append(child_id)
    ids = page_ids | {child for kids in children.values() for child in kids}
    populations = _latest_population(ids, as_of)
    officials = _latest_official(ids, as_of)
    targets = _targets(regions, year)

    result = {}
    for region in regions:
        kids = children.get(region.pk, [])
        figures = RegionFigures(region)
        for name in POPULATION_FIELDS:
            figures.population[name] = _rolled_up(
                populations.get(region.pk, {}).get(name), [populations.get(kid, {}).get(name) for kid in kids]
            )
        for indicator in Indicator:
            achieved = _rolled_up(
                officials.get(region.pk, {}).get(indicator), [officials.get(kid, {}).get(indicator) for kid in kids]
            )
            figures.indicators[indicator.value] = IndicatorFigures(
                indicator=indicator,
                base=figures.population[indicator.base_field],
                target=resolve_target(region, indicator, targets),
                achieved=achieved,
            )
        result[region.pk] = figures
    return result


def default_year(today: date) -> int:
    """The latest year up to this one that has a target, so the browser opens on a year with one."""
    years = Target.objects.filter(year__lte=today.year).order_by("-year").values_list("year", flat=True)[:1]
    return years[0] if years else today.year
