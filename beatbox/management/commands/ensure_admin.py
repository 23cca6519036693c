"""Create the first 責任者 when the box has none (run by `make run`)."""

import os
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from beatbox.models import User


class Command(BaseCommand):
    help = "Create the first administrator (責任者) if there is none."

    def handle(self, *args, **options) -> None:
        if User.objects.filter(is_admin=True, is_active=True).exists():
            return
        login = os.environ.get("BEATBOX_ADMIN_LOGIN") or "admin"
        password = os.environ.get("BEATBOX_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        try:
            User.objects.create_superuser(login, password, name="beat-box責任者")
        except ValidationError as exc:
            raise CommandError(f"BEATBOX_ADMIN_LOGIN {login!r}: {' '.join(exc.messages)}") from None
        self.stdout.write(f"Created the first administrator (責任者): login ID '{login}'.")
        if generated:
            # Shown exactly once, on the operator's terminal; it is never written to a log file.
            self.stdout.write(f"Its generated password is: {password}")
            self.stdout.write("Change it after the first login.")
