"""利用者管理 and the audit log: pages for 責任者 under /beatman/setting/admin/."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .forms import UserCreateForm, UserEditForm
from .models import AuditEntry, User


def admin_only(view: Callable) -> Callable:
    """Pages that only 責任者 see; for anyone else they do not exist (404)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@admin_only
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.annotate(linkage_count=Count("linkages")).order_by("furigana", "login")
    return render(request, "beatman/users.html", {"users": users})


@require_http_methods(["GET", "POST"])
@admin_only
def user_add(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.create_user(actor=request.user, login=data["login"],
                                    password=data["password1"], name=data["name"],
                                    furigana=data["furigana"], email=data["email"],
                                    is_admin=data["is_admin"])
        messages.success(request, _("User %(login)s was added.") % {"login": user.login})
        return redirect("manage:users")
    return render(request, "beatman/user_form.html", {"form": form, "adding": True})


@require_http_methods(["GET", "POST"])
@admin_only
def user_edit(request: HttpRequest, user_pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_pk)
    initial = {"name": user.name, "furigana": user.furigana, "email": user.email,
               "is_admin": user.is_admin}
    form = UserEditForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user(actor=request.user, user=user, name=data["name"],
                                 furigana=data["furigana"], email=data["email"],
                                 is_admin=data["is_admin"], password=data["password1"])
        except services.UserRuleError as exc:
            form.add_error("is_admin", str(exc))
        else:
            messages.success(request, _("User %(login)s was changed.") % {"login": user.login})
            return redirect("manage:users")
    return render(request, "beatman/user_form.html",
                  {"form": form, "adding": False, "subject": user})


@require_http_methods(["GET", "POST"])
@admin_only
def user_delete(request: HttpRequest, user_pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_pk)
    error = None
    if request.method == "POST":
        try:
            services.delete_user(actor=request.user, user=user)
        except services.UserRuleError as exc:
            error = str(exc)
        else:
            messages.success(request, _("User %(login)s was deleted.") % {"login": user.login})
            return redirect("manage:users")
    return render(request, "beatman/user_delete.html",
                  {"subject": user, "linkages": user.linkages.all(), "error": error},
                  status=409 if error else 200)


@require_GET
@admin_only
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.all()
    if who := request.GET.get("user", "").strip():
        entries = entries.filter(subject_login=who) | entries.filter(actor_login=who)
    page = Paginator(entries.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "beatman/audit.html", {"page": page, "who": who})
