"""The box's own users: a login ID, a name with its reading, and the 責任者 (administrator) flag."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

login_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    _("Use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."),
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, login: str, password: str | None = None, **fields) -> User:
        user = self.model(login=login, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, login: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_admin", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(login, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    login = models.CharField(
        _("login ID"), max_length=64, unique=True, validators=[login_validator]
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    furigana = models.CharField(_("furigana"), max_length=200, blank=True)
    email = models.EmailField(_("mail address"), max_length=254, blank=True)
    is_admin = models.BooleanField(
        _("administrator"), default=False,
        help_text=_("Administrators manage every user and every linkage."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("registered"), auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "login"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["furigana", "login"]

    def __str__(self) -> str:
        return self.login

    def save(self, *args, **kwargs) -> None:
        # A 責任者 can do everything, in the admin site too; nobody else has any permission.
        self.is_superuser = self.is_admin
        fields = kwargs.get("update_fields")
        if fields is not None and "is_admin" in fields:
            kwargs["update_fields"] = {*fields, "is_superuser"}
        super().save(*args, **kwargs)

    @property
    def is_staff(self) -> bool:
        """Only 責任者 reach the Django admin site."""
        return self.is_admin

    def get_full_name(self) -> str:
        return self.name or self.login

    def get_short_name(self) -> str:
        return self.login


class AuditEntry(models.Model):
    """Who did what to which linkage or user, and when. Never holds a secret value."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey("beatbox.User", null=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    actor_login = models.CharField(_("by (login ID)"), max_length=64)
    action = models.CharField(_("action"), max_length=40)
    subject_login = models.CharField(_("user concerned"), max_length=64, blank=True)
    target = models.CharField(_("target"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_login} {self.action} {self.target}"


class PendingPassword(models.Model):
    """An imported user's initial password, waiting to be hashed in the background.

    Hashing is deliberately slow (~0.2 s each), so an import of thousands of users stores
    the password encrypted (key ring, bound to the user) and the task worker hashes it; a
    login before that compares against this copy and hashes at once. Deleted once hashed.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True,
                                related_name="pending_password")
    secret_enc = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"pending password of {self.user_id}"
