"""Two-factor sign-in: a TOTP code from an authenticator app after the password (django-otp).

Who must use it: with REQUIRE_2FA on (the production default), staff, managers and superusers
set it up before any other page and enter a code at every sign-in; operators are never forced.
Anyone who has set it up of their own accord is asked for the code too.
"""

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

try:  # Pure Python; without it the page shows the key as text only.
    import segno
except ImportError:  # pragma: no cover
    segno = None

# Set at sign-in: this user has a confirmed device, so this session must be verified.
HAS_DEVICE_SESSION_KEY = "otp_has_device"

# Pages an unverified user may still open: public pages, signing in and out, the 2FA pages.
OPEN_VIEWS = {
    "login",
    "logout",
    "health",
    "set_language",
    "regions:two_factor_setup",
    "regions:two_factor_verify",
    "outreach:public_index",
    "outreach:public_regency",
    "outreach:public_ics",
    "outreach:team_ics",
    "partners:directory",
    "partners:logo",
}


def required_by_policy(user) -> bool:
    """REQUIRE_2FA forces staff, managers and superusers; never operators."""
    return bool(
        getattr(settings, "REQUIRE_2FA", False)
        and user.is_authenticated
        and (user.is_superuser or user.role in {user.Role.STAFF, user.Role.MANAGER})
    )


def must_verify(request: HttpRequest) -> bool:
    """This session still owes a code: the policy asks for one, or the user has set one up."""
    user = request.user
    if not user.is_authenticated:
        return False
    if not (required_by_policy(user) or request.session.get(HAS_DEVICE_SESSION_KEY)):
        return False
    return not user.is_verified()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


@receiver(user_logged_in)
def remember_whether_a_code_is_needed(sender, request, user, **kwargs):
    """One query at sign-in, none per request, for users who have not set up 2FA."""
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_SESSION_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class TwoFactorMiddleware:
    """Sends a session that still owes a code to the verify page, or to the setup page when the
    user has no device yet. After django_otp's OTPMiddleware and the session middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name in OPEN_VIEWS or not must_verify(request):
            return None
        target = "regions:two_factor_verify" if confirmed_device(request.user) else "regions:two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("regions:account")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Kode 6 angka dari aplikasi autentikator"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "class": "form-control-lg"}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not (len(token) == 6 and token.isdigit()):
            raise forms.ValidationError(_("Kode harus 6 angka — lihat aplikasi autentikator di HP Anda."))
        return token


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Show a new key (QR code, otpauth:// address, the key in groups) and confirm it with a code."""
    user = request.user
    existing = confirmed_device(user)
    if existing and not user.is_verified():
        # Replacing a key needs the old one first; a lost phone is reset by staff (reset_2fa).
        return redirect(f"{reverse('regions:two_factor_verify')}?{urlencode({'next': _next_url(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Jemput Bola", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            django_otp.login(request, device)
            request.session[HAS_DEVICE_SESSION_KEY] = True
            messages.success(request, _("Verifikasi dua langkah aktif. Setiap kali masuk, isi kode dari aplikasi."))
            return redirect(_next_url(request))
        form.add_error("token", _("Kode tidak cocok. Periksa jam HP (harus otomatis) lalu isi kode yang sedang tampil."))
    secret = b32encode(device.bin_key).decode()
    config_url = device.config_url
    context = {
        "form": form,
        "config_url": config_url,
        "secret_groups": grouped(secret),
        "qr_data_uri": segno.make(config_url, error="m").svg_data_uri(scale=5) if segno else "",
        "replacing": existing is not None,
        "forced": required_by_policy(user),
        "next": _next_url(request),
    }
    return render(request, "registration/two_factor_setup.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the 6-digit code."""
    user = request.user
    if confirmed_device(user) is None:
        return redirect(f"{reverse('regions:two_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("Kode salah atau sudah lewat waktunya. Tunggu kode berikutnya lalu coba lagi."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})
