"""How a NIK is stored: HMAC-SHA256 under a key kept outside the database, with the key's id.

Keys come from settings.NIK_HMAC_KEYS ("id:secret" pairs, oldest first; the last is used
for new rows). Every active key is tried when looking for an earlier record, so a key can
be rotated without losing duplicate checks. The NIK itself is never stored or logged.
"""

import hmac

from django.conf import settings


def nik_hash(digits: str) -> tuple[str, str]:
    """The (key id, hash) of a NIK under the newest key: what new rows store."""
    key_id, secret = settings.NIK_HMAC_KEYS[-1]
    return key_id, hmac.digest(secret.encode(), digits.encode(), "sha256").hex()


def nik_hashes(digits: str) -> list[str]:
    """The hash of a NIK under every active key, for finding earlier records."""
    message = digits.encode()
    return [hmac.digest(secret.encode(), message, "sha256").hex() for _key_id, secret in settings.NIK_HMAC_KEYS]


def masked(last4: str) -> str:
    return "•••• •••• •••• " + last4
