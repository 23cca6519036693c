from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from extmail import views as extmail_views

from . import views

urlpatterns = [
    path("", views.root),
    path("beatman/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("beatman/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("beatman/", views.top, name="beatman-top"),
    path("beatman/setting/self/extmail/", include("extmail.urls")),
    path("beatman/setting/self/mailclient/", extmail_views.mail_client, name="mailclient"),
    path("admin/", admin.site.urls),
]
