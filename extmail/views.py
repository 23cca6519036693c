"""Screens of 外部メール連係 (thin: forms validate, services change, selectors fetch)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .causes import explain
from .forms import LinkageForm, initial_from
from .models import CheckStatus

STALE_AFTER_SECONDS = 60  # a pending check this old means the worker is not running


@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    """外部メール連係追加 (/beatman/setting/self/extmail/addmail.jsp)."""
    initial = None
    if request.method == "GET" and (source := request.GET.get("from")):
        # "Back to the form" from the confirmation screen: what was typed, minus passwords.
        initial = _draft_initial(request, source)
    form = LinkageForm(request.POST or None, owner=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        draft = services.create_draft(owner=request.user, value=form.cleaned_data["linkage"])
        return redirect("extmail:confirm", pk=draft.pk)
    return render(request, "extmail/form.html", {"form": form, "adding": True})


def _draft_initial(request: HttpRequest, source: str) -> dict | None:
    try:
        draft = selectors.draft_of(owner=request.user, pk=uuid.UUID(source))
    except (ValueError, Http404):  # a bad or foreign id just gives an empty form
        return None
    return initial_from(draft)


@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    linkage = selectors.linkage_of(owner=request.user, pk=pk)
    initial = None
    if request.method == "GET" and (source := request.GET.get("from")):
        initial = _draft_initial(request, source)
    form = LinkageForm(request.POST or None, owner=request.user, instance=linkage,
                       initial=initial or initial_from(linkage))
    if request.method == "POST" and form.is_valid():
        draft = services.create_draft(owner=request.user, value=form.cleaned_data["linkage"],
                                      target=linkage)
        return redirect("extmail:confirm", pk=draft.pk)
    return render(request, "extmail/form.html",
                  {"form": form, "adding": False, "linkage": linkage})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    draft = selectors.draft_of(owner=request.user, pk=pk)
    if draft.started_check is not None:  # already started: back button or a second click
        return redirect(_check_url(draft.started_check))
    error = None
    if request.method == "POST":
        try:
            check = services.start_check(owner=request.user, draft_pk=draft.pk)
        except services.ServiceError as exc:
            error = str(exc)
        else:
            return redirect(_check_url(check))
    back = reverse("extmail:add") if draft.target is None else reverse(
        "extmail:change", kwargs={"pk": draft.target_id})
    return render(request, "extmail/confirm.html", {
        "draft": draft, "error": error, "back_url": f"{back}?from={draft.pk}",
    }, status=409 if error else 200)


def _check_url(check) -> str:
    return reverse("extmail:check", kwargs={"pk": check.linkage_id, "check_pk": check.pk})


def check(request: HttpRequest, pk: uuid.UUID, check_pk: uuid.UUID) -> HttpResponse:
    """Checking… (refreshes itself without JavaScript) → success or failure."""
    chk = selectors.check_of(owner=request.user, linkage_pk=pk, pk=check_pk)
    context = {"check": chk, "linkage": chk.linkage, "show_raw": request.user.is_admin}
    if not chk.done:
        waited = (timezone.now() - chk.created_at).total_seconds()
        context["stale"] = chk.status == CheckStatus.PENDING and waited > STALE_AFTER_SECONDS
        context["refresh_seconds"] = 2
        return render(request, "extmail/checking.html", context)
    if chk.status == CheckStatus.OK:
        context["pop"] = chk.report.get("pop", {})
        context["smtp"] = chk.report.get("smtp", {})
        return render(request, "extmail/check_ok.html", context)
    context["explanation"] = explain(chk.cause)
    context["fix_url"] = reverse("extmail:change", kwargs={"pk": chk.linkage_id})
    if chk.draft_id:
        context["fix_url"] += f"?from={chk.draft_id}"
    return render(request, "extmail/check_failed.html", context)


@require_POST
def recheck(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    linkage = selectors.linkage_of(owner=request.user, pk=pk)
    try:
        chk = services.request_check(linkage=linkage, requested_by=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("extmail:list")
    return redirect(_check_url(chk))


def linkage_list(request: HttpRequest) -> HttpResponse:
    return render(request, "extmail/list.html",
                  {"linkages": selectors.linkages_of(owner=request.user)})


def mail_client(request: HttpRequest) -> HttpResponse:
    """メールクライアント設定: what to type into a mail client for each mailbox."""
    return render(request, "extmail/mailclient.html", {
        "linkages": selectors.linkages_of(owner=request.user),
        "box_host": settings.BEATBOX_HOSTNAME,
    })
