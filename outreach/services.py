"""Planning outreach: creating, changing, postponing and cancelling sessions, and series of them.

Every write goes through here. The rules: a team or a venue is never booked twice at
overlapping times (touching times are fine), checked here on every database and enforced by
an exclusion constraint on PostgreSQL; series skip national holidays and cuti bersama and
dates already booked; changing a series leaves alone the sessions that are done, in the
past, or were edited one by one.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from PIL import Image, ImageOps, UnidentifiedImageError
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from outreach import counts, held
from outreach.models import (
    LOGGED_SERVICES,
    Activation,
    CloseOut,
    FailureReason,
    Outcome,
    OverdueNotice,
    Service,
    Session,
    SessionPhoto,
    SessionSeries,
    Status,
    TallyLine,
    TallySubmission,
    Team,
    Venue,
)
from outreach.nik import check_nik
from outreach.privacy import nik_hash, nik_hashes
from regions import access

# Fields a series passes on to its sessions, and that a series change may alter.
SHARED_FIELDS = (
    "team",
    "start_time",
    "end_time",
    "offers_ikd",
    "offers_ektp",
    "offers_kia",
    "offers_other",
    "audience",
    "expected_participants",
    "is_public",
    "notes",
)


@lru_cache(maxsize=32)
def _holidays_of(year: int) -> dict[datetime.date, str]:
    calendar = holidays.country_holidays("ID", years=year, categories=("public", "government"), language="id")
    return dict(calendar.items())


def holiday_name(day: datetime.date) -> str | None:
    """The national holiday or cuti bersama on `day`, if any."""
    return _holidays_of(day.year).get(day)


def describe(session: Session) -> str:
    return _("%(venue)s, %(date)s %(start)s–%(end)s (%(team)s)") % {
        "venue": session.venue.name,
        "date": formats.date_format(session.date, "SHORT_DATE_FORMAT"),
        "start": formats.time_format(session.start_time),
        "end": formats.time_format(session.end_time),
        "team": session.team.name,
    }


def find_conflicts(
    *, team: Team, venue: Venue, day: datetime.date, start: datetime.time, end: datetime.time, exclude: Session | None = None
) -> list[Session]:
    """Booked sessions of the same team or at the same venue whose times overlap."""
    clashes = (
        Session.objects.booking()
        .overlapping(day=day, start=start, end=end)
        .filter(Q(team=team) | Q(venue=venue))
        .select_related("venue", "team")
    )
    if exclude is not None and exclude.pk:
        clashes = clashes.exclude(pk=exclude.pk)
    return list(clashes)


def _conflict_error(clashes: list[Session]) -> ValidationError:
    first = clashes[0]
    return ValidationError(
        _("Bentrok dengan kegiatan lain: %(session)s. Pilih jam, tim atau tempat lain.") % {"session": describe(first)},
        code="conflict",
    )


def _check(actor, session: Session) -> None:
    """Rules for one session: the actor may plan here, times make sense, nothing overlaps."""
    access.require_write(actor)
    if not access.can_see_region(actor, session.venue.village) or not access.can_see_region(actor, session.team.office):
        raise PermissionDenied
    if not session.team.office.contains(session.venue.village):
        raise ValidationError({"team": _("Tim ini milik kantor lain: pilih tim dari kantor yang membawahi tempat ini.")})
    if session.end_time <= session.start_time:
        raise ValidationError({"end_time": _("Jam selesai harus setelah jam mulai.")})
    if not session.services:
        raise ValidationError(_("Pilih paling sedikit satu layanan."))
    if session.is_booking:
        clashes = find_conflicts(
            team=session.team, venue=session.venue, day=session.date, start=session.start_time, end=session.end_time, exclude=session
        )
        if clashes:
            raise _conflict_error(clashes)


def _save(actor, session: Session) -> Session:
    session._history_user = actor
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        # PostgreSQL's exclusion constraint caught a booking made between our check and our write.
        clashes = find_conflicts(
            team=session.team, venue=session.venue, day=session.date, start=session.start_time, end=session.end_time, exclude=session
        )
        if clashes:
            raise _conflict_error(clashes) from None
        raise
    return session


@transaction.atomic
def session_create(*, actor, venue: Venue, date: datetime.date, team: Team, **fields) -> Session:
    """Plan one session. Public unless the venue is a school, an office or a home visit (or told)."""
    fields.setdefault("is_public", venue.public_by_default)
    session = Session(venue=venue, date=date, team=team, created_by=actor, **fields)
    _check(actor, session)
    return _save(actor, session)


@transaction.atomic
def session_update(*, actor, session: Session, **fields) -> Session:
    """Change a planned session; a session of a series is marked as edited one by one."""
    if not session.is_open:
        raise ValidationError(_("Hanya kegiatan yang direncanakan atau dikonfirmasi yang dapat diubah."))
    for name, value in fields.items():
        setattr(session, name, value)
    if session.series_id:
        session.edited_individually = True
    _check(actor, session)
    return _save(actor, session)


@transaction.atomic
def session_confirm(*, actor, session: Session) -> Session:
    if session.status != Status.PLANNED:
        raise ValidationError(_("Hanya kegiatan yang direncanakan yang dapat dikonfirmasi."))
    return session_update(actor=actor, session=session, status=Status.CONFIRMED)


@transaction.atomic
def session_postpone(
    *,
    actor,
    session: Session,
    new_date: datetime.date,
    reason: str,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
) -> Session:
    """Postpone a session to a new date: the old one says why and points to the new one."""
    if not session.is_open:
        raise ValidationError(_("Hanya kegiatan yang direncanakan atau dikonfirmasi yang dapat ditunda."))
    if not reason.strip():
        raise ValidationError({"reason": _("Tulis alasan penundaan.")})
    replacement = Session(
        venue=session.venue,
        date=new_date,
        series=session.series,
        edited_individually=bool(session.series_id),
        created_by=actor,
        **{name: getattr(session, name) for name in SHARED_FIELDS},
    )
    replacement.start_time = start_time or session.start_time
    replacement.end_time = end_time or session.end_time
    # The old booking is released first, so the new one may take (part of) the same time.
    session.status, session.status_reason = Status.POSTPONED, reason.strip()
    _save(actor, session)
    _check(actor, replacement)
    _save(actor, replacement)
    session.postponed_to = replacement
    _save(actor, session)
    return replacement


@transaction.atomic
def session_cancel(*, actor, session: Session, reason: str) -> Session:
    access.require_write(actor)
    if not session.is_open:
        raise ValidationError(_("Hanya kegiatan yang direncanakan atau dikonfirmasi yang dapat dibatalkan."))
    if not reason.strip():
        raise ValidationError({"reason": _("Tulis alasan pembatalan.")})
    session.status, session.status_reason = Status.CANCELLED, reason.strip()
    return _save(actor, session)


# ---- Series ----------------------------------------------------------------------------------


@dataclass
class SeriesResult:
    series: SessionSeries
    created: list[Session] = field(default_factory=list)
    holidays: list[tuple[datetime.date, str]] = field(default_factory=list)
    conflicts: list[tuple[datetime.date, Session]] = field(default_factory=list)


@transaction.atomic
def series_create(
    *,
    actor,
    title: str,
    venues: list[Venue],
    weekdays: list[int],
    starts_on: datetime.date,
    ends_on: datetime.date,
    team: Team,
    **fields,
) -> SeriesResult:
    """Create a series and its sessions, one per chosen weekday, the venues taking turns.

    Holidays and cuti bersama are skipped, and so are dates where the team or the venue is
    already booked; both are listed in the result.
    """
    access.require_write(actor)
    if not venues:
        raise ValidationError({"venues": _("Pilih paling sedikit satu tempat.")})
    if not weekdays:
        raise ValidationError({"weekdays": _("Pilih paling sedikit satu hari.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("Tanggal akhir harus sama atau setelah tanggal mulai.")})
    if (ends_on - starts_on).days > 366:
        raise ValidationError({"ends_on": _("Satu rangkaian paling lama satu tahun.")})
    series = SessionSeries(
        title=title, weekdays=sorted(set(weekdays)), starts_on=starts_on, ends_on=ends_on, team=team, created_by=actor, **fields
    )
    series._history_user = actor
    series.save()
    series.venues.set(venues)
    result = SeriesResult(series)
    turn = 0
    day = starts_on
    while day <= ends_on:
        if day.weekday() in series.weekdays:
            holiday = holiday_name(day)
            if holiday:
                result.holidays.append((day, holiday))
            else:
                venue = venues[turn % len(venues)]
                turn += 1
                session = Session(
                    venue=venue, date=day, series=series, created_by=actor,
                    **{name: getattr(series, name) for name in SHARED_FIELDS},
                )
                try:
                    _check(actor, session)
                except ValidationError as error:
                    if getattr(error, "code", None) != "conflict":
                        raise
                    clash = find_conflicts(
                        team=team, venue=venue, day=day, start=session.start_time, end=session.end_time
                    )[0]
                    result.conflicts.append((day, clash))
                else:
                    result.created.append(_save(actor, session))
        day += datetime.timedelta(days=1)
    return result


@dataclass
class SeriesChange:
    changed: list[Session] = field(default_factory=list)
    left_alone: list[tuple[Session, str]] = field(default_factory=list)


def _future_sessions(series: SessionSeries, today: datetime.date) -> tuple[list[Session], list[tuple[Session, str]]]:
    """The series' sessions after today that may change, and those left alone with why."""
    changeable, left_alone = [], []
    for session in series.sessions.filter(date__gt=today).select_related("venue", "team").order_by("date"):
        if session.status == Status.DONE:
            left_alone.append((session, _("sudah selesai")))
        elif session.edited_individually:
            left_alone.append((session, _("sudah diubah satu per satu")))
        elif session.is_open:
            changeable.append(session)
    return changeable, left_alone


@transaction.atomic
def series_update(*, actor, series: SessionSeries, today: datetime.date, **fields) -> SeriesChange:
    """Change a series and its sessions after today that are not done nor edited one by one."""
    access.require_write(actor)
    unknown = set(fields) - set(SHARED_FIELDS)
    if unknown:
        raise ValueError(f"series_update cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(series, name, value)
    series._history_user = actor
    series.save()
    change = SeriesChange()
    changeable, change.left_alone = _future_sessions(series, today)
    for session in changeable:
        for name, value in fields.items():
            setattr(session, name, value)
        try:
            with transaction.atomic():
                _check(actor, session)
                _save(actor, session)
        except ValidationError as error:
            if getattr(error, "code", None) != "conflict":
                raise
            session.refresh_from_db()
            change.left_alone.append((session, error.messages[0]))
        else:
            change.changed.append(session)
    return change


@transaction.atomic
def series_cancel(*, actor, series: SessionSeries, today: datetime.date, reason: str) -> SeriesChange:
    """Cancel a series: its open sessions after today are cancelled, the others listed."""
    access.require_write(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Tulis alasan pembatalan.")})
    series.is_cancelled = True
    series._history_user = actor
    series.save()
    change = SeriesChange()
    changeable, change.left_alone = _future_sessions(series, today)
    for session in changeable:
        change.changed.append(session_cancel(actor=actor, session=session, reason=reason))
    return change


# ---- Activations and tallies ----------------------------------------------------------------


@dataclass
class Recorded:
    activation: Activation
    replay: bool = False


def _digest(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _bump(*, village_id: int, service: str, outcome: str, reason: str, day: datetime.date, delta: int) -> None:
    """Add to the village's daily count and its ancestors' roll-ups, in the same transaction."""
    counts.add({(village_id, service, outcome, reason, day): delta})


def not_open_words(session: Session) -> str:
    """Why no result can be recorded at this session any more (done, postponed or cancelled)."""
    if not session.is_field_visit:
        return _("Ini daftar hasil yang diimpor, bukan kegiatan lapangan: hasil ditambahkan lewat impor.")
    return _("Kegiatan ini sudah %s: hasil tidak dapat dicatat lagi.") % session.get_status_display().lower()


def _can_log(actor, session: Session) -> None:
    if not access.can_log_results(actor, session.venue.village):
        raise PermissionDenied
    if not session.is_open:
        raise ValidationError(not_open_words(session))


def _earlier_success(actor, digits: str, service: str) -> str | None:
    """The words for an earlier success of this NIK and service, anywhere; None if there is none."""
    # A bare index lookup first (most NIKs are new); the session's details only when found.
    found = Activation.objects.filter(
        nik_hash__in=nik_hashes(digits), service=service, outcome=Outcome.SUCCESS
    ).values_list("pk", flat=True).order_by()[:1]
    return _success_words(actor, found[0], service) if found else None


def _success_words(actor, pk: int, service: str) -> str:
    """The words for the earlier success `pk`: where, if the actor may see it."""
    earlier = Activation.objects.select_related("session__venue", "session__team", "village").get(pk=pk)
    label = Service(service).label
    if access.can_see_region(actor, earlier.village):
        return _("NIK ini sudah tercatat berhasil %(service)s pada %(session)s.") % {
            "service": label, "session": describe(earlier.session),
        }
    return _("NIK ini sudah tercatat berhasil %(service)s di tempat lain.") % {"service": label}


def reason_misfit(service: str, reason: str) -> str:
    """Why a failure reason does not fit the service, or "" when it does (`FailureReason.for_service`)."""
    fitting = FailureReason.for_service(service)
    if reason in fitting:
        return ""
    *some, last = [f"'{choice.label}'" for choice in fitting]
    choices = _("%(some)s atau %(last)s") % {"some": ", ".join(some), "last": last} if some else last
    label = FailureReason(reason).label if reason in FailureReason.values else reason
    return _("Alasan '%(reason)s' tidak berlaku untuk %(service)s. Pilih %(choices)s.") % {
        "reason": label, "service": Service(service).label, "choices": choices,
    }


def activation_record(
    *,
    actor,
    session: Session,
    service: str,
    nik: str,
    outcome: str,
    idempotency_key: uuid.UUID,
    failure_reason: str = "",
    failure_note: str = "",
    married: bool = False,
    confirm_district: bool = False,
) -> Recorded:
    """Record one person's result. A replay of the same form answers as the first time.

    Refused, each with its own message: a bad NIK, an unconfirmed unknown kecamatan, a second
    success for the same NIK and service anywhere, a form key reused for other content.

    The row and its counts are written in one transaction; the checks before it only read, and a
    save that loses a race to another is caught by the unique constraints and answered the same.
    """
    _can_log(actor, session)
    if service not in LOGGED_SERVICES or service not in session.services:
        raise ValidationError({"service": _("Layanan ini tidak dibuka pada kegiatan ini.")})
    if outcome == Outcome.SUCCESS:
        failure_reason, failure_note = "", ""
    elif failure_reason not in FailureReason.values:
        raise ValidationError({"outcome": _("Pilih alasan gagal.")})
    elif misfit := reason_misfit(service, failure_reason):
        raise ValidationError({"outcome": misfit})
    elif failure_reason == FailureReason.OTHER and not failure_note.strip():
        raise ValidationError({"failure_note": _("Tulis keterangan untuk alasan 'Lainnya'.")})

    check = check_nik(nik, on=session.date, service=service, married=married)
    if check.errors:
        raise ValidationError({"nik": check.errors})
    if check.warnings and not confirm_district:
        raise ValidationError({"nik": [ValidationError(warning, code="confirm") for warning in check.warnings]})
    person = check.nik
    key_id, hashed = nik_hash(person.digits)
    digest = _digest(session.pk, service, hashed, outcome, failure_reason, failure_note.strip(), married)

    # A replay of this form, or a second success of this NIK and service, is refused by the
    # unique constraints at the insert below and only then looked up (most forms are new and
    # most people too). A success stored under an older HMAC key has another hash, which the
    # constraint cannot match: while several keys are active it is looked up first.
    hashes = nik_hashes(person.digits)
    if outcome == Outcome.SUCCESS and len(hashes) > 1:
        wanted = Q(idempotency_key=idempotency_key) | Q(nik_hash__in=hashes, service=service, outcome=Outcome.SUCCESS)
        found = list(Activation.objects.filter(wanted).only("pk", "idempotency_key", "content_digest").order_by()[:2])
        replay = _replay_of([row for row in found if row.idempotency_key == idempotency_key], digest)
        if replay is not None:
            return Recorded(Activation.objects.get(pk=replay.pk), replay=True)
        if found:
            raise ValidationError({"nik": _success_words(actor, found[0].pk, service)})

    activation = Activation(
        session=session, village=session.venue.village, service=service, outcome=outcome,
        failure_reason=failure_reason, failure_note=failure_note.strip(), married=married,
        nik_hash=hashed, nik_key_id=key_id, nik_last4=person.last4, sex=person.sex,
        birth_year=person.birth_date.year, district_code=person.district_code, happened_on=session.date,
        idempotency_key=idempotency_key, content_digest=digest, created_by=actor,
    )
    # No "created" history copy: the row and its audit event say that. The history keeps what
    # changes later (a correction's deletion copies the whole row), as for imported rows.
    activation.skip_history_when_saving = True
    try:
        with transaction.atomic():
            activation.save()
            _bump(village_id=activation.village_id, service=service, outcome=outcome, reason=failure_reason,
                  day=activation.happened_on, delta=1)
    except IntegrityError:
        # The same form saved before (a double click, a resent form) or by a request racing this
        # one, or the same person's success: say which.
        replay = _replay(Activation, idempotency_key, digest)
        if replay is not None:
            return Recorded(replay, replay=True)
        earlier = _earlier_success(actor, person.digits, service)
        if earlier is None:
            raise
        raise ValidationError({"nik": earlier}) from None
    return Recorded(activation)


def _replay(model, key: uuid.UUID, digest: str):
    """The row an earlier submission of this form wrote, if the content is the same; refuse otherwise."""
    return _replay_of(model.objects.filter(idempotency_key=key).order_by()[:1], digest)


def _replay_of(rows, digest: str):
    earlier = next(iter(rows), None)
    if earlier is None:
        return None
    if earlier.content_digest != digest:
        raise ValidationError(
            _("Formulir ini sudah dipakai untuk data lain. Muat ulang halaman lalu isi lagi."), code="key_reused"
        )
    return earlier


@transaction.atomic
def tally_record(
    *, actor, session: Session, counts: dict[tuple[str, str, str], int], idempotency_key: uuid.UUID
) -> tuple[TallySubmission, bool]:
    """Record counts (service, outcome, failure reason) → number for a session without NIKs."""
    _can_log(actor, session)
    lines = {key: value for key, value in counts.items() if value}
    if not lines:
        raise ValidationError(_("Isi paling sedikit satu jumlah."))
    for (service, outcome, reason), value in lines.items():
        if service not in session.services or service not in LOGGED_SERVICES:
            raise ValidationError(_("Layanan %s tidak dibuka pada kegiatan ini.") % Service(service).label)
        if value < 0 or (outcome == Outcome.SUCCESS) != (reason == ""):
            raise ValidationError(_("Jumlah tidak valid."))
        if reason and (misfit := reason_misfit(service, reason)):
            raise ValidationError(misfit)
    digest = _digest(session.pk, sorted(lines.items()))
    replay = _replay(TallySubmission, idempotency_key, digest)
    if replay is not None:
        return replay, True
    try:
        with transaction.atomic():
            submission = TallySubmission.objects.create(
                session=session, idempotency_key=idempotency_key, content_digest=digest, created_by=actor
            )
    except IntegrityError:
        return _replay(TallySubmission, idempotency_key, digest), True
    for (service, outcome, reason), value in lines.items():
        TallyLine.objects.create(submission=submission, service=service, outcome=outcome, failure_reason=reason, count=value)
        _bump(village_id=session.venue.village_id, service=service, outcome=outcome, reason=reason, day=session.date, delta=value)
    return submission, False


def _tally_rows(session: Session):
    """The session's counts without NIKs, summed per service and outcome."""
    return TallyLine.objects.filter(submission__session=session).values("service", "outcome").annotate(total=Sum("count")).order_by()


def session_counts(session: Session) -> dict[str, dict[str, int]]:
    """Successes and failures per service at a session, people and tallies together (two queries)."""
    counts = {service.value: {"success": 0, "failed": 0} for service in LOGGED_SERVICES}
    for row in session.activations.values("service", "outcome").annotate(total=Count("id")).order_by():
        counts[row["service"]][row["outcome"]] += row["total"]
    for row in _tally_rows(session):
        counts[row["service"]][row["outcome"]] += row["total"]
    return counts


def tallied(session: Session) -> dict[str, int]:
    """Successes and failures recorded at the session as counts without NIKs (one query): the
    part of `session_counts` that no per-person list shows."""
    totals = {"success": 0, "failed": 0}
    for row in _tally_rows(session):
        totals[row["outcome"]] += row["total"]
    return totals


@transaction.atomic
def _successes(session: Session) -> int:
    """Successful results at the session, people and tallies, every logged service."""
    return sum(counts["success"] for counts in session_counts(session).values())


def daily_counts_rebuild() -> int:
    """Recompute every daily count and roll-up from the results and tallies, and the held-session
    counts from the sessions; returns the village rows of the daily counts."""
    rows = counts.rebuild()
    held.rebuild()
    return rows


# ---- Close-out, reopening, corrections ---------------------------------------------------------

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDE = 1600
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}


def photo_clean(upload, max_side: int = MAX_PHOTO_SIDE) -> tuple[ContentFile, int, int]:
    """An uploaded photo checked by its content, at most 1600 px, saved again without metadata.

    Re-encoding from the pixels drops EXIF, and with it the location the phone recorded.
    """
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("Foto %s lebih dari 10 MB.") % upload.name)
    not_a_photo = ValidationError(_("Berkas %s bukan foto (JPEG, PNG atau WebP).") % upload.name)
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            probe.verify()
        upload.seek(0)
        image = ImageOps.exif_transpose(Image.open(upload))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise not_a_photo from None
    if kind not in PHOTO_FORMATS:
        raise not_a_photo
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), image.width, image.height


@transaction.atomic
def session_close(*, actor, session: Session, actual_participants: int, notes: str = "", photos=()) -> CloseOut:
    """Close a session with its turnout, notes and up to five photos; it then takes no more results."""
    _can_log(actor, session)
    photos = list(photos)
    if len(photos) + session.photos.count() > SessionPhoto.MAX_PER_SESSION:
        raise ValidationError({"photos": _("Paling banyak 5 foto per kegiatan.")})
    cleaned = [photo_clean(photo) for photo in photos]
    with held.tracking(session.pk):
        close_out, _created = CloseOut.objects.update_or_create(
            session=session,
            defaults={"actual_participants": actual_participants, "notes": notes.strip(), "closed_by": actor,
                      "successes": _successes(session)},
        )
        for content, width, height in cleaned:
            SessionPhoto.objects.create(session=session, image=content, width=width, height=height, uploaded_by=actor)
        session.status = Status.DONE
        _save(actor, session)
    return close_out


@transaction.atomic
def session_reopen(*, actor, session: Session) -> Session:
    """Only staff reopen a closed session, to add or correct results."""
    access.require_write(actor)
    if not access.can_see_region(actor, session.venue.village):
        raise PermissionDenied
    if not session.is_field_visit:
        raise ValidationError(not_open_words(session))
    if not session.reopens:
        raise ValidationError(_("Hanya kegiatan yang sudah selesai yang dapat dibuka kembali."))
    with held.tracking(session.pk):
        session.status = Status.CONFIRMED
        return _save(actor, session)


@transaction.atomic
def activation_delete(*, actor, activation: Activation, reason: str) -> None:
    """A staff correction: remove a mistaken result, keep it in history, take it out of the counts."""
    access.require_write(actor)
    if not access.can_see_region(actor, activation.village):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Tulis alasan koreksi.")})
    _bump(village_id=activation.village_id, service=activation.service, outcome=activation.outcome,
          reason=activation.failure_reason, day=activation.happened_on, delta=-1)
    activation._history_user = actor
    activation._change_reason = reason.strip()
    with held.tracking(activation.session_id):
        activation.delete()
        CloseOut.objects.filter(session=activation.session_id).update(successes=_successes(activation.session))


# ---- Belum lapor ----------------------------------------------------------------------------------


def overdue_notices_send(*, today: datetime.date) -> int:
    """E-mail each team leader the sessions of their teams whose date passed without a close-out.

    The day's notice is claimed (a unique row per leader and day) in the transaction that sends
    the e-mail: a second run the same day sends nothing twice, and a run cut short before the
    e-mail went (a killed worker, a mail server error) leaves no claim, so the next run sends it.
    Returns how many e-mails went out.
    """
    overdue = Session.objects.overdue(today).select_related("venue__village", "team__leader").order_by("date")
    by_leader: dict = {}
    for session in overdue:
        by_leader.setdefault(session.team.leader, []).append(session)
    sent = 0
    for leader, sessions in by_leader.items():
        if not leader.email or not leader.is_active:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    OverdueNotice.objects.create(leader=leader, day=today, sessions=len(sessions))
            except IntegrityError:
                continue
            with translation.override("id"):
                body = render_to_string("emails/overdue_sessions.txt", {"leader": leader, "sessions": sessions, "today": today})
                subject = _("Jemput Bola: %(count)d kegiatan belum lapor") % {"count": len(sessions)}
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [leader.email])
        sent += 1
    return sent
