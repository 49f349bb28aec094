"""Held sessions rolled up: how many sessions were held and how many successes they had, per
region (the village and each ancestor), day, venue type and audience (`HeldCount`).

A session counts while its status is done and it has a close-out (the operator's report), with
the successes kept on the close-out. The import's container session ("Impor daftar", done
without a close-out) is not a field session and never counts.

Every change that can move a session in or out of that state, or change its successes, runs
inside `tracking(session_id)`: the session's contribution is read (and the session row
locked) before and after, and the difference is added to the village and its ancestors in the
same transaction. Readers ask `yields()` and get one indexed lookup at any level.
`rebuild()` recomputes everything from the sessions (`rebuild_daily_counts`).
"""

from __future__ import annotations

import contextlib
import datetime
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from outreach import counts
from outreach.models import HeldCount, Session, Status
from regions.models import Region

# A contribution's key: (village id, day, venue type, audience key).
Key = tuple[int, datetime.date, str, str]


def audience_key(values) -> str:
    return ",".join(sorted(values or []))


def audience_values(key: str) -> list[str]:
    return key.split(",") if key else []


def snapshot(session_id: int) -> tuple[Key, int] | None:
    """The session's contribution now: its key and successes, or None when it is not held."""
    row = (Session.objects.select_for_update(of=("self",)).filter(pk=session_id)
           .values_list("status", "venue__village_id", "date", "venue__type", "audience", "close_out__successes").first())
    if row is None or row[0] != Status.DONE or row[5] is None:  # not held, or no close-out
        return None
    _status, village, day, venue_type, audience, successes = row
    return (village, day, venue_type, audience_key(audience)), successes


@contextlib.contextmanager
def tracking(session_id: int):
    """Wrap a change to one session: its held contribution before and after goes to the counts."""
    with transaction.atomic():
        before = snapshot(session_id)
        yield
        apply(before, snapshot(session_id))


def apply(before: tuple[Key, int] | None, after: tuple[Key, int] | None) -> None:
    """Move a session's contribution from `before` to `after` (either may be None: not held)."""
    change: dict[Key, list[int]] = {}
    for state, sign in ((before, -1), (after, 1)):
        if state:
            key, successes = state
            change.setdefault(key, [0, 0])
            change[key][0] += sign
            change[key][1] += sign * successes
    for key, (sessions, successes) in change.items():
        if sessions or successes:
            _add(key, sessions, successes)


def _add(key: Key, sessions: int, successes: int) -> None:
    village, day, venue_type, audience = key
    for region in [village, *counts.ancestors_of(village)]:
        fields = {"region_id": region, "day": day, "venue_type": venue_type, "audience": audience}
        if HeldCount.objects.filter(**fields).update(sessions=F("sessions") + sessions, successes=F("successes") + successes):
            continue
        try:
            with transaction.atomic():
                HeldCount.objects.create(**fields, sessions=sessions, successes=successes)
        except IntegrityError:  # created meanwhile by another close-out
            HeldCount.objects.filter(**fields).update(sessions=F("sessions") + sessions, successes=F("successes") + successes)


def yields(region: Region, start: datetime.date, end: datetime.date) -> list[tuple[str, str, int, int]]:
    """(venue type, audience key, sessions held, successes) of the region from `start` to `end`."""
    return list(
        HeldCount.objects.filter(region=region, day__range=(start, end)).values_list("venue_type", "audience")
        .annotate(held=Sum("sessions"), won=Sum("successes")).order_by()
    )


@transaction.atomic
def rebuild() -> int:
    """Recompute every row from the sessions; returns the rows written."""
    HeldCount.objects.all().delete()
    villages: Counter = Counter()
    won: Counter = Counter()
    held = (Session.objects.filter(status=Status.DONE, close_out__isnull=False)
            .values_list("venue__village_id", "date", "venue__type", "audience", "close_out__successes"))
    for village, day, venue_type, audience, successes in held.iterator(chunk_size=10_000):
        key = (village, day, venue_type, audience_key(audience))
        villages[key] += 1
        won[key] += successes
    counts._load_ancestors({key[0] for key in villages})
    sessions: Counter = Counter()
    successes: Counter = Counter()
    for (village, *rest), n in villages.items():
        for region in [village, *counts.ancestors_of(village)]:
            sessions[(region, *rest)] += n
            successes[(region, *rest)] += won[(village, *rest)]
    HeldCount.objects.bulk_create(
        [HeldCount(region_id=region, day=day, venue_type=venue_type, audience=audience, sessions=n,
                   successes=successes[(region, day, venue_type, audience)])
         for (region, day, venue_type, audience), n in sessions.items()],
        batch_size=10_000,
    )
    return len(sessions)
