from datetime import date

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from regions import access, imports
from regions.exports import download
from regions.figures import default_year, region_figures
from regions.forms import AccountImportForm, FigureUploadForm
from regions.models import Indicator, Region
from regions.imports import ImportRejected
from regions.services import accounts_create, check_account_rows

SEARCH_LIMIT = 20


@login_required
def region_index(request: HttpRequest) -> HttpResponse:
    roots = access.root_regions(request.user)
    if len(roots) == 1:
        return redirect("regions:detail", code=roots[0].code)
    return render(request, "regions/region_list.html", {"roots": roots})


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = access.get_region_or_404(request.user, code)
    # Breadcrumbs: the ancestors the user may see, found from the code alone (one query).
    ancestors = [
        r for r in Region.objects.filter(code__in=region.ancestor_codes()).order_by("level") if access.can_see_region(request.user, r)
    ]
    children = list(region.children.annotate(child_count=Count("children")).order_by("-is_current", "code"))
    today = timezone.localdate()
    year = _year_from(request, today)
    as_of = min(today, date(year, 12, 31))
    figures = region_figures([region, *children], year=year, as_of=as_of)
    rows = [(child, figures[child.pk]) for child in children]
    sort = request.GET.get("urut", "")
    if sort in Indicator.values:
        # Worst first; children without a coverage figure go last.
        rows.sort(key=lambda row: (row[1].coverage(sort) is None, row[1].coverage(sort) or 0, row[0].code))
    else:
        sort = ""
    fmt = request.GET.get("unduh")
    if fmt in ("csv", "xlsx"):
        table = [_figures_row(region, figures[region.pk]), *(_figures_row(child, found) for child, found in rows)]
        return download(table, header=FIGURES_HEADER, fmt=fmt, filename=f"wilayah-{region.code}-{year}-{as_of:%Y%m%d}",
                        object_type="regions.figures", object_id=region.code, region_code=region.code)
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "ancestors": ancestors,
            "figures": figures[region.pk],
            "population_cards": [
                (_("Jumlah penduduk"), figures[region.pk].population["population"]),
                (_("Wajib KTP"), figures[region.pk].population["wajib_ktp"]),
                (_("Anak (di bawah 17 tahun)"), figures[region.pk].population["children"]),
            ],
            "rows": rows,
            "year": year,
            "as_of": as_of,
            "sort": sort,
            "indicators": Indicator,
            "query": f"tahun={year}&urut={sort}",
        },
    )


FIGURES_HEADER = [
    "region_code", "region_name", "is_current", "population", "wajib_ktp", "children",
    *(f"{indicator}_{name}" for indicator in Indicator.values
      for name in ("target_percent", "target_count", "official", "official_as_of", "coverage_percent")),
]


def _figures_row(region: Region, figures) -> list:
    """One line of the region browser's download: the region's bases, then each indicator's figures."""
    row = [region.code, region.name, region.is_current,
           *(figures.population[name].value for name in ("population", "wajib_ktp", "children"))]
    for indicator in Indicator.values:
        item = figures.indicators[indicator]
        row += [item.target.percent, item.target_count, item.achieved.value, item.achieved.as_of, item.coverage]
    return row


def _year_from(request: HttpRequest, today: date) -> int:
    value = request.GET.get("tahun", "")
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return default_year(today)


@login_required
@require_GET
def region_search(request: HttpRequest) -> JsonResponse:
    """Regions inside the user's scope whose name or code matches, for the search-as-you-type picker."""
    term = request.GET.get("q", "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in a query
    if len(term) < 2:
        return JsonResponse({"results": []})
    qs = Region.objects.visible_to(request.user).current().select_related("parent__parent__parent")
    if term[0].isdigit():
        qs = qs.filter(code__startswith=term)
    else:
        qs = qs.filter(name__icontains=term)
    level = request.GET.get("level", "")
    if level.isdigit():
        qs = qs.filter(level=int(level))
    results = []
    for region in qs.order_by("level", "name")[:SEARCH_LIMIT]:
        trail = []
        parent = region.parent
        while parent is not None and not parent.is_country:
            trail.append(parent.name)
            parent = parent.parent
        results.append(
            {
                "code": region.code,
                "name": region.name,
                "label": f"{region.name} ({region.get_kind_display()}, {region.code})",
                "context": ", ".join(trail),
            }
        )
    return JsonResponse({"results": results})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def accounts_import(request: HttpRequest) -> HttpResponse:
    """Staff create many operator accounts from a CSV: upload, preview every line, confirm."""
    access.require_write(request.user)
    posted = request.method == "POST"
    form = AccountImportForm(request.POST if posted else None, request.FILES if posted else None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            rows = check_account_rows(actor=request.user, rows=imports.read_table(content=text.encode(), filename="akun.csv"))
        except ImportRejected as rejected:
            form.add_error(None, "; ".join(str(e) for e in rejected.errors))
            return render(request, "regions/account_import.html", context)
        has_errors = any(row.errors for row in rows)
        if "confirm" in request.POST and not has_errors:
            created = accounts_create(actor=request.user, rows=rows)
            messages.success(request, _("%d akun dibuat. Catat kata sandi awalnya sekarang: tidak ditampilkan lagi.") % len(created))
            return render(request, "regions/account_import_done.html", {"created": created})
        context.update(rows=rows, has_errors=has_errors, text=text)
    return render(request, "regions/account_import.html", context)


MAX_UPLOAD_LINES = 20_000


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def figures_upload(request: HttpRequest) -> HttpResponse:
    """Staff upload populations or official figures: every line checked and shown, written on confirm.

    The preview carries the rows back as CSV text, and the confirmation checks them again, so
    nothing written can differ from what was checked against the user's regions.
    """
    access.require_write(request.user)
    kinds = {
        "population": (imports.population_check, imports.population_apply),
        "achievements": (imports.achievements_check, imports.achievements_apply),
    }
    posted = request.method == "POST"
    form = FigureUploadForm(request.POST if posted else None, request.FILES if posted else None)
    context: dict = {"form": form}
    if request.method == "POST" and "confirm" in request.POST:
        kind = request.POST.get("kind", "")
        if kind not in kinds:
            raise Http404
        text = request.POST.get("text", "")
        try:
            as_of = parse_date(request.POST.get("as_of", "") or "") if kind == "population" else None
            rows = imports.read_table(content=text.encode("utf-8"), filename="pratinjau.csv")
        except (ImportRejected, ValueError):
            # Only a tampered confirmation gets here: the preview sends back what it had read.
            messages.error(request, _("Pratinjau tidak dapat dibaca lagi. Unggah berkasnya sekali lagi."))
            return redirect("regions:figures_upload")
        check, apply = kinds[kind]
        preview = check(rows=rows, actor=request.user, **({"as_of": as_of} if kind == "population" else {}))
        if preview.ok:
            counts = apply(preview=preview, actor=request.user)
            messages.success(
                request,
                _("Tersimpan: %(created)d baru, %(updated)d diperbarui, %(unchanged)d tidak berubah.") % counts,
            )
            return redirect("regions:figures_upload")
        context.update(preview=preview, kind=kind, text=text, as_of=as_of)
    elif request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        as_of = form.cleaned_data["as_of"]
        try:
            rows = imports.read_table(content=upload.read(), filename=upload.name)
        except ImportRejected as rejected:
            form.add_error("file", "; ".join(str(error) for error in rejected.errors))
            return render(request, "regions/figures_upload.html", context)
        if len(rows) > MAX_UPLOAD_LINES:
            form.add_error("file", _("Berkas lebih dari %d baris: gunakan perintah impor di server.") % MAX_UPLOAD_LINES)
            return render(request, "regions/figures_upload.html", context)
        check, _apply = kinds[kind]
        preview = check(rows=rows, actor=request.user, **({"as_of": as_of} if kind == "population" else {}))
        context.update(preview=preview, kind=kind, text=imports.rows_to_csv(rows), as_of=as_of)
    return render(request, "regions/figures_upload.html", context)


# ---- One's own account ------------------------------------------------------------------------


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    """Who am I, which regions, change my password, sign out everywhere."""
    return render(request, "registration/account.html", {"regions": access.root_regions(request.user)})


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every other session of this user (a lost phone, a shared computer); this one stays."""
    user = request.user
    user.session_generation = F("session_generation") + 1
    user.save(update_fields=["session_generation"])
    user.refresh_from_db(fields=["session_generation"])
    update_session_auth_hash(request, user)
    messages.success(request, _("Semua sesi lain sudah dikeluarkan. Perangkat ini tetap masuk."))
    return redirect("regions:account")
