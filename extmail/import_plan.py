"""Validating workbook rows with the same rules as the screens (no state changes here)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext as _

from beatbox.models import User, login_validator

from .forms import LinkageForm, LinkageInput
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


class UserRowForm(forms.Form):
    login = forms.CharField(max_length=64, validators=[login_validator])
    name = forms.CharField(max_length=100, required=False)
    furigana = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(max_length=254, required=False)
    password = forms.CharField(strip=False, max_length=128)
    is_admin = forms.ChoiceField(choices=[("0", "0"), ("1", "1")], required=False)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        probe = User(login=self.data.get("login", ""), name=self.data.get("name", ""),
                     email=self.data.get("email", ""))
        password_validation.validate_password(password, probe)
        return password


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
        form = UserRowForm(row.values)
        if not form.is_valid():
            _report(plan, row, {k: list(v) for k, v in form.errors.items()})
            login = row.values.get("login", "").lower()
        else:
            data = form.cleaned_data
            login = data["login"].lower()
            plan.users.append(UserPlan(row.number, data["login"], data["name"],
                                       data["furigana"], data["email"],
                                       data.get("is_admin") == "1", data["password"]))
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
        form = LinkageForm(_form_data(row.values), owner=None,
                           conflict_check=lambda a, k=key: conflict_reason(addresses[k], a))
        if not form.is_valid():
            _report(plan, row, {k: list(v) for k, v in form.errors.items()})
            continue
        value: LinkageInput = form.cleaned_data["linkage"]
        addresses[key].append(value.mail_address)
        plan.linkages.append(LinkagePlan(row.number, login, value))


def _form_data(values: dict[str, str]) -> dict[str, str]:
    """Row values as the add form would post them (defaults for the optional choices)."""
    data = {"pop_auth": "auto", "leave_on_server": "0", "pop_ssl": "0",
            "smtp_auth": "default", "smtp_ssl": "0", "smtp_account": "", "smtp_password": ""}
    data.update({k: v for k, v in values.items() if k != "login"})
    return data
