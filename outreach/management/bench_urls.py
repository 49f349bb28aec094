"""The benchmark's site: every page of the project, plus the issue's reference operation.

Issue 8 measures its reference machine with "a minimal signed-in form POST that inserts one
row". `/bench/minimal/` is that, through this project's whole middleware stack (sessions,
CSRF, sign-in, 2FA, lockout, CSP, audit request): the benchmark loads it in turns with the
bare view and the activation POST, so the activation's own cost reads off the same run.
Served only by `manage.py benchmark` (see `bench_settings`); its table lives for that run.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import include, path
from django.views.decorators.http import require_POST

MINIMAL_TABLE = "bench_minimal_post"


class OneValue(forms.Form):
    value = forms.CharField(max_length=40)


@login_required
@require_POST
def minimal_post(request):
    form = OneValue(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {MINIMAL_TABLE} (value) VALUES (%s)", [form.cleaned_data["value"]])  # noqa: S608
    return redirect("health")  # as a saved form does: the next page comes from a GET


urlpatterns = [path("bench/minimal/", minimal_post), path("", include("config.urls"))]
