import calendar
import dataclasses
import datetime
import uuid
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from config.db import prepared_on_post
from outreach import feeds, reports, services
from outreach.forms import ActivationForm, CancelForm, CloseOutForm, CorrectionForm, TallyForm, PostponeForm, SeriesChangeForm, SeriesForm, SessionFilterForm, SessionForm
from outreach.models import Outcome, Session, SessionPhoto, SessionSeries, Status, Team, WeeklySummary
from outreach.privacy import masked
from regions import access, audit
from outreach.progress import FIELDS, NoBase, progress_for
from regions.exports import download
from regions.figures import default_year
from regions.models import AuditAction, Indicator, Level, Region, subtree_q

TEAM_FEED_SALT = "outreach.team-feed"


HOME_SESSIONS = 20
RESULTS_PER_PAGE = 100  # rows on a page of "Hasil per orang"
SESSIONS_PER_PAGE = 50  # cards on a page of the session list
CALENDAR_PER_DAY = 12  # sessions shown in one day of the calendar; the rest are behind "+N lainnya"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The first page after signing in, by role: an operator finds today's sessions one tap from
    the log page; staff and managers find their reports and the sessions nobody reported yet."""
    user = request.user
    today = timezone.localdate()
    sessions = Session.objects.visible_to(user)
    context = {"roots": access.root_regions(user), "today": today, "todays": None, "overdue_total": None}
    if access.logs_results(user):
        context["todays"] = list(
            sessions.with_related().field_visits().filter(date=today).booking().order_by("start_time")[:HOME_SESSIONS]
        )
    if access.reads_reports(user):
        context["overdue_total"] = sessions.overdue(today).count()
    return render(request, "outreach/home.html", context)


def _session_or_404(user, pk: int, *, related: bool = True) -> Session:
    """A session the user may see; `related=False` joins only its venue and village (a save that
    redirects needs no more, and a smaller join is planned faster on every operator's save)."""
    sessions = Session.objects.visible_to(user)
    sessions = sessions.with_related() if related else sessions.select_related("venue__village")
    try:
        return sessions.get(pk=pk)
    except Session.DoesNotExist:
        raise Http404 from None


def _series_or_404(user, pk: int) -> SessionSeries:
    series = SessionSeries.objects.filter(pk=pk, team__in=_visible_teams(user)).select_related("team").first()
    if series is None:
        raise Http404
    return series


def _visible_teams(user):
    return Team.objects.visible_to(user)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# ---- Staff: list, calendars, detail ---------------------------------------------------------


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET or None, user=request.user)
    sessions = form.filter(Session.objects.visible_to(request.user).field_visits().with_related())
    one_day = form.cleaned_data.get("date") if form.is_valid() else None
    if not one_day and not request.GET.get("semua"):
        sessions = sessions.filter(date__gte=timezone.localdate() - datetime.timedelta(days=7))
    page = Paginator(sessions.order_by("date", "start_time", "pk"), SESSIONS_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "outreach/session_list.html",
        {"form": form, "page": page, "sessions": page.object_list, "one_day": one_day,
         "can_write": access.can_write(request.user)},
    )


def _day_param(value: str) -> datetime.date | None:
    """A date from the query string, or None: parse_date raises on 2025-02-30, and a year at the
    edge of the calendar (0001, 9999) would overflow the previous/next links."""
    try:
        day = parse_date(value or "")
    except ValueError:
        return None
    return day if day and 2000 <= day.year <= 2100 else None


@login_required
def session_calendar(request: HttpRequest) -> HttpResponse:
    """Month view (?bulan=2025-11) or week view (?minggu=2025-11-24) of the sessions in scope."""
    today = timezone.localdate()
    week = _day_param(request.GET.get("minggu", ""))
    if week or request.GET.get("tampilan") == "minggu":
        start = (week or today) - datetime.timedelta(days=(week or today).weekday())
        weeks = [[start + datetime.timedelta(days=i) for i in range(7)]]
        previous, following = start - datetime.timedelta(days=7), start + datetime.timedelta(days=7)
        mode, title_day = "week", start
    else:
        month = _day_param((request.GET.get("bulan", "") or "") + "-01") or today.replace(day=1)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
        previous = (month - datetime.timedelta(days=1)).replace(day=1)
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        mode, title_day = "month", month
    form = SessionFilterForm(request.GET or None, user=request.user)
    sessions = form.filter(Session.objects.visible_to(request.user).field_visits()).filter(date__range=(weeks[0][0], weeks[-1][-1]))
    # A province's month may hold thousands: each day shows its first CALENDAR_PER_DAY sessions
    # and how many more there are, in one query.
    per_date = {"partition_by": [F("date")]}
    shown = (
        sessions.with_related()
        .annotate(rank=Window(RowNumber(), order_by=[F("start_time").asc(), F("pk").asc()], **per_date),
                  day_total=Window(Count("pk"), **per_date))
        .filter(rank__lte=CALENDAR_PER_DAY)
        .order_by("date", "start_time", "pk")
    )
    by_day: dict[datetime.date, list[Session]] = {}
    for session in shown:
        by_day.setdefault(session.date, []).append(session)
    filters = request.GET.copy()
    for key in ("bulan", "minggu", "tampilan", "date", "halaman"):
        filters.pop(key, None)
    grid = [[_calendar_day(day, by_day.get(day, []), filters) for day in row] for row in weeks]
    # Officers subscribe their phone's calendar to their team's feed (a signed link).
    team_feeds = [(team, team_feed_url(request, team)) for team in _visible_teams(request.user).field_teams()]
    return render(
        request,
        "outreach/session_calendar.html",
        {"grid": grid, "mode": mode, "title_day": title_day, "previous": previous, "following": following,
         "today": today, "days": [day for row in weeks for day in row if by_day.get(day)], "team_feeds": team_feeds,
         "form": form, "crowded": any(cell.more for row in grid for cell in row), "per_day": CALENDAR_PER_DAY,
         "keep": [(key, request.GET[key]) for key in ("bulan", "minggu", "tampilan") if request.GET.get(key)]},
    )


@dataclasses.dataclass
class CalendarDay:
    day: datetime.date
    sessions: list
    more: int  # sessions of that day not shown
    more_url: str  # the session list of that day, with the same filters


def _calendar_day(day: datetime.date, sessions: list[Session], filters) -> CalendarDay:
    more = sessions[0].day_total - len(sessions) if sessions else 0
    if not more:
        return CalendarDay(day, sessions, 0, "")
    query = filters.copy()
    query["date"] = day.isoformat()
    return CalendarDay(day, sessions, more, f"{reverse('outreach:list')}?{query.urlencode()}")


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request.user, pk)
    can_write = access.can_write(request.user)
    history = []
    if can_write:
        history = list(session.history.select_related("history_user").order_by("-history_date")[:50])
    photos = list(session.photos.all()) if session.status == Status.DONE else []
    # What the session yielded so far, as on the operator's page (people and tallies).
    counts = services.session_counts(session) if session.is_booking else None
    return render(
        request,
        "outreach/session_detail.html",
        {"session": session, "can_write": can_write, "history": history, "share_url": whatsapp_url(session),
         "can_log": access.can_log_results(request.user, session.venue.village), "photos": photos,
         "can_import": can_write and session.takes_imported_results, "counts": counts},
    )


# ---- Staff: writes ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    access.require_write(request.user)
    form = SessionForm(request.POST or None, user=request.user, initial={"date": request.GET.get("tanggal")})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Kegiatan dijadwalkan."))
            return redirect("outreach:detail", pk=session.pk)
    return render(request, "outreach/session_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_write(request.user)
    session = _session_or_404(request.user, pk)
    form = SessionForm(request.POST or None, instance=session, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # A fresh copy: validating the form already wrote the new values onto `session`.
            services.session_update(actor=request.user, session=_session_or_404(request.user, pk), **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Perubahan disimpan."))
            return redirect("outreach:detail", pk=pk)
    return render(request, "outreach/session_form.html", {"form": form, "session": session})


@login_required
@require_http_methods(["GET", "POST"])
def session_postpone(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_write(request.user)
    session = _session_or_404(request.user, pk)
    form = PostponeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.session_postpone(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Kegiatan ditunda. Ini jadwal barunya."))
            return redirect("outreach:detail", pk=new.pk)
    return render(request, "outreach/session_action.html", {"form": form, "session": session, "action": _("Tunda kegiatan")})


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_write(request.user)
    session = _session_or_404(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Kegiatan dibatalkan."))
            return redirect("outreach:detail", pk=pk)
    return render(request, "outreach/session_action.html", {"form": form, "session": session, "action": _("Batalkan kegiatan")})


@login_required
@require_POST
def session_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_write(request.user)
    session = _session_or_404(request.user, pk)
    try:
        services.session_confirm(actor=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Kegiatan dikonfirmasi."))
    return redirect("outreach:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def series_create(request: HttpRequest) -> HttpResponse:
    access.require_write(request.user)
    form = SeriesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        venues = sorted(data.pop("venues"), key=lambda venue: venue.name)
        try:
            result = services.series_create(actor=request.user, venues=venues, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return render(request, "outreach/series_result.html", {"result": result})
    return render(request, "outreach/series_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = _series_or_404(request.user, pk)
    can_write = access.can_write(request.user)
    change_form = SeriesChangeForm(instance=series, user=request.user)
    cancel_form = CancelForm()
    change = None
    if request.method == "POST":
        access.require_write(request.user)
        today = timezone.localdate()
        if "cancel" in request.POST:
            cancel_form = CancelForm(request.POST)
            if cancel_form.is_valid():
                change = services.series_cancel(actor=request.user, series=series, today=today, reason=cancel_form.cleaned_data["reason"])
        else:
            # The form validates on a copy; the service applies the values to the series.
            change_form = SeriesChangeForm(request.POST, instance=SessionSeries.objects.get(pk=series.pk), user=request.user)
            if change_form.is_valid():
                fields = {name: change_form.cleaned_data[name] for name in change_form.Meta.fields}
                try:
                    change = services.series_update(actor=request.user, series=series, today=today, **fields)
                except ValidationError as error:
                    _add_errors(change_form, error)
    sessions = series.sessions.with_related().order_by("date")
    return render(
        request,
        "outreach/series_detail.html",
        {"series": series, "sessions": sessions, "change_form": change_form, "cancel_form": cancel_form,
         "change": change, "can_write": can_write},
    )


# ---- Operators -------------------------------------------------------------------------------


@login_required
@never_cache
@sensitive_post_parameters("nik")
@require_http_methods(["GET", "POST"])
@prepared_on_post
def session_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The operator's page: the session, its running counts, and one person at a time.

    The NIK comes back only in the response to the form that took it (to fix a typo);
    after a save the page is redirected and the field is empty for the next person.
    """
    session = _session_or_404(request.user, pk, related=request.method != "POST")
    if not access.can_log_results(request.user, session.venue.village):
        raise PermissionDenied
    initial = {"idempotency_key": uuid.uuid4(), "service": request.GET.get("layanan"), "result": Outcome.SUCCESS}
    form = ActivationForm(request.POST or None, session=session, initial=initial)
    needs_confirm = False
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.activation_record(actor=request.user, session=session, **form.service_fields())
        except ValidationError as error:
            # An unknown kecamatan is a warning: the operator confirms it after checking the card.
            needs_confirm = any(e.code == "confirm" for e in getattr(error, "error_dict", {}).get("nik", []))
            _add_errors(form, error)
        else:
            activation = recorded.activation
            outcome = activation.get_outcome_display()
            if activation.failure_reason:
                outcome = f"{outcome} ({activation.get_failure_reason_display()})"
            words = _("Sudah tersimpan sebelumnya") if recorded.replay else _("Tersimpan")
            messages.success(
                request,
                _("%(words)s: %(service)s — %(outcome)s · NIK %(nik)s")
                % {"words": words, "service": activation.get_service_display(), "outcome": outcome,
                   "nik": masked(activation.nik_last4)},
            )
            return redirect(f"{reverse('outreach:log', kwargs={'pk': pk})}?layanan={activation.service}")
    return render(
        request,
        "outreach/session_log.html",
        {"session": session, "form": form, "counts": services.session_counts(session), "needs_confirm": needs_confirm,
         "not_open": "" if session.is_open else services.not_open_words(session)},
    )



@login_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    """Today's and upcoming sessions in the user's regions, for a phone."""
    today = timezone.localdate()
    sessions = Session.objects.visible_to(request.user).with_related().upcoming(today).order_by("date", "start_time")[:50]
    return render(request, "outreach/my_sessions.html", {"sessions": sessions, "today": today})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def session_tally(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts for a session where NIKs are not captured; a resubmitted form counts once."""
    session = _session_or_404(request.user, pk)
    if not access.can_log_results(request.user, session.venue.village):
        raise PermissionDenied
    form = TallyForm(request.POST or None, session=session, initial={"idempotency_key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        try:
            _submission, replay = services.tally_record(
                actor=request.user, session=session, counts=form.counts(), idempotency_key=form.cleaned_data["idempotency_key"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Rekap sudah tersimpan sebelumnya.") if replay else _("Rekap tersimpan."))
            return redirect("outreach:detail", pk=pk)
    groups = [(service, [form[name] for name in names]) for service, names in form.groups]
    return render(request, "outreach/session_tally.html", {
        "session": session, "form": form, "groups": groups, "counts": services.session_counts(session),
        "not_open": "" if session.is_open else services.not_open_words(session),
    })


@login_required
@require_http_methods(["GET", "POST"])
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close-out: turnout, notes and photos; afterwards only staff can reopen the session."""
    session = _session_or_404(request.user, pk)
    if not access.can_log_results(request.user, session.venue.village):
        raise PermissionDenied
    form = CloseOutForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_close(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Kegiatan ditutup. Terima kasih."))
            return redirect("outreach:detail", pk=pk)
    return render(request, "outreach/session_close.html", {"session": session, "form": form})


@login_required
@require_POST
def session_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request.user, pk)
    try:
        services.session_reopen(actor=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Kegiatan dibuka kembali: hasil dapat dicatat lagi."))
    return redirect("outreach:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff see the session's results person by person (masked) and correct mistakes."""
    access.require_write(request.user)
    session = _session_or_404(request.user, pk)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        activation = session.activations.filter(pk=request.POST.get("activation")).first()
        if activation is None:
            raise Http404
        services.activation_delete(actor=request.user, activation=activation, reason=form.cleaned_data["reason"])
        messages.success(request, _("Hasil dihapus dan jumlah diperbarui. Riwayat menyimpan koreksi ini."))
        return redirect(f"{reverse('outreach:results', kwargs={'pk': pk})}?{request.GET.urlencode()}")
    # An office's import list may hold tens of thousands of rows: a page at a time.
    activations = session.activations.select_related("created_by").order_by("-created_at", "-pk")
    page = Paginator(activations, RESULTS_PER_PAGE).get_page(request.GET.get("halaman"))
    # A per-person list (masked NIKs, sex, birth year): every look is logged (DESIGN.md "Privacy").
    audit.record(AuditAction.VIEW_PERSONAL, obj=session, region_code=session.venue.village.code,
                 detail={"page": "session_results"})
    return render(request, "outreach/session_results.html",
                  {"session": session, "page": page, "form": form, "tallied": services.tallied(session)})


@login_required
def session_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A close-out photo, only for users who may see the session (never a public media URL)."""
    photo = SessionPhoto.objects.filter(pk=pk, session__in=Session.objects.visible_to(request.user)).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---- Public (no sign-in) --------------------------------------------------------------------


def _public_sessions(today: datetime.date):
    return Session.objects.public().upcoming(today).with_related()


def public_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    counts = (
        _public_sessions(today)
        .values("venue__village__parent__parent")
        .annotate(total=Count("id"))
        .order_by()
    )
    totals = {row["venue__village__parent__parent"]: row["total"] for row in counts}
    regencies = Region.objects.filter(pk__in=totals).select_related("parent").order_by("code")
    return render(
        request, "outreach/public_index.html", {"regencies": [(regency, totals[regency.pk]) for regency in regencies]}
    )


def _regency_or_404(code: str) -> Region:
    if "\x00" in code:  # PostgreSQL refuses NUL in a query: no such regency
        raise Http404
    regency = Region.objects.filter(code=code, level=Level.REGENCY).select_related("parent").first()
    if regency is None:
        raise Http404
    return regency


def public_regency(request: HttpRequest, code: str) -> HttpResponse:
    regency = _regency_or_404(code)
    today = timezone.localdate()
    sessions = _public_sessions(today).filter(subtree_q([regency.code], "venue__village")).order_by("date", "start_time")
    districts = list(regency.children.filter(is_current=True).order_by("name"))
    chosen = request.GET.get("kecamatan", "").replace("\x00", "")
    if chosen:
        sessions = sessions.filter(subtree_q([chosen], "venue__village"))
    sessions = list(sessions[:200])
    for session in sessions:
        session.share_url = whatsapp_url(session)
        session.bring = feeds.what_to_bring(session)
    return render(
        request,
        "outreach/public_regency.html",
        {"regency": regency, "sessions": sessions, "districts": districts, "chosen": chosen},
    )


def public_regency_ics(request: HttpRequest, code: str) -> HttpResponse:
    regency = _regency_or_404(code)
    sessions = (
        Session.objects.public().with_related()
        .filter(subtree_q([regency.code], "venue__village"), date__gte=timezone.localdate() - datetime.timedelta(days=30))
        .filter(status__in=[Status.PLANNED, Status.CONFIRMED, Status.DONE])
    )
    return feeds.ics_response(sessions, name=_("Jemput bola %s") % regency.name, filename=f"jemput-bola-{regency.code}.ics")


def team_feed_url(request: HttpRequest, team) -> str:
    token = signing.dumps(team.pk, salt=TEAM_FEED_SALT)
    return request.build_absolute_uri(reverse("outreach:team_ics", kwargs={"token": token}))


def team_ics(request: HttpRequest, token: str) -> HttpResponse:
    """A team's own calendar, public and private sessions, behind an unguessable signed link."""
    try:
        team_id = signing.loads(token, salt=TEAM_FEED_SALT)
    except signing.BadSignature:
        raise Http404 from None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404
    sessions = Session.objects.with_related().filter(
        team=team, date__gte=timezone.localdate() - datetime.timedelta(days=30)
    ).filter(status__in=[Status.PLANNED, Status.CONFIRMED, Status.DONE])
    return feeds.ics_response(sessions, name=team.name, filename=f"tim-{team.pk}.ics")


def whatsapp_url(session: Session) -> str:
    return "https://wa.me/?text=" + quote(feeds.announcement(session))


# ---- Reports ---------------------------------------------------------------------------------------


@login_required
def dashboard_index(request: HttpRequest) -> HttpResponse:
    roots = access.root_regions(request.user)
    if not roots:
        raise Http404
    return redirect("outreach:dashboard", code=roots[0].code)


def _report_params(request: HttpRequest) -> tuple[str, int, datetime.date]:
    """The indicator, year and as-of date a report page was asked for (bad values fall back)."""
    indicator = request.GET.get("indikator", Indicator.IKD)
    if indicator not in Indicator.values:
        indicator = Indicator.IKD
    as_of = None
    try:
        as_of = parse_date(request.GET.get("tanggal", "") or "")
    except ValueError:
        pass
    as_of = as_of or timezone.localdate()
    year = int(request.GET["tahun"]) if request.GET.get("tahun", "").isdigit() else default_year(as_of)
    if not 2000 <= year <= 2100:
        year = default_year(as_of)
    return indicator, year, as_of


def _download(table: list[list], header: list[str], fmt: str, filename: str, *, region: Region | None = None) -> HttpResponse:
    return download(table, header=header, fmt=fmt, filename=filename, object_type="outreach.report", object_id=filename,
                    region_code=region.code if region else "")


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """'Are we on track?': the region's progress, then its children worst first, drilling down;
    charts, what happened in the last four weeks, and sessions not yet reported."""
    region = access.get_region_or_404(request.user, code)
    indicator, year, as_of = _report_params(request)
    today = timezone.localdate()
    children = list(region.children.filter(is_current=True).order_by("code"))
    ancestors = [r for r in Region.objects.filter(code__in=region.ancestor_codes()).order_by("level") if access.can_see_region(request.user, r)]
    # Children without a base of their own are left out rather than shown as zero.
    results = progress_for([region, *children], indicator=indicator, year=year, as_of=as_of, skip_missing_base=True)
    summary = results[0] if results and results[0].region == region else None
    rows = sorted((item for item in results if item.region != region), key=lambda item: (item.coverage_percent, item.region.code))
    period = reports.activity(region, start=as_of - datetime.timedelta(days=reports.PERIOD_DAYS - 1), end=as_of, indicator=indicator)
    overdue = list(
        Session.objects.visible_to(request.user).filter(subtree_q([region.code], "venue__village")).overdue(today)
        .with_related().order_by("date")[:200]
    )
    fmt = request.GET.get("unduh")
    if fmt in ("csv", "xlsx"):
        name = f"{region.code}-{indicator}-{as_of:%Y%m%d}"
        table = request.GET.get("tabel", "kemajuan")
        if table == "kegiatan":
            return _download([[period.start.isoformat(), period.end.isoformat(), period.held, period.postponed, period.cancelled]],
                             ["from", "to", "held", "postponed", "cancelled"], fmt, f"kegiatan-{name}", region=region)
        if table in ("hasil-jenis", "hasil-sasaran"):
            yields = period.by_venue_type if table == "hasil-jenis" else period.by_audience
            return _download([[row.label, row.sessions, row.successes, row.per_session] for row in yields],
                             ["group", "sessions_held", "successes", "successes_per_session"], fmt, f"{table}-{name}", region=region)
        if table == "alasan":
            return _download([[label, count] for _reason, label, count in period.failures], ["failure_reason", "count"], fmt, f"alasan-gagal-{name}", region=region)
        if table == "belum-lapor":
            return _download(
                [[s.date.isoformat(), s.venue.name, s.venue.village.code, s.venue.village.name, s.team.name] for s in overdue],
                ["date", "venue", "village_code", "village", "team"], fmt, f"belum-lapor-{region.code}-{today:%Y%m%d}",
                region=region,
            )
        if summary:
            ordered = [summary, *rows]
            return _download([[item.as_dict()[field] for field in FIELDS] for item in ordered], FIELDS, fmt, f"kemajuan-{name}", region=region)
    query = f"indikator={indicator}&tahun={year}&tanggal={as_of.isoformat()}"
    return render(
        request,
        "outreach/dashboard.html",
        {"region": region, "ancestors": ancestors, "summary": summary, "rows": rows, "period": period,
         "overdue": overdue[:50], "overdue_total": len(overdue), "query": query,
         "indicator": indicator, "indicators": Indicator, "year": year, "as_of": as_of},
    )


@login_required
def dashboard_chart(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """A dashboard chart as PNG: the same drawing the e-mail and the PDF use."""
    region = access.get_region_or_404(request.user, code)
    if kind not in reports.CHART_KINDS:
        raise Http404
    indicator, year, as_of = _report_params(request)
    try:
        [item] = progress_for([region], indicator=indicator, year=year, as_of=as_of)
    except NoBase:
        raise Http404 from None
    response = HttpResponse(reports.chart_png(kind, reports.series(item)), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _summary_or_404(user, pk: int) -> WeeklySummary:
    summary = WeeklySummary.objects.filter(pk=pk).select_related("region").first()
    if summary is None or not access.can_see_region(user, summary.region):
        raise Http404
    return summary


@login_required
def summary_list(request: HttpRequest, code: str) -> HttpResponse:
    """Past weekly summaries of a region and of the office regions below it."""
    region = access.get_region_or_404(request.user, code)
    summaries = (
        WeeklySummary.objects.filter(subtree_q([region.code], "region")).select_related("region")
        .order_by("-week_start", "region__code")
    )
    page = Paginator(summaries, 50).get_page(request.GET.get("halaman"))
    return render(request, "outreach/summary_list.html", {"region": region, "page": page})


@login_required
def summary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary_or_404(request.user, pk)
    return render(request, "outreach/summary_detail.html", {
        **reports.summary_context(summary), "week_words": reports.week_words(summary),
        "dashboard_url": reports.dashboard_url(summary, site=""),
    })


@login_required
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary_or_404(request.user, pk)
    response = HttpResponse(reports.summary_pdf(summary), content_type="application/pdf")
    audit.record(AuditAction.EXPORT, obj=summary, region_code=summary.region.code, detail={"format": "pdf"})
    response["Content-Disposition"] = f'attachment; filename="ringkasan-{summary.region.code}-{summary.week_label}.pdf"'
    return response


@login_required
def summary_chart(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    summary = _summary_or_404(request.user, pk)
    chart = reports.summary_series(summary)
    if chart is None or kind not in reports.CHART_KINDS:
        raise Http404
    response = HttpResponse(reports.chart_png(kind, chart), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
