"""Add a new credential key and re-encrypt every stored password with it."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from extmail import crypto
from extmail.models import Linkage, LinkageDraft

SECRET_FIELDS = ("pop_password", "smtp_password")


class Command(BaseCommand):
    help = ("Put a new key at the front of the credential key ring, re-encrypt all stored "
            "passwords with it, and (with --drop-old) remove the old keys.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--drop-old", action="store_true",
                            help="remove the old keys once nothing uses them")

    def handle(self, *args, drop_old: bool = False, **options) -> None:
        if os.environ.get("BEATBOX_CREDENTIAL_KEYS"):
            raise CommandError("Keys come from BEATBOX_CREDENTIAL_KEYS: put a new key first in "
                               "that variable yourself, then run this command to re-encrypt.")
        path = crypto.key_file()
        lines, _where = crypto.read_key_lines()
        new_lines = [crypto.generate_key(), *lines]
        _write(path, new_lines)
        crypto.reset_keyring_cache()
        count = self._reencrypt()
        if drop_old:
            _write(path, new_lines[:1])
            crypto.reset_keyring_cache()
        self.stdout.write(f"Re-encrypted {count} stored passwords with the new key.")

    def _reencrypt(self) -> int:
        count = 0
        with transaction.atomic():
            for model in (Linkage, LinkageDraft):
                for obj in model.objects.select_for_update():
                    changed = []
                    for field in SECRET_FIELDS:
                        token = getattr(obj, f"{field}_enc")
                        if token and crypto.needs_rotation(token):
                            obj.set_secret(field, obj.get_secret(field))
                            changed.append(f"{field}_enc")
                    if changed:
                        obj.save(update_fields=changed)
                        count += len(changed)
        return count


def _write(path: Path, lines: list[str]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write("\n".join(lines) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
