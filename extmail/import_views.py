"""利用者情報一括登録 screens (責任者 only): upload → preview → [登録] → progress."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beatbox.manage_views import admin_only
from beatbox.models import PendingPassword, User

from . import services, workbook
from .importer import UnreadableFile
from .models import CheckStatus, ImportBatch, Linkage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    workbook = forms.FileField(label=gettext_lazy("Workbook (.xlsx)"), required=False)


@require_http_methods(["GET", "POST"])
@admin_only
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            # MemoryFileUploadHandler drops a file over the limit rather than spool it to disk.
            context["file_error"] = _("Choose a workbook (.xlsx) of at most %(mb)d MB.") % {
                "mb": settings.BEATBOX_IMPORT_MAX_BYTES // (1024 * 1024)}
            return render(request, "beatman/import.html", context)
        upload_file = form.cleaned_data["workbook"]
        try:
            plan, batch = services.preview_import(actor=request.user, data=upload_file.read(),
                                                  file_name=upload_file.name)
        except UnreadableFile as exc:
            context["file_error"] = str(exc)
            return render(request, "beatman/import.html", context)
        if batch is not None:
            return redirect("manage:import-preview", pk=batch.pk)
        context.update(problems=plan.problems, file_name=upload_file.name)
        return render(request, "beatman/import.html", context, status=422)
    return render(request, "beatman/import.html", context)


@require_GET
@admin_only
def preview(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    if batch.status == "committed":
        return redirect("manage:import-progress", pk=batch.pk)
    payload = batch.payload
    return render(request, "beatman/import_preview.html", {
        "batch": batch, "users": payload.get("users", [])[:200],
        "linkages": payload.get("linkages", [])[:200]})


@require_POST
@admin_only
def commit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    try:
        batch = services.commit_import(actor=request.user, batch_pk=pk)
    except ImportBatch.DoesNotExist:
        return redirect("manage:import")
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("manage:import")
    return redirect("manage:import-progress", pk=batch.pk)


@require_GET
@admin_only
def progress(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk, status="committed")
    checks = batch.checks.select_related("linkage", "linkage__owner")
    counts = {status: checks.filter(status=status).count() for status in CheckStatus.values}
    # Every imported linkage still there and not yet checked is waiting.
    waiting = max(0, batch.linkages.count() - counts[CheckStatus.OK]
                  - counts[CheckStatus.FAILED])
    failures = checks.filter(status=CheckStatus.FAILED)[:200]
    return render(request, "beatman/import_progress.html", {
        "batch": batch, "counts": counts, "waiting": waiting, "failures": failures,
        "passwords_waiting": PendingPassword.objects.count(),
        "refresh": waiting > 0})


@require_GET
@admin_only
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(workbook.build_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="beatbox-import-template.xlsx"'
    return response


@require_GET
@admin_only
def export(request: HttpRequest) -> HttpResponse:
    users = User.objects.order_by("furigana", "login")
    linkages = Linkage.objects.select_related("owner").order_by("owner__login", "created_at")
    response = HttpResponse(workbook.build_export(users, linkages), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="beatbox-users.xlsx"'
    messages.info(request, _("Exported without passwords."))
    return response
