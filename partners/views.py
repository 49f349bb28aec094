from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from partners import services
from partners.models import Agreement, Card, Partner, Sector, UsageRecap
from regions import access, audit
from regions.exports import download
from regions.models import AuditAction, Level, Region

PARTNERS_PER_PAGE = 50


def public_directory(request: HttpRequest) -> HttpResponse:
    """'Di mana KIA/IKD saya berlaku?': partners with a benefit in force today (no sign-in)."""
    # NUL dropped: PostgreSQL refuses it in a query (a hostile link, not a kecamatan).
    district, sector, card = (request.GET.get(name, "").replace("\x00", "") for name in ("kecamatan", "sektor", "kartu"))
    entries = services.directory(today=timezone.localdate(), district=district, sector=sector, card=card)
    districts = Region.objects.filter(level=Level.DISTRICT, code__in=services.directory_districts(timezone.localdate())).order_by("name")
    return render(
        request,
        "partners/directory.html",
        {"entries": entries, "districts": districts, "sectors": Sector.choices, "cards": [Card.KIA, Card.IKD],
         "chosen": {"kecamatan": district, "sektor": sector, "kartu": card}},
    )


def partner_logo(request: HttpRequest, pk: int) -> FileResponse:
    """A partner's logo is public, like the directory that shows it (active partners only)."""
    partner = Partner.objects.filter(pk=pk, is_active=True).exclude(logo="").first()
    if partner is None:
        raise Http404
    response = FileResponse(partner.logo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    partners = (Partner.objects.visible_to(request.user).select_related("village__parent").prefetch_related("agreements")
                .order_by("business_name", "pk"))
    # A province or the whole country may hold thousands: a page at a time (the exports hold all).
    page = Paginator(partners, PARTNERS_PER_PAGE).get_page(request.GET.get("halaman"))
    rows = [(partner, [(agreement, agreement.status_on(today)) for agreement in partner.agreements.all()]) for partner in page]
    return render(
        request,
        "partners/partner_list.html",
        {"rows": rows, "page": page, "report": services.partner_report(user=request.user, today=today),
         "can_write": access.can_write(request.user)},
    )


@login_required
def export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    today = timezone.localdate()
    if what == "mitra":
        header = ["nama usaha", "pemilik", "NIB", "sektor", "alamat", "desa/kelurahan", "WhatsApp", "aktif"]
        rows = [[p.business_name, p.owner_name, p.nib, p.get_sector_display(), p.address, p.village.name, p.whatsapp,
                 "ya" if p.is_active else "tidak"]
                for p in Partner.objects.visible_to(request.user).select_related("village")]
    elif what == "pks":
        header = ["nomor", "mitra", "judul", "ditandatangani", "berlaku mulai", "berlaku sampai", "status"]
        rows = [[a.number, a.partner.business_name, a.title, a.signed_on, a.valid_from, a.valid_until, a.status_on(today).label]
                for a in Agreement.objects.visible_to(request.user).select_related("partner")]
    elif what == "rekap":
        header = ["mitra", "bulan", "pemegang KIA", "pemegang IKD"]
        rows = [[r.partner.business_name, r.month.strftime("%Y-%m"), r.kia_users, r.ikd_users]
                for r in UsageRecap.objects.filter(partner__in=Partner.objects.visible_to(request.user)).select_related("partner")]
    else:
        raise Http404
    return download(rows, header=header, fmt=fmt, filename=f"{what}-{today:%Y%m%d}", object_type=f"partners.{what}",
                    region_code=audit.user_region(request.user))


@login_required
def agreement_document(request: HttpRequest, pk: int) -> FileResponse:
    """The signed PKS, only for users whose regions hold the partner."""
    agreement = Agreement.objects.visible_to(request.user).filter(pk=pk).exclude(document="").first()
    if agreement is None:
        raise Http404
    response = FileResponse(agreement.document.open("rb"), content_type="application/pdf")
    audit.record(AuditAction.EXPORT, obj=agreement, region_code=agreement.partner.village.code, detail={"format": "pdf"})
    response["Cache-Control"] = "private, no-store"
    return response
