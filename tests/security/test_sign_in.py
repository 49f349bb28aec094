"""Sign-in protections: lockout, password rules, sign-out everywhere, security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse


ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "rahasia-sekali-123"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture(autouse=True)
def fresh_lockouts(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def test_five_failures_lock_the_username_from_that_address_with_an_indonesian_page(staff):
    client = Client()
    for _attempt in range(4):
        assert sign_in(client, "alice", "salah-sekali-123").status_code == 200  # the form again, with its error
    assert sign_in(client, "alice", "salah-sekali-123").status_code == 429  # the fifth locks
    locked = sign_in(client, "alice", PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Terlalu banyak percobaan masuk" in page and "_auth_user_id" not in client.session
    # Another address, or another username from this address, is not locked.
    assert sign_in(Client(), "alice", PASSWORD, address="10.0.0.2").status_code == 302


def test_a_success_resets_the_count(staff):
    client = Client()
    for _attempt in range(4):
        sign_in(client, "alice", "salah-sekali-123")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        sign_in(client, "alice", "salah-sekali-123")
    assert sign_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.parametrize("weak", ["pendek-123", "12345678901234", "password1234"])
def test_weak_passwords_are_refused(staff, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, staff)
    validate_password("kopi-tubruk-pagi-hari", staff)


def test_sign_out_everywhere_ends_the_other_sessions_and_keeps_this_one(staff):
    phone, laptop = Client(), Client()
    assert sign_in(phone, "alice", PASSWORD, "10.0.0.5").status_code == 302
    assert sign_in(laptop, "alice", PASSWORD, "10.0.0.6").status_code == 302
    assert phone.get(reverse("regions:account")).status_code == 200
    response = laptop.post(reverse("regions:sign_out_everywhere"))
    assert response.status_code == 302
    assert laptop.get(reverse("regions:account")).status_code == 200
    gone = phone.get(reverse("regions:account"))
    assert gone.status_code == 302 and gone.url.startswith(reverse("login"))


def test_pages_carry_a_content_security_policy_without_inline_scripts(client_for, staff):
    response = client_for(staff).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert "<script>" not in html and " onclick=" not in html
    assert response["X-Frame-Options"] == "DENY" and response["Referrer-Policy"] == "same-origin"


def test_the_production_settings_pass_the_deploy_check(db):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 20 + "-production-secret-0123456789-abcdefghij",
               DJANGO_ALLOWED_HOSTS="jemputbola.example.go.id", NIK_HMAC_KEYS="k1:rahasia",
               DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
