"""利用者情報一括登録 from the command line: the same checks and the same all-or-nothing commit."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beatbox.models import User
from extmail import services
from extmail.importer import UnreadableFile


class Command(BaseCommand):
    help = "Register users and external mail linkages from an .xlsx workbook."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true",
                            help="check every row and report, register nothing")
        parser.add_argument("--actor", default=None,
                            help="login ID of the 責任者 recorded in the audit log "
                                 "(default: the first active 責任者)")

    def handle(self, *args, file: Path, dry_run: bool, actor: str | None, **options) -> None:
        admins = User.objects.filter(is_admin=True, is_active=True).order_by("pk")
        who = admins.filter(login=actor).first() if actor else admins.first()
        if who is None:
            raise CommandError("No such administrator (責任者) to record as the actor.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            plan, batch = services.preview_import(actor=who, data=data, file_name=file.name)
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from None
        for p in plan.problems:
            self.stdout.write(f"{p.sheet}\t{p.row or ''}\t{p.column}\t{p.message}")
        if batch is None:
            raise CommandError(f"{len(plan.problems)} problems: nothing was registered.")
        self.stdout.write(f"OK: {batch.user_count} users, {batch.linkage_count} linkages.")
        if dry_run:
            batch.delete()
            self.stdout.write("Dry run: nothing was registered.")
            return
        services.commit_import(actor=who, batch_pk=batch.pk)
        self.stdout.write("Registered. Connection checks and password hashing continue in "
                          "the task worker.")
