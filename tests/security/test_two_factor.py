"""Two-factor sign-in (TOTP): forced on staff, managers and superusers when REQUIRE_2FA is on."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_user

PASSWORD = "rahasia-sekali-123"
SETUP = reverse("regions:two_factor_setup")
VERIFY = reverse("regions:two_factor_verify")


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(username: str) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA = True
    return settings


@pytest.fixture(autouse=True)
def fresh_lockouts(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


@pytest.mark.parametrize("who", ["staff", "manager", "superuser"])
def test_staff_managers_and_superusers_must_set_it_up_before_any_page(required, client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    for url in (reverse("home"), reverse("regions:account"), reverse("outreach:list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(SETUP), url
    # Signing out, the public pages and the setup page itself stay open.
    assert client.get(reverse("outreach:public_index")).status_code == 200
    assert client.get(reverse("partners:directory")).status_code == 200
    assert client.get(SETUP).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_operators_are_never_forced(required, client_for, operator):
    client = client_for(operator)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("outreach:mine")).status_code == 200


def test_without_the_setting_nobody_is_forced(settings, client_for, staff):
    settings.REQUIRE_2FA = False
    assert client_for(staff).get(reverse("home")).status_code == 200


def test_setting_it_up_shows_the_key_and_a_code_confirms_it(required, client_for, staff):
    client = client_for(staff)
    page = client.get(SETUP + "?next=/wilayah/")
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert "otpauth://totp/Jemput%20Bola%3Aalice?secret=" in html
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn by segno
    assert page.context["secret_groups"].split(" ")[0] in html
    wrong = client.post(SETUP, {"token": "000000" if code(device) != "000000" else "111111", "next": "/wilayah/"})
    assert wrong.status_code == 200 and "Kode tidak cocok" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a second, then longer
    done = client.post(SETUP, {"token": code(device), "next": "/wilayah/"})
    assert done.status_code == 302 and done.url == "/wilayah/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200  # this session is verified


def test_after_the_password_a_code_is_asked_and_checked(required, staff):
    device = TOTPDevice.objects.create(user=staff, name="HP", confirmed=True)
    client = sign_in("alice")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert "Masukkan kode verifikasi" in client.get(VERIFY).content.decode()
    bad = client.post(VERIFY, {"token": "12345", "next": "/"})
    assert bad.status_code == 200 and "6 angka" in bad.content.decode()
    assert client.get(reverse("home")).status_code == 302
    good = client.post(VERIFY, {"token": code(device), "next": "/"})
    assert good.status_code == 302 and good.url == "/"
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_user_who_set_it_up_is_asked_for_the_code_even_without_the_setting(settings, operator):
    settings.REQUIRE_2FA = False
    TOTPDevice.objects.create(user=operator, name="HP", confirmed=True)
    response = sign_in("oscar").get(reverse("outreach:mine"))
    assert response.status_code == 302 and response.url.startswith(VERIFY)


def test_the_admin_site_refuses_a_session_that_owes_its_code(required, superuser):
    request = RequestFactory().get("/admin/")
    request.session = {}
    request.user = superuser
    superuser.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    superuser.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_staff_reset_a_lost_phone(required, manager):
    TOTPDevice.objects.create(user=manager, name="HP", confirmed=True)
    call_command("reset_2fa", "bob", stdout=__import__("io").StringIO())
    assert not TOTPDevice.objects.filter(user=manager).exists()
    response = sign_in("bob").get(reverse("home"))
    assert response.url.startswith(SETUP)


def test_a_new_user_in_a_fresh_office_is_forced_too(required, blitar):
    kabid = make_user("kabid", "manager", [blitar])
    response = sign_in(kabid.username).get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(SETUP)


def require_2fa_in_a_fresh_interpreter(**env) -> bool:
    """The REQUIRE_2FA a fresh process computes from these variables (tests/config/test_settings.py style)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    unset = {"DJANGO_DEBUG", "DJANGO_REQUIRE_2FA", "DATABASE_URL", "REDIS_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    probe = "from django.conf import settings; print(settings.REQUIRE_2FA)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parents[2], env=clean,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


def test_required_by_default_in_production_and_not_in_development():
    production = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50, "NIK_HMAC_KEYS": "k1:rahasia"}
    assert require_2fa_in_a_fresh_interpreter(**production) is True
    assert require_2fa_in_a_fresh_interpreter(**production, DJANGO_REQUIRE_2FA="0") is False
    assert require_2fa_in_a_fresh_interpreter() is False
    assert require_2fa_in_a_fresh_interpreter(DJANGO_REQUIRE_2FA="1") is True
