"""Reports for managers: what happened in a period, the chart series, and the weekly summaries.

The figures come from `outreach.progress` (targets and pace), the daily counts (successes and
failure reasons), the sessions (held, postponed, cancelled; the successes kept at close-out
for the yield) and the agreements. Every function reads a bounded number of queries,
whatever the size of the region.

A weekly summary is built once per (office region, week) and stored as plain JSON, so the
page, the e-mail and the PDF show the same figures; building it again updates the same row.
Each manager assigned the region gets it by e-mail once: the delivery row is locked and
marked sent in the transaction that sends it.
"""

from __future__ import annotations

import datetime
import io
import logging
from collections import Counter
from dataclasses import dataclass
from email.mime.image import MIMEImage
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from outreach import charts, counts, held
from outreach.models import (
    LOGGED_SERVICES,
    Audience,
    DailyCount,
    FailureReason,
    Outcome,
    Session,
    Status,
    SummaryDelivery,
    Team,
    VenueType,
    WeeklySummary,
)
from outreach.progress import STATUS_LABELS, NoBase, Progress, progress_for, successes_per_day
from partners.models import Agreement
from regions.figures import default_year, region_figures
from regions.models import Indicator, Region, User, subtree_q

log = logging.getLogger(__name__)

CHART_WEEKS = 12
CHART_KINDS = ("mingguan", "kumulatif")
PERIOD_DAYS = 28  # the dashboard's "what happened lately", the same window as the pace
RANKED_VILLAGES = 5
EXPIRING_DAYS = 30
HEADLINE = Indicator.IKD  # the indicator the summary's charts follow


# ---- Weeks ------------------------------------------------------------------------------------


def week_start_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def parse_week(text: str) -> datetime.date:
    """The Monday of an ISO week written 2025-W47; ValueError with an Indonesian message otherwise."""
    try:
        year, week = text.strip().upper().split("-W")
        return datetime.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(_("Minggu '%s' tidak dikenal: tulis seperti 2025-W47.") % text) from None


def last_full_week(today: datetime.date) -> datetime.date:
    """The Monday of the week that ended before `today`'s week began."""
    return week_start_of(today) - datetime.timedelta(days=7)


# ---- What happened in a period -----------------------------------------------------------------


@dataclass(frozen=True)
class YieldRow:
    key: str  # the venue type or audience value
    label: str
    sessions: int
    successes: int

    @property
    def per_session(self) -> float:
        return round(self.successes / self.sessions, 1) if self.sessions else 0.0


@dataclass(frozen=True)
class Activity:
    start: datetime.date
    end: datetime.date
    held: int
    postponed: int
    cancelled: int
    by_venue_type: list[YieldRow]
    by_audience: list[YieldRow]
    failures: list[tuple[str, str, int]]  # (reason, label, count), most first


def activity(region: Region, *, start: datetime.date, end: datetime.date, indicator: str | None = None) -> Activity:
    """Sessions held, postponed and cancelled from `start` to `end`, the yield per held session by
    venue type and by audience, and failure reasons (of one indicator, or of every logged service).
    Three queries."""
    # Held sessions come from the roll-up (outreach.held), so the count and the yield tables
    # agree (the import's container session is not held); only the few postponed and
    # cancelled sessions are counted from the rows.
    stopped = Session.objects.filter(subtree_q([region.code], "venue__village"), date__range=(start, end),
                                     status__in=[Status.POSTPONED, Status.CANCELLED])
    by_status = dict(stopped.values_list("status").annotate(total=Count("id")).order_by())
    # Both tables from one lookup in the held-session roll-up: the distinct (venue type,
    # audience) pairs are few.
    held_total = 0
    types = dict(VenueType.choices)
    type_sessions: Counter = Counter()
    type_successes: Counter = Counter()
    audience_sessions: Counter = Counter()
    audiences: Counter = Counter()
    for venue_type, audience, count, successes in held.yields(region, start, end):
        held_total += count
        type_sessions[venue_type] += count
        type_successes[venue_type] += successes
        for value in held.audience_values(audience) or ["-"]:
            audience_sessions[value] += count
            audiences[value] += successes
    by_type = [
        YieldRow(value, str(types.get(value, value)), type_sessions[value], type_successes[value])
        for value in sorted(type_sessions)
    ]
    audience_labels = {**dict(Audience.choices), "-": _("tidak diisi")}
    by_audience = [
        YieldRow(value, str(audience_labels.get(value, value)), audience_sessions[value], audiences[value])
        for value in sorted(audience_sessions, key=lambda value: -audiences[value])
    ]
    reasons = dict(FailureReason.choices)
    failures = [
        (reason, str(reasons.get(reason, reason or _("tanpa alasan"))), total)
        for reason, total in counts.failures(region, services=[indicator] if indicator else LOGGED_SERVICES,
                                             start=start, end=end)
    ]
    return Activity(
        start=start, end=end, held=held_total, postponed=by_status.get(Status.POSTPONED, 0),
        cancelled=by_status.get(Status.CANCELLED, 0), by_venue_type=by_type, by_audience=by_audience,
        failures=failures,
    )


# ---- Chart series -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    weeks: list[tuple[datetime.date, int]]  # (Monday, successes that week), the last CHART_WEEKS weeks
    cumulative: list[tuple[datetime.date, int]]  # estimated achievement at the start, each Sunday, and as_of
    required_per_week: int | None
    target_count: int | None
    due: datetime.date | None


def series(item: Progress) -> Series:
    """The two charts' numbers for one progress result (one query).

    Achievement at an earlier date D is the same estimate as `achieved`, taken at D: the
    latest official figure plus outreach up to D. It is drawn from the official figure's
    date (or the start of the year, if later) so no point needs an older figure.
    """
    as_of = item.as_of
    first_week = week_start_of(as_of) - datetime.timedelta(weeks=CHART_WEEKS - 1)
    year_start = datetime.date(item.year, 1, 1)
    start = max(item.official_as_of, year_start) if item.official_as_of else year_start
    start = min(start, as_of)
    daily = successes_per_day(item.region, item.indicator, min(first_week, start) - datetime.timedelta(days=1), as_of)
    weeks = [
        (monday, sum(count for day, count in daily.items() if monday <= day < monday + datetime.timedelta(days=7)))
        for monday in (first_week + datetime.timedelta(weeks=n) for n in range(CHART_WEEKS))
    ]
    ends = [start]
    sunday = start + datetime.timedelta(days=6 - start.weekday() or 7)
    while sunday < as_of:
        ends.append(sunday)
        sunday += datetime.timedelta(weeks=1)
    if as_of > start:
        ends.append(as_of)
    points = [(end, item.achieved - sum(count for day, count in daily.items() if day > end)) for end in ends]
    return Series(weeks=weeks, cumulative=points, required_per_week=item.required_per_week,
                  target_count=item.target_count, due=item.target_due if item.target_count is not None else None)


def chart_png(kind: str, data: Series) -> bytes:
    if kind == "mingguan":
        return charts.weekly_chart(data.weeks, data.required_per_week)
    return charts.cumulative_chart(data.cumulative, data.target_count, data.due)


# ---- Weekly summaries -------------------------------------------------------------------------


def office_regions():
    """Regions that have an office: a team's office, or a region assigned to an active manager."""
    managed = User.objects.filter(role=User.Role.MANAGER, is_active=True).values("regions")
    return Region.objects.filter(Q(pk__in=Team.objects.values("office")) | Q(pk__in=managed)).order_by("code")


def regions_to_summarize(week_start: datetime.date):
    """Office regions whose summary of the week is not yet built and e-mailed: the Monday fan-out
    runs every hour from 06:00, so a run lost while Redis was down is made up by the next one."""
    done = WeeklySummary.objects.filter(week_start=week_start).exclude(deliveries__sent_at__isnull=True)
    return office_regions().exclude(pk__in=done.values("region"))


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _ranked_villages(region: Region, start: datetime.date, end: datetime.date) -> tuple[list, list]:
    """Villages by successful results in the week (every logged service), among those with a result
    or a held session: the top five and, apart from them, the bottom five."""
    totals = dict(
        DailyCount.objects.filter(subtree_q([region.code], "village"), outcome=Outcome.SUCCESS, day__range=(start, end))
        .values_list("village_id").annotate(total=Sum("count")).order_by()
    )
    held = Session.objects.filter(subtree_q([region.code], "venue__village"), date__range=(start, end),
                                  status=Status.DONE).values_list("venue__village_id", flat=True)
    ids = set(totals) | set(held)
    villages = {v.pk: v for v in Region.objects.filter(pk__in=ids).select_related("parent")}
    ranked = sorted(villages.values(), key=lambda v: (-totals.get(v.pk, 0), v.code))
    row = lambda v: {"code": v.code, "name": v.name, "district": v.parent.name, "successes": totals.get(v.pk, 0)}  # noqa: E731
    top = ranked[:RANKED_VILLAGES]
    bottom = [v for v in reversed(ranked) if v not in top][:RANKED_VILLAGES]
    return [row(v) for v in top], [row(v) for v in bottom]


def summary_data(region: Region, week_start: datetime.date) -> dict:
    """Every figure of the region's summary for the week starting on `week_start` (a Monday)."""
    week_end = week_start + datetime.timedelta(days=6)
    year = default_year(week_end)
    progress = {}
    headline = None
    figures = region_figures([region], year=year, as_of=week_end)
    for indicator in Indicator.values:
        try:
            [item] = progress_for([region], indicator=indicator, year=year, as_of=week_end, figures=figures)
        except NoBase:
            progress[indicator] = None
            continue
        progress[indicator] = {**item.as_dict(), "target_source": str(item.target_source)}
        if indicator == HEADLINE:
            headline = item
    done = activity(region, start=week_start, end=week_end)
    top, bottom = _ranked_villages(region, week_start, week_end)
    agreements = Agreement.objects.filter(subtree_q([region.code], "office")).select_related("partner")
    signed = agreements.filter(signed_on__range=(week_start, week_end)).order_by("signed_on")
    expiring = agreements.in_force(week_end).filter(
        valid_until__lte=week_end + datetime.timedelta(days=EXPIRING_DAYS)
    ).order_by("valid_until")
    chart = None
    if headline is not None:
        data = series(headline)
        chart = {
            "weeks": [[_iso(day), count] for day, count in data.weeks],
            "cumulative": [[_iso(day), count] for day, count in data.cumulative],
            "required_per_week": data.required_per_week,
            "target_count": data.target_count,
            "due": _iso(data.due),
        }
    return {
        "region": {"code": region.code, "name": region.name},
        "week": {"start": _iso(week_start), "end": _iso(week_end), "year": year},
        "progress": progress,
        "sessions": {"held": done.held, "postponed": done.postponed, "cancelled": done.cancelled},
        "yield_by_venue_type": [[r.key, r.sessions, r.successes, r.per_session] for r in done.by_venue_type],
        "failures": [[reason, count] for reason, _label, count in done.failures[:5]],
        "villages_top": top,
        "villages_bottom": bottom,
        "partners_signed": [
            {"partner": a.partner.business_name, "number": a.number, "signed_on": _iso(a.signed_on)} for a in signed[:20]
        ],
        "partners_expiring": [
            {"partner": a.partner.business_name, "number": a.number, "valid_until": _iso(a.valid_until)} for a in expiring[:20]
        ],
        "chart": chart,
    }


def summary_build(region: Region, week_start: datetime.date) -> WeeklySummary:
    """Build (or rebuild) the stored summary of the region for the week: one row per (region, week)."""
    if week_start.weekday() != 0:
        raise ValueError(_("Ringkasan mingguan dimulai hari Senin."))
    with translation.override("id"):
        data = summary_data(region, week_start)
    summary, _created = WeeklySummary.objects.update_or_create(
        region=region, week_start=week_start, defaults={"data": data}
    )
    return summary


def summary_series(summary: WeeklySummary) -> Series | None:
    chart = summary.data.get("chart")
    if not chart:
        return None
    day = datetime.date.fromisoformat
    return Series(
        weeks=[(day(d), n) for d, n in chart["weeks"]],
        cumulative=[(day(d), n) for d, n in chart["cumulative"]],
        required_per_week=chart["required_per_week"], target_count=chart["target_count"],
        due=day(chart["due"]) if chart["due"] else None,
    )


def summary_recipients(summary: WeeklySummary):
    """Active managers assigned exactly this region, with an e-mail address."""
    return User.objects.filter(role=User.Role.MANAGER, is_active=True, regions=summary.region).exclude(email="")


def summary_context(summary: WeeklySummary) -> dict:
    data = summary.data
    expiring = [{**a, "valid_until": datetime.date.fromisoformat(a["valid_until"])} for a in data["partners_expiring"]]
    types, reasons = dict(VenueType.choices), dict(FailureReason.choices)
    return {
        "summary": summary,
        "data": {
            **data,
            "partners_expiring": expiring,
            "yield_by_venue_type": [[types.get(key, key), *rest] for key, *rest in data["yield_by_venue_type"]],
            "failures": [[reasons.get(reason, reason or _("tanpa alasan")), count] for reason, count in data["failures"]],
        },
        "progress_rows": [
            (Indicator(indicator).label, item, status_label(item["status"]))
            for indicator, item in data["progress"].items() if item
        ],
    }


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def preload() -> None:
    """Import the drawing libraries now: matplotlib (`charts`) and fpdf2 (the PDFs).

    Both are imported on first use, so that commands which draw nothing (an import, a
    migration, the URL checks) start about half a second sooner. A process that serves requests
    or tasks imports them once at start instead (`config/wsgi.py`, `config/celery.py`): a first
    import racing in two threads (the development server, a threaded pool) can hand one of them
    a half-initialised matplotlib, and every chart after it fails.
    """
    charts.preload()
    import fpdf  # noqa: F401


def summary_pdf(summary: WeeklySummary) -> bytes:
    """The summary as a PDF (fpdf2, pure Python) with the same figures and charts as the e-mail."""
    # Imported here, as matplotlib in `charts` (see `preload`): a fifth of a second at start-up.
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    context = summary_context(summary)
    data = summary.data
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(_font_dir() / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(_font_dir() / "DejaVuSans-Bold.ttf"))
    pdf.set_title(_("Ringkasan mingguan %(region)s %(week)s") % {"region": data["region"]["name"], "week": summary.week_label})
    pdf.set_creator("Jemput Bola")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, _("Ringkasan mingguan jemput bola: %s") % data["region"]["name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, week_words(summary), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    def number(value) -> str:
        return "—" if value is None else number_format(value, force_grouping=True)

    def table(header: list[str], rows: list[list[str]], widths: tuple | None = None) -> None:
        if not rows:
            pdf.cell(0, 6, _("Tidak ada."), new_x="LMARGIN", new_y="NEXT")
            return
        pdf.set_font("DejaVu", "", 8.5)
        with pdf.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD"), line_height=5) as grid:
            grid.row(header)
            for row in rows:
                grid.row([str(cell) for cell in row])
        pdf.set_font("DejaVu", "", 10)

    def heading(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)

    heading(_("Kemajuan terhadap target"))
    table(
        [_("Indikator"), _("Capaian"), _("Cakupan"), _("Target"), _("Sisa"), _("Perlu/minggu"), _("Laju/minggu"), _("Status")],
        [[label, number(item["achieved"]), f"{number_format(item['coverage_percent'], 2)}%",
          number(item["target_count"]), number(item["remaining"]), number(item["required_per_week"]),
          number(round(item["pace_per_week"])), status_label(item["status"])]
         for label, item, _status in context["progress_rows"]],
    )
    chart = summary_series(summary)
    if chart:
        for kind in CHART_KINDS:
            pdf.ln(2)
            pdf.image(io.BytesIO(chart_png(kind, chart)), w=180)
    heading(_("Kegiatan minggu ini"))
    sessions = data["sessions"]
    pdf.cell(0, 6, _("Terlaksana %(held)s, ditunda %(postponed)s, dibatalkan %(cancelled)s.") % sessions,
             new_x="LMARGIN", new_y="NEXT")
    heading(_("Hasil per kegiatan menurut jenis tempat"))
    table([_("Jenis tempat"), _("Kegiatan"), _("Berhasil"), _("Per kegiatan")],
          [[label, number(n), number(s), number_format(per, 1)] for label, n, s, per in context["data"]["yield_by_venue_type"]])
    heading(_("Desa/kelurahan dengan hasil terbanyak"))
    table([_("Desa/kelurahan"), _("Kecamatan"), _("Berhasil")],
          [[v["name"], v["district"], number(v["successes"])] for v in data["villages_top"]])
    heading(_("Desa/kelurahan dengan hasil paling sedikit"))
    table([_("Desa/kelurahan"), _("Kecamatan"), _("Berhasil")],
          [[v["name"], v["district"], number(v["successes"])] for v in data["villages_bottom"]])
    heading(_("Alasan gagal terbanyak"))
    table([_("Alasan"), _("Jumlah")], [[label, number(count)] for label, count in context["data"]["failures"]])
    heading(_("Mitra UMKM"))
    table([_("Ditandatangani minggu ini"), _("Nomor PKS"), _("Tanggal")],
          [[a["partner"], a["number"], _date_words(a["signed_on"])] for a in data["partners_signed"]])
    pdf.ln(1)
    table([_("Berakhir dalam 30 hari"), _("Nomor PKS"), _("Berlaku sampai")],
          [[a["partner"], a["number"], date_format(a["valid_until"], "DATE_FORMAT")] for a in context["data"]["partners_expiring"]])
    return bytes(pdf.output())


def _date_words(iso: str) -> str:
    return date_format(datetime.date.fromisoformat(iso), "DATE_FORMAT")


def week_words(summary: WeeklySummary) -> str:
    return _("Minggu %(week)s: %(start)s – %(end)s") % {
        "week": summary.week_label,
        "start": date_format(summary.week_start, "DATE_FORMAT"),
        "end": date_format(summary.week_end, "DATE_FORMAT"),
    }


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def dashboard_url(summary: WeeklySummary, site: str | None = None) -> str:
    """The dashboard on the summary's last day; absolute (SITE_URL) for e-mails."""
    path = reverse("outreach:dashboard", kwargs={"code": summary.region.code})
    site = settings.SITE_URL if site is None else site
    return f"{site}{path}?tanggal={summary.week_end.isoformat()}"


def summary_email(summary: WeeklySummary, recipient) -> EmailMultiAlternatives:
    """The e-mail of a summary: plain text, HTML with the charts inline, the PDF attached."""
    context = {
        **summary_context(summary),
        "recipient": recipient,
        "dashboard_url": dashboard_url(summary),
        "summary_url": settings.SITE_URL + reverse("outreach:summary_detail", kwargs={"pk": summary.pk}),
        "week_words": week_words(summary),
        "inline": True,
    }
    subject = _("Ringkasan mingguan %(region)s, %(week)s") % {
        "region": summary.data["region"]["name"], "week": summary.week_label
    }
    message = EmailMultiAlternatives(
        subject, render_to_string("emails/weekly_summary.txt", context), settings.DEFAULT_FROM_EMAIL, [recipient.email]
    )
    message.attach_alternative(render_to_string("emails/weekly_summary.html", context), "text/html")
    message.mixed_subtype = "related"  # the charts are parts the HTML refers to by Content-ID
    chart = summary_series(summary)
    if chart:
        for kind in CHART_KINDS:
            image = MIMEImage(chart_png(kind, chart), "png")
            image.add_header("Content-ID", f"<grafik-{kind}>")
            image.add_header("Content-Disposition", "inline", filename=f"grafik-{kind}.png")
            message.attach(image)
    message.attach(f"ringkasan-{summary.region.code}-{summary.week_label}.pdf", summary_pdf(summary), "application/pdf")
    return message


def summary_deliver(summary: WeeklySummary) -> int:
    """E-mail the summary to each of its managers who has not had it yet; returns how many went.

    Each delivery is locked and marked in the transaction that sends it: a second run, or a
    second worker at the same time, finds it sent (or waits, then finds it sent).
    """
    for recipient in summary_recipients(summary):
        SummaryDelivery.objects.get_or_create(summary=summary, recipient=recipient)
    sent = 0
    pending = SummaryDelivery.objects.filter(summary=summary, sent_at__isnull=True).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            delivery = (
                SummaryDelivery.objects.select_for_update().select_related("recipient")
                .filter(pk=pk, sent_at__isnull=True).first()
            )
            if delivery is None or not delivery.recipient.email:
                continue
            with translation.override("id"):
                summary_email(summary, delivery.recipient).send()
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["sent_at"])
            sent += 1
    log.info("weekly summary %s %s: %d e-mail(s)", summary.region.code, summary.week_label, sent)
    return sent
