"""The staff page that imports a paper or spreadsheet list of activations.

The rules live in outreach.activation_import; this page takes the file, checks it whole and
shows a preview (what would be stored, what is already there, every rejected line with its
reason) before anything is written (UX.md), stores it when the user confirms, and serves the
rejects CSV (NIK masked) to the user who uploaded it.

Both the uploaded file, between the preview and the confirmation, and the rejects file are
kept in the default (private, never served by URL) storage under random names that only this
user's session knows. The upload holds whole NIKs, so only one waits per user session (a new
upload replaces it), it is deleted when confirmed or cancelled, and
`outreach.retention.sweep_import_files` deletes any left behind after a day.
"""

from __future__ import annotations

import os
import re
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from outreach.activation_import import activations_import
from outreach.models import LOGGED_SERVICES, FailureReason, Session
from outreach.retention import REJECTS_DIR, UPLOADS_DIR
from regions import access, audit
from regions.imports import ImportRejected
from regions.models import AuditAction

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The preview and the save each read the whole file within one request (gunicorn's 30 s):
# about 10 s for this many rows on the slowest machine measured (BENCHMARKS.md). Longer
# files are for the import_activations command.
MAX_ROWS = 50_000
SESSION_KEY = "activation_import_rejects"
UPLOAD_KEY = "activation_import_upload"  # the one checked file waiting for confirmation
KEPT_REJECTS = 5  # per user session; older files are removed
TOKEN = re.compile(r"[0-9a-f]{32}")


class ActivationImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas CSV atau XLSX"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        help_text=gettext_lazy(
            "Kolom: nik,service,outcome,failure_reason,date,married,village_code,session. "
            "Paling besar 20 MB dan 50.000 baris."
        ),
    )
    session = forms.IntegerField(
        label=gettext_lazy("Nomor kegiatan"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Bila semua baris berasal dari satu kegiatan; kosongkan bila tidak."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Berkas lebih dari 20 MB: gunakan perintah impor di server."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Pilih berkas .csv atau .xlsx."))
        return upload


def _keep_rejects(request: HttpRequest, path: str) -> str:
    """Move the rejects file into private storage; its token joins this user's session."""
    token = uuid.uuid4().hex
    with open(path, "rb") as handle:
        default_storage.save(f"{REJECTS_DIR}/{token}.csv", File(handle))
    os.remove(path)
    tokens = [*request.session.get(SESSION_KEY, []), token]
    for old in tokens[:-KEPT_REJECTS]:
        default_storage.delete(f"{REJECTS_DIR}/{old}.csv")
    request.session[SESSION_KEY] = tokens[-KEPT_REJECTS:]
    return token


def _hold_upload(request: HttpRequest, upload, session: int | None) -> dict:
    """Keep the uploaded file for its preview and confirmation; it replaces an earlier one."""
    _drop_upload(request)
    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    token = uuid.uuid4().hex
    path = default_storage.save(f"{UPLOADS_DIR}/{token}{suffix}", upload)
    held = {"token": token, "path": path, "name": upload.name[-100:], "session": session}
    request.session[UPLOAD_KEY] = held
    return held


def _held_upload(request: HttpRequest, token: str) -> dict | None:
    held = request.session.get(UPLOAD_KEY)
    if not held or held["token"] != token or not default_storage.exists(held["path"]):
        return None
    return held


def _drop_upload(request: HttpRequest) -> None:
    held = request.session.pop(UPLOAD_KEY, None)
    if held:
        default_storage.delete(held["path"])


def _import_held(request: HttpRequest, held: dict, *, dry_run: bool):
    with default_storage.open(held["path"], "rb") as handle:
        return activations_import(actor=request.user, path_or_file=handle, filename=held["name"],
                                  session=held["session"], dry_run=dry_run, max_rows=MAX_ROWS)


def _rejects_download(request: HttpRequest, token: str) -> FileResponse:
    name = f"{REJECTS_DIR}/{token}.csv"
    if not TOKEN.fullmatch(token) or token not in request.session.get(SESSION_KEY, []) or not default_storage.exists(name):
        raise Http404
    # Rejected lines of an import (NIK masked, but the rest of each person's line): logged as an export.
    audit.record(AuditAction.EXPORT, object_type="outreach.import_rejects", object_id=token,
                 region_code=audit.user_region(request.user), detail={"format": "csv"})
    return FileResponse(
        default_storage.open(name, "rb"), as_attachment=True, filename="impor-hasil-ditolak.csv", content_type="text/csv"
    )


def _visible_session(user, pk: str) -> Session | None:
    if not pk.isdigit():
        return None
    return Session.objects.visible_to(user).with_related().filter(pk=int(pk)).first()


def _confirm(request: HttpRequest, context: dict) -> HttpResponse | None:
    """Store (or cancel) the file the preview checked; a redirect when there is nothing to show."""
    held = _held_upload(request, request.POST["berkas"])
    if held is None:
        # Already stored (a second click, a reload) or cancelled: nothing is imported twice.
        messages.warning(request, _("Berkas itu sudah diimpor atau dibatalkan. Unggah lagi bila perlu."))
        return redirect("outreach:activation_import")
    if "batal" in request.POST:
        _drop_upload(request)
        messages.info(request, _("Impor dibatalkan: tidak ada yang disimpan."))
        return redirect("outreach:activation_import")
    try:
        context["result"] = _import_held(request, held, dry_run=False)
    except ImportRejected as rejected:  # the session was cancelled since the preview, say
        messages.error(request, "; ".join(str(error) for error in rejected.errors))
    finally:
        _drop_upload(request)
    context["chosen"] = _visible_session(request.user, str(held["session"] or ""))
    return None


def _preview(request: HttpRequest, form: ActivationImportForm, context: dict) -> bool:
    """Check the uploaded file whole, saving no row; it waits for confirmation if it has rows to store."""
    held = _hold_upload(request, form.cleaned_data["file"], form.cleaned_data["session"])
    try:
        preview = _import_held(request, held, dry_run=True)
    except ImportRejected as rejected:
        _drop_upload(request)
        form.add_error(None, "; ".join(str(error) for error in rejected.errors))
        return False
    context["result"] = preview
    context["chosen"] = _visible_session(request.user, str(held["session"] or ""))
    if preview.saved:
        context["held"] = held
    else:  # nothing new to store: no confirmation to wait for
        _drop_upload(request)
    return True


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def activation_import(request: HttpRequest) -> HttpResponse:
    """Staff import a list of activations: checked and shown first, stored when confirmed; bad lines
    come back in a CSV."""
    access.require_write(request.user)
    if request.method == "GET" and "ditolak" in request.GET:
        return _rejects_download(request, request.GET["ditolak"])

    context: dict = {
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "reasons": [(service.value, ", ".join(FailureReason.for_service(service))) for service in LOGGED_SERVICES],
    }
    form = None  # then a blank upload form, for the session in `chosen` if any
    if request.method == "POST" and "berkas" in request.POST:
        response = _confirm(request, context)
        if response is not None:
            return response
    elif request.method == "POST":
        form = ActivationImportForm(request.POST, request.FILES)
        if form.is_valid() and _preview(request, form, context):
            form = None
    else:
        # From a session's page: the session is filled in, and named so staff see which one it is.
        context["chosen"] = _visible_session(request.user, request.GET.get("kegiatan", ""))
    if form is None:
        chosen = context.get("chosen")
        form = ActivationImportForm(initial={"session": chosen.pk} if chosen else None)
    result = context.get("result")
    if result is not None and result.rejects_path:
        context["rejects_token"] = _keep_rejects(request, result.rejects_path)
    context["form"] = form
    # Where rows without a session went: the offices' import lists (one per office at most),
    # which no session list shows.
    context["import_lists"] = list(Session.objects.visible_to(request.user).filter(is_field_visit=False)
                                   .select_related("venue__village").order_by("venue__village__code"))
    return render(request, "outreach/activation_import.html", context)
