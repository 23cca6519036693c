"""Screens of 外部メール連係 (thin: forms validate, services change, selectors fetch).

Every view works in a Scope: the user's own settings, or a 責任者 acting for a user through
/beatman/setting/admin/users/<id>/... (see scope.py). Another user's objects are a 404.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .causes import explain
from .forms import LinkageForm, PrimaryForm, initial_from
from .models import CheckStatus, LinkageState
from .scope import Scope, scope_of

STALE_AFTER_SECONDS = 60  # a pending check this old means the worker is not running


def _render(request: HttpRequest, scope: Scope, template: str, context: dict,
            status: int = 200) -> HttpResponse:
    return render(request, template, {"scope": scope, **context}, status=status)


def _draft_initial(scope: Scope, source: str | None) -> dict | None:
    """Form values from a draft ("back to the form"): everything but the passwords."""
    if not source:
        return None
    try:
        return initial_from(selectors.draft_of(owner=scope.owner, pk=uuid.UUID(source)))
    except (ValueError, Http404):  # a bad or foreign id just gives an empty form
        return None


@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, user_pk: int | None = None) -> HttpResponse:
    """外部メール連係追加 (/beatman/setting/self/extmail/addmail.jsp)."""
    scope = scope_of(request, user_pk)
    initial = _draft_initial(scope, request.GET.get("from"))
    form = LinkageForm(request.POST or None, owner=scope.owner, initial=initial)
    if request.method == "POST" and form.is_valid():
        draft = services.create_draft(owner=scope.owner, value=form.cleaned_data["linkage"])
        return redirect(scope.url("confirm", pk=draft.pk))
    return _render(request, scope, "extmail/form.html", {"form": form, "adding": True})


@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, pk: uuid.UUID, user_pk: int | None = None) -> HttpResponse:
    """変更: the add form prefilled (passwords blank), then confirm and check again."""
    scope = scope_of(request, user_pk)
    linkage = selectors.linkage_of(owner=scope.owner, pk=pk)
    initial = _draft_initial(scope, request.GET.get("from")) or initial_from(linkage)
    form = LinkageForm(request.POST or None, owner=scope.owner, instance=linkage,
                       initial=initial)
    if request.method == "POST" and form.is_valid():
        draft = services.create_draft(owner=scope.owner, value=form.cleaned_data["linkage"],
                                      target=linkage)
        return redirect(scope.url("confirm", pk=draft.pk))
    return _render(request, scope, "extmail/form.html",
                   {"form": form, "adding": False, "linkage": linkage})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pk: uuid.UUID, user_pk: int | None = None) -> HttpResponse:
    scope = scope_of(request, user_pk)
    draft = selectors.draft_of(owner=scope.owner, pk=pk)
    if draft.started_check is not None:  # already started: back button or a second click
        return redirect(_check_url(scope, draft.started_check))
    error = None
    if request.method == "POST":
        try:
            check = services.start_check(owner=scope.owner, draft_pk=draft.pk,
                                         actor=request.user)
        except services.ServiceError as exc:
            error = str(exc)
        else:
            return redirect(_check_url(scope, check))
    back = scope.url("add") if draft.target is None else scope.url("change", pk=draft.target_id)
    return _render(request, scope, "extmail/confirm.html", {
        "draft": draft, "error": error, "back_url": f"{back}?from={draft.pk}",
    }, status=409 if error else 200)


def _check_url(scope: Scope, check) -> str:
    return scope.url("check", pk=check.linkage_id, check_pk=check.pk)


@require_GET
def check(request: HttpRequest, pk: uuid.UUID, check_pk: uuid.UUID,
          user_pk: int | None = None) -> HttpResponse:
    """Checking… (refreshes itself without JavaScript) → success or failure."""
    scope = scope_of(request, user_pk)
    chk = selectors.check_of(owner=scope.owner, linkage_pk=pk, pk=check_pk)
    context = {"check": chk, "linkage": chk.linkage, "show_raw": request.user.is_admin}
    if not chk.done:
        waited = (timezone.now() - chk.created_at).total_seconds()
        context["stale"] = chk.status == CheckStatus.PENDING and waited > STALE_AFTER_SECONDS
        context["refresh_seconds"] = 2
        return _render(request, scope, "extmail/checking.html", context)
    if chk.status == CheckStatus.OK:
        context["pop"] = chk.report.get("pop", {})
        return _render(request, scope, "extmail/check_ok.html", context)
    context["explanation"] = explain(chk.cause)
    context["fix_url"] = scope.url("change", pk=chk.linkage_id)
    if chk.draft_id:
        context["fix_url"] += f"?from={chk.draft_id}"
    return _render(request, scope, "extmail/check_failed.html", context)


@require_POST
def recheck(request: HttpRequest, pk: uuid.UUID, user_pk: int | None = None) -> HttpResponse:
    scope = scope_of(request, user_pk)
    linkage = selectors.linkage_of(owner=scope.owner, pk=pk)
    try:
        chk = services.request_check(linkage=linkage, requested_by=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(scope.url("list"))
    return redirect(_check_url(scope, chk))


@require_GET
def linkage_list(request: HttpRequest, user_pk: int | None = None) -> HttpResponse:
    """外部メール連係管理: every linkage, its state, and what can be done with it."""
    scope = scope_of(request, user_pk)
    return _render(request, scope, "extmail/list.html",
                   {"linkages": selectors.linkages_of(owner=scope.owner),
                    "selected": request.GET.get("pk")})


@require_GET
def select(request: HttpRequest, user_pk: int | None = None) -> HttpResponse:
    """[次へ] on the list: go to the chosen screen for the chosen linkage."""
    scope = scope_of(request, user_pk)
    action = request.GET.get("action")
    try:
        linkage = selectors.linkage_of(owner=scope.owner, pk=uuid.UUID(request.GET.get("pk")))
    except (TypeError, ValueError):
        linkage = None
    if linkage is None or action not in ("change", "status", "delete"):
        messages.error(request, _("Choose a linkage first."))
        return redirect(scope.url("list"))
    return redirect(scope.url(action, pk=linkage.pk))


@require_GET
def status(request: HttpRequest, pk: uuid.UUID, user_pk: int | None = None) -> HttpResponse:
    """状況確認: the latest connection check in plain words, and a way to run it again."""
    scope = scope_of(request, user_pk)
    linkage = selectors.linkage_of(owner=scope.owner, pk=pk)
    latest = selectors.latest_check(linkage=linkage)
    return _render(request, scope, "extmail/status.html", {
        "linkage": linkage, "check": latest, "show_raw": request.user.is_admin,
        "fetch": selectors.fetch_summary(linkage=linkage),
        "explanation": explain(latest.cause) if latest and latest.status == "failed" else None,
        "pending_change": latest is not None and latest.draft_id is not None,
    })


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: uuid.UUID, user_pk: int | None = None) -> HttpResponse:
    """削除: says what is lost (the local mailbox and its mail) before deleting."""
    scope = scope_of(request, user_pk)
    linkage = selectors.linkage_of(owner=scope.owner, pk=pk)
    blocked = linkage.is_primary and selectors.linkages_of(owner=scope.owner).count() > 1
    if request.method == "POST" and not blocked:
        try:
            services.delete_linkage(linkage=linkage, actor=request.user)
        except services.ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The external mail linkage for %(address)s was "
                                        "deleted.") % {"address": linkage.mail_address})
            return redirect(scope.url("list"))
    return _render(request, scope, "extmail/delete.html",
                   {"linkage": linkage, "blocked": blocked}, status=409 if blocked and
                   request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def main_address(request: HttpRequest, user_pk: int | None = None) -> HttpResponse:
    """主たるメールアドレス指定: choose among the successfully checked linkages."""
    scope = scope_of(request, user_pk)
    linkages = selectors.linkages_of(owner=scope.owner)
    form = PrimaryForm(request.POST or None, linkages=linkages)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_primary(linkage=form.cleaned_data["linkage"], actor=request.user)
        except services.ServiceError as exc:
            form.add_error("linkage", str(exc))
        else:
            messages.success(request, _("The primary mail address is now %(address)s.") % {
                "address": form.cleaned_data["linkage"].mail_address})
            return redirect(scope.url("mainaddress"))
    return _render(request, scope, "extmail/mainaddress.html", {
        "form": form, "linkages": linkages,
        "unchecked": [lk for lk in linkages if lk.state != LinkageState.OK]})


@require_GET
def mail_client(request: HttpRequest, user_pk: int | None = None) -> HttpResponse:
    """メールクライアント設定: what to type into a mail client for each mailbox."""
    scope = scope_of(request, user_pk)
    return _render(request, scope, "extmail/mailclient.html", {
        "linkages": selectors.linkages_of(owner=scope.owner),
        "box_host": settings.BEATBOX_HOSTNAME,
    })


@require_POST
def fetch_now(request: HttpRequest, pk: uuid.UUID, user_pk: int | None = None) -> HttpResponse:
    """「今すぐ受信」 on 状況確認."""
    scope = scope_of(request, user_pk)
    linkage = selectors.linkage_of(owner=scope.owner, pk=pk)
    if services.fetch_now(linkage=linkage, actor=request.user):
        messages.success(request, _("Receiving has started. This page shows the result when "
                                    "you reload it."))
    else:
        messages.error(request, _("Mail can be received once the connection check has "
                                  "succeeded."))
    return redirect(scope.url("status", pk=linkage.pk))


@require_POST
def only_new_mail(request: HttpRequest, pk: uuid.UUID, user_pk: int | None = None
                  ) -> HttpResponse:
    scope = scope_of(request, user_pk)
    linkage = selectors.linkage_of(owner=scope.owner, pk=pk)
    if services.choose_only_new_mail(linkage=linkage, actor=request.user):
        messages.success(request, _("Only mail arriving from now on will be received into "
                                    "beat-box."))
    else:
        messages.error(request, _("Mail has already been received, so this can no longer be "
                                  "chosen."))
    return redirect(scope.url("status", pk=linkage.pk))
