"""Reports: the period's sessions, yield and failure reasons; chart series; the weekly summaries,
their e-mail, PDF, command and Celery task; every report page scoped to the user's regions."""

import csv
import datetime
import io
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from outreach import counts, reports, services
from outreach.models import Audience, HeldCount, Session, SummaryDelivery, WeeklySummary
from outreach.tasks import weekly_summaries
from partners.models import Agreement, Partner
from regions.models import OfficialFigure, Population, Target, User
from tests.conftest import make_region, make_user

WEEK = datetime.date(2025, 11, 17)  # Monday of 2025-W47
SUNDAY = datetime.date(2025, 11, 23)


@pytest.fixture
def kendal_2025(kendal):
    Target.objects.create(region=None, year=2025, indicator="ikd", percent=30, due=datetime.date(2025, 12, 31))
    Population.objects.create(region=kendal, as_of=datetime.date(2025, 4, 25), wajib_ktp=832_474, children=265_855)
    OfficialFigure.objects.create(region=kendal, indicator="ikd", as_of=datetime.date(2025, 10, 31), count=124_044)
    return kendal


def success(village, day, count, service="ikd"):
    counts.add({(village.pk, service, "success", "", day): count})


def failure(village, day, reason, count):
    counts.add({(village.pk, "ikd", "failed", reason, day): count})


def held(plan, operator, staff, *, day, venue=None, audience=(Audience.PUBLIC,), successes=0):
    """A session on `day` with `successes` tallied, closed by the operator."""
    fields = {"date": day, "audience": list(audience)}
    if venue is not None:
        fields["venue"] = venue
    session = plan(**fields)
    if successes:
        services.tally_record(actor=staff, session=session, counts={("ikd", "success", ""): successes},
                              idempotency_key=uuid.uuid4())
    services.session_close(actor=operator, session=session, actual_participants=successes + 5)
    return session


# ---- The period: sessions, yield, failure reasons ----------------------------------------------


def test_activity_counts_sessions_yield_by_venue_type_and_audience_and_failure_reasons(
    kendal, plan, operator, staff, venue, school, village, django_assert_max_num_queries
):
    held(plan, operator, staff, day=WEEK, successes=30)
    held(plan, operator, staff, day=WEEK + datetime.timedelta(days=1), successes=10)
    held(plan, operator, staff, day=WEEK + datetime.timedelta(days=2), venue=school,
         audience=[Audience.STUDENTS, Audience.TEACHERS], successes=46)
    services.session_postpone(actor=staff, session=plan(date=WEEK + datetime.timedelta(days=3)),
                              new_date=WEEK + datetime.timedelta(days=10), reason="Hujan deras")
    services.session_cancel(actor=staff, session=plan(date=WEEK + datetime.timedelta(days=4)), reason="Balai dipakai")
    plan(date=WEEK - datetime.timedelta(days=7))  # outside the week
    failure(village, WEEK, "no_phone", 9)
    failure(village, WEEK, "old_phone", 4)
    failure(village, WEEK - datetime.timedelta(days=1), "face", 7)  # outside the week

    with django_assert_max_num_queries(3):
        result = reports.activity(kendal, start=WEEK, end=SUNDAY, indicator="ikd")
    assert (result.held, result.postponed, result.cancelled) == (3, 1, 1)
    by_type = {row.key: (row.sessions, row.successes, row.per_session) for row in result.by_venue_type}
    assert by_type == {"kantor_desa": (2, 40, 20.0), "sekolah": (1, 46, 46.0)}
    by_audience = {row.key: (row.sessions, row.successes) for row in result.by_audience}
    assert by_audience == {"umum": (2, 40), "pelajar": (1, 46), "guru": (1, 46)}
    assert [(reason, count) for reason, _label, count in result.failures] == [("no_phone", 9), ("old_phone", 4)]
    assert result.failures[0][1] == "Tidak punya HP"


def test_a_correction_after_close_out_updates_the_sessions_yield(kendal, plan, operator, staff, village):
    session = plan(date=WEEK)
    activation = services.activation_record(
        actor=operator, session=session, service="ikd", nik="3324084101900001", outcome="success",
        idempotency_key=uuid.uuid4(),
    ).activation
    close_out = services.session_close(actor=operator, session=session, actual_participants=3)
    assert close_out.successes == 1
    services.activation_delete(actor=staff, activation=activation, reason="Salah ketik")
    close_out.refresh_from_db()
    assert close_out.successes == 0


def held_rows():
    return sorted(HeldCount.objects.filter(sessions__gt=0).values_list(
        "region__code", "day", "venue_type", "audience", "sessions", "successes"))


def test_the_held_session_roll_up_follows_closes_reopens_and_corrections(kendal, plan, operator, staff, school):
    first = held(plan, operator, staff, day=WEEK, successes=30)
    second = held(plan, operator, staff, day=WEEK + datetime.timedelta(days=2), venue=school,
                  audience=[Audience.TEACHERS, Audience.STUDENTS])
    later = WEEK + datetime.timedelta(days=1)
    person = services.activation_record(actor=staff, session=plan(date=later, audience=["umum"]), service="ikd",
                                        nik="3324084101900001", outcome="success", idempotency_key=uuid.uuid4()).activation
    third = services.session_close(actor=operator, session=person.session, actual_participants=1).session
    # Every level holds the same: the village, its district, the regency, the province, the country.
    for code in ("33.24.08.2003", "33.24.08", "33.24", "33", "ID"):
        assert (code, WEEK, "kantor_desa", "umum", 1, 30) in held_rows()
        assert (code, later, "kantor_desa", "umum", 1, 1) in held_rows()
    assert ("ID", WEEK + datetime.timedelta(days=2), "sekolah", "guru,pelajar", 1, 0) in held_rows()
    services.session_reopen(actor=staff, session=first)  # out until closed again
    services.activation_delete(actor=staff, activation=person, reason="Salah orang")  # 1 → 0 successes
    assert ("33.24", later, "kantor_desa", "umum", 1, 0) in held_rows()
    assert not [row for row in held_rows() if row[1] == WEEK and row[2] == "kantor_desa"]
    first.refresh_from_db()
    services.session_close(actor=operator, session=first, actual_participants=40)
    assert ("33.24", WEEK, "kantor_desa", "umum", 1, 30) in held_rows()
    assert {first.pk, second.pk, third.pk} <= set(Session.objects.filter(status="done").values_list("pk", flat=True))
    before = held_rows()
    services.daily_counts_rebuild()
    assert held_rows() == before
    result = reports.activity(make_region("ID"), start=WEEK, end=SUNDAY)
    assert {row.key: (row.sessions, row.successes) for row in result.by_venue_type} == {
        "kantor_desa": (2, 30), "sekolah": (1, 0)}


def test_the_imports_container_session_is_not_a_held_session(kendal, staff, village):
    from outreach.activation_import import activations_import

    content = ("nik,service,outcome,failure_reason,date,married,village_code,session\n"
               "3324080101900001,ikd,success,,2025-11-18,,33.24.08.2003,\n").encode()
    assert activations_import(actor=staff, path_or_file=io.BytesIO(content), filename="daftar.csv").saved == 1
    assert Session.objects.get(venue__name="Impor daftar").status == "done"
    assert not HeldCount.objects.exists()
    assert reports.activity(kendal, start=WEEK, end=SUNDAY).held == 0  # the dashboard and summary agree
    services.daily_counts_rebuild()
    assert not HeldCount.objects.exists()  # a rebuild agrees


# ---- Chart series and charts -----------------------------------------------------------------------


def test_the_cumulative_series_starts_at_the_official_figure_and_adds_later_outreach(kendal_2025, village):
    from outreach.progress import progress_for

    success(village, datetime.date(2025, 10, 20), 999)  # before the official figure: inside it
    success(village, datetime.date(2025, 11, 3), 100)
    success(village, datetime.date(2025, 11, 18), 250)
    [item] = progress_for([kendal_2025], indicator="ikd", year=2025, as_of=SUNDAY)
    assert item.achieved == 124_044 + 350
    data = reports.series(item)
    assert data.cumulative[0] == (datetime.date(2025, 10, 31), 124_044)
    assert (datetime.date(2025, 11, 9), 124_144) in data.cumulative
    assert data.cumulative[-1] == (SUNDAY, 124_394)
    assert len(data.weeks) == reports.CHART_WEEKS and data.weeks[-1] == (WEEK, 250)
    assert dict(data.weeks)[datetime.date(2025, 11, 3)] == 100
    assert data.target_count == 249_743 and data.due == datetime.date(2025, 12, 31)
    assert data.required_per_week == item.required_per_week


def test_charts_are_png_drawings_of_the_series(kendal_2025, village):
    from outreach.progress import progress_for

    success(village, datetime.date(2025, 11, 18), 250)
    [item] = progress_for([kendal_2025], indicator="ikd", year=2025, as_of=SUNDAY)
    for kind in reports.CHART_KINDS:
        image = Image.open(io.BytesIO(reports.chart_png(kind, reports.series(item))))
        assert image.format == "PNG" and image.size == (520, 360)


# ---- Weekly summaries -------------------------------------------------------------------------------


@pytest.fixture
def week_of_work(kendal_2025, plan, operator, staff, village, school, manager):
    manager.email = "bob@dukcapil.example"
    manager.save()
    held(plan, operator, staff, day=WEEK, successes=30)
    held(plan, operator, staff, day=WEEK + datetime.timedelta(days=1), venue=school, successes=46)
    success(make_region("33.24.01.2001"), WEEK, 5)
    failure(village, WEEK, "no_phone", 9)
    partner = Partner.objects.create(business_name="Warung Bu Sri", owner_name="Sri", sector="kuliner",
                                     address="Jl. Pasar 1", village=village, whatsapp="6281234567890")
    Agreement.objects.create(office=kendal_2025, partner=partner, number="PKS/1", title="Diskon KIA",
                             signed_on=WEEK + datetime.timedelta(days=2), valid_from=WEEK,
                             valid_until=SUNDAY + datetime.timedelta(days=20), office_signatory="Kadis",
                             partner_signatory="Sri")
    return kendal_2025


def test_the_summary_holds_the_weeks_figures(week_of_work):
    summary = reports.summary_build(week_of_work, WEEK)
    data = summary.data
    assert summary.week_label == "2025-W47" and data["week"] == {"start": "2025-11-17", "end": "2025-11-23", "year": 2025}
    assert data["progress"]["ikd"]["achieved"] == 124_044 + 30 + 46 + 5
    assert data["progress"]["ektp"]["status"] == "no_target"
    assert data["sessions"] == {"held": 2, "postponed": 0, "cancelled": 0}
    assert [v["code"] for v in data["villages_top"]] == ["33.24.08.2003", "33.24.01.2001"]
    assert data["villages_top"][0]["successes"] == 76 and data["villages_bottom"] == []
    assert data["failures"] == [["no_phone", 9]]
    assert data["partners_signed"][0]["partner"] == "Warung Bu Sri"
    assert data["partners_expiring"][0]["number"] == "PKS/1"
    assert data["chart"]["weeks"][-1] == ["2025-11-17", 81]


def test_building_twice_updates_one_summary_and_emails_each_manager_once(week_of_work, manager, kendal, celery_eager):
    second = make_user("dina", User.Role.MANAGER, [kendal], email="dina@dukcapil.example")
    make_user("eko", User.Role.MANAGER, [make_region("33.24.08")], email="eko@dukcapil.example")  # another region
    make_user("fajar", User.Role.STAFF, [kendal], email="fajar@dukcapil.example")  # not a manager
    assert list(reports.office_regions().values_list("code", flat=True)) == ["33.24", "33.24.08"]
    weekly_summaries.delay(WEEK.isoformat())
    weekly_summaries.delay(WEEK.isoformat())
    assert WeeklySummary.objects.filter(region=kendal, week_start=WEEK).count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == [
        "bob@dukcapil.example", "dina@dukcapil.example", "eko@dukcapil.example",
    ]
    assert SummaryDelivery.objects.filter(sent_at__isnull=False).count() == 3
    assert second.email in {message.to[0] for message in mail.outbox}


def test_the_email_has_text_html_inline_charts_and_the_pdf(week_of_work, manager):
    summary = reports.summary_build(week_of_work, WEEK)
    assert reports.summary_deliver(summary) == 1
    [message] = mail.outbox
    assert message.subject == "Ringkasan mingguan Kabupaten Kendal, 2025-W47"
    assert "Aktivasi IKD: 124.125 (14,91%)" in message.body
    assert "Warung Bu Sri (PKS/1)" in message.body
    assert f"{settings.SITE_URL}/laporan/33.24/?tanggal=2025-11-23" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and 'src="cid:grafik-mingguan"' in html and 'src="cid:grafik-kumulatif"' in html
    assert "Tidak punya HP" in html
    parts = message.message()
    images = [part for part in parts.walk() if part.get_content_type() == "image/png"]
    assert sorted(part["Content-ID"] for part in images) == ["<grafik-kumulatif>", "<grafik-mingguan>"]
    [pdf] = [part for part in parts.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "ringkasan-33.24-2025-W47.pdf"
    assert pdf.get_payload(decode=True).startswith(b"%PDF")


def test_the_pdf_contains_the_charts_and_the_figures(week_of_work):
    summary = reports.summary_build(week_of_work, WEEK)
    content = reports.summary_pdf(summary)
    assert content.startswith(b"%PDF")
    assert content.count(b"/Subtype /Image") == 2  # the two charts, embedded as images
    text = extract_pdf_text(content)
    assert "Ringkasan mingguan jemput bola: Kabupaten Kendal" in text and "Warung Bu Sri" in text


def extract_pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_command_backfills_a_week_and_refuses_clearly(week_of_work, manager):
    out = io.StringIO()
    call_command("weekly_summary", "--week", "2025-W47", "--region", "33.24", stdout=out)
    assert "33.24 Kabupaten Kendal: ringkasan 2025-W47 tersimpan." in out.getvalue()
    assert WeeklySummary.objects.get(region=week_of_work).week_start == WEEK and not mail.outbox
    call_command("weekly_summary", "--week", "2025-W47", "--region", "33.24", "--kirim", stdout=out)
    call_command("weekly_summary", "--week", "2025-W47", "--kirim", stdout=out)
    assert len(mail.outbox) == 1 and WeeklySummary.objects.count() == 1
    with pytest.raises(CommandError, match="tulis seperti 2025-W47"):
        call_command("weekly_summary", "--week", "2025-47")
    with pytest.raises(CommandError, match="tidak dikenal"):
        call_command("weekly_summary", "--week", "2025-W47", "--region", "99.99")


def test_monday_from_six_oclock_jakarta_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["ringkasan-mingguan"]
    assert entry["task"] == "outreach.tasks.weekly_summaries"
    schedule = entry["schedule"]
    # Hourly from 06:00 on Monday: a fire lost while Redis was down is made up by the next.
    assert min(schedule.hour) == 6 and len(schedule.hour) > 1 and schedule.minute == {0} and schedule.day_of_week == {1}
    assert settings.CELERY_TIMEZONE == "Asia/Jakarta"
    assert reports.last_full_week(datetime.date(2025, 11, 24)) == WEEK


def test_the_hourly_fan_out_skips_regions_already_summarized_and_emailed(manager, week_of_work, celery_eager):
    assert weekly_summaries.delay(WEEK.isoformat()).get() == 1
    assert len(mail.outbox) == 1
    # The next hour's run finds the summary built and e-mailed: nothing is queued or sent again.
    assert weekly_summaries.delay(WEEK.isoformat()).get() == 0
    assert len(mail.outbox) == 1 and WeeklySummary.objects.count() == 1
    # A delivery still pending (the mail server refused it) puts the region back in the next run.
    SummaryDelivery.objects.update(sent_at=None)
    assert weekly_summaries.delay(WEEK.isoformat()).get() == 1
    assert len(mail.outbox) == 2


# ---- Pages ------------------------------------------------------------------------------------------------


def dashboard_url(code="33.24", **params):
    query = {"indikator": "ikd", "tahun": "2025", "tanggal": "2025-11-23", **params}
    return reverse("outreach:dashboard", kwargs={"code": code}) + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_dashboard_shows_charts_the_period_and_downloads_every_table(client_for, manager, week_of_work,
                                                                         django_assert_max_num_queries):
    client = client_for(manager)
    with django_assert_max_num_queries(20):
        page = client.get(dashboard_url())
    html = page.content.decode()
    assert 'grafik-mingguan.png?indikator=ikd' in html and "Alasan gagal" in html and "Tidak punya HP" in html
    assert page.context["period"].held == 2
    chart = client.get(reverse("outreach:dashboard_chart", kwargs={"code": "33.24", "kind": "kumulatif"}) + "?tanggal=2025-11-23&tahun=2025")
    assert chart["Content-Type"] == "image/png" and Image.open(io.BytesIO(chart.content)).size == (520, 360)
    tables = {"kemajuan": "region_code", "kegiatan": "held", "hasil-jenis": "group", "hasil-sasaran": "group",
              "alasan": "failure_reason", "belum-lapor": "date"}
    for table, column in tables.items():
        response = client.get(dashboard_url(unduh="csv", tabel=table))
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert column in header, table
        xlsx = client.get(dashboard_url(unduh="xlsx", tabel=table))
        assert xlsx.content[:2] == b"PK", table
    rows = list(csv.DictReader(io.StringIO(client.get(dashboard_url(unduh="csv", tabel="alasan")).content.decode("utf-8-sig"))))
    assert rows == [{"failure_reason": "Tidak punya HP", "count": "9"}]


def test_the_dashboard_takes_the_same_queries_with_more_sessions(client_for, manager, week_of_work, plan, operator,
                                                                 staff, django_assert_max_num_queries):
    client = client_for(manager)
    for offset in range(8):
        held(plan, operator, staff, day=WEEK - datetime.timedelta(days=7 + offset), successes=offset + 1)
        plan(date=WEEK - datetime.timedelta(days=20 + offset))  # overdue
    with django_assert_max_num_queries(20):
        assert client.get(dashboard_url()).status_code == 200


def test_past_summaries_are_browsable_and_downloadable(client_for, manager, week_of_work, django_assert_max_num_queries):
    summary = reports.summary_build(week_of_work, WEEK)
    client = client_for(manager)
    with django_assert_max_num_queries(8):
        listing = client.get(reverse("outreach:summary_list", kwargs={"code": "33.24"}))
    assert "2025-W47" in listing.content.decode()
    detail = client.get(reverse("outreach:summary_detail", kwargs={"pk": summary.pk})).content.decode()
    assert "Warung Bu Sri" in detail and reverse("outreach:summary_chart", kwargs={"pk": summary.pk, "kind": "mingguan"}) in detail
    pdf = client.get(reverse("outreach:summary_pdf", kwargs={"pk": summary.pk}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    chart = client.get(reverse("outreach:summary_chart", kwargs={"pk": summary.pk, "kind": "mingguan"}))
    assert chart["Content-Type"] == "image/png"


def test_outsiders_get_404_on_every_report_export_and_summary(client_for, outsider, week_of_work):
    summary = reports.summary_build(week_of_work, WEEK)
    client = client_for(outsider)
    urls = [
        dashboard_url(),
        dashboard_url(unduh="csv", tabel="alasan"),
        dashboard_url(unduh="xlsx", tabel="kemajuan"),
        reverse("outreach:dashboard_chart", kwargs={"code": "33.24", "kind": "mingguan"}),
        reverse("outreach:summary_list", kwargs={"code": "33.24"}),
        reverse("outreach:summary_detail", kwargs={"pk": summary.pk}),
        reverse("outreach:summary_pdf", kwargs={"pk": summary.pk}),
        reverse("outreach:summary_chart", kwargs={"pk": summary.pk, "kind": "kumulatif"}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    # Their own region's list does not show Kendal's summary either.
    own = client.get(reverse("outreach:summary_list", kwargs={"code": "35.72"})).content.decode()
    assert "Kabupaten Kendal" not in own
    client.logout()
    assert client.get(reverse("outreach:summary_pdf", kwargs={"pk": summary.pk})).status_code == 302


def test_a_summary_for_a_region_inside_is_visible_from_the_province(client_for, week_of_work):
    summary = reports.summary_build(week_of_work, WEEK)
    governor = make_user("gita", User.Role.MANAGER, [make_region("33")])
    client = client_for(governor)
    assert client.get(reverse("outreach:summary_detail", kwargs={"pk": summary.pk})).status_code == 200
    assert "2025-W47" in client.get(reverse("outreach:summary_list", kwargs={"code": "33"})).content.decode()
