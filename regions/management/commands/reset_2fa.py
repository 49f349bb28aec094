"""Remove a user's 2FA devices (a lost phone): they set up a new key at their next sign-in."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from regions.models import User


class Command(BaseCommand):
    help = "Hapus perangkat verifikasi dua langkah seorang pengguna (HP hilang)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna {username} tidak ada.")
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(f"{removed} perangkat dihapus untuk {username}.")
