"""The staff page that imports a paper or spreadsheet list of activations.

The rules live in outreach.activation_import; this page only takes the file, shows the
counts and the first rejected lines, and serves the rejects CSV (NIK masked) to the user
who uploaded it. The rejects file is kept in the default (private, never served by URL)
storage under a random name that only this user's session knows.
"""

from __future__ import annotations

import os
import re
import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from outreach.activation_import import activations_import
from outreach.models import Session
from regions import access, audit
from regions.imports import ImportRejected
from regions.models import AuditAction

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
REJECTS_DIR = "import-rejects"
SESSION_KEY = "activation_import_rejects"
KEPT_REJECTS = 5  # per user session; older files are removed
TOKEN = re.compile(r"[0-9a-f]{32}")


class ActivationImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas CSV atau XLSX"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        help_text=gettext_lazy(
            "Kolom: nik,service,outcome,failure_reason,date,married,village_code,session. "
            "Paling besar 20 MB."
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


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def activation_import(request: HttpRequest) -> HttpResponse:
    """Staff import a list of activations: good lines are stored, bad ones come back in a CSV."""
    access.require_write(request.user)
    if request.method == "GET" and "ditolak" in request.GET:
        return _rejects_download(request, request.GET["ditolak"])

    context: dict = {"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    if request.method == "POST":
        form = ActivationImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = activations_import(
                    actor=request.user, path_or_file=upload, filename=upload.name, session=form.cleaned_data["session"]
                )
            except ImportRejected as rejected:
                form.add_error(None, "; ".join(str(error) for error in rejected.errors))
            else:
                context["result"] = result
                if result.rejects_path:
                    context["rejects_token"] = _keep_rejects(request, result.rejects_path)
                form = ActivationImportForm()
    else:
        # From a session's page: the session is filled in, and named so staff see which one it is.
        chosen = _visible_session(request.user, request.GET.get("kegiatan", ""))
        form = ActivationImportForm(initial={"session": chosen.pk} if chosen else None)
        context["chosen"] = chosen
    context["form"] = form
    return render(request, "outreach/activation_import.html", context)
