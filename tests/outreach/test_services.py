import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from outreach.models import Session, Status
from outreach.services import (
    holiday_name,
    series_cancel,
    series_create,
    series_update,
    session_cancel,
    session_postpone,
    session_update,
)
from tests.outreach.conftest import EIGHT, MONDAY, NOON, TEN

NINE = datetime.time(9)


def test_a_team_cannot_be_in_two_places_at_overlapping_times(plan, school):
    plan()
    with pytest.raises(ValidationError) as error:
        plan(venue=school, start_time=NINE, end_time=NOON)
    assert "Bentrok dengan kegiatan lain: Balai Desa Sumberejo" in error.value.messages[0]
    assert Session.objects.count() == 1


def test_a_venue_cannot_host_two_teams_at_overlapping_times(plan, other_team):
    plan()
    with pytest.raises(ValidationError, match="Bentrok"):
        plan(team=other_team, start_time=NINE, end_time=NOON)


def test_touching_times_do_not_conflict(plan, school, other_team):
    plan()
    plan(start_time=TEN, end_time=NOON)  # same team, same venue, starts when the first ends
    plan(team=other_team, date=MONDAY, start_time=datetime.time(6), end_time=EIGHT)
    assert Session.objects.count() == 3


def test_cancelled_and_postponed_sessions_free_their_slot(plan, staff):
    first = plan()
    session_cancel(actor=staff, session=first, reason="Hujan deras")
    plan()
    assert Session.objects.filter(status=Status.PLANNED).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraint hanya ada di PostgreSQL")
def test_postgresql_refuses_a_double_booking_even_past_the_service(plan):
    first = plan()
    twin = Session(
        venue=first.venue, team=first.team, date=first.date, start_time=NINE, end_time=NOON, created_by=first.created_by
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_the_database_refuses_an_end_before_the_start_or_a_cancel_without_reason(plan):
    session = plan()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(end_time=datetime.time(7))
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(status=Status.CANCELLED)


def test_a_session_needs_a_service_and_sensible_times(plan):
    with pytest.raises(ValidationError, match="Jam selesai harus setelah jam mulai"):
        plan(start_time=TEN, end_time=EIGHT)
    with pytest.raises(ValidationError, match="paling sedikit satu layanan"):
        plan(offers_ikd=False)


def test_schools_offices_and_home_visits_are_not_public_by_default(plan, school):
    assert plan().is_public
    assert not plan(venue=school, start_time=TEN, end_time=NOON).is_public
    assert plan(venue=school, date=MONDAY + datetime.timedelta(days=1), is_public=True).is_public


def test_only_staff_inside_the_region_plan(plan, manager, outsider, venue, team):
    from outreach.services import session_create

    with pytest.raises(PermissionDenied):
        session_create(actor=manager, venue=venue, date=MONDAY, team=team, start_time=EIGHT, end_time=TEN)
    with pytest.raises(PermissionDenied):
        session_create(actor=outsider, venue=venue, date=MONDAY, team=team, start_time=EIGHT, end_time=TEN)


def test_a_team_plans_only_inside_its_office(superuser, team, blitar_venue):
    from outreach.services import session_create

    with pytest.raises(ValidationError, match="Tim ini milik kantor lain"):
        session_create(actor=superuser, venue=blitar_venue, date=MONDAY, team=team, start_time=EIGHT, end_time=TEN)


def test_postponing_keeps_the_old_session_with_its_reason_and_points_to_the_new_one(plan, staff):
    session = plan()
    new = session_postpone(actor=staff, session=session, new_date=MONDAY + datetime.timedelta(days=2), reason="Kepala desa berhalangan")
    session.refresh_from_db()
    assert (session.status, session.status_reason) == (Status.POSTPONED, "Kepala desa berhalangan")
    assert session.postponed_to == new
    assert (new.status, new.date, new.start_time, new.venue) == (Status.PLANNED, datetime.date(2025, 11, 26), EIGHT, session.venue)
    with pytest.raises(ValidationError, match="alasan"):
        session_postpone(actor=staff, session=new, new_date=MONDAY, reason=" ")


def test_postponing_into_a_booked_slot_changes_nothing(plan, staff, school):
    session = plan()
    plan(venue=school, date=MONDAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="Bentrok"):
        session_postpone(actor=staff, session=session, new_date=MONDAY + datetime.timedelta(days=1), reason="Banjir")
    session.refresh_from_db()
    assert session.status == Status.PLANNED and Session.objects.count() == 2


def test_history_keeps_who_created_and_changed_a_session(plan, staff):
    session = plan()
    session_update(actor=staff, session=session, expected_participants=80)
    session_cancel(actor=staff, session=session, reason="Listrik padam")
    records = list(session.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~", "~"]
    assert all(r.history_user == staff for r in records)
    assert records[-1].status == Status.CANCELLED


# ---- Series ------------------------------------------------------------------------------------


def test_holidays_include_cuti_bersama():
    assert holiday_name(datetime.date(2025, 12, 25)) == "Hari Raya Natal"
    assert holiday_name(datetime.date(2025, 12, 26))  # cuti bersama Natal
    assert holiday_name(datetime.date(2025, 12, 24)) is None


def test_a_series_skips_holidays_and_booked_dates_and_lists_them(staff, team, other_team, venue, school, plan):
    booked = plan(team=other_team, venue=school, date=datetime.date(2025, 12, 17))  # Wednesday: school is taken
    result = series_create(
        actor=staff, title="Perekaman KTP-el tiga kali seminggu", venues=[venue, school], weekdays=[0, 2, 4],
        starts_on=datetime.date(2025, 12, 15), ends_on=datetime.date(2025, 12, 31), team=team,
        start_time=EIGHT, end_time=NOON, offers_ikd=False, offers_ektp=True,
    )
    assert [day for day, _name in result.holidays] == [datetime.date(2025, 12, 26)]
    assert result.conflicts == [(datetime.date(2025, 12, 17), booked)]
    created = [s.date for s in result.created]
    assert created == [datetime.date(2025, 12, d) for d in (15, 19, 22, 24, 29, 31)]
    assert [s.venue for s in result.created][:2] == [venue, venue]  # the school's turn was taken
    assert all(s.offers_ektp and not s.offers_ikd and s.series == result.series for s in result.created)


def test_changing_a_series_leaves_done_and_individually_edited_sessions_alone(staff, team, venue):
    result = series_create(
        actor=staff, title="IKD Senin", venues=[venue], weekdays=[0],
        starts_on=datetime.date(2025, 11, 3), ends_on=datetime.date(2025, 12, 1), team=team, start_time=EIGHT, end_time=TEN,
    )
    past, done, edited, open_one, last = result.created[0], result.created[2], result.created[3], result.created[1], result.created[4]
    Session.objects.filter(pk=done.pk).update(status=Status.DONE)
    session_update(actor=staff, session=edited, notes="Bawa printer cadangan")
    today = datetime.date(2025, 11, 5)

    change = series_update(actor=staff, series=result.series, today=today, start_time=NINE, end_time=NOON)
    assert {s.pk for s in change.changed} == {open_one.pk, last.pk}
    assert {s.pk: why for s, why in change.left_alone} == {done.pk: "sudah selesai", edited.pk: "sudah diubah satu per satu"}
    for session, start in [(past, EIGHT), (done, EIGHT), (edited, EIGHT), (open_one, NINE), (last, NINE)]:
        session.refresh_from_db()
        assert session.start_time == start

    change = series_cancel(actor=staff, series=result.series, today=today, reason="Anggaran habis")
    assert {s.pk for s in change.changed} == {open_one.pk, last.pk}
    assert Session.objects.get(pk=edited.pk).status == Status.PLANNED
    assert Session.objects.get(pk=past.pk).status == Status.PLANNED
    assert Session.objects.get(pk=last.pk).status_reason == "Anggaran habis"
