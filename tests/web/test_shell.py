"""Login, logout, home redirect, navigation and error pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.constants import Role
from gongzhi.core.errors import Conflict
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
WRONG_CREDENTIALS = "用户名或密码不正确"


@pytest.fixture
def street_user():
    return make_user("340111002", Role.STREET_STAFF, username="changqing", display_name="王芳")


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def test_login_page_is_in_chinese(client):
    html = client.get(LOGIN_URL).content.decode()
    assert "登录" in html and "用户名" in html and "密码" in html
    assert "共治" in html


def test_login_success_goes_home_then_to_own_node(client, street_user):
    response = _login(client, "changqing", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == "/territory/340111002/"


def test_a_residents_home_is_their_own_cases(client):
    from gongzhi.accounts.constants import Role
    from tests.factories import make_user

    client.force_login(make_user("340302005007", Role.RESIDENT))
    assert client.get("/")["Location"] == reverse("cases:mine")


def test_wrong_password_and_unknown_user_look_the_same(client, street_user):
    wrong_password = _login(client, "changqing", "Not-the-right-one-42")
    unknown_user = _login(client, "nobody-here", "Not-the-right-one-42")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert WRONG_CREDENTIALS in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_user_gets_the_same_message(client, street_user):
    street_user.is_active = False
    street_user.save(update_fields=["is_active"])
    response = _login(client, "changqing", DEFAULT_PASSWORD)
    assert WRONG_CREDENTIALS in response.content.decode()


def test_empty_login_form_errors_are_chinese(client):
    html = client.post(LOGIN_URL, {"username": "", "password": ""}).content.decode()
    assert "请输入用户名" in html and "请输入密码" in html


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_user_without_division_sees_explanation(client, django_user_model):
    user = django_user_model.objects.create_user(username="root", password=DEFAULT_PASSWORD)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "尚未分配所属区划" in response.content.decode()


def test_logout_is_post_only(client, street_user):
    client.force_login(street_user)
    confirm = client.get("/accounts/logout/")
    assert confirm.status_code == 200
    assert "_auth_user_id" in client.session  # a GET does not sign out
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert "_auth_user_id" not in client.session


def test_shell_shows_name_node_roles_and_menu(client, street_user):
    client.force_login(street_user)
    html = client.get("/territory/340111002/").content.decode()
    assert "共治" in html and "党建引领基层治理平台" in html
    assert "王芳" in html
    assert "包河区常青街道" in html
    assert "街道工作人员" in html
    assert "区划与网格" in html
    assert reverse("insights:dashboard", kwargs={"code": "340111002"}) in html
    assert 'action="/accounts/logout/"' in html


def test_admin_role_gets_no_staff_menu(client):
    admin = make_user("340111", Role.AUDIT_ADMIN, username="auditor")
    client.force_login(admin)
    html = client.get("/territory/340111/").content.decode()
    assert "审计管理员" in html
    assert "区划与网格</a>" not in html
    assert "数据看板</a>" not in html


def test_404_page_is_chinese(client, street_user):
    client.force_login(street_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.fixture
def raising_urls(settings):
    """Add views that raise, to exercise the middleware and the 500 handler."""
    settings.ROOT_URLCONF = "tests.web.raising_urls"
    settings.DEBUG = False


def test_500_page_has_no_traceback(raising_urls, street_user):
    client = Client(raise_request_exception=False)
    client.force_login(street_user)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统错误" in html
    for leak in ("Traceback", "RuntimeError", "secret detail", "raising_urls.py"):
        assert leak not in html


def test_domain_errors_become_chinese_pages(raising_urls, street_user):
    client = Client()
    client.force_login(street_user)
    forbidden = client.get("/forbidden/")
    assert forbidden.status_code == 403
    assert "无权访问" in forbidden.content.decode()
    assert "该操作需要审计管理员权限。" in forbidden.content.decode()
    invalid = client.get("/invalid/")
    assert invalid.status_code == 400
    assert "截止日期不能早于今天。" in invalid.content.decode()
    conflict = client.get("/conflict/")
    assert conflict.status_code == Conflict.status
    assert "Traceback" not in conflict.content.decode()


def test_domain_error_in_htmx_request_is_a_fragment(raising_urls, street_user):
    client = Client()
    client.force_login(street_user)
    response = client.get("/invalid/", headers={"HX-Request": "true"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "截止日期不能早于今天。" in html
    assert "<html" not in html
