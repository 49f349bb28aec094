"""How a NIK is stored: HMAC-SHA256 under a key kept outside the database, with the key's id.

Keys come from settings.NIK_HMAC_KEYS ("id:secret" pairs, oldest first; the last is used
for new rows). Every active key is tried when looking for an earlier record, so a key can
be rotated without losing duplicate checks. The NIK itself is never stored or logged.
"""

import hashlib
import hmac

from django.conf import settings


def _keys() -> list[tuple[str, bytes]]:
    return [(key_id, secret.encode()) for key_id, secret in settings.NIK_HMAC_KEYS]


def nik_hash(digits: str) -> tuple[str, str]:
    """The (key id, hash) of a NIK under the newest key: what new rows store."""
    key_id, secret = _keys()[-1]
    return key_id, hmac.new(secret, digits.encode(), hashlib.sha256).hexdigest()


def nik_hashes(digits: str) -> list[str]:
    """The hash of a NIK under every active key, for finding earlier records."""
    return [hmac.new(secret, digits.encode(), hashlib.sha256).hexdigest() for _key_id, secret in _keys()]


def masked(last4: str) -> str:
    return "•••• •••• •••• " + last4
