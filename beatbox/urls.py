from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from extmail import import_views
from extmail import urls as extmail_urls

from . import manage_views, views

manage_patterns = [
    path("users/", manage_views.user_list, name="users"),
    path("users/add/", manage_views.user_add, name="user-add"),
    path("users/<int:user_pk>/edit/", manage_views.user_edit, name="user-edit"),
    path("users/<int:user_pk>/delete/", manage_views.user_delete, name="user-delete"),
    path("audit/", manage_views.audit_log, name="audit"),
    # 利用者情報一括登録
    path("import/", import_views.upload, name="import"),
    path("import/template.xlsx", import_views.template_download, name="import-template"),
    path("import/export.xlsx", import_views.export, name="import-export"),
    path("import/<uuid:pk>/", import_views.preview, name="import-preview"),
    path("import/<uuid:pk>/commit/", import_views.commit, name="import-commit"),
    path("import/<uuid:pk>/progress/", import_views.progress, name="import-progress"),
]

urlpatterns = [
    path("", views.root),
    path("beatman/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("beatman/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("beatman/", views.top, name="beatman-top"),
    # 自身の設定: the user's own linkages, mail client settings and primary address.
    path("beatman/setting/self/", include((extmail_urls.patterns, "extmail"))),
    # 責任者: user management, the audit log, and any user's linkage screens.
    path("beatman/setting/admin/", include((manage_patterns, "manage"))),
    path("beatman/setting/admin/users/<int:user_pk>/",
         include((extmail_urls.patterns, "extmail_admin"))),
    path("admin/", admin.site.urls),
]
