from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def root(request: HttpRequest) -> HttpResponse:
    return redirect("beatman-top")


def top(request: HttpRequest) -> HttpResponse:
    """The settings top page with the menu [設定] › [自身の設定] › …, and notices (once)."""
    from extmail import services

    return render(request, "beatman/top.html",
                  {"notices": services.take_notices(user=request.user)})
