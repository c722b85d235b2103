from django.contrib.auth.decorators import login_required
from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/totp/", views.totp_view, name="totp"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        login_required(views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path("reveal/<str:label>/<int:pk>/<str:field>/", views.reveal_view, name="reveal"),
    # 三员分立: one screen family per separated admin role.
    path("admin/users/", admin_views.users_view, name="admin_users"),
    path("admin/users/<int:user_id>/role/", admin_views.user_role_change, name="admin_user_role"),
    path("admin/security/", admin_views.security_view, name="admin_security"),
    path("admin/security/unlock/", admin_views.security_unlock, name="admin_security_unlock"),
    path("admin/audit/", admin_views.audit_view, name="admin_audit"),
]
