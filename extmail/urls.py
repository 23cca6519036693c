"""The linkage screens, mounted twice: for the user's own settings (namespace "extmail",
/beatman/setting/self/) and for a 責任者 acting for a user (namespace "extmail_admin",
/beatman/setting/admin/users/<user_pk>/)."""

from django.urls import path

from . import views

patterns = [
    path("extmail/", views.linkage_list, name="list"),
    # The documented address of the add page; it must stay exactly this.
    path("extmail/addmail.jsp", views.add, name="add"),
    path("extmail/select/", views.select, name="select"),
    path("extmail/<uuid:pk>/confirm/", views.confirm, name="confirm"),
    path("extmail/<uuid:pk>/change/", views.change, name="change"),
    path("extmail/<uuid:pk>/status/", views.status, name="status"),
    path("extmail/<uuid:pk>/delete/", views.delete, name="delete"),
    path("extmail/<uuid:pk>/recheck/", views.recheck, name="recheck"),
    path("extmail/<uuid:pk>/fetch/", views.fetch_now, name="fetch"),
    path("extmail/<uuid:pk>/only-new/", views.only_new_mail, name="only-new"),
    path("extmail/<uuid:pk>/check/<uuid:check_pk>/", views.check, name="check"),
    path("mailclient/", views.mail_client, name="mailclient"),
    path("mainaddress/", views.main_address, name="mainaddress"),
]
