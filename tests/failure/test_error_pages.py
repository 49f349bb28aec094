"""The server error pages (config/errors.py) without any server: these run on every database.

The live check is test_postgres_restart.py; here the handler itself: 503 with Retry-After and
the Indonesian message when the database cannot be reached, the project's 500 page otherwise.
"""

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import get_resolver

from config.errors import server_error


def failing_with(error: Exception, rf):
    try:
        raise error
    except Exception:  # noqa: BLE001 - the handler reads the exception being handled
        return server_error(rf.get("/kegiatan/1/catat/"))


def test_the_project_answers_server_errors_with_its_own_handler():
    assert get_resolver().resolve_error_handler(500) is server_error


@pytest.mark.parametrize("error", [OperationalError("connection refused"), InterfaceError("connection already closed")])
def test_a_database_that_cannot_be_reached_gets_503_in_indonesian(rf, error):
    response = failing_with(error, rf)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Layanan sedang terganggu" in page and "kirim ulang" in page and "Jemput Bola" in page


def test_a_database_error_wrapped_in_another_one_still_gets_503(rf):
    try:
        try:
            raise OperationalError("terminating connection due to administrator command")
        except OperationalError as cause:
            raise RuntimeError("while rendering") from cause
    except RuntimeError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503


def test_any_other_error_gets_the_projects_500_page(rf):
    response = failing_with(ValueError("bug"), rf)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Terjadi kesalahan di server" in page and "Jemput Bola" in page and "Traceback" not in page
