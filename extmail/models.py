"""External mail linkages (外部メール連係), their local mailboxes and connection checks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from . import crypto


class PopAuth(models.TextChoices):
    AUTO = "auto", _("Automatic (APOP when offered)")
    USER = "user", _("USER/PASS")
    APOP = "apop", _("APOP")


class SmtpAuth(models.TextChoices):
    DEFAULT = "default", _("No authentication, or authenticate with the standard settings")
    CUSTOM = "custom", _("Specify")


class SmtpMethod(models.TextChoices):
    NONE = "none", _("No authentication")
    POP_BEFORE_SMTP = "pop_before_smtp", _("POP before SMTP")
    AUTH = "auth", _("SMTP AUTH")


class LinkageState(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked")
    CHECKING = "checking", _("Checking")
    OK = "ok", _("Checked")
    FAILED = "failed", _("Check failed")


class LinkageFields(models.Model):
    """The settings a user types in; shared by drafts and saved linkages."""

    mail_address = models.CharField(_("mail address"), max_length=254)
    pop_host = models.CharField(_("POP server"), max_length=255)
    pop_port = models.PositiveIntegerField(_("POP port"))
    pop_account = models.CharField(_("mailbox account"), max_length=255)
    pop_password_enc = models.TextField(editable=False)
    pop_auth = models.CharField(max_length=8, choices=PopAuth.choices, default=PopAuth.AUTO)
    leave_on_server = models.BooleanField(_("leave mail on the server"), default=False)
    pop_ssl = models.BooleanField(_("POP over SSL"), default=False)
    smtp_host = models.CharField(_("SMTP server"), max_length=255)
    smtp_port = models.PositiveIntegerField(_("SMTP port"))
    smtp_auth = models.CharField(max_length=8, choices=SmtpAuth.choices,
                                 default=SmtpAuth.DEFAULT)
    smtp_account = models.CharField(_("SMTP account"), max_length=255, blank=True)
    smtp_password_enc = models.TextField(blank=True, editable=False)
    smtp_ssl = models.BooleanField(_("SMTP over SSL"), default=False)

    class Meta:
        abstract = True

    # Secrets are bound to (table, row, field): see crypto.py.
    def _row(self) -> str:
        return f"{self._meta.label_lower}:{self.pk}"

    def set_secret(self, field: str, plaintext: str) -> None:
        token = crypto.encrypt(plaintext, row=self._row(), field=field) if plaintext else ""
        setattr(self, f"{field}_enc", token)

    def get_secret(self, field: str) -> str:
        token = getattr(self, f"{field}_enc")
        return crypto.decrypt(token, row=self._row(), field=field) if token else ""

    @property
    def pop_server(self) -> str:
        return _join_host_port(self.pop_host, self.pop_port)

    @property
    def smtp_server(self) -> str:
        return _join_host_port(self.smtp_host, self.smtp_port)


def _join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Linkage(LinkageFields):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="linkages", verbose_name=_("user"))
    state = models.CharField(_("state"), max_length=12, choices=LinkageState.choices,
                             default=LinkageState.UNCHECKED)
    smtp_method = models.CharField(_("sending method"), max_length=16,
                                   choices=SmtpMethod.choices, blank=True)
    smtp_mechanism = models.CharField(_("SMTP AUTH mechanism"), max_length=20, blank=True)
    is_primary = models.BooleanField(_("primary address"), default=False)
    # Set when the linkage came from an Excel import (its progress page counts these).
    import_batch = models.ForeignKey("ImportBatch", null=True, blank=True, editable=False,
                                     on_delete=models.SET_NULL, related_name="linkages")
    checked_at = models.DateTimeField(_("last successful check"), null=True, blank=True)
    pop_password_set_at = models.DateTimeField(null=True, editable=False)
    smtp_password_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("external mail linkage")
        verbose_name_plural = _("external mail linkages")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(Lower("mail_address"), "owner",
                                    name="extmail_linkage_unique_address_per_user"),
            models.UniqueConstraint(fields=["owner"], condition=models.Q(is_primary=True),
                                    name="extmail_linkage_one_primary_per_user"),
            models.CheckConstraint(condition=models.Q(pop_port__gte=1, pop_port__lte=65535,
                                                      smtp_port__gte=1, smtp_port__lte=65535),
                                   name="extmail_linkage_ports_in_range"),
        ]

    def __str__(self) -> str:
        return self.mail_address


class LinkageDraft(LinkageFields):
    """What a user typed, waiting on the confirmation screen.

    Passwords cannot travel in hidden form fields (they would be in the HTML), so the typed
    values wait here, encrypted, until [接続確認を開始] turns them into a linkage exactly once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="linkage_drafts")
    # Set when the draft changes an existing linkage rather than adding one.
    target = models.ForeignKey(Linkage, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="drafts")
    # Set once the draft has been used: a second [接続確認を開始] finds the same check.
    started_check = models.ForeignKey("ConnectionCheck", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"draft {self.mail_address}"


class Mailbox(models.Model):
    """The local mailbox inside the box; it exists only after a successful check."""

    linkage = models.OneToOneField(Linkage, on_delete=models.CASCADE, related_name="mailbox")
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.path


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Checking")
    OK = "ok", _("Succeeded")
    FAILED = "failed", _("Failed")


class ConnectionCheck(models.Model):
    """One run of the connection check (接続確認) and its report (never holds a password)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    linkage = models.ForeignKey(Linkage, on_delete=models.CASCADE, related_name="checks")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=CheckStatus.choices,
                              default=CheckStatus.PENDING)
    cause = models.CharField(max_length=40, blank=True)
    side = models.CharField(max_length=4, blank=True)  # "pop" or "smtp": where it failed
    # Set for the checks an Excel import started (its progress page counts them).
    batch = models.ForeignKey("ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="checks")
    # A change to a working linkage is checked from its draft and applied only on success.
    draft = models.ForeignKey(LinkageDraft, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"check {self.pk} ({self.status})"

    @property
    def done(self) -> bool:
        return self.status in (CheckStatus.OK, CheckStatus.FAILED)



class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Waiting for confirmation")
    COMMITTED = "committed", _("Registered")


class ImportBatch(models.Model):
    """A validated workbook waiting for [登録], then the record of what it registered.

    The uploaded file itself is never stored: only the validated rows, with passwords
    encrypted (bound to this batch, sheet, row and field), and they are erased on commit.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.PREVIEWED)
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64)
    user_count = models.PositiveIntegerField(default=0)
    linkage_count = models.PositiveIntegerField(default=0)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulk registration")
        verbose_name_plural = _("bulk registrations")

    def __str__(self) -> str:
        return f"{self.file_name or self.file_sha256[:12]} ({self.status})"


class FetchState(models.Model):
    """Where fetching stands for one linkage (状況確認 shows it)."""

    linkage = models.OneToOneField(Linkage, on_delete=models.CASCADE, primary_key=True,
                                   related_name="fetch")
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lock_until = models.DateTimeField(null=True, blank=True)
    lock_owner = models.CharField(max_length=100, blank=True)  # "host:pid" of the session
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=40, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # in a row
    login_failures = models.PositiveIntegerField(default=0)  # in a row
    paused = models.BooleanField(default=False)  # stopped after repeated login failures
    # The user's choice at the first check: only mail arriving from now on.
    only_new = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"fetch state of {self.linkage_id}"


class MessageStatus(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    QUARANTINED = "quarantined", _("Quarantined (virus)")
    FAILED = "failed", _("Failed, will retry")
    SET_ASIDE = "set_aside", _("Set aside")
    EXISTING = "existing", _("Left alone (was there before)")


class FetchedMessage(models.Model):
    """One message of a provider mailbox, by its unique id: fetched once, never again."""

    linkage = models.ForeignKey(Linkage, on_delete=models.CASCADE, related_name="messages")
    uid = models.CharField(max_length=120)
    status = models.CharField(max_length=12, choices=MessageStatus.choices)
    attempts = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(null=True, blank=True)
    virus = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["linkage", "uid"],
                                               name="extmail_message_once_per_linkage")]
        indexes = [models.Index(fields=["linkage", "status", "fetched_at"])]

    def __str__(self) -> str:
        return f"{self.linkage_id} {self.uid} {self.status}"


class UserNotice(models.Model):
    """Something the box tells a user once, at their next visit (e.g. fetching paused)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notices")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
