from django.urls import path

from . import views

app_name = "extmail"

urlpatterns = [
    path("", views.linkage_list, name="list"),
    # The documented address of the add page; it must stay exactly this.
    path("addmail.jsp", views.add, name="add"),
    path("<uuid:pk>/confirm/", views.confirm, name="confirm"),
    path("<uuid:pk>/change/", views.change, name="change"),
    path("<uuid:pk>/recheck/", views.recheck, name="recheck"),
    path("<uuid:pk>/check/<uuid:check_pk>/", views.check, name="check"),
]
