import os

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        # Nothing listens on port 1: every cache call fails to connect.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}


@override_settings(CACHES=DEAD_REDIS)
def test_a_dead_redis_cache_never_fails_a_request(client_for, staff):
    cache = caches["default"]
    cache.set("jemputbola-probe", 1)
    assert cache.get("jemputbola-probe") is None
    assert client_for(staff).get(reverse("regions:detail", kwargs={"code": "33.24"})).status_code == 200


def test_the_settings_ignore_cache_errors_when_redis_is_configured(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("butuh REDIS_URL: tanpa Redis cache berada di dalam proses")
    assert settings.CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    cache = caches["default"]
    cache.set("jemputbola-probe", 42, 5)
    assert cache.get("jemputbola-probe") == 42
