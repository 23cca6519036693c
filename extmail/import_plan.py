"""Validating workbook rows with the same rules as the screens (no state changes here)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from beatbox.models import User, login_validator

from . import validation
from .forms import DEFAULT_PORTS, LinkageInput
from .importer import LINKAGES_SHEET, USERS_SHEET, Problem, ReadResult, Row
from .models import Linkage
from .selectors import conflict_reason


@dataclass
class UserPlan:
    row: int
    login: str
    name: str
    furigana: str
    email: str
    is_admin: bool
    password: str = field(repr=False)


@dataclass
class LinkagePlan:
    row: int
    login: str
    value: LinkageInput


@dataclass
class Plan:
    sha256: str
    users: list[UserPlan] = field(default_factory=list)
    linkages: list[LinkagePlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


EMAIL = EmailValidator()


def _too_long(limit: int, length: int) -> str:
    """Django's own wording for a CharField's max_length."""
    return _("Ensure this value has at most %(limit_value)d characters (it has "
             "%(show_value)d).") % {"limit_value": limit, "show_value": length}


def check_user(values: dict[str, str]) -> tuple[UserPlan | None, dict[str, list[str]]]:
    """A 利用者 row: the rules of the user forms (login ID format, lengths, mail address,
    the password validators of settings.AUTH_PASSWORD_VALIDATORS)."""
    errors: dict[str, list[str]] = defaultdict(list)
    login = values.get("login", "").strip()
    try:
        login_validator(login)
    except ValidationError as exc:
        errors["login"].extend(exc.messages)
    for name, limit in (("name", 100), ("furigana", 200), ("email", 254)):
        if len(values.get(name, "")) > limit:
            errors[name].append(_too_long(limit, len(values[name])))
    email = values.get("email", "").strip()
    if email and "email" not in errors:
        try:
            EMAIL(email)
        except ValidationError as exc:
            errors["email"].extend(exc.messages)
    password = values.get("password", "")
    if not password:
        errors["password"].append(_("This field is required."))
    else:
        try:
            password_validation.validate_password(
                password, User(login=login, name=values.get("name", ""), email=email))
        except ValidationError as exc:
            errors["password"].extend(exc.messages)
    if errors:
        return None, dict(errors)
    return UserPlan(0, login, values.get("name", "").strip(), values.get("furigana", "").strip(),
                    email, values.get("is_admin") == "1", password), {}


def plan_import(read: ReadResult) -> Plan:
    plan = Plan(sha256=read.sha256, problems=list(read.problems))
    new_logins = _plan_users(read.rows.get(USERS_SHEET, []), plan)
    _plan_linkages(read.rows.get(LINKAGES_SHEET, []), new_logins, plan)
    plan.problems.sort(key=Problem.sort_key)
    return plan


def _report(plan: Plan, row: Row, errors: dict) -> None:
    for name, messages in errors.items():
        if name in row.unread:
            continue  # the cell itself was already reported (number, formula, ...)
        column = row.columns.get(name, "")
        for message in messages:
            plan.problems.append(Problem(row.sheet, row.number, column, str(message)))


def _plan_users(rows: list[Row], plan: Plan) -> set[str]:
    existing = {lg.lower() for lg in User.objects.values_list("login", flat=True)}
    first_row: dict[str, int] = {}
    for row in rows:
        user, errors = check_user(row.values)
        login = row.values.get("login", "").strip().lower()
        if errors:
            _report(plan, row, errors)
        else:
            user.row = row.number
            plan.users.append(user)
        if not login:
            continue
        if login in existing:
            plan.problems.append(Problem(row.sheet, row.number, row.columns.get("login", ""),
                                         _("This login ID is already used.")))
        elif login in first_row:
            plan.problems.append(Problem(row.sheet, row.number, row.columns.get("login", ""),
                                         _("The same login ID is on row %(row)d too.")
                                         % {"row": first_row[login]}))
        else:
            first_row[login] = row.number
    return set(first_row)


def _plan_linkages(rows: list[Row], new_logins: set[str], plan: Plan) -> None:
    logins = {r.values.get("login", "").lower() for r in rows} - new_logins
    users = {u.login.lower(): u for u in User.objects.filter(login__in=[
        r.values.get("login", "") for r in rows])}
    # Every address each user already has, plus those earlier in this file.
    addresses: dict[str, list[str]] = defaultdict(list)
    for login, address in Linkage.objects.filter(owner__login__in=[
            users[lg].login for lg in logins if lg in users]).values_list(
            "owner__login", "mail_address"):
        addresses[login.lower()].append(address)
    for row in rows:
        login = row.values.get("login", "").strip()
        key = login.lower()
        if not login:
            plan.problems.append(Problem(row.sheet, row.number, row.columns.get("login", ""),
                                         _("Enter the login ID.")))
        elif key not in users and key not in new_logins:
            plan.problems.append(Problem(row.sheet, row.number, row.columns.get("login", ""),
                                         _("There is no user with this login ID (add them on "
                                           "the 利用者 sheet).")))
        value, errors = check_linkage(
            _form_data(row.values),
            conflict_check=lambda a, k=key: conflict_reason(addresses[k], a))
        if errors:
            _report(plan, row, errors)
            continue
        addresses[key].append(value.mail_address)
        plan.linkages.append(LinkagePlan(row.number, login, value))


def _form_data(values: dict[str, str]) -> dict[str, str]:
    """Row values as the add form would post them (defaults for the optional choices)."""
    data = {"pop_auth": "auto", "leave_on_server": "0", "pop_ssl": "0",
            "smtp_auth": "default", "smtp_ssl": "0", "smtp_account": "", "smtp_password": ""}
    data.update({k: v for k, v in values.items() if k != "login"})
    return data


CHOICES = {"pop_auth": ("auto", "user", "apop"), "leave_on_server": ("0", "1"),
           "pop_ssl": ("0", "1"), "smtp_auth": ("default", "custom"), "smtp_ssl": ("0", "1")}
FIELD_RULES = {
    "mail_address": validation.clean_mail_address,
    "pop_server": validation.parse_server,
    "smtp_server": validation.parse_server,
    "pop_account": validation.clean_account,
    "pop_password": validation.clean_password,
}
MAX_FIELD = 400  # as the form's fields
TEXT_FIELDS = ("mail_address", "pop_server", "pop_account", "pop_password", "smtp_server",
               "smtp_account", "smtp_password")
REQUIRED = {  # the form's messages for an empty required field
    "mail_address": lambda: _("This field is required."),
    "pop_server": lambda: _("This field is required."),
    "smtp_server": lambda: _("This field is required."),
    "pop_account": lambda: _("This field is required."),
    "pop_password": lambda: _("Enter the mailbox password."),
}


def check_linkage(data: dict[str, str], *, conflict_check) -> tuple[LinkageInput | None,
                                                                     dict[str, list[str]]]:
    """The add form's rules (LinkageForm, add mode) for one row, without a Django form per
    row: the same validation functions, the same messages. test_import_rules checks that
    both always agree."""
    errors: dict[str, list[str]] = defaultdict(list)
    values: dict[str, str] = {}
    for name, allowed in CHOICES.items():
        if data.get(name) not in allowed:
            errors[name].append(_("Select a valid choice. %(value)s is not one of the "
                                  "available choices.") % {"value": data.get(name, "")})
    # What every CharField of the form checks: no NUL, at most 400 characters.
    for name in TEXT_FIELDS:
        raw = data.get(name) or ""
        value = raw if name.endswith("password") else raw.strip()
        if "\x00" in value:
            errors[name].append(_("Null characters are not allowed."))
        elif len(value) > MAX_FIELD:
            errors[name].append(_too_long(MAX_FIELD, len(value)))
        else:
            values[name] = value
    custom = data.get("smtp_auth") == "custom"
    rules = dict(FIELD_RULES, smtp_password=validation.clean_password)
    if custom:
        rules["smtp_account"] = validation.clean_account
    clean: dict = {}
    for name, rule in rules.items():
        if name not in values:
            continue
        value = values[name]
        if not value and name in REQUIRED:
            errors[name].append(REQUIRED[name]())
            continue
        try:
            clean[name] = rule(value)
        except ValidationError as exc:
            errors[name].extend(exc.messages)
    if custom and values.get("smtp_password") == "" and "smtp_password" not in errors:
        errors["smtp_password"].append(_("Enter the outgoing server password."))
    if "mail_address" in clean and (problem := conflict_check(clean["mail_address"])):
        errors["mail_address"].append(problem)
    if errors:
        return None, dict(errors)
    pop_ssl, smtp_ssl = data["pop_ssl"] == "1", data["smtp_ssl"] == "1"
    (pop_host, pop_port), (smtp_host, smtp_port) = clean["pop_server"], clean["smtp_server"]
    return LinkageInput(
        mail_address=clean["mail_address"], pop_host=pop_host,
        pop_port=pop_port or DEFAULT_PORTS[("pop", pop_ssl)], pop_account=clean["pop_account"],
        pop_password=clean["pop_password"], pop_auth=data["pop_auth"],
        leave_on_server=data["leave_on_server"] == "1", pop_ssl=pop_ssl, smtp_host=smtp_host,
        smtp_port=smtp_port or DEFAULT_PORTS[("smtp", smtp_ssl)], smtp_auth=data["smtp_auth"],
        smtp_account=clean.get("smtp_account", "") if custom else "",
        smtp_password=clean.get("smtp_password", "") if custom else "", smtp_ssl=smtp_ssl,
    ), {}
