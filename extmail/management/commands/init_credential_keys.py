"""Create the credential key file on a new box (make run does this)."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from beatbox.datadir import write_private
from extmail import crypto
from extmail.models import Linkage


class Command(BaseCommand):
    help = "Create the key ring for stored mail passwords if there is none."
    requires_system_checks: list = []

    def handle(self, *args, **options) -> None:
        try:
            crypto.read_key_lines()
            return  # already configured
        except crypto.CredentialKeyError:
            pass
        # A box that already stores passwords lost its key: a new key would silently make
        # them unreadable, so refuse and say so.
        try:
            stored = Linkage.objects.filter(~Q(pop_password_enc="")).count()
        except Exception:  # noqa: BLE001 - no tables yet on a brand-new box
            stored = 0
        if stored:
            raise CommandError(
                f"{stored} stored mail passwords exist but the key file "
                f"{crypto.key_file()} is missing. Restore it from your backup.")
        write_private(crypto.key_file(), crypto.generate_key() + "\n")
        crypto.reset_keyring_cache()
        self.stdout.write(f"Created credential key file {crypto.key_file()} (mode 0600).")
