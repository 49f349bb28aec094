from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Wilayah dan pengguna")

    def ready(self):
        # Connects the sign-in signal that remembers whether this user must enter a 2FA code.
        from regions import two_factor  # noqa: F401
        # The audit log's handlers: sign-in/out, failed sign-in, changes to the audited models.
        from regions import audit

        audit.connect()
        # `field__any_of=[...]`: one array parameter instead of a long IN list (regions/lookups.py).
        from django.db.models import ForeignKey

        from regions.lookups import AnyOf

        ForeignKey.register_lookup(AnyOf)
