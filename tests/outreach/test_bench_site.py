"""The benchmark's reference operation (`outreach.management.bench_urls`): a minimal signed-in
form POST that inserts one row, through the project's whole middleware stack."""

import pytest
from django.db import connection
from django.test import Client, override_settings

from outreach.management.bench_urls import MINIMAL_TABLE


@pytest.fixture
def minimal_table(db):
    serial = "bigserial" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MINIMAL_TABLE} (id {serial} PRIMARY KEY, value text NOT NULL)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {MINIMAL_TABLE}")


def _rows() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {MINIMAL_TABLE}")  # noqa: S608
        return [value for (value,) in cursor.fetchall()]


@override_settings(ROOT_URLCONF="outreach.management.bench_urls")
def test_the_minimal_post_signs_in_checks_csrf_and_inserts_one_row(minimal_table, operator):
    response = Client().post("/bench/minimal/", {"value": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")

    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    assert client.post("/bench/minimal/", {"value": "no-token"}).status_code == 403
    assert client.get("/kegiatan/saya/").status_code == 200  # the project's pages, same URLconf
    token = client.cookies["csrftoken"].value
    response = client.post("/bench/minimal/", {"value": "satu", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/sehat/"
    assert client.post("/bench/minimal/", {"value": "", "csrfmiddlewaretoken": token}).status_code == 400
    assert _rows() == ["satu"]
