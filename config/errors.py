"""The server error pages (DJANGO_DEBUG=0): the project's own page, in Indonesian.

A request that fails because the database cannot be reached (a restart, a failover, a dropped
connection) gets 503 with Retry-After and tells the operator to send the same form again: its
idempotency key makes sure it is saved once. Anything else gets the 500 page. Both are rendered
without the request (no context processors, no database), with a plain-text fallback.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER_SECONDS = 5


def _database_unreachable(error: BaseException | None) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, (OperationalError, InterfaceError)):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


@requires_csrf_token
def server_error(request, template_name: str = "500.html") -> HttpResponse:
    status, fallback = 500, "Terjadi kesalahan di server. Coba lagi beberapa saat lagi."
    if _database_unreachable(sys.exc_info()[1]):
        status, template_name = 503, "503.html"
        fallback = "Layanan sedang terganggu. Tunggu beberapa detik, lalu kirim ulang formulir yang sama."
    try:
        body, content_type = loader.get_template(template_name).render(), "text/html; charset=utf-8"
    except Exception:  # noqa: BLE001 - the error page must not fail in turn
        body, content_type = fallback, "text/plain; charset=utf-8"
    response = HttpResponse(body, status=status, content_type=content_type)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
