"""The add flow through Django's test client: form → confirm → check → result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from extmail.models import CheckStatus, ConnectionCheck, Linkage, LinkageDraft, LinkageState
from tests.conftest import form_data, run_queued

ADD_URL = "/beatman/setting/self/extmail/addmail.jsp"
FIELDS = ["mail_address", "pop_server", "pop_account", "pop_password", "pop_auth",
          "leave_on_server", "pop_ssl", "smtp_server", "smtp_auth", "smtp_account",
          "smtp_password", "smtp_ssl"]


def field_errors(response) -> dict[str, str]:
    form = response.context["form"]
    return {name: " ".join(errs) for name, errs in form.errors.items()}


def test_add_page_is_at_the_documented_url():
    assert reverse("extmail:add") == ADD_URL


def test_login_required(client, db):
    response = client.get(ADD_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/beatman/login/?next=")


def test_add_page_has_every_field_in_japanese(user_client):
    response = user_client.get(ADD_URL)
    html = response.content.decode()
    assert response.status_code == 200
    for name in FIELDS:
        assert f'name="{name}"' in html
    for label in ["メールアドレス", "受信サーバー", "メールボックスのアカウント名",
                  "メールボックスのパスワード", "メールをメールボックスに", "SSL使用",
                  "送信サーバー", "認証方式", "残さない", "残す", "指定する",
                  "pop.example.co.jp:110"]:
        assert label in html, label


def test_english_when_the_browser_asks(user_client):
    html = user_client.get(ADD_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mailbox account name" in html
    assert "メールボックスのアカウント名" not in html


def test_invalid_input_errors_next_to_each_field_and_nothing_saved(user_client):
    data = form_data(mail_address="not-an-address", pop_server="pop.example.jp:99999",
                     pop_account="", pop_password="", smtp_server="smtp example",
                     smtp_auth="custom", smtp_account="", smtp_password="")
    response = user_client.post(ADD_URL, data)
    assert response.status_code == 200
    errors = field_errors(response)
    assert set(errors) == {"mail_address", "pop_server", "pop_account", "pop_password",
                           "smtp_server", "smtp_account", "smtp_password"}
    assert "1" in errors["pop_server"] and "65535" in errors["pop_server"]
    assert LinkageDraft.objects.count() == 0 and Linkage.objects.count() == 0
    html = response.content.decode()
    # Each message is rendered inside its own field's block.
    assert re.search(r'id="div_id_pop_server".*?invalid-feedback', html, re.S)


def test_passwords_rerender_blank(user_client):
    data = form_data(mail_address="bad", pop_password="sentinel-pw-1", smtp_auth="custom",
                     smtp_account="x", smtp_password="sentinel-pw-2")
    html = user_client.post(ADD_URL, data).content.decode()
    assert "sentinel-pw-1" not in html and "sentinel-pw-2" not in html
    assert 'value="bad"' in html  # other values are kept


def test_smtp_account_only_required_with_custom(user_client):
    response = user_client.post(ADD_URL, form_data(smtp_auth="default"))
    assert response.status_code == 302
    response = user_client.post(ADD_URL, form_data(mail_address="b@example.jp",
                                                   smtp_auth="custom"))
    assert set(field_errors(response)) == {"smtp_account", "smtp_password"}


def test_full_width_input_normalised_but_not_passwords(user_client, user):
    data = form_data(mail_address="ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
                     pop_server="ｐｏｐ．ｅｘａｍｐｌｅ．ｊｐ：１１０",
                     smtp_server="ｓｍｔｐ．ｅｘａｍｐｌｅ．ｊｐ", pop_password="Ｐａｓｓ ")
    response = user_client.post(ADD_URL, data)
    draft = LinkageDraft.objects.get(owner=user)
    assert response["Location"] == reverse("extmail:confirm", kwargs={"pk": draft.pk})
    assert (draft.mail_address, draft.pop_host, draft.pop_port) == (
        "taro@example.jp", "pop.example.jp", 110)
    assert (draft.smtp_host, draft.smtp_port) == ("smtp.example.jp", 25)
    assert draft.get_secret("pop_password") == "Ｐａｓｓ "


def test_default_ports_follow_ssl(user_client, user):
    user_client.post(ADD_URL, form_data(pop_ssl="1", smtp_ssl="1",
                                        smtp_server="smtp.example.jp"))
    draft = LinkageDraft.objects.get(owner=user)
    assert (draft.pop_port, draft.smtp_port) == (995, 465)


def _start(client, data, capture) -> ConnectionCheck:
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, field_errors(response)
    confirm_url = response["Location"]
    html = client.get(confirm_url).content.decode()
    assert "******" in html and data["pop_password"] not in html
    with capture(execute=True):
        response = client.post(confirm_url)
    assert response.status_code == 302
    return ConnectionCheck.objects.get()


def test_duplicates_refused(user_client, user, task_queue, django_capture_on_commit_callbacks):
    _start(user_client, form_data(), django_capture_on_commit_callbacks)
    response = user_client.post(ADD_URL, form_data(mail_address="TARO@example.co.jp"))
    assert "mail_address" in field_errors(response)
    # The customer domain (example.co.jp in tests) may appear once per user.
    response = user_client.post(ADD_URL, form_data(mail_address="other@example.co.jp"))
    assert "mail_address" in field_errors(response)
    response = user_client.post(ADD_URL, form_data(mail_address="taro@provider.example"))
    assert response.status_code == 302


def test_double_click_and_back_button_make_one_linkage(
        user_client, user, task_queue, django_capture_on_commit_callbacks):
    response = user_client.post(ADD_URL, form_data())
    confirm_url = response["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        first = user_client.post(confirm_url)
        second = user_client.post(confirm_url)
    assert first["Location"] == second["Location"]
    assert user_client.get(confirm_url)["Location"] == first["Location"]  # back button
    assert Linkage.objects.count() == 1 and ConnectionCheck.objects.count() == 1
    assert len(task_queue.results) == 1
    # Re-posting the form itself and confirming again is refused as a duplicate.
    again = user_client.post(ADD_URL, form_data())
    assert "mail_address" in field_errors(again)


def test_successful_check_creates_mailbox_and_primary(
        user_client, user, mail_peers, task_queue, django_capture_on_commit_callbacks):
    dovecot, smtp = mail_peers
    check = _start(user_client, form_data(dovecot, smtp), django_capture_on_commit_callbacks)
    linkage = check.linkage
    assert linkage.state == LinkageState.CHECKING
    assert not hasattr(linkage, "mailbox") or linkage.mailbox is None
    page = user_client.get(reverse("extmail:check", kwargs={"pk": linkage.pk,
                                                             "check_pk": check.pk}))
    assert b'http-equiv="refresh"' in page.content
    # Only the check id travels through the queue.
    assert task_queue.results[0].args == [str(check.pk)] or task_queue.results[0].args == (
        str(check.pk),)
    assert run_queued(task_queue) == [CheckStatus.OK]
    linkage.refresh_from_db()
    assert linkage.state == LinkageState.OK and linkage.is_primary
    assert linkage.smtp_method == "auth"
    assert Path(linkage.mailbox.path, "new").is_dir()
    html = user_client.get(page.request["PATH_INFO"]).content.decode()
    assert "beat-boxと外部メールボックスの連係を確認できました。" in html
    assert reverse("extmail:mailclient") in html


def test_failed_check_explains_and_keeps_values_but_not_passwords(
        user_client, user, mail_peers, task_queue, django_capture_on_commit_callbacks):
    dovecot, smtp = mail_peers
    data = form_data(dovecot, smtp, pop_password="wrong-password")
    check = _start(user_client, data, django_capture_on_commit_callbacks)
    run_queued(task_queue)
    url = reverse("extmail:check", kwargs={"pk": check.linkage_id, "check_pk": check.pk})
    html = user_client.get(url).content.decode()
    assert "パスワード" in html and "受け付けられませんでした" in html
    linkage = Linkage.objects.get()
    assert linkage.state == LinkageState.FAILED
    assert not Path(linkage.pk.hex).exists() and not hasattr(linkage, "mailbox")
    # Raw server text is for the 責任者 only.
    assert "[AUTH]" not in html
    fix = re.search(r'href="([^"]+/change/[^"]*)"', html).group(1)
    form_html = user_client.get(fix).content.decode()
    assert f'value="{data["pop_server"]}"' in form_html
    assert "wrong-password" not in form_html
    # Fix the password: the same linkage is checked again and succeeds.
    data["pop_password"] = "Secr3t pass "
    response = user_client.post(fix.split("?")[0], data)
    assert response.status_code == 302, field_errors(response)
    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(response["Location"])
    assert run_queued(task_queue) == [CheckStatus.OK]
    assert Linkage.objects.get().state == LinkageState.OK


def test_change_needs_password_again_when_destination_changes(
        user_client, user, task_queue, django_capture_on_commit_callbacks):
    check = _start(user_client, form_data(), django_capture_on_commit_callbacks)
    url = reverse("extmail:change", kwargs={"pk": check.linkage_id})
    same = form_data(pop_password="")
    assert user_client.post(url, same).status_code == 302  # blank keeps the stored one
    moved = form_data(pop_password="", pop_server="pop.other.example.jp")
    assert "pop_password" in field_errors(user_client.post(url, moved))


def test_other_users_objects_are_404(client, user, other_user, task_queue,
                                     django_capture_on_commit_callbacks):
    client.force_login(user)
    check = _start(client, form_data(), django_capture_on_commit_callbacks)
    draft = LinkageDraft.objects.get()
    client.force_login(other_user)
    pk = check.linkage_id
    for url in [reverse("extmail:confirm", kwargs={"pk": draft.pk}),
                reverse("extmail:change", kwargs={"pk": pk}),
                reverse("extmail:check", kwargs={"pk": pk, "check_pk": check.pk})]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("extmail:recheck", kwargs={"pk": pk})).status_code == 404
    assert client.post(reverse("extmail:confirm", kwargs={"pk": draft.pk})).status_code == 404


def test_state_changes_need_csrf(user, task_queue):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(ADD_URL, form_data()).status_code == 403


def test_login_lockout_after_repeated_failures(client, user, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "taro", "password": "wrong"})
    response = client.post(url, {"username": "taro", "password": "box-pass-123"})
    assert response.status_code == 429
    assert "ロック" in response.content.decode()


def test_login_with_login_id(client, user):
    response = client.post(reverse("login"), {"username": "taro", "password": "box-pass-123"})
    assert response.status_code == 302
    top = client.get("/beatman/").content.decode()
    for item in ["設定", "自身の設定", "外部メール連係追加"]:
        assert item in top


@pytest.mark.django_db
def test_rate_limit(user_client, user, settings, task_queue,
                    django_capture_on_commit_callbacks):
    settings.BEATBOX_CHECK_RATE = 1
    _start(user_client, form_data(), django_capture_on_commit_callbacks)
    response = user_client.post(ADD_URL, form_data(mail_address="b@provider.example"))
    confirm = user_client.post(response["Location"])
    assert confirm.status_code == 409
    assert "しばらく" in confirm.content.decode()
    assert Linkage.objects.count() == 1


def test_administrator_sees_step_report_with_raw_replies(
        client, admin_user, user, mail_peers, task_queue, django_capture_on_commit_callbacks):
    dovecot, smtp = mail_peers
    client.force_login(admin_user)
    check = _start(client, form_data(dovecot, smtp, pop_password="wrong-pw"),
                   django_capture_on_commit_callbacks)
    run_queued(task_queue)
    url = reverse("extmail:check", kwargs={"pk": check.linkage_id, "check_pk": check.pk})
    html = client.get(url).content.decode()
    assert "接続確認の詳細" in html
    assert "[AUTH] Authentication failed." in html  # Dovecot's own words, for the 責任者
    for step in ("resolve", "connect", "greeting", "stls", "TLSv1.3", "subject[", "expires["):
        assert step in html
    assert "wrong-pw" not in html
