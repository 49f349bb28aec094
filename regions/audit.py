"""The audit log: who signed in, downloaded, looked at per-person lists or changed data.

DESIGN.md "Privacy": access to personal data is logged, so a breach can be reported within
3×24 hours with the list of what a user reached (`python manage.py access_report`).

- `AuditMiddleware` keeps the current request in a context variable, so signal handlers know
  the user and address without being handed the request. Outside a request (commands, Celery
  tasks) events have no user and the source "command".
- `record()` writes one event. Views call it for exports and per-person lists; the handlers
  below for sign-in, sign-out and failed sign-in (the username tried, never the password) and
  for every create, update and delete of the audited models.
- `suppressed()` turns the model handlers off for bulk paths (synthetic data): a bulk path
  writes one event of its own or none, never one per row.
- An event never holds a NIK: an activation carries only its masked last four digits, and
  free text (a failed username, a correction reason) is not copied or has 16-digit runs masked.
"""

from __future__ import annotations

import contextlib
import re
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save

from regions.models import COUNTRY_CODE, AuditAction, AuditEvent

_request: ContextVar = ContextVar("audit_request", default=None)
_suppressed: ContextVar[bool] = ContextVar("audit_suppressed", default=False)

USER_AGENT_LENGTH = 200
LONG_NUMBER = re.compile(r"\d{12,}")


class AuditMiddleware:
    """Remembers the request for the audit handlers. After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_request():
    return _request.get()


@contextlib.contextmanager
def suppressed():
    """No model change events inside (bulk paths that write their own single event, or none)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


@contextlib.contextmanager
def request_context(request):
    """Run code as if inside this request (tests, or work handed the request explicitly)."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind the TLS proxy (SECURE_PROXY_SSL_HEADER set) the rightmost address of
    X-Forwarded-For, the one our proxy added (anything left of it the client could have sent)."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        address = forwarded.split(",")[-1].strip()
    return _valid_ip(address)


def _valid_ip(address: str) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def mask_long_numbers(text: str) -> str:
    """A run of 12 or more digits (a NIK typed where it does not belong) keeps its last 4 only."""
    return LONG_NUMBER.sub(lambda match: "•" * (len(match.group()) - 4) + match.group()[-4:], text)


def user_region(user) -> str:
    """The region of a user's events when they have exactly one (sign-ins); "" otherwise."""
    from regions import access

    if user is None or not getattr(user, "pk", None):
        return ""
    codes = access.scope_codes(user)
    return codes[0] if len(codes) == 1 and codes[0] != COUNTRY_CODE else ""


def record(action: str, *, obj=None, object_type: str = "", object_id="", region_code: str = "",
           detail: dict | None = None, request=None, user=None, username: str = "",
           request_user: bool = True) -> AuditEvent:
    """Write one event. The user and address come from `request`, else the current request;
    with neither it is a command (no user unless given)."""
    request = request if request is not None else _request.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    event = AuditEvent(action=action, object_type=object_type[:40], object_id=str(object_id or "")[:64],
                       region_code=region_code or "", detail=detail or {})
    if request is not None:
        event.source = "web"
        event.ip_address = client_ip(request)
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
        if user is None and request_user:
            candidate = getattr(request, "user", None)
            user = candidate if getattr(candidate, "is_authenticated", False) else None
    else:
        event.source = "command"
    if user is not None:
        event.user_id = user.pk
        username = username or user.get_username()
    event.username = mask_long_numbers(username or "")[:150]
    event.save()
    return event


# ---- Sign-in, sign-out ---------------------------------------------------------------------------


def _on_login(sender, request, user, **kwargs):
    record(AuditAction.LOGIN, request=request, user=user, region_code=user_region(user))


def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, request=request, user=user, region_code=user_region(user))


def _on_login_failed(sender, credentials, request=None, **kwargs):
    from regions.models import User

    # Only the username tried: never the password, nor any other credential.
    username = str(credentials.get("username") or "")[:150]
    known = None
    if username and "\x00" not in username:
        known = User.objects.filter(username=username).first()
    record(AuditAction.LOGIN_FAILED, request=request, username=username,
           region_code=user_region(known) if known is not None and known.is_active else "",
           request_user=False)


# ---- Changes to the audited models -------------------------------------------------------------


def _region_of(instance) -> str:
    """The region code an event of this object is scoped by (the same path as its visible_to)."""
    label = instance._meta.label_lower
    if label in ("regions.target", "regions.population", "regions.officialfigure"):
        region = instance.region if instance.region_id else None
    elif label == "outreach.session":
        region = instance.venue.village
    elif label == "outreach.activation":
        region = instance.village
    elif label == "partners.agreement":
        region = instance.partner.village
    else:  # pragma: no cover - only the models below are connected
        region = None
    return region.code if region is not None else ""


def _detail_of(instance) -> dict:
    """A short description: never a NIK, never free text an operator typed."""
    from outreach.privacy import masked

    label = instance._meta.label_lower
    if label == "outreach.activation":
        return {"session": instance.session_id, "service": instance.service, "outcome": instance.outcome,
                "day": instance.happened_on.isoformat() if instance.happened_on else None,
                "nik": masked(instance.nik_last4) if instance.nik_last4 else ""}
    if label == "outreach.session":
        return {"date": instance.date.isoformat(), "status": instance.status, "venue": instance.venue_id}
    if label == "regions.target":
        return {"year": instance.year, "indicator": instance.indicator, "percent": str(instance.percent)}
    if label == "regions.population":
        return {"as_of": instance.as_of.isoformat()}
    if label == "regions.officialfigure":
        return {"as_of": instance.as_of.isoformat(), "indicator": instance.indicator, "count": instance.count}
    if label == "partners.agreement":
        return {"number": instance.number[:60], "partner": instance.partner_id}
    return {}


def _actor_of(instance):
    """simple-history's `_history_user` when a service set it (the request user otherwise)."""
    return getattr(instance, "_history_user", None)


def _on_save(sender, instance, created, raw=False, **kwargs):
    if raw or _suppressed.get():
        return
    record(AuditAction.CREATE if created else AuditAction.UPDATE, obj=instance, region_code=_region_of(instance),
           detail=_detail_of(instance), user=_actor_of(instance))


def _on_delete(sender, instance, **kwargs):
    if _suppressed.get():
        return
    record(AuditAction.DELETE, obj=instance, region_code=_region_of(instance), detail=_detail_of(instance),
           user=_actor_of(instance))


AUDITED_MODELS = [
    "regions.Target", "regions.Population", "regions.OfficialFigure",
    "outreach.Session", "outreach.Activation", "partners.Agreement",
]


def connect() -> None:
    """Called once from RegionsConfig.ready()."""
    user_logged_in.connect(_on_login, dispatch_uid="audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
    for label in AUDITED_MODELS:
        post_save.connect(_on_save, sender=label, dispatch_uid=f"audit_save_{label}")
        post_delete.connect(_on_delete, sender=label, dispatch_uid=f"audit_delete_{label}")


# ---- Reading the log --------------------------------------------------------------------------


ACCESS_ACTIONS = [AuditAction.VIEW_PERSONAL, AuditAction.EXPORT, AuditAction.CREATE, AuditAction.UPDATE,
                  AuditAction.DELETE, AuditAction.IMPORT, AuditAction.LOGIN, AuditAction.LOGIN_FAILED,
                  AuditAction.LOGOUT]


def access_report(*, username: str, start, end):
    """Every event of `username` from `start` to `end` (aware datetimes, end exclusive), oldest first:
    what a breach notice must list (per-person lists, sessions, exports, changes, regions)."""
    return AuditEvent.objects.filter(username=username, at__gte=start, at__lt=end).order_by("at", "pk")


REPORT_HEADER = ["at_utc", "action", "object_type", "object_id", "region_code", "ip_address", "source", "detail"]


def report_rows(events) -> list[list]:
    import datetime
    import json

    return [
        [event.at.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), event.action, event.object_type,
         event.object_id, event.region_code, event.ip_address or "", event.source,
         json.dumps(event.detail, ensure_ascii=False, sort_keys=True)]
        for event in events
    ]
