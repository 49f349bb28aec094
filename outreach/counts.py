"""The daily counts: every result adds to its village's count and to each ancestor's roll-up.

`DailyCount` holds villages, `RegionCount` every district, regency, province and the country,
with the same keys (service, outcome, failure reason, day). Both are changed here only, in
the caller's transaction, so they always agree with the results; readers ask this module for
a region's numbers and get one indexed lookup at any level. `rebuild` recomputes both from
the results and tallies (`python manage.py rebuild_daily_counts`).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter

from django.db import connection
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Substr

from outreach.models import Activation, DailyCount, Outcome, RegionCount, TallyLine
from regions.models import COUNTRY_CODE, Level, Region

Key = tuple[int, str, str, str, datetime.date]  # (village id, service, outcome, failure reason, day)

_ancestors: dict[int, list[int]] = {}


def ancestors_of(village_id: int) -> list[int]:
    """The ids of a village's district, regency, province and the country (cached: codes never move)."""
    if village_id not in _ancestors:
        village = Region.objects.get(pk=village_id)
        _ancestors[village_id] = list(Region.objects.filter(code__in=village.ancestor_codes()).values_list("pk", flat=True))
    return _ancestors[village_id]


def _subtract(model, owner_field: str, owner: int, key: dict, amount: int) -> None:
    """Take `amount` off a key's shards, the fullest first: a correction may span several shards.
    The shards are locked (in id order, so two corrections never deadlock) before they are read."""
    shards = list(model.objects.select_for_update().filter(**{owner_field: owner}, **key, count__gt=0)
                  .order_by("pk").values_list("pk", "count"))
    for pk, count in sorted(shards, key=lambda shard: -shard[1]):
        take = min(amount, count)
        model.objects.filter(pk=pk).update(count=F("count") - take)
        amount -= take
        if not amount:
            return
    raise ValueError(f"{model.__name__}: the count of {owner_field}={owner} {key} would go below zero")


def add(deltas: dict[Key, int]) -> None:
    """Add to the counts of each key, in the caller's transaction (a negative delta corrects).

    Additions are one upsert per table (INSERT ... ON CONFLICT DO UPDATE), so two saves that
    create the same row at the same moment both count; corrections take from the shards."""
    add_many({key: delta for key, delta in deltas.items() if delta > 0})
    for (village_id, service, outcome, reason, day), delta in deltas.items():
        if delta < 0:
            key = {"service": service, "outcome": outcome, "failure_reason": reason, "day": day}
            _subtract(DailyCount, "village_id", village_id, key, -delta)
            for region in ancestors_of(village_id):
                _subtract(RegionCount, "region_id", region, key, -delta)


def _load_ancestors(village_ids: set[int]) -> None:
    """Fill the ancestor cache for many villages in two queries."""
    missing = [pk for pk in village_ids if pk not in _ancestors]
    if not missing:
        return
    codes = dict(Region.objects.filter(pk__in=missing).values_list("pk", "code"))
    wanted = {pk: Region(code=code).ancestor_codes() for pk, code in codes.items()}
    ids = dict(Region.objects.filter(code__in={c for chain in wanted.values() for c in chain}).values_list("code", "pk"))
    for pk, chain in wanted.items():
        _ancestors[pk] = [ids[code] for code in chain if code in ids]


def add_many(deltas: dict[Key, int]) -> None:
    """Add positive deltas: one upsert per table on one random shard (a save, or a bulk import's batch)."""
    deltas = {key: n for key, n in deltas.items() if n}
    if not deltas:
        return
    if any(n < 0 for n in deltas.values()):
        raise ValueError("add_many adds; corrections go through add()")
    _load_ancestors({key[0] for key in deltas})
    rolled: Counter = Counter()
    for (village, *rest), n in deltas.items():
        for region in _ancestors[village]:
            rolled[(region, *rest)] += n
    if connection.vendor == "postgresql":
        # Both tables in one statement (the first upsert as a data-modifying WITH): one round trip.
        village_sql, village_params = _upsert_sql(DailyCount, "village_id", deltas)
        region_sql, region_params = _upsert_sql(RegionCount, "region_id", rolled)
        with connection.cursor() as cursor:
            cursor.execute(f"WITH villages AS ({village_sql}) {region_sql}", [*village_params, *region_params])
        return
    _upsert_sqlite(DailyCount, "village_id", deltas)
    _upsert_sqlite(RegionCount, "region_id", rolled)


KEY_COLUMNS = ("service", "outcome", "failure_reason", "day", "shard")


def _upsert_sql(model, owner: str, totals: dict[Key, int]) -> tuple[str, list]:
    """PostgreSQL: one INSERT ... ON CONFLICT DO UPDATE over unnest arrays, on one random shard."""
    table = connection.ops.quote_name(model._meta.db_table)
    key_columns = ", ".join([owner, *KEY_COLUMNS])
    items = sorted(totals.items())  # the same order everywhere: concurrent imports do not deadlock
    owners, services, outcomes, reasons, days = (list(column) for column in zip(*(key for key, _n in items)))
    sql = (
        f"INSERT INTO {table} ({key_columns}, count) "
        "SELECT v, s, o, r, d, %s, n FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], "
        "%s::date[], %s::integer[]) AS u(v, s, o, r, d, n) "
        f"ON CONFLICT ({key_columns}) DO UPDATE SET count = {table}.count + EXCLUDED.count"
    )
    return sql, [random.randrange(model.SHARDS), owners, services, outcomes, reasons, days, [n for _key, n in items]]


def _upsert_sqlite(model, owner: str, totals: dict[Key, int]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    key_columns = ", ".join([owner, *KEY_COLUMNS])
    shard = random.randrange(model.SHARDS)
    items = sorted(totals.items())
    with connection.cursor() as cursor:
        for offset in range(0, len(items), 100):
            chunk = items[offset: offset + 100]
            params = [value for (owner_id, service, outcome, reason, day), n in chunk
                      for value in (owner_id, service, outcome, reason, day.isoformat(), shard, n)]
            cursor.execute(
                f"INSERT INTO {table} ({key_columns}, count) "
                f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s, %s)'] * len(chunk))} "
                f"ON CONFLICT ({key_columns}) DO UPDATE SET count = count + excluded.count",
                params,
            )


def rebuild() -> int:
    """Recompute the village counts from the results and tallies, then the roll-ups; returns the village rows."""
    DailyCount.objects.all().delete()
    totals: Counter = Counter()
    people = Activation.objects.values_list("village_id", "service", "outcome", "failure_reason", "happened_on").annotate(
        total=Count("id")).order_by()
    for *key, total in people:
        totals[tuple(key)] += total
    tallies = TallyLine.objects.values_list(
        "submission__session__venue__village_id", "service", "outcome", "failure_reason", "submission__session__date"
    ).annotate(total=Sum("count")).order_by()
    for *key, total in tallies:
        totals[tuple(key)] += total
    DailyCount.objects.bulk_create(
        [DailyCount(village_id=v, service=s, outcome=o, failure_reason=r, day=d, shard=0, count=n)
         for (v, s, o, r, d), n in totals.items() if n],
        batch_size=5000,
    )
    rebuild_roll_ups()
    return len(totals)


def rebuild_roll_ups() -> None:
    """Recompute every district, regency, province and country count from the village counts."""
    RegionCount.objects.all().delete()
    _ancestors.clear()
    widths = {Level.DISTRICT: 8, Level.REGENCY: 5, Level.PROVINCE: 2, Level.COUNTRY: 0}
    for level, width in widths.items():
        prefix = Substr("village__code", 1, width) if width else Value(COUNTRY_CODE)
        rows = (DailyCount.objects.values_list(prefix, "service", "outcome", "failure_reason", "day")
                .annotate(total=Sum("count")).order_by())
        owners = dict(Region.objects.filter(level=level).values_list("code", "pk"))
        batch = []
        for code, service, outcome, reason, day, total in rows.iterator(chunk_size=10_000):
            if total and code in owners:
                batch.append(RegionCount(region_id=owners[code], service=service, outcome=outcome,
                                         failure_reason=reason, day=day, shard=0, count=total))
            if len(batch) >= 10_000:
                RegionCount.objects.bulk_create(batch)
                batch = []
        RegionCount.objects.bulk_create(batch)


def _rows_for(regions: list[Region]):
    """(queryset, owner field) pairs covering `regions`: villages from DailyCount, the rest from the roll-up."""
    villages = [region.pk for region in regions if region.level == Level.VILLAGE]
    others = [region.pk for region in regions if region.level != Level.VILLAGE]
    found = []
    if villages:
        found.append((DailyCount.objects.filter(village_id__in=villages), "village_id"))
    if others:
        found.append((RegionCount.objects.filter(region_id__in=others), "region_id"))
    return found


def successes_by_day(regions: list[Region], service: str, *, after: datetime.date | None = None,
                     through: datetime.date) -> dict[int, dict[datetime.date, int]]:
    """Successes per day in (after, through] for each region's whole area: at most two queries."""
    found: dict[int, dict[datetime.date, int]] = {region.pk: {} for region in regions}
    for rows, owner in _rows_for(regions):
        rows = rows.filter(service=service, outcome=Outcome.SUCCESS, day__lte=through)
        if after is not None:
            rows = rows.filter(day__gt=after)
        for region_id, day, total in rows.values_list(owner, "day").annotate(total=Sum("count")).order_by():
            found[region_id][day] = total
    return found


def success_totals(regions: list[Region], service: str, *, after: dict[int, datetime.date | None],
                   recent: datetime.date, through: datetime.date) -> dict[int, tuple[int, int]]:
    """For each region's whole area, summed in the database: successes in (after[region], through]
    (None: everything up to `through`) and in (recent, through]. At most two queries."""
    column_of = {day: f"after_{n}" for n, day in enumerate(sorted({day for day in after.values() if day}))}
    columns = {name: Sum("count", filter=Q(day__gt=day)) for day, name in column_of.items()}
    found: dict[int, tuple[int, int]] = {region.pk: (0, 0) for region in regions}
    for rows, owner in _rows_for(regions):
        rows = rows.filter(service=service, outcome=Outcome.SUCCESS, day__lte=through).values(owner)
        rows = rows.annotate(**columns, ever=Sum("count"), recent=Sum("count", filter=Q(day__gt=recent)))
        for row in rows.order_by():
            total = row[column_of.get(after.get(row[owner]), "ever")]
            found[row[owner]] = (total or 0, row["recent"] or 0)
    return found


def failures(region: Region, *, services: list[str], start: datetime.date, end: datetime.date) -> list[tuple[str, int]]:
    """Failure reasons in the region's area from `start` to `end`, most first (one query)."""
    [(rows, _owner)] = _rows_for([region])
    return [
        (reason, total)
        for reason, total in rows.filter(outcome=Outcome.FAILED, service__in=services, day__range=(start, end))
        .values_list("failure_reason").annotate(total=Sum("count")).order_by("-total", "failure_reason")
        if total
    ]
