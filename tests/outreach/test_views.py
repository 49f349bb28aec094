import datetime
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from outreach.models import Session, Status
from outreach.services import series_create
from tests.outreach.conftest import EIGHT, NOON, TEN


def next_weekday(days_ahead: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    from outreach.services import holiday_name

    while day.weekday() > 4 or holiday_name(day):
        day += datetime.timedelta(days=1)
    return day


def working_days(count: int) -> list[datetime.date]:
    days: list[datetime.date] = []
    offset = 1
    while len(days) < count:
        day = next_weekday(offset)
        if day not in days:
            days.append(day)
        offset += 1
    return days


@pytest.fixture
def upcoming(plan):
    return plan(date=next_weekday(3))


def form_data(venue, team, **extra):
    data = {"venue": venue.pk, "date": next_weekday(5).isoformat(), "start_time": "08:00", "end_time": "10:00",
            "team": team.pk, "offers_ikd": "on", "public": "auto"}
    data.update(extra)
    return data


# ---- Scope ----------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_every_session_page(client_for, outsider, upcoming):
    client = client_for(outsider)
    for name in ("detail", "edit", "postpone", "cancel"):
        assert client.get(reverse(f"outreach:{name}", kwargs={"pk": upcoming.pk})).status_code == 404, name
    assert client.post(reverse("outreach:confirm", kwargs={"pk": upcoming.pk})).status_code == 404
    assert upcoming not in client.get(reverse("outreach:list")).context["sessions"]
    assert client.get(reverse("outreach:mine")).context["sessions"].count() == 0


def test_an_outsider_gets_404_on_a_series(client_for, outsider, staff, team, venue):
    result = series_create(actor=staff, title="Seri", venues=[venue], weekdays=[0], starts_on=next_weekday(1),
                           ends_on=next_weekday(20), team=team, start_time=EIGHT, end_time=TEN)
    assert client_for(outsider).get(reverse("outreach:series_detail", kwargs={"pk": result.series.pk})).status_code == 404


def test_managers_read_but_do_not_write(client_for, manager, upcoming, venue, team):
    client = client_for(manager)
    assert client.get(reverse("outreach:detail", kwargs={"pk": upcoming.pk})).status_code == 200
    assert client.get(reverse("outreach:create")).status_code == 403
    assert client.post(reverse("outreach:cancel", kwargs={"pk": upcoming.pk}), {"reason": "x"}).status_code == 403
    assert client.post(reverse("outreach:create"), form_data(venue, team)).status_code == 403
    upcoming.refresh_from_db()
    assert upcoming.status == Status.PLANNED


def test_operators_see_the_sessions_of_their_regions(client_for, operator, upcoming):
    response = client_for(operator).get(reverse("outreach:mine"))
    assert list(response.context["sessions"]) == [upcoming]
    assert "Balai Desa Sumberejo" in response.content.decode()


# ---- Staff writes -----------------------------------------------------------------------------


def test_staff_schedule_a_session_and_a_conflict_names_the_session_in_the_way(client_for, staff, venue, school, team):
    client = client_for(staff)
    response = client.post(reverse("outreach:create"), form_data(venue, team))
    session = Session.objects.get()
    assert response.status_code == 302 and response.url == reverse("outreach:detail", kwargs={"pk": session.pk})
    assert session.is_public and session.created_by == staff

    response = client.post(reverse("outreach:create"), form_data(school, team, start_time="09:00", end_time="11:00"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bentrok dengan kegiatan lain: Balai Desa Sumberejo" in page
    assert 'value="09:00"' in page  # what was typed stays
    assert Session.objects.count() == 1


def test_a_school_session_is_not_public_unless_staff_say_so(client_for, staff, school, team):
    client = client_for(staff)
    client.post(reverse("outreach:create"), form_data(school, team))
    client.post(reverse("outreach:create"), form_data(school, team, start_time="10:00", end_time="12:00", public="yes"))
    assert list(Session.objects.order_by("start_time").values_list("is_public", flat=True)) == [False, True]


def test_a_double_submitted_form_books_once(client_for, staff, venue, team):
    client = client_for(staff)
    client.post(reverse("outreach:create"), form_data(venue, team))
    client.post(reverse("outreach:create"), form_data(venue, team))
    assert Session.objects.count() == 1


def test_staff_postpone_and_cancel_through_the_pages(client_for, staff, upcoming):
    client = client_for(staff)
    new_date = next_weekday(10)
    response = client.post(reverse("outreach:postpone", kwargs={"pk": upcoming.pk}),
                           {"new_date": new_date.isoformat(), "reason": "Hujan deras"})
    new = Session.objects.get(date=new_date)
    assert response.url == reverse("outreach:detail", kwargs={"pk": new.pk})
    upcoming.refresh_from_db()
    assert upcoming.status == Status.POSTPONED and upcoming.postponed_to == new

    response = client.post(reverse("outreach:cancel", kwargs={"pk": new.pk}), {"reason": ""})
    assert response.status_code == 200 and "This field is required" not in response.content.decode()
    client.post(reverse("outreach:cancel", kwargs={"pk": new.pk}), {"reason": "Anggaran"})
    new.refresh_from_db()
    assert (new.status, new.status_reason) == (Status.CANCELLED, "Anggaran")
    page = client.get(reverse("outreach:detail", kwargs={"pk": new.pk})).content.decode()
    assert "Riwayat" in page and "Alice" in page


def test_editing_a_series_session_marks_it_edited(client_for, staff, team, venue):
    result = series_create(actor=staff, title="Seri", venues=[venue], weekdays=[0, 1, 2, 3, 4], starts_on=next_weekday(1),
                           ends_on=next_weekday(8), team=team, start_time=EIGHT, end_time=TEN)
    session = result.created[0]
    data = form_data(venue, team, date=session.date.isoformat(), start_time="13:00", end_time="15:00")
    response = client_for(staff).post(reverse("outreach:edit", kwargs={"pk": session.pk}), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.edited_individually and session.start_time == datetime.time(13)


def test_staff_create_a_series_and_see_what_was_skipped(client_for, staff, team, venue):
    data = {"title": "IKD tiap Jumat", "venues": [venue.pk], "weekdays": ["4"], "starts_on": "2026-12-18",
            "ends_on": "2026-12-31", "team": team.pk, "start_time": "08:00", "end_time": "11:00", "offers_ikd": "on",
            "is_public": "on"}
    response = client_for(staff).post(reverse("outreach:series_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert [s.date for s in response.context["result"].created] == [datetime.date(2026, 12, 18)]
    assert "25 Desember 2026" in page  # Christmas, Friday: skipped and listed


# ---- Lists, calendars, bounded queries --------------------------------------------------------


def test_the_list_filters_by_status_service_team_and_region(client_for, staff, plan, other_team, school):
    ikd = plan(date=next_weekday(2))
    kia = plan(date=next_weekday(2), team=other_team, venue=school, offers_ikd=False, offers_kia=True)
    client = client_for(staff)
    sessions = lambda **params: list(client.get(reverse("outreach:list"), params).context["sessions"])  # noqa: E731
    assert sessions(service="offers_kia") == [kia]
    assert sessions(team=other_team.pk) == [kia]
    assert sessions(region="33.24.08") == [ikd, kia]
    assert sessions(region="33.24.01") == []
    assert sessions(status="cancelled") == []


def test_empty_choices_are_named_not_dashes(client_for, staff, team, venue):
    """A filter's empty team choice reads "Semua" like its neighbours; a form's asks for a choice."""
    client = client_for(staff)
    listing = client.get(reverse("outreach:list")).content.decode()
    assert '<option value="" selected>Semua</option>' in listing
    assert "---------" not in listing
    for url in ("outreach:create", "outreach:series_create"):
        form = client.get(reverse(url)).content.decode()
        assert "---------" not in form
        assert "Pilih tim" in form
    assert "Pilih tempat" in client.get(reverse("outreach:create")).content.decode()


@pytest.mark.parametrize("url", ["outreach:list", "outreach:calendar", "outreach:mine"])
def test_staff_pages_issue_a_bounded_number_of_queries(client_for, staff, plan, url, django_assert_max_num_queries):
    for day in working_days(12):
        plan(date=day)
    client = client_for(staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse(url))
    assert response.status_code == 200


def test_the_week_calendar_shows_the_sessions_of_that_week(client_for, staff, upcoming):
    response = client_for(staff).get(reverse("outreach:calendar"), {"minggu": upcoming.date.isoformat()})
    days = [cell.day for row in response.context["grid"] for cell in row if upcoming in cell.sessions]
    assert days == [upcoming.date]


def crowd(day, count, venue, team, staff, start=7):
    """count sessions of ten minutes on one day, a quarter of an hour apart from start o'clock (a
    team's sessions never overlap: PostgreSQL's exclusion constraint)."""
    times = [datetime.datetime.combine(day, datetime.time(start)) + datetime.timedelta(minutes=15 * i) for i in range(count)]
    return Session.objects.bulk_create(
        Session(venue=venue, team=team, date=day, start_time=t.time(), end_time=(t + datetime.timedelta(minutes=10)).time(),
                created_by=staff)
        for t in times
    )


def test_a_crowded_day_shows_its_first_sessions_and_links_to_the_rest(client_for, staff, venue, team, other_team,
                                                                       django_assert_max_num_queries):
    from outreach.views import CALENDAR_PER_DAY

    busy, quiet = working_days(2)
    crowded = crowd(busy, CALENDAR_PER_DAY + 3, venue, team, staff)
    lone = crowd(quiet, 1, venue, other_team, staff)
    client = client_for(staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("outreach:calendar"), {"minggu": busy.isoformat()})
    cells = {cell.day: cell for row in response.context["grid"] for cell in row}
    assert cells[busy].sessions == crowded[:CALENDAR_PER_DAY] and cells[busy].more == 3
    assert cells[quiet].sessions == lone and cells[quiet].more == 0 and not cells[quiet].more_url
    page = response.content.decode()
    assert "+3 lainnya" in page and "hanya menampilkan 12 yang pertama" in page
    # "+3 lainnya" opens the list of that one day, all fifteen.
    day_list = client.get(cells[busy].more_url)
    assert list(day_list.context["sessions"]) == crowded
    assert "Menampilkan kegiatan pada" in day_list.content.decode()
    # The calendar's filters narrow the days and travel with the links.
    filtered = client.get(reverse("outreach:calendar"), {"minggu": busy.isoformat(), "team": other_team.pk})
    cells = {cell.day: cell for row in filtered.context["grid"] for cell in row}
    assert cells[busy].sessions == [] and cells[quiet].sessions == lone
    following = busy - datetime.timedelta(days=busy.weekday()) + datetime.timedelta(days=7)
    assert f'href="?minggu={following.isoformat()}&amp;team={other_team.pk}"' in filtered.content.decode()


def test_the_list_comes_a_page_at_a_time_keeping_its_filters(client_for, staff, venue, team, other_team):
    from outreach.views import SESSIONS_PER_PAGE

    ours = crowd(working_days(1)[0], SESSIONS_PER_PAGE + 5, venue, team, staff, start=0)
    crowd(working_days(1)[0], 2, venue, other_team, staff, start=20)
    client = client_for(staff)
    first = client.get(reverse("outreach:list"), {"team": team.pk})
    assert list(first.context["sessions"]) == ours[:SESSIONS_PER_PAGE]
    page = first.content.decode()
    assert f"Halaman 1 dari 2 · {SESSIONS_PER_PAGE + 5} kegiatan" in page
    assert f"?team={team.pk}&amp;halaman=2" in page
    second = client.get(reverse("outreach:list"), {"team": team.pk, "halaman": 2})
    assert list(second.context["sessions"]) == ours[SESSIONS_PER_PAGE:]


# ---- Public pages -----------------------------------------------------------------------------


def test_public_pages_show_only_public_upcoming_sessions(client, plan, school):
    public = plan(date=next_weekday(2))
    private = plan(date=next_weekday(2), venue=school, start_time=TEN, end_time=NOON)  # a school: not public
    past = Session.objects.create(venue=public.venue, team=public.team, date=timezone.localdate() - datetime.timedelta(days=3),
                                  start_time=EIGHT, end_time=TEN, created_by=public.created_by)
    index = client.get(reverse("outreach:public_index"))
    assert [(regency.code, total) for regency, total in index.context["regencies"]] == [("33.24", 1)]
    response = client.get(reverse("outreach:public_regency", kwargs={"code": "33.24"}))
    assert response.context["sessions"] == [public]
    assert private not in response.context["sessions"] and past not in response.context["sessions"]
    assert client.get(reverse("outreach:public_regency", kwargs={"code": "33.24"}), {"kecamatan": "33.24.01"}).context["sessions"] == []
    assert client.get(reverse("outreach:public_regency", kwargs={"code": "33.24.08"})).status_code == 404


def test_the_public_pages_issue_a_bounded_number_of_queries(client, plan, django_assert_max_num_queries):
    for day in working_days(10):
        plan(date=day)
    with django_assert_max_num_queries(4):
        client.get(reverse("outreach:public_index"))
    with django_assert_max_num_queries(4):
        client.get(reverse("outreach:public_regency", kwargs={"code": "33.24"}))


def test_the_whatsapp_link_carries_the_announcement(client, upcoming):
    page = client.get(reverse("outreach:public_regency", kwargs={"code": "33.24"})).content.decode()
    link = page.split('href="https://wa.me/?text=')[1].split('"')[0]
    text = unquote(link.replace("&amp;", "&"))
    assert text.startswith("Jemput bola Dukcapil: Aktivasi IKD")
    assert "Balai Desa Sumberejo, Jl. Raya 1, Sumberejo" in text
    assert "08.00–10.00 WIB" in text
    assert "Bawa: e-KTP, HP Android/iOS dengan email aktif" in text


def test_a_venue_without_coordinates_still_gets_a_map_link_to_its_village(client, upcoming):
    assert upcoming.venue.latitude is None
    page = client.get(reverse("outreach:public_regency", kwargs={"code": "33.24"})).content.decode()
    search = "https://www.openstreetmap.org/search?query=Sumberejo%2C+Kaliwungu%2C+Kabupaten+Kendal"
    assert f'href="{search}" rel="noopener">Lihat peta</a>' in page
    link = page.split('href="https://wa.me/?text=')[1].split('"')[0]
    assert f"Peta: {search}" in unquote(link.replace("&amp;", "&"))


def test_the_regency_calendar_feed_parses_and_keeps_private_sessions_out(client, plan, school):
    public = plan(date=next_weekday(2))
    plan(date=next_weekday(2), venue=school, start_time=TEN, end_time=NOON)
    response = client.get(reverse("outreach:public_ics", kwargs={"code": "33.24"}))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(event["uid"]) for event in events] == [f"session-{public.pk}@jemput-bola"]
    start = events[0].decoded("dtstart")
    assert (start.date(), start.hour, str(start.tzinfo)) == (public.date, 8, "Asia/Jakarta")
    assert calendar.walk("VTIMEZONE")


def test_the_team_feed_needs_its_signed_link_and_holds_private_sessions(client, rf, plan, school, team):
    plan(date=next_weekday(2))
    plan(date=next_weekday(2), venue=school, start_time=TEN, end_time=NOON)
    from outreach.views import team_feed_url

    url = team_feed_url(rf.get("/"), team).replace("http://testserver", "")
    assert len(Calendar.from_ical(client.get(url).content).walk("VEVENT")) == 2
    assert client.get(url.replace(".ics", "x.ics")).status_code == 404
