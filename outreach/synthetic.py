"""Synthetic national data for benchmarks and demos at scale: deterministic for a seed.

Shape (DESIGN.md, issue 8): wajib KTP and children for every current village of the region
list, scaled so each regency holds about three quarters of its population from
population_2025.csv as wajib KTP (and a quarter as children), summed up the tree so every
level has a base; one office team per 800 sessions of a regency; a venue per village; held
sessions on working days of the year, four time slots a day, never double-booked; and
activations spread over the sessions: mostly IKD, some e-KTP and KIA, about 15% failures
with realistic reasons. NIKs have the right shape (district, birth date, serial), are
unique by construction and are stored only as HMAC hashes, like real ones.

Rows go in with COPY on PostgreSQL (executemany elsewhere); the daily counts and the
close-out successes are added from the same numbers, so `rebuild_daily_counts` agrees.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import itertools
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from outreach.models import Activation, CloseOut, DailyCount, Team, Venue, VenueType
from outreach import counts, held
from outreach.privacy import nik_hash
from outreach.services import holiday_name
from regions import audit
from regions.bulk import insert_rows
from regions.models import COUNTRY_CODE, Level, Population, Region, User, subtree_q

AS_OF = datetime.date(2025, 6, 30)
FIRST_DAY, LAST_DAY = datetime.date(2025, 1, 6), datetime.date(2025, 11, 28)
SLOTS = [(datetime.time(8), datetime.time(10)), (datetime.time(10), datetime.time(12)),
         (datetime.time(13), datetime.time(15)), (datetime.time(15), datetime.time(17))]
SESSIONS_PER_TEAM = 800
PER_SESSION = 50  # activations per session on average
WAJIB_SHARE, CHILD_SHARE = 0.75, 0.25
SERVICES = [("ikd", 0.70), ("ektp", 0.15), ("kia", 0.15)]
FAILURE_SHARE = 0.15
# Each service's own reasons (FailureReason.for_service): IKD's are about the phone and the app.
REASONS = {
    "ikd": [("no_phone", 0.35), ("old_phone", 0.20), ("no_email", 0.10), ("no_data", 0.10), ("face", 0.10),
            ("mismatch", 0.05), ("no_ektp", 0.05), ("other", 0.05)],
    "ektp": [("mismatch", 0.60), ("other", 0.40)],
    "kia": [("mismatch", 0.60), ("other", 0.40)],
}
SOURCE = "data sintetis"


class SyntheticExists(Exception):
    """Synthetic data is already there: its sessions hold the slots a second run would take."""


@dataclass
class Generated:
    villages: int
    populations: int
    sessions: int
    activations: int


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    roll = rng.random()
    for value, share in weighted:
        roll -= share
        if roll < 0:
            return value
    return weighted[-1][0]


def _working_days() -> list[datetime.date]:
    days, day = [], FIRST_DAY
    while day <= LAST_DAY:
        if day.weekday() < 5 and not holiday_name(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _regency_people(path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["region_code"]: int(row["population"]) for row in csv.DictReader(handle)
                if row["region_code"].count(".") == 1 and row["population"]}


def populations(root: Region, rng: random.Random, population_csv: Path) -> int:
    """Wajib KTP and children for every current village under `root`, summed up to the country."""
    people = _regency_people(population_csv)
    villages = list(Region.objects.filter(subtree_q([root.code]), level=Level.VILLAGE, is_current=True)
                    .order_by("code").values_list("pk", "code"))
    by_regency: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, code in villages:
        by_regency[code[:5]].append((pk, code))
    codes = Region.objects.filter(is_current=True).values_list("code", "pk")
    pk_of = dict(codes)
    totals: Counter = Counter()
    children: Counter = Counter()
    for regency, members in by_regency.items():
        population = people.get(regency, 0)
        weights = [rng.random() + 0.5 for _member in members]
        scale = sum(weights)
        for share_of, total, counter in ((WAJIB_SHARE, population, totals), (CHILD_SHARE, population, children)):
            wanted = round(total * share_of)
            given = 0
            for index, ((_pk, code), weight) in enumerate(zip(members, weights)):
                value = wanted - given if index == len(members) - 1 else int(wanted * weight / scale)
                given += value
                for prefix in _prefixes(code):
                    counter[prefix] += value
    if root.code != COUNTRY_CODE:
        # Only the subtree was generated: ancestors would get a partial sum, so leave them alone.
        totals = Counter({code: value for code, value in totals.items() if code.startswith(root.code)})
    Population.objects.filter(as_of=AS_OF, source=SOURCE, region__code__in=list(totals)).delete()
    created = Population.objects.bulk_create(
        [Population(region_id=pk_of[code], as_of=AS_OF, wajib_ktp=value, children=children[code], source=SOURCE)
         for code, value in totals.items() if code in pk_of],
        batch_size=5_000,
    )
    return len(created)


def _prefixes(village_code: str) -> list[str]:
    parts = village_code.split(".")
    return [COUNTRY_CODE] + [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def _nik(district: str, index: int, child: bool) -> tuple[str, datetime.date, bool]:
    """A well-formed NIK with its birth date and sex, unique for each index below 57 million:
    the index picks the birth date (a permutation of a range of days) and the serial."""
    span, start = (5_800, datetime.date(2009, 1, 1)) if child else (20_000, datetime.date(1950, 1, 1))
    born = start + datetime.timedelta(days=(index // 9_999) * 7_919 % span)
    female = index % 2 == 1
    day = born.day + (40 if female else 0)
    return f"{district.replace('.', '')}{day:02d}{born.month:02d}{born.year % 100:02d}{index % 9_999 + 1:04d}", born, female


def generate(*, activations: int, seed: int, root: Region, population_csv: Path) -> Generated:
    """Synthetic data writes no audit events (regions.audit.suppressed): it is not anyone's data."""
    with audit.suppressed():
        return _generate(activations=activations, seed=seed, root=root, population_csv=population_csv)


@transaction.atomic
def _generate(*, activations: int, seed: int, root: Region, population_csv: Path) -> Generated:
    rng = random.Random(seed)
    user, _created = User.objects.get_or_create(
        username="sintetis", defaults={"first_name": "Data", "last_name": "Sintetis", "role": User.Role.STAFF,
                                       "is_active": False}
    )
    if Activation.objects.filter(created_by=user).exists():
        raise SyntheticExists
    written = populations(root, rng, population_csv)
    regencies = list(Region.objects.filter(subtree_q([root.code]), level=Level.REGENCY, is_current=True).order_by("code"))
    villages: dict[str, list[Region]] = defaultdict(list)
    for village in Region.objects.filter(subtree_q([root.code]), level=Level.VILLAGE, is_current=True).order_by("code").only("pk", "code", "parent_id"):
        villages[village.code[:5]].append(village)
    weights = dict(Population.objects.filter(as_of=AS_OF, source=SOURCE, region__in=regencies).values_list("region_id", "wajib_ktp"))
    total_weight = sum(weights.values()) or 1
    days = _working_days()

    # Venues: one per village, named after it (existing ones are reused).
    existing = set(Venue.objects.filter(village__in=[v for vs in villages.values() for v in vs], name__startswith="Balai ")
                   .values_list("village_id", flat=True))
    Venue.objects.bulk_create(
        [Venue(name=f"Balai {v.code}", type=VenueType.KANTOR_DESA, village=v, address="Alamat sintetis")
         for vs in villages.values() for v in vs if v.pk not in existing], batch_size=5_000,
    )
    venue_of = dict(Venue.objects.filter(name__startswith="Balai ", village__code__in=[v.code for vs in villages.values() for v in vs])
                    .values_list("village_id", "pk"))

    session_table = "outreach_session"
    session_columns = ["id", "team_id", "start_time", "end_time", "offers_ikd", "offers_ektp", "offers_kia", "offers_other",
                       "audience", "expected_participants", "is_public", "notes", "venue_id", "date", "status",
                       "status_reason", "edited_individually", "is_field_visit", "created_by_id"]
    sessions_made = made = 0
    now = timezone.now()
    with connection.cursor() as cursor:
        # Ids are given explicitly (activations refer to them), then the sequence is moved past them.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM outreach_session")
        next_session = cursor.fetchone()[0] + 1
    plan: list[tuple] = []  # (session id, village, date, activations)
    sessions_rows = []
    for regency in regencies:
        members = villages.get(regency.code, [])
        if not members:
            continue
        wanted = round(activations * weights.get(regency.pk, 0) / total_weight)
        count = max(1, round(wanted / PER_SESSION)) if wanted else 0
        teams = [Team.objects.get_or_create(office=regency, name=f"Tim sintetis {regency.code} #{n + 1}",
                                            defaults={"leader": user})[0]
                 for n in range((count + SESSIONS_PER_TEAM - 1) // SESSIONS_PER_TEAM)]
        booked: set[tuple[int, datetime.date, int]] = set()
        per_session = [wanted // count + (1 if n < wanted % count else 0) for n in range(count)] if count else []
        for n in range(count):
            team_index, slot_index = divmod(n, SESSIONS_PER_TEAM)
            in_team = min(SESSIONS_PER_TEAM, count - team_index * SESSIONS_PER_TEAM)
            day = days[(slot_index // len(SLOTS)) * len(days) // -(-in_team // len(SLOTS))]  # spread over the year
            start, end = SLOTS[slot_index % len(SLOTS)]
            # A venue holds one session per slot: look further along for one that is free.
            choice = (slot_index + team_index) % len(members)
            for step in range(len(members)):
                village = members[(choice + step) % len(members)]
                if (village.pk, day, slot_index % len(SLOTS)) not in booked:
                    break
            booked.add((village.pk, day, slot_index % len(SLOTS)))
            sessions_rows.append((next_session + len(plan), teams[team_index].pk, start, end, True, True, True, False, '["umum"]', PER_SESSION,
                                  True, "", venue_of[village.pk], day, "done", "", False, True, user.pk))
            plan.append((next_session + len(plan), village, day, per_session[n]))
    insert_rows(session_table, session_columns, sessions_rows)
    sessions_made = len(sessions_rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('outreach_session', 'id'), "
                "GREATEST((SELECT MAX(id) FROM outreach_session), nextval(pg_get_serial_sequence('outreach_session', 'id'))))"
            )

    district_code = {v.pk: v.code[:8] for vs in villages.values() for v in vs}
    successes: Counter = Counter()
    counter = itertools.count()

    def rows() -> Iterator[tuple]:
        nonlocal made
        for session_id, village, day, amount in plan:
            for _n in range(amount):
                index = next(counter)
                service = _pick(rng, SERVICES)
                failed = rng.random() < FAILURE_SHARE
                reason = _pick(rng, REASONS[service]) if failed else ""
                outcome = "failed" if failed else "success"
                digits, born, female = _nik(district_code[village.pk], index, child=service == "kia")
                key_id, hashed = nik_hash(digits)
                if not failed:
                    successes[session_id] += 1
                made += 1
                yield (session_id, village.pk, service, outcome, reason, "other" if reason == "other" else "", False,
                       hashed, key_id, digits[-4:], "P" if female else "L", born.year,
                       district_code[village.pk], day, uuid.UUID(int=rng.getrandbits(128), version=4),
                       hashlib.sha256(f"{seed}:{index}".encode()).hexdigest(), user.pk, now)

    columns = ["session_id", "village_id", "service", "outcome", "failure_reason", "failure_note", "married", "nik_hash",
               "nik_key_id", "nik_last4", "sex", "birth_year", "district_code", "happened_on", "idempotency_key",
               "content_digest", "created_by_id", "created_at"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM outreach_activation")
        last_before = cursor.fetchone()[0]
    insert_rows("outreach_activation", columns, rows())
    insert_rows(CloseOut._meta.db_table, ["session_id", "actual_participants", "notes", "successes", "closed_by_id", "closed_at"],
            ((session_id, amount, "", successes[session_id], user.pk, now) for session_id, _v, _d, amount in plan))
    _add_daily_counts(after_id=last_before, user=user)
    return Generated(villages=sum(len(vs) for vs in villages.values()), populations=written, sessions=sessions_made,
                     activations=made)


def _add_daily_counts(*, after_id: int, user) -> None:
    """Add the new rows to the daily counts (shard 0) in one grouped statement, merging with rows already there."""
    table = DailyCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (village_id, service, outcome, failure_reason, day, shard, count) "
            "SELECT village_id, service, outcome, failure_reason, happened_on, 0, COUNT(*) FROM outreach_activation "
            "WHERE id > %s AND created_by_id = %s GROUP BY village_id, service, outcome, failure_reason, happened_on "
            f"ON CONFLICT (village_id, service, outcome, failure_reason, day, shard) DO UPDATE SET count = {table}.count + excluded.count",
            [after_id, user.pk],
        )
    counts.rebuild_roll_ups()
    held.rebuild()
