"""Shared fixtures: the region tree and the same named users in every test.

The full Kemendagri code list is imported once into the test database when ../shared holds
it, so region pages and scoping are tested against the real tree. With CI=true a missing
file fails the run instead of skipping.
"""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.test import override_settings

from regions.models import COUNTRY_CODE, Kind, Level, Region, User, parent_code_of

REGIONS_CSV = Path(settings.SHARED_DATA_DIR) / "regions" / "regions_id.csv"


def shared_file(relative: str) -> Path:
    """A file under ../shared/data; fails under CI when missing, skips elsewhere."""
    path = Path(settings.SHARED_DATA_DIR) / relative
    if not path.exists():
        message = f"{path} tidak ada (data bersama ../shared/data)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """The production hasher with few rounds. Its hashes still read "pbkdf2_sha256$1000$...", so
    the servers the failure tests start in their own process (with the real settings) accept the
    same passwords."""

    iterations = 1000


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Django's 1,000,000 PBKDF2 rounds take about a second per password on a slow machine, and
    nearly every test makes users or signs in: the suite hashes with few rounds instead."""
    with override_settings(PASSWORD_HASHERS=["tests.conftest.QuickPBKDF2PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    if REGIONS_CSV.exists():
        with django_db_blocker.unblock():
            call_command("import_regions", str(REGIONS_CSV), stdout=io.StringIO())
    elif os.environ.get("CI") == "true":
        raise RuntimeError(f"{REGIONS_CSV} tidak ada: CI membutuhkan daftar wilayah lengkap.")


@pytest.fixture
def full_regions(db):
    """Tests that need all 91,599 regions ask for this."""
    shared_file("regions/regions_id.csv")
    assert Region.objects.filter(level=Level.VILLAGE).count() == 83762


KIND_BY_LEVEL = {1: Kind.PROVINSI, 2: Kind.KABUPATEN, 3: Kind.KECAMATAN, 4: Kind.DESA}


def make_region(code: str, name: str | None = None) -> Region:
    """The region with this code: the real one when the code list is loaded, else a stand-in."""
    if code == COUNTRY_CODE:  # made by a migration; a transactional test before may have flushed it
        return Region.objects.get_or_create(code=COUNTRY_CODE, defaults={"name": "Indonesia", "level": 0,
                                                                         "kind": Kind.NEGARA})[0]
    parent = make_region(parent_code_of(code))
    level = code.count(".") + 1
    kind = KIND_BY_LEVEL[level]
    if level == 2 and int(code.split(".")[1]) >= 70:
        kind = Kind.KOTA
    region, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name or f"Wilayah {code}", "level": level, "kind": kind, "parent": parent}
    )
    return region


@pytest.fixture
def kendal(db):
    return make_region("33.24", "Kabupaten Kendal")


@pytest.fixture
def kaliwungu(db):
    return make_region("33.24.08", "Kaliwungu")


@pytest.fixture
def blitar(db):
    return make_region("35.72", "Kota Blitar")


def can_sign_in(username: str, password: str) -> bool:
    """Sign in through the real sign-in page (lockout included), as a person would."""
    from django.test import Client
    from django.urls import reverse

    return Client().post(reverse("login"), {"username": username, "password": password}).status_code == 302


def make_user(username: str, role: str, regions: list[Region], **extra) -> User:
    user = User.objects.create_user(username=username, password="rahasia-sekali-123", role=role, **extra)
    user.regions.set(regions)
    return user


@pytest.fixture
def staff(kendal):
    return make_user("alice", User.Role.STAFF, [kendal], first_name="Alice")


@pytest.fixture
def manager(kendal):
    return make_user("bob", User.Role.MANAGER, [kendal], first_name="Bob")


@pytest.fixture
def operator(kaliwungu):
    return make_user("oscar", User.Role.OPERATOR, [kaliwungu], first_name="Oscar")


@pytest.fixture
def outsider(blitar):
    """Staff of another office: sees nothing of Kendal."""
    return make_user("charlie", User.Role.STAFF, [blitar], first_name="Charlie")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="rahasia-sekali-123", role=User.Role.STAFF)


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def celery_eager():
    """Run Celery tasks in the test's process, whatever broker the settings name."""
    from config.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def forget_regions_remembered_by_the_app():
    """outreach.nik remembers region codes and outreach.counts a village's ancestors; a test's
    regions vanish with its transaction."""
    yield
    from outreach import counts, nik

    nik._seen_codes.clear()
    counts._ancestors.clear()  # a test's villages vanish too, and their ids may come back
